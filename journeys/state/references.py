"""Resolving how a user refers to a journey ("#2", "the second one", "the ukulele one") to the journey."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from journeys.state.journey import Journey
from journeys.words import REFERENCE_FILLER

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
}
# Words that say "a journey" without saying which one.
FILLER = REFERENCE_FILLER
MATCH_THRESHOLD = 80.0   # fuzzy score (0-100) a word needs to count as matching a journey's word
AMBIGUITY_MARGIN = 0.15  # candidates scoring within this much of the best one make the reference ambiguous


@dataclass(frozen=True)
class Resolution:
    """The journey a reference points to, or the candidates when it is ambiguous or unknown."""

    journey: Journey | None
    candidates: list[Journey] = field(default_factory=list)
    # For a journey found by meaning alone (no word matched): how similar it was, in [-1, 1].
    meaning: float | None = None

    @property
    def sure(self) -> bool:
        """Found by id, position or words, or by a meaning close enough to act on without asking."""
        return self.journey is not None and (self.meaning is None or self.meaning >= SURE_MEANING)

    @property
    def ambiguous(self) -> bool:
        return self.journey is None and len(self.candidates) > 1


def resolve_journey(
    journeys: Sequence[Journey],
    reference: str,
    strict: bool = False,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> Resolution:
    """Find the journey meant by a reference: an id, a position ("#2", "second") or words of its name.

    Words are matched (fuzzily) against each journey's name and salient terms first. When none
    matches, a sentence embedder (`embed`, returning unit vectors) compares the reference with
    each journey by meaning ("the garden one" finds "Balcony hydroponics"); without one, and
    unless `strict`, the words are matched weakly against the journeys' evidence titles.
    """
    text = reference.strip().lower()
    if not journeys or not text:
        return Resolution(None)
    for journey in journeys:
        if journey.id.lower() == text:
            return Resolution(journey)
    position = _position(text)
    if position is not None:
        index = position - 1 if position > 0 else len(journeys) + position
        if 0 <= index < len(journeys):
            return Resolution(journeys[index])
        return Resolution(None)
    words = [w for w in re.findall(r"[^\W_]+", text) if w not in FILLER and len(w) > 1]
    if not words:
        return Resolution(None)
    scored = sorted(((_score(words, j, titles=False), j) for j in journeys), key=lambda sj: -sj[0])
    best = scored[0][0]
    if best <= 0:
        if embed is not None:
            return _by_meaning(journeys, words, embed)
        if strict:
            return Resolution(None)
        scored = sorted(((_score(words, j), j) for j in journeys), key=lambda sj: -sj[0])
        best = scored[0][0]
        if best <= 0:
            return Resolution(None)
    close = [j for score, j in scored if score >= best - AMBIGUITY_MARGIN and score > 0]
    if len(close) == 1:
        return Resolution(close[0])
    # The name decides between close candidates when exactly one of them has the words in its name.
    by_name = [j for j in close if _score(words, j, terms=False, titles=False) >= best - 1e-9]
    if len(by_name) == 1:
        return Resolution(by_name[0])
    return Resolution(None, candidates=close)


# A reference compared by meaning must be this similar to a journey (cosine of unit
# sentence embeddings), and this much closer to it than to the next one, to point to it.
# (Measured on the demo personas: a topic word such as "garden" or "music" scores 0.26-0.39
# with its journey and under 0.04 with the others.)
MEANING_THRESHOLD = 0.2
MEANING_MARGIN = 0.08
# Below this, a journey found by meaning is offered ("Do you mean …?") before anything is changed:
# "chicken" is 0.31 from "Birdwatching" but is not it; "jogging" is 0.45 from "Marathon training".
SURE_MEANING = 0.4


def _by_meaning(journeys: Sequence[Journey], words: list[str], embed: Callable[[list[str]], np.ndarray]) -> Resolution:
    """The journey closest in meaning to the reference: to the whole phrase or to any one of its words,
    so that words around the topic ("taking a break from the garden stuff") do not blur it."""
    profiles = [
        f"{j.name}. {', '.join(j.salient_terms[:6])}. {'; '.join(j.representative_titles[:3])}" for j in journeys
    ]
    queries = list(dict.fromkeys([" ".join(words), *words]))
    vectors = np.asarray(embed([*queries, *profiles]))
    similarity = (vectors[len(queries):] @ vectors[:len(queries)].T).max(axis=1)
    order = np.argsort(-similarity)
    best = float(similarity[order[0]])
    if best < MEANING_THRESHOLD:
        return Resolution(None)
    close = [journeys[i] for i in order if similarity[i] >= best - MEANING_MARGIN]
    if len(close) == 1:
        return Resolution(close[0], meaning=best)
    return Resolution(None, candidates=close)


def _position(text: str) -> int | None:
    match = re.fullmatch(r"(?:#|no\.?\s*|number\s+|journey\s+)?(\d{1,3})", text)
    if match is None:
        match = re.search(r"(?:#|\bnumber\s+|\bno\.\s*)(\d{1,3})\b", text)
    if match:
        return int(match.group(1))
    match = re.search(r"\b(?:the\s+)?(" + "|".join(k for k in ORDINALS if k not in {"one", "two", "three", "four", "five", "six"}) + r")\b(?:\s+(?:one|journey|interest))?", text)
    if match:
        return ORDINALS[match.group(1)]
    return None


def _score(words: Sequence[str], journey: Journey, terms: bool = True, titles: bool = True) -> float:
    """Share of the reference's words that match the journey's name, its terms, or (weaker) its evidence titles."""
    name_words = re.findall(r"[^\W_]+", journey.name.lower())
    term_words = [w for term in journey.salient_terms for w in re.findall(r"[^\W_]+", term.lower())] if terms else []
    title_words = [
        w for title in journey.representative_titles for w in re.findall(r"[^\W_]+", title.lower())
    ] if titles else []
    total = 0.0
    for word in words:
        strong = _best(word, name_words + term_words)
        weak = _best(word, title_words) * 0.6
        total += max(strong, weak)
    return total / len(words)


def _best(word: str, candidates: Sequence[str]) -> float:
    best = 0.0
    for candidate in candidates:
        score = fuzz.ratio(word, candidate)
        if score < MATCH_THRESHOLD and len(word) >= 4 and len(candidate) >= 4:
            # Stems: "strumming" vs "strum", "gardens" vs "garden".
            if candidate.startswith(word[:4]) and word.startswith(candidate[:4]):
                score = MATCH_THRESHOLD
        if score >= MATCH_THRESHOLD:
            best = max(best, score / 100.0)
    return best


@dataclass(frozen=True)
class Renumbering:
    """A journey whose number (its place in the list) changed: it was `was`, it is `now`."""

    journey: Journey
    was: int
    now: int


def renumbered(before: Sequence[Journey], after: Sequence[Journey]) -> list[Renumbering]:
    """The journeys listed both before and after a change whose number changed, in their new order
    (rejecting or merging away a journey moves the ones after it up, so "the second one" means another)."""
    was = {journey.id: number for number, journey in enumerate(before, start=1)}
    return [Renumbering(journey, was[journey.id], number) for number, journey in enumerate(after, start=1)
            if journey.id in was and was[journey.id] != number]


# Several journeys by their place in the list: "the first two", "the last 3", "numbers 1 to 3", "1-3".
GROUP = re.compile(
    r"\b(?:the\s+|my\s+)?(?P<end>first|top|last|bottom|final)\s+(?P<count>two|three|four|five|six|couple|[2-9])\b"
    r"(?:\s+of\s+them)?"
    r"|(?:\b(?:numbers?|from)\s+|#)(?P<low>\d{1,2})\s*(?:-|–|to|through|thru|till|until)\s*#?(?P<high>\d{1,2})\b"
    r"|\b(?P<low2>\d{1,2})\s*(?:-|–|through|thru)\s*(?P<high2>\d{1,2})\b",
    re.IGNORECASE,
)
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "couple": 2}


def group_references(text: str, journeys: Sequence[Journey]) -> tuple[list[str], str]:
    """The journeys named by their place as a group ("the first two"), as ids, and the text without those words."""
    found: list[str] = []
    for match in GROUP.finditer(text):
        if match.group("end"):
            count = COUNT_WORDS.get(match.group("count").lower()) or int(match.group("count"))
            chosen = journeys[:count] if match.group("end").lower() in ("first", "top") else journeys[-count:]
        else:
            low = int(match.group("low") or match.group("low2"))
            high = int(match.group("high") or match.group("high2"))
            chosen = journeys[max(low, 1) - 1:high] if low < high else []
        found += [j.id for j in chosen]
    return list(dict.fromkeys(found)), GROUP.sub(" ", text)
