"""Hostile-input and fault cases, counted by area in docs/reliability.md (`python -m bench.reliability`).

Every test here carries `@pytest.mark.reliability("Area name")`; each parametrized case is one
case of its area. A test may also note what it saw that is worth reporting even when it passes
(the largest partial state a kill left, the slowest fallback) with the `finding` fixture:

    def test_something(finding):
        finding("a kill left 2 of 3 batches; the rerun completed them", weight=2)

When JOURNEYS_RELIABILITY_REPORT names a file, the outcome of every case is written there as
JSON at the end of the run (bench/reliability.py reads it and writes the table).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPORT_ENV = "JOURNEYS_RELIABILITY_REPORT"
_AREAS = pytest.StashKey[dict[str, str]]()
_OUTCOMES = pytest.StashKey[dict[str, dict]]()


def _here(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every case here names its area; one without is a collection error, so the report never misses one."""
    areas = config.stash.setdefault(_AREAS, {})
    unmarked = []
    for item in items:
        if not _here(item):
            continue
        marker = item.get_closest_marker("reliability")
        area = (marker.args[0] if marker and marker.args else (marker.kwargs.get("area") if marker else None))
        if not isinstance(area, str) or not area.strip():
            unmarked.append(item.nodeid)
            continue
        areas[item.nodeid] = area.strip()
    if unmarked:
        raise pytest.UsageError(
            f"{len(unmarked)} test(s) in tests/reliability lack @pytest.mark.reliability(\"Area name\"), so "
            f"docs/reliability.md could not count them: {', '.join(unmarked[:5])}; add the marker")


@pytest.fixture
def finding(request: pytest.FixtureRequest):
    """Note something this case saw for the report's "worst finding" column (a higher weight is worse)."""
    def note(text: str, weight: float = 1.0) -> None:
        request.node.user_properties.append(("reliability_finding", [float(weight), " ".join(str(text).split())]))

    return note


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _config()
    if config is None:
        return
    area = config.stash.get(_AREAS, {}).get(report.nodeid)
    if area is None:
        return
    outcomes = config.stash.setdefault(_OUTCOMES, {})
    case = outcomes.setdefault(report.nodeid, {"nodeid": report.nodeid, "area": area, "outcome": "passed",
                                                "seconds": 0.0, "message": "", "findings": []})
    case["seconds"] += report.duration
    for name, value in report.user_properties:
        if name == "reliability_finding" and value not in case["findings"]:
            case["findings"].append(value)
    if report.skipped and case["outcome"] == "passed":
        case["outcome"] = "skipped"
        case["message"] = _first_line(report)
    elif report.failed:
        case["outcome"] = "failed" if report.when == "call" else "error"
        case["message"] = _first_line(report)


def _first_line(report: pytest.TestReport) -> str:
    """The line that says what went wrong: the assertion or exception, else the skip reason."""
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = report.longreprtext or ""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    found = errors[0] if errors else (text.strip().splitlines() or [""])[-1]
    return re.sub(r"\s+", " ", found)[:300]


_session_config: list[pytest.Config] = []


def pytest_configure(config: pytest.Config) -> None:
    _session_config.append(config)


def _config() -> pytest.Config | None:
    return _session_config[-1] if _session_config else None


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    areas = session.config.stash.get(_AREAS, {})
    outcomes = session.config.stash.get(_OUTCOMES, {})
    cases = [outcomes.get(nodeid, {"nodeid": nodeid, "area": area, "outcome": "not run", "seconds": 0.0,
                                   "message": "", "findings": []})
             for nodeid, area in areas.items()]
    Path(target).write_text(json.dumps({"cases": cases}, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture
def quiet_logging():
    """The command sets the process's logging up as a command-line program; put it back for the next tests."""
    root, own = logging.getLogger(), logging.getLogger("journeys")
    saved = (root.level, own.level, list(own.handlers), own.propagate)
    yield
    root.setLevel(saved[0])
    own.setLevel(saved[1])
    own.handlers[:] = saved[2]
    own.propagate = saved[3]
