"""Reading history files: every rule of the history format, with the reasons users see."""

import re
from datetime import datetime, timezone

import pytest

from journeys.history.activity import Activity, HistoryFileError, InvalidActivity, parse_timestamp
from journeys.history.files import read_history, read_rows
from tests.conftest import PERSONAS, write_lines

GOOD = '{"user_id": "maya", "item_id": "yt:1", "title": "Ukulele chords", "timestamp": "2026-02-03T19:12:00Z"}'


def test_demo_histories_are_valid_history_files():
    for persona in PERSONAS.values():
        activities = read_history(persona.history_path)
        assert len(activities) >= 55
        assert {a.user_id for a in activities} == {persona.user_id}


def test_jsonl_fields_are_normalised_and_extra_fields_kept(tmp_path):
    line = ('{"user_id": "maya", "item_id": "yt:5kq", "title": "Ukulele chords", "timestamp": "2026-02-03T20:12:00+01:00", '
            '"tags": ["ukulele", "music lesson"], "kind": "watch", "engagement": 0.9, "channel": "UkeTube"}')
    [activity] = read_history(write_lines(tmp_path / "h.jsonl", [line]))
    assert activity.timestamp == datetime(2026, 2, 3, 19, 12, tzinfo=timezone.utc)
    assert activity.tags == ("ukulele", "music lesson")
    assert activity.engagement == 0.9 and activity.kind == "watch"
    assert activity.extra == {"channel": "UkeTube"}
    assert Activity.from_record(activity.to_record()) == activity


def test_csv_splits_tags_and_accepts_unix_seconds_and_zoneless_times(tmp_path):
    path = write_lines(tmp_path / "h.csv", [
        "user_id,item_id,title,timestamp,tags,engagement",
        'maya,yt:1,"Chords, part 1",1770145920,ukulele|music lesson,0.5',
        "maya,yt:2,Strumming,2026-02-03T19:12:00,,",
    ])
    first, second = read_history(path)
    assert first.title == "Chords, part 1" and first.tags == ("ukulele", "music lesson")
    assert first.timestamp == datetime.fromtimestamp(1770145920, tz=timezone.utc)
    assert second.timestamp.tzinfo is not None and second.timestamp.hour == 19
    assert second.kind == "view" and second.engagement is None


@pytest.mark.parametrize("bad_line, reason", [
    ('{"user_id": "maya", "item_id": "yt:2", "timestamp": "2026-02-03T19:12:00Z"}', "'title' is missing"),
    ('{"user_id": "maya", "item_id": "yt:2", "title": "x", "timestamp": "yesterday"}', "not ISO 8601"),
    ('{"user_id": 7, "item_id": "yt:2", "title": "x", "timestamp": 1}', "'user_id' must be a string"),
    ('{"user_id": "maya", "item_id": "yt:2", "title": "x", "timestamp": 1, "engagement": 1.5}', "[0, 1]"),
    ('{"user_id": "maya", "item_id": "yt:2", "title": "x", "timestamp": 1, "tags": "a,b"}', "list of strings"),
    ('{"user_id": "maya", "item_id": "yt:2", "title": "' + "x" * 2001 + '", "timestamp": 1}', "more than the limit"),
    ('{"user_id": "maya", "item_id": ', "not valid JSON"),
    ('{"user_id": "maya", "item_id": "yt:2", "title": "caf\\ud800", "timestamp": 1}', "'title' holds a lone UTF-16 surrogate"),
    ('{"user_id": "\\udfff", "item_id": "yt:2", "title": "x", "timestamp": 1}', "'user_id' holds a lone UTF-16 surrogate"),
    ('{"user_id": "   ", "item_id": "yt:2", "title": "x", "timestamp": 1}', "'user_id' is blank"),
])
def test_a_bad_row_names_file_line_and_reason(tmp_path, bad_line, reason):
    path = write_lines(tmp_path / "h.jsonl", [GOOD, "", bad_line])
    with pytest.raises(HistoryFileError) as caught:
        read_history(path)
    message = str(caught.value)
    assert str(path) in message and "line 3" in message and reason in message
    assert "--skip-invalid" in message


def test_invalid_utf8_is_reported_on_its_line(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_bytes(GOOD.encode() + b"\n" + b'{"user_id": "maya", "title": "caf\xe9"}\n')
    rows = list(read_rows(path))
    assert rows[0].activity is not None
    assert rows[1].line == 2 and "invalid UTF-8" in rows[1].error


def test_csv_without_required_columns_is_refused(tmp_path):
    path = write_lines(tmp_path / "h.csv", ["user,item,title,time", "maya,1,x,1"])
    with pytest.raises(HistoryFileError, match="lacks the column"):
        read_history(path)


def test_unknown_extension_asks_for_a_format(tmp_path):
    path = write_lines(tmp_path / "h.txt", [GOOD])
    with pytest.raises(HistoryFileError, match="--format"):
        read_history(path)
    assert len(read_history(path, "jsonl")) == 1


def test_same_activity_has_the_same_id_however_its_time_is_written():
    a = Activity("u", "i", "t", parse_timestamp("2026-02-03T19:12:00Z"))
    b = Activity("u", "i", "other title", parse_timestamp(1770145920))
    assert a.activity_id == b.activity_id
    assert a.activity_id != Activity("v", "i", "t", a.timestamp).activity_id


def test_booleans_are_not_timestamps():
    with pytest.raises(InvalidActivity):
        parse_timestamp(True)


def test_a_byte_order_mark_opens_a_file_without_harm(tmp_path):
    jsonl = tmp_path / "h.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\n")
    csv_file = tmp_path / "h.csv"
    csv_file.write_bytes(b"\xef\xbb\xbfuser_id,item_id,title,timestamp\r\nmaya,yt:1,Chords,1770145920\r\n")
    assert [a.user_id for a in read_history(jsonl)] == ["maya"]
    assert [a.title for a in read_history(csv_file)] == ["Chords"]


def test_ids_are_trimmed():
    activity = Activity.from_record({"user_id": " maya ", "item_id": " yt:1", "title": "x", "timestamp": 1})
    assert (activity.user_id, activity.item_id) == ("maya", "yt:1")


def test_a_lone_surrogate_stops_the_import_before_anything_is_stored(workspace, tmp_path):
    lines = [GOOD.replace("yt:1", f"yt:{i}") for i in range(300)]
    lines.append(GOOD.replace("Ukulele chords", "caf\\ud800").replace("yt:1", "yt:bad"))
    path = write_lines(tmp_path / "h.jsonl", lines)
    with pytest.raises(HistoryFileError, match="line 301"):
        workspace.ingest([path])
    assert workspace.history.activities("maya") == []


def test_records_stored_before_a_limit_existed_still_read():
    record = {"user_id": "maya", "item_id": "yt:1", "title": "x", "timestamp": 1, "tags": [f"t{i}" for i in range(150)]}
    with pytest.raises(InvalidActivity, match="more than the limit of 100"):
        Activity.from_record(record)
    assert len(Activity.from_record(record, limits=False).tags) == 150


@pytest.mark.parametrize("value, reason", [
    ("0001-01-01T00:00:00+05:00", "outside the years 1 to 9999"),
    ("9999-12-31T23:59:59-05:00", "outside the years 1 to 9999"),
    (10 ** 400, "out of range for Unix seconds"),
    ("9" * 5000, "a number with 5000 digits"),
    (1770145920000, "looks like milliseconds"),
    ("20260203", "could be the date 2026-02-03"),
    (float("nan"), "not a finite number"),
    ({"$date": 1}, "'timestamp' is an object"),
])
def test_a_timestamp_that_is_no_moment_is_one_short_reason(value, reason):
    with pytest.raises(InvalidActivity, match=re.escape(reason)) as caught:
        parse_timestamp(value)
    assert len(str(caught.value)) < 300


def test_valid_edge_timestamps_keep_their_moment():
    assert parse_timestamp("0001-01-01T00:00:00Z").year == 1
    assert parse_timestamp("9999-12-31T23:59:59Z").year == 9999
    assert parse_timestamp(-1) == datetime(1969, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    assert parse_timestamp(" 1770145920 ") == datetime(2026, 2, 3, 19, 12, tzinfo=timezone.utc)
