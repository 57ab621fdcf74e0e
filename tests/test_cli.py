"""The `journeys` command as scripts call it: help, exit codes, one-sentence errors, JSON output.

Each command runs as a real process of its own (its own stdin, stdout, stderr and exit code), forked
from a parent that has imported everything once (tests/reliability/warm_processes.py): a fresh
interpreter would spend most of each test importing torch and LangGraph again.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cli.main import COMMANDS, build_parser, plain_text
from tests.conftest import PERSONAS, write_lines
from tests.reliability.warm_processes import WarmProcesses

CONTRACT_KEYS = {"id", "name", "status", "size", "item_ids", "first_seen", "last_seen", "salient_terms", "confidence"}


_warm: list[WarmProcesses] = []  # the session's warm parent, started by the first command


@pytest.fixture(scope="module", autouse=True)
def warm_parent():
    yield
    while _warm:
        _warm.pop().close()


def run(*args: str, home: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`journeys ARGS` in a process of its own with JOURNEYS_HOME=home: its exit code, stdout and stderr."""
    if not _warm:
        _warm.append(WarmProcesses(env=dict(os.environ)))
    folder = Path(tempfile.mkdtemp(prefix="journeys-cli-", dir=home.parent if home.parent.is_dir() else None))
    status, _, child = _warm[0].run(list(args), folder, stdin=stdin or "",
                                    env={"JOURNEYS_HOME": str(home), **(env or {})}, timeout=300)
    return subprocess.CompletedProcess(["journeys", *args], status, child.stdout.read_text(encoding="utf-8"),
                                       child.stderr.read_text(encoding="utf-8"))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--help"])
    assert exited.value.code == 0


def test_namer_serve_and_eval_take_home_too():
    for args in (["namer", "serve"], ["namer", "eval"]):
        assert build_parser().parse_args([*args, "--home", "/tmp/h"]).home == Path("/tmp/h")


def test_every_command_takes_home():
    for command in COMMANDS:
        args = {"ingest": ["x.jsonl"], "extract": ["--user", "u"], "chat": ["--user", "u"],
                "name": ["--input", "in.jsonl", "--output", "out.jsonl"], "namer": ["train", "--output", "o"],
                "dialogues": ["scenarios/"], "recommend": ["--user", "u"], "understand": ["build"]}.get(command, [])
        assert build_parser().parse_args([command, *args, "--home", "/tmp/h"]).home == Path("/tmp/h")


def test_a_bad_file_gives_one_sentence_naming_file_line_and_fix(tmp_path):
    bad = write_lines(tmp_path / "bad.jsonl", ['{"user_id": "maya", "item_id": "1", "title": "x", "timestamp": "soon"}'])
    result = run("ingest", str(bad), home=tmp_path / "home")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert str(bad) in lines[0] and "line 1" in lines[0] and "--skip-invalid" in lines[0]


def test_ingest_extract_json_and_chat_from_the_command_line(tmp_path):
    home = tmp_path / "home"
    ingested = run("ingest", str(PERSONAS["theo"].history_path), home=home)
    assert ingested.returncode == 0, ingested.stderr
    assert "61 activities added" in ingested.stdout

    extracted = run("extract", "--user", "theo", "--json", home=home)
    assert extracted.returncode == 0, extracted.stderr
    journeys = json.loads(extracted.stdout)
    assert journeys and all(CONTRACT_KEYS <= set(j) for j in journeys)
    assert any("kubernetes" in " ".join([j["name"], *j["salient_terms"]]).lower() for j in journeys)

    chat = run("chat", "--user", "theo", home=home, stdin="what are my journeys?\nquit\n")
    assert chat.returncode == 0, chat.stderr
    assert "kubernetes" in chat.stdout.lower()


def test_extract_for_a_user_without_history_says_how_to_fix_it(tmp_path):
    result = run("extract", "--user", "nobody", home=tmp_path / "home")
    assert result.returncode == 1
    assert "no activity history for user 'nobody'" in result.stderr and "journeys ingest" in result.stderr


def test_name_writes_one_name_per_group_in_input_order(tmp_path):
    groups = [
        {"id": "g1", "titles": ["Sourdough starter day 3", "Why is my sourdough flat?", "Sourdough crumb shots"]},
        {"id": 2, "titles": ["Dobsonian telescope collimation", "Best telescope eyepieces"], "terms": ["telescope", "eyepiece"]},
        {"id": "g3", "titles": ["Kubernetes pods explained", "kubectl cheat sheet", "Kubernetes services"]},
    ]
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(g) for g in groups])
    result = run("name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--namer", "keywords",
                 home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    named = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [n["id"] for n in named] == ["g1", 2, "g3"]
    assert "sourdough" in named[0]["name"].lower() and "telescope" in named[1]["name"].lower()


def test_name_rejects_a_bad_group_with_its_line(tmp_path):
    source = write_lines(tmp_path / "in.jsonl", ['{"id": 1, "titles": ["a", "b"]}', '{"id": 2, "titles": "oops"}'])
    result = run("name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), home=tmp_path / "home")
    assert result.returncode == 1 and "line 2" in result.stderr and "'titles'" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.slow
def test_name_uses_the_fine_tuned_namer_by_default(tmp_path, model_cache):
    groups = [{"id": "g1", "titles": ["Dobsonian telescope collimation", "Best telescope eyepieces for planets",
                                      "Finding the Andromeda galaxy with binoculars"]}]
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(g) for g in groups])
    result = run("name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "with the tuned namer" in result.stdout
    [named] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert named["id"] == "g1" and 2 <= len(named["name"].split()) <= 6


def test_extraction_parameters_come_from_a_flag_and_a_bad_one_is_one_sentence(tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(PERSONAS["theo"].history_path), home=home).returncode == 0
    default = run("extract", "--user", "theo", "--json", "--namer", "keywords", home=home)
    communities = run("extract", "--user", "theo", "--json", "--namer", "keywords",
                      "--extraction", "isolation_z=none, min_size=1, min_span_days=0", home=home)
    assert default.returncode == 0 and communities.returncode == 0, default.stderr + communities.stderr
    # Without the isolation test every activity is placed, one-off clicks included; the default keeps them apart.
    placed = [sum(j["size"] for j in json.loads(r.stdout)) for r in (default, communities)]
    assert placed[0] < placed[1] == 61

    for bad, expected in (("neighbors=20", "unknown extraction parameter 'neighbors'"),
                          ("neighbours=many", "neighbours='many' is not a number")):
        result = run("extract", "--user", "theo", "--extraction", bad, home=home)
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr


def test_recommend_for_all_journeys_and_for_one_with_reasons(tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(PERSONAS["maya"].history_path), home=home).returncode == 0
    assert run("extract", "--user", "maya", "--namer", "keywords", home=home).returncode == 0

    mixed = run("recommend", "--user", "maya", "--k", "6", home=home)
    assert mixed.returncode == 0, mixed.stderr
    lines = mixed.stdout.strip().splitlines()
    assert len(lines) == 6 and all(line.startswith(f"{n}. ") and ": Because you " in line
                                   for n, line in enumerate(lines, start=1))
    for topic in ("ukulele", "hydroponics", "crochet"):  # the journey each is for ends the line, in brackets
        assert any(topic in line.rsplit("(", 1)[-1].lower() for line in lines), topic
    assert "sample catalogue" in mixed.stderr  # Maya is alone in her store

    one = run("recommend", "--user", "maya", "--journey", "ukulele", "--k", "3", "--json", home=home)
    assert one.returncode == 0, one.stderr
    found = json.loads(one.stdout)
    assert len(found) == 3 and all("ukulele" in r["journey_name"].lower() for r in found)
    assert set(found[0]) == {"item_id", "title", "journey_id", "journey_name", "score", "because_title", "reason"}
    history = {json.loads(line)["item_id"] for line in PERSONAS["maya"].history_path.read_text().splitlines()}
    assert not {r["item_id"] for r in found} & history

    other = write_lines(tmp_path / "catalog.jsonl", [json.dumps(
        {"user_id": "shop", "item_id": f"n{i}", "title": title, "timestamp": "2026-08-01T10:00:00Z"})
        for i, title in enumerate(["Granny square blanket, joined as you go", "Tax forms explained"])])
    from_file = run("recommend", "--user", "maya", "--catalog", str(other), "--json", home=home)
    assert from_file.returncode == 0, from_file.stderr
    assert [r["item_id"] for r in json.loads(from_file.stdout)] == ["n0"]


def test_recommend_refusals_are_one_sentence(tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(PERSONAS["theo"].history_path), home=home).returncode == 0
    no_journeys = run("recommend", "--user", "theo", home=home)
    assert no_journeys.returncode == 1 and "has no journeys yet" in no_journeys.stderr
    assert "journeys extract --user theo" in no_journeys.stderr
    assert run("extract", "--user", "theo", "--namer", "keywords", home=home).returncode == 0
    chat = run("chat", "--user", "theo", home=home, stdin="pause the marathon one\nquit\n")
    assert chat.returncode == 0 and "Paused" in chat.stdout, chat.stderr
    for journey, expected in (("cooking", "has no journey matching 'cooking'"), ("marathon", "is paused")):
        result = run("recommend", "--user", "theo", "--journey", journey, home=home)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 1 and len(lines) == 1 and expected in lines[0], result.stderr
    nobody = run("recommend", "--user", "nobody", home=home)
    assert nobody.returncode == 1 and "no activity history for user 'nobody'" in nobody.stderr


def test_chat_says_what_it_loads_answers_in_plain_text_and_says_goodbye(tmp_path):
    home = tmp_path / "home"
    assert run("ingest", str(PERSONAS["theo"].history_path), home=home).returncode == 0
    # No `extract` first: the chat finds the journeys as a named step before the first question.
    chat = run("chat", "--user", "theo", home=home, env={"JOURNEYS_NAMER": "keywords"},
               stdin="what are my journeys?\nBye!\nnot read any more\n")
    assert chat.returncode == 0, chat.stderr
    for step in ("loading the embedding model", "loading the agent", "finding and naming theo's journeys"):
        assert f"Chat: {step}" in chat.stderr, chat.stderr
    assert "kubernetes" in chat.stdout.lower() and "**" not in chat.stdout
    assert chat.stdout.strip().splitlines()[-1].startswith("journeys> Bye")


def test_markdown_replies_read_as_plain_text():
    assert plain_text("## Journeys\n1. **Kubernetes** (proposed): for example “The *best* plan”") == \
        "Journeys\n1. Kubernetes (proposed): for example “The best plan”"
    assert plain_text("* see [the guide](https://example.org/g) or `kubectl` __now__") == \
        "- see the guide (https://example.org/g) or kubectl now"
    assert plain_text("M*A*S*H, 2 * 3 and my_file stay") == "M*A*S*H, 2 * 3 and my_file stay"


def ingest_bar(stderr: str) -> tuple[int, int]:
    """Rows done and the total of the last drawing of the Ingesting bar."""
    done, total = re.findall(r"Ingesting: .*?(\d+)/(\d+)", stderr)[-1]
    return int(done), int(total)


def test_ingest_progress_counts_only_the_selected_users_rows(tmp_path):
    both = tmp_path / "both.jsonl"
    both.write_text(PERSONAS["maya"].history_path.read_text() + PERSONAS["theo"].history_path.read_text())
    result = run("ingest", str(both), "--user", "theo", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "61 activities added" in result.stdout and "75 of other users left out" in result.stdout
    assert ingest_bar(result.stderr) == (61, 61), result.stderr


def test_ingest_of_one_movielens_user_has_an_honest_estimate(tmp_path, shared_data):
    result = run("ingest", str(shared_data / "movielens-ml-latest-small"), "--format", "movielens", "--user", "ml:1",
                 home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    added = int(re.search(r"(\d+) activities added", result.stdout)[1])
    assert ingest_bar(result.stderr) == (added, added), result.stderr
    assert "100836 rows" in result.stderr  # every row is read and checked, on a bar of its own


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CACHE_HOME places the per-user cache folder on Linux")
def test_the_default_cache_is_the_per_user_cache_folder_shared_by_homes(tmp_path):
    shared = {"JOURNEYS_CACHE": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    catalogue = write_lines(tmp_path / "catalog.jsonl", [json.dumps(
        {"user_id": "shop", "item_id": "n1", "title": "Helm charts for Kubernetes", "timestamp": "2026-08-01T10:00:00Z"})])
    home = tmp_path / "home"
    assert run("ingest", str(PERSONAS["theo"].history_path), home=home).returncode == 0
    assert run("extract", "--user", "theo", "--namer", "keywords", home=home).returncode == 0
    suggested = run("recommend", "--user", "theo", "--catalog", str(catalogue), home=home, env=shared)
    assert suggested.returncode == 0, suggested.stderr
    assert list((tmp_path / "xdg" / "journeys" / "catalogues").glob("*.npy"))  # the catalogue's embeddings
    assert not (home / "cache").exists()


def test_demo_names_each_step_of_its_preparation(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "stderr.txt"
    env = {**os.environ, "JOURNEYS_HOME": str(tmp_path / "home"), "JOURNEYS_NAMER": "keywords"}
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "cli.main", "demo", "--port", str(port)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True)
        try:
            deadline = time.monotonic() + 300
            while "Journeys is running at" not in log.read_text() and process.poll() is None:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(1)
        finally:
            process.terminate()
            process.wait(timeout=30)
    printed = log.read_text()
    assert "Journeys is running at" in printed, printed[-3000:]
    steps = ["loading the embedding model", "ingesting Maya's history", "finding and naming Maya's journeys",
             "ingesting Omar's history", "finding and naming Omar's journeys", "embedding the catalogue"]
    for step in steps:
        assert f"Demo: {step}" in printed, step
    assert re.search(r"Demo: ready.*?14/14", printed), printed[-3000:]


def test_cluster_flags_refuse_bad_values_in_one_sentence(tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "mine.txt").write_text("keep")
    exported = run("namer", "export", "--output", str(used), home=tmp_path / "home")
    assert exported.returncode == 1
    assert "already exists and is not an empty folder; choose a new --output folder" in exported.stderr
    assert (used / "mine.txt").read_text() == "keep"

    wrong_url = run("extract", "--user", "maya", "--database-url", "mysql://db/journeys", home=tmp_path / "home")
    assert wrong_url.returncode == 1 and "is not a PostgreSQL URL" in wrong_url.stderr
    assert "Traceback" not in wrong_url.stderr

    (tmp_path / "nobody.txt").write_text("# no ids here\n\n")
    empty = run("batch", "--users", str(tmp_path / "nobody.txt"), home=tmp_path / "home")
    assert empty.returncode == 1 and "lists no user ids; put one user id per line" in empty.stderr


def test_understand_build_writes_the_utterances_and_a_bad_family_is_one_sentence(tmp_path):
    out = tmp_path / "utterances.jsonl"
    done = run("understand", "build", "--output", str(out), home=tmp_path / "home")
    assert done.returncode == 0 and "utterances written" in done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 3000 and {r["split"] for r in records} == {"train", "dev", "test"}
    families = tmp_path / "families"
    families.mkdir()
    (families / "mine.yaml").write_text("families:\n  - id: thanks.mine\n    intent: thank\n    say: ['ta']\n")
    done = run("understand", "build", "--families", str(families), "--output", str(out), home=tmp_path / "home")
    assert done.returncode == 1
    assert done.stderr.strip() == ("journeys: error: mine.yaml, family 'thanks.mine': intent 'thank' is not one of "
                                   + ", ".join(__import__("journeys.understanding.utterances").understanding
                                               .utterances.INTENTS))
