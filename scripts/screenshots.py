"""Screenshots of the app for the README, taken the way a first-time user sees it (headless Chromium).

    .venv/bin/python scripts/screenshots.py   # after `make build`; writes docs/screenshots/*.png
"""

from __future__ import annotations

from pathlib import Path

from vizengine.cli.browser import launch_chromium
from vizengine.cli.driver import (fill_export_dialog, load_demo, open_app, open_export_dialog, start_export,
                                  wait_for_export)
from vizengine.cli.server import serve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with serve(ROOT / "dist") as url, launch_chromium() as browser:
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
    print(f"wrote main.png, export-dialog.png, export-running.png and export-result.png in {OUT}")


if __name__ == "__main__":
    main()
