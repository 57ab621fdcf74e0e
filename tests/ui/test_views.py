"""How the page shows data: as text, never as Markdown or HTML; the timeline's months carry their year."""

from datetime import datetime, timezone

from ui.views import card_html, chat_message, evidence_html, timeline_html


def test_a_reply_loses_only_the_emphasis_around_its_names():
    name = "<img src=x> **Garden** [link](http://x)"
    reply = f"Renamed **Birds** to **{name}**. Find your *journeys*: “![p](http://x/p.png)”\n#### not a heading"
    shown = chat_message(reply, {"Birds", name, "Garden"})
    assert shown == ("Renamed Birds to &lt;img src=x&gt; **Garden** [link](http://x). Find your journeys: "
                     "“![p](http://x/p.png)”\n#### not a heading")
    assert chat_message("**not a name** &amp; <b>") == "**not a name** &amp;amp; &lt;b&gt;"


def test_cards_evidence_and_timeline_escape_every_piece_of_data():
    hostile = '<script>alert(1)</script> "quoted"\n#### heading'
    card = {"number": 1, "id": "j1", "name": hostile, "status": "proposed", "size": 1, "first_seen": "2026-05-01",
            "last_seen": "2026-05-01", "active": True, "steer": None, "evidence": [hostile]}
    evidence = {"name": hostile, "salient_terms": ["<b>"], "total": 1,
                "items": [{"title": hostile, "kind": "<i>", "when": "2026-05-01"}]}
    when = datetime(2026, 5, 1, tzinfo=timezone.utc)
    timeline = [{"number": 1, "id": "j1", "name": hostile, "status": "proposed",
                 "items": [{"when": when, "title": hostile}]}]
    for html in (card_html(card), evidence_html(evidence, 'j1"><script>'), timeline_html(timeline)):
        assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "\n" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 activity" in card_html(card)


def test_the_timeline_labels_months_with_their_year_across_a_new_year():
    dates = [datetime(2025, 11, 20, tzinfo=timezone.utc), datetime(2026, 2, 3, tzinfo=timezone.utc)]
    html = timeline_html([{"number": 1, "id": "j1", "name": "Kites", "status": "confirmed",
                           "items": [{"when": d, "title": "Kite"} for d in dates]}])
    assert "Nov 2025" in html and "Jan 2026" in html and ">1. Kites</div>" in html
