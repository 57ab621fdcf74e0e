"""The history store against a real Chroma server, and an import killed half-way then resumed."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from journeys.history.embedding import TextEmbedder
from journeys.history.store import HistoryStore, open_chroma
from journeys.settings import Settings
from journeys.workspace import Workspace
from tests.conftest import PERSONAS, write_lines


@pytest.mark.slow
def test_the_same_code_runs_on_a_chroma_server(chroma_server, tmp_path, embedder):
    workspace = Workspace(Settings(home=tmp_path / "home", chroma_url=chroma_server), embedder=embedder)
    assert workspace.ingest([PERSONAS["maya"].history_path, PERSONAS["theo"].history_path]).added == 136
    assert not (tmp_path / "home" / "chroma").exists()  # nothing embedded locally
    hits = workspace.history.search("theo", "ukulele chords", k=10)
    assert hits and {h.activity.user_id for h in hits} == {"theo"}
    # A new client (as a new process would be) sees the same data.
    again = HistoryStore(open_chroma(url=chroma_server), embedder)
    assert again.count("maya") == 75 and again.users() == ["maya", "theo"]
    assert workspace.ingest([PERSONAS["maya"].history_path]).added == 0


@pytest.mark.slow
def test_the_command_line_ingests_into_a_chroma_server(chroma_server, tmp_path):
    env = {**os.environ, "JOURNEYS_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "ingest", str(PERSONAS["ruth"].history_path), "--chroma-url", chroma_server],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert HistoryStore(open_chroma(url=chroma_server), TextEmbedder()).count("ruth") == 73


def synthetic_history(path: Path, n: int) -> Path:
    words = "garden violin sourdough marathon kanji espresso telescope crochet bike chickens film kubernetes".split()
    lines = [
        json.dumps({"user_id": f"u{i % 7}", "item_id": f"i{i}", "timestamp": 1_700_000_000 + i * 60,
                    "title": f"{words[i % 12]} lesson {i}: {words[(i * 7) % 12]} and {words[(i * 5) % 12]} notes"})
        for i in range(n)
    ]
    return write_lines(path, lines)


@pytest.mark.slow
def test_an_import_killed_half_way_leaves_whole_batches_and_a_rerun_completes_it(tmp_path):
    total = 3000
    history = synthetic_history(tmp_path / "big.jsonl", total)
    home = tmp_path / "home"
    env = {**os.environ, "JOURNEYS_HOME": str(home)}
    command = [sys.executable, "-m", "cli.main", "ingest", str(history)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    seen = bytearray()

    def read_progress() -> None:
        while chunk := process.stderr.read1(256):
            seen.extend(chunk)

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        counts = [int(n) for n in re.findall(rb"(\d+)/3000", bytes(seen))]
        if counts and max(counts) >= 768:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"the import was not killed mid-way: {bytes(seen)[-300:]!r}"

    store = HistoryStore(open_chroma(home / "chroma"), TextEmbedder())
    partial = store.count()
    assert 0 < partial < total and partial % 256 == 0, partial  # whole batches only
    store.close()

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{total - partial} activities added; {partial} already stored" in rerun.stdout
    store = HistoryStore(open_chroma(home / "chroma"), TextEmbedder())
    ids = store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == total
    assert store.search("u3", "telescope lesson", k=3)


@pytest.mark.slow
def test_a_second_process_is_told_the_embedded_store_is_in_use(tmp_path, embedder):
    home = tmp_path / "home"
    holder = HistoryStore(open_chroma(home / "chroma"), embedder)
    env = {**os.environ, "JOURNEYS_HOME": str(home)}
    command = [sys.executable, "-m", "cli.main", "ingest", str(PERSONAS["maya"].history_path)]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1
    assert "in use by another process" in refused.stderr and "--chroma-url" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    holder.close()
    accepted = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert accepted.returncode == 0, accepted.stderr
