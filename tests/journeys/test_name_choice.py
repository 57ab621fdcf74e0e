"""Choosing a name among candidates: the one that fits the whole group, and never one its owner already has."""

import pytest

from journeys.naming.backends import NamingRequest
from journeys.naming.choice import Candidate, NameChooser, grounding, same_name
from journeys.naming.rules import NEUTRAL_NAME

WOODWORKING = ["Woodworking for beginners: 5 tools you need", "Making a cutting board from scrap walnut",
               "woodworking joints explained", "Hand-cut dovetails for woodworking beginners",
               "Building a woodworking bench on a budget"]
BAKING = ["Sourdough starter day 3", "Why is my sourdough flat?", "Shaping a sourdough boule", "Rye sourdough crumb"]
ROCK = ["Pearl Jam - Alive", "Soundgarden - Black Hole Sun", "Alice in Chains - Rooster", "Nirvana - Lithium"]


@pytest.fixture(scope="module")
def chooser(embedder):
    return NameChooser(embedder)


def ranked(*texts: str) -> list[Candidate]:
    return [Candidate(text, "tuned", rank) for rank, text in enumerate(texts)]


def test_a_name_for_the_whole_group_beats_the_models_favourite_that_fits_one_item(chooser):
    [named] = chooser.choose([NamingRequest(WOODWORKING)], [ranked("Cutting board making", "Woodworking for beginners")],
                             "tuned")
    assert named.name == "Woodworking for beginners" and named.metadata["chosen_from"] == "tuned"


def test_a_name_that_fits_the_items_beats_one_about_something_else(chooser):
    [named] = chooser.choose([NamingRequest(BAKING)], [ranked("Marathon training plans", "Sourdough bread baking")],
                             "tuned")
    assert named.name == "Sourdough bread baking"


def test_one_owners_groups_never_share_a_name_but_other_owners_may(chooser):
    both = ranked("Alternative rock", "Alternative rock music", "1990s Seattle grunge")
    mine = [NamingRequest(ROCK, owner="u1"), NamingRequest(ROCK[::-1], owner="u1"), NamingRequest(ROCK, owner="u2")]
    named = chooser.choose(mine, [both, both, both], "tuned")
    names = [n.name for n in named]
    assert not same_name(names[0], names[1]) and NEUTRAL_NAME not in names
    assert names[2] == names[0] or names[2] == names[1]


def test_a_name_another_journey_of_the_owner_holds_is_avoided(chooser):
    request = NamingRequest(BAKING, owner="u1", avoid=["sourdough bread baking"])
    [named] = chooser.choose([request], [ranked("Sourdough bread baking", "Rye sourdough loaves")], "tuned")
    assert named.name == "Rye sourdough loaves"


def test_candidates_breaking_a_rule_are_never_chosen_and_none_left_is_neutral_with_the_reason(chooser):
    [named] = chooser.choose([NamingRequest(ROCK)], [ranked("Sexy female", "Good acting")], "tuned")
    assert named.name == NEUTRAL_NAME and named.metadata["fallback"] == "sexual or insulting"
    [named] = chooser.choose([NamingRequest(ROCK)], [ranked("Sexy female", "Seattle grunge bands")], "tuned")
    assert named.name == "Seattle grunge bands"


def test_a_group_whose_every_candidate_is_taken_says_so(chooser):
    request = NamingRequest(BAKING, owner="u1", avoid=["Sourdough baking"])
    [named] = chooser.choose([request], [ranked("Sourdough baking", "sourdough  baking")], "tuned")
    assert named.name == NEUTRAL_NAME and named.metadata["duplicate_of"] == "Sourdough baking"


@pytest.mark.parametrize("a, b, same", [
    ("Alternative rock", "alternative rock", True), ("Alternative rock", "Alternative rocks", True),
    ("Alternative rock", "Alternative rock music", True), ("Alternative rock", "Progressive rock", False),
    ("Sourdough baking", "Rye sourdough loaves", False),
])
def test_names_saying_the_same_thing_are_the_same(a, b, same):
    assert same_name(a, b) is same


def test_grounding_is_the_share_of_name_words_the_group_uses_more_than_once():
    assert grounding("Sourdough baking", BAKING, ()) == 0.5
    assert grounding("Sourdough baking", BAKING, ("baking",)) == 1.0
    assert grounding("Baby blanket crochet", BAKING, ()) == 0.0


def test_a_name_leaning_on_one_title_is_replaced_only_by_a_wider_search_that_finds_one_that_does_not(chooser):
    from journeys.naming.backends import name_the_unnamed

    request = NamingRequest(WOODWORKING, owner="u")
    [first] = chooser.choose([request], [ranked("Cutting board")], "tuned")
    assert first.name == "Cutting board" and first.metadata["narrows"]

    asked = []

    def wider(requests, count):
        asked.append(count)
        return [["Cutting board", "Woodworking joinery"]]

    [named] = name_the_unnamed([request], [first], chooser, "tuned", wider, 8)
    assert (named.name, named.metadata["after"], asked) == ("Woodworking joinery", "wider search", [8])
    assert "narrows" not in named.metadata

    # A wider search that again only leans on one title keeps the first name.
    [kept] = name_the_unnamed([request], [first], chooser, "tuned", lambda requests, count: [["Making cutting boards"]], 8)
    assert kept == first

    # A name that fits the whole group asks for nothing more.
    [whole] = chooser.choose([request], [ranked("Woodworking joinery")], "tuned")
    assert name_the_unnamed([request], [whole], chooser, "tuned", lambda requests, count: pytest.fail("searched"), 8) == [whole]


def test_a_name_keeping_a_period_no_title_bears_out_loses_to_one_without(chooser):
    # "1990s hip-hop" cannot lose its decade (one word would be left), so the rules keep it; the
    # choice then prefers the model's second answer, which says nothing the titles do not.
    tracks = ["Ms. Jackson - OutKast", "Work It - Missy Elliott", "Hey Ya! - OutKast", "Get Ur Freak On - Missy Elliott"]
    [named] = chooser.choose([NamingRequest(tracks)], [ranked("1990s hip-hop", "Hip-hop and R&B hits")], "tuned")
    assert named.name == "Hip-hop and R&B hits"
    # With years in the titles the period is theirs, and the model's favourite stands.
    dated = [f"{title} ({year})" for title, year in zip(tracks, [1999, 1997, 1998, 1996])]
    [named] = chooser.choose([NamingRequest(dated)], [ranked("1990s hip-hop", "Hip-hop and R&B hits")], "tuned")
    assert named.name == "1990s hip-hop"


def test_the_salient_terms_name_is_offered_only_when_its_terms_say_more_than_the_titles():
    from journeys.naming.backends import terms_beyond_titles, with_keywords

    tracks = ["Saints - Original Mix - Jenaux", "Gold Skies - Tiësto Remix - Sander van Doorn",
              "Samurai - Original Mix - R3HAB"]
    films = ["Heat (1995)", "Casino (1995)", "Se7en (1995)"]
    read_off_titles = NamingRequest(tracks, terms=["mix", "original"])
    from_tags = NamingRequest(films, terms=["thriller", "crime"])
    assert not terms_beyond_titles(read_off_titles) and terms_beyond_titles(from_tags)
    assert not terms_beyond_titles(NamingRequest(films))  # no terms at all
    offered = with_keywords([read_off_titles, from_tags], [["House anthems"], ["Crime dramas"]], "tuned")
    assert [c.text for c in offered[0]] == ["House anthems"]
    assert [c.text for c in offered[1]] == ["Crime dramas", "thriller & crime"]
    assert offered[1][1].source == "keywords" and offered[1][1].rank == 1
