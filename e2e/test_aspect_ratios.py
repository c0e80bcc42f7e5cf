"""Exports that are not 16:9: the 1:1 and 9:16 presets and custom sizes come out at exactly their size, with
every frame drawn, and the preview takes the shape of the resolution the dialog would export."""

from __future__ import annotations

import time

import numpy as np
import pytest
from playwright.sync_api import expect

from media import frames_rgb, probe
from stored import USAGE
from vizengine.cli.driver import (export_to_file, fill_export_dialog, load_demo, open_app, open_export_dialog,
                                  start_export, wait_for_export)

SHORT = {"fps": 30, "quality": "low", "start": 6, "duration": 1}  # a loud second of the demo track
PREVIEW_PIXELS = 960 * 540  # the preview's drawing-buffer budget (web/src/project.js)

# The stage's drawing buffer and its box on the page, and whether the page had to grow to hold it.
SHAPE_JS = """() => {
  const canvas = document.getElementById('stage-canvas');
  const box = document.getElementById('stage').getBoundingClientRect();
  return {buffer: [canvas.width, canvas.height], box: [box.width, box.height], bottom: box.bottom,
          scroll: document.documentElement.scrollHeight - innerHeight, aspect: document.getElementById('stage').dataset.aspect};
}"""


def check_video(path, width: int, height: int, frames: int, seconds: float) -> None:
    """Exactly width x height 4:2:0, `frames` frames over `seconds`, and frames that show the layers."""
    info = probe(path)
    video = info["video"]
    assert (video["width"], video["height"]) == (width, height)
    assert video["pix_fmt"] in ("yuv420p", "yuvj420p")  # 4:2:0; WebCodecs' H.264 is full range (yuvj)
    assert int(video["nb_read_frames"]) == frames
    assert abs(float(info["format"]["duration"]) - seconds) <= 0.1, info["format"]["duration"]
    pixels = frames_rgb(path, width, height)
    assert pixels.shape[0] == frames
    middle = pixels[frames // 2].astype(np.int16)
    print(f"{width}x{height}: mean {middle.mean():.1f} std {middle.std():.1f}, quarter means",
          [round(float(q.mean()), 1) for q in quarters(middle)], "bottom max", middle[-height // 8:].max())
    # Not blank: the gradient lights the frame and the bars and the line stand out of it.
    assert middle.mean() > 10 and middle.std() > 8, (middle.mean(), middle.std())
    # Drawn to every edge (not a 16:9 picture in a corner): each quarter of the frame is lit.
    assert all(q.mean() > 5 for q in quarters(middle)), [q.mean() for q in quarters(middle)]
    # The bars stand on the bottom edge: brighter there than anything the gradient alone makes.
    assert middle[-height // 8:].max() > 150


def quarters(frame: np.ndarray) -> list[np.ndarray]:
    h, w = frame.shape[0] // 2, frame.shape[1] // 2
    return [frame[:h, :w], frame[:h, w:], frame[h:, :w], frame[h:, w:]]


@pytest.mark.parametrize(("resolution", "encoder", "size"), [
    ("vertical", "auto", (1080, 1920)),
    ("square", "ffmpeg", (1080, 1080)),
], ids=["9:16-auto", "1:1-ffmpeg"])
def test_square_and_vertical_exports_are_exactly_their_size_with_every_frame_drawn(demo_page, tmp_path, resolution,
                                                                                   encoder, size):
    out = tmp_path / f"{resolution}.mp4"
    state = export_to_file(demo_page, {**SHORT, "resolution": resolution, "format": "mp4", "encoder": encoder}, out)
    assert state["total"] == 30
    check_video(out, *size, frames=30, seconds=1.0)
    result = demo_page.evaluate("JSON.parse(document.getElementById('export-dialog').dataset.result)")
    assert result["file_name"] == f"viz-engine-{resolution}-30fps.mp4"
    panel = demo_page.get_by_role("region", name="Export result")
    expect(panel.locator("dd[data-field=resolution]")).to_have_text(f"{size[0]}×{size[1]}")


def test_a_custom_size_exports_at_exactly_that_size(demo_page, tmp_path):
    out = tmp_path / "custom.webm"
    export_to_file(demo_page, {**SHORT, "resolution": "640x480", "format": "webm"}, out)
    check_video(out, 640, 480, frames=30, seconds=1.0)


def test_the_preview_takes_the_shape_of_the_chosen_resolution_without_growing_the_page(demo_page):
    page = demo_page
    open_export_dialog(page)
    dialog = page.get_by_role("dialog", name="Export video")
    select = dialog.get_by_label("Resolution")
    labels = select.locator("option").all_inner_texts()
    assert "1080 × 1920 (9:16 vertical)" in labels and "1080 × 1080 (1:1 square)" in labels
    assert labels[-1] == "Custom…"
    width, height = dialog.get_by_label("Width (px)"), dialog.get_by_label("Height (px)")
    expect(width).to_be_hidden()

    def shape_for(w: int, h: int) -> dict:
        page.wait_for_function("want => document.getElementById('stage').dataset.aspect === want", arg=f"{w}x{h}")
        shape = page.evaluate(SHAPE_JS)
        (bw, bh), (cw, ch) = shape["buffer"], shape["box"]
        assert abs(bw / bh - w / h) < 0.01 * w / h, shape
        assert abs(bw * bh - PREVIEW_PIXELS) < 0.01 * PREVIEW_PIXELS, shape  # the preview costs what 16:9's did
        assert abs(cw / ch - w / h) < 0.01 * w / h, shape
        assert shape["scroll"] <= 0 and shape["bottom"] <= page.viewport_size["height"], shape
        return shape

    assert shape_for(1920, 1080)["buffer"] == [960, 540]
    select.select_option("vertical")
    assert shape_for(1080, 1920)["buffer"] == [540, 960]
    select.select_option("square")
    assert shape_for(1080, 1080)["buffer"] == [720, 720]

    # Custom starts from the size that was chosen, then follows the fields as they are typed.
    select.select_option("custom")
    expect(width).to_be_visible()
    expect(width).to_have_value("1080")
    expect(height).to_have_value("1080")
    height.fill("810")
    shape_for(1080, 810)
    start = dialog.get_by_role("button", name="Start", exact=True)
    expect(start).to_be_enabled()

    # A size Python would refuse is refused beside its field, Start waits, and the preview keeps its shape.
    for field, text, problem in ((width, "1081", "Width must be even."),
                                 (width, "4000", "Width must be from 128 to 3840 pixels."),
                                 (height, "64", "Height must be from 128 to 3840 pixels."),
                                 (height, "", "Height: enter a whole number of pixels from 128 to 3840.")):
        field.fill(text)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(problem)
        expect(start).to_be_disabled()
        expect(page.locator("#export-estimate .estimate-basis")).to_have_text("Fix the settings above to see an estimate.")
        assert page.evaluate(SHAPE_JS)["aspect"] == "1080x810"
        field.fill("1080" if field == width else "810")
    expect(start).to_be_enabled()

    select.select_option("1080p")
    expect(width).to_be_hidden()
    shape_for(1920, 1080)


def test_resuming_a_custom_size_export_gives_the_preview_and_the_dialog_its_size(browser, site_url, tmp_path):
    settings = {"resolution": "480x640", "fps": 30, "quality": "low", "format": "mp4", "start": 2, "duration": 3,
                "encodeWorkers": 1, "encoder": "ffmpeg"}
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    open_export_dialog(page)
    fill_export_dialog(page, settings)
    start_export(page)
    deadline = time.monotonic() + 300
    while page.evaluate(USAGE)["segments"] < 1:  # the first 2 s segment is stored: close the tab
        assert time.monotonic() < deadline, "no segment stored"
        page.wait_for_timeout(250)
    page.close()

    page = context.new_page()
    # Without the autosave (which would bring the size back itself), so that the resume is what does.
    open_app(page, site_url, autosave=False)
    load_demo(page)
    assert page.evaluate(SHAPE_JS)["aspect"] == "1920x1080"  # a fresh page: the default
    page.wait_for_selector("#resume-offer:not([hidden])", timeout=60_000)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("#resume-offer .resume-start")
    form = page.locator("#export-form")
    expect(form.locator("[name=resolution]")).to_have_value("custom")
    expect(form.locator("[name=customWidth]")).to_have_value("480")
    expect(form.locator("[name=customHeight]")).to_have_value("640")
    assert page.evaluate(SHAPE_JS)["aspect"] == "480x640"
    state = wait_for_export(page)
    assert state["phase"] == "complete", state.get("error")
    assert any(line["message"].startswith("resuming") for line in state["logs"])
    page.wait_for_timeout(500)
    out = tmp_path / "resumed.mp4"
    downloads[0].save_as(str(out))
    context.close()
    check_video(out, 480, 640, frames=90, seconds=3.0)
