"""Screenshots of the app for the README, taken the way a first-time user sees it (headless Chromium).

    .venv/bin/python scripts/screenshots.py   # after `make build`; writes docs/screenshots/*.png
"""

from __future__ import annotations

from pathlib import Path

from vizengine.cli.browser import launch_chromium
from vizengine.cli.driver import load_demo, open_app, open_export_dialog
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
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "export-dialog.png"))
    print(f"wrote {OUT / 'main.png'} and {OUT / 'export-dialog.png'}")


if __name__ == "__main__":
    main()
