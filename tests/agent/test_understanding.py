"""Offline understanding: paraphrases reach the right intent, topics don't fool it, arguments are extracted."""

import pytest

from agent.understanding import IntentParser, mask_topics, search_query
from journeys.journey import Journey

JOURNEYS = [
    Journey("j1", "maya", "Ukulele & chords", salient_terms=["ukulele", "chords"]),
    Journey("j2", "maya", "Crochet & yarn", salient_terms=["crochet", "yarn"]),
]


@pytest.fixture(scope="module")
def parser(embedder):
    return IntentParser(embedder)


# Phrasings that are not among the examples in prompts/intents.yaml.
@pytest.mark.parametrize("text, intent", [
    ("What interests have you spotted in my activity?", "list_journeys"),
    ("So what am I into?", "list_journeys"),
    ("which topics keep showing up in what I watch?", "list_journeys"),
    ("What makes you say I like crochet?", "explain_journey"),
    ("how come ukulele is there", "explain_journey"),
    ("where does the crochet one come from", "explain_journey"),
    ("crochet?", "explain_journey"),
    ("When did I read about yarn weights?", "search_history"),
    ("Have I watched anything on fingerpicking?", "search_history"),
    ("go through my history again and find interests", "extract_journeys"),
    ("what can you help me with?", "help"),
    ("hello!", "greeting"),
    ("What's the weather in Paris tomorrow?", "out_of_scope"),
    ("What is the capital of France?", "out_of_scope"),
    ("Write me a poem about cats", "out_of_scope"),
])
def test_paraphrases_reach_the_right_intent(parser, text, intent):
    assert parser.parse(text, JOURNEYS).intent == intent


def test_first_meeting_looks_for_journeys_before_listing(parser):
    assert parser.parse("what are my journeys?", []).intent == "extract_journeys"


def test_an_answer_to_which_one_continues_the_pending_request(parser):
    understanding = parser.parse("the second one", JOURNEYS, pending={"intent": "explain_journey"})
    assert understanding.intent == "explain_journey" and understanding.args == {"journey": "the second one"}


@pytest.mark.parametrize("text, query", [
    ("when did I watch the strumming video?", "strumming video"),
    ("Have I ever read about pH for hydroponics?", "pH for hydroponics"),
    ("find the article about espresso grinders", "espresso grinders"),
])
def test_search_query_drops_the_question_around_it(text, query):
    assert search_query(text) == query


def test_topic_words_are_masked():
    assert mask_topics("Why Crochet?", frozenset({"crochet"})) == "Why this?"
