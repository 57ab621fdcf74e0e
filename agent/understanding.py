"""Offline understanding: which intent a message expresses and with what arguments, by code.

Intents are recognised first by a few precise patterns, then by meaning: sentence-embedding
similarity to the example utterances in prompts/intents.yaml, with the user's own topic
words masked so that "why crochet?" reads like "why this?". Both live in prompts/ for
designers to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import prompts
from journeys.embedding import TextEmbedder
from journeys.journey import Journey
from journeys.references import resolve_journey

# Below this similarity to every example, a message is out of scope.
MIN_SIMILARITY = 0.45
OUT_OF_SCOPE = "out_of_scope"

_SEARCH_FRAME = re.compile(
    r"^\s*(?:when|where|what|which|did|have|do|can you|could you|please)?\b.*?"
    r"\b(?:watch(?:ed)?|read|listen(?:ed)? to|see|saw|play(?:ed)?|search(?:ed)? for|look(?:ed)? (?:at|up)|"
    r"find|found|about|search(?: my history)? for)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Understanding:
    """An intent (a tool name or a reply-only intent such as help) and the tool's arguments."""

    intent: str
    args: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0


class IntentParser:
    """Maps a user's message to an intent and arguments, without a language model."""

    def __init__(self, embedder: TextEmbedder, intents: dict[str, Any] | None = None):
        self.embedder = embedder
        intents = intents if intents is not None else prompts.load_yaml("intents.yaml")
        self.examples: dict[str, list[str]] = intents["examples"]
        self.patterns = [
            (intent, re.compile(pattern, re.IGNORECASE))
            for intent, patterns in intents.get("patterns", {}).items() for pattern in patterns
        ]
        self._labels: list[str] = []
        self._matrix: np.ndarray | None = None

    def _example_matrix(self) -> tuple[list[str], np.ndarray]:
        if self._matrix is None:
            pairs = [(intent, text) for intent, texts in self.examples.items() for text in texts]
            self._labels = [intent for intent, _ in pairs]
            self._matrix = self.embedder.embed([text for _, text in pairs])
        return self._labels, self._matrix

    def classify(self, text: str, topic_words: frozenset[str] = frozenset()) -> tuple[str, float]:
        """The intent of a message and how sure that is: a pattern match (1.0) or the closest examples' similarity."""
        for intent, pattern in self.patterns:
            if pattern.search(text):
                return intent, 1.0
        labels, matrix = self._example_matrix()
        similarity = matrix @ self.embedder.embed([mask_topics(text, topic_words)])[0]
        best = int(np.argmax(similarity))
        if similarity[best] < MIN_SIMILARITY:
            return OUT_OF_SCOPE, float(similarity[best])
        return labels[best], float(similarity[best])

    def parse(self, text: str, journeys: list[Journey], pending: dict[str, Any] | None = None) -> Understanding:
        """Understand one message, given the user's journeys and any question awaiting an answer."""
        intent, confidence = self.classify(text, topic_vocabulary(journeys))
        if pending and intent in (OUT_OF_SCOPE, "explain_journey", "greeting"):
            # An answer to "which journey do you mean?" such as "the second one".
            if resolve_journey(journeys, text).journey is not None:
                return Understanding(pending["intent"], {"journey": text}, confidence)
        if intent == OUT_OF_SCOPE and len(text.split()) <= 4 and resolve_journey(journeys, text).journey is not None:
            # Naming a journey and little else ("crochet?") asks about that journey.
            intent = "explain_journey"
        if intent == "explain_journey":
            return Understanding(intent, {"journey": text}, confidence)
        if intent == "search_history":
            return Understanding(intent, {"query": search_query(text)}, confidence)
        if intent == "list_journeys" and not journeys:
            # First meeting: nothing found yet, so look for journeys before listing them.
            return Understanding("extract_journeys", {}, confidence)
        return Understanding(intent, {}, confidence)


def topic_vocabulary(journeys: list[Journey]) -> frozenset[str]:
    """Words that name the user's topics: words of journey names and salient terms."""
    words: set[str] = set()
    for journey in journeys:
        for phrase in [journey.name, *journey.salient_terms]:
            words.update(w for w in re.findall(r"[^\W_]+", phrase.lower()) if len(w) > 2)
    return frozenset(words)


def mask_topics(text: str, topic_words: frozenset[str]) -> str:
    """The message with topic words replaced by "this", so that its intent, not its topic, is compared."""
    if not topic_words:
        return text
    return re.sub(r"[^\W_]+", lambda m: "this" if m.group(0).lower() in topic_words else m.group(0), text)


def search_query(text: str) -> str:
    """The thing to look for in a search request: "when did I watch the strumming video?" gives "strumming video"."""
    query = _SEARCH_FRAME.sub("", text, count=1).strip(" ?!.")
    query = re.sub(r"^(?:(?:the|a|an|that|this|any|anything|something|stuff|about|on|of|for|regarding)\s+)+", "",
                   query, flags=re.IGNORECASE)
    query = re.sub(r"^(?:video|article|post|podcast|episode|song|track|clip|page|tutorial)s?\s+(?:about|on|of)\s+", "",
                   query, flags=re.IGNORECASE)
    return query or text.strip(" ?!.")
