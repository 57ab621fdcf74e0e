"""Evaluate the namers on held-out human-named groups; writes docs/evaluation/naming.md.

    journeys namer eval [--adapter DIR] [--data ../shared/data] [--limit 200] [--namers tuned keywords]

Test sets: Last.fm test users' own tags, MovieLens test users' tags, Spotify playlist
titles (evaluation only) and the project's written examples in the test split. Metrics,
as in the paper: SacreBLEU (corpus), ROUGE-L F1 and embedding similarity (cosine of
all-MiniLM-L6-v2 embeddings of name and reference), plus the share of names the rules
replaced by the neutral one. Whether a name fits the whole group (each also computed for
the references): distinct names per 100 groups, the share of names that copy a title or
narrow to one, and the fit score (a name is closer to its own group than to the user's
other groups). Each request carries the example's user as its owner.

A second part runs the product's own path (build_journeys with its default clustering) on
a few real MovieLens users whose tags were never trained on, and shows each namer's names
for their journeys, flagging the names that break a rule, narrow to one title or repeat.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from journeys.evaluation.embeddings import CachedEmbedder
from journeys.extraction.clustering import unit_rows
from journeys.history.embedding import DIMENSIONS, TextEmbedder
from journeys.history.store import StoredActivity
from journeys.naming.backends import Namer, NamingRequest
from journeys.naming.data import NamingExample, lastfm_examples, movielens_examples, spotify_examples, written_examples
from journeys.naming.rules import NEUTRAL_NAME, check_name, narrows_to_one_title

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "evaluation"
# Distinct names are counted in draws of this many groups, so sets of any size compare.
DISTINCT_PER = 100
DISTINCT_DRAWS = 20
# The real-user table: this many MovieLens users with at least this many ratings.
REAL_USERS = 8
MIN_RATINGS = 60
MOVIELENS = "movielens-ml-latest-small"


def test_sets(data: Path, limit: int | None, seed: int = 0) -> dict[str, list[NamingExample]]:
    """The held-out sets, each sampled down to limit examples (a fixed sample)."""
    sets = {
        "Last.fm test users": [e for e in lastfm_examples(data / "lastfm-hetrec2011-2k") if e.split == "test"],
        "Spotify playlists": list(spotify_examples(data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv")),
        "MovieLens test users": [e for e in movielens_examples(data / MOVIELENS) if e.split == "test"],
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
        **dict(zip(("rouge_l_low", "rouge_l_high"), bootstrap_interval(rouge))),
        "embedding_similarity": float(np.mean(np.sum(a * b, axis=1))),
        "neutral_share": float(np.mean([n == NEUTRAL_NAME for n in names])),
    }


def bootstrap_interval(values: Sequence[float], confidence: float = 0.95, resamples: int = 2000
                       ) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of per-group scores (fixed seed, so reruns agree)."""
    from scipy.stats import bootstrap

    if len(values) < 2 or len(set(values)) < 2:
        mean = float(np.mean(values)) if len(values) else float("nan")
        return mean, mean
    found = bootstrap((np.asarray(values, dtype=float),), np.mean, confidence_level=confidence, n_resamples=resamples,
                      method="percentile", random_state=np.random.default_rng(0))
    return float(found.confidence_interval.low), float(found.confidence_interval.high)


def normalised(name: str) -> str:
    """A name as distinct names are counted: lower case, runs of whitespace as one space."""
    return " ".join(name.casefold().split())


def distinct_per_100(names: Sequence[str], draws: int = DISTINCT_DRAWS, seed: int = 0) -> float:
    """Distinct names per 100 groups: the mean count over fixed-seed draws of 100 groups (a smaller set: scaled)."""
    keys = [normalised(n) for n in names]
    if not keys:
        return float("nan")
    if len(keys) <= DISTINCT_PER:
        return DISTINCT_PER * len(set(keys)) / len(keys)
    # The same seed draws the same groups for every namer and the references of a set.
    rng = np.random.default_rng(seed)
    counts = [len({keys[i] for i in rng.choice(len(keys), DISTINCT_PER, replace=False)}) for _ in range(draws)]
    return float(np.mean(counts))


def copies_or_narrows(name: str, titles: Sequence[str]) -> bool:
    """Whether a name copies a title or narrows to one title (journeys.naming.rules.narrows_to_one_title)."""
    return name != NEUTRAL_NAME and narrows_to_one_title(name, titles)


def copy_or_narrow_share(names: Sequence[str], title_lists: Sequence[Sequence[str]]) -> float:
    """The share of names that copy a title of their group or narrow to one of its titles."""
    return float(np.mean([copies_or_narrows(n, titles) for n, titles in zip(names, title_lists)]))


def title_centroids(title_lists: Sequence[Sequence[str]], embedder: TextEmbedder) -> np.ndarray:
    """Each group's centroid: the mean embedding of its titles, as a unit row."""
    distinct = list(dict.fromkeys(t for titles in title_lists for t in titles))
    vectors = dict(zip(distinct, embedder.embed(distinct)))
    rows = [np.mean([vectors[t] for t in titles], axis=0) if titles else np.zeros(DIMENSIONS) for titles in title_lists]
    return unit_rows(np.vstack(rows).astype(np.float32))


def fit_score(names: Sequence[str], owners: Sequence[str], centroids: np.ndarray,
              embedder: TextEmbedder) -> float | None:
    """Mean over users with two groups or more of the share of their groups whose name is closest to its own centroid.

    A name fits when its cosine to its own group's centroid is strictly above its cosine to the
    centroid of each other group of the same user; a neutral name never fits. None when no user
    has two groups.
    """
    rows_of: dict[str, list[int]] = defaultdict(list)
    for row, owner in enumerate(owners):
        rows_of[owner].append(row)
    users = [rows for rows in rows_of.values() if len(rows) >= 2]
    if not users:
        return None
    needed = sorted(row for rows in users for row in rows)
    vectors = dict(zip(needed, unit_rows(embedder.embed([names[r] for r in needed]))))
    shares = []
    for rows in users:
        similarity = np.vstack([vectors[r] for r in rows]) @ centroids[rows].T
        own = np.diag(similarity)
        others = np.where(np.eye(len(rows), dtype=bool), -np.inf, similarity).max(axis=1)
        fits = (own > others) & np.array([names[r] != NEUTRAL_NAME for r in rows])
        shares.append(float(fits.mean()))
    return float(np.mean(shares))


def whole_group_scores(names: Sequence[str], examples: Sequence[NamingExample], centroids: np.ndarray,
                       embedder: TextEmbedder) -> dict[str, float | None]:
    """Distinct names per 100 groups, copy/narrow share and fit score of names given to these examples."""
    return {
        "distinct_per_100": distinct_per_100(names),
        "copy_narrow_share": copy_or_narrow_share(names, [e.titles for e in examples]),
        "fit_score": fit_score(names, [e.user_id for e in examples], centroids, embedder),
    }


def evaluate(namers: dict[str, Namer], sets: dict[str, list[NamingExample]], embedder: TextEmbedder) -> list[dict]:
    """Every namer on every set: scores beside the references' own, seconds and a few sample names."""
    rows = []
    for set_name, examples in sets.items():
        references = [e.name for e in examples]
        centroids = title_centroids([e.titles for e in examples], embedder)
        own = whole_group_scores(references, examples, centroids, embedder)
        for backend, namer in namers.items():
            start = time.perf_counter()
            # The owner lets a namer keep one user's names apart (each Spotify playlist is its own user).
            requests = [NamingRequest(e.titles, owner=e.user_id) for e in examples]
            names = [n.name for n in namer.name_many(requests)]
            seconds = time.perf_counter() - start
            rows.append({"set": set_name, "namer": backend, "examples": len(examples), "seconds": seconds,
                         **score(names, references, embedder),
                         **whole_group_scores(names, examples, centroids, embedder),
                         **{f"references_{key}": value for key, value in own.items()},
                         "samples": [{"reference": r, "name": n} for r, n in list(zip(references, names))[:5]]})
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "samples"}), flush=True)
    return rows


def pick_users(ratings: Mapping[str, int], trained: set[str], count: int = REAL_USERS,
               min_ratings: int = MIN_RATINGS) -> list[str]:
    """The first count users (in a fixed hash order of their ids) with enough ratings and no trained-on tags."""
    eligible = [u for u, n in ratings.items() if n >= min_ratings and u not in trained]
    return sorted(eligible, key=lambda u: hashlib.sha1(u.encode("utf-8")).hexdigest())[:count]


def movielens_users(folder: Path, embedder: TextEmbedder | CachedEmbedder, count: int = REAL_USERS,
                    min_ratings: int = MIN_RATINGS) -> dict[str, list[StoredActivity]]:
    """The picked MovieLens users' whole rating histories as the product stores them (embedded, in time order).

    embedder: a CachedEmbedder with MovieLens' item texts cached is fastest. A user any of whose
    tags is in the namer's training or validation split is never picked; users without tags may be.
    """
    from journeys.history.adapters import movielens_rows

    by_user: dict[str, list] = defaultdict(list)
    for row in movielens_rows(folder):
        if row.activity is not None:
            by_user[row.activity.user_id].append(row.activity)
    trained = {e.user_id for e in movielens_examples(folder) if e.split != "test"}
    histories = {}
    for user in pick_users({u: len(a) for u, a in by_user.items()}, trained, count, min_ratings):
        activities = by_user[user]
        vectors = embedder.embed([a.text for a in activities])
        stored = [StoredActivity(a.activity_id, a, v) for a, v in zip(activities, vectors)]
        # The history store's order: time, ties by activity id.
        histories[user] = sorted(stored, key=lambda s: (s.activity.timestamp, s.activity_id))
    return histories


def name_flags(name: str, titles: Sequence[str], others: Sequence[str]) -> list[str]:
    """Why a journey's name is flagged: a naming rule it breaks, narrowing to one title, repeating another name."""
    flags = []
    problem = check_name(name, titles).problem
    if problem:
        flags.append(problem)
    if narrows_to_one_title(name, titles):
        flags.append("narrows to one title")
    if normalised(name) in {normalised(o) for o in others}:
        flags.append("repeats another journey's name")
    return flags


def real_user_journeys(namers: dict[str, Namer], histories: Mapping[str, Sequence[StoredActivity]]) -> dict:
    """Each user's journeys by the product's default path (build_journeys), named by each namer and flagged."""
    from journeys.extraction.clustering import TimeOrderedClustering
    from journeys.extraction.pipeline import build_journeys

    journeys, seconds = [], dict.fromkeys(namers, 0.0)
    for user, stored in histories.items():
        found: dict[str, dict] = {}
        for backend, namer in namers.items():
            start = time.perf_counter()
            built = build_journeys(user, list(stored), TimeOrderedClustering(), namer)
            seconds[backend] += time.perf_counter() - start
            for journey in built:
                entry = found.setdefault(journey.id, {
                    "user": user, "ratings": len(stored), "journey": journey.id, "size": journey.size,
                    "titles": list(journey.representative_titles), "names": {}, "flags": {}})
                entry["names"][backend] = journey.name
        user_journeys = sorted(found.values(), key=lambda j: -j["size"])
        for backend in namers:
            for entry in user_journeys:
                others = [o["names"][backend] for o in user_journeys if o is not entry and backend in o["names"]]
                if backend in entry["names"]:
                    entry["flags"][backend] = name_flags(entry["names"][backend], entry["titles"], others)
        journeys += user_journeys
    summary = {backend: {"names": sum(backend in j["names"] for j in journeys),
                         "flagged": sum(bool(j["flags"].get(backend)) for j in journeys),
                         "neutral": sum(j["names"].get(backend) == NEUTRAL_NAME for j in journeys),
                         "seconds": seconds[backend]}
               for backend in namers}
    return {"users": list(histories), "journeys": journeys, "summary": summary}


def _figure(value: float | None, digits: int) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_report(rows: list[dict], command: str, real: dict | None = None) -> str:
    """The Markdown report: the scores table, sample names and (when given) the real-user journeys."""
    lines = [
        "# Namers: evaluation on held-out human-named groups",
        "",
        f"Reproduce with `{command}`. The namers see only the item titles of each group, and the group's user",
        "as its owner (each Spotify playlist is its own user).",
        "SacreBLEU is corpus-level with effective n-gram order (0-100); ROUGE-L F1 and embedding similarity are means over groups",
        "(ROUGE-L with its 95% percentile bootstrap interval over groups, 2,000 resamples, seed 0);",
        "neutral = share of names the naming rules replaced by the neutral name.",
        "In parentheses, the same figure for the references (the people's own names of the same groups):",
        f"- distinct /100 = distinct names (lower case, whitespace collapsed) per {DISTINCT_PER} groups: the mean number of "
        f"distinct names over {DISTINCT_DRAWS} random draws (seed 0, without replacement) of {DISTINCT_PER} groups of the set, "
        f"the same draws for every namer and the references; a set of at most {DISTINCT_PER} groups counts its distinct "
        f"names once, scaled to per {DISTINCT_PER} (distinct / groups × {DISTINCT_PER}).",
        "- copy/narrow = share of names equal to a title or contained in one as a whole-word phrase (any case), or that "
        "narrow to one title (`journeys.naming.rules.narrows_to_one_title`); neutral names count as neither.",
        "- fit = for each user with at least two groups in the set, the share of their groups whose name is strictly "
        "closer (cosine of all-MiniLM-L6-v2 embeddings) to the centroid of its own titles' embeddings than to the "
        "centroid of every other group of that user (a neutral name never fits); the mean over such users. "
        "– : no user has two groups in the set.",
        "",
        "| set | namer | groups | SacreBLEU | ROUGE-L | embedding sim. | neutral | distinct /100 (refs) | copy/narrow (refs) "
        "| fit (refs) | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['namer']} | {r['examples']} | {r['sacrebleu']:.1f} | {_rouge(r)} | "
            f"{r['embedding_similarity']:.3f} | {r['neutral_share']:.2f} | "
            f"{_figure(r['distinct_per_100'], 1)} ({_figure(r['references_distinct_per_100'], 1)}) | "
            f"{_figure(r['copy_narrow_share'], 2)} ({_figure(r['references_copy_narrow_share'], 2)}) | "
            f"{_figure(r['fit_score'], 2)} ({_figure(r['references_fit_score'], 2)}) | {r['seconds']:.0f} |")
    lines += ["", "Sample names (reference -> name):", ""]
    for r in rows:
        samples = "; ".join(f"{s['reference']} -> {s['name']}" for s in r["samples"][:3])
        lines.append(f"- {r['set']}, {r['namer']}: {samples}")
    if real is not None:
        lines += ["", *real_user_section(real)]
    return "\n".join(lines)


def _rouge(row: dict) -> str:
    """ROUGE-L with its bootstrap interval when the row has one (rows written before it was added do not)."""
    if "rouge_l_low" not in row:
        return f"{row['rouge_l']:.3f}"
    return f"{row['rouge_l']:.3f} ({row['rouge_l_low']:.3f}–{row['rouge_l_high']:.3f})"


def real_user_section(real: dict) -> list[str]:
    """The report's section on real MovieLens users' journeys, one row per journey and a column per namer."""
    namers = list(real["summary"])
    lines = [
        "## Real MovieLens users: the product's journeys, named by each namer",
        "",
        f"{len(real['users'])} users of ml-latest-small with at least {MIN_RATINGS} ratings, none of whose tags is in the "
        "namer's training or validation split, the first in the order of the SHA-1 of their user id "
        f"({', '.join(real['users'])}). Each user's whole rating history goes through the product's own path "
        "(`build_journeys` with the default `TimeOrderedClustering`), once per namer. ⚑ flags a name that breaks a "
        "naming rule (`check_name(name, titles).problem`: sexual or insulting, a judgement, about the person, a "
        "sensitive attribute, ...), narrows to one of the journey's representative titles, or repeats another "
        "journey's name of the same user.",
        "",
        "Flagged names per namer: " + "; ".join(
            f"{b} {s['flagged']} of {s['names']} (neutral {s['neutral']}; {s['seconds']:.0f} s with extraction)"
            for b, s in real["summary"].items()) + ".",
        "",
        "| user | journey size | representative titles | " + " | ".join(namers) + " |",
        "| --- | ---: | --- | " + " | ".join("---" for _ in namers) + " |",
    ]
    for j in real["journeys"]:
        names = []
        for backend in namers:
            name, flags = j["names"].get(backend, "–"), j["flags"].get(backend, [])
            names.append(_cell(name) + (f" ⚑ {'; '.join(flags)}" if flags else ""))
        titles = "; ".join(_cell(t) for t in j["titles"][:3])
        lines.append(f"| {j['user']} | {j['size']} | {titles} | " + " | ".join(names) + " |")
    return lines


def save(rows: list[dict], command: str, real: dict | None = None) -> str:
    """Write docs/evaluation/naming.{json,md} and return the report."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    record = {"sets": rows, "movielens_users": real}
    (OUTPUT / "naming.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report = write_report(rows, command, real)
    (OUTPUT / "naming.md").write_text(report + "\n", encoding="utf-8")
    return report
