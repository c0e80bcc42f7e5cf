"""Warnings an export gives without stopping (a silent track, no visible layer, a truncated file), and what
the page says while an export runs (the header's phase, a prompt before leaving)."""

from __future__ import annotations

import subprocess

from playwright.sync_api import expect

from media import tone_after_silence
from vizengine.cli.driver import export_to_file, fill_export_dialog, load_audio, open_export_dialog, wait_for_export

TINY = {"resolution": "720p", "fps": 30, "format": "mp4", "start": 0, "duration": 0.2}


def warnings_in_dialog(page):
    return page.get_by_role("dialog", name="Export video").get_by_role("list", name="Export warnings")


def test_a_silent_track_and_invisible_layers_are_warned_about_in_the_dialog(page, tmp_path):
    load_audio(page, tone_after_silence(tmp_path / "silence.wav", silence=2.0, tone=0.0))
    for slider in page.get_by_role("region", name="Layers").get_by_role("slider").all():
        slider.fill("0")
    export_to_file(page, TINY, tmp_path / "silent.mp4")  # warnings, not errors: the file is made

    warnings = warnings_in_dialog(page)
    expect(warnings).to_be_visible()
    expect(warnings.get_by_role("listitem")).to_have_count(2)
    expect(warnings).to_contain_text("The track is silent from 0.00 s to 0.20 s")
    expect(warnings).to_contain_text("No layer is visible")
    log = page.locator("#export-log").inner_text()
    assert "warning: The track is silent" in log and "warning: No layer is visible" in log


def test_a_track_with_sound_and_visible_layers_has_no_warnings(demo_page, tmp_path):
    export_to_file(demo_page, TINY, tmp_path / "fine.mp4")
    expect(warnings_in_dialog(demo_page)).to_be_hidden()
    expect(demo_page.get_by_role("region", name="Track").get_by_role("status")).to_have_count(0)


def test_a_truncated_mp3_is_flagged_under_the_track_name_and_in_the_export(page, tmp_path):
    source = tone_after_silence(tmp_path / "source.wav", silence=0.5, tone=7.5, rate=44_100)
    whole = tmp_path / "whole.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c:a", "libmp3lame", str(whole)], check=True)
    cut = tmp_path / "cut.mp3"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 4])
    track = page.get_by_role("region", name="Track")

    load_audio(page, whole)
    expect(track.get_by_role("status")).to_have_count(0)  # a whole file: its header and its audio agree

    load_audio(page, cut)
    decoded = page.evaluate("window.vizengine.playback.duration")
    assert decoded < 4, decoded  # a quarter of the bytes: about a quarter of the 8 s
    note = track.get_by_role("status")
    expect(note).to_contain_text('"cut.mp3" may be damaged or truncated')
    expect(note).to_contain_text("the file says it lasts 8.0")

    export_to_file(page, TINY, tmp_path / "from-cut.mp4")
    expect(warnings_in_dialog(page)).to_contain_text('"cut.mp3" may be damaged or truncated')

    page.get_by_role("dialog", name="Export video").get_by_role("button", name="Close").click()
    load_audio(page, whole)  # the next good file clears the note
    expect(track.get_by_role("status")).to_have_count(0)


def test_while_exporting_the_header_shows_the_phase_and_leaving_asks_first(demo_page):
    page = demo_page
    header_status = page.get_by_role("banner").get_by_role("status")
    expect(header_status).to_have_text("Ready")
    prompts = []

    def on_dialog(dialog):
        prompts.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    page.on("dialog", on_dialog)
    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": "720p", "fps": 30, "start": 0, "duration": 20})
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_function("() => window.vizengine.state?.phase === 'rendering'", timeout=120_000)
    expect(header_status).to_have_text("Exporting: Rendering")

    # What a reload or closing the tab does; the page answers between render steps, so give it time.
    with page.expect_event("dialog", timeout=30_000):
        page.close(run_before_unload=True)
    assert prompts == ["beforeunload"]
    assert not page.is_closed()

    page.get_by_role("button", name="Cancel").click()
    assert wait_for_export(page)["phase"] == "cancelled"
    expect(header_status).to_have_text("Ready")
    with page.expect_event("close", timeout=30_000):
        page.close(run_before_unload=True)  # nothing running: it closes without asking
    assert prompts == ["beforeunload"]
