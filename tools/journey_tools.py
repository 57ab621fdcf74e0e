"""The agent's tools: module-level functions whose docstrings are their descriptions.

Each reads the workspace and the user from the run's context (ToolRuntime[UserContext]), so a
call can only ever touch the session's own user. Each returns (content, artifact): content is
compact JSON for a chat model to read, the artifact is the same facts as a dict for the
offline reply templates. The views they return come from tools/views.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from journeys.history.activity import InvalidActivity, parse_timestamp
from journeys.state.edits import EditError
from journeys.state.journey import Journey, Status
from journeys.state.references import resolve_journey
from journeys.workspace import Workspace
from tools.context import UserContext
from tools.views import EXPLAIN_ITEMS, Unresolved, card_now, evidence, journey_card, resolve, search, visible
from tools.views import outside_journeys as views_outside

Runtime = ToolRuntime[UserContext]
Result = tuple[str, dict[str, Any]]
# Suggestions a recommend call gives unless asked for another number, and the most it gives.
RECOMMEND_K, RECOMMEND_MAX = 6, 20


def _result(facts: dict[str, Any]) -> Result:
    return json.dumps(facts, ensure_ascii=False, default=str), facts


def _session(runtime: Runtime) -> tuple[Workspace, str, list[Journey]]:
    """The run's workspace, its user, and the user's journeys (found first if never looked for)."""
    workspace, user_id = runtime.context.workspace, runtime.context.user_id
    return workspace, user_id, visible(workspace, user_id)


def _find(workspace: Workspace, journeys: list[Journey], reference: str, changing: bool = True) -> Journey:
    """Like views.resolve, and by meaning when the words match no journey ("the garden one")."""
    return resolve(journeys, reference, embed=workspace.embedder.embed, changing=changing)


def _edit(make: Callable[[], dict[str, Any]]) -> Result:
    """Run one edit and report it, or the reason it could not be made, as facts."""
    try:
        return _result(make())
    except Unresolved as unresolved:
        return _result(unresolved.facts)
    except EditError as error:
        return _result({"error": error.reason, "message": str(error)})


def _list(journeys: list[Journey]) -> list[dict[str, Any]]:
    return [journey_card(j, n) for n, j in enumerate(journeys, start=1)]


# Reading ---------------------------------------------------------------------------------------

@tool(response_format="content_and_artifact")
def list_journeys(runtime: Runtime) -> Result:
    """List the user's journeys (persistent interests) with number, name, status, size, time span and one evidence title each."""
    workspace, user_id, journeys = _session(runtime)
    return _result({"journeys": _list(journeys),
                    "history_size": workspace.history.count(user_id) if not journeys else None})


@tool(response_format="content_and_artifact")
def extract_journeys(runtime: Runtime) -> Result:
    """Find (or refresh) the user's journeys in their activity history and name them; returns the resulting list."""
    workspace, user_id = runtime.context.workspace, runtime.context.user_id
    journeys = workspace.extract(user_id)
    return _result({"journeys": _list(journeys), "history_size": workspace.history.count(user_id)})


@tool(response_format="content_and_artifact")
def explain_journey(journey: str, runtime: Runtime) -> Result:
    """Explain why a journey was found: its evidence items, salient terms and time span.

    Args:
        journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
    """
    workspace, user_id, journeys = _session(runtime)
    try:
        found = _find(workspace, journeys, journey, changing=False)
    except Unresolved as unresolved:
        return _result(unresolved.facts)
    # The latest items, oldest of them first, as a reply lists them.
    items = evidence(workspace, user_id, found, limit=EXPLAIN_ITEMS)["items"][::-1]
    return _result({"journey": journey_card(found, journeys.index(found) + 1, evidence=5), "items": items})


@tool(response_format="content_and_artifact")
def search_history(query: str, runtime: Runtime, k: int = 5, since: str | None = None, until: str | None = None,
                   kind: str | None = None, outside_journeys: bool = False, journey: str | None = None) -> Result:
    """Search the user's activity history by meaning; returns the best matching items with dates and scores.

    Args:
        query: what to look for, in the user's words.
        k: how many items to return (1-20).
        since: only activities at or after this date or time (ISO 8601, e.g. 2026-04-01).
        until: only activities at or before this date or time (ISO 8601).
        kind: only activities of this kind (watch, read, listen, search, like, save, ...).
        outside_journeys: only items that are in no journey ("where did my rockabilly stuff go?"); each item
            says which journey it is in otherwise.
        journey: a journey the user asks about ("is the kala ukulele in my uke journey?"): its number, id or
            words of its name; the answer then says whether the best match is in it.
    """
    if outside_journeys:
        found = views_outside(runtime.context.workspace, runtime.context.user_id, query, k=max(1, min(int(k), 20)))
        return _result({"query": query, "outside_journeys": True, **found})
    try:
        start = parse_timestamp(since) if since else None
        end = parse_timestamp(until) if until else None
    except InvalidActivity as exc:
        return _result({"error": "bad_argument", "query": query,
                        "message": str(exc).replace("'timestamp'", "the date")})
    if end is not None and len(until or "") <= 10:
        end = end + timedelta(days=1) - timedelta(microseconds=1)  # a bare date means the whole day
    items = search(runtime.context.workspace, runtime.context.user_id, query, k=max(1, min(int(k), 20)),
                   since=start, until=end, kinds=[kind] if kind else None)
    asked = None
    if journey:
        workspace, _, journeys = _session(runtime)
        try:
            found = _find(workspace, journeys, journey, changing=False)
            asked = {"number": journeys.index(found) + 1, "name": found.name}
        except Unresolved:
            asked = None  # words that name no journey: the items found still say where each one is
    return _result({"query": query, "items": items, **({"asked_journey": asked} if asked else {})})


# Changing --------------------------------------------------------------------------------------

def _set_status(runtime: Runtime, journey: str, action: str) -> Result:
    workspace, user_id, journeys = _session(runtime)
    edit = getattr(workspace.editor, action)
    return _edit(lambda: {"journey": card_now(workspace, user_id, edit(user_id, _find(workspace, journeys, journey).id))})


@tool(response_format="content_and_artifact")
def confirm_journey(journey: str, runtime: Runtime) -> Result:
    """Confirm that a journey is one of the user's interests (also resumes a paused journey).

    Args:
        journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
    """
    return _set_status(runtime, journey, "confirm")


@tool(response_format="content_and_artifact")
def reject_journey(journey: str, runtime: Runtime) -> Result:
    """Reject a journey the user says is not an interest: it is hidden and never proposed again from the same evidence.

    Args:
        journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
    """
    return _set_status(runtime, journey, "reject")


@tool(response_format="content_and_artifact")
def pause_journey(journey: str, runtime: Runtime) -> Result:
    """Pause a journey: a real interest the user does not want to pursue or see now.

    Args:
        journey: which journey: its number in the list ("2", "#2", "second"), its id, or words from its name.
    """
    return _set_status(runtime, journey, "pause")


@tool(response_format="content_and_artifact")
def rename_journey(journey: str, new_name: str, runtime: Runtime) -> Result:
    """Rename a journey with the name the user gives; no namer will ever replace it.

    Args:
        journey: which journey: its number in the list, its id, or words from its current name.
        new_name: the name the user wants, in their words.
    """
    workspace, user_id, journeys = _session(runtime)

    def rename() -> dict[str, Any]:
        target = _find(workspace, journeys, journey)
        renamed = workspace.editor.rename(user_id, target.id, new_name)
        return {"journey": card_now(workspace, user_id, renamed), "old_name": target.name}

    return _edit(rename)


@tool(response_format="content_and_artifact")
def name_journey(journey: str, runtime: Runtime) -> Result:
    """Ask the namer for a fresh name for a journey from its items (a name the user gave is kept).

    Args:
        journey: which journey: its number in the list, its id, or words from its current name.
    """
    workspace, user_id, journeys = _session(runtime)

    def name() -> dict[str, Any]:
        target = _find(workspace, journeys, journey)
        return {"journey": card_now(workspace, user_id, workspace.editor.name(user_id, target.id)),
                "old_name": target.name}

    return _edit(name)


@tool(response_format="content_and_artifact")
def merge_journeys(journeys: list[str], runtime: Runtime, new_name: str | None = None) -> Result:
    """Merge two or more journeys the user says are one interest into one journey.

    Args:
        journeys: the journeys to merge (two or more), each by number, id or words from its name.
        new_name: a name for the merged journey, if the user gave one; otherwise the first keeps its name.
    """
    workspace, user_id, current = _session(runtime)

    def merge() -> dict[str, Any]:
        parts = [_find(workspace, current, reference) for reference in journeys]
        merged = workspace.editor.merge(user_id, [p.id for p in parts], new_name)
        return {"journey": card_now(workspace, user_id, merged), "merged": [p.name for p in parts]}

    return _edit(merge)


@tool(response_format="content_and_artifact")
def split_journey(journey: str, runtime: Runtime, parts: list[str] | None = None) -> Result:
    """Split a journey that mixes several interests into separate journeys.

    Args:
        journey: which journey: its number in the list, its id, or words from its name.
        parts: the topics to split it into, in the user's words (two or more); omit to let the
            agent find the two most distinct groups and name them.
    """
    workspace, user_id, journeys = _session(runtime)

    def split() -> dict[str, Any]:
        target = _find(workspace, journeys, journey)
        new = workspace.editor.split(user_id, target.id, parts or [])
        return {"original": target.name, "journeys": [card_now(workspace, user_id, j) for j in new]}

    return _edit(split)


@tool(response_format="content_and_artifact")
def steer_journey(journey: str, direction: Literal["more", "less"], runtime: Runtime) -> Result:
    """Record that the user wants more, or less, of a journey in what they are shown.

    Args:
        journey: which journey: its number in the list, its id, or words from its name.
        direction: "more" or "less".
    """
    workspace, user_id, journeys = _session(runtime)
    return _edit(lambda: {
        "journey": card_now(workspace, user_id,
                            workspace.editor.steer(user_id, _find(workspace, journeys, journey).id, direction)),
        "direction": direction,
    })


@tool(response_format="content_and_artifact")
def add_journey(name: str, runtime: Runtime) -> Result:
    """Add a journey the user declares or aspires to ("I want to start learning Italian"); it starts confirmed, with no items.

    Args:
        name: the interest in the user's words, short (for example "learning Italian").
    """
    workspace, user_id = runtime.context.workspace, runtime.context.user_id
    return _edit(lambda: {"journey": card_now(workspace, user_id, workspace.editor.add(user_id, name))})


@tool(response_format="content_and_artifact")
def undo(runtime: Runtime) -> Result:
    """Undo the user's latest change to their journeys (confirm, rename, reject, pause, merge, split, steer, add, name)."""
    undone = runtime.context.workspace.editor.undo(runtime.context.user_id)
    if undone is None:
        return _result({"error": "nothing_to_undo"})
    return _result({
        "action": undone.action,
        "restored": [c.after.name for c in undone.changes if c.after is not None],
        "removed": [c.before.name for c in undone.changes if c.after is None and c.before is not None],
    })


# Suggesting ------------------------------------------------------------------------------------

def _recommend_target(workspace: Workspace, user_id: str, journeys: list[Journey], journey: str) -> Journey:
    """The journey suggestions are asked for; a rejected one is found too (hidden from the list), so the
    reply can say it is rejected rather than unknown. Raises Unresolved."""
    try:
        return _find(workspace, journeys, journey)
    except Unresolved:
        rejected = [j for j in workspace.journeys.journeys(user_id, include_rejected=True)
                    if j.status is Status.REJECTED]
        hit = resolve_journey(rejected, journey, strict=True).journey
        if hit is None:
            raise
        return hit


@tool(response_format="content_and_artifact")
def recommend(runtime: Runtime, journey: str | None = None, k: int = RECOMMEND_K) -> Result:
    """Suggest new items the user has not had yet, each with a one-line reason (the history item it is closest to).

    Args:
        journey: for which journey: its number in the list, its id, or words from its name; omit to
            share the suggestions among all active journeys by their weight (steering counts).
        k: how many suggestions (1-20).
    """
    workspace, user_id, journeys = _session(runtime)
    if not journeys:
        return _result({"error": "no_journeys", "history_size": workspace.history.count(user_id)})
    target = None
    if journey:
        try:
            target = _recommend_target(workspace, user_id, journeys, journey)
        except Unresolved as unresolved:
            return _result(unresolved.facts)
        if target.status in (Status.PAUSED, Status.REJECTED):
            return _result({"error": "inactive", "journey": card_now(workspace, user_id, target),
                            "status": str(target.status)})
    elif not any(j.status in (Status.PROPOSED, Status.CONFIRMED) for j in journeys):
        return _result({"error": "none_active", "journeys": _list(journeys)})
    catalogue = workspace.catalogue(user_id)
    found = workspace.recommend(user_id, journey_id=target.id if target else None,
                                k=max(1, min(int(k), RECOMMEND_MAX)))
    return _result({
        "journey": card_now(workspace, user_id, target) if target else None,
        "items": [{"title": r.title, "journey": r.journey_name, "journey_id": r.journey_id,
                   "because": r.because_title, "reason": r.reason, "score": r.score} for r in found],
        "steered": {j.name: j.metadata["steer"] for j in journeys
                    if j.metadata.get("steer") and j.status in (Status.PROPOSED, Status.CONFIRMED)
                    and (target is None or j.id == target.id)},
        "left_out": [journey_card(j, n) for n, j in enumerate(journeys, start=1)
                     if target is None and j.status is Status.PAUSED],
        "catalogue": catalogue.source,
    })


# Every tool, in the order of the dialogue-scenario spec (docs/spec/dialogue-scenarios.md).
TOOLS = [
    search_history, extract_journeys, name_journey, list_journeys, explain_journey, confirm_journey,
    rename_journey, reject_journey, pause_journey, merge_journeys, split_journey, steer_journey,
    add_journey, undo, recommend,
]
TOOL_NAMES = tuple(t.name for t in TOOLS)
# Tools that change the user's journeys (the UI refreshes its panel after them).
CHANGING_TOOLS = frozenset(TOOL_NAMES) - {"search_history", "list_journeys", "explain_journey", "recommend"}
