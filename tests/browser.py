"""Browser fixtures for the whole run: one headless Chromium (Debian's package, driven by Playwright) and
real apps over fresh homes for it to open.

Registered once from tests/conftest.py (pytest_plugins), so every test directory shares the same
session-wide Playwright: a second sync Playwright started beside a live one refuses to run.

The browser tests drive Debian's Chromium with Playwright (the Python package; no browser
download). When /usr/bin/chromium is missing, the fixture installs Debian's `chromium`
package with apt-get (CI runs as root); where that is impossible the browser tests skip and
say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from agent import build_graph, open_checkpointer
from agent.assistant import Assistant
from journeys.demo import DEMO_CATALOGUE
from journeys.settings import Settings
from journeys.workspace import Workspace
from tests.conftest import PERSONAS
from ui.app import Person, build_app, launch

REPOSITORY = Path(__file__).resolve().parents[2]
# Screenshots of the main states, kept after the run for people to look at.
SCREENSHOTS = Path(os.environ.get("JOURNEYS_SCREENSHOTS", REPOSITORY / "test-artifacts" / "screenshots"))
# Flags that keep headless Chromium from reaching for the network (closed here) and from needing a sandbox as root.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def find_or_install_chromium() -> str:
    """The path of Debian's Chromium, installing the package when it is missing and we may."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("browser tests need Debian's chromium package (apt-get install chromium); "
                    "it is missing and this user cannot install it")
    from filelock import FileLock

    # The run's workers each reach this; apt-get allows one at a time, so they take turns and look again.
    with FileLock(os.path.join(tempfile.gettempdir(), "journeys-tests-chromium-install.lock")):
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
            result = subprocess.run(install, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(f"installing Debian's chromium failed: {result.stderr[-500:]}")
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright, for the whole run."""
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait up to 20 s for the page (Playwright's default is 5 s): with the suite on two
    # workers, a page sometimes needs longer to redraw while the other worker is busy.
    expect.set_options(timeout=20_000)
    executable = find_or_install_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def start_app(workspace: Workspace, people: list[Person], users: dict[str, str] | None = None):
    """The app over a workspace (real graph, real SQLite checkpointer), served on a free loopback port."""
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    app = build_app(Assistant(workspace, graph), people, login=users is not None)
    launch(app, "127.0.0.1", None, users, prevent_thread_lock=True, quiet=True)
    return app


@pytest.fixture
def serve(tmp_path, embedder):
    """Start apps over fresh homes with the demo's catalogue: serve(*persona_ids) -> (app, workspace), the
    personas' histories ingested and their journeys found (keyword names); closed after the test."""
    started = []

    def start(*user_ids: str, others: tuple[str, ...] = ()):
        """others: more people on the page, with no history yet."""
        home = tmp_path / f"home-{len(started)}"
        workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE),
                              embedder=embedder)
        if user_ids:
            workspace.ingest([PERSONAS[u].history_path for u in user_ids])
            for user_id in user_ids:
                workspace.extract(user_id)
        people = [Person(PERSONAS[u].user_id, PERSONAS[u].display_name, PERSONAS[u].summary) for u in user_ids]
        app = start_app(workspace, people + [Person(u) for u in others])
        started.append(app)
        return app, workspace

    yield start
    for app in started:
        app.close()


@pytest.fixture
def open_page(browser):
    """Open a page of an app in its own browser context (1400x1000): open_page(url) -> page."""
    contexts = []

    def open_(url: str, width: int = 1400, height: int = 1000):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        page.locator("#chat").wait_for()
        return page

    yield open_
    for context in contexts:
        context.close()
