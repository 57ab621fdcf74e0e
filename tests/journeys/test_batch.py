"""`journeys batch` on a real local Ray runtime: the same journeys as one-by-one extraction, resumable, idempotent."""

import os
import signal
import subprocess
import sys
import time

import pytest

from journeys.batch import run_batch
from journeys.settings import Settings
from journeys.state.store import JourneyStore
from journeys.workspace import Workspace
from tests.conftest import PERSONAS

pytestmark = pytest.mark.slow
USERS = ["maya", "theo", "omar"]


def comparable(journeys):
    return sorted((j["name"], tuple(j["item_ids"]), j["status"]) for j in journeys)


@pytest.fixture
def homes(tmp_path, embedder):
    """Two homes holding the same histories: one extracted user by user, one left for the batch."""
    found = {}
    for name in ("one-by-one", "batch"):
        settings = Settings(home=tmp_path / name, namer="keywords", device="cpu")
        workspace = Workspace(settings, embedder=embedder)
        workspace.ingest([PERSONAS[user].history_path for user in USERS])
        workspace.history.close()
        found[name] = settings
    return found


def test_a_batch_on_ray_finds_the_journeys_one_by_one_extraction_finds_then_a_rerun_changes_nothing(
        homes, embedder, tmp_path):
    single = Workspace(homes["one-by-one"], embedder=embedder)
    expected = {user: [j.summary() for j in single.extract(user)] for user in USERS}
    single.history.close()

    output = tmp_path / "journeys.jsonl"
    report = run_batch(homes["batch"], users=USERS + ["nobody"], workers=2, output=output)

    assert report.closing_line() == f"4 users, {sum(map(len, expected.values()))} journeys, 1 failed"
    assert report.failed[0][0] == "nobody" and "no activity stored for user 'nobody'" in report.failed[0][1]
    store = JourneyStore(homes["batch"].journeys_db)
    for user in USERS:
        assert comparable(j.summary() for j in store.journeys(user)) == comparable(expected[user]), user
    lines = [__import__("json").loads(line) for line in output.read_text().splitlines()]
    assert {line["user_id"] for line in lines} == set(USERS)
    assert comparable(line for line in lines if line["user_id"] == "maya") == comparable(expected["maya"])

    events = {user: len(store.events(user)) for user in USERS}
    again = run_batch(homes["batch"], users=USERS, workers=2)
    assert again.skipped == 3 and not again.failed
    assert {user: len(store.events(user)) for user in USERS} == events, "a second run writes nothing"


KILLABLE = """
import sys, time
from pathlib import Path
from journeys.batch import run_batch
from journeys.settings import Settings

def slowly(result):
    print("done", result.user_id, flush=True)
    time.sleep(3)  # time for the test to kill this run between two users

run_batch(Settings(home=Path(sys.argv[1]), namer="keywords", device="cpu"), users=sys.argv[2:], workers=1,
          on_result=slowly)
"""


def test_a_killed_batch_started_again_finishes_with_every_user_done_once(homes):
    settings = homes["batch"]
    run = subprocess.Popen([sys.executable, "-c", KILLABLE, str(settings.home), *USERS],
                           stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    first = run.stdout.readline()
    assert first.startswith("done"), first
    os.kill(run.pid, signal.SIGKILL)
    run.wait(30)

    store = JourneyStore(settings.journeys_db)
    finished = [user for user in USERS if store.batch_fingerprint(user)]
    assert 1 <= len(finished) < len(USERS)
    report = run_batch(settings, users=USERS, workers=1)
    assert report.skipped == len(finished) and not report.failed
    for user in USERS:
        extractions = {e["change"] for e in store.events(user) if e["action"] in ("extracted", "dropped")}
        assert len(extractions) == 1, f"{user} extracted {len(extractions)} times"
        assert store.journeys(user)


def test_a_user_whose_store_stays_locked_a_while_is_tried_again_and_a_lasting_lock_fails_only_that_user(
        homes, monkeypatch):
    import sqlite3
    import threading

    from journeys import batch
    from journeys.state import store as journey_store

    settings = homes["batch"]
    JourneyStore(settings.journeys_db).engine.dispose()  # the store exists before the lock is taken
    monkeypatch.setattr(journey_store, "SQLITE_LOCK_WAIT", 0.2)
    monkeypatch.setattr(batch, "BUSY_PAUSE", 0.4)
    worker = batch.BatchWorker(settings)

    def run_while_locked(seconds, user_id):
        """Run one user while another connection holds the store's write lock for `seconds`."""
        taken = threading.Event()

        def hold():
            other = sqlite3.connect(settings.journeys_db, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
            other.close()

        holder = threading.Thread(target=hold)
        holder.start()
        taken.wait()
        try:
            return worker.run(user_id)
        finally:
            holder.join()

    # Held for about one pause: the first attempt meets the lock, a later one gets through.
    result = run_while_locked(0.6, "maya")
    assert result.error is None and result.journeys

    # Held past every attempt (0.2 s wait, pauses 0.4 + 0.8 s): the user fails with the reason, the next one works.
    result = run_while_locked(3.0, "theo")
    assert result.error == "OperationalError: (sqlite3.OperationalError) database is locked"
    assert worker.run("omar").journeys
    worker.workspace.history.close()
