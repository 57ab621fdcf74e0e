"""The demo data set shipped with the project: personas with a few months of activity each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the workspace imports this module for the catalogue's path
    from journeys.workspace import Step, Workspace

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


def preparation(workspace: Workspace, personas: list[Persona]) -> list[Step]:
    """The demo's preparation as named steps: the models, each persona's history and journeys, the catalogue."""
    from journeys.workspace import Step

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
