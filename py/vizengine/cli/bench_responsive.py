"""How responsive the page stays during an export, for `make bench` (issue 8, point 5).

Two figures per phase (preparing, rendering, encoding = the work after the last frame):
- the longest main-thread block: Chromium's Long Tasks API reports every task over 50 ms; each task is
  put in the phase that was current when it began (the page's state callback is timestamped);
- the cancel latency: from the click on Cancel (the event's own timestamp: when the browser received
  the input) until the page reports the export cancelled. The driver clicks by coordinates, as a
  user's mouse does, with no extra round trips into the page.

Preparing is measured on a 30-minute track (the whole track exported), the other phases on a 2 s range,
with each encoder.
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
# Both encoders where a frame is quick: the ffmpeg.wasm path's JPEG is main-thread work that WebCodecs
# does not have. 4K with the default encoder only: a frame there takes over a second either way.
CASES = [("720p", 30, "webcodecs"), ("720p", 30, "ffmpeg"), ("1080p", 60, "webcodecs"), ("1080p", 60, "ffmpeg"),
         ("4k", 30, "auto")]

# Long tasks and phase changes, both on performance.now()'s clock. host.onState is looked up on every
# state change (bridge.App), so wrapping it sees each one as it happens.
RECORDER = """() => {
  const rec = window.__responsive = { tasks: [], phases: [], clicks: [] };
  document.addEventListener('click', (event) => {
    if (/** @type {Element} */ (event.target).id === 'export-cancel') rec.clicks.push(event.timeStamp);
  }, true);
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

RESET = "() => { const rec = window.__responsive; rec.tasks = []; rec.phases = []; rec.clicks = []; }"

LATENCY = """() => {
  const rec = window.__responsive;
  const cancelled = rec.phases.findLast(([, phase]) => phase === 'cancelled');
  return cancelled && rec.clicks.length ? cancelled[0] - rec.clicks[rec.clicks.length - 1] : null;
}"""


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
    return cancelled_export(page, settings, phase, min_frame)[0]


def cancelled_export(page, settings: dict, phase: str, min_frame: int = 0) -> tuple[float, dict]:
    """cancel_latency and the export's last state."""
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
    # Measured now, not before Start: Start clears the last result panel, which moves the button.
    box = page.locator("#export-cancel").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    missed = time.monotonic() + 60
    while _state(page).get("phase") not in FINISHED:
        if time.monotonic() > missed:  # a click that missed would leave the export running for hours
            raise RuntimeError(f"Cancel was clicked but the export is still {_state(page).get('phase')}")
        time.sleep(0.05)
    final = wait_for_export(page)
    latency = page.evaluate(LATENCY)
    if latency is None:
        raise RuntimeError(f"the click on Cancel did not cancel the export (it ended as {final['phase']})")
    page.click("#export-close")
    return latency, final


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
    print(f"  measured prepare: blocks {prepare_blocks}, cancels {prepare_cancel:.0f}, {render_cancel:.0f} ms",
          flush=True)
    results.append((f"{LONG_TRACK_SECONDS // 60}-min track, 720p30, whole track",
                    {phase: prepare_blocks.get(phase, 0.0) for phase in ("preparing", "rendering")},
                    {"preparing": prepare_cancel, "rendering": render_cancel}))
    for resolution, fps, encoder in CASES:
        short = {"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4", "start": 4,
                 "duration": 2, "encoder": encoder}
        page.evaluate(RESET)
        if resolution == "4k":  # a whole 4K export takes minutes here: blocks and cancel while rendering
            latency, final = cancelled_export(page, short, "rendering", min_frame=3)
            frame_ms = 1000 * final["phaseSeconds"]["rendering"] / max(final["frame"], 1)
            results.append((f"{resolution}{fps} {encoder} (a frame takes {frame_ms:.0f} ms)", longest_blocks(page),
                            {"rendering": latency}))
            print(f"  measured {results[-1]}", flush=True)
            continue
        open_export_dialog(page)
        fill_export_dialog(page, short)
        start_export(page)
        final = wait_for_export(page)
        page.click("#export-close")
        blocks = longest_blocks(page)
        cancels = {"rendering": cancel_latency(page, short, "rendering", min_frame=3),
                   "encoding": cancel_latency(page, short, "encoding")}
        frame_ms = 1000 * final["phaseSeconds"]["rendering"] / final["total"]
        results.append((f"{resolution}{fps} {encoder}, {short['duration']} s (a frame takes {frame_ms:.0f} ms)",
                        blocks, cancels))
        print(f"  measured {results[-1]}", flush=True)
    return results


def report(results) -> None:
    print("\nresponsiveness (longest main-thread task per phase; cancel latency from the click); targets "
          "200 ms / 300 ms, at 4K one frame")
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
        open_app(page, url, autosave=False)
        results = measure(page, Path(tmp))
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
