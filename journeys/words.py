"""Stop words: the one list of words that never say what an interest is, and what each stage adds to it.

FUNCTION_WORDS (articles, pronouns, prepositions, question words) are in every list below: the
salient terms' TF-IDF stop words, the filler of a journey reference ("the one about ..."), and
the agent's words of a command or a search (agent/arguments.py). Each use adds its own words.
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

FUNCTION_WORDS = frozenset("""
a about all also an are do for found how i in is me my of on one please show so the these those to was what
which with you
""".split())

# Words that are frequent in titles of any topic and never name an interest.
TITLE_STOP_WORDS = frozenset({
    "video", "videos", "watch", "official", "new", "best", "top", "vs", "episode", "ep", "part",
    "guide", "review", "tips", "ways", "things", "thing", "make", "making", "way", "really",
    "need", "know", "just", "does", "did", "like", "use", "using", "get", "getting", "good", "year",
    "years", "day", "days", "week", "time", "10", "minute", "minutes", "people", "let", "don",
    "https", "http", "www", "com",
})
# Salient terms leave these out: scikit-learn's English list (FUNCTION_WORDS are all in it) and the title words.
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | FUNCTION_WORDS | TITLE_STOP_WORDS)

# Words that say "a journey" without saying which one (journeys/state/references.py).
REFERENCE_FILLER = FUNCTION_WORDS | frozenset("""
actually and aren bit correct couldn definitely did didn does doesn don explain find hasn haven here interest
interests isn it its journey journeys just little more no nope not ok okay ones or really right shouldn stuff
sure tell that there thing think this too topic topics wasn weren why won wouldn wrong yeah yep yes your
""".split())

# Verbs of things people do: "what should I bake next?" is about baking.
VERBS = frozenset("""
learn build make grow bake play run read study cook train write paint draw knit sew brew climb travel practice
practise improve speak visit explore fix restore save become master swim hike ride sing dance code program design
plant fish sail surf ski skate jog walk shoot film photograph record compose teach raise renovate decorate ferment
meditate lift box camp collect watch listen create repair restore brew roast keep start plan prepare complete finish
garden crochet sketch cycle carve journal stretch row bike
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
