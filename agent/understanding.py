"""Offline understanding: which intent a message expresses and with what arguments, by code.

Intents are recognised first by a few precise patterns, then by meaning: sentence-embedding
similarity to the example utterances in prompts/intents.yaml, with the user's own topic
words masked so that "why crochet?" reads like "why this?". Both live in prompts/ for
designers to edit.

Topic words come from item text (journey names, salient terms), which anyone can write, so they only
ever help to read a message: they never hide a command's own words ("undo" still undoes for someone
who watches talks on undo/redo editors), a pending "which journey?" question is completed only by a
message that is nothing but an answer to it, and a change recognised only by a loose likeness is asked
about before it is made.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import prompts
from agent.arguments import ARGUMENT_READERS as _ARGUMENT_READERS
from agent.arguments import Today, read_period, read_search, search_topic, without_period
from journeys.history.embedding import TextEmbedder
from journeys.state.journey import Journey
from journeys.state.references import resolve_journey
from tools import CHANGING_TOOLS

# Below this similarity to every example, a message is out of scope.
MIN_SIMILARITY = 0.45
OUT_OF_SCOPE = "out_of_scope"



@dataclass(frozen=True)
class Understanding:
    """An intent (a tool name or a reply-only intent such as help) and the arguments of its tool calls.

    Most messages make one call; some make several of the same tool ("confirm 1 and 3",
    "more ukulele, less crochet").
    """

    intent: str
    calls: tuple[dict[str, Any], ...] = ({},)
    confidence: float = 1.0
    # A change recognised only by a loose likeness to the examples: asked about ("Do you want me to …?")
    # before it is made.
    ask: bool = False

    @property
    def args(self) -> dict[str, Any]:
        """The arguments of the first (usually only) call."""
        return self.calls[0] if self.calls else {}


def understood(intent: str, args: dict[str, Any] | None = None, confidence: float = 1.0) -> Understanding:
    """An understanding with one tool call."""
    return Understanding(intent, (args or {},), confidence)


# Below this similarity (and above MIN_SIMILARITY), a request about journeys that names no
# journey is taken as out of scope rather than answered with "which journey?".
UNSURE = 0.55


def _names_a_journey(calls: Sequence[dict[str, Any]], journeys: list[Journey]) -> bool:
    ids = {j.id for j in journeys}
    for args in calls:
        if "journey" not in args and "journeys" not in args:
            return True  # a request that needs no journey (search, add, ...)
        named = [args["journey"]] if "journey" in args else list(args["journeys"])
        if any(value in ids for value in named):
            return True
    return False


# A message that speaks of journeys as such ("my woodworking hobby") is about journeys, even one the user lacks.
_MENTIONS_JOURNEYS = re.compile(r"\b(?:journeys?|interests?|hobby|hobbies)\b", re.IGNORECASE)

# Requests that change nothing, and how like one of them a message about journeys must be to be taken for it.
_READ_ONLY_INTENTS = frozenset({"recommend", "explain_journey", "list_journeys", "search_history"})
VAGUE = 0.3

# Intents that change the user's journeys: one recognised only loosely is asked about first.
CHANGES = CHANGING_TOOLS

# Reply-only intents: answered from a template, no tool.
REPLY_ONLY = frozenset({"help", "greeting", OUT_OF_SCOPE, "cancelled"})
# A yes and nothing else: "Do you mean Hydroponics?" "Yes, please." ("ok, what did I watch?" is a new question.)
YES_ONLY = re.compile(r"^(?=.*\b(?:yes|yep|yeah|yup|sure|correct|right|exactly|indeed|ok|okay|please do|do it|go ahead|"
                      r"of course|absolutely|definitely|that one|that's (?:the one|it|right)|that is the one|i do|i did)\b)"
                      r"(?:(?:yes|yep|yeah|yup|sure|correct|right|exactly|indeed|that one|that's the one|that is the one|"
                      r"that's it|that's right|ok|okay|please|please do|do it|go ahead|thanks|thank you|of course|"
                      r"absolutely|definitely|i do|i did|and|just)[\s,.!]*)+$", re.IGNORECASE)
_CANCEL = re.compile(r"^\s*(never ?mind|cancel|forget (it|that)|nothing|none( of them)?|no(pe)?|stop|neither)\b", re.IGNORECASE)
# What may follow a cancelling word in a message that only cancels ("never mind, leave it").
_CANCEL_REST = frozenset("""
it that this leave them alone thanks thank you ok okay fine forget please then all good i i'm im am don't dont do
want to anymore mind nothing none of those neither just skip actually sorry as is be let's lets
""".split())
# Words an answer to "which journey do you mean?" may have around the journey it names ("no, I mean the second one").
_ANSWER_WORDS = frozenset("""
the a an one ones journey interest number no nope not i mean meant it's its is it that's thats that this sorry oh ah
um er please thanks thank you ok okay yes yeah yep well actually rather instead about my then fine so go with let's
lets how what try and or maybe perhaps i'd guess
""".split())
# A greeting in front of a request ("hey, what do you think I'm into?"): the request is what counts.
_GREETING_LEAD = re.compile(r"^\s*(?:hey|hi|hello|hiya|howdy|yo|good (?:morning|afternoon|evening))"
                            r"(?: (?:there|again|you|all|friend))?\b[\s,!.:;-]*",
                            re.IGNORECASE)
# A question about what the user is into, naming no topic: the list of journeys, not a confirmation.
_WHAT_AM_I_INTO = re.compile(
    r"^(?:(?:so|and|ok(?:ay)?|well|then|right|hmm+)\b[\s,]*)*"
    r"(?:(?:can|could|would) you |please |just )*(?:tell me|show me|guess|do you know|any idea|have a guess at)?[\s,]*"
    r"(?:what|which)\b(?:(?!\b(?:next|should|new|else)\b|\b(?:would|could|might)\s+i\b)[^?])*?"
    r"\b(?:i'?m|i am|i was|i've been|i have been|am i|was i|i)\s+(?:really |mostly |actually |most |so |all )?"
    r"(?:into|interested in|like|love|enjoy|care about|keen on|passionate about|drawn to|obsessed with|about)"
    r"(?:\s+(?:lately|these days|right now|at the moment|now|recently|then|most|the most|nowadays))?"
    r"(?:,?\s*(?:do you think|would you say|based on|from|judging by|according to|going by)\b[^?]*)?\s*[?.!]*$",
    re.IGNORECASE,
)
# Journeys that belong together: a merge ("the top two belong together", "mash 1 and 3 into one").
_TOGETHER = re.compile(r"\b(?:together|into one|one and the same)\b", re.IGNORECASE)

# Intents a message naming a time is read as a search of the history in, when it asks what the user did
# then: "anything from 2019?" is not out of scope. (A request recognised by its pattern otherwise keeps its
# intent, time and all: "pause crochet until spring". One recognised only by its likeness to examples is a
# search when it asks about the history: "stuff I watched last spring" is not a rejection.)
_TIMELESS_INTENTS = frozenset({"search_history", "list_journeys", "explain_journey", "greeting", "help", OUT_OF_SCOPE})

# Words that say a message is about what the user did, whatever else it says.
_HISTORY_WORDS = re.compile(
    r"\b(?:watched|read|saw|seen|listened|heard|looked (?:at|up|for)|searched|played|liked|saved|visited|bookmarked|"
    r"my (?:history|activity|activities)|(?:video|article|post|podcast|episode|song|track|clip|tutorial|page)s?)\b",
    re.IGNORECASE)
# How a question about a time starts: "anything on yarn from June?", "what about May?".
_ASKS_ABOUT_A_TIME = re.compile(r"^(?:any|anything|something|stuff|what about|how about|and)\b", re.IGNORECASE)


def _about_the_history(text: str) -> bool:
    """Whether a message that names a time asks what the user did then: it says so ("stuff I watched"), asks
    so ("anything on yarn from June?"), or names nothing else ("anything from 2019?", "and in April?")."""
    return bool(_HISTORY_WORDS.search(text) or _ASKS_ABOUT_A_TIME.search(text)) or not search_topic(text)


_EXAMPLE_VECTORS: "weakref.WeakKeyDictionary[TextEmbedder, dict[tuple[str, ...], np.ndarray]]" = weakref.WeakKeyDictionary()


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
            # The examples' embeddings are shared by every parser over the same embedder (one per graph).
            known = _EXAMPLE_VECTORS.setdefault(self.embedder, {})
            key = tuple(text for _, text in pairs)
            if key not in known:
                known[key] = self.embedder.embed(list(key))
            self._matrix = known[key]
        return self._labels, self._matrix

    def classify(self, text: str, topic_words: frozenset[str] = frozenset()) -> tuple[str, float]:
        """The intent of a message and how sure that is: a pattern match (1.0) or the closest examples' similarity.

        The patterns look at the message with the user's topic words masked, so that a journey called
        "Drop shot fishing" does not make "confirm the drop shot one" a rejection; when the masked
        message matches no pattern, the message as written is tried, so that topic words (which come
        from item text) never hide a command: with a journey called "Great train journeys", "what are
        my journeys?" still lists them, and with one about undo/redo editors "undo" still undoes. The
        examples are compared with the masked message, but a message that is like no example as written
        is only taken for a request when the masked message is clearly like one.
        """
        plain = normalise(text)
        masked = mask_topics(plain, topic_words)
        intent = self.pattern_intent(masked)
        if intent is None and masked != plain:
            intent = self.pattern_intent(plain)
        if intent is not None:
            return intent, 1.0
        label, similarity = self.closest(masked)
        if similarity < MIN_SIMILARITY:
            return OUT_OF_SCOPE, similarity
        if masked != plain and similarity < UNSURE and self.closest(plain)[1] < MIN_SIMILARITY:
            # Like a request only once topic words are masked, and only vaguely: the masking, not the user's
            # words, made it one ("what did bob watch?" is not "what should I watch?" because of a Bob Ross journey).
            return OUT_OF_SCOPE, similarity
        return label, similarity

    def pattern_intent(self, text: str) -> str | None:
        """The intent whose pattern a message matches first, if any."""
        if _WHAT_AM_I_INTO.search(text):
            return "list_journeys"
        if _TOGETHER.search(text) and not _HISTORY_WORDS.search(text):
            return "merge_journeys"
        for intent, pattern in self.patterns:
            if pattern.search(text):
                return intent
        return None

    def closest(self, masked: str, among: frozenset[str] | None = None) -> tuple[str, float]:
        """The intent whose example is closest in meaning to a (masked) message, of the given intents or any."""
        labels, matrix = self._example_matrix()
        similarity = matrix @ self.embedder.embed([masked])[0]
        allowed = [i for i, label in enumerate(labels) if among is None or label in among]
        best = max(allowed, key=lambda i: similarity[i])
        return labels[best], float(similarity[best])

    def parse(
        self,
        text: str,
        journeys: list[Journey],
        pending: dict[str, Any] | None = None,
        focus: str | None = None,
        first_turn: bool = False,
        today: Today | None = None,
        previous_search: dict[str, Any] | None = None,
    ) -> Understanding:
        """Understand one message, given the user's visible journeys, a question awaiting an answer
        (pending: the request that needs a journey), the journey last talked about (focus: its id),
        whether this is the first message of the conversation, the day that "last week" or "in
        February" count back from (today, asked only when needed; default: the calendar's today), and
        the arguments of the last search (for "what about in April?")."""
        text = strip_greeting(normalise(text))
        if pending:
            # Only an answer completes the request waiting for "which journey do you mean?" (or "do you
            # want me to …?"); anything else is read as a new message, and the question is dropped.
            if pending.get("calls") and YES_ONLY.match(text):
                return Understanding(pending["intent"], tuple(pending["calls"]))
            offered = pending.get("offered") or []
            if len(offered) == 1 and YES_ONLY.match(text):
                # "Do you mean Hydroponics?" "Yes."
                return understood(pending["intent"], {**pending.get("args", {}), "journey": offered[0]})
            answer = answer_to_which(text, journeys)
            if answer is not None:
                # "the second one", "no, the ukulele one", "2"
                return understood(pending["intent"], {**pending.get("args", {}), "journey": answer.id})
            if only_cancels(text):
                return understood("cancelled")
        intent, confidence = self.classify(text, topic_vocabulary(journeys))
        if intent in _TIMELESS_INTENTS or confidence < 1.0:
            period = read_period(text, today)
            if period is not None and (intent == "search_history" or _about_the_history(without_period(text, period))):
                # A time names what to look for in the history ("anything from 2019?", "and in April?").
                _, calls = read_search(text, journeys, focus, None, today, previous_search)
                return Understanding("search_history", tuple(calls), confidence)
        if intent == OUT_OF_SCOPE and len(text.split()) <= 4 and answer_to_which(text, journeys):
            # Naming a journey and nothing else ("crochet?") asks about that journey ("what did bob watch?" does not).
            intent = "explain_journey"
        elif intent == OUT_OF_SCOPE and _MENTIONS_JOURNEYS.search(text):
            # "what would suit my woodworking hobby?": about journeys, if only vaguely; the closest request
            # that changes nothing answers it (and says when there is no such journey).
            label, similarity = self.closest(mask_topics(text, topic_vocabulary(journeys)), _READ_ONLY_INTENTS)
            if similarity >= VAGUE:
                intent, confidence = label, similarity
        if intent == "greeting" and first_turn:
            intent = "list_journeys"  # first meeting: present the journeys straight away
        if intent == "list_journeys" and not journeys:
            # First meeting: nothing found yet, so look for journeys before listing them.
            return understood("extract_journeys", {}, confidence)
        reader = _ARGUMENT_READERS.get(intent)
        if reader is None:
            return Understanding(intent, ({},), confidence, ask=intent in CHANGES and confidence < UNSURE)
        if intent == "search_history":
            intent, calls = read_search(text, journeys, focus, self.embedder.embed, today, previous_search)
        else:
            intent, calls = reader(text, journeys, focus, self.embedder.embed)
        if confidence < UNSURE and not _names_a_journey(calls, journeys) and not _MENTIONS_JOURNEYS.search(text):
            # Only vaguely like a request about journeys, and naming none: not about journeys at all
            # ("can you book me a train to Edinburgh?").
            return understood(OUT_OF_SCOPE, {}, confidence)
        return Understanding(intent, tuple(calls), confidence, ask=intent in CHANGES and confidence < UNSURE)


def answer_to_which(text: str, journeys: list[Journey]) -> Journey | None:
    """The journey a message names when the message is nothing but an answer to "which journey do you mean?":
    "the second one", "2", "no, the ukulele one". Every word must be part of the answer ("what did bob watch?"
    is a question even when "bob" names a journey), and a number must be a place in the list ("-1" is not)."""
    words = re.findall(r"[#-]?\d+|[^\W_][\w'-]*", text.lower())
    core = " ".join(w for w in words if w not in _ANSWER_WORDS)  # "2 please" is "2"
    found = resolve_journey(journeys, core, strict=True).journey if core else None
    found = found or resolve_journey(journeys, text, strict=True).journey
    if found is None:
        return None
    own_words = set(re.findall(r"[^\W_][\w'-]*", found.name.lower()))
    for word in words:
        if word in _ANSWER_WORDS or word in own_words:
            continue
        alone = resolve_journey(journeys, word, strict=True)
        if alone.journey is not found and found not in alone.candidates:
            return None
    return found


def only_cancels(text: str) -> bool:
    """Whether a message drops the question and says nothing else: "never mind", "no, leave it"."""
    match = _CANCEL.match(text)
    if match is None:
        return False
    rest = re.findall(r"[^\W_][\w'-]*", text[match.end():].lower())
    return set(rest) <= _CANCEL_REST


def normalise(text: str) -> str:
    """Typographic apostrophes as plain ones, runs of spaces as one."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).strip()


def strip_greeting(text: str) -> str:
    """The request after a greeting ("hey, what am I into?" gives "what am I into?"); a greeting alone stays."""
    rest = _GREETING_LEAD.sub("", text, count=1)
    return rest if len(rest.split()) >= 2 and rest != text else text


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


def pattern_reader() -> Any:
    """The pattern reader as the understanding evaluation calls readers: (message, conversation) -> request.

    Kept to compare the learned understanding with (journeys/evaluation/understanding.py) and to decide,
    with a chat model, which changes the user's own message asked for (agent/authorisation.py).
    """
    from journeys.history.embedding import TextEmbedder
    from journeys.understanding.requests import Conversation, Request

    parser = IntentParser(TextEmbedder(device="cpu"))
    names = {"cancelled": "cancel"}

    def read_message(text: str, conversation: Conversation) -> Request:
        pending = conversation.pending or {}
        if pending.get("kind") == "which":
            pending = {"intent": pending["intent"], "args": pending.get("args") or {},
                       "offered": pending.get("offered") or []}
        elif pending.get("kind") == "yes_no":
            pending = {"intent": pending["intent"], "calls": pending.get("calls") or [{}]}
        understanding = parser.parse(text, conversation.journeys, pending or None, conversation.focus,
                                     today=conversation.today)
        ids = {j.id for j in conversation.journeys}
        named = [value for call in understanding.calls for key in ("journey", "journeys") if key in call
                 for value in (call[key] if isinstance(call[key], list) else [call[key]])]
        # A reference left as the user's words makes the tool ask which journey is meant: a question, not a change.
        unresolved = understanding.intent != "recommend" and any(value not in ids for value in named)
        return Request(names.get(understanding.intent, understanding.intent), tuple(understanding.calls),
                       clarify=unresolved, ask=understanding.ask, confidence=understanding.confidence)

    return read_message
