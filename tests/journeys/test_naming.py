"""The keyword namer and the namer registry."""

import pytest

from journeys.name_rules import NEUTRAL_NAME
from journeys.naming import KeywordNamer, NamingRequest, frequent_terms, make_namer


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
    assert naming.name == NEUTRAL_NAME and "fallback" in naming.metadata


def test_unknown_backend_lists_the_known_ones():
    with pytest.raises(ValueError, match="keywords"):
        make_namer("gpt-17")
    assert make_namer("keywords").backend == "keywords"


def test_keyword_names_follow_the_rules_too():
    [naming] = KeywordNamer().name_many([NamingRequest(titles=["x"], terms=["depression", "sleep"])])
    assert naming.name == NEUTRAL_NAME and naming.metadata["fallback"] == "sensitive attribute"


@pytest.mark.slow
def test_few_shot_prompting_of_the_base_model_names_groups_within_the_rules(model_cache):
    from journeys.language_model import checkpoint_dir
    from journeys.naming import FewShotNamer

    cache = model_cache
    namer = FewShotNamer(cache, device="cpu")
    groups = [
        NamingRequest(titles=["Ukulele chords for absolute beginners", "How to strum reggae upstroke on ukulele",
                              "Best soprano ukulele under $100"]),
        NamingRequest(titles=["Dobsonian telescope collimation", "Best telescope eyepieces for planets",
                              "Finding the Andromeda galaxy with binoculars"]),
    ]
    names = namer.name_many(groups)
    assert len(names) == 2 and all(n.source == "fewshot" for n in names)
    for naming in names:
        assert naming.name == NEUTRAL_NAME or 2 <= len(naming.name.split()) <= 6
        assert (naming.name == NEUTRAL_NAME) == ("fallback" in naming.metadata)
    assert any(n.name != NEUTRAL_NAME for n in names), names
    assert (checkpoint_dir(cache) / "config.json").is_file()  # cached for a fast second start
