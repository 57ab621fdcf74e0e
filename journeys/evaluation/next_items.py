"""Do journeys capture a person's interests? Judged by what the person does next; writes docs/evaluation/next_items.md.

    python -m journeys.evaluation.next_items [--data DIR] [--datasets movielens lastfm] [--limit-users N]

The protocol of multi-interest recommenders (MIND, ComiRec) on real histories read through
the product's adapters (journeys.history.adapters):
- Each user's activities in time order (ties by activity id, as the history store reads
  them): the history is the first 80% (rounded up), the future the rest.
- The training store is every user's history part (all users of the data set, so that
  popularity is real); the catalogue is every item in it. An item seen only in futures is
  in no catalogue, so no method can recommend it; it still counts as a target (a miss for
  every method alike, reported as the share of targets out of reach).
- Evaluated users have at least MIN_ACTIVITIES activities. Targets: the future items not in
  the history (MovieLens: rated 3.5 or more; Last.fm: every artist); users without a target
  are left out and counted.
- Every method recommends K_MAX items the user has not had; Recall@k = hits among the first k
  / number of targets (not capped at k, as in ComiRec), NDCG@50 with binary relevance; means
  over users.
- Methods with parameters are tuned on a fixed quarter of the users (tuning_split) on
  Recall@50; every reported number is on the other users. Journeys use the defaults.

From Python (what the report runs, one method at a time):

    from journeys.evaluation.next_items import prepare, score_method
    data = prepare("movielens")                      # cached embeddings, catalogue, popularity
    score_method(data, "journeys", data.report_users())
    score_method(data, TimeOrderedClustering(join_threshold=0.4), data.tuning_users())
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.stats
from tqdm import tqdm

from journeys.evaluation.baselines import KMeansSilhouette
from journeys.evaluation.datasets import tuning_split
from journeys.evaluation.embeddings import CachedEmbedder
from journeys.evaluation.interests import (
    ClusterInterests,
    JourneyInterests,
    OneInterest,
    Popularity,
    ProductRecommendations,
    RandomItems,
    RecentInterest,
    as_ranker,
)
from journeys.evaluation.metrics import ndcg_at_k, recall_at_k
from journeys.extraction.clustering import unit_rows
from journeys.history.activity import Activity, Row
from journeys.history.adapters import lastfm_rows, movielens_rows
from journeys.history.store import StoredActivity
from journeys.settings import shared_data_dir

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "docs" / "evaluation"
HISTORY_PERCENT = 80
RECALL_AT = (20, 50, 100)
NDCG_AT = 50
K_MAX = max(RECALL_AT)
MAIN = "recall@50"
# Resamples of the users for the interval of the interest-quality ratio.
BOOTSTRAP_RESAMPLES = 2000
# Embeddings are saved after every this many new texts, so an interrupted first run keeps its work.
SAVE_EVERY = 4096

POPULARITY = "popularity"
RANDOM = "random (reference)"
ONE = "one interest"
RECENT = "recent interest"
KMEANS = "k-means interests"
JOURNEYS = "journeys (default)"
PRODUCT = "product recommendations"
INTEREST_BASELINES = (ONE, RECENT, KMEANS)

# Each method: a factory from parameters and the grid they are tuned on (every combination).
METHODS: dict[str, tuple[Callable[..., Any], dict[str, list]]] = {
    RANDOM: (RandomItems, {}),
    POPULARITY: (Popularity, {}),
    ONE: (OneInterest, {}),
    RECENT: (RecentInterest, {}),  # the window is the protocol's (last 20 items), not tuned
    KMEANS: (lambda k_max=10: ClusterInterests(KMeansSilhouette(k_max=k_max)), {"k_max": [5, 10, 20, 40]}),
    JOURNEYS: (JourneyInterests, {}),
    PRODUCT: (ProductRecommendations, {}),
}
# Short names for score_method.
ALIASES = {"random": RANDOM, "popularity": POPULARITY, "one": ONE, "recent": RECENT, "kmeans": KMEANS,
           "journeys": JOURNEYS, "product": PRODUCT}


@dataclass(frozen=True)
class DatasetSpec:
    """A public data set: where it is, how the product reads it, which users and future items count."""

    name: str
    folder: str
    rows: Callable[[Path], Iterator[Row]]
    min_activities: int
    is_target: Callable[[Activity], bool]
    targets_are: str


DATASETS = {
    "movielens": DatasetSpec("MovieLens (ml-latest-small)", "movielens-ml-latest-small", movielens_rows, 60,
                             # engagement is rating / 5, so 3.5 stars is 0.7
                             lambda a: a.engagement is not None and a.engagement >= 0.7 - 1e-9,
                             "future films rated 3.5 or more"),
    "lastfm": DatasetSpec("Last.fm (HetRec 2011)", "lastfm-hetrec2011-2k", lastfm_rows, 60,
                          lambda a: True, "every future artist"),
}


@dataclass
class NextItemUser:
    """One evaluated user: the history (stored activities with embeddings, in time order) and the future's targets."""

    user_id: str
    history: list[StoredActivity]
    future: list[Activity]
    targets: frozenset[str]
    had: frozenset[str]  # item ids of the history
    seen_rows: np.ndarray  # catalogue rows of the history's items (never recommended)
    unreachable: int  # targets not in the catalogue

    @cached_property
    def seen_set(self) -> set[int]:
        return set(self.seen_rows.tolist())

    @property
    def tuning(self) -> bool:
        return tuning_split(self.user_id)


@dataclass
class EvaluationData:
    """A data set prepared for the next-items evaluation: evaluated users, catalogue, popularity."""

    key: str
    spec: DatasetSpec
    users: list[NextItemUser]
    item_ids: list[str]
    item_vectors: np.ndarray  # unit rows, one per catalogue item
    popularity: np.ndarray  # users of the training store who had each item
    store: list[Activity]  # the training store: every user's history part
    counts: dict[str, int]
    embedder: CachedEmbedder | None = field(default=None, repr=False)
    _catalogue: Any = field(default=None, repr=False)

    @cached_property
    def popularity_order(self) -> np.ndarray:
        return np.lexsort((np.arange(len(self.popularity)), -self.popularity))

    def tuning_users(self) -> list[NextItemUser]:
        """The fixed quarter of users that parameters are tuned on."""
        return [u for u in self.users if u.tuning]

    def report_users(self) -> list[NextItemUser]:
        """The users every reported number is on."""
        return [u for u in self.users if not u.tuning]

    def product_catalogue(self) -> Any:
        """journeys.recommend's Catalogue of the training store (embedded on first use, then kept)."""
        if self._catalogue is None:
            from journeys.recommend import Catalogue
            from journeys.settings import Settings

            vectors = embed(self.embedder, [a.text for a in self.store], f"embedding the {self.key} store")
            # The product's own privacy rule: an item few people had is never offered.
            self._catalogue = Catalogue.from_activities(
                (StoredActivity(a.activity_id, a, vectors[a.text]) for a in self.store), "store",
                Settings().recommend_min_users)
        return self._catalogue


def embed(embedder: CachedEmbedder, texts: Sequence[str], desc: str) -> dict[str, np.ndarray]:
    """Vectors of the distinct texts by text, computing the missing ones with progress and saving as it goes."""
    distinct = list(dict.fromkeys(texts))
    missing = [t for t in distinct if embedder.key(t) not in embedder.vectors]
    for start in tqdm(range(0, len(missing), SAVE_EVERY), desc=desc, unit="block", disable=not missing):
        embedder.embed_all(missing[start:start + SAVE_EVERY], desc=desc)
        embedder.save()
    return {t: embedder.vectors[embedder.key(t)] for t in distinct}


def split_history(activities: Sequence[Activity]) -> tuple[list[Activity], list[Activity]]:
    """A user's activities in time order (ties by id) cut into the first 80% (rounded up) and the rest."""
    ordered = sorted(activities, key=lambda a: (a.timestamp, a.activity_id))
    cut = -(-len(ordered) * HISTORY_PERCENT // 100)  # integer ceiling: no float rounding at the cut
    return ordered[:cut], ordered[cut:]


def _user_order(user_id: str) -> tuple[str, int, str]:
    prefix, _, number = user_id.rpartition(":")
    return (prefix, int(number), "") if number.isdigit() else (prefix, -1, user_id)


def prepare(dataset: str, data_dir: Path | None = None, embedder: CachedEmbedder | None = None,
            limit_users: int | None = None, user_ids: Sequence[str] | None = None,
            store_users: int | None = None) -> EvaluationData:
    """Read a data set ("movielens" or "lastfm") through its adapter and build the evaluation's users and catalogue.

    limit_users keeps the first N evaluated users (by id), user_ids only these (if eligible);
    store_users, for quick runs only, builds the training store from the evaluated users plus
    the first N others instead of everyone.
    """
    spec = DATASETS[dataset]
    folder = (data_dir or shared_data_dir()) / spec.folder
    if not folder.is_dir():
        raise FileNotFoundError(f"the {spec.name} data set is not at {folder}; pass --data with the folder that holds "
                                f"{spec.folder}/ (or set JOURNEYS_SHARED_DATA)")
    embedder = embedder or CachedEmbedder.default()
    by_user: dict[str, list[Activity]] = defaultdict(list)
    invalid = 0
    for row in spec.rows(folder):
        if row.activity is None:
            invalid += 1  # e.g. Last.fm tags of artists its artist list lacks, which `ingest --skip-invalid` skips too
        else:
            by_user[row.activity.user_id].append(row.activity)
    splits = {user: split_history(activities) for user, activities in by_user.items()}
    eligible, no_target = [], 0
    for user in sorted(splits, key=_user_order):
        history, future = splits[user]
        if len(history) + len(future) < spec.min_activities:
            continue
        had = {a.item_id for a in history}
        if any(spec.is_target(a) and a.item_id not in had for a in future):
            eligible.append(user)
        else:
            no_target += 1
    wanted = set(user_ids) if user_ids is not None else None
    chosen = [u for u in eligible if u in wanted] if wanted is not None else eligible
    chosen = chosen[:limit_users] if limit_users is not None else chosen
    store_ids = sorted(splits, key=_user_order)
    if store_users is not None:
        evaluated = set(chosen)
        others = [u for u in store_ids if u not in evaluated][:store_users]
        store_ids = sorted(set(chosen) | set(others), key=_user_order)
    store = [a for user in store_ids for a in splits[user][0]]

    # The catalogue: every item of the store, described by its most common text there.
    texts: dict[str, Counter] = defaultdict(Counter)
    holders: dict[str, set[str]] = defaultdict(set)
    for activity in store:
        texts[activity.item_id][activity.text] += 1
        holders[activity.item_id].add(activity.user_id)
    item_ids = sorted(texts)
    item_texts = [texts[i].most_common(1)[0][0] for i in item_ids]
    index = {item: row for row, item in enumerate(item_ids)}
    history_texts = [a.text for user in chosen for a in splits[user][0]]
    vectors = embed(embedder, item_texts + history_texts, f"embedding {dataset}")

    users = []
    for user in chosen:
        history, future = splits[user]
        had = {a.item_id for a in history}
        targets = frozenset(a.item_id for a in future if spec.is_target(a) and a.item_id not in had)
        users.append(NextItemUser(
            user_id=user,
            history=[StoredActivity(a.activity_id, a, vectors[a.text]) for a in history],
            future=future,
            targets=targets,
            had=frozenset(had),
            seen_rows=np.array(sorted(index[i] for i in had), dtype=int),
            unreachable=sum(t not in index for t in targets),
        ))
    counts = {"users_in_data": len(by_user), "invalid_rows": invalid, "activities": sum(map(len, by_user.values())),
              "evaluated_users": len(users), "left_out_without_target": no_target,
              "eligible_users": len(eligible), "store_users": len(store_ids), "store_activities": len(store),
              "catalogue_items": len(item_ids)}
    return EvaluationData(
        key=dataset, spec=spec, users=users, item_ids=item_ids,
        item_vectors=unit_rows(np.vstack([vectors[t] for t in item_texts]).astype(np.float32)),
        popularity=np.array([len(holders[i]) for i in item_ids]), store=store, counts=counts, embedder=embedder,
    )


def method_named(name: str, **params: Any) -> Any:
    """A fresh ranker for a method of the report (or its short name) with these parameters."""
    factory, _ = METHODS[ALIASES.get(name, name)]
    return factory(**params)


def score_user(ranker: Any, data: EvaluationData, user: NextItemUser) -> dict[str, Any]:
    """One user's recall, NDCG and interest structure under a ranker."""
    ranked = ranker.rank(data, user, K_MAX)
    row: dict[str, Any] = {"user_id": user.user_id, "targets": len(user.targets), "history": len(user.history),
                           "returned": len(ranked), "recommended_history_items": sum(item in user.had for item in ranked),
                           "duplicates": len(ranked) - len(set(ranked))}
    for k in RECALL_AT:
        row[f"recall@{k}"] = recall_at_k(ranked, user.targets, k)
    row[f"ndcg@{NDCG_AT}"] = ndcg_at_k(ranked, user.targets, NDCG_AT)
    if hasattr(ranker, "describe"):
        row.update(ranker.describe())
    return row


def score_method(data: EvaluationData, method: Any, users: Sequence[NextItemUser] | None = None,
                 per_user: bool = False, progress: bool = False) -> dict[str, Any]:
    """Mean metrics and interest structure of a method over users (default: all evaluated users).

    method: a name of the report ("journeys", "kmeans", ...), a ranker, a clustering estimator
    (through build_journeys when its fit takes anchors, else clustering the embeddings), or a
    function (user_id, stored history) -> [(vector, weight), ...].
    """
    ranker = method_named(method) if isinstance(method, str) else as_ranker(method)
    users = data.users if users is None else users
    rows = [score_user(ranker, data, u) for u in tqdm(users, desc=str(method)[:40], unit="user", disable=not progress)]
    result = summarise(rows)
    if per_user:
        result["per_user"] = rows
    return result


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over users, and the structure of the interests (and of the journeys, for journey methods)."""
    if not rows:
        return {"users": 0}
    result: dict[str, Any] = {"users": len(rows)}
    for key in [f"recall@{k}" for k in RECALL_AT] + [f"ndcg@{NDCG_AT}"]:
        result[key] = float(np.mean([r[key] for r in rows]))
    result["recommended_history_items"] = int(sum(r["recommended_history_items"] for r in rows))
    result["duplicates"] = int(sum(r["duplicates"] for r in rows))
    result["short_lists"] = int(sum(r["returned"] < K_MAX for r in rows))
    result["empty_lists"] = int(sum(r["returned"] == 0 for r in rows))
    if "interests" in rows[0]:
        counts = [r["interests"] for r in rows]
        shares = [r["largest_share"] for r in rows]
        result.update(interests_mean=float(np.mean(counts)), interests_median=float(statistics.median(counts)),
                      largest_share_mean=float(np.mean(shares)),
                      largest_at_most_half=float(np.mean([s <= 0.5 for s in shares])),
                      fallback_users=int(sum(r["fallback"] for r in rows)))
    if "journeys" in rows[0]:
        journeys = [r["journeys"] for r in rows]
        result.update(journeys_mean=float(np.mean(journeys)), journeys_median=float(statistics.median(journeys)),
                      two_or_more_journeys=float(np.mean([j >= 2 for j in journeys])),
                      no_journey=float(np.mean([j == 0 for j in journeys])),
                      one_journey=float(np.mean([j == 1 for j in journeys])))
    if "largest_journey_share" in rows[0]:
        # A user with no journey does not have "the largest journey at most half": it counts as not.
        result["largest_journey_at_most_half"] = float(np.mean(
            [r["journeys"] > 0 and r["largest_journey_share"] <= 0.5 for r in rows]))
        with_journeys = [r["largest_journey_share"] for r in rows if r["journeys"] > 0]
        result["largest_journey_share_mean"] = float(np.mean(with_journeys)) if with_journeys else None
        result["covered_mean"] = float(np.mean([r["covered"] for r in rows]))
    return result


def tune(data: EvaluationData, name: str, users: Sequence[NextItemUser]) -> tuple[dict, float | None]:
    """The parameters with the best mean Recall@50 on the tuning users, and that score (None when nothing to tune)."""
    factory, grid = METHODS[name]
    names = list(grid)
    combinations = [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]
    if len(combinations) <= 1:
        return (combinations[0] if combinations else {}), None
    best, best_score = {}, -np.inf
    for params in tqdm(combinations, desc=f"tuning {name}", unit="setting", leave=False):
        score = score_method(data, factory(**params), users)[MAIN]
        if score > best_score:
            best, best_score = params, score
    return best, float(best_score)


def product_available() -> bool:
    """Whether the product's recommender (journeys.recommend) exists in this checkout."""
    try:
        import journeys.recommend  # noqa: F401
    except ImportError:
        return False
    return True


def evaluate(data: EvaluationData, methods: Sequence[str] | None = None) -> dict[str, Any]:
    """Tune every method on the tuning users, then score it on the report users."""
    names = list(methods or [m for m in METHODS if m != PRODUCT or product_available()])
    tuning, report = data.tuning_users(), data.report_users()
    rows = []
    per_user: dict[str, list[dict]] = {}
    for name in names:
        start = time.perf_counter()
        params, tuning_score = tune(data, name, tuning)
        factory, _ = METHODS[name]
        scored = score_method(data, factory(**params), report, per_user=True, progress=True)
        per_user[name] = scored.pop("per_user")
        rows.append({"method": name, "params": params, "tuning_score": tuning_score, **scored,
                     "seconds": round(time.perf_counter() - start, 1)})
    if PRODUCT in per_user and POPULARITY in per_user:
        # The product serves only users with a journey: how it does where it serves at all.
        served = [i for i, r in enumerate(per_user[PRODUCT]) if r["journeys"] > 0]
        rows[names.index(PRODUCT)]["served"] = {
            "users": len(served),
            **{f"{method}_{MAIN}": float(np.mean([per_user[method][i][MAIN] for i in served])) if served else None
               for method in (PRODUCT, POPULARITY)}}
    targets = [len(u.targets) for u in report]
    unreachable = sum(u.unreachable for u in report) / max(1, sum(targets))
    return {"dataset": data.spec.name, "key": data.key, "counts": data.counts, "report_users": len(report),
            "tuning_users": len(tuning), "targets_are": data.spec.targets_are,
            "min_activities": data.spec.min_activities,
            "history_mean": float(np.mean([len(u.history) for u in report])) if report else 0.0,
            "targets_mean": float(np.mean(targets)) if targets else 0.0,
            "targets_median": float(statistics.median(targets)) if targets else 0.0,
            "unreachable_share": unreachable, "methods": rows, "verdicts": verdicts(data.key, rows, per_user)}


def ratio_interval(numerator: Sequence[float], denominator: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """A paired bootstrap interval for mean(numerator) / mean(denominator) over the same users.

    With a few hundred users and a few dozen targets each, Recall@50 moves by tens of percent
    with the draw of users; the interval says how far a ratio can be trusted.
    """
    x, y = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    if len(x) < 2 or y.sum() == 0:
        return float("nan"), float("nan")
    result = scipy.stats.bootstrap((x, y), lambda a, b, axis: a.mean(axis=axis) / np.maximum(b.mean(axis=axis), 1e-12),
                                   paired=True, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
                                   confidence_level=level, method="percentile", rng=np.random.default_rng(0))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def verdicts(key: str, rows: list[dict], per_user: dict[str, list[dict]] | None = None) -> dict[str, Any]:
    """The issue's targets, checked against the numbers (per_user, when given, adds the ratio's 95% interval)."""
    by_name = {r["method"]: r for r in rows}
    out: dict[str, Any] = {}
    journeys = by_name.get(JOURNEYS)
    baselines = [by_name[n] for n in INTEREST_BASELINES if n in by_name]
    if journeys and baselines:
        best = max(baselines, key=lambda r: r[MAIN])
        ratio = journeys[MAIN] / best[MAIN] if best[MAIN] > 0 else float("inf")
        needed = 1.10 if key == "movielens" else 1.0
        out["journeys_vs_best_interest_baseline"] = {
            "journeys": journeys[MAIN], "best": best["method"], "best_score": best[MAIN], "ratio": ratio,
            "target_ratio": needed, "met": ratio >= needed}
        if per_user and JOURNEYS in per_user and best["method"] in per_user:
            low, high = ratio_interval([r[MAIN] for r in per_user[JOURNEYS]], [r[MAIN] for r in per_user[best["method"]]])
            out["journeys_vs_best_interest_baseline"]["interval"] = [low, high]
    product, popularity = by_name.get(PRODUCT), by_name.get(POPULARITY)
    if product and popularity:
        out["product_vs_popularity"] = {
            "product": product[MAIN], "popularity": popularity[MAIN],
            "ratio": product[MAIN] / popularity[MAIN] if popularity[MAIN] > 0 else float("inf"),
            "met": product[MAIN] > popularity[MAIN], "target_applies": key == "movielens"}
    if journeys:
        out["structure"] = {
            "two_or_more_journeys": journeys["two_or_more_journeys"], "two_or_more_target": 0.95,
            "journeys_median": journeys["journeys_median"], "median_target": [3, 10],
            "largest_journey_at_most_half": journeys["largest_journey_at_most_half"], "at_most_half_target": 0.80,
            "no_journey": journeys["no_journey"], "one_journey": journeys["one_journey"],
            "met": {"two_or_more": journeys["two_or_more_journeys"] >= 0.95,
                    "median": 3 <= journeys["journeys_median"] <= 10,
                    "largest_at_most_half": journeys["largest_journey_at_most_half"] >= 0.80},
            "target_applies": key == "movielens"}
    return out


def _fmt(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def write_report(results: list[dict[str, Any]], seconds: float) -> str:
    """The Markdown report: a table per data set, then what the numbers say against the targets."""
    lines = [
        "# Next items: do journeys capture what a person goes on to do?",
        "",
        "Reproduce with `python -m journeys.evaluation.next_items` (needs the shared data sets; this run took "
        f"{seconds / 60:.1f} minutes on one core, embeddings cached; embedding the item texts the first time takes "
        "about 12 minutes more).",
        "",
        "The protocol of multi-interest recommenders (MIND, ComiRec), on histories read through the product's adapters:",
        "each user's activities in time order, the first 80% (rounded up) are the history and the rest the future. Every",
        "method turns the history into interests (vectors with weights); each interest retrieves the catalogue items most",
        "similar to it (cosine of all-MiniLM-L6-v2 embeddings of the item's text, `Activity.text`), the slots going to",
        "interests in proportion to their weight (each slot to the interest owed the most, so every prefix of the list is",
        "split by weight); an item is never recommended twice, nor one the user already had. The training store is every",
        "user's history part (all users of the data set), and the catalogue every item in it: an item seen only in futures",
        "is out of every method's reach but still a target (a miss for all alike). Recall@k = hits among the first k /",
        "number of targets (not capped at k, as in ComiRec); NDCG@50 with binary relevance; means over users. Methods with",
        "parameters were tuned on a fixed quarter of the users (hash of the user id) on Recall@50; every number below is",
        "on the other users. Journeys are found by the product's own path (`build_journeys` with `TimeOrderedClustering()`",
        "and the keyword namer) with the default settings, untuned; a journey's interest is read as the product reads it",
        "(journeys.interest: its items' embeddings weighted by recency and engagement, and its weight the sum of those",
        "weights); a user with no journey is served the one-interest vector.",
        "",
        "Columns: interests per user (mean / median); largest = mean share of the history's items in the largest interest;",
        "≤ half = share of users whose largest interest holds at most half of their items (for journeys, a user with no",
        "journey counts with the one interest that stands in for it).",
        "",
    ]
    for result in results:
        lines += dataset_section(result)
    return "\n".join(lines)


def dataset_section(result: dict[str, Any]) -> list[str]:
    counts = result["counts"]
    lines = [
        f"## {result['dataset']}",
        "",
        f"{result['report_users']} users reported ({result['tuning_users']} more used for tuning): users with at least "
        f"{result['min_activities']} activities ({counts['eligible_users'] + counts['left_out_without_target']}), less "
        f"{counts['left_out_without_target']} with no target. Targets: {result['targets_are']} not already in the "
        f"history, {result['targets_mean']:.1f} per user on average (median {result['targets_median']:.0f}); "
        f"{result['history_mean']:.0f} history items per user. Training store: {counts['store_activities']} activities "
        f"of {counts['store_users']} users; catalogue {counts['catalogue_items']} items; "
        f"{result['unreachable_share']:.1%} of the targets are in no history (out of every method's reach)."
        + (f" {counts['invalid_rows']} rows the adapter rejects were skipped." if counts["invalid_rows"] else ""),
        "",
        "| method | Recall@20 | Recall@50 | Recall@100 | NDCG@50 | interests per user | largest | ≤ half | tuned |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in sorted(result["methods"], key=lambda r: -r[MAIN]):
        interests = f"{r['interests_mean']:.1f} / {r['interests_median']:g}" if "interests_mean" in r else ""
        if "journeys_mean" in r:
            journeys = f"{r['journeys_mean']:.1f} / {r['journeys_median']:g} journeys"
            interests = f"{interests} ({journeys})" if interests else journeys
        interests = interests or "–"
        largest = _fmt(r.get("largest_share_mean"), 2)
        half = f"{r['largest_at_most_half']:.0%}" if "largest_at_most_half" in r else "–"
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "–"
        lines.append(f"| {r['method']} | {r['recall@20']:.3f} | {r['recall@50']:.3f} | {r['recall@100']:.3f} | "
                     f"{r['ndcg@50']:.3f} | {interests} | {largest} | {half} | {params} |")
    lines += [""] + reading(result) + [""]
    return lines


def reading(result: dict[str, Any]) -> list[str]:
    """What the numbers say against the targets, in sentences computed from them."""
    v = result["verdicts"]
    by_name = {r["method"]: r for r in result["methods"]}
    lines = []
    if "journeys_vs_best_interest_baseline" in v:
        j = v["journeys_vs_best_interest_baseline"]
        target = "at least 1.10x" if j["target_ratio"] > 1 else "at least on par (1.00x)"
        lines.append(f"- Interest quality: journeys' Recall@50 is {j['journeys']:.3f} against {j['best_score']:.3f} for "
                     f"the best of one interest, recent interest and k-means interests ({j['best']}): "
                     f"{j['ratio']:.2f}x; target {target}: **{'met' if j['met'] else 'not met'}**."
                     + (f" Paired bootstrap over the users (95%): {j['interval'][0]:.2f}x to {j['interval'][1]:.2f}x."
                        if "interval" in j else ""))
    journeys = by_name.get(JOURNEYS)
    if journeys:
        lines.append(f"- {journeys['fallback_users']} of {journeys['users']} users got no journey and were served the "
                     f"one-interest vector; on average {journeys['covered_mean']:.0%} of a user's history items are in "
                     f"some journey.")
    if "product_vs_popularity" in v:
        p = v["product_vs_popularity"]
        lines.append(f"- The product's recommendations: Recall@50 {p['product']:.3f} against {p['popularity']:.3f} for "
                     f"popularity ({p['ratio']:.2f}x); "
                     + (f"target above popularity: **{'met' if p['met'] else 'not met'}**." if p["target_applies"]
                        else f"{'above' if p['met'] else 'not above'} popularity (no target on this data set)."))
        product = by_name[PRODUCT]
        if product["empty_lists"] or product["short_lists"]:
            lines.append(f"- The product returned no item for {product['empty_lists']} of {product['users']} users (it "
                         f"recommends only for journeys, and they have none) and fewer than {K_MAX} items for "
                         f"{product['short_lists']}.")
        served = product.get("served")
        if served and served["users"] and served["users"] < product["users"]:
            lines.append(f"- On the {served['users']} users with at least one journey, the product's Recall@50 is "
                         f"{served[PRODUCT + '_' + MAIN]:.3f} against {served[POPULARITY + '_' + MAIN]:.3f} for popularity.")
        if product["recommended_history_items"] or product["duplicates"]:
            lines.append(f"- Suspicious: the product recommended {product['recommended_history_items']} items the user "
                         f"already had and {product['duplicates']} duplicates (counted as misses).")
    elif PRODUCT not in by_name:
        lines.append("- The product's recommendations: not scored (journeys.recommend is not in this checkout).")
    if "structure" in v:
        s = v["structure"]
        met = s["met"]

        def target(text: str, ok: bool) -> str:
            return f" ({text}: **{'met' if ok else 'not met'}**)" if s["target_applies"] else ""

        lines.append(
            f"- Journey structure (default settings{'' if s['target_applies'] else '; the targets are for MovieLens'}): "
            f"{s['two_or_more_journeys']:.0%} of users have two or more journeys"
            f"{target('target ≥ 95%', met['two_or_more'])}; the median number of journeys is {s['journeys_median']:g}"
            f"{target('target 3-10', met['median'])}; the largest journey holds at most half the items for "
            f"{s['largest_journey_at_most_half']:.0%} of users, a user with no journey counting as not"
            f"{target('target ≥ 80%', met['largest_at_most_half'])}. {s['no_journey']:.0%} of users have no journey "
            f"and {s['one_journey']:.0%} exactly one.")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir(),
                        help="folder holding movielens-ml-latest-small/ and lastfm-hetrec2011-2k/")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--limit-users", type=int, default=None,
                        help="evaluate only the first N users of each data set (the training store keeps everyone)")
    parser.add_argument("--methods", nargs="+", choices=list(ALIASES), default=None,
                        help="score only these methods (the report then holds only those)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder for next_items.md and next_items.json")
    args = parser.parse_args(argv)
    missing = [DATASETS[d].folder for d in args.datasets if not (args.data / DATASETS[d].folder).is_dir()]
    if missing:
        print(f"error: {', '.join(missing)} not found in {args.data}; pass --data with the folder that holds "
              f"the data sets (or set JOURNEYS_SHARED_DATA)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    embedder = CachedEmbedder.default()
    methods = [ALIASES[m] for m in args.methods] if args.methods else None
    results = []
    for key in args.datasets:
        data = prepare(key, args.data, embedder, limit_users=args.limit_users)
        results.append(evaluate(data, methods))
    seconds = time.perf_counter() - start
    report = write_report(results, seconds)
    args.output.mkdir(parents=True, exist_ok=True)
    payload = {"seconds": round(seconds, 1), "recall": "hits / number of targets", "datasets": results}
    (args.output / "next_items.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (args.output / "next_items.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
