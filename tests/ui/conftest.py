"""Fixtures of the UI tests: the demo app on a free port, and where screenshots are kept.

The browser itself, `serve` and `open_page` live in tests/browser.py (shared with other test directories).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeys.demo import DEMO_CATALOGUE
from journeys.settings import Settings
from journeys.workspace import Workspace
from tests.browser import SCREENSHOTS, start_app
from tests.conftest import PERSONAS
from ui.app import Person


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, embedder):
    """The app as `journeys demo` serves it (with its catalogue), on a free loopback port, over Maya and Theo
    (keyword names)."""
    home = tmp_path_factory.mktemp("ui-home")
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE),
                          embedder=embedder)
    people = [PERSONAS["maya"], PERSONAS["theo"]]
    workspace.ingest([p.history_path for p in people])
    for person in people:
        workspace.extract(person.user_id)
    app = start_app(workspace, [Person(p.user_id, p.display_name, p.summary) for p in people])
    try:
        yield app, workspace
    finally:
        app.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
