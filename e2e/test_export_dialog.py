"""Exports started by clicking through the dialog, checked with ffprobe and with pixels."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from media import frames_rgb, probe, tone_after_silence
from vizengine.cli.driver import export_to_file, load_audio, load_demo

# The default encoder, auto, is WebCodecs in this Chromium (ffmpeg.wasm's own codecs: test_streamed_export.py).
CODECS = {"mp4": ("h264", "aac"), "webm": ("vp9", "opus")}


@pytest.fixture(scope="module")
def shared_demo(module_page):
    load_demo(module_page)
    return module_page


@pytest.fixture
def dialog_page(shared_demo):
    """The module's one booted app with the demo track, the dialog closed (each export fills every field
    it relies on)."""
    close = shared_demo.locator("#export-close")
    if close.is_visible():
        close.click()
    return shared_demo


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_dialog_export_has_exact_frames_codecs_size_and_synced_audio(dialog_page, tmp_path, fmt):
    demo_page = dialog_page
    fps, duration = 30, Fraction(4, 3)
    out = tmp_path / f"clip.{fmt}"
    state = export_to_file(demo_page, {"resolution": "720p", "fps": fps, "quality": "medium", "format": fmt,
                                       "start": 2.5, "duration": float(duration)}, out)

    info = probe(out)
    video, audio = info["video"], info["audio"]
    assert info["stream_count"] == 2
    assert (video["codec_name"], audio["codec_name"]) == CODECS[fmt]
    assert (video["width"], video["height"]) == (1280, 720)
    assert int(video["nb_read_frames"]) == duration * fps == state["total"]
    video_seconds = int(video["nb_read_frames"]) / fps
    audio_seconds = float(audio.get("duration") or info["format"]["duration"])
    assert abs(audio_seconds - video_seconds) <= 1 / fps
    assert state["result"]["file_name"].endswith(f".{fmt}")
    assert out.suffix == f".{fmt}"


def test_visuals_change_on_the_exact_frame_the_sound_starts(page, tmp_path):
    """0.5 s of silence then a tone: frame 15 at 30 fps still shows silence (its analysis window ends at
    0.5 s), frame 16 is the first to show sound. Bars and waveform must appear exactly there."""
    track = tone_after_silence(tmp_path / "tone.wav", silence=0.5, tone=0.5)
    load_audio(page, track)
    out = tmp_path / "tone.mp4"
    export_to_file(page, {"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4",
                          "start": 0, "duration": 1}, out)

    frames = frames_rgb(out, 1280, 720).astype(np.float32)
    assert len(frames) == 30
    bottom = frames[:, 480:, :, :].mean(axis=(1, 2, 3))  # where the spectrum bars stand
    steps = np.abs(np.diff(bottom))
    onset = steps[15]  # frame 15 -> 16
    quiet = steps[:15].max()
    assert onset > 5 * quiet and onset > 2.0, (onset, quiet, bottom.round(2).tolist())
    assert frames[16].std() > frames[15].std()


def test_range_past_the_end_is_refused_with_a_clear_message_and_stores_nothing(dialog_page):
    demo_page = dialog_page
    from vizengine.cli.driver import fill_export_dialog, open_export_dialog, start_export, wait_for_export

    open_export_dialog(demo_page)
    fill_export_dialog(demo_page, {"resolution": "720p", "fps": 30, "start": 23, "duration": 5})
    start_export(demo_page)
    state = wait_for_export(demo_page)
    assert state["phase"] == "failed"
    assert "past the end of the track" in state["error"]
    assert "past the end of the track" in demo_page.locator("#export-error").inner_text()
    assert demo_page.evaluate("async () => await window.vizengine.segments.usage()") == {"frames": 0, "segments": 0, "exports": 0}


def test_hiding_the_tab_during_an_export_warns_in_the_log(demo_page):
    from vizengine.cli.driver import fill_export_dialog, open_export_dialog, start_export, wait_for_export

    open_export_dialog(demo_page)
    fill_export_dialog(demo_page, {"resolution": "720p", "fps": 30, "start": 0, "duration": 0.5})
    start_export(demo_page)
    demo_page.wait_for_function("() => window.vizengine.state?.phase === 'rendering'")
    demo_page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {value: true, configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    state = wait_for_export(demo_page)
    assert state["phase"] == "complete"
    assert "The tab is hidden" in demo_page.locator("#export-log").inner_text()
