"""Clustering metrics, checked against cases worked out by hand."""

import numpy as np
import pytest

from journeys.evaluation.metrics import ari, bcubed, best_match_f1, flat_labels, nmi


def test_identical_clusterings_score_one():
    truth = [[0, 1, 2], [3, 4], [5]]
    assert bcubed(truth, truth) == pytest.approx((1.0, 1.0, 1.0))
    assert best_match_f1(truth, truth) == pytest.approx(1.0)


def test_identical_overlapping_clusterings_score_one():
    truth = [[0, 1, 2], [2, 3], [3, 4]]
    assert bcubed(truth, truth) == pytest.approx((1.0, 1.0, 1.0))


def test_one_predicted_cluster_over_two_true_groups_halves_precision():
    # Each item shares its predicted cluster with 4 items, only 2 of them (itself included) in its group.
    precision, recall, f1 = bcubed([[0, 1, 2, 3]], [[0, 1], [2, 3]])
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(1.0)
    assert f1 == pytest.approx(2 / 3)


def test_overlapping_truth_against_one_predicted_cluster_by_hand():
    # Truth A={1,2}, B={2,3}: item 2 is in both. Predicted: one cluster {1,2,3}, so every pair shares 1 cluster.
    # Shared true groups: (1,1)=1 (1,2)=1 (1,3)=0 (2,2)=2 (2,3)=1 (3,3)=1.
    # Precision, min(shared predicted, shared true) / shared predicted over the 3 items each item is with:
    #   item 1: (1 + 1 + 0)/3 = 2/3, item 2: (1 + 1 + 1)/3 = 1, item 3: 2/3  -> P = 7/9.
    # Recall, min(...) / shared true over items sharing a true group:
    #   item 1 with {1,2}: (1 + 1)/2 = 1, item 2 with {1,2,3}: (1 + 1/2 + 1)/3 = 5/6, item 3: 1  -> R = 17/18.
    precision, recall, f1 = bcubed([[1, 2, 3]], [[1, 2], [2, 3]])
    assert precision == pytest.approx(7 / 9)
    assert recall == pytest.approx(17 / 18)
    assert f1 == pytest.approx(2 * (7 / 9) * (17 / 18) / (7 / 9 + 17 / 18))


def test_predicting_the_same_cluster_twice_costs_precision():
    # Items 0 and 1 share 2 predicted clusters but only 1 true group: min(2, 1)/2 = 1/2 for every pair.
    assert bcubed([[0, 1], [0, 1]], [[0, 1]]) == pytest.approx((0.5, 1.0, 2 / 3))


def test_unclustered_items_are_penalised_as_singletons():
    truth = [[0, 1], [2, 3]]
    # Items 2 and 3 are left out, so each is alone: recall 1/2 for them, 1 for items 0 and 1 -> R = 3/4.
    precision, recall, _ = bcubed([[0, 1]], truth)
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx(0.75)
    assert bcubed([[0, 1]], truth)[2] < bcubed(truth, truth)[2]


def test_predicted_items_outside_the_evaluated_items_are_ignored():
    truth = [[0, 1], [2, 3]]
    assert bcubed([[0, 1, 8, 9], [2, 3]], truth) == pytest.approx((1.0, 1.0, 1.0))
    # Restricted to items 0 and 1, the wrong merge with 2 and 3 no longer shows.
    assert bcubed([[0, 1, 2, 3]], truth, items=[0, 1]) == pytest.approx((1.0, 1.0, 1.0))


def test_bcubed_of_nothing_is_zero():
    assert bcubed([], []) == (0.0, 0.0, 0.0)


def test_bcubed_long_history_spans_several_blocks():
    # 1200 items in 3 true groups, predicted as one cluster: precision is the mean group share = 1/3.
    truth = [list(range(start, start + 400)) for start in (0, 400, 800)]
    precision, recall, _ = bcubed([list(range(1200))], truth)
    assert precision == pytest.approx(1 / 3)
    assert recall == pytest.approx(1.0)


def test_best_match_f1_by_hand():
    # Truth T={0,1,2,3}; predicted {0,1}, {2}, {3}: F1s with T are 2*2/6 = 2/3, 2/5, 2/5.
    # Truth side: 2/3. Predicted side: (2/3 + 2/5 + 2/5)/3 = 22/45. Mean: (30/45 + 22/45)/2 = 26/45.
    assert best_match_f1([[0, 1], [2], [3]], [[0, 1, 2, 3]]) == pytest.approx(26 / 45)


def test_best_match_f1_is_zero_when_either_side_is_empty():
    assert best_match_f1([], [[0, 1]]) == 0.0
    assert best_match_f1([[0, 1]], []) == 0.0


def test_flat_labels_take_the_first_cluster_and_give_unclustered_items_their_own():
    assert flat_labels([[0, 1], [1, 2]], 5).tolist() == [0, 0, 1, 2, 3]


def test_flat_labels_reject_items_outside_the_range():
    with pytest.raises(ValueError):
        flat_labels([[0, 5]], 3)


def test_ari_and_nmi_of_identical_partitions_are_one():
    truth_labels = np.array([0, 0, 1, 1, 2, 2])
    predicted = [[4, 5], [0, 1], [2, 3]]
    assert ari(predicted, truth_labels) == pytest.approx(1.0)
    assert nmi(predicted, truth_labels) == pytest.approx(1.0)


def test_ari_treats_unlabelled_items_on_both_sides_as_singletons():
    # Items 2 and 3 are in no true journey and in no predicted cluster: both sides are {0,1}, {2}, {3}.
    assert ari([[0, 1]], [0, 0, -1, -1]) == pytest.approx(1.0)
    # Lumping the two unlabelled items together is a mistake.
    assert ari([[0, 1], [2, 3]], [0, 0, -1, -1]) < 1.0
