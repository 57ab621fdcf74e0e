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

from journeys.name_choice import Candidate, NameChooser
from journeys.name_rules import NEUTRAL_NAME, check_name
from journeys.settings import Settings
from journeys.terms import STOP_WORDS



@dataclass(frozen=True)
class NamingRequest:
    """What a namer sees of one group of items.

    owner: whose journey this is; a namer keeps the names of one owner's requests apart and
    prefers names that tell each group from the owner's others. avoid: names the owner's other
    journeys already have, which a new name must not repeat.
    """

    titles: Sequence[str]
    terms: Sequence[str] = ()
    owner: str | None = None
    avoid: Sequence[str] = ()


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


# Candidate names the tuned namer proposes per group, and the longest name it may write (tokens).
CANDIDATES, NAME_TOKENS = 4, 12

# Where the shipped adapter of the tuned namer lives (trained by `journeys namer train`).
SHIPPED_ADAPTER = Path(__file__).parent / "namer_data" / "adapter"


class TunedNamer:
    """The fine-tuned namer: Gemma 3 270M with a LoRA adapter, prompted with the titles alone.

    It proposes `candidates` names per group by beam search, adds the group's salient-terms
    name, and keeps the one that fits the whole group best (journeys.name_choice); with
    candidates=1 it gives its single greedy answer, as the paper's namer does.
    """

    backend = "tuned"

    def __init__(self, cache: Path, adapter: Path = SHIPPED_ADAPTER, device: str = "auto", batch_size: int = 16,
                 candidates: int = CANDIDATES, chooser: NameChooser | None = None):
        self.cache, self.adapter, self.device, self.batch_size = cache, adapter, device, batch_size
        self.candidates = candidates
        self.chooser = chooser or NameChooser()

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
        requests = list(requests)
        if self.candidates <= 1:
            names: list[Naming] = []
            for start in range(0, len(requests), self.batch_size):
                batch = requests[start:start + self.batch_size]
                answers = model.complete([tuned_prompt(r.titles) for r in batch], max_new_tokens=NAME_TOKENS)
                names += [checked(answer, self.backend, r.titles) for answer, r in zip(answers, batch)]
            return names
        proposed: list[list[str]] = []
        for start in range(0, len(requests), self.batch_size):
            batch = requests[start:start + self.batch_size]
            found = model.candidates([tuned_prompt(r.titles) for r in batch], self.candidates, NAME_TOKENS)
            proposed += [[text for text, _ in answers] for answers in found]
        return self.chooser.choose(requests, with_keywords(requests, proposed, self.backend), self.backend)


def with_keywords(requests: Sequence[NamingRequest], proposed: Sequence[Sequence[str]], source: str
                  ) -> list[list[Candidate]]:
    """Each request's model candidates (best first) plus its salient-terms name, ranked last."""
    result = []
    for request, texts in zip(requests, proposed):
        candidates = [Candidate(text, source, rank) for rank, text in enumerate(texts)]
        # Only extraction's salient terms (titles, tags, descriptions): words picked from bare
        # titles such as artist names would only list items.
        if request.terms:
            candidates.append(Candidate(" & ".join(request.terms[:2]), "keywords", len(texts)))
        result.append(candidates)
    return result


class RemoteNamerError(Exception):
    """The remote namer gave no usable answer (down, too slow, or a malformed reply)."""


class RemoteNamer:
    """The tuned namer on another host: a `journeys namer serve` process, or any server with the
    OpenAI completions API (vLLM, ...) hosting the same model.

    The prompt is built here and the naming rules are applied here, so a remote name obeys the
    same rules as a local one. Each request waits at most `timeout` seconds and is retried
    `retries` times (with a short exponential back-off) on connection errors, timeouts and
    5xx answers. When the host still cannot answer, the groups are named by the `fallback`
    namer; the fallback is visible: a warning is logged, each such name says so in its
    metadata, and `last_fallback` holds the reason. After a failure the host is left alone for
    `retry_after` seconds so that a dead host does not slow every call down.
    """

    backend = "remote"

    def __init__(self, url: str, fallback: Namer, model: str = "journeys-namer", timeout: float = 30.0,
                 retries: int = 2, retry_after: float = 30.0, batch_size: int = 64, candidates: int = CANDIDATES,
                 chooser: NameChooser | None = None):
        self.url, self.fallback, self.model = url.rstrip("/"), fallback, model
        self.timeout, self.retries, self.retry_after, self.batch_size = timeout, retries, retry_after, batch_size
        self.candidates = candidates
        self.chooser = chooser or NameChooser()
        self.last_fallback: str | None = None
        self._down_until = 0.0

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """Name each group on the remote host, or with the fallback namer when it cannot answer.

        The host is asked for `candidates` beam-search answers per prompt (OpenAI's `n`, with
        vLLM's `use_beam_search`), and the name is chosen here as the local tuned namer chooses.
        """
        import time

        from journeys.namer_training import tuned_prompt

        requests = list(requests)
        if not requests:
            return []
        if time.monotonic() < self._down_until:
            return self._fall_back(requests, self.last_fallback or "the remote namer was unreachable")
        proposed: list[list[str]] = []
        try:
            for start in range(0, len(requests), self.batch_size):
                batch = requests[start:start + self.batch_size]
                proposed += self._complete([tuned_prompt(r.titles) for r in batch])
        except RemoteNamerError as exc:
            self._down_until = time.monotonic() + self.retry_after
            answered = requests[:len(proposed)]
            return self._named(answered, proposed) + self._fall_back(requests[len(proposed):], str(exc))
        self.last_fallback = None
        return self._named(requests, proposed)

    def _named(self, requests: list[NamingRequest], proposed: list[list[str]]) -> list[Naming]:
        if not requests:
            return []
        host = {"host": self.url}
        if self.candidates <= 1:
            return [checked(texts[0], self.backend, r.titles, host) for texts, r in zip(proposed, requests)]
        return self.chooser.choose(requests, with_keywords(requests, proposed, self.backend), self.backend,
                                   [host] * len(requests))

    def _complete(self, prompts: list[str]) -> list[list[str]]:
        import httpx
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        class Retryable(Exception):
            pass

        def attempt() -> list[str]:
            try:
                response = httpx.post(
                    f"{self.url}/v1/completions",
                    json={"model": self.model, "prompt": prompts, "max_tokens": NAME_TOKENS, "temperature": 0.0,
                          "stop": ["\n"], "n": max(1, self.candidates),
                          **({"use_beam_search": True} if self.candidates > 1 else {})},
                    timeout=self.timeout,
                )
            except httpx.TimeoutException:
                raise Retryable(f"no answer from the remote namer at {self.url} within {self.timeout:g} s") from None
            except httpx.TransportError as exc:
                raise Retryable(f"cannot reach the remote namer at {self.url} ({exc})") from None
            if response.status_code >= 500:
                raise Retryable(f"the remote namer at {self.url} failed with HTTP {response.status_code}")
            if response.status_code != 200:
                raise RemoteNamerError(
                    f"the remote namer at {self.url} refused the request with HTTP {response.status_code}: "
                    f"{response.text[:200]}"
                )
            return _completion_texts(response, len(prompts), self.url, max(1, self.candidates))

        try:
            for trial in Retrying(
                stop=stop_after_attempt(self.retries + 1), wait=wait_exponential(multiplier=0.2, max=2.0),
                retry=retry_if_exception_type(Retryable), reraise=True,
            ):
                with trial:
                    return attempt()
        except Retryable as exc:
            raise RemoteNamerError(f"{exc}, after {self.retries + 1} attempts") from None
        raise AssertionError("unreachable")

    def _fall_back(self, requests: list[NamingRequest], reason: str) -> list[Naming]:
        import logging

        self.last_fallback = reason
        logging.getLogger("journeys.naming").warning(
            "%s; naming %d group(s) with the local %s namer instead", reason, len(requests), self.fallback.backend
        )
        named = self.fallback.name_many(requests)
        return [
            Naming(n.name, n.source, {**n.metadata, "remote_fallback": reason}) for n in named
        ]


def _completion_texts(response: Any, prompts: int, url: str, per_prompt: int = 1) -> list[list[str]]:
    """The texts of an OpenAI completions answer, per prompt in order (choice i*n+j is prompt i's answer j).

    A host that ignores `n` and answers once per prompt gives one candidate each; any other
    shape is a malformed answer.
    """
    try:
        choices = response.json()["choices"]
        texts = {int(choice["index"]): str(choice["text"]) for choice in choices}
        n = per_prompt if len(texts) == prompts * per_prompt else 1
        return [[texts[i * n + j] for j in range(n)] for i in range(prompts)]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteNamerError(f"the remote namer at {url} sent a malformed answer ({exc!r})") from None


NAMERS = ("keywords", "fewshot", "tuned", "remote")


def make_namer(backend: str, settings: Settings | None = None) -> Namer:
    """The naming backend with this name; raises ValueError listing the known names."""
    settings = settings or Settings.from_env()
    if backend == "keywords":
        return KeywordNamer()
    if backend == "fewshot":
        return FewShotNamer(settings.cache_dir, settings.device)
    if backend == "tuned":
        adapter = Path(settings.namer_adapter) if settings.namer_adapter else SHIPPED_ADAPTER
        return TunedNamer(settings.cache_dir, adapter, settings.device, candidates=settings.namer_candidates)
    if backend == "remote":
        if settings.namer_fallback == "remote":
            raise ValueError("the remote namer cannot fall back to itself; set JOURNEYS_NAMER_FALLBACK to tuned or keywords")
        return RemoteNamer(
            settings.namer_url, make_namer(settings.namer_fallback, settings), settings.namer_model,
            settings.namer_timeout, settings.namer_retries, candidates=settings.namer_candidates,
        )
    raise ValueError(f"unknown namer '{backend}'; choose one of {', '.join(NAMERS)}")
