"""The extraction evaluation itself: tuning on some users, reporting on the others, the hindsight ceiling, the report."""

import numpy as np
import pytest

import journeys.evaluation.extraction as evaluation
from journeys.evaluation.baselines import AgglomerativeThreshold, WholeHistory
from journeys.evaluation.datasets import lastfm_users, tuning_split
from journeys.evaluation.extraction import ABLATION, OURS, Dataset, evaluate, lastfm_scores, write_report
from journeys.extraction.clustering import TimeOrderedClustering
from journeys.extraction.pipeline import item_features

# Small grids: the real ones take minutes; the machinery is the same.
SMALL_METHODS = {
    OURS: (TimeOrderedClustering, [{"join_threshold": [0.3, 0.5], "min_size": [2], "min_span_days": [0.0]},
                                   {"join_threshold": [0.5], "min_size": [2], "neighbours": [10]}]),
    ABLATION: (TimeOrderedClustering, [{"join_threshold": [1.01], "min_size": [2], "neighbours": [10]}]),
    "agglomerative": (AgglomerativeThreshold, [{"distance_threshold": [0.5, 0.7]}]),
    "whole-history": (WholeHistory, [{}]),
}


@pytest.fixture(scope="module")
def dataset(shared_data, embedder):
    users = lastfm_users(shared_data / "lastfm-hetrec2011-2k")
    # 12 tuning and 24 report users with short histories keep it quick.
    tuning = [u for u in users if tuning_split(u.user_id) and len(u.texts) <= 40][:12]
    report = [u for u in users if not tuning_split(u.user_id) and len(u.texts) <= 40][:24]
    chosen = tuning + report
    features = [item_features(embedder.embed(u.texts), u.texts) for u in chosen]
    return Dataset("Last.fm tag groups", chosen, features, "bcubed_f1", lastfm_scores)


def test_methods_are_tuned_on_the_tuning_users_and_scored_on_the_others(dataset, monkeypatch):
    monkeypatch.setattr(evaluation, "METHODS", SMALL_METHODS)
    rows, ceiling = evaluate(dataset)
    assert [r["method"] for r in rows] == list(SMALL_METHODS)
    assert all(r["users"] == 24 and r["tuning_users"] == 12 for r in rows)
    ours = rows[0]
    assert ours["params"] in ({"join_threshold": 0.3, "min_size": 2, "min_span_days": 0.0},
                              {"join_threshold": 0.5, "min_size": 2, "min_span_days": 0.0},
                              {"join_threshold": 0.5, "min_size": 2, "neighbours": 10})
    # The reported score is the mean over the report users with the tuned parameters.
    report = [i for i, u in enumerate(dataset.users) if not tuning_split(u.user_id)]
    by_hand = np.mean([evaluation.score_user(TimeOrderedClustering, ours["params"], dataset.users[i],
                                             dataset.features[i], dataset.scores)["bcubed_f1"] for i in report])
    assert ours["bcubed_f1"] == pytest.approx(by_hand)
    # Hindsight per user is at least as good as any one configuration, and more choice is no worse.
    assert ceiling["every configuration"] >= ceiling["best single configuration"] == max(r["tuning_score"] for r in rows)
    assert ceiling["every configuration"] >= ceiling["baseline configurations"]
    assert ceiling["configurations"] == 2 + 1 + 1 + 2 + 1
    assert 0.0 < ceiling["own tag names"] < 1.0

    text = write_report({dataset.name: (rows, ceiling)}, [dataset], term_weight=0.2)
    best = max((r for r in rows if r["method"] not in (OURS, ABLATION)), key=lambda r: r["bcubed_f1"])
    assert f"Ours vs the best baseline ({best['method']}) on bcubed_f1" in text  # the ablation is not a baseline
    assert f"the 10% target needs {1.1 * best['bcubed_f1']:.3f}" in text
    met = ours["bcubed_f1"] >= 1.1 * best["bcubed_f1"]
    assert f"Target (+10% over the best baseline): {'met' if met else 'not met'}." in text
    assert "Hindsight ceiling on the 12 tuning users" in text


def test_learned_selectors_are_scored_against_the_best_single_choice_and_hindsight(dataset, monkeypatch):
    import journeys.evaluation.selection as selection

    monkeypatch.setattr(selection, "CANDIDATES", [
        ("whole-history", WholeHistory, {}),
        ("agglomerative 0.6", AgglomerativeThreshold, {"distance_threshold": 0.6}),
        ("journeys 0.5/0.0", TimeOrderedClustering, {"join_threshold": 0.5, "min_size": 2, "min_span_days": 0.0}),
    ])
    result = selection.evaluate(dataset.users, dataset.features)
    assert result["report_users"] == 24 and result["tuning_users"] == 12
    assert result["best agglomerative (chosen on tuning)"]["name"] == "agglomerative 0.6"
    single = result["best single (chosen on tuning)"]["score"]
    assert set(result["selectors"]) == set(selection.SELECTORS)
    # Hindsight per user bounds every rule that picks without the answer.
    assert all(result["hindsight"] >= score for score in [single, *result["selectors"].values()])
    text = selection.write_report(result)
    assert f"needs {1.1 * result['best agglomerative (chosen on tuning)']['score']:.3f}" in text
    assert "| each user's best candidate, in hindsight (not a method) |" in text
