"""The user's edits of their journeys, on a real store with a persona's real extracted journeys."""

import sqlite3

import pytest

from journeys.state.edits import EditError, clean_user_name
from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from journeys.state.store import JourneyStore
from tests.conftest import with_people


@pytest.fixture
def maya(workspace):
    return with_people(workspace, "maya", "theo")


def find(workspace, user, words):
    return resolve_journey(workspace.journeys.journeys(user), words).journey


def test_confirm_pause_reject_and_rename_change_only_that_journey_and_are_recorded(maya):
    ukulele, crochet = find(maya, "maya", "ukulele"), find(maya, "maya", "crochet")
    before = {j.id: j.to_dict() for j in maya.journeys.journeys("maya")}
    maya.editor.confirm("maya", ukulele.id)
    maya.editor.pause("maya", crochet.id)
    renamed = maya.editor.rename("maya", ukulele.id, '  "strumming for fun". ')
    assert renamed.name == "Strumming for fun" and renamed.name_source == "user"
    now = {j.id: j for j in maya.journeys.journeys("maya")}
    assert now[ukulele.id].status is Status.CONFIRMED and now[crochet.id].status is Status.PAUSED
    untouched = [i for i in before if i not in (ukulele.id, crochet.id)]
    assert all(now[i].to_dict() == before[i] for i in untouched)
    maya.editor.reject("maya", crochet.id)
    assert crochet.id not in {j.id for j in maya.journeys.journeys("maya")}
    actions = [e["action"] for e in maya.journeys.events("maya") if e["action"] != "extracted"]
    assert actions == ["confirm", "pause", "rename", "reject"]


def test_edits_survive_re_extraction(maya):
    ukulele, crochet = find(maya, "maya", "ukulele"), find(maya, "maya", "crochet")
    maya.editor.rename("maya", ukulele.id, "Island strumming")
    maya.editor.reject("maya", crochet.id)
    declared = maya.editor.add("maya", "learning Italian")
    maya.extract("maya")
    visible = {j.id: j for j in maya.journeys.journeys("maya")}
    assert visible[ukulele.id].name == "Island strumming"
    assert crochet.id not in visible and maya.journeys.get("maya", crochet.id).status is Status.REJECTED
    assert visible[declared.id].status is Status.CONFIRMED and visible[declared.id].size == 0


def test_merge_then_undo_restores_both_journeys_in_their_places(maya):
    order = [j.to_dict() for j in maya.journeys.journeys("maya")]
    ukulele, garden = find(maya, "maya", "ukulele"), find(maya, "maya", "hydroponic")
    merged = maya.editor.merge("maya", [ukulele.id, garden.id], name="Hobbies at home")
    assert merged.id == ukulele.id and merged.name == "Hobbies at home"
    assert set(merged.activity_ids) == set(ukulele.activity_ids) | set(garden.activity_ids)
    assert maya.journeys.get("maya", garden.id) is None
    assert len(maya.journeys.journeys("maya")) == len(order) - 1
    undone = maya.editor.undo("maya")
    assert undone.action == "merge"
    assert [j.to_dict() for j in maya.journeys.journeys("maya")] == order


def test_split_by_topics_puts_each_item_with_its_topic(maya):
    ukulele, crochet = find(maya, "maya", "ukulele"), find(maya, "maya", "crochet")
    mixed = maya.editor.merge("maya", [ukulele.id, crochet.id])
    parts = maya.editor.split("maya", mixed.id, ["ukulele", "crochet"])
    assert [p.name for p in parts] == ["Ukulele", "Crochet"] and parts[0].id == mixed.id
    # Each item goes back to its topic; an item with neither topic's words may fall either way
    # ("The magic ring — easiest method for lefties" reads as close to ukulele videos as to crochet).
    assert len(set(parts[0].activity_ids) ^ set(ukulele.activity_ids)) <= 1
    assert len(set(parts[1].activity_ids) ^ set(crochet.activity_ids)) <= 1
    assert set(parts[0].activity_ids) | set(parts[1].activity_ids) == set(mixed.activity_ids)
    assert all(p.metadata["split_from"] == mixed.id for p in parts)


def test_split_without_topics_finds_two_groups_and_names_them(maya):
    ukulele, crochet = find(maya, "maya", "ukulele"), find(maya, "maya", "crochet")
    mixed = maya.editor.merge("maya", [ukulele.id, crochet.id])
    parts = maya.editor.split("maya", mixed.id)
    found = sorted(set(p.activity_ids) for p in parts)
    assert found == sorted([set(ukulele.activity_ids), set(crochet.activity_ids)])
    assert all(p.name and p.name_source == "keywords" for p in parts)
    assert maya.editor.undo("maya").action == "split"
    assert set(maya.journeys.get("maya", mixed.id).activity_ids) == set(mixed.activity_ids)


def test_undo_goes_back_one_edit_at_a_time_and_never_undoes_extraction(maya):
    ukulele = find(maya, "maya", "ukulele")
    maya.editor.rename("maya", ukulele.id, "Island strumming")
    maya.editor.confirm("maya", ukulele.id)
    assert maya.editor.undo("maya").action == "confirm"
    assert maya.journeys.get("maya", ukulele.id).status is Status.PROPOSED
    assert maya.editor.undo("maya").action == "rename"
    assert maya.journeys.get("maya", ukulele.id).name == ukulele.name
    assert maya.editor.undo("maya") is None
    assert len(maya.journeys.journeys("maya")) >= 3


def test_an_undone_add_removes_the_declared_journey(maya):
    declared = maya.editor.add("maya", "Learning Italian")
    assert maya.editor.undo("maya").action == "add"
    assert maya.journeys.get("maya", declared.id) is None


def test_a_user_cannot_touch_another_users_journey(maya):
    theirs = find(maya, "theo", "marathon")
    for edit in (maya.editor.confirm, maya.editor.reject, maya.editor.pause):
        with pytest.raises(EditError) as error:
            edit("maya", theirs.id)
        assert error.value.reason == "not_found"
    with pytest.raises(EditError):
        maya.editor.merge("maya", [find(maya, "maya", "ukulele").id, theirs.id])
    assert maya.journeys.get("theo", theirs.id).to_dict() == theirs.to_dict()


def test_naming_keeps_a_name_the_user_gave(maya):
    ukulele = find(maya, "maya", "ukulele")
    maya.editor.rename("maya", ukulele.id, "My uke")
    with pytest.raises(EditError, match="keep your name"):
        maya.editor.name("maya", ukulele.id)
    garden = find(maya, "maya", "hydroponic")
    assert maya.editor.name("maya", garden.id).name_source == "keywords"


def test_steering_is_recorded_and_checked(maya):
    garden = find(maya, "maya", "hydroponic")
    assert maya.editor.steer("maya", garden.id, "less").metadata["steer"] == "less"
    with pytest.raises(EditError, match="more"):
        maya.editor.steer("maya", garden.id, "sideways")


@pytest.mark.parametrize("name, problem", [("  ", "empty"), ("word " * 11, "too long")])
def test_unusable_names_say_why(name, problem):
    with pytest.raises(EditError, match=problem):
        clean_user_name(name)


def test_a_declared_journey_cannot_be_added_twice(maya):
    maya.editor.add("maya", "Learning Italian")
    with pytest.raises(EditError, match="already have"):
        maya.editor.add("maya", "learning italian")


def test_a_store_from_before_change_numbers_opens_and_keeps_its_events(tmp_path):
    path = tmp_path / "journeys.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE journeys (user_id TEXT NOT NULL, journey_id TEXT NOT NULL, position INTEGER NOT NULL,
                                   data TEXT NOT NULL, PRIMARY KEY (user_id, journey_id));
            CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL,
                                 journey_id TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL,
                                 before TEXT, after TEXT);
            INSERT INTO events (user_id, journey_id, at, action) VALUES ('u', 'j1', '2026-01-01', 'extracted');
        """)
    store = JourneyStore(path)
    assert [e["action"] for e in store.events("u")] == ["extracted"]
    assert store.undo("u") is None
