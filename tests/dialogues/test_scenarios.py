"""The dialogue harness itself: checks, malformed files, reports, exit codes, and the user simulator."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from dialogues.scenarios import ScenarioError, ScenarioRunner, load_scenario
from journeys.settings import Settings
from tests.agent.test_graph import ScriptedChatModel
from tests.conftest import PERSONAS

MAYA = PERSONAS["maya"].history_path


def scenario(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    (tmp_path / "h").mkdir(exist_ok=True)
    history = tmp_path / "h" / "maya.jsonl"
    history.write_text(MAYA.read_text())
    path = tmp_path / name
    path.write_text(text)
    return path


BROKEN = """
name: a deliberately broken scenario
history: h/maya.jsonl
user: maya
namer: keywords
turns:
  - say: "what are my journeys?"
    expect:
      tools_called: [list_journeys]
      reply_contains: ["sourdough"]
      journeys:
        count: 5
        has:
          - name_contains: ukulele
            status: confirmed
  - say: "yes the crochet one is right"
    expect:
      tools_called: [confirm_journey]
"""


@pytest.fixture(scope="module")
def runner(embedder, tmp_path_factory):
    return ScenarioRunner(Settings(home=tmp_path_factory.mktemp("unused"), namer="keywords", device="cpu"), embedder)


def test_a_broken_scenario_says_what_failed_and_what_was_found(runner, tmp_path):
    result = runner.run_file(scenario(tmp_path, BROKEN))
    assert not result.passed and len(result.turns) == 2 and result.turns[1].passed  # later turns still run
    failures = list(result.failures())
    assert len(failures) == 4, failures
    by_key = {line.split(": ")[1].split(" ")[0]: line for line in failures}
    assert "found ['extract_journeys']" in by_key["tools_called"]  # the first meeting extracted instead
    assert "I looked through your" in by_key["reply_contains"]
    assert re.search(r"Ukulele & chords? \(proposed", by_key["journeys.count"])  # the terms give "chord" or "chords"
    assert all(line.startswith("turn 1 (“what are my journeys?”)") for line in failures)


@pytest.mark.parametrize("text, problem", [
    ("history: h/maya.jsonl\nuser: maya\nturns: [{say: hi}]\n", "'name' is required"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns: [{say: hi, expect: {reply_contain: [a]}}]\n",
     "unknown key 'turns[0].expect.reply_contain'"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns: [{say: hi, expect: {tools_called: [delete_all]}}]\n",
     "unknown tool 'delete_all'"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns: [{say: hi, expect: {reply_matches: '(unclosed'}}]\n",
     "not a valid regular expression"),
    ("name: x\nhistory: h/nobody.jsonl\nuser: maya\nturns: [{say: hi}]\n", "history file h/nobody.jsonl not found"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nnamer: gpt9\nturns: [{say: hi}]\n", "unknown namer 'gpt9'"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns: []\n", "'turns' must list at least one turn"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns:\n  - say: [unclosed\n", "not valid YAML at line"),
    ("- just\n- a list\n", "a scenario is a YAML mapping"),
    ("name: x\nhistory: h/maya.jsonl\nuser: maya\nturns: [{say: hi, expect: {journeys: {has: [{status: done}]}}}]\n",
     "'turns[0].expect.journeys.has[0].status'"),
])
def test_a_malformed_file_gets_one_sentence_naming_file_and_problem(tmp_path, text, problem):
    path = scenario(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_a_user_missing_from_the_history_is_reported(runner, tmp_path):
    result = runner.run_file(scenario(tmp_path, "name: x\nhistory: h/maya.jsonl\nuser: theo\nturns: [{say: hi}]\n"))
    assert not result.passed and "user 'theo' has no activity" in result.error and "maya" in result.error


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JOURNEYS_NAMER": "keywords"}
    return subprocess.run([sys.executable, "-m", "cli.main", "dialogues", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_the_command_reports_each_scenario_and_exits_non_zero_on_failure(tmp_path):
    scenario(tmp_path, "name: lists\nhistory: h/maya.jsonl\nuser: maya\nturns:\n"
                              "  - say: what are my journeys?\n    expect: {tools_called: [extract_journeys]}\n", "a.yaml")
    scenario(tmp_path, BROKEN, "b.yaml")
    scenario(tmp_path, "name: [oops\n", "c.yaml")
    report, junit = tmp_path / "out" / "r.json", tmp_path / "out" / "j.xml"
    result = run_cli(str(tmp_path), "--report", str(report), "--junit", str(junit))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("PASS lists") and lines[-1] == "1 passed, 2 failed"
    assert any(line.startswith("FAIL a deliberately broken scenario") for line in lines)
    assert any("c.yaml: not valid YAML" in line for line in lines)
    data = json.loads(report.read_text())
    assert (data["passed"], data["failed"]) == (1, 2)
    broken = next(s for s in data["scenarios"] if s["name"] == "a deliberately broken scenario")
    first = broken["turns"][0]
    assert first["say"] == "what are my journeys?" and first["tools_called"] == ["extract_journeys"]
    failed = [e for e in first["expectations"] if not e["passed"]]
    assert {e["key"] for e in failed} == {"tools_called", "reply_contains", "journeys.count", "journeys.has"}
    assert all("found" in e for e in failed)
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    assert run_cli(str(tmp_path / "a.yaml")).returncode == 0


def test_a_path_that_does_not_exist_is_one_clear_error(tmp_path):
    result = run_cli(str(tmp_path / "nowhere"))
    assert result.returncode == 1 and "no such file or folder" in result.stderr and "Traceback" not in result.stderr


SIMULATED = """
name: simulated
history: h/maya.jsonl
user: maya
namer: keywords
simulate:
  turns: 5
  interests:
    - label: learning the ukulele
      keywords: [ukulele, chord]
  expect:
    true_confirmed_min: 1
    wrong_confirmed_max: 0
"""


def test_the_rule_following_simulated_user_confirms_only_its_interests(runner, tmp_path):
    result = runner.run_file(scenario(tmp_path, SIMULATED))
    outcome = result.extra["simulation"]
    assert outcome["user"] == "RuleUser" and result.passed, list(result.failures())
    assert outcome["score"]["true_confirmed"] == 1 and outcome["score"]["wrong_confirmed"] == 0
    assert [t.tools_called for t in result.turns] == [
        ["extract_journeys"], ["confirm_journey"], ["reject_journey"], ["reject_journey"]]


def test_a_chat_model_can_play_the_user_and_the_score_counts_wrong_confirmations(embedder, tmp_path):
    user_model = ScriptedChatModel(script=[
        AIMessage("Yes, number 3 is right."),  # crochet: not one of the persona's interests
        AIMessage("Number 1 is right too."),
        AIMessage("DONE"),
    ], seen=[])
    runner = ScenarioRunner(Settings(home=tmp_path / "unused", namer="keywords", device="cpu"), embedder,
                            user_model=user_model)
    result = runner.run_file(scenario(tmp_path, SIMULATED))
    score = result.extra["simulation"]["score"]
    assert result.extra["simulation"]["user"] == "ChatModelUser"
    assert (score["true_confirmed"], score["wrong_confirmed"]) == (1, 1) and score["wrong_journeys"] == ["Crochet & yarn"]
    assert not result.passed and "wrong_confirmed_max" in next(result.failures())
    system = user_model.seen[0][0]
    assert "learning the ukulele" in system.content and system.type == "system"
