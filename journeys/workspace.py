"""A workspace: the stores and models behind one home folder, opened when first needed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sklearn.base import clone

from journeys.activity import SKIP_HINT, Activity, HistoryFileError, read_rows
from journeys.edits import JourneyEditor
from journeys.embedding import TextEmbedder
from journeys.clustering import TimeOrderedClustering, clustering_from_text
from journeys.extraction import extract_journeys
from journeys.history import HistoryStore, open_chroma
from journeys.journey import Journey
from journeys.journey_store import JourneyStore
from journeys.naming import Namer, make_namer
from journeys.settings import Settings


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of an import with --skip-invalid."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


@dataclass
class IngestReport:
    """What an import did, over all its files."""

    added: int = 0
    already_stored: int = 0
    other_users: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    users: set[str] = field(default_factory=set)


class Workspace:
    """History store, journey store and namer for one set of settings."""

    def __init__(self, settings: Settings, embedder: TextEmbedder | None = None, namer: Namer | None = None):
        self.settings = settings
        self.clustering = clustering_from_text(settings.extraction)  # checked now: a bad setting fails at once
        self.embedder = embedder or TextEmbedder(device=settings.device)
        if namer is not None:
            self.__dict__["namer"] = namer

    @cached_property
    def history(self) -> HistoryStore:
        return HistoryStore(open_chroma(self.settings.chroma_path, self.settings.chroma_url), self.embedder)

    @cached_property
    def journeys(self) -> JourneyStore:
        return JourneyStore(self.settings.journeys_db)

    @cached_property
    def namer(self) -> Namer:
        return make_namer(self.settings.namer, self.settings)

    @cached_property
    def editor(self) -> JourneyEditor:
        """The user's edits of their journeys (confirm, rename, merge, split, undo, ...)."""
        return JourneyEditor(self.journeys, self.history, self.namer)

    def ingest(
        self,
        paths: Sequence[Path | str],
        fmt: str | None = None,
        user_id: str | None = None,
        skip_invalid: bool = False,
        on_progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Import history files; a bad row stops the import of its file before anything of it is written.

        With user_id, only that user's activities are imported; the others are counted, not stored.
        Files are streamed twice (validate, then store in batches), so memory does not grow with
        their size; on_total receives the number of valid rows once all files are validated.
        """
        report = IngestReport()
        paths = [Path(p) for p in paths]
        valid = 0
        for path in paths:
            # First pass: validate the whole file, so that a bad row writes nothing.
            for row in read_rows(path, fmt):
                if row.error is None:
                    valid += 1
                elif not skip_invalid:
                    raise HistoryFileError(row.source or path, row.line, row.error, SKIP_HINT)
                else:
                    report.skipped.append(SkippedRow(row.source or path, row.line, row.error))
        if on_total:
            on_total(valid)
        for path in paths:
            # Second pass: stream the valid rows into the store in batches.
            counts = IngestReport()
            activities = self._valid(path, fmt, user_id, counts)
            result = self.history.add(activities, on_batch=on_progress)
            report.added += result.added
            report.already_stored += result.already_stored
            report.other_users += counts.other_users
            report.users |= counts.users
        return report

    def _valid(self, path: Path, fmt: str | None, user_id: str | None, counts: IngestReport) -> Iterator[Activity]:
        for row in read_rows(path, fmt):
            if row.activity is None:
                continue
            if user_id is not None and row.activity.user_id != user_id:
                counts.other_users += 1
                continue
            counts.users.add(row.activity.user_id)
            yield row.activity

    def extract(self, user_id: str, clustering: TimeOrderedClustering | None = None) -> list[Journey]:
        """Find, name and store the user's journeys."""
        # A copy per run: two conversations may extract at the same time.
        return extract_journeys(user_id, self.history, self.journeys, self.namer, clustering or clone(self.clustering))

    def users(self) -> list[str]:
        """Users with stored history."""
        return self.history.users()
