"""Scripted dialogue scenarios: the evaluators' harness; the format is docs/spec/dialogue-scenarios.md.

A scenario is one YAML file: a user's history, then turns, each with what must hold after
it. `run_scenario` gives it a fresh, isolated home (its own Chroma store, journey store and
checkpoints), ingests its history, drives the same agent the chat UI uses turn by turn,
and checks every expectation, keeping what was found instead when one fails.

`load_scenario` reads and validates a file; a malformed one raises ScenarioError with one
sentence naming the file and the problem.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.graph import build_graph
from agent.session import Conversation, open_checkpointer
from dialogues.simulation import ChatModelUser, RuleUser, SimulatedUser, Simulation, score
from journeys.history.activity import HistoryFileError
from journeys.naming.backends import NAMERS
from journeys.settings import Settings
from journeys.state.journey import Journey, Status
from journeys.workspace import Workspace
from tools import TOOL_NAMES

# The project's own scenarios (tests/dialogues/scenarios), run for the understanding report.
SCENARIOS = Path(__file__).resolve().parents[1] / "tests" / "dialogues" / "scenarios"

STATUSES = tuple(str(s) for s in Status)


class ScenarioError(ValueError):
    """A scenario file that cannot be run, said in one sentence naming the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JourneyMatcher(_Strict):
    """What one journey must look like; every given field must hold."""

    name: str | None = None
    name_contains: str | None = None
    status: Literal["proposed", "confirmed", "rejected", "paused"] | None = None
    item_count_min: int | None = Field(default=None, ge=0)
    item_count_max: int | None = Field(default=None, ge=0)
    contains_item: str | None = None

    def matches(self, journey: Journey) -> bool:
        return (
            (self.name is None or journey.name.lower() == self.name.lower())
            and (self.name_contains is None or self.name_contains.lower() in journey.name.lower())
            and (self.status is None or str(journey.status) == self.status)
            and (self.item_count_min is None or journey.size >= self.item_count_min)
            and (self.item_count_max is None or journey.size <= self.item_count_max)
            and (self.contains_item is None or self.contains_item in journey.item_ids)
        )

    def describe(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.model_dump(exclude_none=True).items()) or "any journey"


class JourneysExpectation(_Strict):
    """The user's journeys after a turn. Counts are of visible journeys (rejected ones are hidden);
    has and has_not look at all of them, rejected ones included."""

    count: int | None = Field(default=None, ge=0)
    count_min: int | None = Field(default=None, ge=0)
    count_max: int | None = Field(default=None, ge=0)
    has: list[JourneyMatcher] = []
    has_not: list[JourneyMatcher] = []


class Expectation(_Strict):
    """What must hold after one turn; every key is optional and all given must hold."""

    tools_called: list[str] = []
    tools_not_called: list[str] = []
    reply_contains: list[str] = []
    reply_contains_any: list[str] = []
    reply_not_contains: list[str] = []
    reply_matches: str | None = None
    journeys: JourneysExpectation | None = None

    @field_validator("tools_called", "tools_not_called")
    @classmethod
    def _known_tools(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in TOOL_NAMES]
        if unknown:
            raise ValueError(f"unknown tool {unknown[0]!r} (the tools are: {', '.join(TOOL_NAMES)})")
        return names

    @field_validator("reply_contains", "reply_contains_any", "reply_not_contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("reply_matches")
    @classmethod
    def _valid_regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from None
        return pattern


class Turn(_Strict):
    say: str = Field(min_length=1)
    expect: Expectation = Expectation()


class Scenario(_Strict):
    """One scenario file, as docs/spec/dialogue-scenarios.md describes it."""

    name: str = Field(min_length=1)
    description: str = ""
    history: str
    user: str = Field(min_length=1)
    namer: str | None = None
    turns: list[Turn] = []
    # Extension: a simulated user with hidden true interests talks for N turns after the scripted ones.
    simulate: Simulation | None = None
    # Where the file is (set by load_scenario; not part of the YAML).
    path: Path = Field(default=Path("."), exclude=True)

    @field_validator("namer")
    @classmethod
    def _known_namer(cls, namer: str | None) -> str | None:
        if namer is not None and namer not in NAMERS:
            raise ValueError(f"unknown namer {namer!r} (choose one of {', '.join(NAMERS)})")
        return namer

    @field_validator("user", mode="before")
    @classmethod
    def _user_as_text(cls, user: Any) -> Any:
        return str(user) if isinstance(user, int) else user

    @model_validator(mode="after")
    def _something_to_say(self) -> "Scenario":
        if not self.turns and self.simulate is None:
            raise ValueError("'turns' must list at least one turn (or give a 'simulate' section)")
        return self

    @property
    def history_path(self) -> Path:
        return (self.path.parent / self.history).resolve()


def load_scenario(path: Path) -> Scenario:
    """Read and check one scenario file; ScenarioError says what is wrong and where."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ScenarioError(f"{path}: not valid YAML{where} ({getattr(exc, 'problem', exc)}); fix the syntax there") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping with name, history, user and turns")
    try:
        scenario = Scenario.model_validate({**data, "path": path})
    except ValidationError as exc:
        raise ScenarioError(f"{path}: {_first_problem(exc)}") from None
    if not scenario.history_path.is_file():
        raise ScenarioError(
            f"{path}: history file {scenario.history} not found (looked for {scenario.history_path}); "
            "the path is relative to the scenario file"
        )
    return scenario


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = _location(problem["loc"])
    kind, message = problem["type"], problem["msg"]
    if kind == "missing":
        return f"'{where}' is required"
    if kind == "extra_forbidden":
        return f"unknown key '{where}'; see the scenario format for the keys each part takes"
    message = message.removeprefix("Value error, ")
    return f"'{where}': {message[:1].lower()}{message[1:]}"


def _location(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class Check:
    """One expectation of one turn and its outcome."""

    key: str
    expected: Any
    passed: bool
    found: Any = None

    def to_dict(self) -> dict[str, Any]:
        result = {"key": self.key, "expected": self.expected, "passed": self.passed}
        if not self.passed:
            result["found"] = self.found
        return result


@dataclass
class TurnResult:
    say: str
    reply: str
    tools_called: list[str]
    checks: list[Check]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"say": self.say, "reply": self.reply, "tools_called": self.tools_called, "passed": self.passed,
                "seconds": round(self.seconds, 3), "expectations": [c.to_dict() for c in self.checks]}


@dataclass
class ScenarioResult:
    name: str
    file: str
    turns: list[TurnResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # The simulation's pass conditions (true interests confirmed, wrong ones confirmed), if any.
    simulation_checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(t.passed for t in self.turns) and all(c.passed for c in self.simulation_checks)

    def failures(self) -> Iterator[str]:
        """One line per failed expectation: the turn, what was expected and what was found instead."""
        if self.error:
            yield self.error
        for check in self.simulation_checks:
            if not check.passed:
                yield f"simulation: {check.key} {check.expected!r} failed; found {check.found!r}"
        for number, turn in enumerate(self.turns, start=1):
            for check in turn.checks:
                if not check.passed:
                    yield (f"turn {number} (“{_short(turn.say)}”): {check.key} {check.expected!r} failed; "
                           f"found {check.found!r}")

    def to_dict(self) -> dict[str, Any]:
        result = {"name": self.name, "file": self.file, "passed": self.passed, "seconds": round(self.seconds, 2),
                  "turns": [t.to_dict() for t in self.turns], **self.extra}
        if self.simulation_checks:
            result.setdefault("simulation", {})["expectations"] = [c.to_dict() for c in self.simulation_checks]
        if self.error:
            result["error"] = self.error
        return result


def check_turn(expect: Expectation, reply: str, tools: list[str], journeys: list[Journey]) -> list[Check]:
    """Every expectation given for a turn, checked against the reply, the tools called and the journeys."""
    checks: list[Check] = []
    lowered = reply.lower()
    excerpt = _short(reply, 300)
    for tool in expect.tools_called:
        checks.append(Check("tools_called", tool, tool in tools, tools))
    for tool in expect.tools_not_called:
        checks.append(Check("tools_not_called", tool, tool not in tools, tools))
    for text in expect.reply_contains:
        checks.append(Check("reply_contains", text, text.lower() in lowered, excerpt))
    if expect.reply_contains_any:
        checks.append(Check("reply_contains_any", expect.reply_contains_any,
                            any(t.lower() in lowered for t in expect.reply_contains_any), excerpt))
    for text in expect.reply_not_contains:
        checks.append(Check("reply_not_contains", text, text.lower() not in lowered, excerpt))
    if expect.reply_matches is not None:
        checks.append(Check("reply_matches", expect.reply_matches, re.search(expect.reply_matches, reply) is not None,
                            excerpt))
    if expect.journeys is not None:
        checks += _check_journeys(expect.journeys, journeys)
    return checks


def _check_journeys(expect: JourneysExpectation, journeys: list[Journey]) -> list[Check]:
    visible = [j for j in journeys if j.status is not Status.REJECTED]
    summary = [f"{j.name} ({j.status}, {j.size} items)" for j in journeys]
    checks = []
    if expect.count is not None:
        checks.append(Check("journeys.count", expect.count, len(visible) == expect.count, summary))
    if expect.count_min is not None:
        checks.append(Check("journeys.count_min", expect.count_min, len(visible) >= expect.count_min, summary))
    if expect.count_max is not None:
        checks.append(Check("journeys.count_max", expect.count_max, len(visible) <= expect.count_max, summary))
    for matcher in expect.has:
        checks.append(Check("journeys.has", matcher.describe(), any(matcher.matches(j) for j in journeys), summary))
    for matcher in expect.has_not:
        matching = [f"{j.name} ({j.status})" for j in journeys if matcher.matches(j)]
        checks.append(Check("journeys.has_not", matcher.describe(), not matching, matching))
    return checks


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ScenarioRunner:
    """Runs scenarios with one set of settings; the embedding model is loaded once for all of them."""

    def __init__(self, settings: Settings, embedder: Any = None, chat_model: Any = None, user_model: Any = None):
        """chat_model drives the agent and user_model plays simulated users (LangChain chat models); by
        default both come from settings (JOURNEYS_CHAT_MODEL, JOURNEYS_SIMULATOR_MODEL), else the agent is
        the offline default and simulated users follow rules."""
        from journeys.history.embedding import TextEmbedder

        self.settings = settings
        self.embedder = embedder or TextEmbedder(device=settings.device)
        self.chat_model = chat_model
        self.user_model = user_model

    def run_file(self, path: Path, simulate_turns: int | None = None) -> ScenarioResult:
        """Load and run one file; a malformed file is a failed result carrying its one-sentence error."""
        started = time.perf_counter()
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            return ScenarioResult(name=path.stem, file=str(path), error=str(exc))
        if simulate_turns is not None and scenario.simulate is not None:
            scenario = scenario.model_copy(update={"simulate": scenario.simulate.model_copy(update={"turns": simulate_turns})})
        result = self.run(scenario)
        result.seconds = time.perf_counter() - started
        return result

    def run(self, scenario: Scenario, on_turn: Callable[[TurnResult], None] | None = None) -> ScenarioResult:
        """Run one scenario in a fresh home: ingest its history, then each turn with its checks."""
        result = ScenarioResult(name=scenario.name, file=str(scenario.path))
        with tempfile.TemporaryDirectory(prefix="journeys-scenario-") as home:
            settings = self.settings.model_copy(update={"home": Path(home), "cache": self.settings.cache_dir,
                                                        "chroma_url": None,
                                                        "namer": scenario.namer or self.settings.namer})
            workspace = Workspace(settings, embedder=self.embedder)
            try:
                report = workspace.ingest([scenario.history_path])
            except HistoryFileError as exc:
                result.error = f"{scenario.path}: its history cannot be imported: {exc}"
                return result
            if scenario.user not in report.users:
                result.error = (f"{scenario.path}: user {scenario.user!r} has no activity in {scenario.history}; "
                                f"users there: {', '.join(sorted(report.users)) or 'none'}")
                return result
            conversation = self.conversation(workspace, scenario.user)
            for turn in scenario.turns:
                start = time.perf_counter()
                reply = conversation.ask(turn.say)
                elapsed = time.perf_counter() - start
                journeys = workspace.journeys.journeys(scenario.user, include_rejected=True)
                checks = check_turn(turn.expect, reply.text, reply.tools_called, journeys)
                result.turns.append(TurnResult(turn.say, reply.text, reply.tools_called, checks, elapsed))
                if on_turn:
                    on_turn(result.turns[-1])
            if scenario.simulate is not None:
                self._simulate(scenario.simulate, scenario.user, workspace, conversation, result, on_turn)
            workspace.history.close()
        return result

    def _simulate(self, simulation: Simulation, user_id: str, workspace: Workspace, conversation: Conversation,
                  result: ScenarioResult, on_turn: Callable[[TurnResult], None] | None) -> None:
        user = self.simulated_user(simulation)
        reply: str | None = result.turns[-1].reply if result.turns else None
        for _ in range(simulation.turns):
            message = user.next_message(reply)
            if not message:
                break
            start = time.perf_counter()
            answer = conversation.ask(message)
            result.turns.append(TurnResult(message, answer.text, answer.tools_called, [], time.perf_counter() - start))
            reply = answer.text
            if on_turn:
                on_turn(result.turns[-1])
        outcome = score(simulation, workspace.journeys.journeys(user_id, include_rejected=True))
        result.extra["simulation"] = {"user": type(user).__name__, "score": outcome}
        expect = simulation.expect
        if expect.true_confirmed_min is not None:
            result.simulation_checks.append(Check("true_confirmed_min", expect.true_confirmed_min,
                                                  outcome["true_confirmed"] >= expect.true_confirmed_min, outcome))
        if expect.wrong_confirmed_max is not None:
            result.simulation_checks.append(Check("wrong_confirmed_max", expect.wrong_confirmed_max,
                                                  outcome["wrong_confirmed"] <= expect.wrong_confirmed_max, outcome))

    def simulated_user(self, simulation: Simulation) -> SimulatedUser:
        """A chat model playing the persona when one is configured, else the rule-following user."""
        model = self.user_model
        name = self.settings.simulator_model or self.settings.chat_model
        if model is None and name and name != "offline":
            from langchain.chat_models import init_chat_model

            model = init_chat_model(name)
        if model is not None:
            return ChatModelUser(model, simulation)
        return RuleUser(list(simulation.interests))

    def conversation(self, workspace: Workspace, user_id: str) -> Conversation:
        """The agent as the chat UI drives it: the configured chat model, else the offline default."""
        from agent.configuration import Configuration

        configuration = Configuration(chat_model=workspace.settings.chat_model or "offline")
        graph = build_graph(workspace, configuration, checkpointer=open_checkpointer(workspace.settings.checkpoints_db),
                            chat_model=self.chat_model)
        return Conversation(graph, user_id, thread_id=f"scenario:{user_id}")


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The scenario files named: files as given, folders' *.yaml (and *.yml) files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or folder; give scenario files or folders of *.yaml files")
    return files


def write_report(results: Sequence[ScenarioResult], path: Path) -> None:
    """The JSON report: for each scenario its turns, replies, tools, and each expectation's outcome."""
    import json

    passed = sum(r.passed for r in results)
    data = {"passed": passed, "failed": len(results) - passed, "scenarios": [r.to_dict() for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def write_junit(results: Sequence[ScenarioResult], path: Path) -> None:
    """JUnit XML: one test case per scenario, its failures as the failure message, the dialogue as output."""
    from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

    suite = TestSuite("dialogues")
    for result in results:
        case = TestCase(result.name, classname=f"dialogues.{Path(result.file).stem}", time=round(result.seconds, 3))
        problems = list(result.failures())
        if result.error:
            case.result = [Error(result.error, "ScenarioError")]
        elif problems:
            case.result = [Failure(problems[0], "ExpectationFailed")]
            case.system_err = "\n".join(problems)
        case.system_out = "\n\n".join(
            f"> {t.say}\n[{', '.join(t.tools_called)}]\n{t.reply}" for t in result.turns
        )
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml()
    xml.add_testsuite(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    xml.write(str(path), pretty=True)


def scenario_scores(folder: Path = SCENARIOS) -> dict[str, tuple[int, int, list[str]]]:
    """The dialogue scenarios in the folder run with each offline understanding (for the understanding report):
    passed, run, and the names of those that failed."""
    from journeys.evaluation.understanding import AGENT_READERS
    from journeys.history.embedding import TextEmbedder

    files = scenario_files([folder])
    embedder = TextEmbedder(device="cpu")
    scores = {}
    for understanding in AGENT_READERS:
        runner = ScenarioRunner(Settings(understanding=understanding, device="cpu"), embedder=embedder)
        results = [runner.run_file(path) for path in files]
        scores[understanding] = (sum(r.passed for r in results), len(results),
                                 [Path(r.file).name for r in results if not r.passed])
    return scores
