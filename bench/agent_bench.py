"""Benchmark: turn latency of the offline agent, naming excluded and included, against a same-run baseline.

Every demo persona has the same scripted conversation (first meeting, list, explain,
confirm, rename, name, merge, undo, split, steer, pause, add, search, reject, help, out of
scope, refresh: 19 turns) with the agent as `journeys chat` runs it: real Chroma, real
journey store, the LangGraph graph with its SQLite checkpointer. Two runs:
  * naming excluded: the keyword namer (no language model);
  * naming included: the tuned namer (Gemma 3 270M with the adapter, on CPU), loaded before
    the clock starts (first-load time is in bench/results/namer.md).
The baseline is the floor of any offline turn: embedding the user's message once with
all-MiniLM-L6-v2, timed on the same messages in the same run. Results go to
bench/results/agent.{md,json}.

    python -m bench.agent_bench
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from agent import Conversation, build_graph, open_checkpointer
from journeys.demo import load_personas
from journeys.embedding import TextEmbedder
from journeys.settings import Settings
from journeys.workspace import Workspace
from bench import report as results

SCRIPT = [
    "hi",
    "what are my journeys?",
    "why did you find the first one?",
    "yes, number 1 is right",
    "rename the second one to My own project",
    "give the third one a better name",
    "merge 1 and 2",
    "undo",
    "split the first one",
    "undo",
    "more of the first one, less of the second",
    "pause number 2",
    "I want to start learning Italian",
    "when did I watch the video for beginners?",
    "reject number 3",
    "help",
    "what's the weather like tomorrow?",
    "undo",
    "find my journeys again",
]
# Turns whose tools may call the namer (new proposals, a fresh name, the parts of a split).
NAMING_TURNS = {0, 5, 8, 18}



def run(namer: str, embedder: TextEmbedder, cache: Path) -> dict:
    """Time every turn of the script for every persona, each in a fresh home."""
    times: list[float] = []
    floor: list[float] = []
    naming_times: list[float] = []
    tools: dict[str, int] = {}
    for persona in load_personas():
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(home=Path(home), cache=cache, namer=namer, device="cpu")
            workspace = Workspace(settings, embedder=embedder)
            workspace.ingest([persona.history_path])
            if namer == "tuned":
                from journeys.language_model import load_tuned_model
                from journeys.naming import SHIPPED_ADAPTER

                load_tuned_model(cache, SHIPPED_ADAPTER, "cpu")._stop_tokens(("\n",))
            graph = build_graph(workspace, checkpointer=open_checkpointer(settings.checkpoints_db))
            talk = Conversation(graph, persona.user_id)
            for turn, text in enumerate(SCRIPT):
                start = time.perf_counter()
                embedder.embed([text])  # the baseline, right before the turn: same conditions
                floor.append(time.perf_counter() - start)
                start = time.perf_counter()
                reply = talk.ask(text)
                elapsed = time.perf_counter() - start
                times.append(elapsed)
                if turn in NAMING_TURNS:
                    naming_times.append(elapsed)
                for tool in reply.tools_called:
                    tools[tool] = tools.get(tool, 0) + 1
    return {
        "turns": len(times), "p50_s": statistics.median(times), "p95_s": results.percentile(times, 0.95),
        "max_s": max(times), "naming_turns_p50_s": statistics.median(naming_times),
        "naming_turns_p95_s": results.percentile(naming_times, 0.95), "tools": tools,
        "baseline_p50_s": statistics.median(floor), "baseline_p95_s": results.percentile(floor, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Settings.from_env().cache_dir,
                        help="model cache (default: the Journeys cache, so the converted model is reused)")
    args = parser.parse_args()
    embedder = TextEmbedder(device="cpu")
    embedder.embed(["warm up"])
    excluded = run("keywords", embedder, args.cache)
    included = run("tuned", embedder, args.cache)
    write_report({"naming_excluded": excluded, "naming_included": included})


def write_report(r: dict) -> None:
    machine = results.machine()
    lines = [
        "# Agent benchmark: turn latency, offline default",
        "",
        f"`python -m bench.agent_bench` on {machine}, CPU. The same {len(SCRIPT)}-turn conversation (every flow)",
        "with each of the 6 demo personas, through the LangGraph graph with its SQLite checkpointer, real Chroma",
        "and journey store. Baseline, timed right before each turn: embedding the message once with",
        "all-MiniLM-L6-v2 (what understanding by meaning costs at least; many turns are understood by patterns",
        "alone and are faster than that).",
        "",
        "| run | turns | p50 (ms) | p95 (ms) | max (ms) | baseline p50 / p95 (ms) | p50 / baseline | p95 / baseline | naming turns p50 (ms) | naming turns p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, key in (("naming excluded (keyword namer)", "naming_excluded"),
                       ("naming included (tuned namer, CPU)", "naming_included")):
        x = r[key]
        b50, b95 = x["baseline_p50_s"], x["baseline_p95_s"]
        lines.append(
            f"| {label} | {x['turns']} | {x['p50_s'] * 1000:.0f} | {x['p95_s'] * 1000:.0f} | {x['max_s'] * 1000:.0f} | "
            f"{b50 * 1000:.0f} / {b95 * 1000:.0f} | {x['p50_s'] / b50:.1f} | {x['p95_s'] / b95:.1f} | "
            f"{x['naming_turns_p50_s'] * 1000:.0f} | {x['naming_turns_p95_s'] * 1000:.0f} |"
        )
    lines += ["", "Naming turns: first meeting (extraction and naming), a fresh name, an automatic split, a refresh."]
    results.save("agent", lines, r)


if __name__ == "__main__":
    main()
