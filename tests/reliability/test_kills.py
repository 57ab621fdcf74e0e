"""Kill tests: a real `journeys` process killed with SIGKILL at seeded random moments of an import, an
extraction, naming with the tuned model and a conversation that edits journeys. After each kill the
stores must open and be consistent (whole import batches only, no activity stored twice, journeys
either as before or as the complete new result, every confirmed edit still there), and running the
same command again must complete and give what an uninterrupted run gives.

Each kill is one case. The processes are forked from a warm parent (tests/reliability/warm_processes.py)
so that they start in milliseconds, not in the 10-15 s that importing torch takes, and every kill lands
in real work: the moment is drawn uniformly over the length of an uninterrupted run of the same command.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from journeys.history.activity import Activity
from journeys.history.embedding import TextEmbedder
from journeys.history.store import HistoryStore, open_chroma
from tests.conftest import PERSONAS
from tests.reliability.warm_processes import WarmProcesses

AREA = "Process killed (SIGKILL)"
# Kill points per stage. Naming runs the tuned model (10-20 s a run on a shared CPU), so it gets fewer
# points, and its kills follow one another (each run is the rerun of the one killed before it).
INGEST_KILLS, EXTRACTION_KILLS, EDIT_KILLS, NAMING_KILLS = 12, 16, 18, 6
INTERRUPTS = 3
IMPORT_ROWS, BATCH = 520, 256
USER = "maya"
# The edits a conversation makes, each with what it leaves in the store: (message, journey's place, field, value).
EDITS = [
    ("confirm the first one", 0, "status", "confirmed"),
    ("rename number 2 to Morning garden", 1, "name", "Morning garden"),
    ("pause number 3", 2, "status", "paused"),
    ("confirm number 2", 1, "status", "confirmed"),
    ("rename the first one to Strumming practice", 0, "name", "Strumming practice"),
]
SCRIPT = "".join(f"{text}\n" for text, *_ in EDITS) + "quit\n"


def rng(stage: str) -> random.Random:
    return random.Random(f"issue-16:{stage}")


@dataclass
class Stage:
    """A command to kill: a home to start from, its argv, and what an uninterrupted run of it gives."""

    base: Path
    work: Path
    argv: list[str]
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    expected: object = None

    def reset(self) -> Path:
        home = self.work / "home"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(self.base, home, symlinks=True)
        return home

    def command(self, home: Path) -> list[str]:
        return [*self.argv, "--home", str(home)]


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory):
    processes = WarmProcesses(env={**os.environ, "JOURNEYS_NAMER": "keywords"})
    yield processes
    processes.close()


def run(warm: WarmProcesses, stage: Stage, home: Path, kill_after: float | None = None,
        sig: int = signal.SIGKILL, argv: list[str] | None = None, stdin: str | None = None):
    return warm.run(argv or stage.command(home), stage.work / "out", stdin=stage.stdin if stdin is None else stdin,
                    env=stage.env, kill_after=kill_after, sig=sig)


def must_succeed(result) -> str:
    status, _, child = result
    assert status == 0, f"exit {status}: {child.stderr.read_text()[-3000:]}"
    return child.stdout.read_text()


# What the stores hold, read the way the next process would read them.

def history_ids(home: Path, embedder: TextEmbedder) -> dict[str, dict]:
    """Every stored activity by id, after checking the store: each id is its activity's (so none is stored
    twice), each has its vector, and the vector index finds stored activities."""
    store = HistoryStore(open_chroma(home / "chroma"), embedder)
    try:
        got = store.collection.get(include=["metadatas", "embeddings"])
        records = {}
        for aid, meta, vector in zip(got["ids"], got["metadatas"], got["embeddings"]):
            activity = Activity.from_record(json.loads(meta["record"]), limits=False)
            assert activity.activity_id == aid, f"{aid} holds the activity {activity.activity_id}"
            assert len(vector) == 384 and np.all(np.isfinite(vector))
            records[aid] = meta
        keys = [(m["user_id"], m["item_id"], m["ts"]) for m in records.values()]
        assert len(keys) == len(set(keys)), "an activity is stored twice"
        for aid in random.Random(len(records)).sample(sorted(records), min(3, len(records))):
            found = store.collection.query(query_embeddings=[got["embeddings"][got["ids"].index(aid)]], n_results=1,
                                           where={"user_id": records[aid]["user_id"]}, include=[])
            assert found["ids"][0], f"the vector index lost {aid}"
        return records
    finally:
        store.close()


def sqlite_ok(path: Path) -> None:
    if not path.exists():
        return
    # closing(): the connection closes here, not when garbage collection gets to it. Its close removes the
    # -wal and -shm files, which must not happen while a home is being copied (Stage.reset).
    with closing(sqlite3.connect(path, timeout=30)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path


def journeys_of(home: Path, user: str = USER) -> list[dict]:
    """The user's journeys in their order, after checking the journey store: intact, and each journey as
    the last event about it left it (so no change was half-written)."""
    path = home / "journeys.sqlite"
    sqlite_ok(path)
    sqlite_ok(home / "checkpoints.sqlite")
    if not path.exists():
        return []
    with closing(sqlite3.connect(path, timeout=30)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "journeys" not in tables:
            return []
        rows = db.execute("SELECT journey_id, data FROM journeys WHERE user_id = ? ORDER BY position, journey_id",
                          (user,)).fetchall()
        events = db.execute("SELECT journey_id, after FROM events WHERE user_id = ? ORDER BY seq", (user,)).fetchall()
    last = {jid: json.loads(after) if after else None for jid, after in events}
    current = {jid: json.loads(data) for jid, data in rows}
    for jid, data in current.items():
        assert last.get(jid) == data, f"journey {jid} is not what its last event says"
    assert not [jid for jid, after in last.items() if after is not None and jid not in current], \
        "an event adds a journey the store does not hold"
    return [current[jid] for jid, _ in rows]


def shape(journeys: list[dict]) -> list[tuple]:
    return [(j["id"], j["name"], j["status"], tuple(j.get("activity_ids", []))) for j in journeys]


def kill_somewhere(warm: WarmProcesses, stage: Stage, random_moment: random.Random, finding,
                   on_completed=None, sig: int = signal.SIGKILL) -> tuple[Path, float, object]:
    """Run the stage's command from its base and kill it at a random moment of a normal run's length.

    A run that ends before its moment is checked as a complete run (on_completed) and tried again.
    """
    for _ in range(6):
        home = stage.reset()
        moment = random_moment.uniform(0.02, 0.9) * stage.seconds
        status, _, child = run(warm, stage, home, kill_after=moment, sig=sig)
        if status == -sig or (sig == signal.SIGINT and status == 130):
            return home, moment, child
        assert status == 0, f"exit {status}: {child.stderr.read_text()[-3000:]}"
        if on_completed:
            on_completed(home)
    pytest.fail(f"the command always ended before its random moment ({stage.seconds:.2f} s runs)")


# Import.

@pytest.fixture(scope="module")
def ingest_stage(warm: WarmProcesses, tmp_path_factory: pytest.TempPathFactory, embedder) -> Stage:
    """A store holding theo's history, and a file of 520 of kim's activities (three batches), three in four
    of whose texts the store already embedded (so kills land in embedding and in writing alike)."""
    work = tmp_path_factory.mktemp("kill-ingest")
    base = work / "base"
    known = [json.loads(line)["title"] for line in PERSONAS["theo"].history_path.read_text().splitlines()]
    rows = [{"user_id": "kim", "item_id": f"k:{i}", "timestamp": 1_770_000_000 + 3600 * i,
             "title": known[i % len(known)] if i % 4 else f"Pottery wheel lesson {i}: centring clay, part {i % 9}"}
            for i in range(IMPORT_ROWS)]
    history = work / "kim.jsonl"
    history.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    stage = Stage(base=base, work=work, argv=["ingest", str(history)])
    must_succeed(warm.run(["ingest", str(PERSONAS["theo"].history_path), "--home", str(base)], work / "out"))
    stage.expected = {"base": set(history_ids(base, embedder)),
                      "file": [Activity.from_record(r).activity_id for r in rows]}
    home = stage.reset()
    status, seconds, _ = run(warm, stage, home)
    assert status == 0
    stage.seconds = seconds
    assert set(history_ids(home, embedder)) == stage.expected["base"] | set(stage.expected["file"])
    return stage


def check_import(home: Path, stage: Stage, embedder, complete: bool = False) -> int:
    """The store holds the base and a whole number of the file's batches (all of them when complete)."""
    stored = set(history_ids(home, embedder))
    base, rows = stage.expected["base"], stage.expected["file"]
    assert base <= stored, "a kill lost activities that were stored before"
    new = stored - base
    assert new <= set(rows), "activities that are not in the file appeared"
    whole = {len(rows)} if complete else {0, len(rows), *range(BATCH, len(rows), BATCH)}
    assert len(new) in whole and new == set(rows[:len(new)]), \
        f"{len(new)} of the file's activities are stored, not whole batches from its start"
    return len(new)


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("point", range(INGEST_KILLS))
def test_kill_during_ingest(point: int, warm, ingest_stage: Stage, embedder, finding):
    moments = rng("ingest")
    for _ in range(point):  # the same moments, whichever cases run
        moments.random()
    home, moment, _ = kill_somewhere(warm, ingest_stage, random.Random(moments.random()), finding,
                                     on_completed=lambda h: check_import(h, ingest_stage, embedder, complete=True))
    partial = check_import(home, ingest_stage, embedder)
    out = must_succeed(run(warm, ingest_stage, home))
    assert f"{IMPORT_ROWS - partial} activities added; {partial} already stored" in out, out
    check_import(home, ingest_stage, embedder, complete=True)
    finding(f"an import killed at {moment:.2f} s left {partial} of {IMPORT_ROWS} rows (whole batches); "
            "the rerun stored the rest, none twice", weight=partial / IMPORT_ROWS)


@pytest.mark.reliability("Faults while storing")
@pytest.mark.parametrize("point", range(INTERRUPTS))
def test_ctrl_c_during_ingest_keeps_nothing_of_the_file(point: int, warm, ingest_stage: Stage, embedder, finding):
    """SIGINT (Ctrl-C) at a random moment: the command says it was interrupted and takes back its batches."""
    moments = rng("interrupt")
    for _ in range(point):
        moments.random()
    home, moment, child = kill_somewhere(warm, ingest_stage, random.Random(moments.random()), finding,
                                         on_completed=lambda h: check_import(h, ingest_stage, embedder, complete=True),
                                         sig=signal.SIGINT)
    assert "journeys: interrupted" in child.stderr.read_text() and "Traceback" not in child.stderr.read_text()
    # Nothing of the file, or (interrupted while it closed the store after the last batch) all of it.
    kept = check_import(home, ingest_stage, embedder)
    assert kept in (0, IMPORT_ROWS), f"Ctrl-C left {kept} of the file's rows"
    out = must_succeed(run(warm, ingest_stage, home))
    assert f"{IMPORT_ROWS - kept} activities added" in out
    finding(f"Ctrl-C at {moment:.2f} s left {kept} of the file's {IMPORT_ROWS} rows; the rerun stored the rest",
            weight=0)


# Extraction (salient-terms naming, so that the kills land in finding journeys, not in the model).

@pytest.fixture(scope="module")
def extraction_stage(warm: WarmProcesses, tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """Maya's journeys found, the first confirmed and the second renamed by her, then new activity:
    extracting again must keep her edits and add what is new."""
    work = tmp_path_factory.mktemp("kill-extract")
    base = work / "base"
    lines = PERSONAS["maya"].history_path.read_text().splitlines()
    first, later = work / "first.jsonl", work / "later.jsonl"
    first.write_text("\n".join(lines[: len(lines) * 2 // 3]) + "\n")
    later.write_text("\n".join(lines[len(lines) * 2 // 3:]) + "\n")
    for argv, stdin in ((["ingest", str(first)], ""), (["extract", "--user", USER], ""),
                        (["chat", "--user", USER], "confirm the first one\nrename number 2 to My indoor garden\nquit\n"),
                        (["ingest", str(later)], "")):
        must_succeed(warm.run([*argv, "--home", str(base)], work / "out", stdin=stdin))
    before = journeys_of(base)
    assert before[0]["status"] == "confirmed" and before[1]["name"] == "My indoor garden"
    stage = Stage(base=base, work=work, argv=["extract", "--user", USER])
    home = stage.reset()
    status, seconds, _ = run(warm, stage, home)
    assert status == 0
    after = journeys_of(home)
    assert shape(after) != shape(before), "the new activity should change the journeys"
    home = stage.reset()
    must_succeed(run(warm, stage, home))
    assert shape(journeys_of(home)) == shape(after), "extraction is not repeatable, so kills cannot be judged"
    stage.seconds, stage.expected = seconds, {"before": shape(before), "after": shape(after), "edits": before[:2]}
    return stage


def check_edits_kept(journeys: list[dict], edited: list[dict]) -> None:
    by_id = {j["id"]: j for j in journeys}
    assert by_id[edited[0]["id"]]["status"] == "confirmed", "a confirmed journey lost its confirmation"
    assert by_id[edited[1]["id"]]["name"] == "My indoor garden", "a name the user gave was lost"


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("point", range(EXTRACTION_KILLS))
def test_kill_during_extraction(point: int, warm, extraction_stage: Stage, finding):
    stage = extraction_stage
    moments = rng("extraction")
    for _ in range(point):
        moments.random()

    def complete(home: Path) -> None:
        assert shape(journeys_of(home)) == stage.expected["after"]

    home, moment, _ = kill_somewhere(warm, stage, random.Random(moments.random()), finding, on_completed=complete)
    now = journeys_of(home)
    assert shape(now) in (stage.expected["before"], stage.expected["after"]), "the journeys are half-extracted"
    check_edits_kept(now, stage.expected["edits"])
    must_succeed(run(warm, stage, home))
    again = journeys_of(home)
    assert shape(again) == stage.expected["after"]
    check_edits_kept(again, stage.expected["edits"])
    state = "the old journeys" if shape(now) == stage.expected["before"] else "the new journeys"
    finding(f"an extraction killed at {moment:.2f} s of {stage.seconds:.2f} s left {state}, edits kept", weight=0)


# A conversation that edits journeys.

@pytest.fixture(scope="module")
def edit_stage(warm: WarmProcesses, tmp_path_factory: pytest.TempPathFactory) -> Stage:
    work = tmp_path_factory.mktemp("kill-edit")
    base = work / "base"
    for argv in (["ingest", str(PERSONAS["maya"].history_path)], ["extract", "--user", USER]):
        must_succeed(warm.run([*argv, "--home", str(base)], work / "out"))
    before = journeys_of(base)
    assert len(before) >= 3
    stage = Stage(base=base, work=work, argv=["chat", "--user", USER], stdin=SCRIPT)
    home = stage.reset()
    status, seconds, child = run(warm, stage, home)
    assert status == 0, child.stderr.read_text()[-2000:]
    assert replies(child.stdout.read_text()) == len(EDITS) + 1
    after = journeys_of(home)
    check_effects(after, before, len(EDITS))
    stage.seconds, stage.expected = seconds, {"before": before, "after": shape(after)}
    return stage


def replies(stdout: str) -> int:
    return len(re.findall(r"^journeys> ", stdout, flags=re.MULTILINE))


def check_effects(journeys: list[dict], before: list[dict], count: int) -> None:
    """The first `count` edits of the script hold: their replies were printed, so the user saw them done."""
    by_id = {j["id"]: j for j in journeys}
    for text, place, name, value in EDITS[:count]:
        journey = by_id.get(before[place]["id"])
        assert journey is not None and journey[name] == value, f"“{text}” was answered but is not in the store"


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("point", range(EDIT_KILLS))
def test_kill_during_a_conversation_that_edits_journeys(point: int, warm, edit_stage: Stage, finding):
    stage = edit_stage
    moments = rng("edit")
    for _ in range(point):
        moments.random()

    def complete(home: Path) -> None:
        assert shape(journeys_of(home)) == stage.expected["after"]

    home, moment, child = kill_somewhere(warm, stage, random.Random(moments.random()), finding, on_completed=complete)
    answered = min(replies(child.stdout.read_text()), len(EDITS))
    check_effects(journeys_of(home), stage.expected["before"], answered)
    again = run(warm, stage, home)
    out = must_succeed(again)
    assert "Traceback" not in out and replies(out) == len(EDITS) + 1, out
    assert shape(journeys_of(home)) == stage.expected["after"], "the rerun did not end where a whole run ends"
    finding(f"a conversation killed at {moment:.2f} s after {answered} answered edits kept all {answered}; "
            "the rerun completed the rest", weight=0)


# Naming with the tuned model.

@pytest.fixture(scope="module")
def tuned_warm(model_cache: Path):
    processes = WarmProcesses(env={**os.environ, "JOURNEYS_NAMER": "tuned"}, tuned_namer=True)
    yield processes
    processes.close()


@pytest.fixture(scope="module")
def naming_stage(tuned_warm: WarmProcesses, tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """Theo's history, never extracted: an extraction names his journeys with the tuned model. The kills
    follow one another without a reset, so each run is the rerun of the run killed before it."""
    work = tmp_path_factory.mktemp("kill-naming")
    base = work / "base"
    must_succeed(tuned_warm.run(["ingest", str(PERSONAS["theo"].history_path), "--home", str(base)], work / "out"))
    stage = Stage(base=base, work=work, argv=["extract", "--user", "theo", "--namer", "tuned"])
    home = stage.reset()
    status, seconds, child = run(tuned_warm, stage, home)
    assert status == 0, child.stderr.read_text()[-2000:]
    after = journeys_of(home, "theo")
    assert after and all(j["name"] for j in after)
    stage.seconds, stage.expected = seconds, {"after": shape(after)}
    stage.reset()
    return stage


@pytest.mark.slow
@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("point", range(NAMING_KILLS))
def test_kill_while_the_tuned_model_names_journeys(point: int, tuned_warm, naming_stage: Stage, finding):
    stage = naming_stage
    moments = random.Random(f"{rng('naming').random()}:{point}")
    home = stage.work / "home"
    for _ in range(6):
        moment = moments.uniform(0.02, 0.9) * stage.seconds
        status, _, child = run(tuned_warm, stage, home, kill_after=moment)
        if status == -signal.SIGKILL:
            break
        assert status == 0, child.stderr.read_text()[-3000:]
        assert shape(journeys_of(home, "theo")) == stage.expected["after"]
        home = stage.reset()  # it completed before its moment: start again with nothing named
    else:
        pytest.fail(f"naming always ended before its random moment ({stage.seconds:.2f} s runs)")
    assert shape(journeys_of(home, "theo")) in ([], stage.expected["after"]), "journeys were stored half-named"
    finding(f"naming killed at {moment:.2f} s of {stage.seconds:.2f} s stored nothing half-named", weight=0)


@pytest.mark.slow
@pytest.mark.reliability(AREA)
def test_naming_reruns_to_the_end_after_the_kills(tuned_warm, naming_stage: Stage):
    """The run after the last kill (the store as the kills left it) completes with the same journeys."""
    must_succeed(run(tuned_warm, naming_stage, naming_stage.work / "home"))
    assert shape(journeys_of(naming_stage.work / "home", "theo")) == naming_stage.expected["after"]
