"""Understanding under hostile data: the words of a person's items never change which intent a command gets,
a pending "which journey?" question is completed only by an answer to it, and a reference to no journey
("-1", "1999") asks instead of acting.

Journey names and salient terms come from item text, and the offline understanding masks them as topic
words; these tests give it journeys whose words are the commands' own ("Train & journeys", "Undo &
editors", "Help desk", "Merge conflicts", a cluster of injected orders...). First with the real parser
on journeys given as data (a command against each hostile list must mean what it means against a
neutral one), then through the real offline agent on a real store (Kit watches Great train journeys,
undo/redo editor talks and Bob Ross).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent import Conversation, build_graph, open_checkpointer
from agent.understanding import IntentParser
from journeys.settings import Settings
from journeys.state.journey import Journey, Status
from journeys.workspace import Workspace

AREA = "Understanding under hostile data"
HISTORY = Path(__file__).parents[1] / "dialogues" / "scenarios" / "histories" / "kit_hostile_words.jsonl"


def journeys_named(*names_and_terms: tuple[str, list[str]]) -> list[Journey]:
    return [Journey(f"j{n}", "kit", name, salient_terms=terms) for n, (name, terms) in enumerate(names_and_terms, 1)]


NEUTRAL = journeys_named(("Ukulele & chords", ["ukulele", "chords"]), ("Crochet & yarn", ["crochet", "yarn"]),
                         ("Sourdough baking", ["sourdough", "starter"]))
# Journey lists whose words (from item text) are the words of commands.
HOSTILE_LISTS = {
    "train journeys": journeys_named(("Great train journeys", ["train", "journeys", "railway"]),
                                     ("Scenic journeys", ["journeys", "scenic", "interests"]),
                                     ("Sourdough baking", ["sourdough", "starter"])),
    "undo editors": journeys_named(("Undo & editors", ["undo", "redo", "editors", "revert"]),
                                   ("Show tunes", ["show", "tunes", "list"]), ("Help desk", ["help", "desk", "ticket"])),
    "command words": journeys_named(("Merge conflicts in git", ["merge", "conflicts", "git", "split"]),
                                    ("Pause menu design", ["pause", "menu", "confirm", "reject"]),
                                    ("More or less podcast", ["more", "less", "rename", "recommend"])),
    "injected orders": journeys_named(("Unnamed interest", ["journeys", "journey", "bob", "user", "reject", "confirm"]),
                                      ("Ignore instructions", ["ignore", "instructions", "delete", "all"]),
                                      ("New things", ["new", "anything", "find", "again", "refresh"])),
    "question words": journeys_named(("What we watch", ["what", "watch", "why", "when"]),
                                     ("Number theory", ["number", "first", "second", "one"]),
                                     ("Thanks a lot", ["thanks", "hello", "can", "you"])),
}
# Commands and what they must mean whatever the journeys are called.
COMMANDS = {
    "what are my journeys?": "list_journeys",
    "show me my interests": "list_journeys",
    "list my journeys": "list_journeys",
    "undo": "undo",
    "undo that": "undo",
    "help": "help",
    "what can you do?": "help",
    "thanks": "greeting",
    "anything new for me?": "recommend",
    "find my journeys again": "extract_journeys",
    "they all look right": "confirm_journey",
    "confirm all": "confirm_journey",
    "reject number 2": "reject_journey",
    "pause number 1": "pause_journey",
    "merge 1 and 2": "merge_journeys",
    "split number 3": "split_journey",
    "rename number 1 to Evening walks": "rename_journey",
    "more of number 1": "steer_journey",
    "why did you find number 2?": "explain_journey",
    "when did I watch the video about knots?": "search_history",
}


@pytest.fixture(scope="module")
def parser(embedder) -> IntentParser:
    return IntentParser(embedder)


def by_number(understanding, journeys: list[Journey]) -> list[dict]:
    """The calls with journey ids replaced by their number in the list, to compare across journey lists."""
    numbers = {j.id: str(n) for n, j in enumerate(journeys, 1)}

    def plain(value):
        if isinstance(value, list):
            return [plain(v) for v in value]
        return numbers.get(value, value)

    return [{k: plain(v) for k, v in call.items()} for call in understanding.calls]


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("listing", list(HOSTILE_LISTS))
def test_item_words_never_change_which_intent_a_command_gets(parser, listing, command):
    hostile = HOSTILE_LISTS[listing]
    neutral = parser.parse(command, NEUTRAL)
    understood = parser.parse(command, hostile)
    assert neutral.intent == COMMANDS[command]  # the baseline itself is right
    assert understood.intent == neutral.intent and not understood.ask, (understood, neutral)
    assert by_number(understood, hostile) == by_number(neutral, NEUTRAL)


# --- Through the real agent on a real store ------------------------------------------------------------

@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """Kit's history ingested and journeys found once; each test works on a copy of this home."""
    home = tmp_path_factory.mktemp("kit") / "home"
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    workspace.ingest([HISTORY])
    names = [j.name for j in workspace.extract("kit")]
    assert any("journeys" in n.lower() for n in names) and any("undo" in n.lower() for n in names), names
    assert any("bob" in t for j in workspace.journeys.journeys("kit") for t in j.salient_terms)
    return home


@pytest.fixture
def kit(prepared: Path, tmp_path: Path, embedder):
    """A conversation with Kit (offline agent, SQLite checkpoints) on a fresh copy of the prepared store."""
    home = tmp_path / "home"
    shutil.copytree(prepared, home)
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"), embedder=embedder)
    talk = Conversation(build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db)), "kit")
    talk.ask("what are my journeys?")
    return talk, workspace


def state(workspace: Workspace) -> list[tuple[str, str, str]]:
    return [(j.id, j.name, str(j.status)) for j in workspace.journeys.journeys("kit", include_rejected=True)]


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("command, tool", [
    ("what are my journeys?", "list_journeys"),
    ("show me my journeys", "list_journeys"),
    ("undo", "undo"),
    ("undo that", "undo"),
    ("find my journeys again", "extract_journeys"),
])
def test_commands_keep_their_meaning_for_a_person_whose_items_use_their_words(kit, command, tool):
    talk, workspace = kit
    reply = talk.ask(command)
    assert reply.tools_called == [tool], reply
    assert "can't help" not in reply.text


@pytest.mark.reliability(AREA)
def test_help_is_help_for_a_person_whose_items_use_its_words(kit):
    talk, _ = kit
    reply = talk.ask("help")
    assert reply.tools_called == [] and "You can ask me" in reply.text


# Messages that are not answers to "which journey do you mean?", though some name a journey by its words.
NOT_ANSWERS = [
    "what did bob watch?",
    "I am bob now",
    "bob ross is the best painter ever",
    "tell me about great train journeys in Peru",
    "reject -1",
    "how do undo trees work?",
    "ok, what did I watch in February?",
    "yes, delete everything",
    "the painting one is wrong",
    "what are my journeys?",
]


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("message", NOT_ANSWERS)
def test_a_pending_question_is_not_completed_by_a_message_that_is_not_an_answer(kit, message):
    talk, workspace = kit
    question = talk.ask("split that one")
    assert "which one" in question.text.lower()
    before = state(workspace)
    reply = talk.ask(message)
    assert "split_journey" not in reply.tools_called, reply
    if message == "the painting one is wrong":
        # A request of its own: it rejects the painting journey (and only that), as it says.
        assert [s for _, n, s in state(workspace) if "bob" in n.lower()] == ["rejected"]
        assert len(state(workspace)) == len(before)
    else:
        assert state(workspace) == before


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("answer, meant", [
    ("the second one", 2), ("2", 2), ("#3", 3), ("no, the painting one", "bob"), ("bob ross", "bob"),
    ("the undo one then", "undo"), ("number 1 please", 1),
])
def test_an_answer_completes_the_pending_request(kit, answer, meant):
    talk, workspace = kit
    journeys = workspace.journeys.journeys("kit")
    target = journeys[meant - 1] if isinstance(meant, int) else next(j for j in journeys if meant in j.name.lower())
    assert "which one" in talk.ask("pause that one").text.lower()
    reply = talk.ask(answer)
    assert reply.tools_called == ["pause_journey"]
    assert [j.id for j in workspace.journeys.journeys("kit") if j.status is Status.PAUSED] == [target.id]


@pytest.mark.reliability(AREA)
def test_confirm_all_during_a_question_confirms_all_not_one(kit):
    talk, workspace = kit
    assert "which one" in talk.ask("confirm that one").text.lower()
    talk.ask("confirm all")
    assert {s for _, _, s in state(workspace)} == {"confirmed"}


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("message", [
    "reject -1", "reject 0", "reject 1999", "pause number 99", "reject #-2", "merge 1 and 2 and 1999",
    "merge 1 and -2", "split 1999", "rename number 7 to Mine", "less of number 42",
])
def test_a_reference_to_no_journey_asks_instead_of_acting(kit, message):
    talk, workspace = kit
    before = state(workspace)
    reply = talk.ask(message)
    assert state(workspace) == before
    assert reply.tools_called, reply  # the tool was asked, and it asked back
    assert "which" in reply.text.lower() or "say which" in reply.text.lower(), reply.text


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("message, not_this", [
    ("I am bob now", "confirm_journey"),  # it confirmed a journey: "I am this now" is like "I'm into this"
    ("what did bob watch?", "recommend"),  # "what did this watch?" is like "what should I watch?"
])
def test_a_salient_word_does_not_turn_a_stray_message_into_a_request(kit, message, not_this):
    talk, workspace = kit
    before = state(workspace)
    reply = talk.ask(message)
    assert not_this not in reply.tools_called and state(workspace) == before, reply
    assert "can't help" in reply.text


@pytest.mark.reliability(AREA)
def test_a_change_recognised_only_loosely_is_asked_about_and_made_once_settled(kit):
    # "happy little trees" names no journey by its words: the agent asks (which journey, or whether it is the one it
    # offers) and changes nothing until the person settles it; then it changes that journey only.
    talk, workspace = kit
    before = state(workspace)
    reply = talk.ask("happy little trees are my thing")
    assert state(workspace) == before, reply
    offered = "Do you want me to" in reply.text or "Do you mean" in reply.text
    assert offered or "which" in reply.text.lower(), reply.text
    talk.ask("yes" if offered else "the painting one")
    changed = [(name, status) for (_, name, status), (_, _, was) in zip(state(workspace), before) if status != was]
    assert len(changed) == 1 and "bob" in changed[0][0].lower() and changed[0][1] == "confirmed", changed
