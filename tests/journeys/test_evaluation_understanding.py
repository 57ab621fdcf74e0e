"""The understanding evaluation judges requests as the issue defines them: right, a wrong change, a refusal."""

from journeys.evaluation.understanding import Scores, judge, report
from journeys.understanding.requests import Request

STATE = {"journeys": [{"id": "j1", "name": "Sourdough"}, {"id": "j2", "name": "Road bikes"}], "focus": None,
         "pending": None, "last": None, "today": "2026-11-20"}


def record(intent, calls, label=None):
    return {"id": "x/0/0", "family": "x", "split": "test", "text": "...", "state": STATE, "spans": [],
            "label": label or intent, "expected": {"intent": intent, "calls": calls}}


def test_a_request_is_right_when_its_intent_and_every_argument_are():
    expected = record("rename_journey", [{"journey": "j2", "new_name": "Restoring my road bike"}])
    assert judge(expected, Request("rename_journey", ({"journey": "j2", "new_name": "restoring my road bike!"},))).right
    wrong = judge(expected, Request("rename_journey", ({"journey": "j1", "new_name": "Restoring my road bike"},)))
    assert not wrong.right and wrong.wrong_change


def test_a_question_is_never_a_wrong_change_and_never_right():
    outcome = judge(record("reject_journey", [{"journey": "j1"}]),
                    Request("reject_journey", ({"journey": "j1"},), ask=True))
    assert (outcome.right, outcome.wrong_change, outcome.question) == (False, False, True)


def test_a_change_made_for_a_message_that_asked_none_is_a_wrong_change():
    outcome = judge(record("decline", [{"journey": "j1"}]), Request("reject_journey", ({"journey": "j1"},)))
    assert outcome.wrong_change and not outcome.false_refusal


def test_an_in_scope_message_read_as_out_of_scope_is_a_false_refusal():
    outcome = judge(record("list_journeys", [{}]), Request("out_of_scope"))
    assert outcome.false_refusal and not outcome.wrong_change
    assert not judge(record("out_of_scope", [{}]), Request("out_of_scope")).false_refusal


def test_what_is_in_a_journey_is_answered_by_its_explanation():
    assert judge(record("journey_items", [{"journey": "j1"}]), Request("explain_journey", ({"journey": "j1"},))).right


def test_the_report_puts_readers_side_by_side():
    records = [record("thanks", [{}]), record("reject_journey", [{"journey": "j1"}])]
    learned, old = Scores("learned"), Scores("old")
    learned.outcomes = [judge(records[0], Request("thanks")), judge(records[1], Request("reject_journey",
                                                                                        ({"journey": "j1"},)))]
    old.outcomes = [judge(records[0], Request("out_of_scope")), judge(records[1], Request("reject_journey",
                                                                                          ({"journey": "j2"},)))]
    text = report([learned, old], "test", records)
    assert "| learned | 100.0% | 0 (0.0%) | 0 (0.0%) |" in text
    assert "| old | 0.0% | 1 (50.0%) | 1 (50.0%) |" in text


def test_the_report_gives_the_scenarios_each_understanding_passed():
    records = [record("thanks", [{}])]
    learned = Scores("learned")
    learned.outcomes = [judge(records[0], Request("thanks"))]
    text = report([learned], "test", records, {"learned": (60, 61, ["19_clarify_which.yaml"]),
                                                "patterns": (61, 61, [])})
    assert "| learned (MiniLM + LoRA) (`learned`) | 60 of 61 | 19_clarify_which.yaml |" in text
    assert "| pattern reader (`patterns`) | 61 of 61 | none |" in text
