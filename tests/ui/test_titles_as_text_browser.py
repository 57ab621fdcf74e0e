"""Item titles and journey names are text in the page, never Markdown or HTML (issue 16), in a real browser.

A history whose titles hold a Markdown image (a tracking pixel), a "reset your password" link,
a line break followed by "####", and HTML tags, plus a journey renamed to markup: in the chat,
the cards, the evidence and the timeline nothing loads, nothing is a link, nothing is a heading,
and the characters show as typed. The screenshot goes to test-artifacts/screenshots/.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PERSONAS

pytestmark = pytest.mark.slow
OUTSIDE = "http://127.0.0.1:9"  # nothing listens there; a request to it is what must not happen
HOSTILE_TITLES = [
    f"Ukulele strumming lesson ![pixel]({OUTSIDE}/pixel.png)",
    f"Ukulele chords: [reset your password]({OUTSIDE}/reset) now",
    "Ukulele tuning tips\n#### Fake heading",
    f"Ukulele fingerpicking <img src={OUTSIDE}/img.png> <b>bold</b> $$x^2$$",
]
HOSTILE_NAME = f"<img src={OUTSIDE}/name.png> **Garden** [link]({OUTSIDE}/name)"


def hostile_history(path):
    """Maya's history with the titles of her four latest ukulele activities replaced by hostile ones."""
    rows = [json.loads(line) for line in PERSONAS["maya"].history_path.read_text().splitlines()]
    ukulele = sorted((r for r in rows if re.search(r"ukulele|uke|chord|strum", r["title"].lower())),
                     key=lambda r: r["timestamp"])[-4:]
    for row, title in zip(ukulele, HOSTILE_TITLES):
        row["title"] = title
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_titles_and_names_show_as_text_in_chat_cards_evidence_and_timeline(serve, open_page, screenshots,
                                                                             tmp_path):
    app, workspace = serve()
    page = open_page(app.local_url)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    # Through the page's own upload: the file is Maya's, so the page becomes hers and the chat starts.
    page.locator("#own-file input[type=file]").set_input_files(str(hostile_history(tmp_path / "maya.jsonl")))
    expect(page.locator("#chat")).to_contain_text("Here are the journeys I found", timeout=90_000)
    ukulele = next(j for j in workspace.journeys.journeys("maya") if "ukulele" in j.name.lower())
    other = next(j for j in workspace.journeys.journeys("maya") if j.id != ukulele.id)

    # The evidence, in the card and in the chat, and a search that finds the titles.
    page.locator(f"#evidence-{ukulele.id}").click()
    evidence = page.locator(f"#card-{ukulele.id} #evidence")
    expect(evidence).to_contain_text(f"![pixel]({OUTSIDE}/pixel.png)")
    expect(evidence).to_contain_text(f"[reset your password]({OUTSIDE}/reset)")
    expect(evidence).to_contain_text("Ukulele tuning tips #### Fake heading")
    expect(evidence).to_contain_text(f"<img src={OUTSIDE}/img.png> <b>bold</b>")
    expect(page.locator("#chat")).to_contain_text(f"![pixel]({OUTSIDE}/pixel.png)")
    page.locator("#message textarea").fill("when did I watch the ukulele lessons about chords and tuning?")
    page.locator("#message textarea").press("Enter")
    expect(page.locator("#chat")).to_contain_text("Here is what I found in your history")
    expect(page.locator("#chat")).to_contain_text("#### Fake heading")

    # A name with markup, from the card's rename box: the card, the chat and the timeline show it as typed.
    page.locator(f"#rename-text-{other.id}").locator("input, textarea").first.fill(HOSTILE_NAME)
    page.locator(f"#rename-{other.id}").click()
    expect(page.locator(f"#card-text-{other.id}")).to_contain_text(HOSTILE_NAME)
    expect(page.locator("#timeline")).to_contain_text(HOSTILE_NAME)
    expect(page.locator("#chat")).to_contain_text(f"to {HOSTILE_NAME}.")

    page.wait_for_timeout(500)
    for place in ("#chat", "#journey-panel", "#timeline"):
        region = page.locator(place)
        assert region.locator(f'img[src^="{OUTSIDE}"], a[href^="{OUTSIDE}"]').count() == 0, place
        assert region.locator("h1, h2, h3, h4, h5, h6, b, strong").filter(has_text="Fake heading").count() == 0
        assert region.locator("b").filter(has_text="bold").count() == 0, place
        assert region.locator(".katex, math").count() == 0, place
    assert [url for url in requested if url.startswith(OUTSIDE)] == []
    page.screenshot(path=screenshots / "titles-as-text.png", full_page=True)
