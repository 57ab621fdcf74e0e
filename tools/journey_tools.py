"""The agent's tools: thin wrappers that scope every call to the session's user.

Each tool returns (content, artifact): content is compact JSON for a chat model to read,
the artifact is the same facts as a dict for the offline reply templates.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, tool

from journeys.activity import InvalidActivity, parse_timestamp
from journeys.journey import Journey
from journeys.references import resolve_journey
from journeys.workspace import Workspace
from tools.context import UserContext

TOOL_NAMES = ("list_journeys", "explain_journey", "extract_journeys", "search_history")


def journey_card(journey: Journey, number: int, evidence: int = 1) -> dict[str, Any]:
    """What a reply needs to show of a journey: its number in the list, name, status, size, span, evidence."""
    card = {"number": number, **journey.summary(), "evidence": journey.representative_titles[:evidence]}
    card.pop("item_ids")
    return card


def _result(facts: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return json.dumps(facts, ensure_ascii=False, default=str), facts


def build_tools(workspace: Workspace) -> list[BaseTool]:
    """The tools over one workspace; the user always comes from the run's context."""

    def visible(runtime: ToolRuntime[UserContext]) -> list[Journey]:
        return workspace.journeys.journeys(runtime.context.user_id)

    @tool(response_format="content_and_artifact")
    def list_journeys(runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """List the user's journeys (persistent interests) with number, name, status, size, time span and one evidence title each."""
        journeys = visible(runtime)
        return _result({
            "journeys": [journey_card(j, n) for n, j in enumerate(journeys, start=1)],
            "history_size": workspace.history.count(runtime.context.user_id) if not journeys else None,
        })

    @tool(response_format="content_and_artifact")
    def extract_journeys(runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Find (or refresh) the user's journeys in their activity history and name them; returns the resulting list."""
        user_id = runtime.context.user_id
        journeys = workspace.extract(user_id)
        return _result({
            "journeys": [journey_card(j, n) for n, j in enumerate(journeys, start=1)],
            "history_size": workspace.history.count(user_id),
        })

    @tool(response_format="content_and_artifact")
    def explain_journey(journey: str, runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Explain why a journey was found: its evidence items, salient terms and time span.

        Args:
            journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
        """
        journeys = visible(runtime)
        resolution = resolve_journey(journeys, journey)
        if resolution.journey is None:
            return _result({
                "error": "ambiguous" if resolution.ambiguous else "not_found",
                "reference": journey,
                "candidates": [journey_card(j, journeys.index(j) + 1) for j in resolution.candidates]
                or [journey_card(j, n) for n, j in enumerate(journeys, start=1)],
            })
        found = resolution.journey
        items = workspace.history.get(runtime.context.user_id, found.activity_ids)
        return _result({
            "journey": journey_card(found, journeys.index(found) + 1, evidence=5),
            "items": [
                {"title": s.activity.title, "kind": s.activity.kind,
                 "when": s.activity.timestamp.date().isoformat()}
                for s in items[-8:]
            ],
        })

    @tool(response_format="content_and_artifact")
    def search_history(
        query: str,
        runtime: ToolRuntime[UserContext],
        k: int = 5,
        since: str | None = None,
        until: str | None = None,
        kind: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Search the user's activity history by meaning; returns the best matching items with dates and scores.

        Args:
            query: what to look for, in the user's words.
            k: how many items to return (1-20).
            since: only activities at or after this date or time (ISO 8601, e.g. 2026-04-01).
            until: only activities at or before this date or time (ISO 8601).
            kind: only activities of this kind (watch, read, listen, search, like, save, ...).
        """
        try:
            start = parse_timestamp(since) if since else None
            end = parse_timestamp(until) if until else None
        except InvalidActivity as exc:
            return _result({"error": "bad_argument", "query": query,
                            "message": str(exc).replace("'timestamp'", "the date")})
        if end is not None and len(until or "") <= 10:
            end = end + timedelta(days=1) - timedelta(microseconds=1)  # a bare date means the whole day
        hits = workspace.history.search(
            runtime.context.user_id, query, k=max(1, min(int(k), 20)), since=start, until=end,
            kinds=[kind] if kind else None,
        )
        return _result({
            "query": query,
            "items": [
                {"title": h.activity.title, "kind": h.activity.kind,
                 "when": h.activity.timestamp.date().isoformat(), "score": round(h.score, 3)}
                for h in hits
            ],
        })

    return [list_journeys, explain_journey, extract_journeys, search_history]
