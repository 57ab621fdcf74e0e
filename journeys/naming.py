"""Naming: turn a group of items (their titles and salient terms) into a short journey name.

Every backend has the same interface (`name_many`), so the command line, the agent and the
evaluation can swap them by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sklearn.feature_extraction.text import CountVectorizer

from journeys.terms import STOP_WORDS

FALLBACK_NAME = "Unnamed interest"


@dataclass(frozen=True)
class NamingRequest:
    """What a namer sees of one group of items."""

    titles: Sequence[str]
    terms: Sequence[str] = ()


@dataclass(frozen=True)
class Naming:
    """A namer's answer: the name, which backend gave it, and notes (such as a fallback)."""

    name: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)


class Namer(Protocol):
    """A naming backend."""

    backend: str

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """One name for each request, in order."""
        ...


class KeywordNamer:
    """Baseline: the group's strongest salient terms, joined into a short phrase."""

    backend = "keywords"

    def __init__(self, max_terms: int = 2):
        self.max_terms = max_terms

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """Name each group from its terms (or, without terms, its most frequent title words)."""
        return [self._name(request) for request in requests]

    def _name(self, request: NamingRequest) -> Naming:
        terms = list(request.terms) or frequent_terms(request.titles)
        chosen = terms[: self.max_terms]
        if not chosen:
            return Naming(FALLBACK_NAME, self.backend, {"fallback": "no salient terms"})
        phrase = " & ".join(chosen)
        return Naming(phrase[:1].upper() + phrase[1:], self.backend)


def frequent_terms(titles: Sequence[str], limit: int = 4) -> list[str]:
    """Words and two-word phrases found in most of the titles, most frequent first."""
    if not titles:
        return []
    vectorizer = CountVectorizer(
        stop_words=STOP_WORDS, ngram_range=(1, 2), binary=True, token_pattern=r"(?u)\b[^\W\d_][^\W_]+\b"
    )
    try:
        counts = vectorizer.fit_transform(titles).sum(axis=0).A1
    except ValueError:
        return []
    vocabulary = vectorizer.get_feature_names_out()
    ranked = Counter({term: int(count) for term, count in zip(vocabulary, counts)})
    chosen: list[str] = []
    for term, count in sorted(ranked.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0])):
        if len(chosen) >= limit:
            break
        if any(set(term.split()) & set(other.split()) for other in chosen):
            continue
        chosen.append(term)
    return chosen


NAMERS = {"keywords": KeywordNamer}


def make_namer(backend: str) -> Namer:
    """The naming backend with this name; raises ValueError listing the known names."""
    try:
        return NAMERS[backend]()
    except KeyError:
        raise ValueError(f"unknown namer '{backend}'; choose one of {', '.join(sorted(NAMERS))}") from None
