"""Settings: where stores live and which components to use, read from flags and environment."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

ENV_PREFIX = "JOURNEYS_"
# What the numeric settings may be: (lowest, highest, an example); a namer asked for a billion beams, a
# negative number of retries or a timeout of nan is refused when the settings are read.
NUMBER_RANGES = {"namer_timeout": (0.01, 3600, 30), "namer_retries": (0, 10, 2), "namer_candidates": (1, 16, 4),
                 "request_budget": (0, 1_000_000, 60)}


def default_home() -> Path:
    """The per-user data folder used when neither --home nor JOURNEYS_HOME is given."""
    return Path(platformdirs.user_data_dir("journeys", appauthor=False))


def default_cache() -> Path:
    """The cache folder every home shares: $JOURNEYS_CACHE, else the per-user cache folder (~/.cache/journeys on Linux)."""
    # Read here rather than only in from_env, so settings built in code (tests, benches) honour it too.
    if os.environ.get("JOURNEYS_CACHE"):
        return Path(os.environ["JOURNEYS_CACHE"]).expanduser()
    return Path(platformdirs.user_cache_dir("journeys", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything a run can be configured with; one instance is passed down from the entry point."""

    # Folder for the embedded stores: Chroma, journey state, checkpoints.
    home: Path = field(default_factory=default_home)
    # Folder for caches shared by every home (the dequantised language model, evaluation and
    # catalogue embeddings), so a new home does not convert the model again; None means
    # default_cache(): $JOURNEYS_CACHE, else the per-user cache folder.
    cache: Path | None = None
    # URL of a Chroma server (http://host:port); None keeps the embedded store under home.
    chroma_url: str | None = None
    # postgresql://user:password@host:port/database holding the journey store and the
    # conversations, shared by every process that uses it; None keeps SQLite files under home.
    database_url: str | None = None
    # Naming backend by name (see journeys.naming.backends.NAMERS).
    namer: str = "tuned"
    # Folder of a LoRA adapter for the tuned namer; None uses the one shipped with the project.
    namer_adapter: str | None = None
    # The remote namer: base URL of a `journeys namer serve` host (or any server with the
    # OpenAI completions API hosting the same model), the model name to ask it for, seconds to
    # wait for an answer, retries after a failed attempt, and the local backend used when the
    # host cannot answer.
    namer_url: str = "http://127.0.0.1:8008"
    namer_model: str = "journeys-namer"
    namer_timeout: float = 30.0
    namer_retries: int = 2
    namer_fallback: str = "tuned"
    # Candidate names the tuned (or remote) namer proposes and chooses among; 1 is its single
    # greedy answer, about twice as fast on a CPU (bench/results/namer.md).
    namer_candidates: int = 4
    # "provider:model" of a LangChain chat model to drive the agent; None is the offline default.
    chat_model: str | None = None
    # "provider:model" of the chat model that plays simulated users in dialogue scenarios;
    # None uses chat_model, and without either simulated users follow rules.
    simulator_model: str | None = None
    # Extraction parameters as "name=value,..." (see journeys.extraction.clustering.TimeOrderedClustering),
    # e.g. "neighbours=40,join_threshold=0.6"; None keeps the defaults.
    extraction: str | None = None
    # Torch device for the models: "auto" picks CUDA when present, else CPU.
    device: str = "auto"
    # A history-format file of candidate items for recommendations; None offers every item in
    # the store the user has not had (other people's activities are the catalogue).
    catalog: Path | None = None
    # The web UI's budget of requests per visitor per minute: a click or a short message costs 1, a
    # 2,000-character message 11 (ui.app.request_cost); past it a request is refused with how long to
    # wait. 0 turns the budget off (load tests that replay many requests quickly).
    request_budget: float = 60.0

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Settings from JOURNEYS_* environment variables, then explicit overrides (flags) on top."""
        values: dict[str, object] = {}
        env = os.environ
        if env.get("JOURNEYS_HOME"):
            values["home"] = Path(env["JOURNEYS_HOME"])
        for name in ("chroma_url", "database_url", "namer", "namer_adapter", "namer_url", "namer_model", "namer_fallback",
                     "chat_model", "simulator_model", "device", "extraction", "catalog"):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw:
                values[name] = raw
        for name, kind in (("namer_timeout", float), ("namer_retries", int), ("namer_candidates", int),
                           ("request_budget", float)):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ValueError(
                        f"{ENV_PREFIX + name.upper()}={raw!r} is not {'a whole number' if kind is int else 'a number'}; "
                        f"set it to one"
                    ) from None
                low, high, example = NUMBER_RANGES[name]
                if not (math.isfinite(values[name]) and low <= values[name] <= high):
                    raise ValueError(f"{ENV_PREFIX + name.upper()}={raw!r} is outside {low} to {high}; set it to a "
                                     f"number in that range, such as {example}")
        url = values.get("database_url")
        if url is not None and not str(url).startswith(("postgresql://", "postgres://")):
            raise ValueError(f"JOURNEYS_DATABASE_URL={url!r} is not a PostgreSQL URL; set it to "
                             "postgresql://user:password@host:port/database, or unset it for the SQLite files")
        device = values.get("device")
        if device is not None and not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", str(device)):
            raise ValueError(f"JOURNEYS_DEVICE={device!r} is not a device; set it to auto, cpu or cuda")
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("home", "cache", "catalog"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        return cls(**values)  # type: ignore[arg-type]

    def with_home(self, home: Path) -> "Settings":
        """A copy of these settings with another home folder."""
        return replace(self, home=home)

    @property
    def cache_dir(self) -> Path:
        return self.cache if self.cache is not None else default_cache()

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def journeys_db(self) -> Path | str:
        """Where the journey store lives: the PostgreSQL database when set, else a SQLite file in home."""
        return self.database_url or self.home / "journeys.sqlite"

    @property
    def checkpoints_db(self) -> Path | str:
        """Where conversations are checkpointed: the PostgreSQL database when set, else a SQLite file in home."""
        return self.database_url or self.home / "checkpoints.sqlite"


def shared_data_dir() -> Path:
    """Folder of the public data sets (MovieLens, Last.fm, Spotify): $JOURNEYS_SHARED_DATA, else ../shared/data."""
    repository = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("JOURNEYS_SHARED_DATA", repository.parent / "shared" / "data"))


def resolve_device(device: str = "auto") -> str:
    """The torch device to use: "auto" means CUDA when available, otherwise CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
