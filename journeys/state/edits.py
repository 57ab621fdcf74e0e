"""What a user can do to their journeys: confirm, rename, reject, pause, merge, split, steer, add, name, undo.

Each edit is one change in the journey store (one transaction, an event per journey it
touches, so `undo` can revert it) and only ever reads or writes the given user's journeys:
an id of another user's journey is simply not found. Every edited journey becomes the
user's (see extraction.user_owns): re-extraction keeps its name, status and shape.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from journeys.extraction.clustering import unit_rows
from journeys.extraction.pipeline import group_evidence, item_attributes, item_features, term_text, update_evidence
from journeys.extraction.pipeline import journey_id as new_journey_id
from journeys.extraction.terms import SalientTerms
from journeys.history.store import HistoryStore
from journeys.naming.backends import Namer, NamingRequest
from journeys.state.journey import Journey, Status
from journeys.state.store import Change, JourneyStore

MAX_NAME_WORDS, MAX_NAME_CHARS = 10, 80
STEER_DIRECTIONS = ("more", "less")


class EditError(ValueError):
    """An edit that cannot be made; `reason` is a short code replies can be chosen by."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Undone:
    """What an undo reverted: the edit's action and the journeys before and after the undo."""

    action: str
    changes: list[Change]


def clean_user_name(name: str) -> str:
    """A name the user gave, tidied (quotes, spaces, trailing punctuation); raises EditError when unusable."""
    cleaned = re.sub(r"\s+", " ", name)
    for _ in range(2):  # quotes and end punctuation in either order: '"Morning runs".' or '"Morning runs."'
        cleaned = cleaned.strip().rstrip(".!?,;:").strip().strip("\"'“”‘’`")
    if not cleaned:
        raise EditError("bad_name", "the new name is empty; say the name you want, for example: call it “Morning runs”")
    if len(cleaned) > MAX_NAME_CHARS or len(cleaned.split()) > MAX_NAME_WORDS:
        raise EditError(
            "bad_name", f"“{cleaned[:40]}…” is too long for a name; use at most {MAX_NAME_WORDS} words"
        )
    return cleaned[:1].upper() + cleaned[1:]


class JourneyEditor:
    """The edits of one workspace's journeys; history and namer are needed only by split and name."""

    def __init__(self, store: JourneyStore, history: HistoryStore | None = None, namer: Namer | None = None):
        self.store, self.history, self.namer = store, history, namer

    def journey(self, user_id: str, journey_id: str) -> Journey:
        """One of the user's journeys (rejected ones too); EditError when the user has no such journey."""
        found = self.store.get(user_id, journey_id)
        if found is None:
            raise EditError("not_found", f"you have no journey with id {journey_id}")
        return found

    def _set(self, user_id: str, journey_id: str, action: str, **fields: object) -> Journey:
        before = self.journey(user_id, journey_id)
        after = copy.deepcopy(before)
        for key, value in fields.items():
            setattr(after, key, value)
        after.metadata["user_edited"] = True
        self.store.apply(user_id, [Change(before, after)], action)
        return after

    def confirm(self, user_id: str, journey_id: str) -> Journey:
        """The user agrees this is one of their interests (also resumes a paused one)."""
        return self._set(user_id, journey_id, "confirm", status=Status.CONFIRMED)

    def reject(self, user_id: str, journey_id: str) -> Journey:
        """Not an interest of the user's: kept, hidden, and never proposed again from the same evidence."""
        return self._set(user_id, journey_id, "reject", status=Status.REJECTED)

    def pause(self, user_id: str, journey_id: str) -> Journey:
        """A real interest the user does not want now."""
        return self._set(user_id, journey_id, "pause", status=Status.PAUSED)

    def rename(self, user_id: str, journey_id: str, name: str) -> Journey:
        """Give the journey the user's own name; no namer ever replaces it."""
        return self._set(user_id, journey_id, "rename", name=clean_user_name(name), name_source="user")

    def steer(self, user_id: str, journey_id: str, direction: str) -> Journey:
        """Record that the user wants more (or less) of this journey in what they are shown."""
        if direction not in STEER_DIRECTIONS:
            raise EditError("bad_argument", f"steer a journey towards “more” or “less”, not “{direction}”")
        before = self.journey(user_id, journey_id)
        metadata = {**before.metadata, "steer": direction}
        return self._set(user_id, journey_id, "steer", metadata=metadata)

    def add(self, user_id: str, name: str) -> Journey:
        """A journey the user declares (an aspiration): confirmed, named by them, with no items yet."""
        name = clean_user_name(name)
        existing = self.store.journeys(user_id, include_rejected=True)
        same = next((j for j in existing if j.name.lower() == name.lower() and j.status is not Status.REJECTED), None)
        if same is not None:
            raise EditError("exists", f"you already have a journey called “{same.name}”")
        taken = {j.id for j in existing}
        journey = Journey(
            id=new_journey_id(user_id, f"declared:{name.lower()}", taken), user_id=user_id, name=name,
            status=Status.CONFIRMED, name_source="user", metadata={"declared": True, "user_edited": True},
        )
        self.store.apply(user_id, [Change(None, journey)], "add")
        return journey

    def merge(self, user_id: str, journey_ids: Sequence[str], name: str | None = None) -> Journey:
        """One journey from several: the largest keeps its id (and its name, unless a new one is given;
        the first given wins a tie), the others are absorbed."""
        ids = list(dict.fromkeys(journey_ids))
        if len(ids) < 2:
            raise EditError("same_journey", "a merge needs two different journeys")
        parts = [self.journey(user_id, i) for i in ids]
        parts.sort(key=lambda p: -p.size)  # stable: among equals the order given is kept
        target = copy.deepcopy(parts[0])
        for other in parts[1:]:
            target.activity_ids = list(dict.fromkeys(target.activity_ids + other.activity_ids))
            target.item_ids = list(dict.fromkeys(target.item_ids + other.item_ids))
            target.salient_terms = list(dict.fromkeys(target.salient_terms + other.salient_terms))[:8]
            target.representative_titles = list(dict.fromkeys(
                t for pair in zip_longest_titles(target.representative_titles, other.representative_titles) for t in pair
            ))[:8]
            seen = [d for d in (target.first_seen, other.first_seen) if d]
            target.first_seen = min(seen) if seen else None
            seen = [d for d in (target.last_seen, other.last_seen) if d]
            target.last_seen = max(seen) if seen else None
            target.active = target.active or other.active
            target.confidence = max(target.confidence, other.confidence)
        if name:
            target.name, target.name_source = clean_user_name(name), "user"
        if target.status is Status.REJECTED:
            target.status = Status.PROPOSED
        target.metadata.update(user_edited=True, merged_from=[p.id for p in parts])
        self._reorder_activities(user_id, target)
        self.store.apply(user_id, [Change(parts[0], target), *[Change(p, None) for p in parts[1:]]], "merge")
        return target

    def split(self, user_id: str, journey_id: str, parts: Sequence[str] = ()) -> list[Journey]:
        """Two or more journeys from one: by the topics the user names (each item goes to the closest), or,
        without topics, into the two most distinct groups of its items, named by the namer."""
        if self.history is None:
            raise EditError("unavailable", "splitting needs the history store")
        original = self.journey(user_id, journey_id)
        topics = [clean_user_name(p) for p in parts if p.strip()]
        if len(topics) == 1:
            raise EditError("bad_argument", "say at least two parts to split into, or none to let me choose")
        everything = self.history.activities(user_id, with_embeddings=True)
        row_of = {s.activity_id: i for i, s in enumerate(everything)}
        rows = [row_of[a] for a in original.activity_ids if a in row_of]
        if len(rows) < 4:
            items = "1 item" if len(rows) == 1 else f"{len(rows)} items"
            raise EditError("too_small", f"“{original.name}” has only {items}, too few to split")
        X = unit_rows(np.vstack([s.embedding for s in everything]))
        # The parts are refined on the features extraction found the journey with (meaning and the
        # user's salient words, descriptions included), so an item follows the items it was found with.
        features = item_features(X, [term_text(s) for s in everything],
                                 attributes=item_attributes([s.activity.extra for s in everything]))
        labels = self._split_labels(X[rows], topics, features[rows])
        groups = [[r for r, label in zip(rows, labels) if label == k] for k in range(len(topics) or 2)]
        empty = [topics[k] for k, group in enumerate(groups) if not group] if topics else []
        if empty:
            raise EditError("empty_part", f"none of the items of “{original.name}” is about {', '.join(empty)}")
        terms = SalientTerms().fit([term_text(s) for s in everything])
        taken = {j.id for j in self.store.journeys(user_id, include_rejected=True)}
        new: list[Journey] = []
        for k, group in enumerate(groups):
            journey = copy.deepcopy(original) if k == 0 else Journey(
                id=new_journey_id(user_id, everything[group[0]].activity_id, taken), user_id=user_id, name="",
                status=original.status if original.status is not Status.REJECTED else Status.PROPOSED,
            )
            taken.add(journey.id)
            update_evidence(journey, group_evidence(everything, group, X, terms))
            journey.metadata = {**original.metadata, "user_edited": True, "split_from": original.id}
            journey.metadata.pop("merged_from", None)
            if topics:
                journey.name, journey.name_source = topics[k], "user"
            new.append(journey)
        if not topics:
            self._name(new)
        self.store.apply(user_id, [Change(original, new[0]), *[Change(None, j) for j in new[1:]]], "split")
        return new

    def name(self, user_id: str, journey_id: str) -> Journey:
        """A fresh name from the namer, unless the user named the journey (their name is never overwritten)."""
        before = self.journey(user_id, journey_id)
        if before.name_source == "user":
            raise EditError("user_named", f"you named this journey “{before.name}” yourself, so I keep your name")
        if not before.representative_titles:
            raise EditError("too_small", f"“{before.name}” has no items to name it from")
        after = copy.deepcopy(before)
        self._name([after])
        self.store.apply(user_id, [Change(before, after)], "name")
        return after

    def undo(self, user_id: str) -> Undone | None:
        """Revert the user's latest edit not yet undone; None when there is nothing to undo."""
        result = self.store.undo(user_id)
        return Undone(*result) if result else None

    def _name(self, journeys: list[Journey]) -> None:
        if self.namer is None:
            raise EditError("unavailable", "naming needs a namer")
        # Apart from each other and from the names the user's other journeys hold.
        ids = {j.id for j in journeys}
        others = [j.name for j in self.store.journeys(journeys[0].user_id) if j.id not in ids and j.name] if journeys else []
        requests = [NamingRequest(titles=j.representative_titles, terms=j.salient_terms, owner=j.user_id, avoid=others)
                    for j in journeys]
        for journey, named in zip(journeys, self.namer.name_many(requests)):
            journey.name, journey.name_source = named.name, named.source
            journey.metadata = {k: v for k, v in journey.metadata.items() if k not in ("fallback", "rejected_name")}
            journey.metadata.update(named.metadata)

    def _split_labels(self, X: np.ndarray, topics: list[str], features: np.ndarray | None = None) -> list[int]:
        if topics:
            assert self.history is not None
            # Seeded by the topics' own embeddings, then refined on the parts' centres, so that an item
            # without the topic's words ("10 easy songs with 3 chords") follows the items it resembles.
            centres = unit_rows(np.asarray(self.history.embedder.embed(topics), dtype=np.float32))
            labels = np.argmax(X @ centres.T, axis=1)
            F = X if features is None else features
            for _ in range(3):
                if len(set(labels.tolist())) < len(topics):
                    break
                centres = unit_rows(np.vstack([F[labels == k].mean(axis=0) for k in range(len(topics))]))
                labels = np.argmax(F @ centres.T, axis=1)
            return [int(k) for k in labels]
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(X if features is None else features)
        # The part holding the journey's first item keeps the journey's id.
        return [int(label != labels[0]) for label in labels]

    def _reorder_activities(self, user_id: str, journey: Journey) -> None:
        if self.history is None:
            return
        stored = self.history.get(user_id, journey.activity_ids)
        found = [s.activity_id for s in sorted(stored, key=lambda s: s.activity.timestamp)]
        journey.activity_ids = found + [a for a in journey.activity_ids if a not in set(found)]


def zip_longest_titles(first: Sequence[str], second: Sequence[str]) -> list[tuple[str, ...]]:
    """Titles of two journeys taken in turns, so a merged journey shows examples of both."""
    from itertools import zip_longest

    return [tuple(t for t in pair if t) for pair in zip_longest(first, second)]
