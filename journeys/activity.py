"""Activities: one thing a user watched, read, listened to, searched or saved, and how to read them.

The accepted shape is the history format of the project's spec (JSON Lines or CSV).
Every rule a row can break produces a reason that names the field and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MAX_TITLE_CHARS = 2000
REQUIRED_FIELDS = ("user_id", "item_id", "title", "timestamp")
KNOWN_FIELDS = REQUIRED_FIELDS + ("description", "tags", "kind", "engagement", "url")
DEFAULT_KIND = "view"
FORMATS = ("jsonl", "csv", "movielens", "lastfm")


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
    def from_record(cls, record: Mapping[str, Any], *, tags_separator: str | None = None) -> "Activity":
        """Validate a history-format record; raises InvalidActivity naming the field at fault."""
        if not isinstance(record, Mapping):
            raise InvalidActivity(f"expected an object with the fields {', '.join(REQUIRED_FIELDS)}")
        for name in REQUIRED_FIELDS:
            if record.get(name) in (None, ""):
                raise InvalidActivity(f"required field '{name}' is missing or empty")
        bad = _lone_surrogate_field(record)
        if bad:
            raise InvalidActivity(f"'{bad}' holds a lone UTF-16 surrogate (such as \\ud800), which is not text; "
                                  "fix or remove that character")
        user_id = _string(record, "user_id").strip()
        item_id = _string(record, "item_id").strip()
        if not user_id:
            raise InvalidActivity("'user_id' is blank")
        if not item_id:
            raise InvalidActivity("'item_id' is blank")
        title = _string(record, "title")
        if not title.strip():
            raise InvalidActivity("'title' is blank")
        if len(title) > MAX_TITLE_CHARS:
            raise InvalidActivity(f"'title' has {len(title)} characters, more than the limit of {MAX_TITLE_CHARS}")
        return cls(
            user_id=user_id,
            item_id=item_id,
            title=title,
            timestamp=parse_timestamp(record["timestamp"]),
            description=_optional_string(record, "description") or "",
            tags=_tags(record.get("tags"), tags_separator),
            kind=_optional_string(record, "kind") or DEFAULT_KIND,
            engagement=_engagement(record.get("engagement")),
            url=_optional_string(record, "url"),
            extra={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
        )


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 string (no zone means UTC) or Unix seconds, as an aware UTC datetime."""
    if isinstance(value, bool):
        raise InvalidActivity(f"'timestamp' is {value!r}; expected ISO 8601 or Unix seconds")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                raise InvalidActivity(
                    f"'timestamp' value {value!r} is not ISO 8601 (like 2026-02-03T19:12:00Z) or Unix seconds"
                ) from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
    else:
        raise InvalidActivity(f"'timestamp' has type {type(value).__name__}; expected ISO 8601 text or Unix seconds")
    if not math.isfinite(seconds):
        raise InvalidActivity(f"'timestamp' value {value!r} is not a finite number of seconds")
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InvalidActivity(f"'timestamp' value {value!r} is out of range for Unix seconds") from None


def _lone_surrogate_field(record: Mapping[str, Any]) -> str | None:
    """The first field whose text (or a key, or text nested inside it) holds a lone UTF-16 surrogate.

    JSON can spell one ("\\ud800"), but it is not text: storing it fails, so it is refused here.
    """
    def holds(value: Any) -> bool:
        if isinstance(value, str):
            return any("\ud800" <= ch <= "\udfff" for ch in value)
        if isinstance(value, Mapping):
            return any(holds(k) or holds(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return any(holds(v) for v in value)
        return False

    return next((str(name) if not holds(name) else "a field name" for name, value in record.items()
                 if holds(name) or holds(value)), None)


def _string(record: Mapping[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str):
        raise InvalidActivity(f"'{name}' must be a string, got {type(value).__name__} {value!r}")
    return value


def _optional_string(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidActivity(f"'{name}' must be a string, got {type(value).__name__}")
    return value


def _tags(value: Any, separator: str | None) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str) and separator is not None:
        value = value.split(separator)
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidActivity("'tags' must be a list of strings (in CSV: one string with values separated by '|')")
    return tuple(tag.strip() for tag in value if tag.strip())


def _engagement(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidActivity(f"'engagement' value {value!r} is not a number in [0, 1]") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InvalidActivity(f"'engagement' value {value!r} is not a number in [0, 1]")
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
    """Stream the rows of a history file, validating each one; never raises for a bad row."""
    path = Path(path)
    if fmt in ("movielens", "lastfm"):
        from journeys.adapters import ADAPTERS

        yield from ADAPTERS[fmt](path)
        return
    if not path.is_file():
        raise HistoryFileError(path, None, "no such file", "; check the path")
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        yield from _jsonl_rows(path)
    elif fmt == "csv":
        yield from _csv_rows(path)
    else:
        raise HistoryFileError(path, None, f"unknown format '{fmt}'", f"; use one of {', '.join(FORMATS)}")


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                # A byte-order mark, as spreadsheet programs write, opens the first line.
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Row(number, error=f"invalid UTF-8 at byte {exc.start} of the line")
                continue
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(number, error=f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            yield _validated(number, record, tags_separator=None)


def _csv_rows(path: Path) -> Iterator[Row]:
    # surrogateescape keeps invalid bytes visible per row instead of failing the whole file.
    # utf-8-sig: a byte-order mark (as spreadsheet programs write) is not part of the first column's name.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [name for name in REQUIRED_FIELDS if name not in header]
        if missing:
            raise HistoryFileError(
                path, 1, f"the CSV header lacks the column(s) {', '.join(missing)}",
                "; the first row must name the columns (user_id,item_id,title,timestamp,...)",
            )
        for record in reader:
            number = reader.line_num
            if None in record:
                yield Row(number, error=f"{len(header) + len(record[None])} values for {len(header)} columns")
                continue
            if any(isinstance(v, str) and _has_surrogates(v) for v in record.values()):
                yield Row(number, error="invalid UTF-8 in the row")
                continue
            if not any((v or "").strip() for v in record.values()):
                continue
            yield _validated(number, record, tags_separator="|")


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _validated(number: int, record: Any, *, tags_separator: str | None) -> Row:
    try:
        return Row(number, activity=Activity.from_record(record, tags_separator=tags_separator))
    except InvalidActivity as exc:
        return Row(number, error=str(exc))


def read_history(path: Path | str, fmt: str | None = None) -> list[Activity]:
    """All activities of a history file; raises HistoryFileError at the first bad row."""
    activities = []
    for row in read_rows(path, fmt):
        if row.error is not None:
            raise HistoryFileError(path, row.line, row.error, SKIP_HINT)
        activities.append(row.activity)
    return activities


SKIP_HINT = "; fix that line, or pass --skip-invalid to import the valid rows and list the skipped ones"
