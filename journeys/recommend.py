"""Recommendations that use journeys: unseen catalogue items for each active journey, each with a reason.

The journey decides what is relevant; three signals rank the candidates for it:
- co-occurrence: item-based collaborative filtering from the journey's items (the cosine of
  two items' columns in the user-item incidence: people who had this journey's items also
  had these), when the catalogue knows who had what;
- meaning: the candidate's embedding against the journey's centre;
- a popularity prior (how many people had the candidate).
A catalogue without co-occurrence (a file of candidates, the demo) is ranked by meaning and
popularity, and a candidate must then be close enough in meaning to the journey to be offered.
Without a journey given, the list is shared among the active journeys by their weight (size,
times 2 for "more" steering, times 0.5 for "less"); rejected and paused journeys get nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from journeys.extraction.clustering import unit_rows
from journeys.history.store import StoredActivity
from journeys.state.journey import Journey, Status

# How much a journey's weight changes with the user's steering.
STEER_FACTOR = {"more": 2.0, "less": 0.5}
# Weights of the signals in a candidate's score (co-occurrence is scaled to [0, 1] per journey,
# meaning is a cosine, popularity a log share of the most popular item): tuned on MovieLens users
# (history = first 80% by time, future = the rest), where co-occurrence carries most of the signal.
CO_OCCURRENCE_WEIGHT = 1.0
MEANING_WEIGHT = 0.3
POPULARITY_WEIGHT = 0.1
# A journey item counts with its engagement to this power: what the user liked (rated highly,
# watched through) says more than what they tried (on MovieLens, 3 beats 0, 1 and 2).
LIKING_POWER = 3.0
# People count with 1 / (number of items they had) to this power in co-occurrence, so that
# someone who had half the catalogue does not make everything look related (0.5 beats 0 and 1).
USER_DAMPING = 0.5
# A candidate nobody had together with the journey's items must be at least this close in
# meaning to the journey's centre (cosine) to be offered: unrelated items are never filler.
MIN_MEANING = 0.3
# Journeys with no item yet (declared by the user) count as this many items when sharing slots.
EMPTY_JOURNEY_WEIGHT = 3.0

ACTIVE = (Status.PROPOSED, Status.CONFIRMED)
# How a reason says what the user did with the item it points to.
PAST_TENSE = {
    "watch": "watched", "read": "read", "listen": "listened to", "play": "played", "rate": "rated",
    "like": "liked", "save": "saved", "search": "searched for", "view": "viewed", "buy": "bought",
    "visit": "visited", "follow": "followed", "bookmark": "bookmarked", "tag": "tagged",
}


@dataclass(frozen=True)
class Recommendation:
    """One suggested item, the journey it is for, its score and why."""

    item_id: str
    title: str
    journey_id: str | None
    journey_name: str
    score: float
    because_title: str
    reason: str


class Catalogue:
    """Candidate items: their text embeddings, and who had them (for popularity and co-occurrence)."""

    def __init__(self, item_ids: Sequence[str], titles: Sequence[str], kinds: Sequence[str],
                 embeddings: np.ndarray, incidence: sparse.csr_matrix, user_ids: Sequence[str] = (),
                 source: str = "", min_users: int = 1):
        self.item_ids = list(item_ids)
        self.titles = list(titles)
        self.kinds = list(kinds)
        # Unit vectors, one row per item.
        self.embeddings = embeddings
        # users x items, 1 where the user (of user_ids, in order) had the item.
        self.incidence = incidence
        self.user_ids = list(user_ids)
        # Where the candidates come from, for people to read ("store", "sample", a file's path).
        self.source = source
        self.index = {item_id: i for i, item_id in enumerate(self.item_ids)}
        self.popularity = np.asarray(incidence.sum(axis=0)).ravel().astype(np.float32)
        # The items that may be offered: those at least min_users distinct people had (the rest are private to
        # one or a few people, and only inform co-occurrence).
        self.offerable = self.popularity >= min_users
        self.transposed = incidence.T.tocsr()
        sizes = np.asarray(incidence.sum(axis=1)).ravel()
        self.user_damping = 1.0 / np.power(np.maximum(sizes, 1.0), USER_DAMPING)
        # Co-occurrence means something only when some user had more than one item
        # (a file of candidates from one "user" has none: everything co-occurs with everything).
        self.has_co_occurrence = incidence.shape[0] > 1 and bool(np.any(np.diff(incidence.indptr) > 1))
        prior = np.log1p(self.popularity)
        self.prior = prior / prior.max() if len(prior) and prior.max() > 0 else prior

    @classmethod
    def from_activities(cls, activities: Iterable[StoredActivity], source: str = "", min_users: int = 1) -> "Catalogue":
        """The catalogue of every item in these activities (of one or many users, with embeddings); only items at
        least min_users distinct users had are offered."""
        index: dict[str, int] = {}
        titles: list[str] = []
        kinds: list[str] = []
        vectors: list[np.ndarray] = []
        users: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for stored in activities:
            activity = stored.activity
            if activity.kind == "search":
                continue  # what someone looked for, not an item to offer
            column = index.get(activity.item_id)
            if column is None:
                if stored.embedding is None:
                    raise ValueError(
                        f"catalogue item {activity.item_id!r} ({activity.title!r}) has no embedding; "
                        "read the activities with their embeddings (with_embeddings=True)"
                    )
                column = index[activity.item_id] = len(titles)
                titles.append(activity.title)
                kinds.append(activity.kind)
                vectors.append(np.asarray(stored.embedding, dtype=np.float32))
            rows.append(users.setdefault(activity.user_id, len(users)))
            columns.append(column)
        dimensions = len(vectors[0]) if vectors else 0
        embeddings = np.vstack(vectors) if vectors else np.zeros((0, dimensions), dtype=np.float32)
        incidence = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(users), len(titles)))
        incidence.sum_duplicates()
        incidence.data[:] = 1.0  # a user who had an item twice still had it once
        return cls(list(index), titles, kinds, unit_rows(np.asarray(embeddings, dtype=np.float32)), incidence,
                   list(users), source, min_users)

    def __len__(self) -> int:
        return len(self.item_ids)

    def new_to(self, item_ids: Iterable[str]) -> int:
        """How many catalogue items that may be offered are not among these (the items a user already had)."""
        had = {self.index[i] for i in item_ids if i in self.index}
        return int(self.offerable.sum()) - sum(1 for i in had if self.offerable[i])


def journey_weight(journey: Journey) -> float:
    """A journey's share of a mixed list: its size (or a small default when empty), scaled by steering."""
    size = float(journey.size) if journey.size else EMPTY_JOURNEY_WEIGHT
    return size * STEER_FACTOR.get(journey.metadata.get("steer"), 1.0)


def recommend(
    history: Sequence[StoredActivity],
    journeys: Sequence[Journey],
    catalogue: Catalogue,
    k: int = 10,
    journey_id: str | None = None,
    *,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> list[Recommendation]:
    """Up to k catalogue items the user has not had, for one journey or shared among the active ones by weight.

    history: the user's stored activities with embeddings; journeys: the user's journeys; a
    rejected or paused journey asked for by journey_id gives an empty list. embed (a sentence
    embedder) lets a journey without items be served from its name.
    """
    if journey_id is not None:
        chosen = [j for j in journeys if j.id == journey_id]
        if not chosen:
            raise ValueError(f"the user has no journey with id {journey_id!r}; pass one of their journeys' ids")
        targets = [j for j in chosen if j.status in ACTIVE]
    else:
        targets = [j for j in journeys if j.status in ACTIVE]
    if k <= 0 or not targets or not len(catalogue):
        return []
    by_id = {s.activity_id: s for s in history}
    members = [[by_id[a] for a in j.activity_ids if a in by_id and by_id[a].embedding is not None] for j in targets]
    centres = _centres(targets, members, embed)
    served = [i for i, centre in enumerate(centres) if centre is not None]
    if not served:
        return []
    targets = [targets[i] for i in served]
    members = [members[i] for i in served]
    scores = _scores(catalogue, members, np.vstack([centres[i] for i in served]))
    seen = [catalogue.index[s.activity.item_id] for s in history if s.activity.item_id in catalogue.index]
    scores[seen] = -np.inf
    slots = _slots([journey_weight(j) for j in targets], k)
    picks = _pick(scores, slots, k)
    return [_recommendation(catalogue, item, targets[column], members[column], float(scores[item, column]))
            for item, column in picks]


def _centres(journeys: Sequence[Journey], members: Sequence[Sequence[StoredActivity]],
             embed: Callable[[list[str]], np.ndarray] | None) -> list[np.ndarray | None]:
    """Each journey's centre in meaning: the mean of its items, or its name's embedding when it has none."""
    centres: list[np.ndarray | None] = []
    for journey, items in zip(journeys, members):
        if items:
            centres.append(unit_rows(np.mean([s.embedding for s in items], axis=0, keepdims=True, dtype=np.float32))[0])
        elif embed is not None:
            centres.append(unit_rows(np.asarray(embed([journey.name]), dtype=np.float32))[0])
        else:
            centres.append(None)
    return centres


def _co_occurrence(catalogue: Catalogue, members: Sequence[Sequence[StoredActivity]]) -> np.ndarray:
    """Item-based collaborative filtering: for each journey (column), how strongly each catalogue item
    was had by the same people as the journey's items, scaled to [0, 1]."""
    rows, columns, weights = [], [], []
    for column, items in enumerate(members):
        present: dict[int, float] = {}
        for s in items:
            row = catalogue.index.get(s.activity.item_id)
            if row is None:
                continue
            engagement = s.activity.engagement if s.activity.engagement is not None else 1.0
            present[row] = max(present.get(row, 0.0), engagement ** LIKING_POWER)
        for row, weight in present.items():
            rows.append(row)
            columns.append(column)
            # Each journey item votes with the cosine normalisation of its column.
            weights.append(weight / np.sqrt(max(catalogue.popularity[row], 1.0)))
    if not rows:
        return np.zeros((len(catalogue), len(members)), dtype=np.float32)
    selector = sparse.csr_matrix((weights, (rows, columns)), shape=(len(catalogue), len(members)))
    # users x journeys: how much each user shares each journey, less for people who had everything.
    by_user = sparse.diags(catalogue.user_damping) @ (catalogue.incidence @ selector)
    co_occurrence = (catalogue.transposed @ by_user).toarray().astype(np.float32)
    co_occurrence /= np.sqrt(np.maximum(catalogue.popularity, 1.0))[:, None]
    top = co_occurrence.max(axis=0, keepdims=True)
    return co_occurrence / np.where(top > 0, top, 1.0)


def _scores(catalogue: Catalogue, members: Sequence[Sequence[StoredActivity]], centres: np.ndarray) -> np.ndarray:
    """Score of every catalogue item (rows) for every journey (columns); -inf where an item is not offered."""
    meaning = catalogue.embeddings @ centres.T.astype(np.float32)
    co_occurrence = np.zeros_like(meaning)
    if catalogue.has_co_occurrence:
        co_occurrence = _co_occurrence(catalogue, members)
    scores = CO_OCCURRENCE_WEIGHT * co_occurrence + MEANING_WEIGHT * meaning + POPULARITY_WEIGHT * catalogue.prior[:, None]
    scores[(co_occurrence <= 0) & (meaning < MIN_MEANING)] = -np.inf
    scores[~catalogue.offerable] = -np.inf  # too few people had it: private
    return scores


def _slots(weights: Sequence[float], k: int) -> list[int]:
    """k slots shared in proportion to the weights (largest remainders get the spare ones)."""
    total = sum(weights)
    exact = [k * w / total for w in weights]
    slots = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: (-(exact[i] - slots[i]), -weights[i]))[: k - sum(slots)]:
        slots[i] += 1
    return slots


def _pick(scores: np.ndarray, slots: list[int], k: int) -> list[tuple[int, int]]:
    """(item, journey) pairs: each journey's best items up to its slots, in turns, no item twice;
    slots a journey cannot fill go to the others."""
    shortlist = min(scores.shape[0], k * 2 + 20)
    ranked = []
    for column in range(scores.shape[1]):
        column_scores = scores[:, column]
        top = np.argpartition(-column_scores, shortlist - 1)[:shortlist] if shortlist < len(column_scores) \
            else np.arange(len(column_scores))
        top = top[np.argsort(-column_scores[top], kind="stable")]
        ranked.append([int(i) for i in top if np.isfinite(column_scores[i])])
    taken: set[int] = set()
    picks: list[tuple[int, int]] = []
    positions = [0] * len(slots)
    wanted = list(slots)
    order = sorted(range(len(slots)), key=lambda c: -slots[c])
    while len(picks) < k:
        progress = False
        for column in order:
            if wanted[column] <= 0 or len(picks) >= k:
                continue
            while positions[column] < len(ranked[column]) and ranked[column][positions[column]] in taken:
                positions[column] += 1
            if positions[column] < len(ranked[column]):
                item = ranked[column][positions[column]]
                taken.add(item)
                picks.append((item, column))
                wanted[column] -= 1
                progress = True
        if not progress:
            # The slots of journeys that ran out go to those with candidates left, one each per round.
            left = [c for c in order if any(i not in taken for i in ranked[c][positions[c]:])]
            if not left:
                break
            for column in left:
                wanted[column] += 1
    return picks


def _recommendation(catalogue: Catalogue, item: int, journey: Journey, members: Sequence[StoredActivity],
                    score: float) -> Recommendation:
    """The suggestion, with the journey's history item closest to it in meaning as its reason."""
    title = catalogue.titles[item]
    because = None
    if members:
        similarity = np.vstack([s.embedding for s in members]) @ catalogue.embeddings[item]
        because = members[int(np.argmax(similarity))].activity
    if because is not None:
        verb = PAST_TENSE.get(because.kind, "had")
        reason = f"Because you {verb} “{because.title}” ({journey.name})"
    else:
        reason = f"For your journey {journey.name}"
    return Recommendation(
        item_id=catalogue.item_ids[item], title=title, journey_id=journey.id, journey_name=journey.name,
        score=round(score, 4), because_title=because.title if because is not None else "", reason=reason,
    )
