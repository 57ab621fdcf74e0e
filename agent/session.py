"""A conversation between one user and the agent, durable across restarts through the checkpointer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from tools import TOOL_NAMES, UserContext

# PostgreSQL advisory lock key: processes creating the checkpoint tables take turns.
_SETUP_LOCK = 0x4A6F7563686B70


def open_checkpointer(location: Path | str) -> BaseCheckpointSaver:
    """The conversations' checkpointer, safe to share between the UI's threads.

    A file path gives a SQLite checkpointer (the embedded default); a postgresql:// URL gives
    LangGraph's PostgreSQL checkpointer over a connection pool, its tables created (and
    migrated by LangGraph's own versioned migrations) on first use.
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return _postgres_checkpointer(text)
    path = Path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


def _postgres_checkpointer(url: str) -> BaseCheckpointSaver:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(url, min_size=1, max_size=8, open=True,
                          kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
    saver = PostgresSaver(pool)
    with psycopg.connect(url, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
        saver.setup()
    return saver


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
        # The last reply (with the tools it called), also after stream().
        self.last: Reply | None = None

    @property
    def _context(self) -> UserContext:
        """The run's context: this conversation's user and the graph's workspace (what the tools read)."""
        return UserContext(user_id=self.user_id, workspace=self.graph.workspace)

    @property
    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}}

    def ask(self, text: str) -> Reply:
        """Send the user's message and return the agent's reply."""
        return self._run({"messages": [HumanMessage(text)]})

    def act(self, tool: str, args: dict[str, Any], said: str) -> Reply:
        """Run one tool as the user asked by clicking (said: how the click reads in the dialogue,
        such as “Confirm “Ukulele chords””); the reply is worded like any other."""
        if tool not in TOOL_NAMES:
            raise ValueError(f"unknown action {tool!r}")
        return self._run({"messages": [HumanMessage(said)], "action": {"name": tool, "args": args}})

    def stream(self, text: str) -> Iterator[str]:
        """The reply to a message as it is written: the text so far after each piece.

        A chat model's reply arrives token by token; the offline agent's templated reply arrives
        whole and is handed out a few words at a time.
        """
        before = len(self.history())
        written = ""
        for chunk, metadata in self.graph.stream(
            {"messages": [HumanMessage(text)]}, self._config, context=self._context,
            stream_mode="messages",
        ):
            if metadata.get("langgraph_node") == "call_model" and isinstance(chunk, AIMessageChunk) and chunk.text:
                written += chunk.text
                yield written
        final = self._reply(before)
        if final.text != written:
            words = final.text.split(" ")
            for end in range(0, len(words), 6):
                yield " ".join(words[: end + 6])
        self.last = final

    def _run(self, payload: dict[str, Any]) -> Reply:
        before = len(self.history())
        self.graph.invoke(payload, self._config, context=self._context)
        self.last = self._reply(before)
        return self.last

    def _reply(self, before: int) -> Reply:
        new = self.history()[before:]
        tools = [call["name"] for m in new if isinstance(m, AIMessage) for call in m.tool_calls]
        answer = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        return Reply(text=answer.text if answer else "", tools_called=tools)

    def history(self) -> list[Any]:
        """The messages of this conversation so far (empty for a new one)."""
        snapshot = self.graph.get_state(self._config)
        return list(snapshot.values.get("messages", [])) if snapshot and snapshot.values else []
