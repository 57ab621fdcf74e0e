"""Replies that add facts of their own: a search's period in words, what a search shows, help from the user's journeys."""

from datetime import date, datetime

import pytest

from agent.replies import help_facts, period_label, render_reply, search_facts
from journeys.state.journey import Journey


@pytest.mark.parametrize("since, until, label", [
    (date(2026, 2, 1), date(2026, 2, 28), "in February 2026"),
    (date(2026, 3, 1), date(2026, 5, 31), "in spring 2026 (March to May)"),
    (date(2025, 12, 1), date(2026, 2, 28), "in winter 2025–26 (December to February)"),
    (date(2019, 1, 1), date(2019, 12, 31), "in 2019"),
    (date(2026, 4, 1), date(2026, 5, 31), "between April and May 2026"),
    (date(2026, 7, 13), date(2026, 7, 19), "between 13 July and 19 July 2026"),
    (date(2026, 3, 3), date(2026, 3, 3), "on 3 March 2026"),
    (date(2026, 4, 1), None, "since 1 April 2026"),
    (None, date(2026, 5, 31), "up to 31 May 2026"),
    (None, None, ""),
])
def test_a_period_in_words(since, until, label):
    assert period_label(since, until) == label


def _item(title, when, score):
    return {"title": title, "kind": "watch", "when": when, "score": score}


def test_a_search_shows_only_matches_and_says_plainly_when_nothing_matched_then():
    facts = {"query": "chords", "items": [_item("Met Gala looks", "2026-02-03", 0.12)]}
    shown = search_facts(facts, {"since": "2026-02-01", "until": "2026-02-28"},
                         span=lambda: (date(2026, 3, 2), date(2026, 7, 24)),
                         elsewhere=lambda query: [_item("Ukulele chords", "2026-03-02", 0.58)])
    reply = render_reply("search_history", shown)
    assert "nothing" in reply and "February 2026" in reply and "Met Gala" not in reply
    assert "2 March 2026 to 24 July 2026" in reply and "Ukulele chords" in reply


def test_a_search_of_a_time_alone_lists_what_happened_then_in_order():
    facts = {"query": "", "items": [_item("later", "2026-04-20", 0.1), _item("earlier", "2026-04-02", 0.2)]}
    reply = render_reply("search_history", search_facts(facts, {"since": "2026-04-01", "until": "2026-04-30"},
                                                         span=lambda: None, elsewhere=lambda query: []))
    assert "in April 2026" in reply and reply.index("earlier") < reply.index("later")


def _journey(jid, name, terms, seen):
    return Journey(jid, "u", name, salient_terms=terms, first_seen=datetime(2026, seen, 1), last_seen=datetime(2026, seen, 20))


MAYA = [_journey("j1", "Ukulele & chord", ["ukulele", "chord"], 7), _journey("j2", "PH & hydroponics", ["ph", "hydroponics"], 6),
        _journey("j3", "Crochet & yarn", ["crochet", "yarn"], 7)]
THEO = [_journey("k1", "Marathon & running", ["marathon", "running"], 9),
        _journey("k2", "Kubernetes & kubectl", ["kubernetes", "kubectl"], 9)]
# Topics of other people's journeys and of the old fixed examples: never in someone else's help.
FOREIGN = ["marathon", "morning runs", "guitar", "piano", "music one", "kubernetes", "ukulele", "crochet", "hydroponics"]


@pytest.mark.parametrize("journeys, own", [(MAYA, ["ukulele", "hydroponics", "crochet"]), (THEO, ["marathon", "kubernetes"])])
def test_help_examples_come_from_the_users_own_journeys(journeys, own):
    reply = render_reply("help", help_facts(journeys)).lower()
    assert all(word in reply for word in own)
    assert not [word for word in FOREIGN if word not in own and word in reply]


def test_help_without_journeys_names_no_topic():
    reply = render_reply("help", help_facts([])).lower()
    assert not [word for word in FOREIGN if word in reply] and "undo" in reply


def test_help_with_one_journey_suggests_nothing_that_needs_two():
    reply = render_reply("help", help_facts(THEO[:1]))
    assert "merge 1 and" not in reply and "first two" not in reply and "marathon" in reply.lower()
