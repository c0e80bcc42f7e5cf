"""The export's start and duration as text: seconds or m:ss(.fff), one grammar (contract.json "time") read
the same way by Python's ExportSettings and by the page (web/src/time-text.js)."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from node import run_node

from vizengine.errors import InvalidSettings
from vizengine.export.settings import ExportSettings
from vizengine.export.time_text import parse_time
from vizengine.project.contract import CONTRACT, TIME_HINT

ROOT = Path(__file__).resolve().parent.parent

GOOD = {
    "12": Fraction(12), "12.5": Fraction(25, 2), "0": Fraction(0), " 7 ": Fraction(7), "\t3\t": Fraction(3),
    ".5": Fraction(1, 2), "12.": Fraction(12), "0.001": Fraction(1, 1000), "007": Fraction(7),
    "1:05": Fraction(65), "1:05.250": Fraction(261, 4), "0:00": Fraction(0), "0:59.9": Fraction(599, 10),
    "75:00": Fraction(4500), "+2": Fraction(2), "-1": Fraction(-1), "-0:30": Fraction(-30),
}  # fmt: skip
BAD = [
    "", " ", "1,5", "1e400", "1e3", "1E3", "abc", "1.2.3", "1:5", "1:60", "1:5.5", ":30", "1:", "1::05",
    "1:05:00", "--1", "+-1", "- 1", "inf", "nan", "Infinity", "0x10", "1_000", "½", "\u0661\u0662",
    "12\n", "12 s", "1/3", ".", "1:05.", "10:30.", "\u00a012",
]  # fmt: skip


@pytest.mark.parametrize("text, value", GOOD.items())
def test_seconds_and_minutes_seconds_are_read_exactly(text, value):
    assert parse_time(text) == value


@pytest.mark.parametrize("text", BAD)
def test_anything_else_is_refused_with_the_grammar_in_the_message(text):
    with pytest.raises(InvalidSettings) as info:
        parse_time(text, "start")
    assert str(info.value) == f"start must be {TIME_HINT}, not {text!r}"


@pytest.mark.parametrize("data, start, duration", [
    ({"start": "1:05", "duration": "0:02.5"}, Fraction(65), Fraction(5, 2)),
    ({"start": "12.5", "duration": "3"}, Fraction(25, 2), Fraction(3)),
    ({"start": "  ", "duration": " "}, Fraction(0), None),  # blank fields: from the beginning, to the end
    ({"start": 0.1, "duration": 2}, Fraction(1, 10), Fraction(2)),  # numbers (the CLI, a manifest) as before
])
def test_export_settings_read_the_dialogs_text(data, start, duration):
    settings = ExportSettings.from_dict(data)
    assert (settings.start, settings.duration) == (start, duration)


@pytest.mark.parametrize("data, message", [
    ({"duration": "1,5"}, "duration must be seconds"),
    ({"start": "1e400"}, "start must be seconds"),
    ({"start": "abc"}, "start must be seconds"),
    ({"start": "-1"}, "start must not be negative"),
    ({"start": "-0:01"}, "start must not be negative"),
    ({"duration": "0"}, "duration must be positive"),
    ({"duration": "0:00.000"}, "duration must be positive"),
])
def test_export_settings_refuse_what_the_dialog_refuses(data, message):
    with pytest.raises(InvalidSettings, match=message):
        ExportSettings.from_dict(data)


def test_a_time_read_from_text_round_trips_through_the_stored_settings():
    settings = ExportSettings.from_dict({"start": "1:05.250", "duration": "0:00.1"})
    assert ExportSettings.from_dict(settings.to_dict()) == settings


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_reads_every_example_as_python_does():
    # web/src/time-text.js with the pattern compiled as web/src/contract.js does (no flags).
    script = (
        "const [module, pattern, texts, numbers] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "import(module).then(({ readSeconds, plainSeconds }) => process.stdout.write(JSON.stringify({"
        "  read: texts.map((t) => readSeconds(new RegExp(pattern), t)),"
        "  plain: numbers.map(plainSeconds)})));"
    )
    texts = list(GOOD) + BAD
    numbers = [1e-7, 1.2345e-9, 2.5e-6, 0.1, 65.25, 1 / 3]
    module = (ROOT / "web" / "src" / "time-text.js").as_uri()
    out = run_node(script, [module, CONTRACT["time"]["pattern"], texts, numbers])
    assert dict(zip(texts, out["read"])) == {t: float(GOOD[t]) if t in GOOD else None for t in texts}
    # A stored export's start is filled in again as plain decimals the grammar reads to the same value.
    for number, text in zip(numbers, out["plain"]):
        assert "e" not in text and parse_time(text) == Fraction(repr(number))


def test_a_stored_exports_tiny_start_is_read_back_exactly():
    # str(1e-07) is "1e-07", which the grammar refuses: stored floats are read as numbers instead.
    from vizengine.export.manifest import settings_of

    stored = json.dumps({"settings": {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4",
                                      "start": 1e-07, "duration": 0.1}})
    assert settings_of(stored) == ExportSettings.from_dict({"resolution": "720p", "fps": 30, "quality": "low",
                                                            "format": "mp4", "start": "0.0000001", "duration": ".1"})
