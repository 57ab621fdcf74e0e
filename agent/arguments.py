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

from journeys.state.journey import Journey, Status
from journeys.state.references import group_references, resolve_journey
from journeys.understanding.periods import Today, read_period, without_period
from journeys.words import FUNCTION_WORDS, VERBS, gerund

Calls = tuple[str, list[dict[str, Any]]]
# A sentence embedder (unit vectors), used to resolve references by meaning; None: by words only.
Embed = Callable[[list[str]], Any] | None

# Words that say what to do, not which journey: left out when a reference is looked up.
ACTION_WORDS = FUNCTION_WORDS | frozenset("""
accept accepted accurate actually after already am any anymore approve aren't behind being belong belongs bit
both break bring call can care combine come confirm confirmed correct could days definitely delete detail
details discard divide does don't done drop evidence exactly explain false fewer fine from give good great
hello hey hi hold i'm i've im interest interested interests into isn't it's its ive join journey journeys
just keep kind kinda lately less like longer look looks lose losing lost lump made make mash merge mistake
mistaken moment more name no nope not now ok okay ones pause paused perfect put reactivate really reject
rejected remove rename resume right say see seeing seem seems separate should snooze sort sound sounds split
spot stop stuff take taking tell that's thats them they thing things think time together too true um undo
unpause video videos want well were when where while why will would wrong yeah yep yes your yup
""".split())
PRONOUN = re.compile(r"\b(it|that|this|that one|this one|the same)\b", re.IGNORECASE)
# "after all", "at all", "all right" and "all along" say nothing of how many journeys.
EVERYTHING = re.compile(r"(?<!\bafter )(?<!\bat )\b(all|every|everything|both|them all|all of them|each)\b"
                        r"(?! along\b| right\b)", re.IGNORECASE)
EVERYTHING_WORDS = frozenset({"all", "every", "everything", "both", "each", "of", "two", "three", "four", "five", "six"})
LIST_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bplus\b|\bas well as\b|\bwith\b)\s*", re.IGNORECASE)


def reference_words(text: str) -> str:
    """The part of a phrase that can name a journey: the words left after the action words."""
    # A sign stays with its number: "-1" is no place in the list, never the first journey.
    words = re.findall(r"(?:(?<![\w-])-)?#?\d+|[^\W_][\w'-]*", text.lower())
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
    """Every journey a message names ("1 and 3", "the ukulele and the crochet ones", "the first two"), as ids.

    Parts of the message are matched by their words first; only when no part does are they
    compared by meaning, so that words around a reference never pick a journey of their own.
    """
    grouped, rest = group_references(text, journeys)
    if grouped:
        # "the first two and the crochet one": the group, then whatever else is named by words.
        chunks = [c for c in LIST_SEPARATORS.split(rest) if set(reference_words(c).split()) - EVERYTHING_WORDS]
        named = [j.id for j in (resolve_one(c, journeys) for c in chunks) if j is not None]
        return list(dict.fromkeys(grouped + named))
    everything = allow_all and bool(EVERYTHING.search(text)) and bool(journeys)
    if everything and not set(reference_words(text).split()) - EVERYTHING_WORDS:
        return _all(journeys)  # "they all look right": nothing else named
    chunks = [c for c in LIST_SEPARATORS.split(text) if set(reference_words(c).split()) - EVERYTHING_WORDS]
    for attempt in (None, embed) if embed is not None else (None,):
        each = [resolve_one(c, journeys, attempt) for c in chunks]
        found = [j.id for j in each if j is not None]
        if found:
            # "the bread one and the birds one are both right": those two. A part that names no journey
            # ("merge 1 and 2 and 1999") goes on as the user's words, so that the tool asks about it
            # rather than acting on the others alone.
            unknown = [reference_words(c) for c, j in zip(chunks, each) if j is None and _numbered(c)]
            return list(dict.fromkeys(found + unknown))
    if everything and not chunks:
        return _all(journeys)
    # Words that name no journey ("the gardening ones are both right"): the tool says so, and changes nothing.
    return [reference(text, journeys, focus)]


def _numbered(text: str) -> bool:
    """Whether a part of a list names a journey by a number ("1999", "-1", "#12")."""
    return bool(re.search(r"(?:^|\s)[#-]?\d+\b", reference_words(text)))


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


BOTH = re.compile(r"\b(?:both|the two|these two|those two|the pair|them|all)\b", re.I)
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
    if len(found) < 2 and len(journeys) == 2 and BOTH.search(body):
        found = [j.id for j in journeys]  # "the two of them belong together", with two journeys
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


# Words of a search request that say nothing about what was searched for ("anything I watched").
SEARCH_FILLER = FUNCTION_WORDS | frozenset("""
activities activity again and any anything around article articles at back been busy but can check clip clips
could did does doing during else episode episodes ever everything find from get go got had has have hear
heard history hmm i'd i've instead interested into it item items ive let's lets like liked list listen
listened listening look looked looking maybe mine now ok okay ones or over page pages play played podcast
podcasts post posts read reading same save saved saw search searched see seeing seen some something song
songs stuff tell that them then there thing things this time track tracks try tutorial tutorials up video
videos visit visited watch watched watching well were what's whats when where
""".split())
PRONOUNS = frozenset({"it", "that", "them", "those", "this", "same"})
SEARCH_VERBS = re.compile(r"\b(?:watch(?:ed)?|read|listen(?:ed)?|saw|see(?:n)?|look(?:ed)?|search(?:ed)?|find|found|"
                          r"play(?:ed)?|do|did|visit(?:ed)?)\b", re.I)


_SEARCH_FRAME = re.compile(
    r"^\s*(?:when|where|what|which|did|have|do|can you|could you|please)?\b.*?"
    r"\b(?:watch(?:ed)?|read|listen(?:ed)? to|see|saw|play(?:ed)?|search(?:ed)? for|look(?:ed)? (?:at|up)|"
    r"find|found|about|search(?: my history)? for)\s+",
    re.IGNORECASE,
)


# "… that I watched", "… I read": the rest of a search request says what was done, not what to look for.
_DONE_CLAUSE = re.compile(
    r"\s+(?:that |which )?(?:i|i've|i have|i had|i'd)\s+(?:ever\s+|once\s+|already\s+)?"
    r"(?:watched|read|saw|seen|listened to|heard|looked at|looked up|searched for|played|liked|saved|visited|found|"
    r"bookmarked)\b",
    re.IGNORECASE,
)


def search_query(text: str) -> str:
    """The thing to look for in a search request: "when did I watch the strumming video?" gives "strumming video"."""
    query = _SEARCH_FRAME.sub("", text, count=1).strip(" ?!.")
    query = re.sub(r"\s+", " ", _DONE_CLAUSE.sub("", query)).strip(" ?!.,")
    query = re.sub(r"^(?:(?:the|a|an|that|this|any|anything|something|stuff|about|on|of|for|regarding)\s+)+", "",
                   query, flags=re.IGNORECASE)
    query = re.sub(r"^(?:video|article|post|podcast|episode|song|track|clip|page|tutorial)s?\s+(?:about|on|of)\s+", "",
                   query, flags=re.IGNORECASE)
    return query or text.strip(" ?!.")


def search_topic(text: str) -> str:
    """What a search is about, or "" when it names only a time ("what did I watch last spring?")."""
    query = search_query(text)
    words = re.findall(r"[^\W_][\w'-]*", query.lower())
    return query if set(words) - SEARCH_FILLER else ""


def read_search(text: str, journeys: list[Journey], focus: str | None, embed: Embed = None,
                today: Today | None = None, previous: dict[str, Any] | None = None) -> Calls:
    """What to look for and when: "that video about chords from February" gives chords, since and until.

    A time alone after a search ("what about in April?") searches the same thing then; a time alone
    otherwise lists what the user did then. previous: the arguments of the last search, if any.
    """
    period = read_period(text, today)
    rest = without_period(text, period)
    query = search_topic(rest)
    words = set(re.findall(r"[^\W_][\w'-]*", rest.lower()))
    follow_up = previous and previous.get("query") and (not SEARCH_VERBS.search(rest) or words & PRONOUNS)
    if period is not None and not query and follow_up:
        query = previous["query"]
    args: dict[str, Any] = {"query": query}
    if period is not None:
        args.update(period.args())
        if not query:
            args["k"] = 10  # a time alone: show more of what happened then
    elif not query:
            args["query"] = search_query(text)
    return "search_history", [args]


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
bored boring thanks thank quick short long little bit maybe perhaps else hobby hobbies passion project projects point
""".split())
COUNT = re.compile(r"\b(?P<count>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of)\s+"
                   r"(?:more\s+|new\s+|other\s+|good\s+)?(?:things|items|suggestions|recommendations|ideas|picks|"
                   r"videos|articles|podcasts|episodes|books|films|movies|songs|tracks)\b", re.I)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "a few": 3, "a couple of": 2}


# Where a request for suggestions names its journey: "for the sci-fi one", "about hydroponics".
TOPIC_PART = re.compile(r"\b(?:for|about|on|with|like|regarding|related to|around|in)\s+(?P<topic>.+)$", re.I)


# A journey named as such: "my cooking journey", "the sci-fi one", "that photography hobby".
NAMED_JOURNEY = re.compile(r"\b(?:my|the|that|this|our)\s+(?P<topic>[^\W\d_][\w'&-]*(?:\s+[^\W\d_][\w'&-]*){0,2}?)\s+"
                           r"(?:journey|one|interest|hobby|passion|project)\b", re.I)


# The question around a request ("what should I build …"): its verb says what to do, not which journey.
REQUEST_FRAME = re.compile(r"\b(?:should|could|can|shall|might|would|do you think)\s+i\s+(?P<verb>[\w'-]+)"
                           r"(?:\s+(?:to|at|on|out|up))?\b", re.I)
# Verbs of such a question that say nothing of a topic; any other names one ("what should I cook next?": cooking).
GENERIC_REQUEST_VERBS = frozenset("""
watch read listen play try learn see check look do make build get buy go start explore study practice practise
have use visit attempt tackle pick choose find give
""".split())


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
    text = without_period(text, read_period(text))  # "this weekend" names no journey
    frame = REQUEST_FRAME.search(text)
    verb = frame.group("verb").lower() if frame else ""
    topical_verb = verb if verb and verb not in GENERIC_REQUEST_VERBS and (
        verb in VERBS or resolve_journey(journeys, verb, strict=True).journey is not None) else ""
    text = REQUEST_FRAME.sub(" ", text)
    named = NAMED_JOURNEY.search(text) or TOPIC_PART.search(text)
    words = _topic_words(named.group("topic")) if named else ""
    if not words and topical_verb:
        words = gerund(topical_verb)  # "what should I bake next?": the baking journey
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
