"""The keyword namer and the namer registry."""

import pytest

from journeys.naming import FALLBACK_NAME, KeywordNamer, NamingRequest, frequent_terms, make_namer


def test_keyword_name_uses_the_strongest_terms():
    [naming] = KeywordNamer().name_many([NamingRequest(titles=["x"], terms=["ukulele", "chords", "strumming"])])
    assert naming.name == "Ukulele & chords" and naming.source == "keywords"


def test_without_terms_the_name_comes_from_words_the_titles_share():
    titles = ["Sourdough starter day 3", "Why is my sourdough flat?", "Feeding a sourdough starter", "Sourdough crumb"]
    assert frequent_terms(titles)[0] == "sourdough starter" or frequent_terms(titles)[0] == "sourdough"
    [naming] = KeywordNamer().name_many([NamingRequest(titles=titles)])
    assert "sourdough" in naming.name.lower()


def test_a_group_with_nothing_to_go_on_gets_a_neutral_name_and_says_so():
    [naming] = KeywordNamer().name_many([NamingRequest(titles=["the", "a an"])])
    assert naming.name == FALLBACK_NAME and "fallback" in naming.metadata


def test_unknown_backend_lists_the_known_ones():
    with pytest.raises(ValueError, match="keywords"):
        make_namer("gpt-17")
    assert make_namer("keywords").backend == "keywords"
