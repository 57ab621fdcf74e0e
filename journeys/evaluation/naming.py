"""Evaluate the namers on held-out human-named groups; writes docs/evaluation/naming.md.

    journeys namer eval [--adapter DIR] [--data ../shared/data] [--limit 200]

Test sets: Last.fm test users' own tags, MovieLens test users' tags, Spotify playlist
titles (evaluation only) and the project's written examples in the test split. Metrics,
as in the paper: SacreBLEU (corpus), ROUGE-L F1 and embedding similarity (cosine of
all-MiniLM-L6-v2 embeddings of name and reference), plus the share of names the rules
replaced by the neutral one.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from journeys.embedding import TextEmbedder
from journeys.name_rules import NEUTRAL_NAME
from journeys.naming import Namer, NamingRequest
from journeys.naming_data import (NamingExample, lastfm_examples, movielens_examples, spotify_examples,
                                  written_examples)

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "evaluation"


def test_sets(data: Path, limit: int | None, seed: int = 0) -> dict[str, list[NamingExample]]:
    """The held-out sets, each sampled down to limit examples (a fixed sample)."""
    sets = {
        "Last.fm test users": [e for e in lastfm_examples(data / "lastfm-hetrec2011-2k") if e.split == "test"],
        "Spotify playlists": list(spotify_examples(data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv")),
        "MovieLens test users": [e for e in movielens_examples(data / "movielens-ml-latest-small") if e.split == "test"],
        "Written (demo domain)": [e for e in written_examples() if e.split == "test"],
    }
    rng = random.Random(seed)
    return {name: (rng.sample(examples, limit) if limit and len(examples) > limit else examples)
            for name, examples in sets.items()}


def score(names: Sequence[str], references: Sequence[str], embedder: TextEmbedder) -> dict[str, float]:
    """SacreBLEU, mean ROUGE-L F1 and mean embedding similarity of names to references."""
    from rouge_score import rouge_scorer
    from sacrebleu.metrics import BLEU

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    rouge = [scorer.score(ref, name)["rougeL"].fmeasure for name, ref in zip(names, references)]
    a, b = embedder.embed(list(names)), embedder.embed(list(references))
    return {
        # Names are 2-6 words: n-gram orders a name lacks must not zero its score (effective order).
        "sacrebleu": BLEU(effective_order=True).corpus_score(list(names), [list(references)]).score,
        "rouge_l": float(np.mean(rouge)),
        "embedding_similarity": float(np.mean(np.sum(a * b, axis=1))),
        "neutral_share": float(np.mean([n == NEUTRAL_NAME for n in names])),
    }


def evaluate(namers: dict[str, Namer], sets: dict[str, list[NamingExample]], embedder: TextEmbedder) -> list[dict]:
    """Every namer on every set: scores, seconds and a few sample names."""
    rows = []
    for set_name, examples in sets.items():
        references = [e.name for e in examples]
        for backend, namer in namers.items():
            start = time.perf_counter()
            names = [n.name for n in namer.name_many([NamingRequest(e.titles) for e in examples])]
            seconds = time.perf_counter() - start
            rows.append({"set": set_name, "namer": backend, "examples": len(examples), "seconds": seconds,
                         **score(names, references, embedder),
                         "samples": [{"reference": r, "name": n} for r, n in list(zip(references, names))[:5]]})
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "samples"}), flush=True)
    return rows


def write_report(rows: list[dict], command: str) -> str:
    lines = [
        "# Namers: evaluation on held-out human-named groups",
        "",
        f"Reproduce with `{command}`. The namers see only the item titles of each group.",
        "SacreBLEU is corpus-level with effective n-gram order (0-100); ROUGE-L F1 and embedding similarity are means over groups;",
        "neutral = share of names the naming rules replaced by the neutral name.",
        "",
        "| set | namer | groups | SacreBLEU | ROUGE-L | embedding sim. | neutral | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['set']} | {r['namer']} | {r['examples']} | {r['sacrebleu']:.1f} | {r['rouge_l']:.3f} | "
                     f"{r['embedding_similarity']:.3f} | {r['neutral_share']:.2f} | {r['seconds']:.0f} |")
    lines += ["", "Sample names (reference -> name):", ""]
    for r in rows:
        samples = "; ".join(f"{s['reference']} -> {s['name']}" for s in r["samples"][:3])
        lines.append(f"- {r['set']}, {r['namer']}: {samples}")
    return "\n".join(lines)


def save(rows: list[dict], command: str) -> str:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "naming.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report = write_report(rows, command)
    (OUTPUT / "naming.md").write_text(report + "\n", encoding="utf-8")
    return report
