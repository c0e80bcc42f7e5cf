"""The page uses the window: stage and layer list side by side at common desktop sizes, every control
labelled, and the export dialog docked beside the stage, so the frame being rendered stays in view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vizengine.cli.driver import fill_export_dialog, load_demo, open_app, open_export_dialog, start_export, wait_for_export

# Every form control on the page and in the dialog, without an accessible name (label, aria-label(ledby)
# or, for buttons, their text): a screen reader would announce it as just "slider" or "button".
UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, button, textarea, [role="slider"]')]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
    && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))"""


# One booted app per window size, shared by the module's tests (pytest runs them grouped by size); a test
# that opens the export dialog closes it again.
@pytest.fixture(scope="module", params=[(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def sized_page(request, browser, site_url):
    width, height = request.param
    context = browser.new_context(accept_downloads=True, viewport={"width": width, "height": height})
    page = context.new_page()
    open_app(page, site_url)
    load_demo(page)
    yield page
    context.close()


# The WebGL canvas's visibility and whether the 2D copy of the export's frames is shown.
VISIBILITY_JS = """() => [getComputedStyle(document.getElementById('stage-canvas')).visibility,
  !document.getElementById('stage-snapshot').hidden]"""


def box(page, locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def test_stage_and_layer_list_share_the_window_width_without_scrolling(sized_page):
    page = sized_page
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    stage = box(page, page.get_by_label("Preview"))
    layers = box(page, page.get_by_role("region", name="Layers"))
    transport = box(page, page.get_by_role("region", name="Track"))

    assert layers["x"] >= stage["x"] + stage["width"], (stage, layers)  # beside the stage, not under it
    assert layers["x"] + layers["width"] >= width - 40, layers  # the page reaches the window's right edge
    assert stage["width"] >= 0.55 * width, stage
    assert abs(stage["width"] / stage["height"] - 16 / 9) < 0.01, stage
    assert transport["y"] + transport["height"] <= height, (transport, height)  # stage and transport fit
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_layer_list_has_column_headings_and_every_control_is_labelled(sized_page):
    page = sized_page
    layers = page.get_by_role("region", name="Layers")
    for heading in ("Layer", "Opacity", "Blend mode", "Background"):
        expect(layers.get_by_role("columnheader", name=heading)).to_be_visible()
    expect(layers.get_by_role("rowheader")).to_have_count(3)
    for control in layers.get_by_role("slider").all() + layers.get_by_role("combobox").all():
        assert control.is_visible() and box(page, control)["x"] + box(page, control)["width"] <= page.viewport_size["width"]
    open_export_dialog(page)
    assert page.evaluate(UNLABELLED_JS) == []
    page.get_by_role("dialog", name="Export video").get_by_role("button", name="Close").click()


def test_the_frame_being_rendered_stays_in_view_beside_the_export_dialog(sized_page):
    page = sized_page
    stage = page.get_by_label("Preview")
    before = stage.screenshot()
    open_export_dialog(page)
    fill_export_dialog(page, {"resolution": "720p", "fps": 30, "start": 10, "duration": 1.5})
    start_export(page)
    page.wait_for_function("() => window.vizengine.state?.phase === 'rendering' && window.vizengine.state.frame > 3",
                           timeout=120_000)
    dialog, shown = box(page, page.get_by_role("dialog", name="Export video")), box(page, stage)
    first = stage.screenshot()
    # The WebGL canvas itself is hidden meanwhile (shown, painting it would stall the page on every
    # frame) and a copy of the frames is shown instead; after the export the live preview is back.
    hidden_during = page.evaluate(VISIBILITY_JS)
    page.wait_for_function("() => window.vizengine.state?.phase !== 'rendering' || window.vizengine.state.frame > 25",
                           timeout=120_000)
    second = stage.screenshot()
    wait_for_export(page)
    page.click("#export-close")
    after = stage.screenshot()

    assert hidden_during == ["hidden", True], hidden_during
    assert page.evaluate(VISIBILITY_JS) == ["visible", False]
    assert after != second

    assert shown["x"] + shown["width"] <= dialog["x"], (shown, dialog)  # not covered by the dialog
    assert shown["width"] >= 0.4 * page.viewport_size["width"], shown
    # The stage shows the export's frames as they are made: other moments than the paused preview's, and moving.
    assert first != before and second != first
