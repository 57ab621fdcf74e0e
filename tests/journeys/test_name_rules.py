"""The rules every name follows, whichever backend proposed it."""

import pytest

from journeys.naming.rules import NEUTRAL_NAME, check_name, tidy


@pytest.mark.parametrize("raw, expected", [
    ('"Ukulele for beginners"\nItems: more text', "Ukulele for beginners"),
    ("- sourdough bread baking.", "Sourdough bread baking"),
    ("1) Home espresso setup", "Home espresso setup"),
    ("Name: Backyard chickens", "Backyard chickens"),
    ("Beginner guitar chords; How to play guitar", "Beginner guitar chords"),
])
def test_answers_are_tidied_into_a_name(raw, expected):
    assert check_name(raw).name == expected and check_name(raw).problem is None


@pytest.mark.parametrize("raw, problem", [
    ("Music", "words"), ("Rock", "words"), ("music videos", "generic"), ("", "empty"),
    ("one two three four five six seven", "words"),
    ("Managing anxiety at night", "sensitive"), ("Church choir practice", "sensitive"),
    ("Election night coverage", "sensitive"), ("Items: Ukulele chords", "echo"),
])
def test_names_breaking_a_rule_become_neutral_and_say_why(raw, problem):
    result = check_name(raw)
    assert result.name == NEUTRAL_NAME and problem in result.problem


def test_a_name_that_repeats_an_item_title_is_an_echo():
    assert check_name("Ukulele chords for beginners", ["ukulele chords for beginners"]).problem == "echo of the input"


def test_tidy_keeps_only_the_first_line():
    assert tidy("\n\nSourdough baking\nName: Running") == "Sourdough baking"


@pytest.mark.parametrize("raw, expected", [
    ("baby sleep schedule with a 9-month old", "Baby sleep schedule"),
    ("restoring old road bikes for weekend rides in the hills", "Restoring old road bikes"),
    ("growing tomatoes on a small city balcony", "Growing tomatoes"),
    ("growing tomatoes on a city balcony", "Growing tomatoes on a city balcony"),  # within the limit
])
def test_a_long_name_loses_its_trailing_qualifier(raw, expected):
    assert check_name(raw).name == expected


def test_a_long_name_without_a_qualifier_to_cut_still_falls_back():
    result = check_name("alpha beta gamma delta epsilon zeta eta theta")
    assert result.name == NEUTRAL_NAME and "8 words" in result.problem


@pytest.mark.parametrize("raw, problem", [
    ("Sexy female", "sexual or insulting"), ("Hot porn clips", "sexual or insulting"),
    ("Stupid people fails", "sexual or insulting"), ("Nude beaches", "sexual or insulting"),
    ("Good acting", "a judgement"), ("Visually appealing", "a judgement"), ("Great soundtrack", "a judgement"),
    ("Overrated movies", "a judgement"), ("Seen live", "about the person"), ("Albums I own", "about the person"),
    ("My favourite bands", "about the person"), ("Films to watch", "about the person"),
])
def test_unsafe_judging_and_personal_names_become_neutral(raw, problem):
    result = check_name(raw)
    assert result.name == NEUTRAL_NAME and problem in result.problem


@pytest.mark.parametrize("raw", ["Great British baking", "Classic rock", "Good Omens fan theories", "Live coding in Rust"])
def test_an_interest_with_a_judging_or_personal_word_in_it_is_kept(raw):
    assert check_name(raw).problem is None


@pytest.mark.parametrize("raw, titles, expected", [
    ("jack nicholson films", ["the best of Jack Nicholson", "why Jack Nicholson left acting"], "Jack Nicholson films"),
    ("pytorch basics", ["intro to PyTorch tensors", "PyTorch autograd explained"], "PyTorch basics"),
    ("nasa moon missions", ["NASA launches Artemis II", "why the moon matters"], "NASA moon missions"),
    # Title-cased headlines capitalise every word: that says nothing about proper nouns.
    ("building a vertical garden", ["How I Built a Vertical Garden", "Vertical Garden Watering Tips"],
     "Building a vertical garden"),
])
def test_proper_nouns_keep_the_casing_the_titles_give_them(raw, titles, expected):
    assert check_name(raw, titles).name == expected


@pytest.mark.parametrize("raw, expected", [
    ("Starting a small aquariums", "Starting small aquariums"),
    ("a aquarium for beginners", "An aquarium for beginners"),
    ("Building an raised bed", "Building a raised bed"),
    ("Learning a new language", "Learning a new language"),
    ("Restringing a tennis racket", "Restringing a tennis racket"),
    ("Building an eurorack modular synth", "Building a eurorack modular synth"),
    ("Cooking an one-pot dinner", "Cooking a one-pot dinner"),
    ("Tuning a ukulele", "Tuning a ukulele"),
    ("Walking a hour a day", "Walking an hour a day"),
])
def test_articles_agree_with_their_noun(raw, expected):
    assert check_name(raw).name == expected


WOODWORKING = ["Woodworking for beginners: 5 tools", "Making a cutting board from scrap", "woodworking joints explained",
               "Hand-cut joints with a chisel", "woodworking bench build"]


@pytest.mark.parametrize("name, narrows", [
    ("Cutting board", True), ("Making cutting boards", True), ("Cutting board woodworking", True),
    ("Hand tool woodworking", False), ("Woodworking joinery", False), ("Woodworking joints and benches", False),
    ("Bench and chisel skills", False),  # words of two different titles
    ("Scrap wood cutting", True),  # all from one title, no copy
    ("Fine woodworking with scrap", False),  # one word of one title among words the group shares or no title has
])
def test_a_name_leaning_on_one_title_narrows(name, narrows):
    from journeys.naming.rules import narrows_to_one_title

    assert narrows_to_one_title(name, WOODWORKING) is narrows


def test_two_titles_cannot_tell_narrowing():
    from journeys.naming.rules import narrows_to_one_title

    assert not narrows_to_one_title("Cutting board", WOODWORKING[:2])


TRACKS = ["My Way - Calvin Harris", "Perfect Strangers - Jonas Blue", "Lean On - Major Lazer", "Faded - Alan Walker"]
FILMS = ["Heat (1995)", "Casino (1995)", "Fargo (1996)", "Alien (1979)", "Se7en (1995)"]


@pytest.mark.parametrize("name, titles, expected", [
    # No title carries a year: the model's decade is an invented detail, with what joined it.
    ("2010s rap singles", TRACKS, "Rap singles"),
    ("Dancefloor anthems from the 1980s", TRACKS, "Dancefloor anthems"),
    ("80s and 90s house and techno", TRACKS, "House and techno"),
    ("Early 1990s Turkish folk rock", TRACKS, "Turkish folk rock"),
    ("Club hits of 2019", TRACKS, "Club hits"),
    # The titles bear the period out (at least half the dated titles fall in it).
    ("1990s crime thrillers", FILMS, "1990s crime thrillers"),
    ("Crime films of the '90s", FILMS, "Crime films of the '90s"),
    ("1970s and 1990s crime", FILMS, "1970s and 1990s crime"),
    # ...or do not: one film in five is from the 1970s, none from the 1980s.
    ("1970s crime thrillers", FILMS, "Crime thrillers"),
    ("Crime from the 1970s to the 1980s", FILMS, "Crime"),
    # Undated titles do not count against a period the dated ones bear out, if a fifth of all are dated...
    ("2024 tax return filing", ["Filing your 2024 tax return", "Deductions for freelancers", "Form W-9 basics"],
     "2024 tax return filing"),
    ("90s hip-hop classics", ["Best of 90s hip-hop", "Nas - N.Y. State of Mind", "Mobb Deep - Shook Ones"],
     "90s hip-hop classics"),
    # ...but one remaster date among many songs does not date them.
    ("2010s soft rock", ["Tonight, Tonight - Remastered 2012 - The Smashing Pumpkins", *TRACKS, *TRACKS], "Soft rock"),
    # Numbers that are not periods stay.
    ("Top 40 hits", TRACKS, "Top 40 hits"),
    ("Catch-22 and other war novels", TRACKS, "Catch-22 and other war novels"),
    # No titles: nothing to check against.
    ("2010s rap singles", [], "2010s rap singles"),
])
def test_a_decade_or_year_no_title_bears_out_is_dropped(name, titles, expected):
    from journeys.naming.rules import drop_unfounded_periods

    assert drop_unfounded_periods(name, titles) == expected


def test_an_invented_period_is_dropped_from_a_name_only_when_a_name_is_left():
    assert check_name("2010s house and techno hits", TRACKS).name == "House and techno hits"
    # "Hip-hop" alone would be one word: the name keeps its period (the name choice prefers other candidates).
    assert check_name("1990s hip-hop", TRACKS).name == "1990s hip-hop"
    assert check_name("1990s crime thrillers", FILMS).name == "1990s crime thrillers"
