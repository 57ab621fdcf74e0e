"""The web app, launched for real on loopback and driven through Gradio's client."""

import pytest
from gradio_client import Client

from agent import build_graph, open_checkpointer
from tests.conftest import PERSONAS
from ui.app import Person, build_app


@pytest.fixture
def running_app(workspace):
    for user in ("maya", "theo"):
        workspace.ingest([PERSONAS[user].history_path])
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    people = [Person(p.user_id, p.display_name, p.summary) for p in (PERSONAS["maya"], PERSONAS["theo"])]
    app = build_app(graph, people)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        yield app, Client(app.local_url, verbose=False)
    finally:
        app.close()


def test_a_question_in_the_chat_gets_the_chosen_persons_journeys(running_app):
    _, client = running_app
    cleared, history = client.predict("what are my journeys?", [], "maya", api_name="/send")
    assert cleared == ""
    assert history[0] == {"role": "user", "content": "what are my journeys?"} or history[0]["role"] == "user"
    reply = history[-1]["content"]
    reply = reply if isinstance(reply, str) else str(reply)
    assert "ukulele" in reply.lower() and "marathon" not in reply.lower()


def test_each_person_gets_only_their_own_journeys(running_app):
    _, client = running_app
    _, history = client.predict("what are my journeys?", [], "theo", api_name="/send")
    reply = str(history[-1]["content"]).lower()
    assert "kubernetes" in reply and "ukulele" not in reply


def test_switching_person_clears_the_chat_and_shows_their_summary(running_app):
    _, client = running_app
    history, about = client.predict("theo", api_name="/switch_person")
    assert history == [] and "Theo" in about


def test_an_unknown_person_is_refused(running_app):
    _, client = running_app
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("what are my journeys?", [], "mallory", api_name="/send")
