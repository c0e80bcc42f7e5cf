"""The CLI's export progress: a live bar (tqdm) on a terminal, plain lines otherwise (logs, CI, tests).

Both show what the dialog shows: phase, frames, frames per second, elapsed time and the ETA, all from the
page's export state (vizengine.export.store), so the CLI's ETA is the dialog's.
"""

from __future__ import annotations

import math
import sys
from typing import TextIO

from tqdm import tqdm

RUNNING = ("preparing", "rendering", "encoding")
# Plain lines: one per phase change and per 5 % of progress, so a long export logs ~60 lines, not thousands.
PLAIN_STEP_PERCENT = 5


def clock_text(seconds: float | None) -> str:
    """m:ss, or h:mm:ss from an hour; '--:--' when unknown."""
    if seconds is None:
        return "--:--"
    s = max(0, math.floor(seconds + 0.5))  # half up, as the dialog's Math.round
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def rate_text(state: dict) -> str:
    fps = state.get("fps")
    return f"{fps:.1f} fps" if fps else "-- fps"


def _frames(state: dict) -> tuple[int, int]:
    """(done, total) of the current phase; a completed export shows all of them (the page resets the
    frame count at each phase change, the end included)."""
    total, frame = int(state.get("total") or 0), int(state.get("frame") or 0)
    return (total if state.get("phase") == "complete" else frame), total


def _resuming_lines(state: dict, shown: dict) -> list[str]:
    """The log lines a terminal user needs to see: a resume, which encoder runs and why, and every
    warning the dialog would list (a silent range, no visible layer, a truncated file), each once."""
    lines = []
    for line in state.get("logs", []):
        if line["n"] > shown["log"]:
            if line["message"].startswith(("resuming", "encoder:")):
                lines.append(line["message"])
            elif line.get("level") == "warning":
                lines.append(f"warning: {line['message']}")
        shown["log"] = max(shown["log"], line["n"])
    return lines


class PlainPrinter:
    """`[elapsed 0:12] rendering  45% frame 10/150 5.2 fps ETA 0:20`, on phase changes and every 5 %."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = {"phase": None, "percent": -PLAIN_STEP_PERCENT, "log": 0}

    def __call__(self, state: dict) -> None:
        for line in _resuming_lines(state, self.shown):
            print(line, file=self.stream, flush=True)
        phase, percent = state.get("phase"), int(100 * state.get("progress", 0))
        if phase == self.shown["phase"] and percent < self.shown["percent"] + PLAIN_STEP_PERCENT:
            return
        self.shown.update(phase=phase, percent=percent)
        frames = " frame {}/{}".format(*_frames(state)) if state.get("total") else ""
        rate = f" {rate_text(state)}" if state.get("fps") else ""
        eta = f" ETA {clock_text(state['eta'])}" if state.get("eta") is not None else ""
        print(f"[elapsed {clock_text(state.get('elapsed', 0))}] {phase:<10} {percent:3d}%{frames}{rate}{eta}",
              file=self.stream, flush=True)

    def close(self) -> None:
        pass


class BarPrinter:
    """One tqdm bar for the export: the current phase's frames; fps, elapsed and ETA are the page's."""

    FORMAT = "{desc:<10} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} frames{postfix}"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.shown = {"log": 0}

    def __call__(self, state: dict) -> None:
        phase = state.get("phase") or ""
        for line in _resuming_lines(state, self.shown):
            tqdm.write(line, file=self.stream)
        if self.bar is None:
            # Refreshed by hand from the page's state (polled), never by tqdm's own clock.
            self.bar = tqdm(total=0, file=self.stream, bar_format=self.FORMAT, dynamic_ncols=True, leave=True,
                            mininterval=0, miniters=1, postfix="")
        frame, total = _frames(state)
        self.bar.total = max(total, frame)
        self.bar.n = frame
        self.bar.set_description_str(phase, refresh=False)
        self.bar.set_postfix_str(f"{rate_text(state)}, elapsed {clock_text(state.get('elapsed', 0))}, "
                                 f"ETA {clock_text(state.get('eta'))}", refresh=False)
        self.bar.refresh()
        if phase not in RUNNING and phase not in ("", "idle"):
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_printer(stream: TextIO | None = None) -> PlainPrinter | BarPrinter:
    """A state callback for driver.wait_for_export: a live bar when `stream` is a terminal, else lines.
    Call its close() when the export is over (it closes itself when it sees the end)."""
    stream = stream or sys.stdout
    is_tty = getattr(stream, "isatty", lambda: False)
    return BarPrinter(stream) if is_tty() else PlainPrinter(stream)
