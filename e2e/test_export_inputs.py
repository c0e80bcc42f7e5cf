"""The export dialog's Start and Duration fields (seconds or m:ss, anything else refused beside the field),
errors that show whatever the previous export did, and the CLI's one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vizengine.cli.driver import open_export_dialog, wait_for_export

ROOT = Path(__file__).resolve().parent.parent

REFUSED = {
    "start": ["1,5", "1e400", "abc", "-1", "1:5", "1:60"],
    "duration": ["1,5", "1e400", "abc", "0", "-2", "0:00"],
}
GRAMMAR = "seconds (12 or 12.5) or m:ss (1:05 or 1:05.250)"


def fields(page):
    dialog = page.get_by_role("dialog", name="Export video")
    return (dialog, dialog.get_by_label("Start (s or m:ss)"), dialog.get_by_label("Duration (s or m:ss)"),
            dialog.get_by_role("button", name="Start", exact=True))


def test_start_and_duration_take_seconds_or_minutes_and_refuse_anything_else_beside_the_field(demo_page):
    page = demo_page
    open_export_dialog(page)
    dialog, start, duration, start_button = fields(page)
    for field in (start, duration):
        expect(field).to_have_attribute("type", "text")
        expect(field).to_have_attribute("inputmode", "decimal")

    for name, field in (("start", start), ("duration", duration)):
        other = duration if field is start else start
        for text in REFUSED[name]:
            field.fill(text)
            expect(field).to_have_attribute("aria-invalid", "true")
            expect(start_button).to_be_disabled()
            # The reason is beside the field, announced (role=alert) and tied to it (aria-describedby).
            message = page.locator(f"#{field.get_attribute('aria-describedby')}")
            expect(message).to_have_role("alert")
            expect(message).not_to_be_empty()
            expect(field).to_have_accessible_description(message.inner_text())
            if text in ("-1", "-2", "0", "0:00"):
                assert "negative" in message.inner_text() or "more than 0" in message.inner_text(), text
            else:
                assert GRAMMAR in message.inner_text(), (text, message.inner_text())
            expect(other).to_have_attribute("aria-invalid", "false")
        field.fill("")  # empty: from the beginning / to the end
        expect(field).to_have_attribute("aria-invalid", "false")
        expect(start_button).to_be_enabled()

    for start_text, duration_text in (("12", "12.5"), ("1:05", "0:02"), ("0:01.250", ".5"), (" 3 ", "")):
        start.fill(start_text)
        duration.fill(duration_text)
        expect(start_button).to_be_enabled()
        for field in (start, duration):
            expect(field).to_have_attribute("aria-invalid", "false")
            expect(field).to_have_accessible_description("")


def test_after_a_finished_export_a_refused_setting_still_shows_its_error(demo_page):
    page = demo_page
    open_export_dialog(page)
    dialog, start, duration, start_button = fields(page)
    dialog.get_by_label("Resolution").select_option("720p")
    dialog.get_by_label("Frame rate").select_option("30")
    start.fill("0:01.500")  # m:ss reaches the export as the same time
    duration.fill("0:00.2")
    start_button.click()
    state = wait_for_export(page)
    assert state["phase"] == "complete" and state["total"] == 6
    assert "1.5" in page.locator("#export-log").inner_text()  # "6 frames at 30 fps from 1.500 s"
    error = dialog.locator("#export-error")
    expect(error).to_be_empty()

    # The page cannot check this one (it knows no limit on workers); Python refuses it before the export
    # begins, which used to leave "Complete" on screen and say nothing.
    dialog.get_by_label("ffmpeg.wasm workers (0 = automatic)").fill("17")
    start_button.click()
    state = wait_for_export(page)
    assert state["phase"] == "failed"
    expect(error).to_contain_text("encode workers must be a whole number from 1 to 16")
    expect(error).to_have_role("alert")
    expect(dialog.locator("#export-phase")).to_have_text("Failed")

    # The issue's own examples, after that: the field says it at once and Start stays disabled.
    dialog.get_by_label("ffmpeg.wasm workers (0 = automatic)").fill("0")
    duration.fill("0")
    expect(start_button).to_be_disabled()
    expect(page.locator("#export-duration-problem")).to_contain_text("more than 0")
    duration.fill("0.2")
    start.fill("-1")
    expect(start_button).to_be_disabled()
    expect(page.locator("#export-start-problem")).to_contain_text("must not be negative")

    # A range past the end passes the grammar and is refused by Python: shown as well.
    start.fill("0:23")
    duration.fill("5")
    start_button.click()
    state = wait_for_export(page)
    assert state["phase"] == "failed"
    expect(error).to_contain_text("runs past the end of the track")


def cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "py")}
    return subprocess.run([sys.executable, "-m", "vizengine", "render", *args, "--profile", str(tmp_path / "profile"),
                           "--site", str(ROOT / "dist")], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["--start", "1,5"], "error: start must be seconds (12 or 12.5) or m:ss (1:05 or 1:05.250), not '1,5'"),
    (["--duration", "1e400"], "error: duration must be seconds"),
    (["--start=-1"], "error: start must not be negative (got -1 s)"),
    (["--duration", "0"], "error: duration must be positive (got 0 s)"),
    (["--fps", "24"], "error: argument --fps: invalid choice"),
])  # fmt: skip
def test_the_cli_refuses_bad_settings_in_one_plain_line(tmp_path, args, message):
    done = cli("--demo", "--out", str(tmp_path / "x.mp4"), *args, tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_cli_reports_the_pages_refusal_in_one_plain_line(tmp_path):
    # m:ss on the command line; the range runs past the 24 s demo, which only the page can know.
    done = cli("--demo", "--out", str(tmp_path / "x.mp4"), "--resolution", "720p", "--fps", "30",
               "--start", "0:23", "--duration", "0:05", tmp_path=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: start 23 s + duration 5 s runs past the end"), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "x.mp4").exists()
