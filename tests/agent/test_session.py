"""Conversations kept by either checkpointer: a SQLite file (the default) or PostgreSQL shared by processes."""

import pytest

from agent import Conversation, build_graph, open_checkpointer
from tests.conftest import PERSONAS


@pytest.fixture
def maya(workspace):
    workspace.ingest([PERSONAS["maya"].history_path])
    return workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def checkpoints(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "checkpoints.sqlite"
    return request.getfixturevalue("postgres_url")


def test_a_conversation_resumes_from_a_new_checkpointer_on_the_same_store(maya, checkpoints):
    first = Conversation(build_graph(maya, checkpointer=open_checkpointer(checkpoints)), "maya", thread_id="t1")
    first.ask("what are my journeys?")
    told = len(first.history())
    assert told >= 2
    ids = [m.id for m in first.history()]

    # Another process (here: a second checkpointer on the same store) continues the same thread.
    again = Conversation(build_graph(maya, checkpointer=open_checkpointer(checkpoints)), "maya", thread_id="t1")
    assert [m.id for m in again.history()] == ids
    again.ask("confirm the first one")
    grown = [m.id for m in again.history()]
    assert grown[:told] == ids and len(grown) > told
    third = Conversation(build_graph(maya, checkpointer=open_checkpointer(checkpoints)), "maya", thread_id="t1")
    assert [m.id for m in third.history()] == grown
    assert "confirmed" in third.history()[-1].text.lower()
