"""The journey store on both of its backends: a SQLite file (the default) and a PostgreSQL database."""

import json
import multiprocessing
import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from journeys.state.journey import Journey, Status
from journeys.state.store import VERSION_TABLE, Change, JourneyStore, describe


def journey(journey_id: str, name: str, user_id: str = "u", **fields) -> Journey:
    return Journey(id=journey_id, user_id=user_id, name=name, item_ids=[f"{journey_id}-1", f"{journey_id}-2"],
                   **fields)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "journeys.sqlite"
    return request.getfixturevalue("postgres_url")


def test_edits_events_and_undo_behave_the_same_on_either_backend(location):
    store = JourneyStore(location)
    store.replace("u", [journey("a", "Ukulele"), journey("b", "Sourdough"), journey("c", "Running")], "extracted")
    store.replace("other", [journey("x", "Chess", user_id="other")], "extracted")

    renamed = journey("b", "Sourdough baking")
    store.update(renamed, "renamed")
    store.apply("u", [Change(store.get("u", "a"), None)], "rejected")
    assert [j.name for j in store.journeys("u")] == ["Sourdough baking", "Running"]
    assert store.get("u", "x") is None, "another user's journey is not found by id"

    assert store.undo("u")[0] == "rejected"
    assert [j.name for j in store.journeys("u")] == ["Ukulele", "Sourdough baking", "Running"], "back in its place"
    assert store.undo("u")[0] == "renamed"
    assert store.undo("u") is None, "extraction is not undone"
    assert [e["action"] for e in store.events("u")] == ["extracted"] * 3 + ["renamed", "rejected", "undo", "undo"]
    assert store.users() == ["other", "u"] and store.has_events("other") and not store.has_events("nobody")
    assert [j.name for j in store.journeys("other")] == ["Chess"]


def test_rejected_journeys_stay_stored_but_hidden(location):
    store = JourneyStore(location)
    store.replace("u", [journey("a", "Ukulele", status=Status.REJECTED), journey("b", "Sourdough")], "extracted")
    assert [j.id for j in store.journeys("u")] == ["b"]
    assert [j.id for j in store.journeys("u", include_rejected=True)] == ["a", "b"]


WRITES = 40


def _write_many(location, user_id: str, count: int, start_at: float) -> None:
    store = JourneyStore(location)
    time.sleep(max(0.0, start_at - time.time()))  # every process starts writing at once
    for i in range(count):
        store.replace(user_id, [journey(f"{user_id}{i}", f"Name {i}", user_id=user_id)], "extracted",
                      now=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_writers_in_several_processes_never_share_a_change_number(location):
    JourneyStore(location)  # created once; the processes then race on it
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 8
    workers = [context.Process(target=_write_many, args=(location, f"p{n}", WRITES, start_at)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    store = JourneyStore(location)
    changes = [e["change"] for user in ("p0", "p1", "p2") for e in store.events(user)]
    # Each replace after the first adds one journey and drops the previous one: one change, two events.
    assert len(changes) == 3 * (1 + 2 * (WRITES - 1))
    per_user = {user: {e["change"] for e in store.events(user)} for user in ("p0", "p1", "p2")}
    assert not (per_user["p0"] & per_user["p1"]) and not (per_user["p1"] & per_user["p2"])
    assert all(len(ids) == WRITES for ids in per_user.values())


def test_a_new_store_records_its_schema_version_and_opening_again_changes_nothing(location):
    store = JourneyStore(location)
    store.replace("u", [journey("a", "Ukulele")], "extracted")
    with store.engine.connect() as db:
        assert db.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == "0002"
    again = JourneyStore(location)
    assert [j.name for j in again.journeys("u")] == ["Ukulele"]
    assert len(again.events("u")) == 1


def test_messages_name_the_store_without_its_password():
    assert describe("postgresql://journeys:secret@db.example:5432/journeys") == \
        "postgresql+psycopg://journeys:***@db.example:5432/journeys"


def test_a_store_at_an_older_schema_version_is_migrated_with_its_data_kept(location):
    from alembic import command
    from alembic.config import Config

    from journeys.state.store import MIGRATIONS, database_url

    engine = sa.create_engine(database_url(location))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # as a store written by the first versioned release
        connection.execute(sa.text("INSERT INTO journeys (user_id, journey_id, position, data) "
                                   "VALUES ('u', 'a', 0, :data)"), {"data": json.dumps(journey("a", "Ukulele").to_dict())})
    engine.dispose()

    store = JourneyStore(location)
    assert [j.name for j in store.journeys("u")] == ["Ukulele"]
    store.mark_batch_done("u", "abc")  # a table the newer version added
    assert store.batch_fingerprint("u") == "abc"
