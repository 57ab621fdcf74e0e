"""Malformed history files: every file of tests/data/hostile/ is refused in one sentence naming the file,
the line and the reason, or imported exactly by the history format's rules, and the store is compared
before and after: nothing partial, ever. The same corpus goes through the library (Workspace.ingest)
and through `journeys ingest` (the command's main function, as the console script calls it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest
import yaml

from cli.main import main as journeys
from journeys.history.activity import HistoryFileError
from journeys.history.store import HistoryStore, open_chroma
from journeys.settings import Settings
from journeys.workspace import Workspace

CORPUS = Path(__file__).parents[1] / "data" / "hostile"
MANIFEST = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
FILES, RUNTIME = MANIFEST["files"], MANIFEST["runtime"]
CASES = {**FILES, **RUNTIME}
AREA = "Malformed history files"
# The store every case starts from: a file's import must leave these exactly as they are.
BASELINE = [
    {"user_id": "maya", "item_id": "yt:1", "title": "Ukulele chords for absolute beginners",
     "timestamp": "2026-02-03T19:12:00Z", "tags": ["ukulele"], "kind": "watch", "engagement": 0.9},
    {"user_id": "maya", "item_id": "yt:2", "title": "Strumming patterns", "timestamp": "2026-02-04T19:12:00Z"},
    {"user_id": "maya", "item_id": "yt:3", "title": "Hydroponic lettuce", "timestamp": "2026-02-05T08:00:00Z"},
    {"user_id": "omar", "item_id": "ig:1", "title": "Sourdough starter, day 3", "timestamp": "2026-01-10T07:30:00Z"},
]


@pytest.mark.reliability(AREA)
def test_the_corpus_is_large_and_every_file_has_an_expectation():
    on_disk = {p.name for p in CORPUS.iterdir()} - {"EXPECTED.yaml", "make_corpus.py", ".gitattributes", "__pycache__"}
    assert on_disk == set(FILES), f"files without an expectation: {on_disk - set(FILES)}; " \
                                  f"expectations without a file: {set(FILES) - on_disk}"
    assert len(CASES) >= 60
    for name, spec in CASES.items():
        assert ("reject" in spec) != ("import" in spec), name


def make_case(name: str, folder: Path) -> Path:
    """The path to ingest for a case: the committed file, or one made now (what git cannot hold)."""
    if name in FILES:
        return CORPUS / name
    path, how = folder / name, RUNTIME[name]["make"]
    if how == "folder":
        path.mkdir()
        (path / "inside.jsonl").write_text(json.dumps(BASELINE[0]) + "\n")
    elif how == "symlink_loop":
        path.symlink_to(path)
    elif how == "dangling_symlink":
        path.symlink_to(folder / "gone.jsonl")
    elif how == "unreadable":
        if os.geteuid() == 0:
            # chmod 000 stops no one as root: a file whose read fails (EIO) instead.
            path.symlink_to("/proc/self/mem")
        else:
            path.write_text(json.dumps(BASELINE[0]) + "\n")
            path.chmod(0)
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "long_line":
        path.write_text(json.dumps({**BASELINE[0], "item_id": "x:1"}) + "\n"
                        + json.dumps({**BASELINE[0], "item_id": "x:2", "note": "n" * 1_100_000}) + "\n")
    elif how != "nothing":
        raise AssertionError(f"unknown kind of runtime case: {how}")
    return path


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Path, dict]:
    """A home whose store holds the baseline (copied for each case), and the store's content."""
    home = tmp_path_factory.mktemp("baseline") / "home"
    source = home.parent / "baseline.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in BASELINE), encoding="utf-8")
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    assert workspace.ingest([source]).added == len(BASELINE)
    workspace.close()
    return home, store_content(home, embedder)


def store_content(home: Path, embedder) -> dict[str, tuple]:
    """Everything the store holds, by activity id: the record, the embedded text and the vector's size."""
    store = HistoryStore(open_chroma(home / "chroma"), embedder)
    try:
        got = store.collection.get(include=["metadatas", "documents", "embeddings"])
        return {aid: (json.loads(meta["record"]), meta["user_id"], doc, len(vector))
                for aid, meta, doc, vector in zip(got["ids"], got["metadatas"], got["documents"], got["embeddings"])}
    finally:
        store.close()


def fresh_home(baseline: tuple[Path, dict], folder: Path) -> Path:
    home = folder / "home"
    shutil.copytree(baseline[0], home)
    return home


def check_sentence(message: str, path: Path, expected: dict) -> None:
    """One sentence: on one line, not flooded, naming the file, the line when there is one, the reason, a fix."""
    assert "\n" not in message and "Traceback" not in message, message
    assert len(message) <= 600, f"{len(message)} characters: {message[:300]}…"
    assert str(path) in message, message
    if expected["line"] is not None:
        assert f"line {expected['line']}:" in message, message
    else:
        assert f"{path}: " in message and ", line " not in message.split(": ")[0], message
    assert expected["reason"] in message, message
    assert "; " in message, f"no fix is suggested: {message}"


def check_store(before: dict, after: dict, spec: dict) -> None:
    """The store changed exactly as the case says: not at all, or by exactly the activities imported."""
    if "reject" in spec:
        assert after == before, f"a rejected file changed the store: {len(after) - len(before)} activities more"
        return
    assert {aid: before[aid] for aid in before} == {aid: after[aid] for aid in before}, "stored activities changed"
    new = {aid: after[aid] for aid in set(after) - set(before)}
    assert len(new) == spec["import"], f"{len(new)} activities stored, expected {spec['import']}"
    for wanted in spec.get("check", []):
        matching = [record for record, *_ in after.values() if record["item_id"] == wanted["item_id"]
                    and record["user_id"] == wanted.get("user_id", record["user_id"])]
        assert len(matching) == 1, f"{len(matching)} stored activities are {wanted}"
        for name, value in wanted.items():
            assert matching[0].get(name) == value, f"{name}: stored {matching[0].get(name)!r}, expected {value!r}"
    for record, user, document, dimensions in new.values():
        assert user == record["user_id"] and document.startswith(record["title"]) and dimensions == 384


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name", list(CASES))
def test_library_import(name: str, baseline, tmp_path: Path, embedder):
    spec, path = CASES[name], make_case(name, tmp_path)
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    try:
        if "reject" in spec:
            with pytest.raises(HistoryFileError) as caught:
                workspace.ingest([path])
            check_sentence(str(caught.value), path, spec["reject"])
            assert caught.value.line == spec["reject"]["line"]
        else:
            report = workspace.ingest([path])
            assert report.added == spec["import"] and not report.skipped
    finally:
        workspace.close()
    check_store(baseline[1], store_content(home, embedder), spec)


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name", list(CASES))
def test_command_line_import(name: str, baseline, tmp_path: Path, embedder, capsys, quiet_logging):
    spec, path = CASES[name], make_case(name, tmp_path)
    home = fresh_home(baseline, tmp_path)
    code = journeys(["ingest", str(path), "--home", str(home)])
    out, err = capsys.readouterr()
    if "reject" in spec:
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 1 and len(lines) == 1 and lines[0].startswith("journeys: error: "), err[-2000:]
        check_sentence(lines[0], path, spec["reject"])
        assert not out
    else:
        assert code == 0, err[-2000:]
        assert f"{spec['import']} activities added" in out
    check_store(baseline[1], store_content(home, embedder), spec)


SKIPPING = [name for name, spec in CASES.items() if "skip_invalid" in spec]


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name", SKIPPING)
def test_skip_invalid_imports_the_rest_and_lists_every_skipped_line(name: str, baseline, tmp_path: Path, embedder):
    spec, path = CASES[name], make_case(name, tmp_path)
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    try:
        report = workspace.ingest([path], skip_invalid=True)
    finally:
        workspace.close()
    assert [s.line for s in report.skipped] == spec["skip_invalid"]["skipped"]
    assert all(s.path == path and s.reason for s in report.skipped)
    assert report.added == spec["skip_invalid"]["import"]
    check_store(baseline[1], store_content(home, embedder), {"import": spec["skip_invalid"]["import"]})


@pytest.mark.reliability(AREA)
def test_a_bad_file_among_good_ones_stores_nothing_at_all(baseline, tmp_path: Path, embedder):
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    try:
        with pytest.raises(HistoryFileError, match="line 301"):
            workspace.ingest([CORPUS / "crlf.jsonl", CORPUS / "bom.csv", CORPUS / "surrogate_title.jsonl"])
    finally:
        workspace.close()
    check_store(baseline[1], store_content(home, embedder), {"reject": True})


def many_rows(path: Path, count: int) -> Path:
    rows = [{"user_id": "zoe", "item_id": f"v:{i}", "title": f"Ukulele lesson {i}: chord {i % 7} and strum {i % 5}",
             "timestamp": 1_770_000_000 + 60 * i} for i in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.reliability("Faults while storing")
def test_ctrl_c_half_way_takes_back_what_the_file_wrote(baseline, tmp_path: Path, embedder):
    """A real SIGINT, delivered once the first batch is stored, interrupts the import; what it wrote goes."""
    history = many_rows(tmp_path / "long.jsonl", 700)
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    stored = []

    def interrupt_after_the_first_batch(count: int) -> None:
        stored.append(count)
        signal.raise_signal(signal.SIGINT)

    # Python's own Ctrl-C handling, as in a `journeys ingest` process. Once in a full run the signal did not
    # arrive: a library loaded by an earlier test in this process can leave its own handler at the C level, or
    # SIGINT blocked; re-installing Python's handler, unblocked, makes the interrupt reach the import.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        with pytest.raises(KeyboardInterrupt):
            workspace.ingest([history], on_progress=interrupt_after_the_first_batch)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGINT, previous)
        workspace.close()
    assert stored == [256]  # one batch was written before the interrupt...
    check_store(baseline[1], store_content(home, embedder), {"reject": True})  # ...and taken back


@pytest.mark.reliability("Faults while storing")
def test_a_file_that_changes_during_its_import_is_taken_back(baseline, tmp_path: Path, embedder):
    """A history still being written (rows appended after the check) is refused, and its batches removed."""
    history = many_rows(tmp_path / "growing.jsonl", 700)
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)

    def append_a_row(count: int) -> None:
        with history.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"user_id": "zoe", "item_id": "late", "title": "Late row", "timestamp": 1}) + "\n")

    try:
        with pytest.raises(HistoryFileError) as caught:
            workspace.ingest([history], on_progress=append_a_row)
    finally:
        workspace.close()
    assert "changed while it was being imported" in str(caught.value) and "\n" not in str(caught.value)
    check_store(baseline[1], store_content(home, embedder), {"reject": True})


def movielens_folder(folder: Path, movies: bytes | None = None, ratings: bytes | None = None) -> Path:
    folder.mkdir()
    (folder / "movies.csv").write_bytes(movies or b"movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n")
    (folder / "ratings.csv").write_bytes(ratings or b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n")
    return folder


def lastfm_folder(folder: Path, weights: bytes) -> Path:
    folder.mkdir()
    (folder / "artists.tsv").write_bytes(b"id\tname\turl\tpictureURL\n1\tMorcheeba\thttp://x\thttp://y\n")
    (folder / "tags.tsv").write_bytes(b"tagID\ttagValue\n1\ttrip-hop\n")
    (folder / "user_taggedartists.tsv").write_bytes(b"userID\tartistID\ttagID\tday\tmonth\tyear\n2\t1\t1\t1\t4\t2009\n")
    (folder / "user_artists.tsv").write_bytes(weights)
    return folder


# Data set folders (--format movielens or lastfm) that are not what they claim: (build, format, file, line, reason).
DATA_SETS = {
    "movielens_without_genres": (lambda f: movielens_folder(f, movies=b"movieId,title\n1,Toy Story (1995)\n"),
                                 "movielens", "movies.csv", 1, "the header lacks the column(s) genres"),
    "movielens_latin1_titles": (lambda f: movielens_folder(f, movies="movieId,title,genres\n1,Amélie (2001),Comedy\n"
                                                           .encode("latin-1")),
                                "movielens", "movies.csv", None, "is not UTF-8 text"),
    "movielens_short_rating_row": (lambda f: movielens_folder(f, ratings=b"userId,movieId,rating,timestamp\n"
                                                                         b"1,1,4.0,964982703\n2,1\n"),
                                   "movielens", "ratings.csv", 3, "2 values for 4 columns"),
    "movielens_5000_digit_time": (lambda f: movielens_folder(f, ratings=b"userId,movieId,rating,timestamp\n1,1,4.0,"
                                                                        + b"9" * 5000 + b"\n"),
                                  "movielens", "ratings.csv", 2, "'timestamp' is a number with 5000 digits"),
    "lastfm_weight_not_a_number": (lambda f: lastfm_folder(f, b"userID\tartistID\tweight\n2\t1\tlots\n"),
                                   "lastfm", "user_artists.tsv", 2, "weight 'lots' is not a number"),
}


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name", list(DATA_SETS))
@pytest.mark.parametrize("via", ["library", "command line"])
def test_a_broken_data_set_folder_is_one_sentence(name: str, via: str, baseline, tmp_path: Path, embedder, capsys,
                                                  quiet_logging):
    build, fmt, file, line, reason = DATA_SETS[name]
    folder = build(tmp_path / name)
    home = fresh_home(baseline, tmp_path)
    if via == "library":
        workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
        try:
            with pytest.raises(HistoryFileError) as caught:
                workspace.ingest([folder], fmt=fmt)
        finally:
            workspace.close()
        message = str(caught.value)
    else:
        assert journeys(["ingest", str(folder), "--format", fmt, "--home", str(home)]) == 1
        lines = [text for text in capsys.readouterr().err.splitlines() if text.strip()]
        assert len(lines) == 1 and lines[0].startswith("journeys: error: ")
        message = lines[0]
    check_sentence(message, folder / file, {"line": line, "reason": reason})
    check_store(baseline[1], store_content(home, embedder), {"reject": True})


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name", list(FILES))
def test_web_upload_import(name: str, baseline, tmp_path: Path, embedder):
    """The same corpus through the web UI's upload (Assistant.import_history, which its upload button calls):
    a refused file changes nothing; an accepted one adds only the page user's rows."""
    from agent import build_graph, open_checkpointer
    from agent.assistant import Assistant, NotThisUsersFile

    spec, path = CASES[name], make_case(name, tmp_path)
    home = fresh_home(baseline, tmp_path)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    assistant = Assistant(workspace, build_graph(workspace, checkpointer=open_checkpointer(tmp_path / "c.sqlite")))
    try:
        try:
            assistant.import_history("maya", path)
            refused = None
        except NotThisUsersFile:
            refused = "not maya's"
        except HistoryFileError as exc:
            refused = str(exc)
            if "reject" in spec:
                check_sentence(refused, path, spec["reject"])
    finally:
        workspace.close()
    after = store_content(home, embedder)
    if "reject" in spec:
        assert refused is not None, "a file the rules refuse was accepted by the upload"
        assert after == baseline[1]
        return
    new = {aid: value for aid, value in after.items() if aid not in baseline[1]}
    assert {aid: after[aid] for aid in baseline[1]} == baseline[1], "stored activities changed"
    assert all(user == "maya" for _, user, _, _ in new.values()), "an upload stored another user's rows"
    assert len(new) <= spec["import"]
    assert refused in (None, "not maya's"), f"a file the rules accept was refused by the upload: {refused}"
