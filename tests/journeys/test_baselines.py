"""Baseline extractors: the scikit-learn estimator interface, and what each finds on well-separated groups."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from journeys.evaluation.baselines import (
    BASELINES,
    AgglomerativeThreshold,
    EveryItemAlone,
    HDBSCANJourneys,
    KMeansSilhouette,
    WholeHistory,
)

GROUP_SIZE = 8


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def three_interests(seed: int = 0) -> tuple[np.ndarray, list[set[int]]]:
    """Three tight groups of unit vectors around orthogonal directions, interleaved in time like a real history."""
    rng = np.random.default_rng(seed)
    directions = np.eye(16)[:3]
    topic = np.repeat(np.arange(3), GROUP_SIZE)
    rng.shuffle(topic)
    X = unit_rows(directions[topic] + 0.05 * rng.normal(size=(len(topic), 16)))
    groups = [set(np.flatnonzero(topic == t).tolist()) for t in range(3)]
    return X, groups


def with_one_off_item(X: np.ndarray) -> np.ndarray:
    """The history plus one item on an unrelated topic at the end."""
    return np.vstack([X, np.eye(16)[10]])


def as_partition(clusters: list[list[int]]) -> set[frozenset[int]]:
    return {frozenset(cluster) for cluster in clusters}


def assert_consistent(model, n: int) -> None:
    """labels_ agrees with clusters_, and clusters_ is ordered by size then first item."""
    assert isinstance(model.labels_, np.ndarray) and model.labels_.shape == (n,)
    for label, cluster in enumerate(model.clusters_):
        assert all(isinstance(item, int) for item in cluster)
        assert (model.labels_[cluster] == label).all()
    clustered = {item for cluster in model.clusters_ for item in cluster}
    assert set(np.flatnonzero(model.labels_ == -1).tolist()) == set(range(n)) - clustered
    order = [(-len(cluster), min(cluster)) for cluster in model.clusters_]
    assert order == sorted(order)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_follows_the_estimator_interface(name):
    X, _ = three_interests()
    model = BASELINES[name]()
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert not hasattr(model, "clusters_") and not hasattr(model, "labels_")
    assert model.fit(X, timestamps=np.arange(len(X)) * 86400.0) is model
    assert_consistent(model, len(X))
    assert BASELINES[name]() is not model


def test_get_params_returns_the_constructor_arguments_as_given():
    kmeans = KMeansSilhouette(k_min=3, k_max=5, random_state=7)
    assert kmeans.get_params() == {"k_min": 3, "k_max": 5, "random_state": 7}
    assert AgglomerativeThreshold(0.4, "complete").get_params() == {"distance_threshold": 0.4, "linkage": "complete"}
    assert HDBSCANJourneys(min_cluster_size=5, min_samples=2).get_params() == {"min_cluster_size": 5, "min_samples": 2}
    assert WholeHistory().get_params() == {} and EveryItemAlone().get_params() == {}


def test_whole_history_is_one_journey_and_every_item_alone_is_n():
    X, _ = three_interests()
    whole = WholeHistory().fit(X)
    assert whole.clusters_ == [list(range(len(X)))] and (whole.labels_ == 0).all()
    alone = EveryItemAlone().fit(X)
    assert alone.clusters_ == [[i] for i in range(len(X))]
    assert alone.labels_.tolist() == list(range(len(X)))


def test_kmeans_silhouette_picks_three_for_three_separated_interests():
    X, groups = three_interests()
    model = KMeansSilhouette().fit(X)
    assert as_partition(model.clusters_) == {frozenset(g) for g in groups}
    assert_consistent(model, len(X))


def test_kmeans_silhouette_with_fewer_than_three_items_is_one_cluster():
    X, _ = three_interests()
    model = KMeansSilhouette().fit(X[:2])
    assert model.clusters_ == [[0, 1]] and model.labels_.tolist() == [0, 0]


def test_kmeans_silhouette_is_repeatable_with_a_fixed_seed():
    X, _ = three_interests(seed=3)
    assert KMeansSilhouette(random_state=1).fit(X).clusters_ == KMeansSilhouette(random_state=1).fit(X).clusters_


def test_agglomerative_threshold_separates_three_interests():
    X, groups = three_interests()
    model = AgglomerativeThreshold(distance_threshold=0.5).fit(X)
    assert as_partition(model.clusters_) == {frozenset(g) for g in groups}


def test_agglomerative_threshold_above_every_distance_gives_one_cluster():
    X, _ = three_interests()
    model = AgglomerativeThreshold(distance_threshold=1.5).fit(X)
    assert model.clusters_ == [list(range(len(X)))]


def test_agglomerative_with_one_item_is_one_cluster():
    model = AgglomerativeThreshold().fit(np.eye(4)[:1])
    assert model.clusters_ == [[0]] and model.labels_.tolist() == [0]


def test_hdbscan_finds_three_interests_and_leaves_a_one_off_item_as_noise():
    X, groups = three_interests()
    X = with_one_off_item(X)
    one_off = len(X) - 1
    model = HDBSCANJourneys().fit(X)
    assert as_partition(model.clusters_) == {frozenset(g) for g in groups}
    assert model.labels_[one_off] == -1
    assert_consistent(model, len(X))


def test_hdbscan_with_fewer_items_than_a_cluster_is_all_noise():
    model = HDBSCANJourneys(min_cluster_size=3).fit(np.eye(4)[:2])
    assert model.clusters_ == [] and model.labels_.tolist() == [-1, -1]


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_an_empty_history_has_no_journeys(name):
    model = BASELINES[name]().fit(np.empty((0, 16)))
    assert model.clusters_ == [] and model.labels_.shape == (0,)
