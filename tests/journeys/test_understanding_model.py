"""The understanding model: it trains from utterances, saves an adapter that loads again, and the shipped one
reads everyday messages (the issue's own examples, none of them in the data) into the right requests."""

from datetime import date

import pytest

from journeys.history.embedding import TextEmbedder
from journeys.state.journey import Journey
from journeys.understanding import utterances
from journeys.understanding.model import ADAPTER, TAGS, MessageModel, decode_spans, members, train
from journeys.understanding.requests import Conversation, request_of


@pytest.fixture(scope="module")
def model():
    return MessageModel(device="cpu")


@pytest.fixture(scope="module")
def embed():
    return TextEmbedder(device="cpu").embed


def journeys(*names):
    return [Journey(id=f"j{n}", user_id="u", name=name) for n, name in enumerate(names, start=1)]


RUTH = journeys("Sourdough bread baking", "Vintage road bike collecting", "Birdwatching")
THEO = journeys("Marathon training plan", "Kubernetes cluster operations")
MAYA = journeys("Ukulele chords for beginners", "Vertical hydroponic garden", "Crochet amigurumi")


def read(model, embed, text, people, **state):
    conversation = Conversation(people, today=lambda: date(2026, 11, 20), **state)
    return request_of(model.read(text, conversation.state()), text, conversation, embed)


def test_a_sentence_that_names_another_journey_renames_that_one_not_the_last_discussed(model, embed):
    request = read(model, embed, "the bike one isnt really collecting, im just fixing up one old bike. "
                                 "call it Restoring my road bike", RUTH, focus="j1")
    assert request.intent == "rename_journey" and request.args["journey"] == "j2"
    assert request.args["new_name"] == "Restoring my road bike"


def test_undo_after_a_wrong_change_is_undo(model, embed):
    assert read(model, embed, "no! wrong one. undo", RUTH, focus="j1").intent == "undo"


def test_a_journey_named_by_its_nickname_is_the_one_rejected(model, embed):
    request = read(model, embed, "honestly the k8s stuff was just for work, I don't care about it", THEO,
                   focus="j1")
    assert request.intent == "reject_journey"
    assert request.args["journey"] == "j2" or (request.clarify and "j1" != request.args["journey"])


@pytest.mark.parametrize("text", ["please don't reject number 1", "do not pause the crochet one"])
def test_a_negated_change_changes_nothing(model, embed, text):
    assert read(model, embed, text, MAYA).intent == "decline"


def test_none_of_them_wrong_confirms_them_all(model, embed):
    request = read(model, embed, "none of them are wrong, they're all good", MAYA)
    assert request.intent == "confirm_journey" and [c["journey"] for c in request.calls] == ["j1", "j2", "j3"]


@pytest.mark.parametrize("text, intent", [
    ("waht are my jouneys again", "list_journeys"),
    ("heyy whats up, what have u got on me", "list_journeys"),
    ("whats left", "list_journeys"),
    ("thx!", "thanks"),
    ("thx bye", "bye"),
    ("can you delete all my data", "delete_data"),
    ("I also want to get into bouldering", "add_journey"),
    ("any good running recs?", "recommend"),
    ("show me more stuff for the plants one", "recommend"),
    ("show me stuff for my running", "recommend"),
    ("whats a good coop for 3 hens", "recommend"),
    ("where did my rockabilly stuff go?", "unassigned"),
    ("what was i reading about pH back in june", "search_history"),
    ("when was the last time I watched something on helm charts?", "search_history"),
    ("the fish one, why do you think that's a thing for me?", "explain_journey"),
    ("whats in toys?", "journey_items"),
    ("is the kala concert ukulele in my uke journey?", "item_in_journey"),
    ("mark the Italian lessons as correct", "confirm_journey"),
])
def test_everyday_phrasings_are_understood(model, embed, text, intent):
    assert read(model, embed, text, MAYA).intent == intent


def test_the_topics_and_items_asked_about_are_read(model, embed):
    assert read(model, embed, "I also want to get into bouldering", MAYA).args == {"name": "bouldering"}
    search = read(model, embed, "what was i reading about pH back in june", MAYA).args
    assert search == {"query": "pH", "since": "2026-06-01", "until": "2026-06-30"}
    item = read(model, embed, "is the kala concert ukulele in my uke journey?", MAYA).args
    assert item["item"] in ("the kala concert ukulele", "kala concert ukulele")


def test_the_same_again_for_another_journey(model, embed):
    request = read(model, embed, "chickens one too",
                   journeys("Baby sleep routines", "Baby-led weaning", "Backyard chickens"), last="confirm_journey")
    assert (request.intent, request.args) == ("confirm_journey", {"journey": "j3"})


def test_spans_never_start_or_end_inside_a_word():
    text = "callled House hacking"
    offsets = [(0, 0), (0, 4), (4, 7), (8, 13), (14, 21), (0, 0)]
    sequence = [None, 1, 1, 1, 1, None]
    # A word takes its first piece's tag: "callled" stays out of the name though its second piece was tagged.
    for tags in (["O", "O", "B-NAME", "I-NAME", "I-NAME", "O"], ["O", "O", "O", "B-NAME", "I-NAME", "O"]):
        assert decode_spans(text, tags, offsets, sequence) == [("NAME", "House hacking")]
    assert TAGS[0] == "O"


@pytest.mark.slow
def test_training_writes_an_adapter_that_loads_and_reads(tmp_path):
    """One epoch on a slice of the data: the command's whole path, not its accuracy."""
    records = [u.as_json() for u in utterances.build()][:64]
    report = train(records, tmp_path / "adapter", epochs=1, device="cpu", progress=False, members=2)
    assert report.examples == 64 and len(report.losses) == 1
    # Two members trained apart, both loaded and their readings averaged.
    assert [p.name for p in members(tmp_path / "adapter")] == ["model.safetensors", "model-2.safetensors"]
    assert all(p.stat().st_size > 100_000 for p in members(tmp_path / "adapter"))
    model = MessageModel(tmp_path / "adapter", device="cpu")
    reading = model.read("undo", {})
    assert reading.intent in utterances.INTENTS and 0 < reading.confidence <= 1
    assert len(model._load()[1]) == 2
    # Training again with one member leaves no stale second member behind.
    train(records[:32], tmp_path / "adapter", epochs=1, device="cpu", progress=False)
    assert [p.name for p in members(tmp_path / "adapter")] == ["model.safetensors"]


def test_the_shipped_adapter_is_in_the_package():
    assert (ADAPTER / "model.safetensors").is_file() and (ADAPTER / "training.json").is_file()
