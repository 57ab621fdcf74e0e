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

A third run times recommendation turns ("anything new for me?", "suggest something for the
first one", ...) against a catalogue of 10,000 items: every film of MovieLens ml-latest-small
rated by its 610 users (so co-occurrence is real), topped up to 10,000 with items written
from the demo's titles (all demo-like when MovieLens is absent). The catalogue is read and
embedded before the clock starts, as a running app holds it; its build time is reported
apart. The same run also times journeys.recommend alone for MovieLens users (history = their
ratings, four journeys each) over that catalogue, where the co-occurrence path does the work.

    python -m bench.agent_bench                  # all three runs
    python -m bench.agent_bench --only recommend # the recommendation run, other rows kept
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from agent import Conversation, build_graph, open_checkpointer
from bench import report as results
from journeys.demo import load_personas
from journeys.history.activity import Activity
from journeys.history.adapters import movielens_rows
from journeys.history.embedding import TextEmbedder
from journeys.history.files import read_history
from journeys.history.store import StoredActivity
from journeys.recommend import recommend
from journeys.settings import Settings, shared_data_dir
from journeys.state.journey import Journey
from journeys.workspace import Workspace

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



def run(namer: str, embedder: TextEmbedder, cache: Path, understanding: str = "learned") -> dict:
    """Time every turn of the script for every persona, each in a fresh home, with the given understanding."""
    times: list[float] = []
    floor: list[float] = []
    naming_times: list[float] = []
    tools: dict[str, int] = {}
    for persona in load_personas():
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(home=Path(home), cache=cache, namer=namer, device="cpu", understanding=understanding)
            workspace = Workspace(settings, embedder=embedder)
            workspace.ingest([persona.history_path])
            if namer == "tuned":
                from journeys.naming.backends import SHIPPED_ADAPTER
                from journeys.naming.language_model import load_tuned_model

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


# Recommendation requests, in the ways the chat accepts them.
RECOMMEND_SCRIPT = [
    "anything new for me?",
    "suggest something for the first one",
    "got any recommendations?",
    "what should I try next for the second one?",
    "more of the first one",
    "anything new for me?",
]
CATALOGUE_SIZE = 10_000


def write_catalogue(path: Path, size: int = CATALOGUE_SIZE) -> str:
    """A history-format catalogue of `size` items: MovieLens ratings when the data set is there, topped up
    with demo-like items; returns where its items come from."""
    rows: list[dict] = []
    movielens = shared_data_dir() / "movielens-ml-latest-small"
    if (movielens / "ratings.csv").is_file():
        rows = [r.activity.to_record() for r in movielens_rows(movielens) if r.activity is not None]
    items = {r["item_id"] for r in rows}
    titles = [a.title for p in load_personas() for a in read_history(p.history_path) if a.kind != "search"]
    titles = list(dict.fromkeys(titles))
    variants = ["", " (part 2)", " - revisited", ": a second look", " (2027 edition)", " for beginners",
                " - advanced", " explained again", ": common mistakes", " (live)", " - the follow-up", " Q&A",
                ": what I learned", " (short version)", " - deep dive", " in 10 minutes", ": tips and tricks",
                " (community edition)", " - field notes", ": the sequel", " (updated)", " - one year on"]
    number = 0
    while len(items) < size:
        title = titles[number % len(titles)] + variants[(number // len(titles)) % len(variants)]
        title += f" #{number // (len(titles) * len(variants)) + 1}" if number >= len(titles) * len(variants) else ""
        rows.append({"user_id": "shop", "item_id": f"bench:{number}", "title": title,
                     "timestamp": "2026-08-01T10:00:00Z", "kind": "watch"})
        items.add(f"bench:{number}")
        number += 1
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    films = sum(i.startswith("ml:") for i in items)
    return f"{films} MovieLens films rated by 610 users + {len(items) - films} demo-like items"


def run_recommend(embedder: TextEmbedder, cache: Path) -> dict:
    """Time recommendation turns of every persona over a 10,000-item catalogue, and the domain call alone."""
    times: list[float] = []
    floor: list[float] = []
    builds: list[float] = []
    suggested: list[int] = []
    # Kept in the cache folder, so that its embeddings (cached by file) are computed once across runs.
    catalogue_file = cache / "bench" / f"catalogue-{CATALOGUE_SIZE}.jsonl"
    catalogue_file.parent.mkdir(parents=True, exist_ok=True)
    written = catalogue_file.with_suffix(".jsonl.new")
    source = write_catalogue(written)
    if not catalogue_file.is_file() or catalogue_file.read_bytes() != written.read_bytes():
        written.replace(catalogue_file)
    else:
        written.unlink()
    for persona in load_personas():
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(home=Path(home), cache=cache, namer="keywords", device="cpu",
                                catalog=catalogue_file)
            workspace = Workspace(settings, embedder=embedder)
            workspace.ingest([persona.history_path])
            workspace.extract(persona.user_id)
            start = time.perf_counter()
            catalogue = workspace.catalogue(persona.user_id)  # held by a running app: built before the clock
            builds.append(time.perf_counter() - start)
            graph = build_graph(workspace, checkpointer=open_checkpointer(settings.checkpoints_db))
            talk = Conversation(graph, persona.user_id)
            for text in RECOMMEND_SCRIPT:
                start = time.perf_counter()
                embedder.embed([text])
                floor.append(time.perf_counter() - start)
                start = time.perf_counter()
                reply = talk.ask(text)
                elapsed = time.perf_counter() - start
                if "recommend" in reply.tools_called:
                    times.append(elapsed)
                    suggested.append(reply.text.count("”: because"))
    # The domain call alone for real users, over the same catalogue (co-occurrence among 610 people).
    calls: list[float] = []
    incidence = catalogue.incidence
    by_user = {catalogue.user_ids[u]: incidence.indices[incidence.indptr[u]:incidence.indptr[u + 1]].tolist()
               for u in range(incidence.shape[0]) if catalogue.user_ids[u].startswith("ml:")}
    users = sorted(u for u in by_user if len(by_user[u]) >= 60)[:60]
    for user in users:
        columns = by_user[user]
        history = [StoredActivity(f"{user}:{c}", Activity(user, catalogue.item_ids[c], catalogue.titles[c],
                                                          datetime(2020, 1, 1, tzinfo=timezone.utc)),
                                  catalogue.embeddings[c]) for c in columns]
        # Four journeys of the user's items by meaning (as extraction would give several).
        centres = catalogue.embeddings[columns[:4]]
        label = np.argmax(catalogue.embeddings[columns] @ centres.T, axis=1)
        journeys = [Journey(f"j{n}", user, f"journey {n}", activity_ids=[h.activity_id for h, at in
                                                                          zip(history, label) if at == n])
                    for n in range(4)]
        journeys = [j for j in journeys if j.activity_ids]
        start = time.perf_counter()
        recommend(history, journeys, catalogue, k=10)
        calls.append(time.perf_counter() - start)
    return {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "catalogue_items": len(catalogue), "catalogue_source": source, "turns": len(times),
        "p50_s": statistics.median(times), "p95_s": results.percentile(times, 0.95), "max_s": max(times),
        "suggestions_per_turn_mean": statistics.mean(suggested),
        "baseline_p50_s": statistics.median(floor), "baseline_p95_s": results.percentile(floor, 0.95),
        "catalogue_build_first_s": builds[0], "catalogue_build_p50_s": statistics.median(builds),
        "domain_calls": len(calls), "domain_p50_s": statistics.median(calls),
        "domain_p95_s": results.percentile(calls, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Settings.from_env().cache_dir,
                        help="model cache (default: the Journeys cache, so the converted model is reused)")
    parser.add_argument("--only", choices=["all", "recommend", "understanding"], default="all",
                        help="recommend or understanding: run only those turns and keep the other rows of the last "
                             "results")
    args = parser.parse_args()
    embedder = TextEmbedder(device="cpu")
    embedder.embed(["warm up"])
    if args.only == "recommend":
        previous = json.loads((results.RESULTS / "agent.json").read_text(encoding="utf-8"))
        write_report({**previous, "recommend": run_recommend(embedder, args.cache)})
        return
    if args.only == "understanding":
        previous = json.loads((results.RESULTS / "agent.json").read_text(encoding="utf-8"))
        write_report({**previous, **understanding_runs(embedder, args.cache)})
        return
    excluded = run("keywords", embedder, args.cache)
    included = run("tuned", embedder, args.cache)
    recommended = run_recommend(embedder, args.cache)
    write_report({"naming_excluded": excluded, "naming_included": included, "recommend": recommended,
                  **understanding_runs(embedder, args.cache)})


def understanding_runs(embedder: TextEmbedder, cache: Path) -> dict:
    """The learned understanding against the old pattern reader: whole turns (keyword namer) and the reading of
    a message alone (the test split's messages), in the same run."""
    from agent.understanding import pattern_reader
    from journeys.evaluation.understanding import learned_reader, score
    from journeys.understanding.utterances import read

    learned_reader()("warm up", _empty_conversation())  # the model loads before the clock starts
    turns = {"learned": run("keywords", embedder, cache, "learned"),
             "patterns": run("keywords", embedder, cache, "patterns")}
    records = list(read(split="test"))[::4]
    reading = {}
    for name, reader in (("learned", learned_reader()), ("patterns", pattern_reader())):
        p50, p95 = score(name, reader, records).latency()
        reading[name] = {"messages": len(records), "p50_s": p50, "p95_s": p95}
    return {"understanding_turns": turns, "understanding_reading": reading}


def _empty_conversation():
    from journeys.understanding.requests import Conversation

    return Conversation([])


def understanding_lines(r: dict) -> list[str]:
    """The report's rows comparing the learned understanding with the old pattern reader."""
    turns, reading = r["understanding_turns"], r["understanding_reading"]
    lines = ["", "## Understanding: learned model against the old pattern reader, same run", "",
             "Whole turns: the script above, keyword namer, every persona. Reading alone: the message read into a "
             f"request, {reading['learned']['messages']} messages of the understanding's test split.", "",
             "| understanding | turn p50 (ms) | turn p95 (ms) | turn p50 / old | reading p50 (ms) | reading p95 (ms) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, label in (("learned", "learned (MiniLM + LoRA, JOURNEYS_UNDERSTANDING=learned)"),
                        ("patterns", "old pattern reader (the default)")):
        t, m = turns[name], reading[name]
        lines.append(f"| {label} | {t['p50_s'] * 1000:.0f} | {t['p95_s'] * 1000:.0f} | "
                     f"{t['p50_s'] / turns['patterns']['p50_s']:.2f} | {m['p50_s'] * 1000:.1f} | "
                     f"{m['p95_s'] * 1000:.1f} |")
    return lines


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
    if r.get("understanding_turns"):
        lines += understanding_lines(r)
    x = r.get("recommend")
    if x:
        b50, b95 = x["baseline_p50_s"], x["baseline_p95_s"]
        lines += [
            "",
            f"## Recommendation turns, {x['catalogue_items']:,}-item catalogue",
            "",
            f"Catalogue: {x['catalogue_source']}, read from a history-format file and embedded before the clock",
            f"starts (first build {x['catalogue_build_first_s']:.1f} s, embedding whatever the cache did not hold "
            f"yet; p50 {x['catalogue_build_p50_s']:.1f} s). Turns: {len(RECOMMEND_SCRIPT)} requests "
            "per persona (for all journeys, for one, after steering), each",
            f"giving {x['suggestions_per_turn_mean']:.1f} suggestions on average. Domain call: journeys.recommend "
            f"alone for {x['domain_calls']} MovieLens users (four journeys each), k = 10. Load average when the run "
            f"ended: {x.get('load_average_1min', 0):.1f} on {os.cpu_count()} cores (other jobs slow the baseline most).",
            "",
            "| measured | count | p50 (ms) | p95 (ms) | baseline p50 / p95 (ms) | p50 / baseline | target p50 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| recommend turn (agent, offline) | {x['turns']} | {x['p50_s'] * 1000:.0f} | {x['p95_s'] * 1000:.0f} | "
            f"{b50 * 1000:.0f} / {b95 * 1000:.0f} | {x['p50_s'] / b50:.1f} | < 500 ms |",
            f"| journeys.recommend call | {x['domain_calls']} | {x['domain_p50_s'] * 1000:.0f} | "
            f"{x['domain_p95_s'] * 1000:.0f} | | | |",
        ]
    results.save("agent", lines, r)


if __name__ == "__main__":
    main()
