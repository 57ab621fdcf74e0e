"""The remote namer: a real `journeys namer serve` process, and hosts that are down, slow or broken."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from journeys.naming.backends import KeywordNamer, NamingRequest, RemoteNamer, TunedNamer, make_namer
from journeys.settings import Settings
from tests.conftest import PERSONAS, write_lines

GROUPS = [
    NamingRequest(titles=["Ukulele chords for absolute beginners", "How to strum reggae upstroke on ukulele",
                          "Best soprano ukulele under $100"], terms=["ukulele", "chords"]),
    NamingRequest(titles=["Dobsonian telescope collimation", "Best telescope eyepieces for planets",
                          "Finding the Andromeda galaxy with binoculars"], terms=["telescope", "eyepieces"]),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def namer_host(model_cache: Path):
    """`journeys namer serve --device cpu` running as its own process on a free port."""
    port = free_port()
    env = {**os.environ, "JOURNEYS_HOME": str(model_cache.parent / "namer-home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "namer", "serve", "--device", "cpu", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"journeys namer serve exited: {process.stderr.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("journeys namer serve did not answer within 180 s")
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.slow
def test_the_remote_namer_gives_the_same_names_as_the_local_tuned_namer(namer_host, model_cache):
    remote = RemoteNamer(namer_host, fallback=KeywordNamer(), timeout=60)
    names = remote.name_many(GROUPS)
    local = TunedNamer(model_cache, device="cpu").name_many(GROUPS)
    assert [n.source for n in names] == ["remote", "remote"]
    assert [n.name for n in names] == [n.name for n in local]
    assert remote.last_fallback is None and not any("remote_fallback" in n.metadata for n in names)


@pytest.mark.slow
def test_the_service_speaks_the_openai_completions_api(namer_host):
    models = httpx.get(f"{namer_host}/v1/models").json()
    assert [m["id"] for m in models["data"]] == ["journeys-namer"]
    answer = httpx.post(f"{namer_host}/v1/completions",
                        json={"model": "journeys-namer", "prompt": "Items: a; b\nName:", "max_tokens": 4}, timeout=60)
    body = answer.json()
    assert answer.status_code == 200 and body["object"] == "text_completion"
    assert len(body["choices"]) == 1 and isinstance(body["choices"][0]["text"], str)
    assert body["usage"]["completion_tokens"] <= 4
    refused = httpx.post(f"{namer_host}/v1/completions", json={"prompt": []}, timeout=10)
    assert refused.status_code == 422


@pytest.mark.slow
def test_journeys_name_with_the_remote_namer(namer_host, tmp_path):
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": i, "titles": list(g.titles)})
                                                 for i, g in enumerate(GROUPS)])
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"),
         "--namer", "remote", "--namer-url", namer_host, "--home", str(tmp_path / "home")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "with the remote namer" in result.stdout and "warning" not in result.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [0, 1]


def test_a_host_that_is_down_falls_back_to_the_local_namer_visibly(caplog):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    remote = RemoteNamer(url, fallback=KeywordNamer(), timeout=2, retries=1)
    with caplog.at_level(logging.WARNING, logger="journeys.naming.backends"):
        names = remote.name_many(GROUPS)
    assert [n.name for n in names] == [n.name for n in KeywordNamer().name_many(GROUPS)]
    assert all(n.source == "keywords" and "cannot reach" in n.metadata["remote_fallback"] for n in names)
    assert "cannot reach the remote namer" in remote.last_fallback and "2 attempts" in remote.last_fallback
    assert "naming 2 group(s) with the local keywords namer" in caplog.text


def test_the_command_line_says_when_it_fell_back(tmp_path):
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": 1, "titles": list(GROUPS[0].titles)})])
    env = {**os.environ, "JOURNEYS_NAMER_FALLBACK": "keywords", "JOURNEYS_NAMER_RETRIES": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"),
         "--namer", "remote", "--namer-url", f"http://127.0.0.1:{free_port()}", "--home", str(tmp_path / "home")],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "journeys: warning: cannot reach the remote namer" in result.stderr
    assert "1 of them were named locally" in result.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text())["name"]


class ScriptedHost:
    """A real HTTP server on loopback whose answers a test scripts: 'hang', an HTTP status, or 'ok'."""

    def __init__(self, script: list[str | int], honours_n: bool = True):
        self.script, self.requests, self.honours_n = list(script), 0, honours_n
        self.bodies: list[dict] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                host.requests += 1
                step = host.script.pop(0) if host.script else "ok"
                if step == "hang":
                    time.sleep(3)
                    return
                if step == "garbage":
                    self._send(200, b"{not json")
                    return
                if step != "ok":
                    self._send(int(step), b'{"error": "scripted"}')
                    return
                host.bodies.append(body)
                n = body.get("n", 1) if host.honours_n else 1
                # Answer j to prompt i is "<the prompt's first word> option <j>", at index i * n + j.
                choices = [{"index": i * n + j, "finish_reason": "stop",
                            "text": f" scripted name {i}" if n == 1 else
                            f" {prompt.split()[1].lower()} option {'abcdefgh'[j]}"}
                           for i, prompt in enumerate(body["prompt"]) for j in range(n)]
                self._send(200, json.dumps({"object": "text_completion", "choices": choices[::-1]}).encode())

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    hosts: list[ScriptedHost] = []

    def start(*script: str | int, honours_n: bool = True) -> ScriptedHost:
        hosts.append(ScriptedHost(list(script), honours_n))
        return hosts[-1]

    yield start
    for host in hosts:
        host.close()


def test_a_server_error_is_retried_and_answers_are_put_back_in_prompt_order(scripted):
    host = scripted(503, "ok")
    names = RemoteNamer(host.url, fallback=KeywordNamer(), timeout=5, retries=2, candidates=1).name_many(GROUPS)
    assert host.requests == 2
    assert [n.name for n in names] == ["Scripted name 0", "Scripted name 1"]  # the host answered in reverse
    assert all(n.source == "remote" for n in names)


def test_the_remote_namer_asks_for_beams_and_chooses_among_each_prompts_own(scripted):
    host = scripted("ok")
    names = RemoteNamer(host.url, fallback=KeywordNamer(), timeout=30, candidates=3).name_many(GROUPS)
    assert host.bodies[0]["n"] == 3 and host.bodies[0]["use_beam_search"] is True
    # The answers came in reverse order: each group still chose among its own prompt's answers (or its terms).
    assert "ukulele" in names[0].name.lower() and "telescope" not in names[0].name.lower()
    assert any(word in names[1].name.lower() for word in ("dobsonian", "telescope"))
    assert all(n.source == "remote" and n.metadata["host"] == host.url for n in names)


def test_a_host_that_ignores_n_gives_one_candidate_per_prompt(scripted):
    host = scripted("ok", honours_n=False)
    names = RemoteNamer(host.url, fallback=KeywordNamer(), timeout=30, candidates=3).name_many(GROUPS)
    assert all(n.source == "remote" and "remote_fallback" not in n.metadata for n in names)
    assert names[0].name in ("Scripted name 0", "Ukulele & chords")


def test_a_slow_host_times_out_and_the_groups_are_still_named(scripted):
    host = scripted("hang", "hang", "hang")
    started = time.monotonic()
    names = RemoteNamer(host.url, fallback=KeywordNamer(), timeout=0.5, retries=1).name_many(GROUPS)
    assert time.monotonic() - started < 3
    assert host.requests == 2  # the first try and one retry
    assert all("within 0.5 s" in n.metadata["remote_fallback"] for n in names)


def test_a_refused_or_malformed_answer_is_not_retried_and_falls_back(scripted):
    for step, reason in ((400, "HTTP 400"), ("garbage", "malformed")):
        host = scripted(step)
        names = RemoteNamer(host.url, fallback=KeywordNamer(), retries=3).name_many(GROUPS)
        assert host.requests == 1
        assert all(reason in n.metadata["remote_fallback"] for n in names)


def test_after_a_failure_the_host_is_left_alone_for_a_while(scripted):
    host = scripted(503, 503)
    remote = RemoteNamer(host.url, fallback=KeywordNamer(), retries=1, retry_after=60)
    remote.name_many(GROUPS)
    remote.name_many(GROUPS)
    assert host.requests == 2  # the second call did not try the host again


def test_settings_choose_the_remote_host_and_its_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYS_NAMER_URL", "http://gpu-box:9000")
    monkeypatch.setenv("JOURNEYS_NAMER_TIMEOUT", "2.5")
    monkeypatch.setenv("JOURNEYS_NAMER_FALLBACK", "keywords")
    namer = make_namer("remote", Settings.from_env(home=tmp_path))
    assert isinstance(namer, RemoteNamer) and namer.url == "http://gpu-box:9000" and namer.timeout == 2.5
    assert namer.fallback.backend == "keywords"
    monkeypatch.setenv("JOURNEYS_NAMER_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="JOURNEYS_NAMER_TIMEOUT='soon' is not a number"):
        Settings.from_env(home=tmp_path)


@pytest.mark.slow
def test_journeys_batch_on_ray_names_through_the_remote_namer_as_the_local_tuned_namer_does(namer_host, tmp_path):
    """`journeys batch --namer remote`: every Ray worker names through the host, with the names the local tuned
    namer gives (the same model; the host on this CPU runs it as the local namer does)."""
    def journeys(*args: str, home: str = "batch") -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "cli.main", *args, "--home", str(tmp_path / home)],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    journeys("ingest", str(PERSONAS["maya"].history_path), str(PERSONAS["theo"].history_path))
    journeys("ingest", str(PERSONAS["maya"].history_path), home="local")
    output = tmp_path / "journeys.jsonl"
    ran = journeys("batch", "--workers", "2", "--namer", "remote", "--namer-url", namer_host, "--output", str(output))
    assert "fell back" not in ran.stderr and "warning" not in ran.stderr.lower(), ran.stderr[-2000:]  # nor Ray's
    batch = [json.loads(line) for line in output.read_text().splitlines()]
    assert ran.stdout.strip().splitlines()[-1] == f"2 users, {len(batch)} journeys, 0 failed"
    assert {j["user_id"] for j in batch} == {"maya", "theo"}
    local = json.loads(journeys("extract", "--user", "maya", "--namer", "tuned", "--json", home="local").stdout)
    assert sorted(j["name"] for j in local) == sorted(j["name"] for j in batch if j["user_id"] == "maya")
