"""Choosing a journey's name among candidates: the one that fits the whole group, and no one else's.

A language model's single best guess often fits one item ("Cutting board" over sixteen
woodworking videos), repeats a frequent tag ("Alternative rock" for every rock-ish group) or
invents a detail. So the tuned namer proposes several candidates (beam search), the group's
salient terms add one more, and each candidate that passes the naming rules is scored on:

- coverage: how close the name is, in meaning, to each of the group's items (the mean over
  items, so a name that fits one title and not the others scores low);
- distinction: how much closer it is to its own group than to the owner's other groups;
- grounding: the share of its words that the group itself uses more than once (a detail no
  item mentions, such as "baby" over crochet blankets, is not grounded);
- the model's own preference (its rank among the candidates);
- a penalty when the name copies a title or leans on one (name_rules.narrows_to_one_title).

Names are then given out group by group, best-scoring first, so that no two groups of one
owner get the same or nearly the same name, nor a name their other journeys already hold.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz

from journeys.naming.base import Naming, NamingRequest
from journeys.naming.rules import (
    NEUTRAL_NAME,
    _word_keys,
    check_name,
    drop_unfounded_periods,
    narrows_to_one_title,
)

if TYPE_CHECKING:
    from journeys.history.embedding import TextEmbedder

# The weights of the score's parts, set on the validation split of the naming examples
# (docs/evaluation/naming.md says how the chosen names score on the test split).
COVERAGE, DISTINCTION, GROUNDING, PREFERENCE, NARROWING = 1.0, 0.5, 0.3, 0.03, 1.0
# A name that keeps a decade or year its titles do not bear out (the rules drop such a period
# when the rest is still a name) loses to any candidate without one of similar fit.
INVENTED_PERIOD = 0.3
# Two names of one owner this alike (rapidfuzz token-set ratio, 0-100) are the same name.
SAME_NAME_RATIO = 88


@dataclass(frozen=True)
class Candidate:
    """A proposed name: its text, what proposed it, and its rank among that proposer's answers (0 = preferred)."""

    text: str
    source: str
    rank: int = 0


@dataclass
class _Scored:
    name: str
    source: str
    score: float
    parts: dict[str, float]


_embedder_lock = threading.Lock()
_shared_embedder: TextEmbedder | None = None


def shared_embedder() -> TextEmbedder:
    """The MiniLM embedder the chooser uses, loaded once per process."""
    global _shared_embedder
    with _embedder_lock:
        if _shared_embedder is None:
            from journeys.history.embedding import TextEmbedder

            _shared_embedder = TextEmbedder(device="cpu")
        return _shared_embedder


def same_name(a: str, b: str) -> bool:
    """Whether two names say the same thing ("Alternative rock" and "alternative rock music" do)."""
    keys_a, keys_b = set(_word_keys(a)), set(_word_keys(b))
    if keys_a and keys_a == keys_b:
        return True
    return fuzz.token_set_ratio(a.lower(), b.lower()) >= SAME_NAME_RATIO


def grounding(name: str, titles: Sequence[str], terms: Sequence[str]) -> float:
    """The share of the name's words that the group uses more than once (or among its salient terms)."""
    words = set(_word_keys(name))
    if not words:
        return 0.0
    counts: dict[str, int] = {}
    for title in titles:
        for key in set(_word_keys(title)):
            counts[key] = counts.get(key, 0) + 1
    salient = {key for term in terms for key in _word_keys(term)}
    return sum(counts.get(w, 0) >= 2 or w in salient for w in words) / len(words)


class NameChooser:
    """Scores each group's candidate names and gives every group the best one its owner does not already have."""

    def __init__(self, embedder: TextEmbedder | None = None):
        self._embedder = embedder

    @property
    def embedder(self) -> TextEmbedder:
        return self._embedder or shared_embedder()

    def choose(self, requests: Sequence[NamingRequest], candidates: Sequence[Sequence[Candidate]],
               backend: str, metadata: Sequence[dict[str, Any]] | None = None) -> list[Naming]:
        """One name per request, from its candidates (each passed through the naming rules first)."""
        scored, rejected = self._score_all(requests, candidates)
        names: list[Naming | None] = [None] * len(requests)
        given: dict[str | None, list[str]] = {}
        # Groups whose best candidate is strongest choose first; ties keep the request order.
        order = sorted(range(len(requests)), key=lambda i: -(scored[i][0].score if scored[i] else -np.inf))
        for i in order:
            request = requests[i]
            owner_key = request.owner if request.owner is not None else f"\x00{i}"
            taken = given.setdefault(owner_key, list(request.avoid))
            notes = dict(metadata[i]) if metadata else {}
            pick = next((s for s in scored[i] if not any(same_name(s.name, t) for t in taken)), None)
            if pick is None and scored[i]:
                notes["duplicate_of"] = scored[i][0].name
            if pick is None:
                reason = rejected[i][0][1] if rejected[i] else "no candidate"
                notes.update({"fallback": reason, "rejected_name": rejected[i][0][0][:200]} if rejected[i]
                             else {"fallback": reason})
                names[i] = Naming(NEUTRAL_NAME, backend, notes)
                continue
            taken.append(pick.name)
            notes.update({"candidates": len(scored[i]), "chosen_from": pick.source,
                          "score": round(pick.score, 4)})
            if pick.parts["narrows"]:
                notes["narrows"] = True  # every better-scoring candidate was taken or leaned on one title too
            names[i] = Naming(pick.name, backend, notes)
        return [n for n in names if n is not None]

    def _score_all(self, requests: Sequence[NamingRequest], candidates: Sequence[Sequence[Candidate]]
                   ) -> tuple[list[list[_Scored]], list[list[tuple[str, str]]]]:
        """For each request: its passing candidates, best first, and the (name, reason) of those the rules refused."""
        passing: list[list[tuple[str, Candidate]]] = []
        rejected: list[list[tuple[str, str]]] = []
        for request, proposed in zip(requests, candidates):
            kept, refused, seen = [], [], set()
            for candidate in proposed:
                result = check_name(candidate.text, request.titles)
                if result.problem:
                    refused.append((candidate.text.strip(), result.problem))
                elif result.name.lower() not in seen:
                    seen.add(result.name.lower())
                    kept.append((result.name, candidate))
            passing.append(kept)
            rejected.append(refused)
        # One embedding call for every title and every candidate of the batch.
        titles = [list(r.titles) or [""] for r in requests]
        texts = [t for group in titles for t in group] + [name for kept in passing for name, _ in kept]
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        title_rows, cursor = [], 0
        for group in titles:
            title_rows.append(vectors[cursor:cursor + len(group)])
            cursor += len(group)
        centres = [_unit(rows.mean(axis=0)) for rows in title_rows]
        owners: dict[str | None, list[int]] = {}
        for i, request in enumerate(requests):
            if request.owner is not None:
                owners.setdefault(request.owner, []).append(i)
        result: list[list[_Scored]] = []
        for i, (request, kept) in enumerate(zip(requests, passing)):
            others = [centres[j] for j in owners.get(request.owner, []) if j != i] if request.owner is not None else []
            scored = []
            for name, candidate in kept:
                vector = vectors[cursor]
                cursor += 1
                coverage = float((title_rows[i] @ vector).mean())
                own = float(centres[i] @ vector)
                distinction = own - max(float(c @ vector) for c in others) if others else 0.0
                grounded = grounding(name, request.titles, request.terms)
                narrow = narrows_to_one_title(name, request.titles)
                invented = drop_unfounded_periods(name, request.titles) != name
                parts = {"coverage": coverage, "distinction": distinction, "grounding": grounded,
                         "rank": candidate.rank, "narrows": float(narrow), "invented_period": float(invented)}
                score = (COVERAGE * coverage + DISTINCTION * distinction + GROUNDING * grounded
                         - PREFERENCE * candidate.rank - NARROWING * narrow - INVENTED_PERIOD * invented)
                scored.append(_Scored(name, candidate.source, score, parts))
            scored.sort(key=lambda s: -s.score)
            result.append(scored)
        return result, rejected


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
