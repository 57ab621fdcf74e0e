"""Settings: where stores live and which components to use, read from flags and environment."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "JOURNEYS_"
# What the numeric settings may be, with an example for the error sentence: a namer asked for a billion
# beams, a negative number of retries or a timeout of nan is refused when the settings are read.
NUMBER_RANGES = {"namer_timeout": (0.01, 3600, 30), "namer_retries": (0, 10, 2), "namer_candidates": (1, 16, 8),
                 "request_budget": (0, 1_000_000, 60), "recommend_min_users": (1, 1_000_000, 3)}
DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


def _within(name: str) -> Any:
    low, high, _ = NUMBER_RANGES[name]
    return Field(ge=low, le=high, allow_inf_nan=False)


def default_home() -> Path:
    """The per-user data folder used when neither --home nor JOURNEYS_HOME is given."""
    return Path(platformdirs.user_data_dir("journeys", appauthor=False))


def default_cache() -> Path:
    """The cache folder every home shares: $JOURNEYS_CACHE, else the per-user cache folder (~/.cache/journeys on Linux)."""
    # Read here rather than only in from_env, so settings built in code (tests, benches) honour it too.
    if os.environ.get("JOURNEYS_CACHE"):
        return Path(os.environ["JOURNEYS_CACHE"]).expanduser()
    return Path(platformdirs.user_cache_dir("journeys", appauthor=False))


class Settings(BaseSettings):
    """Everything a run can be configured with; one instance is passed down from the entry point.

    Typed and checked (pydantic-settings). Built in code, settings are what the code says; from_env
    reads the JOURNEYS_* environment variables (JOURNEYS_NAMER_TIMEOUT for namer_timeout, ...) under
    the given overrides, and a bad value is one sentence naming the variable.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid")

    # Folder for the embedded stores: Chroma, journey state, checkpoints.
    home: Path = Field(default_factory=default_home)
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
    namer_timeout: Annotated[float, _within("namer_timeout")] = 30.0
    namer_retries: Annotated[int, _within("namer_retries")] = 2
    namer_fallback: str = "tuned"
    # Candidate names the tuned (or remote) namer proposes and chooses among; 1 is its single
    # greedy answer, without choosing (costs: bench/results/namer.md).
    namer_candidates: Annotated[int, _within("namer_candidates")] = 8
    # "provider:model" of a LangChain chat model to drive the agent; None is the offline default.
    chat_model: str | None = None
    # How the offline agent reads a message: "learned" (the understanding model, journeys/understanding/: far
    # better on phrasings nobody wrote a pattern for, see docs/evaluation/understanding.md) or "patterns" (the
    # pattern reader of earlier versions, agent/understanding.py, kept for comparison).
    understanding: Literal["learned", "patterns"] = "learned"
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
    # An item of the store is suggested to someone only when at least this many distinct people have it: one
    # person's private item (a diary entry, a home video) is never shown to another. Catalogue files are public.
    recommend_min_users: Annotated[int, _within("recommend_min_users")] = 3
    # The web UI's budget of requests per visitor per minute: a click or a short message costs 1, a
    # 2,000-character message 11 (ui.app.request_cost); past it a request is refused with how long to
    # wait. 0 turns the budget off (load tests that replay many requests quickly).
    request_budget: Annotated[float, _within("request_budget")] = 60.0

    @field_validator("home", "cache", "catalog")
    @classmethod
    def _expand_user(cls, path: Path | None) -> Path | None:
        return path.expanduser() if path is not None else None

    @field_validator("database_url")
    @classmethod
    def _postgresql(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("is not a PostgreSQL URL; set it to postgresql://user:password@host:port/database, "
                             "or unset it for the SQLite files")
        return url

    @field_validator("device")
    @classmethod
    def _device(cls, device: str) -> str:
        if not DEVICE.fullmatch(device):
            raise ValueError("is not a device; set it to auto, cpu or cuda")
        return device

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   **other_sources: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # the environment is read by from_env only

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from JOURNEYS_* environment variables, then explicit overrides (flags) on top."""
        try:
            read = _FromEnvironment(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as exc:
            raise ValueError(_sentence(exc.errors()[0])) from None
        return cls.model_construct(**dict(read))

    def with_home(self, home: Path) -> Settings:
        """A copy of these settings with another home folder."""
        return self.model_copy(update={"home": home})

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


class _FromEnvironment(Settings):
    """Settings read from the JOURNEYS_* environment variables under the values given (flags)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, **other_sources: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _sentence(error: Any) -> str:
    """One sentence for a setting that makes no sense: the variable, its value, and what to set it to."""
    name = str(error["loc"][0]) if error["loc"] else ""
    variable, value = ENV_PREFIX + name.upper(), error.get("input")
    if error["type"] in ("int_parsing", "int_from_float", "float_parsing"):
        kind = "a whole number" if error["type"].startswith("int") else "a number"
        return f"{variable}={value!r} is not {kind}; set it to one"
    if name in NUMBER_RANGES:
        low, high, example = NUMBER_RANGES[name]
        return f"{variable}={value!r} is outside {low} to {high}; set it to a number in that range, such as {example}"
    if error["type"] == "value_error":
        return f"{variable}={value!r} {error['ctx']['error']}"
    return f"{variable}={value!r}: {error['msg']}; fix or unset it"


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
