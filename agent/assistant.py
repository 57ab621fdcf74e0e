"""What the web UI talks to: conversations with the agent, plus read-only views of one user's journeys.

The UI never opens a store: it asks the Assistant, which reads through the workspace and
changes journeys only through the agent's tools (Conversation.ask and Conversation.act), so
chat and panel always agree. Every method takes the user whose data it is; the UI decides
who that is (the persona picked, or the logged-in user).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.session import Conversation
from journeys.activity import HistoryFileError
from journeys.journey import Journey, Status
from journeys.workspace import Workspace

# Evidence items shown for a journey (most recent first).
EVIDENCE_LIMIT = 40


@dataclass(frozen=True)
class ImportSummary:
    """What an upload did."""

    added: int
    already_stored: int
    other_users: int
    journeys: int

    def sentence(self) -> str:
        parts = [f"Imported {self.added} new activities"]
        if self.already_stored:
            parts.append(f"{self.already_stored} were already there")
        if self.other_users:
            parts.append(f"{self.other_users} rows of other users were left out")
        return "; ".join(parts) + f". You now have {self.journeys} journeys."


class Assistant:
    """The agent graph over a workspace, as the UI uses it."""

    def __init__(self, workspace: Workspace, graph: Any):
        self.workspace, self.graph = workspace, graph

    def conversation(self, user_id: str, session: str) -> Conversation:
        """The user's conversation in one browser session (resumed from the checkpointer)."""
        return Conversation(self.graph, user_id, thread_id=f"{user_id}:{session}")

    def cards(self, user_id: str, top_items: int = 3) -> list[dict[str, Any]]:
        """One card per visible journey, in list order: number, id, name, status, size, span, top items."""
        return [_card(j, n, top_items) for n, j in enumerate(self.workspace.journeys.journeys(user_id), start=1)]

    def timeline(self, user_id: str) -> list[dict[str, Any]]:
        """One row per activity of each visible journey: journey name, date, title (for the timeline plot)."""
        rows: list[dict[str, Any]] = []
        for journey in self.workspace.journeys.journeys(user_id):
            for stored in self.workspace.history.get(user_id, journey.activity_ids):
                rows.append({"journey": journey.name, "when": stored.activity.timestamp, "title": stored.activity.title})
        return rows

    def evidence(self, user_id: str, journey_id: str) -> dict[str, Any] | None:
        """A journey's items, most recent first; None when the user has no such journey."""
        journey = self.workspace.journeys.get(user_id, journey_id)
        if journey is None or journey.status is Status.REJECTED:
            return None
        items = self.workspace.history.get(user_id, journey.activity_ids)
        items.sort(key=lambda s: s.activity.timestamp, reverse=True)
        return {
            "name": journey.name,
            "salient_terms": journey.salient_terms,
            "items": [
                {"title": s.activity.title, "kind": s.activity.kind, "when": s.activity.timestamp.date().isoformat()}
                for s in items[:EVIDENCE_LIMIT]
            ],
            "total": len(items),
        }

    def has_history(self, user_id: str) -> bool:
        return self.workspace.history.count(user_id) > 0

    def import_history(self, user_id: str, path: Path, progress: Callable[[float, str], None] | None = None,
                       fmt: str | None = None) -> ImportSummary:
        """Import a history file for this user only (other users' rows are left out), then find and name
        their journeys. A bad row raises HistoryFileError before anything is written."""
        report_progress = progress or (lambda share, what: None)
        total = {"rows": 0, "done": 0}

        def on_total(count: int) -> None:
            total["rows"] = max(count, 1)
            report_progress(0.05, f"{count} activities checked")

        def on_batch(count: int) -> None:
            total["done"] += count
            report_progress(0.05 + 0.6 * total["done"] / max(total["rows"], 1), "Reading and embedding activities")

        report_progress(0.0, "Checking the file")
        report = self.workspace.ingest([path], fmt=fmt, user_id=user_id, on_progress=on_batch, on_total=on_total)
        if report.added == 0 and report.already_stored == 0:
            raise HistoryFileError(path, None, f"it has no activity for user '{user_id}'",
                                   f"; give every row the user_id '{user_id}'")
        report_progress(0.7, "Finding and naming your journeys")
        journeys = self.workspace.extract(user_id)
        report_progress(1.0, "Done")
        return ImportSummary(report.added, report.already_stored, report.other_users, len(journeys))


def _card(journey: Journey, number: int, top_items: int) -> dict[str, Any]:
    summary = journey.summary()
    return {
        "number": number,
        "id": journey.id,
        "name": journey.name,
        "status": str(journey.status),
        "size": journey.size,
        "first_seen": (summary["first_seen"] or "")[:10],
        "last_seen": (summary["last_seen"] or "")[:10],
        "active": journey.active,
        "steer": journey.metadata.get("steer"),
        "top_items": journey.representative_titles[:top_items],
        "named_by_user": journey.name_source == "user",
    }
