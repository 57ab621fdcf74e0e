"""What the web UI talks to: conversations with the agent, plus read-only views of one user's journeys.

The UI never opens a store: it asks the Assistant, which reads through the workspace and
changes journeys only through the agent's tools (Conversation.stream and Conversation.act), so
chat and panel always agree. Every method takes the user whose data it is; the UI decides
who that is (the persona picked, or the logged-in user).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.replies import render_reply
from agent.session import Conversation
from journeys.history.activity import HistoryFileError  # raised to the UI, which imports it from here
from journeys.history.files import read_rows
from journeys.state.journey import Journey
from journeys.state.references import renumbered
from journeys.workspace import Workspace
from tools import CHANGING_TOOLS, views

# The longest message the agent reads: longer ones get one sentence back and are not sent to the agent,
# because the reply's cost (and the page's) grows with the message, and no request needs more.
MAX_MESSAGE_CHARS = 2000
# A streamed reply is handed out at most this often (seconds): each piece costs the page one update.
STREAM_INTERVAL = 0.05
# What the chat says for the user when a new history's first turn starts the conversation.
FIRST_WORDS = "What are my journeys?"


def plural(count: int, one: str, many: str | None = None) -> str:
    """“1 journey”, “2 journeys”, “1 activity”, “3 activities”: a count with its noun in agreement."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def message_problem(text: str) -> str | None:
    """Why a chat message cannot be sent to the agent (one sentence), or None when it can."""
    if len(text) > MAX_MESSAGE_CHARS:
        return (f"That message is {len(text):,} characters long and I read at most {MAX_MESSAGE_CHARS:,} at a time: "
                "shorten it and send it again (it is still in the message box).")
    return None


@dataclass(frozen=True)
class ImportSummary:
    """What an upload did."""

    added: int
    already_stored: int
    other_users: int
    journeys: int

    def sentence(self, journeys: int | None = None) -> str:
        """The summary in words; journeys: how many the user has now, when that changed since the import."""
        parts = [f"Imported {plural(self.added, 'new activity', 'new activities')}"]
        if self.already_stored:
            parts.append(f"{self.already_stored:,} {'was' if self.already_stored == 1 else 'were'} already there")
        if self.other_users:
            whose = "another user" if self.other_users == 1 else "other users"
            parts.append(f"{plural(self.other_users, 'row')} of {whose} {'was' if self.other_users == 1 else 'were'} "
                         "left out")
        count = self.journeys if journeys is None else journeys
        return "; ".join(parts) + f". You now have {plural(count, 'journey')}."


@dataclass(frozen=True)
class Turn:
    """One turn of the conversation as the page needs it: the reply, the tools called, and the journey
    whose evidence it showed (a "why …?" question, or a card's Evidence button)."""

    text: str
    tools_called: list[str] = field(default_factory=list)
    explained: str | None = None
    # The names and titles the reply was made from: the text its emphasis marks ("**…**") wrap is one of
    # them, so the page can drop those marks and show everything else (the data) exactly as it is.
    names: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        """Whether the turn changed the user's journeys (the panel then redraws)."""
        return any(name in CHANGING_TOOLS for name in self.tools_called)


def fact_strings(facts: Any) -> set[str]:
    """Every text in a tool's facts (names, titles, terms), at any depth."""
    if isinstance(facts, str):
        return {facts}
    if isinstance(facts, dict):
        return set().union(*(fact_strings(v) for v in facts.values())) if facts else set()
    if isinstance(facts, (list, tuple)):
        return set().union(*(fact_strings(v) for v in facts)) if facts else set()
    return set()


class ForeignJourney(ValueError):
    """A clicked action names a journey that is not (or no longer) on the page user's list."""


class NotThisUsersFile(HistoryFileError):
    """A history file holds no activity of the user it was imported for; users: whose rows it does hold."""

    def __init__(self, path: Path, user_id: str, users: list[str]):
        self.users = users
        whose = ", ".join(f"'{u}'" for u in users[:3]) + (" and others" if len(users) > 3 else "")
        super().__init__(path, None, f"it holds no activity of '{user_id}' (its rows are {whose})")


class Assistant:
    """The agent graph over a workspace, as the UI uses it."""

    def __init__(self, workspace: Workspace, graph: Any):
        self.workspace, self.graph = workspace, graph

    def conversation(self, user_id: str, session: str) -> Conversation:
        """The user's conversation in one browser (resumed from the checkpointer)."""
        return Conversation(self.graph, user_id, thread_id=f"{user_id}:{session}")

    # Turns -------------------------------------------------------------------------------------

    def stream(self, user_id: str, session: str, text: str) -> Iterator[str | Turn]:
        """The reply to a message as it is written: pieces of text to append (at most one per
        STREAM_INTERVAL), then the whole Turn."""
        talk = self.conversation(user_id, session)
        before, start = self._journeys(user_id), len(talk.history())
        shown, pending, last = "", "", time.monotonic()
        for partial in talk.stream(text):
            if not partial.startswith(shown + pending):
                continue  # a chat model's final text differs from what it streamed: the Turn carries it
            pending = partial[len(shown):]
            if time.monotonic() - last >= STREAM_INTERVAL:
                yield pending
                shown, pending, last = shown + pending, "", time.monotonic()
        turn = self._finish(talk, user_id, start, before)
        if turn.text.startswith(shown) and len(turn.text) > len(shown):
            yield turn.text[len(shown):]
        yield turn

    def act(self, user_id: str, session: str, tool: str, journey_id: str, said: str,
            args: dict[str, Any] | None = None) -> Turn:
        """Run a card's action on one of the user's journeys (said: the click in words, recorded in the chat).
        Raises ForeignJourney, and changes nothing, when the journey is not on the user's list."""
        if not self.owns(user_id, journey_id):
            raise ForeignJourney("That card is not one of this person's journeys any more, so nothing was changed: "
                                 "reload the page to see their journeys.")
        talk = self.conversation(user_id, session)
        before, start = self._journeys(user_id), len(talk.history())
        talk.act(tool, {"journey": journey_id, **(args or {})}, said)
        return self._finish(talk, user_id, start, before)

    def start(self, user_id: str, session: str) -> Turn:
        """Open the conversation about a history just imported: the journeys found, as a list."""
        talk = self.conversation(user_id, session)
        before, start = self._journeys(user_id), len(talk.history())
        talk.act("list_journeys", {}, FIRST_WORDS)
        return self._finish(talk, user_id, start, before)

    def transcript(self, user_id: str, session: str, limit: int = 200) -> list[dict[str, Any]]:
        """The conversation so far as the chat shows it, from the checkpointer: the user's words and the replies
        (each with the names and titles it was made from, as Turn.names)."""
        shown: list[dict[str, Any]] = []
        names = set(self.names(user_id))
        for message in self.conversation(user_id, session).history():
            if isinstance(message, HumanMessage):
                shown.append({"role": "user", "content": message.text})
                names = set(self.names(user_id))
            elif isinstance(message, ToolMessage):
                names |= fact_strings(message.artifact)
            elif isinstance(message, AIMessage) and not message.tool_calls and message.text:
                shown.append({"role": "assistant", "content": message.text, "names": frozenset(names)})
        return shown[-limit:]

    def _finish(self, talk: Conversation, user_id: str, start: int, before: list[Journey]) -> Turn:
        """The Turn a run of the graph made; when it moved journeys to other numbers, the reply says so
        (and the checkpointed reply too, so that the restored chat and a chat model read the same)."""
        new = talk.history()[start:]
        tools = [call["name"] for m in new if isinstance(m, AIMessage) for call in m.tool_calls]
        answer = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        explained = next((m.artifact["journey"]["id"] for m in reversed(new)
                          if isinstance(m, ToolMessage) and m.name == "explain_journey"
                          and isinstance(m.artifact, dict) and isinstance(m.artifact.get("journey"), dict)), None)
        text = answer.text if answer else ""
        names = {n for m in new if isinstance(m, ToolMessage) for n in fact_strings(m.artifact)}
        names |= {j.name for j in before} | set(self.names(user_id))
        if answer is not None and any(name in CHANGING_TOOLS for name in tools):
            moved = renumbered(before, self._journeys(user_id))
            if moved:
                facts = {"moved": [{"name": m.journey.name, "was": m.was, "now": m.now} for m in moved]}
                text = f"{text}\n\n{render_reply('numbers_changed', facts)}"
                self.graph.update_state({"configurable": {"thread_id": talk.thread_id}},
                                        {"messages": [AIMessage(text, id=answer.id)]}, as_node="respond")
        return Turn(text, tools, explained, frozenset(names))

    # Views of the user's journeys --------------------------------------------------------------

    def _journeys(self, user_id: str) -> list[Journey]:
        return views.listed(self.workspace, user_id)

    def names(self, user_id: str) -> list[str]:
        """The names of the user's journeys, as they are now."""
        return [j.name for j in self._journeys(user_id)]

    def owns(self, user_id: str, journey_id: str) -> bool:
        """Whether the journey is on the user's list (a rejected one is not)."""
        return views.owned(self.workspace, user_id, journey_id) is not None

    def cards(self, user_id: str, evidence: int = 3) -> list[dict[str, Any]]:
        """One card per visible journey, in list order, as the tools give them (tools/views.py), with
        `evidence` titles each."""
        return views.cards(self.workspace, user_id, evidence=evidence)

    def timeline(self, user_id: str) -> list[dict[str, Any]]:
        """Each visible journey with the dates and titles of its activities, oldest first (for the timeline)."""
        return views.timeline(self.workspace, user_id)

    def evidence(self, user_id: str, journey_id: str) -> dict[str, Any] | None:
        """A journey's items, most recent first; None when the user has no such journey."""
        journey = views.owned(self.workspace, user_id, journey_id)
        return None if journey is None else views.evidence(self.workspace, user_id, journey)

    def has_history(self, user_id: str) -> bool:
        return self.workspace.history.count(user_id) > 0

    def users(self) -> list[str]:
        """Everyone with a stored history."""
        return self.workspace.users()

    # Imports -----------------------------------------------------------------------------------

    def people_in_file(self, path: Path, fmt: str | None = None) -> dict[str, int]:
        """How many activities each user has in a history file, most first. A bad row raises
        HistoryFileError (file, line, reason) and nothing is read further."""
        counts: Counter[str] = Counter()
        for row in read_rows(path, fmt):
            if row.error is not None:
                raise HistoryFileError(row.source or path, row.line, row.error)
            counts[row.activity.user_id] += 1  # type: ignore[union-attr]
        return dict(counts.most_common())

    def import_history(self, user_id: str, path: Path, progress: Callable[[float, str], None] | None = None,
                       fmt: str | None = None, from_user: str | None = None) -> ImportSummary:
        """Import a history file for this user, then find and name their journeys. Only the user's own rows
        are imported, or, with from_user, that user's rows as this user's (trying one's own history under
        one's name). A bad row raises HistoryFileError before anything is written."""
        if from_user is None or from_user == user_id:
            return self._import(user_id, path, progress, fmt)
        with tempfile.TemporaryDirectory(prefix="journeys-upload-") as folder:
            copy, others = Path(folder) / "history.jsonl", 0
            with copy.open("w", encoding="utf-8") as out:
                for row in read_rows(path, fmt):
                    if row.error is not None:
                        raise HistoryFileError(row.source or path, row.line, row.error)
                    if row.activity.user_id != from_user:  # type: ignore[union-attr]
                        others += 1
                        continue
                    record = replace(row.activity, user_id=user_id).to_record()  # type: ignore[type-var]
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            summary = self._import(user_id, copy, progress, "jsonl", shown_as=path)
        return replace(summary, other_users=others)

    def _import(self, user_id: str, path: Path, progress: Callable[[float, str], None] | None, fmt: str | None,
                shown_as: Path | None = None) -> ImportSummary:
        report_progress = progress or (lambda share, what: None)
        total = {"rows": 0, "done": 0}

        def on_total(count: int) -> None:
            total["rows"] = max(count, 1)
            report_progress(0.05, f"{plural(count, 'activity', 'activities')} checked")

        def on_batch(count: int) -> None:
            total["done"] += count
            report_progress(0.05 + 0.6 * total["done"] / max(total["rows"], 1), "Reading and embedding activities")

        report_progress(0.0, "Checking the file")
        report = self.workspace.ingest([path], fmt=fmt, user_id=user_id, on_progress=on_batch, on_total=on_total)
        if report.added == 0 and report.already_stored == 0:
            raise NotThisUsersFile(shown_as or path, user_id, list(self.people_in_file(path, fmt)))
        report_progress(0.7, "Finding and naming your journeys")
        journeys = self.workspace.extract(user_id)
        report_progress(1.0, "Done")
        return ImportSummary(report.added, report.already_stored, report.other_users, len(journeys))

