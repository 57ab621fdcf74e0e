"""Read-only views of one user's journeys, the same for the tools (what the agent says) and the UI (what it shows).

A journey's card, its evidence, the timeline and the resolution of "the garden one" are built
here and nowhere else, so a reply and the panel beside it always show the same facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journeys.history.activity import Activity
from journeys.state.journey import Journey, Status
from journeys.state.references import resolve_journey
from journeys.workspace import Workspace

# Evidence items the UI shows for a journey (most recent first); a reply shows fewer (EXPLAIN_ITEMS).
EVIDENCE_LIMIT = 40
EXPLAIN_ITEMS = 8


def journey_card(journey: Journey, number: int, evidence: int = 1) -> dict[str, Any]:
    """What a reply or a card needs of a journey: its number in the list, name, status, size, span, evidence titles."""
    card = {"number": number, **journey.summary(), "evidence": journey.representative_titles[:evidence],
            "steer": journey.metadata.get("steer"), "named_by_user": journey.name_source == "user"}
    card.pop("item_ids")
    return card


def item(activity: Activity) -> dict[str, Any]:
    """One history item as replies and the evidence view show it: title, kind and day."""
    return {"title": activity.title, "kind": activity.kind, "when": activity.timestamp.date().isoformat()}


def search(workspace: Workspace, user_id: str, query: str, k: int = 5, since: datetime | None = None,
           until: datetime | None = None, kinds: list[str] | None = None) -> list[dict[str, Any]]:
    """The k items of the user's history closest in meaning to the query, best first, each with its score and
    the journey it is in (its number and name; None when it is in none)."""
    hits = workspace.history.search(user_id, query, k=k, since=since, until=until, kinds=kinds)
    journey_of = memberships(workspace, user_id)
    return [{**item(h.activity), "score": round(h.score, 3), "journey": journey_of.get(h.activity_id)} for h in hits]


def memberships(workspace: Workspace, user_id: str) -> dict[str, dict[str, Any]]:
    """For each activity in one of the user's visible journeys, that journey's number and name."""
    return {activity_id: {"number": number, "name": journey.name}
            for number, journey in enumerate(listed(workspace, user_id), start=1) for activity_id in journey.activity_ids}


# Items of a search for things in no journey: the closest this many, of which those in no journey are kept.
OUTSIDE_POOL = 60


def outside_journeys(workspace: Workspace, user_id: str, query: str = "", k: int = 10) -> dict[str, Any]:
    """Items of the user's history that are in no visible journey: those closest to the query, or the latest
    ones without a query; with how many items are in no journey in all."""
    journey_of = memberships(workspace, user_id)
    stored = workspace.history.activities(user_id)
    outside = [s for s in stored if s.activity_id not in journey_of]
    if query:
        hits = workspace.history.search(user_id, query, k=OUTSIDE_POOL)
        chosen = [{**item(h.activity), "score": round(h.score, 3), "journey": None}
                  for h in hits if h.activity_id not in journey_of][:k]
    else:
        latest = sorted(outside, key=lambda s: s.activity.timestamp, reverse=True)[:k]
        chosen = [{**item(s.activity), "journey": None} for s in latest]
    return {"items": chosen, "outside_total": len(outside), "history_size": len(stored)}


def listed(workspace: Workspace, user_id: str) -> list[Journey]:
    """The user's visible journeys in list order (rejected ones are hidden)."""
    return workspace.journeys.journeys(user_id)


def visible(workspace: Workspace, user_id: str) -> list[Journey]:
    """The user's journeys, found first if their history was never looked at (a first request such as
    "pause the garden one" then works like any other)."""
    journeys = listed(workspace, user_id)
    if not journeys and not workspace.journeys.has_events(user_id) and workspace.history.count(user_id):
        journeys = workspace.extract(user_id)
    return journeys


def cards(workspace: Workspace, user_id: str, evidence: int = 1) -> list[dict[str, Any]]:
    """One card per visible journey, in list order."""
    return [journey_card(j, n, evidence) for n, j in enumerate(listed(workspace, user_id), start=1)]


def card_now(workspace: Workspace, user_id: str, journey: Journey) -> dict[str, Any]:
    """The card of a journey as it now is, numbered in the user's current list (0: not on it)."""
    number = next((n for n, j in enumerate(listed(workspace, user_id), start=1) if j.id == journey.id), None)
    return journey_card(journey, number or 0)


def evidence(workspace: Workspace, user_id: str, journey: Journey, limit: int = EVIDENCE_LIMIT) -> dict[str, Any]:
    """A journey's items, most recent first (at most `limit`), with its salient terms and how many there are."""
    stored = workspace.history.get(user_id, journey.activity_ids)
    stored.sort(key=lambda s: s.activity.timestamp, reverse=True)
    return {"id": journey.id, "name": journey.name, "salient_terms": journey.salient_terms,
            "items": [item(s.activity) for s in stored[:limit]], "total": len(stored)}


def timeline(workspace: Workspace, user_id: str) -> list[dict[str, Any]]:
    """Each visible journey with the dates and titles of its activities, oldest first."""
    rows: list[dict[str, Any]] = []
    for number, journey in enumerate(listed(workspace, user_id), start=1):
        stored = workspace.history.get(user_id, journey.activity_ids)
        items = sorted(({"when": s.activity.timestamp, "title": s.activity.title} for s in stored),
                       key=lambda entry: entry["when"])
        rows.append({"number": number, "id": journey.id, "name": journey.name, "status": str(journey.status),
                     "items": items})
    return rows


def owned(workspace: Workspace, user_id: str, journey_id: str) -> Journey | None:
    """The journey when it is on the user's list (not another user's, not rejected), else None."""
    journey = workspace.journeys.get(user_id, journey_id)
    return journey if journey is not None and journey.status is not Status.REJECTED else None


class Unresolved(Exception):
    """A journey reference that points to no journey, or to several: the facts to ask the user with."""

    def __init__(self, facts: dict[str, Any]):
        super().__init__(facts.get("error"))
        self.facts = facts


def resolve(journeys: list[Journey], reference: str, embed: Any = None, changing: bool = False) -> Journey:
    """The journey a reference means among the visible ones; Unresolved carries the candidates to offer.

    For a change (changing=True), a journey found only by a loose likeness of meaning is offered
    first ("Do you mean …?") rather than changed.
    """
    resolution = resolve_journey(journeys, reference, embed=embed)
    if resolution.journey is not None and (resolution.sure or not changing):
        return resolution.journey
    if resolution.journey is not None:
        raise Unresolved({"error": "unsure", "reference": reference,
                          "candidates": [journey_card(resolution.journey, journeys.index(resolution.journey) + 1)]})
    raise Unresolved({
        "error": "ambiguous" if resolution.ambiguous else "not_found",
        "reference": reference,
        "candidates": sorted((journey_card(j, journeys.index(j) + 1) for j in resolution.candidates),
                             key=lambda card: card["number"])
        or [journey_card(j, n) for n, j in enumerate(journeys, start=1)],
    })
