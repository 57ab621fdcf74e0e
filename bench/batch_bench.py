"""Benchmark: `journeys batch` in one process against Ray with 2 workers, same users, same run.

Synthetic users have histories like the demo personas' (each a persona's history, a random
80-100% of it, shifted in time, with a few items of another persona mixed in), so titles
repeat and ingest reuses their embeddings. For each size the users are ingested once; then
each mode starts from an empty journey store: one process (workers=1, no Ray) is the
baseline, Ray with 2 local workers is measured against it. Reported: users per second,
per-user cost, the Ray/one-process ratio, and where the time goes (reading, features,
clustering, naming, saving; summed over workers, so on Ray they exceed the wall time).

The keyword namer keeps 5,000 users within minutes on 2 cores; `--namer tuned` measures the
product's default namer (about 1-2 s per user on this CPU, see bench/results/namer.md).
Results go to bench/results/batch.{md,json}.

    python -m bench.batch_bench                              # 100, 1,000, 5,000 users
    python -m bench.batch_bench --sizes 100 --namer tuned    # the default namer's cost
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench import report as results

STAGES = ("read", "features", "clustering", "naming", "save")


def write_users(path: Path, count: int, activities: int | None = None, seed: int = 0) -> None:
    """A history file of `count` synthetic users drawn from the demo personas.

    With `activities`, each user has about that many: the items of three personas, repeated
    at later dates as needed (a long history of the same few interests).
    """
    from journeys.demo import load_personas

    personas = [[json.loads(line) for line in p.history_path.read_text().splitlines()] for p in load_personas()]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            own, other = rng.sample(personas, 2)
            rows = rng.sample(own, int(len(own) * rng.uniform(0.8, 1.0))) + rng.sample(other, 3)
            if activities:
                pool = [row for persona in rng.sample(personas, 3) for row in persona]
                rows = [{**row, "timestamp": (datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
                                              + timedelta(days=120 * (i // len(pool)))).isoformat()}
                        for i, row in enumerate(pool[j % len(pool)] for j in range(activities))]
            shift = timedelta(days=rng.randint(0, 700))
            for i, row in enumerate(rows):
                moved = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")) + shift
                handle.write(json.dumps({**row, "user_id": f"user-{n:05d}", "item_id": f"{row['item_id']}-{n}-{i}",
                                         "timestamp": moved.isoformat()}) + "\n")


def run_mode(settings, workers: int) -> dict:
    from journeys.batch import run_batch

    for suffix in ("", "-wal", "-shm"):  # an empty journey store: nothing is skipped
        Path(f"{settings.journeys_db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    report = run_batch(settings, workers=workers)
    wall = time.perf_counter() - started
    return {"workers": workers, "users": report.users, "journeys": report.journeys, "seconds": wall,
            "failed": len(report.failed), "failures": [f"{user}: {reason}" for user, reason in report.failed[:5]],
            "users_per_second": report.users / wall, "ms_per_user": 1000 * wall / report.users,
            "stages_ms_per_user": {s: 1000 * report.seconds.get(s, 0.0) / report.users for s in STAGES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--namer", default="keywords")
    parser.add_argument("--activities", type=int, help="activities per user (default: a persona's, about 60)")
    args = parser.parse_args()

    from journeys.settings import Settings
    from journeys.workspace import Workspace

    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(home=Path(folder) / "home", namer=args.namer, device="cpu")
            history = Path(folder) / "users.jsonl"
            write_users(history, size, args.activities)
            workspace = Workspace(settings)
            started = time.perf_counter()
            workspace.ingest([history])
            ingest = time.perf_counter() - started
            workspace.history.close()
            one, ray = run_mode(settings, 1), run_mode(settings, 2)
            rows.append({"users": size, "ingest_seconds": ingest, "one_process": one, "ray_2_workers": ray,
                         "ray_speedup": one["seconds"] / ray["seconds"]})
            print(json.dumps(rows[-1]), flush=True)
            write_report(rows, args)  # after each size: a long run cut short keeps what it measured


def write_report(rows: list[dict], args: argparse.Namespace) -> None:
    lines = [
        "# `journeys batch`: one process against Ray with 2 workers",
        "",
        f"Machine: {results.machine()}. Namer: `{args.namer}`. "
        f"Activities per user: {args.activities or 'a persona history (about 60)'}. Regenerate: "
        f"`python -m bench.batch_bench --sizes {' '.join(map(str, args.sizes))} --namer {args.namer}"
        + (f" --activities {args.activities}" if args.activities else "") + "`.",
        "",
        "| users | one process: users/s | ms/user | Ray 2 workers: users/s | ms/user | speed-up (Ray / one) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        one, ray = row["one_process"], row["ray_2_workers"]
        lines.append(f"| {row['users']:,} | {one['users_per_second']:.1f} | {one['ms_per_user']:.0f} | "
                     f"{ray['users_per_second']:.1f} | {ray['ms_per_user']:.0f} | {row['ray_speedup']:.2f}x |")
    lines += ["", "Where the time goes (ms per user, summed over workers):", "",
              "| users | mode | " + " | ".join(STAGES) + " |", "|---:|---|" + "---:|" * len(STAGES)]
    for row in rows:
        for mode in ("one_process", "ray_2_workers"):
            stages = row[mode]["stages_ms_per_user"]
            lines.append(f"| {row['users']:,} | {mode.replace('_', ' ')} | "
                         + " | ".join(f"{stages[s]:.1f}" for s in STAGES) + " |")
    name = "batch" + (f"-{args.namer}" if args.namer != "keywords" else "") + (
        f"-{args.activities}" if args.activities else "")
    failed = [(row["users"], mode, row[mode]) for row in rows for mode in ("one_process", "ray_2_workers")
              if row[mode].get("failed")]
    if failed:
        lines += ["", "Users that failed (listed by `journeys batch`, done again by a rerun):", ""]
        lines += [f"- {users:,} users, {mode.replace('_', ' ')}: {run['failed']} failed, e.g. {run['failures'][0]}"
                  for users, mode, run in failed]
    results.save(name, lines, {"namer": args.namer, "activities": args.activities, "rows": rows})




if __name__ == "__main__":
    main()
