"""The web app, launched for real on loopback and driven through Gradio's client."""

import json
import re
import time

import pytest
from gradio_client import Client

from agent import build_graph, open_checkpointer
from agent.assistant import Assistant, ForeignJourney, ImportSummary, Turn
from agent.replies import render_reply
from tests.conftest import PERSONAS, write_lines
from ui.app import Person, build_app, launch, read_users


def start(workspace, people, users=None):
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    app = build_app(Assistant(workspace, graph), people, login=users is not None)
    launch(app, "127.0.0.1", None, users, prevent_thread_lock=True, quiet=True)
    return app


@pytest.fixture
def running_app(workspace):
    for user in ("maya", "theo"):
        workspace.ingest([PERSONAS[user].history_path])
    people = [Person(p.user_id, p.display_name, p.summary) for p in (PERSONAS["maya"], PERSONAS["theo"])]
    app = start(workspace, people)
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


def test_switching_person_shows_their_own_conversation_and_summary(running_app):
    _, client = running_app
    history, about, import_status, own_status = client.predict("theo", api_name="/switch_person")
    assert history == [] and "Theo" in about and import_status == own_status == ""


def test_an_unknown_person_is_refused(running_app):
    _, client = running_app
    with pytest.raises(Exception, match="“mallory” is not one of the people here"):
        client.predict("what are my journeys?", [], "mallory", api_name="/send")


def text_of(message) -> str:
    content = message["content"]
    return " ".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def test_an_upload_with_a_bad_row_imports_nothing_and_says_which_line(running_app, workspace, tmp_path):
    _, client = running_app
    bad = write_lines(tmp_path / "bad.jsonl", [
        '{"user_id": "maya", "item_id": "n1", "title": "New thing", "timestamp": "2026-08-01T10:00:00Z"}',
        '{"user_id": "maya", "item_id": "n2", "title": "", "timestamp": "2026-08-02T10:00:00Z"}',
    ])
    before = workspace.history.count("maya")
    from gradio_client import handle_file

    status = client.predict(handle_file(str(bad)), "maya", api_name="/import_history")
    assert "Nothing was imported" in status and "bad.jsonl, line 2" in status
    assert workspace.history.count("maya") == before


def test_an_upload_imports_only_the_pages_users_rows_and_finds_journeys(running_app, workspace, tmp_path):
    _, client = running_app
    from gradio_client import handle_file

    source = PERSONAS["ruth"].history_path.read_text().replace('"user_id": "ruth"', '"user_id": "theo"')
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(source + PERSONAS["lucas"].history_path.read_text())
    status = client.predict(handle_file(str(mixed)), "theo", api_name="/import_history")
    assert "✅ Imported" in status and "rows of other users were left out" in status
    assert workspace.history.count("lucas") == 0
    assert any("sourdough" in j.name.lower() for j in workspace.journeys.journeys("theo"))


def test_with_login_each_user_sees_only_their_own_journeys(workspace, tmp_path):
    for user in ("maya", "theo"):
        workspace.ingest([PERSONAS[user].history_path])
    users = read_users(write_lines(tmp_path / "users.txt", ["# who may log in", "maya:uke-123", "theo:run-456"]))
    app = start(workspace, [Person("maya"), Person("theo")], users)
    try:
        with pytest.raises(Exception):  # noqa: B017 (gradio_client refuses a login with a plain Exception)
            Client(app.local_url, auth=("maya", "wrong"), verbose=False)
        maya = Client(app.local_url, auth=("maya", "uke-123"), verbose=False)
        _, history = maya.predict("what are my journeys?", [], "theo", api_name="/send")  # the picker is ignored
        reply = text_of(history[-1]).lower()
        assert "ukulele" in reply and "marathon" not in reply
        theo = Client(app.local_url, auth=("theo", "run-456"), verbose=False)
        _, history = theo.predict("what are my journeys?", [], "maya", api_name="/send")
        assert "marathon" in text_of(history[-1]).lower()
    finally:
        app.close()


@pytest.mark.parametrize("line", ["maya", ":secret", "maya:"])
def test_a_bad_users_file_names_its_line(tmp_path, line):
    with pytest.raises(ValueError, match="line 1: write each user as user_id:password"):
        read_users(write_lines(tmp_path / "users.txt", [line]))


@pytest.fixture
def demo_like_app(tmp_path, embedder):
    """Maya and Theo with the demo's catalogue, as `journeys demo` serves them."""
    from journeys.demo import DEMO_CATALOGUE
    from journeys.settings import Settings
    from journeys.workspace import Workspace
    from tests.conftest import with_people

    workspace = with_people(Workspace(Settings(home=tmp_path / "home", namer="keywords", device="cpu",
                                               catalog=DEMO_CATALOGUE), embedder=embedder), "maya", "theo")
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    assistant = Assistant(workspace, graph)
    app = build_app(assistant, [Person("maya"), Person("theo")])
    launch(app, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    try:
        yield assistant, Client(app.local_url, verbose=False)
    finally:
        app.close()


def test_asking_for_suggestions_in_the_chat_gives_the_persons_own_topics(demo_like_app):
    _, client = demo_like_app
    _, history = client.predict("anything new for me?", [], "maya", api_name="/send")
    reply = text_of(history[-1])
    assert "Some new things for your journeys" in reply and "because you" in reply
    assert "ukulele" in reply.lower() and "marathon" not in reply.lower()


def test_the_suggest_button_runs_the_recommend_tool_and_the_chat_records_the_click(demo_like_app):
    assistant, _ = demo_like_app
    crochet = next(card for card in assistant.cards("maya") if "crochet" in card["name"].lower())
    # What a card's Suggest button does: the tool through the conversation, with the click as the user's words.
    talk = assistant.conversation("maya", "page-1")
    reply = talk.act("recommend", {"journey": crochet["id"]}, f"Suggest something for “{crochet['name']}”")
    assert reply.tools_called == ["recommend"] and reply.text.startswith(f"For **{crochet['name']}**")
    assert len(re.findall(r"^\d+\. “", reply.text, flags=re.MULTILINE)) == 6
    said = [m.content for m in talk.history() if m.type == "human"]
    assert said == [f"Suggest something for “{crochet['name']}”"]


def test_a_card_action_on_another_persons_journey_changes_nothing(demo_like_app):
    assistant, _ = demo_like_app
    maya = assistant.workspace.journeys.journeys("maya")
    theo = assistant.workspace.journeys.journeys("theo")
    with pytest.raises(ForeignJourney, match="not one of this person's journeys"):
        assistant.act("theo", "page-1", "reject_journey", maya[0].id, f"Reject “{maya[0].name}”")
    assert assistant.workspace.journeys.journeys("maya") == maya
    assert assistant.workspace.journeys.journeys("theo") == theo
    assert assistant.transcript("theo", "page-1") == []  # nothing reached the agent


def test_a_message_too_long_gets_one_sentence_and_reaches_no_one(demo_like_app):
    assistant, client = demo_like_app
    started = time.perf_counter()
    _, history = client.predict("ukulele " * 12_500, [], "maya", api_name="/send")
    assert time.perf_counter() - started < 10
    assert len(history) == 1 and history[0]["role"] == "assistant"
    assert text_of(history[0]) == ("That message is 99,999 characters long and I read at most 2,000 at a time: "
                                   "shorten it and send it again (it is still in the message box).")
    assert all(not assistant.transcript("maya", session) for session in ("api", client.session_hash))


def test_with_login_the_api_lists_no_user_ids(workspace, tmp_path):
    for user in ("maya", "theo"):
        workspace.ingest([PERSONAS[user].history_path])
    users = read_users(write_lines(tmp_path / "users.txt", ["maya:uke-123", "theo:run-456"]))
    app = start(workspace, [Person("maya"), Person("theo")], users)
    try:
        maya = Client(app.local_url, auth=("maya", "uke-123"), verbose=False)
        shown = json.dumps(maya.view_api(print_info=False, return_format="dict")) + json.dumps(maya.config)
        assert "theo" not in shown and "run-456" not in shown
    finally:
        app.close()


def test_replies_and_import_summaries_agree_in_number():
    assert ImportSummary(1, 1, 1, 1).sentence() == (
        "Imported 1 new activity; 1 was already there; 1 row of another user was left out. You now have 1 journey.")
    assert ImportSummary(2, 0, 3, 2).sentence() == (
        "Imported 2 new activities; 3 rows of other users were left out. You now have 2 journeys.")
    assert ImportSummary(2, 0, 0, 2).sentence(journeys=3).endswith("You now have 3 journeys.")
    one = {"number": 1, "name": "Kites", "status": "proposed", "size": 1, "first_seen": "2026-05-01",
           "last_seen": "2026-05-01", "evidence": ["Kite knots"], "steer": None}
    assert "(proposed, 1 activity, 2026-05-01" in render_reply("list_journeys", {"journeys": [one]})
    assert "your 1 activity and found 1 journey:" in render_reply("extract_journeys",
                                                                   {"journeys": [one], "history_size": 1})
    assert "(1 activity)" in render_reply("split_journey", {"original": "Kites", "journeys": [one, one]})
    assert "because one of your activities, on 2026-05-01, is about it" in render_reply(
        "explain_journey", {"journey": {**one, "salient_terms": ["kite"]},
                            "items": [{"title": "Kite knots", "kind": "read", "when": "2026-05-01"}]})
    assert "1 activities" not in render_reply("merge_journeys", {"merged": ["A", "B"], "journey": one})


def test_a_change_that_moves_numbers_says_so_and_the_checkpoint_keeps_it(demo_like_app):
    assistant, _ = demo_like_app
    first, second = assistant.workspace.journeys.journeys("theo")[:2]
    turn = assistant.act("theo", "page-2", "reject_journey", first.id, f"Reject “{first.name}”")
    note = "is now number 1 (it was 2)"
    assert turn.changed and f"**{second.name}** {note}" in turn.text
    assert assistant.transcript("theo", "page-2")[-1]["content"] == turn.text
    # A change that moves no number adds nothing.
    turn = assistant.act("theo", "page-2", "confirm_journey", second.id, f"Confirm “{second.name}”")
    assert "number" not in turn.text


def test_a_reply_streams_as_increments_and_a_why_names_the_journey(demo_like_app):
    assistant, _ = demo_like_app
    pieces = list(assistant.stream("maya", "page-3", "why did you find the first one?"))
    turn, parts = pieces[-1], pieces[:-1]
    first = assistant.workspace.journeys.journeys("maya")[0]
    assert isinstance(turn, Turn) and turn.explained == first.id and not turn.changed
    assert parts and all(isinstance(p, str) for p in parts) and "".join(parts) == turn.text
    assert len(parts) == 1 or not parts[1].startswith(parts[0])  # each piece is new text, not the reply so far


def test_with_login_trying_ones_own_history_imports_it_as_the_logged_in_users(workspace, tmp_path):
    from gradio_client import handle_file

    users = read_users(write_lines(tmp_path / "users.txt", ["zoe:kite-789"]))
    app = start(workspace, [Person("zoe")], users)
    try:
        zoe = Client(app.local_url, auth=("zoe", "kite-789"), verbose=False)
        *_, status, _, chat, about = zoe.predict(handle_file(str(PERSONAS["omar"].history_path)), "mallory",
                                                   api_name="/try_own")
        assert "Imported 70 new activities" in status and "You now have" in status
        assert workspace.history.count("zoe") == 70 and workspace.history.count("omar") == 0
        assert workspace.history.count("mallory") == 0  # the name field is the login's, whatever is sent
        assert "Here are the journeys I found" in text_of(chat[-1]) and "zoe" in about
    finally:
        app.close()
