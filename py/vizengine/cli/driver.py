"""Drive the app's page the way a user does — load a track, fill the export dialog, click Start — and
watch the export's state. The CLI, the benchmark and the e2e tests share this, so they all exercise the
dialog's code path rather than a side door.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ..errors import InvalidSettings
from ..export.resolution import read_resolution

FINISHED = ("complete", "cancelled", "failed")
BOOT_TIMEOUT_MS = 120_000


class PageError(RuntimeError):
    """The page reported a failure; the message is the page's own."""


def open_app(page, url: str, autosave: bool = True) -> None:
    """Load the site and wait until Python has booted (or say why it did not). Without `autosave` the page
    neither restores nor overwrites the user's autosaved project and track (the CLI brings its own)."""
    page.goto(url if autosave else f"{url}?autosave=off")
    page.wait_for_function(
        "() => document.getElementById('boot-status')?.dataset.state !== 'loading'", timeout=BOOT_TIMEOUT_MS
    )
    status = page.locator("#boot-status")
    if status.get_attribute("data-state") != "ready":
        raise PageError(status.inner_text())


def _loads(page) -> int:
    """How many track loads the page has finished (ok or not): a load of the track already shown (the
    autosave brought it back) changes no name, so the driver counts loads instead."""
    return int(page.locator("#track-name").get_attribute("data-loads") or 0)


def _wait_for_track(page, loads_before: int) -> str:
    page.wait_for_function(
        "before => Number(document.getElementById('track-name').dataset.loads || 0) > before",
        arg=loads_before,
        timeout=60_000,
    )
    error = page.locator("#track-error")
    if error.is_visible():
        raise PageError(error.inner_text())
    return page.locator("#track-name").inner_text()


def apply_project(page, text: str, source: str = "the project file") -> None:
    """Open a project file's text in the page (Python checks it there); raises PageError naming the bad field."""
    problem = page.evaluate("([text, source]) => window.vizengine.projectBar.openText(text, source)", [text, source])
    if problem:
        raise PageError(f"{source}: {problem}")


def load_demo(page) -> str:
    before = _loads(page)
    page.click("#use-demo")
    return _wait_for_track(page, before)


def load_audio(page, path: Path) -> str:
    before = _loads(page)
    page.set_input_files("#audio-file", str(path))
    return _wait_for_track(page, before)


def load_audio_bytes(page, name: str, data: bytes) -> str:
    """Load a track from memory (the render farm's workers get bytes, not a path on a shared disk)."""
    before = _loads(page)
    page.set_input_files("#audio-file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
    return _wait_for_track(page, before)


def open_export_dialog(page) -> None:
    page.wait_for_selector("#open-export:not([disabled])", timeout=60_000)
    page.click("#open-export")
    page.wait_for_selector("#export-dialog[open]")


def fill_export_dialog(page, settings: dict) -> None:
    """settings: resolution, fps, quality, format, encoder, start, duration (any subset; None leaves a
    field). A resolution is a preset's name or "WxH"; a size that is not a preset goes in the dialog's
    custom width and height, as a user would type it (an invalid one is shown refused there)."""
    if settings.get("resolution") is not None:
        fill_resolution(page, str(settings["resolution"]))
    for name in ("fps", "quality", "format", "encoder"):
        if settings.get(name) is not None:
            page.select_option(f"#export-form [name={name}]", str(settings[name]))
    for name in ("start", "duration", "encodeWorkers"):
        if name in settings:
            page.fill(f"#export-form [name={name}]", field_text(settings[name]))


def fill_resolution(page, text: str) -> None:
    try:
        name = read_resolution(text)  # "1080x1920" is the vertical preset, as Python would read it
    except InvalidSettings:
        name = text.strip().lower()
    size = re.fullmatch(r"\s*(\d*)\s*[x×]\s*(\d*)\s*", name)
    if size is None:
        page.select_option("#export-form [name=resolution]", name)
        return
    page.select_option("#export-form [name=resolution]", "custom")
    page.fill("#export-form [name=customWidth]", size[1])
    page.fill("#export-form [name=customHeight]", size[2])


def field_text(value) -> str:
    """What to type for a value: text as given; a float as plain decimals (the dialog refuses 1e-07)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def start_export(page) -> None:
    """Click Start; if a field the user filled is refused, raise with the message shown beside it."""
    problem = " ".join(text for text in page.locator("#export-form .field-problem").all_inner_texts() if text.strip())
    if problem:
        raise PageError(problem)
    page.wait_for_selector("#export-start:not([disabled])", timeout=30_000)
    page.click("#export-start")


def export_state(page) -> dict | None:
    return page.evaluate("window.vizengine.state")


def wait_for_export(page, on_state: Callable[[dict], None] | None = None, stall_seconds: float = 600,
                    poll: float = 0.25) -> dict:
    """Poll until the export finishes; fail if its state stops changing for `stall_seconds`."""
    last, changed = None, time.monotonic()
    while True:
        state = export_state(page) or {}
        key = (state.get("phase"), state.get("frame"), round(state.get("progress", 0), 4))
        if key != last:
            last, changed = key, time.monotonic()
            if on_state:
                on_state(state)
        if state.get("phase") in FINISHED and page.evaluate("!document.getElementById('export-cancel') || "
                                                            "document.getElementById('export-cancel').disabled"):
            return state
        if time.monotonic() - changed > stall_seconds:
            raise PageError(f"export made no progress for {stall_seconds:.0f} s (stuck in {state.get('phase')})")
        page.wait_for_timeout(poll * 1000)


def export_to_file(page, settings: dict, out: Path, on_state: Callable[[dict], None] | None = None) -> dict:
    """Open the dialog, export with `settings`, save the download to `out`; return the final state."""
    open_export_dialog(page)
    fill_export_dialog(page, settings)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    start_export(page)
    state = wait_for_export(page, on_state)
    if state["phase"] != "complete":
        raise PageError(state.get("error") or f"export ended as {state['phase']}")
    deadline = time.monotonic() + 30
    while not downloads and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    if not downloads:
        raise PageError("the export completed but the page offered no download")
    out.parent.mkdir(parents=True, exist_ok=True)
    downloads[0].save_as(str(out))
    return state
