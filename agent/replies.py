"""Offline replies: the facts from tool results rendered through the templates in prompts/replies.yaml,
and the facts that replies add of their own (a search's period in words, help examples from the user's journeys)."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from jinja2 import Environment, StrictUndefined

import prompts
from journeys.state.journey import Journey
from journeys.state.references import resolve_journey

_environment = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


def render_reply(template: str, facts: dict[str, Any] | None = None) -> str:
    """The reply for a template name (see replies.yaml), filled with the given facts."""
    templates = prompts.load_yaml("replies.yaml")
    return _environment.from_string(templates[template]).render(**(facts or {})).strip()


def reply_template(tool_name: str, facts: dict[str, Any]) -> str:
    """The template that fits a tool's result: the tool's own, its error variant, or a shared one."""
    error = facts.get("error")
    if not error:
        return tool_name
    templates = prompts.load_yaml("replies.yaml")
    for name in (f"{tool_name}_{error}", f"journey_{error}"):
        if name in templates:
            return name
    return "edit_error"


# Below this similarity to a search's words, an item found is not a match, only the least far
# (measured on the demo personas: items about the topic score 0.37-0.7, unrelated ones under 0.27).
SEARCH_MATCH = 0.3
# How many items from other times a search limited to a time that found nothing shows instead.
ELSEWHERE = 3


def period_label(since: date | None, until: date | None) -> str:
    """A period as the reply says it: "in February 2026", "in spring 2026 (March to May)", "since 1 April 2026"."""
    if since is None and until is None:
        return ""
    if until is None:
        return f"since {_day(since)}"
    if since is None:
        return f"up to {_day(until)}"
    if since == until:
        return f"on {_day(since)}"
    whole_months = since.day == 1 and until.day == calendar.monthrange(until.year, until.month)[1]
    if whole_months and (since.month, until.month) == (1, 12) and since.year == until.year:
        return f"in {since.year}"
    if whole_months and (since.year, since.month) == (until.year, until.month):
        return f"in {_month(since)} {since.year}"
    if whole_months and (until - since).days < 95 and since.month in SEASON_NAMES \
            and until.month == (since.month + 1) % 12 + 1:
        season = SEASON_NAMES[since.month]
        year = f"{since.year}–{str(until.year)[2:]}" if since.year != until.year else str(since.year)
        return f"in {season} {year} ({_month(since)} to {_month(until)})"
    if whole_months:
        first = _month(since) if since.year == until.year else f"{_month(since)} {since.year}"
        return f"between {first} and {_month(until)} {until.year}"
    first = f"{since.day} {_month(since)}" if since.year == until.year else _day(since)
    return f"between {first} and {_day(until)}"


SEASON_NAMES = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}


def _month(day: date) -> str:
    return calendar.month_name[day.month]


def _day(day: date) -> str:
    return f"{day.day} {_month(day)} {day.year}"


def search_facts(facts: dict[str, Any], args: dict[str, Any], span: Callable[[], tuple[date, date] | None],
                 elsewhere: Callable[[str], list[dict[str, Any]]]) -> dict[str, Any]:
    """What a search reply shows: only the items that match its words, the period asked for in words, and,
    when nothing matched in that period, the history's own span (span) and the closest items at any other
    time (elsewhere, given the query)."""
    if facts.get("error"):
        return facts
    since, until = (_date(args.get(key)) for key in ("since", "until"))
    query = facts.get("query") or ""
    items = facts.get("items") or []
    if query:
        items = [item for item in items if item.get("score", 1.0) >= SEARCH_MATCH]
    else:
        items = sorted(items, key=lambda item: item["when"])  # a time alone: in the order they happened
    shown = {**facts, "items": items, "period": period_label(since, until), "span": None, "elsewhere": [],
             **_placement(items), "answer": _membership_answer(items, facts.get("asked_journey"))}
    if not items and shown["period"]:
        first_last = span()
        if first_last:
            shown["span"] = {"first": _day(first_last[0]), "last": _day(first_last[1])}
        if query:
            outside = [item for item in elsewhere(query) if item.get("score", 0.0) >= SEARCH_MATCH]
            shown["elsewhere"] = outside[:ELSEWHERE]
    return shown


def _membership_answer(items: list[dict[str, Any]], asked: dict[str, Any] | None) -> dict[str, Any] | None:
    """Whether the best match of a search is in the journey asked about ("is X in my uke journey?"): yes, or no
    and where it is instead; None when no journey was asked about or nothing matched."""
    if not asked or not items or "journey" not in items[0]:
        return None
    held = items[0]["journey"]
    return {"holds": bool(held) and held.get("number") == asked.get("number"), "title": items[0]["title"],
            "asked": asked["name"], "other": held["name"] if held else None}


def _placement(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Which journeys hold the items found (name and how many), and how many are in none."""
    placed = [item for item in items if "journey" in item]
    held = Counter(item["journey"]["name"] for item in placed if item["journey"])
    return {"held_by": [{"name": name, "count": count} for name, count in held.most_common()],
            "in_none": sum(1 for item in placed if not item["journey"])}


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


# Words of a journey name that say how, not what ("Learning the ukulele": ukulele).
GENERIC_NAME_WORDS = frozenset("""
learning learn training building making getting started beginner beginners basics first home tips guide
projects project journey interest hobby and the for with your from into about unnamed
""".split())


def topic_word(journey: Journey, journeys: list[Journey]) -> str:
    """A word that names this journey among the user's own ("ukulele" for "Ukulele & chords"), or its number."""
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", journey.name) if len(w) > 3 and w.lower() not in GENERIC_NAME_WORDS]
    terms = [t for t in journey.salient_terms if " " not in t and len(t) > 3]
    for word in sorted(words, key=len, reverse=True) + terms:
        if resolve_journey(journeys, word, strict=True).journey is journey:
            return word.lower() if not word.isupper() else word
    return ""


def help_facts(journeys: list[Journey]) -> dict[str, Any]:
    """Examples for the help text taken from the user's own journeys, so that every one of them would work:
    a, b and c are three of them (the same one again when there are fewer), each by a topic word or number."""
    refs = []
    for number, journey in enumerate(journeys, start=1):
        word = topic_word(journey, journeys)
        seen = journey.last_seen or journey.first_seen
        refs.append({"number": number, "word": word, "name": word or f"of number {number}",
                     "one": f"the {word} one" if word else f"number {number}",
                     "month": _month(seen) if seen else ""})
    if not refs:
        return {"count": 0}
    return {"count": len(refs), "a": refs[0], "b": refs[1 % len(refs)], "c": refs[2 % len(refs)]}


# What a request would have done to a journey, as the reply about a rejected journey says it.
VERBS = {"confirm_journey": "confirm", "reject_journey": "reject", "pause_journey": "pause",
         "rename_journey": "rename", "name_journey": "rename", "explain_journey": "show the evidence for",
         "merge_journeys": "merge", "split_journey": "split", "steer_journey": "steer"}


def rejected_facts(tool_name: str, journey: Journey, last_change_rejected_it: bool,
                   guessed_from: str | None = None) -> dict[str, Any]:
    """The facts of the reply to a request about a journey the user rejected: what it was, how to bring it back,
    and the user's words when the journey is only the likeliest one they meant (guessed_from)."""
    return {"journey": {"name": journey.name}, "verb": VERBS.get(tool_name, "change"),
            "undo": last_change_rejected_it, "word": topic_word(journey, [journey]) or journey.name.lower(),
            "guessed_from": guessed_from}


def change_facts(intent: str, calls: list[dict[str, Any]], journeys: list[Journey]) -> dict[str, Any]:
    """The facts of "Do you want me to …?" about a change not yet made: what it does, to which journeys (by
    name and number when the reference names one, else in the user's words), and with what name or direction."""
    numbers = {j.id: (n, j) for n, j in enumerate(journeys, start=1)}

    def target(reference: Any) -> dict[str, Any]:
        found = numbers.get(reference)
        if found is None:
            journey = resolve_journey(journeys, str(reference), strict=True).journey
            found = numbers[journey.id] if journey is not None else None
        if found is not None:
            return {"name": found[1].name, "number": found[0], "words": None}
        return {"name": None, "number": None, "words": str(reference)}

    targets: list[dict[str, Any]] = []
    for args in calls:
        for reference in ([args["journey"]] if "journey" in args else list(args.get("journeys") or [])):
            targets.append(target(reference))
    first = calls[0] if calls else {}
    verb = {"name_journey": "find a new name for", "add_journey": "add", "split_journey": "split",
            "steer_journey": f"show you {first.get('direction', 'more')} of"}.get(intent, VERBS.get(intent, intent))
    return {"intent": intent, "verb": verb, "targets": targets, "new_name": first.get("new_name"),
            "name": first.get("name"), "parts": first.get("parts") or []}
