"""How the page shows things: journey cards, evidence, the timeline and chat messages.

Item titles, journey names, user ids and file names are the user's data (or a remote namer's):
they are always shown as text, never read as Markdown or HTML, so a title holding a Markdown
image loads nothing, a link is not clickable and "\\n####" is no heading. Everything here
builds HTML with every piece of data escaped, or plain chat text with HTML's marks escaped;
and the few lines of browser code a card needs (its rename box, scrolling to its evidence).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from datetime import date, datetime
from html import escape
from typing import Any

STATUS_TEXT = {"proposed": "proposed (not confirmed yet)", "confirmed": "confirmed", "paused": "paused"}
# Evidence items shown inside a card (the rest are counted).
CARD_EVIDENCE = 12


def text(value: Any) -> str:
    """Data as HTML text: markup characters escaped, line breaks as spaces (a title is one line)."""
    return escape(" ".join(str(value).split()), quote=False)


def attribute(value: Any) -> str:
    """Data as the value of an HTML attribute (quotes escaped too)."""
    return escape(" ".join(str(value).split()), quote=True)


def card_html(card: dict[str, Any]) -> str:
    """A journey card's text: number and name, status, size, time span and top items."""
    size = card["size"]
    first, last = ((card[end] or "")[:10] for end in ("first_seen", "last_seen"))  # the days, not the times
    span = (f'<span class="nowrap">{text(first)} → {text(last)}</span>' if size
            else "no activity yet")
    extra = " · dormant" if size and not card["active"] else ""
    extra += f" · you want {text(card['steer'])} of it" if card.get("steer") else ""
    items = "".join(f"<li>{text(title)}</li>" for title in card["evidence"])
    status = card["status"]
    return (
        f'<div class="card-head"><span class="card-number">{card["number"]}.</span> '
        f'<span class="card-name">{text(card["name"])}</span></div>'
        f'<div class="card-meta"><span class="card-status status-{attribute(status)}">'
        f'{text(STATUS_TEXT.get(status, status))}</span> · <span class="nowrap">{size:,} '
        f'{"activity" if size == 1 else "activities"}</span> · {span}{extra}</div>'
        + (f'<ul class="card-items">{items}</ul>' if items else "")
    )


def evidence_html(evidence: dict[str, Any] | None, journey_id: str) -> str:
    """The evidence of one journey: its shared words and its activities, most recent first."""
    opening = f'<div class="evidence" data-journey="{attribute(journey_id)}">'
    if evidence is None:
        return opening + "That journey is no longer on your list.</div>"
    lines = [f'<div class="evidence-title">Why “{text(evidence["name"])}”</div>']
    if evidence["salient_terms"]:
        lines.append(f'<div class="evidence-terms">Shared words: {text(", ".join(evidence["salient_terms"]))}</div>')
    items = evidence["items"][:CARD_EVIDENCE]
    if not items:
        lines.append("<div>No activity belongs to it yet.</div>")
    else:
        lines.append('<ul class="evidence-items">' + "".join(
            f'<li><span class="when">{text(item["when"])}</span> · {text(item["kind"])} · {text(item["title"])}</li>'
            for item in items) + "</ul>")
    if evidence["total"] > len(items):
        lines.append(f'<div class="evidence-more">… and {evidence["total"] - len(items):,} more</div>')
    return opening + "".join(lines) + "</div>"


def timeline_html(journeys: list[dict[str, Any]]) -> str:
    """The journeys over time: one row per journey (its whole name), a dot per activity, and month
    ticks that carry their year."""
    dated = [item["when"] for journey in journeys for item in journey["items"]]
    if not dated:
        return '<div class="timeline-empty">The timeline shows your journeys once they have activities.</div>'
    first, last = min(dated).date(), max(dated).date()
    start, end = date(first.year, first.month, 1), _month_after(last)
    span = (end - start).days

    def left(day: date | datetime) -> str:
        day = day.date() if isinstance(day, datetime) else day
        return f"{100 * (day - start).days / span:.2f}%"

    rows = []
    for journey in journeys:
        dots = "".join(
            f'<span class="tl-dot" style="left:{left(item["when"])}" '
            f'title="{attribute(item["when"].date().isoformat())} · {attribute(item["title"])}"></span>'
            for item in journey["items"])
        rows.append(
            f'<div class="tl-row status-{attribute(journey["status"])}"><div class="tl-name">{journey["number"]}. '
            f'{text(journey["name"])}</div><div class="tl-track">{dots}</div></div>')
    ticks = "".join(f'<span class="tl-tick" style="left:{left(tick)}">{calendar.month_abbr[tick.month]} {tick.year}'
                    "</span>" for tick in _ticks(start, end))
    return ('<div class="tl-title">Your journeys over time</div>' + "".join(rows)
            + f'<div class="tl-row tl-axis"><div class="tl-name"></div><div class="tl-track">{ticks}</div></div>')


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _ticks(start: date, end: date, most: int = 4) -> list[date]:
    """Month starts from start to before end, every 1, 2, 3, 6, 12 or more months, at most `most` of them."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= most), 12 * (months // (12 * most) + 1))
    ticks, tick = [], start
    while tick < end:
        ticks.append(tick)
        total = tick.year * 12 + tick.month - 1 + step
        tick = date(total // 12, total % 12 + 1, 1)
    return ticks


_ENTITY = re.compile(r"&(?=#?\w+;)")
# The one emphasis of the reply templates that wraps no name (the help's "*journeys*").
TEMPLATE_EMPHASIS = {"*journeys*": "journeys"}


def chat_message(message: str, names: Collection[str] | None = None) -> str:
    """A chat message as the page shows it: plain text (the chat renders no Markdown), with HTML's marks
    escaped so that nothing in it is read as markup. For a reply, names are the names and titles it was
    made from: the emphasis marks around them ("**Ukulele & chords**") are dropped, and everything else,
    their own characters included, is shown as it is."""
    if names is not None:
        wrapped = sorted((n for n in names if n), key=len, reverse=True)
        if wrapped:
            message = re.sub(r"\*\*(" + "|".join(map(re.escape, wrapped)) + r")\*\*", r"\1", message)
        for marked, plain in TEMPLATE_EMPHASIS.items():
            message = message.replace(marked, plain)
    return _ENTITY.sub("&amp;", message).replace("<", "&lt;").replace(">", "&gt;")


def about_html(name: str, summary: str, has_history: bool) -> str:
    """Who the page is about, and whether their history is still to be imported."""
    about = f"<strong>{text(name)}</strong>" + (f": {text(summary)}" if summary else "")
    return about if has_history else about + " (no history yet: import a file below)"


def status_html(message: str, ok: bool) -> str:
    """An import's outcome in one line."""
    return f'<div class="status-{"ok" if ok else "error"}">{"✅" if ok else "⚠️"} {text(message)}</div>'


# Browser code for a card ------------------------------------------------------------------------
# A journey id is written into the code only when it is a plain id.
JOURNEY_ID = re.compile(r"^[\w.:-]+$")


def rename_input_html(journey_id: str, name: str) -> str:
    """A card's rename box, drawn for one journey under its current name (so it is new, and empty, after a
    rename or on another journey's card)."""
    return (f'<input type="text" class="rename-input" id="rename-input-{escape(journey_id)}" '
            f'data-name="{escape(name)}" placeholder="New name" aria-label="New name for {escape(name)}" '
            'maxlength="200" autocomplete="off">')


def read_rename_input(journey_id: str) -> str:
    """Browser code that passes the text of a card's rename box as the first input of the Rename click."""
    if not JOURNEY_ID.match(journey_id):
        return "(_, ...rest) => ['', ...rest]"
    return ("(_, ...rest) => [document.getElementById('rename-input-%s')?.value ?? '', ...rest]" % journey_id)


def clear_rename_input(journey_id: str) -> str:
    """Browser code that empties a card's rename box once its rename went through."""
    if not JOURNEY_ID.match(journey_id):
        return "() => {}"
    return ("() => { const box = document.getElementById('rename-input-%s'); if (box) { box.value = ''; } }"
            % journey_id)


def rename_on_enter(journey_id: str) -> str:
    """Browser code that makes Enter in a card's rename box press its Rename button."""
    if not JOURNEY_ID.match(journey_id):
        return ""
    return ("element.addEventListener('keydown', (event) => { if (event.key === 'Enter' && "
            "event.target.matches('input')) { event.preventDefault(); "
            "document.querySelector('#rename-%s')?.click(); } });" % journey_id)


def scroll_to_evidence(journey_id: str) -> str:
    """Browser code run after a card's Evidence click: scroll the evidence into view once the card is redrawn
    with it (journey_id is checked to be a plain id before it is written into the code)."""
    if not JOURNEY_ID.match(journey_id):
        return "() => {}"
    return """() => {
  const started = Date.now();
  const look = () => {
    const found = document.querySelector('.evidence[data-journey="%s"]');
    if (found) { found.scrollIntoView({block: "nearest"}); }
    else if (Date.now() - started < 8000) { setTimeout(look, 100); }
  };
  setTimeout(look, 50);
}""" % journey_id
