"""A conversation between one user and the agent, durable across restarts through the checkpointer."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver

from tools import UserContext


def open_checkpointer(path: Path) -> SqliteSaver:
    """A SQLite checkpointer at path, safe to share between the UI's threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


@dataclass(frozen=True)
class Reply:
    """The agent's answer to one message, and the tools it called on the way."""

    text: str
    tools_called: list[str] = field(default_factory=list)


class Conversation:
    """One thread of dialogue with one user; the user is fixed for the conversation's life."""

    def __init__(self, graph: Any, user_id: str, thread_id: str | None = None):
        self.graph = graph
        self.user_id = user_id
        self.thread_id = thread_id or f"{user_id}:default"

    @property
    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}}

    def ask(self, text: str) -> Reply:
        """Send the user's message and return the agent's reply."""
        before = len(self.history())
        state = self.graph.invoke(
            {"messages": [HumanMessage(text)]}, self._config, context=UserContext(user_id=self.user_id)
        )
        new = state["messages"][before:]
        tools = [call["name"] for m in new if isinstance(m, AIMessage) for call in m.tool_calls]
        answer = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        return Reply(text=answer.text if answer else "", tools_called=tools)

    def history(self) -> list[Any]:
        """The messages of this conversation so far (empty for a new one)."""
        snapshot = self.graph.get_state(self._config)
        return list(snapshot.values.get("messages", [])) if snapshot and snapshot.values else []
