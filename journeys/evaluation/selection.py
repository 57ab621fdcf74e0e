"""Could a rule learned on the tuning users pick, for each Last.fm user, the clustering that suits them?

    python -m journeys.evaluation.selection [--data ../shared/data]

The extraction evaluation (journeys.evaluation.extraction) shows that on Last.fm tag groups
no single configuration comes near +10% over the best baseline, while picking each user's
best configuration in hindsight would. This checks the step in between: for every
candidate configuration, a regression learned on the tuning users predicts a user's score
from what is known without the answer (number of items, how alike the items are); each
report user gets the configuration with the best prediction. Writes docs/evaluation/selection.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from journeys.evaluation.baselines import AgglomerativeThreshold, WholeHistory
from journeys.evaluation.datasets import EvalUser, tuning_split
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.extraction import OUTPUT, TERM_WEIGHT, lastfm_dataset, lastfm_scores
from journeys.extraction.clustering import TimeOrderedClustering
from journeys.settings import shared_data_dir

MAIN = "bcubed_f1"

# The candidates a selector chooses from: the trivial one, the best baseline's range, ours.
CANDIDATES: list[tuple[str, type, dict]] = (
    [("whole-history", WholeHistory, {})]
    + [(f"agglomerative {t}", AgglomerativeThreshold, {"distance_threshold": t}) for t in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
    + [(f"journeys {j}/{m}", TimeOrderedClustering,
        {"join_threshold": j, "overlap_margin": m, "min_size": 2, "attach_threshold": 0.2, "min_span_days": 0.0})
       for j in (0.3, 0.4, 0.5, 0.6) for m in (0.0, 0.05)]
)

SELECTORS = {
    "ridge (degree-2 terms)": lambda: make_pipeline(StandardScaler(), PolynomialFeatures(2), RidgeCV(alphas=np.logspace(-2, 2, 9))),
    "gradient boosting": lambda: GradientBoostingRegressor(n_estimators=100, max_depth=2, learning_rate=0.05, random_state=0),
}


def describe(X: np.ndarray) -> list[float]:
    """What a selector may know of a user: log item count and the spread of item similarities."""
    similarity = X @ X.T
    pairs = similarity[np.triu_indices(len(X), k=1)]
    return [float(np.log(len(X))), float(pairs.mean()), float(pairs.std()), float(np.percentile(pairs, 90))]


def user_scores(user: EvalUser, X: np.ndarray, candidates: list[tuple[str, type, dict]]) -> list[float]:
    """The main score of every candidate on one user."""
    return [lastfm_scores(factory(**params).fit(X, timestamps=user.timestamps).clusters_, user)[MAIN]
            for _, factory, params in candidates]


def evaluate(users: list[EvalUser], features: list[np.ndarray]) -> dict:
    # The candidates go to the worker processes explicitly: they import this module afresh.
    scores = np.array(Parallel(n_jobs=-1, batch_size=8)(
        delayed(user_scores)(u, X, CANDIDATES) for u, X in zip(users, features)))
    described = np.array([describe(X) for X in features])
    tuning = np.array([tuning_split(u.user_id) for u in users])
    report = ~tuning
    names = [name for name, _, _ in CANDIDATES]
    single = int(scores[tuning].mean(axis=0).argmax())
    baseline = names.index(max((n for n in names if n.startswith("agglomerative")),
                               key=lambda n: scores[tuning][:, names.index(n)].mean()))
    result = {
        "report_users": int(report.sum()), "tuning_users": int(tuning.sum()), "candidates": names,
        "best single (chosen on tuning)": {"name": names[single], "score": float(scores[report][:, single].mean())},
        "best agglomerative (chosen on tuning)": {"name": names[baseline], "score": float(scores[report][:, baseline].mean())},
        "hindsight": float(scores[report].max(axis=1).mean()),
        "selectors": {},
    }
    for label, make in SELECTORS.items():
        predicted = np.column_stack([make().fit(described[tuning], scores[tuning][:, c]).predict(described[report])
                                     for c in range(len(names))])
        chosen = predicted.argmax(axis=1)
        result["selectors"][label] = float(scores[report][np.arange(report.sum()), chosen].mean())
    return result


def write_report(result: dict) -> str:
    baseline = result["best agglomerative (chosen on tuning)"]
    lines = [
        "# Last.fm: can a learned rule pick each user's clustering?",
        "",
        "Reproduce with `python -m journeys.evaluation.selection` (under a minute on 2 CPU cores once the",
        "evaluation embeddings are cached). Same users, features, split and score (extended B-cubed F1) as",
        "[extraction.md](extraction.md). For each of the "
        f"{len(result['candidates'])} candidate configurations, a regression learned on the {result['tuning_users']} tuning",
        "users predicts a user's score from the log of their item count and the mean, spread and 90th percentile of",
        f"their items' similarities; each of the {result['report_users']} report users gets the candidate predicted best.",
        "",
        "| rule | bcubed_f1 on the report users |",
        "| --- | ---: |",
        f"| best agglomerative threshold ({baseline['name']}) | {baseline['score']:.3f} |",
        f"| best single candidate ({result['best single (chosen on tuning)']['name']}) | "
        f"{result['best single (chosen on tuning)']['score']:.3f} |",
    ]
    lines += [f"| learned selector: {label} | {score:.3f} |" for label, score in result["selectors"].items()]
    lines += [
        f"| each user's best candidate, in hindsight (not a method) | {result['hindsight']:.3f} |",
        "",
        f"+10% over the agglomerative baseline needs {1.1 * baseline['score']:.3f}. The learned selectors recover "
        f"{max(result['selectors'].values()) - result['best single (chosen on tuning)']['score']:+.3f} of the "
        f"{result['hindsight'] - result['best single (chosen on tuning)']['score']:.3f} between the best single "
        "candidate and hindsight.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args()
    dataset = lastfm_dataset(args.data, TERM_WEIGHT, CachedEmbedder.default())
    result = evaluate(dataset.users, dataset.features)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "selection.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report = write_report(result)
    (OUTPUT / "selection.md").write_text(report + "\n", encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
