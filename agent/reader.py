"""The offline understanding in the graph: the learned model reads the message, and its request becomes
the turn's tool calls, a reply, or one question.

The model and the few decisions code still makes live in journeys/understanding/; this module
only gives them the conversation as the checkpointer keeps it (the visible journeys, the
journey last talked about, a question awaiting its answer, the previous request) and turns the
request into the graph's next step.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage

from agent.replies import change_facts, help_facts, render_reply
from agent.state import State
from journeys.state.journey import Journey
from journeys.understanding.model import MessageModel
from journeys.understanding.requests import Conversation, Request, request_of
from tools.views import journey_card

# Requests answered by another tool's call: what is in a journey and when it began are in its explanation.
TOOL_OF = {"journey_items": "explain_journey", "journey_start": "explain_journey"}
# Requests answered from a template, with no tool.
REPLIES = frozenset({"help", "greeting", "thanks", "bye", "small_talk", "out_of_scope", "delete_data", "cancel",
                     "decline"})


def conversation_of(state: State, journeys: list[Journey], today: Callable[[], date]) -> Conversation:
    """What the reader needs of the conversation, from the graph's state."""
    return Conversation(journeys, state.get("focus"), pending_of(state.get("pending")), last_request(state), today,
                        previous_search(state))


def previous_search(state: State) -> dict[str, Any] | None:
    """The arguments of the search the last turn with tool calls made, if it made one ("what about in April?")."""
    for message in reversed(state["messages"][:-1]):
        if isinstance(message, AIMessage) and message.tool_calls:
            searches = [c["args"] for c in message.tool_calls if c["name"] == "search_history"]
            return searches[-1] if searches else None
    return None


def pending_of(pending: dict[str, Any] | None) -> dict[str, Any] | None:
    """The question awaiting an answer, as the model reads it: which journey, or yes or no (a change held by a
    chat model is not the offline reader's)."""
    if not pending or not pending.get("intent"):
        return None
    if pending.get("calls"):
        return {"kind": "yes_no", "intent": pending["intent"], "calls": pending["calls"]}
    offered = pending.get("offered") or []
    question = {"kind": "which", "intent": pending["intent"], "args": pending.get("args") or {}, "offered": offered}
    if len(offered) == 1:
        # "Do you mean Hydroponics?" asks yes or no (a name still answers it).
        question.update(kind="yes_no", calls=[{**question["args"], "journey": offered[0]}])
    return question


def last_request(state: State) -> str | None:
    """The tool the previous turn called (for "the chickens one too"), if it called one."""
    for message in reversed(state["messages"][:-1]):
        if isinstance(message, AIMessage) and message.tool_calls:
            return message.tool_calls[-1]["name"]
    return None


def read_message(model: MessageModel, text: str, conversation: Conversation, embed: Any) -> Request:
    """The request a message makes in this conversation."""
    return request_of(model.read(text, conversation.state()), text, conversation, embed)


def next_step(request: Request, journeys: list[Journey], first_turn: bool) -> dict[str, Any]:
    """The graph's update for a request: tool calls, a reply, or a question (with what its answer completes)."""
    intent = request.intent
    if intent == "greeting" and first_turn:
        intent = "list_journeys"  # first meeting: present the journeys straight away
    if intent in REPLIES:
        return _reply(intent, request, journeys)
    intent = TOOL_OF.get(intent, intent)
    calls = [_tool_args(intent, args) for args in request.calls]
    if intent in ("item_in_journey", "unassigned"):
        intent = "search_history"
    if intent == "list_journeys" and not journeys:
        intent = "extract_journeys"  # first meeting: nothing found yet, so look first
    if request.clarify and not any(_names_words(args) for args in calls):
        facts = {"candidates": [journey_card(j, n) for n, j in enumerate(journeys, start=1)
                                if not request.candidates or j.id in request.candidates],
                 "verb": change_facts(intent, [{}], journeys)["verb"]}
        question = {"intent": intent, "args": {k: v for k, v in calls[0].items() if k != "journey"},
                    "offered": list(request.candidates) if len(request.candidates) == 1 else []}
        return {"messages": [AIMessage(render_reply("which_journey", facts))], "pending": question}
    if request.ask:
        change = render_reply("change", change_facts(intent, calls, journeys))
        return {"messages": [AIMessage(render_reply("change_unsure", {"change": change}))],
                "pending": {"intent": intent, "calls": calls}}
    tool_calls = [{"name": intent, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"} for args in calls]
    return {"messages": [AIMessage("", tool_calls=tool_calls)], "pending": None}


def _names_words(args: dict[str, Any]) -> bool:
    """Whether a call names a journey in the user's words (the tool then asks which one, offering candidates)."""
    return bool(args.get("journey") or args.get("journeys"))


def _tool_args(intent: str, args: dict[str, Any]) -> dict[str, Any]:
    """A request's arguments as the tool takes them."""
    args = {k: str(v) if isinstance(v, str) else v for k, v in args.items()}
    if intent == "item_in_journey":
        # Each item found says which journey it is in; a journey asked about gets a yes or no.
        return {"query": args.get("item", ""), "k": 3, **({"journey": args["journey"]} if args.get("journey") else {})}
    if intent == "unassigned":
        return {"query": args.get("topic") or "", "k": 10, "outside_journeys": True}
    if intent == "search_history" and not args.get("query"):
        return {**args, "query": "", "k": 10}
    if intent == "recommend" and "topic" in args:
        topic = args.pop("topic")
        args.setdefault("journey", topic)
    if intent == "merge_journeys":
        args["journeys"] = [str(j) for j in args.get("journeys", [])]
    return args


def _reply(intent: str, request: Request, journeys: list[Journey]) -> dict[str, Any]:
    if intent == "help":
        facts = help_facts(journeys)
    elif intent == "decline":
        facts = change_facts("decline", [c for c in request.calls if c], journeys)
    else:
        facts = {}
    template = "cancelled" if intent == "cancel" else intent
    return {"messages": [AIMessage(render_reply(template, facts))], "pending": None}
