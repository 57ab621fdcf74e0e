"""The recommend tool through a real ToolNode: compact results, scoped to the run's user, and its refusals."""

import json

import pytest

from journeys.demo import DEMO_CATALOGUE
from journeys.settings import Settings
from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from journeys.workspace import Workspace
from tests.conftest import CATALOGUE_TOPIC as TOPIC
from tests.conftest import PERSONAS, write_lines
from tests.tools.test_journey_tools import call_tool


@pytest.fixture(scope="module")
def demo(tmp_path_factory, embedder):
    """Maya and Theo with their journeys, and the demo's catalogue as `journeys demo` sets it."""
    home = tmp_path_factory.mktemp("recommend-tool")
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE),
                          embedder=embedder)
    workspace.ingest([PERSONAS["maya"].history_path, PERSONAS["theo"].history_path])
    for user in ("maya", "theo"):
        workspace.extract(user)
    return workspace


def test_suggestions_are_shared_among_the_journeys_with_reasons(demo):
    message, content = call_tool(demo, "maya", "recommend")
    items = content["items"]
    assert len(items) == 6 and message.artifact == content and content["journey"] is None
    assert {i["journey"] for i in items} == {j.name for j in demo.journeys.journeys("maya")}
    titles = {s.activity.title for s in demo.history.activities("maya")}
    for item in items:
        assert item["because"] in titles and item["reason"].startswith("Because you")
        assert TOPIC[item["title"]] in {i["label"] for i in PERSONAS["maya"].interests}
    assert content["catalogue"] == str(DEMO_CATALOGUE)  # as configured, not the fallback


def test_one_journey_by_words_and_a_number_of_items(demo):
    _, content = call_tool(demo, "theo", "recommend", journey="the kubernetes one", k=4)
    assert "kubernetes" in content["journey"]["name"].lower()
    assert len(content["items"]) == 4 and {TOPIC[i["title"]] for i in content["items"]} == {"learning Kubernetes"}


def test_an_unknown_journey_or_another_users_journey_is_not_found(demo):
    _, content = call_tool(demo, "maya", "recommend", journey="cooking")
    assert content["error"] == "not_found" and content["reference"] == "cooking"
    assert {c["name"] for c in content["candidates"]} == {j.name for j in demo.journeys.journeys("maya")}
    theirs = demo.journeys.journeys("theo")[0]
    _, content = call_tool(demo, "maya", "recommend", journey=theirs.id)
    assert content["error"] == "not_found" and theirs.id not in {c["id"] for c in content["candidates"]}


def test_paused_and_rejected_journeys_say_why_they_recommend_nothing(demo):
    journeys = demo.journeys.journeys("theo")
    marathon = resolve_journey(journeys, "marathon").journey
    demo.editor.pause("theo", marathon.id)
    try:
        _, content = call_tool(demo, "theo", "recommend", journey="marathon")
        assert content["error"] == "inactive" and content["status"] == "paused"
        _, content = call_tool(demo, "theo", "recommend")
        assert {i["journey"] for i in content["items"]} and marathon.name not in {i["journey"] for i in content["items"]}
        assert [j["name"] for j in content["left_out"]] == [marathon.name]
        demo.editor.reject("theo", marathon.id)
        _, content = call_tool(demo, "theo", "recommend", journey="marathon")
        assert content["error"] == "inactive" and content["status"] == "rejected"
    finally:
        demo.editor.undo("theo")
        demo.editor.undo("theo")
    assert demo.journeys.get("theo", marathon.id).status is Status.PROPOSED


def test_a_user_without_journeys_is_told_so(demo, tmp_path):
    one_off = {"user_id": "zed", "item_id": "z1", "title": "Weather warning for Friday",
               "timestamp": "2026-01-01T10:00:00Z"}  # a single click is never a journey
    demo.ingest([write_lines(tmp_path / "zed.jsonl", [json.dumps(one_off)])])
    _, content = call_tool(demo, "zed", "recommend")
    assert content == {"error": "no_journeys", "history_size": 1}
