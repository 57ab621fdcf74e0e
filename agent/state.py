"""The conversation's state, as kept by the checkpointer between turns."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class State(TypedDict):
    """One conversation with one user.

    (A TypedDict rather than a dataclass: the tool runtime passes state to tools as a dict.)
    """

    # The whole dialogue: the user's messages, tool calls, tool results and replies.
    messages: Annotated[list[AnyMessage], add_messages]
    # What waits for the user's next answer, or None:
    # {"intent": tool name, "args": the other arguments already given} while asking which
    # journey they mean (offline mode); "calls": a change read only loosely, done on "yes";
    # "held": changes a chat model proposed that the user's message did not ask for
    # (agent/authorisation.py), run on "yes" as "approved".
    pending: NotRequired[dict[str, Any] | None]
    # The id of the journey the last turn was about, so "it" and "that one" can refer to it.
    focus: NotRequired[str | None]
    # A tool call the user made by clicking (a card's Confirm button, say) rather than by
    # typing: {"name": tool, "args": {...}}. It runs as it is, without interpretation.
    action: NotRequired[dict[str, Any] | None]
