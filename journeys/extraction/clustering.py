"""Personalised journey clustering: one user's items, in time order, after the paper's ICPC.

An item joins the most similar journey when the similarity passes a threshold (and every
other journey nearly as similar, when overlaps are allowed), otherwise it starts a new
one; journeys whose centres converge merge; a refinement pass undoes the order effects of
the single pass; optionally, journeys that form one community of the user's item graph
(each item linked to its nearest items) merge too, which decides how many journeys the user
has; clusters that stay small, short-lived or a single burst are transient interests, kept
apart from journeys. Journeys the user already owns (confirmed, named, merged, split,
paused, rejected) are passed as anchors: they keep their items, may gain new ones, never
merge with each other and are never transient.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils._param_validation import Interval, InvalidParameterError, validate_parameter_constraints

TRANSIENT = -1
DAY = 86400.0
# An item this much more alike to its nearest items than two of the user's items usually are is
# never isolated (cosine).
ISOLATION_MARGIN = 0.3


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


class TimeOrderedClustering(ClusterMixin, BaseEstimator):
    """Threshold clustering of items in time order; small, short-lived or bursty clusters are transient.

    Parameters (and their effect):
        join_threshold: cosine similarity to a journey's centre that an item needs to join it;
            higher gives more, tighter journeys, lower fewer and broader ones.
        overlap_margin: an item also joins every other journey whose similarity is within this
            margin of the best one (and above join_threshold); 0 gives one journey per item.
        merge_threshold: journeys whose centres are at least this similar are merged.
        min_size: clusters with fewer items are transient.
        min_span_days: clusters whose items all fall within this many days are a burst, hence
            transient, however large (0 turns the rule off).
        refine_iterations: passes that move each item to the most similar large cluster;
            0 keeps the pure sequential assignment.
        batch_size: items compared with the centres in one matrix product; an item still sees
            the journeys started earlier in its batch, only centre updates wait for the batch end.
        candidate_window: a single item that nothing joined within this many later items stops
            being a candidate for the sequential pass (the refinement still considers it); this
            keeps the pass linear in the history's length.
        join_z: when set, the join threshold is personal: the mean similarity between this
            user's items plus join_z standard deviations (join_threshold is then ignored), so a
            user whose items all read alike needs closer matches than one with varied interests.
        attach_threshold: when set, items left out of every journey join the most similar one
            if at least this similar (a lower bar than joining during the pass); items below it
            stay transient.
        neighbours: when set, journeys converge by community: each item is linked to its
            `neighbours` most similar items (weighted by cosine similarity), and the clusters
            of the time-ordered pass are merged wherever merging raises the modularity of this
            graph of the user's items (Louvain). This finds how many journeys the user has
            without a fixed number; None keeps only the centre-similarity merge.
        resolution: the community step's modularity resolution; lower gives fewer, broader
            journeys, higher more and narrower ones.
        probes: for long histories (over exact_neighbours items) an item's neighbours are looked
            for among the items of its own region and the `probes` nearest regions (regions:
            the largest clusters of the pass), which keeps the graph near-linear in time.
        exact_neighbours: histories up to this many items get exact neighbours.
        isolation_z: when set, an item whose mean similarity to its `support` most similar items is
            below the user's mean item-to-item similarity plus isolation_z standard deviations is a
            one-off: it joins no journey (the user's own journeys keep theirs). Personal, so a user
            whose items all read alike (films described by genres) needs closer neighbours than one
            with varied interests.
        support: how many nearest items decide whether an item is isolated.
        engagement_weight: how much an item's engagement (relative to the user's usual, in standard
            deviations) counts in the isolation test: an item the person barely engaged with needs
            closer neighbours to count as part of an interest, a liked or saved one fewer.
        burst_share: a cluster within min_span_days is a burst only when that stretch of time holds
            at most this share of the user's activity; a history that is itself one burst (a
            person rating 200 films in a week) keeps its clusters.
    """

    # The values each parameter may take (scikit-learn's declaration; checked where settings are read, see
    # clustering_from_text). Similarities are cosines, in [-1, 1].
    _parameter_constraints: dict = {
        "join_threshold": [Interval(Real, -1, 1, closed="both")],
        "overlap_margin": [Interval(Real, 0, 2, closed="both")],
        "merge_threshold": [Interval(Real, -1, 1, closed="both")],
        "min_size": [Interval(Integral, 1, None, closed="left")],
        "min_span_days": [Interval(Real, 0, None, closed="left")],
        "refine_iterations": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "candidate_window": [Interval(Integral, 1, None, closed="left")],
        "join_z": [Interval(Real, None, None, closed="neither"), None],
        "attach_threshold": [Interval(Real, -1, 1, closed="both"), None],
        "neighbours": [Interval(Integral, 1, None, closed="left"), None],
        "resolution": [Interval(Real, 0, None, closed="neither")],
        "probes": [Interval(Integral, 0, None, closed="left")],
        "exact_neighbours": [Interval(Integral, 0, None, closed="left")],
        "isolation_z": [Interval(Real, None, None, closed="neither"), None],
        "support": [Interval(Integral, 1, None, closed="left")],
        "engagement_weight": [Interval(Real, 0, None, closed="left")],
        "burst_share": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        join_threshold: float = 0.6,
        overlap_margin: float = 0.0,
        merge_threshold: float = 0.75,
        min_size: int = 3,
        min_span_days: float = 7.0,
        refine_iterations: int = 3,
        batch_size: int = 64,
        candidate_window: int = 512,
        join_z: float | None = None,
        attach_threshold: float | None = None,
        neighbours: int | None = 40,
        resolution: float = 1.0,
        probes: int = 4,
        exact_neighbours: int = 2048,
        isolation_z: float | None = 1.4,
        support: int = 3,
        engagement_weight: float = 0.5,
        burst_share: float = 0.5,
    ):
        self.join_threshold = join_threshold
        self.overlap_margin = overlap_margin
        self.merge_threshold = merge_threshold
        self.min_size = min_size
        self.min_span_days = min_span_days
        self.refine_iterations = refine_iterations
        self.batch_size = batch_size
        self.candidate_window = candidate_window
        self.join_z = join_z
        self.attach_threshold = attach_threshold
        self.neighbours = neighbours
        self.resolution = resolution
        self.probes = probes
        self.exact_neighbours = exact_neighbours
        self.isolation_z = isolation_z
        self.support = support
        self.engagement_weight = engagement_weight
        self.burst_share = burst_share

    def fit(
        self,
        X: np.ndarray,
        y: None = None,
        timestamps: Sequence[float] | None = None,
        anchors: Sequence[Sequence[int]] | None = None,
        engagement: Sequence[float | None] | None = None,
    ) -> "TimeOrderedClustering":
        """Cluster the rows of X (one item each, in time order; timestamps in Unix seconds).

        anchors: row indices of journeys the user owns, one list per journey; the result keeps
        them (possibly grown) and says which cluster is which in anchor_of_.
        engagement: each item's engagement in [0, 1] (None where unknown), used by the isolation test.
        """
        X = unit_rows(np.asarray(X, dtype=np.float32))
        n = len(X)
        times = np.asarray(timestamps if timestamps is not None else np.zeros(n), dtype=np.float64)
        anchors = [sorted(set(a)) for a in (anchors or [])]
        self.threshold_ = self._personal_threshold(X)
        groups, anchored = self._sequential(X, anchors)
        groups, anchored = self._merge_converged(groups, anchored, X)
        groups = self._refine(groups, anchored, X)
        if self.neighbours is not None and n >= 3:
            groups, anchored = self._merge_communities(groups, anchored, X)
        self.isolated_ = self._isolated(X, {i for a in anchors for i in a}, engagement)
        if self.isolated_.any():
            groups = [g if owner is not None else [i for i in g if not self.isolated_[i]]
                      for g, owner in zip(groups, anchored)]
        persistent, transient, anchor_of = [], [], []
        for group, anchor in zip(groups, anchored):
            if anchor is None and self._is_transient(group, times):
                transient.append(group)
            elif group or anchor is not None:
                persistent.append(group)
                anchor_of.append(anchor)
        if self.attach_threshold is not None:
            transient = self._attach(persistent, transient, X)
        order = sorted(range(len(persistent)), key=lambda c: (-len(persistent[c]), persistent[c][:1]))
        self.clusters_ = [persistent[c] for c in order]
        self.anchor_of_ = [anchor_of[c] for c in order]
        self.transient_ = transient
        self.labels_ = np.full(n, TRANSIENT, dtype=int)
        for label in reversed(range(len(self.clusters_))):  # an overlapping item's label is its largest cluster
            self.labels_[self.clusters_[label]] = label
        self.centres_ = np.vstack([unit_rows(X[g].sum(axis=0)) if g else np.zeros(X.shape[1], np.float32)
                                   for g in self.clusters_]) if self.clusters_ else np.zeros((0, X.shape[1]))
        self.cohesion_ = np.array([float(np.mean(X[g] @ c)) if g else 0.0 for g, c in zip(self.clusters_, self.centres_)])
        return self

    def _merge_communities(
        self, groups: list[list[int]], owner: list[int | None], X: np.ndarray
    ) -> tuple[list[list[int]], list[int | None]]:
        """Merge the clusters that form one community of the item graph; owned journeys never merge with each other."""
        import networkx as nx  # only this step needs it; importing it costs start-up time

        nodes = [c for c, g in enumerate(groups) if g or owner[c] is not None]
        n = len(X)
        primary = np.full(n, -1, dtype=int)  # each item's first cluster (overlapping items count once)
        for position, c in enumerate(nodes):
            rows = np.asarray(groups[c], dtype=int)
            rows = rows[primary[rows] < 0]
            primary[rows] = position
        alone = np.flatnonzero(primary < 0)
        primary[alone] = len(nodes) + np.arange(len(alone))
        m = len(nodes) + len(alone)
        if m < 2:
            return groups, owner
        graph = self._neighbour_graph(X, primary, m)
        membership = sparse.csr_matrix((np.ones(n), (np.arange(n), primary)), shape=(n, m))
        between = (membership.T @ graph @ membership).tocoo()
        cluster_graph = nx.Graph()
        cluster_graph.add_nodes_from(range(m))
        # Off the diagonal: the links between two clusters; on it: twice the links inside one
        # (a self-loop counts twice in a node's degree), so modularity matches the item graph's.
        cluster_graph.add_weighted_edges_from(
            (int(a), int(b), float(w if a != b else w / 2)) for a, b, w in zip(between.row, between.col, between.data) if a <= b
        )
        communities = nx.community.louvain_communities(cluster_graph, weight="weight", resolution=self.resolution, seed=0)
        link = between.tocsr()
        merged_groups: list[list[int]] = []
        merged_owner: list[int | None] = []
        for community in communities:
            members = sorted(community)
            owned = [p for p in members if p < len(nodes) and owner[nodes[p]] is not None]
            if len(owned) <= 1:
                targets = {p: 0 for p in members}
                parts = [owned[0] if owned else members[0]]
            else:  # several owned journeys: each keeps its own, the rest joins the one it is most linked to
                parts = owned
                targets = {p: int(np.argmax([link[p, o] for o in owned])) if p not in owned else owned.index(p)
                           for p in members}
            items: list[set[int]] = [set() for _ in parts]
            for p in members:
                rows = groups[nodes[p]] if p < len(nodes) else [int(alone[p - len(nodes)])]
                items[targets[p]].update(rows)
            for part, rows in zip(parts, items):
                merged_groups.append(sorted(rows))
                merged_owner.append(owner[nodes[part]] if part < len(nodes) else None)
        return merged_groups, merged_owner

    def _neighbour_graph(self, X: np.ndarray, primary: np.ndarray, m: int) -> sparse.csr_matrix:
        """Each item linked to its most similar items (symmetric, weights = positive cosine similarity)."""
        n = len(X)
        k = min(self.neighbours, n - 1)
        if n <= self.exact_neighbours:
            cells = [np.arange(n)]
            candidates = [np.arange(n)]
        else:
            # Regions: the largest clusters' centres; an item looks for neighbours near its region.
            sizes = np.bincount(primary, minlength=m)
            regions = np.argsort(-sizes, kind="stable")[:max(2, int(np.sqrt(n)))]
            sums = np.zeros((len(regions), X.shape[1]), dtype=np.float32)
            for r, c in enumerate(regions):
                sums[r] = X[primary == c].sum(axis=0)
            centres = unit_rows(sums)
            region_of = np.argmax(X @ centres.T, axis=1)
            cells = [np.flatnonzero(region_of == r) for r in range(len(regions))]
            near = np.argsort(-(centres @ centres.T), axis=1, kind="stable")[:, :self.probes + 1]
            candidates = [np.concatenate([cells[r]] + [cells[q] for q in near[r] if q != r]) for r in range(len(regions))]
        rows, columns, weights = [], [], []
        for cell, pool in zip(cells, candidates):
            if not len(cell):
                continue
            # A cell's own items come first in its pool, so item j of the cell sits at position j.
            reach = min(k, len(pool) - 1)
            if reach < 1:
                continue
            for start in range(0, len(cell), 1024):
                block = cell[start:start + 1024]
                similarity = X[block] @ X[pool].T
                similarity[np.arange(len(block)), start + np.arange(len(block))] = -np.inf
                nearest = np.argpartition(-similarity, reach - 1, axis=1)[:, :reach]
                rows.append(np.repeat(block, reach))
                columns.append(pool[nearest.ravel()])
                weights.append(np.maximum(np.take_along_axis(similarity, nearest, axis=1).ravel(), 0.0))
        if not rows:
            return sparse.csr_matrix((n, n))
        graph = sparse.csr_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(columns))), shape=(n, n))
        return graph.maximum(graph.T)

    def _personal_threshold(self, X: np.ndarray, sample: int = 400) -> float:
        if self.join_z is None or len(X) < 3:
            return self.join_threshold
        pairs = _pair_similarities(X, sample)
        return float(pairs.mean() + self.join_z * pairs.std())

    def _attach(self, persistent: list[list[int]], transient: list[list[int]], X: np.ndarray) -> list[list[int]]:
        left = sorted({i for g in transient for i in g} - {i for g in persistent for i in g})
        if not persistent or not left:
            return transient
        centres = unit_rows(np.vstack([X[g].sum(axis=0) if g else np.zeros(X.shape[1]) for g in persistent]))
        similarity = X[left] @ centres.T
        best = np.argmax(similarity, axis=1)
        staying = []
        for row, i in enumerate(left):
            if similarity[row, best[row]] >= self.attach_threshold:
                persistent[best[row]] = sorted(persistent[best[row]] + [i])
            else:
                staying.append(i)
        return [g for g in transient if any(i in staying for i in g)]

    def _isolated(self, X: np.ndarray, anchored: set[int], engagement: Sequence[float | None] | None) -> np.ndarray:
        """Items too far from their nearest items to be part of any journey (never the user's own journeys' items)."""
        n = len(X)
        isolated = np.zeros(n, dtype=bool)
        if self.isolation_z is None or n <= self.support + 1:
            return isolated
        pairs = _pair_similarities(X)
        support = np.empty(n)
        for start in range(0, n, 1024):
            similarity = X[start:start + 1024] @ X.T
            similarity[np.arange(len(similarity)), start + np.arange(len(similarity))] = -np.inf
            support[start:start + 1024] = -np.partition(-similarity, self.support - 1, axis=1)[:, :self.support].mean(axis=1)
        # The bar: isolation_z deviations above the user's usual likeness of two items, but never more
        # than ISOLATION_MARGIN above it (two clean, distinct interests spread likeness very widely).
        floor = pairs.mean() + min(self.isolation_z * pairs.std(), ISOLATION_MARGIN)
        z = (support - floor) / max(float(pairs.std()), 1e-6)
        isolated = z + self.engagement_weight * _standardised(engagement, n) < 0
        isolated[list(anchored)] = False
        return isolated

    def _is_transient(self, group: list[int], times: np.ndarray) -> bool:
        if len(group) < self.min_size:
            return True
        first, last = times[group].min(), times[group].max()
        if self.min_span_days <= 0 or (last - first) / DAY >= self.min_span_days:
            return False
        # A burst stands out from the user's rhythm: the rest of their activity lies elsewhere in time.
        within = np.count_nonzero((times >= first) & (times <= last))
        return within <= self.burst_share * len(times)

    def _sequential(self, X: np.ndarray, anchors: list[list[int]]) -> tuple[list[list[int]], list[int | None]]:
        n, d = X.shape
        anchored_rows = {i for a in anchors for i in a}
        capacity = max(16, len(anchors) * 2)
        sums = np.zeros((capacity, d), dtype=np.float32)
        groups: list[list[int]] = [list(a) for a in anchors]
        owner: list[int | None] = list(range(len(anchors)))
        for c, rows in enumerate(anchors):
            if rows:
                sums[c] = X[rows].sum(axis=0)
        free = [i for i in range(n) if i not in anchored_rows]
        born: list[int] = [-1] * len(groups)  # position in `free` where each cluster started (-1: anchor)
        for start in range(0, len(free), self.batch_size):
            batch = free[start:start + self.batch_size]
            k = len(groups)
            # Candidates: every cluster but single items that nothing joined for a while.
            active = np.array([c for c in range(k) if len(groups[c]) > 1 or born[c] < 0
                               or start - born[c] < self.candidate_window], dtype=int)
            frozen = X[batch] @ unit_rows(sums[active]).T if len(active) else np.zeros((len(batch), 0), np.float32)
            for r, i in enumerate(batch):
                similarity, ids = frozen[r], active
                if len(groups) > k:  # journeys started earlier in this batch
                    fresh = unit_rows(sums[k:len(groups)]) @ X[i]
                    similarity = np.concatenate([similarity, fresh])
                    ids = np.concatenate([active, np.arange(k, len(groups))])
                chosen = [int(ids[c]) for c in self._choose(similarity)]
                if not chosen:
                    if len(groups) == len(sums):
                        sums = np.vstack([sums, np.zeros_like(sums)])
                    groups.append([])
                    owner.append(None)
                    born.append(start + r)
                    chosen = [len(groups) - 1]
                for c in chosen:
                    groups[c].append(i)
                    sums[c] += X[i]
        return [sorted(g) for g in groups], owner

    def _choose(self, similarity: np.ndarray) -> list[int]:
        if not len(similarity):
            return []
        best = int(np.argmax(similarity))
        if similarity[best] < self.threshold_:
            return []
        if self.overlap_margin <= 0:
            return [best]
        floor = max(self.threshold_, similarity[best] - self.overlap_margin)
        return [best] + [int(c) for c in np.flatnonzero(similarity >= floor) if c != best]

    def _merge_converged(
        self, groups: list[list[int]], owner: list[int | None], X: np.ndarray
    ) -> tuple[list[list[int]], list[int | None]]:
        # Singletons are left to the refinement; merging considers clusters of two or more.
        candidates = [c for c, g in enumerate(groups) if len(g) >= 2 or owner[c] is not None]
        if len(candidates) < 2:
            return groups, owner
        centres = unit_rows(np.vstack([X[groups[c]].sum(axis=0) if groups[c] else np.zeros(X.shape[1]) for c in candidates]))
        similarity = centres @ centres.T
        np.fill_diagonal(similarity, -1.0)
        alive = np.ones(len(candidates), dtype=bool)
        while True:
            masked = np.where(np.outer(alive, alive), similarity, -1.0)
            a, b = np.unravel_index(int(np.argmax(masked)), masked.shape)
            if masked[a, b] < self.merge_threshold:
                break
            ca, cb = candidates[a], candidates[b]
            if owner[ca] is not None and owner[cb] is not None:
                similarity[a, b] = similarity[b, a] = -1.0  # two owned journeys stay apart
                continue
            if owner[cb] is not None:  # keep the owned one
                a, b, ca, cb = b, a, cb, ca
            groups[ca] = sorted(set(groups[ca]) | set(groups[cb]))
            groups[cb] = []
            alive[b] = False
            centre = unit_rows(X[groups[ca]].sum(axis=0))
            similarity[a] = similarity[:, a] = centres @ centre
            centres[a] = centre
            similarity[a, a] = -1.0
        keep = [c for c in range(len(groups)) if groups[c] or owner[c] is not None]
        return [groups[c] for c in keep], [owner[c] for c in keep]

    def _refine(self, groups: list[list[int]], owner: list[int | None], X: np.ndarray) -> list[list[int]]:
        anchored = {i for c, g in enumerate(groups) if owner[c] is not None for i in g}
        for _ in range(self.refine_iterations):
            large = [c for c, g in enumerate(groups) if len(g) >= self.min_size or (owner[c] is not None and g)]
            if not large:
                break
            centres = unit_rows(np.vstack([X[groups[c]].sum(axis=0) for c in large]))
            similarity = X @ centres.T
            regrouped: list[set[int]] = [set() for _ in groups]
            small_home: dict[int, list[int]] = {}
            large_set = set(large)
            for c, g in enumerate(groups):
                if owner[c] is not None:
                    regrouped[c].update(g)  # the user's assignments are never taken away
                elif c not in large_set:
                    for i in g:
                        small_home.setdefault(i, []).append(c)
            for i in range(len(X)):
                if i in anchored:
                    continue
                chosen = self._choose(similarity[i])
                if chosen:
                    for position in chosen:
                        regrouped[large[position]].add(i)
                else:
                    # Close to no large cluster: the item stays with the items it came with.
                    for c in small_home.get(i, []):
                        regrouped[c].add(i)
            new_groups = [sorted(g) for g in regrouped]
            if new_groups == groups:
                break
            groups = new_groups
        return groups


def _pair_similarities(X: np.ndarray, sample: int = 400) -> np.ndarray:
    """Cosine similarities of every pair of items (of a fixed random sample of them in long histories)."""
    rows = X if len(X) <= sample else X[np.random.default_rng(0).choice(len(X), sample, replace=False)]
    return (rows @ rows.T)[np.triu_indices(len(rows), k=1)]


def _standardised(values: Sequence[float | None] | None, n: int) -> np.ndarray:
    """Values in standard deviations from their mean, clipped to [-2, 2]; unknown values are 0 (average)."""
    if values is None:
        return np.zeros(n)
    known = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    seen = known[~np.isnan(known)]
    if len(seen) < 2 or seen.std() < 1e-6:
        return np.zeros(n)
    return np.nan_to_num(np.clip((known - seen.mean()) / seen.std(), -2.0, 2.0))


def clustering_from_text(text: str | None, source: str = "JOURNEYS_EXTRACTION") -> TimeOrderedClustering:
    """A TimeOrderedClustering from "name=value,name=value" (e.g. "neighbours=40,join_threshold=0.6").

    Values are numbers or "none"; unnamed parameters keep their defaults. Raises ValueError
    with one sentence naming `source` when a name is unknown, a value is not a number, or a
    value is outside what the parameter may take (nan, a similarity of 5, min_size=-1).
    """
    known = TimeOrderedClustering().get_params()
    whole = {name for name, parameter in inspect.signature(TimeOrderedClustering).parameters.items()
             if str(parameter.annotation).startswith("int")}  # "int" or "int | None"
    params: dict[str, float | int | None] = {}
    raw_values: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, equals, raw = (piece.strip() for piece in part.partition("="))
        if name not in known:
            raise ValueError(f"{source}: unknown extraction parameter {name!r}; use name=value with any of "
                             f"{', '.join(sorted(known))}")
        if not equals or not raw:
            raise ValueError(f"{source}: {name!r} has no value; write it as {name}=<number>")
        if name in raw_values:
            raise ValueError(f"{source}: {name} is given twice ({name}={raw_values[name]} and {name}={raw}); keep one")
        raw_values[name] = raw
        if raw.lower() == "none":
            params[name] = None
            continue
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{source}: {name}={raw!r} is not a number; write it as {name}=<number> or {name}=none") from None
        if name in whole and not number.is_integer():
            raise ValueError(f"{source}: {name}={raw!r} must be a whole number")
        params[name] = int(number) if name in whole else number
    for name, value in params.items():
        try:
            validate_parameter_constraints(TimeOrderedClustering._parameter_constraints, {name: value},
                                           caller_name="TimeOrderedClustering")
        except InvalidParameterError as exc:
            wanted = re.search(r"must be (.*?)\. Got", str(exc))
            rule = (wanted.group(1) if wanted else "within its range").replace(" or None", " or none")
            rule = rule.replace("a float in the range (-inf, inf)", "a finite number")
            rule = rule.replace("an int in the range", "a whole number in").replace("a float in the range", "a number in")
            raise ValueError(f"{source}: {name}={raw_values[name]} is not allowed, it must be {rule}; change it or "
                             f"leave it out for the default ({known[name]})") from None
    return TimeOrderedClustering(**params)

