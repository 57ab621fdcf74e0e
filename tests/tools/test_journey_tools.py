"""The tools through a real LangGraph ToolNode: results, and scoping to the run's user."""

import json

import pytest
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from tools import TOOL_NAMES, TOOLS, UserContext


@pytest.fixture(scope="module")
def extracted(demo_workspace):
    for user in ("maya", "theo"):
        demo_workspace.extract(user)
    return demo_workspace


def call_tool(workspace, user_id, name, **args):
    builder = StateGraph(MessagesState, context_schema=UserContext)
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_edge(START, "tools")
    builder.add_edge("tools", END)
    graph = builder.compile()
    call = AIMessage("", tool_calls=[{"name": name, "args": args, "id": "call_1"}])
    result = graph.invoke({"messages": [call]}, context=UserContext(user_id=user_id, workspace=workspace))
    message = result["messages"][-1]
    return message, json.loads(message.content)


# The tools exactly as docs/spec/dialogue-scenarios.md lists them (scenarios name them in expectations).
SPEC_TOOLS = ("search_history", "extract_journeys", "name_journey", "list_journeys", "explain_journey",
              "confirm_journey", "rename_journey", "reject_journey", "pause_journey", "merge_journeys",
              "split_journey", "steer_journey", "add_journey", "undo", "recommend")


def test_tool_names_are_those_of_the_scenario_spec_and_the_model_never_sees_the_context():
    assert TOOL_NAMES == SPEC_TOOLS
    for t in TOOLS:
        assert t.description and t.description == t.description.strip()
        assert "runtime" not in t.tool_call_schema.model_json_schema()["properties"]


def test_list_journeys_shows_the_users_journeys_with_evidence(extracted):
    message, content = call_tool(extracted, "maya", "list_journeys")
    names = [j["name"].lower() for j in content["journeys"]]
    assert any("ukulele" in n for n in names)
    assert all(j["evidence"] and j["size"] >= 4 for j in content["journeys"])
    assert [j["number"] for j in content["journeys"]] == list(range(1, len(names) + 1))
    assert message.artifact == content


def test_explain_journey_returns_the_evidence_items(extracted):
    _, content = call_tool(extracted, "maya", "explain_journey", journey="the ukulele one")
    assert "ukulele" in content["journey"]["name"].lower()
    assert len(content["items"]) >= 4
    assert any("ukulele" in item["title"].lower() or "strum" in item["title"].lower() for item in content["items"])


def test_a_session_cannot_reach_another_users_journey(extracted):
    theirs = extracted.journeys.journeys("theo")[0]
    _, content = call_tool(extracted, "maya", "explain_journey", journey=theirs.id)
    assert content["error"] == "not_found"
    assert all(c["id"] != theirs.id for c in content["candidates"])


def test_search_history_is_scoped_to_the_user(extracted):
    _, content = call_tool(extracted, "maya", "search_history", query="marathon training plan", k=20)
    titles = {t.activity.title for t in extracted.history.activities("theo")}
    assert content["items"] and not any(item["title"] in titles for item in content["items"])


def test_search_history_filters_by_time_range_and_kind(extracted):
    _, everything = call_tool(extracted, "maya", "search_history", query="ukulele", k=20)
    dates = sorted(item["when"] for item in everything["items"])
    middle = dates[len(dates) // 2]
    _, later = call_tool(extracted, "maya", "search_history", query="ukulele", k=20, since=middle)
    assert later["items"] and all(item["when"] >= middle for item in later["items"])
    _, earlier = call_tool(extracted, "maya", "search_history", query="ukulele", k=20, until=middle)
    assert earlier["items"] and all(item["when"] <= middle for item in earlier["items"])
    assert any(item["when"] == middle for item in earlier["items"])  # a bare date includes that whole day
    _, searches = call_tool(extracted, "maya", "search_history", query="ukulele", k=20, kind="search")
    assert searches["items"] and all(item["kind"] == "search" for item in searches["items"])
    scores = [item["score"] for item in everything["items"]]
    assert scores == sorted(scores, reverse=True)


def test_search_history_explains_a_bad_date(extracted):
    _, content = call_tool(extracted, "maya", "search_history", query="ukulele", since="last spring")
    assert content["error"] == "bad_argument" and "last spring" in content["message"]
