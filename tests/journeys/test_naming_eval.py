"""The naming metrics: exact names score perfectly, unrelated ones poorly, neutral names are counted."""

import pytest

from journeys.evaluation.naming import score
from journeys.naming.backends import KeywordNamer
from journeys.naming.rules import NEUTRAL_NAME


def test_identical_names_score_perfectly(embedder):
    result = score(["sourdough bread baking", "trail running"], ["sourdough bread baking", "trail running"], embedder)
    assert result["sacrebleu"] == pytest.approx(100.0)
    assert result["rouge_l"] == pytest.approx(1.0) and result["embedding_similarity"] == pytest.approx(1.0, abs=1e-5)
    assert result["neutral_share"] == 0.0


def test_related_names_beat_unrelated_ones_and_neutral_names_are_counted(embedder):
    references = ["sourdough bread baking", "trail running shoes"]
    close = score(["baking sourdough bread", "running on trails"], references, embedder)
    far = score(["kubernetes clusters", NEUTRAL_NAME], references, embedder)
    assert close["rouge_l"] > far["rouge_l"] and close["embedding_similarity"] > far["embedding_similarity"] + 0.3
    assert far["neutral_share"] == 0.5


def test_the_evaluation_loop_runs_a_backend_on_each_set(embedder):
    from journeys.evaluation.naming import evaluate
    from journeys.naming.data import NamingExample

    sets = {"tiny": [NamingExample("written", "w1", "w1", ["Trail running shoes", "Trail running races"], "trail running", "test")]}
    [row] = evaluate({"keywords": KeywordNamer()}, sets, embedder)
    assert row["set"] == "tiny" and row["namer"] == "keywords" and row["examples"] == 1
    assert "trail" in row["samples"][0]["name"].lower()


# Whole-group metrics: distinct names, copying or narrowing to a title, fitting the group among the user's others.

BAKING = ["Sourdough starter day 3", "Why is my sourdough flat?", "Feeding a rye starter", "Shaping a bread loaf"]
RUNNING = ["Marathon week 2 training", "First marathon pacing plan", "Best running shoes for flat feet",
           "Interval training for runners"]
WOODWORK = ["Cutting board from scrap wood", "Dovetail joints by hand", "Sharpening chisels"]


def test_distinct_names_are_counted_per_100_groups_whatever_the_set_size():
    from journeys.evaluation.naming import distinct_per_100

    # Case and spacing do not make a name distinct: 2 names over 4 groups is 50 per 100.
    assert distinct_per_100(["Trail running", "trail  running", "TRAIL RUNNING", "Sourdough baking"]) == 50.0
    # Larger sets are drawn 100 groups at a time: 200 groups all named apart give 100, one name gives 1.
    assert distinct_per_100([f"name {i}" for i in range(200)]) == 100.0
    assert distinct_per_100(["same name"] * 300) == 1.0
    # 2 names alternating over 1000 groups: every draw of 100 holds both.
    assert distinct_per_100(["a b", "c d"] * 500) == 2.0
    # Ten names of 100 groups each: a draw of 100 groups almost surely holds all ten; the draws are repeatable.
    many = [f"name {i % 10}" for i in range(1000)]
    assert 9.5 <= distinct_per_100(many) <= 10.0 and distinct_per_100(many) == distinct_per_100(many)


def test_copying_a_title_or_narrowing_to_one_is_counted():
    from journeys.evaluation.naming import copies_or_narrows, copy_or_narrow_share
    from journeys.naming.rules import copies_a_title

    assert copies_a_title("Sharpening chisels", WOODWORK)  # equal to a title
    assert copies_a_title("cutting board", WOODWORK)  # a phrase inside one, any case
    assert not copies_a_title("board from", ["Cutting boards from scrap"])  # whole words only
    assert not copies_a_title("Woodworking basics", WOODWORK)
    # "Scrap wood boards" copies no title but takes all its words from one of the three.
    assert copies_or_narrows("Scrap wood boards", WOODWORK) and not copies_a_title("Scrap wood boards", WOODWORK)
    assert not copies_or_narrows("Woodworking basics", WOODWORK)
    assert not copies_or_narrows(NEUTRAL_NAME, ["Unnamed interest videos", "a", "b"])
    names = ["Sharpening chisels", "Scrap wood boards", "Woodworking basics", "Hand tool woodworking skills"]
    assert copy_or_narrow_share(names, [WOODWORK] * 4) == 0.5


def test_fit_score_rewards_names_closest_to_their_own_group(embedder):
    from journeys.evaluation.naming import fit_score, title_centroids

    centroids = title_centroids([BAKING, RUNNING, BAKING], embedder)
    owners = ["u1", "u1", "u2"]  # u2 has one group only, so it does not count
    assert fit_score(["Sourdough baking", "Marathon training", "anything"], owners, centroids, embedder) == 1.0
    assert fit_score(["Marathon training", "Sourdough baking", "anything"], owners, centroids, embedder) == 0.0
    # The same name for both groups can fit at most one of them; a neutral name fits none.
    assert fit_score(["Sourdough baking", "Sourdough baking", "x"], owners, centroids, embedder) == 0.5
    assert fit_score(["Sourdough baking", NEUTRAL_NAME, "x"], owners, centroids, embedder) == 0.5
    # Users' shares are averaged: u1 fits both, u2 neither.
    both = title_centroids([BAKING, RUNNING, BAKING, RUNNING], embedder)
    names = ["Sourdough baking", "Marathon training", "Marathon training", "Sourdough baking"]
    assert fit_score(names, ["u1", "u1", "u2", "u2"], both, embedder) == 0.5
    # No user with two groups (like the Spotify playlists): no score.
    assert fit_score(["Sourdough baking", "Marathon training"], ["p1", "p2"], centroids[:2], embedder) is None


def test_the_report_shows_the_new_columns_beside_the_references_figures(embedder):
    from journeys.evaluation.naming import evaluate, write_report
    from journeys.naming.data import NamingExample

    sets = {"tiny": [NamingExample("written", "g1", "u1", BAKING, "Sourdough baking", "test"),
                     NamingExample("written", "g2", "u1", RUNNING, "Marathon training", "test")],
            "singles": [NamingExample("spotify", "p1", "spotify:p1", RUNNING, "Jogging playlist", "test")]}
    rows = evaluate({"keywords": KeywordNamer()}, sets, embedder)
    tiny, singles = rows
    assert tiny["references_fit_score"] == 1.0 and tiny["references_distinct_per_100"] == 100.0
    assert tiny["references_copy_narrow_share"] == 0.0 and 0.0 <= tiny["fit_score"] <= 1.0
    assert singles["fit_score"] is None and singles["references_fit_score"] is None
    report = write_report(rows, "journeys namer eval --namers keywords")
    header = next(line for line in report.splitlines() if line.startswith("| set |"))
    assert "distinct /100 (refs)" in header and "copy/narrow (refs)" in header and "fit (refs)" in header
    single_row = next(line for line in report.splitlines() if line.startswith("| singles | keywords |"))
    assert "– (–)" in single_row and "| 100.0 (100.0) |" in single_row
    assert "(1.00)" in next(line for line in report.splitlines() if line.startswith("| tiny | keywords |"))


def test_real_user_names_are_flagged_for_rules_narrowing_and_repeats():
    from journeys.evaluation.naming import name_flags, pick_users

    assert name_flags("Woodworking basics", WOODWORK, ["Sourdough baking"]) == []
    assert name_flags("Scrap wood boards", WOODWORK, []) == ["narrows to one title"]
    assert name_flags("woodworking  Basics", WOODWORK, ["Woodworking basics"]) == ["repeats another journey's name"]
    assert name_flags("My favourite films", WOODWORK, []) == ["about the person, not the interest"]
    # Users: enough ratings, not trained on, in a fixed hash order.
    ratings = {f"ml:{i}": 60 + i for i in range(20)} | {"ml:99": 59}
    picked = pick_users(ratings, trained={"ml:3", "ml:4"}, count=8)
    assert len(picked) == 8 and not {"ml:3", "ml:4", "ml:99"} & set(picked)
    assert picked == pick_users(dict(reversed(list(ratings.items()))), {"ml:3", "ml:4"}, 8)


def test_real_movielens_users_get_the_products_journeys_named_by_each_namer(shared_data, embedder, tmp_path):
    from journeys.evaluation.embeddings import CachedEmbedder
    from journeys.evaluation.naming import (
        MIN_RATINGS,
        MOVIELENS,
        movielens_users,
        real_user_journeys,
        real_user_section,
    )
    from journeys.naming.data import movielens_examples

    folder = shared_data / MOVIELENS
    histories = movielens_users(folder, CachedEmbedder(tmp_path / "embeddings.npz", embedder), count=2)
    trained = {e.user_id for e in movielens_examples(folder) if e.split == "train"}
    assert len(histories) == 2 and not trained & set(histories)
    assert all(len(h) >= MIN_RATINGS for h in histories.values())
    real = real_user_journeys({"keywords": KeywordNamer()}, histories)
    assert real["journeys"] and {j["user"] for j in real["journeys"]} == set(histories)
    assert all(j["names"]["keywords"] and len(j["titles"]) >= 3 for j in real["journeys"])
    summary = real["summary"]["keywords"]
    assert summary["names"] == len(real["journeys"])
    assert summary["flagged"] == sum(bool(j["flags"]["keywords"]) for j in real["journeys"])
    section = "\n".join(real_user_section(real))
    assert "| user | journey size | representative titles | keywords |" in section
    assert f"keywords {summary['flagged']} of {summary['names']}" in section


def test_rouge_l_comes_with_a_bootstrap_interval_around_the_mean():
    from journeys.evaluation.naming import bootstrap_interval

    scores = [0.0] * 80 + [0.5] * 20  # mean 0.1
    low, high = bootstrap_interval(scores)
    assert 0.05 < low < 0.1 < high < 0.15
    # More groups, the same mean: a narrower interval; the same seed: the same interval again.
    wider, narrower = high - low, (lambda lh: lh[1] - lh[0])(bootstrap_interval(scores * 9))
    assert narrower < wider / 2 and bootstrap_interval(scores) == (low, high)
    assert bootstrap_interval([0.3, 0.3]) == (0.3, 0.3)
