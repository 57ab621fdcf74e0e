"""Hostile settings and standard input: an extraction setting that makes no sense (nan, a similarity of 5,
min_size=-1) is refused in one sentence, from the flag and from the environment alike; bytes that are not
UTF-8 on `journeys chat`'s standard input get a sentence, not a traceback; a `journeys name` input file
that is not UTF-8 text names its line. Run through the command's main function, as the console script runs it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from cli.main import main as journeys
from tests.conftest import PERSONAS

AREA = "Hostile settings and standard input"

BAD_SETTINGS = [
    ("join_threshold=nan", "join_threshold=nan is not allowed, it must be a number in [-1.0, 1.0]"),
    ("join_threshold=5", "join_threshold=5 is not allowed, it must be a number in [-1.0, 1.0]"),
    ("min_size=-1", "min_size=-1 is not allowed, it must be a whole number in [1, inf)"),
    ("merge_threshold=-inf", "merge_threshold=-inf is not allowed"),
    ("resolution=0", "resolution=0 is not allowed, it must be a number in (0.0, inf)"),
    ("isolation_z=inf", "isolation_z=inf is not allowed, it must be a finite number or none"),
    ("neighbours=0", "neighbours=0 is not allowed, it must be a whole number in [1, inf) or none"),
    ("join_threshold=none", "join_threshold=none is not allowed"),
    ("burst_share=1.5", "burst_share=1.5 is not allowed, it must be a number in [0.0, 1.0]"),
    ("min_size=1e999", "min_size='1e999' must be a whole number"),
    ("min_size=2.5", "min_size='2.5' must be a whole number"),
    ("min_size=2,min_size=3", "min_size is given twice"),
    ("neighbors=20", "unknown extraction parameter 'neighbors'"),
    ("support=", "'support' has no value"),
]


def one_sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("journeys: error: ") and "Traceback" not in err, err[-2000:]
    return lines[0]


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("setting, expected", BAD_SETTINGS)
def test_a_senseless_extraction_flag_is_refused_in_one_sentence(setting, expected, tmp_path: Path, capsys,
                                                                 quiet_logging):
    code = journeys(["extract", "--user", "maya", "--home", str(tmp_path / "home"), "--extraction", setting])
    line = one_sentence(capsys.readouterr().err)
    assert code == 1 and "--extraction" in line and expected in line, line
    assert not (tmp_path / "home").exists(), "a refused setting still created a store"


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("setting, expected", BAD_SETTINGS[:6])
def test_a_senseless_extraction_variable_is_refused_in_one_sentence(setting, expected, tmp_path: Path, capsys,
                                                                     monkeypatch, quiet_logging):
    monkeypatch.setenv("JOURNEYS_EXTRACTION", setting)
    code = journeys(["extract", "--user", "maya", "--home", str(tmp_path / "home")])
    line = one_sentence(capsys.readouterr().err)
    assert code == 1 and "JOURNEYS_EXTRACTION" in line and expected in line, line


@pytest.fixture(scope="module")
def chat_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("chat") / "home"
    assert journeys(["ingest", str(PERSONAS["theo"].history_path), "--home", str(home)]) == 0
    return home


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("garbage", [b"\xff\xfe\xfd what", b"caf\xe9 journeys?", b"\xed\xa0\x80 surrogate bytes",
                                     b"\xc3 cut in the middle"])
def test_chat_answers_bytes_that_are_not_utf8_with_a_sentence(garbage: bytes, chat_home: Path, capsys, monkeypatch,
                                                               quiet_logging):
    monkeypatch.setenv("JOURNEYS_NAMER", "keywords")
    stdin = io.TextIOWrapper(io.BytesIO(garbage + b"\nwhat are my journeys?\nquit\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = journeys(["chat", "--user", "theo", "--home", str(chat_home)])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err, err[-2000:]
    replies = [line for line in out.splitlines() if line.startswith("journeys> ")]
    assert replies[0] == "journeys> That line is not valid UTF-8 text, so I could not read it; please type it again."
    assert "kubernetes" in out.lower()  # the chat went on with the next line
    assert replies[-1].startswith("journeys> Bye")


@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("content, expected", [
    (b'{"id": 1, "titles": ["Ukulele chords"]}\n{"id": 2, "titles": ["caf\xe9"]}\n', "line 2: invalid UTF-8"),
    (b'{"id": 1, "titles": ["caf\\ud800"]}\n', "line 1: 'titles' holds a lone UTF-16 surrogate"),
    (b'{"id": 1, "titles": ["a"], "n": ' + b"9" * 5000 + b"}\n", "line 1: not valid JSON"),
    (b"[" * 50_000 + b"]" * 50_000 + b"\n", "line 1: not valid JSON"),
])
def test_a_hostile_naming_input_names_its_line(content: bytes, expected: str, tmp_path: Path, capsys, quiet_logging):
    source = tmp_path / "groups.jsonl"
    source.write_bytes(content)
    code = journeys(["name", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--namer", "keywords",
                     "--home", str(tmp_path / "home")])
    line = one_sentence(capsys.readouterr().err)
    assert code == 1 and str(source) in line and expected in line, line
    assert not (tmp_path / "out.jsonl").exists()



@pytest.mark.reliability(AREA)
@pytest.mark.parametrize("name, value, expected", [
    ("JOURNEYS_NAMER_TIMEOUT", "nan", "JOURNEYS_NAMER_TIMEOUT='nan' is outside 0.01 to 3600"),
    ("JOURNEYS_NAMER_TIMEOUT", "-1", "JOURNEYS_NAMER_TIMEOUT='-1' is outside 0.01 to 3600"),
    ("JOURNEYS_NAMER_RETRIES", "-3", "JOURNEYS_NAMER_RETRIES='-3' is outside 0 to 10"),
    ("JOURNEYS_NAMER_CANDIDATES", "1000000000", "JOURNEYS_NAMER_CANDIDATES='1000000000' is outside 1 to 16"),
    ("JOURNEYS_DEVICE", "quantum", "JOURNEYS_DEVICE='quantum' is not a device"),
])
def test_a_senseless_setting_from_the_environment_is_one_sentence(name, value, expected, tmp_path: Path, capsys,
                                                                  monkeypatch, quiet_logging):
    monkeypatch.setenv(name, value)
    code = journeys(["extract", "--user", "maya", "--home", str(tmp_path / "home")])
    line = one_sentence(capsys.readouterr().err)
    assert code == 1 and expected in line, line
