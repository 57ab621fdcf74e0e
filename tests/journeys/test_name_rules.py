"""The rules every name follows, whichever backend proposed it."""

import pytest

from journeys.name_rules import NEUTRAL_NAME, check_name, tidy


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
