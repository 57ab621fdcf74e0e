"""Journey extraction: from a user's stored activities to named journeys, respecting the user's edits.

The clustering itself is in journeys.extraction.clustering; this module builds the item features,
turns clusters into journeys (evidence, salient terms, time span, confidence, active or
dormant) and reconciles them with the journeys the user already has:
- journeys the user owns (confirmed, named, merged, split, paused or rejected) are anchors:
  they keep their name, status and items, and new similar activity joins them; a rejected
  journey therefore stays hidden and is never proposed again from the same evidence;
- a proposal found again (mostly the same items) keeps its id and name;
- everything else is a new proposal, named by the namer.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import inspect
import math
import re
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sklearn.decomposition import TruncatedSVD

from journeys.extraction.clustering import TimeOrderedClustering, unit_rows
from journeys.extraction.terms import SalientTerms
from journeys.history.store import HistoryStore, StoredActivity
from journeys.naming.backends import Namer, NamingRequest
from journeys.state.journey import Journey, Status
from journeys.state.store import JourneyStore

# A proposal found again keeps its id (and name) when this share of items is the same.
SAME_JOURNEY_JACCARD = 0.5
DORMANT_AFTER_DAYS = 60


# The weight of the items' own numeric fields in the features (see item_attributes), set on the
# tuning users of the Spotify mixes, default extraction: ARI 0.218 without them, 0.393 / 0.491 /
# 0.504 / 0.481 / 0.451 at 0.1 / 0.2 / 0.3 / 0.4 / 0.5 (docs/evaluation/extraction.md reports the rest).
ATTRIBUTE_WEIGHT = 0.3
# Field names (their last word) that identify or place a record rather than describe its item.
NOT_ATTRIBUTES = frozenset({"id", "ids", "uuid", "idx", "index", "row", "line", "position", "rank", "order"})
# A field is an attribute when at least this share of the items give it a number (or a date).
ATTRIBUTE_COVERAGE = 0.5


def _attribute_value(value: Any) -> float | None:
    """A field's value as a number: numbers as they are, numeric text, dates as fractional years."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str) or not value.strip() or len(value) > 32:
        return None
    text = value.strip()
    try:
        number = float(text)
        return number if math.isfinite(number) else None
    except ValueError:
        pass
    try:  # a date: "2019-06-14", "2019-06" (a year alone is a number above)
        day = date.fromisoformat(text if len(text) != 7 else f"{text}-01")
    except ValueError:
        return None
    return day.year + (day.timetuple().tm_yday - 1) / 366


def _last_word(name: str) -> str:
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    return words[-1].lower() if words else name.lower()


def item_attributes(extras: Sequence[Mapping[str, Any]]) -> np.ndarray | None:
    """The numbers the items carry beyond the history format's own fields, one standardised column per field.

    A Spotify export's tracks carry energy, tempo, acousticness and a release date; recipes may
    carry minutes, articles a reading time. A field counts when at least ATTRIBUTE_COVERAGE of the
    items give it a number or a date and it is not an identifier or a position (NOT_ATTRIBUTES);
    each column is standardised over the user's items (a missing value is the mean), and a field
    that never varies is left out. None when no field counts.
    """
    count = len(extras)
    if count < 2:
        return None
    values: dict[str, list[float | None]] = {}
    for row, extra in enumerate(extras):
        for name, raw in extra.items():
            if _last_word(str(name)) in NOT_ATTRIBUTES:
                continue
            number = _attribute_value(raw)
            if number is not None:
                values.setdefault(str(name), [None] * count)[row] = number
    columns = []
    for name in sorted(values):
        column = values[name]
        present = np.array([v for v in column if v is not None])
        if len(present) < ATTRIBUTE_COVERAGE * count or np.ptp(present) == 0:
            continue
        filled = np.array([present.mean() if v is None else v for v in column])
        columns.append((filled - filled.mean()) / filled.std())
    if not columns:
        return None
    return np.column_stack(columns).astype(np.float32)


def item_features(
    embeddings: np.ndarray, texts: Sequence[str], term_weight: float = 0.2, term_dims: int = 128,
    attributes: np.ndarray | None = None, attribute_weight: float = ATTRIBUTE_WEIGHT,
) -> np.ndarray:
    """Items as unit vectors joining meaning (embeddings), the user's own salient words (tf-idf) and
    the items' numeric attributes (item_attributes), when they have any.

    The cosine of two such vectors is about (1 - term_weight) * embedding similarity +
    term_weight * shared-word similarity: the words keep apart topics that read alike
    ("baby sleep", "baby food"), the embeddings join paraphrases. Large vocabularies are
    reduced to term_dims dimensions (truncated SVD) to keep the vectors small. Attributes then
    take attribute_weight of the whole: two tracks whose titles say little but whose energy,
    tempo and release year agree are near.
    """
    embeddings = unit_rows(np.asarray(embeddings, dtype=np.float32))
    words = SalientTerms(ngram_range=(1, 1)).fit(texts).matrix_ if term_weight > 0 else None
    if words is None:
        features = embeddings
    else:
        if words.shape[1] > term_dims and words.shape[0] > term_dims:
            words = TruncatedSVD(n_components=term_dims, random_state=0).fit_transform(words)
        else:
            words = words.toarray()
        words = unit_rows(np.asarray(words, dtype=np.float32))
        features = unit_rows(np.hstack([embeddings * np.sqrt(1 - term_weight), words * np.sqrt(term_weight)]))
    if attributes is None or attributes.shape[1] == 0 or attribute_weight <= 0:
        return features
    # Scaled so that an item's attribute part has about unit length, like the rest.
    scaled = np.asarray(attributes, dtype=np.float32) / np.sqrt(attributes.shape[1])
    return unit_rows(np.hstack([features * np.sqrt(1 - attribute_weight), scaled * np.sqrt(attribute_weight)]))


def fit_clustering(clustering, X: np.ndarray, stored: Sequence[StoredActivity],
                   anchors: Sequence[Sequence[int]] = ()):
    """Fit a clustering to a user's item features with everything else the items carry (time, engagement)."""
    times = [s.activity.timestamp.timestamp() for s in stored]
    if "engagement" in inspect.signature(clustering.fit).parameters:
        return clustering.fit(X, timestamps=times, anchors=anchors, engagement=[s.activity.engagement for s in stored])
    return clustering.fit(X, timestamps=times, anchors=anchors)


def user_owns(journey: Journey) -> bool:
    """Whether the user has acted on a journey, which makes it theirs to keep as it is."""
    return (journey.status is not Status.PROPOSED or journey.name_source == "user"
            or bool(journey.metadata.get("user_edited")))


def journey_id(user_id: str, first_activity_id: str, taken: set[str]) -> str:
    """A new journey's id: derived from the user and its first activity, unique among the user's journeys."""
    seed = f"{user_id}\x1f{first_activity_id}"
    while True:
        candidate = "j" + hashlib.sha1(seed.encode()).hexdigest()[:8]
        if candidate not in taken:
            return candidate
        seed += "+"


def build_journeys(
    user_id: str,
    stored: Sequence[StoredActivity],
    clustering: TimeOrderedClustering,
    namer: Namer,
    previous: Sequence[Journey] = (),
    term_weight: float = 0.2,
    max_examples: int = 8,
    timings: dict[str, float] | None = None,
) -> list[Journey]:
    """The user's journeys from their stored activities (with embeddings, in time order) and their current journeys.

    `timings`, when given, gets the seconds spent on features, clustering and naming added in.
    """
    owned = [j for j in previous if user_owns(j)]
    if not stored:
        return [copy.deepcopy(j) for j in owned]
    clock = _Stopwatch(timings)
    texts = [term_text(s) for s in stored]
    X = item_features(np.vstack([s.embedding for s in stored]), texts, term_weight,
                      attributes=item_attributes([s.activity.extra for s in stored]))
    terms = SalientTerms().fit(texts)
    clock.lap("features")
    row_of = {s.activity_id: row for row, s in enumerate(stored)}
    anchors = [[row_of[a] for a in j.activity_ids if a in row_of] for j in owned]
    fit_clustering(clustering, X, stored, anchors)
    clock.lap("clustering")
    latest = stored[-1].activity.timestamp
    proposals_before = [j for j in previous if not user_owns(j)]
    taken = {j.id for j in previous}
    result: list[Journey] = []
    to_name: list[tuple[Journey, NamingRequest]] = []
    kept_owned: set[int] = set()
    for group, anchor, centre, cohesion in zip(
        clustering.clusters_, clustering.anchor_of_, clustering.centres_, clustering.cohesion_
    ):
        if anchor is not None:
            journey = copy.deepcopy(owned[anchor])
            kept_owned.add(anchor)
            if group:
                update_evidence(journey, _evidence(group, stored, X, centre, float(cohesion), terms, latest, max_examples))
            result.append(journey)
            continue
        evidence = _evidence(group, stored, X, centre, float(cohesion), terms, latest, max_examples)
        match = _same_proposal(evidence["activity_ids"], proposals_before)
        if match is not None:
            proposals_before.remove(match)
            journey = copy.deepcopy(match)
            update_evidence(journey, evidence)
        else:
            journey = Journey(id=journey_id(user_id, evidence["activity_ids"][0], taken), user_id=user_id, name="")
            taken.add(journey.id)
            update_evidence(journey, evidence)
            to_name.append((journey, NamingRequest(titles=journey.representative_titles, terms=journey.salient_terms,
                                                   owner=user_id)))
        result.append(journey)
    # Owned journeys without any item (such as an aspiration the user declared) are kept as they are.
    result.extend(copy.deepcopy(j) for i, j in enumerate(owned) if i not in kept_owned)
    # New names stay apart from each other and from the names the user's other journeys keep.
    new = {id(journey) for journey, _ in to_name}
    kept_names = [j.name for j in result if id(j) not in new and j.name]
    to_name = [(journey, dataclasses.replace(request, avoid=kept_names)) for journey, request in to_name]
    clock.lap("features")  # the groups' evidence
    for (journey, _), named in zip(to_name, namer.name_many([request for _, request in to_name])):
        journey.name, journey.name_source = named.name, named.source
        journey.metadata.update(named.metadata)
    clock.lap("naming")
    return result


def _evidence(group, stored, X, centre, cohesion, terms, latest, max_examples) -> dict:
    items = [stored[i] for i in group]
    typical = [items[i].activity.title for i in np.argsort(-(X[group] @ centre))]
    last_seen = items[-1].activity.timestamp
    return {
        "activity_ids": [s.activity_id for s in items],
        "item_ids": list(dict.fromkeys(s.activity.item_id for s in items)),
        "first_seen": items[0].activity.timestamp,
        "last_seen": last_seen,
        "salient_terms": terms.terms_of(group),
        "representative_titles": list(dict.fromkeys(typical))[:max_examples],
        "confidence": _confidence(cohesion, len(group)),
        "active": last_seen >= latest - timedelta(days=DORMANT_AFTER_DAYS),
    }


class _Stopwatch:
    """Adds the seconds since the last lap to a named stage of `timings` (nothing when timings is None)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def group_evidence(stored: Sequence[StoredActivity], rows: Sequence[int], X: np.ndarray, terms: SalientTerms,
                   max_examples: int = 8) -> dict:
    """Evidence fields (items, span, terms, typical titles, confidence, active) of a group of the user's items.

    stored and X hold all of the user's items in time order; rows picks the group's.
    """
    rows = sorted(rows)
    centre = unit_rows(X[rows].mean(axis=0, keepdims=True))[0]
    cohesion = float(np.mean(X[rows] @ centre))
    return _evidence(rows, stored, X, centre, cohesion, terms, stored[-1].activity.timestamp, max_examples)


def update_evidence(journey: Journey, evidence: dict) -> None:
    """Set a journey's evidence fields from group_evidence (or the extraction's own evidence)."""
    for key, value in evidence.items():
        setattr(journey, key, value)


def _same_proposal(activity_ids: Sequence[str], candidates: Sequence[Journey]) -> Journey | None:
    found = set(activity_ids)
    best, best_score = None, SAME_JOURNEY_JACCARD
    for journey in candidates:
        before = set(journey.activity_ids)
        score = len(found & before) / len(found | before) if before else 0.0
        if score >= best_score:
            best, best_score = journey, score
    return best


def term_text(stored: StoredActivity) -> str:
    """The text salient terms are taken from: title, tags and description."""
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
    """Find, name and store one user's journeys, keeping every journey the user acted on; returns the visible ones."""
    stored = history.activities(user_id, with_embeddings=True)
    previous = store.journeys(user_id, include_rejected=True)
    journeys = build_journeys(user_id, stored, clustering or TimeOrderedClustering(), namer, previous)
    return store.replace(user_id, journeys, action="extracted", now=now)
