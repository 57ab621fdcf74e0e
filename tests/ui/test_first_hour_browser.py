"""A newcomer's first hour in the web UI (issue 15, items 1-6), in a real browser.

Trying one's own history on a new home and in the demo; typed text that stays with its journey
when the person changes; evidence that opens where the user looks and agrees with the chat;
no stale text (the about line after an import, the import status after a split, the rename box
after a rename, the chat after a reload); numbers that say when they moved; card buttons that
look like buttons and a timeline with years and whole names. Screenshots of each state go to
test-artifacts/screenshots/first-hour-*.png.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from tests.conftest import PERSONAS

pytestmark = pytest.mark.slow
IMPORT_TIMEOUT = 90_000  # ms: embedding, finding and naming a history


def say(page, text: str) -> None:
    page.locator("#message textarea").fill(text)
    page.locator("#message textarea").press("Enter")


def pick(page, user_id: str) -> None:
    page.locator("#person input").click()
    page.get_by_role("option", name=re.compile(rf"\b{re.escape(user_id)}\b")).click()


def rename_box(page, journey_id: str):
    """A card's rename box (whatever element draws it)."""
    return page.locator(f"#rename-text-{journey_id}").locator("input, textarea").first


def history_file(path, rows_by_user: dict[str, str]):
    """A history file holding these personas' rows, each persona's rows under the user id given."""
    lines = []
    for persona, user_id in rows_by_user.items():
        for line in PERSONAS[persona].history_path.read_text().splitlines():
            lines.append(json.dumps({**json.loads(line), "user_id": user_id}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_try_your_own_history_on_a_new_home(serve, open_page, screenshots, tmp_path):
    app, workspace = serve()  # nobody yet
    page = open_page(app.local_url)
    expect(page.locator("#about")).to_contain_text("No history is loaded yet")
    expect(page.locator("#own-file")).to_be_visible()  # "Try your own history" is open on a new home
    page.screenshot(path=screenshots / "first-hour-1a-new-home.png", full_page=True)

    # A file of one person, no name given: the file's user id is the person.
    page.locator("#own-file input[type=file]").set_input_files(str(history_file(tmp_path / "mine.jsonl",
                                                                                {"omar": "omar"})))
    expect(page.locator("#own-status")).to_contain_text("Imported 70 new activities", timeout=IMPORT_TIMEOUT)
    journeys = workspace.journeys.journeys("omar")
    assert journeys and workspace.history.count("omar") == 70
    expect(page.locator("#chat")).to_contain_text("What are my journeys?")  # the chat starts on them
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found in your history")
    expect(page.locator("#person input")).to_have_value("omar")
    for journey in journeys:
        expect(page.locator(f"#card-text-{journey.id}")).to_contain_text(journey.name)
    expect(page.locator("#about")).to_contain_text("omar")
    expect(page.locator("#about")).not_to_contain_text("no history yet")
    page.screenshot(path=screenshots / "first-hour-1b-own-history-imported.png", full_page=True)


def test_try_your_own_history_in_the_demo_asks_whose_rows_are_yours(demo_app, open_page, screenshots, tmp_path):
    app, workspace = demo_app
    page = open_page(app.local_url)
    maya_before = workspace.history.count("maya")
    # The page's person is Maya: a file of someone else's rows is not hers, and the status says where to go.
    page.locator("#import").click()
    page.locator("#upload input[type=file]").set_input_files(str(PERSONAS["omar"].history_path))
    expect(page.locator("#import-status")).to_contain_text("holds no activity of 'maya'")
    expect(page.locator("#import-status")).to_contain_text("Try your own history")

    # Under a name of one's own, from a file of two people: it asks which one is you.
    page.locator("#try-own").click()
    page.locator("#own-name input, #own-name textarea").first.fill("Sam")
    page.locator("#own-file input[type=file]").set_input_files(
        str(history_file(tmp_path / "family.jsonl", {"omar": "omar", "lucas": "lucas"})))
    expect(page.locator("#own-status")).to_contain_text("holds the histories of 2 people")
    page.locator("#own-pick input").click()
    page.get_by_role("option", name=re.compile("lucas")).click()
    page.screenshot(path=screenshots / "first-hour-1c-which-one-is-you.png", full_page=True)
    page.locator("#own-go").click()
    expect(page.locator("#own-status")).to_contain_text("Imported 64 new activities", timeout=IMPORT_TIMEOUT)
    expect(page.locator("#own-status")).to_contain_text("70 rows of other users were left out")
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found in your history")
    expect(page.locator("#person input")).to_have_value("Sam")
    assert workspace.history.count("Sam") == 64 and workspace.history.count("lucas") == 0
    assert workspace.history.count("maya") == maya_before
    sam = workspace.journeys.journeys("Sam")
    assert sam
    expect(page.locator(f"#card-text-{sam[0].id}")).to_contain_text(sam[0].name)
    page.screenshot(path=screenshots / "first-hour-1d-own-history-in-the-demo.png", full_page=True)


def test_text_typed_on_a_card_stays_with_its_journey(demo_app, open_page, screenshots):
    app, workspace = demo_app
    page = open_page(app.local_url)
    maya, theo = workspace.journeys.journeys("maya"), workspace.journeys.journeys("theo")
    rename_box(page, maya[0].id).fill("Mandolin stuff")
    pick(page, "theo")
    expect(page.locator(f"#card-text-{theo[0].id}")).to_be_visible()
    for journey in theo:
        expect(rename_box(page, journey.id)).to_have_value("")
    page.screenshot(path=screenshots / "first-hour-2-switched-person.png", full_page=True)
    # Renaming Theo's journey with an empty box renames nothing.
    page.locator(f"#rename-{theo[0].id}").click()
    expect(page.locator(".toast-body, [data-testid=toast-body]").first).to_contain_text("Type the new name")
    assert [j.name for j in workspace.journeys.journeys("theo")] == [j.name for j in theo]
    pick(page, "maya")
    expect(page.locator(f"#card-text-{maya[0].id}")).to_be_visible()
    for journey in maya:  # cleared on the switch, not kept for later
        expect(rename_box(page, journey.id)).to_have_value("")
    assert workspace.journeys.get("maya", maya[0].id).name == maya[0].name


def test_evidence_opens_next_to_its_card_and_agrees_with_the_chat(demo_app, open_page, screenshots):
    app, workspace = demo_app
    page = open_page(app.local_url, height=900)
    journeys = workspace.journeys.journeys("maya")
    first, last = journeys[0], journeys[-1]
    page.locator(f"#evidence-{last.id}").click()
    evidence = page.locator(f"#card-{last.id} #evidence")
    expect(evidence).to_contain_text(f"Why “{last.name}”")
    expect(evidence).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d · \w+ · "))
    expect(evidence).to_be_in_viewport()
    # The chat records the click and shows the same evidence.
    expect(page.locator("#chat")).to_contain_text(f"Why “{last.name}”?")
    expect(page.locator("#chat")).to_contain_text(f"I found {last.name} because")
    page.screenshot(path=screenshots / "first-hour-3a-evidence-next-to-its-card.png")
    # And the other way round: a "why" in the chat opens that journey's evidence in the panel.
    say(page, "why did you find the first one?")
    expect(page.locator("#chat")).to_contain_text(f"I found {first.name} because")
    expect(page.locator(f"#card-{first.id} #evidence")).to_contain_text(f"Why “{first.name}”")
    expect(page.locator(f"#card-{last.id} #evidence")).to_have_count(0)
    page.screenshot(path=screenshots / "first-hour-3b-evidence-asked-in-the-chat.png", full_page=True)


def test_the_conversation_comes_back_after_a_reload_and_a_switch(demo_app, open_page, screenshots):
    app, _ = demo_app
    page = open_page(app.local_url)
    say(page, "what are my journeys?")
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found")
    page.reload()
    expect(page.locator("#chat")).to_contain_text("what are my journeys?")
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found")
    pick(page, "theo")
    expect(page.locator("#about")).to_contain_text("Theo")
    expect(page.locator("#chat")).not_to_contain_text("Here are the journeys I found")
    say(page, "help")
    expect(page.locator("#chat")).to_contain_text("You can ask me")
    pick(page, "maya")
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found")
    expect(page.locator("#chat")).not_to_contain_text("You can ask me")
    page.screenshot(path=screenshots / "first-hour-4a-conversation-restored.png", full_page=True)


def test_no_stale_text_after_an_import_a_split_or_a_rename(serve, open_page, screenshots, tmp_path):
    app, workspace = serve("ruth", others=("zoe",))
    page = open_page(app.local_url)
    pick(page, "zoe")
    expect(page.locator("#about")).to_contain_text("(no history yet: import a file below)")
    page.locator("#import").click()
    page.locator("#upload input[type=file]").set_input_files(str(history_file(tmp_path / "zoe.jsonl",
                                                                              {"ruth": "zoe"})))
    expect(page.locator("#import-status")).to_contain_text("Imported 73 new activities", timeout=IMPORT_TIMEOUT)
    count = len(workspace.journeys.journeys("zoe"))
    expect(page.locator("#import-status")).to_contain_text(f"You now have {count} journeys")
    expect(page.locator("#about")).not_to_contain_text("no history yet")

    # A split in the chat: the status counts the journeys there are now.
    first = workspace.journeys.journeys("zoe")[0]
    say(page, "split the first one")
    expect(page.locator("#chat")).to_contain_text(f"Split {first.name} into")
    assert len(workspace.journeys.journeys("zoe")) == count + 1
    expect(page.locator("#import-status")).to_contain_text(f"You now have {count + 1} journeys")

    # A rename from the card: the card shows the name, the box is empty again.
    rename_box(page, first.id).fill("Garden birds")
    page.locator(f"#rename-{first.id}").click()
    expect(page.locator(f"#card-text-{first.id}")).to_contain_text("Garden birds")
    expect(rename_box(page, first.id)).to_have_value("")
    page.screenshot(path=screenshots / "first-hour-4b-after-import-split-rename.png", full_page=True)


def test_rejecting_a_journey_says_which_numbers_changed(serve, open_page, screenshots):
    app, workspace = serve("maya")
    page = open_page(app.local_url)
    first, second, third = workspace.journeys.journeys("maya")[:3]
    page.locator(f"#reject-{first.id}").click()
    expect(page.locator("#chat")).to_contain_text(f"Done: {first.name} is rejected")
    expect(page.locator("#chat")).to_contain_text(
        f"Note the new numbers: {second.name} is now number 1 (it was 2), {third.name} is now number 2 (it was 3)")
    expect(page.locator(f"#card-text-{second.id}")).to_contain_text("1.")
    expect(page.locator(f"#card-{first.id}")).to_have_count(0)
    # The numbers the chat now speaks of are the ones it announced.
    say(page, "confirm number 1")
    expect(page.locator("#chat")).to_contain_text(f"Confirmed: {second.name}")
    assert workspace.journeys.get("maya", second.id).status is Status.CONFIRMED
    page.screenshot(path=screenshots / "first-hour-5-numbers-changed.png", full_page=True)


def test_card_buttons_look_like_buttons_and_the_timeline_shows_years_and_whole_names(serve, open_page,
                                                                                       screenshots):
    app, workspace = serve("maya")
    page = open_page(app.local_url)
    crochet = resolve_journey(workspace.journeys.journeys("maya"), "crochet").journey
    long_name = "Crocheting granny squares and amigurumi on buses"
    say(page, f"rename the crochet one to {long_name}")
    expect(page.locator(f"#card-text-{crochet.id}")).to_contain_text(long_name)
    for journey in workspace.journeys.journeys("maya"):
        for button in ("pause", "evidence", "suggest", "rename"):
            edge = page.locator(f"#{button}-{journey.id}").evaluate("""(b) => {
                const card = b.closest('.journey-card');
                let back = 'rgba(0, 0, 0, 0)';
                for (let e = b.parentElement; e && back === 'rgba(0, 0, 0, 0)'; e = e.parentElement) {
                    back = getComputedStyle(e).backgroundColor;
                }
                const s = getComputedStyle(b);
                const border = parseFloat(s.borderTopWidth) >= 1 && s.borderTopStyle !== 'none'
                    && s.borderTopColor !== back && !s.borderTopColor.endsWith(', 0)');
                return border || s.backgroundColor !== back;
            }""")
            assert edge, f"the {button} button of {journey.name} has no visible edge"
        # Rename sits beside its box, centred on it.
        box, button = rename_box(page, journey.id).bounding_box(), page.locator(f"#rename-{journey.id}").bounding_box()
        assert button["x"] >= box["x"] + box["width"] - 1
        assert abs((box["y"] + box["height"] / 2) - (button["y"] + button["height"] / 2)) <= 3
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(long_name)
    expect(timeline).to_contain_text(re.compile(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2026"))
    label = timeline.get_by_text(long_name)
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
    page.locator("#timeline").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "first-hour-6-buttons-and-timeline.png", full_page=True)
