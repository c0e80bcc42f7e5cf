"""The WebCodecs encoder in real Chromium: MP4 = H.264 + AAC and WebM = VP9 + Opus with exact frames, files
Chromium's own <video> plays and seeks, the same colours and the same audio/video sync as the ffmpeg.wasm
path, `auto` choosing it and saying so, and a cancel that leaves nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from media import frames_rgb, probe, tone_after_silence
from stored import NOTHING, USAGE, stored
from vizengine.cli.driver import (export_to_file, fill_export_dialog, load_audio, load_demo, open_app,
                                  open_export_dialog, start_export, wait_for_export)

CODECS = {"mp4": ("h264", "aac"), "webm": ("vp9", "opus")}
FFMPEG_CODECS = {"mp4": ("h264", "aac"), "webm": ("vp8", "vorbis")}
FPS = 30

# Chromium's player on the dialog's result panel: wait for the file, seek, draw the frame shown, average it.
PLAYER = """async (v, t) => {
  await new Promise((ok, fail) => {
    if (v.readyState >= 1) ok(); else { v.onloadedmetadata = ok; v.onerror = () => fail(v.error?.message); }
  });
  const duration = v.duration;
  v.currentTime = t;
  await new Promise((ok, fail) => { v.onseeked = ok; v.onerror = () => fail(v.error?.message); });
  if (v.readyState < 2) await new Promise((ok) => { v.onloadeddata = ok; });
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; }
  const n = d.length / 4;
  return { duration, time: v.currentTime, size: [v.videoWidth, v.videoHeight], mean: sum.map((s) => s / n) };
}"""


def play_in_chromium(page, t: float) -> dict:
    """The exported file in the result panel's own player, at `t` seconds."""
    return page.get_by_role("region", name="Export result").locator("video").evaluate(PLAYER, t)


def encoder_lines(state: dict) -> list[str]:
    return [line["message"] for line in state["logs"] if line["message"].startswith("encoder")]


@pytest.fixture(scope="module")
def shared_demo(browser, site_url):
    """One booted app with the demo track for both formats' auto exports (each fills every field it needs)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    yield page
    context.close()


@pytest.fixture
def auto_page(shared_demo):
    if shared_demo.locator("#export-close").is_visible():
        shared_demo.click("#export-close")
    return shared_demo


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_auto_picks_webcodecs_and_its_file_has_the_codecs_exact_frames_and_plays_in_chromium(auto_page, tmp_path, fmt):
    demo_page = auto_page
    # 2.1 s at 30 fps: a whole 2 s segment and a 3-frame one, so the join runs.
    out = tmp_path / f"webcodecs.{fmt}"
    state = export_to_file(demo_page, {"resolution": "720p", "fps": FPS, "quality": "medium", "format": fmt,
                                       "start": 1, "duration": 2.1}, out)
    lines = encoder_lines(state)
    assert any("WebCodecs, auto" in line for line in lines), lines
    assert "encoder ready: webcodecs" in lines

    info = probe(out)
    assert (info["video"]["codec_name"], info["audio"]["codec_name"]) == CODECS[fmt]
    assert int(info["video"]["nb_read_frames"]) == 63 == state["total"]
    assert (info["video"]["width"], info["video"]["height"]) == (1280, 720)
    video_seconds = float(info["video"].get("duration") or info["format"]["duration"])
    audio_seconds = float(info["audio"].get("duration") or info["format"]["duration"])
    assert abs(video_seconds - 2.1) <= 1 / FPS and abs(audio_seconds - 2.1) <= 1 / FPS, (video_seconds, audio_seconds)

    panel = demo_page.get_by_role("region", name="Export result")
    assert panel.locator("dd[data-field=codecs]").inner_text() == f"{'H.264 + AAC' if fmt == 'mp4' else 'VP9 + Opus'} (WebCodecs)"
    played = play_in_chromium(demo_page, 62 / FPS + 0.5 / FPS)  # the last frame
    assert abs(played["duration"] - 2.1) <= 1 / FPS, played
    assert abs(played["time"] - (62.5 / FPS)) < 1 / FPS and played["size"] == [1280, 720]
    assert max(played["mean"]) > 5, "the last frame decoded to black"
    assert {**stored(demo_page), "files": []} == NOTHING


def flat(page, colour: str) -> None:
    """Every layer invisible and the stage `colour`: each frame is one flat colour."""
    for slider in page.get_by_role("region", name="Layers").get_by_role("slider").all():
        slider.fill("0")  # every layer's opacity (and the smoothing, which a flat frame does not show)
    page.get_by_label("Stage background").fill(colour)


FLAT = {"black": ("#000000", (0, 0, 0)), "white": ("#ffffff", (255, 255, 255)), "red": ("#ff0000", (255, 0, 0))}


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_flat_black_white_and_red_keep_their_colours_in_ffmpeg_and_in_chromium(demo_page, tmp_path, fmt):
    """WebCodecs' H.264 is full range (yuvj420p) where x264's is limited: either way the decoded colour must be
    the ffmpeg path's (MP4) and the colour asked for. The ffmpeg path's WebM is VP8, which cannot say which
    matrix it used; decoders take BT.601 where it wrote BT.709, so its red is off (see the README's Known
    limits): WebM is held to the colour asked for only."""
    means = {}
    for name, (css, _) in FLAT.items():
        flat(demo_page, css)
        for encoder in ("webcodecs", "ffmpeg"):
            out = tmp_path / f"{name}-{encoder}.{fmt}"
            state = export_to_file(demo_page, {"resolution": "720p", "fps": FPS, "format": fmt, "start": 0,
                                               "duration": 0.2, "encoder": encoder}, out)
            assert f"encoder ready: {'webcodecs' if encoder == 'webcodecs' else 'ffmpeg.wasm, segmented'}" in encoder_lines(state)
            decoded = frames_rgb(out, 1280, 720)
            assert len(decoded) == 6
            means[name, encoder] = {"ffmpeg": decoded.reshape(-1, 3).mean(axis=0),
                                    "chromium": np.array(play_in_chromium(demo_page, 0.05)["mean"])}
            demo_page.click("#export-close")
    print({key: {player: mean.round(1).tolist() for player, mean in value.items()} for key, value in means.items()})
    for name, (_, rgb) in FLAT.items():
        for player in ("ffmpeg", "chromium"):
            ours, theirs = means[name, "webcodecs"][player], means[name, "ffmpeg"][player]
            # and within what 8-bit video keeps of the colour asked for
            assert np.abs(ours - rgb).max() <= 3, (name, fmt, player, ours)
            if fmt == "mp4":
                assert np.abs(ours - theirs).max() <= 2, (name, fmt, player, ours, theirs)


def onsets(path: Path, fps: int) -> tuple[float, float]:
    """(first frame that clearly differs from frame 0, in s; first audio sample above -30 dBFS, in s)."""
    frames = frames_rgb(path, 1280, 720).astype(np.float32)
    change = np.abs(frames - frames[0]).mean(axis=(1, 2, 3))
    # A tenth of the biggest change: above the frame-to-frame wobble of a lossy encode of a still picture.
    video = int(np.argmax(change > max(1.0, 0.1 * change.max()))) / fps
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-ac", "1", "-ar", "48000",
                          "-f", "f32le", "-"], check=True, capture_output=True).stdout
    audio = np.frombuffer(raw, dtype=np.float32)
    return video, int(np.argmax(np.abs(audio) > 10 ** (-30 / 20))) / 48_000


@pytest.fixture(scope="module")
def click_page(browser, site_url, tmp_path_factory):
    """One booted app with the click track, for both formats."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    open_app(page, site_url)
    load_audio(page, tone_after_silence(tmp_path_factory.mktemp("click") / "click.wav", silence=0.31, tone=0.69))
    yield page
    context.close()


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_click_is_heard_and_seen_together_with_either_encoder(click_page, tmp_path, fmt):
    # The tone starts at 0.31 s, between frames 9 (0.300 s) and 10 (0.333 s): frame 10 is the first whose
    # analysis hears it, and the audio must start 0.31 s into the file, in both encoders' files.
    page = click_page
    seen = {}
    for encoder in ("webcodecs", "ffmpeg"):
        out = tmp_path / f"click-{encoder}.{fmt}"
        export_to_file(page, {"resolution": "720p", "fps": FPS, "format": fmt, "start": 0, "duration": 1,
                              "encoder": encoder}, out)
        page.click("#export-close")
        seen[encoder] = onsets(out, FPS)
    for encoder, (video, audio) in seen.items():
        assert video == pytest.approx(10 / FPS), (encoder, seen)
        assert abs(audio - 0.31) <= 0.002, (encoder, seen)  # a tenth of a frame
    assert seen["webcodecs"][0] == seen["ffmpeg"][0]


def test_cancel_mid_render_with_webcodecs_leaves_no_segments_or_files_and_the_next_export_works(demo_page, tmp_path):
    page = demo_page
    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": "720p", "fps": FPS, "format": "webm", "start": 0, "duration": 12,
                              "encoder": "webcodecs"})
    start_export(page)
    page.wait_for_function("() => window.vizengine.state?.phase === 'rendering' && window.vizengine.state.frame >= 70",
                           timeout=180_000)
    assert page.evaluate(USAGE)["segments"] >= 1  # the first segment really was stored
    page.click("#export-cancel")
    state = wait_for_export(page)
    assert state["phase"] == "cancelled"
    assert stored(page) == NOTHING
    assert page.evaluate("window.vizengine.webcodecs.encoders.size") == 0

    page.click("#export-close")
    out = tmp_path / "after-cancel.webm"
    export_to_file(page, {"duration": 0.2, "encoder": "webcodecs"}, out)
    assert int(probe(out)["video"]["nb_read_frames"]) == 6


def test_closing_the_page_mid_render_then_resuming_a_webcodecs_export_reencodes_only_missing_segments(
        browser, site_url, tmp_path):
    from test_streamed_export import export_whole_then_interrupt, framemd5

    settings = {"resolution": "720p", "fps": FPS, "quality": "medium", "format": "webm", "start": 1, "duration": 6,
                "encoder": "webcodecs"}
    # The interrupted export asks for auto, which runs the same encoder, so it resumes.
    context = export_whole_then_interrupt(browser, site_url, settings, tmp_path / "whole.webm", segments=1,
                                          interrupted_settings={**settings, "encoder": "auto"})
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    page.wait_for_selector("#resume-offer:not([hidden])", timeout=60_000)
    assert "of 180 frames done" in page.locator("#resume-offer .resume-text").inner_text()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#resume-offer .resume-start")
    state = wait_for_export(page)
    assert state["phase"] == "complete", state.get("error")
    resumed_line = [line["message"] for line in state["logs"] if line["message"].startswith("resuming")]
    assert resumed_line and not resumed_line[0].startswith("resuming: 0 "), resumed_line
    page.wait_for_timeout(500)
    resumed = tmp_path / "resumed.webm"
    downloads[0].save_as(str(resumed))
    context.close()

    info = probe(resumed)
    assert (info["video"]["codec_name"], int(info["video"]["nb_read_frames"])) == ("vp9", 180)
    # Each segment is its own encode from the same frames: the resumed file decodes like the whole one.
    assert framemd5(resumed) == framemd5(tmp_path / "whole.webm")
