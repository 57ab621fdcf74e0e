"""The journey store: each user's journeys in SQLite, with every change kept as an event.

Every write is one transaction. A change (an extraction, or one edit such as a merge that
touches several journeys) records one event per journey it touched, all with the same
change number, holding the journey before and after and its place in the list. `undo`
reverts the latest change of a user edit that is not undone yet, as one new change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from dataclasses import dataclass
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
# Columns added after the first release; stores made before get them on open.
MIGRATIONS = (
    ("change_id", "ALTER TABLE events ADD COLUMN change_id INTEGER"),
    ("position", "ALTER TABLE events ADD COLUMN position INTEGER"),
    ("undone_by", "ALTER TABLE events ADD COLUMN undone_by INTEGER"),
)
# Changes undo passes over: the system's own, and undos (undo again goes further back).
SYSTEM_ACTIONS = frozenset({"extracted", "dropped", "undo"})


@dataclass(frozen=True)
class Change:
    """One journey's part in a change: the journey before (None: added) and after (None: removed)."""

    before: Journey | None
    after: Journey | None
    # Where an added journey goes in the list (an undo puts a journey back in its place); None: the end.
    position: int | None = None


class JourneyStore:
    """Journeys per user in one SQLite file; every write is one transaction and one event per journey."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
            for column, statement in MIGRATIONS:
                if column not in columns:
                    db.execute(statement)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation keeps the store safe to use from the UI's worker threads;
        # BEGIN IMMEDIATE makes writers take turns, so change numbers are never handed out twice.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
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
            change = self._next_change(db)
            for position, journey in enumerate(journeys):
                before = existing.pop(journey.id, None)
                if before is None or before.to_dict() != journey.to_dict():
                    self._record(db, user_id, journey.id, at, action, before, journey, change, position)
            for journey_id, dropped in existing.items():
                self._record(db, user_id, journey_id, at, "dropped", dropped, None, change)
            db.execute("DELETE FROM journeys WHERE user_id = ?", (user_id,))
            db.executemany(
                "INSERT INTO journeys (user_id, journey_id, position, data) VALUES (?, ?, ?, ?)",
                [(user_id, j.id, pos, json.dumps(j.to_dict(), ensure_ascii=False)) for pos, j in enumerate(journeys)],
            )
        return [j for j in journeys if j.status is not Status.REJECTED]

    def update(self, journey: Journey, action: str, now: datetime | None = None) -> Journey:
        """Store a changed journey of its user and record the change as an event named by action."""
        self.apply(journey.user_id, [Change(self.get(journey.user_id, journey.id), journey)], action, now)
        return journey

    def apply(self, user_id: str, changes: Sequence[Change], action: str, now: datetime | None = None) -> int:
        """Make several changes to one user's journeys as one change (one transaction); returns its number.

        A changed journey keeps its place in the list, an added one goes to the end (or back to
        the place it had, when an undo restores it), a removed one leaves the list.
        """
        at = (now or datetime.now(timezone.utc)).isoformat()
        with self._connect() as db:
            change = self._next_change(db)
            self._apply(db, user_id, changes, action, at, change)
        return change

    def undo(self, user_id: str, now: datetime | None = None) -> tuple[str, list[Change]] | None:
        """Revert the user's latest edit that is not undone yet; returns its action and what it changed, or None."""
        at = (now or datetime.now(timezone.utc)).isoformat()
        with self._connect() as db:
            row = db.execute(
                "SELECT change_id, action FROM events WHERE user_id = ? AND change_id IS NOT NULL "
                f"AND undone_by IS NULL AND action NOT IN ({', '.join('?' * len(SYSTEM_ACTIONS))}) "
                "ORDER BY seq DESC LIMIT 1",
                (user_id, *sorted(SYSTEM_ACTIONS)),
            ).fetchone()
            if row is None:
                return None
            undone, action = row
            events = db.execute(
                "SELECT journey_id, before, after, position FROM events WHERE user_id = ? AND change_id = ? "
                "ORDER BY seq DESC", (user_id, undone),
            ).fetchall()
            current = {
                jid: Journey.from_dict(json.loads(data)) for jid, data in
                db.execute("SELECT journey_id, data FROM journeys WHERE user_id = ?", (user_id,))
            }
            reverted: list[Change] = []
            for journey_id, before, _after, position in events:
                restored = Journey.from_dict(json.loads(before)) if before else None
                reverted.append(Change(current.get(journey_id), restored, position))
            change = self._next_change(db)
            self._apply(db, user_id, reverted, "undo", at, change)
            db.execute("UPDATE events SET undone_by = ? WHERE user_id = ? AND change_id = ?", (change, user_id, undone))
        return action, reverted

    def _apply(self, db: sqlite3.Connection, user_id: str, changes: Sequence[Change], action: str, at: str,
               change: int) -> None:
        for part in changes:
            journey_id = (part.after or part.before).id  # type: ignore[union-attr]
            row = db.execute("SELECT position FROM journeys WHERE user_id = ? AND journey_id = ?",
                             (user_id, journey_id)).fetchone()
            if part.after is None:
                db.execute("DELETE FROM journeys WHERE user_id = ? AND journey_id = ?", (user_id, journey_id))
                self._record(db, user_id, journey_id, at, action, part.before, None, change,
                             row[0] if row else None)
                continue
            after = part.after
            wanted = part.position
            if row is not None:
                position = row[0]
            elif wanted is not None:
                # Back to its old place: the journeys from there on move down one.
                db.execute("UPDATE journeys SET position = position + 1 WHERE user_id = ? AND position >= ?",
                           (user_id, wanted))
                position = wanted
            else:
                position = db.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM journeys WHERE user_id = ?",
                                      (user_id,)).fetchone()[0]
            db.execute(
                "INSERT INTO journeys (user_id, journey_id, position, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, journey_id) DO UPDATE SET data = excluded.data, position = excluded.position",
                (user_id, after.id, position, json.dumps(after.to_dict(), ensure_ascii=False)),
            )
            self._record(db, user_id, after.id, at, action, part.before, after, change, position)

    @staticmethod
    def _next_change(db: sqlite3.Connection) -> int:
        return db.execute("SELECT COALESCE(MAX(change_id), 0) + 1 FROM events").fetchone()[0]

    def events(self, user_id: str) -> list[dict]:
        """The user's change history, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT seq, journey_id, at, action, before, after, change_id, undone_by FROM events "
                "WHERE user_id = ? ORDER BY seq",
                (user_id,),
            ).fetchall()
        return [
            {"seq": seq, "journey_id": jid, "at": at, "action": action,
             "before": json.loads(before) if before else None, "after": json.loads(after) if after else None,
             "change": change, "undone_by": undone_by}
            for seq, jid, at, action, before, after, change, undone_by in rows
        ]

    def has_events(self, user_id: str) -> bool:
        """Whether anything was ever stored for the user (an extraction, even one that found nothing)."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM events WHERE user_id = ? LIMIT 1", (user_id,)).fetchone() is not None

    def users(self) -> list[str]:
        """Users that have journeys."""
        with self._connect() as db:
            return [u for (u,) in db.execute("SELECT DISTINCT user_id FROM journeys ORDER BY user_id")]

    @staticmethod
    def _record(db, user_id: str, journey_id: str, at: str, action: str,
                before: Journey | None, after: Journey | None, change: int, position: int | None = None) -> None:
        db.execute(
            "INSERT INTO events (user_id, journey_id, at, action, before, after, change_id, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, journey_id, at, action,
             json.dumps(before.to_dict(), ensure_ascii=False) if before else None,
             json.dumps(after.to_dict(), ensure_ascii=False) if after else None, change, position),
        )
