"""The understanding's data: phrasing families (data/families/*.yaml) expanded into utterances.

A family is one construction of one request, written by hand in several registers (see
data/README.md). The build fills each phrasing's placeholders from a user's journeys, as a
person would refer to them ("the bike one", "number 2", a typo), and records the spans the
model learns to find and the request the message expects, resolved against that user's
journeys. Users are made from the namer's written examples (journey names and item titles);
the names used in the test split are never used in training. The split is by family, so the
test split holds constructions the model never saw.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from journeys.state.references import group_references
from journeys.understanding.periods import read_period
from journeys.words import FUNCTION_WORDS, STOP_WORDS, VERBS, gerund

DATA = Path(__file__).resolve().parent / "data"
FAMILIES = DATA / "families"
UTTERANCES = DATA / "utterances.jsonl"
NAMING_EXAMPLES = Path(__file__).resolve().parent.parent / "naming" / "namer_data" / "written_examples.jsonl"
# The day the build's users' histories end: "last week" counts back from it.
TODAY = date(2026, 11, 20)
# Shares of families in the test and dev splits (the rest trains).
TEST_SHARE, DEV_SHARE = 0.2, 0.1
# Utterances made from each phrasing: with placeholders, each for another user and register; without, registers.
FILLS, PLAIN_FILLS = 3, 2

# Slot labels the model tags, by placeholder.
SLOT_OF = {"J": "JOURNEY", "J2": "JOURNEY", "GROUP": "JOURNEY", "MORE": "MORE", "LESS": "LESS", "NAME": "NAME",
           "Q": "QUERY", "DO": "QUERY", "ITEM": "ITEM", "N": "COUNT", "P1": "PART", "P2": "PART"}
SLOTS = ("JOURNEY", "MORE", "LESS", "NAME", "QUERY", "ITEM", "COUNT", "PART")

TOOL_INTENTS = ("list_journeys", "extract_journeys", "explain_journey", "journey_items", "journey_start",
                "item_in_journey", "unassigned", "search_history", "recommend", "confirm_journey",
                "reject_journey", "pause_journey", "rename_journey", "name_journey", "merge_journeys",
                "split_journey", "steer_journey", "add_journey", "undo")
REPLY_INTENTS = ("help", "greeting", "thanks", "bye", "small_talk", "out_of_scope", "delete_data", "cancel",
                 "decline")
# Intents that only make sense as the answer to the agent's question or after a request.
CONTEXT_INTENTS = ("yes", "answer", "same")
INTENTS = TOOL_INTENTS + REPLY_INTENTS + CONTEXT_INTENTS
# Requests a conversation may have made just before a message, and those the agent may be asking about.
AFTER = ("list_journeys", "explain_journey", "confirm_journey", "reject_journey", "pause_journey", "rename_journey",
         "search_history", "recommend", "undo", "merge_journeys", "steer_journey", "add_journey")
ASKED = ("confirm_journey", "reject_journey", "pause_journey", "rename_journey", "explain_journey", "recommend")
# Intents whose calls each name one journey.
ONE_JOURNEY = frozenset({"explain_journey", "journey_items", "journey_start", "confirm_journey", "reject_journey",
                         "pause_journey", "name_journey", "decline"})

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
COUNTS = {"3": 3, "three": 3, "5": 5, "five": 5, "a couple": 2, "2": 2, "two": 2, "4": 4, "four": 4, "ten": 10,
          "10": 10, "a few": 3}
WHENS = ["last week", "last month", "in june", "back in june", "in march 2025", "this year", "last summer",
         "since april", "in 2025", "two weeks ago", "yesterday", "between may and july", "last spring",
         "earlier this month", "in october", "back in february", "over the summer", "in september 2026",
         "a few days ago", "last year", "since january", "in the spring", "before august", "last weekend"]
# Words that never single out a journey by themselves ("the learning one" could be any).
GENERIC_NAME_WORDS = frozenset("""
learning beginners beginner basics practice training home guide getting started first starting small building
making using history intro introduction advanced from into with without your their best simple easy
""".split()) | FUNCTION_WORDS | frozenset(STOP_WORDS)
_PLACEHOLDER = re.compile(r"\{(J2|J|GROUP|MORE|LESS|NAME|Q|DO|ITEM|N|P1|P2|WHEN)\}")
# Things people do, said as a verb ("what should I bake next?"): the topic of a suggestion or a search.
ACTIVITIES = ["bake", "knit", "paint", "cook", "run", "climb", "draw", "sew", "brew", "fish", "hike", "surf", "skate",
              "sing", "dance", "write", "code", "garden", "crochet", "sketch", "cycle", "swim", "camp", "sail", "read",
              "build", "grow", "ferment", "carve", "journal", "meditate", "stretch", "lift", "row", "ski", "bike"]
# Several journeys by their place in the list, as people say it.
GROUPS = ["the first two", "the top two", "the last two", "numbers 1 to 3", "1-3", "the first 3", "the last three",
          "numbers 2 to 3", "the first three", "the bottom two", "2-4", "the top 3"]
# How a message refers to the journey just talked about: tagged as its journey reference when the family says so.
PRONOUN = re.compile(r"\b(?:that one|this one|that journey|this journey|that thing|this thing|that|this|it|there)\b",
                     re.IGNORECASE)


@dataclass
class Journey:
    """A journey of a made-up user: id, name, and the titles of its items."""

    id: str
    name: str
    titles: list[str]


@dataclass
class Utterance:
    """One message with the conversation state it assumes, the spans in it, and the request it expects."""

    id: str
    family: str
    split: str
    text: str
    state: dict[str, Any]
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)
    # The intent the model learns: the expected one, or the family's for an answer, a yes or an ellipsis.
    label: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "family": self.family, "split": self.split, "text": self.text, "state": self.state,
                "spans": [list(s) for s in self.spans], "label": self.label, "expected": self.expected}


class FamilyError(ValueError):
    """A phrasing family that the build cannot use, said in one sentence."""


def family_split(family: dict[str, Any]) -> str:
    """The split of a family's utterances: train for a construction the agent's own replies teach ("resume X",
    "more X, less Y": `taught: true`, always understood), else by the hash of its id, so that the test split
    holds only constructions nobody taught and the model never saw."""
    return "train" if family.get("taught") else split_of(family["id"])


def split_of(family_id: str) -> str:
    """The split a family belongs to, by a stable hash of its id."""
    share = int(hashlib.sha1(family_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if share < TEST_SHARE else "dev" if share < TEST_SHARE + DEV_SHARE else "train"


def load_families(folder: Path = FAMILIES) -> list[dict[str, Any]]:
    """Every family of every file in the folder, checked: known intents, unique ids, phrasings given."""
    families: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise FamilyError(f"{path.name} is not valid YAML{where} ({getattr(error, 'problem', error)}); "
                              "fix it as data/README.md shows") from None
        if not isinstance(document, dict) or not isinstance(document.get("families", []), list):
            raise FamilyError(f"{path.name} holds no 'families:' list; start it with 'families:' as data/README.md shows")
        for family in document.get("families") or []:
            where = f"{path.name}, family {family.get('id')!r}"
            if not family.get("id") or family["id"] in seen:
                raise FamilyError(f"{where}: every family needs an id of its own; rename it")
            if family.get("intent") not in INTENTS:
                raise FamilyError(f"{where}: intent {family.get('intent')!r} is not one of {', '.join(INTENTS)}")
            if not family.get("say"):
                raise FamilyError(f"{where}: it has no phrasings under 'say'; add some or remove the family")
            for text in family["say"]:
                unknown = set(re.findall(r"\{(\w+)\}", text)) - set(SLOT_OF) - {"WHEN"}
                if unknown:
                    raise FamilyError(f"{where}: placeholder {{{sorted(unknown)[0]}}} in {text!r} is not one of "
                                      f"{', '.join(sorted(SLOT_OF))}, WHEN")
            seen[family["id"]] = path
            families.append(family)
    return families


def user_pools(path: Path = NAMING_EXAMPLES) -> dict[str, list[Journey]]:
    """Journeys to make users from, by split: the namer's written examples, a stable fifth kept for the test split."""
    pools: dict[str, list[Journey]] = {"train": [], "test": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        example = json.loads(line)
        name = example["name"][0].upper() + example["name"][1:]
        pool = "test" if split_of("user:" + example["id"]) == "test" else "train"
        pools[pool].append(Journey("", name, list(example["titles"])))
    return pools


def make_user(pool: list[Journey], rng: random.Random) -> list[Journey]:
    """Three to six journeys with no name word in common, numbered as the list shows them."""
    chosen: list[Journey] = []
    words: set[str] = set()
    size = rng.randint(3, 6)
    for candidate in rng.sample(pool, min(len(pool), 40)):
        own = set(_content_words(candidate.name))
        if own & words:
            continue
        chosen.append(candidate)
        words |= own
        if len(chosen) == size:
            break
    return [Journey(f"j{n}", j.name, j.titles) for n, j in enumerate(chosen, start=1)]


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower()) if w not in GENERIC_NAME_WORDS and len(w) > 2]


def typo(word: str, rng: random.Random) -> str:
    """The word with one slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def reference(journey: Journey, journeys: list[Journey], rng: random.Random, alone: bool = False) -> str:
    """How a person might refer to a journey: its name, a word of it, or its place in the list."""
    place = journeys.index(journey) + 1
    others = {w for j in journeys if j is not journey for w in _content_words(j.name)}
    words = [w for w in _content_words(journey.name) if w not in others]
    roll = rng.random()
    if roll < 0.2 or not words:
        name = journey.name if rng.random() < 0.5 else journey.name.lower()
        return name if rng.random() < 0.85 else " ".join(typo(w, rng) for w in name.split())
    if roll < 0.45:
        forms = [f"number {place}", f"#{place}", f"the {ORDINALS[place]} one", f"{ORDINALS[place]} one",
                 f"no. {place}", f"journey {place}", f"the {ORDINALS[place]}", str(place)]
        if alone:
            forms += [str(place), str(place)]
        return rng.choice(forms)
    word = rng.choice(words)
    if rng.random() < 0.25:
        position = _content_words(journey.name)
        i = position.index(word)
        if i + 1 < len(position):
            word = f"{word} {position[i + 1]}"
    if rng.random() < 0.12:
        word = typo(word, rng)
    forms = [f"the {word} one", f"{word} stuff", f"the {word} thing", f"my {word} journey", f"the {word} stuff",
             word, f"{word} one", f"the {word} journey", f"that {word} thing", f"my {word} stuff"]
    return rng.choice(forms)


def topic(journeys: list[Journey], rng: random.Random) -> str:
    """A topic to look for: one to three words of an item title of the user's."""
    title = rng.choice(rng.choice(journeys).titles)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9'-]*", title) if w.lower() not in GENERIC_NAME_WORDS]
    if not words:
        return "that"
    start = rng.randrange(len(words))
    return " ".join(words[start:start + rng.randint(1, 2)]).lower()


# Syllables of made-up one-word names ("Zorvek"): people also give short names no list holds ("Foo", "Misc").
SYLLABLES = ["ba", "ko", "zor", "vek", "li", "mo", "tran", "quil", "fen", "da", "rix", "sul", "po", "gan", "ter"]


def new_name(pool: list[Journey], rng: random.Random) -> str:
    """A name a person might give a journey: another journey's name, as they would type it; sometimes one word
    of it, a short word of their own, or a name of their own ("My indoor garden")."""
    name = rng.choice(pool).name
    kind = rng.random()
    if kind < 0.12:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", name) if w.lower() not in GENERIC_NAME_WORDS]
        if words:
            return rng.choice(words).capitalize()
    elif kind < 0.17:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()
    elif kind < 0.22:
        return "My " + (name[0].lower() + name[1:] if name[1:2].islower() else name)  # "My indoor garden"
    return name if rng.random() < 0.6 else name.lower()


class _Filler:
    """Fills one phrasing's placeholders for one user, recording spans and what each placeholder meant."""

    def __init__(self, journeys: list[Journey], pool: list[Journey], rng: random.Random, alone: bool):
        self.journeys, self.pool, self.rng, self.alone = journeys, pool, rng, alone
        self.meant: dict[str, Any] = {}
        self.used: set[str] = set()
        self.text = ""

    def fill(self, key: str) -> str:
        rng = self.rng
        if key in ("J", "J2", "MORE", "LESS"):
            free = [j for j in self.journeys if j.id not in self.used] or self.journeys
            journey = rng.choice(free)
            self.used.add(journey.id)
            self.meant[key] = journey.id
            return reference(journey, self.journeys, rng, alone=self.alone)
        if key == "GROUP":
            words = rng.choice([g for g in GROUPS if len(group_references(g, self.journeys)[0]) >= 2])
            self.meant[key] = group_references(words, self.journeys)[0]
            self.used.update(self.meant[key])
            return words
        value = {"NAME": lambda: new_name(self.pool, rng), "Q": lambda: topic(self.journeys, rng),
                 "ITEM": lambda: rng.choice(rng.choice(self.journeys).titles),
                 "N": lambda: rng.choice(list(COUNTS)), "WHEN": lambda: rng.choice(WHENS),
                 "P1": lambda: topic(self.journeys, rng), "P2": lambda: topic(self.journeys, rng),
                 "DO": lambda: rng.choice(ACTIVITIES)}[key]()
        self.meant["Q" if key == "DO" else key] = value
        return value


def _register(text: str, rng: random.Random) -> str:
    """A literal part of a phrasing as a hurried typist might write it."""
    if rng.random() < 0.25:
        text = text.lower()
    if rng.random() < 0.15:
        words = text.split(" ")
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
        text = " ".join(words)
    return text


def expand_phrasing(family: dict[str, Any], text: str, journeys: list[Journey], pool: list[Journey],
                    rng: random.Random) -> Utterance:
    """One utterance of a phrasing: placeholders filled for this user, spans and expected request recorded."""
    state_spec = family.get("state") or {}
    filler = _Filler(journeys, pool, rng, alone=family["intent"] == "answer")
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    position = 0
    for piece in _PLACEHOLDER.split(text):
        if piece in SLOT_OF or piece == "WHEN":
            value = filler.fill(piece)
            if piece in SLOT_OF:
                spans.append((position, position + len(value), SLOT_OF[piece]))
        else:
            value = _register(piece, rng)
        parts.append(value)
        position += len(value)
    message = "".join(parts)
    if state_spec.get("focus") and "J" not in filler.meant:
        pronoun = PRONOUN.search(message)
        if pronoun and not any(s < pronoun.end() and pronoun.start() < e for s, e, _ in spans):
            spans.append((pronoun.start(), pronoun.end(), "JOURNEY"))
            spans.sort()
    if rng.random() < 0.3:
        end = max((e for _, e, _ in spans), default=0)
        tail = message[end:].rstrip("?!. ")
        message = message[:end] + tail
    filler.text = message
    state = _state(state_spec, journeys, filler, rng, family_split(family) == "train")
    state.pop("asked_aside", None)
    expected = expected_request(family, filler.meant, journeys, state)
    label = family["intent"] if family["intent"] in CONTEXT_INTENTS else expected["intent"]
    return Utterance("", family["id"], family_split(family), message, state, spans, expected, label)


def _state(spec: dict[str, Any], journeys: list[Journey], filler: _Filler, rng: random.Random,
           training: bool) -> dict[str, Any]:
    """The conversation state: the visible journeys, the journey last talked about, a question awaiting an answer."""
    named = filler.meant.get("J")
    focus = None
    last = spec.get("last")
    if spec.get("focus"):
        focus = rng.choice(journeys).id
        if not last and not spec.get("pending") and rng.random() < 0.35:
            last = rng.choice(AFTER)  # "ok, put it on hold" after a list, an explanation, a change...
        if training and rng.random() < 0.1:
            # "explain it" with nothing talked about yet is still a request about one journey ("it", which the
            # tool then asks about), not a request for help: taught, not tested (the test split's "it" is meant).
            focus = None
    elif rng.random() < 0.5:
        # Some other journey was talked about last: the message's own words must win over it.
        focus = rng.choice([j.id for j in journeys if j.id != named] or [journeys[0].id])
    state: dict[str, Any] = {"journeys": [{"id": j.id, "name": j.name} for j in journeys], "focus": focus,
                             "pending": None, "last": last, "today": TODAY.isoformat()}
    if not spec:
        # Most requests come in the middle of a conversation: after another request, or even while a question
        # waits (a whole new request drops it). The state must not decide what a message asks.
        roll = rng.random()
        if roll < 0.35:
            state["last"] = rng.choice(AFTER)
        elif roll < 0.5 and len(filler.text.split()) >= 5:
            spec = {"pending": rng.choice(["which", "yes_no"]), "pending_intent": rng.choice(ASKED)}
            state["asked_aside"] = True
    if spec.get("pending") == "which":
        state["pending"] = {"kind": "which", "intent": spec.get("pending_intent", "pause_journey")}
    elif spec.get("pending") == "yes_no":
        intent = spec.get("pending_intent", "reject_journey")
        args: dict[str, Any] = {"journey": rng.choice(journeys).id}
        if intent == "rename_journey":
            args["new_name"] = new_name(filler.pool, rng)
        state["pending"] = {"kind": "yes_no", "intent": intent, "calls": [args]}
    return state


def expected_request(family: dict[str, Any], meant: dict[str, Any], journeys: list[Journey],
                     state: dict[str, Any]) -> dict[str, Any]:
    """The request a message of this family means, resolved: the intent and each call's arguments."""
    intent = family["intent"]
    everyone = [j.id for j in journeys]
    journey = meant.get("J") or (state["focus"] if (family.get("state") or {}).get("focus") else None)
    if intent == "answer":
        pending = state["pending"] or {}
        return {"intent": pending.get("intent"), "calls": [{"journey": meant.get("J")}]}
    if intent == "yes":
        pending = state["pending"] or {}
        return {"intent": pending.get("intent"), "calls": pending.get("calls") or [{}]}
    if intent == "same":
        return {"intent": state.get("last"), "calls": [{"journey": meant.get("J")}]}
    if intent in ONE_JOURNEY or intent == "rename_journey":
        if intent == "rename_journey" and "NAME" not in meant:
            intent = "name_journey"
        ids = everyone if family.get("all") else [i for i in (journey, meant.get("J2")) if i]
        ids = list(dict.fromkeys(meant.get("GROUP", []) + ids))
        calls = [{"journey": i} for i in ids] or [{}]
        if intent == "rename_journey":
            calls = [{**calls[0], "new_name": meant["NAME"]}]
        return {"intent": intent, "calls": calls}
    args: dict[str, Any] = {}
    if intent == "merge_journeys":
        named = [i for i in (journey, meant.get("J2")) if i] + meant.get("GROUP", [])
        args["journeys"] = everyone if family.get("all") else sorted(set(named))
        if "NAME" in meant:
            args["new_name"] = meant["NAME"]
    elif intent == "split_journey":
        args["journey"] = journey
        if "P1" in meant:
            args["parts"] = [meant["P1"], meant["P2"]] if "P2" in meant else [meant["P1"]]
    elif intent == "steer_journey":
        calls = [{"journey": meant[k], "direction": k.lower()} for k in ("MORE", "LESS") if k in meant]
        return {"intent": intent, "calls": calls}
    elif intent == "add_journey":
        args["name"] = meant.get("NAME")
    elif intent == "item_in_journey":
        args = {"item": meant.get("ITEM"), **({"journey": journey} if journey else {})}
    elif intent == "unassigned":
        args = {"topic": meant["Q"]} if "Q" in meant else {}
    elif intent == "search_history":
        args = {"query": meant["Q"]} if "Q" in meant else {}
        if "WHEN" in meant:
            period = read_period(meant["WHEN"], lambda: TODAY)
            args.update(period.args() if period else {})
    elif intent == "recommend":
        if journey:
            args["journey"] = journey
        if "Q" in meant:
            # A thing to do said as a verb is the interest in doing it ("bake" -> "baking"), as requests.py reads it.
            args["topic"] = gerund(meant["Q"].lower()) if meant["Q"].lower() in VERBS else meant["Q"]
        if "N" in meant:
            args["k"] = COUNTS[meant["N"]]
    return {"intent": intent, "calls": [args]}


def build(families: list[dict[str, Any]] | None = None, seed: int = 0) -> list[Utterance]:
    """Every family's phrasings expanded over made-up users: FILLS utterances a phrasing with placeholders."""
    families = load_families() if families is None else families
    pools = user_pools()
    rng = random.Random(seed)
    utterances: list[Utterance] = []
    for family in families:
        split = family_split(family)
        pool = pools["test" if split == "test" else "train"]
        for number, text in enumerate(family["say"]):
            fills = FILLS if _PLACEHOLDER.search(text) else PLAIN_FILLS
            for fill in range(fills):
                utterance = expand_phrasing(family, text, make_user(pool, rng), pool, rng)
                utterance.id = f"{family['id']}/{number}/{fill}"
                utterances.append(utterance)
    return utterances


def write(utterances: list[Utterance], path: Path = UTTERANCES) -> None:
    """The utterances as JSON lines, in the build's order."""
    with path.open("w", encoding="utf-8") as out:
        for utterance in utterances:
            out.write(json.dumps(utterance.as_json(), ensure_ascii=False) + "\n")


def read(path: Path = UTTERANCES, split: str | None = None) -> Iterator[dict[str, Any]]:
    """The utterances of a build, of one split or all: from the file the build wrote, or built now when there is
    none (the build is deterministic, so both give the same utterances)."""
    if not path.exists():
        yield from (u.as_json() for u in build() if split is None or u.split == split)
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if split is None or record["split"] == split:
                yield record
