"""From what the model read to the request to carry out: the few decisions code still makes, in one place.

The model says what the message asks (the intent) and which words name what (spans); code
turns words into journeys (the place in the list, the name's words with typos allowed, then
meaning), reads dates, and keeps changes safe:
- a change is made only for a journey the message names unambiguously, or for "it" when one
  journey was just talked about; words that name no journey, or several, get one question
  naming the candidates, never the journey last discussed;
- a change the model is unsure of is asked about ("Do you want me to ...?") before it is made;
- "undo" is always undo (while "Do you want me to ...?" waits, it drops the change asked about, which was never
  made), and an answer completes the question it answers, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from journeys.state.journey import Journey, Status
from journeys.state.references import group_references, resolve_journey
from journeys.understanding.model import Reading
from journeys.understanding.periods import read_period
from journeys.words import REFERENCE_FILLER, VERBS, gerund

# Intents that change the user's journeys.
CHANGES = frozenset({"confirm_journey", "reject_journey", "pause_journey", "rename_journey", "name_journey",
                     "merge_journeys", "split_journey", "steer_journey", "add_journey"})
# Below this probability of its intent a change is asked about before it is made (chosen on the dev split: no wrong
# change there, fewest questions); so is a change a word the tagger hesitates over could alter (model.HESITANT).
CHANGE_SURE = 0.9
# Span labels that refer to a journey (a steering direction is a reference too).
REFERENCES = ("JOURNEY", "MORE", "LESS")
# Requests that only look (a suggestion, a search): a word the tagger almost took as their topic is taken.
LOOKING = frozenset({"recommend", "search_history", "unassigned"})
# Readings a reply to "which one?" may get when it names a journey by a word of its name ("the undo one then" for
# "Undo & editors"): then it is the answer. "undo", "undo the last thing" always undo.
NOT_A_REQUEST = frozenset({"undo", "out_of_scope", "help", "small_talk", "greeting", "thanks"})
# A reference by number alone: "0", "#7", "no. 3", "number 12".
NUMBER_REFERENCE = re.compile(r"(?:#|no\.?\s*|number\s+)?-?\d+", re.IGNORECASE)
# Requests that can give a new name.
NAMING = frozenset({"rename_journey", "name_journey", "merge_journeys", "add_journey"})
ONE_BY_WORD = re.compile(r"\bthe [^\W\d_]+ one\b", re.IGNORECASE)
# At most this many words and naming a journey: a bare name ("bob ross"), an answer to "which one?".
BARE_ANSWER_WORDS = 3
# Requests "the same for the chickens one" can repeat: those made for one journey.
REPEATABLE = frozenset({"confirm_journey", "reject_journey", "pause_journey", "explain_journey", "recommend",
                        "name_journey", "split_journey"})
# A reference by pronoun: the journey just talked about.
PRONOUN = re.compile(r"(?:that one|this one|that journey|this journey|that thing|this thing|that|this|it|there|"
                     r"the same|same one)", re.IGNORECASE)
# Words that may trail a new name without being part of it ("call it Road bikes instead, thx").
TRAILING = re.compile(r"(?:[\s,.!]+(?:please|pls|plz|instead|instad|insted|thanks|thanx|thnx|thank you|thx|ty|tbh|lol|if you can|"
                      r"if possible|if that's ok|if thats ok|ok|okay|then|now|maybe))+[\s.!]*$", re.IGNORECASE)
# Words a name never ends with: a tagger that runs one word too far ("learning to knit this" winter) is cut back.
DANGLING = re.compile(r"(?:\s+(?:this|that|these|the|a|an|to|for|of|and|or|in|on|at|with|from|by|my|your|some|"
                      r"next|last))+$", re.IGNORECASE)
# Words that start the second half of a name cut in two ("Improving | the golf swing").
CONTINUING = re.compile(r"(?:the|a|an|to|for|of|in|on|at|with|from|by)\s", re.IGNORECASE)
# What separates journeys a reference names together ("1 and 3", "the bread and bird ones").
LIST_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bplus\b|\bwith\b)\s*", re.IGNORECASE)
# What separates parts a span may hold together ("chords and songs", "water & leaf").
PART_SEPARATORS = re.compile(r"\s*(?:,|&|\+|/|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*", re.IGNORECASE)
# Words that say "every journey" when no journey is named ("they're all good", "merge both").
EVERYTHING = re.compile(r"\b(?:all|both|every|everything|each|them)\b", re.IGNORECASE)
# Words around a reference that are not the topic it names ("my photography hobby" is about photography).
AROUND_REFERENCE = REFERENCE_FILLER | {"hobby", "hobbies", "thingy", "journy", "jouney"}
# Words that make a message no "yes" ("no", "nope", "don't", "wait"): such an answer never makes the change asked about.
REFUSING = re.compile(r"\b(?:no+|nope|nah|not|don'?t|do not|never|cancel|stop|wait|hold on|scratch|scrap|strike|"
                      r"forget|never ?mind|nvm|ignore)\b|❌|👎", re.IGNORECASE)
# A new name given in quotes ('call it "Old steel frames"'), or an empty pair of quotes.
QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|(?:(?<=\s)|^)\'([^\']+)\'(?=[\s,.!?]|$)')
NUMBER_WORDS = {"one": 1, "two": 2, "a couple": 2, "couple": 2, "three": 3, "a few": 3, "few": 3, "four": 4,
                "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
Embed = Callable[[list[str]], Any] | None


@dataclass
class Conversation:
    """What the reader knows of the conversation: the visible journeys in list order, the journey last talked
    about, a question awaiting an answer, the previous request, and the day "last week" counts back from."""

    journeys: list[Journey]
    focus: str | None = None
    pending: dict[str, Any] | None = None
    last: str | None = None
    today: Callable[[], date] = date.today
    # The arguments of the last search, for a time alone after it ("and in April?").
    previous_search: dict[str, Any] | None = None

    def state(self) -> dict[str, Any]:
        """The state as the model reads it."""
        return {"pending": self.pending, "last": self.last}


@dataclass(frozen=True)
class Request:
    """What to do with a message: an intent with its calls; a question to ask first; or a reply."""

    intent: str
    calls: tuple[dict[str, Any], ...] = ({},)
    # Ask "which journey do you mean?" offering these journeys (ids), or for any journey when empty.
    clarify: bool = False
    candidates: tuple[str, ...] = ()
    # A change the model is unsure of: say what would be done and do it on "yes".
    ask: bool = False
    confidence: float = 1.0
    reading: Reading | None = field(default=None, compare=False)

    @property
    def args(self) -> dict[str, Any]:
        return self.calls[0] if self.calls else {}


class Words(str):
    """A journey reference that names no journey, or several: the user's words, passed on so that the tool
    asks which journey is meant (offering the candidates), never acting on a guess."""

    candidates: tuple[str, ...] = ()


def resolve(words: str, conversation: Conversation, embed: Embed = None) -> str:
    """The id of the journey a reference names: by place, by the words of its name (typos allowed), then by
    meaning when sure; otherwise the words themselves (Words), with the candidates."""
    journeys = conversation.journeys
    if PRONOUN.fullmatch(words.strip()) and conversation.focus in {j.id for j in journeys}:
        return conversation.focus
    found = resolve_journey(journeys, words, strict=True)
    if found.journey is not None:
        return found.journey.id
    candidates = found.candidates
    if embed is not None and not candidates:
        by_meaning = resolve_journey(journeys, words, embed=embed)
        if by_meaning.sure:
            return by_meaning.journey.id
        candidates = [by_meaning.journey] if by_meaning.journey else by_meaning.candidates
    unclear = Words(_topic_words(words))
    unclear.candidates = tuple(j.id for j in candidates)
    return unclear


def _topic_words(words: str) -> str:
    """A reference without the words around it that say "a journey" ("my cooking journey" -> "cooking")."""
    tokens = words.split()
    while tokens and tokens[0].lower().strip(".,!?'\"") in AROUND_REFERENCE:
        tokens.pop(0)
    while tokens and tokens[-1].lower().strip(".,!?'\"") in AROUND_REFERENCE:
        tokens.pop()
    return " ".join(tokens) or words


def resolve_each(words: str, conversation: Conversation, embed: Embed = None) -> list[str]:
    """Every journey one reference names: a group by place ("the first two", "numbers 1 to 3"), one journey,
    or a list the words hold together ("1 and 3", "the bread and bird ones")."""
    grouped, rest = group_references(words, conversation.journeys)
    if grouped:
        rest_words = [w for w in LIST_SEPARATORS.split(rest) if re.search(r"[^\W_]", w)
                      and not re.fullmatch(r"\s*(?:both|all|them|of|the|ones?)(?:\s+(?:of|them|the|ones?))*\s*", w)]
        return list(dict.fromkeys(grouped + [resolve(w, conversation, embed) for w in rest_words]))
    whole = resolve(words, conversation, embed)
    parts = [w for w in LIST_SEPARATORS.split(words) if w.strip()]
    if not isinstance(whole, Words) or len(parts) < 2:
        return [whole]
    each = [resolve(w, conversation, embed) for w in parts]
    return list(dict.fromkeys(each))


def unclear(calls: tuple[dict[str, Any], ...]) -> list[Words]:
    """The references in the calls that name no journey, or several."""
    found = []
    for call in calls:
        for key in ("journey", "journeys"):
            values = call.get(key)
            found += [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, Words)]
    return found


def request_of(reading: Reading, text: str, conversation: Conversation, embed: Embed = None) -> Request:
    """The request a message makes, from the model's reading of it and the conversation."""
    pending = conversation.pending or {}
    if pending.get("kind") == "which" and reading.intent in NOT_A_REQUEST \
            and (ONE_BY_WORD.search(text) or len(re.findall(r"[^\W_]+", text)) <= BARE_ANSWER_WORDS) \
            and resolve_journey(conversation.journeys, text, strict=True).journey is not None:
        # "Which one do you mean?" "the undo one then", "bob ross": a message that is a journey's name (in "the X one",
        # or bare and short) answers the question, whatever else such words could mean.
        reading = Reading("answer", reading.confidence, (("JOURNEY", text.strip()),))
    if reading.intent == "undo" and pending.get("kind") == "yes_no" and pending.get("calls"):
        # "Do you want me to steer ...?" or "Do you mean Hydroponics?" "undo that": the change asked about was
        # never made, and taking back an older one would change what the person did not mean; the held change is
        # dropped instead (a second "undo" then takes back the last change made).
        return Request("cancel", reading=reading)
    if reading.intent == "undo":
        return Request("undo", ({},), confidence=reading.confidence, reading=reading)
    reading = _with_quoted_name(reading, text)
    request = _meant(reading, text, conversation, embed)
    if reading.intent in LOOKING and not reading.spans:
        request = _narrowed(request, reading, text, conversation, embed)
    elif request.clarify or (reading.intent == "rename_journey" and not reading.of("NAME")):
        request = _completed(request, reading, text, conversation, embed)
    if request.intent == "rename_journey" and request.args.get("new_name") == "":
        return request  # an empty name changes nothing: the tool says a name cannot be empty
    refused = request.intent == "merge_journeys" and len(set(request.args.get("journeys", []))) < 2
    # A change must name its journey in the message ("pause it" does; a bare "no" or "cancel" does not, and is never
    # taken as a change to the journey last talked about).
    unnamed = request.intent in CHANGES - {"add_journey"} and not EVERYTHING.search(text) and not any(
        label in REFERENCES for label, _ in reading.spans) and not _named_in_other_reading(
        request, reading, text, conversation, embed)
    if request.ask:
        return request
    if request.intent in CHANGES and not (request.clarify or refused) and reading.intent not in ("yes", "answer"):
        doubted = _number_doubted(request, reading, text, conversation, embed)
        if doubted is not None:
            return doubted
        if unnamed or _sureness(reading, conversation) < CHANGE_SURE \
                or _hesitation_matters(request, reading, text, conversation, embed):
            request = replace(request, ask=True)
    return request


def _sureness(reading: Reading, conversation: Conversation) -> float:
    """How sure the model is of the request: its intent's probability, plus the runner-up's where that reads as the
    same request (after a confirm, "and the last one is right too" is a confirm, and "the same for the last one")."""
    runner_up, probability = reading.alternative
    if runner_up == "same" and conversation.last == reading.intent and reading.intent in REPEATABLE:
        return reading.confidence + probability
    return reading.confidence


def _number_doubted(request: Request, reading: Reading, text: str, conversation: Conversation,
                    embed: Embed) -> Request | None:
    """The question to ask when the tagger almost took one more number as a journey ("confirm 1 and 0" with "0"
    short of a reference): a number in a change names a journey, so a number that names none is asked about."""
    for spans in reading.alternatives:
        added = set(spans) - set(reading.spans)
        if set(reading.spans) < set(spans) and all(
                label in REFERENCES and NUMBER_REFERENCE.fullmatch(words.strip()) for label, words in added):
            other = _meant(reading.instead(spans), text, conversation, embed)
            if other.clarify and other.intent == request.intent:
                return other
    return None


def _narrowed(request: Request, reading: Reading, text: str, conversation: Conversation, embed: Embed) -> Request:
    """A question that changes nothing, read with what the tagger almost found ("got any crochet ideas?" with
    "crochet" as its topic): a narrower answer for a word the person likely meant costs nothing if wrong."""
    period = read_period(text, conversation.today)
    time_words = set(text[period.where[0]:period.where[1]].lower().split()) if period is not None else set()
    for spans in reading.alternatives:
        # A time is no topic ("and what about May?" searches the last topic again, in May).
        if spans and all(label in ("JOURNEY", "QUERY", "ITEM") and not set(words.lower().split()) <= time_words
                         for label, words in spans):
            other = _meant(reading.instead(spans), text, conversation, embed)
            if not other.clarify:
                return other
    return request


def _completed(request: Request, reading: Reading, text: str, conversation: Conversation, embed: Embed) -> Request:
    """A request whose words name no journey, read with the tagger's runner-up where that names every journey by
    its place or the words of its name ("the | Unnamed interest one" cut in two, "the Unnamed interest one" whole).
    A change read so is asked about first."""
    def words_of(spans: tuple[tuple[str, str], ...]) -> set[str]:
        return {w for label, words in spans if label in REFERENCES for w in words.lower().split()}

    if reading.intent == "rename_journey" and not reading.of("NAME"):
        # A rename the tagger found no new name for: the one it almost found ("rename number 9 to Foo").
        for spans in reading.alternatives:
            if [s for s in spans if s[0] != "NAME"] == list(reading.spans) and any(s[0] == "NAME" for s in spans):
                other = _meant(reading.instead(spans), text, conversation, embed)
                return replace(other, ask=not other.clarify)
    if not request.clarify:
        return request
    for spans in reading.alternatives:
        references = [words for label, words in spans if label in REFERENCES]
        # Only a reading that joins or extends the words found: one that leaves a reference out is no completion.
        if references and words_of(reading.spans) <= words_of(spans) and all(
                resolve_journey(conversation.journeys, words, strict=True).journey is not None for words in references):
            other = _meant(reading.instead(spans), text, conversation, embed)
            if not other.clarify and other.intent == request.intent:
                return replace(other, ask=other.intent in CHANGES)
    if not words_of(reading.spans):
        # No reference found, but the tagger almost took some words for one ("reject 0", "those two are the
        # same"): the tool is given them, and asks which journey is meant, naming the user's words.
        for spans in reading.alternatives:
            other = _meant(reading.instead(spans), text, conversation, embed)
            if words_of(spans) and other.clarify and other.intent == request.intent and unclear(other.calls):
                return other
    return request


def _named_in_other_reading(request: Request, reading: Reading, text: str, conversation: Conversation,
                            embed: Embed) -> bool:
    """Whether the tagger almost read a reference that makes the same request ("confirm it" with "it" a little
    short of a span): the message does name its journey."""
    return any(any(label in REFERENCES for label, _ in spans)
               and _meant(reading.instead(spans), text, conversation, embed).calls == request.calls
               for spans in reading.alternatives)


def _hesitation_matters(request: Request, reading: Reading, text: str, conversation: Conversation,
                        embed: Embed) -> bool:
    """Whether a word the tagger hesitates over could change what is done: the request read with that word's
    runner-up tag differs (another journey, another name). A hesitation that changes nothing ("1 and 3" read
    as one reference or two) needs no question."""
    for spans in reading.alternatives:
        if (_only_drops_journeys(reading.spans, spans, conversation, embed) or _said_outright(reading.spans, spans, text)
                or _quoted_name_dropped(reading.spans, spans, text) or _broken(reading.spans, spans)
                or _only_shortens(reading.spans, spans, conversation, embed)):
            continue
        other = _meant(reading.instead(spans), text, conversation, embed)
        if (other.intent, other.calls, other.clarify) != (request.intent, request.calls, request.clarify):
            return True
    return False


def _only_shortens(spans: tuple[tuple[str, str], ...], other: tuple[tuple[str, str], ...],
                   conversation: Conversation, embed: Embed) -> bool:
    """Whether the other reading only cuts words off references that name a journey as they stand ("less of
    the star gazing" read as "the star"): the whole words named it, so the part is no doubt."""
    if len(spans) != len(other) or spans == other:
        return False
    return all((label, words) == (label_other, words_other) or (
        label == label_other and label in REFERENCES and words_other.strip() and words_other in words
        and not isinstance(resolve(words, conversation, embed), Words))
        for (label, words), (label_other, words_other) in zip(spans, other))


def _broken(spans: tuple[tuple[str, str], ...], other: tuple[tuple[str, str], ...]) -> bool:
    """Whether the other reading has a span no one would say: a reference made only of words that name nothing
    ("less of the | star gazing" read as "the"), or a new name cut after a dangling word ("growing veg in the")."""
    for label, words in set(other) - set(spans):
        if label in REFERENCES and _says_nothing(words) and not PRONOUN.fullmatch(words.strip()):
            return True
        if label == "NAME" and DANGLING.search(words.rstrip(" ,.!?")):
            return True
    return False


def _only_drops_journeys(spans: tuple[tuple[str, str], ...], other: tuple[tuple[str, str], ...],
                         conversation: Conversation, embed: Embed) -> bool:
    """Whether the other reading only leaves out references the message makes to journeys it names for sure
    ("less bread" read as a word about nothing): a word that names a journey is no word to doubt."""
    if not set(other) < set(spans):
        return False
    return all(label in REFERENCES and not isinstance(resolve(words, conversation, embed), Words)
               for label, words in set(spans) - set(other))


def _with_quoted_name(reading: Reading, text: str) -> Reading:
    """A new name the person put in quotes is a name, whole, where the tagger found it only in its second
    reading, or only in part ("merge 1 and 3 into 'Making things'" with just "things'" as a name there)."""
    if reading.intent not in NAMING or reading.of("NAME") or not QUOTED.search(text):
        return reading
    insides = set(_quoted_texts(text))

    def whole(spans: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((label, quoted(text, words) if label == "NAME" else words) for label, words in spans)

    for other in reading.alternatives:
        names = [words for label, words in whole(other) if label == "NAME" and words in insides]
        if names:
            spans = reading.spans + (("NAME", names[-1]),)
            intent = "rename_journey" if reading.intent == "name_journey" else reading.intent
            rest = tuple(whole(a) for a in reading.alternatives)
            return replace(reading, intent=intent, spans=spans, alternatives=tuple(a for a in rest if a != spans))
    return reading


def _quoted_name_dropped(spans: tuple[tuple[str, str], ...], other: tuple[tuple[str, str], ...], text: str) -> bool:
    """Whether the other reading only leaves out a new name the message gives in quotes ("into 'Making
    things'"): quotes say a name outright, whatever the tagger doubts."""
    dropped = set(spans) - set(other)
    return bool(dropped) and set(other) < set(spans) and all(
        label == "NAME" and quoted(text, words) != words for label, words in dropped)


def _said_outright(spans: tuple[tuple[str, str], ...], other: tuple[tuple[str, str], ...], text: str) -> bool:
    """Whether the other reading only turns the direction of references the message steers in so many words:
    "more birds, less bread" says more just before birds and less just before bread, whatever the tagger doubts."""
    if len(spans) != len(other) or [w for _, w in spans] != [w for _, w in other] or spans == other:
        return False
    return all(label == label_other or (
        label in ("MORE", "LESS") and re.search(rf"\b{label.lower()}\s+(?:of\s+)?{re.escape(words)}", text, re.I))
        for (label, words), (label_other, _) in zip(spans, other))


def _meant(reading: Reading, text: str, conversation: Conversation, embed: Embed) -> Request:
    """The request the reading makes, before any question about a change the model is unsure of."""
    intent = reading.intent
    pending = conversation.pending or {}
    if intent == "answer" and pending.get("calls") and not reading.of("JOURNEY"):
        intent = "yes"  # "Do you mean Hydroponics?" "yep, that": an answer naming no other journey agrees
    if intent == "yes" and REFUSING.search(re.sub(r"(?i)\bwhy not\b", "", text)):
        return Request("cancel", reading=reading)  # "no" to "Do you want me to reject X?" is never a yes
    if intent == "yes":
        if pending.get("calls"):
            return Request(pending["intent"], tuple(pending["calls"]), reading=reading)
        return Request("small_talk", reading=reading)
    if intent == "answer":
        if pending.get("intent"):
            request = _with_journeys(pending["intent"], reading.of("JOURNEY") or [text], reading, conversation,
                                     embed, extra=pending.get("args") or {})
        else:
            request = _with_journeys("explain_journey", reading.of("JOURNEY") or [text], reading, conversation,
                                     embed)  # a journey named alone: what about it?
    elif intent == "same":
        again = conversation.last if conversation.last in REPEATABLE else "explain_journey"
        request = _with_journeys(again, reading.of("JOURNEY"), reading, conversation, embed)
    else:
        request = _request(intent, reading, text, conversation, embed)
    references = unclear(request.calls)
    if references:
        candidates = tuple(dict.fromkeys(c for r in references for c in r.candidates))
        return Request(request.intent, request.calls, clarify=True, candidates=candidates,
                       confidence=request.confidence, reading=reading)
    return request


def _with_journeys(intent: str, references: list[str], reading: Reading, conversation: Conversation,
                   embed: Embed, extra: dict[str, Any] | None = None) -> Request:
    """One call of the intent for each journey named (or the one in focus), or a question."""
    ids = _journeys_named(references, conversation, embed)
    if not ids:
        return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
    return Request(intent, tuple({**(extra or {}), "journey": i} for i in ids), confidence=reading.confidence,
                   reading=reading)


def _journeys_named(references: list[str], conversation: Conversation, embed: Embed) -> list[str]:
    """The journeys the references name, in order, each once; the journey in focus when none is named."""
    # A pronoun with no journey in focus stays words: the tool asks which journey "that one" is.
    ids = list(dict.fromkeys(i for words in references for i in resolve_each(words, conversation, embed)))
    if not ids and conversation.focus and any(j.id == conversation.focus for j in conversation.journeys):
        ids = [conversation.focus]
    return ids


def _joined_group(named: list[str], text: str, conversation: Conversation) -> list[str]:
    """References the tagger cut out of one group by place ("numbers 2 | to | 3"), joined again when the words
    from the first to the last of them are such a group and nothing else."""
    if len(named) < 2:
        return named
    start = text.find(named[0])
    end = text.find(named[-1], start + len(named[0])) if start >= 0 else -1
    if start < 0 or end < 0:
        return named
    words = text[start:end + len(named[-1])]
    grouped, rest = group_references(words, conversation.journeys)
    return [words] if len(grouped) >= 2 and not re.search(r"[^\W_]", rest) else named


def _request(intent: str, reading: Reading, text: str, conversation: Conversation, embed: Embed) -> Request:
    everyone = [j.id for j in conversation.journeys]
    named = _joined_group(reading.of("JOURNEY"), text, conversation)
    if intent in ("rename_journey", "name_journey") and re.search(r'""|“”', text) and not reading.of("NAME"):
        intent = "rename_journey"  # 'rename it to ""': the tool says a name cannot be empty
        reading = reading.instead(reading.spans + (("NAME", ""),))
    if intent in ("confirm_journey", "reject_journey", "pause_journey", "decline", "explain_journey",
                  "journey_items", "journey_start", "name_journey") or (intent == "rename_journey"
                                                                         and not reading.of("NAME")):
        if intent == "rename_journey":
            intent = "name_journey"
        if not named and intent in ("confirm_journey", "reject_journey", "pause_journey") \
                and EVERYTHING.search(text) and not re.search(r"\b(?:it|that|this)\b", text, re.IGNORECASE):
            ids = [j.id for j in conversation.journeys if j.status is Status.PROPOSED] or everyone
        else:
            ids = _journeys_named(named, conversation, embed)
        if not ids:
            return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
        return Request(intent, tuple({"journey": i} for i in ids), confidence=reading.confidence,
                       reading=reading)
    if intent == "rename_journey":
        ids = _journeys_named(named[:1], conversation, embed)
        if not ids:
            return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
        return Request(intent, ({"journey": ids[0], "new_name": name(quoted(text, _last_name(reading.of("NAME"), text)))},),
                       confidence=reading.confidence, reading=reading)
    args: dict[str, Any] = {}
    calls: list[dict[str, Any]] | None = None
    if intent == "merge_journeys":
        ids = [i for words in named for i in resolve_each(words, conversation, embed)]
        # One journey named ("merge it with the bird one" names one, "it" the other); a group names them all.
        if len(named) == 1 and len(ids) == 1 and conversation.focus and conversation.focus not in ids:
            ids = [conversation.focus, *ids]
        if not named and not EVERYTHING.search(text):
            # "those two are really the same thing": the tool is given the words, lists the journeys and asks
            # which two.
            return Request(intent, ({"journeys": [Words(_topic_words(text.strip(" .!?")))]},), clarify=True,
                           confidence=reading.confidence, reading=reading)
        if not named:
            ids = everyone
        if len(set(ids)) < 2 and not (len(ids) >= 2 and not unclear(({"journeys": ids},))):
            return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
        # The same journey named twice ("merge 2 and 2") goes to the tool as said: it explains the mistake.
        args = {"journeys": sorted(set(ids)) if len(set(ids)) > 1 else ids}
        if reading.of("NAME"):
            args["new_name"] = name(quoted(text, _last_name(reading.of("NAME"), text)))
    elif intent == "split_journey":
        ids = _journeys_named(named[:1], conversation, embed)
        if not ids:
            return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
        args = {"journey": ids[0]}
        if reading.of("PART"):
            args["parts"] = [part for span in reading.of("PART") for part in PART_SEPARATORS.split(span) if part]
    elif intent == "steer_journey":
        calls = [{"journey": resolve(w, conversation, embed), "direction": direction}
                 for direction, label in (("more", "MORE"), ("less", "LESS")) for w in reading.of(label)]
        # One reference cut in two ("picture books for | toddlers") steers its journey once.
        calls = [dict(call) for call in dict.fromkeys(tuple(call.items()) for call in calls)]
        if not calls:
            return Request(intent, clarify=True, confidence=reading.confidence, reading=reading)
    elif intent == "add_journey":
        if not reading.of("NAME"):
            return Request("help", reading=reading)
        args = {"name": name(quoted(text, _last_name(reading.of("NAME"), text)))}
    elif intent == "item_in_journey":
        args = {"item": (reading.of("ITEM") or [text])[0]}
        if named:
            args["journey"] = resolve(named[0], conversation, embed)
    elif intent == "unassigned":
        topics = [words for words in reading.of("QUERY") if not _says_nothing(words)]
        if topics:
            args = {"topic": topics[0]}  # "what did I look at that isn't in any journey": no topic, not "that"
    elif intent == "search_history":
        if reading.of("QUERY"):
            args["query"] = " ".join(reading.of("QUERY"))
        period = read_period(text, conversation.today)
        if period is not None:
            args.update(period.args())
            if args.get("query"):
                args["query"] = _without_time_words(args["query"], text[period.where[0]:period.where[1]])
            previous = (conversation.previous_search or {}).get("query")
            if "query" not in args and previous:
                args["query"] = previous  # "and in April?" after a search: the same search then
    elif intent == "recommend":
        if named:
            args["journey"] = resolve(named[0], conversation, embed)
        if reading.of("QUERY"):
            topic = reading.of("QUERY")[0]
            # A thing to do, said as a verb ("what should I bake next?"), is the interest in doing it: baking.
            args["topic"] = gerund(topic.lower()) if topic.lower() in VERBS else topic
        if reading.of("COUNT"):
            args["k"] = count(reading.of("COUNT")[0])
    return Request(intent, tuple(calls) if calls is not None else (args,), confidence=reading.confidence,
                   reading=reading)


def _says_nothing(words: str) -> bool:
    """Whether a topic is made only of words that name no topic ("that", "stuff", "the things")."""
    return all(word in REFERENCE_FILLER for word in re.findall(r"[^\W_]+", words.lower()))


def _last_name(names: list[str], text: str) -> str:
    """The new name the message gives last: names the tagger cut at "and" ("Crocheting granny squares | and |
    amigurumi on buses") or where no name ends ("Submitting poetry to | magazines") are one name again."""
    joined = names[-1]
    for before in reversed(names[:-1]):
        start, end = text.find(before), text.find(joined)
        if start < 0 or end < 0:
            break
        between = text[start + len(before):end]
        # Cut at "and", or cut where a name cannot end or start ("Submitting poetry to | magazines",
        # "Improving | the golf swing"): one name.
        cut_mid_name = not between.strip() and (DANGLING.search(before) or CONTINUING.match(joined))
        if not (re.fullmatch(r"\s*(?:and|&|\+)\s*", between, re.I) or cut_mid_name):
            break
        joined = text[start:end + len(joined)]
    return joined


def _without_time_words(query: str, time: str) -> str:
    """A topic without the words of the time phrase it ran into ("pH back" in "about pH back in june")."""
    words, time_words = query.split(), set(time.lower().split())
    while len(words) > 1 and words[-1].lower() in time_words:
        words.pop()
    return " ".join(words)


def name(words: str) -> str:
    """A new name as the user gave it, without the politeness or quotes around it."""
    return DANGLING.sub("", TRAILING.sub("", words).strip(" \"'“”‘’.,!")).strip(" \"'“”‘’.,!")


def _quoted_texts(text: str) -> list[str]:
    """What the message puts in quotes, each quoted text without its quotes."""
    return [next(group for group in match.groups() if group is not None) for match in QUOTED.finditer(text)]


def quoted(text: str, words: str) -> str:
    """The whole quoted name when the words found for a name are part of one ('call it "Old steel frames"' where
    only "steel frames" was tagged); otherwise the words."""
    found = set(re.findall(r"[^\W_]+", words.lower()))
    for inside in _quoted_texts(text):
        if found & set(re.findall(r"[^\W_]+", inside.lower())):
            return inside
    return words


def count(words: str) -> int:
    """A number of suggestions in words or digits ("3", "five", "a couple"); 5 when it reads as neither."""
    words = words.lower().strip()
    if words.isdigit():
        return int(words)
    return NUMBER_WORDS.get(words, 5)
