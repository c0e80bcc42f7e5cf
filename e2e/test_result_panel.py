"""After an export the dialog shows the result: the file's facts, a player of the file itself and a
"Download again" that saves the same bytes; a new export lets go of the old file first."""

from __future__ import annotations

import pytest

from vizengine.cli.driver import export_to_file, fill_export_dialog, load_demo, start_export, wait_for_export

WAIT_METADATA = "v => v.readyState >= 1 && Number.isFinite(v.duration)"
# Whether a blob: URL still serves its file, asked of a fresh <video>: the site's policy lets media load
# blob: URLs (media-src) but refuses fetch() of them (connect-src 'self'), which would read as "revoked".
URL_LIVE = """url => new Promise((ok) => {
  const probe = document.createElement('video');
  probe.onloadedmetadata = () => ok(true);
  probe.onerror = () => ok(false);
  probe.src = url;
})"""


@pytest.fixture(scope="module")
def shared_demo(module_page):
    load_demo(module_page)
    return module_page


@pytest.fixture
def demo_page(shared_demo):
    """The module's one booted app with the demo track, the dialog closed."""
    if shared_demo.locator("#export-close").is_visible():
        shared_demo.click("#export-close")
    return shared_demo


def test_result_panel_shows_plays_and_downloads_again_the_exported_file(demo_page, tmp_path):
    page = demo_page
    fps = 30
    out = tmp_path / "first.mp4"
    state = export_to_file(page, {"resolution": "720p", "fps": fps, "format": "mp4", "start": 0, "duration": 1}, out)
    result = state["result"]
    assert (result["width"], result["height"], result["frames"]) == (1280, 720, 30)

    panel = page.get_by_role("region", name="Export result")
    assert panel.is_visible()
    facts = dict(zip(panel.locator("dt").all_inner_texts(), panel.locator("dd").all_inner_texts()))
    assert facts["File"] == result["file_name"] == "viz-engine-720p-30fps.mp4"
    size = out.stat().st_size
    assert result["size"] == size
    assert facts["Size"] == (f"{size / 1e6:.2f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB")
    assert panel.locator("dd[data-field=size]").get_attribute("title") == f"{size:,} bytes"
    assert facts["Duration"] == "0:01.00 (30 frames)"
    assert facts["Resolution"] == "1280×720"

    video = panel.locator("video")
    video.evaluate("v => new Promise((ok, fail) => { v.onloadedmetadata = ok; v.onerror = () => fail(v.error?.message); "
                   "if (v.readyState >= 1) ok(); })")
    assert video.evaluate(WAIT_METADATA)
    seconds = video.evaluate("v => v.duration")
    assert abs(seconds - result["duration"]) <= 1 / fps, (seconds, result["duration"])
    assert video.evaluate("v => [v.videoWidth, v.videoHeight]") == [1280, 720]

    with page.expect_download() as download:
        panel.get_by_role("button", name="Download again").click()
    again = tmp_path / "again.mp4"
    download.value.save_as(str(again))
    assert download.value.suggested_filename == result["file_name"]
    assert again.read_bytes() == out.read_bytes()


def test_a_new_export_drops_the_old_result_and_shows_its_own(demo_page, tmp_path):
    page = demo_page
    export_to_file(page, {"resolution": "720p", "fps": 30, "format": "mp4", "start": 0, "duration": 0.5},
                   tmp_path / "first.mp4")
    panel = page.get_by_role("region", name="Export result")
    video = panel.locator("video")
    player = video.element_handle()  # the same element, checked while the panel is hidden (no auto-wait)
    old_url = player.evaluate("v => v.src")
    assert old_url.startswith("blob:") and page.evaluate(URL_LIVE, old_url)

    fill_export_dialog(page, {"format": "webm", "duration": 0.5})
    start_export(page)
    page.wait_for_function("() => ['preparing', 'rendering', 'encoding'].includes(window.vizengine.state?.phase)")
    assert panel.is_hidden()
    assert player.evaluate("v => v.getAttribute('src')") is None
    assert page.evaluate(URL_LIVE, old_url) is False  # the old file's URL is gone before the runtime deletes it

    state = wait_for_export(page)
    assert state["phase"] == "complete"
    assert panel.is_visible()
    assert panel.locator("dd[data-field=name]").inner_text() == "viz-engine-720p-30fps.webm"
    video.evaluate("v => new Promise((ok, fail) => { v.onloadedmetadata = ok; v.onerror = () => fail(v.error?.message); "
                   "if (v.readyState >= 1) ok(); })")
    assert video.evaluate("v => v.src") != old_url
    assert abs(video.evaluate("v => v.duration") - 0.5) <= 1 / 30
