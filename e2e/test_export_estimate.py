"""The export dialog's estimate before Start (frames, video length, export time, file size, warnings) and
the elapsed time, frames per second and ETA during an export."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
from playwright.sync_api import expect

from vizengine.cli.driver import load_audio, load_demo, open_export_dialog, wait_for_export
from vizengine.cli.long_track import long_demo
from vizengine.export.estimate import Timing, estimate
from vizengine.export.settings import ExportSettings

TIMING_KEY = "viz-engine:export-timing"


def parts(page):
    dialog = page.get_by_role("dialog", name="Export video")
    box = dialog.get_by_role("region", name="Estimate")
    return dialog, box


def figure(box, name: str):
    """The value beside the term `name` (a dt/dd pair)."""
    return box.locator(f"dt:text-is('{name}') + dd")


def choose(dialog, resolution="720p", fps="30", start=None, duration=None) -> None:
    dialog.get_by_label("Resolution").select_option(resolution)
    dialog.get_by_label("Frame rate").select_option(fps)
    if start is not None:
        dialog.get_by_label("Start (s or m:ss)").fill(start)
    if duration is not None:
        dialog.get_by_label("Duration (s or m:ss)").fill(duration)


def shown(box, page) -> dict:
    """The estimate once it reflects the form as it is now (it refreshes on input and on a short poll)."""
    page.wait_for_function("""() => {
        const box = document.getElementById('export-estimate');
        const form = document.getElementById('export-form');
        const now = Object.fromEntries(['resolution', 'fps', 'quality', 'format', 'start', 'duration', 'encodeWorkers']
            .map((name) => [name, form.elements.namedItem(name).value]));
        return box.dataset.settings === JSON.stringify(now);
    }""")
    return box.evaluate("box => ({...box.dataset})")


def track_seconds(page) -> Fraction:
    length, rate = page.evaluate("[window.vizengine.playback.buffer.length, window.vizengine.playback.buffer.sampleRate]")
    return Fraction(length, rate)


def stored_timing(page) -> Timing | None:
    return Timing.from_json(page.evaluate("key => localStorage.getItem(key)", TIMING_KEY))


def settings_of(resolution="720p", fps=30, start="0", duration="") -> ExportSettings:
    return ExportSettings.from_dict({"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4",
                                     "start": start, "duration": duration})


@pytest.fixture(scope="module")
def shared_demo(module_page):
    load_demo(module_page)
    return module_page


@pytest.fixture
def demo_page(shared_demo):
    """The module's one booted app with the demo track, the dialog closed. The first test to use it (the
    file's first) sees a fresh app, with nothing measured yet."""
    if shared_demo.locator("#export-close").is_visible():
        shared_demo.click("#export-close")
    return shared_demo


def test_the_estimate_counts_the_chosen_ranges_frames_and_length_and_follows_the_resolution(demo_page):
    page = demo_page
    size = page.evaluate("[document.getElementById('stage-canvas').width, document.getElementById('stage-canvas').height]")
    open_export_dialog(page)
    dialog, box = parts(page)
    track = track_seconds(page)

    for fps, start, duration in (("30", "1.5", "2"), ("60", "0:01.5", "0:02"), ("120", "3", ""), ("30", "", "0.25")):
        choose(dialog, fps=fps, start=start, duration=duration)
        data = shown(box, page)
        expected = settings_of(fps=int(fps), start=start, duration=duration).frame_range(track)
        assert int(data["frames"]) == expected.count, (fps, start, duration)
        expect(figure(box, "Frames")).to_have_text(f"{expected.count:,}")
        seconds = float(expected.duration)
        expect(figure(box, "Video length")).to_have_text(f"{int(seconds // 60)}:{seconds % 60:05.2f}")
    expect(figure(box, "Export time")).to_have_text(re.compile(r"^about \d"))
    expect(figure(box, "File size")).to_have_text(re.compile(r"^about [\d.]+ (kB|MB|GB)$"))

    choose(dialog, resolution="720p", fps="30", start="1", duration="4")
    small = shown(box, page)
    choose(dialog, resolution="1080p", fps="30", start="1", duration="4")
    large = shown(box, page)
    assert large["frames"] == small["frames"]
    assert float(large["seconds"]) > 1.5 * float(small["seconds"])
    assert float(large["bytes"]) > 1.5 * float(small["bytes"])

    # With nothing measured yet, opening the dialog ran the warm-up: the estimate says it is rough.
    expect(box).to_have_attribute("data-basis", "warmup", timeout=30_000)
    expect(box).to_contain_text("warm-up")
    assert stored_timing(page).source == "warmup"
    # ... and the preview was left as it was.
    assert page.evaluate("[document.getElementById('stage-canvas').width, document.getElementById('stage-canvas').height]") == size

    choose(dialog, duration="abc")
    expect(figure(box, "Frames")).to_have_text("—")
    expect(box).to_contain_text("Fix the settings above")
    choose(dialog, start="0:23", duration="5")
    expect(box).to_contain_text("runs past the end of the track")

    # A range set from code, with no input event (as the timeline's markers set it), shows too.
    page.evaluate("""() => {
        document.querySelector('#export-form [name="start"]').value = '0';
        document.querySelector('#export-form [name="duration"]').value = '1';
    }""")
    assert int(shown(box, page)["frames"]) == 30
    expect(figure(box, "Video length")).to_have_text("0:01.00")


def test_after_a_short_export_the_time_estimate_is_scaled_from_its_measured_figures(demo_page):
    page = demo_page
    open_export_dialog(page)
    dialog, box = parts(page)
    choose(dialog, start="1", duration="0.5")
    dialog.get_by_role("button", name="Start", exact=True).click()
    state = wait_for_export(page)
    assert state["phase"] == "complete"

    measured = stored_timing(page)
    assert measured.source == "export" and measured.frames == 15 and (measured.width, measured.height) == (1280, 720)
    assert measured.encoder == "webcodecs"  # auto, in a Chromium with WebCodecs
    assert measured.render_seconds == pytest.approx(state["phaseSeconds"]["rendering"], rel=1e-6)
    assert measured.tail_seconds == pytest.approx(state["phaseSeconds"]["encoding"], rel=1e-6)
    assert 0 < measured.first_seconds <= measured.render_seconds

    track = track_seconds(page)
    results = {}
    for resolution, duration in (("720p", "1"), ("720p", "4"), ("1080p", "1")):
        choose(dialog, resolution=resolution, start="1", duration=duration)
        data = shown(box, page)
        assert data["basis"] == "export"
        expected = estimate(settings_of(resolution, 30, "1", duration), track, measured, webcodecs=True)
        assert float(data["seconds"]) == pytest.approx(expected.seconds, rel=1e-6)
        results[resolution, duration] = float(data["seconds"])
    expect(box).to_contain_text("from your last export on this machine (720p30, 15 frames")
    # Three seconds more of video: 30 more frames of the first segment at the pace that export measured,
    # 60 with segments encoding beside them, and a tail for a whole segment instead of 30 frames.
    alone = measured.first_seconds / measured.frames
    more = 30 + 60 * measured.shared_ratio + 30 * measured.tail_ratio
    assert results["720p", "4"] - results["720p", "1"] == pytest.approx(more * alone, rel=0.01)
    # The same frames at 1080p: render and tail scale with the pixels, preparing does not.
    ratio = (1920 * 1080) / (1280 * 720)
    assert results["1080p", "1"] - results["720p", "1"] == pytest.approx(
        (ratio - 1) * (results["720p", "1"] - measured.prepare_seconds - 30 * 0.00005), rel=0.01)


def test_a_whole_long_track_at_4k120_warns_it_takes_over_half_an_hour_and_start_stays_enabled(page, tmp_path):
    load_audio(page, long_demo(tmp_path / "five-minutes.wav", 300))
    open_export_dialog(page)
    dialog, box = parts(page)
    choose(dialog, resolution="4k", fps="120", start="", duration="")
    data = shown(box, page)
    assert int(data["frames"]) == 300 * 120
    warnings = box.get_by_role("list", name="Estimate warnings")
    expect(warnings).to_be_visible()
    expect(warnings).to_contain_text("over 30 minutes")
    expect(dialog.get_by_role("button", name="Start", exact=True)).to_be_enabled()
    choose(dialog, resolution="720p", fps="30", duration="1")
    expect(warnings).to_be_hidden()


def test_more_storage_than_the_browser_has_left_is_a_warning(demo_page):
    page = demo_page
    page.evaluate("() => { navigator.storage.estimate = async () => ({quota: 60e6, usage: 55e6}); }")
    open_export_dialog(page)
    dialog, box = parts(page)
    choose(dialog, resolution="1080p", fps="60", start="", duration="")
    warnings = box.get_by_role("list", name="Estimate warnings")
    expect(warnings).to_contain_text("browser storage")
    expect(warnings).to_contain_text("5.0 MB")
    expect(dialog.get_by_role("button", name="Start", exact=True)).to_be_enabled()
    page.evaluate("() => { navigator.storage.estimate = async () => ({quota: 100e9, usage: 0}); }")
    dialog.get_by_role("button", name="Close").click()
    open_export_dialog(page)
    expect(box).to_contain_text("Export time")
    expect(box).not_to_contain_text("browser storage")  # (it may still say it takes long)


def test_during_an_export_elapsed_fps_and_eta_show_and_change(demo_page):
    page = demo_page
    open_export_dialog(page)
    dialog, _ = parts(page)
    choose(dialog, start="2", duration="1")
    # Every change of the progress line, as the user saw it.
    page.evaluate("""() => {
        const box = document.getElementById('export-progress');
        window.seenTiming = [];
        new MutationObserver(() => window.seenTiming.push({
            phase: box.dataset.phase,
            elapsed: document.getElementById('export-elapsed').textContent,
            fps: document.getElementById('export-fps').textContent,
            eta: document.getElementById('export-eta').textContent,
        })).observe(box, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")
    dialog.get_by_role("button", name="Start", exact=True).click()
    state = wait_for_export(page)
    assert state["phase"] == "complete"
    seen = page.evaluate("window.seenTiming")
    rendering = [s for s in seen if s["phase"] == "rendering"]
    assert rendering, json.dumps(seen[:5])
    assert all(re.fullmatch(r"Elapsed \d+:\d\d", s["elapsed"]) for s in rendering)
    with_rate = [s for s in rendering if s["fps"]]
    assert with_rate and all(re.fullmatch(r"\d+\.\d fps", s["fps"]) for s in with_rate)
    etas = [s["eta"] for s in seen if re.fullmatch(r"ETA \d+:\d\d", s["eta"])]
    assert len(set(etas)) >= 2, etas  # it counts down as the export runs
    assert len({s["elapsed"] for s in seen if s["elapsed"]}) >= 2
    # Once complete: the total time stays, the rate and the ETA go.
    expect(dialog.locator("#export-elapsed")).to_have_text(re.compile(r"Elapsed \d+:\d\d"))
    expect(dialog.locator("#export-eta")).to_have_text("")
    assert float(re.sub(r"[^\d.]", "", with_rate[-1]["fps"])) > 0
