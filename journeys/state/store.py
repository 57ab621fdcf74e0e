"""The journey store: each user's journeys in SQL, with every change kept as an event.

Every write is one transaction. A change (an extraction, or one edit such as a merge that
touches several journeys) records one event per journey it touched, all with the same
change number, holding the journey before and after and its place in the list. `undo`
reverts the latest change of a user edit that is not undone yet, as one new change.

The store is a SQLite file by default (one machine), or a PostgreSQL database
(`postgresql://...`) that several processes on several machines share. The schema is
created on first use and versioned with Alembic (journeys/state/migrations): opening an older
store migrates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from journeys.state.journey import Journey, Status

# Alembic's record of the schema version (its own name, so a shared database can hold others').
VERSION_TABLE = "journeys_schema_version"
MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock keys: writers take turns (change numbers are never handed out twice),
# and so do processes migrating the schema.
WRITE_LOCK, MIGRATION_LOCK = 0x4A6F75726E6579, 0x4A6F75726E6D67
# Changes undo passes over: the system's own, and undos (undo again goes further back).
SYSTEM_ACTIONS = frozenset({"extracted", "dropped", "undo"})

_metadata = sa.MetaData()
JOURNEYS = sa.Table(
    "journeys", _metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("journey_id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
EVENTS = sa.Table(
    "events", _metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("journey_id", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Column("change_id", sa.Integer),
    sa.Column("position", sa.Integer),
    sa.Column("undone_by", sa.Integer),
)

# Users `journeys batch` finished, with the fingerprint of what it worked on (journeys.batch).
BATCH_DONE = sa.Table(
    "batch_done", _metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
)


def database_url(location: Path | str) -> str:
    """The SQLAlchemy URL of a store: a file path is SQLite; postgresql:// URLs use psycopg 3."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text)}"


def describe(location: Path | str) -> str:
    """The store's location for messages, without a password."""
    return sa.make_url(database_url(location)).render_as_string(hide_password=True)


# How long a SQLite connection waits for another's write lock before "database is locked".
SQLITE_LOCK_WAIT = 30.0


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_LOCK_WAIT, "check_same_thread": False})

    # SQLite transactions begin IMMEDIATE, so writers take turns (SQLAlchemy's documented recipe:
    # the driver's own transaction handling is switched off and BEGIN is emitted here).
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest version (creating it in a new store)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class Change:
    """One journey's part in a change: the journey before (None: added) and after (None: removed)."""

    before: Journey | None
    after: Journey | None
    # Where an added journey goes in the list (an undo puts a journey back in its place); None: the end.
    position: int | None = None


class JourneyStore:
    """Journeys per user in SQLite or PostgreSQL; every write is one transaction and one event per journey."""

    def __init__(self, location: Path | str):
        """Open (and create or migrate) the store: a SQLite file path, or a postgresql:// URL."""
        self.location = location
        url = database_url(location)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(url)
        migrate(self.engine)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[Connection]:
        # One transaction per operation keeps the store safe from the UI's worker threads and
        # from other processes; a writer holds the write lock (SQLite: BEGIN IMMEDIATE).
        with self.engine.begin() as db:
            if write and db.dialect.name == "postgresql":
                db.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield db

    def journeys(self, user_id: str, include_rejected: bool = False) -> list[Journey]:
        """The user's journeys in display order; rejected ones only when asked for."""
        with self._connect() as db:
            journeys = self._current(db, user_id)
        return [j for j in journeys if include_rejected or j.status is not Status.REJECTED]

    @staticmethod
    def _current(db: Connection, user_id: str) -> list[Journey]:
        rows = db.execute(sa.select(JOURNEYS.c.data).where(JOURNEYS.c.user_id == user_id)
                          .order_by(JOURNEYS.c.position, JOURNEYS.c.journey_id))
        return [Journey.from_dict(json.loads(data)) for (data,) in rows]

    def get(self, user_id: str, journey_id: str) -> Journey | None:
        """One journey of one user, or None (also when the id belongs to another user)."""
        with self._connect() as db:
            data = db.execute(sa.select(JOURNEYS.c.data).where(
                JOURNEYS.c.user_id == user_id, JOURNEYS.c.journey_id == journey_id)).scalar()
        return Journey.from_dict(json.loads(data)) if data else None

    def replace(self, user_id: str, journeys: Sequence[Journey], action: str, now: datetime | None = None) -> list[Journey]:
        """Make these the user's journeys, in this order, recording an event for each one added, changed or dropped.

        Returns the visible ones (rejected journeys are kept but hidden).
        """
        at = (now or datetime.now(timezone.utc)).isoformat()
        with self._connect(write=True) as db:
            existing = {j.id: j for j in self._current(db, user_id)}
            change = self._next_change(db)
            for position, journey in enumerate(journeys):
                before = existing.pop(journey.id, None)
                if before is None or before.to_dict() != journey.to_dict():
                    self._record(db, user_id, journey.id, at, action, before, journey, change, position)
            for journey_id, dropped in existing.items():
                self._record(db, user_id, journey_id, at, "dropped", dropped, None, change)
            db.execute(JOURNEYS.delete().where(JOURNEYS.c.user_id == user_id))
            if journeys:
                db.execute(JOURNEYS.insert(), [
                    {"user_id": user_id, "journey_id": j.id, "position": pos, "data": _json(j)}
                    for pos, j in enumerate(journeys)
                ])
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
        with self._connect(write=True) as db:
            change = self._next_change(db)
            self._apply(db, user_id, changes, action, at, change)
        return change

    def undo(self, user_id: str, now: datetime | None = None) -> tuple[str, list[Change]] | None:
        """Revert the user's latest edit that is not undone yet; returns its action and what it changed, or None."""
        at = (now or datetime.now(timezone.utc)).isoformat()
        with self._connect(write=True) as db:
            row = db.execute(
                sa.select(EVENTS.c.change_id, EVENTS.c.action)
                .where(EVENTS.c.user_id == user_id, EVENTS.c.change_id.is_not(None), EVENTS.c.undone_by.is_(None),
                       EVENTS.c.action.not_in(sorted(SYSTEM_ACTIONS)))
                .order_by(EVENTS.c.seq.desc()).limit(1)
            ).first()
            if row is None:
                return None
            undone, action = row
            events = db.execute(
                sa.select(EVENTS.c.journey_id, EVENTS.c.before, EVENTS.c.position)
                .where(EVENTS.c.user_id == user_id, EVENTS.c.change_id == undone).order_by(EVENTS.c.seq.desc())
            ).all()
            current = {j.id: j for j in self._current(db, user_id)}
            reverted: list[Change] = []
            for journey_id, before, position in events:
                restored = Journey.from_dict(json.loads(before)) if before else None
                reverted.append(Change(current.get(journey_id), restored, position))
            change = self._next_change(db)
            self._apply(db, user_id, reverted, "undo", at, change)
            db.execute(EVENTS.update().where(EVENTS.c.user_id == user_id, EVENTS.c.change_id == undone)
                       .values(undone_by=change))
        return action, reverted

    def _apply(self, db: Connection, user_id: str, changes: Sequence[Change], action: str, at: str,
               change: int) -> None:
        for part in changes:
            journey_id = (part.after or part.before).id  # type: ignore[union-attr]
            mine = (JOURNEYS.c.user_id == user_id) & (JOURNEYS.c.journey_id == journey_id)
            position = db.execute(sa.select(JOURNEYS.c.position).where(mine)).scalar()
            if part.after is None:
                db.execute(JOURNEYS.delete().where(mine))
                self._record(db, user_id, journey_id, at, action, part.before, None, change, position)
                continue
            after = part.after
            if position is not None:
                db.execute(JOURNEYS.update().where(mine).values(data=_json(after)))
            else:
                if part.position is not None:
                    # Back to its old place: the journeys from there on move down one.
                    position = part.position
                    db.execute(JOURNEYS.update()
                               .where(JOURNEYS.c.user_id == user_id, JOURNEYS.c.position >= position)
                               .values(position=JOURNEYS.c.position + 1))
                else:
                    position = db.execute(sa.select(sa.func.coalesce(sa.func.max(JOURNEYS.c.position) + 1, 0))
                                          .where(JOURNEYS.c.user_id == user_id)).scalar()
                db.execute(JOURNEYS.insert().values(user_id=user_id, journey_id=after.id, position=position,
                                                    data=_json(after)))
            self._record(db, user_id, after.id, at, action, part.before, after, change, position)

    @staticmethod
    def _next_change(db: Connection) -> int:
        return db.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.change_id), 0) + 1)).scalar()

    def events(self, user_id: str) -> list[dict]:
        """The user's change history, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                sa.select(EVENTS.c.seq, EVENTS.c.journey_id, EVENTS.c.at, EVENTS.c.action, EVENTS.c.before,
                          EVENTS.c.after, EVENTS.c.change_id, EVENTS.c.undone_by)
                .where(EVENTS.c.user_id == user_id).order_by(EVENTS.c.seq)
            ).all()
        return [
            {"seq": seq, "journey_id": jid, "at": at, "action": action,
             "before": json.loads(before) if before else None, "after": json.loads(after) if after else None,
             "change": change, "undone_by": undone_by}
            for seq, jid, at, action, before, after, change, undone_by in rows
        ]

    def has_events(self, user_id: str) -> bool:
        """Whether anything was ever stored for the user (an extraction, even one that found nothing)."""
        with self._connect() as db:
            return db.execute(sa.select(EVENTS.c.seq).where(EVENTS.c.user_id == user_id).limit(1)).first() is not None

    def users(self) -> list[str]:
        """Users that have journeys."""
        with self._connect() as db:
            return list(db.execute(sa.select(JOURNEYS.c.user_id).distinct().order_by(JOURNEYS.c.user_id)).scalars())

    def batch_fingerprint(self, user_id: str) -> str | None:
        """The fingerprint `journeys batch` recorded when it last finished the user, or None."""
        with self._connect() as db:
            return db.execute(sa.select(BATCH_DONE.c.fingerprint).where(BATCH_DONE.c.user_id == user_id)).scalar()

    def mark_batch_done(self, user_id: str, fingerprint: str, now: datetime | None = None) -> None:
        """Record that `journeys batch` finished the user on what the fingerprint describes."""
        at = (now or datetime.now(timezone.utc)).isoformat()
        with self._connect(write=True) as db:
            db.execute(BATCH_DONE.delete().where(BATCH_DONE.c.user_id == user_id))
            db.execute(BATCH_DONE.insert().values(user_id=user_id, fingerprint=fingerprint, at=at))

    @staticmethod
    def _record(db: Connection, user_id: str, journey_id: str, at: str, action: str,
                before: Journey | None, after: Journey | None, change: int, position: int | None = None) -> None:
        db.execute(EVENTS.insert().values(
            user_id=user_id, journey_id=journey_id, at=at, action=action,
            before=_json(before) if before else None, after=_json(after) if after else None,
            change_id=change, position=position,
        ))


def _json(journey: Journey) -> str:
    return json.dumps(journey.to_dict(), ensure_ascii=False)
