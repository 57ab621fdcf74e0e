"""Recommendations from journeys: what is offered, to which journey, in what share, why, and how fast."""

import json
import statistics
import time
import zlib
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from journeys.demo import DEMO_CATALOGUE
from journeys.history.activity import Activity, HistoryFileError
from journeys.history.store import StoredActivity
from journeys.recommend import Catalogue, journey_weight, recommend
from journeys.settings import Settings
from journeys.state.journey import Journey, Status
from journeys.workspace import Workspace
from tests.conftest import CATALOGUE_TOPIC, PERSONAS, with_people, write_lines

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
DIMENSIONS = 16
TOPICS = {"ukulele": 0, "crochet": 1, "garden": 2, "cars": 3}


def vector(topic: str, wobble: float = 0.0, seed: int = 0, toward: str | None = None, share: float = 0.0) -> np.ndarray:
    """A unit vector on a topic's axis, a little noisy, optionally leaning toward another topic."""
    rng = np.random.default_rng(seed)
    v = np.zeros(DIMENSIONS, dtype=np.float32)
    v[TOPICS[topic]] = 1.0
    if toward:
        v[TOPICS[toward]] = share
    v[8:] = rng.normal(scale=wobble, size=DIMENSIONS - 8)
    return v / np.linalg.norm(v)


def had(user: str, item: str, topic: str, day: int = 0, kind: str = "watch", **options) -> StoredActivity:
    activity = Activity(user_id=user, item_id=item, title=f"{topic} item {item}", timestamp=START + timedelta(days=day),
                        kind=kind)
    return StoredActivity(activity.activity_id, activity, vector(topic, seed=zlib.crc32(item.encode()), wobble=0.1, **options))


def journey_of(jid: str, stored: list[StoredActivity], status: Status = Status.PROPOSED, steer: str | None = None,
               name: str | None = None) -> Journey:
    return Journey(id=jid, user_id="me", name=name or f"Journey {jid}", status=status,
                   activity_ids=[s.activity_id for s in stored], item_ids=[s.activity.item_id for s in stored],
                   metadata={"steer": steer} if steer else {})


@pytest.fixture
def mine():
    """The user's history: 6 ukulele items and 6 crochet items."""
    ukulele = [had("me", f"u{i}", "ukulele", day=i) for i in range(6)]
    crochet = [had("me", f"c{i}", "crochet", day=10 + i) for i in range(6)]
    return ukulele, crochet


def candidates(topic: str, count: int, prefix: str, user: str = "shop") -> list[StoredActivity]:
    return [had(user, f"{prefix}{i}", topic, day=100 + i) for i in range(count)]


def test_the_catalogue_counts_distinct_users_and_leaves_searches_out():
    rows = [had("a", "x", "ukulele"), had("a", "x", "ukulele", day=3), had("b", "x", "ukulele"),
            had("b", "y", "crochet"), had("c", "q", "garden", kind="search")]
    catalogue = Catalogue.from_activities(rows)
    assert catalogue.item_ids == ["x", "y"]
    assert catalogue.popularity.tolist() == [2.0, 1.0]
    assert catalogue.incidence.shape == (2, 2) and catalogue.has_co_occurrence
    assert np.allclose(np.linalg.norm(catalogue.embeddings, axis=1), 1.0)
    with pytest.raises(ValueError, match="has no embedding"):
        Catalogue.from_activities([StoredActivity("a1", rows[0].activity)])


def test_items_the_user_had_are_never_offered_and_nothing_comes_twice(mine):
    ukulele, crochet = mine
    history = ukulele + crochet
    catalogue = Catalogue.from_activities(history + candidates("ukulele", 10, "nu") + candidates("crochet", 10, "nc"))
    found = recommend(history, [journey_of("j1", ukulele), journey_of("j2", crochet)], catalogue, k=15)
    ids = [r.item_id for r in found]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert not set(ids) & {s.activity.item_id for s in history}


def test_one_journey_gets_only_its_own_topic_and_unrelated_items_are_never_filler(mine):
    ukulele, crochet = mine
    catalogue = Catalogue.from_activities(candidates("ukulele", 4, "nu") + candidates("cars", 20, "car"))
    found = recommend(ukulele + crochet, [journey_of("j1", ukulele), journey_of("j2", crochet)], catalogue,
                      k=10, journey_id="j1")
    # Only four candidates are about the ukulele; the cars are too far in meaning to be offered at all.
    assert {r.item_id for r in found} == {"nu0", "nu1", "nu2", "nu3"}
    assert all(r.journey_id == "j1" and r.journey_name == "Journey j1" for r in found)


def test_slots_follow_size_and_steering_changes_the_share(mine):
    ukulele, crochet = mine
    history = ukulele + crochet
    catalogue = Catalogue.from_activities(candidates("ukulele", 20, "nu") + candidates("crochet", 20, "nc"))

    def share(*journeys):
        found = recommend(history, list(journeys), catalogue, k=9)
        return sum(r.journey_id == "j1" for r in found), sum(r.journey_id == "j2" for r in found)

    assert share(journey_of("j1", ukulele), journey_of("j2", crochet)) in ((5, 4), (4, 5))
    more_less = share(journey_of("j1", ukulele, steer="more"), journey_of("j2", crochet, steer="less"))
    assert more_less[0] >= 7 and more_less[0] + more_less[1] == 9
    assert journey_weight(journey_of("j1", ukulele, steer="more")) == 4 * journey_weight(
        journey_of("j1", ukulele, steer="less"))


def test_rejected_and_paused_journeys_recommend_nothing(mine):
    ukulele, crochet = mine
    history = ukulele + crochet
    catalogue = Catalogue.from_activities(candidates("ukulele", 10, "nu") + candidates("crochet", 10, "nc"))
    journeys = [journey_of("j1", ukulele, Status.PAUSED), journey_of("j2", crochet, Status.REJECTED)]
    assert recommend(history, journeys, catalogue, journey_id="j1") == []
    assert recommend(history, journeys, catalogue, journey_id="j2") == []
    assert recommend(history, journeys, catalogue) == []
    journeys[1].status = Status.CONFIRMED
    assert {r.journey_id for r in recommend(history, journeys, catalogue)} == {"j2"}
    with pytest.raises(ValueError, match="no journey with id 'nope'"):
        recommend(history, journeys, catalogue, journey_id="nope")


def test_a_journey_that_runs_out_leaves_its_slots_to_the_others(mine):
    ukulele, crochet = mine
    catalogue = Catalogue.from_activities(candidates("ukulele", 2, "nu") + candidates("crochet", 20, "nc"))
    found = recommend(ukulele + crochet, [journey_of("j1", ukulele), journey_of("j2", crochet)], catalogue, k=10)
    assert len(found) == 10 and sum(r.journey_id == "j1" for r in found) == 2


def test_what_people_had_together_outranks_mere_likeness(mine):
    """Co-occurrence: people who had this journey's items also had B, though A reads more alike."""
    ukulele, crochet = mine
    others = []
    for person in range(8):
        others += [had(f"p{person}", s.activity.item_id, "ukulele") for s in ukulele[:3]]
        others.append(had(f"p{person}", "together", "ukulele", toward="garden", share=1.2))
    others.append(had("q", "alike", "ukulele"))
    others += [had("q", f"pop{i}", "cars") for i in range(3)]
    catalogue = Catalogue.from_activities(ukulele + crochet + others)
    found = recommend(ukulele + crochet, [journey_of("j1", ukulele)], catalogue, k=2, journey_id="j1")
    assert [r.item_id for r in found] == ["together", "alike"]


def test_the_reason_is_the_closest_history_item_of_the_journey():
    history = [had("me", "u1", "ukulele", kind="watch"), had("me", "u2", "ukulele", toward="garden", share=0.8,
                                                               kind="read")]
    catalogue = Catalogue.from_activities([had("shop", "new", "ukulele", toward="garden", share=0.9)])
    [found] = recommend(history, [journey_of("j1", history, name="Ukulele chords")], catalogue)
    assert found.because_title == history[1].activity.title
    assert found.reason == f"Because you read “{history[1].activity.title}” (Ukulele chords)"


def test_a_journey_without_items_is_served_from_its_name_when_an_embedder_is_given(mine):
    ukulele, _ = mine
    empty = Journey(id="j9", user_id="me", name="Growing greens", status=Status.CONFIRMED)
    catalogue = Catalogue.from_activities(candidates("garden", 3, "g") + candidates("ukulele", 3, "nu"))
    assert recommend(ukulele, [empty], catalogue) == []
    found = recommend(ukulele, [empty], catalogue, embed=lambda texts: np.vstack([vector("garden")] * len(texts)))
    assert {r.item_id for r in found} == {"g0", "g1", "g2"} and all(r.because_title == "" for r in found)


def test_one_call_over_ten_thousand_items_takes_well_under_half_a_second():
    rng = np.random.default_rng(7)
    rows = []
    for user in range(300):
        for item in rng.choice(10_000, size=60, replace=False):
            activity = Activity(user_id=f"p{user}", item_id=f"i{item}", title=f"item {item}", timestamp=START)
            rows.append(StoredActivity(activity.activity_id, activity, None))
    vectors = rng.normal(size=(10_000, 384)).astype(np.float32)
    rows = [StoredActivity(s.activity_id, s.activity, vectors[int(s.activity.item_id[1:])]) for s in rows]
    rows += [StoredActivity(f"x{i}", Activity("shop", f"i{i}", f"item {i}", START), vectors[i]) for i in range(10_000)]
    catalogue = Catalogue.from_activities(rows)
    assert len(catalogue) == 10_000
    history = [s for s in rows if s.activity.user_id == "p0"]
    journeys = [journey_of(f"j{n}", history[n::4]) for n in range(4)]
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        found = recommend(history, journeys, catalogue, k=10)
        timings.append(time.perf_counter() - started)
    assert len(found) == 10
    assert statistics.median(timings) < 0.25, timings


# On real stores, with the real embedding model.



@pytest.fixture(scope="module")
def demo(tmp_path_factory, embedder):
    """Every demo persona with journeys found, and the demo's catalogue, as `journeys demo` prepares them."""
    home = tmp_path_factory.mktemp("recommend-demo")
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE),
                          embedder=embedder)
    return with_people(workspace, *PERSONAS)


def interest_of(journey, persona) -> str | None:
    """The persona's true interest a journey is about: the one whose keywords its name and terms show most."""
    words = " ".join([journey.name, *journey.salient_terms]).lower()
    hits = sorted(((sum(k in words for k in i["keywords"]), i["label"]) for i in persona.interests), reverse=True)
    return hits[0][1] if hits[0][0] > 0 and (len(hits) == 1 or hits[0][0] > hits[1][0]) else None


def test_in_the_demo_every_journey_gets_suggestions_from_its_own_topic(demo):
    for user, persona in PERSONAS.items():
        checked = set()
        for journey in demo.journeys.journeys(user):
            interest = interest_of(journey, persona)
            if interest is None:
                continue
            found = demo.recommend(user, journey_id=journey.id, k=3)
            topics = [CATALOGUE_TOPIC[r.title] for r in found]
            assert topics and topics[0] == interest, (user, journey.name, [r.title for r in found])
            if journey.size >= 8:
                assert set(topics) == {interest}, (user, journey.name, [r.title for r in found])
            checked.add(interest)
        assert checked == {i["label"] for i in persona.interests}, (user, checked)


def test_the_store_is_the_default_catalogue_rebuilt_only_when_it_changes(workspace, tmp_path):
    with_people(workspace, "maya", "theo")
    # Each persona's items are theirs alone: nothing in the store may be offered to someone else yet.
    assert workspace.catalogue("theo").source == "sample"
    titles = ["Marathon taper week: what to eat", "Long run pacing for a first marathon",
              "Kubernetes operators explained", "Sourdough starter troubleshooting"]
    # Three runners had the same four items (enough people to offer them to someone else).
    runners = [{"user_id": user, "item_id": f"s{i}", "title": title, "timestamp": f"2026-08-0{i + 1}T07:00:00Z",
                "kind": "watch"} for user in ("sam", "ana", "bo") for i, title in enumerate(titles)]
    workspace.ingest([write_lines(tmp_path / "runners.jsonl", [json.dumps(r) for r in runners])])
    store = workspace.catalogue("theo")
    assert store.source == "store" and workspace.catalogue("theo") is store
    found = workspace.recommend("theo", k=10)
    # Other people's items are the catalogue: the runners', as far as they fit Theo's journeys; never Theo's own.
    assert {"s0", "s1", "s2"} <= {r.item_id for r in found} and "s3" not in {r.item_id for r in found}
    assert not {r.item_id for r in found} & {s.activity.item_id for s in workspace.history.activities("theo")}
    one_more = {"user_id": "cy", "item_id": "s4", "title": "Trail shoes for a first ultramarathon",
                "timestamp": "2026-08-09T07:00:00Z", "kind": "watch"}
    workspace.ingest([write_lines(tmp_path / "cy.jsonl", [json.dumps(one_more)])])
    rebuilt = workspace.catalogue("theo")
    assert rebuilt is not store and len(rebuilt) == len(store) + 1


def test_an_item_too_few_people_had_is_never_suggested_to_someone_else(workspace, tmp_path, embedder):
    with_people(workspace, "maya", "theo")
    # Sam's private log fits Theo's marathon journey better than anything: it is still Sam's alone.
    private = {"user_id": "sam", "item_id": "sam-log", "title": "PRIVATE: Sam's marathon long run pacing diary",
               "timestamp": "2026-08-01T07:00:00Z", "kind": "watch"}
    shared = [{"user_id": user, "item_id": "pace", "title": "Long run pacing for a first marathon",
               "timestamp": "2026-08-02T07:00:00Z", "kind": "watch"} for user in ("sam", "ana", "bo")]
    two = [{"user_id": user, "item_id": "taper", "title": "Marathon taper week: what to eat",
            "timestamp": "2026-08-03T07:00:00Z", "kind": "watch"} for user in ("sam", "ana")]
    workspace.ingest([write_lines(tmp_path / "people.jsonl", [json.dumps(r) for r in [private, *shared, *two]])])
    found = {r.item_id for r in workspace.recommend("theo", k=50)}
    assert "pace" in found and "sam-log" not in found and "taper" not in found  # 3 people: offered; 1 or 2: not
    assert all("PRIVATE" not in r.title and "PRIVATE" not in r.reason for r in workspace.recommend("maya", k=50))
    # The number of people is a setting: at 1, every item of the store is offered (a store of public items).
    public = Workspace(workspace.settings.model_copy(update={"recommend_min_users": 1}), embedder=embedder)
    assert {"sam-log", "taper"} <= {r.item_id for r in public.recommend("theo", k=50)}


def test_a_store_of_one_person_offers_the_sample_catalogue(workspace):
    with_people(workspace, "ruth")
    assert workspace.catalogue("ruth").source == "sample"
    found = workspace.recommend("ruth", k=6)
    assert found and all(CATALOGUE_TOPIC[r.title] in {i["label"] for i in PERSONAS["ruth"].interests} for r in found)


def test_a_catalogue_file_is_read_with_the_history_rules_and_embedded_once(workspace, tmp_path, embedder):
    bad = write_lines(tmp_path / "cat.jsonl", [
        '{"user_id": "c", "item_id": "a", "title": "Ukulele songbook", "timestamp": "2026-08-01T10:00:00Z"}',
        '{"user_id": "c", "item_id": "b", "title": "", "timestamp": "2026-08-01T10:00:00Z"}',
    ])
    with pytest.raises(HistoryFileError, match=r"cat\.jsonl, line 2: required field 'title' is missing"):
        workspace.catalogue(catalog=bad)
    good = write_lines(tmp_path / "good.jsonl", [
        '{"user_id": "c", "item_id": "a", "title": "Ukulele songbook", "timestamp": "2026-08-01T10:00:00Z"}'])
    assert workspace.catalogue(catalog=good).item_ids == ["a"]

    class Counting:
        calls = 0

        def embed(self, texts):
            Counting.calls += 1
            return embedder.embed(texts)

    again = Workspace(workspace.settings, embedder=Counting())
    assert again.catalogue(catalog=good).item_ids == ["a"] and Counting.calls == 0  # from the cache folder
