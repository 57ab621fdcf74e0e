"""Benchmark: history ingest throughput against the raw embedding throughput of the same model.

For each size, N activities with distinct titles (so no embedding can be reused) are
written to a JSON Lines file; then, each in a fresh process (so peak memory is its own):
  - raw: the model embeds the same texts in batches of the same size (the baseline);
  - ingest: Workspace.ingest reads, validates and stores the file (embedding included);
  - reingest: the same file again (everything already stored).
Model loading is excluded from every timing. Results go to bench/results/ingest.{md,json}.

    python -m bench.ingest_bench                 # 1k, 10k, 100k
    python -m bench.ingest_bench --sizes 1000    # quick check
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import report as results

BATCH = 256
TARGET_RATIO = 0.8


def write_history(path: Path, n: int, seed: int = 0) -> None:
    """N activities of 50 users with distinct, realistic titles (demo titles plus a part number)."""
    from journeys.demo import load_personas

    source = [json.loads(line) for p in load_personas() for line in p.history_path.read_text().splitlines()]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            base = rng.choice(source)
            record = {
                "user_id": f"user{i % 50}", "item_id": f"item{i}", "timestamp": 1_700_000_000 + i * 37,
                "title": f"{base['title']} (part {i})", "kind": base.get("kind", "view"),
            }
            if base.get("tags"):
                record["tags"] = base["tags"]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_raw(history: Path) -> dict:
    """Embed every activity's text in batches, as ingest does, and time only the embedding."""
    from journeys.history.embedding import TextEmbedder
    from journeys.history.files import read_rows

    embedder = TextEmbedder(device="cpu")
    embedder.embed(["warm up"])
    seconds, batch, count = 0.0, [], 0
    for row in read_rows(history):
        batch.append(row.activity.text)
        if len(batch) == BATCH:
            start = time.perf_counter()
            embedder.embed(batch)
            seconds += time.perf_counter() - start
            count, batch = count + len(batch), []
    if batch:
        start = time.perf_counter()
        embedder.embed(batch)
        seconds += time.perf_counter() - start
        count += len(batch)
    return {"seconds": seconds, "count": count, "peak_rss_mb": peak_rss_mb()}


def child_validate(history: Path) -> dict:
    """Read and validate the file as ingest's first pass does, storing nothing: the streaming part alone."""
    from journeys.history.files import read_rows

    start = time.perf_counter()
    count = sum(1 for row in read_rows(history) if row.activity is not None)
    return {"seconds": time.perf_counter() - start, "count": count, "peak_rss_mb": peak_rss_mb()}


def child_ingest(history: Path, home: Path) -> dict:
    """Ingest the file into a fresh embedded store and time the whole import."""
    from journeys.history.embedding import TextEmbedder
    from journeys.settings import Settings
    from journeys.workspace import Workspace

    embedder = TextEmbedder(device="cpu")
    embedder.embed(["warm up"])
    workspace = Workspace(Settings(home=home, device="cpu"), embedder=embedder)
    _ = workspace.history  # open the store outside the timing
    start = time.perf_counter()
    report = workspace.ingest([history])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": report.added + report.already_stored, "added": report.added,
            "peak_rss_mb": peak_rss_mb()}


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.ingest_bench", "--child", *args],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        if kind == "raw":
            result = child_raw(Path(paths[0]))
        elif kind == "validate":
            result = child_validate(Path(paths[0]))
        else:
            result = child_ingest(Path(paths[0]), Path(paths[1]))
        print(json.dumps(result))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            history, home = Path(tmp) / f"history-{n}.jsonl", Path(tmp) / f"home-{n}"
            write_history(history, n)
            validate = run_child("validate", str(history))
            raw = run_child("raw", str(history))
            ingest = run_child("ingest", str(history), str(home))
            again = run_child("ingest", str(history), str(home))
            row = {
                "activities": n,
                "raw_per_s": raw["count"] / raw["seconds"],
                "ingest_per_s": ingest["count"] / ingest["seconds"],
                "reingest_per_s": again["count"] / again["seconds"],
                "raw_peak_mb": raw["peak_rss_mb"],
                "ingest_peak_mb": ingest["peak_rss_mb"],
                "validate_peak_mb": validate["peak_rss_mb"],
                # What embedded Chroma keeps in memory for the vector index: 384 float32 per activity.
                "index_vectors_mb": n * 384 * 4 / 1e6,
                "file_mb": history.stat().st_size / 1e6,
            }
            row["ratio"] = row["ingest_per_s"] / row["raw_per_s"]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    write_report(rows)


def write_report(rows: list[dict]) -> None:
    machine = results.machine()
    lines = [
        "# Ingest benchmark",
        "",
        f"`python -m bench.ingest_bench` on {machine}, CPU, all-MiniLM-L6-v2, batches of {BATCH}.",
        "Raw = the model embedding the same texts in the same run (the baseline); ingest = read, validate,",
        "embed and store in embedded Chroma; re-ingest = the same file again (all already stored).",
        f"Target: ingest at {TARGET_RATIO:.0%} or more of raw speed, memory flat in the number of activities.",
        "",
        "Peak memory is the resident peak of each run's own process: raw = the model alone; ingest = model,",
        "reader and embedded Chroma; read+validate = the streaming pass alone (no model, no store);",
        "index vectors = what Chroma's in-memory vector index needs for the embeddings (384 float32 each).",
        "",
        "| activities | raw embed/s | ingest/s | ingest / raw | re-ingest/s | raw peak MB | ingest peak MB "
        "| read+validate peak MB | index vectors MB | file MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['activities']:,} | {r['raw_per_s']:.0f} | {r['ingest_per_s']:.0f} | {r['ratio']:.2f} | "
            f"{r['reingest_per_s']:.0f} | {r['raw_peak_mb']:.0f} | {r['ingest_peak_mb']:.0f} | "
            f"{r['validate_peak_mb']:.0f} | {r['index_vectors_mb']:.0f} | {r['file_mb']:.1f} |"
        )
    results.save("ingest", lines, rows)


if __name__ == "__main__":
    main()
