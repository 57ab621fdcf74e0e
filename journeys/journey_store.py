"""The journey store: each user's journeys in SQLite, with every change kept as an event."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from journeys.journey import Journey, Status

SCHEMA = """
CREATE TABLE IF NOT EXISTS journeys (
    user_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (user_id, journey_id)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, seq);
"""


class JourneyStore:
    """Journeys per user in one SQLite file; every write is one transaction and one event per journey."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation keeps the store safe to use from the UI's worker threads.
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db
        finally:
            db.close()

    def journeys(self, user_id: str, include_rejected: bool = False) -> list[Journey]:
        """The user's journeys in display order; rejected ones only when asked for."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT data FROM journeys WHERE user_id = ? ORDER BY position, journey_id", (user_id,)
            ).fetchall()
        journeys = [Journey.from_dict(json.loads(data)) for (data,) in rows]
        return [j for j in journeys if include_rejected or j.status is not Status.REJECTED]

    def get(self, user_id: str, journey_id: str) -> Journey | None:
        """One journey of one user, or None (also when the id belongs to another user)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT data FROM journeys WHERE user_id = ? AND journey_id = ?", (user_id, journey_id)
            ).fetchone()
        return Journey.from_dict(json.loads(row[0])) if row else None

    def replace(self, user_id: str, journeys: Sequence[Journey], action: str, now: datetime | None = None) -> list[Journey]:
        """Make these the user's journeys, in this order, recording an event for each one added, changed or dropped.

        Returns the visible ones (rejected journeys are kept but hidden).
        """
        at = (now or datetime.now(timezone.utc)).isoformat()
        existing = {j.id: j for j in self.journeys(user_id, include_rejected=True)}
        with self._connect() as db:
            for journey in journeys:
                before = existing.pop(journey.id, None)
                if before is None or before.to_dict() != journey.to_dict():
                    self._record(db, user_id, journey.id, at, action, before, journey)
            for journey_id, dropped in existing.items():
                self._record(db, user_id, journey_id, at, "dropped", dropped, None)
            db.execute("DELETE FROM journeys WHERE user_id = ?", (user_id,))
            db.executemany(
                "INSERT INTO journeys (user_id, journey_id, position, data) VALUES (?, ?, ?, ?)",
                [(user_id, j.id, pos, json.dumps(j.to_dict(), ensure_ascii=False)) for pos, j in enumerate(journeys)],
            )
        return [j for j in journeys if j.status is not Status.REJECTED]

    def update(self, journey: Journey, action: str, now: datetime | None = None) -> Journey:
        """Store a changed journey of its user and record the change as an event named by action."""
        at = (now or datetime.now(timezone.utc)).isoformat()
        before = self.get(journey.user_id, journey.id)
        with self._connect() as db:
            position = db.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM journeys WHERE user_id = ?", (journey.user_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO journeys (user_id, journey_id, position, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, journey_id) DO UPDATE SET data = excluded.data",
                (journey.user_id, journey.id, position, json.dumps(journey.to_dict(), ensure_ascii=False)),
            )
            self._record(db, journey.user_id, journey.id, at, action, before, journey)
        return journey

    def events(self, user_id: str) -> list[dict]:
        """The user's change history, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT seq, journey_id, at, action, before, after FROM events WHERE user_id = ? ORDER BY seq",
                (user_id,),
            ).fetchall()
        return [
            {"seq": seq, "journey_id": jid, "at": at, "action": action,
             "before": json.loads(before) if before else None, "after": json.loads(after) if after else None}
            for seq, jid, at, action, before, after in rows
        ]

    def users(self) -> list[str]:
        """Users that have journeys."""
        with self._connect() as db:
            return [u for (u,) in db.execute("SELECT DISTINCT user_id FROM journeys ORDER BY user_id")]

    @staticmethod
    def _record(db, user_id: str, journey_id: str, at: str, action: str,
                before: Journey | None, after: Journey | None) -> None:
        db.execute(
            "INSERT INTO events (user_id, journey_id, at, action, before, after) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, journey_id, at, action,
             json.dumps(before.to_dict(), ensure_ascii=False) if before else None,
             json.dumps(after.to_dict(), ensure_ascii=False) if after else None),
        )
