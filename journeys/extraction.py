"""Journey extraction: cluster one user's items in time order and keep the persistent clusters.

After the paper's personalised clustering: items arrive in time order; an item joins the
most similar journey if the similarity passes a threshold, otherwise it starts a new one;
journeys whose centres converge are merged; clusters that stay small or short-lived are
transient interests (one-off clicks), not journeys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from journeys.history import HistoryStore, StoredActivity
from journeys.journey import Journey
from journeys.journey_store import JourneyStore
from journeys.naming import Namer, NamingRequest
from journeys.terms import SalientTerms

TRANSIENT = -1


class TimeOrderedClustering(ClusterMixin, BaseEstimator):
    """Threshold clustering of items in time order; small or short-lived clusters are transient.

    Parameters:
        join_threshold: cosine similarity to a journey's centre an item needs to join it;
            higher gives more, tighter journeys, lower fewer and broader ones.
        merge_threshold: journeys whose centres are at least this similar are merged.
        min_size: fewer items than this make a cluster transient.
        min_span_days: a cluster whose items all fall within this many days is a burst,
            hence transient, however large.
        refine_iterations: passes that move each item to the most similar large cluster
            (if similar enough), undoing the order effects of the single time-ordered pass;
            0 keeps the pure sequential assignment.
    """

    def __init__(
        self,
        join_threshold: float = 0.3,
        merge_threshold: float = 0.75,
        min_size: int = 4,
        min_span_days: float = 7.0,
        refine_iterations: int = 3,
    ):
        self.join_threshold = join_threshold
        self.merge_threshold = merge_threshold
        self.min_size = min_size
        self.min_span_days = min_span_days
        self.refine_iterations = refine_iterations

    def fit(self, X: np.ndarray, y: None = None, timestamps: Sequence[float] | None = None) -> "TimeOrderedClustering":
        """Cluster the rows of X (one item each, in time order); timestamps are Unix seconds."""
        X = _unit_rows(np.asarray(X, dtype=np.float32))
        times = np.asarray(timestamps if timestamps is not None else np.zeros(len(X)), dtype=np.float64)
        members: list[list[int]] = []
        sums: list[np.ndarray] = []
        for index, vector in enumerate(X):
            if sums:
                centres = _unit_rows(np.vstack(sums))
                similarity = centres @ vector
                best = int(np.argmax(similarity))
                if similarity[best] >= self.join_threshold:
                    members[best].append(index)
                    sums[best] = sums[best] + vector
                    continue
            members.append([index])
            sums.append(vector.copy())
        members = self._merge_converged(members, X)
        members = self._refine(members, X)
        persistent, transient = [], []
        for group in members:
            span_days = (times[group].max() - times[group].min()) / 86400.0
            if len(group) < self.min_size or span_days < self.min_span_days:
                transient.append(group)
            else:
                persistent.append(group)
        persistent.sort(key=len, reverse=True)
        self.clusters_ = persistent
        self.transient_ = transient
        self.labels_ = np.full(len(X), TRANSIENT, dtype=int)
        for label, group in enumerate(persistent):
            self.labels_[group] = label
        self.cohesion_ = np.array([
            float(np.mean(X[group] @ _unit_rows(X[group].sum(axis=0, keepdims=True))[0])) for group in persistent
        ])
        return self

    def _refine(self, members: list[list[int]], X: np.ndarray) -> list[list[int]]:
        groups = members
        for _ in range(self.refine_iterations):
            large = [g for g in groups if len(g) >= self.min_size]
            if not large:
                break
            centres = _unit_rows(np.vstack([X[g].sum(axis=0) for g in large]))
            similarity = X @ centres.T
            nearest = np.argmax(similarity, axis=1)
            close = similarity[np.arange(len(X)), nearest] >= self.join_threshold
            # Items close to no large cluster stay together with the items they came with.
            home = np.empty(len(X), dtype=int)
            for label, group in enumerate(groups):
                home[group] = len(large) + label
            labels = np.where(close, nearest, home)
            regrouped = [list(np.flatnonzero(labels == label)) for label in np.unique(labels)]
            regrouped = [[int(i) for i in g] for g in regrouped]
            if sorted(map(tuple, regrouped)) == sorted(map(tuple, groups)):
                break
            groups = regrouped
        return groups

    def _merge_converged(self, members: list[list[int]], X: np.ndarray) -> list[list[int]]:
        groups = [list(g) for g in members]
        while len(groups) > 1:
            centres = _unit_rows(np.vstack([X[g].sum(axis=0) for g in groups]))
            similarity = centres @ centres.T
            np.fill_diagonal(similarity, -1.0)
            a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
            if similarity[a, b] < self.merge_threshold:
                break
            a, b = min(a, b), max(a, b)
            groups[a] = sorted(groups[a] + groups.pop(b))
        return groups


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def journey_id(user_id: str, first_activity_id: str) -> str:
    """A journey's id, stable as long as the journey starts from the same activity."""
    return "j" + hashlib.sha1(f"{user_id}\x1f{first_activity_id}".encode()).hexdigest()[:8]


def item_features(embeddings: np.ndarray, texts: Sequence[str], term_weight: float = 0.2) -> np.ndarray:
    """Items as unit vectors joining meaning (embeddings) and the user's own salient words (tf-idf).

    The cosine of two such vectors is about (1 - term_weight) * embedding similarity +
    term_weight * shared-word similarity; the words keep apart topics that read alike
    ("baby sleep" and "baby food") while the embeddings join paraphrases.
    """
    words = SalientTerms(ngram_range=(1, 1)).fit(texts).matrix_
    if words is None or term_weight <= 0:
        return _unit_rows(embeddings)
    # Dense is fine for one user's history; a sparse path is for much larger ones.
    words = _unit_rows(words.toarray().astype(np.float32))
    return _unit_rows(np.hstack([embeddings * np.sqrt(1 - term_weight), words * np.sqrt(term_weight)]))


def build_journeys(
    user_id: str,
    stored: Sequence[StoredActivity],
    clustering: TimeOrderedClustering,
    namer: Namer,
    max_examples: int = 8,
    term_weight: float = 0.2,
) -> list[Journey]:
    """Cluster a user's stored activities (with embeddings, in time order) into named journeys."""
    if not stored:
        return []
    texts = [_term_text(s) for s in stored]
    X = item_features(np.vstack([s.embedding for s in stored]), texts, term_weight)
    clustering.fit(X, timestamps=[s.activity.timestamp.timestamp() for s in stored])
    terms = SalientTerms().fit(texts)
    journeys, requests = [], []
    for group, cohesion in zip(clustering.clusters_, clustering.cohesion_):
        items = [stored[i] for i in group]
        centre = _unit_rows(X[group].sum(axis=0, keepdims=True))[0]
        typical = [items[i].activity.title for i in np.argsort(-(X[group] @ centre))]
        titles = list(dict.fromkeys(typical))[:max_examples]
        salient = terms.terms_of(group)
        journeys.append(Journey(
            id=journey_id(user_id, items[0].activity_id),
            user_id=user_id,
            name="",
            activity_ids=[s.activity_id for s in items],
            item_ids=list(dict.fromkeys(s.activity.item_id for s in items)),
            first_seen=items[0].activity.timestamp,
            last_seen=items[-1].activity.timestamp,
            salient_terms=salient,
            representative_titles=titles,
            confidence=_confidence(float(cohesion), len(group)),
        ))
        requests.append(NamingRequest(titles=titles, terms=salient))
    for journey, named in zip(journeys, namer.name_many(requests)):
        journey.name = named.name
        journey.name_source = named.source
        journey.metadata.update(named.metadata)
    return journeys


def _term_text(stored: StoredActivity) -> str:
    activity = stored.activity
    return " ".join([activity.title, " ".join(activity.tags), activity.description])


def _confidence(cohesion: float, size: int) -> float:
    # Tight clusters with plenty of evidence are surest; a handful of items caps confidence.
    return float(np.clip(cohesion * (1.0 - np.exp(-size / 6.0)), 0.0, 1.0))


def extract_journeys(
    user_id: str,
    history: HistoryStore,
    store: JourneyStore,
    namer: Namer,
    clustering: TimeOrderedClustering | None = None,
    now: datetime | None = None,
) -> list[Journey]:
    """Find, name and store one user's journeys; journeys the user already acted on are kept as they are."""
    stored = history.activities(user_id, with_embeddings=True)
    found = build_journeys(user_id, stored, clustering or TimeOrderedClustering(), namer)
    return store.refresh(user_id, found, now=now)
