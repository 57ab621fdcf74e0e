"""The web UI in a real browser (headless Debian Chromium, driven by Playwright).

One page, in order: open it, chat and see the reply, confirm a journey from its card and
see chat, panel and store agree, open its evidence, upload a bad file and see the error;
then a card's Suggest button and the suggestions in the chat.
Screenshots of each state go to test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from journeys.state.journey import Status
from journeys.state.references import resolve_journey
from tests.conftest import write_lines

pytestmark = pytest.mark.slow
TIMEOUT = 30_000  # ms: a first reply may wait for the models to warm up


@pytest.fixture
def page(browser, demo_app):
    app, _ = demo_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(app.local_url)
    expect(page.locator("#chat")).to_be_visible()
    yield page
    context.close()


def chat_text(page) -> str:
    return page.locator("#chat").inner_text()


def test_chat_confirm_from_a_card_evidence_and_a_bad_upload(page, demo_app, screenshots, tmp_path):
    _, workspace = demo_app
    expect(page.locator("#about")).to_contain_text("Maya")
    ukulele = resolve_journey(workspace.journeys.journeys("maya"), "ukulele").journey
    expect(page.locator(f"#card-text-{ukulele.id}")).to_contain_text("proposed")
    page.screenshot(path=screenshots / "1-opened.png", full_page=True)

    # Chat: a question and its streamed reply.
    page.locator("#message textarea").fill("what are my journeys?")
    page.locator("#message textarea").press("Enter")
    expect(page.locator("#chat")).to_contain_text("Do these look right?")
    assert "Ukulele & chord" in chat_text(page) and "marathon" not in chat_text(page).lower()
    page.screenshot(path=screenshots / "2-chat-reply.png", full_page=True)

    # Confirm from the card: the chat says so, the card says so, the store says so.
    page.locator(f"#confirm-{ukulele.id}").click()
    expect(page.locator("#chat")).to_contain_text("Confirmed: Ukulele & chord")
    expect(page.locator(f"#card-text-{ukulele.id}")).to_contain_text("confirmed")
    assert workspace.journeys.get("maya", ukulele.id).status is Status.CONFIRMED
    page.screenshot(path=screenshots / "3-confirmed-from-card.png", full_page=True)

    # And the other way round: a change made in the chat shows on the card.
    crochet = resolve_journey(workspace.journeys.journeys("maya"), "crochet").journey
    page.locator("#message textarea").fill("pause the crochet one")
    page.locator("#message textarea").press("Enter")
    expect(page.locator("#chat")).to_contain_text("Paused: Crochet & yarn")
    expect(page.locator(f"#card-text-{crochet.id}")).to_contain_text("paused")

    # Evidence of a journey.
    page.locator(f"#evidence-{ukulele.id}").click()
    expect(page.locator(f"#card-{ukulele.id} #evidence")).to_contain_text(f"Why “{ukulele.name}”")
    expect(page.locator("#evidence")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d · \w+ · "))
    page.screenshot(path=screenshots / "4-evidence.png", full_page=True)

    # A bad upload: nothing imported, the line to fix named.
    before = workspace.history.count("maya")
    bad = write_lines(tmp_path / "my-history.jsonl", [
        '{"user_id": "maya", "item_id": "x1", "title": "Ukulele fingerstyle", "timestamp": "2026-08-01T10:00:00Z"}',
        '{"user_id": "maya", "item_id": "x2", "title": "Ukulele strings", "timestamp": "yesterday"}',
    ])
    page.locator("#import").click()
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    expect(page.locator("#import-status")).to_contain_text("Nothing was imported")
    expect(page.locator("#import-status")).to_contain_text("my-history.jsonl, line 2")
    assert workspace.history.count("maya") == before
    page.screenshot(path=screenshots / "5-bad-upload.png", full_page=True)


def test_switching_person_shows_only_their_journeys(page, demo_app, screenshots):
    _, workspace = demo_app
    page.locator("#person input").click()
    page.get_by_role("option", name=re.compile("theo")).click()
    marathon = resolve_journey(workspace.journeys.journeys("theo"), "marathon").journey
    expect(page.locator(f"#card-text-{marathon.id}")).to_be_visible()
    expect(page.locator("#about")).to_contain_text("Theo")
    expect(page.locator("#timeline")).to_contain_text(marathon.name)
    assert "ukulele" not in page.locator("body").inner_text().lower()
    page.screenshot(path=screenshots / "6-other-person.png", full_page=True)


def test_a_cards_suggest_button_shows_suggestions_in_the_chat(page, demo_app, screenshots):
    _, workspace = demo_app
    ukulele = resolve_journey(workspace.journeys.journeys("maya"), "ukulele").journey
    page.locator(f"#suggest-{ukulele.id}").click()
    expect(page.locator("#chat")).to_contain_text(f"Suggest something for “{ukulele.name}”")
    expect(page.locator("#chat")).to_contain_text(f"For {ukulele.name}, you might like")
    expect(page.locator("#chat")).to_contain_text("because you")
    assert "marathon" not in chat_text(page).lower()
    page.screenshot(path=screenshots / "7-suggestions.png", full_page=True)
