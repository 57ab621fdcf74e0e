"""The history store: every user's activities in one Chroma collection, always read per user."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from journeys.history.activity import Activity
from journeys.history.embedding import TextEmbedder, chroma_embedding_function

COLLECTION = "activities"


@dataclass(frozen=True)
class StoredActivity:
    """An activity as kept in the store, with its id and (when asked for) its embedding."""

    activity_id: str
    activity: Activity
    embedding: np.ndarray | None = None


@dataclass(frozen=True)
class SearchHit:
    """One result of a history search: the activity and its similarity to the query in [-1, 1]."""

    activity_id: str
    activity: Activity
    score: float


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: activities newly stored and activities that were already there."""

    added: int
    already_stored: int


class StoreInUse(OSError):
    """Another process has the embedded store open; embedded Chroma is safe for one process only."""


# Embedded stores this process holds: path -> (lock file, number of open HistoryStores).
_held: dict[Path, list[Any]] = {}


def _hold(path: Path) -> None:
    """Take this process's exclusive lock on an embedded store (shared by its HistoryStores)."""
    key = path.resolve()
    if key in _held:
        _held[key][1] += 1
        return
    handle = open(key / ".journeys.lock", "a+")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # no fcntl (Windows): no protection, as before
        pass
    except BlockingIOError:
        handle.close()
        raise StoreInUse(
            f"the history store in {path} is in use by another process (a running `journeys ui` or `demo`?); "
            "stop that process first, or run a Chroma server and pass --chroma-url to share one store"
        ) from None
    _held[key] = [handle, 1]


def _release(path: Path) -> None:
    key = path.resolve()
    entry = _held.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] <= 0:
        entry[0].close()  # closing the file releases the lock
        del _held[key]


def open_chroma(path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: a server at url when given, else an embedded store in path (locked to this process)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost", port=parsed.port or 8000,
            ssl=parsed.scheme == "https", settings=settings,
        )
    if path is None:
        raise ValueError("open_chroma needs a path for the embedded store or a server url")
    path.mkdir(parents=True, exist_ok=True)
    _hold(path)
    client = chromadb.PersistentClient(path=str(path), settings=settings)
    client._journeys_path = path  # so that HistoryStore.close can release the lock
    return client


class HistoryStore:
    """Activities of many users in one Chroma collection; every read is scoped to one user."""

    def __init__(self, client: Any, embedder: TextEmbedder, collection: str = COLLECTION):
        self.client = client
        self.embedder = embedder
        self.collection = client.get_or_create_collection(
            collection,
            embedding_function=chroma_embedding_function(embedder),
            configuration={"hnsw": {"space": "cosine"}},
        )
        # How many texts this store object had to embed (the rest were reused).
        self.embedded_texts = 0

    def close(self) -> None:
        """Let go of the store: other processes may open an embedded store once every user has closed it."""
        path = getattr(self.client, "_journeys_path", None)
        self.client.close()
        if path is not None:
            _release(path)

    def add(
        self,
        activities: Iterable[Activity],
        batch_size: int = 256,
        on_batch: Callable[[int], None] | None = None,
        written: list[str] | None = None,
    ) -> IngestResult:
        """Store activities not stored yet, embedding only those; returns counts of new and known ones.

        written, when given, receives the id of every activity this call stored, batch by batch, so
        that a caller can take them back if the import fails half-way (see remove).
        """
        added = known = 0
        batch: list[Activity] = []
        for activity in activities:
            batch.append(activity)
            if len(batch) >= batch_size:
                new, old = self._add_batch(batch, written)
                added, known = added + new, known + old
                if on_batch:
                    on_batch(len(batch))
                batch = []
        if batch:
            new, old = self._add_batch(batch, written)
            added, known = added + new, known + old
            if on_batch:
                on_batch(len(batch))
        return IngestResult(added=added, already_stored=known)

    def remove(self, activity_ids: Sequence[str]) -> None:
        """Delete these activities (an import taking back what it wrote), a batch at a time."""
        ids = list(activity_ids)
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start:start + 5000])

    def _add_batch(self, batch: Sequence[Activity], written: list[str] | None = None) -> tuple[int, int]:
        # The first of equal activities counts (a file that repeats one says the same thing twice).
        unique: dict[str, Activity] = {}
        for activity in batch:
            unique.setdefault(activity.activity_id, activity)
        existing = set(self.collection.get(ids=list(unique), include=[])["ids"])
        fresh = [(aid, a) for aid, a in unique.items() if aid not in existing]
        if fresh:
            if written is not None:
                # Noted before the write: a write that fails half-way is taken back too.
                written.extend(aid for aid, _ in fresh)
            vectors = self._embeddings([a.text for _, a in fresh])
            # One add per batch: Chroma writes it in one transaction, so a killed import
            # leaves whole batches only, and a re-run adds the missing ones.
            self.collection.add(
                ids=[aid for aid, _ in fresh],
                embeddings=[vectors[text_hash(a.text)] for _, a in fresh],
                documents=[a.text for _, a in fresh],
                metadatas=[_metadata(a) for _, a in fresh],
            )
        return len(fresh), len(batch) - len(fresh)

    def _embeddings(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Embeddings by text hash: reused from the store when the text was embedded before, else computed."""
        wanted = {text_hash(t): t for t in texts}
        known = self.collection.get(
            where={"text_hash": {"$in": list(wanted)}}, include=["embeddings", "metadatas"], limit=len(wanted) * 4,
        )
        vectors: dict[str, np.ndarray] = {}
        for meta, vector in zip(known["metadatas"], known["embeddings"]):
            vectors.setdefault(meta["text_hash"], np.asarray(vector, dtype=np.float32))
        missing = [h for h in wanted if h not in vectors]
        self.embedded_texts += len(missing)
        for h, vector in zip(missing, self.embedder.embed([wanted[h] for h in missing])):
            vectors[h] = vector
        return vectors

    def activities(self, user_id: str, with_embeddings: bool = False) -> list[StoredActivity]:
        """All activities of one user in time order (oldest first)."""
        include = ["metadatas", "embeddings"] if with_embeddings else ["metadatas"]
        result = self.collection.get(where={"user_id": user_id}, include=include)
        embeddings = result.get("embeddings") if with_embeddings else None
        stored = [
            StoredActivity(
                activity_id=aid,
                activity=_activity(meta),
                embedding=np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None,
            )
            for i, (aid, meta) in enumerate(zip(result["ids"], result["metadatas"]))
        ]
        stored.sort(key=lambda s: (s.activity.timestamp, s.activity_id))
        return stored

    def everyone(self, with_embeddings: bool = False, page: int = 5000) -> Iterator[StoredActivity]:
        """Every user's activities, a page at a time (for a catalogue of what people had; never shown as a history)."""
        include = ["metadatas", "embeddings"] if with_embeddings else ["metadatas"]
        offset = 0
        while True:
            result = self.collection.get(include=include, limit=page, offset=offset)
            embeddings = result.get("embeddings") if with_embeddings else None
            for i, (aid, meta) in enumerate(zip(result["ids"], result["metadatas"])):
                vector = np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None
                yield StoredActivity(activity_id=aid, activity=_activity(meta), embedding=vector)
            if len(result["ids"]) < page:
                return
            offset += page

    def get(self, user_id: str, activity_ids: Sequence[str]) -> list[StoredActivity]:
        """The given activities of one user (ids of other users' activities are ignored)."""
        if not activity_ids:
            return []
        result = self.collection.get(ids=list(activity_ids), where={"user_id": user_id}, include=["metadatas"])
        found = {aid: meta for aid, meta in zip(result["ids"], result["metadatas"])}
        return [StoredActivity(aid, _activity(found[aid])) for aid in activity_ids if aid in found]

    def search(
        self,
        user_id: str,
        query: str,
        k: int = 5,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[SearchHit]:
        """The k activities of one user most similar in meaning to the query, best first."""
        conditions: list[dict[str, Any]] = [{"user_id": user_id}]
        if since is not None:
            conditions.append({"ts": {"$gte": since.timestamp()}})
        if until is not None:
            conditions.append({"ts": {"$lte": until.timestamp()}})
        if kinds:
            conditions.append({"kind": {"$in": list(kinds)}})
        where = conditions[0] if len(conditions) == 1 else {"$and": conditions}
        result = self.collection.query(
            query_embeddings=self.embedder.embed([query]), n_results=k, where=where,
            include=["metadatas", "distances"],
        )
        return [
            SearchHit(aid, _activity(meta), score=1.0 - float(distance))
            for aid, meta, distance in zip(result["ids"][0], result["metadatas"][0], result["distances"][0])
        ]

    def count(self, user_id: str | None = None) -> int:
        """Number of activities stored, for one user or for all."""
        if user_id is None:
            return self.collection.count()
        return len(self.collection.get(where={"user_id": user_id}, include=[])["ids"])

    def users(self) -> list[str]:
        """Ids of all users with stored activities, sorted."""
        users: set[str] = set()
        page, offset = 5000, 0
        while True:
            result = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            users.update(meta["user_id"] for meta in result["metadatas"])
            if len(result["ids"]) < page:
                return sorted(users)
            offset += page


def text_hash(text: str) -> str:
    """Key of an embedded text: the same text is embedded once per store, whoever's activity it is."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def _metadata(activity: Activity) -> dict[str, Any]:
    return {
        "user_id": activity.user_id,
        "text_hash": text_hash(activity.text),
        "item_id": activity.item_id,
        "ts": activity.timestamp.timestamp(),
        "kind": activity.kind,
        # The full record keeps every field (and extra metadata) exactly as given.
        "record": json.dumps(activity.to_record(), ensure_ascii=False),
    }


def _activity(metadata: dict[str, Any]) -> Activity:
    return Activity.from_record(json.loads(metadata["record"]), limits=False)
