"""Embeddings for evaluation texts, computed once and cached on disk between runs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from journeys.history.embedding import DIMENSIONS, TextEmbedder
from journeys.settings import Settings


class CachedEmbedder:
    """A TextEmbedder with a text -> vector cache kept in one .npz file."""

    def __init__(self, path: Path, embedder: TextEmbedder | None = None):
        self.path = path
        self.embedder = embedder or TextEmbedder()
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as stored:
                self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"]))

    @classmethod
    def default(cls) -> "CachedEmbedder":
        """The cache under the home folder's cache directory."""
        return cls(Settings.from_env().cache_dir / "evaluation-embeddings.npz")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed_all(self, texts: Sequence[str], desc: str = "embedding", chunk: int = 1024) -> None:
        """Compute (with progress) every text not cached yet."""
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        for start in tqdm(range(0, len(missing), chunk), desc=desc, unit="chunk", disable=not missing):
            part = missing[start:start + chunk]
            for text, vector in zip(part, self.embedder.embed(part)):
                self.vectors[self.key(text)] = vector

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of the texts (computing any that are not cached)."""
        self.embed_all(texts)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack([self.vectors[self.key(t)] for t in texts])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors))
        vectors = np.vstack(list(self.vectors.values())) if self.vectors else np.zeros((0, DIMENSIONS), np.float32)
        np.savez(self.path, keys=keys, vectors=vectors)
