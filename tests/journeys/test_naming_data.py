"""Naming examples: sources, splits by user, and names that already follow the rules."""

import re
from collections import Counter

import pytest

from journeys.name_rules import check_name
from journeys.naming_data import lastfm_examples, movielens_examples, spotify_examples, written_examples
from tests.conftest import PERSONAS


def test_written_examples_follow_the_rules_and_avoid_the_demo_personas_topics():
    examples = list(written_examples())
    assert len(examples) >= 240 and {e.split for e in examples} == {"train", "validation", "test"}
    # The demo personas' interests: kept out of training so the demo shows how the namer generalises.
    reserved = ["ukulele", "hydroponic", "crochet", "marathon", "kubernetes", "sourdough", "road bike",
                "birdwatching", "baby sleep", "weaning", "chicken", "japanese", "film photography",
                "woodworking", "espresso", "astronomy", "telescope"]
    assert len(reserved) >= sum(len(p.interests) for p in PERSONAS.values())
    for example in examples:
        assert check_name(example.name, example.titles).problem is None
        assert 4 <= len(example.titles) <= 8
        assert not any(re.search(rf"\b{word}\b", example.name.lower()) for word in reserved), example.name


def test_public_data_examples_are_split_by_user_and_spotify_is_test_only(shared_data):
    lastfm = list(lastfm_examples(shared_data / "lastfm-hetrec2011-2k"))
    splits_of_user = {}
    for example in lastfm:
        splits_of_user.setdefault(example.user_id, set()).add(example.split)
    assert all(len(splits) == 1 for splits in splits_of_user.values())  # a user's groups never straddle splits
    assert Counter(e.split for e in lastfm)["test"] > 100
    movielens = movielens_examples(shared_data / "movielens-ml-latest-small")
    assert {e.split for e in movielens} == {"train", "validation", "test"}
    spotify = list(spotify_examples(shared_data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv"))
    assert spotify and {e.split for e in spotify} == {"test"}
    assert all(check_name(e.name, e.titles).problem is None for e in lastfm + movielens + spotify)
