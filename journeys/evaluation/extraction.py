"""Evaluate journey extraction against the baselines on real data; writes docs/evaluation/extraction.md.

    python -m journeys.evaluation.extraction [--data ../shared/data] [--spotify-users 400]

Every method clusters the same features (journeys.extraction.item_features). Each method's
parameters are tuned once, on a fixed tuning subset of users (a quarter, by a hash of the
user id), and every score is reported on the other users only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from tqdm import tqdm

from journeys.baselines import (AgglomerativeThreshold, EveryItemAlone, HDBSCANJourneys, KMeansSilhouette,
                                WholeHistory)
from journeys.clustering import TimeOrderedClustering
from journeys.evaluation.datasets import EvalUser, lastfm_users, spotify_users, tuning_split
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.metrics import ari, bcubed, best_match_f1, nmi
from journeys.extraction import item_features
from journeys.settings import shared_data_dir

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "docs" / "evaluation"
OURS = "journeys (time-ordered)"

# Each method: a factory from parameters, and the grid its parameters are tuned on.
METHODS: dict[str, tuple[Callable[..., object], dict[str, list]]] = {
    OURS: (TimeOrderedClustering, {
        "join_threshold": [0.25, 0.3, 0.4, 0.5],
        "join_z": [None, 1.0, 1.5],
        "overlap_margin": [0.0, 0.05],
        "min_size": [2, 4, 8],
        "attach_threshold": [None, 0.2],
        "min_span_days": [0.0],
        "k_max": [None, 10],
    }),
    "agglomerative": (AgglomerativeThreshold, {"distance_threshold": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]}),
    "hdbscan": (HDBSCANJourneys, {"min_cluster_size": [2, 3, 4, 5, 8]}),
    "kmeans-silhouette": (KMeansSilhouette, {"k_max": [10]}),
    "whole-history": (WholeHistory, {}),
    "every-item-alone": (EveryItemAlone, {}),
}


@dataclass
class Dataset:
    """A data set's users with their features, and how a clustering of one user is scored."""

    name: str
    users: list[EvalUser]
    features: list[np.ndarray]
    main_score: str
    scores: Callable[[list[list[int]], EvalUser], dict[str, float]]


def lastfm_scores(clusters: list[list[int]], user: EvalUser) -> dict[str, float]:
    precision, recall, f1 = bcubed(clusters, user.truth)
    return {"bcubed_f1": f1, "bcubed_precision": precision, "bcubed_recall": recall,
            "best_match_f1": best_match_f1(clusters, user.truth)}


def spotify_scores(clusters: list[list[int]], user: EvalUser) -> dict[str, float]:
    return {"ari": ari(clusters, user.truth_labels), "nmi": nmi(clusters, user.truth_labels),
            "bcubed_f1": bcubed(clusters, user.truth)[2]}


def score_user(factory: Callable[..., object], params: dict, user: EvalUser, X: np.ndarray, scores) -> dict[str, float]:
    """Scores of a method with these parameters on one user."""
    model = factory(**params).fit(X, timestamps=user.timestamps)
    return scores(model.clusters_, user)


def run_method(factory: Callable[..., object], params: dict, dataset: Dataset, users: Iterable[int]) -> dict[str, float]:
    """Mean scores of a method with these parameters over the given users (indices into the data set)."""
    # Both cores: users are independent.
    per_user = Parallel(n_jobs=-1, batch_size=16)(
        delayed(score_user)(factory, params, dataset.users[u], dataset.features[u], dataset.scores) for u in users
    )
    return {key: float(np.mean([s[key] for s in per_user])) for key in per_user[0]}


def tune(factory, grid: dict[str, list], dataset: Dataset, users: list[int]) -> tuple[dict, float]:
    """The parameters with the best mean main score on the tuning users."""
    best, best_score = {}, -np.inf
    names = list(grid)
    for values in itertools.product(*(grid[n] for n in names)):
        params = dict(zip(names, values))
        if params.get("join_z") is not None and params.get("join_threshold") != grid["join_threshold"][0]:
            continue  # a personal threshold replaces join_threshold: one value of it is enough
        if params.get("k_max") is not None and (params.get("overlap_margin") or params.get("attach_threshold") is not None):
            continue  # the model-selection step makes a partition of every item: overlaps and attaching do not matter
        score = run_method(factory, params, dataset, users)[dataset.main_score]
        if score > best_score:
            best, best_score = params, score
    return best, best_score


def evaluate(dataset: Dataset) -> list[dict]:
    """Tune every method on the tuning users, then score it on the report users."""
    tuning = [i for i, u in enumerate(dataset.users) if tuning_split(u.user_id)]
    report = [i for i, u in enumerate(dataset.users) if not tuning_split(u.user_id)]
    rows = []
    for name, (factory, grid) in tqdm(METHODS.items(), desc=dataset.name, unit="method"):
        params, tuned = tune(factory, grid, dataset, tuning)
        start = time.perf_counter()
        scores = run_method(factory, params, dataset, report)
        rows.append({"method": name, "params": params, "tuning_score": tuned, **scores,
                     "seconds": time.perf_counter() - start, "users": len(report), "tuning_users": len(tuning)})
    return rows


def load(data: Path, spotify_count: int, term_weight: float, embedder: CachedEmbedder) -> list[Dataset]:
    lastfm = lastfm_users(data / "lastfm-hetrec2011-2k")
    spotify = spotify_users(data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv", count=spotify_count)
    datasets = []
    for name, users, main, scores in (("Last.fm tag groups", lastfm, "bcubed_f1", lastfm_scores),
                                      ("Spotify playlist mixes", spotify, "ari", spotify_scores)):
        embedder.embed_all([t for u in users for t in u.texts], desc=f"embedding {name}")
        features = [item_features(embedder.embed(u.texts), u.texts, term_weight) for u in users]
        datasets.append(Dataset(name, users, features, main, scores))
    embedder.save()
    return datasets


def write_report(results: dict[str, list[dict]], datasets: list[Dataset], term_weight: float) -> str:
    lines = [
        "# Journey extraction: evaluation on real data",
        "",
        "Reproduce with `python -m journeys.evaluation.extraction` (needs the shared data sets; about",
        "10 minutes on 2 CPU cores, most of it embedding the item texts once).",
        f"All methods cluster the same features: all-MiniLM-L6-v2 embeddings joined with the user's tf-idf",
        f"words (term weight {term_weight}). Parameters were tuned on a fixed quarter of the users (hash of the",
        "user id) and every score below is on the other users only.",
        "",
    ]
    for dataset in datasets:
        rows = results[dataset.name]
        keys = [k for k in rows[0] if k not in ("method", "params", "tuning_score", "seconds", "users", "tuning_users")]
        baselines = [r for r in rows if r["method"] != OURS]
        best = max(baselines, key=lambda r: r[dataset.main_score])
        ours = next(r for r in rows if r["method"] == OURS)
        gain = ours[dataset.main_score] / best[dataset.main_score] - 1 if best[dataset.main_score] > 0 else float("inf")
        lines += [
            f"## {dataset.name}",
            "",
            f"{rows[0]['users']} users reported ({rows[0]['tuning_users']} more used for tuning); "
            f"{np.mean([len(u.texts) for u in dataset.users]):.0f} items and "
            f"{np.mean([len(u.truth) for u in dataset.users]):.1f} true groups per user on average. "
            f"Main score: {dataset.main_score}.",
            "",
            "| method | " + " | ".join(keys) + " | tuned parameters |",
            "| --- | " + " | ".join("---:" for _ in keys) + " | --- |",
        ]
        for r in sorted(rows, key=lambda r: -r[dataset.main_score]):
            params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "none"
            lines.append(f"| {r['method']} | " + " | ".join(f"{r[k]:.3f}" for k in keys) + f" | {params} |")
        lines += ["", f"Ours vs the best baseline ({best['method']}) on {dataset.main_score}: "
                      f"{ours[dataset.main_score]:.3f} vs {best[dataset.main_score]:.3f}, {gain:+.1%} relative.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--spotify-users", type=int, default=400)
    parser.add_argument("--term-weight", type=float, default=0.2)
    args = parser.parse_args()
    embedder = CachedEmbedder.default()
    datasets = load(args.data, args.spotify_users, args.term_weight, embedder)
    results = {d.name: evaluate(d) for d in datasets}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "extraction.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report = write_report(results, datasets, args.term_weight)
    (OUTPUT / "extraction.md").write_text(report + "\n", encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
