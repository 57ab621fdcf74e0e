"""The next-items evaluation: ranking metrics, slots by weight, the time split, and a small real run."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import journeys.evaluation.next_items as next_items
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.interests import (
    JourneyInterests,
    OneInterest,
    allocate_slots,
    as_ranker,
    merge_by_weight,
    retrieve,
)
from journeys.evaluation.metrics import ndcg_at_k, recall_at_k
from journeys.evaluation.next_items import (
    JOURNEYS,
    KMEANS,
    ONE,
    POPULARITY,
    PRODUCT,
    RANDOM,
    RECENT,
    evaluate,
    prepare,
    product_available,
    score_method,
    split_history,
    write_report,
)
from journeys.history.activity import Activity


def test_recall_is_hits_over_targets_at_the_cut_off():
    assert recall_at_k(["a", "x", "y"], {"a", "b"}, 3) == 0.5
    assert recall_at_k(["x", "a", "b"], {"a", "b"}, 1) == 0.0
    assert recall_at_k(["x", "a", "b"], {"a", "b"}, 2) == 0.5
    assert recall_at_k(["x", "a", "b"], {"a", "b"}, 100) == 1.0
    # Not capped at k: one hit in the first slot of four targets is a quarter.
    assert recall_at_k(["a"], {"a", "b", "c", "d"}, 1) == 0.25
    assert recall_at_k(["a"], set(), 10) == 0.0


def test_ndcg_discounts_by_rank_and_normalises_by_the_ideal_list():
    assert ndcg_at_k(["a", "b"], {"a", "b"}, 50) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], {"a"}, 50) == pytest.approx(1 / np.log2(3))
    # Two targets, one found first: 1 / (1 + 1/log2(3)).
    assert ndcg_at_k(["a", "x"], {"a", "b"}, 50) == pytest.approx(1 / (1 + 1 / np.log2(3)))
    assert ndcg_at_k(["x", "a"], {"a"}, 1) == 0.0


def test_slots_go_to_interests_in_proportion_to_their_weight_at_every_prefix():
    owners = allocate_slots([7, 3], 10)
    assert Counter(owners) == {0: 7, 1: 3}
    assert allocate_slots([1, 1], 4) == [0, 1, 0, 1]
    weights = np.array([5.0, 3.0, 1.0, 1.0])
    owners = allocate_slots(weights, 100)
    for prefix in range(1, 101):
        counts = np.bincount(owners[:prefix], minlength=4)
        assert np.all(np.abs(counts - weights / weights.sum() * prefix) < 1.0 + 1e-9)
    assert Counter(owners) == {0: 50, 1: 30, 2: 10, 3: 10}


def test_merging_never_repeats_an_item_and_an_exhausted_interest_gives_up_its_slots():
    merged = merge_by_weight([[1, 2, 3, 4, 5, 6], [1, 7]], [1, 1], 6)
    assert merged == [1, 7, 2, 3, 4, 5]
    assert len(set(merged)) == len(merged)
    assert merge_by_weight([[1], [1]], [1, 1], 5) == [1]


def test_retrieval_never_returns_an_excluded_item():
    rng = np.random.default_rng(0)
    items = rng.normal(size=(50, 8)).astype(np.float32)
    items /= np.linalg.norm(items, axis=1, keepdims=True)
    excluded = np.array([0, 1, 2, 3])
    interests = items[[0, 1]]  # interests right on top of excluded items
    rows = retrieve(items, excluded, interests, [2.0, 1.0], 46)
    assert len(rows) == 46 and len(set(rows)) == 46
    assert not set(rows) & set(excluded.tolist())


def _activity(item: int, day: float, rating: float = 4.0) -> Activity:
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    return Activity(user_id="u", item_id=f"i{item}", title=f"t{item}", timestamp=start + timedelta(days=day),
                    engagement=rating / 5)


def test_the_split_is_the_first_80_percent_by_time():
    rng = np.random.default_rng(1)
    activities = [_activity(i, float(day)) for i, day in enumerate(rng.permutation(10))]
    history, future = split_history(activities)
    assert len(history) == 8 and len(future) == 2
    assert [a.timestamp for a in history + future] == sorted(a.timestamp for a in activities)
    assert max(a.timestamp for a in history) <= min(a.timestamp for a in future)
    assert len(split_history([_activity(i, i) for i in range(61)])[0]) == 49  # rounded up


# Users with 60 to 75 ratings keep the run (and the embedding of their films) short.
SHORT_USERS = ["ml:11", "ml:36", "ml:70", "ml:75", "ml:78", "ml:79", "ml:86", "ml:101", "ml:112", "ml:131",
               "ml:143", "ml:152", "ml:165", "ml:174", "ml:179", "ml:190"]


@pytest.fixture(scope="module")
def movielens(shared_data, embedder, tmp_path_factory):
    cache = CachedEmbedder(tmp_path_factory.mktemp("next-items") / "embeddings.npz", embedder)
    # A training store of these users only: the real one (every user) takes minutes to embed the first time.
    return prepare("movielens", shared_data, cache, user_ids=SHORT_USERS, store_users=0)


def test_real_users_are_split_in_time_and_their_targets_are_new_liked_items(movielens):
    assert [u.user_id for u in movielens.users] == [u for u in SHORT_USERS
                                                    if u in {v.user_id for v in movielens.users}]
    assert len(movielens.users) >= 14
    catalogue = set(movielens.item_ids)
    for user in movielens.users:
        times = [s.activity.timestamp for s in user.history]
        assert times == sorted(times)
        assert max(times) <= min(a.timestamp for a in user.future)
        assert len(user.history) == -(-4 * (len(user.history) + len(user.future)) // 5)
        assert user.targets and not user.targets & user.had
        liked = {a.item_id for a in user.future if a.engagement >= 0.7}
        assert user.targets == liked - user.had
        assert user.had <= catalogue
        assert all(s.embedding is not None and s.embedding.shape == (384,) for s in user.history)


def test_no_method_recommends_an_item_the_user_had_and_popularity_beats_random(movielens):
    results = {}
    for name in (RANDOM, POPULARITY, ONE, JOURNEYS) + ((PRODUCT,) if product_available() else ()):
        results[name] = score_method(movielens, name, per_user=True)
        assert results[name]["recommended_history_items"] == 0 and results[name]["duplicates"] == 0
        assert results[name]["users"] == len(movielens.users)
    assert results[POPULARITY]["recall@100"] > results[RANDOM]["recall@100"]
    assert results[POPULARITY]["ndcg@50"] > results[RANDOM]["ndcg@50"]
    journeys = results[JOURNEYS]
    assert journeys["fallback_users"] == sum(r["journeys"] == 0 for r in journeys["per_user"])
    assert 0.0 <= journeys["two_or_more_journeys"] <= 1.0


def test_score_method_takes_estimators_and_functions(movielens):
    from journeys.evaluation.baselines import WholeHistory
    from journeys.extraction.clustering import TimeOrderedClustering

    assert isinstance(as_ranker(TimeOrderedClustering()), JourneyInterests)
    users = movielens.users[:4]
    whole = score_method(movielens, WholeHistory(), users)
    one = score_method(movielens, OneInterest(), users)
    mean = score_method(movielens, lambda user_id, stored: [(np.mean([s.embedding for s in stored], axis=0), 1.0)],
                        users)
    # The whole history as one cluster, the one-interest method and a function giving the mean all agree.
    assert whole["recall@50"] == one["recall@50"] == mean["recall@50"]
    assert whole["interests_mean"] == 1 and whole["largest_share_mean"] == 1.0


def test_the_report_tunes_on_one_quarter_and_reports_on_the_rest(movielens, monkeypatch):
    methods = dict(next_items.METHODS)
    methods[KMEANS] = (methods[KMEANS][0], {"k_max": [3, 5]})
    monkeypatch.setattr(next_items, "METHODS", methods)
    result = evaluate(movielens, [POPULARITY, RANDOM, ONE, RECENT, KMEANS, JOURNEYS])
    tuning = [u for u in movielens.users if u.tuning]
    assert result["tuning_users"] == len(tuning) and result["report_users"] == len(movielens.users) - len(tuning)
    rows = {r["method"]: r for r in result["methods"]}
    assert rows[KMEANS]["params"]["k_max"] in (3, 5) and rows[KMEANS]["tuning_score"] is not None
    assert rows[ONE]["params"] == {} and rows[ONE]["tuning_score"] is None
    assert all(r["users"] == result["report_users"] for r in rows.values())
    verdict = result["verdicts"]["journeys_vs_best_interest_baseline"]
    text = write_report([result], seconds=12.0)
    best = max((rows[n] for n in (ONE, RECENT, KMEANS)), key=lambda r: r["recall@50"])
    assert verdict["best"] == best["method"]
    low, high = verdict["interval"]
    assert low <= verdict["ratio"] <= high
    assert f"Paired bootstrap over the users (95%): {low:.2f}x to {high:.2f}x." in text
    assert "## MovieLens (ml-latest-small)" in text
    assert "| method | Recall@20 | Recall@50 | Recall@100 | NDCG@50 |" in text
    assert f"| {JOURNEYS} | {rows[JOURNEYS]['recall@20']:.3f} |" in text
    assert f"{verdict['ratio']:.2f}x; target at least 1.10x: **{'met' if verdict['met'] else 'not met'}**" in text
    assert "two or more journeys (target ≥ 95%" in text


def test_a_missing_data_folder_is_one_sentence(tmp_path, capsys):
    assert next_items.main(["--data", str(tmp_path), "--datasets", "movielens"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: movielens-ml-latest-small not found in") and error.count("\n") == 1


def test_the_ratio_interval_is_paired_and_narrows_with_agreement():
    rng = np.random.default_rng(1)
    base = rng.uniform(0.0, 0.2, 200)
    # Twice the baseline for every user: every resample gives exactly 2.
    assert next_items.ratio_interval(2 * base, base) == pytest.approx((2.0, 2.0))
    # Noisy per-user differences widen it around the observed ratio.
    noisy = base * rng.uniform(0.5, 1.5, 200)
    low, high = next_items.ratio_interval(noisy, base)
    assert low < noisy.mean() / base.mean() < high and high - low > 0.05
