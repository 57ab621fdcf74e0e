"""The conversation's state, as kept by the checkpointer between turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


@dataclass
class State:
    """One conversation with one user."""

    # The whole dialogue: the user's messages, tool calls, tool results and replies.
    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    # A request waiting for the user to say which journey they mean (offline mode), or None.
    pending: dict[str, Any] | None = None
