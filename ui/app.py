"""The web app: chat with the agent beside a live view of the user's journeys.

Left, the conversation (streamed, and restored from the checkpointer when the page is
reloaded or the person switched), "Try your own history" and the import of a history file;
right, a card per journey with its actions (Confirm, Pause, Reject, Evidence, Suggest,
Rename), the evidence of the journey opened (inside its card), and a timeline of the
journeys. Card actions run the agent's own tools through the conversation
(Assistant.act), so chat and panel always agree.

Each visitor (the logged-in user, else the browser) has one request running at a time: a second one
sent meanwhile is answered at once with a sentence, so one person sending many messages at once cannot
take the workers the others need. Each visitor also has a budget of work per minute (Settings.request_budget,
a long message costing more than a short one): past it, requests are refused with how long to wait, so a
few people sending long messages one after another cannot slow everyone down. Chat turns and card clicks
share TURN_WORKERS workers, imports IMPORT_WORKERS of their own.

Two ways to decide whose data a page shows:
  * a persona picker (the demo, or `journeys ui`), to which "Try your own history" adds people, or
  * per-user login (`journeys ui --users FILE`): the user is the logged-in one, the picker is
    gone, and no request can reach another user's data; a page (Gradio session) belongs to the login
    that opened it, so a request from another login naming that page's session changes nothing on it.
The app only talks to the agent (agent.Assistant), never to stores.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from agent.assistant import (  # noqa: E402
    Assistant,
    ForeignJourney,
    HistoryFileError,
    ImportSummary,
    NotThisUsersFile,
    Turn,
    message_problem,
)
from ui.views import (  # noqa: E402
    about_html,
    card_html,
    chat_message,
    clear_rename_input,
    evidence_html,
    read_rename_input,
    rename_input_html,
    rename_on_enter,
    scroll_to_evidence,
    status_html,
    timeline_html,
)

WELCOME = "Ask me about your interest journeys: try “what are my journeys?”"
HISTORY_FORMAT = ("JSON Lines or CSV in the history format: one activity per line with `user_id`, `item_id`, "
                  "`title` and `timestamp` (optional: `description`, `tags`, `kind`, `engagement`, `url`).")
# Longest name "Try your own history" accepts (it becomes the user id).
MAX_NAME_CHARS = 64
# Most people a file's "which one is you?" list offers (the ones with the most activities).
MAX_FILE_PEOPLE = 500
# What a page's browser id looks like: a Gradio session hash, or 32 hex digits (ids kept by earlier versions).
BROWSER_ID = re.compile(r"[0-9a-z]{8,64}")
# The page's browser id lives in localStorage under this key, so a reload finds its conversation again.
# (Gradio encrypts BrowserState; the value is only a random conversation id, so a fixed key is enough.)
BROWSER_KEY = "journeys-browser"
BROWSER_SECRET = "journeys-conversation-id"
# Chat turns and card clicks that run at once (Gradio's queue keeps the rest waiting, first come first served).
TURN_WORKERS = 4
# History imports that run at once: embedding a file uses every core, and a long import must not hold the
# workers that chat turns need.
IMPORT_WORKERS = 1
# Gradio's queue groups (event listener options): every chat turn and card click in one, imports in another.
TURN_QUEUE = {"concurrency_id": "turn", "concurrency_limit": TURN_WORKERS}
IMPORT_QUEUE = {"concurrency_id": "import", "concurrency_limit": IMPORT_WORKERS}
# What a visitor's running request is doing, as the busy sentence says it.
ANSWERING = "answering your previous message"
CLICKING = "carrying out your last click"
IMPORTING = "importing your history file"
# Each visitor's budget of requests over the last BUDGET_WINDOW seconds (Settings.request_budget,
# JOURNEYS_REQUEST_BUDGET, 60 by default): a click or a short message costs 1, a message 1 more per
# LONG_MESSAGE_UNIT characters (2,000 characters cost 11). A person chatting or clicking through cards stays
# below it (the load benchmark's sessions, one message every 2-6 s, do); a script pasting long messages one
# after another is stopped after five.
BUDGET_WINDOW = 60.0
LONG_MESSAGE_UNIT = 200

CSS = """
.journey-card { padding: 12px 14px !important; margin-bottom: 12px !important;
  border: 1px solid var(--border-color-primary) !important; border-radius: 12px !important;
  background: var(--background-fill-primary) !important; }
.journey-card .journey-card { padding: 0 !important; margin: 0 !important; border: none !important;
  background: transparent !important; }
.journey-card .styler { background: transparent !important; gap: 8px !important; }
.journey-card .html-container { padding: 0 !important; }
.journey-card .nowrap { white-space: nowrap; }
.journey-card .card-head { font-size: 1.1em; font-weight: 600; margin-bottom: 2px; }
.journey-card .card-number { color: var(--body-text-color-subdued); }
.journey-card .card-meta { color: var(--body-text-color-subdued); font-size: 0.92em; }
.journey-card .card-status { font-weight: 600; color: var(--color-accent); }
.journey-card .status-confirmed { color: #15803d; }
.journey-card .status-paused { color: #a16207; font-style: italic; }
.journey-card .card-items { margin: 6px 0 2px 18px; padding: 0; font-size: 0.92em; }
.journey-card .card-actions, .journey-card .rename-row { gap: 6px !important; align-items: center !important;
  flex-wrap: wrap !important; }
.journey-card button { min-width: 0 !important; flex: 0 0 auto !important; padding: 4px 12px !important;
  border: 1px solid transparent !important; border-radius: 8px !important;
  box-shadow: 0 1px 2px rgba(0,0,0,.12) !important; }
.journey-card button.secondary { background: var(--background-fill-secondary) !important;
  border: 1px solid var(--border-color-primary) !important; color: var(--body-text-color) !important; }
.journey-card button.secondary:hover { border-color: var(--color-accent) !important; }
.journey-card button.evidence-open { border-color: var(--color-accent) !important;
  background: var(--color-accent-soft) !important; }
.journey-card .rename-row { flex-wrap: nowrap !important; margin-top: 4px; }
.journey-card .rename-row .rename-box { flex: 1 1 auto !important; min-width: 0 !important; }
.journey-card .rename-input { width: 100%; box-sizing: border-box; padding: 5px 9px; font: inherit;
  font-size: 0.92em; border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: var(--input-background-fill); color: var(--body-text-color); }
.journey-card .rename-input:focus { outline: 2px solid var(--color-accent-soft); border-color: var(--color-accent); }
.journey-card .evidence { scroll-margin: 24px; margin-top: 2px; padding: 8px 10px;
  border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); border-radius: 6px; max-height: 320px; overflow-y: auto; }
.journey-card .evidence .evidence-title { font-weight: 600; }
.journey-card .evidence ul { margin: 4px 0 0 16px; padding: 0; font-size: 0.92em; }
.journey-card .evidence .when { font-variant-numeric: tabular-nums; }
#timeline { padding: 10px 12px; border: 1px solid var(--border-color-primary); border-radius: 12px; }
#timeline .tl-title { font-weight: 600; margin-bottom: 6px; }
#timeline .tl-row { display: flex; align-items: center; gap: 8px; min-height: 26px;
  border-bottom: 1px dashed var(--border-color-primary); padding: 3px 0; }
#timeline .tl-row.tl-axis { border-bottom: none; min-height: 20px; }
#timeline .tl-name { flex: 0 0 38%; font-size: 0.88em; overflow-wrap: anywhere; line-height: 1.25; }
#timeline .tl-track { position: relative; flex: 1 1 auto; height: 14px; }
#timeline .tl-dot { position: absolute; top: 3px; width: 8px; height: 8px; margin-left: -4px; border-radius: 50%;
  background: var(--color-accent); opacity: .75; }
#timeline .status-paused .tl-dot { background: #a16207; }
#timeline .tl-tick { position: absolute; top: 0; font-size: 0.75em; white-space: nowrap;
  color: var(--body-text-color-subdued); border-left: 1px solid var(--border-color-primary); padding-left: 3px; }
#chat .message-content, #chat .md { white-space: pre-wrap; }
"""


@dataclass(frozen=True)
class Person:
    """Someone whose history the app can talk about: their user id, a display name and a one-line summary."""

    user_id: str
    display_name: str = ""
    summary: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.user_id})" if self.display_name else self.user_id


class People:
    """Whose histories the page may show: the people it started with, and those who tried their own history."""

    def __init__(self, people: list[Person]):
        self._by_id = {p.user_id: p for p in people}
        self.initial = frozenset(self._by_id)
        self._lock = threading.Lock()

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._by_id

    def __getitem__(self, user_id: str) -> Person:
        return self._by_id[user_id]

    def add(self, person: Person) -> None:
        with self._lock:
            self._by_id.setdefault(person.user_id, person)

    def choices(self) -> list[tuple[str, str]]:
        return [(p.label, p.user_id) for p in self._by_id.values()]

    def first(self) -> str | None:
        return next(iter(self._by_id), None)


class StillBusy(Exception):
    """The visitor already has a request running (doing: what it is doing, in words)."""

    def __init__(self, doing: str):
        super().__init__(doing)
        self.doing = doing

    def sentence(self, again: str) -> str:
        """What the visitor is told, with how to go on (again: "send this message again", ...)."""
        return f"I'm still {self.doing}, and I take one request at a time from each person: once that is done, {again}."


class TooMuch(StillBusy):
    """The visitor has spent their budget of requests for the last minute (wait: seconds until one fits)."""

    def __init__(self, wait: float):
        super().__init__("over budget")
        self.wait = wait

    def sentence(self, again: str) -> str:
        seconds = max(1, math.ceil(self.wait))
        return (f"You have sent more in the last minute than I answer from one person (so that everyone gets "
                f"answers): wait {seconds} second{'s' if seconds != 1 else ''}, then {again}.")


def request_cost(text: str = "") -> float:
    """What a request costs of its visitor's budget: 1, and 1 more per LONG_MESSAGE_UNIT characters of message."""
    return 1.0 + len(text) / LONG_MESSAGE_UNIT


class RunningRequests:
    """The one request each visitor may have running, within their budget per minute; a request over either
    is refused at once (StillBusy, TooMuch) instead of waiting in a worker, so it costs the others nothing."""

    # Visitors remembered at most before the ones with nothing spent in the window are forgotten.
    SWEEP_ABOVE = 10_000

    def __init__(self, budget: float = math.inf, window: float = BUDGET_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._doing: dict[str, str] = {}
        self._spent: dict[str, deque[tuple[float, float]]] = {}  # visitor -> (when, cost) within the window
        self.budget, self.window, self._clock = budget, window, clock
        self._lock = threading.Lock()

    def _over_budget(self, visitor: str, cost: float, now: float) -> float | None:
        """Seconds until `cost` fits the visitor's budget, or None when it fits now (then it is spent)."""
        if len(self._spent) > self.SWEEP_ABOVE:
            for who in [w for w, spent in self._spent.items() if not spent or spent[-1][0] <= now - self.window]:
                del self._spent[who]
        spent = self._spent.setdefault(visitor, deque())
        while spent and spent[0][0] <= now - self.window:
            spent.popleft()
        total = sum(c for _, c in spent)
        if total + cost <= self.budget:
            spent.append((now, cost))
            return None
        for when, c in spent:  # the oldest costs leave the window first
            total -= c
            if total + cost <= self.budget:
                return when + self.window - now
        return self.window

    @contextmanager
    def claim(self, visitor: str, doing: str, cost: float = 1.0) -> Iterator[None]:
        """Hold the visitor's one place while the block runs; raises StillBusy when it is taken, TooMuch when
        the visitor's budget for the last minute has no room for `cost`."""
        wait = None
        with self._lock:
            busy = self._doing.get(visitor)
            if busy is None:
                wait = self._over_budget(visitor, cost, self._clock())
                if wait is None:
                    self._doing[visitor] = doing
        if busy is not None:
            raise StillBusy(busy)
        if wait is not None:
            raise TooMuch(wait)
        try:
            yield
        finally:
            with self._lock:
                self._doing.pop(visitor, None)


class OtherLoginsPage(gr.Error):
    """A request names a page (Gradio session) that another login opened."""


class PageOwners:
    """Which login opened each page (Gradio session), so that a request naming another login's session (its
    hash is all Gradio's protocol asks for) is refused instead of changing that page's state."""

    # Pages remembered, the least recently used forgotten first (a forgotten page is claimed again).
    MOST = 100_000

    def __init__(self) -> None:
        self._owner: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, page: str | None, user: str) -> None:
        """Claim the page for the user on their first request from it; raises OtherLoginsPage when another
        login has it."""
        if not page:
            return
        with self._lock:
            owner = self._owner.setdefault(page, user)
            self._owner.move_to_end(page)
            while len(self._owner) > self.MOST:
                self._owner.popitem(last=False)
        if owner != user:
            raise OtherLoginsPage("This page was opened by another login, so nothing was done: reload the page "
                                  "and log in again.")


def shown(history: list[dict[str, str]]) -> list[dict[str, str]]:
    """A conversation as the chat shows it: plain text, nothing read as Markdown or HTML."""
    return [{"role": m["role"], "content": chat_message(m["content"], m.get("names"))} for m in history]


class Page:
    """What the page's events do, for whom: the user a request may see (the logged-in user, or the person
    picked), one request at a time per visitor within their budget, and each event's handler."""

    def __init__(self, assistant: Assistant, people: list[Person], login: bool):
        if not login:
            known = {p.user_id for p in people}
            people = [*people, *(Person(u) for u in assistant.users() if u not in known)]
        self.assistant, self.login, self.people = assistant, login, people
        self.everyone = People(people)
        budget = assistant.workspace.settings.request_budget
        self.running = RunningRequests(budget=budget if budget > 0 else math.inf)
        self.pages = PageOwners()

    def whose(self, picked: str | None, request: gr.Request | None) -> str:
        """The user this request may see: the logged-in user (from a page of theirs), or the picked person
        (checked)."""
        if self.login:
            user = getattr(request, "username", None)
            if not user or user not in self.everyone:
                raise gr.Error("Log in first.")
            self.pages.check(getattr(request, "session_hash", None), user)
            return user
        if not picked:
            raise gr.Error("Choose whose history to talk about first, or try your own history.")
        if picked not in self.everyone:
            raise gr.Error(f"“{picked}” is not one of the people here: choose one in “Whose history”.")
        return str(picked)

    def session_of(self, browser: str | None, request: gr.Request | None) -> str:
        """The conversation's key: this browser's id (kept across reloads), else the Gradio session."""
        return browser or getattr(request, "session_hash", None) or "api"

    def check_page(self, request: gr.Request | None) -> None:
        """With login, refuse a request from a page another login opened (before anything else is done)."""
        if self.login:
            self.whose(None, request)

    def whose_if_any(self, picked: str | None, request: gr.Request | None) -> str | None:
        """The user this request may see, or None when there is none yet (another login's page still raises)."""
        try:
            return self.whose(picked, request)
        except OtherLoginsPage:
            raise
        except gr.Error:
            return None

    def visitor(self, browser: str | None, request: gr.Request | None) -> str:
        """Who is asking, for the one-request-at-a-time rule: the logged-in user (in every tab and client),
        else this browser (or API session)."""
        if self.login:
            return "user:" + self.whose(None, request)
        return "browser:" + self.session_of(browser, request)

    def describe(self, picked: str | None, request: gr.Request) -> str:
        user = self.whose_if_any(picked, request)
        if user is None:
            return ("No history is loaded yet: open “Try your own history” below, or import one with "
                    "<code>journeys ingest</code>.")
        person = self.everyone[user]
        return about_html(person.display_name or person.user_id, person.summary, self.assistant.has_history(user))

    def restored(self, picked: str | None, browser: str | None, request: gr.Request) -> list[dict[str, str]]:
        user = self.whose_if_any(picked, request)
        if user is None:
            return []
        return shown(self.assistant.transcript(user, self.session_of(browser, request)))

    def open_page(self, stored: str | None, picked: str | None, request: gr.Request) -> tuple[Any, ...]:
        """On load: this browser's id (made once, kept in localStorage), its conversation restored, the people."""
        self.whose_if_any(picked, request)  # another login's page gets nothing
        # A new page's id is its Gradio session: a message sent before this load event finished (a busy server)
        # was kept under that session, and stays this browser's conversation after a reload.
        session = getattr(request, "session_hash", None)
        fresh = session if session and BROWSER_ID.fullmatch(str(session)) else uuid.uuid4().hex
        browser = stored if stored and BROWSER_ID.fullmatch(str(stored)) else fresh
        picker = gr.skip() if self.login else gr.Dropdown(choices=self.everyone.choices())
        return browser, browser, self.restored(picked, browser, request), self.describe(picked, request), picker

    def send(self, message: str, history: list[dict], picked: str, version: int, browser: str | None,
             request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Pass the message to the agent as the page's user and stream the reply into the chat."""
        self.check_page(request)
        text = (message or "").strip()
        if not text:
            yield "", history, version, gr.skip()
            return
        problem = message_problem(text)
        if problem:  # the text stays in the box: nothing the user typed is lost
            yield gr.skip(), [*history, {"role": "assistant", "content": chat_message(problem)}], version, gr.skip()
            return
        user = self.whose(picked, request)
        try:
            with self.running.claim(self.visitor(browser, request), ANSWERING, request_cost(text)):
                yield from self.reply(user, text, history, version, browser, request)
        except StillBusy as busy:  # the text stays in the box, as for a message too long
            said = busy.sentence("send this message again (it is still in the message box)")
            yield gr.skip(), [*history, {"role": "assistant", "content": chat_message(said)}], version, gr.skip()

    def reply(self, user: str, text: str, history: list[dict], version: int, browser: str | None,
              request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """The agent's reply to the user's message, streamed into the chat."""
        chat = [*history, {"role": "user", "content": chat_message(text)}, {"role": "assistant", "content": ""}]
        written, names = "", self.assistant.names(user)
        yield "", chat, gr.skip(), gr.skip()
        for piece in self.assistant.stream(user, self.session_of(browser, request), text):
            if isinstance(piece, Turn):
                chat[-1] = {"role": "assistant", "content": chat_message(piece.text, piece.names)}
                opened = piece.explained if piece.explained else gr.skip()
                yield "", chat, version + 1 if piece.changed else version, opened
                return
            written += piece
            chat[-1] = {"role": "assistant", "content": chat_message(written, names)}
            yield "", chat, gr.skip(), gr.skip()

    def card_action(self, owner: str, tool: str, journey_id: str, said: str, history: list[dict], picked: str,
                    browser: str | None, request: gr.Request, args: dict[str, Any] | None = None) -> tuple[list, Turn]:
        """Run a card's action for the page's user, only on a journey of theirs: a card drawn for another
        person (the page switched meanwhile) or a journey that is not theirs changes nothing."""
        user = self.whose(picked, request)
        if user != owner:
            # With login a card of another user's can only come from someone else's page: their id is not said.
            raise gr.Error("That card is not one of your journeys, so nothing was changed: reload the page."
                           if self.login
                           else f"That card was {owner}'s, but the page now shows {user}: nothing was changed.")
        try:
            with self.running.claim(self.visitor(browser, request), CLICKING):
                turn = self.assistant.act(user, self.session_of(browser, request), tool, journey_id, said, args)
        except ForeignJourney as exc:
            raise gr.Error(str(exc)) from None
        except StillBusy as busy:
            raise gr.Error(busy.sentence("click again (nothing was changed)")) from None
        chat = [*history, {"role": "user", "content": chat_message(said)},
                {"role": "assistant", "content": chat_message(turn.text, turn.names)}]
        return chat, turn

    def switch_person(self, picked: str, browser: str | None, last: dict | None,
                      request: gr.Request) -> tuple[Any, ...]:
        """Show the chosen person's own conversation (restored), summary and panel; nothing of the last one's."""
        self.whose_if_any(picked, request)  # another login's page gets nothing
        return (self.restored(picked, browser, request), self.describe(picked, request), None,
                *self.import_statuses(last, picked, request, clear=True))

    def refresh_timeline(self, picked: str, version: int, request: gr.Request) -> str:
        user = self.whose_if_any(picked, request)
        if user is None:
            return timeline_html([])
        return timeline_html(self.assistant.timeline(user))

    def refresh_import_status(self, last: dict | None, picked: str, request: gr.Request) -> tuple[Any, Any]:
        """The last import's status, with the journeys the user has now (a split or merge since changes that)."""
        return self.import_statuses(last, picked, request)

    def import_statuses(self, last: dict | None, picked: str, request: gr.Request,
                        clear: bool = False) -> tuple[Any, Any]:
        """What the two import areas say about the page's user's last import (empty, with clear, when it
        was someone else's)."""
        user = self.whose_if_any(picked, request)
        if not last or last.get("user") != user:
            return ("", "") if clear else (gr.skip(), gr.skip())
        summary = ImportSummary(last["added"], last["already_stored"], last["other_users"], last["journeys"])
        status = status_html(summary.sentence(journeys=len(self.assistant.cards(user))), ok=True)
        return (status, "") if last.get("where") == "import" else ("", status)

    def import_file(self, file: Any, picked: str, version: int, browser: str | None, request: gr.Request,
                    progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        """Import an uploaded history for the page's user, then find and name their journeys."""
        self.check_page(request)
        if file is None:
            return "", version, gr.skip()
        user = self.whose(picked, request)
        path = Path(file if isinstance(file, str) else file.name)
        try:
            with self.running.claim(self.visitor(browser, request), IMPORTING):
                summary = self.assistant.import_history(user, path,
                                                   progress=lambda share, what: progress(share, desc=what))
        except StillBusy as busy:
            return (status_html(f"Nothing was imported: {busy.sentence('upload the file again')}", ok=False),
                    version, gr.skip())
        except NotThisUsersFile as exc:
            message = (f"{path.name}: {exc.reason}; to try it as a history of your own, use “Try your own history” "
                       "above")
            gr.Warning(message)
            return status_html(f"Nothing was imported: {message}.", ok=False), version, gr.skip()
        except HistoryFileError as exc:
            message = self.failure(path, exc)
            gr.Warning(message)
            return status_html(f"Nothing was imported: {message}", ok=False), version, gr.skip()
        last = {"user": user, "where": "import", **asdict(summary)}
        return status_html(summary.sentence(), ok=True), version + 1, last

    def failure(self, path: Path, exc: HistoryFileError) -> str:
        where = f"{path.name}, line {exc.line}" if exc.line is not None else path.name
        return f"{where}: {exc.reason}; fix that and upload the file again."

    def try_own_file(self, file: Any, name: str, version: int, browser: str | None, request: gr.Request,
                     progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        """A file given to “Try your own history”: imported at once when whose it is is clear, else the question."""
        return self.try_own(file, name, None, version, browser, request, progress)

    def try_own_chosen(self, file: Any, name: str, chosen: str | None, version: int, browser: str | None,
                       request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        """The answer to “which one is you?”: that person's rows are imported."""
        self.check_page(request)
        if not chosen:
            return (gr.skip(), gr.skip(), status_html("Choose which one is you in the list first.", ok=False),
                    *(gr.skip(),) * 5)
        return self.try_own(file, name, chosen, version, browser, request, progress)

    def try_own(self, file: Any, name: str, chosen: str | None, version: int, browser: str | None, request: gr.Request,
                progress: gr.Progress) -> tuple[Any, ...]:
        """“Try your own history”, one request at a time per visitor (see try_own_history)."""
        self.check_page(request)
        if file is None:
            return gr.Dropdown(visible=False), gr.Button(visible=False), "", *(gr.skip(),) * 5
        try:
            with self.running.claim(self.visitor(browser, request), IMPORTING):
                return self.try_own_history(file, name, chosen, version, browser, request, progress)
        except StillBusy as busy:
            return (gr.skip(), gr.skip(), status_html(
                f"Nothing was imported: {busy.sentence('press Import again')}", ok=False), *(gr.skip(),) * 5)

    def try_own_history(self, file: Any, name: str, chosen: str | None, version: int, browser: str | None,
                        request: gr.Request, progress: gr.Progress) -> tuple[Any, ...]:
        """Whose history the file holds (asking when it holds several people's), then import it under the name
        given (or the file's user id, or the login), find and name the journeys, and start the chat on them."""
        keep = (gr.skip(),) * 5
        path = Path(file if isinstance(file, str) else file.name)
        name = " ".join((name or "").split())
        if len(name) > MAX_NAME_CHARS:
            return (gr.skip(), gr.skip(), status_html(
                f"Your name has {len(name)} characters, more than {MAX_NAME_CHARS}: shorten it and press Import "
                "again.", ok=False), *keep)
        try:
            found = self.assistant.people_in_file(path)
        except HistoryFileError as exc:
            return (gr.Dropdown(visible=False), gr.Button(visible=False),
                    status_html(f"Nothing was imported: {self.failure(path, exc)}", ok=False), *keep)
        if not found:
            return (gr.Dropdown(visible=False), gr.Button(visible=False), status_html(
                f"Nothing was imported: {path.name} holds no activity; add some and upload it again.", ok=False),
                    *keep)
        user = getattr(request, "username", None) if self.login else (name or None)
        only = next(iter(found)) if len(found) == 1 else None
        source = user if user in found else chosen if chosen in found else only
        if source is None:
            choices = [(f"{u} ({n:,} {'activity' if n == 1 else 'activities'})", u)
                       for u, n in list(found.items())[:MAX_FILE_PEOPLE]]
            return (gr.Dropdown(choices=choices, value=None, visible=True), gr.Button(visible=True), status_html(
                f"{path.name} holds the histories of {len(found):,} people: choose which one is yours, then "
                "press Import.", ok=True), *keep)
        user = user or source
        if not self.login and user != source and user in self.everyone.initial:
            return (gr.skip(), gr.skip(), status_html(
                f"“{user}” is already someone here: choose another name, or leave it empty to use the id in the "
                "file, and press Import again.", ok=False), *keep)
        try:
            summary = self.assistant.import_history(user, path, progress=lambda share, what: progress(share, desc=what),
                                               from_user=source)
        except HistoryFileError as exc:
            return (gr.skip(), gr.skip(), status_html(f"Nothing was imported: {self.failure(path, exc)}", ok=False), *keep)
        if not self.login:
            self.everyone.add(Person(user))
        session = self.session_of(browser, request)
        self.assistant.start(user, session)
        chat = shown(self.assistant.transcript(user, session))
        picker = gr.skip() if self.login else gr.Dropdown(choices=self.everyone.choices(), value=user)
        last = {"user": user, "where": "own", **asdict(summary)}
        return (gr.Dropdown(visible=False), gr.Button(visible=False), status_html(summary.sentence(), ok=True),
                picker, chat, self.describe(user, request), version + 1, last)


@dataclass(frozen=True)
class Controls:
    """The page's components that a journey card's events read and write."""

    chatbot: Any
    person: Any
    version: Any  # bumped by every change to the user's journeys: the panel redraws
    browser: Any  # this browser's id, whose conversations the page restores
    opened: Any  # the journey whose evidence is open in its card


def build_app(assistant: Assistant, people: list[Person], title: str = "Journeys", login: bool = False) -> gr.Blocks:
    """The Gradio app over an Assistant. people: whose data may be shown (the picker's choices, or the
    users who may log in). With login, each page shows only the logged-in user's data."""
    page = Page(assistant, people, login)
    with gr.Blocks(title=title) as app:
        version, opened, browser, last_import = gr.State(0), gr.State(None), gr.State(None), gr.State(None)
        browser_store = gr.BrowserState(None, storage_key=BROWSER_KEY, secret=BROWSER_SECRET)
        gr.Markdown(f"# {title}\nYour persistent interests, found in your own history, in your own words.")
        with gr.Row():
            with gr.Column(scale=3):
                person, about = person_picker(page)
                own = try_own_panel(page)
                chatbot = gr.Chatbot(label="Conversation", height=480, placeholder=WELCOME, elem_id="chat",
                                     render_markdown=False, latex_delimiters=[])
                message = gr.Textbox(label="Your message", placeholder="What are my journeys?", submit_btn=True,
                                     autofocus=True, elem_id="message")
                upload, import_status = import_panel()
            with gr.Column(scale=2):
                gr.Markdown("## Your journeys")
                journey_panel(page, Controls(chatbot, person, version, browser, opened))
                timeline = gr.HTML(elem_id="timeline")

        message.submit(page.send, [message, chatbot, person, version, browser], [message, chatbot, version, opened],
                       api_name="send", **TURN_QUEUE)
        person.change(page.switch_person, [person, browser, last_import],
                      [chatbot, about, opened, import_status, own["status"]],
                      api_name="switch_person").then(page.refresh_timeline, [person, version], [timeline],
                                                     api_name=False)
        upload.upload(page.import_file, [upload, person, version, browser], [import_status, version, last_import],
                      api_name="import_history", **IMPORT_QUEUE).then(page.describe, [person], [about],
                                                                      api_name=False)
        own_outputs = [own["pick"], own["go"], own["status"], person, chatbot, about, version, last_import]
        own["file"].upload(page.try_own_file, [own["file"], own["name"], version, browser], own_outputs,
                           api_name="try_own", **IMPORT_QUEUE)
        own["go"].click(page.try_own_chosen, [own["file"], own["name"], own["pick"], version, browser], own_outputs,
                        api_name="try_own_as", **IMPORT_QUEUE)
        version.change(page.refresh_timeline, [person, version], [timeline], api_name=False).then(
            page.refresh_import_status, [last_import, person], [import_status, own["status"]], api_name=False)
        app.load(page.open_page, [browser_store, person], [browser_store, browser, chatbot, about, person],
                 api_name=False)
        app.load(page.refresh_timeline, [person, version], [timeline], api_name=False)
    return app


def person_picker(page: Page) -> tuple[Any, Any]:
    """Whose history the page shows (no picker with login: its choices would list nobody), and about them."""
    with gr.Row():
        person = gr.Dropdown(
            choices=[] if page.login else page.everyone.choices(), value=None if page.login else page.everyone.first(),
            label="Whose history", allow_custom_value=True, interactive=not page.login,
            visible=not page.login, scale=1, elem_id="person",
        )
        about = gr.HTML(elem_id="about")
    return person, about


def try_own_panel(page: Page) -> dict[str, Any]:
    """“Try your own history”: a name, a file, and the question “which one is you?” for a file of several people."""
    with gr.Accordion("Try your own history", open=not page.people and not page.login, elem_id="try-own"):
        gr.Markdown(HISTORY_FORMAT + " Give your name, or leave it empty to use the user id in the "
                    "file; a file of several people asks which one is you. The journeys are found "
                    "and named, and the chat starts on them." + (
                        "" if page.login else " Your history is then one of the people in “Whose history”."))
        return {
            "name": gr.Textbox(label="Your name (optional)", visible=not page.login, max_lines=1, elem_id="own-name"),
            "file": gr.File(label="Your history file", file_types=[".jsonl", ".csv", ".json"], elem_id="own-file"),
            "pick": gr.Dropdown(label="Which one is you?", choices=[], visible=False, elem_id="own-pick"),
            "go": gr.Button("Import", variant="primary", visible=False, elem_id="own-go"),
            "status": gr.HTML(elem_id="own-status"),
        }


def import_panel() -> tuple[Any, Any]:
    """Adding a history file to the shown person's history."""
    with gr.Accordion("Add a history file to this person's history", open=False, elem_id="import"):
        gr.Markdown(HISTORY_FORMAT + " Only the rows of the person shown are imported; a file with a "
                    "bad row imports nothing and says which line to fix.")
        upload = gr.File(label="History file", file_types=[".jsonl", ".csv", ".json"], elem_id="upload")
        import_status = gr.HTML(elem_id="import-status")
    return upload, import_status


def journey_panel(page: Page, controls: Controls) -> None:
    """The user's journeys as cards, redrawn when the person, their journeys or the open evidence change."""

    @gr.render(inputs=[controls.person, controls.version, controls.opened])
    def panel(picked: str | None, _version: int, open_id: str | None, request: gr.Request) -> None:
        user = page.whose_if_any(picked, request)
        if user is None:
            gr.Markdown("Choose a person, or try your own history, to see journeys.")
            return
        cards = page.assistant.cards(user)
        # A column of this person's own: the page makes new inputs for another person's cards
        # rather than reusing (with what was typed in them) the inputs at the same places.
        with gr.Column(key=f"panel/{user}", elem_id="journey-panel"):
            if not cards:
                gr.Markdown("No journeys yet: ask “what are my journeys?” or import your history.",
                            elem_id="no-journeys")
            for card in cards:
                journey_card(page, controls, user, card, card["id"] == open_id)


def journey_card(page: Page, controls: Controls, owner: str, card: dict[str, Any], evidence_open: bool) -> None:
    """One journey's card and its buttons; each input is keyed by the person and the journey, so that
    nothing typed on one person's card appears on another's."""
    jid, name = card["id"], card["name"]
    key = f"{owner}/{jid}"
    with gr.Group(elem_classes=["journey-card"], elem_id=f"card-{jid}", key=f"{key}/card"):
        gr.HTML(card_html(card), elem_id=f"card-text-{jid}", key=f"{key}/text")
        with gr.Row(elem_classes=["card-actions"], key=f"{key}/actions"):
            buttons = {
                "confirm_journey": gr.Button(
                    "Confirm", size="sm", variant="primary", elem_id=f"confirm-{jid}",
                    interactive=card["status"] != "confirmed", key=f"{key}/confirm"),
                "pause_journey": gr.Button(
                    "Pause", size="sm", elem_id=f"pause-{jid}",
                    interactive=card["status"] != "paused", key=f"{key}/pause"),
                "reject_journey": gr.Button(
                    "Reject", size="sm", variant="stop", elem_id=f"reject-{jid}", key=f"{key}/reject"),
            }
            show = gr.Button("Hide evidence" if evidence_open else "Evidence", size="sm",
                             elem_id=f"evidence-{jid}", key=f"{key}/evidence",
                             elem_classes=["evidence-open"] if evidence_open else None)
            suggest = gr.Button("Suggest", size="sm", elem_id=f"suggest-{jid}", key=f"{key}/suggest")
        with gr.Row(elem_classes=["rename-row"], key=f"{key}/rename-row"):
            # A plain input drawn with the card's journey id and name: another journey's card
            # (another person's, or this one renamed) gets a new, empty one.
            rename_box = gr.HTML(rename_input_html(jid, name), elem_id=f"rename-text-{jid}",
                                 elem_classes=["rename-box"], key=f"{key}/rename-text",
                                 js_on_load=rename_on_enter(jid))
            rename = gr.Button("Rename", size="sm", elem_id=f"rename-{jid}", key=f"{key}/rename")
        if evidence_open:
            evidence_view(page, owner, jid, key)
    CardEvents(page, controls, owner, jid, name, evidence_open).wire(buttons, rename_box, rename, suggest, show)


def evidence_view(page: Page, owner: str, journey_id: str, key: str) -> None:
    """A journey's evidence, open inside its card."""
    gr.HTML(evidence_html(page.assistant.evidence(owner, journey_id), journey_id), elem_id="evidence",
            key=f"{key}/evidence-view")


@dataclass(frozen=True)
class CardEvents:
    """What a journey card's buttons do: each click is a turn of the conversation, about this journey only."""

    page: Page
    controls: Controls
    owner: str
    journey_id: str
    name: str
    evidence_open: bool

    def wire(self, buttons: dict[str, Any], rename_box: Any, rename: Any, suggest: Any, show: Any) -> None:
        """Attach the handlers to the card's buttons."""
        c = self.controls
        verbs = {"confirm_journey": "Confirm", "pause_journey": "Pause", "reject_journey": "Reject"}
        for tool, button in buttons.items():
            button.click(self.status_clicked(tool, f"{verbs[tool]} “{self.name}”"),
                         [c.chatbot, c.person, c.version, c.browser], [c.chatbot, c.version],
                         api_name=False, **TURN_QUEUE)
        # The box's text is read in the browser: the box is plain HTML, not a Gradio input.
        rename.click(self.renamed, [rename_box, c.chatbot, c.person, c.version, c.browser], [c.chatbot, c.version],
                     js=read_rename_input(self.journey_id), api_name=False, **TURN_QUEUE).success(
            None, None, None, js=clear_rename_input(self.journey_id), api_name=False)
        suggest.click(self.suggested, [c.chatbot, c.person, c.browser], [c.chatbot], api_name=False, **TURN_QUEUE)
        event = show.click(self.evidence_clicked, [c.chatbot, c.person, c.browser], [c.chatbot, c.opened],
                           api_name=False, **TURN_QUEUE)
        if not self.evidence_open:
            event.then(None, None, None, js=scroll_to_evidence(self.journey_id), api_name=False)

    def _act(self, tool: str, said: str, history: list[dict], picked: str, browser: str | None,
             request: gr.Request, args: dict[str, Any] | None = None) -> tuple[list, Turn]:
        return self.page.card_action(self.owner, tool, self.journey_id, said, history, picked, browser, request, args)

    def status_clicked(self, tool: str, said: str) -> Callable[..., tuple[list, int]]:
        """The handler of Confirm, Pause or Reject."""

        def clicked(history: list[dict], picked: str, version: int, browser: str | None,
                    request: gr.Request) -> tuple[list, int]:
            chat, turn = self._act(tool, said, history, picked, browser, request)
            return chat, version + 1 if turn.changed else version

        return clicked

    def renamed(self, text: str, history: list[dict], picked: str, version: int, browser: str | None,
                request: gr.Request) -> tuple[list, int]:
        if not (text or "").strip():
            raise gr.Error("Type the new name in the box next to Rename first.")
        said = f"Rename “{self.name}” to “{text.strip()}”"
        chat, turn = self._act("rename_journey", said, history, picked, browser, request, {"new_name": text.strip()})
        return chat, version + 1 if turn.changed else version

    def suggested(self, history: list[dict], picked: str, browser: str | None, request: gr.Request) -> list:
        # Suggestions change nothing, so the panel is not redrawn.
        chat, _ = self._act("recommend", f"Suggest something for “{self.name}”", history, picked, browser, request)
        return chat

    def evidence_clicked(self, history: list[dict], picked: str, browser: str | None,
                         request: gr.Request) -> tuple[list, str | None]:
        """Open the evidence in the card (the chat records the question and its answer), or close it."""
        if self.evidence_open:
            return history, None
        chat, _ = self._act("explain_journey", f"Why “{self.name}”?", history, picked, browser, request)
        return chat, self.journey_id


def read_users(path: Path) -> dict[str, str]:
    """The users who may log in: one `user_id:password` per line (# starts a comment)."""
    users: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(f"{path}, line {number}: write each user as user_id:password")
        users[user.strip()] = password
    if not users:
        raise ValueError(f"{path} lists no users; write one user_id:password per line")
    return users


def launch(app: gr.Blocks, host: str, port: int | None, users: dict[str, str] | None = None, **options: Any) -> None:
    """Serve the app (queued, several sessions at a time), with a login page when users are given."""
    import hmac

    def check(user: str, password: str) -> bool:
        expected = (users or {}).get(user)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    app.queue(default_concurrency_limit=TURN_WORKERS)
    app.launch(server_name=host, server_port=port, auth=check if users else None, css=CSS, **options)
