"""Offline understanding, second half: the arguments of a request, read from the user's words by code.

Each reader takes the message, the user's visible journeys and the journey last talked
about (its id, for "it" and "that one"), and returns the intent (a reader may change it:
"rename the second one" without a new name asks the namer instead) and the arguments of
each tool call to make. Journey references are passed on as journey ids when they resolve
here, otherwise as the user's words, so that the tool answers with the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from journeys.journey import Journey, Status
from journeys.references import resolve_journey

Calls = tuple[str, list[dict[str, Any]]]
# A sentence embedder (unit vectors), used to resolve references by meaning; None: by words only.
Embed = Callable[[list[str]], Any] | None

# Words that say what to do, not which journey: left out when a reference is looked up.
ACTION_WORDS = frozenset("""
look looks seem seems sound sounds good fine great perfect why how what when where which come so tell explain detail details evidence behind made make think say found
don't do does care like into interested want see seeing stuff things thing videos video more less fewer show give
of about on in with a an to from any anymore longer stop more already
confirm confirmed approve accept accepted reject rejected remove delete drop discard pause paused snooze merge
combine join lump split separate divide rename call name undo resume unpause reactivate yes yep yeah yup no nope ok okay please also too is are
was were right correct wrong spot on hold put keep these those both them they really actually definitely
mistake mistaken accurate true false good great fine exactly journey journeys interest interests one ones the
that's thats it's its i i'm im am my me you your can could would should will just for now not isn't aren't
""".split())
PRONOUN = re.compile(r"\b(it|that|this|that one|this one|the same)\b", re.IGNORECASE)
EVERYTHING = re.compile(r"\b(all|every|everything|both|them all|all of them|each)\b", re.IGNORECASE)
EVERYTHING_WORDS = frozenset({"all", "every", "everything", "both", "each", "of"})
LIST_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bplus\b|\bas well as\b|\bwith\b)\s*", re.IGNORECASE)


def reference_words(text: str) -> str:
    """The part of a phrase that can name a journey: the words left after the action words."""
    words = re.findall(r"#?\d+|[^\W_][\w'-]*", text.lower())
    return " ".join(w for w in words if w not in ACTION_WORDS)


def resolve_one(text: str, journeys: list[Journey], embed: Embed = None) -> Journey | None:
    """The journey a phrase names: by the whole phrase, by its reference words, then (with embed) by meaning."""
    for candidate in (text, reference_words(text)):
        if candidate.strip():
            found = resolve_journey(journeys, candidate, strict=True).journey
            if found is not None:
                return found
    words = reference_words(text)
    if embed is not None and words:
        resolution = resolve_journey(journeys, words, embed=embed)
        # A loose likeness is left to the tool, which offers it before changing anything.
        return resolution.journey if resolution.sure else None
    return None


def reference(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> str:
    """One journey reference: its id when it resolves, the journey in focus for "it", else the words."""
    found = resolve_one(text, journeys, embed)
    if found is not None:
        return found.id
    if focus and (PRONOUN.search(text) or not reference_words(text)):
        return focus
    return reference_words(text) or text


def references(text: str, journeys: list[Journey], focus: str | None, allow_all: bool = False,
               embed: Embed = None) -> list[str]:
    """Every journey a message names ("1 and 3", "the ukulele and the crochet ones"), as ids.

    Parts of the message are matched by their words first; only when no part does are they
    compared by meaning, so that words around a reference never pick a journey of their own.
    """
    everything = allow_all and bool(EVERYTHING.search(text)) and bool(journeys)
    if everything and not set(reference_words(text).split()) - EVERYTHING_WORDS:
        return _all(journeys)  # "they all look right": nothing else named
    chunks = [c for c in LIST_SEPARATORS.split(text) if set(reference_words(c).split()) - EVERYTHING_WORDS]
    for attempt in (None, embed) if embed is not None else (None,):
        found = [j.id for j in (resolve_one(c, journeys, attempt) for c in chunks) if j is not None]
        if found:
            return list(dict.fromkeys(found))  # "the bread one and the birds one are both right": those two
    if everything:
        return _all(journeys)
    return [reference(text, journeys, focus)]


def _all(journeys: list[Journey]) -> list[str]:
    """Every journey still waiting for the user's verdict, or all of them when none is."""
    proposed = [j.id for j in journeys if j.status is Status.PROPOSED]
    return proposed or [j.id for j in journeys]


Reader = Callable[[str, list[Journey], "str | None", Embed], Calls]


def each_journey(intent: str, allow_all: bool = False) -> Reader:
    """A reader for intents that act on each journey named: one call per journey."""
    def read(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
        return intent, [{"journey": r} for r in references(text, journeys, focus, allow_all, embed)]

    return read


QUOTED = re.compile(r"[\"“”'‘’]([^\"“”‘’]{1,80}?)[\"“”'’](?=\W*$|\s)")
RENAME_FORMS = [
    re.compile(r"\b(?:change|update|fix|set)\s+(?P<ref>.+?)(?:'s|s')?\s+name\s+to\s+(?P<name>.+)$", re.I),
    re.compile(r"\b(?:change|update|fix)\s+(?:the\s+|its\s+|it's\s+)?name\s+(?:of\s+)?(?P<ref>.*?)\s*\bto\s+(?P<name>.+)$", re.I),
    re.compile(r"\b(?:re-?name|call|name)\s+(?P<ref>.+?)\s+(?:to|as|into)\s+(?P<name>.+)$", re.I),
    re.compile(r"^(?P<ref>.+?)\s+(?:should|could|would|to)\s+(?:be\s+)?(?:called|named)\s+(?P<name>.+)$", re.I),
    re.compile(r"\b(?:re-?name|call|name)\s+(?P<ref>it|that|this|that one|this one|number \d+|#\d+|\d+|"
               r"the (?:first|second|third|fourth|fifth|sixth|last) one|"
               r"(?:the |my |that |this )?[\w-]+(?: [\w-]+)? (?:one|journey|interest))\s+(?P<name>.+)$", re.I),
]
NOT_A_NAME = re.compile(r"(?i)^(a |an )?(something|anything|better|nicer|new|different|another)( (better|nicer|else|new|"
                        r"different|more specific|clearer|name|one))*( name)?$")
TRAILING_POLITENESS = re.compile(r"[\s,]*(?:please|instead|thanks|thank you|if you can|if possible)[\s.!]*$", re.I)


def read_rename(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    name, ref = None, text
    quoted = QUOTED.search(text)
    if quoted:
        name, ref = quoted.group(1), text[:quoted.start()] + text[quoted.end():]
    else:
        for form in RENAME_FORMS:
            match = form.search(text)
            if match:
                name, ref = match.group("name"), match.group("ref")
                break
    if name:
        name = TRAILING_POLITENESS.sub("", name).strip(" .!?")
    if name and NOT_A_NAME.match(name):
        name = None  # "rename it to something better": a request for the namer
    if not name:
        # "rename the second one" without a name: ask the namer for a better one.
        return "name_journey", [{"journey": reference(text, journeys, focus, embed)}]
    return "rename_journey", [{"journey": reference(ref, journeys, focus, embed), "new_name": name}]


MERGE_NAME = re.compile(r"\b(?:into|as|called|named|and call it|and name it)\s+(?P<name>.+)$", re.I)


def read_merge(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    args: dict[str, Any] = {}
    body = text
    quoted = QUOTED.search(text)
    named = MERGE_NAME.search(text)
    if quoted:
        args["new_name"], body = quoted.group(1), text[:quoted.start()]
    elif named and resolve_one(named.group("name"), journeys) is None and not re.match(
        r"(?i)\s*(one|a single|the same)\b", named.group("name")
    ):
        args["new_name"], body = TRAILING_POLITENESS.sub("", named.group("name")).strip(" .!?"), text[:named.start()]
    found = references(body, journeys, focus, embed=embed)
    if len(found) < 2 and embed is not None:
        # A merge needs every part: each part by its words, else by its meaning ("coffee and woodworking").
        chunks = [c for c in LIST_SEPARATORS.split(body) if reference_words(c)]
        each = [resolve_one(c, journeys) or resolve_one(c, journeys, embed) for c in chunks]
        named = list(dict.fromkeys(j.id for j in each if j is not None))
        if len(named) >= 2:
            found = named
    if len(found) == 1 and focus and found[0] != focus and PRONOUN.search(body):
        found = [focus, found[0]]  # "merge it with the guitar one"
    return "merge_journeys", [{"journeys": found, **args}]


SPLIT_PARTS = re.compile(r"\b(?:into|in to|between)\b\s*(?P<parts>.+)$|:\s*(?P<listed>.+)$", re.I)


def read_split(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    match = SPLIT_PARTS.search(text)
    parts: list[str] = []
    ref = text
    if match:
        listed = match.group("parts") or match.group("listed")
        parts = [p.strip(" .!?\"'“”") for p in re.split(r"\s*(?:,|;|&|/|\band\b|\bor\b)\s*", listed) if p.strip(" .!?")]
        parts = [re.sub(r"^(?:the|a|an)\s+", "", p, flags=re.I) for p in parts]
        if len(parts) < 2 or re.fullmatch(r"(?i)(two|2|three|3|several|parts?|pieces?)\b.*", listed.strip()):
            parts = []
        ref = text[:match.start()]
    args: dict[str, Any] = {"journey": reference(ref, journeys, focus, embed)}
    if parts:
        args["parts"] = parts
    return "split_journey", [args]


STEER = re.compile(
    r"\b(?P<direction>more|less|fewer)\b\s+(?:of\s+|about\s+|on\s+|from\s+)?(?P<topic>.*?)"
    r"(?=\s*(?:[,;.!?]|\bbut\b|\band\b\s+(?:more|less|fewer)\b|\b(?:more|less|fewer)\b)|$)",
    re.IGNORECASE,
)
LESS_WORDS = re.compile(
    r"\b((tone|dial|turn|scale) (it |that |this |them )?(down|back)|cut (back|down)|reduce|too much|too many|not so much|"
    r"enough of|less|fewer)\b", re.I)


def read_steer(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    calls = []
    for match in STEER.finditer(text):
        direction = "more" if match.group("direction").lower() == "more" else "less"
        topic = match.group("topic")
        calls.append({"journey": reference(topic, journeys, focus, embed), "direction": direction})
    if not calls:
        direction = "less" if LESS_WORDS.search(text) else "more"
        calls = [{"journey": reference(text, journeys, focus, embed), "direction": direction}]
    return "steer_journey", calls


ASPIRATION = re.compile(
    r"\b(?:i want|i'd like|i would like|i'm planning|i am planning|i plan|i hope|i'm hoping|i am hoping|"
    r"i'm going|i am going|i intend|my (?:[\w']+ )*?(?:resolution|goal|plan|dream|ambition|aim) is|i wish i could|"
    r"i aspire|i dream|i'd love|i would love)\s+(?:to\s+)?"
    r"(?P<what>.+)$",
    re.IGNORECASE,
)
ADD_FORMS = [
    re.compile(r"\badd\s+(?:a\s+|an\s+|one\s+|new\s+|another\s+)*(?:journey|interest|goal|hobby)\s*"
               r"(?:called|named|for|about|on|:|-)?\s*(?P<what>.+)$", re.I),
    re.compile(r"\badd\s+(?P<what>.+?)\s+(?:as|to)\s+(?:a\s+|an\s+|my\s+)?(?:new\s+)?(?:journey|interest|goal|hobby|journeys|interests)\b", re.I),
    re.compile(r"\bi'?m (?:getting|starting to get) into\s+(?P<what>.+)$", re.I),
]
LEAD_INS = re.compile(
    r"^(?:(?:start|begin|get started|finally|really|seriously|be able to|learn how to|to)\s+(?:with\s+|on\s+)?)+", re.I
)
TAKE_UP = re.compile(r"^(?:get into|take up|pick up|try out|try|do|have a go at|dive into|work on)\s+", re.I)
TRAILING_TIME = re.compile(
    r"(?:\s+(?:this|next) (?:year|month|summer|spring|autumn|fall|winter|week)|\s+someday|\s+one day|\s+soon|"
    r"\s+again|\s+eventually|\s+at some point|\s+in \d{4}|\s+by (?:the end of )?(?:the |this |next )?"
    r"(?:year|summer|spring|autumn|fall|winter|\d{4}))+$",
    re.I,
)
VERBS = frozenset("""
learn build make grow bake play run read study cook train write paint draw knit sew brew climb travel practice
practise improve speak visit explore fix restore save become master swim hike ride sing dance code program design
plant fish sail surf ski skate jog walk shoot film photograph record compose teach raise renovate decorate ferment
meditate lift box camp collect watch listen create repair restore brew roast keep start plan prepare complete finish
""".split())


def gerund(verb: str) -> str:
    """The -ing form of a verb: learn -> learning, bake -> baking, run -> running."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and verb != "be":
        return verb[:-1] + "ing"
    if len(verb) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", verb):
        return verb + verb[-1] + "ing"
    return verb + "ing"


def aspiration_name(text: str) -> str:
    """A journey name from the way someone states an aspiration: "I want to start learning Italian" gives "learning Italian"."""
    what = text
    for form in [ASPIRATION, *ADD_FORMS]:
        match = form.search(text)
        if match:
            what = match.group("what")
            break
    what = TRAILING_POLITENESS.sub("", what).strip(" .!?\"'“”")
    what = TRAILING_TIME.sub("", LEAD_INS.sub("", what)).strip(" .!?,")
    what = TAKE_UP.sub("", what)
    words = what.split()
    if words and words[0].lower() in VERBS:
        words[0] = gerund(words[0].lower())
    return " ".join(words)


def read_name(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    """A fresh name from the namer, unless the user gave one ("'Shop time' would be a better name")."""
    if QUOTED.search(text):
        return read_rename(text, journeys, focus, embed)
    return each_journey("name_journey", allow_all=True)(text, journeys, focus, embed)


def read_add(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    return "add_journey", [{"name": aspiration_name(text)}]


def read_search(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    from agent.understanding import search_query

    return "search_history", [{"query": search_query(text)}]


def read_explain(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    return "explain_journey", [{"journey": reference(text, journeys, focus, embed)}]


# Words of a request for suggestions that say what to do, not which journey ("what should I watch next for …").
RECOMMEND_WORDS = frozenset("""
recommend recommends recommended recommending recommendation recommendations suggest suggests suggested suggesting
suggestion suggestions idea ideas pick picks tip tips something anything stuff things new next else fresh more
watch read listen play try learn check out look got have has any some could might shall should would ought good
great nice cool interesting give find need needs else what's whats what where start continue keep going
video videos article articles podcast podcasts episode episodes book books song songs item items film films
movie movies show shows course courses tutorial tutorials recipe recipes surprise bored worth watching reading
listening playing trying similar like liked love enjoy ideas where go going here i've i'd i'll got
free spare time evening evenings tonight today tomorrow weekend morning afternoon moment later lately recently
bored boring thanks thank quick short long little bit maybe perhaps else
""".split())
COUNT = re.compile(r"\b(?P<count>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of)\s+"
                   r"(?:more\s+|new\s+|other\s+|good\s+)?(?:things|items|suggestions|recommendations|ideas|picks|"
                   r"videos|articles|podcasts|episodes|books|films|movies|songs|tracks)\b", re.I)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "a few": 3, "a couple of": 2}


# Where a request for suggestions names its journey: "for the sci-fi one", "about hydroponics".
TOPIC_PART = re.compile(r"\b(?:for|about|on|with|like|regarding|related to|around|in)\s+(?P<topic>.+)$", re.I)


# The question around a request ("what should I build …"): its verb says what to do, not which journey.
REQUEST_FRAME = re.compile(r"\b(?:should|could|can|shall|might|would|do you think)\s+i\s+[\w'-]+"
                           r"(?:\s+(?:to|at|on|out|up))?\b", re.I)


def _topic_words(text: str) -> str:
    return " ".join(w for w in reference_words(text).split() if w not in RECOMMEND_WORDS)


def read_recommend(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None) -> Calls:
    """Suggestions for the journey named ("for the sci-fi one", "about hydroponics", "for it"), or for all of them."""
    args: dict[str, Any] = {}
    count = COUNT.search(text)
    if count:
        word = count.group("count").lower()
        args["k"] = int(word) if word.isdigit() else NUMBER_WORDS[word]
        text = text[:count.start()] + text[count.end():]
    text = REQUEST_FRAME.sub(" ", text)
    named = TOPIC_PART.search(text)
    words = _topic_words(named.group("topic")) if named else ""
    if not words:
        words = _topic_words(text)
        if words and resolve_one(words, journeys, embed) is None and len(words.split()) > 2:
            words = ""  # "I've got a free evening, what should I watch?": no journey named
    if words:
        args["journey"] = reference(words, journeys, focus, embed)
    elif focus and PRONOUN.search(re.sub(r"(?i)\b(?:what|something|anything)\b", "", text)):
        args["journey"] = focus  # "anything else for it?"
    return "recommend", [args]


ARGUMENT_READERS: dict[str, Reader] = {
    "explain_journey": read_explain,
    "search_history": read_search,
    "confirm_journey": each_journey("confirm_journey", allow_all=True),
    "reject_journey": each_journey("reject_journey"),
    "pause_journey": each_journey("pause_journey"),
    "name_journey": read_name,
    "rename_journey": read_rename,
    "merge_journeys": read_merge,
    "split_journey": read_split,
    "steer_journey": read_steer,
    "add_journey": read_add,
    "recommend": read_recommend,
}
