"""Metrics that compare a clustering of a user's items with the true journeys, and a ranking with what came next.

Clusters are collections of item indices and may overlap (an item can belong to several
journeys), so the main metric is the extended B-cubed of Amigó, Gonzalo, Artiles & Verdejo
(2009), which is defined for overlapping clusterings. ARI and NMI need a flat labelling and
are there for comparison with the literature. Rankings of recommended items are scored
against the items the user went on to have (recall and NDCG at a cut-off, binary relevance).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy import sparse
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

# Rows of the item-by-item overlap matrices computed at once: bounds memory for long histories.
_ROWS_PER_BLOCK = 512


def _membership(clusters: Sequence[Collection[int]], items: Sequence[int]) -> sparse.csr_matrix:
    """Item-by-cluster 0/1 matrix over `items`; an item in no cluster gets a singleton cluster of its own."""
    position = {item: row for row, item in enumerate(items)}
    rows, columns = [], []
    for column, cluster in enumerate(clusters):
        for item in set(cluster):
            if item in position:
                rows.append(position[item])
                columns.append(column)
    unclustered = sorted(set(range(len(items))) - set(rows))
    rows.extend(unclustered)
    columns.extend(range(len(clusters), len(clusters) + len(unclustered)))
    shape = (len(items), len(clusters) + len(unclustered))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)), shape=shape)


def _mean_multiplicity_score(own: sparse.csr_matrix, other: sparse.csr_matrix) -> float:
    """Mean over items e of the mean over e' sharing an `own` cluster of min(shared own, shared other) / shared own."""
    scores = []
    for start in range(0, own.shape[0], _ROWS_PER_BLOCK):
        shared_own = (own[start:start + _ROWS_PER_BLOCK] @ own.T).toarray().astype(np.float64)
        shared_other = (other[start:start + _ROWS_PER_BLOCK] @ other.T).toarray().astype(np.float64)
        related = shared_own > 0
        shared_both = np.minimum(shared_own, shared_other)
        ratios = np.divide(shared_both, shared_own, out=np.zeros_like(shared_own), where=related)
        scores.append(ratios.sum(axis=1) / related.sum(axis=1))
    return float(np.concatenate(scores).mean())


def bcubed(
    predicted: Sequence[Collection[int]],
    truth: Sequence[Collection[int]],
    items: Collection[int] | None = None,
) -> tuple[float, float, float]:
    """Extended (multiplicity) B-cubed precision, recall and F1 of possibly overlapping clusterings over `items`.

    `items` defaults to every item in `truth`. An item of `items` in no predicted cluster is
    scored as a predicted singleton, so leaving items out is not free; likewise an item in no
    truth group is a true singleton. Predicted items outside `items` are ignored. With no
    items there is nothing to score and all three are 0.0.
    """
    evaluated = sorted(set(items) if items is not None else {item for group in truth for item in group})
    if not evaluated:
        return 0.0, 0.0, 0.0
    predicted_membership = _membership(predicted, evaluated)
    truth_membership = _membership(truth, evaluated)
    precision = _mean_multiplicity_score(predicted_membership, truth_membership)
    recall = _mean_multiplicity_score(truth_membership, predicted_membership)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _f1(first: set[int], second: set[int]) -> float:
    size = len(first) + len(second)
    return 2 * len(first & second) / size if size else 0.0


def _mean_best_f1(groups: list[set[int]], candidates: list[set[int]]) -> float:
    return float(np.mean([max(_f1(group, candidate) for candidate in candidates) for group in groups]))


def best_match_f1(predicted: Sequence[Collection[int]], truth: Sequence[Collection[int]]) -> float:
    """Mean of the average best F1 of each truth group over predicted clusters and the converse; 0.0 if one is empty."""
    predicted_sets = [set(cluster) for cluster in predicted]
    truth_sets = [set(group) for group in truth]
    if not predicted_sets or not truth_sets:
        return 0.0
    return (_mean_best_f1(truth_sets, predicted_sets) + _mean_best_f1(predicted_sets, truth_sets)) / 2


def flat_labels(clusters: Sequence[Collection[int]], n: int) -> np.ndarray:
    """One label per item 0..n-1: the index of the first cluster holding it, else a fresh label of its own."""
    labels = np.full(n, -1, dtype=int)
    for label, cluster in enumerate(clusters):
        for item in cluster:
            if not 0 <= item < n:
                raise ValueError(f"cluster {label} holds item {item}, outside 0..{n - 1}")
            if labels[item] == -1:
                labels[item] = label
    unclustered = np.flatnonzero(labels == -1)
    # Distinct labels make ARI and NMI treat unclustered items as singletons, not as one big cluster.
    labels[unclustered] = np.arange(len(clusters), len(clusters) + len(unclustered))
    return labels


def _truth_flat_labels(truth_labels: Sequence[int] | np.ndarray) -> np.ndarray:
    """The true labels with each negative label (an item in no journey) made a singleton, as flat_labels does."""
    labels = np.asarray(truth_labels, dtype=int).copy()
    unlabelled = np.flatnonzero(labels < 0)
    first_free = max(int(labels.max()) + 1, 0) if len(labels) else 0
    labels[unlabelled] = np.arange(first_free, first_free + len(unlabelled))
    return labels


def ari(predicted_clusters: Sequence[Collection[int]], truth_labels: Sequence[int] | np.ndarray) -> float:
    """Adjusted Rand index of the flattened predicted clusters and the true labels, negative labels as singletons."""
    truth = _truth_flat_labels(truth_labels)
    return float(adjusted_rand_score(truth, flat_labels(predicted_clusters, len(truth))))


def nmi(predicted_clusters: Sequence[Collection[int]], truth_labels: Sequence[int] | np.ndarray) -> float:
    """NMI of the flattened predicted clusters and the true labels, negative labels as singletons."""
    truth = _truth_flat_labels(truth_labels)
    return float(normalized_mutual_info_score(truth, flat_labels(predicted_clusters, len(truth))))


def recall_at_k(ranked: Sequence[str], targets: Collection[str], k: int) -> float:
    """Share of the targets among the first k ranked items (hits / number of targets, as in ComiRec); 0.0 without targets."""
    wanted = set(targets)
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def ndcg_at_k(ranked: Sequence[str], targets: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain of the first k ranked items, each target worth 1; 0.0 without targets."""
    wanted = set(targets)
    if not wanted:
        return 0.0
    gains = [1.0 / np.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in wanted]
    ideal = sum(1.0 / np.log2(rank + 2) for rank in range(min(k, len(wanted))))
    return float(sum(gains) / ideal)
