"""Activities: one thing a user watched, read, listened to, searched or saved, and the rules a row must keep.

The accepted shape is the history format (docs/spec/history-format.md). Every rule a row can
break produces a reason that names the field and the fix. Files of rows are read by
journeys/history/files.py.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MAX_TITLE_CHARS = 2000
# Limits of the other fields, so that one row cannot bloat the store or every reply that shows it.
MAX_ID_CHARS = 1000
MAX_KIND_CHARS = 100
MAX_DESCRIPTION_CHARS = 20_000
MAX_TAGS = 100
MAX_TAG_CHARS = 200
# A JSON Lines row longer than this is refused without being parsed.
MAX_LINE_BYTES = 1_000_000
# A number written with more digits than this is no timestamp or engagement (and Python refuses
# to read integers past 4,300 digits anyway).
MAX_NUMBER_DIGITS = 100
REQUIRED_FIELDS = ("user_id", "item_id", "title", "timestamp")
KNOWN_FIELDS = REQUIRED_FIELDS + ("description", "tags", "kind", "engagement", "url")
DEFAULT_KIND = "view"
FORMATS = ("jsonl", "csv", "movielens", "lastfm")
# The latest moment a datetime can hold, in Unix seconds (9999-12-31T23:59:59Z).
MAX_SECONDS = 253402300799
MIN_SECONDS = -62135596800


class InvalidActivity(ValueError):
    """A record breaks a rule of the history format; the message says which and how to fix it."""


class HistoryFileError(ValueError):
    """A history file cannot be imported; the message names the file, the line and the reason."""

    def __init__(self, path: Path | str, line: int | None, reason: str, hint: str = ""):
        self.path, self.line, self.reason = Path(path), line, reason
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}{hint}")


@dataclass(frozen=True)
class Activity:
    """One activity of one user, validated and normalised (timestamp in UTC)."""

    user_id: str
    item_id: str
    title: str
    timestamp: datetime
    description: str = ""
    tags: tuple[str, ...] = ()
    kind: str = DEFAULT_KIND
    engagement: float | None = None
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def activity_id(self) -> str:
        """Stable id of this activity: the same (user_id, item_id, timestamp) always gives the same id."""
        key = "\x1f".join((self.user_id, self.item_id, self.timestamp.isoformat()))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]

    @property
    def text(self) -> str:
        """The text that describes the item for embedding and term weighting: title, then tags."""
        if self.tags:
            return f"{self.title} ({', '.join(self.tags)})"
        return self.title

    def to_record(self) -> dict[str, Any]:
        """The activity as a history-format record (JSON-serialisable, extra fields kept)."""
        record: dict[str, Any] = {
            "user_id": self.user_id,
            "item_id": self.item_id,
            "title": self.title,
            "timestamp": self.timestamp.isoformat().replace("+00:00", "Z"),
            "kind": self.kind,
        }
        if self.description:
            record["description"] = self.description
        if self.tags:
            record["tags"] = list(self.tags)
        if self.engagement is not None:
            record["engagement"] = self.engagement
        if self.url:
            record["url"] = self.url
        record.update(self.extra)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, tags_separator: str | None = None,
                    limits: bool = True) -> "Activity":
        """Validate a history-format record; raises InvalidActivity naming the field at fault.

        limits=False skips the size and character limits (for records already in a store, which an
        older version may have accepted).
        """
        if isinstance(record, list):
            raise InvalidActivity("holds a JSON array, not one activity object; write one object per line "
                                  "(JSON Lines)")
        if not isinstance(record, Mapping):
            raise InvalidActivity(f"holds {_kind(record)}, not an object with the fields {', '.join(REQUIRED_FIELDS)}; "
                                  "write one activity object per line")
        for name in REQUIRED_FIELDS:
            if record.get(name) in (None, ""):
                raise InvalidActivity(f"required field '{name}' is missing or empty")
        problem = unstorable(record)
        if problem:
            raise InvalidActivity(problem)
        user_id = _identifier(record, "user_id", limits)
        item_id = _identifier(record, "item_id", limits)
        title = _string(record, "title")
        if not title.strip():
            raise InvalidActivity("'title' is blank")
        if limits:
            _check_length("title", title, MAX_TITLE_CHARS)
            _check_text("title", title)
        description = _optional_string(record, "description") or ""
        kind = (_optional_string(record, "kind") or "").strip() or DEFAULT_KIND
        if limits:
            _check_length("description", description, MAX_DESCRIPTION_CHARS)
            _check_text("description", description)
            _check_length("kind", kind, MAX_KIND_CHARS)
            _check_text("kind", kind, one_line=True)
        return cls(
            user_id=user_id,
            item_id=item_id,
            title=title,
            timestamp=parse_timestamp(record["timestamp"]),
            description=description,
            tags=_tags(record.get("tags"), tags_separator, limits),
            kind=kind,
            engagement=_engagement(record.get("engagement")),
            url=_optional_string(record, "url"),
            extra={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
        )


class HugeNumber(str):
    """A number written with more than MAX_NUMBER_DIGITS digits: kept as its text, never as a value."""


def _json_number(text: str) -> Any:
    if len(text) > MAX_NUMBER_DIGITS:
        return HugeNumber(text)
    return int(text)


def _json_float(text: str) -> Any:
    if len(text) > MAX_NUMBER_DIGITS:
        return HugeNumber(text)
    return float(text)


class RepeatedField(ValueError):
    pass


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) < len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise RepeatedField(repeated)
    return record


def parse_json_record(text: str) -> Any:
    """One JSON value with the history format's guards: a field named twice and numbers of more than
    MAX_NUMBER_DIGITS digits are caught here (Python would keep the last value, or refuse to read it)."""
    return json.loads(text, object_pairs_hook=_object_without_repeats, parse_int=_json_number,
                      parse_float=_json_float)


def unstorable(record: Mapping[str, Any]) -> str | None:
    """Why a record cannot be stored as text, or None: a lone UTF-16 surrogate (such as \\ud800, which
    JSON can spell but no text holds), a NUL character, or a number too long to be a value."""
    def problem(value: Any) -> str | None:
        if isinstance(value, HugeNumber):
            return f"is a number with {len(value.lstrip('+-'))} digits, far too long to be a value"
        if isinstance(value, str):
            if any("\ud800" <= ch <= "\udfff" for ch in value):
                return "holds a lone UTF-16 surrogate (such as \\ud800), which is not text; fix or remove that character"
            if "\x00" in value:
                return "holds a NUL character (\\u0000), which is not text; remove it"
            return None
        if isinstance(value, Mapping):
            for key, item in value.items():
                found = problem(key) or problem(item)
                if found:
                    return found
            return None
        if isinstance(value, (list, tuple)):
            for item in value:
                found = problem(item)
                if found:
                    return found
        return None

    for name, value in record.items():
        found = problem(name)
        if found:
            return f"a field name {found}"
        found = problem(value)
        if found:
            return f"'{shown_name(name)}' {found}"
    return None


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 string (no zone means UTC) or Unix seconds, as an aware UTC datetime."""
    if isinstance(value, bool):
        raise InvalidActivity(f"'timestamp' is {_kind(value)}; expected ISO 8601 text or Unix seconds")
    if isinstance(value, HugeNumber):
        raise InvalidActivity(f"'timestamp' is a number with {len(value)} digits, far outside the dates Unix "
                              "seconds can give; write it as ISO 8601 (like 2026-02-03T19:12:00Z) or Unix seconds")
    if isinstance(value, (int, float)):
        seconds = _seconds(value, value)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?", text):
            seconds = _seconds(int(text) if text.lstrip("+-").isdigit() and len(text) <= MAX_NUMBER_DIGITS
                               else _as_float(text, value), value)
        else:
            return _iso_timestamp(text, value)
    else:
        raise InvalidActivity(f"'timestamp' is {_kind(value)}; expected ISO 8601 text or Unix seconds")
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InvalidActivity(_out_of_range(value, seconds)) from None


def _as_float(text: str, value: Any) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise InvalidActivity(f"'timestamp' is a number with {len(text)} digits, far outside the dates Unix seconds "
                              "can give; write it as ISO 8601 (like 2026-02-03T19:12:00Z) or Unix seconds")
    return float(text)


def _seconds(number: int | float, value: Any) -> float:
    """Unix seconds as a float, refusing what is not finite, out of range or reads as a date."""
    if isinstance(number, float) and not math.isfinite(number):
        raise InvalidActivity(f"'timestamp' value {_shown(value)} is not a finite number of seconds")
    if not MIN_SECONDS <= number <= MAX_SECONDS:
        raise InvalidActivity(_out_of_range(value, number))
    if isinstance(number, int) or float(number).is_integer():
        digits = str(int(number))
        # 2026 or 20260203 could be a year or a date (ISO 8601's basic form) as well as seconds after 1970.
        if len(digits) == 4 and 1900 <= int(digits) <= 2199:
            raise InvalidActivity(f"'timestamp' value {_shown(value)} could be the year {digits} or {digits} seconds "
                                  "after 1970; write the date in full (like 2026-02-03T19:12:00Z) or give Unix seconds")
        if len(digits) == 8 and _is_date(digits):
            raise InvalidActivity(
                f"'timestamp' value {_shown(value)} could be the date {digits[:4]}-{digits[4:6]}-{digits[6:]} or "
                f"Unix seconds in 1970; write the date as {digits[:4]}-{digits[4:6]}-{digits[6:]} or give Unix seconds")
    return float(number)


def _is_date(digits: str) -> bool:
    try:
        return 1900 <= datetime.strptime(digits, "%Y%m%d").year <= 2199
    except ValueError:
        return False


def _out_of_range(value: Any, seconds: float) -> str:
    hint = ""
    if 1e12 <= abs(seconds) <= 1e13:
        hint = " (it looks like milliseconds: divide by 1000)"
    return (f"'timestamp' value {_shown(value)} is out of range for Unix seconds, which reach from year 1 "
            f"to 9999{hint}")


def _iso_timestamp(text: str, value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidActivity(
            f"'timestamp' value {_shown(value)} is not ISO 8601 (like 2026-02-03T19:12:00Z) or Unix seconds"
        ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before year 1 in UTC, 9999-12-31T23:59-05:00 after 9999
        raise InvalidActivity(f"'timestamp' value {_shown(value)} falls outside the years 1 to 9999 once its "
                              "offset is turned into UTC") from None


def _shown(value: Any, limit: int = 40) -> str:
    """A value for a message: its repr, cut short so that a huge value does not flood the sentence."""
    try:
        text = repr(value) if not isinstance(value, HugeNumber) else str(value)
    except ValueError:  # an integer too long for Python to print
        return f"(a number of about {int(value.bit_length() * 0.30103)} digits)"
    return text if len(text) <= limit else f"{text[:limit - 10]}…{text[-6:]} ({len(text)} characters)"


def shown_name(name: Any) -> str:
    return str(name) if len(str(name)) <= 40 else f"{str(name)[:30]}…"


def _string(record: Mapping[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str) or isinstance(value, HugeNumber):
        raise InvalidActivity(f"'{name}' must be a string, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    """What a JSON value is, for a message ("a list", "the number 42", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, (int, float, HugeNumber)):
        return f"the number {_shown(value)}"
    if isinstance(value, str):
        return f"the text {_shown(value)}"
    return "a list" if isinstance(value, (list, tuple)) else "an object"


def _identifier(record: Mapping[str, Any], name: str, limits: bool) -> str:
    value = _string(record, name).strip()
    if not value:
        raise InvalidActivity(f"'{name}' is blank")
    if limits:
        _check_length(name, value, MAX_ID_CHARS)
        _check_text(name, value, one_line=True)
    return value


def _check_length(name: str, value: str, limit: int, what: str = "") -> None:
    if len(value) > limit:
        raise InvalidActivity(f"{what or repr(name)} has {len(value)} characters, more than the limit of {limit}")


# Control characters: C0 (but tab, newline and carriage return, which text may hold), DEL and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029\x85]")


def _check_text(name: str, value: str, one_line: bool = False) -> None:
    found = _CONTROL.search(value) or (_LINE_BREAK.search(value) if one_line else None)
    if found:
        what = "a line break or tab" if _LINE_BREAK.match(found.group()) else "a control character"
        raise InvalidActivity(f"'{name}' holds {what} (U+{ord(found.group()):04X}) at position {found.start() + 1}, "
                              "which it may not; remove it")


def _optional_string(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or isinstance(value, HugeNumber):
        raise InvalidActivity(f"'{name}' must be a string, got {_kind(value)}")
    return value


def _tags(value: Any, separator: str | None, limits: bool) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str) and separator is not None:
        value = value.split(separator)
    if not isinstance(value, list) or not all(isinstance(tag, str) and not isinstance(tag, HugeNumber)
                                              for tag in value):
        raise InvalidActivity("'tags' must be a list of strings (in CSV: one string with values separated by '|')")
    tags = tuple(tag.strip() for tag in value if tag.strip())
    if limits:
        if len(tags) > MAX_TAGS:
            raise InvalidActivity(f"'tags' has {len(tags)} values, more than the limit of {MAX_TAGS}")
        for tag in tags:
            _check_length("tags", tag, MAX_TAG_CHARS, what="a tag in 'tags'")
            _check_text("tags", tag, one_line=True)
    return tags


def _engagement(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, HugeNumber):
        raise InvalidActivity(f"'engagement' value {_shown(value)} is not a number in [0, 1]")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidActivity(f"'engagement' value {_shown(value)} is not a number in [0, 1]") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InvalidActivity(f"'engagement' value {_shown(value)} is not a number in [0, 1]")
    return float(value)


@dataclass(frozen=True)
class Row:
    """One data row of a history file: its line number and either an activity or why it is invalid."""

    line: int
    activity: Activity | None = None
    error: str | None = None
    # The file the line is in, when it is not the path that was read (data set adapters).
    source: Path | None = None
