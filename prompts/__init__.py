"""Prompt and reply templates as files, so designers can edit wording without touching code.

Point JOURNEYS_PROMPTS at a folder of files with the same names to override any of them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).parent


def prompt_path(name: str) -> Path:
    """The file for a prompt name: the override folder's copy when it has one, else the shipped one."""
    override = os.environ.get("JOURNEYS_PROMPTS")
    if override and (Path(override) / name).is_file():
        return Path(override) / name
    return PACKAGE_DIR / name


def load_text(name: str) -> str:
    """A prompt file's text."""
    return prompt_path(name).read_text(encoding="utf-8")


class PromptFileError(ValueError):
    """A prompt file that cannot be read, said in one sentence with the file and line."""


@lru_cache(maxsize=None)
def _load_yaml(path: Path, mtime: float) -> Any:
    with path.open(encoding="utf-8") as handle:
        try:
            return yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark else ""
            raise PromptFileError(
                f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}); "
                "check the quoting there (inside '...' write a single quote as '')"
            ) from None


def load_yaml(name: str) -> Any:
    """A YAML prompt file, parsed (re-read when the file changes)."""
    path = prompt_path(name)
    return _load_yaml(path, path.stat().st_mtime)
