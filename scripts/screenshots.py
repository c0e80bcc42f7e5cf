"""Screenshots of the app for the README, taken the way a first-time user sees it (headless Chromium).

    .venv/bin/python scripts/screenshots.py   # after `make build`; writes docs/screenshots/*.png
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from vizengine.cli.browser import launch_chromium
from vizengine.cli.driver import (fill_export_dialog, load_demo, open_app, open_export_dialog, start_export,
                                  wait_for_export)
from vizengine.cli.server import serve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def cover_art(path: Path) -> Path:
    """A stand-in album cover: a two-colour gradient with a ring, as a PNG file the editor opens."""
    size = 512
    y, x = np.mgrid[0:size, 0:size] / size
    ring = np.abs(np.hypot(x - 0.5, y - 0.5) - 0.3) < 0.03
    rgb = np.stack([200 * (1 - y) + 40, 60 + 120 * x, 160 * y + 60], axis=-1)
    rgb[ring] = 245
    Image.fromarray(rgb.astype(np.uint8)).save(path)
    return path


def editor_screenshot(browser, url: str, tmp: Path) -> None:
    """The layer editor as a user leaves it making a vertical video: title and cover art over two visualizers."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_app(page, url, autosave=False)
    load_demo(page)
    page.evaluate("""() => { const f = document.querySelector('#export-form [name=resolution]');
        f.value = 'vertical'; f.dispatchEvent(new Event('change', {bubbles: true})); }""")
    page.locator('tr[data-layer="waveform"] .layer-name').click()
    page.get_by_role("button", name="Remove").click()
    for kind in ("radial-spectrum", "image", "text"):
        page.get_by_label("Layer type to add").select_option(kind)
        page.get_by_role("button", name="Add layer").click()
    page.locator('tr[data-layer="image-1"] .layer-name').click()
    page.get_by_label("Image 1 Image file").set_input_files(str(cover_art(tmp / "cover.png")))
    for label, value in (("Image 1 Box size (of the frame)", "0.32"), ("Image 1 Centre y (0 top, 1 bottom)", "0.5")):
        page.get_by_label(label).fill(value)
        page.get_by_label(label).dispatch_event("change")
    page.locator('tr[data-layer="text-1"] .layer-name').click()
    page.get_by_label("Text 1 Text").fill("Night Drive")
    page.evaluate("async () => { window.vizengine.playback.seek(6.5); "
                  "await window.vizengine.app.show_paused_frame(6.5, 60); }")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(OUT / "editor.png"))
    page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with serve(ROOT / "dist") as url, launch_chromium() as browser, tempfile.TemporaryDirectory() as tmp:
        editor_screenshot(browser, url, Path(tmp))
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        open_app(page, url)
        load_demo(page)
        # Paused on a beat: the preview holds that moment's analysis, as the export will draw it.
        page.evaluate("async () => { window.vizengine.playback.seek(6.5); "
                      "await window.vizengine.app.show_paused_frame(6.5, 60); }")
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "main.png"))
        open_export_dialog(page)
        # The estimate before Start: frames, length, time (from a measured warm-up) and size.
        page.get_by_role("region", name="Estimate").get_by_text("frames").first.wait_for(timeout=60_000)
        page.wait_for_timeout(3000)
        page.screenshot(path=str(OUT / "export-dialog.png"))
        # A finished export: the result panel with its player (half-way in) and the console.
        fill_export_dialog(page, {"resolution": "720p", "fps": 30, "start": 6, "duration": 2})
        start_export(page)
        # Mid-render: the docked dialog leaves the stage, which shows the frame being made, in view.
        page.wait_for_function("() => window.vizengine.state?.phase === 'rendering' "
                               "&& window.vizengine.state.frame > 25", timeout=120_000)
        page.screenshot(path=str(OUT / "export-running.png"))
        wait_for_export(page)
        page.locator("#export-result video").evaluate(
            "v => new Promise((ok) => { v.onseeked = ok; v.currentTime = 0.5; })")
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "export-result.png"))
    print(f"wrote editor.png, main.png, export-dialog.png, export-running.png and export-result.png in {OUT}")


if __name__ == "__main__":
    main()
