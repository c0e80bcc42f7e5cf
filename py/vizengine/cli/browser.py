"""Headless Chromium for the CLI, the benchmark and the e2e tests: the launch flags live here only."""

from __future__ import annotations

import os
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = os.environ.get("VIZENGINE_CHROMIUM", "/usr/bin/chromium")
# No sandbox (we are root), no GPU (there is none; SwiftShader renders WebGL2 in software), and nothing
# that phones home: this machine's network refuses those connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Headless tabs are "hidden": without these, timers and rAF are throttled and exports crawl.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--autoplay-policy=no-user-gesture-required",
]


def missing_browser_message() -> str:
    return (f"Chromium was not found at {CHROMIUM}. Run `make setup` (it installs Debian's chromium), "
            "or point VIZENGINE_CHROMIUM at a Chromium binary.")


@contextmanager
def launch_persistent_chromium(profile: Path, executable: str = CHROMIUM, timeout_ms: float = 30_000) -> Iterator[object]:
    """Yield a Playwright BrowserContext over a profile kept on disk: its IndexedDB (an export's frames and
    segments) lives in files rather than RAM, and survives the process, so a rerun can resume."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(executable):
        raise SystemExit(missing_browser_message())
    profile.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=timeout_ms,
            accept_downloads=True)
        try:
            yield context
        finally:
            context.close()


@contextmanager
def launch_chromium(executable: str = CHROMIUM, extra_args: tuple[str, ...] = (), timeout_ms: float = 30_000) -> Iterator[object]:
    """Yield a Playwright Browser running headless Chromium with CHROMIUM_ARGS (plus extra_args)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(executable):
        raise SystemExit(missing_browser_message())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=[*CHROMIUM_ARGS, *extra_args], timeout=timeout_ms)
        try:
            yield browser
        finally:
            browser.close()
