"""A workspace: the stores and models behind one home folder, opened when first needed."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

import numpy as np
from sklearn.base import clone

from journeys.demo import DEMO_CATALOGUE, Persona
from journeys.extraction.clustering import TimeOrderedClustering, clustering_from_text
from journeys.extraction.pipeline import extract_journeys
from journeys.history.activity import Activity, HistoryFileError
from journeys.history.embedding import DIMENSIONS, TextEmbedder
from journeys.history.files import SKIP_HINT, read_rows
from journeys.history.store import HistoryStore, StoredActivity, open_chroma
from journeys.naming.backends import Namer, make_namer
from journeys.recommend import Catalogue, Recommendation, recommend
from journeys.settings import Settings
from journeys.state.edits import JourneyEditor
from journeys.state.journey import Journey
from journeys.state.store import JourneyStore

# Candidates shipped with the demo: offered when the store holds nothing the user has not had.
SAMPLE_CATALOGUE = DEMO_CATALOGUE


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of an import with --skip-invalid."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Step:
    """One named piece of preparation, so that progress can say what is being done ("loading the embedding model")."""

    label: str
    run: Callable[[], object]


# Namers that run the base language model on this machine (the remote one only falls back to it).
LOCAL_MODEL_NAMERS = ("tuned", "fewshot")

# Rows validated between two calls of ingest's on_read.
READ_CHUNK = 1000


@dataclass
class IngestReport:
    """What an import did, over all its files."""

    added: int = 0
    already_stored: int = 0
    other_users: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    users: set[str] = field(default_factory=set)
    # Valid rows read in the second pass (all users'), to tell that a file did not change in between.
    checked: int = 0


def _brief(exc: BaseException) -> str:
    """An exception as a short clause for a sentence: its kind and its first 200 characters, on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}{'…' if len(text) > 200 else ''}"


class _ChangedFile(Exception):
    """A history file changed between the import's two readings of it."""


def _file_state(path: Path) -> object:
    """What tells that a file changed: its size and modification time (None for a data set's folder)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns) if path.is_file() else None


class Workspace:
    """History store, journey store and namer for one set of settings."""

    def __init__(self, settings: Settings, embedder: TextEmbedder | None = None, namer: Namer | None = None):
        self.settings = settings
        self.clustering = clustering_from_text(settings.extraction)  # checked now: a bad setting fails at once
        self.embedder = embedder or TextEmbedder(device=settings.device)
        if namer is not None:
            self.__dict__["namer"] = namer
        # Catalogues built so far, with the state of their source when built (see catalogue()).
        self._catalogues: dict[str, tuple[object, Catalogue]] = {}
        self._catalogue_lock = threading.Lock()

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
        on_read: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Import history files; a bad row stops the import of its file before anything of it is written.

        With user_id, only that user's activities are imported; the others are counted, not stored.
        Files are streamed twice (validate, then store in batches), so memory does not grow with
        their size. A file that fails while it is being stored (or is interrupted with Ctrl-C) has
        what it wrote taken back; only a killed process leaves whole batches, which a rerun completes.
        Progress: on_read(n) as each n more rows are validated, then on_total(rows) with the number
        of valid rows to store (only user_id's), then on_progress(n) as each n of those are stored.
        """
        report = IngestReport()
        paths = [Path(p) for p in paths]
        to_store = 0
        checked: list[tuple[Path, int, object]] = []
        for path in paths:
            # First pass: validate the whole file, so that a bad row writes nothing.
            state = _file_state(path)
            read = valid = 0
            for row in read_rows(path, fmt):
                read += 1
                if on_read and read % READ_CHUNK == 0:
                    on_read(READ_CHUNK)
                if row.error is None:
                    valid += 1
                    # Only the rows that will be stored count towards the total, so that its estimate is honest.
                    if user_id is None or row.activity.user_id == user_id:
                        to_store += 1
                elif not skip_invalid:
                    raise HistoryFileError(row.source or path, row.line, row.error, SKIP_HINT)
                else:
                    report.skipped.append(SkippedRow(row.source or path, row.line, row.error))
            if on_read and read % READ_CHUNK:
                on_read(read % READ_CHUNK)
            checked.append((path, valid, state))
        if on_total:
            on_total(to_store)
        for path, valid, state in checked:
            # Second pass: stream the valid rows into the store in batches.
            counts = IngestReport()
            written: list[str] = []
            try:
                if _file_state(path) != state:
                    raise _ChangedFile()
                activities = self._valid(path, fmt, user_id, counts)
                result = self.history.add(activities, on_batch=on_progress, written=written)
                if counts.checked != valid or _file_state(path) != state:
                    raise _ChangedFile()
            except _ChangedFile:
                self._take_back(path, written)
                raise HistoryFileError(path, None, "changed while it was being imported, so nothing of it was kept",
                                       "; import it again once it is no longer being written") from None
            except HistoryFileError:
                self._take_back(path, written)
                raise
            except Exception as exc:
                self._take_back(path, written)
                raise HistoryFileError(path, None, f"could not be stored ({_brief(exc)}), so nothing of it was kept",
                                       "; fix the cause and import it again") from exc
            except BaseException:  # Ctrl-C: leave nothing half-imported behind
                self._take_back(path, written)
                raise
            report.added += result.added
            report.already_stored += result.already_stored
            report.other_users += counts.other_users
            report.users |= counts.users
        return report

    def _take_back(self, path: Path, written: list[str]) -> None:
        """Delete what a failed import of one file wrote, so that nothing of it stays half-imported."""
        if not written:
            return
        try:
            self.history.remove(written)
        except Exception as exc:
            raise HistoryFileError(
                path, None, f"failed half-way, and the {len(written)} activities it had stored could not be "
                f"taken back ({_brief(exc)})",
                "; import it again once the store works (activities are never stored twice)") from exc

    def _valid(self, path: Path, fmt: str | None, user_id: str | None, counts: IngestReport) -> Iterator[Activity]:
        for row in read_rows(path, fmt):
            if row.activity is None:
                continue
            counts.checked += 1
            if user_id is not None and row.activity.user_id != user_id:
                counts.other_users += 1
                continue
            counts.users.add(row.activity.user_id)
            yield row.activity

    def close(self) -> None:
        """Let go of the stores this workspace opened (other processes may then open the embedded store)."""
        self.__dict__.pop("editor", None)
        history = self.__dict__.pop("history", None)
        if history is not None:
            history.close()

    def loading_steps(self, naming: bool = True) -> list[Step]:
        """Named steps that load the models ahead of their first use: the embedding model and, with naming,
        the namer's base model, converted on the first start only (later starts find it in the shared cache)."""
        steps = [Step("loading the embedding model", lambda: self.embedder.model)]
        from journeys.naming.language_model import checkpoint_dir, checkpoint_ready

        cache = self.settings.cache_dir
        if naming and self.namer.backend in LOCAL_MODEL_NAMERS and not checkpoint_ready(cache):
            steps.append(Step("converting the namer's base model (first start only, about a minute)",
                              lambda: checkpoint_dir(cache)))
        return steps

    def extract(self, user_id: str, clustering: TimeOrderedClustering | None = None) -> list[Journey]:
        """Find, name and store the user's journeys."""
        # A copy per run: two conversations may extract at the same time.
        return extract_journeys(user_id, self.history, self.journeys, self.namer, clustering or clone(self.clustering))

    def users(self) -> list[str]:
        """Users with stored history."""
        return self.history.users()

    def recommend(self, user_id: str, journey_id: str | None = None, k: int = 10,
                  catalog: Path | str | None = None) -> list[Recommendation]:
        """Up to k items the user has not had, for one journey or shared among their active journeys by weight."""
        history = self.history.activities(user_id, with_embeddings=True)
        journeys = self.journeys.journeys(user_id, include_rejected=True)
        catalogue = self.catalogue(user_id, catalog)
        return recommend(history, journeys, catalogue, k=k, journey_id=journey_id, embed=self.embedder.embed)

    def catalogue(self, user_id: str | None = None, catalog: Path | str | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> Catalogue:
        """The candidates for recommendations: a history-format file (given, or the settings' catalog), else the
        items in the store that enough people had (settings.recommend_min_users); a store holding none the user has
        not had offers the demo's sample catalogue.

        Catalogues are kept between calls and rebuilt only when their source changes (the store's
        count, the file's size and time); on_progress(done, total) follows the embedding of a file.
        """
        path = catalog or self.settings.catalog
        if path is not None:
            return self._file_catalogue(Path(path), on_progress, source=str(path))
        with self._catalogue_lock:
            count = self.history.count()
            cached = self._catalogues.get("store")
            if cached is None or cached[0] != count:
                # Reading the whole store takes seconds on a large one: only when it changed.
                cached = (count, Catalogue.from_activities(self.history.everyone(with_embeddings=True), "store",
                                                           self.settings.recommend_min_users))
                self._catalogues["store"] = cached
            store = cached[1]
        if user_id is not None and not store.new_to(s.activity.item_id for s in self.history.activities(user_id)):
            return self._file_catalogue(SAMPLE_CATALOGUE, on_progress, source="sample")
        return store

    def _file_catalogue(self, path: Path, on_progress: Callable[[int, int], None] | None, source: str) -> Catalogue:
        """The catalogue of a history-format file, its texts embedded once and cached on disk."""
        if not path.is_file():
            raise HistoryFileError(path, None, "no such catalogue file", "; check the path of the catalogue")
        stat = path.stat()
        state = (stat.st_size, stat.st_mtime_ns)
        key = f"{source}:{path.resolve()}"
        with self._catalogue_lock:
            cached = self._catalogues.get(key)
            if cached is not None and cached[0] == state:
                return cached[1]
            activities = []
            for row in read_rows(path):
                if row.error is not None:
                    raise HistoryFileError(row.source or path, row.line, row.error,
                                           "; fix that line of the catalogue file")
                activities.append(row.activity)
            vectors = self._catalogue_vectors(path, state, [a.text for a in activities], on_progress)
            catalogue = Catalogue.from_activities(
                (StoredActivity(a.activity_id, a, vectors[a.text]) for a in activities), source)
            self._catalogues[key] = (state, catalogue)
            return catalogue

    def _catalogue_vectors(self, path: Path, state: tuple[int, int], texts: list[str],
                           on_progress: Callable[[int, int], None] | None) -> dict[str, np.ndarray]:
        """Embeddings of a catalogue file's texts, from the cache folder when this version of the file was embedded before."""
        distinct = list(dict.fromkeys(texts))
        fingerprint = hashlib.sha1(f"{path.resolve()}\x1f{state}".encode()).hexdigest()[:16]
        cache = self.settings.cache_dir / "catalogues" / f"{fingerprint}.npy"
        if cache.is_file():
            stored = np.load(cache)
            if stored.shape[0] == len(distinct):
                return dict(zip(distinct, stored))
        chunk, vectors = 256, []
        for start in range(0, len(distinct), chunk):
            vectors.append(self.embedder.embed(distinct[start:start + chunk]))
            if on_progress:
                on_progress(min(start + chunk, len(distinct)), len(distinct))
        matrix = np.vstack(vectors) if vectors else np.zeros((0, DIMENSIONS), dtype=np.float32)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, matrix)
        except OSError:
            pass  # a read-only cache only costs the embedding again next time
        return dict(zip(distinct, matrix))


def demo_preparation(workspace: Workspace, personas: list[Persona]) -> list[Step]:
    """The demo's preparation as named steps: the models, each persona's history and journeys, the catalogue."""
    steps = workspace.loading_steps()
    for persona in personas:
        who = persona.display_name
        steps.append(Step(f"ingesting {who}'s history", partial(workspace.ingest, [persona.history_path])))
        # Journeys found on an earlier start, and the edits made to them since, are kept.
        if not workspace.journeys.journeys(persona.user_id, include_rejected=True):
            steps.append(Step(f"finding and naming {who}'s journeys", partial(workspace.extract, persona.user_id)))
    # Embedded now, so that the first "Suggest" is quick.
    steps.append(Step("embedding the catalogue", workspace.catalogue))
    return steps
