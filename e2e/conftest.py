"""Browser tests against the built site (dist/), served on loopback, in Debian's headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from vizengine.cli.browser import launch_chromium
from vizengine.cli.driver import load_demo, open_app
from vizengine.cli.server import serve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site_url():
    with serve(ROOT / "dist") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, site_url):
    """A fresh context (so a fresh IndexedDB) with the app booted; records every request it makes."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.requests = []
    page.console_errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    open_app(page, site_url)
    yield page
    context.close()


@pytest.fixture
def demo_page(page):
    load_demo(page)
    return page


@pytest.fixture(scope="module")
def module_page(browser, site_url):
    """One booted app shared by a module's tests: for many cheap checks that each restore what they change."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    open_app(page, site_url)
    yield page
    context.close()


@pytest.fixture(scope="session")
def python_page(browser, site_url):
    """One booted app for the whole run, for tests that only run code in its Python (no UI, no track, no
    export): each defines its own functions in Pyodide's globals under names of its own."""
    context = browser.new_context()
    page = context.new_page()
    open_app(page, site_url)
    yield page
    context.close()
