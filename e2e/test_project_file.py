"""The project file and the autosave: a saved project reopened after a reload exports the same frames, a
reload loses nothing, and every malformed field of a file opened is named while nothing changes."""

from __future__ import annotations

import base64
import io
import json
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect

from vizengine.cli.driver import export_to_file, load_audio, load_demo, open_app
from vizengine.project.layer_params import default_params

from test_layer_editor import add, pick, python_project

SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "webm", "start": 6, "duration": 1}


def framemd5(path) -> list[str]:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
                         check=True, capture_output=True, text=True).stdout
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if not line.startswith("#")]


def edit_the_demo(page) -> None:
    pick(page, "spectrum")
    bars = page.get_by_label("spectrum Bars")
    bars.fill("24")
    bars.dispatch_event("change")
    page.get_by_label("waveform blend mode").select_option("difference")
    page.get_by_label("Show background").uncheck()


def save_project(page) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name="Save project").click()
    expect(page.locator(".project-status")).to_have_text("Saved.")
    return download.value.path().read_text()


def open_project(page, text: str, name: str = "mine.vizproject.json") -> str:
    page.locator(".project-open input").set_input_files(
        files=[{"name": name, "mimeType": "application/json", "buffer": text.encode()}])
    status = page.locator(".project-status")
    expect(status).not_to_have_text("")
    return status.text_content()


def fill_settings(page, settings: dict) -> None:
    """Set the export dialog's fields as a user would (each sends its change event)."""
    page.evaluate("""s => Object.entries(s).forEach(([k, v]) => {
        const field = document.querySelector(`#export-form [name=${k}]`);
        field.value = String(v);
        field.dispatchEvent(new Event('change', {bubbles: true}));
    })""", settings)


def test_a_saved_project_reopened_after_a_reload_exports_the_same_frames(browser, site_url, tmp_path):
    first = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = first.new_page()
    open_app(page, site_url)
    load_demo(page)
    edit_the_demo(page)
    fill_settings(page, {"resolution": "720p", "fps": 30, "quality": "low", "format": "webm"})
    edited = python_project(page)
    text = save_project(page)
    saved = json.loads(text)
    assert saved["format"] == "vizengine-project" and saved["project"] == edited
    assert saved["track"]["name"] == "demo-track.wav" and len(saved["track"]["sha256"]) == 64
    assert (saved["settings"]["resolution"], saved["settings"]["format"]) == ("720p", "webm")
    export_to_file(page, SETTINGS, tmp_path / "before.webm")
    first.close()

    second = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = second.new_page()
    open_app(page, site_url)  # a fresh browser profile: the demo project
    load_demo(page)
    assert python_project(page) != edited
    assert open_project(page, text) == 'Opened "mine.vizproject.json".'
    assert python_project(page) == edited
    assert page.locator('#export-form [name="format"]').input_value() == "webm"
    export_to_file(page, SETTINGS, tmp_path / "after.webm")
    second.close()
    before, after = framemd5(tmp_path / "before.webm"), framemd5(tmp_path / "after.webm")
    assert len(before) == 30 and before == after


def test_a_reload_brings_back_the_project_the_settings_and_the_users_track(page, site_url, tmp_path):
    track = tmp_path / "my song.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=3",
                    "-ar", "48000", str(track)], check=True)
    load_audio(page, track)
    add(page, "waveform")
    pick(page, "waveform-1")
    page.get_by_label("Layer name").fill("My scope")
    page.get_by_label("Layer name").press("Enter")
    fill_settings(page, {"fps": 30, "quality": "medium"})
    edited = python_project(page)
    page.wait_for_timeout(1000)  # the autosave waits for a pause in the edits
    page.reload()
    page.wait_for_function("() => document.getElementById('boot-status')?.dataset.state === 'ready'", timeout=120_000)
    assert python_project(page) == edited
    expect(page.locator("#track-name")).to_contain_text("my song.wav")
    assert page.locator('#export-form [name="fps"]').input_value() == "30"
    assert page.locator('#export-form [name="quality"]').input_value() == "medium"
    assert "My scope" in page.locator("#layers-panel tbody").text_content()


def _bad_files() -> list[tuple[str, str]]:
    def project(**change):
        p = {"version": 2, "background": "#000000",
             "analyser": {"fftSize": 2048, "smoothing": 0.8, "minDb": -100, "maxDb": -30},
             "layers": [{"id": "a", "name": "a", "kind": "waveform", "visible": True, "opacity": 1,
                         "blendMode": "normal", "background": "transparent", "params": default_params("waveform")}]}
        layer_change = change.pop("layer", {})
        p["layers"][0].update(layer_change)
        p.update(change)
        return json.dumps({"format": "vizengine-project", "project": p})

    def png(width: int, height: int) -> str:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height)).save(buffer, "PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    image = {"kind": "image", "params": {"src": png(8193, 1)}}
    return [
        ("{oops", "the file is not JSON"),
        (json.dumps({"format": "something-else"}), 'not a viz-engine project file'),
        (project(version=9), "project.version 9 is newer than this app understands (2)"),
        (project(layer={"opacity": 1.5}), "project.layers[0].opacity must be a number from 0 to 1 (got 1.5)"),
        (project(layer={"kind": "hologram"}), "project.layers[0].kind must be one of"),
        (project(layer={"blendMode": "glow"}), "project.layers[0].blendMode must be one of"),
        (project(layer={"params": {"lineWidth": 99}}), "project.layers[0].params.lineWidth must be a number from 0.5 to 20"),
        (project(layer={"params": {"colour": "#fff"}}), "project.layers[0].params.colour is not a parameter of a waveform layer"),
        (project(layer={"script": "alert(1)"}), "project.layers[0].script is not a known field"),
        (project(background="url(javascript:alert(1))"), "project.background must be a colour"),
        (project(layer=image), "project.layers[0].params.src is 8193x1 px; at most 8192 px a side"),
        (project(layer={"kind": "image", "params": {"src": "data:image/png;base64," + base64.b64encode(b"<svg/>").decode()}}),
         "project.layers[0].params.src is not a readable image/png image"),
    ]


@pytest.mark.parametrize(("text", "message"), _bad_files(), ids=lambda v: v[:40] if isinstance(v, str) else v)
def test_each_malformed_field_of_an_opened_file_is_named_and_nothing_changes(module_page, text, message):
    before = python_project(module_page)
    status = open_project(module_page, text, "bad.json")
    assert status.startswith('"bad.json" was not opened: ') and message in status, status
    assert python_project(module_page) == before
    module_page.evaluate("document.querySelector('.project-status').textContent = ''")
