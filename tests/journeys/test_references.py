"""How users point at a journey: numbers, ordinals, ids and words of its name."""

import pytest

from journeys.state.journey import Journey
from journeys.state.references import resolve_journey

JOURNEYS = [
    Journey("j1", "maya", "Ukulele & chords", salient_terms=["ukulele", "chords", "strum"],
            representative_titles=["How to strum reggae upstroke"]),
    Journey("j2", "maya", "Hydroponics & ph", salient_terms=["hydroponics", "ph", "grow"],
            representative_titles=["Vertical tower garden for a balcony"]),
    Journey("j3", "maya", "Crochet & yarn", salient_terms=["crochet", "yarn", "hook"],
            representative_titles=["Granny square for beginners"]),
]


@pytest.mark.parametrize("reference, expected", [
    ("#2", "j2"), ("2", "j2"), ("number 3", "j3"), ("the second one", "j2"), ("the last one", "j3"),
    ("j3", "j3"), ("the ukulele one", "j1"),
    ("why the crochet journey?", "j3"), ("explain hydroponic", "j2"), ("the strumming stuff", "j1"),
    ("tell me about the garden one", "j2"),
])
def test_references_resolve_to_the_intended_journey(reference, expected):
    found = resolve_journey(JOURNEYS, reference).journey
    assert (found.id if found else None) == expected


def test_unknown_and_out_of_range_references_resolve_to_nothing():
    assert resolve_journey(JOURNEYS, "the kubernetes one").journey is None
    assert resolve_journey(JOURNEYS, "#7").journey is None
    assert resolve_journey([], "#1").journey is None


def test_a_reference_matching_several_journeys_is_ambiguous():
    twins = [Journey("a", "u", "Sourdough bread"), Journey("b", "u", "Sourdough starter")]
    resolution = resolve_journey(twins, "the sourdough one")
    assert resolution.journey is None and resolution.ambiguous
    assert {j.id for j in resolution.candidates} == {"a", "b"}


def test_renumbered_names_the_journeys_whose_number_changed():
    from journeys.state.references import renumbered

    after_reject = [JOURNEYS[0], JOURNEYS[2]]  # the second one left the list: the third is now the second
    moved = renumbered(JOURNEYS, after_reject)
    assert [(m.journey.id, m.was, m.now) for m in moved] == [("j3", 3, 2)]
    assert renumbered(JOURNEYS, JOURNEYS) == []
    added = [*JOURNEYS, Journey("j4", "maya", "Sourdough")]  # a new one at the end moves nobody
    assert renumbered(JOURNEYS, added) == []
    assert [(m.journey.id, m.was, m.now) for m in renumbered(after_reject, JOURNEYS)] == [("j3", 2, 3)]
