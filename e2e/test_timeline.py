"""The timeline under the stage: the waveform drawn from Python's peaks, the export range's markers (mouse,
keyboard, and two-way with the dialog's Start/Duration fields), the playhead that seeks and follows
playback, and an export of exactly the range the markers set."""

from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from media import probe
from vizengine.audio.analysis import peaks
from vizengine.cli.driver import fill_export_dialog, load_demo, open_export_dialog, start_export, wait_for_export
from vizengine.frames.timing import FrameRange

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "dist" / "demo" / "demo-track.wav"
BUSY = "['preparing', 'rendering', 'encoding'].includes(window.vizengine.state?.phase)"

CANVAS_JS = """() => {
  const c = document.querySelector('#timeline canvas');
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const alpha = new Array(c.width * c.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = data[4 * i + 3];
  return {width: c.width, height: c.height, alpha, dpr: devicePixelRatio};
}"""


def slider(page, name: str):
    return page.get_by_role("group", name="Timeline").get_by_role("slider", name=name, exact=True)


def js_number(seconds: float) -> str:
    """aria-valuenow's text for a time: whole milliseconds, written as JavaScript's String() writes them."""
    text = repr(round(seconds, 3))
    return text[:-2] if text.endswith(".0") else text


def now(locator) -> float:
    return float(locator.get_attribute("aria-valuenow"))


def wave_box(page) -> dict:
    return page.locator("#timeline canvas").bounding_box()


def track_seconds(page) -> float:
    return page.evaluate("window.vizengine.playback.duration")


def x_at(page, fraction: float) -> float:
    box = wave_box(page)
    return box["x"] + fraction * box["width"]


def time_at(page, x: float) -> float:
    box = wave_box(page)
    return (x - box["x"]) / box["width"] * track_seconds(page)


def pixel_seconds(page) -> float:
    return track_seconds(page) / wave_box(page)["width"]


def drag(page, handle, to_x: float) -> None:
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(to_x, y, steps=8)
    page.mouse.up()


def drawn(page) -> None:
    page.wait_for_selector("#timeline[data-waveform=drawn]", timeout=60_000)


def dialog_fields(page):
    dialog = page.get_by_role("dialog", name="Export video")
    return dialog.get_by_label("Start (s or m:ss)"), dialog.get_by_label("Duration (s or m:ss)")


def demo_peaks(columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Python's peaks of the demo track as the page decodes it (16-bit PCM at the app's 48 kHz)."""
    with wave.open(str(DEMO)) as wav:
        assert wav.getframerate() == 48_000 and wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, "<i2").reshape(-1, wav.getnchannels()).T.astype(np.float32) / 32768
    return peaks(samples, 48_000, columns)


VIEWPORT = {"width": 1100, "height": 900}  # conftest's


@pytest.fixture(scope="module")
def shared_demo(module_page):
    load_demo(module_page)
    return module_page


@pytest.fixture
def demo_page(shared_demo):
    """The module's one booted app with the demo track, put back as a fresh one starts: the default window
    size, the dialog closed, paused at 0 and the range the whole track (markers moved with their keys)."""
    page = shared_demo
    if page.viewport_size != VIEWPORT:
        page.set_viewport_size(VIEWPORT)
        page.wait_for_function("""() => {
          const c = document.querySelector('#timeline canvas');
          return Math.abs(c.width - c.getBoundingClientRect().width * devicePixelRatio) <= 1
            && document.getElementById('timeline').dataset.waveform === 'drawn';
        }""")
    close = page.get_by_role("dialog", name="Export video").get_by_role("button", name="Close")
    if close.is_visible():
        close.click()
    start, end = slider(page, "Export start"), slider(page, "Export end")
    start.focus()
    start.press("Home")
    end.focus()
    end.press("End")
    page.evaluate("""() => { const p = window.vizengine.playback; if (p.playing) p.pause(); p.seek(0);
                             document.activeElement?.blur(); }""")
    assert (now(start), now(end), page.evaluate("window.vizengine.playback.currentTime")) == (
        0, round(track_seconds(page), 3), 0)
    return page


def test_the_waveform_shows_pythons_peaks_one_column_per_device_pixel(demo_page):
    page = demo_page
    drawn(page)
    canvas = page.evaluate(CANVAS_JS)
    width, height = canvas["width"], canvas["height"]
    # One column per device pixel (the device-pixel box may snap to a neighbour of width × dpr).
    assert abs(width - wave_box(page)["width"] * canvas["dpr"]) <= 1
    alpha = np.array(canvas["alpha"], dtype=np.uint8).reshape(height, width)

    mins, maxs = demo_peaks(width)
    half = height / 2
    gain = half / max(-float(mins.min()), float(maxs.max()))
    painted = alpha > 0
    heights = painted.sum(axis=0)
    for x in range(width):
        rows = np.flatnonzero(painted[:, x])
        assert rows.size, f"column {x} is empty"
        top = math.floor(half - float(maxs[x]) * gain)
        bottom = max(math.ceil(half - float(mins[x]) * gain), top + 1)
        # ±1 row: Chromium scales 16-bit samples by 1/32767 above zero, this test by 1/32768.
        assert abs(rows[0] - top) <= 1 and abs(rows[-1] + 1 - bottom) <= 1, (x, rows[0], rows[-1], top, bottom)
        assert rows.size == rows[-1] - rows[0] + 1, f"column {x} has gaps"

    loud, quiet = int(np.argmax(maxs - mins)), int(np.argmin(maxs - mins))
    assert heights[loud] >= 0.9 * height and heights[quiet] <= 0.15 * height, (heights[loud], heights[quiet])

    # Another window width: the waveform is asked for again at the new width, not stretched.
    page.set_viewport_size({"width": 1000, "height": 900})
    page.wait_for_function("""() => {
      const c = document.querySelector('#timeline canvas');
      return Math.abs(c.width - c.getBoundingClientRect().width * devicePixelRatio) <= 1
        && document.getElementById('timeline').dataset.waveform === 'drawn';
    }""")
    narrow = page.evaluate(CANVAS_JS)
    assert narrow["width"] != width
    mins, maxs = demo_peaks(narrow["width"])
    column = np.array(narrow["alpha"], dtype=np.uint8).reshape(narrow["height"], narrow["width"])
    loud = int(np.argmax(maxs - mins))
    gain = narrow["height"] / 2 / max(-float(mins.min()), float(maxs.max()))
    assert abs(int((column[:, loud] > 0).sum()) - float(maxs[loud] - mins[loud]) * gain) <= 2


def test_dragging_the_markers_fills_the_dialogs_start_and_duration_and_never_seeks(demo_page):
    page = demo_page
    drawn(page)
    start, end = slider(page, "Export start"), slider(page, "Export end")
    one_pixel = pixel_seconds(page)

    to_x = x_at(page, 0.3)
    drag(page, start, to_x)
    assert abs(now(start) - time_at(page, to_x)) <= one_pixel
    to_x = x_at(page, 0.55)
    drag(page, end, to_x)
    assert abs(now(end) - time_at(page, to_x)) <= one_pixel
    assert page.evaluate("window.vizengine.playback.currentTime") == 0

    open_export_dialog(page)
    start_field, duration_field = dialog_fields(page)
    assert float(start_field.input_value()) == now(start)
    assert round(float(duration_field.input_value()), 3) == round(now(end) - now(start), 3)
    assert len(start_field.input_value().partition(".")[2]) <= 3  # whole milliseconds, not float noise
    expect(start_field).to_have_attribute("aria-invalid", "false")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled()


def test_typing_start_and_duration_in_the_dialog_moves_the_markers(demo_page):
    page = demo_page
    drawn(page)
    start, end = slider(page, "Export start"), slider(page, "Export end")
    seconds = track_seconds(page)
    open_export_dialog(page)
    start_field, duration_field = dialog_fields(page)

    start_field.fill("2.5")
    duration_field.fill("0:04")
    expect(start).to_have_attribute("aria-valuenow", "2.5")
    expect(end).to_have_attribute("aria-valuenow", "6.5")
    start_field.fill("1:02.25")  # past the end of the track: the marker stops there, Python says why
    expect(start).to_have_attribute("aria-valuenow", js_number(seconds))
    start_field.fill("3,5")  # refused text leaves the marker where it was
    expect(start).to_have_attribute("aria-valuenow", js_number(seconds))
    start_field.fill("1")
    duration_field.fill("")  # to the end
    expect(start).to_have_attribute("aria-valuenow", "1")
    expect(end).to_have_attribute("aria-valuenow", js_number(seconds))
    expect(end).to_have_attribute("aria-valuetext", "0:" + f"{seconds:06.3f}" + " (end of track)")


def test_arrow_keys_move_the_focused_marker_and_the_playhead(demo_page):
    page = demo_page
    drawn(page)
    start, end, playhead = slider(page, "Export start"), slider(page, "Export end"), slider(page, "Playhead")
    seconds = track_seconds(page)
    current = "window.vizengine.playback.currentTime"

    start.focus()
    start.press("ArrowRight")
    assert now(start) == 1
    start.press("Shift+ArrowRight")
    assert now(start) == 11
    start.press("PageDown")
    assert now(start) == 1
    start.press("End")  # as far as the end marker allows: the range keeps a frame
    assert 0 < now(end) - now(start) <= 0.1 + 1e-9
    start.press("Home")
    assert now(start) == 0

    end.focus()
    end.press("ArrowLeft")
    assert now(end) == round(seconds - 1, 3)
    open_export_dialog(page)
    start_field, duration_field = dialog_fields(page)
    assert (start_field.input_value(), float(duration_field.input_value())) == ("0", round(seconds - 1, 3))
    page.get_by_role("dialog", name="Export video").get_by_role("button", name="Close").click()
    end.focus()
    end.press("End")  # back at the track's end: an empty Duration, the whole track exports as before
    assert now(end) == round(seconds, 3)
    open_export_dialog(page)
    assert duration_field.input_value() == ""
    page.get_by_role("dialog", name="Export video").get_by_role("button", name="Close").click()

    playhead.focus()
    for _ in range(3):
        playhead.press("ArrowRight")
    assert page.evaluate(current) == 3 and now(playhead) == 3
    playhead.press("Shift+ArrowRight")
    assert page.evaluate(current) == 13 and now(playhead) == 13
    playhead.press("ArrowLeft")
    assert page.evaluate(current) == 12
    playhead.press("Home")
    assert page.evaluate(current) == 0 and now(playhead) == 0
    assert (now(start), now(end)) == (0, round(seconds, 3))  # the playhead's keys leave the range alone


def test_clicking_or_dragging_on_the_waveform_seeks_playback(demo_page):
    page = demo_page
    drawn(page)
    playhead = slider(page, "Playhead")
    box = wave_box(page)
    y = box["y"] + box["height"] / 2
    current = "window.vizengine.playback.currentTime"

    page.mouse.click(x_at(page, 0.75), y)
    assert abs(page.evaluate(current) - time_at(page, x_at(page, 0.75))) <= pixel_seconds(page)
    expect(playhead).to_be_focused()
    assert abs(now(playhead) - page.evaluate(current)) < 0.001

    page.mouse.move(x_at(page, 0.2), y)
    page.mouse.down()
    page.mouse.move(x_at(page, 0.45), y, steps=6)
    page.mouse.up()
    assert abs(page.evaluate(current) - time_at(page, x_at(page, 0.45))) <= pixel_seconds(page)
    assert (now(slider(page, "Export start")), now(slider(page, "Export end"))) == (0, round(track_seconds(page), 3))


def test_the_playhead_follows_playback(demo_page):
    page = demo_page
    drawn(page)
    playhead = slider(page, "Playhead")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => window.vizengine.playback.currentTime > 1.0", timeout=20_000)
    first = now(playhead)
    page.wait_for_timeout(600)
    # Read inside an animation frame: the timeline's own frame callback, queued earlier, has just run.
    shown, current = page.evaluate("""() => new Promise((done) => requestAnimationFrame(() => done([
      Number(document.querySelector('#timeline [aria-label="Playhead"]').getAttribute('aria-valuenow')),
      window.vizengine.playback.currentTime])))""")
    second = now(playhead)
    page.get_by_role("button", name="Pause", exact=True).click()
    assert first >= 0.9 and second - first >= 0.3, (first, second)
    assert abs(current - shown) < 0.05, (shown, current)
    paused = page.evaluate("window.vizengine.playback.currentTime")
    assert paused >= second and abs(now(playhead) - paused) < 0.001  # it stays where playback stopped
    head = playhead.bounding_box()
    centre = head["x"] + head["width"] / 2
    assert abs(time_at(page, centre) - paused) <= pixel_seconds(page), (time_at(page, centre), paused)
    expect(page.get_by_role("group", name="Timeline")).to_contain_text("Playhead 0:0")


def test_an_export_of_the_range_set_with_the_markers_has_exactly_that_range(demo_page, tmp_path):
    page = demo_page
    drawn(page)
    start, end = slider(page, "Export start"), slider(page, "Export end")
    seconds = track_seconds(page)
    drag(page, end, x_at(page, 3.5 / seconds))
    drag(page, start, x_at(page, 3.0 / seconds))
    begin, finish = now(start), now(end)
    assert abs(begin - 3.0) <= pixel_seconds(page) and abs(finish - 3.5) <= pixel_seconds(page)

    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": "720p", "fps": 30, "format": "mp4"})
    start_field, duration_field = dialog_fields(page)
    want = FrameRange.from_seconds(Fraction(start_field.input_value()), Fraction(duration_field.input_value()), 30)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    start_export(page)
    page.wait_for_function(f"() => {BUSY}")
    for marker in (start, end, slider(page, "Playhead")):
        expect(marker).to_have_attribute("aria-disabled", "true")
    state = wait_for_export(page)
    assert state["phase"] == "complete", state.get("error")
    expect(start).to_have_attribute("aria-disabled", "false")
    assert (now(start), now(end)) == (begin, finish)

    for _ in range(100):
        if downloads:
            break
        page.wait_for_timeout(100)
    out = tmp_path / "range.mp4"
    downloads[0].save_as(str(out))
    frames = int(probe(out)["video"]["nb_read_frames"])
    assert float(start_field.input_value()) == begin
    assert float(duration_field.input_value()) == round(finish - begin, 3)
    assert frames == want.count == state["total"]
    assert f"from {float(want.start):.3f} s" in page.locator("#export-log").inner_text()
