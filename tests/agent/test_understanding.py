"""Offline understanding: paraphrases reach the right intent, topics don't fool it, arguments are extracted."""

import pytest

from agent.arguments import search_query
from agent.understanding import IntentParser, mask_topics
from journeys.state.journey import Journey

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
    assert understanding.intent == "explain_journey" and understanding.args == {"journey": "j2"}


@pytest.mark.parametrize("text, query", [
    ("when did I watch the strumming video?", "strumming video"),
    ("Have I ever read about pH for hydroponics?", "pH for hydroponics"),
    ("find the article about espresso grinders", "espresso grinders"),
])
def test_search_query_drops_the_question_around_it(text, query):
    assert search_query(text) == query


def test_topic_words_are_masked():
    assert mask_topics("Why Crochet?", frozenset({"crochet"})) == "Why this?"


REAL = [
    Journey("j1", "maya", "Ukulele & chords", salient_terms=["ukulele", "chords", "strum"],
            representative_titles=["Ukulele chords for absolute beginners", "How to strum reggae upstroke"]),
    Journey("j2", "maya", "Crochet & yarn", salient_terms=["crochet", "yarn", "stitch"],
            representative_titles=["How to crochet a granny square", "Best yarn for amigurumi"]),
    Journey("j3", "maya", "Hydroponics & pH", salient_terms=["hydroponics", "ph", "nutrient"],
            representative_titles=["Vertical hydroponic tower for a small apartment", "Lettuce under LED grow lights"]),
]


# Phrasings of the editing intents that are not among the examples in prompts/intents.yaml.
@pytest.mark.parametrize("text, intent", [
    ("you nailed the ukulele one", "confirm_journey"),
    ("Yep, number 3 is accurate", "confirm_journey"),
    ("crochet is definitely a thing for me", "confirm_journey"),
    ("I'm really not interested in crochet", "reject_journey"),
    ("the hydroponics thing was just for a school project, scrap it", "reject_journey"),
    ("please put the ukulele journey on ice", "pause_journey"),
    ("hold off on crochet until winter", "pause_journey"),
    ("could you rename number 2 to Hooked on hooks", "rename_journey"),
    ("I'd prefer the first one to be called Island strumming", "rename_journey"),
    ("crochet and ukulele are basically the same interest", "merge_journeys"),
    ("combine 1 with 3", "merge_journeys"),
    ("the third journey is really two separate hobbies", "split_journey"),
    ("give me more hydroponics", "steer_journey"),
    ("fewer crochet videos please", "steer_journey"),
    ("I'm hoping to take up bouldering", "add_journey"),
    ("add a new interest: beekeeping", "add_journey"),
    ("take it back", "undo"),
    ("oops, revert that", "undo"),
    ("come up with a better name for the crochet one", "name_journey"),
])
def test_editing_requests_reach_the_right_intent(parser, text, intent):
    assert parser.parse(text, REAL).intent == intent


@pytest.mark.parametrize("text, calls", [
    ("confirm 1 and 3", [{"journey": "j1"}, {"journey": "j3"}]),
    ("yes, the ukulele and the crochet ones are right", [{"journey": "j1"}, {"journey": "j2"}]),
    ("they all look right", [{"journey": "j1"}, {"journey": "j2"}, {"journey": "j3"}]),
    ("the crochet one isn't me", [{"journey": "j2"}]),
    ("that's wrong, I don't care about hydroponics", [{"journey": "j3"}]),
    ("the garden one is not me", [{"journey": "garden"}]),  # only loosely alike: the tool offers j3 first
])
def test_journey_references_become_one_call_each(parser, text, calls):
    assert list(parser.parse(text, REAL).calls) == calls


@pytest.mark.parametrize("text, args", [
    ("rename the ukulele one to Island strumming", {"journey": "j1", "new_name": "Island strumming"}),
    ('call number 2 "Hooked"', {"journey": "j2", "new_name": "Hooked"}),
    ("the third one should be called Balcony greens please", {"journey": "j3", "new_name": "Balcony greens"}),
    ("change the name of the crochet journey to Granny squares", {"journey": "j2", "new_name": "Granny squares"}),
])
def test_rename_reads_the_journey_and_the_new_name(parser, text, args):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "rename_journey" and understanding.args == args


def test_rename_without_a_name_asks_the_namer_instead(parser):
    understanding = parser.parse("rename the second one", REAL)
    assert understanding.intent == "name_journey" and understanding.args == {"journey": "j2"}


def test_it_refers_to_the_journey_last_talked_about(parser):
    assert parser.parse("ok, reject it", REAL, focus="j2").args == {"journey": "j2"}
    assert parser.parse("rename it to Hooked", REAL, focus="j3").args == {"journey": "j3", "new_name": "Hooked"}
    assert parser.parse("why?", REAL, focus="j1").args == {"journey": "j1"}


@pytest.mark.parametrize("text, args", [
    ("merge 1 and 3", {"journeys": ["j1", "j3"]}),
    ("merge the ukulele and crochet ones into 'Making things'", {"journeys": ["j1", "j2"], "new_name": "Making things"}),
    ("combine crochet with hydroponics as Home projects", {"journeys": ["j2", "j3"], "new_name": "Home projects"}),
])
def test_merge_reads_the_journeys_and_an_optional_name(parser, text, args):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "merge_journeys" and understanding.args == args


@pytest.mark.parametrize("text, args", [
    ("split the ukulele one into chords and strumming", {"journey": "j1", "parts": ["chords", "strumming"]}),
    ("split number 3", {"journey": "j3"}),
    ("the crochet journey is really two things: amigurumi, granny squares",
     {"journey": "j2", "parts": ["amigurumi", "granny squares"]}),
])
def test_split_reads_the_journey_and_its_parts(parser, text, args):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "split_journey" and understanding.args == args


def test_steering_reads_each_direction_and_journey(parser):
    understanding = parser.parse("more ukulele, less crochet", REAL)
    assert understanding.intent == "steer_journey"
    assert list(understanding.calls) == [{"journey": "j1", "direction": "more"}, {"journey": "j2", "direction": "less"}]
    assert parser.parse("tone down the hydroponics one", REAL).calls == ({"journey": "j3", "direction": "less"},)


@pytest.mark.parametrize("text, name", [
    ("I want to start learning Italian", "learning Italian"),
    ("I'd like to get into pottery this year", "pottery"),
    ("my goal is to run a half marathon", "running a half marathon"),
    ("add a journey called beekeeping", "beekeeping"),
    ("I'm planning to build a treehouse for my kids", "building a treehouse for my kids"),
])
def test_an_aspiration_becomes_the_new_journeys_name(parser, text, name):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "add_journey" and understanding.args == {"name": name}


def test_a_pending_question_can_be_cancelled_or_answered_after_a_no(parser):
    assert parser.parse("never mind", REAL, pending={"intent": "reject_journey"}).intent == "cancelled"
    answer = parser.parse("no, the second one", REAL, pending={"intent": "reject_journey"})
    assert answer.intent == "reject_journey" and answer.args == {"journey": "j2"}


def test_topic_words_inside_patterns_do_not_change_the_intent(parser):
    drop_shot = [Journey("j9", "u", "Drop shot fishing", salient_terms=["drop shot", "fishing"])]
    assert parser.parse("confirm the drop shot one", drop_shot).intent == "confirm_journey"


def test_a_broken_prompt_file_is_named_with_its_line(tmp_path, monkeypatch):
    import prompts

    (tmp_path / "intents.yaml").write_text("patterns:\n  undo:\n    - 'it's broken'\nexamples: {}\n")
    monkeypatch.setenv("JOURNEYS_PROMPTS", str(tmp_path))
    with pytest.raises(prompts.PromptFileError, match=r"intents.yaml, line 3: not valid YAML"):
        prompts.load_yaml("intents.yaml")



# A second persona's journeys and phrasings written after the parser (a check that it generalises).
THEO = [
    Journey("k1", "theo", "Marathon training", salient_terms=["marathon", "run", "pace"], representative_titles=["16-week marathon plan", "Long run pacing"]),
    Journey("k2", "theo", "Kubernetes & kubectl", salient_terms=["kubernetes", "kubectl", "pods"], representative_titles=["Kubernetes concepts: Pods", "Helm charts 101"]),
    Journey("k3", "theo", "Sourdough baking", salient_terms=["sourdough", "starter", "loaf"], representative_titles=["Beginner sourdough loaf", "Feeding a starter"]),
]


@pytest.mark.parametrize("text, intent", [
 ("what have you figured out about me", "list_journeys"), ("my journeys please", "list_journeys"), ("give me the list", "list_journeys"),
 ("why do you say I run marathons?", "explain_journey"), ("explain the bread one", "explain_journey"), ("what's behind the kubernetes journey?", "explain_journey"),
 ("absolutely, marathon training is my thing", "confirm_journey"), ("the k8s one is correct", "confirm_journey"), ("yes to number 3", "confirm_journey"), ("approve the bread one", "confirm_journey"),
 ("I never bake, remove the sourdough one", "reject_journey"), ("kubernetes is for work, not a hobby", "reject_journey"), ("scrap number 1", "reject_journey"), ("wrong, I don't run", "reject_journey"),
 ("I'm injured, pause the running", "pause_journey"), ("hold the kubernetes journey for now", "pause_journey"), ("let's put baking aside for a bit", "pause_journey"),
 ("rename the running one to Road to Berlin", "rename_journey"), ("call the bread journey Crumb and crust", "rename_journey"), ("name number 2 'Cluster wrangling'", "rename_journey"),
 ("running and baking are the same thing for me", "merge_journeys"), ("merge the first two", "merge_journeys"), ("combine kubernetes with sourdough into 'Weekend projects'", "merge_journeys"),
 ("split the kubernetes one into helm and kubectl", "split_journey"), ("break the marathon journey apart", "split_journey"),
 ("more sourdough please", "steer_journey"), ("I want less kubernetes and more running", "steer_journey"), ("fewer running videos", "steer_journey"),
 ("I'm hoping to learn to swim this summer", "add_journey"), ("add a journey: learning the cello", "add_journey"), ("I want to get into chess", "add_journey"),
 ("undo please", "undo"), ("undo the rename", "undo"), ("put it back the way it was", "undo"),
 ("when did I watch the helm charts video?", "search_history"), ("have I read about sourdough hydration?", "search_history"), ("search my history for pacing", "search_history"),
 ("scan my history again", "extract_journeys"), ("refresh", "extract_journeys"),
 ("give the kubernetes one a nicer name", "name_journey"),
 ("what's the best laptop to buy?", "out_of_scope"), ("remind me to call mum", "out_of_scope"), ("how tall is mount everest", "out_of_scope"),
 ("hi!", "greeting"), ("thanks a lot", "greeting"), ("what can you help with", "help"),
])
def test_phrasings_about_another_persona_reach_the_right_intent(parser, text, intent):
    assert parser.parse(text, THEO).intent == intent



# A third persona and phrasings written after the second round of fixes.
OMAR = [
    Journey("o1", "omar", "Hand tool woodworking projects", salient_terms=["woodworking", "chisel", "plane"], representative_titles=["Hand tool woodworking for beginners", "Sharpening chisels"]),
    Journey("o2", "omar", "Home espresso machine basics", salient_terms=["espresso", "grinder", "latte"], representative_titles=["The espresso recipe: dose, yield", "Best grinder under 300"]),
    Journey("o3", "omar", "Amateur astronomy", salient_terms=["telescope", "stargazing", "aperture"], representative_titles=["best beginner telescope dobsonian", "Saturn rising"]),
]


@pytest.mark.parametrize("text, intent", [
 ("So, what did you learn about me?", "list_journeys"), ("Which interests did you spot?", "list_journeys"),
 ("What's the coffee one based on?", "explain_journey"), ("Why did you put astronomy in there?", "explain_journey"), ("Show me the evidence for woodworking", "explain_journey"),
 ("The woodworking one is definitely me", "confirm_journey"), ("Yes, coffee is a big part of my life", "confirm_journey"), ("All three are correct", "confirm_journey"), ("I agree with the astronomy one", "confirm_journey"),
 ("I'm not really into stargazing, that was my son", "reject_journey"), ("Get rid of the coffee journey", "reject_journey"), ("Astronomy? No way.", "reject_journey"), ("That one's not me at all", "reject_journey"),
 ("I sold my telescope, pause astronomy", "pause_journey"), ("Let's pause woodworking until spring", "pause_journey"), ("I'm on a break from coffee", "pause_journey"),
 ("Please rename the coffee one to Espresso nerdery", "rename_journey"), ("Could you call the third one Backyard skies?", "rename_journey"), ("'Shop time' would be a better name for woodworking", "rename_journey"),
 ("Woodworking and astronomy are both hobbies, merge them", "merge_journeys"), ("Put coffee and woodworking together as Weekend crafts", "merge_journeys"),
 ("The astronomy one mixes telescopes and astrophotography, split it", "split_journey"), ("Divide woodworking into chisels and planes", "split_journey"),
 ("I'd like to see more espresso stuff", "steer_journey"), ("Less astronomy, more woodworking", "steer_journey"), ("Cut down on the coffee content", "steer_journey"),
 ("I want to start learning the guitar", "add_journey"), ("Add bonsai as a new interest", "add_journey"), ("My new year's resolution is to learn to cook Thai food", "add_journey"),
 ("Undo my last change", "undo"), ("Oops, I didn't mean that", "undo"), ("Revert that rename", "undo"),
 ("Did I ever look at Dobsonian telescopes?", "search_history"), ("When did I read about espresso grinders?", "search_history"), ("Find the video about sharpening chisels", "search_history"),
 ("Check my history again for new interests", "extract_journeys"),
 ("What's the weather like?", "out_of_scope"), ("Can you order me a pizza?", "out_of_scope"), ("Who is the president of France?", "out_of_scope"),
])
def test_phrasings_about_a_third_persona_reach_the_right_intent(parser, text, intent):
    assert parser.parse(text, OMAR).intent == intent


@pytest.mark.parametrize("text, args", [
    ("Put coffee and woodworking together as Weekend crafts", {"journeys": ["o2", "o1"], "new_name": "Weekend crafts"}),
    ("'Shop time' would be a better name for woodworking", {"journey": "o1", "new_name": "Shop time"}),
    ("My new year's resolution is to learn to cook Thai food", {"name": "learning to cook Thai food"}),
])
def test_arguments_by_meaning_and_in_other_shapes(parser, text, args):
    assert parser.parse(text, OMAR).args == args


# Asking for recommendations: the intent, the journey meant (or none: all of them), and how many.
FILMS = [
    Journey("f1", "ml:7", "Space sci-fi & aliens", salient_terms=["sci-fi", "space", "alien"],
            representative_titles=["Alien (1979)", "Interstellar (2014)"]),
    Journey("f2", "ml:7", "Crime thrillers", salient_terms=["crime", "thriller", "heist"],
            representative_titles=["Heat (1995)", "The Usual Suspects (1995)"]),
    Journey("f3", "ml:7", "Family animation", salient_terms=["animation", "children", "pixar"],
            representative_titles=["Toy Story (1995)", "Up (2009)"]),
]


@pytest.mark.parametrize("journeys, text, args", [
    (REAL, "recommend me something for my cooking journey", {"journey": "cooking"}),
    (FILMS, "what should I watch next for the sci-fi one?", {"journey": "f1"}),
    (REAL, "anything new for me?", {}),
    (REAL, "suggest something for the second one", {"journey": "j2"}),
    (REAL, "got any recommendations?", {}),
    (REAL, "what could I read next about hydroponics?", {"journey": "j3"}),
    (FILMS, "Any good films like the heist ones?", {"journey": "f2"}),
    (FILMS, "I've got a free evening, what should I watch?", {}),
    (FILMS, "Could you suggest 3 movies for the animation journey", {"journey": "f3", "k": 3}),
    (THEO, "What's next for my marathon training?", {"journey": "k1"}),
    (THEO, "give me a few ideas for kubernetes", {"journey": "k2", "k": 3}),
    (THEO, "Got any tips for the bread one?", {"journey": "k3"}),
    (OMAR, "Anything new to try with espresso?", {"journey": "o2"}),
    (OMAR, "What should I build next?", {}),
    (OMAR, "Recommend some reading for stargazing", {"journey": "o3"}),
    (OMAR, "Suggestions for the third one?", {"journey": "o3"}),
])
def test_requests_for_suggestions_read_the_journey_and_the_number(parser, journeys, text, args):
    understanding = parser.parse(text, journeys)
    assert understanding.intent == "recommend" and understanding.args == args


def test_suggestions_for_it_mean_the_journey_last_talked_about(parser):
    assert parser.parse("anything else like that?", REAL, focus="j1").args == {"journey": "j1"}
    assert parser.parse("anything new for me?", REAL, focus="j1").args == {}


@pytest.mark.parametrize("text, intent", [
    ("recommend me more ukulele", "steer_journey"),          # steering, as before
    ("can you suggest a better name for the crochet one?", "name_journey"),
    ("did I read anything about compost?", "search_history"),
    ("find the article about pH meters", "search_history"),
    ("what are my journeys?", "list_journeys"),
])
def test_neighbouring_requests_keep_their_intent(parser, text, intent):
    assert parser.parse(text, REAL).intent == intent


# A newcomer's first hour: a greeting in front of a question, journeys by their place as a group,
# times in searches, suggestions for a journey the user does not have.
@pytest.mark.parametrize("text", [
    "hey, what do you think I'm into?",
    "hi there! so what am I really into?",
    "hello, which things do you reckon I enjoy?",
    "ok so what do you think I like?",
])
def test_a_question_about_what_i_am_into_lists_the_journeys(parser, text):
    assert parser.parse(text, REAL).intent == "list_journeys"


def test_a_greeting_alone_is_still_a_greeting(parser):
    assert parser.parse("hey there", REAL).intent == "greeting"
    assert parser.parse("hello! the second one is right", REAL).args == {"journey": "j2"}


@pytest.mark.parametrize("text, ids", [
    ("the first two look right", ["j1", "j2"]),
    ("both of the first two are right", ["j1", "j2"]),
    ("the last two are spot on", ["j2", "j3"]),
    ("numbers 1 to 3 are correct", ["j1", "j2", "j3"]),
    ("yes, the top two and the hydroponics one", ["j1", "j2", "j3"]),
])
def test_journeys_named_by_their_place_as_a_group_are_each_confirmed(parser, text, ids):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "confirm_journey"
    assert list(understanding.calls) == [{"journey": i} for i in ids]


@pytest.mark.parametrize("text, ids", [
    ("can you put the first two together?", ["j1", "j2"]),
    ("put 1 and 3 together", ["j1", "j3"]),
    ("lump the last two together please", ["j2", "j3"]),
    ("merge 1-3", ["j1", "j2", "j3"]),
])
def test_a_merge_of_a_group_names_every_journey_in_it(parser, text, ids):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "merge_journeys" and understanding.args == {"journeys": ids}


@pytest.mark.parametrize("text, words", [
    ("I've lost interest in crochet for a while", "crochet"),
    ("taking a break from hydroponics for the time being", "hydroponics"),
])
def test_reference_words_leave_out_how_the_user_puts_it(text, words):
    from agent.arguments import reference_words

    assert reference_words(text) == words


def _today():
    from datetime import date

    return date(2026, 7, 24)  # a Friday


@pytest.mark.parametrize("text, since, until", [
    ("what was that video about chords I watched in February?", "2026-02-01", "2026-02-28"),
    ("stuff I watched last spring", "2026-03-01", "2026-05-31"),
    ("anything from 2019?", "2019-01-01", "2019-12-31"),
    ("between March and May", "2026-03-01", "2026-05-31"),
    ("from November to February", "2025-11-01", "2026-02-28"),
    ("from March 2025 to May", "2025-03-01", "2025-05-31"),
    ("last week", "2026-07-13", "2026-07-19"),
    ("in the past two weeks", "2026-07-11", "2026-07-24"),
    ("last month", "2026-06-01", "2026-06-30"),
    ("this year", "2026-01-01", "2026-07-24"),
    ("over the summer", "2026-06-01", "2026-08-31"),
    ("last summer", "2025-06-01", "2025-08-31"),
    ("winter 2026", "2025-12-01", "2026-02-28"),
    ("in early April", "2026-04-01", "2026-04-10"),
    ("at the end of May", "2026-05-21", "2026-05-31"),
    ("on the 3rd of March", "2026-03-03", "2026-03-03"),
    ("yesterday", "2026-07-23", "2026-07-23"),
    ("3 weeks ago", "2026-06-29", "2026-07-05"),
    ("since April", "2026-04-01", None),
    ("before June", None, "2026-05-31"),
    ("March-May", "2026-03-01", "2026-05-31"),
])
def test_periods_in_the_users_words(text, since, until):
    from agent.arguments import read_period

    period = read_period(text, _today)
    assert period is not None and period.args() == {k: v for k, v in (("since", since), ("until", until)) if v}


@pytest.mark.parametrize("text", ["you may like this", "the 2019 world cup video", "I fall asleep to it",
                                  "what should I watch next?"])
def test_words_that_only_look_like_dates_are_not_periods(text):
    from agent.arguments import read_period

    assert read_period(text, _today) is None


@pytest.mark.parametrize("text, args", [
    ("what was that video about chords I watched in February?",
     {"query": "chords", "since": "2026-02-01", "until": "2026-02-28"}),
    ("stuff I watched last spring", {"query": "", "since": "2026-03-01", "until": "2026-05-31", "k": 10}),
    ("anything from 2019?", {"query": "", "since": "2019-01-01", "until": "2019-12-31", "k": 10}),
    ("did I read anything about pH between May and June?", {"query": "pH", "since": "2026-05-01", "until": "2026-06-30"}),
    ("anything on yarn since the start of June?", {"query": "yarn", "since": "2026-06-01"}),
    ("what was I up to last weekend?", {"query": "", "since": "2026-07-18", "until": "2026-07-19", "k": 10}),
])
def test_a_search_reads_what_and_when(parser, text, args):
    understanding = parser.parse(text, REAL, today=_today)
    assert understanding.intent == "search_history" and understanding.args == args


@pytest.mark.parametrize("text", ["what about in April?", "and April?", "how about in april then"])
def test_a_time_alone_after_a_search_searches_the_same_thing_then(parser, text):
    understanding = parser.parse(text, REAL, today=_today, previous_search={"query": "chords"})
    assert understanding.intent == "search_history"
    assert understanding.args == {"query": "chords", "since": "2026-04-01", "until": "2026-04-30"}


@pytest.mark.parametrize("text, intent", [
    ("Can you book me a train to Edinburgh on Friday?", "out_of_scope"),
    ("let's park the crochet one until summer", "pause_journey"),
    ("I'd like to try pottery this summer", "add_journey"),
    ("what should I watch this weekend?", "recommend"),
])
def test_a_time_in_other_requests_keeps_their_intent(parser, text, intent):
    understanding = parser.parse(text, REAL, today=_today)
    assert understanding.intent == intent
    assert understanding.args.get("journey") != "this"


@pytest.mark.parametrize("text, journey", [
    ("what should I bake next?", "baking"),
    ("any ideas for my photography hobby?", "photography"),
    ("what would suit my cooking journey?", "cooking"),
    ("could you point me to some cooking stuff?", "cooking"),
    ("what should I crochet next?", "j2"),
])
def test_suggestions_for_a_topic_name_that_topic(parser, text, journey):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == "recommend" and understanding.args == {"journey": journey}


@pytest.mark.parametrize("text, intent, calls", [
    ("tell me what I'm into", "list_journeys", [{}]),
    ("what do you think I'm into, based on my history?", "list_journeys", [{}]),
    ("the top two belong together", "merge_journeys", [{"journeys": ["j1", "j2"]}]),
    ("mash the top 2 into one", "merge_journeys", [{"journeys": ["j1", "j2"]}]),
    ("the hydroponics thing is right after all", "confirm_journey", [{"journey": "j3"}]),
    ("all three are correct", "confirm_journey", [{"journey": "j1"}, {"journey": "j2"}, {"journey": "j3"}]),
])
def test_more_ways_to_ask_and_to_name_groups(parser, text, intent, calls):
    understanding = parser.parse(text, REAL)
    assert understanding.intent == intent and list(understanding.calls) == calls


def test_words_naming_no_journey_never_mean_all_of_them(parser):
    # "after all" is not "all": a journey the user no longer has is named, not every journey confirmed.
    understanding = parser.parse("the gardening one is right after all", REAL[:2])
    assert understanding.calls == ({"journey": "gardening"},)


def test_the_two_of_them_are_both_journeys_when_there_are_two(parser):
    understanding = parser.parse("the two of them belong together", REAL[:2])
    assert understanding.intent == "merge_journeys" and understanding.args == {"journeys": ["j1", "j2"]}


def test_a_search_whose_words_are_all_fillers_still_searches_the_message():
    from agent.arguments import read_search

    assert read_search("when did I watch How to find?", [], None) == ("search_history", [{"query": "How to find"}])
