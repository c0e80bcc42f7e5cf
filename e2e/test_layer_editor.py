"""The layer editor: every action changes the project Python reads and the preview it plans, and undo/redo
walks back and forth through them."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from vizengine.project.contract import LAYER_KINDS, LAYER_PARAMS

def python_project(page) -> dict:
    """The project as Python reads it from the page (checked there: a bad one raises)."""
    return page.evaluate("window.vizengine.app.host.project().to_json().toJs({dict_converter: Object.fromEntries})")


def planned(page) -> list[int]:
    """The texture slices the compositor was last told to composite (visible layers, bottom to top)."""
    return page.evaluate("window.vizengine.renderer.compositor.plan.layers.map((l) => l.slice)")


def names(page) -> list[str]:
    """Layer names as the table shows them, top row first."""
    return page.locator("#layers-panel tbody .layer-name").evaluate_all(
        "buttons => buttons.map((b) => b.firstChild.textContent)")


def preview(page) -> np.ndarray:
    page.evaluate("window.vizengine.preview.drawNow()")
    data = page.evaluate("""() => {
        const c = window.vizengine.renderer.canvas;
        const copy = document.createElement('canvas');
        copy.width = 160; copy.height = 90;
        copy.getContext('2d').drawImage(c, 0, 0, 160, 90);
        return Array.from(copy.getContext('2d').getImageData(0, 0, 160, 90).data);
    }""")
    return np.array(data, dtype=np.uint8).reshape(90, 160, 4)


def pick(page, layer_id: str) -> None:
    """Select a layer (its settings show under the table)."""
    page.locator(f'tr[data-layer="{layer_id}"] .layer-name').click()


def add(page, kind: str) -> None:
    page.get_by_label("Layer type to add").select_option(kind)
    page.get_by_role("button", name="Add layer").click()


@pytest.fixture
def editor(demo_page):
    demo_page.evaluate("async () => { window.vizengine.playback.seek(6.5);"
                       " await window.vizengine.app.show_paused_frame(6.5, 30); }")
    return demo_page


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_adding_a_layer_of_each_kind_puts_it_on_top_with_the_contracts_defaults(editor, kind):
    before = len(python_project(editor)["layers"])
    add(editor, kind)
    layers = python_project(editor)["layers"]
    assert len(layers) == before + 1
    top = layers[-1]
    assert top["kind"] == kind and names(editor)[0] == top["name"]
    assert top["params"] == {name: spec["default"] if not isinstance(spec["default"], str)
                             or not spec["default"].startswith("#") else spec["default"].lower()
                             for name, spec in LAYER_PARAMS[kind].items()}
    assert planned(editor)[-1] == before  # composited, on top
    assert editor.locator("#preview-error").is_hidden()


def test_a_parameter_edit_changes_the_project_and_the_preview(editor):
    pick(editor, "spectrum")
    before = preview(editor)
    field = editor.get_by_label("spectrum Tallest bar (of frame height)")
    field.fill("1")
    field.dispatch_event("change")
    assert python_project(editor)["layers"][1]["params"]["maxHeight"] == 1.0
    assert np.abs(preview(editor).astype(int) - before).max() > 40


def test_an_out_of_range_parameter_is_refused_with_a_message_and_changes_nothing(editor):
    pick(editor, "spectrum")
    field = editor.get_by_label("spectrum Bars")
    field.fill("500")
    field.dispatch_event("change")
    expect(editor.locator(".layers-status")).to_have_text("spectrum Bars must be a whole number from 1 to 128")
    assert python_project(editor)["layers"][1]["params"]["bars"] == 64


def test_hide_leaves_the_layer_out_of_the_composite_and_show_brings_it_back(editor):
    assert planned(editor) == [0, 1, 2]
    editor.get_by_label("Show spectrum").uncheck()
    assert planned(editor) == [0, 2]
    assert python_project(editor)["layers"][1]["visible"] is False
    editor.get_by_label("Show spectrum").check()
    assert planned(editor) == [0, 1, 2]


def test_rename_keeps_the_id_and_shows_the_new_name(editor):
    pick(editor, "waveform")
    editor.get_by_label("Layer name").fill("Scope <b>line</b>")
    editor.get_by_label("Layer name").press("Enter")
    layer = python_project(editor)["layers"][2]
    assert (layer["id"], layer["name"]) == ("waveform", "Scope <b>line</b>")
    assert names(editor)[0] == "Scope <b>line</b>"  # shown as text, never parsed as markup
    assert editor.locator("#layers-panel b").count() == 0


def test_duplicate_copies_kind_params_and_style_just_above(editor):
    pick(editor, "spectrum")
    editor.get_by_role("button", name="Duplicate").click()
    layers = python_project(editor)["layers"]
    assert [layer["name"] for layer in layers] == ["background", "spectrum", "spectrum copy", "waveform"]
    original, copy = layers[1], layers[2]
    assert copy["id"] != original["id"]
    assert {k: v for k, v in copy.items() if k not in ("id", "name")} == {
        k: v for k, v in original.items() if k not in ("id", "name")}


def test_remove_takes_the_layer_out(editor):
    pick(editor, "spectrum")
    editor.get_by_role("button", name="Remove").click()
    assert [layer["id"] for layer in python_project(editor)["layers"]] == ["background", "waveform"]
    assert planned(editor) == [0, 1]


def test_reorder_by_buttons_keyboard_and_drag(editor):
    pick(editor, "background")
    editor.get_by_role("button", name="Move up").click()
    assert names(editor) == ["waveform", "background", "spectrum"]
    # Alt+Up on a control of the row moves that layer up again, and focus stays with it.
    editor.get_by_label("background opacity").focus()
    editor.keyboard.press("Alt+ArrowUp")
    assert names(editor) == ["background", "waveform", "spectrum"]
    assert editor.evaluate("document.activeElement.getAttribute('aria-label')") == "background opacity"
    editor.keyboard.press("Alt+ArrowDown")
    assert names(editor) == ["waveform", "background", "spectrum"]
    # Drag the bottom row onto the top row.
    rows = editor.locator("#layers-panel tbody tr")
    rows.nth(2).drag_to(rows.nth(0))
    assert names(editor) == ["spectrum", "waveform", "background"]
    assert [layer["id"] for layer in python_project(editor)["layers"]] == ["background", "waveform", "spectrum"]


def test_undo_and_redo_walk_through_every_edit(editor):
    states = [python_project(editor)]
    add(editor, "waveform")
    states.append(python_project(editor))
    editor.get_by_label("Show spectrum").uncheck()
    states.append(python_project(editor))
    editor.get_by_label("waveform blend mode").select_option("screen")
    states.append(python_project(editor))
    for expected in reversed(states[:-1]):
        editor.get_by_role("button", name="Undo").click()
        assert python_project(editor) == expected
    expect(editor.get_by_role("button", name="Undo")).to_be_disabled()
    editor.locator("body").click(position={"x": 5, "y": 200})
    for expected in states[1:]:
        editor.keyboard.press("Control+Shift+Z")
        assert python_project(editor) == expected
    editor.keyboard.press("Control+z")
    assert python_project(editor) == states[-2]


def test_a_slider_drag_is_one_undo_step(editor):
    before = python_project(editor)
    editor.evaluate("""() => {
        const slider = document.querySelector('input[aria-label="spectrum opacity"]');
        for (const v of [0.8, 0.6, 0.4, 0.2]) { slider.value = String(v); slider.dispatchEvent(new Event('input')); }
    }""")
    assert python_project(editor)["layers"][1]["opacity"] == 0.2
    editor.get_by_role("button", name="Undo").click()
    assert python_project(editor) == before


def test_an_image_file_that_is_not_an_image_or_too_large_is_refused_with_a_message(editor, tmp_path):
    from PIL import Image

    add(editor, "image")
    fake = tmp_path / "cover.png"
    fake.write_text("<svg onload=alert(1)>")
    picker = editor.get_by_label("Image 1 Image file")
    picker.set_input_files(str(fake))
    expect(editor.locator(".layers-status")).to_have_text('"cover.png" is not a readable image')
    wide = tmp_path / "wide.png"
    Image.new("RGB", (8193, 1)).save(wide)
    picker.set_input_files(str(wide))
    expect(editor.locator(".layers-status")).to_have_text('"wide.png" is 8193x1 px; at most 8192 px a side')
    assert python_project(editor)["layers"][-1]["params"]["src"] is None
