"""Naming: turn a group of items (their titles and salient terms) into a short journey name.

Every backend has the same interface (`name_many`), so the command line, the agent and the
evaluation can swap them by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sklearn.feature_extraction.text import CountVectorizer

from journeys.name_rules import NEUTRAL_NAME, check_name
from journeys.settings import Settings
from journeys.terms import STOP_WORDS



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
            return Naming(NEUTRAL_NAME, self.backend, {"fallback": "no salient terms"})
        return checked(" & ".join(chosen), self.backend, request.titles)


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


def checked(name: str, source: str, titles: Sequence[str], metadata: dict[str, Any] | None = None) -> Naming:
    """A backend's raw name after the naming rules; a replaced name says why in its metadata."""
    result = check_name(name, titles)
    notes = dict(metadata or {})
    if result.problem:
        notes.update({"fallback": result.problem, "rejected_name": name.strip()[:200]})
    return Naming(result.name, source, notes)


FEW_SHOT_EXAMPLES = (
    (["Sourdough starter day 3", "Why is my sourdough flat?", "Feeding schedule for a rye starter"], "Sourdough bread baking"),
    (["Couch to 5k week 2", "Best running shoes for flat feet", "How to breathe while running"], "Beginner running"),
)


def few_shot_prompt(request: NamingRequest, max_titles: int = 8) -> str:
    """The prompt of the few-shot backend: an instruction, two solved examples, then the group."""
    parts = ["Name the interest shared by each group of items in a few words.", ""]
    for titles, name in FEW_SHOT_EXAMPLES:
        parts += [f"Items: {'; '.join(titles)}", f"Name: {name}", ""]
    parts += [f"Items: {'; '.join(list(request.titles)[:max_titles])}", "Name:"]
    return "\n".join(parts)


class FewShotNamer:
    """Few-shot prompting of the base language model (the paper's baseline for the tuned namer)."""

    backend = "fewshot"

    def __init__(self, cache: Path, device: str = "auto", batch_size: int = 8):
        self.cache, self.device, self.batch_size = cache, device, batch_size

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """Name each group by completing a two-example prompt with the base model."""
        from journeys.language_model import load_base_model

        model = load_base_model(self.cache, self.device)
        names: list[Naming] = []
        for start in range(0, len(requests), self.batch_size):
            batch = list(requests[start:start + self.batch_size])
            answers = model.complete([few_shot_prompt(r) for r in batch], max_new_tokens=12)
            names += [checked(answer, self.backend, r.titles) for answer, r in zip(answers, batch)]
        return names


# Where the shipped adapter of the tuned namer lives (trained by `journeys namer train`).
SHIPPED_ADAPTER = Path(__file__).parent / "namer_data" / "adapter"


class TunedNamer:
    """The fine-tuned namer: Gemma 3 270M with a LoRA adapter, prompted with the titles alone."""

    backend = "tuned"

    def __init__(self, cache: Path, adapter: Path = SHIPPED_ADAPTER, device: str = "auto", batch_size: int = 16):
        self.cache, self.adapter, self.device, self.batch_size = cache, adapter, device, batch_size

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """Name each group by completing the tuned prompt (no examples needed)."""
        from journeys.language_model import load_tuned_model
        from journeys.namer_training import tuned_prompt

        if not (self.adapter / "adapter_config.json").is_file():
            raise ValueError(
                f"the tuned namer's adapter is not in {self.adapter}; train one with `journeys namer train` "
                "or choose another namer (--namer keywords or fewshot)"
            )
        model = load_tuned_model(self.cache, self.adapter, self.device)
        names: list[Naming] = []
        for start in range(0, len(requests), self.batch_size):
            batch = list(requests[start:start + self.batch_size])
            answers = model.complete([tuned_prompt(r.titles) for r in batch], max_new_tokens=12)
            names += [checked(answer, self.backend, r.titles) for answer, r in zip(answers, batch)]
        return names


NAMERS = ("keywords", "fewshot", "tuned")


def make_namer(backend: str, settings: Settings | None = None) -> Namer:
    """The naming backend with this name; raises ValueError listing the known names."""
    settings = settings or Settings.from_env()
    if backend == "keywords":
        return KeywordNamer()
    if backend == "fewshot":
        return FewShotNamer(settings.home / "cache", settings.device)
    if backend == "tuned":
        adapter = Path(settings.namer_adapter) if settings.namer_adapter else SHIPPED_ADAPTER
        return TunedNamer(settings.home / "cache", adapter, settings.device)
    raise ValueError(f"unknown namer '{backend}'; choose one of {', '.join(NAMERS)}")
