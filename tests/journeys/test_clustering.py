"""Extraction: assignment in time order, transient interests, merging, and the demo personas' real interests."""


import numpy as np
import pytest

from journeys.extraction.clustering import TRANSIENT, TimeOrderedClustering
from journeys.state.journey import Status
from tests.conftest import PERSONAS

DAY = 86400.0
# The time-ordered pass alone: no community step, no isolation test (the defaults have both).
PASS_ONLY = {"neighbours": None, "isolation_z": None}


def directions(n_topics: int, dims: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dims, dims)))
    return q[:n_topics]


def noisy(centre: np.ndarray, rng: np.random.Generator, noise: float = 0.15) -> np.ndarray:
    v = centre + rng.normal(scale=noise / np.sqrt(len(centre)), size=len(centre))
    return v / np.linalg.norm(v)


def test_items_join_the_journey_they_are_similar_to_and_one_offs_are_transient():
    rng = np.random.default_rng(1)
    topics = directions(5)
    sequence = [0, 1, 0, 2, 1, 0, 1, 2, 0, 3, 1, 2, 0, 2, 1, 4, 0, 2, 1, 2]  # topics 3 and 4 appear once
    X = np.vstack([noisy(topics[t], rng) for t in sequence])
    times = [i * 5 * DAY for i in range(len(sequence))]
    model = TimeOrderedClustering(join_threshold=0.5, min_size=3, **PASS_ONLY).fit(X, timestamps=times)
    assert len(model.clusters_) == 3
    for topic in (0, 1, 2):
        labels = {model.labels_[i] for i, t in enumerate(sequence) if t == topic}
        assert len(labels) == 1 and labels != {TRANSIENT}
    assert model.labels_[sequence.index(3)] == TRANSIENT
    assert model.labels_[sequence.index(4)] == TRANSIENT


def test_a_single_burst_is_transient_however_large():
    rng = np.random.default_rng(2)
    topics = directions(2)
    X = np.vstack([noisy(topics[0], rng) for _ in range(6)] + [noisy(topics[1], rng) for _ in range(6)])
    times = [i * 3600.0 for i in range(6)] + [(i + 1) * 10 * DAY for i in range(6)]  # six items in six hours, then six over two months
    model = TimeOrderedClustering(join_threshold=0.5, min_span_days=7, **PASS_ONLY).fit(X, timestamps=times)
    assert list(model.labels_[:6]) == [TRANSIENT] * 6
    assert len(set(model.labels_[6:])) == 1 and model.labels_[6] != TRANSIENT


def test_a_history_that_is_itself_one_burst_keeps_its_journeys():
    # Someone rating 40 films of two kinds in one evening: the burst is the whole history, not a passing click.
    rng = np.random.default_rng(12)
    topics = directions(2)
    sequence = [i % 2 for i in range(40)]
    X = np.vstack([noisy(topics[t], rng) for t in sequence])
    times = [i * 60.0 for i in range(40)]
    model = TimeOrderedClustering(join_threshold=0.5, min_span_days=7, **PASS_ONLY).fit(X, timestamps=times)
    assert len(model.clusters_) == 2 and TRANSIENT not in model.labels_


def test_isolated_items_stay_out_of_journeys_and_engagement_tips_the_balance():
    rng = np.random.default_rng(13)
    topics = directions(8)
    sequence = [0, 1, 2] * 10
    X = np.vstack([noisy(topics[t], rng, 0.6) for t in sequence] + [noisy(topics[t], rng, 0.6) for t in (3, 4, 5, 6, 7)])
    times = [i * 3 * DAY for i in range(len(X))]
    model = TimeOrderedClustering().fit(X, timestamps=times)  # the defaults: community step and isolation test
    assert len(model.clusters_) == 3
    assert all(model.labels_[i] == TRANSIENT for i in range(30, 35))  # the five one-off topics
    assert sum(model.labels_[:30] != TRANSIENT) >= 27  # the real interests keep (nearly) all their items
    # Two clean, distinct interests: every item has close neighbours, none is isolated.
    clean = np.vstack([noisy(topics[i % 2], rng, 0.05) for i in range(12)])
    assert not TimeOrderedClustering().fit(clean, timestamps=[i * 7 * DAY for i in range(12)]).isolated_.any()
    # An item on the edge of an interest: loved, it stays in; barely touched, it is left out.
    edge = 0.45 * topics[0] + np.sqrt(1 - 0.45 ** 2) * topics[7]
    Y = np.vstack([noisy(topics[i % 2], rng, 0.3) for i in range(20)] + [edge])
    when = [i * 3 * DAY for i in range(21)]
    engagement = [0.6] * 20
    loved = TimeOrderedClustering().fit(Y, timestamps=when, engagement=engagement + [1.0])
    skipped = TimeOrderedClustering().fit(Y, timestamps=when, engagement=engagement + [0.05])
    assert not loved.isolated_[20] and skipped.isolated_[20]


def test_journeys_whose_centres_converge_are_merged():
    rng = np.random.default_rng(3)
    a, b = directions(2)
    mid = (a + b) / np.linalg.norm(a + b)
    # Two nearby topics: separate at a strict join threshold, one journey once merging is allowed.
    X = np.vstack([noisy(0.8 * mid + 0.6 * (a if i % 2 else b), rng, 0.05) for i in range(12)])
    times = [i * 7 * DAY for i in range(12)]
    apart = TimeOrderedClustering(join_threshold=0.9, merge_threshold=0.99, **PASS_ONLY).fit(X, timestamps=times)
    merged = TimeOrderedClustering(join_threshold=0.9, merge_threshold=0.6, **PASS_ONLY).fit(X, timestamps=times)
    assert len(apart.clusters_) == 2
    assert len(merged.clusters_) == 1 and len(merged.clusters_[0]) == 12


def test_estimator_interface_keeps_parameters_as_given():
    model = TimeOrderedClustering(join_threshold=0.3, min_size=5)
    assert model.get_params()["join_threshold"] == 0.3 and model.get_params()["min_size"] == 5
    assert not hasattr(model, "labels_")


@pytest.mark.parametrize("user_id", sorted(PERSONAS))
def test_every_demo_persona_gets_its_real_interests(demo_workspace, tmp_path, user_id):
    from journeys.extraction.pipeline import build_journeys
    from journeys.naming.backends import KeywordNamer

    stored = demo_workspace.history.activities(user_id, with_embeddings=True)
    journeys = build_journeys(user_id, stored, TimeOrderedClustering(), KeywordNamer())
    described = [" ".join([j.name, *j.salient_terms]).lower() for j in journeys]
    for interest in PERSONAS[user_id].interests:
        assert any(any(k in text for k in interest["keywords"]) for text in described), (
            f"{interest['label']!r} not found among {described}"
        )
    # One-off clicks stay out of journeys: a journey is never a single activity.
    assert all(j.size >= 4 for j in journeys)
    assert all(0.0 < j.confidence <= 1.0 for j in journeys)


def test_refresh_keeps_what_the_user_decided(workspace):
    workspace.ingest([PERSONAS["maya"].history_path])
    first = workspace.extract("maya")
    chosen = first[0]
    chosen.status, chosen.name, chosen.name_source = Status.CONFIRMED, "My uke practice", "user"
    workspace.journeys.update(chosen, "rename")
    rejected = first[1]
    rejected.status = Status.REJECTED
    workspace.journeys.update(rejected, "reject")
    again = workspace.extract("maya")
    kept = {j.id: j for j in again}
    assert kept[chosen.id].name == "My uke practice" and kept[chosen.id].status is Status.CONFIRMED
    assert rejected.id not in kept
    hidden = {j.id: j for j in workspace.journeys.journeys("maya", include_rejected=True)}
    assert hidden[rejected.id].status is Status.REJECTED
    assert [e["action"] for e in workspace.journeys.events("maya")].count("rename") == 1


def test_an_item_between_two_journeys_joins_both_when_overlaps_are_allowed():
    rng = np.random.default_rng(4)
    a, b = directions(2)
    both = (a + b) / np.linalg.norm(a + b)
    X = np.vstack([noisy(a if i % 2 else b, rng, 0.05) for i in range(12)] + [both])
    times = [i * 7 * DAY for i in range(13)]
    single = TimeOrderedClustering(join_threshold=0.6, min_size=3, **PASS_ONLY).fit(X, timestamps=times)
    overlapping = TimeOrderedClustering(join_threshold=0.6, overlap_margin=0.1, min_size=3, **PASS_ONLY).fit(X, timestamps=times)
    assert sum(12 in c for c in single.clusters_) == 1
    assert sum(12 in c for c in overlapping.clusters_) == 2


def test_anchors_keep_their_items_grow_and_never_merge_or_vanish():
    rng = np.random.default_rng(5)
    a, b = directions(2)
    X = np.vstack([noisy(a, rng) for _ in range(10)] + [noisy(b, rng) for _ in range(2)])
    times = [i * 7 * DAY for i in range(12)]
    # The user split topic a into two journeys (rows 0-2 and 3-4) and owns a tiny journey of b.
    anchors = [[0, 1, 2], [3, 4], [10]]
    model = TimeOrderedClustering(join_threshold=0.5, merge_threshold=0.5, min_size=4).fit(
        X, timestamps=times, anchors=anchors)
    owned = {anchor: set(model.clusters_[c]) for c, anchor in enumerate(model.anchor_of_) if anchor is not None}
    assert set(owned) == {0, 1, 2}  # all three kept, although two are small and the split halves are alike
    assert {0, 1, 2} <= owned[0] and {3, 4} <= owned[1] and 10 in owned[2]
    assert owned[0] | owned[1] >= set(range(10))  # new items of topic a joined the user's journeys
    assert 11 in owned[2]
    assert all(anchor is not None for anchor in model.anchor_of_)  # no new proposal duplicates them


def test_a_personal_threshold_follows_how_alike_the_users_items_are():
    rng = np.random.default_rng(6)
    topics = directions(3)
    X = np.vstack([noisy(topics[i % 3], rng, 0.3) for i in range(30)])
    model = TimeOrderedClustering(join_z=1.0).fit(X, timestamps=[i * DAY * 7 for i in range(30)])
    similarity = X @ X.T
    pairs = similarity[np.triu_indices(30, k=1)]
    assert model.threshold_ == pytest.approx(pairs.mean() + pairs.std(), abs=1e-5)
    assert TimeOrderedClustering(join_threshold=0.42).fit(X).threshold_ == 0.42


def test_left_over_items_attach_to_a_journey_only_when_similar_enough():
    rng = np.random.default_rng(7)
    a, b, c = directions(3)
    near_a = 0.8 * a + 0.6 * c  # similarity 0.8 to a: a straggler of journey a
    X = np.vstack([noisy(a, rng, 0.05) for _ in range(6)] + [near_a, b])
    times = [i * 7 * DAY for i in range(8)]
    plain = TimeOrderedClustering(join_threshold=0.9, min_size=3, **PASS_ONLY).fit(X, timestamps=times)
    attached = TimeOrderedClustering(join_threshold=0.9, min_size=3, attach_threshold=0.5, **PASS_ONLY).fit(X, timestamps=times)
    assert plain.labels_[6] == TRANSIENT and attached.labels_[6] == attached.labels_[0]
    assert attached.labels_[7] == TRANSIENT  # unrelated: stays a one-off


def test_the_community_step_finds_how_many_journeys_a_user_has():
    rng = np.random.default_rng(3)
    topics = directions(3)
    sequence = [int(t) for t in rng.integers(0, 3, size=90)]
    X = np.vstack([noisy(topics[t], rng, noise=0.6) for t in sequence])
    # A high join threshold over-splits the topics into many small clusters ...
    split = TimeOrderedClustering(join_threshold=0.97, min_size=1, min_span_days=0, **PASS_ONLY).fit(X)
    assert len(split.clusters_) > 10
    # ... which the community step joins back into the three the user has.
    model = TimeOrderedClustering(join_threshold=0.97, min_size=1, min_span_days=0, neighbours=10).fit(X)
    assert len(model.clusters_) == 3
    assert sorted(i for c in model.clusters_ for i in c) == list(range(len(X)))  # every item placed once
    for topic in (0, 1, 2):
        assert len({model.labels_[i] for i, t in enumerate(sequence) if t == topic}) == 1


def test_the_community_step_never_merges_two_owned_journeys():
    rng = np.random.default_rng(4)
    topics = directions(2)
    # One topic, which the user split into two journeys (items 0-4 and 5-9), then two more
    # items of it, and another topic.
    X = np.vstack([noisy(topics[0], rng, noise=0.3) for _ in range(12)] + [noisy(topics[1], rng) for _ in range(12)])
    anchors = [list(range(5)), list(range(5, 10))]
    plain = TimeOrderedClustering(join_threshold=0.97, min_size=1, min_span_days=0, neighbours=8).fit(X)
    assert sorted(map(sorted, plain.clusters_)) == [list(range(12)), list(range(12, 24))]  # one community per topic
    model = TimeOrderedClustering(join_threshold=0.97, min_size=1, min_span_days=0, neighbours=8).fit(X, anchors=anchors)
    owned = {model.anchor_of_[c]: set(g) for c, g in enumerate(model.clusters_) if model.anchor_of_[c] is not None}
    assert set(owned) == {0, 1}
    assert set(anchors[0]) <= owned[0] and set(anchors[1]) <= owned[1] and not owned[0] & owned[1]
    # The two new items of the topic joined one of the owned journeys; the other topic is a journey of its own.
    assert owned[0] | owned[1] == set(range(12))
    other = [set(g) for c, g in enumerate(model.clusters_) if model.anchor_of_[c] is None]
    assert other == [set(range(12, 24))]


def test_long_histories_look_for_neighbours_near_their_region_with_the_same_result():
    rng = np.random.default_rng(5)
    topics = directions(6)
    sequence = [int(t) for t in rng.integers(0, 6, size=600)]
    X = np.vstack([noisy(topics[t], rng, noise=0.5) for t in sequence])
    params = dict(join_threshold=0.9, min_size=2, min_span_days=0, neighbours=10)
    exact = TimeOrderedClustering(**params).fit(X)
    regional = TimeOrderedClustering(**params, exact_neighbours=100, probes=2).fit(X)
    assert len(exact.clusters_) == len(regional.clusters_) == 6
    assert sorted(map(sorted, exact.clusters_)) == sorted(map(sorted, regional.clusters_))


def test_parameters_read_from_text_keep_their_types_and_bad_ones_say_how_to_fix_them():
    from journeys.extraction.clustering import clustering_from_text

    model = clustering_from_text(" neighbours=40, join_threshold=0.6,join_z=none ")
    assert model.get_params()["neighbours"] == 40 and isinstance(model.neighbours, int)
    assert model.join_threshold == 0.6 and model.join_z is None and model.min_size == 3  # the rest: defaults
    assert clustering_from_text(None).get_params() == TimeOrderedClustering().get_params()
    for text, message in (("neighbors=4", "unknown extraction parameter 'neighbors'; use name=value with any of"),
                          ("min_size", "'min_size' has no value; write it as min_size=<number>"),
                          ("min_size=big", "min_size='big' is not a number")):
        with pytest.raises(ValueError, match=message):
            clustering_from_text(text, source="--extraction")
