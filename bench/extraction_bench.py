"""Benchmark: journey extraction time against agglomerative clustering, on the same features, same run.

Histories of N items are drawn from real item texts (Spotify tracks and Last.fm artists,
so it needs the shared data sets), their embeddings computed beforehand (as they are
stored at ingest). Timed: building the features plus clustering, for ours and for
agglomerative clustering (average linkage, cosine), each the best of a few repeats.
Target: ours under 1 s at 10k items. Also timed: ours with the parameters tuned on the
Spotify playlist mixes (docs/evaluation/extraction.json), which add the community step.
Results go to bench/results/extraction.{md,json}.

    python -m bench.extraction_bench                  # 1k, 10k, 50k
    python -m bench.extraction_bench --sizes 1000     # quick check
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from bench import report as results
from journeys.evaluation.baselines import AgglomerativeThreshold
from journeys.evaluation.datasets import lastfm_users, spotify_users
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.extraction import OURS
from journeys.extraction.clustering import TimeOrderedClustering
from journeys.extraction.pipeline import item_features
from journeys.settings import shared_data_dir

DATA = shared_data_dir()
EVALUATION = Path(__file__).resolve().parents[1] / "docs" / "evaluation" / "extraction.json"
# Average-linkage agglomerative clustering keeps every pairwise distance: 50k items need ~10 GB.
AGGLOMERATIVE_LIMIT = 20_000


def text_pool(data: Path) -> list[str]:
    texts = [t for u in spotify_users(data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv", count=400)
             for t in u.texts]
    texts += [t for u in lastfm_users(data / "lastfm-hetrec2011-2k") for t in u.texts]
    return list(dict.fromkeys(texts))


def tuned_parameters(dataset: str = "Spotify playlist mixes") -> dict:
    """Our parameters as tuned by the last evaluation run on this data set."""
    rows, _ = json.loads(EVALUATION.read_text(encoding="utf-8"))[dataset]
    return next(r["params"] for r in rows if r["method"] == OURS)


def best_time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    pool = text_pool(args.data)
    embedder = CachedEmbedder.default()
    embedder.embed_all(pool, desc="embedding the item pool")
    embedder.save()
    rng = random.Random(0)
    spotify = tuned_parameters()
    rows = []
    for n in args.sizes:
        texts = rng.sample(pool, n)
        embeddings = embedder.embed(texts)
        timestamps = sorted(rng.uniform(0, 365 * 86400) for _ in range(n))
        repeats = 3 if n <= 10_000 else 1
        features = item_features(embeddings, texts)
        model = TimeOrderedClustering()
        ours = best_time(lambda: model.fit(item_features(embeddings, texts), timestamps=timestamps), repeats)
        clustering_only = best_time(lambda: TimeOrderedClustering().fit(features, timestamps=timestamps), repeats)
        tuned = TimeOrderedClustering(**spotify)
        with_communities = best_time(lambda: tuned.fit(item_features(embeddings, texts), timestamps=timestamps), repeats)
        row = {"items": n, "ours_s": ours, "ours_clustering_only_s": clustering_only,
               "journeys": len(model.clusters_), "ours_communities_s": with_communities,
               "journeys_communities": len(tuned.clusters_), "agglomerative_s": None}
        if n <= AGGLOMERATIVE_LIMIT:
            row["agglomerative_s"] = best_time(lambda: AgglomerativeThreshold().fit(features), repeats)
        rows.append(row)
        print(json.dumps(row))
    write_report(rows)


def write_report(rows: list[dict]) -> None:
    machine = results.machine()
    lines = [
        "# Extraction benchmark",
        "",
        f"`python -m bench.extraction_bench` on {machine}, CPU. Items are real texts (Spotify tracks, Last.fm",
        "artists' tags) with embeddings computed beforehand, as stored at ingest. Ours = features (embeddings",
        "joined with tf-idf words) + time-ordered clustering; agglomerative = average-linkage cosine clustering",
        "of the same features (the baseline), in the same run. Best of 3 runs up to 10k items, 1 run above.",
        "Target: ours under 1 s at 10k items. Ours with communities = the same with the parameters tuned on",
        f"the Spotify playlist mixes ({', '.join(f'{k}={v}' for k, v in tuned_parameters().items())}).",
        "",
        "| items | ours (s) | ours, clustering only (s) | journeys found | ours with communities (s) | journeys found | "
        "agglomerative (s) | agglomerative / ours |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        agglo = f"{r['agglomerative_s']:.2f}" if r["agglomerative_s"] is not None else "not run (needs ~10 GB)"
        ratio = f"{r['agglomerative_s'] / r['ours_s']:.1f}x" if r["agglomerative_s"] is not None else "-"
        lines.append(f"| {r['items']:,} | {r['ours_s']:.2f} | {r['ours_clustering_only_s']:.2f} | {r['journeys']} | "
                     f"{r['ours_communities_s']:.2f} | {r['journeys_communities']} | {agglo} | {ratio} |")
    results.save("extraction", lines, rows)


if __name__ == "__main__":
    main()
