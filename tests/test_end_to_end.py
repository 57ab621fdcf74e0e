"""End to end: a persona's history in, their real interests named back in the chat."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from gradio_client import Client

from agent import Conversation, build_graph, open_checkpointer
from tests.conftest import PERSONAS


def named(interest: dict, text: str) -> bool:
    return any(keyword in text.lower() for keyword in interest["keywords"])


@pytest.mark.parametrize("user_id", sorted(PERSONAS))
def test_the_agent_names_each_personas_real_interests(workspace, user_id):
    persona = PERSONAS[user_id]
    workspace.ingest([persona.history_path])
    workspace.extract(user_id)
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    reply = Conversation(graph, user_id).ask("what are my journeys?")
    assert reply.tools_called == ["list_journeys"]
    missing = [i["label"] for i in persona.interests if not named(i, reply.text)]
    assert not missing, f"not named in the reply: {missing}\n{reply.text}"
    others = [i for p in PERSONAS.values() if p.user_id != user_id for i in p.interests]
    assert not any(i["keywords"][0] in reply.text.lower() for i in others if not named(i, " ".join(
        k for own in persona.interests for k in own["keywords"])))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_journeys_demo_serves_the_ui_and_answers_in_the_chat(tmp_path):
    port = free_port()
    env = {**os.environ, "JOURNEYS_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        # A fresh home: ingest six personas, convert the namer model (unless this run already did),
        # find and name their journeys. About 2 minutes on 2 cores; generous for a busy CI machine.
        deadline = time.monotonic() + 480
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(1)
        else:
            process.terminate()
            pytest.fail(f"journeys demo did not serve the UI within 480 s; it printed:\n{process.stdout.read()[-3000:]}")
        client = Client(url, verbose=False)
        first = next(iter(PERSONAS.values()))
        _, history = client.predict("what are my journeys?", [], first.user_id, api_name="/send")
        reply = str(history[-1]["content"])
        assert all(named(i, reply) for i in first.interests), reply
        # Recommendations work out of the box: from the catalogue the demo ships, for this persona's interests.
        _, history = client.predict("anything new for me?", history, first.user_id, api_name="/send")
        suggestions = str(history[-1]["content"])
        assert "because you" in suggestions and "sample catalogue" not in suggestions, suggestions
        assert all(named(i, suggestions) for i in first.interests), suggestions
        assert (tmp_path / "home" / "demo" / "chroma").is_dir()
    finally:
        process.terminate()
        process.wait(timeout=30)
