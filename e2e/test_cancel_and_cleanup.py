"""Cancel mid-render or mid-encode: nothing left in IndexedDB or OPFS, playback as it was, page usable."""

from __future__ import annotations

from vizengine.cli.driver import (export_to_file, fill_export_dialog, open_export_dialog, start_export,
                                  wait_for_export)
from media import probe
from stored import NOTHING, USAGE, stored


def test_cancel_during_render_leaves_no_frames_restores_playback_and_allows_another_export(demo_page, tmp_path):
    page = demo_page
    page.click("#play")
    page.wait_for_function("() => window.vizengine.playback.playing")

    open_export_dialog(page)
    # ffmpeg.wasm: its frames reach IndexedDB from the first one (WebCodecs' cancel: test_webcodecs_export.py)
    fill_export_dialog(page, {"resolution": "720p", "fps": 30, "format": "mp4", "start": 0, "duration": 20,
                              "encoder": "ffmpeg"})
    start_export(page)
    page.wait_for_function("() => window.vizengine.state?.phase === 'rendering' && window.vizengine.state.frame >= 10",
                           timeout=120_000)
    assert page.evaluate("window.vizengine.playback.playing") is False  # the export paused the preview
    assert page.locator("#use-demo").is_disabled() and page.locator("#audio-file").is_disabled()
    went = page.evaluate(USAGE)
    assert went["frames"] + went["segments"] >= 1, went  # frames really went to IndexedDB
    page.click("#export-cancel")
    state = wait_for_export(page)

    assert state["phase"] == "cancelled"
    assert state["frame"] < state["total"]
    assert stored(page) == NOTHING
    assert page.evaluate("window.vizengine.playback.playing") is True
    assert page.locator("#export-phase").inner_text() == "Cancelled"
    assert page.locator("#use-demo").is_enabled() and page.locator("#play").is_enabled()

    page.click("#export-close")
    out = tmp_path / "after-cancel.mp4"
    export_to_file(page, {"duration": 0.2}, out)
    assert int(probe(out)["video"]["nb_read_frames"]) == 6
    assert page.evaluate(USAGE) == {"frames": 0, "segments": 0, "exports": 0}


def test_cancel_while_joining_segments_leaves_nothing_and_the_next_export_works(demo_page, tmp_path):
    page = demo_page
    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": "720p", "fps": 30, "format": "mp4", "start": 1, "duration": 2,
                              "encoder": "ffmpeg"})
    start_export(page)
    page.wait_for_function("() => window.vizengine.state?.phase === 'encoding'", timeout=180_000, polling=50)
    page.click("#export-cancel")
    state = wait_for_export(page)

    assert state["phase"] == "cancelled"
    assert stored(page) == NOTHING

    page.click("#export-close")
    out = tmp_path / "after-encode-cancel.webm"
    export_to_file(page, {"format": "webm", "duration": 0.2, "encoder": "ffmpeg"}, out)
    info = probe(out)
    assert info["video"]["codec_name"] == "vp8" and int(info["video"]["nb_read_frames"]) == 6
