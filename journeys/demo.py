"""The demo data set shipped with the project: personas with a few months of activity each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).parent / "demo_data"
# New items to recommend to the personas (history format; see scripts/build_demo_data.py).
DEMO_CATALOGUE = DEMO_DIR / "catalog.jsonl"


@dataclass(frozen=True)
class Persona:
    """A demo user: id, display name, a one-line summary and their true persistent interests."""

    user_id: str
    display_name: str
    summary: str
    interests: list[dict]

    @property
    def history_path(self) -> Path:
        return DEMO_DIR / f"{self.user_id}.jsonl"


def load_personas() -> list[Persona]:
    """The demo personas, in the order of personas.json."""
    data = json.loads((DEMO_DIR / "personas.json").read_text(encoding="utf-8"))
    return [
        Persona(user_id, entry["display_name"], entry["summary"], entry["interests"])
        for user_id, entry in data.items()
    ]
