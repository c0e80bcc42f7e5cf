"""The issue's "done when", as a user does it: a vertical video of their own track with its title and cover
art over two visualizer layers, saved, reopened after a reload in a fresh browser, and exported."""

from __future__ import annotations

import subprocess

import numpy as np
from playwright.sync_api import expect
from PIL import Image

from vizengine.cli.driver import export_to_file, load_audio, open_app

from media import frames_rgb, probe
from test_layer_editor import add, python_project
from test_project_file import fill_settings, open_project, save_project

COVER = (200, 40, 60)  # a flat colour, so the exported frame can be checked where the cover sits


def set_field(page, label: str, value: str) -> None:
    field = page.get_by_label(label)
    field.fill(value)
    field.dispatch_event("change")


def test_a_vertical_video_with_title_and_cover_art_survives_save_reload_open_and_exports(browser, site_url, tmp_path):
    track = tmp_path / "Night Drive.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=80:duration=4",
                    "-f", "lavfi", "-i", "anoisesrc=d=4:a=0.2", "-filter_complex", "amix=inputs=2", "-ar", "48000",
                    str(track)], check=True)
    cover = tmp_path / "cover.png"
    Image.new("RGB", (600, 600), COVER).save(cover)

    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_app(page, site_url)
    load_audio(page, track)
    # 9:16 from the dialog's resolution list; the preview takes the shape.
    fill_settings(page, {"resolution": "vertical", "fps": 30, "quality": "low", "format": "mp4", "encoder": "ffmpeg"})
    size = page.evaluate("() => [window.vizengine.renderer.canvas.width, window.vizengine.renderer.canvas.height]")
    assert size[0] < size[1], size
    # Two visualizers: the demo's spectrum bars stay, a radial spectrum joins; the waveform goes.
    page.locator('tr[data-layer="waveform"] .layer-name').click()
    page.get_by_role("button", name="Remove").click()
    add(page, "radial-spectrum")
    add(page, "image")
    page.get_by_label("Image 1 Image file").set_input_files(str(cover))
    expect(page.locator(".layers-status")).to_have_text("")
    set_field(page, "Image 1 Centre y (0 top, 1 bottom)", "0.45")
    set_field(page, "Image 1 Box size (of the frame)", "0.4")
    add(page, "text")
    page.get_by_label("Text 1 Text").fill("Night Drive")
    set_field(page, "Text 1 Centre y (0 top, 1 bottom)", "0.12")
    project = python_project(page)
    assert [layer["kind"] for layer in project["layers"]] == [
        "pulse-gradient", "spectrum-bars", "radial-spectrum", "image", "text"]
    assert project["layers"][3]["params"]["src"].startswith("data:image/png;base64,")
    text = save_project(page)
    context.close()

    fresh = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = fresh.new_page()
    open_app(page, site_url)
    load_audio(page, track)
    assert open_project(page, text) == 'Opened "mine.vizproject.json".'
    assert python_project(page) == project
    assert page.locator('#export-form [name="resolution"]').input_value() == "vertical"
    out = tmp_path / "night-drive.mp4"
    export_to_file(page, {"resolution": "vertical", "fps": 30, "quality": "low", "format": "mp4", "encoder": "ffmpeg",
                          "start": 1, "duration": 1}, out)
    fresh.close()

    info = probe(out)
    video = info["video"]
    assert (video["width"], video["height"], int(video["nb_read_frames"])) == (1080, 1920, 30)
    assert info["audio"]["codec_name"] == "aac"
    frame = frames_rgb(out, 1080, 1920)[15].astype(int)
    # The cover's middle, at (0.5, 0.45) of the frame: its colour, through x264 at low quality.
    centre = frame[int(0.45 * 1920) - 20:int(0.45 * 1920) + 20, 520:560].reshape(-1, 3).mean(axis=0)
    assert np.abs(centre - COVER).max() < 25, centre
    # The title: white text around y = 0.12 of the frame, nothing that bright in the empty band above it.
    title = frame[int(0.09 * 1920):int(0.15 * 1920), 200:880]
    assert (title.min(axis=2) > 200).sum() > 2000
