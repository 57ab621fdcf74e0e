"""What every namer takes and gives: a NamingRequest (one group of items), a Naming (its name), the Namer protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class NamingRequest:
    """What a namer sees of one group of items.

    owner: whose journey this is; a namer keeps the names of one owner's requests apart and
    prefers names that tell each group from the owner's others. avoid: names the owner's other
    journeys already have, which a new name must not repeat.
    """

    titles: Sequence[str]
    terms: Sequence[str] = ()
    owner: str | None = None
    avoid: Sequence[str] = ()


@dataclass(frozen=True)
class Naming:
    """A namer's answer: the name, which backend gave it, and notes (such as a fallback)."""

    name: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)


class Namer(Protocol):
    """A naming backend."""

    backend: str

    def name_many(self, requests: Sequence[NamingRequest]) -> list[Naming]:
        """One name for each request, in order."""
        ...
