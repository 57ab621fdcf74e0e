"""Extraction over time and edits: stable ids, incremental updates, and the user's decisions respected."""

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from journeys.extraction.pipeline import user_owns
from journeys.extraction.terms import SalientTerms, words
from journeys.state.journey import Journey, Status
from tests.conftest import PERSONAS, write_lines


@pytest.fixture
def maya_lines():
    return PERSONAS["maya"].history_path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def maya(workspace, maya_lines, tmp_path):
    """Maya with the first three quarters of her history ingested and journeys extracted."""
    cut = len(maya_lines) * 3 // 4
    workspace.ingest([write_lines(tmp_path / "early.jsonl", maya_lines[:cut])])
    workspace.extract("maya")
    workspace.later = write_lines(tmp_path / "later.jsonl", maya_lines[cut:])
    return workspace


def by_topic(journeys, word):
    return next(j for j in journeys if word in " ".join([j.name, *j.salient_terms]).lower())


def test_extracting_again_keeps_ids_and_names(maya):
    first = maya.journeys.journeys("maya")
    again = maya.extract("maya")
    assert [(j.id, j.name) for j in again] == [(j.id, j.name) for j in first]
    assert not [e for e in maya.journeys.events("maya")[len(first):] if e["action"] == "extracted"]


def test_new_activity_grows_the_journeys_it_belongs_to(maya):
    before = {j.id: j for j in maya.journeys.journeys("maya")}
    maya.ingest([maya.later])
    after = maya.extract("maya")
    ukulele_before, ukulele_after = by_topic(before.values(), "ukulele"), by_topic(after, "ukulele")
    assert ukulele_after.id == ukulele_before.id
    assert ukulele_after.size > ukulele_before.size and ukulele_after.last_seen > ukulele_before.last_seen
    assert set(ukulele_before.activity_ids) <= set(ukulele_after.activity_ids)


def test_a_journey_the_user_named_keeps_its_name_and_gains_new_items(maya):
    journey = by_topic(maya.journeys.journeys("maya"), "crochet")
    journey.name, journey.name_source = "Hooked on amigurumi", "user"
    maya.journeys.update(journey, "rename")
    maya.ingest([maya.later])
    after = {j.id: j for j in maya.extract("maya")}
    assert after[journey.id].name == "Hooked on amigurumi" and after[journey.id].name_source == "user"
    assert after[journey.id].size > journey.size


def test_a_rejected_journey_is_never_proposed_again_from_the_same_evidence(maya):
    journey = by_topic(maya.journeys.journeys("maya"), "hydropon")
    journey.status = Status.REJECTED
    maya.journeys.update(journey, "reject")
    maya.ingest([maya.later])
    visible = maya.extract("maya")
    rejected_items = set(journey.activity_ids)
    assert journey.id not in {j.id for j in visible}
    for other in visible:
        assert len(rejected_items & set(other.activity_ids)) <= 1, other.name
    hidden = maya.journeys.get("maya", journey.id)
    assert hidden.status is Status.REJECTED and hidden.size >= journey.size


def test_a_merge_the_user_made_is_kept(maya):
    first, second = maya.journeys.journeys("maya")[:2]
    merged = Journey(
        id=first.id, user_id="maya", name=f"{first.name} and {second.name}", status=Status.CONFIRMED,
        activity_ids=first.activity_ids + second.activity_ids, name_source="user", metadata={"user_edited": True},
    )
    remaining = [merged] + [j for j in maya.journeys.journeys("maya", include_rejected=True) if j.id not in (first.id, second.id)]
    maya.journeys.replace("maya", remaining, action="merge")
    after = maya.extract("maya")
    kept = next(j for j in after if j.id == first.id)
    assert set(first.activity_ids) | set(second.activity_ids) <= set(kept.activity_ids)
    assert second.id not in {j.id for j in after}
    assert not any(len(set(second.activity_ids) & set(j.activity_ids)) > 1 for j in after if j.id != first.id)


def test_a_split_the_user_made_is_kept(maya):
    journey = by_topic(maya.journeys.journeys("maya"), "ukulele")
    half = len(journey.activity_ids) // 2
    parts = [
        Journey(id=journey.id, user_id="maya", name="Ukulele chords", status=Status.CONFIRMED,
                activity_ids=journey.activity_ids[:half], metadata={"user_edited": True}),
        Journey(id=journey.id + "b", user_id="maya", name="Ukulele songs", status=Status.CONFIRMED,
                activity_ids=journey.activity_ids[half:], metadata={"user_edited": True}),
    ]
    others = [j for j in maya.journeys.journeys("maya", include_rejected=True) if j.id != journey.id]
    maya.journeys.replace("maya", parts + others, action="split")
    after = {j.id: j for j in maya.extract("maya")}
    assert set(parts[0].activity_ids) <= set(after[journey.id].activity_ids)
    assert set(parts[1].activity_ids) <= set(after[journey.id + "b"].activity_ids)
    assert not set(parts[0].activity_ids) & set(after[journey.id + "b"].activity_ids)
    assert after[journey.id].name == "Ukulele chords"


def test_a_declared_journey_without_items_survives_extraction(maya):
    wish = Journey(id="jitalian", user_id="maya", name="Learning Italian", status=Status.CONFIRMED, name_source="user")
    maya.journeys.update(wish, "add")
    assert user_owns(wish)
    after = {j.id: j for j in maya.extract("maya")}
    assert after["jitalian"].name == "Learning Italian" and after["jitalian"].size == 0


def test_a_journey_left_alone_for_months_is_dormant(workspace, tmp_path):
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    lines = []
    for week in range(26):
        lines.append(json.dumps({"user_id": "kim", "item_id": f"b{week}", "title": f"Bouldering technique lesson {week}: heel hooks and footwork",
                                 "timestamp": (start + timedelta(weeks=week)).isoformat()}))
        if week < 8:
            lines.append(json.dumps({"user_id": "kim", "item_id": f"s{week}", "title": f"Sourdough starter feeding schedule, week {week}",
                                     "timestamp": (start + timedelta(weeks=week, days=2)).isoformat()}))
    workspace.ingest([write_lines(tmp_path / "kim.jsonl", lines)])
    journeys = workspace.extract("kim")
    assert by_topic(journeys, "boulder").active is True
    assert by_topic(journeys, "sourdough").active is False


@pytest.mark.parametrize("user_id", ["ml:1", "ml:7", "ml:68"])
def test_real_rating_histories_get_several_journeys_by_default(workspace, shared_data, user_id):
    # Real histories come in bursts (ml:1 rated 232 films in nine days); the default must still find
    # how many interests the person has, and none of them may swallow the history.
    workspace.ingest([shared_data / "movielens-ml-latest-small"], fmt="movielens", user_id=user_id)
    journeys = workspace.extract(user_id)
    total = workspace.history.count(user_id)
    sizes = sorted((j.size for j in journeys), reverse=True)
    assert 2 <= len(sizes) <= 12, sizes
    assert sizes[0] <= total / 2, (sizes, total)
    assert sum(sizes) >= 0.6 * total  # most of a real history belongs to some journey


class RecordingNamer:
    """The keyword namer, keeping the requests it was given."""

    backend = "keywords"

    def __init__(self):
        from journeys.naming.backends import KeywordNamer

        self.inner, self.requests = KeywordNamer(), []

    def name_many(self, requests):
        self.requests += list(requests)
        return self.inner.name_many(requests)


def test_new_journeys_are_named_as_one_users_and_apart_from_the_names_the_user_keeps(workspace, maya_lines, tmp_path):
    from journeys.extraction.clustering import TimeOrderedClustering
    from journeys.extraction.pipeline import build_journeys

    workspace.ingest([write_lines(tmp_path / "maya.jsonl", maya_lines)])
    stored = workspace.history.activities("maya", with_embeddings=True)
    kept = Journey(id="j-own", user_id="maya", name="Hooked on amigurumi", name_source="user")
    namer = RecordingNamer()
    found = build_journeys("maya", stored, TimeOrderedClustering(), namer, previous=[kept])
    assert len(namer.requests) == len(found) - 1 >= 2
    assert all(r.owner == "maya" and list(r.avoid) == ["Hooked on amigurumi"] for r in namer.requests)


@pytest.mark.parametrize("text, expected", [
    ("Adventure|Sci-Fi|Film-Noir", ["adventure", "sci-fi", "film", "noir"]),
    ("Exam-style scenarios from a lo-fi hip-hop x-ray", ["exam", "style", "scenarios", "from", "lo-fi", "hip-hop",
                                                         "x-ray"]),
    ("a 16-week plan, step-by-step", ["week", "plan", "step-by-step"]),
])
def test_salient_terms_keep_set_names_whole_and_split_compounds_of_full_words(text, expected):
    assert words(text.lower()) == expected


def test_a_film_group_is_described_as_sci_fi_not_as_sci_and_fi():
    texts = ["Alien Sci-Fi Horror", "Aliens Sci-Fi Action", "Blade Runner Sci-Fi Film-Noir", "Heat Crime Thriller",
             "Se7en Crime Thriller Mystery", "Toy Story Animation Children"]
    terms = SalientTerms().fit(texts).terms_of([0, 1, 2])
    assert terms[0] == "sci-fi" and "sci" not in terms and "fi" not in terms


def test_numeric_fields_items_carry_become_standardised_attributes():
    from journeys.extraction.pipeline import item_attributes

    extras = [
        {"energy": 0.9, "tempo": "128.0", "release_date": "2019-06-14", "track_id": 17, "position": 1, "live": True},
        {"energy": 0.2, "tempo": "70.5", "release_date": "1975", "track_id": 18, "position": 2, "live": False},
        {"energy": 0.5, "release_date": "1999-12", "track_id": 19, "position": 3, "mood": "calm"},
        {"energy": 0.5, "tempo": "99", "track_id": 20, "position": 4, "constant": 3},
    ]
    found = item_attributes(extras)
    # energy, release date and tempo (sorted by name); ids, positions, booleans, text and constants are not attributes.
    assert found.shape == (4, 3)
    assert found.mean(axis=0) == pytest.approx([0, 0, 0], abs=1e-6) and found.std(axis=0) == pytest.approx([1, 1, 1])
    energy, release, tempo = found.T
    assert energy[0] > energy[2] > energy[1] and energy[2] == pytest.approx(energy[3])
    assert release[0] > release[2] > release[1] and release[3] == pytest.approx(np.mean(release[:3]), abs=1e-6)
    assert tempo[0] > tempo[3] > tempo[1]
    # A field most items lack, or none at all: nothing to add.
    assert item_attributes([{"energy": 0.9}, {}, {}, {"mood": "calm"}]) is None
    assert item_attributes([{"energy": 0.9}]) is None


def test_attributes_part_items_whose_texts_read_alike():
    from journeys.extraction.pipeline import item_features

    rng = np.random.default_rng(0)
    embeddings = np.repeat(rng.normal(size=(1, 8)), 4, axis=0) + rng.normal(scale=0.01, size=(4, 8))
    texts = ["Track one - Artist", "Track two - Artist", "Track three - Artist", "Track four - Artist"]
    attributes = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    plain = item_features(embeddings, texts)
    joined = item_features(embeddings, texts, attributes=attributes)
    assert np.allclose(item_features(embeddings, texts, attributes=attributes, attribute_weight=0), plain)
    assert joined[0] @ joined[1] > joined[0] @ joined[2] + 0.3
    assert abs((plain[0] @ plain[1]) - (plain[0] @ plain[2])) < 0.3


def test_a_listening_history_with_track_fields_is_parted_by_them(workspace, shared_data, tmp_path):
    """Real Spotify tracks of mixed playlists, ingested as history records: their fields (energy, tempo, release
    date...) separate the playlists far better than the titles alone."""
    from journeys.evaluation.datasets import spotify_users
    from journeys.evaluation.metrics import ari

    users = spotify_users(shared_data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv", count=3, seed=7)
    scores = {"with fields": [], "titles only": []}
    for number, user in enumerate(users):
        for variant in scores:
            user_id = f"mix{number}-{variant.split()[0]}"
            lines = [json.dumps({"user_id": user_id, "item_id": f"t{i}", "title": text,
                                 "timestamp": datetime.fromtimestamp(when, timezone.utc).isoformat(),
                                 **(extra if variant == "with fields" else {})})
                     for i, (text, when, extra) in enumerate(zip(user.texts, user.timestamps, user.extras))]
            workspace.ingest([write_lines(tmp_path / f"{user_id}.jsonl", lines)])
            journeys = workspace.extract(user_id)
            row = {a.activity_id: int(a.activity.item_id[1:]) for a in workspace.history.activities(user_id)}
            clusters = [[row[a] for a in j.activity_ids] for j in journeys]
            scores[variant].append(ari(clusters, user.truth_labels))
    assert np.mean(scores["with fields"]) > np.mean(scores["titles only"]) + 0.1, scores
