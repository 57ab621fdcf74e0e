"""The learned understanding in the real graph: what people actually say does what they asked, and only that.

Each conversation runs on the demo personas' real histories (real Chroma, real journey store, the
LangGraph graph with its SQLite checkpointer, the shipped understanding model). The messages are the
ones a new user typed when the pattern reader misread or refused them (issue 26).
"""

import pytest

from agent import Conversation, build_graph, open_checkpointer
from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from tests.conftest import with_people


@pytest.fixture(scope="module")
def home(tmp_path_factory, embedder):
    from journeys.settings import Settings
    from journeys.workspace import Workspace

    workspace = Workspace(Settings(home=tmp_path_factory.mktemp("reader-home"), namer="keywords", device="cpu",
                                   understanding="learned"), embedder=embedder)
    return with_people(workspace, "ruth", "theo", "maya", "priya")


def talk(home, user):
    return Conversation(build_graph(home, checkpointer=open_checkpointer(home.settings.checkpoints_db)), user)


def snapshot(home, user):
    return {j.id: (j.name, j.status) for j in home.journeys.journeys(user, include_rejected=True)}


def journey(home, user, words):
    return resolve_journey(home.journeys.journeys(user, include_rejected=True), words).journey


def test_call_it_renames_the_journey_the_sentence_names_and_undo_takes_it_back(home):
    ruth = talk(home, "ruth")
    ruth.ask("what are my journeys?")
    bread, bike = journey(home, "ruth", "sourdough"), journey(home, "ruth", "bike")
    reply = ruth.ask("that cooking thing is spot on")
    if home.journeys.get("ruth", bread.id).status is not Status.CONFIRMED:
        # "cooking" names no journey by its words: the reply asks which one, offering the bread journey.
        assert bread.name in reply.text and "?" in reply.text
        ruth.ask("the sourdough one")
    assert home.journeys.get("ruth", bread.id).status is Status.CONFIRMED
    before = snapshot(home, "ruth")
    reply = ruth.ask("the bike one isnt really collecting, im just fixing up one old bike. call it Restoring my road bike")
    if not reply.tools_called:  # unsure of the words: it says exactly what it would do, and does it on "yes"
        assert bike.name in reply.text and "Restoring my road bike" in reply.text and bread.name not in reply.text
        reply = ruth.ask("yes")
    assert reply.tools_called == ["rename_journey"]
    assert home.journeys.get("ruth", bike.id).name == "Restoring my road bike"
    assert home.journeys.get("ruth", bread.id).name == before[bread.id][0]
    reply = ruth.ask("no! wrong one. undo")
    assert reply.tools_called == ["undo"]
    assert snapshot(home, "ruth") == before


def test_a_nickname_rejects_the_journey_it_names_not_the_last_one_discussed(home):
    theo = talk(home, "theo")
    theo.ask("what are my journeys?")
    marathon, kubernetes = journey(home, "theo", "marathon"), journey(home, "theo", "kubernetes")
    theo.ask("why the marathon one?")
    reply = theo.ask("honestly the k8s stuff was just for work, I don't care about it")
    statuses = snapshot(home, "theo")
    assert statuses[marathon.id][1] is not Status.REJECTED
    if statuses[kubernetes.id][1] is Status.REJECTED:
        theo.ask("undo")
    else:  # "k8s" is only like Kubernetes by meaning: asked about first, nothing changed
        assert kubernetes.name in reply.text and "?" in reply.text
        reply = theo.ask("yes")
        assert snapshot(home, "theo")[kubernetes.id][1] is Status.REJECTED
        theo.ask("undo")


@pytest.mark.parametrize("text", ["please don't reject number 1", "do not pause the crochet one",
                                  "can you delete all my data", "thx!", "thx bye"])
def test_messages_that_ask_for_no_change_change_nothing(home, text):
    maya = talk(home, "maya")
    maya.ask("what are my journeys?")
    before = snapshot(home, "maya")
    reply = maya.ask(text)
    assert not set(reply.tools_called) & {"reject_journey", "pause_journey", "confirm_journey", "rename_journey"}
    assert snapshot(home, "maya") == before


def test_delete_my_data_says_what_can_be_done_instead(home):
    reply = talk(home, "maya").ask("can you delete all my data")
    assert "can't delete" in reply.text and "reject" in reply.text and not reply.tools_called


def test_none_of_them_wrong_confirms_every_journey(home):
    maya = talk(home, "maya")
    maya.ask("what are my journeys?")
    reply = maya.ask("none of them are wrong, they're all good")
    assert set(reply.tools_called) == {"confirm_journey"}
    assert all(j.status is Status.CONFIRMED for j in home.journeys.journeys("maya"))
    for _ in reply.tools_called:
        maya.ask("undo")


@pytest.mark.parametrize("text, tool", [
    ("waht are my jouneys again", "list_journeys"),
    ("heyy whats up, what have u got on me", "list_journeys"),
    ("whats left", "list_journeys"),
    ("show me more stuff for the plants one", "recommend"),
    ("is the kala concert ukulele in my uke journey?", "search_history"),
    ("what was i reading about pH back in june", "search_history"),
])
def test_questions_once_refused_or_misread_get_their_answer(home, text, tool):
    maya = talk(home, "maya")
    maya.ask("what are my journeys?")
    reply = maya.ask(text)
    assert reply.tools_called == [tool], reply.text


def test_an_item_question_says_which_journey_holds_it(home):
    maya = talk(home, "maya")
    maya.ask("what are my journeys?")
    reply = maya.ask("is the kala concert ukulele in my uke journey?")
    ukulele = journey(home, "maya", "ukulele")
    assert reply.text.startswith("Yes: ") and f"in **{ukulele.name}**" in reply.text
    # Asked about another journey, the answer is no, and says where the item is.
    crochet = journey(home, "maya", "crochet")
    reply = maya.ask("is the kala concert ukulele in the crochet journey?")
    assert reply.text.startswith("No: ") and f"in **{ukulele.name}**, not in **{crochet.name}**" in reply.text


def test_the_same_again_for_another_journey_after_a_confirm(home):
    priya = talk(home, "priya")
    priya.ask("what are my journeys?")
    priya.ask("the sleep one is right")
    reply = priya.ask("chickens one too")
    chickens = journey(home, "priya", "chickens")
    assert reply.tools_called == ["confirm_journey"] and home.journeys.get("priya", chickens.id).status is \
        Status.CONFIRMED
    priya.ask("undo")
    priya.ask("undo")


def test_undo_while_a_question_waits_undoes_the_last_change(home):
    maya = talk(home, "maya")
    maya.ask("what are my journeys?")
    crochet = journey(home, "maya", "crochet")
    maya.ask("pause the crochet one")
    assert home.journeys.get("maya", crochet.id).status is Status.PAUSED
    question = maya.ask("reject the fishing one")  # no such journey: which one is meant?
    assert not question.tools_called or "reject_journey" in question.tools_called
    assert snapshot(home, "maya")[crochet.id][1] is Status.PAUSED
    reply = maya.ask("undo")
    assert reply.tools_called == ["undo"]
    assert home.journeys.get("maya", crochet.id).status is not Status.PAUSED
