"""Rules every journey name must follow, whatever produced it.

A name is 2 to 6 words, specific (not a word that would fit most histories of its broad
domain), not an echo of the prompt or of an item title, without list markers or quotes,
never states or guesses a sensitive attribute (health, religion, sexuality, politics), is
never sexual or insulting, and describes an interest rather than judging the items ("good
acting") or the person's relation to them ("seen live", "albums I own"). A name that breaks
a rule is replaced by a neutral one, and the reason is kept.

A passing name is also tidied: words the titles write as proper nouns keep that casing
("Jack Nicholson films", "PyTorch basics"), and an article agrees with what follows it
("an aquarium", "starting small aquariums", not "a small aquariums").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

NEUTRAL_NAME = "Unnamed interest"
MIN_WORDS, MAX_WORDS = 2, 6

# Names that fit almost any history of their broad domain: too vague to be a journey.
GENERIC = frozenset({
    "music", "rock", "pop", "songs", "videos", "video", "diy", "entertainment", "news", "movies", "films",
    "film", "lifestyle", "hobbies", "interests", "stuff", "things", "misc", "learning", "education",
    "tutorials", "sports", "games", "gaming", "food", "cooking", "technology", "tech", "science", "art",
    "how to", "music videos", "tv shows", "various things", "general interest", "online videos",
    "random videos", "youtube videos", "new music", "good music", "popular music", "my interests",
})

# Words that state or guess a sensitive attribute; a name containing one is never shown.
SENSITIVE = re.compile(
    r"\b(depress\w*|anxiety|bipolar|adhd|autis\w*|cancer|diabet\w*|hiv|aids|pregnan\w*|illness|disease|"
    r"disorder|therapy|rehab|addict\w*|diagnos\w*|christian\w*|muslim|islam\w*|jewish|judaism|hindu\w*|"
    r"buddhis\w*|atheis\w*|religio\w*|church|mosque|gay|lesbian|bisexual|transgender|queer|lgbt\w*|"
    r"sexual\w*|democrat\w*|republican\w*|liberal|conservative|leftist|right-wing|left-wing|socialis\w*|"
    r"communis\w*|fascis\w*|trump|biden|politic\w*|election\w*|abortion)\b",
    re.IGNORECASE,
)
# Sexual content and insults: never a journey's name, whatever the items are.
UNSAFE = re.compile(
    r"\b(sex|sexy|sexiest|porn\w*|nud(e|es|ity)|naked|erotic\w*|hentai|xxx|nsfw|milfs?|fetish\w*|boobs?|tits|"
    r"busty|horny|slut\w*|whores?|hookers?|bitch\w*|fuck\w*|shit\w*|cunts?|pussy|bastards?|"
    r"retard\w*|idiot\w*|morons?|stupid|imbeciles?|fags?|faggots?|dykes?|tranny|n[i1]gg\w*|"
    r"fat\s+(chicks?|girls?|people))\b",
    re.IGNORECASE,
)

# Words that judge the items or tell the person's relation to them, not what they are about.
JUDGEMENT_WORDS = frozenset({
    "good", "great", "bad", "awesome", "amazing", "excellent", "brilliant", "beautiful", "beautifully", "visually",
    "appealing", "stunning", "gorgeous", "overrated", "underrated", "boring", "best", "worst", "loved", "love",
    "lovely", "nice", "cool", "masterpiece", "masterpieces", "perfect", "fantastic", "superb", "wonderful", "fun",
    "enjoyable", "entertaining", "interesting", "brilliantly", "well", "poorly", "very", "really", "so", "too",
    "quite", "highly", "recommended", "must", "see", "watch", "watched", "watching", "seen", "heard", "listened",
    "live", "own", "owned", "favorite", "favorites", "favourite", "favourites", "fave", "faves", "liked", "like",
    "likes", "hate", "hated", "want", "wanted", "check", "out", "later", "queue", "wishlist", "netflix", "dvd",
    "bought", "rewatch", "rewatched", "worth", "it", "waste", "time", "meh", "ok", "okay", "my", "i", "me", "mine",
    "i'm", "ive", "i've", "we", "our", "to", "a", "an", "the", "and", "of", "in", "on", "at", "for", "with", "not",
    "no", "should", "would", "could", "again", "ever", "all", "time's", "times", "done", "made", "making",
    "acting", "actor", "actors", "actress", "soundtrack", "cinematography", "visuals", "dialogue", "plot",
    "story", "storyline", "ending", "script", "direction", "directing", "photography", "score", "cast",
    "effects", "atmosphere", "atmospheric", "performance", "performances", "writing", "characters",
    "songs", "tracks", "albums", "album", "artists", "bands", "music", "movies", "films", "film", "movie",
    "stuff", "things", "one", "ones", "first", "listen", "listening", "sight", "guilty", "pleasure", "pleasures",
})
# Words that make a name about the person or the moment rather than the items.
PERSONAL = re.compile(
    r"\b(i|i'm|i've|my|me|mine|seen live|to (see|watch|listen|buy)|owned?|favou?rites?|faves?|"
    r"wishlist|netflix queue|want to|check out|must see|listened|watched)\b",
    re.IGNORECASE,
)

ECHO_MARKERS = re.compile(r"\b(items?|name|titles?|group|journey)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedName:
    """A name after the rules: the name to show and, when it was replaced, why."""

    name: str
    problem: str | None = None


def tidy(raw: str) -> str:
    """The first line of a model's answer without list markers, quotes or trailing punctuation."""
    line = next((part for part in raw.strip().splitlines() if part.strip()), "")
    line = re.split(r"[;|]", line)[0]
    line = re.sub(r"^\s*(?:[-*•]+|\d+[.)]|name\s*:)\s*", "", line, flags=re.IGNORECASE)
    line = line.strip().strip("\"'“”‘’`").strip()
    line = re.sub(r"[\s.,:!?]+$", "", line)
    return re.sub(r"\s+", " ", line)


# Words that open a trailing qualifier ("baby sleep schedule | with a 9-month old"): a name
# that is too long is cut before the last of them that leaves at least two words.
QUALIFIER_STARTS: frozenset[str] = frozenset({"with", "for", "in", "on", "at", "from", "to", "by", "during", "while", "using",
                              "via", "and", "or", "as", "after", "before", "without", "about"})


def shorten(name: str) -> str:
    """A name over the word limit cut before a trailing qualifier, when that leaves 2 to 6 words."""
    words = name.split()
    if len(words) <= MAX_WORDS:
        return name
    cuts = [i for i, word in enumerate(words) if word.lower() in QUALIFIER_STARTS and MIN_WORDS <= i <= MAX_WORDS]
    return " ".join(words[: cuts[-1]]) if cuts else name


# A time period in a name: a decade ("1980s", "80s", "'90s", "early 2000s") or a year or a
# span of years ("2019", "2011-2014"); PERIODS adds the words that join or introduce them
# ("80s and 90s", "from the 1980s").
_PERIOD = r"(?:(?:early|late|mid)[- ])?(?:(?:1[89]|20)?\d0'?s|'\d0s|(?:1[89]|20)\d\d(?:\s*[-–]\s*(?:(?:1[89]|20)?\d\d))?)"
PERIOD = re.compile(rf"(?<![\w'])({_PERIOD})(?![\w'])", re.IGNORECASE)
PERIODS = re.compile(
    rf"(?:\b(?:from|of|in)\s+(?:the\s+)?)?(?<![\w']){_PERIOD}(?:\s*(?:,|and|&|to|-|–|/)\s*(?:the\s+)?{_PERIOD})*(?![\w'])",
    re.IGNORECASE,
)
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# A period is the titles' own when at least PERIOD_SUPPORT of the titles that carry a date (a year,
# or a decade's name) fall in it, and at least PERIOD_SHARE of all titles: one "Remastered 2012"
# among a dozen songs does not date the group.
PERIOD_SUPPORT, PERIOD_SHARE = 0.5, 0.2


def _years(period: str) -> set[int]:
    """The years a period covers ("1980s" or "80s": 1980-1989; "2011-2014"; "2019")."""
    text = period.lower().replace("'", "").strip()
    text = re.sub(r"^(early|late|mid)[- ]", "", text)
    if text.endswith("s"):
        digits = text[:-1]
        start = int(digits) if len(digits) == 4 else (1900 + int(digits) if int(digits) >= 30 else 2000 + int(digits))
        return set(range(start, start + 10))
    ends = [int(part) for part in re.split(r"\s*[-–]\s*", text) if part]
    first = ends[0]
    last = ends[-1] if len(str(ends[-1])) == 4 else (first // 100) * 100 + ends[-1]
    return set(range(first, max(first, last) + 1))


def _dates(title: str) -> set[int]:
    """The years a title mentions, a decade's name ("90s hits") counting for all of its years."""
    years = {int(y) for y in YEAR.findall(title)}
    for period in PERIOD.findall(title):
        if not YEAR.fullmatch(period):
            years |= _years(period)
    return years


def _borne_out(years: set[int], titles: Sequence[str]) -> bool:
    """Whether enough titles fall in these years: PERIOD_SUPPORT of the dated ones, PERIOD_SHARE of all, one at least."""
    dated = [dates for dates in map(_dates, titles) if dates]
    inside = sum(bool(dates & years) for dates in dated)
    return inside >= max(1.0, PERIOD_SUPPORT * len(dated), PERIOD_SHARE * len(titles))


def drop_unfounded_periods(name: str, titles: Sequence[str]) -> str:
    """The name without a decade or year that its titles do not bear out ("1980s synth pop" over 2019 tracks).

    A small model adds a decade to many names ("2010s hip-hop singles"); unless at least half of
    the titles that carry a date (a year, or a decade's name), and a fifth of all, fall in that
    period, the period is an invented detail and is dropped, with the words that joined it
    ("from the", "and").
    """
    if not titles:
        return name

    def keep_or_drop(match: re.Match) -> str:
        years = set().union(*(_years(p) for p in PERIOD.findall(match.group(0))))
        return match.group(0) if _borne_out(years, titles) else " "

    trimmed = PERIODS.sub(keep_or_drop, name)
    if trimmed == name:
        return name
    trimmed = re.sub(r"\s+", " ", trimmed).strip(" ,-–&/")
    trimmed = re.sub(r"^(?:and|&|of|from|in|the)\s+|\s+(?:and|&|of|from|in|the)$", "", trimmed, flags=re.IGNORECASE)
    trimmed = trimmed.strip()
    return trimmed[:1].upper() + trimmed[1:] if trimmed else name


def check_name(raw: str, titles: Sequence[str] = ()) -> CheckedName:
    """Apply the naming rules to a proposed name; a failing name becomes the neutral one, with the reason."""
    name = shorten(tidy(raw))
    # An invented period goes when what is left is still a name ("1990s hip-hop" keeps it: the
    # name choice then prefers other candidates, see journeys.naming.choice).
    trimmed = drop_unfounded_periods(name, titles)
    if MIN_WORDS <= len(trimmed.split()) and trimmed.lower() not in GENERIC:
        name = trimmed
    words = name.split()
    if not name:
        return CheckedName(NEUTRAL_NAME, "empty")
    if SENSITIVE.search(name):
        return CheckedName(NEUTRAL_NAME, "sensitive attribute")
    if UNSAFE.search(name):
        return CheckedName(NEUTRAL_NAME, "sexual or insulting")

    if ECHO_MARKERS.search(name) or any(name.lower() == t.strip().lower() for t in titles):
        return CheckedName(NEUTRAL_NAME, "echo of the input")
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return CheckedName(NEUTRAL_NAME, f"{len(words)} words (names have {MIN_WORDS} to {MAX_WORDS})")
    if name.lower() in GENERIC:
        return CheckedName(NEUTRAL_NAME, "too generic")
    if PERSONAL.search(name):
        return CheckedName(NEUTRAL_NAME, "about the person, not the interest")
    if all(word in JUDGEMENT_WORDS for word in re.findall(r"[\w']+", name.lower())):
        return CheckedName(NEUTRAL_NAME, "a judgement, not an interest")
    name = agree_articles(cased_as_in_titles(name, titles))
    return CheckedName(name[:1].upper() + name[1:])


def _title_cased(title: str) -> bool:
    """Whether a title capitalises all its longer words (then its capitals say nothing about proper nouns)."""
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", title)[1:] if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)


def cased_as_in_titles(name: str, titles: Sequence[str]) -> str:
    """The name with the casing the titles give its proper nouns and brands ("jack nicholson" -> "Jack Nicholson").

    A word takes the titles' form when they always write it that way and it is not a common
    word capitalised for style: a mixed-case or all-capitals form (PyTorch, NASA), or a capital
    inside a title that otherwise writes its words in lower case.
    """
    proper: dict[str, Counter[str]] = {}
    lowered: set[str] = set()  # words some title writes in lower case: common words, whatever others do
    for title in titles:
        styled = _title_cased(title)
        for position, word in enumerate(re.findall(r"[^\W_][\w'.+#-]*[\w+#]|[^\W_]", title)):
            distinctive = (any(c.isupper() for c in word[1:]) and not word.isupper()) or (word.isupper() and len(word) > 1)
            if distinctive or (word[0].isupper() and position > 0 and not styled):
                proper.setdefault(word.lower(), Counter())[word] += 1
            elif word.islower() and position > 0:
                lowered.add(word)
    words = []
    for word in name.split(" "):
        forms = proper.get(word.lower())
        if forms:
            form = forms.most_common(1)[0][0]
            distinctive = form.isupper() or any(c.isupper() for c in form[1:])
            if distinctive or word.lower() not in lowered:
                word = form
        words.append(word)
    return " ".join(words)


# Words ending in "s" that are not plurals ("a tennis racket", "a physics course").
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ics", "ous", "news", "series", "species", "'s")


def _plural(word: str) -> bool:
    word = word.lower()
    return len(word) > 3 and word.endswith("s") and not word.endswith(_NOT_PLURAL_ENDINGS)


def agree_articles(name: str) -> str:
    """Articles that agree with their noun: "a aquarium" -> "an aquarium", "a small aquariums" -> "small aquariums"."""
    words = name.split(" ")
    result: list[str] = []
    for i, word in enumerate(words):
        lower = word.lower()
        if lower in ("a", "an") and i + 1 < len(words):
            # The noun the article governs: the last word before a preposition or the end of the name.
            phrase = []
            for following in words[i + 1:]:
                if following.lower() in QUALIFIER_STARTS:
                    break
                phrase.append(following)
            if phrase and _plural(phrase[-1]) and len(phrase) <= 3:
                continue  # a plural needs no article
            next_word = words[i + 1].lower()
            # By sound: "a Eurorack synth", "a one-pot meal", "an hour"; "u" is left to "a" ("a ukulele").
            vowel = (next_word[:1] in ("a", "e", "i", "o") and not next_word.startswith(("eu", "one", "once", "ewe"))
                     or next_word.startswith(("hour", "honest", "heir")))
            word = ("An" if vowel else "A") if word[0].isupper() else ("an" if vowel else "a")
        result.append(word)
    return " ".join(result)


def _word_keys(text: str) -> list[str]:
    """Lower-case words of three letters or more, a plural "s" dropped, so "Boards" meets "board"."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in re.findall(r"[^\W\d_]{3,}", text.lower())]


def narrows_to_one_title(name: str, titles: Sequence[str]) -> bool:
    """Whether a name leans on a single item of a group: it copies a title, or its words come mostly from one.

    A 16-video woodworking journey named "Cutting board" (the one video about a cutting board)
    narrows; "Woodworking for beginners" does not, nor does "Fingerstyle acoustic guitar"
    when one title says "guitar" (a name may use words no title has). A phrase that several
    titles share is the group's theme, not a copy. Groups of fewer than three titles cannot tell.
    """
    if len(titles) < 3:
        return False
    if copies_a_title(name, titles):
        return True
    per_title = [set(_word_keys(t)) for t in titles]
    words = {w for w in _word_keys(name) if w not in _FILLER}
    single: dict[str, int] = {}
    for word in words:
        where = [i for i, t in enumerate(per_title) if word in t]
        if len(where) == 1:
            single[word] = where[0]
    return len(single) >= 2 and len(set(single.values())) == 1 and 2 * len(single) >= len(words)


def copies_a_title(name: str, titles: Sequence[str]) -> bool:
    """Whether the name is a title, or a phrase of two words or more found in exactly one title."""
    text = " ".join(re.findall(r"[\w']+", name.lower()))
    if not text:
        return False
    texts = [" ".join(re.findall(r"[\w']+", title.lower())) for title in titles]
    if text in texts:
        return True
    if len(text.split()) < 2:
        return False
    return sum(f" {text} " in f" {t} " for t in texts) == 1


# Words too common to tie a name to a title.
_FILLER = frozenset({"the", "and", "for", "with", "from", "into", "how", "what", "why", "you", "your", "new", "best",
                     "guide", "tips", "video", "part", "episode", "official"})
