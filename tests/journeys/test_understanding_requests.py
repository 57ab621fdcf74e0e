"""The rules code keeps after the model has read a message: which journey words name, and changes kept safe.

Each test gives a reading (what the model would say) and checks the request built from it, so a
rule breaking fails here whatever the model learns.
"""

from datetime import date

import pytest

from journeys.state.journey import Journey
from journeys.understanding.model import Reading
from journeys.understanding.requests import Conversation, count, request_of

JOURNEYS = [Journey(id="j1", user_id="u", name="Sourdough bread baking"),
            Journey(id="j2", user_id="u", name="Vintage road bike restoration"),
            Journey(id="j3", user_id="u", name="Birdwatching in the city")]


def conversation(**state):
    return Conversation(JOURNEYS, today=lambda: date(2026, 6, 30), **state)


def test_a_named_journey_wins_over_the_one_last_talked_about():
    reading = Reading("rename_journey", 0.99, (("JOURNEY", "the bike one"), ("NAME", "Restoring my road bike")))
    request = request_of(reading, "...", conversation(focus="j1"))
    assert (request.intent, request.args) == ("rename_journey", {"journey": "j2", "new_name": "Restoring my road bike"})
    assert not request.clarify and not request.ask


def test_words_that_name_no_journey_are_asked_about_never_bound_to_the_focus():
    request = request_of(Reading("reject_journey", 0.99, (("JOURNEY", "the knitting stuff"),)), "...",
                         conversation(focus="j1"))
    # The words passed on to the question are the topic, without "the ... stuff" around it.
    assert request.clarify and request.args["journey"] == "knitting"


def test_a_pronoun_with_no_journey_in_focus_is_passed_on_as_words_for_the_tool_to_ask_about():
    request = request_of(Reading("pause_journey", 0.99, (("JOURNEY", "that one"),)), "pause that one", conversation())
    assert request.clarify and request.args["journey"] == "that one"


def test_it_means_the_journey_last_talked_about_and_without_one_the_reader_asks():
    reading = Reading("pause_journey", 0.95)
    assert request_of(reading, "pause it", conversation(focus="j3")).args == {"journey": "j3"}
    assert request_of(reading, "pause it", conversation()).clarify


def test_typos_and_places_find_the_journey():
    for words, meant in (("the sourdugh one", "j1"), ("number 3", "j3"), ("the second one", "j2"), ("#1", "j1")):
        assert request_of(Reading("confirm_journey", 0.99, (("JOURNEY", words),)), "...",
                          conversation()).args == {"journey": meant}, words


def test_undo_is_undo_whatever_question_is_pending():
    pending = {"kind": "which", "intent": "reject_journey", "args": {}}
    assert request_of(Reading("undo", 0.9), "undo", conversation(pending=pending)).intent == "undo"


def test_an_answer_completes_the_pending_request_and_a_yes_the_pending_change():
    which = {"kind": "which", "intent": "pause_journey", "args": {}}
    answer = request_of(Reading("answer", 0.99, (("JOURNEY", "the bird one"),)), "the bird one",
                        conversation(pending=which))
    assert (answer.intent, answer.args) == ("pause_journey", {"journey": "j3"})
    yes_no = {"kind": "yes_no", "intent": "reject_journey", "calls": [{"journey": "j2"}]}
    assert request_of(Reading("yes", 0.99), "yep", conversation(pending=yes_no)).calls == ({"journey": "j2"},)
    assert request_of(Reading("yes", 0.99), "yep", conversation()).intent == "small_talk"


def test_the_same_again_for_another_journey():
    request = request_of(Reading("same", 0.97, (("JOURNEY", "bird"),)), "bird one too",
                         conversation(last="confirm_journey"))
    assert (request.intent, request.args) == ("confirm_journey", {"journey": "j3"})


def test_a_change_the_model_is_unsure_of_is_asked_about_first():
    request = request_of(Reading("reject_journey", 0.5, (("JOURNEY", "number 2"),)), "...", conversation())
    assert request.ask and request.args == {"journey": "j2"}


def test_a_hesitant_word_is_asked_about_only_when_it_could_change_what_is_done():
    # "and" hesitating between a separator and part of one reference: both readings merge 1 and 3.
    same = Reading("merge_journeys", 0.99, (("JOURNEY", "1"), ("JOURNEY", "3")),
                   alternatives=((("JOURNEY", "1 and 3"),),))
    request = request_of(same, "merge 1 and 3", conversation())
    assert request.args == {"journeys": ["j1", "j3"]} and not request.ask
    # "bread" hesitating between more and less (no "more" or "less" said just before it): ask first.
    other = Reading("steer_journey", 0.99, (("MORE", "bread"), ("LESS", "birds")),
                    alternatives=((("LESS", "bread"), ("LESS", "birds")),))
    assert request_of(other, "bump up bread, tone down birds", conversation()).ask


def test_a_quoted_name_is_taken_whole_and_an_empty_one_goes_to_the_tool_to_refuse():
    reading = Reading("rename_journey", 0.99, (("JOURNEY", "number 2"), ("NAME", "steel frames")))
    request = request_of(reading, 'call number 2 "Old steel frames"', conversation())
    assert request.args == {"journey": "j2", "new_name": "Old steel frames"}
    empty = request_of(Reading("name_journey", 0.99, (("JOURNEY", "number 2"),)), 'rename number 2 to ""',
                       conversation())
    assert (empty.intent, empty.args) == ("rename_journey", {"journey": "j2", "new_name": ""})


def test_the_same_journey_named_twice_goes_to_the_merge_tool_to_be_explained_not_asked_about():
    request = request_of(Reading("merge_journeys", 0.99, (("JOURNEY", "2"), ("JOURNEY", "2"))), "merge 2 and 2",
                         conversation())
    assert request.args == {"journeys": ["j2", "j2"]} and not (request.ask or request.clarify)


def test_a_declined_change_names_its_journey_and_changes_nothing():
    request = request_of(Reading("decline", 0.99, (("JOURNEY", "number 1"),)), "please don't reject number 1",
                         conversation())
    assert (request.intent, request.args, request.ask) == ("decline", {"journey": "j1"}, False)


def test_all_of_them_without_a_name_means_every_visible_journey():
    request = request_of(Reading("confirm_journey", 0.99), "they're all good", conversation())
    assert [c["journey"] for c in request.calls] == ["j1", "j2", "j3"]


def test_merge_takes_the_journey_in_focus_with_the_one_named():
    request = request_of(Reading("merge_journeys", 0.99, (("JOURNEY", "the bird one"),)), "merge it with the bird one",
                         conversation(focus="j1"))
    assert request.args == {"journeys": ["j1", "j3"]}


def test_a_search_reads_its_topic_and_dates():
    request = request_of(Reading("search_history", 0.99, (("QUERY", "pH"),)), "what was i reading about pH back in june",
                         conversation())
    assert request.args == {"query": "pH", "since": "2026-06-01", "until": "2026-06-30"}


def test_steering_more_and_less():
    reading = Reading("steer_journey", 0.99, (("MORE", "bread"), ("LESS", "birds")))
    assert request_of(reading, "...", conversation()).calls == ({"journey": "j1", "direction": "more"},
                                                                {"journey": "j3", "direction": "less"})


def test_counts_in_words_and_digits():
    assert [count(w) for w in ("3", "five", "a couple", "lots")] == [3, 5, 2, 5]


def test_a_change_whose_message_names_no_journey_is_asked_about_never_made():
    # "no" to "Do you want me to reject Birdwatching?" read as a reject: it names no journey, so nothing changes.
    pending = {"kind": "yes_no", "intent": "reject_journey", "calls": [{"journey": "j3"}]}
    request = request_of(Reading("reject_journey", 0.99), "no", conversation(focus="j3", pending=pending))
    assert request.ask
    # "pause it" names the journey in focus by a pronoun: made.
    named = request_of(Reading("pause_journey", 0.99, (("JOURNEY", "it"),)), "pause it", conversation(focus="j3"))
    assert named.args == {"journey": "j3"} and not named.ask


@pytest.mark.parametrize("text", ["no", "nope", "no thanks", "wait no", "don't", "cancel", "👎"])
def test_a_refusal_read_as_yes_makes_no_change(text):
    pending = {"kind": "yes_no", "intent": "reject_journey", "calls": [{"journey": "j3"}]}
    assert request_of(Reading("yes", 0.99), text, conversation(pending=pending)).intent == "cancel"
    assert request_of(Reading("yes", 0.99), "yes why not", conversation(pending=pending)).intent == "reject_journey"


def test_a_group_merged_is_the_group_not_the_group_and_the_journey_in_focus():
    request = request_of(Reading("merge_journeys", 0.99, (("JOURNEY", "the first two"),)),
                         "the first two are really one journey", conversation(focus="j3"))
    assert request.args == {"journeys": ["j1", "j2"]}


def test_a_name_in_single_quotes_is_taken_whole():
    reading = Reading("rename_journey", 0.99, (("JOURNEY", "no. 3"), ("NAME", "archaeology discoveries")))
    request = request_of(reading, "no. 3 is too stiff for me, call it 'roman archaeology discoveries' instead",
                         conversation())
    assert request.args["new_name"] == "roman archaeology discoveries"
    # An apostrophe inside a word opens no quote.
    reading = Reading("rename_journey", 0.99, (("JOURNEY", "number 2"), ("NAME", "Road bikes")))
    assert request_of(reading, "number 2 isn't right, I'd call it Road bikes", conversation()).args["new_name"] == \
        "Road bikes"


def test_a_group_by_place_cut_in_two_by_the_tagger_is_one_group_again():
    reading = Reading("confirm_journey", 0.99, (("JOURNEY", "numbers 2"), ("JOURNEY", "3")))
    request = request_of(reading, "numbers 2 to 3 look correct to me", conversation())
    assert [c["journey"] for c in request.calls] == ["j2", "j3"] and not request.clarify
    # Two journeys named apart stay two.
    apart = Reading("merge_journeys", 0.99, (("JOURNEY", "the bread one"), ("JOURNEY", "the bird one")))
    assert request_of(apart, "merge the bread one and the bird one", conversation()).args == {"journeys": ["j1", "j3"]}


def test_a_new_name_never_ends_with_a_dangling_word_the_tagger_ran_on_to():
    reading = Reading("add_journey", 0.99, (("NAME", "learning to knit this"),),
                      alternatives=((("NAME", "learning to knit"),),))
    request = request_of(reading, "I'd love to start learning to knit this winter", conversation())
    assert request.args == {"name": "learning to knit"} and not request.ask


def test_a_reading_that_only_leaves_out_a_journey_named_for_sure_is_no_reason_to_ask():
    # "bread" hesitating between LESS and no span: it names a journey, so the steering is as said.
    reading = Reading("steer_journey", 0.99, (("MORE", "birds"), ("LESS", "sourdough")),
                      alternatives=((("MORE", "birds"),),))
    request = request_of(reading, "more birds, less sourdough please", conversation())
    assert request.calls == ({"journey": "j3", "direction": "more"}, {"journey": "j1", "direction": "less"})
    assert not request.ask
    # Leaving out words that name no journey still asks: the other reading would do something else.
    unsure = Reading("steer_journey", 0.99, (("MORE", "birds"), ("LESS", "the knitting stuff")),
                     alternatives=((("MORE", "birds"),),))
    request = request_of(unsure, "more birds, less the knitting stuff", conversation())
    assert request.clarify and request.calls[1]["journey"] == "knitting"


def test_a_question_takes_the_topic_the_tagger_almost_found_and_a_change_never_does():
    reading = Reading("recommend", 0.99, (), alternatives=((("QUERY", "kimchi"),),))
    assert request_of(reading, "got any kimchi ideas?", conversation()).args == {"topic": "kimchi"}
    change = Reading("pause_journey", 0.99, (), alternatives=((("JOURNEY", "the bike one"),),))
    request = request_of(change, "pause the bike one", conversation(focus="j1"))
    assert request.ask and request.args != {"journey": "j2"} or request.clarify


def test_words_cut_in_two_are_read_whole_when_that_names_a_journey_and_the_change_is_asked_about():
    reading = Reading("confirm_journey", 0.99, (("JOURNEY", "the"), ("JOURNEY", "road bike one")),
                      alternatives=((("JOURNEY", "the Vintage road bike one"),),))
    request = request_of(reading, "Yes, the Vintage road bike one is right.", conversation())
    assert request.args == {"journey": "j2"} and request.ask and not request.clarify


def test_a_pronoun_the_tagger_almost_took_names_the_journey_in_focus():
    # "confirm it" with "it" a little short of a span: the other reading names the same journey, so no question.
    reading = Reading("confirm_journey", 0.99, (), alternatives=((("JOURNEY", "it"),),))
    request = request_of(reading, "confirm it", conversation(focus="j2"))
    assert request.args == {"journey": "j2"} and not request.ask
    # A bare change with no reference at all is still asked about, never made on the focus.
    assert request_of(Reading("confirm_journey", 0.99, ()), "yes do that", conversation(focus="j2")).ask


def test_a_direction_said_just_before_the_reference_settles_the_taggers_doubt():
    reading = Reading("steer_journey", 0.99, (("MORE", "birds"), ("LESS", "sourdough")),
                      alternatives=((("MORE", "birds"), ("MORE", "sourdough")),))
    request = request_of(reading, "more birds, less sourdough please", conversation())
    assert request.calls == ({"journey": "j3", "direction": "more"}, {"journey": "j1", "direction": "less"})
    assert not request.ask
    # Said some other way ("boost ... cut back on ..."), the doubt is asked about.
    said_otherwise = request_of(reading, "boost birds, cut back on sourdough", conversation())
    assert said_otherwise.ask


def test_one_reference_cut_in_two_steers_its_journey_once():
    reading = Reading("steer_journey", 0.99, (("MORE", "road bike"), ("MORE", "restoration")))
    assert request_of(reading, "way more road bike restoration", conversation()).calls == (
        {"journey": "j2", "direction": "more"},)


def test_a_rename_takes_the_new_name_the_tagger_almost_found_and_asks_first():
    reading = Reading("rename_journey", 0.95, (("JOURNEY", "number 2"),),
                      alternatives=((("JOURNEY", "number 2"), ("NAME", "Foo")),))
    request = request_of(reading, "rename number 2 to Foo", conversation())
    assert (request.intent, request.args, request.ask) == ("rename_journey", {"journey": "j2", "new_name": "Foo"}, True)
    # An empty name changes nothing, so it goes to the tool (which says so) without a question.
    empty = request_of(Reading("name_journey", 0.6, (("JOURNEY", "the bike one"),)), 'rename the bike one to ""',
                       conversation())
    assert (empty.intent, empty.args, empty.ask) == ("rename_journey", {"journey": "j2", "new_name": ""}, False)


def test_a_month_alone_after_a_search_is_no_topic_and_a_verb_topic_is_the_activity():
    reading = Reading("search_history", 0.7, (), alternatives=((("QUERY", "May"),),))
    request = request_of(reading, "and what about May?", conversation(previous_search={"query": "bikes"}))
    assert request.args == {"query": "bikes", "since": "2026-05-01", "until": "2026-05-31"}
    bake = request_of(Reading("recommend", 0.99, (("QUERY", "bake"),)), "what should I bake next?", conversation())
    assert bake.args == {"topic": "baking"}


def test_a_new_name_the_tagger_cut_at_and_is_one_name():
    reading = Reading("rename_journey", 0.99, (("JOURNEY", "the bike one"), ("NAME", "Crocheting granny squares"),
                                               ("NAME", "amigurumi on buses")))
    request = request_of(reading, "rename the bike one to Crocheting granny squares and amigurumi on buses",
                         conversation())
    assert request.args["new_name"] == "Crocheting granny squares and amigurumi on buses"
    # A name said again later is the one meant ("call it A, no wait, B").
    again = Reading("rename_journey", 0.99, (("JOURNEY", "the bike one"), ("NAME", "Steel"), ("NAME", "Chrome")))
    assert request_of(again, "call the bike one Steel, no wait, Chrome", conversation()).args["new_name"] == "Chrome"


def test_undo_while_a_change_is_asked_about_drops_that_change_and_takes_back_nothing_older():
    held = {"kind": "yes_no", "intent": "steer_journey", "calls": [{"journey": "j3", "direction": "less"}]}
    request = request_of(Reading("undo", 0.99), "actually scratch that, undo", conversation(pending=held))
    assert request.intent == "cancel"
    # The same when the tool offered the journey it took the words for ("Do you mean Hydroponics?").
    offered = {"kind": "yes_no", "intent": "reject_journey", "offered": ["j3"], "calls": [{"journey": "j3"}]}
    assert request_of(Reading("undo", 0.99), "wait nvm, reverse that", conversation(pending=offered)).intent == "cancel"
    # With no change held ("which one?" waits), undo takes back the last change, as always.
    which = {"kind": "which", "intent": "reject_journey", "args": {}, "offered": []}
    assert request_of(Reading("undo", 0.99), "undo", conversation(pending=which)).intent == "undo"
    assert request_of(Reading("undo", 0.99), "undo", conversation()).intent == "undo"


def test_a_name_in_quotes_is_the_new_name_whole_even_where_only_the_runner_up_reading_found_part_of_it():
    text = "merge 1 and 3 into 'Making things'"
    reading = Reading("merge_journeys", 0.99, (("JOURNEY", "1"), ("JOURNEY", "3")),
                      alternatives=((("JOURNEY", "1"), ("JOURNEY", "3"), ("NAME", "things'")),))
    request = request_of(reading, text, conversation())
    assert request.args == {"journeys": ["j1", "j3"], "new_name": "Making things"}
    assert not request.ask and not request.clarify
    # Without quotes the runner-up's name is a doubt: asked about, not taken.
    plain = Reading("merge_journeys", 0.99, (("JOURNEY", "1"), ("JOURNEY", "3")),
                    alternatives=((("JOURNEY", "1"), ("JOURNEY", "3"), ("NAME", "things")),))
    assert request_of(plain, "merge 1 and 3 into Making things", conversation()).ask


def test_a_runner_up_that_reads_as_the_same_request_adds_to_the_models_sureness():
    # After a confirm, "and the last one is right too" is a confirm, and also "the same for the last one".
    reading = Reading("confirm_journey", 0.85, (("JOURNEY", "the last one"),), alternative=("same", 0.14))
    text = "and the last one is right too"
    assert not request_of(reading, text, conversation(last="confirm_journey")).ask
    # After something else, "same" means another request: the doubt stays.
    assert request_of(reading, text, conversation(last="explain_journey")).ask


def test_a_number_the_tagger_almost_took_as_a_journey_is_asked_about_when_it_names_none():
    reading = Reading("confirm_journey", 0.99, (("JOURNEY", "1"),),
                      alternatives=((("JOURNEY", "1"), ("JOURNEY", "0")),))
    request = request_of(reading, "confirm 1 and 0", conversation())
    assert request.clarify and request.calls == ({"journey": "j1"}, {"journey": "0"})
    # A number that names a journey in the runner-up reading is a doubt about which journeys: asked, not done.
    named = Reading("confirm_journey", 0.99, (("JOURNEY", "1"),), alternatives=((("JOURNEY", "1"), ("JOURNEY", "2")),))
    assert request_of(named, "confirm 1 and 2", conversation()).ask


def test_a_short_bare_name_answers_which_one_whatever_the_model_made_of_it():
    pending = {"kind": "which", "intent": "pause_journey", "args": {}}
    request = request_of(Reading("out_of_scope", 0.8), "road bike", conversation(pending=pending))
    assert (request.intent, request.args) == ("pause_journey", {"journey": "j2"})
    # A longer message that only mentions a journey's words is not an answer.
    chat = request_of(Reading("out_of_scope", 0.8), "my road bike is the best bike ever", conversation(pending=pending))
    assert chat.intent == "out_of_scope"


def test_a_topic_of_words_that_name_nothing_is_no_topic():
    text = "what did i look at that isnt in any journey"
    request = request_of(Reading("unassigned", 0.99, (("QUERY", "that"),)), text, conversation())
    assert (request.intent, request.args) == ("unassigned", {})
    topical = request_of(Reading("unassigned", 0.99, (("QUERY", "rockabilly"),)), "where did my rockabilly go",
                         conversation())
    assert topical.args == {"topic": "rockabilly"}


def test_a_runner_up_no_one_would_say_is_no_reason_to_ask():
    # "the" alone names nothing, and a name never ends with "in the": such readings are not doubts.
    steer = Reading("steer_journey", 0.99, (("MORE", "bread stuff"), ("LESS", "the bird")),
                    alternatives=((("MORE", "bread stuff"), ("LESS", "the")),))
    request = request_of(steer, "more bread stuff and less of the bird watching", conversation())
    assert not request.ask and request.calls == ({"journey": "j1", "direction": "more"},
                                                 {"journey": "j3", "direction": "less"})
    add = Reading("add_journey", 0.99, (("NAME", "growing veg in the garden"),),
                  alternatives=((("NAME", "growing veg in the"),),))
    assert not request_of(add, "i wanna start growing veg in the garden this summer", conversation()).ask
    # A runner-up that names another journey is still a doubt.
    other = Reading("steer_journey", 0.99, (("MORE", "bread stuff"), ("LESS", "the bird")),
                    alternatives=((("MORE", "bread stuff"), ("LESS", "the bike")),))
    assert request_of(other, "more bread stuff and less of the bird or the bike", conversation()).ask


def test_a_name_cut_where_no_name_ends_or_starts_is_one_name():
    cut = Reading("rename_journey", 0.99, (("JOURNEY", "number 2"), ("NAME", "Submitting poetry to"),
                                           ("NAME", "magazines")))
    assert request_of(cut, "call number 2 Submitting poetry to magazines", conversation()).args["new_name"] == \
        "Submitting poetry to magazines"
    started = Reading("add_journey", 0.99, (("NAME", "Improving"), ("NAME", "the golf swing")))
    assert request_of(started, "i'm teaching myself Improving the golf swing", conversation()).args == \
        {"name": "Improving the golf swing"}
    # A verb before the name is not part of it.
    verb = Reading("add_journey", 0.99, (("NAME", "learn"), ("NAME", "picture books for toddlers")))
    assert request_of(verb, "wanna learn picture books for toddlers", conversation()).args == \
        {"name": "picture books for toddlers"}


def test_a_runner_up_that_only_cuts_words_off_a_reference_that_names_a_journey_is_no_doubt():
    reading = Reading("steer_journey", 0.99, (("MORE", "sourdough stuff"), ("LESS", "the road bike restoration")),
                      alternatives=((("MORE", "sourdough stuff"), ("LESS", "the road")),))
    request = request_of(reading, "more sourdough stuff and less of the road bike restoration", conversation())
    assert not request.ask and request.calls[1] == {"journey": "j2", "direction": "less"}
    # Cut from words that name no journey for sure, the doubt stays.
    vague = Reading("reject_journey", 0.99, (("JOURNEY", "the knitting things"),),
                    alternatives=((("JOURNEY", "the knitting"),),))
    assert request_of(vague, "reject the knitting things", conversation()).clarify
