"""Shared fixtures: the real embedding model (loaded once), fresh workspaces, the demo personas.

Workspaces name journeys with the keyword namer (fast, and its names are plain salient
terms tests can reason about); the tuned default is exercised by its own tests and by the
demo's end-to-end test.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from journeys.demo import DEMO_CATALOGUE, load_personas  # noqa: E402
from journeys.history.embedding import TextEmbedder  # noqa: E402
from journeys.settings import Settings, shared_data_dir  # noqa: E402
from journeys.workspace import Workspace  # noqa: E402

PERSONAS = {p.user_id: p for p in load_personas()}

# One Chromium for the whole run, whichever directory asks for it (tests/browser.py).
pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def embedder() -> TextEmbedder:
    """The real all-MiniLM-L6-v2 model, loaded once for the whole run."""
    return TextEmbedder(device="cpu")


@pytest.fixture
def workspace(tmp_path: Path, embedder: TextEmbedder) -> Workspace:
    """An empty workspace with its own embedded Chroma and journey store."""
    return Workspace(Settings(home=tmp_path / "home", namer="keywords", device="cpu"), embedder=embedder)


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory, embedder: TextEmbedder) -> Workspace:
    """A workspace with every demo persona ingested (journeys not extracted yet); read-only for tests."""
    home = tmp_path_factory.mktemp("demo-home")
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    workspace.ingest([p.history_path for p in PERSONAS.values()])
    return workspace


_MODEL_CACHE_KEY = pytest.StashKey[tuple[Path, str | None, bool]]()
# Set by the first pytest process of a run to its model cache, so that pytest-xdist's workers (started
# from it, with its environment) share that one cache instead of each converting the model again.
RUN_CACHE = "JOURNEYS_TEST_RUN_CACHE"


def pytest_configure(config: pytest.Config) -> None:
    """One fresh model cache for the whole run (JOURNEYS_CACHE), so the language model is converted
    once; every worker, test, scenario and subprocess (the CLI, `journeys demo`, `journeys namer serve`)
    shares it. The process that made it removes it at the end."""
    inherited = os.environ.get(RUN_CACHE)
    owner = not (inherited and Path(inherited).is_dir())
    cache = Path(tempfile.mkdtemp(prefix="journeys-test-cache-")) if owner else Path(inherited)
    config.stash[_MODEL_CACHE_KEY] = (cache, os.environ.get("JOURNEYS_CACHE"), owner)
    os.environ["JOURNEYS_CACHE"] = str(cache)
    os.environ[RUN_CACHE] = str(cache)


def pytest_unconfigure(config: pytest.Config) -> None:
    cache, previous, owner = config.stash[_MODEL_CACHE_KEY]
    if not owner:
        return
    shutil.rmtree(cache, ignore_errors=True)
    os.environ.pop(RUN_CACHE, None)
    if previous is None:
        os.environ.pop("JOURNEYS_CACHE", None)
    else:
        os.environ["JOURNEYS_CACHE"] = previous


# The longest test files (each two minutes or more of a run, measured), handed to pytest-xdist's two
# workers first, so that no long file starts near the end while the other worker sits idle.
LONGEST_FIRST = (
    "tests/reliability/test_kills.py",
    "tests/reliability/test_isolation.py",
    "tests/journeys/test_namer_service.py",
    "tests/test_cli.py",
    "tests/test_shared_state.py",
    "tests/reliability/test_injection.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the longest files first (the rest keep their order); see LONGEST_FIRST."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    root = config.rootpath

    def order(item: pytest.Item) -> int:
        try:
            path = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(path, len(rank))

    items.sort(key=order)  # stable: within a file, and among the other files, the collection order stays


@pytest.fixture(scope="session")
def shared_model_cache(pytestconfig: pytest.Config) -> Path:
    """The run's model cache folder (see pytest_configure)."""
    return pytestconfig.stash[_MODEL_CACHE_KEY][0]


@pytest.fixture(scope="session")
def model_cache(shared_model_cache: Path) -> Path:
    """The shared model cache with the dequantised Gemma 3 270M checkpoint in it (about 40 s the first time)."""
    from journeys.naming.language_model import checkpoint_dir

    checkpoint_dir(shared_model_cache)
    return shared_model_cache


def with_people(workspace: Workspace, *user_ids: str) -> Workspace:
    """The workspace with these personas' histories ingested and their journeys found."""
    workspace.ingest([PERSONAS[user_id].history_path for user_id in user_ids])
    for user_id in user_ids:
        workspace.extract(user_id)
    return workspace


def write_lines(path: Path, lines: list[str]) -> Path:
    """Write text lines to a file (UTF-8) and return its path."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SHARED_DATA = shared_data_dir()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data sets (MovieLens, Last.fm, Spotify) that CI provides next to the repository."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"needs the shared data sets at {SHARED_DATA} (set JOURNEYS_SHARED_DATA); "
            "they are not part of a clone of this repository"
        )
    return SHARED_DATA


# The interest each demo catalogue item was written for, by title.
CATALOGUE_TOPIC = {row["title"]: row["topic"] for row in map(json.loads, DEMO_CATALOGUE.read_text().splitlines())}


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the run, on a local socket (pgserver ships the binaries; nothing to install)."""
    import pgserver

    # Its data lives outside pytest's numbered temporary folders: another pytest run started meanwhile on the
    # same machine deletes all but the newest three of those, and with them this server's data and socket.
    data = Path(tempfile.mkdtemp(prefix="journeys-tests-postgres-"))
    server = pgserver.get_server(data, cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server, request: pytest.FixtureRequest) -> str:
    """A new, empty database on the run's PostgreSQL server, as a postgresql:// URL."""
    import re
    import uuid

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    postgres_server.psql(f'CREATE DATABASE "{name}";')
    return postgres_server.get_uri(name)


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server process (the one chromadb ships), on a free loopback port."""
    import subprocess
    import sys
    import time

    import requests

    executable = Path(sys.executable).with_name("chroma")
    port = free_port()
    process = subprocess.Popen(
        [str(executable), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/api/v2/heartbeat", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
