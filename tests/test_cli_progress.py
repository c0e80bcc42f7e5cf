"""The CLI's progress (vizengine.cli.progress): a live bar on a terminal, plain lines when piped."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from node import run_node

from vizengine.cli.progress import BarPrinter, PlainPrinter, clock_text, progress_printer


ROOT = Path(__file__).resolve().parent.parent


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def states() -> list[dict]:
    """An export of 100 frames as the page reports it: preparing, rendering, encoding, complete."""
    out = [{"phase": "preparing", "frame": 0, "total": 0, "progress": 0.01, "eta": None, "fps": None,
            "elapsed": 0.5, "logs": [{"n": 1, "message": "export started"}]}]
    for frame in range(0, 101, 4):
        out.append({"phase": "rendering", "frame": frame, "total": 100, "progress": 0.05 + 0.7 * frame / 100,
                    "eta": 60 - frame * 0.5, "fps": 4.0 + frame / 100, "elapsed": 2 + frame * 0.25,
                    "logs": [{"n": 2, "message": "resuming: 20 of 100 frames are already encoded"}]})
    for frame in (40, 100):
        out.append({"phase": "encoding", "frame": frame, "total": 100, "progress": 0.75 + 0.25 * frame / 100,
                    "eta": 3.0, "fps": 20.0, "elapsed": 30 + frame / 50, "logs": []})
    out.append({"phase": "complete", "frame": 0, "total": 100, "progress": 1.0, "eta": None, "fps": None,
                "elapsed": 33.2, "logs": []})
    return out


def test_piped_output_gets_plain_lines_with_phase_frames_fps_elapsed_and_eta():
    stream = io.StringIO()
    printer = progress_printer(stream)
    assert isinstance(printer, PlainPrinter)
    for state in states():
        printer(state)
    printer.close()
    text = stream.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert lines.count("resuming: 20 of 100 frames are already encoded") == 1
    progress = [line for line in lines if line.startswith("[elapsed")]
    assert progress[0] == "[elapsed 0:01] preparing    1%"  # 0.5 s, rounded half up as the dialog does
    assert "[elapsed 0:08] rendering   21% frame 24/100 4.2 fps ETA 0:48" in progress
    assert progress[-1] == "[elapsed 0:33] complete   100% frame 100/100"
    phases = [line.split()[2] for line in progress]
    assert phases.index("encoding") > phases.index("rendering")
    assert len(progress) < 25  # every 5 % and each phase, not every state


def test_a_terminal_gets_one_live_bar_with_phase_frames_fps_elapsed_and_eta():
    stream = FakeTty()
    printer = progress_printer(stream)
    assert isinstance(printer, BarPrinter)
    for state in states():
        printer(state)
    printer.close()
    text = stream.getvalue()
    frames = [f for f in re.split(r"[\r\n]", text) if f.strip()]
    assert len(frames) > 20  # redrawn in place, once per state
    assert text.count("\n") <= 3  # the resuming line and the bar's last line, not a line per update
    rendering = [f for f in frames if f.startswith("rendering")]
    assert any("24/100 frames" in f and "4.2 fps" in f and "elapsed 0:08" in f and "ETA 0:48" in f for f in rendering)
    assert any(f.startswith("encoding") and "100/100 frames" in f and "ETA 0:03" in f for f in frames)
    assert "resuming: 20 of 100 frames are already encoded\n" in text
    assert frames[-1].startswith("complete")
    assert printer.bar is None  # closed by the end of the export


def test_a_failed_export_closes_the_bar_and_leaves_its_last_state_on_screen():
    stream = FakeTty()
    printer = progress_printer(stream)
    printer(states()[3])
    printer({"phase": "failed", "frame": 8, "total": 100, "progress": 0.1, "eta": None, "fps": None,
             "elapsed": 5, "logs": []})
    assert printer.bar is None and stream.getvalue().rstrip().endswith("ETA --:--")
    printer.close()  # twice is harmless


def test_clock_text_reads_minutes_and_hours():
    assert [clock_text(s) for s in (None, 0, 59.6, 61, 3600, 3 * 3600 + 62)] == [
        "--:--", "0:00", "1:00", "1:01", "1:00:00", "3:01:02"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_dialog_writes_elapsed_and_eta_as_the_cli_does():
    # web/src/ui/export-timing.js has no imports, so node loads it as it is.
    script = (
        "const [module, seconds] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "import(module).then(({ clockText }) => process.stdout.write(JSON.stringify(seconds.map(clockText))));"
    )
    seconds = [0, 0.4, 0.5, 0.6, 2.5, 59.5, 61, 599.4, 3599.6, 3600, 3 * 3600 + 62, 100 * 3600]
    module = (ROOT / "web" / "src" / "ui" / "export-timing.js").as_uri()
    assert run_node(script, [module, seconds]) == [clock_text(s) for s in seconds]


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_the_exports_warnings_are_printed_once_each_and_info_lines_are_not(tty):
    stream = FakeTty() if tty else io.StringIO()
    printer = progress_printer(stream)
    logs = [{"n": 1, "level": "info", "message": "export started"},
            {"n": 2, "level": "warning", "message": "The track is silent from 0.00 s to 0.20 s."},
            {"n": 3, "level": "warning", "message": "No layer is visible: the video shows only the stage background."}]
    for state in states():
        printer({**state, "logs": logs})
    printer.close()
    text = stream.getvalue()
    assert text.count("warning: The track is silent from 0.00 s to 0.20 s.") == 1
    assert text.count("warning: No layer is visible") == 1
    assert "export started" not in text


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_the_encoder_line_is_printed_once(tty):
    stream = FakeTty() if tty else io.StringIO()
    printer = progress_printer(stream)
    line = "encoder: WebCodecs (auto: the browser encodes vp09.00.40.08 at 1280x720)"
    for state in states():
        printer({**state, "logs": [{"n": 1, "level": "info", "message": line}]})
    printer.close()
    assert stream.getvalue().count(line) == 1
