"""How right the export's ETA is: the ETA the dialog showed once 10 % of the frames were rendered, against
the time the export actually still took from there (part of `make bench`; alone:
`python -m vizengine.cli.bench_eta`). The aim is within 20 %.

Each case exports the demo track through the dialog as a user would: it opens the dialog, waits for the
estimate (and the warm-up, on a machine with nothing measured), then clicks Start. "first export" starts
with no stored figures; the later cases follow it, so they have the figures of the export before them.
For comparison it prints what the old ETA (the overall progress fraction extrapolated) said at that moment.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ..export.estimate import WARMUP_TO_ALONE, Timing
from .driver import fill_export_dialog, load_demo, open_app, open_export_dialog, start_export, wait_for_export

TIMING_KEY = "viz-engine:export-timing"  # web/src/host.js
AT = 0.10
# (label, resolution, fps, start, seconds, forget the stored figures first)
CASES = [
    ("first export", "720p", 30, 2, 20, True),
    ("after an export", "720p", 30, 2, 20, False),
    ("other size, after an export", "1080p", 30, 4, 10, False),
]


def measure(page, resolution: str, fps: int, start: float, seconds: float, forget: bool = False) -> dict:
    """One export; the ETA shown when the render passed AT of the frames and the time actually left."""
    if forget:
        page.evaluate("key => localStorage.removeItem(key)", TIMING_KEY)
    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4",
                              "start": start, "duration": seconds})
    # What a user sees before clicking Start: the estimate, measured by the warm-up if nothing was stored.
    page.wait_for_function("() => document.getElementById('export-estimate').dataset.basis "
                           "&& document.getElementById('export-estimate').dataset.basis !== 'default'",
                           timeout=30_000)
    estimated = float(page.evaluate("document.getElementById('export-estimate').dataset.seconds"))
    basis = page.evaluate("document.getElementById('export-estimate').dataset.basis")
    before = stored(page)
    seen: dict = {}

    def on_state(state: dict) -> None:
        total = state.get("total") or 0
        if "eta" not in seen and state.get("phase") == "rendering" and total and state["frame"] >= AT * total \
                and state.get("eta") is not None:
            progress, elapsed = state["progress"], state["elapsed"]
            seen.update(eta=state["eta"], elapsed=elapsed, frame=state["frame"], total=total,
                        old_eta=elapsed * (1 - progress) / progress)

    start_export(page)
    state = wait_for_export(page, on_state, poll=0.1)
    page.click("#export-close")
    if state["phase"] != "complete" or "eta" not in seen:
        raise RuntimeError(f"export ended as {state['phase']} before an ETA at {AT:.0%} was seen: {state.get('error')}")
    actual = state["elapsed"] - seen["elapsed"]
    return {**seen, "actual": actual, "error": (seen["eta"] - actual) / actual,
            "old_error": (seen["old_eta"] - actual) / actual, "total_seconds": state["elapsed"],
            "estimated": estimated, "basis": basis, "before": before, "after": stored(page)}


def stored(page) -> Timing | None:
    return Timing.from_json(page.evaluate("key => localStorage.getItem(key)", TIMING_KEY))


def measure_cases(page, cases=CASES) -> list[tuple[str, str, int, float, dict]]:
    return [(label, resolution, fps, seconds, measure(page, resolution, fps, start, seconds, forget))
            for label, resolution, fps, start, seconds, forget in cases]


def report(rows: list[tuple[str, str, int, float, dict]]) -> None:
    print(f"\nETA after {AT:.0%} of the frames vs the time actually left (aim: within 20 %):")
    for label, resolution, fps, seconds, m in rows:
        print(f"  {resolution}@{fps}, {seconds:g} s ({m['total']} frames), {label}: at frame {m['frame']} "
              f"({m['elapsed']:.1f} s in) ETA {m['eta']:.1f} s, actually {m['actual']:.1f} s left: "
              f"{m['error']:+.0%} (the old overall-progress ETA: {m['old_error']:+.0%}); before Start the "
              f"estimate said {m['estimated']:.0f} s ({m['basis']}), it took {m['total_seconds']:.0f} s "
              f"({(m['estimated'] - m['total_seconds']) / m['total_seconds']:+.0%})")
        after, before = m["after"], m["before"]
        if after is not None:
            alone = after.first_seconds / after.first_frames
            warm = ""
            if before is not None and before.source == "warmup":
                raw = before.first_seconds / before.frames / WARMUP_TO_ALONE  # what the warm-up timed
                warm = f"; the warm-up timed {1000 * raw:.0f} ms per frame: alone = {alone / raw:.2f} x that"
            print(f"    measured ({after.encoder}): alone {1000 * alone:.0f} ms per frame, shared ratio "
                  f"{after.shared_ratio:.2f}, "
                  f"tail {after.tail_seconds:.1f} s = {after.tail_ratio:.2f} x the first segment, preparing "
                  f"{after.prepare_seconds:.1f} s{warm}")


def main() -> int:
    from .browser import launch_persistent_chromium
    from .render import DIST
    from .server import serve

    print("viz-engine ETA bench: the demo track, MP4 high, headless Chromium (software GL)")
    with tempfile.TemporaryDirectory() as tmp, serve(DIST) as url, \
            launch_persistent_chromium(Path(tmp) / "profile") as context:
        page = context.new_page()
        open_app(page, url, autosave=False)
        load_demo(page)
        rows = measure_cases(page)
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
