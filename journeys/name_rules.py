"""Rules every journey name must follow, whatever produced it.

A name is 2 to 6 words, specific (not a word that would fit most histories of its broad
domain), not an echo of the prompt or of an item title, without list markers or quotes,
and never states or guesses a sensitive attribute (health, religion, sexuality, politics).
A name that breaks a rule is replaced by a neutral one, and the reason is kept.
"""

from __future__ import annotations

import re
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
QUALIFIER_STARTS = frozenset({"with", "for", "in", "on", "at", "from", "to", "by", "during", "while", "using",
                              "via", "and", "or", "as", "after", "before", "without", "about"})


def shorten(name: str) -> str:
    """A name over the word limit cut before a trailing qualifier, when that leaves 2 to 6 words."""
    words = name.split()
    if len(words) <= MAX_WORDS:
        return name
    cuts = [i for i, word in enumerate(words) if word.lower() in QUALIFIER_STARTS and MIN_WORDS <= i <= MAX_WORDS]
    return " ".join(words[: cuts[-1]]) if cuts else name


def check_name(raw: str, titles: Sequence[str] = ()) -> CheckedName:
    """Apply the naming rules to a proposed name; a failing name becomes the neutral one, with the reason."""
    name = shorten(tidy(raw))
    words = name.split()
    if not name:
        return CheckedName(NEUTRAL_NAME, "empty")
    if SENSITIVE.search(name):
        return CheckedName(NEUTRAL_NAME, "sensitive attribute")
    if ECHO_MARKERS.search(name) or any(name.lower() == t.strip().lower() for t in titles):
        return CheckedName(NEUTRAL_NAME, "echo of the input")
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return CheckedName(NEUTRAL_NAME, f"{len(words)} words (names have {MIN_WORDS} to {MAX_WORDS})")
    if name.lower() in GENERIC:
        return CheckedName(NEUTRAL_NAME, "too generic")
    return CheckedName(name[:1].upper() + name[1:])
