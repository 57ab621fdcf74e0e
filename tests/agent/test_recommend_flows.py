"""Asking for recommendations in the chat: for a journey, for all of them, with steering, and when it cannot be done."""

import json
import re
from collections import Counter

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from agent import Conversation, build_graph, open_checkpointer
from agent.graph import TOOL_RESULT_PREFIX
from journeys.demo import DEMO_CATALOGUE
from journeys.state.references import resolve_journey
from tests.agent.test_flows import call
from tests.agent.test_graph import ScriptedChatModel
from tests.conftest import with_people

# Which interest each catalogue item was written for (the catalogue file says so in "topic").
TOPIC = {row["title"]: row["topic"] for row in map(json.loads, DEMO_CATALOGUE.read_text().splitlines())}
UKULELE, GARDEN, CROCHET = ("learning the ukulele", "building a vertical hydroponic garden in a small apartment",
                            "learning to crochet")


def suggested(reply_text: str) -> list[str]:
    """The interests of the suggested items, in the order of the reply."""
    return [TOPIC[title] for title in re.findall(r"^\d+\. “(.+?)”", reply_text, flags=re.MULTILINE)]


@pytest.fixture
def maya(workspace):
    """Maya alone in her store (so the sample catalogue serves her), journeys found."""
    with_people(workspace, "maya")
    return Conversation(build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db)),
                        "maya")


def name_of(workspace, words: str) -> str:
    return resolve_journey(workspace.journeys.journeys("maya", include_rejected=True), words).journey.name


def test_suggestions_for_a_journey_named_by_topic_come_from_its_topic(maya, workspace):
    reply = maya.ask("what could I read next about hydroponics?")
    assert reply.tools_called == ["recommend"]
    assert reply.text.startswith(f"For **{name_of(workspace, 'hydroponics')}**")
    topics = suggested(reply.text)
    assert len(topics) >= 4 and set(topics) == {GARDEN}
    assert "because you" in reply.text and "sample catalogue" in reply.text


def test_a_journey_named_by_its_number_and_an_answer_after_not_found(maya, workspace):
    assert set(suggested(maya.ask("suggest something for the first one").text)) == {UKULELE}
    reply = maya.ask("recommend me something for my cooking journey")
    assert reply.tools_called == ["recommend"]
    assert "You have no journey about “cooking”" in reply.text
    assert f"**{name_of(workspace, 'crochet')}**" in reply.text
    assert suggested(reply.text) == []
    answer = maya.ask("the third one")
    assert answer.tools_called == ["recommend"] and set(suggested(answer.text)) == {CROCHET}


def test_anything_new_spreads_over_the_journeys_and_steering_changes_the_share(maya, workspace):
    before = Counter(suggested(maya.ask("anything new for me?").text))
    assert set(before) == {UKULELE, GARDEN, CROCHET}
    maya.ask("more ukulele, less crochet")
    reply = maya.ask("got any recommendations?")
    after = Counter(suggested(reply.text))
    assert after[UKULELE] > before[UKULELE] and after[CROCHET] < before[CROCHET]
    assert f"more of {name_of(workspace, 'ukulele')}, less of {name_of(workspace, 'crochet')}" in reply.text


def test_a_paused_journey_recommends_nothing_until_resumed(maya, workspace):
    maya.ask("pause the crochet one")
    reply = maya.ask("suggest something for the crochet one")
    assert reply.tools_called == ["recommend"] and suggested(reply.text) == []
    assert f"**{name_of(workspace, 'crochet')}** is paused" in reply.text and "resume" in reply.text
    everything = maya.ask("anything new for me?")
    assert CROCHET not in suggested(everything.text) and "it is paused" in everything.text
    assert maya.ask("resume crochet").tools_called == ["confirm_journey"]
    assert set(suggested(maya.ask("suggest something for the crochet one").text)) == {CROCHET}


def test_a_rejected_journey_is_named_as_rejected_not_unknown(maya, workspace):
    maya.ask("the hydroponics one isn't me")
    reply = maya.ask("what could I read next about hydroponics?")
    assert f"You rejected **{name_of(workspace, 'hydroponics')}**" in reply.text and suggested(reply.text) == []
    assert GARDEN not in suggested(maya.ask("anything new for me?").text)


def test_it_means_the_journey_last_talked_about_and_a_number_of_items_is_kept(maya):
    maya.ask("why did you find the crochet one?")
    reply = maya.ask("give me 2 ideas for it")
    assert reply.tools_called == ["recommend"] and suggested(reply.text) == [CROCHET, CROCHET]


def test_only_the_sessions_user_is_served(workspace):
    with_people(workspace, "maya", "theo")
    theirs = resolve_journey(workspace.journeys.journeys("theo"), "marathon").journey
    talk = Conversation(build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db)),
                        "maya")
    reply = talk.ask(f"suggest something for {theirs.id}")
    assert "You have no journey about" in reply.text and "marathon" not in reply.text.lower()


def test_a_chat_model_can_ask_for_recommendations(workspace):
    with_people(workspace, "maya")
    model = ScriptedChatModel(script=[call("recommend", journey="ukulele", k=3), AIMessage("Here you are.")], seen=[])
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db), chat_model=model)
    reply = Conversation(graph, "maya", thread_id="llm").ask("what should I play next on the ukulele?")
    assert reply.tools_called == ["recommend"] and reply.text == "Here you are."
    [result] = [m for m in model.seen[-1] if isinstance(m, ToolMessage)]
    items = json.loads(result.content.removeprefix(TOOL_RESULT_PREFIX))["items"]
    assert len(items) == 3 and all(TOPIC[item["title"]] == UKULELE for item in items)
    assert all(item["reason"].startswith("Because you") for item in items)
