"""A newcomer's first hour with the offline agent, on a real store: questions, groups, a rejected journey,
searches by time, suggestions for a journey the user lacks, and help from their own journeys."""

import pytest

from agent import Conversation, build_graph, open_checkpointer
from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from tests.conftest import with_people


@pytest.fixture
def maya(workspace):
    with_people(workspace, "maya")
    return Conversation(build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db)),
                        "maya")


def status(workspace, words):
    return resolve_journey(workspace.journeys.journeys("maya", include_rejected=True), words).journey.status


def test_a_question_and_a_group_by_place(maya, workspace):
    reply = maya.ask("hey, what do you think I'm into?")
    assert reply.tools_called == ["list_journeys"] and "hey" not in reply.text.lower()
    reply = maya.ask("the first two look right")
    assert reply.tools_called == ["confirm_journey", "confirm_journey"]
    assert [j.status for j in workspace.journeys.journeys("maya")][:2] == [Status.CONFIRMED, Status.CONFIRMED]
    reply = maya.ask("can you put the first two together?")
    assert reply.tools_called == ["merge_journeys"] and "Merged" in reply.text
    assert len(workspace.journeys.journeys("maya")) == 2


def test_a_rejected_journey_is_said_to_be_rejected_with_the_way_back(maya, workspace):
    maya.ask("the crochet one isn't me")
    reply = maya.ask("I've lost interest in crochet for a while")
    assert "rejected" in reply.text and "undo" in reply.text and "which journey you mean" not in reply.text
    assert status(workspace, "crochet") is Status.REJECTED
    maya.ask("confirm the ukulele one")
    reply = maya.ask("actually crochet is right")
    assert "rejected" in reply.text and "I want to get into" in reply.text  # no longer the last change
    assert status(workspace, "crochet") is Status.REJECTED


def test_a_search_by_time_says_when_nothing_matched_then_and_a_time_alone_follows_up(maya):
    reply = maya.ask("what was that video about chords I watched in February?")
    assert reply.tools_called == ["search_history"]
    assert "nothing" in reply.text and "February 2026" in reply.text and "runs from" in reply.text
    reply = maya.ask("what about in April?")
    assert reply.tools_called == ["search_history"] and "chords" in reply.text and "April 2026" in reply.text
    dates = [line.rsplit(", ", 1)[1].rstrip(")") for line in reply.text.splitlines() if line.startswith("- ")]
    assert dates and all(d.startswith("2026-04") for d in dates)


def test_suggestions_for_a_journey_the_user_lacks_name_the_ones_they_have(maya):
    reply = maya.ask("what should I bake next?")
    assert reply.tools_called == ["recommend"] and "no journey" in reply.text
    assert "Ukulele" in reply.text and "you might like" not in reply.text


def test_help_examples_are_the_users_own(maya):
    reply = maya.ask("what can you do?")
    assert "ukulele" in reply.text and "marathon" not in reply.text and "Morning runs" not in reply.text
