"""Evaluate journey extraction against the baselines on real data; writes docs/evaluation/extraction.md.

    python -m journeys.evaluation.extraction [--data ../shared/data] [--spotify-users 400]

Every method clusters the same features (journeys.extraction.pipeline.item_features). Each method's
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

from journeys.evaluation.baselines import (
    AgglomerativeThreshold,
    EveryItemAlone,
    HDBSCANJourneys,
    KMeansSilhouette,
    WholeHistory,
)
from journeys.evaluation.datasets import EvalUser, lastfm_users, spotify_users, tuning_split
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.metrics import ari, bcubed, best_match_f1, nmi
from journeys.extraction.clustering import TimeOrderedClustering
from journeys.extraction.pipeline import ATTRIBUTE_WEIGHT, item_attributes, item_features
from journeys.settings import shared_data_dir

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "docs" / "evaluation"
OURS = "journeys (time-ordered)"
DEFAULT = "journeys (default settings)"
ABLATION = "ablation: communities of single items"
TERM_WEIGHT = 0.2  # share of the tf-idf words in the item features (journeys.extraction.pipeline.item_features)

# Each method: a factory from parameters, and the grids its parameters are tuned on (every
# combination of each grid's values; several grids avoid combinations that mean nothing).
METHODS: dict[str, tuple[Callable[..., object], list[dict[str, list]]]] = {
    OURS: (TimeOrderedClustering, [
        {   # the time-ordered pass with centre-similarity merging only
            "join_threshold": [0.25, 0.3, 0.4, 0.5],
            "overlap_margin": [0.0, 0.05],
            "min_size": [2, 4, 8],
            "attach_threshold": [None, 0.2],
            "min_span_days": [0.0],
            "neighbours": [None],
            "isolation_z": [None],
        },
        {   # a personal join threshold instead of a fixed one
            "join_z": [1.0, 1.5],
            "overlap_margin": [0.0, 0.05],
            "min_size": [2, 4, 8],
            "attach_threshold": [None, 0.2],
            "min_span_days": [0.0],
            "neighbours": [None],
            "isolation_z": [None],
        },
        {   # journeys converge by community of the item graph
            "join_threshold": [0.4, 0.5, 0.6],
            "min_size": [2, 4],
            "attach_threshold": [None, 0.2],
            "min_span_days": [0.0],
            "neighbours": [20, 40],
            "resolution": [0.8, 1.0],
            "isolation_z": [None],
        },
    ]),
    # What every user gets: the defaults, never tuned (the community step and the isolation test
    # of one-off items included).
    DEFAULT: (TimeOrderedClustering, [{}]),
    # Ablation, not a baseline: the community step alone, every item starting on its own
    # (a join threshold above 1), i.e. Louvain communities of the item graph.
    ABLATION: (TimeOrderedClustering, [{
        "join_threshold": [1.01],
        "min_size": [2, 4],
        "min_span_days": [0.0],
        "isolation_z": [None],
        "neighbours": [20, 40],
        "resolution": [0.8, 1.0],
    }]),
    "agglomerative": (AgglomerativeThreshold, [{"distance_threshold": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]}]),
    "hdbscan": (HDBSCANJourneys, [{"min_cluster_size": [2, 3, 4, 5, 8]}]),
    "kmeans-silhouette": (KMeansSilhouette, [{"k_max": [10]}]),
    "whole-history": (WholeHistory, [{}]),
    "every-item-alone": (EveryItemAlone, [{}]),
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


def per_user_scores(factory: Callable[..., object], params: dict, dataset: Dataset, users: Iterable[int]) -> list[dict[str, float]]:
    """Scores of a method with these parameters for each of the given users (indices into the data set)."""
    # Both cores: users are independent.
    return Parallel(n_jobs=-1, batch_size=16)(
        delayed(score_user)(factory, params, dataset.users[u], dataset.features[u], dataset.scores) for u in users
    )


def mean_scores(per_user: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([s[key] for s in per_user])) for key in per_user[0]}


def tune(factory, grids: list[dict[str, list]], dataset: Dataset, users: list[int]) -> tuple[dict, float, np.ndarray]:
    """The parameters with the best mean main score on the tuning users, that score, and each
    user's best main score over every combination tried (a hindsight ceiling, not a method)."""
    best, best_score = {}, -np.inf
    ceiling = np.full(len(users), -np.inf)
    for grid in grids:
        names = list(grid)
        for values in itertools.product(*(grid[n] for n in names)):
            params = dict(zip(names, values))
            main = np.array([s[dataset.main_score] for s in per_user_scores(factory, params, dataset, users)])
            ceiling = np.maximum(ceiling, main)
            if main.mean() > best_score:
                best, best_score = params, float(main.mean())
    return best, best_score, ceiling


def evaluate(dataset: Dataset) -> tuple[list[dict], dict]:
    """Tune every method on the tuning users, then score it on the report users.

    Also returns the hindsight ceiling on the tuning users: each user's best main score over
    every configuration of every method tried, and over the partitions only (methods other than ours).
    """
    tuning = [i for i, u in enumerate(dataset.users) if tuning_split(u.user_id)]
    report = [i for i, u in enumerate(dataset.users) if not tuning_split(u.user_id)]
    rows = []
    ceilings = {}
    for name, (factory, grid) in tqdm(METHODS.items(), desc=dataset.name, unit="method"):
        params, tuned, ceiling = tune(factory, grid, dataset, tuning)
        ceilings[name] = ceiling
        start = time.perf_counter()
        scores = mean_scores(per_user_scores(factory, params, dataset, report))
        rows.append({"method": name, "params": params, "tuning_score": tuned, **scores,
                     "seconds": time.perf_counter() - start, "users": len(report), "tuning_users": len(tuning)})
    ceiling = {
        "every configuration": float(np.max(np.vstack(list(ceilings.values())), axis=0).mean()),
        "baseline configurations": float(np.max(np.vstack([c for n, c in ceilings.items() if n not in (OURS, DEFAULT, ABLATION)]), axis=0).mean()),
        "best single configuration": max(r["tuning_score"] for r in rows),
        "own tag names": own_tag_names_as_journeys(dataset, tuning) if dataset.name.startswith("Last.fm") else None,
        "configurations": sum(len(list(itertools.product(*g.values()))) for _, grids in METHODS.values() for g in grids),
    }
    return rows, ceiling


def own_tag_names_as_journeys(dataset: Dataset, users: Iterable[int]) -> float:
    """Last.fm with hindsight: mean main score when each of the user's own tag names becomes one
    journey of every item that other users gave that tag. It shows how far the tags others give
    predict the user's own grouping at all (not a method: it reads the answer's names)."""
    scores = []
    for u in users:
        user = dataset.users[u]
        tags = [{t.strip() for t in text.split(",")} for text in user.texts]
        clusters = [[i for i, given in enumerate(tags) if name in given] for name in user.truth_names]
        scores.append(dataset.scores([c for c in clusters if c], user)[dataset.main_score])
    return float(np.mean(scores))


def featured(name: str, users: list[EvalUser], main_score: str, scores, term_weight: float,
             embedder: CachedEmbedder) -> Dataset:
    """A data set's users with their item features (embeddings computed once, then cached)."""
    embedder.embed_all([t for u in users for t in u.texts], desc=f"embedding {name}")
    features = [item_features(embedder.embed(u.texts), u.texts, term_weight,
                              attributes=item_attributes(u.extras)) for u in users]
    embedder.save()
    return Dataset(name, users, features, main_score, scores)


def lastfm_dataset(data: Path, term_weight: float, embedder: CachedEmbedder) -> Dataset:
    return featured("Last.fm tag groups", lastfm_users(data / "lastfm-hetrec2011-2k"), "bcubed_f1", lastfm_scores,
                    term_weight, embedder)


def load(data: Path, spotify_count: int, term_weight: float, embedder: CachedEmbedder) -> list[Dataset]:
    spotify = spotify_users(data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv", count=spotify_count)
    return [lastfm_dataset(data, term_weight, embedder),
            featured("Spotify playlist mixes", spotify, "ari", spotify_scores, term_weight, embedder)]


def write_report(results: dict[str, tuple[list[dict], dict]], datasets: list[Dataset], term_weight: float) -> str:
    lines = [
        "# Journey extraction: evaluation on real data",
        "",
        "Reproduce with `python -m journeys.evaluation.extraction` (needs the shared data sets; about",
        "6 minutes on 2 CPU cores, plus about 5 minutes the first time to embed the item texts).",
        "All methods cluster the same features: all-MiniLM-L6-v2 embeddings joined with the user's tf-idf",
        f"words (term weight {term_weight}) and, where the items carry numeric fields of their own (the Spotify",
        "tracks' release date, popularity and audio features), those fields standardised per user (weight",
        f"{ATTRIBUTE_WEIGHT}; journeys.extraction.pipeline.item_attributes). Parameters were tuned on a fixed quarter",
        "of the users (hash of the user id) and every score below is on the other users only.",
        "",
    ]
    for dataset in datasets:
        rows, ceiling = results[dataset.name]
        keys = [k for k in rows[0] if k not in ("method", "params", "tuning_score", "seconds", "users", "tuning_users")]
        baselines = [r for r in rows if r["method"] not in (OURS, DEFAULT, ABLATION)]
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
        default = next((r for r in rows if r["method"] == DEFAULT), None)
        lines += ["", f"Ours vs the best baseline ({best['method']}) on {dataset.main_score}: "
                      f"{ours[dataset.main_score]:.3f} vs {best[dataset.main_score]:.3f}, {gain:+.1%} relative "
                      f"(the 10% target needs {1.1 * best[dataset.main_score]:.3f}).",
                  *([] if default is None else [
                      "", f"With the default settings, never tuned (what every user gets): "
                          f"{default[dataset.main_score]:.3f} vs {best[dataset.main_score]:.3f} for the best baseline, "
                          f"{default[dataset.main_score] / best[dataset.main_score] - 1:+.1%} relative."]),
                  "",
                  f"Hindsight ceiling on the {rows[0]['tuning_users']} tuning users (not a method): taking for each user "
                  f"whichever of the {ceiling['configurations']} configurations tried scores best gives "
                  f"{ceiling['every configuration']:.3f} ({ceiling['baseline configurations']:.3f} over the baselines' "
                  f"configurations only); the best single configuration scores {ceiling['best single configuration']:.3f} there."
                  + (f" Making each of the user's own tag names a journey of the items others gave that tag (reading the "
                     f"answer's names) scores {ceiling['own tag names']:.3f}." if ceiling.get("own tag names") is not None else ""),
                  ""]
        lines += reading(dataset, rows, ceiling, best, ours, gain)
    return "\n".join(lines)


def reading(dataset: Dataset, rows: list[dict], ceiling: dict, best: dict, ours: dict, gain: float) -> list[str]:
    """What the numbers say, in words, from the numbers themselves."""
    main = dataset.main_score
    ablation = next((r for r in rows if r["method"] == ABLATION), None)
    lines = [f"Target (+10% over the best baseline): {'met' if gain >= 0.10 else 'not met'}."]
    if ablation is not None and ours["params"].get("neighbours") is not None:
        lines.append(
            f"The gain comes from the community step: communities of single items (the ablation, not counted as a "
            f"baseline) score {ablation[main]:.3f} against our {ours[main]:.3f}, so the time-ordered pass adds little "
            f"to this score; within our method it is what keeps the user's own journeys (anchors) through re-extraction.")
    if gain < 0.10:
        needed = 1.1 * best[main]
        lines.append(
            f"Why: the target needs {needed:.3f}; no single configuration of any method gets near it (best "
            f"{ceiling['best single configuration']:.3f} on the tuning users), and choosing for each user, with the answer "
            f"in hand, the best of the baselines' own configurations gives {ceiling['baseline configurations']:.3f}, "
            f"so beating the best baseline by 10% needs a rule that picks per user almost as well as hindsight "
            f"(rules learned on the tuning users fall far short: [selection.md](selection.md))."
            + (f" Even the user's own tag names, applied to the tags other users gave, score {ceiling['own tag names']:.3f}, "
               f"against {next(r['tuning_score'] for r in rows if r['method'] == 'whole-history'):.3f} for one journey per user there: "
               f"the descriptions barely tell one of a user's groups from another."
               if ceiling.get("own tag names") is not None else ""))
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--spotify-users", type=int, default=400)
    parser.add_argument("--term-weight", type=float, default=TERM_WEIGHT)
    parser.add_argument("--datasets", nargs="+", choices=["last.fm", "spotify"], default=["last.fm", "spotify"],
                        help="which evaluations to run (the report then holds only those)")
    args = parser.parse_args()
    embedder = CachedEmbedder.default()
    datasets = load(args.data, args.spotify_users, args.term_weight, embedder)
    datasets = [d for d in datasets if any(word in d.name.lower() for word in args.datasets)]
    results = {d.name: evaluate(d) for d in datasets}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "extraction.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report = write_report(results, datasets, args.term_weight)
    (OUTPUT / "extraction.md").write_text(report + "\n", encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
