"""Baseline journey extractors with the same interface as TimeOrderedClustering.

Each baseline is a scikit-learn clusterer: `fit(X, y=None, timestamps=None)` returns self and
sets `clusters_` (lists of row indices, largest first, ties by first row) and `labels_` (each
row's cluster index into `clusters_`, or -1 for a row in no cluster). None of them uses time,
which is what they are there to show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score

NOISE = -1


def _item_matrix(X: np.ndarray) -> np.ndarray:
    matrix = np.asarray(X, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"X must be a 2-D matrix with one item per row, got shape {matrix.shape}")
    return matrix


def _clusters_from_labels(labels: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """Group rows by label (negative labels in no group), order groups by size then first row, relabel."""
    labels = np.asarray(labels, dtype=int)
    # HDBSCAN marks noise -1 and rows with infinite or missing values -2 and -3: none is a cluster.
    groups = [[int(i) for i in np.flatnonzero(labels == label)] for label in np.unique(labels) if label >= 0]
    groups.sort(key=_size_then_first_row)
    ordered_labels = np.full(len(labels), NOISE, dtype=int)
    for label, group in enumerate(groups):
        ordered_labels[group] = label
    return groups, ordered_labels


def _size_then_first_row(group: Sequence[int]) -> tuple[int, int]:
    return -len(group), min(group)


class _LabelBaseline(ClusterMixin, BaseEstimator):
    """A baseline that assigns each row at most one label; subclasses say how in `_labels`."""

    def fit(self, X: np.ndarray, y: None = None, timestamps: Sequence[float] | None = None) -> "_LabelBaseline":
        """Cluster the rows of X (one item each); y and timestamps are ignored."""
        matrix = _item_matrix(X)
        labels = self._labels(matrix) if len(matrix) else np.empty(0, dtype=int)
        self.clusters_, self.labels_ = _clusters_from_labels(labels)
        return self

    def _labels(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class WholeHistory(_LabelBaseline):
    """Put every item of the history into one single journey.

    Parameters:
        none.
    """

    def _labels(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(len(X), dtype=int)


class EveryItemAlone(_LabelBaseline):
    """Make every item a journey of its own.

    Parameters:
        none.
    """

    def _labels(self, X: np.ndarray) -> np.ndarray:
        return np.arange(len(X), dtype=int)


class KMeansSilhouette(_LabelBaseline):
    """K-means with the number of journeys chosen by the best cosine silhouette score.

    Parameters:
        k_min: smallest number of clusters tried.
        k_max: largest number of clusters tried (capped at one less than the number of items).
        random_state: seed for the k-means initialisations, for repeatable results.
    """

    def __init__(self, k_min: int = 2, k_max: int = 10, random_state: int | None = 0):
        self.k_min = k_min
        self.k_max = k_max
        self.random_state = random_state

    def _labels(self, X: np.ndarray) -> np.ndarray:
        best_labels, best_score = np.zeros(len(X), dtype=int), -np.inf
        # The silhouette is defined only for 2..n-1 clusters, so fewer than 3 items stay one cluster.
        for k in range(max(self.k_min, 2), min(self.k_max, len(X) - 1) + 1):
            labels = KMeans(n_clusters=k, n_init=3, random_state=self.random_state).fit_predict(X)
            # Duplicate items can leave fewer distinct clusters than k; the silhouette needs 2..n-1.
            if not 2 <= len(np.unique(labels)) <= len(X) - 1:
                continue
            score = silhouette_score(X, labels, metric="cosine")
            if score > best_score:
                best_labels, best_score = labels, score
        return best_labels


class AgglomerativeThreshold(_LabelBaseline):
    """Agglomerative clustering on cosine distance, cut where merges get farther apart than a threshold.

    Parameters:
        distance_threshold: cosine distance above which clusters are not merged; lower gives
            more, tighter journeys.
        linkage: "average", "complete" or "single" (how the distance between clusters is measured).
    """

    def __init__(self, distance_threshold: float = 0.6, linkage: str = "average"):
        self.distance_threshold = distance_threshold
        self.linkage = linkage

    def _labels(self, X: np.ndarray) -> np.ndarray:
        # scikit-learn refuses to cluster a single sample.
        if len(X) == 1:
            return np.zeros(1, dtype=int)
        clustering = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage=self.linkage, distance_threshold=self.distance_threshold,
        )
        return clustering.fit_predict(X)


class HDBSCANJourneys(_LabelBaseline):
    """HDBSCAN on cosine distance; items in no dense region are noise and belong to no journey.

    Parameters:
        min_cluster_size: fewest items a journey can have.
        min_samples: neighbours an item needs to be a core item; None means min_cluster_size.
    """

    def __init__(self, min_cluster_size: int = 3, min_samples: int | None = None):
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples

    def _labels(self, X: np.ndarray) -> np.ndarray:
        neighbours_needed = self.min_cluster_size if self.min_samples is None else self.min_samples
        # With fewer items than a cluster or a core neighbourhood needs, no item can be in a cluster.
        if len(X) < max(self.min_cluster_size, neighbours_needed):
            return np.full(len(X), NOISE, dtype=int)
        clustering = HDBSCAN(
            min_cluster_size=self.min_cluster_size, min_samples=self.min_samples, metric="cosine", copy=True,
        )
        return clustering.fit_predict(X)


BASELINES: dict[str, Callable[[], BaseEstimator]] = {
    "whole-history": WholeHistory,
    "every-item-alone": EveryItemAlone,
    "kmeans-silhouette": KMeansSilhouette,
    "agglomerative": AgglomerativeThreshold,
    "hdbscan": HDBSCANJourneys,
}
