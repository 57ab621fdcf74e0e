"""Periods: when something happened, in the user's words ("in February", "last spring", "between March and May").

Read by code, not learned: a date is arithmetic once the words for it are found.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

# Periods: when something happened, in the user's words ("in February", "last spring", "between March and May").
#
# Phrases without a year ("in February", "last week") are read relative to a reference day: the
# day of the user's latest activity (see IntentParser.parse), so that the same history always
# gives the same answer and "last week" means the last week the history covers. A month or
# season without a year is its latest occurrence that began on or before that day; with "last"
# it is the latest one that had ended before it. Seasons are the northern meteorological ones
# (spring is March to May); a winter belongs to the year of its January.

MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
          "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
          "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # the month each begins
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
AMOUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "a couple": 2, "a couple of": 2,
           "couple of": 2, "few": 3, "a few": 3}
# Words that are a month or season only in a date-like context ("in may", "may 2026"), not on their own ("you may").
AMBIGUOUS = frozenset({"may", "march", "mar", "jan", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "fall", "sept"})

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_SEASON = r"(?:spring|summer|autumn|fall|winter)(?:time)?"
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")"
_YEAR = r"(?:19[7-9]\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_AMOUNT = r"(?:\d{1,2}|a couple of|a couple|couple of|a few|few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?:day|week|month|year)s?"
_PART = r"(?:early|mid|late|the (?:start|beginning|middle|end) of|(?:at )?the (?:start|beginning|end) of)"
# One named stretch of time, without a lead-in word.
_POINT = (
    r"(?:\d{4}-\d\d-\d\d"
    rf"|(?:the )?{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR})?"
    rf"|{_MONTH} {_DAY}(?:,? {_YEAR})?(?!\d)"
    rf"|{_PART}[ -]?{_MONTH}(?:,? {_YEAR})?"
    rf"|(?:the )?(?:first|second|third|fourth|last) week (?:of|in) {_MONTH}(?:,? {_YEAR})?"
    rf"|(?:(?:last|this|past|previous) )?{_MONTH}(?:,? (?:of )?{_YEAR})?"
    rf"|(?:(?:the|last|this|past|previous) )?{_SEASON}(?: (?:of )?{_YEAR})?"
    rf"|(?:last|this|previous|the) {_WEEKDAY}|{_WEEKDAY}"
    rf"|{_YEAR}"
    r"|(?:the day before )?yesterday|today"
    rf"|{_AMOUNT} {_UNIT} ago|(?:the )?(?:week|month|year) before last"
    rf"|(?:the )?(?:last|past|previous) {_AMOUNT}? ?{_UNIT}"
    r"|(?:last|this|previous|past) (?:week(?:end)?|month|year)|earlier this (?:week|month|year))"
)
_LEAD = (r"(?:between|from|since|after|before|until|till|til|up until|prior to|back in|in|during|on|over|"
         r"around|at|within|throughout|through|about)")
_SEP = r"(?:and|to|till|until|through|thru|-|–)"
PERIOD = re.compile(
    rf"(?<![\w-])(?:(?P<lead>{_LEAD})\s+)?(?P<first>{_POINT})(?:\s*(?P<sep>{_SEP})\s*(?P<second>{_POINT}))?(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """Days the user named, first and last included; either end may be open ("since April")."""

    start: date | None
    end: date | None
    where: tuple[int, int] = (0, 0)  # the phrase's place in the message

    def args(self) -> dict[str, str]:
        """The period as search_history's since and until arguments."""
        args = {}
        if self.start is not None:
            args["since"] = self.start.isoformat()
        if self.end is not None:
            args["until"] = self.end.isoformat()
        return args


Today = Callable[[], date]


def read_period(text: str, today: Today | None = None) -> Period | None:
    """The stretch of time a message names, if any: "in February", "last spring", "between March and May",
    "anything from 2019", "last week", "since April", "3 weeks ago"; today gives the reference day."""
    reference = _Reference(today or date.today)
    for match in PERIOD.finditer(text):
        lead = (match.group("lead") or "").lower()
        first, second = match.group("first"), match.group("second")
        where = match.span()
        if second and match.group("sep").lower() == "and" and lead != "between":
            second, where = None, (match.start(), match.end("first"))  # "in April and the crochet one"
        if not second and _needs_context(first, lead) and not _alone(text, match):
            continue  # "you may like it"; but a range ("March to May") or the time alone ("and May?") is a date
        try:
            if second:
                return Period(*_range(first, second, reference), where)
            start, end = _point(first, reference, None)
        except ValueError:
            continue  # "February 30"
        if lead in ("since", "after"):
            return Period(start if lead == "since" else end + timedelta(days=1), None, where)
        if lead in ("before", "prior to"):
            return Period(None, start - timedelta(days=1), where)
        if lead in ("until", "till", "til", "up until"):
            return Period(None, end, where)
        return Period(start, end, where)
    return None


def _range(first: str, second: str, reference: "_Reference") -> tuple[date, date]:
    """From the start of the first stretch to the end of the second: "between November and February" is
    the latest November, then the February after it."""
    begin = _point(first, reference, None)
    if _year_of(second) is None:
        for year in (begin[0].year, begin[0].year + 1):
            try:
                last = _point(f"{second} {year}", reference, None)
            except ValueError:
                break  # not a month or season: "from April to last week"
            if last[1] >= begin[0]:
                return begin[0], last[1]
    last = _point(second, reference, None)
    return begin[0], last[1]


def _year_of(text: str) -> int | None:
    year = re.search(rf"\b({_YEAR})\b", text)
    return int(year.group(1)) if year else None


def _alone(text: str, match: re.Match[str]) -> bool:
    """Whether a message says nothing but a time, around a few connecting words ("and May?", "or March then")."""
    rest = re.findall(r"[^\W\d_][\w']*", (text[:match.start()] + " " + text[match.end():]).lower())
    return set(rest) <= {"and", "or", "then", "maybe", "try", "instead", "ok", "okay", "so", "now", "what", "how", "same"}


def without_period(text: str, period: Period | None) -> str:
    """The message with the words of its period left out."""
    if period is None:
        return text
    return re.sub(r"\s+", " ", text[:period.where[0]] + " " + text[period.where[1]:]).strip()


def _needs_context(point: str, lead: str) -> bool:
    """A bare "may", "march" or "fall" is a date only after a lead-in such as "in" or "since", and so is a
    bare year ("the 2019 world cup" is a title, "anything from 2019" a date)."""
    bare = point.lower().rstrip(".")
    if re.fullmatch(_YEAR, bare):
        return lead in ("", "about")  # "a video about 2019" is about a year, "what about May?" asks about May
    return not lead and bare in AMBIGUOUS


class _Reference:
    """The reference day, asked for only when a phrase needs it."""

    def __init__(self, today: Today):
        self._today, self._day = today, None

    @property
    def day(self) -> date:
        if self._day is None:
            self._day = self._today()
        return self._day


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _season_span(year: int, first_month: int) -> tuple[date, date]:
    """A season by the year of its first month (winter: the year of its December)."""
    start = date(year, first_month, 1)
    end_year, end_month = (year + 1, 2) if first_month == 12 else (year, first_month + 2)
    return start, _month_span(end_year, end_month)[1]


def _latest(spans: Callable[[int], tuple[date, date]], day: date, ended: bool, before: date | None) -> tuple[date, date]:
    """The latest yearly occurrence that began on or before the day (ended: that ended before it)."""
    limit = before or day
    for year in range(limit.year + 1, limit.year - 3, -1):
        start, end = spans(year)
        if (end < limit if ended else start <= limit):
            return start, end
    raise ValueError("no occurrence")


def _point(text: str, reference: _Reference, before: date | None) -> tuple[date, date]:
    """The first and last day of one named stretch of time; before: the range it starts ends there."""
    words = re.sub(r"\s+", " ", text.lower().replace("–", "-")).strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", words):
        day = date.fromisoformat(words)
        return day, day
    year = re.search(rf"\b({_YEAR})\b", words)
    explicit = int(year.group(1)) if year else None
    ended = words.startswith(("last ", "previous ", "past "))
    month = re.search(rf"\b({_MONTH})(?![a-z])", words)
    day_number = re.search(r"\b([12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?! ?(?:day|week|month|year))", words)
    if month and not re.search(r"\bago\b", words):
        number = MONTHS[month.group(1).rstrip(".")]
        if explicit:
            start, end = _month_span(explicit, number)
        elif words.startswith("this "):
            start, end = _month_span(reference.day.year, number)
        else:
            start, end = _latest(lambda y: _month_span(y, number), reference.day, ended, before)
        if day_number:
            day = date(start.year, number, int(day_number.group(1)))
            return day, day
        week = re.search(r"\b(first|second|third|fourth|last) week\b", words)
        if week:
            if week.group(1) == "last":
                return end - timedelta(days=6), end
            first = {"first": 1, "second": 8, "third": 15, "fourth": 22}[week.group(1)]
            return start.replace(day=first), start.replace(day=first + 6)
        part = re.search(r"\b(early|start|beginning|mid|middle|late|end)\b", words)
        if part:
            first, last = {"early": (1, 10), "start": (1, 10), "beginning": (1, 10), "mid": (11, 20),
                           "middle": (11, 20)}.get(part.group(1), (21, end.day))
            return start.replace(day=first), start.replace(day=last)
        return start, end
    season = re.search(r"\b(spring|summer|autumn|fall|winter)", words)
    if season:
        first_month = SEASONS[season.group(1)]
        if explicit:
            return _season_span(explicit - 1 if first_month == 12 else explicit, first_month)
        if words.startswith("this "):
            year = reference.day.year - (1 if first_month == 12 and reference.day.month < 12 else 0)
            return _season_span(year, first_month)
        return _latest(lambda y: _season_span(y, first_month), reference.day, ended, before)
    if explicit and re.fullmatch(_YEAR, words):
        return date(explicit, 1, 1), date(explicit, 12, 31)
    today = reference.day
    weekday = re.search(rf"\b({_WEEKDAY})\b", words)
    if weekday:
        back = (today.weekday() - WEEKDAYS[weekday.group(1)]) % 7
        if back == 0 and words.startswith(("last", "previous")):
            back = 7
        day = today - timedelta(days=back)
        return day, day
    if words == "today":
        return today, today
    if words.endswith("yesterday"):
        day = today - timedelta(days=2 if words.startswith("the day before") else 1)
        return day, day
    ago = re.fullmatch(rf"({_AMOUNT}) ({_UNIT}) ago", words)
    before_last = re.fullmatch(r"(?:the )?(week|month|year) before last", words)
    if ago or before_last:
        count = 2 if before_last else (int(ago.group(1)) if ago.group(1).isdigit() else AMOUNTS[ago.group(1)])
        unit = (before_last or ago).group(1 if before_last else 2).rstrip("s")
        if ago and re.search(r"few|couple", ago.group(1)):
            # "a few weeks ago" is loose: a unit either side.
            return _calendar_unit(today, unit, -count - 1)[0], _calendar_unit(today, unit, -count + 1)[1]
        return _calendar_unit(today, unit, -count)
    recent = re.fullmatch(rf"(?:the )?(?:last|past|previous) ({_AMOUNT} )?({_UNIT})", words)
    if recent and (recent.group(1) or words.startswith(("the ", "past "))):
        # "the past two weeks", "the last month": the days up to the reference day.
        amount = (recent.group(1) or "1").strip()
        count = int(amount) if amount.isdigit() else AMOUNTS[amount]
        unit = recent.group(2).rstrip("s")
        return today - timedelta(days=count * UNITS[unit] - 1), today
    calendar_unit = re.fullmatch(r"(?:earlier )?(last|this|previous|past) (week(?:end)?|month|year)", words)
    if calendar_unit:
        unit, this = calendar_unit.group(2), calendar_unit.group(1) == "this"
        if unit == "weekend":
            saturday = today - timedelta(days=(today.weekday() - 5) % 7)  # the latest Saturday
            if not this and saturday + timedelta(days=1) >= today:
                saturday -= timedelta(days=7)  # "last weekend" is over
            return saturday, saturday + timedelta(days=1)
        start, end = _calendar_unit(today, unit, 0 if this else -1)
        return (start, min(end, today)) if this else (start, end)
    raise ValueError(f"not a period: {text}")


def _calendar_unit(day: date, unit: str, offset: int) -> tuple[date, date]:
    """The calendar week (Monday to Sunday), month or year offset units from the one holding the day."""
    if unit == "day":
        day = day + timedelta(days=offset)
        return day, day
    if unit == "week":
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        index = day.year * 12 + day.month - 1 + offset
        return _month_span(index // 12, index % 12 + 1)
    return date(day.year + offset, 1, 1), date(day.year + offset, 12, 31)
