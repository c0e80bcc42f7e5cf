"""How responsive the page stays during an export, for `make bench` (issue 8, point 5).

Two figures per phase (preparing, rendering, encoding = the work after the last frame):
- the longest main-thread block: Chromium's Long Tasks API reports every task over 50 ms; each task is
  put in the phase that was current when it began (the page's state callback is timestamped);
- the cancel latency: from the moment the driver clicks Cancel until the page reports the export
  cancelled. It includes one driver round trip, printed beside it.

Preparing is measured on a 30-minute track (the whole track exported), the other phases on a 4 s range.
Figures, not pass/fail: targets are 200 ms per block and 300 ms per cancel at 720p and 1080p, and one
frame's time at 4K.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from .long_track import long_demo
from .browser import launch_persistent_chromium
from .driver import FINISHED, fill_export_dialog, open_app, open_export_dialog, load_audio, start_export, wait_for_export
from .render import DIST
from .server import serve

LONG_TRACK_SECONDS = 1800
CASES = [("720p", 30), ("1080p", 60), ("4k", 30)]

# Long tasks and phase changes, both on performance.now()'s clock. host.onState is looked up on every
# state change (bridge.App), so wrapping it sees each one as it happens.
RECORDER = """() => {
  const rec = window.__responsive = { tasks: [], phases: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rec.tasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask' });
  const host = window.vizengine.host, original = host.onState;
  host.onState = (state) => {
    const last = rec.phases[rec.phases.length - 1];
    if (!last || last[1] !== state.phase) rec.phases.push([performance.now(), state.phase]);
    original(state);
  };
}"""

RESET = "() => { window.__responsive.tasks = []; window.__responsive.phases = []; }"


def longest_blocks(page) -> dict[str, float]:
    """The longest main-thread task per phase since the last reset, in ms."""
    rec = page.evaluate("() => window.__responsive")
    phases = rec["phases"]
    longest: dict[str, float] = {}
    for start, duration in rec["tasks"]:
        current = [phase for at, phase in phases if at <= start]
        if current:
            longest[current[-1]] = max(longest.get(current[-1], 0.0), duration)
    return longest


def _state(page) -> dict:
    return page.evaluate("window.vizengine.state") or {}


def cancel_latency(page, settings: dict, phase: str, min_frame: int = 0) -> float:
    """Start an export, click Cancel once it is in `phase`; ms until the page says it is cancelled."""
    open_export_dialog(page)
    fill_export_dialog(page, settings)
    start_export(page)
    deadline = time.monotonic() + 600
    while _state(page).get("phase") in FINISHED:  # the last export's state, until this one begins
        time.sleep(0.005)
    while True:
        state = _state(page)
        if state.get("phase") == phase and state.get("frame", 0) >= min_frame:
            break
        if state.get("phase") in FINISHED or time.monotonic() > deadline:
            raise RuntimeError(f"the export never reached {phase}: {state.get('phase')} {state.get('error')}")
        time.sleep(0.01)
    clicked = time.monotonic()
    page.click("#export-cancel", no_wait_after=True)
    while _state(page).get("phase") != "cancelled":
        time.sleep(0.005)
    latency = (time.monotonic() - clicked) * 1000
    wait_for_export(page)
    page.click("#export-close")
    return latency


def round_trip_ms(page) -> float:
    best = float("inf")
    for _ in range(20):
        started = time.monotonic()
        page.evaluate("1")
        best = min(best, (time.monotonic() - started) * 1000)
    return best


def measure(page, tmp: Path) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    """[(case, longest block per phase, cancel latency per phase)]"""
    page.evaluate(RECORDER)
    results = []
    load_audio(page, long_demo(tmp / "half-hour.wav", LONG_TRACK_SECONDS))
    whole = {"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4", "start": 0, "duration": None}
    page.evaluate(RESET)
    prepare_cancel = cancel_latency(page, whole, "preparing")
    page.evaluate(RESET)
    render_cancel = cancel_latency(page, whole, "rendering", min_frame=30)
    prepare_blocks = longest_blocks(page)
    results.append((f"{LONG_TRACK_SECONDS // 60}-min track, 720p30, whole track",
                    {"preparing": prepare_blocks.get("preparing", 0.0)},
                    {"preparing": prepare_cancel, "rendering": render_cancel}))
    for resolution, fps in CASES:
        short = {"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4", "start": 4,
                 "duration": 2 if resolution == "4k" else 4}
        page.evaluate(RESET)
        open_export_dialog(page)
        fill_export_dialog(page, short)
        start_export(page)
        final = wait_for_export(page)
        page.click("#export-close")
        blocks = longest_blocks(page)
        cancels = {"rendering": cancel_latency(page, short, "rendering", min_frame=3)}
        if resolution != "4k":
            cancels["encoding"] = cancel_latency(page, short, "encoding")
        frame_ms = 1000 * final["phaseSeconds"]["rendering"] / final["total"]
        results.append((f"{resolution}{fps}, {short['duration']} s (a frame takes {frame_ms:.0f} ms)",
                        blocks, cancels))
    return results


def report(results, trip_ms: float) -> None:
    print(f"\nresponsiveness (longest main-thread task per phase; cancel latency incl. a {trip_ms:.0f} ms "
          f"driver round trip); targets 200 ms / 300 ms, at 4K one frame")
    for case, blocks, cancels in results:
        parts = [f"{phase} block {blocks.get(phase, 0):.0f} ms" for phase in ("preparing", "rendering", "encoding")
                 if phase in blocks or phase in cancels]
        parts += [f"cancel in {phase} {ms:.0f} ms" for phase, ms in cancels.items()]
        print(f"  {case}: " + ", ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizengine.cli.bench_responsive")
    parser.add_argument("--site", type=Path, default=DIST, help="the built site (default: dist/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, serve(args.site) as url, \
            launch_persistent_chromium(Path(tmp) / "profile") as context:
        page = context.new_page()
        open_app(page, url)
        results = measure(page, Path(tmp))
        trip = round_trip_ms(page)
    report(results, trip)
    return 0


if __name__ == "__main__":
    sys.exit(main())
