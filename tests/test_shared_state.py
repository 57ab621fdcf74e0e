"""Several processes on one PostgreSQL database and one Chroma server share one truth (issue 18).

Everything here is real and started by the tests on loopback: a Chroma server process, a
PostgreSQL server (pgserver), the `journeys` command in separate processes, and a local Ray
runtime for `journeys batch`.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PERSONAS

pytestmark = pytest.mark.slow


def journeys(*args: str, stdin: str | None = None, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "cli.main", *args], input=stdin, capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture
def shared(chroma_server, postgres_url, tmp_path):
    """The environment of an app process on the shared servers (each process has its own home folder)."""
    def env(name: str) -> dict:
        return {**os.environ, "JOURNEYS_HOME": str(tmp_path / name), "JOURNEYS_CHROMA_URL": chroma_server,
                "JOURNEYS_DATABASE_URL": postgres_url, "JOURNEYS_NAMER": "keywords", "PYTHONPATH": os.getcwd()}
    return env


def test_a_confirm_in_one_process_is_seen_by_another_and_undone_from_it(shared):
    journeys("ingest", str(PERSONAS["maya"].history_path), env=shared("a"))
    listed = json.loads(journeys("extract", "--user", "maya", "--json", env=shared("a")).stdout)
    first = listed[0]["name"]

    said = journeys("chat", "--user", "maya", stdin="confirm the first one\n", env=shared("a")).stdout
    assert f"Confirmed: {first}" in said

    # Another process, another home: the same journeys, and the confirm is there.
    other = journeys("chat", "--user", "maya", stdin="what are my journeys?\nundo\n", env=shared("b")).stdout
    assert first in other and "confirmed" in other.lower()
    assert "undone" in other.lower() or "undid" in other.lower(), other

    again = json.loads(journeys("extract", "--user", "maya", "--json", env=shared("a")).stdout)
    assert {j["name"]: j["status"] for j in again}[first] == "proposed", "the undo made in b holds in a"


def test_batch_on_ray_with_the_servers_equals_one_by_one_extraction(shared, tmp_path):
    users = ["maya", "theo"]
    for user in users:
        journeys("ingest", str(PERSONAS[user].history_path), env=shared("a"))
    (tmp_path / "users.txt").write_text("maya\ntheo\n")
    output = tmp_path / "journeys.jsonl"
    ran = journeys("batch", "--users", str(tmp_path / "users.txt"), "--workers", "2", "--output", str(output),
                   env=shared("batch"))
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert ran.stdout.strip().splitlines()[-1] == f"2 users, {len(lines)} journeys, 0 failed"

    for user in users:  # one by one, in another process: the same journeys, nothing changed
        single = json.loads(journeys("extract", "--user", user, "--json", env=shared("a")).stdout)
        assert sorted((j["name"], tuple(j["item_ids"])) for j in single) == \
            sorted((j["name"], tuple(j["item_ids"])) for j in lines if j["user_id"] == user)
    rerun = journeys("batch", "--users", str(tmp_path / "users.txt"), "--workers", "2", env=shared("batch"))
    assert "(2 already done)" in rerun.stdout
