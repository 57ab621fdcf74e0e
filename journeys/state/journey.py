"""A journey: one persistent interest of one user, with its evidence and the user's verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where a journey stands with its user."""

    PROPOSED = "proposed"    # found, not yet confirmed by the user
    CONFIRMED = "confirmed"  # the user agrees it is an interest (or declared it)
    REJECTED = "rejected"    # the user said it is not an interest; kept, hidden, never re-proposed
    PAUSED = "paused"        # real, but not wanted now


@dataclass
class Journey:
    """One interest journey of one user."""

    id: str
    user_id: str
    name: str
    status: Status = Status.PROPOSED
    activity_ids: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    salient_terms: list[str] = field(default_factory=list)
    # A few titles that show best what the journey is about, most typical first.
    representative_titles: list[str] = field(default_factory=list)
    confidence: float = 0.0
    # False when the user has not come back to it for a while (dormant).
    active: bool = True
    # Who gave the name: a namer backend ("keywords", ...) or "user".
    name_source: str = "keywords"
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of activities that are evidence for this journey."""
        return len(self.activity_ids)

    def summary(self) -> dict[str, Any]:
        """The fields of the command line's `extract --json` output."""
        return {
            "id": self.id,
            "name": self.name,
            "status": str(self.status),
            "size": self.size,
            "item_ids": list(self.item_ids),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "salient_terms": list(self.salient_terms),
            "confidence": round(self.confidence, 3),
            "active": self.active,
        }

    def to_dict(self) -> dict[str, Any]:
        """All fields, JSON-serialisable."""
        data = asdict(self)
        data["status"] = str(self.status)
        data["first_seen"] = _iso(self.first_seen)
        data["last_seen"] = _iso(self.last_seen)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Journey":
        """The inverse of to_dict."""
        values = dict(data)
        values["status"] = Status(values.get("status", Status.PROPOSED))
        for key in ("first_seen", "last_seen"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
