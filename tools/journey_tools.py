"""The agent's tools: thin wrappers that scope every call to the session's user.

Each tool returns (content, artifact): content is compact JSON for a chat model to read,
the artifact is the same facts as a dict for the offline reply templates.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, tool

from journeys.history.activity import InvalidActivity, parse_timestamp
from journeys.state.edits import EditError
from journeys.state.journey import Journey, Status
from journeys.state.references import resolve_journey
from journeys.workspace import Workspace
from tools.context import UserContext

# The tools' names, exactly as the dialogue-scenario spec lists them.
TOOL_NAMES = (
    "search_history", "extract_journeys", "name_journey", "list_journeys", "explain_journey",
    "confirm_journey", "rename_journey", "reject_journey", "pause_journey", "merge_journeys",
    "split_journey", "steer_journey", "add_journey", "undo", "recommend",
)
# Tools that change the user's journeys (the UI refreshes its panel after them).
CHANGING_TOOLS = frozenset(TOOL_NAMES) - {"search_history", "list_journeys", "explain_journey", "recommend"}
# Suggestions a recommend call gives unless asked for another number, and the most it gives.
RECOMMEND_K, RECOMMEND_MAX = 6, 20


def journey_card(journey: Journey, number: int, evidence: int = 1) -> dict[str, Any]:
    """What a reply needs to show of a journey: its number in the list, name, status, size, span, evidence."""
    card = {"number": number, **journey.summary(), "evidence": journey.representative_titles[:evidence],
            "steer": journey.metadata.get("steer"), "named_by_user": journey.name_source == "user"}
    card.pop("item_ids")
    return card


def _result(facts: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return json.dumps(facts, ensure_ascii=False, default=str), facts


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


def _edit(journeys: list[Journey], make: Any) -> tuple[str, dict[str, Any]]:
    """Run one edit and report it, or the reason it could not be made, as facts."""
    try:
        return _result(make())
    except Unresolved as unresolved:
        return _result(unresolved.facts)
    except EditError as error:
        return _result({"error": error.reason, "message": str(error)})


def build_tools(workspace: Workspace) -> list[BaseTool]:
    """The tools over one workspace; the user always comes from the run's context."""

    def visible(runtime: ToolRuntime[UserContext]) -> list[Journey]:
        """The user's journeys, found first if their history was never looked at (a first request such as
        "pause the garden one" then works like any other)."""
        user_id = runtime.context.user_id
        journeys = workspace.journeys.journeys(user_id)
        if not journeys and not workspace.journeys.has_events(user_id) and workspace.history.count(user_id):
            journeys = workspace.extract(user_id)
        return journeys

    def find(journeys: list[Journey], reference: str, changing: bool = True) -> Journey:
        """Like resolve, and by meaning when the words match no journey ("the garden one")."""
        return resolve(journeys, reference, embed=workspace.embedder.embed, changing=changing)

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
        try:
            found = find(journeys, journey, changing=False)
        except Unresolved as unresolved:
            return _result(unresolved.facts)
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

    editor = workspace.editor

    def card(user_id: str, journey: Journey) -> dict[str, Any]:
        """The card of a journey as it now is, numbered in the user's current list."""
        journeys = workspace.journeys.journeys(user_id)
        number = next((n for n, j in enumerate(journeys, start=1) if j.id == journey.id), None)
        return journey_card(journey, number or 0)

    def status_tool(name: str, action: str, doc: str) -> BaseTool:
        def change(journey: str, runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
            user_id, journeys = runtime.context.user_id, visible(runtime)
            edit = getattr(editor, action)
            return _edit(journeys, lambda: {"journey": card(user_id, edit(user_id, find(journeys, journey).id))})

        change.__name__, change.__doc__ = name, doc + """

        Args:
            journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
        """
        return tool(name, response_format="content_and_artifact")(change)

    confirm_journey = status_tool(
        "confirm_journey", "confirm",
        "Confirm that a journey is one of the user's interests (also resumes a paused journey).")
    reject_journey = status_tool(
        "reject_journey", "reject",
        "Reject a journey the user says is not an interest: it is hidden and never proposed again from the same evidence.")
    pause_journey = status_tool(
        "pause_journey", "pause",
        "Pause a journey: a real interest the user does not want to pursue or see now.")

    @tool(response_format="content_and_artifact")
    def rename_journey(journey: str, new_name: str, runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Rename a journey with the name the user gives; no namer will ever replace it.

        Args:
            journey: which journey: its number in the list, its id, or words from its current name.
            new_name: the name the user wants, in their words.
        """
        user_id, journeys = runtime.context.user_id, visible(runtime)

        def rename() -> dict[str, Any]:
            target = find(journeys, journey)
            return {"journey": card(user_id, editor.rename(user_id, target.id, new_name)), "old_name": target.name}

        return _edit(journeys, rename)

    @tool(response_format="content_and_artifact")
    def name_journey(journey: str, runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Ask the namer for a fresh name for a journey from its items (a name the user gave is kept).

        Args:
            journey: which journey: its number in the list, its id, or words from its current name.
        """
        user_id, journeys = runtime.context.user_id, visible(runtime)

        def name() -> dict[str, Any]:
            target = find(journeys, journey)
            return {"journey": card(user_id, editor.name(user_id, target.id)), "old_name": target.name}

        return _edit(journeys, name)

    @tool(response_format="content_and_artifact")
    def merge_journeys(journeys: list[str], runtime: ToolRuntime[UserContext],
                       new_name: str | None = None) -> tuple[str, dict[str, Any]]:
        """Merge two or more journeys the user says are one interest into one journey.

        Args:
            journeys: the journeys to merge (two or more), each by number, id or words from its name.
            new_name: a name for the merged journey, if the user gave one; otherwise the first keeps its name.
        """
        user_id, current = runtime.context.user_id, visible(runtime)

        def merge() -> dict[str, Any]:
            parts = [find(current, reference) for reference in journeys]
            merged = editor.merge(user_id, [p.id for p in parts], new_name)
            return {"journey": card(user_id, merged), "merged": [p.name for p in parts]}

        return _edit(current, merge)

    @tool(response_format="content_and_artifact")
    def split_journey(journey: str, runtime: ToolRuntime[UserContext],
                      parts: list[str] | None = None) -> tuple[str, dict[str, Any]]:
        """Split a journey that mixes several interests into separate journeys.

        Args:
            journey: which journey: its number in the list, its id, or words from its name.
            parts: the topics to split it into, in the user's words (two or more); omit to let the
                agent find the two most distinct groups and name them.
        """
        user_id, journeys = runtime.context.user_id, visible(runtime)

        def split() -> dict[str, Any]:
            target = find(journeys, journey)
            new = editor.split(user_id, target.id, parts or [])
            return {"original": target.name, "journeys": [card(user_id, j) for j in new]}

        return _edit(journeys, split)

    @tool(response_format="content_and_artifact")
    def steer_journey(journey: str, direction: Literal["more", "less"],
                      runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Record that the user wants more, or less, of a journey in what they are shown.

        Args:
            journey: which journey: its number in the list, its id, or words from its name.
            direction: "more" or "less".
        """
        user_id, journeys = runtime.context.user_id, visible(runtime)
        return _edit(journeys, lambda: {
            "journey": card(user_id, editor.steer(user_id, find(journeys, journey).id, direction)),
            "direction": direction,
        })

    @tool(response_format="content_and_artifact")
    def add_journey(name: str, runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Add a journey the user declares or aspires to ("I want to start learning Italian"); it starts confirmed, with no items.

        Args:
            name: the interest in the user's words, short (for example "learning Italian").
        """
        user_id = runtime.context.user_id
        return _edit([], lambda: {"journey": card(user_id, editor.add(user_id, name))})

    @tool(response_format="content_and_artifact")
    def undo(runtime: ToolRuntime[UserContext]) -> tuple[str, dict[str, Any]]:
        """Undo the user's latest change to their journeys (confirm, rename, reject, pause, merge, split, steer, add, name)."""
        user_id = runtime.context.user_id
        undone = editor.undo(user_id)
        if undone is None:
            return _result({"error": "nothing_to_undo"})
        return _result({
            "action": undone.action,
            "restored": [c.after.name for c in undone.changes if c.after is not None],
            "removed": [c.before.name for c in undone.changes if c.after is None and c.before is not None],
        })

    @tool(response_format="content_and_artifact")
    def recommend(runtime: ToolRuntime[UserContext], journey: str | None = None,
                  k: int = RECOMMEND_K) -> tuple[str, dict[str, Any]]:
        """Suggest new items the user has not had yet, each with a one-line reason (the history item it is closest to).

        Args:
            journey: for which journey: its number in the list, its id, or words from its name; omit to
                share the suggestions among all active journeys by their weight (steering counts).
            k: how many suggestions (1-20).
        """
        user_id, journeys = runtime.context.user_id, visible(runtime)
        if not journeys:
            return _result({"error": "no_journeys", "history_size": workspace.history.count(user_id)})
        target = None
        if journey:
            try:
                target = find(journeys, journey)
            except Unresolved as unresolved:
                # A rejected journey is hidden from the list: say that it is rejected, not that it is unknown.
                rejected = [j for j in workspace.journeys.journeys(user_id, include_rejected=True)
                            if j.status is Status.REJECTED]
                hit = resolve_journey(rejected, journey, strict=True).journey
                if hit is None:
                    return _result(unresolved.facts)
                target = hit
            if target.status in (Status.PAUSED, Status.REJECTED):
                return _result({"error": "inactive", "journey": card(user_id, target), "status": str(target.status)})
        elif not any(j.status in (Status.PROPOSED, Status.CONFIRMED) for j in journeys):
            return _result({"error": "none_active", "journeys": [journey_card(j, n) for n, j in
                                                                   enumerate(journeys, start=1)]})
        catalogue = workspace.catalogue(user_id)
        found = workspace.recommend(user_id, journey_id=target.id if target else None,
                                    k=max(1, min(int(k), RECOMMEND_MAX)))
        return _result({
            "journey": card(user_id, target) if target else None,
            "items": [{"title": r.title, "journey": r.journey_name, "journey_id": r.journey_id,
                       "because": r.because_title, "reason": r.reason, "score": r.score} for r in found],
            "steered": {j.name: j.metadata["steer"] for j in journeys
                        if j.metadata.get("steer") and j.status in (Status.PROPOSED, Status.CONFIRMED)
                        and (target is None or j.id == target.id)},
            "left_out": [journey_card(j, n) for n, j in enumerate(journeys, start=1)
                         if target is None and j.status is Status.PAUSED],
            "catalogue": catalogue.source,
        })

    return [
        search_history, extract_journeys, name_journey, list_journeys, explain_journey, confirm_journey,
        rename_journey, reject_journey, pause_journey, merge_journeys, split_journey, steer_journey,
        add_journey, undo, recommend,
    ]
