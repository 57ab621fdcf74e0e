"""Writes docs/reliability.md: hostile-input and fault cases by area, from a run of `pytest tests/reliability`.

    .venv/bin/python -m bench.reliability            # every case (the slow ones too)
    .venv/bin/python -m bench.reliability -- -x      # anything after -- goes to pytest as well

Every test in tests/reliability/ carries `@pytest.mark.reliability("Area")` (each parametrized case
is one case); tests/reliability/conftest.py writes each case's outcome and findings to a JSON file,
which this turns into the table: area, cases tried, cases correct, worst finding. New test modules
in that folder are picked up by themselves. The exit code is pytest's, so CI sees a failing case.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.report import machine

REPOSITORY = Path(__file__).resolve().parents[1]
OUTPUT = REPOSITORY / "docs" / "reliability.md"
COMMAND = "python -m bench.reliability"
# The load benchmark's last results (python -m bench.ui_load_bench), summed up on the page.
LOAD_RESULTS = REPOSITORY / "bench" / "results" / "ui_load.json"


def run_cases(pytest_args: list[str]) -> tuple[int, list[dict], float]:
    """Run pytest on tests/reliability and return its exit code, every case's outcome and the seconds it took."""
    with tempfile.TemporaryDirectory(prefix="journeys-reliability-") as folder:
        report = Path(folder) / "cases.json"
        env = {**os.environ, "JOURNEYS_RELIABILITY_REPORT": str(report)}
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider",
                                *pytest_args], cwd=REPOSITORY, env=env)
        seconds = time.monotonic() - started
        if not report.is_file():
            raise SystemExit(f"pytest wrote no case report (exit {code}); see its output above")
        return code, json.loads(report.read_text(encoding="utf-8"))["cases"], seconds


def summarise(cases: list[dict]) -> list[dict]:
    """One row per area, in the order the areas were collected."""
    areas: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        areas[case["area"]].append(case)
    rows = []
    for area, members in areas.items():
        tried = [c for c in members if c["outcome"] in ("passed", "failed", "error")]
        correct = [c for c in tried if c["outcome"] == "passed"]
        wrong = [c for c in tried if c["outcome"] != "passed"]
        skipped = [c for c in members if c["outcome"] == "skipped"]
        rows.append({"area": area, "tried": len(tried), "correct": len(correct), "skipped": len(skipped),
                     "worst": worst_finding(wrong, tried, skipped), "wrong": wrong})
    return rows


def worst_finding(wrong: list[dict], tried: list[dict], skipped: list[dict]) -> str:
    """A failing case's message when one failed, else the weightiest finding a case noted, else none."""
    if wrong:
        first = wrong[0]
        more = f" ({len(wrong)} cases failed)" if len(wrong) > 1 else ""
        return f"`{case_name(first['nodeid'])}`: {first['message'] or first['outcome']}{more}"
    findings = [finding for case in tried for finding in case.get("findings", [])]
    text = max(findings, key=lambda f: f[0])[1] if findings else "none: every case held"
    if skipped:
        text += f"; {len(skipped)} skipped ({skipped[0]['message']})"
    return text


def case_name(nodeid: str) -> str:
    return nodeid.split("/")[-1]


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def load_section(results: Path = LOAD_RESULTS) -> list[str]:
    """The web UI under load, from the load benchmark's last run (it takes about 10 minutes, so it is not rerun here)."""
    if not results.is_file():
        return ["", "## Load", "", "No load results yet: run `python -m bench.ui_load_bench`."]
    run = json.loads(results.read_text(encoding="utf-8")).get("sustained")
    if not run:
        return []
    from bench.ui_load_bench import ms, ratio  # the load report's own formats

    base, load = run["baseline"], run["load"]
    flood = load["flood"]

    def times(seconds: float | None, baseline: float | None) -> str:
        return f"{ratio(seconds, baseline)}x"

    rss = load["rss_mb"]
    return [
        "", "## Load", "",
        f"From `python -m bench.ui_load_bench` (its last run; details in `bench/results/ui_load.md`): the app in a "
        f"process of its own, {load['well_behaved_sessions']} well-behaved chat sessions and "
        f"{load['flooding_sessions']} flooding ones (long messages, several in flight from one page) for "
        f"{load['seconds']:.0f} s, against the well-behaved sessions alone in the same run.",
        "",
        "| phase | turns | errors | p50 (ms) | p95 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| well-behaved alone (baseline) | {base['turns']:,} | {len(base['errors'])} | {ms(base['p50_s'])} "
        f"| {ms(base['p95_s'])} | {ms(base['p99_s'])} |",
        f"| well-behaved with the flood | {load['turns']:,} | {len(load['errors'])} | {ms(load['p50_s'])} "
        f"({times(load['p50_s'], base['p50_s'])}) | {ms(load['p95_s'])} ({times(load['p95_s'], base['p95_s'])}) "
        f"| {ms(load['p99_s'])} ({times(load['p99_s'], base['p99_s'])}) |",
        "",
        f"The flooders sent {flood['sent']:,} messages: {flood['answered']:,} answered, "
        f"{flood['one_at_a_time']:,} refused while their page had a turn running, "
        f"{flood.get('over_budget', 0):,} refused over their budget per minute, {flood['too_long']:,} refused for "
        f"their length, {len(flood['errors'])} errors. Replies naming another person's journey: {len(run['leaks'])}. "
        f"Server memory: {run['server_rss_mb_at_start']:,.0f} MB after its first turns, {rss['end']:,.0f} MB at the "
        f"end (peak {rss['peak']:,.0f} MB).",
    ]


def render(rows: list[dict], seconds: float, pytest_args: list[str], code: int) -> str:
    command = COMMAND + (f" -- {shlex.join(pytest_args)}" if pytest_args else "")
    tried, correct = sum(r["tried"] for r in rows), sum(r["correct"] for r in rows)
    lines = [
        "# Reliability: hostile input and faults",
        "",
        "Each case is a test in `tests/reliability/` (issue 16): malformed history files, processes killed "
        "mid-work, hostile item text, faulty namer hosts and more, tried as an attacker or a clumsy user "
        "would. A case is correct when the product does what it promises (one clear sentence, nothing "
        "partly written, no leak, no action caused by item text); the worst finding is a failing case's "
        "message, or else the weightiest thing a passing case noted.",
        "",
        f"Regenerate this page with `{COMMAND}` (it runs `pytest tests/reliability`, slow cases included; "
        "anything after `--` goes to pytest).",
        "",
        "| area | cases tried | cases correct | worst finding |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {cell(r['area'])} | {r['tried']} | {r['correct']} | {cell(r['worst'])} |" for r in rows]
    lines += ["", f"{correct} of {tried} cases correct; generated by `{command}` in {seconds / 60:.1f} min "
                  f"({machine()}), pytest exit code {code}."]
    lines += load_section()
    wrong = [(r["area"], c) for r in rows for c in r["wrong"]]
    if wrong:
        lines += ["", "## Cases that failed", ""]
        lines += [f"- {cell(area)}: `{case_name(c['nodeid'])}`: {cell(c['message'] or c['outcome'])}"
                  for area, c in wrong[:100]]
        if len(wrong) > 100:
            lines.append(f"- … and {len(wrong) - 100} more")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write the page (default: {OUTPUT})")
    args = parser.parse_args(own)
    code, cases, seconds = run_cases(pytest_args)
    page = render(summarise(cases), seconds, pytest_args, code)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page, encoding="utf-8")
    print(page)
    return code


if __name__ == "__main__":
    sys.exit(main())
