"""The page works from its own origin only, and bad input loses nothing."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from vizengine.cli.driver import PageError, export_to_file, load_audio


def test_page_makes_no_request_outside_its_own_origin(demo_page, site_url, tmp_path):
    export_to_file(demo_page, {"resolution": "720p", "fps": 30, "duration": 0.2, "format": "mp4"},
                   tmp_path / "tiny.mp4")
    origin = urlparse(site_url).netloc
    foreign = [u for u in demo_page.requests if not u.startswith(("data:", "blob:")) and urlparse(u).netloc != origin]
    assert foreign == []
    loaded = " ".join(demo_page.requests)
    for asset in ("pyodide.asm.wasm", "numpy-2.0.2", "pillow-10.2.0", "micropip-0.9.0", "py/wheel.json",
                  "ffmpeg-core.wasm"):
        assert asset in loaded, f"{asset} was not loaded from the site"
    wheels = [u for u in demo_page.requests if re.search(r"/py/vizengine-[^/]+\.whl$", urlparse(u).path)]
    assert wheels, "the vizengine wheel was not loaded from the site"


def test_undecodable_file_shows_a_message_and_keeps_the_current_track(demo_page, tmp_path):
    before = demo_page.locator("#track-name").inner_text()
    bogus = tmp_path / "not-audio.mp3"
    bogus.write_text("this is not audio")
    try:
        load_audio(demo_page, bogus)
        raise AssertionError("loading a text file as audio should fail")
    except PageError as error:
        assert "could not be decoded" in str(error)
    assert demo_page.locator("#track-name").inner_text() == before
    assert demo_page.locator("#open-export").is_enabled()
