"""How well messages are understood: the test split of the understanding's utterances, scored call by call.

Each utterance comes with the conversation state it assumes and the request it means. A reader
(the learned one, or the old pattern reader for comparison) turns the message into a request;
the scores are:
- full-call accuracy: the intent and every argument right (journeys by id, names and topics as
  words, dates as days); an answer to "which journey?" or a "yes" counts as the request it completes;
- per-intent accuracy;
- wrong changes: a change made (not asked about) that the message did not ask for, or made to
  another journey or with other arguments: the worst mistake the product can make;
- false refusals: an in-scope message read as out of scope;
- questions: a clarifying question asked where the message was clear (safe, but a turn lost).

`journeys understand eval` also runs the dialogue scenarios (tests/dialogues/scenarios: whole
conversations with their checks) with each understanding the agent offers (settings.understanding;
dialogues.scenarios.scenario_scores, a layer above this one) and reports the scenarios passed.

    python -m journeys.evaluation.understanding [--split test] [--baseline agent.understanding:pattern_reader]

writes docs/evaluation/understanding.md.
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from journeys.state.journey import Journey
from journeys.understanding.requests import CHANGES, Conversation, Request
from journeys.understanding.utterances import read

REPORT = Path(__file__).resolve().parents[2] / "docs" / "evaluation" / "understanding.md"
# The understandings the agent offers offline, as settings.understanding names them, and as this report does.
AGENT_READERS = {"learned": "learned (MiniLM + LoRA)", "patterns": "pattern reader"}
# Requests answered by the same tool call: what is in a journey and when it began are shown by explain_journey.
SAME_ACTION = {"journey_items": "explain_journey", "journey_start": "explain_journey"}
# Reply intents that refuse or deflect: an in-scope message given one of these is a false refusal.
REFUSALS = frozenset({"out_of_scope"})

Reader = Callable[[str, Conversation], Request]


def conversation_of(state: dict[str, Any]) -> Conversation:
    """The conversation an utterance assumes, with its journeys as the store would hold them."""
    journeys = [Journey(id=j["id"], user_id="evaluation", name=j["name"]) for j in state["journeys"]]
    today = date.fromisoformat(state["today"])
    return Conversation(journeys, state.get("focus"), state.get("pending"), state.get("last"), lambda: today)


def _words(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(re.findall(r"[^\W_]+", value.lower()))
    if isinstance(value, list):
        return sorted(_words(v) for v in value) if all(isinstance(v, str) for v in value) else value
    return value


def normal_calls(intent: str, calls: Sequence[dict[str, Any]]) -> tuple[str, list[str]]:
    """A request in a form two readers' requests compare in: the action, and each call's arguments as words."""
    action = SAME_ACTION.get(intent, intent)
    if intent not in CHANGES and intent not in ("explain_journey", "journey_items", "journey_start", "recommend",
                                                "search_history", "item_in_journey", "unassigned", "decline",
                                                "merge_journeys"):
        return action, []  # replies and undo: the intent is all
    normal = [repr(sorted((k, _words(v)) for k, v in call.items() if v not in (None, "", [])))
              for call in calls]
    return action, sorted(normal)


@dataclass
class Outcome:
    """One utterance as a reader read it."""

    record: dict[str, Any]
    request: Request
    right: bool
    wrong_change: bool
    false_refusal: bool
    question: bool
    seconds: float


@dataclass
class Scores:
    """A reader's scores over a set of utterances."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / max(1, len(self.outcomes))

    def share(self, attribute: str) -> float:
        return sum(getattr(o, attribute) for o in self.outcomes) / max(1, len(self.outcomes))

    def count(self, attribute: str) -> int:
        return sum(getattr(o, attribute) for o in self.outcomes)

    def per_intent(self) -> dict[str, tuple[int, int]]:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            row = table[outcome.record.get("label") or outcome.record["expected"]["intent"]]
            row[0] += outcome.right
            row[1] += 1
        return {intent: (right, total) for intent, (right, total) in sorted(table.items())}

    def latency(self) -> tuple[float, float]:
        seconds = sorted(o.seconds for o in self.outcomes)
        if not seconds:
            return 0.0, 0.0
        return statistics.median(seconds), seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]


def judge(record: dict[str, Any], request: Request, seconds: float = 0.0) -> Outcome:
    """Whether a request is the one the utterance means, and if not, how bad the miss is."""
    expected = record["expected"]
    want = normal_calls(expected["intent"], expected["calls"])
    got = normal_calls(request.intent, request.calls)
    held = request.clarify or request.ask
    right = not held and got == want
    made_change = request.intent in CHANGES and not held
    wrong_change = made_change and got != want
    in_scope = expected["intent"] not in REFUSALS
    return Outcome(record, request, right, wrong_change, in_scope and request.intent in REFUSALS, held, seconds)


def score(name: str, reader: Reader, records: Sequence[dict[str, Any]]) -> Scores:
    """Every utterance read by the reader and judged."""
    scores = Scores(name)
    for record in records:
        started = time.perf_counter()
        request = reader(record["text"], conversation_of(record["state"]))
        scores.outcomes.append(judge(record, request, time.perf_counter() - started))
    return scores


def learned_reader(device: str = "cpu") -> Reader:
    """The learned understanding with the shipped adapter: the model's reading, then the request it makes."""
    from journeys.history.embedding import TextEmbedder
    from journeys.understanding.model import MessageModel
    from journeys.understanding.requests import request_of

    model, embedder = MessageModel(device=device), TextEmbedder(device=device)

    def read_message(text: str, conversation: Conversation) -> Request:
        return request_of(model.read(text, conversation.state()), text, conversation, embedder.embed)

    return read_message


def load_reader(spec: str) -> Reader:
    """A reader named "module:function" (a function that returns a reader), such as the agent's old pattern
    reader: named at run time, so that this evaluation can compare readers of any layer."""
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)()


def report(results: Sequence[Scores], split: str, records: Sequence[dict[str, Any]],
           scenarios: dict[str, tuple[int, int, list[str]]] | None = None) -> str:
    """The scores side by side, per intent, and the learned reader's misses, as Markdown."""
    families = len({r["family"] for r in records})
    lines = [
        "# Understanding: the test split, reader by reader", "",
        f"Generated by `python -m journeys.evaluation.understanding --split {split}`: {len(records)} utterances of "
        f"{families} phrasing families that no reader was trained on (the split is by family; the journey names "
        "of the test users are never used in training either). Each reader gets the message and the conversation "
        "state; a request is right when its intent and every argument are.", "",
        "| reader | full-call accuracy | wrong changes | false refusals | questions asked | p50 / p95 per message |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scores in results:
        p50, p95 = scores.latency()
        lines.append(f"| {scores.name} | {scores.accuracy:.1%} | {scores.count('wrong_change')} "
                     f"({scores.share('wrong_change'):.1%}) | {scores.count('false_refusal')} "
                     f"({scores.share('false_refusal'):.1%}) | {scores.count('question')} | "
                     f"{p50 * 1000:.0f} / {p95 * 1000:.0f} ms |")
    if scenarios:
        lines += ["", "## The dialogue scenarios", "",
                  "Whole conversations with their checks (`journeys dialogues tests/dialogues/scenarios`), run "
                  "with each offline understanding (`JOURNEYS_UNDERSTANDING`):", "",
                  "| understanding | scenarios passed | failed |", "| --- | ---: | --- |"]
        for understanding, (passed, run, failed) in scenarios.items():
            lines.append(f"| {AGENT_READERS[understanding]} (`{understanding}`) | {passed} of {run} | "
                         f"{', '.join(failed) or 'none'} |")
    lines += ["", "## Per intent", "", "| intent | " + " | ".join(s.name for s in results) + " |",
              "| --- |" + " ---: |" * len(results)]
    tables = [s.per_intent() for s in results]
    for intent in sorted({i for t in tables for i in t}):
        cells = [f"{t[intent][0]}/{t[intent][1]}" if intent in t else "–" for t in tables]
        lines.append(f"| {intent} | " + " | ".join(cells) + " |")
    misses = [o for o in results[0].outcomes if not o.right]
    lines += ["", f"## What {results[0].name} got wrong ({len(misses)})", "",
              "| message | meant | read | |", "| --- | --- | --- | --- |"]
    for outcome in misses[:80]:
        expected = outcome.record["expected"]
        kind = "WRONG CHANGE" if outcome.wrong_change else "asked" if outcome.question else ""
        lines.append(f"| {_cell(outcome.record['text'])} | {_cell(_show(expected['intent'], expected['calls']))} | "
                     f"{_cell(_show(outcome.request.intent, outcome.request.calls))} | {kind} |")
    return "\n".join(lines) + "\n"


def _show(intent: str, calls: Sequence[dict[str, Any]]) -> str:
    shown = "; ".join(", ".join(f"{k}={v}" for k, v in call.items()) for call in calls if call)
    return f"{intent}({shown})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None,
         scenario_scores: Callable[[], dict[str, tuple[int, int, list[str]]]] | None = None) -> int:
    """Score the split (and, given scenario_scores, the dialogue scenarios) and write the report."""
    parser = argparse.ArgumentParser(description="Score the understanding on held-out phrasings.")
    parser.add_argument("--split", default="test", choices=["test", "dev", "train"])
    parser.add_argument("--baseline", action="append", default=None,
                        help="another reader as module:function (default: the agent's old pattern reader)")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    records = list(read(split=args.split))
    results = [score("learned (MiniLM + LoRA)", learned_reader(), records)]
    for spec in args.baseline if args.baseline is not None else ["agent.understanding:pattern_reader"]:
        results.append(score(spec.rsplit(":", 1)[-1].replace("_", " "), load_reader(spec), records))
    scenarios = scenario_scores() if scenario_scores is not None else None
    text = report(results, args.split, records, scenarios)
    args.output.write_text(text, encoding="utf-8")
    print(text.split("## Per intent")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
