"""Activities: one thing a user watched, read, listened to, searched or saved, and how to read them.

The accepted shape is the history format of the project's spec (JSON Lines or CSV).
Every rule a row can break produces a reason that names the field and the fix; a file that
cannot be read at all (a folder, a link that leads nowhere, a compressed or UTF-16 file, a
quote left open) is refused with one sentence too, never a traceback.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
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


class _RepeatedField(ValueError):
    pass


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) < len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _RepeatedField(repeated)
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
            return f"'{_shown_name(name)}' {found}"
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


def _shown_name(name: Any) -> str:
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


def detect_format(path: Path) -> str:
    """The history format of a file from its extension: jsonl (also .json, .ndjson) or csv."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise HistoryFileError(
        path, None, f"cannot tell the format from the extension '{suffix or '(none)'}'",
        "; pass --format jsonl or --format csv",
    )


def read_rows(path: Path | str, fmt: str | None = None) -> Iterator[Row]:
    """Stream the rows of a history file, validating each one; never raises for a bad row.

    A file that cannot be read as a history at all raises HistoryFileError. An activity that
    a later line repeats with different content makes that line invalid (the file does not say
    which one is right); a repeat with the same content is fine (it is stored once).
    """
    path = Path(path)
    if fmt in ("movielens", "lastfm"):
        from journeys.history.adapters import ADAPTERS

        yield from _without_conflicts(ADAPTERS[fmt](path))
        return
    if fmt is not None and fmt not in ("jsonl", "csv"):
        raise HistoryFileError(path, None, f"unknown format '{fmt}'", f"; use one of {', '.join(FORMATS)}")
    check_history_file(path)
    fmt = fmt or detect_format(path)
    _check_encoding(path)
    rows = _jsonl_rows(path) if fmt == "jsonl" else _csv_rows(path)
    try:
        yield from _without_conflicts(rows)
    except OSError as exc:  # a read that fails half-way (a disk error, a file on a vanished share)
        raise HistoryFileError(path, None, f"could not be read to the end ({exc.strerror or exc})",
                               "; copy it to a local disk and try again") from None


def check_history_file(path: Path) -> None:
    """Refuse, in one sentence, a path that is no readable regular file (a folder, a loop, a pipe...)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise HistoryFileError(path, None, "is a symbolic link that loops back on itself",
                                   "; point it at a history file") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                raise HistoryFileError(path, None, f"is a symbolic link to {os.readlink(path)}, which does not exist",
                                       "; point it at a history file") from None
            raise HistoryFileError(path, None, "no such file", "; check the path") from None
        if exc.errno == errno.EACCES:
            raise HistoryFileError(path, None, "cannot be reached (permission denied)",
                                   "; check the permissions of its folders") from None
        raise HistoryFileError(path, None, f"cannot be read ({exc.strerror or exc})", "; check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise HistoryFileError(path, None, "is a folder, not a history file",
                               "; pass the history files in it (such as folder/*.jsonl), or --format movielens "
                               "or lastfm for a data set's folder")
    if not stat.S_ISREG(info.st_mode):
        raise HistoryFileError(path, None, "is not a regular file (a pipe, socket or device), and an import reads "
                               "its file twice", "; save the history to a file and pass that")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        reason = "permission denied" if exc.errno == errno.EACCES else (exc.strerror or str(exc))
        raise HistoryFileError(path, None, f"cannot be read ({reason})", "; check the file's permissions") from None


# How a file that is not UTF-8 text opens.
_SIGNATURES = (
    (b"\xff\xfe", "is UTF-16 text", "; save it as UTF-8"),
    (b"\xfe\xff", "is UTF-16 text", "; save it as UTF-8"),
    (b"\x1f\x8b", "is compressed (gzip), not text", "; decompress it first (gunzip)"),
    (b"PK\x03\x04", "is a zip archive (an Excel workbook?), not text",
     "; export it as CSV (UTF-8) or JSON Lines"),
    (b"BZh", "is compressed (bzip2), not text", "; decompress it first (bunzip2)"),
    (b"\xfd7zXZ", "is compressed (xz), not text", "; decompress it first (unxz)"),
)


def _check_encoding(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            start = handle.read(512)
    except OSError as exc:
        raise HistoryFileError(path, None, f"cannot be read ({exc.strerror or exc})",
                               "; check the file's permissions") from None
    for signature, reason, hint in _SIGNATURES:
        if start.startswith(signature):
            raise HistoryFileError(path, None, reason, hint)
    # UTF-16 without a byte-order mark: every other byte of plain text is NUL.
    even, odd = start[0::2].count(0), start[1::2].count(0)
    if len(start) >= 8 and even > len(start) // 4 and odd > len(start) // 4:
        raise HistoryFileError(path, None, "is binary data (full of NUL bytes), not text",
                               "; pass a JSON Lines or CSV history file")
    if len(start) >= 8 and (even > len(start) // 4 or odd > len(start) // 4):
        raise HistoryFileError(path, None, "is UTF-16 text (every other byte is NUL)", "; save it as UTF-8")


def _physical_lines(handle: Any) -> Iterator[bytes | None]:
    """The lines of a binary file, split at LF, CRLF or a lone CR (old Mac files); None for a line too long to read."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while chunk := handle.readline(1 << 20):  # skip the rest of that line
                if chunk.endswith(b"\n"):
                    break
            yield None
            continue
        if b"\r" in raw.rstrip(b"\r\n"):
            yield from re.split(rb"\r(?!\n|$)", raw)
        else:
            yield raw


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for number, raw in enumerate(_physical_lines(handle), start=1):
            if raw is None:
                yield Row(number, error=f"the line is longer than {MAX_LINE_BYTES:,} bytes, more than a row may hold")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Row(number, error=f"invalid UTF-8 at byte {exc.start + 1} of the line (save the file as UTF-8)")
                continue
            # A byte-order mark, as spreadsheet programs write, opens the file (or each file that was joined into it).
            text = text.removeprefix("\ufeff")
            if not text.strip():
                continue
            try:
                record = parse_json_record(text)
            except _RepeatedField as exc:
                yield Row(number, error=f"the field '{_shown_name(exc.args[0])}' is given twice in the object; "
                                        "keep one")
                continue
            except json.JSONDecodeError as exc:
                yield Row(number, error=_json_problem(text, exc))
                continue
            except RecursionError:
                yield Row(number, error="not valid history JSON (values nested too deeply to read)")
                continue
            yield _validated(number, record, tags_separator=None)


def _json_problem(text: str, exc: json.JSONDecodeError) -> str:
    stripped = text.strip()
    if stripped in ("[", "{") or (stripped.startswith("[") and stripped.endswith("[")):
        what = "a JSON array" if stripped.startswith("[") else "an object"
        return (f"not valid JSON on its own: the file looks like {what} spread over several lines, "
                "but the history format wants one activity object per line (JSON Lines)")
    return f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"


def _csv_rows(path: Path) -> Iterator[Row]:
    # surrogateescape keeps invalid bytes visible per row instead of failing the whole file.
    # utf-8-sig: a byte-order mark (as spreadsheet programs write) is not part of the first column's name.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise _csv_error(path, 1, reader.line_num, exc) from None
        if header is None:
            return  # an empty file: nothing to import
        header = [name.strip() for name in header]
        _check_header(path, header)
        end = reader.line_num
        while True:
            start = end + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if _fatal(exc):
                    raise _csv_error(path, start, reader.line_num, exc) from None
                end = reader.line_num
                yield Row(start, error=f"the CSV quoting is broken ({exc}); quote a value that holds commas "
                                       "or quotes, and double each quote inside it (\"\")")
                continue
            end = reader.line_num
            if not any(value.strip() for value in values):
                continue
            spans = f" (the row runs from line {start} to {end}: is a quote left open?)" if end > start else ""
            if len(values) != len(header):
                yield Row(start, error=f"{len(values)} values for {len(header)} columns{spans}")
                continue
            record = dict(zip(header, values))
            bad = next((name for name, value in record.items() if _has_surrogates(value)), None)
            if bad is not None:
                yield Row(start, error=f"invalid UTF-8 in the column '{_shown_name(bad)}' (save the file as UTF-8)")
                continue
            row = _validated(start, record, tags_separator="|")
            if row.error and spans:
                row = Row(start, error=row.error + spans)
            yield row


def _check_header(path: Path, header: list[str]) -> None:
    if any(_has_surrogates(name) for name in header):
        raise HistoryFileError(path, 1, "the CSV header holds invalid UTF-8", "; save the file as UTF-8")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise HistoryFileError(path, 1, f"the CSV header names the column(s) {', '.join(repeated)} more than once",
                               "; keep one column of each name")
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing:
        joined = ",".join(header)
        for separator, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if len(header) == 1 and all(name in joined.split(separator) for name in REQUIRED_FIELDS):
                raise HistoryFileError(path, 1, f"the CSV columns are separated by {called}, not commas",
                                       "; save the file as comma-separated CSV")
        raise HistoryFileError(
            path, 1, f"the CSV header lacks the column(s) {', '.join(missing)}",
            "; the first row must name the columns (user_id,item_id,title,timestamp,...)",
        )


def _fatal(exc: csv.Error) -> bool:
    """Whether a CSV error leaves the rest of the file unreadable (a quote that never closes)."""
    return "end of data" in str(exc) or "field limit" in str(exc)


def _csv_error(path: Path, start: int, end: int, exc: csv.Error) -> HistoryFileError:
    if _fatal(exc):
        return HistoryFileError(path, start, "a quoted value opens here and never closes (a \" is missing), so the "
                                "rest of the file cannot be read", "; close the quote, or double a quote inside a "
                                "value (\"\")")
    return HistoryFileError(path, start, f"the CSV quoting is broken ({exc})",
                            "; quote a value that holds commas or quotes, and double each quote inside it (\"\")")


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _validated(number: int, record: Any, *, tags_separator: str | None) -> Row:
    try:
        return Row(number, activity=Activity.from_record(record, tags_separator=tags_separator))
    except InvalidActivity as exc:
        return Row(number, error=str(exc))


def _without_conflicts(rows: Iterable[Row]) -> Iterator[Row]:
    """The rows, with a repeat of an earlier activity (same user_id, item_id and timestamp) that
    says something else made invalid: nothing tells which of the two is right."""
    seen: dict[str, tuple[int, bytes]] = {}
    for row in rows:
        if row.activity is not None:
            digest = hashlib.blake2b(json.dumps(row.activity.to_record(), sort_keys=True, default=str).encode(
                "utf-8", "surrogatepass"), digest_size=8).digest()
            first = seen.setdefault(row.activity.activity_id, (row.line, digest))
            if first[1] != digest:
                row = Row(row.line, error=f"repeats the activity of line {first[0]} (same user_id, item_id and "
                                          "timestamp) with different content; keep one of the two",
                          source=row.source)
        yield row


def read_history(path: Path | str, fmt: str | None = None) -> list[Activity]:
    """All activities of a history file; raises HistoryFileError at the first bad row."""
    activities = []
    for row in read_rows(path, fmt):
        if row.error is not None:
            raise HistoryFileError(row.source or path, row.line, row.error, SKIP_HINT)
        activities.append(row.activity)
    return activities


SKIP_HINT = "; fix that line, or pass --skip-invalid to import the valid rows and list the skipped ones"
