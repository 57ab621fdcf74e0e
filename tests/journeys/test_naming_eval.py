"""The naming metrics: exact names score perfectly, unrelated ones poorly, neutral names are counted."""

import pytest

from journeys.evaluation.naming import score
from journeys.name_rules import NEUTRAL_NAME
from journeys.naming import KeywordNamer


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
    from journeys.naming_data import NamingExample

    sets = {"tiny": [NamingExample("written", "w1", "w1", ["Trail running shoes", "Trail running races"], "trail running", "test")]}
    [row] = evaluate({"keywords": KeywordNamer()}, sets, embedder)
    assert row["set"] == "tiny" and row["namer"] == "keywords" and row["examples"] == 1
    assert "trail" in row["samples"][0]["name"].lower()
