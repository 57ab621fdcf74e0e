"""How each method of the next-items evaluation turns a user's history into recommended items.

Interest methods (one interest, the recent interest, k-means interests, journeys, any
callable) follow the scikit-learn estimator API: parameters are constructor arguments and
`fit(stored)` (the user's stored activities with embeddings, in time order) sets
`interests_` (one unit vector per interest), `weights_` and `sizes_` (history items per
interest). `rank` then retrieves catalogue items by cosine similarity to each interest, the
slots going to interests in proportion to their weight. Rankers that have no interests
(popularity, random, the product's own recommender) only have `rank`.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator, clone

from journeys.evaluation.baselines import KMeansSilhouette
from journeys.extraction.clustering import unit_rows
from journeys.history.store import StoredActivity

if TYPE_CHECKING:
    from journeys.evaluation.next_items import EvaluationData, NextItemUser

InterestFunction = Callable[[str, Sequence[StoredActivity]], Sequence[tuple[np.ndarray, float]]]


class Ranker(Protocol):
    """Anything that recommends items to one user of an evaluation data set."""

    def rank(self, data: EvaluationData, user: NextItemUser, k: int) -> list[str]:
        """At most k catalogue item ids, best first, none of them in the user's history."""
        ...


def slot_owner(shares: np.ndarray, taken: np.ndarray, position: int, open_: np.ndarray) -> int:
    """The open interest owed the most at this 1-based position: largest share * position - slots taken (ties: larger share)."""
    owed = np.where(open_, shares * position - taken, -np.inf)
    best = np.flatnonzero(owed >= owed.max() - 1e-12)
    return int(best[np.argmax(shares[best])])


def allocate_slots(weights: Sequence[float], k: int) -> list[int]:
    """Which interest fills each of k slots, so that every prefix is split in proportion to the weights."""
    shares = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    taken = np.zeros(len(shares))
    owners = []
    for position in range(1, k + 1):
        owner = slot_owner(shares, taken, position, np.ones(len(shares), dtype=bool))
        taken[owner] += 1
        owners.append(owner)
    return owners


def merge_by_weight(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int) -> list[int]:
    """Up to k distinct items taken from the interests' rankings, slots allotted by weight (allocate_slots' rule).

    Each slot goes to the interest owed the most, which gives its best item not taken yet; an
    interest whose ranking runs out gives its slots to the others.
    """
    shares = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    taken = np.zeros(len(shares))
    cursor = [0] * len(rankings)
    open_ = np.array([len(r) > 0 for r in rankings])
    chosen: list[int] = []
    seen: set[int] = set()
    while len(chosen) < k and open_.any():
        owner = slot_owner(shares, taken, len(chosen) + 1, open_)
        ranking = rankings[owner]
        while cursor[owner] < len(ranking) and ranking[cursor[owner]] in seen:
            cursor[owner] += 1
        if cursor[owner] == len(ranking):
            open_[owner] = False
            continue
        item = int(ranking[cursor[owner]])
        cursor[owner] += 1
        seen.add(item)
        chosen.append(item)
        taken[owner] += 1
    return chosen


def retrieve(item_vectors: np.ndarray, excluded: np.ndarray, interests: np.ndarray, weights: Sequence[float],
             k: int) -> list[int]:
    """Catalogue rows for k slots: each interest's most cosine-similar rows (never an excluded one), merged by weight."""
    scores = item_vectors @ unit_rows(np.asarray(interests, dtype=np.float32)).T
    scores[excluded] = -np.inf
    allowed = len(item_vectors) - len(excluded)
    # k rows per interest are enough: at most k - 1 of them can be taken by the other interests.
    depth = min(k, allowed)
    rankings = []
    for column in scores.T:
        if depth <= 0:
            rankings.append([])
            continue
        top = np.argpartition(-column, depth - 1)[:depth]
        rankings.append(top[np.lexsort((top, -column[top]))].tolist())
    return merge_by_weight(rankings, weights, k)


class InterestModel(BaseEstimator):
    """Base of the methods that turn a history into weighted interests and retrieve by similarity."""

    def fit(self, stored: Sequence[StoredActivity]) -> "InterestModel":
        """Find the interests of a history (stored activities with embeddings, in time order)."""
        X = history_matrix(stored)
        vectors, weights, sizes = self._interests(stored, X)
        # A method that finds nothing still recommends: from the history as one interest.
        self.fallback_ = len(vectors) == 0
        if self.fallback_:
            vectors, weights, sizes = [X.mean(axis=0)], [1.0], [len(X)]
        self.interests_ = unit_rows(np.vstack(vectors).astype(np.float32))
        self.weights_ = np.asarray(weights, dtype=np.float64)
        self.sizes_ = sizes
        self.history_size_ = len(X)
        return self

    def _interests(self, stored: Sequence[StoredActivity], X: np.ndarray) -> tuple[list, list, list | None]:
        raise NotImplementedError

    def rank(self, data: EvaluationData, user: NextItemUser, k: int) -> list[str]:
        """Fit on the user's history and retrieve k catalogue items by similarity to the interests."""
        self.fit(user.history)
        rows = retrieve(data.item_vectors, user.seen_rows, self.interests_, self.weights_, k)
        return [data.item_ids[r] for r in rows]

    def describe(self) -> dict[str, Any]:
        """The fitted interests' structure: how many, and the share of history items in the largest."""
        if self.sizes_ is not None:
            largest = max(self.sizes_) / self.history_size_
        else:  # only weights are known (a callable): the largest weight's share stands in
            largest = float(self.weights_.max() / self.weights_.sum())
        return {"interests": len(self.weights_), "largest_share": float(largest), "fallback": bool(self.fallback_)}


def history_matrix(stored: Sequence[StoredActivity]) -> np.ndarray:
    """The embeddings of stored activities as rows."""
    return np.vstack([s.embedding for s in stored]).astype(np.float32)


class OneInterest(InterestModel):
    """The whole history as one interest: the mean of its item embeddings.

    Parameters:
        none.
    """

    def _interests(self, stored, X):
        return [X.mean(axis=0)], [1.0], [len(X)]


class RecentInterest(InterestModel):
    """The latest items as one interest: the mean of the last `window` item embeddings.

    Parameters:
        window: how many of the latest items make the interest.
    """

    def __init__(self, window: int = 20):
        self.window = window

    def _interests(self, stored, X):
        recent = X[-self.window:]
        return [recent.mean(axis=0)], [1.0], [len(recent)]


class ClusterInterests(InterestModel):
    """Each cluster of a clusterer (fit(X) setting clusters_) on the item embeddings is an interest, weighted by size.

    Parameters:
        clustering: the clusterer, cloned for each history; None is k-means with k by silhouette.
    """

    def __init__(self, clustering: BaseEstimator | None = None):
        self.clustering = clustering

    def _interests(self, stored, X):
        model = clone(self.clustering) if self.clustering is not None else KMeansSilhouette()
        clusters = [c for c in model.fit(X).clusters_ if len(c)]
        return [X[c].mean(axis=0) for c in clusters], [len(c) for c in clusters], [len(c) for c in clusters]


class JourneyInterests(InterestModel):
    """The user's journeys, found by the product's own path (build_journeys), each an interest as the product reads it.

    A journey's vector and weight come from journeys.interest.journey_interests: its items
    weighted by recency (position in the history) and engagement.

    Parameters:
        clustering: the extraction estimator, cloned for each history; None is the product's
            default, TimeOrderedClustering().
        term_weight: build_journeys' share of salient words in the features; None keeps its default.
    """

    def __init__(self, clustering: BaseEstimator | None = None, term_weight: float | None = None):
        self.clustering = clustering
        self.term_weight = term_weight

    def journeys(self, stored: Sequence[StoredActivity]) -> list:
        """The journeys build_journeys finds in the history, named by keywords (no language model runs)."""
        from journeys.extraction.clustering import TimeOrderedClustering
        from journeys.extraction.pipeline import build_journeys
        from journeys.naming.backends import KeywordNamer

        clustering = clone(self.clustering) if self.clustering is not None else TimeOrderedClustering()
        options = {} if self.term_weight is None else {"term_weight": self.term_weight}
        return build_journeys(stored[0].activity.user_id, stored, clustering, KeywordNamer(), **options)

    def _interests(self, stored, X):
        from journeys.interest import journey_interests

        self.journeys_ = self.journeys(stored)
        row_of = {s.activity_id: row for row, s in enumerate(stored)}
        groups = [[row_of[a] for a in j.activity_ids if a in row_of] for j in self.journeys_]
        groups = [g for g in groups if g]
        self.covered_ = len({row for g in groups for row in g}) / len(X)
        # Each journey as the product reads it: where it stands now (recent, engaged items weigh more).
        interests = journey_interests(self.journeys_, stored)
        return [v for _, v, _ in interests], [w for _, _, w in interests], [j.size for j, _, _ in interests]

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        # The journeys themselves, not the fallback interest that stands in when there is none.
        described.update(journeys=len(self.journeys_), covered=self.covered_,
                         largest_journey_share=0.0 if self.fallback_ else described["largest_share"])
        return described


class CallableInterests(InterestModel):
    """Interests from a function (user_id, stored history) -> [(vector, weight), ...].

    Parameters:
        function: the function; an empty answer falls back to the history as one interest.
    """

    def __init__(self, function: InterestFunction):
        self.function = function

    def _interests(self, stored, X):
        found = list(self.function(stored[0].activity.user_id, stored))
        return [np.asarray(v, dtype=np.float32) for v, _ in found], [float(w) for _, w in found], None


class Popularity(BaseEstimator):
    """The catalogue items most users had in the training store, the same for everyone.

    Parameters:
        none.
    """

    def rank(self, data: EvaluationData, user: NextItemUser, k: int) -> list[str]:
        """The k most popular items the user has not had (ties by catalogue order)."""
        ranked = []
        for row in data.popularity_order:
            if row not in user.seen_set:
                ranked.append(data.item_ids[row])
                if len(ranked) == k:
                    break
        return ranked


class RandomItems(BaseEstimator):
    """Random catalogue items the user has not had (a reference any method should beat).

    Parameters:
        seed: mixed with the user id, so each user's draw is repeatable.
    """

    def __init__(self, seed: int = 0):
        self.seed = seed

    def rank(self, data: EvaluationData, user: NextItemUser, k: int) -> list[str]:
        """k items drawn uniformly among those the user has not had."""
        digest = hashlib.sha1(f"{self.seed}\x1f{user.user_id}".encode()).hexdigest()
        rng = np.random.default_rng(int(digest[:12], 16))
        allowed = np.setdiff1d(np.arange(len(data.item_ids)), user.seen_rows)
        rows = rng.choice(allowed, size=min(k, len(allowed)), replace=False)
        return [data.item_ids[r] for r in rows]


class ProductRecommendations(BaseEstimator):
    """The product's own recommender (journeys.recommend.recommend) over the user's default journeys.

    Parameters:
        journeys: how the journeys are found; None is JourneyInterests() (the product's default).
        options: extra keyword arguments for recommend (e.g. mixing weights), as a dict.
    """

    def __init__(self, journeys: JourneyInterests | None = None, options: dict | None = None):
        self.journeys = journeys
        self.options = options

    def rank(self, data: EvaluationData, user: NextItemUser, k: int) -> list[str]:
        """The product's k recommendations for the user over the training store's catalogue."""
        from journeys.recommend import recommend

        finder = self.journeys if self.journeys is not None else JourneyInterests()
        journeys = finder.journeys(user.history)
        self.journeys_ = journeys
        recommendations = recommend(user.history, journeys, data.product_catalogue(), k=k, **(self.options or {}))
        return [r.item_id for r in recommendations]

    def describe(self) -> dict[str, Any]:
        return {"journeys": len(self.journeys_)}


def as_ranker(method: Any) -> Any:
    """A ranker from a ranker, an interest method, a clustering estimator or an interest function.

    An estimator whose fit takes `anchors` (the product's clusterings) goes through
    build_journeys; any other clusterer (fit(X) setting clusters_) clusters the embeddings.
    """
    if hasattr(method, "rank"):
        return method
    if hasattr(method, "fit"):
        if "anchors" in inspect.signature(method.fit).parameters:
            return JourneyInterests(clustering=method)
        return ClusterInterests(clustering=method)
    if callable(method):
        return CallableInterests(method)
    raise TypeError(f"cannot rank with {method!r}: give a method name, a ranker, a clustering estimator "
                    "or a function (user_id, stored history) -> [(vector, weight), ...]")
