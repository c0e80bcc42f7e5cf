"""The segmented, streamed export (the ffmpeg.wasm encoder; test_webcodecs_export.py has WebCodecs'): segments encode while rendering, join without re-encoding into an OPFS
file with its index first, leave nothing behind, and resume after the page is closed mid-render."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from media import probe
from stored import NOTHING, USAGE, stored
from vizengine.cli.driver import (export_to_file, fill_export_dialog, load_demo, open_app, open_export_dialog,
                                  start_export, wait_for_export)

def wait_for_segments(page, count: int, timeout: float = 300) -> None:
    """Poll from Python: wait_for_function would take an async predicate's Promise as truthy at once."""
    deadline = time.monotonic() + timeout
    while page.evaluate(USAGE)["segments"] < count:
        assert time.monotonic() < deadline, f"fewer than {count} segments stored after {timeout} s"
        page.wait_for_timeout(250)


def export_whole_then_interrupt(browser, site_url: str, settings: dict, whole: Path, segments: int,
                                interrupted_settings: dict | None = None):
    """Export `settings` uninterrupted to `whole` (in a context of its own), then start the same export in a
    fresh context and close its page once `segments` segments are stored; returns that context, whose
    IndexedDB keeps what was stored (no cleanup ran)."""
    clean = browser.new_context(accept_downloads=True)
    page = clean.new_page()
    open_app(page, site_url)
    load_demo(page)
    export_to_file(page, settings, whole)
    clean.close()

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    open_export_dialog(page)
    fill_export_dialog(page, interrupted_settings or settings)
    start_export(page)
    wait_for_segments(page, segments)
    page.close()
    return context


def framemd5(path: Path) -> list[str]:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
                         check=True, capture_output=True, text=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line and not line.startswith("#")]


def moov_before_mdat(path: Path) -> bool:
    data = path.read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


@pytest.fixture(scope="module")
def shared_demo(browser, site_url):
    """One booted app with the demo track for both formats' exports: each export lets go of the file the
    one before left in OPFS, so what is left is still this export's file alone."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    yield page
    context.close()


@pytest.fixture
def segmented_page(shared_demo):
    if shared_demo.locator("#export-close").is_visible():
        shared_demo.click("#export-close")
    return shared_demo


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_segmented_export_has_exact_frames_and_leaves_no_stored_data(segmented_page, tmp_path, fmt):
    demo_page = segmented_page
    # 4.1 s at 30 fps: two whole 2 s segments (one per encode worker) and a 3-frame one.
    out = tmp_path / f"streamed.{fmt}"
    state = export_to_file(demo_page, {"resolution": "720p", "fps": 30, "quality": "medium", "format": fmt,
                                       "start": 3, "duration": 4.1, "encodeWorkers": 2, "encoder": "ffmpeg"}, out)
    info = probe(out)
    assert int(info["video"]["nb_read_frames"]) == 123 == state["total"]
    audio_seconds = float(info["audio"].get("duration") or info["format"]["duration"])
    assert abs(audio_seconds - 4.1) <= 1 / 30
    if fmt == "mp4":
        assert moov_before_mdat(out), "the MP4 index must come first (fast start)"
    leftover = stored(demo_page)
    # The finished file stays in OPFS while its download may still read it, until the next export.
    assert {**leftover, "files": []} == NOTHING and len(leftover["files"]) == 1, leftover


def test_cancel_while_workers_encode_leaves_no_frames_segments_or_files(demo_page):
    open_export_dialog(demo_page)
    fill_export_dialog(demo_page, {"resolution": "720p", "fps": 30, "start": 0, "duration": 12, "encodeWorkers": 2,
                                   "encoder": "ffmpeg"})
    start_export(demo_page)
    wait_for_segments(demo_page, 1)
    demo_page.click("#export-cancel")
    state = wait_for_export(demo_page)
    assert state["phase"] == "cancelled"
    assert stored(demo_page) == NOTHING


def test_closing_the_page_mid_render_then_resuming_gives_the_same_frames(browser, site_url, tmp_path):
    # 4.1 s: three segments (2 s, 2 s, 3 frames); the page closes once the first is stored.
    settings = {"resolution": "720p", "fps": 30, "quality": "medium", "format": "mp4", "start": 1, "duration": 4.1,
                "encodeWorkers": 1, "encoder": "ffmpeg"}
    context = export_whole_then_interrupt(browser, site_url, settings, tmp_path / "whole.mp4", segments=1)
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    page.wait_for_selector("#resume-offer:not([hidden])", timeout=60_000)
    offer = page.locator("#resume-offer .resume-text").inner_text()
    assert "Resume export" in offer and "of 123 frames done" in offer, offer
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#resume-offer .resume-start")
    state = wait_for_export(page)
    assert state["phase"] == "complete", state.get("error")
    assert any(line["message"].startswith("resuming") for line in state["logs"])
    page.wait_for_timeout(500)
    resumed = tmp_path / "resumed.mp4"
    downloads[0].save_as(str(resumed))
    context.close()

    assert len(framemd5(resumed)) == 123
    assert framemd5(resumed) == framemd5(tmp_path / "whole.mp4")
