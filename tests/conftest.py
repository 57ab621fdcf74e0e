"""Shared fixtures: the real embedding model (loaded once), fresh workspaces, the demo personas."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from journeys.demo import load_personas  # noqa: E402
from journeys.embedding import TextEmbedder  # noqa: E402
from journeys.settings import Settings, shared_data_dir  # noqa: E402
from journeys.workspace import Workspace  # noqa: E402

PERSONAS = {p.user_id: p for p in load_personas()}


@pytest.fixture(scope="session")
def embedder() -> TextEmbedder:
    """The real all-MiniLM-L6-v2 model, loaded once for the whole run."""
    return TextEmbedder(device="cpu")


@pytest.fixture
def workspace(tmp_path: Path, embedder: TextEmbedder) -> Workspace:
    """An empty workspace with its own embedded Chroma and journey store."""
    return Workspace(Settings(home=tmp_path / "home", device="cpu"), embedder=embedder)


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory, embedder: TextEmbedder) -> Workspace:
    """A workspace with every demo persona ingested (journeys not extracted yet); read-only for tests."""
    home = tmp_path_factory.mktemp("demo-home")
    workspace = Workspace(Settings(home=home, device="cpu"), embedder=embedder)
    workspace.ingest([p.history_path for p in PERSONAS.values()])
    return workspace


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home folder whose cache holds the dequantised Gemma 3 270M checkpoint, made once per run.

    Tests that load the language model share it (the first conversion takes about 40 s);
    they must not keep stores in it.
    """
    from journeys.language_model import checkpoint_dir

    home = tmp_path_factory.mktemp("model-home")
    checkpoint_dir(home / "cache")
    return home


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
