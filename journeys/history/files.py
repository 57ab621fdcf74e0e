"""History files: reading a file of activities (JSON Lines, CSV, or a public data set) row by row.

The accepted shape is the history format (docs/spec/history-format.md). A file that cannot be
read at all (a folder, a link that leads nowhere, a compressed or UTF-16 file, a quote left
open) is refused with one sentence (HistoryFileError), never a traceback; a bad row is a Row
with the reason, so a caller can skip it and list it.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from journeys.history.activity import (
    FORMATS,
    MAX_LINE_BYTES,
    REQUIRED_FIELDS,
    Activity,
    HistoryFileError,
    InvalidActivity,
    RepeatedField,
    Row,
    parse_json_record,
    shown_name,
)
from journeys.history.adapters import ADAPTERS


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
            except RepeatedField as exc:
                yield Row(number, error=f"the field '{shown_name(exc.args[0])}' is given twice in the object; "
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
                yield Row(start, error=f"invalid UTF-8 in the column '{shown_name(bad)}' (save the file as UTF-8)")
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
