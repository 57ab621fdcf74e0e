"""`journeys batch`: every user's journeys found, named and saved, in parallel on Ray.

Each user is one unit of work: read their history, extract, name, save (the same steps as
`journeys extract`, so the results are the same). Workers are Ray actors, each holding its
own models (embedder and namer, loaded once), on a local Ray runtime or an existing cluster
(`ray_address`). With one worker and no cluster the users are worked through in this
process, without Ray.

Where the history is read: with a Chroma server (`chroma_url`) every worker reads its users'
histories itself; an embedded Chroma store belongs to one process, so this process reads
each history and hands it to a worker.

Resumable and idempotent: when a user is finished, the journey store records a fingerprint
of what their journeys were found from (their activity ids and the extraction and naming
settings). A rerun skips every user whose fingerprint is unchanged, so a killed run started
again finishes the rest, and a second run writes nothing. New activity or other settings
change the fingerprint, and the user is done again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from journeys.history.store import StoredActivity
from journeys.settings import Settings
from journeys.state.store import JourneyStore

log = logging.getLogger(__name__)


@dataclass
class UserResult:
    """One user's outcome: their journeys (as `journeys extract --json` gives them), or why they failed."""

    user_id: str
    journeys: list[dict[str, Any]] = field(default_factory=list)
    skipped: bool = False  # finished by an earlier run on the same history and settings
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went, by stage
    busy_store: bool = False  # failed because the store was busy or unreachable: worth another try


@dataclass
class BatchReport:
    """What a batch run did."""

    users: int = 0
    journeys: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def closing_line(self) -> str:
        """The line `journeys batch` ends with: `N users, M journeys, F failed`."""
        return f"{self.users} users, {self.journeys} journeys, {len(self.failed)} failed"


def fingerprint(stored: Sequence[StoredActivity], settings: Settings) -> str:
    """What a user's journeys are found from: their activities and the settings that shape extraction and names."""
    digest = hashlib.sha256()
    for part in (settings.extraction or "", settings.namer, settings.namer_adapter or "",
                 str(settings.namer_candidates)):
        digest.update(part.encode() + b"\0")
    for activity_id in sorted(s.activity_id for s in stored):
        digest.update(activity_id.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


# A user whose store was busy (sqlalchemy's OperationalError: "database is locked", a lost connection) is
# tried again this many times, pausing BUSY_PAUSE, 2 x BUSY_PAUSE, ... seconds; other errors fail at once.
BUSY_RETRIES = 2
BUSY_PAUSE = 1.0


class BatchWorker:
    """One worker's stores and models, finding journeys user after user."""

    def __init__(self, settings: Settings):
        from journeys.workspace import Workspace

        self.settings = settings
        self.workspace = Workspace(settings)

    def run_many(self, jobs: list[tuple[str, list[StoredActivity] | None]]) -> list[UserResult]:
        """Several users in one call (one round trip to a Ray actor for a chunk of users)."""
        return [self.run(user_id, stored) for user_id, stored in jobs]

    def run(self, user_id: str, stored: list[StoredActivity] | None = None) -> UserResult:
        """Find, name and save one user's journeys (history read here unless given); never raises.

        A store that stays busy past its own wait (SQLite's 30 s lock timeout, a dropped PostgreSQL
        connection) gets the user tried again, up to BUSY_RETRIES times, before the user fails.
        """
        for attempt in range(BUSY_RETRIES + 1):
            result = self._run_once(user_id, stored)
            if not result.busy_store:
                return result
            if attempt < BUSY_RETRIES:
                log.warning("batch: user %r met a busy store, trying again: %s", user_id, result.error)
                time.sleep(BUSY_PAUSE * (attempt + 1))
        return result

    def _run_once(self, user_id: str, stored: list[StoredActivity] | None) -> UserResult:
        from sklearn.base import clone

        from journeys.extraction.pipeline import build_journeys

        seconds: dict[str, float] = {}
        try:
            started = time.perf_counter()
            if stored is None:
                stored = self.workspace.history.activities(user_id, with_embeddings=True)
            seconds["read"] = time.perf_counter() - started
            if not stored:
                raise LookupError(f"no activity stored for user {user_id!r}; check the id, or ingest their history")
            store = self.workspace.journeys
            mark = fingerprint(stored, self.settings)
            if store.batch_fingerprint(user_id) == mark:
                return UserResult(user_id, [j.summary() for j in store.journeys(user_id)], skipped=True,
                                  seconds=seconds)
            previous = store.journeys(user_id, include_rejected=True)
            # One user's matrices are small: one BLAS thread per worker. More threads only wait on each
            # other, and on a busy machine cost 5-10x (bench/results/batch-500.md).
            with threadpool_limits(limits=1):
                journeys = build_journeys(user_id, stored, clone(self.workspace.clustering), self.workspace.namer,
                                          previous, timings=seconds)
            started = time.perf_counter()
            visible = store.replace(user_id, journeys, action="extracted")
            store.mark_batch_done(user_id, mark)
            seconds["save"] = time.perf_counter() - started
            return UserResult(user_id, [j.summary() for j in visible], seconds=seconds)
        except Exception as exc:  # one user's failure must not stop the others
            import sqlalchemy as sa

            reason = (str(exc).strip().splitlines() or [""])[0]  # sqlalchemy appends its SQL and a link
            log.warning("batch: user %r failed: %s", user_id, reason)
            return UserResult(user_id, error=f"{type(exc).__name__}: {reason}", seconds=seconds,
                              busy_store=isinstance(exc, sa.exc.OperationalError))


def run_batch(settings: Settings, users: Sequence[str] | None = None, workers: int = 2,
              ray_address: str | None = None, output: Path | None = None,
              on_result: Callable[[UserResult], None] | None = None) -> BatchReport:
    """Find and name every user's journeys (or those listed), `workers` at a time; see the module's docstring.

    `output`, when given, receives one JSON line per journey: `user_id` plus the fields of
    `journeys extract --json` (written whole at the end: a killed run leaves no half file).
    `on_result` is called in this process as each user finishes (the progress bar).
    """
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    # The journey store is created (or migrated) here, once, not by the workers side by side.
    JourneyStore(settings.journeys_db).engine.dispose()
    embedded = settings.chroma_url is None
    reader = BatchWorker(settings) if embedded or users is None else None
    if users is None:
        users = reader.workspace.history.users()  # type: ignore[union-attr]
    users = list(dict.fromkeys(users))

    report = BatchReport()

    def jobs() -> Iterator[tuple[str, list[StoredActivity] | None]]:
        for user_id in users:
            if not embedded:
                yield user_id, None
                continue
            started = time.perf_counter()
            stored = reader.workspace.history.activities(user_id, with_embeddings=True)  # type: ignore[union-attr]
            report.seconds["read"] = report.seconds.get("read", 0.0) + time.perf_counter() - started
            yield user_id, stored

    lines: list[str] = []
    try:
        if workers == 1 and ray_address is None:
            worker = reader or BatchWorker(settings)
            results: Iterable[UserResult] = (worker.run(user_id, stored) for user_id, stored in jobs())
        else:
            results = _on_ray(settings, jobs(), workers, ray_address)
        for result in results:
            _count(report, result)
            lines += [json.dumps({"user_id": result.user_id, **journey}, ensure_ascii=False)
                      for journey in result.journeys]
            if on_result is not None:
                on_result(result)
    finally:
        if reader is not None:
            reader.workspace.history.close()
    if output is not None:
        partial = output.with_name(output.name + ".partial")
        partial.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        partial.replace(output)
    return report


def _count(report: BatchReport, result: UserResult) -> None:
    report.users += 1
    report.skipped += result.skipped
    if result.error is not None:
        report.failed.append((result.user_id, result.error))
    report.journeys += len(result.journeys)
    for stage, spent in result.seconds.items():
        report.seconds[stage] = report.seconds.get(stage, 0.0) + spent


# Users handed to a Ray actor in one call: one user's work is tens of milliseconds, so a call per user spends
# a good part of it on the round trip; a chunk keeps the actors busy. Progress is reported chunk by chunk.
CHUNK = 8


def _chunks(jobs: Iterator[tuple[str, list[StoredActivity] | None]], size: int,
            ) -> Iterator[list[tuple[str, list[StoredActivity] | None]]]:
    chunk: list[tuple[str, list[StoredActivity] | None]] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _on_ray(settings: Settings, jobs: Iterator[tuple[str, list[StoredActivity] | None]], workers: int,
            ray_address: str | None, chunk: int = CHUNK) -> Iterator[UserResult]:
    """Run the jobs on `workers` Ray actors, a chunk of users per actor at a time, yielding results as they finish."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        # Ray's own notices (its start, its token authentication) stay out of the command's output.
        if ray_address:
            ray.init(address=ray_address, log_to_driver=False, logging_level=logging.ERROR)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        actor = ray.remote(num_cpus=1, max_restarts=1)(BatchWorker)
        idle = [actor.remote(settings) for _ in range(workers)]
        running: dict[Any, tuple[list[str], Any]] = {}  # future -> (its users, actor)
        pending = _chunks(iter(jobs), chunk)
        while True:
            # Histories are handed out as actors come free, so only `workers` chunks are in flight.
            while idle:
                group = next(pending, None)
                if group is None:
                    break
                worker = idle.pop()
                running[worker.run_many.remote(group)] = ([user_id for user_id, _ in group], worker)
            if not running:
                return
            done, _ = ray.wait(list(running), num_returns=1)
            user_ids, worker = running.pop(done[0])
            idle.append(worker)
            try:
                yield from ray.get(done[0])
            except ray.exceptions.RayError as exc:  # the worker died: its users fail, the others go on
                for user_id in user_ids:
                    yield UserResult(user_id, error=f"the worker died ({type(exc).__name__})")
    finally:
        if started_here:
            ray.shutdown()
