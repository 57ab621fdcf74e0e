"""The understanding's data: families expand into enough utterances, split by family, with spans that hold."""

from collections import Counter

import pytest

from journeys.understanding import utterances
from journeys.understanding.utterances import INTENTS, FamilyError, build, load_families, read, split_of


@pytest.fixture(scope="module")
def built():
    return build()


def test_the_families_expand_into_at_least_3000_utterances_of_every_intent(built):
    assert len(built) >= 3000
    labels = Counter(u.label for u in built if u.split == "train")
    missing = [intent for intent in INTENTS if intent not in labels]
    assert not missing, f"no training utterance for {missing}"


def test_the_split_is_by_family_so_the_test_split_holds_constructions_never_trained_on(built):
    split_of_family = {}
    for utterance in built:
        assert split_of_family.setdefault(utterance.family, utterance.split) == utterance.split
    test_families = {f for f, s in split_of_family.items() if s == "test"}
    train_texts = {u.text.lower() for u in built if u.split == "train"}
    assert len(test_families) >= 50
    # The same phrasing never sits in two splits.
    assert sum(u.text.lower() in train_texts for u in built if u.split == "test") <= 0.02 * len(built)


def test_test_users_journey_names_are_never_used_in_training(built):
    names = {split: {j["name"] for u in built if u.split == split for j in u.state["journeys"]}
             for split in ("train", "test")}
    assert names["test"] and not names["test"] & names["train"]


def test_every_span_is_the_text_it_marks_and_every_named_journey_is_visible(built):
    for utterance in built:
        ids = {j["id"] for j in utterance.state["journeys"]}
        for start, end, _label in utterance.spans:
            assert 0 <= start < end <= len(utterance.text) and utterance.text[start:end].strip(), utterance.id
        for call in utterance.expected["calls"]:
            named = call.get("journeys") or ([call["journey"]] if call.get("journey") else [])
            assert set(named) <= ids, utterance.id


def test_the_build_is_deterministic_so_the_utterances_file_is_the_families(built, tmp_path):
    utterances.write(built, tmp_path / "utterances.jsonl")
    written = list(read(tmp_path / "utterances.jsonl", split="test"))
    again = list(read(tmp_path / "missing.jsonl", split="test"))  # no file: built now
    assert [u["text"] for u in written] == [u["text"] for u in again] == [u.text for u in built if u.split == "test"]
    assert [u["expected"] for u in written] == [u["expected"] for u in again]


def test_a_family_with_an_unknown_intent_or_placeholder_is_one_clear_sentence(tmp_path):
    (tmp_path / "bad.yaml").write_text("families:\n  - id: x.y\n    intent: fly\n    say: ['go']\n")
    with pytest.raises(FamilyError, match=r"bad.yaml, family 'x.y': intent 'fly' is not one of"):
        load_families(tmp_path)
    (tmp_path / "bad.yaml").write_text("families:\n  - id: x.y\n    intent: undo\n    say: ['undo {THING}']\n")
    with pytest.raises(FamilyError, match=r"placeholder \{THING\}"):
        load_families(tmp_path)


def test_the_split_of_a_family_never_moves():
    assert {split_of(f"family.{n}") for n in range(200)} == {"train", "dev", "test"}
    assert split_of("confirm.spot_on") == split_of("confirm.spot_on")


def test_a_taught_construction_is_always_trained_on(built):
    # "more ukulele, less crochet" is what the replies teach: trained on, though its family's hash says test.
    assert split_of("steer.more_less") == "test"
    assert {u.split for u in built if u.family == "steer.more_less"} == {"train"}
    taught = [f for f in load_families() if f.get("taught")]
    assert taught and all(u.split == "train" for u in build(taught))


def test_a_designer_adds_a_phrasing_by_adding_data(tmp_path):
    families = load_families() + [{"id": "thanks.designer_added", "intent": "thanks", "say": ["much obliged"]}]
    added = [u for u in build(families) if u.family == "thanks.designer_added"]
    assert {u.text.lower().rstrip("!?. ") for u in added} == {"much obliged"}
    assert added[0].expected == {"intent": "thanks", "calls": [{}]}
    assert utterances.UTTERANCES.name == "utterances.jsonl"


def test_a_family_file_that_is_not_yaml_says_where(tmp_path):
    (tmp_path / "broken.yaml").write_text("families:\n  - id: x\n    say: [\"unclosed\n")
    with pytest.raises(FamilyError, match=r"broken.yaml is not valid YAML at line \d+"):
        load_families(tmp_path)
