"""The site runs under its Content-Security-Policy (web/csp.json): served as a <meta> tag and a header, it
refuses a connection to another origin, the whole export path (Pyodide, the ffmpeg.wasm worker, WebCodecs)
works under it without a single violation, and a track named like HTML stays text."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from media import probe
from vizengine.audio.clip import to_wav
from vizengine.cli.driver import export_to_file, load_audio_bytes, load_demo, open_app
from vizengine.cli.server import content_security_policy

# Recorded from the first script on, before the page's own: every violation the document sees.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample}));
"""

FETCH = """async (url) => {
  let outcome;
  try { const response = await fetch(url); outcome = `${response.status} ${await response.text()}`; }
  catch (error) { outcome = error.name; }
  await new Promise((resolve) => setTimeout(resolve, 200)); // the violation event is queued as a task
  return outcome;
}"""

PWNED_NAME = '<img src=x onerror="window.__pwned=1">.wav'
PWNED_LAYER = '<img src=x onerror="window.__pwned=2">'
PWNED_PROJECT = '<img src=x onerror="window.__pwned=3">.vizproject.json'


@pytest.fixture(scope="module")
def guarded(browser, site_url):
    """The booted app, recording CSP violations in the page and CSP messages on its console."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.csp_console = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_console.append(m.text))
    open_app(page, site_url)
    yield page
    context.close()


@pytest.fixture(scope="module")
def other_origin():
    """Another origin on loopback that would answer anyone (CORS open); counts the requests it gets."""
    class Handler(SimpleHTTPRequestHandler):
        hits: list[str] = []

        def do_GET(self):  # noqa: N802 — http.server's name
            Handler.hits.append(self.path)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
            self.end_headers()
            self.wfile.write(b"x")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Handler.hits
    finally:
        server.shutdown()
        server.server_close()


def violations(page) -> list[dict]:
    """The violations recorded since the last call."""
    return page.evaluate("() => window.__violations.splice(0)")


def test_the_page_carries_the_policy_in_meta_and_the_server_sends_it_as_a_header(guarded, site_url):
    meta = guarded.evaluate("() => document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.content")
    assert meta == content_security_policy(meta=True), "dist/ is stale or the meta tag is not injected: make build"
    assert "frame-ancestors" not in meta  # ignored in <meta>, the header carries it
    for path in ("", "ffmpeg/ffmpeg-core.js", "pyodide/pyodide.mjs"):  # the page, and what workers load
        with urllib.request.urlopen(site_url + path) as response:
            assert response.headers["Content-Security-Policy"] == content_security_policy(), path


def test_a_fetch_to_another_origin_is_refused_by_the_policy(guarded, browser, site_url, other_origin):
    origin, hits = other_origin
    violations(guarded)
    assert guarded.evaluate(FETCH, f"{origin}/x") == "TypeError"
    # Once per copy of the policy that refuses it: the header's and the <meta> tag's.
    assert {(v["directive"], v["blocked"]) for v in violations(guarded)} == {("connect-src", f"{origin}/x")}
    assert hits == []  # refused before a request left the page
    # The control: with the policy bypassed, the same fetch from the same page gets through.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(site_url)
        assert page.evaluate(FETCH, f"{origin}/y") == "200 x"
        assert hits == ["/y"]
    finally:
        context.close()


def test_a_track_named_like_html_shows_its_name_as_text(guarded):
    t = np.arange(48_000) / 48_000
    tone = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    violations(guarded)
    shown = load_audio_bytes(guarded, PWNED_NAME, to_wav(np.stack([tone, tone]), 48_000))
    assert shown.startswith(PWNED_NAME)
    guarded.wait_for_timeout(300)  # an injected <img src=x> would have failed to load by now
    assert guarded.evaluate("() => document.getElementById('track-name').childElementCount") == 0
    assert guarded.evaluate("() => document.querySelectorAll('img').length") == 0
    assert guarded.evaluate("() => window.__pwned") is None
    assert violations(guarded) == []  # nothing was injected for the policy to stop either


@pytest.mark.parametrize("encoder", ["ffmpeg", "webcodecs"])
def test_a_short_export_works_under_the_policy_without_a_violation(guarded, tmp_path, encoder):
    if "demo" not in guarded.locator("#track-name").inner_text():  # the first run loads it, the next keeps it
        load_demo(guarded)
    violations(guarded)
    guarded.csp_console.clear()
    out = tmp_path / f"short-{encoder}.mp4"
    state = export_to_file(guarded, {"resolution": "720p", "fps": 30, "quality": "medium", "format": "mp4",
                                     "duration": 1, "encoder": encoder}, out)
    guarded.click("#export-close")
    assert f"encoder ready: {'webcodecs' if encoder == 'webcodecs' else 'ffmpeg.wasm, segmented'}" in [
        line["message"] for line in state["logs"]]
    info = probe(out)
    assert int(info["video"]["nb_read_frames"]) == 30
    assert info["audio"] is not None and abs(float(info["audio"]["duration"]) - 1.0) <= 1 / 30
    assert violations(guarded) == []
    assert guarded.csp_console == []  # also what the console reports (a worker's violations land there)


def test_a_project_file_with_html_in_its_names_opens_as_text(guarded):
    with guarded.expect_download() as saved:  # the page's own save: a download under the policy
        guarded.get_by_role("button", name="Save project").click()
    document = json.loads(open(saved.value.path(), encoding="utf-8").read())
    for layer in document["project"]["layers"]:
        layer["name"] = PWNED_LAYER
    violations(guarded)
    status = guarded.locator("#project-bar .project-status")
    guarded.set_input_files("#project-bar .project-open input", files=[
        {"name": PWNED_PROJECT, "mimeType": "application/json", "buffer": json.dumps(document).encode()}])
    guarded.wait_for_function("""() => {
        const status = document.querySelector('#project-bar .project-status');
        return status.textContent.startsWith('Opened') || status.dataset.kind === 'error';
    }""")
    assert status.inner_text().startswith(f'Opened "{PWNED_PROJECT}"'), status.inner_text()
    shown = guarded.locator("#layers-panel tbody .layer-name").evaluate_all("bs => bs.map((b) => b.firstChild.data)")
    assert shown == [PWNED_LAYER] * len(document["project"]["layers"])
    # A file that is not a project: its name comes back in the message, as text too.
    guarded.set_input_files("#project-bar .project-open input", files=[
        {"name": PWNED_PROJECT, "mimeType": "application/json", "buffer": b"{not json"}])
    guarded.wait_for_function("() => document.querySelector('#project-bar .project-status').dataset.kind === 'error'")
    assert status.inner_text().startswith(f'"{PWNED_PROJECT}" was not opened'), status.inner_text()
    guarded.wait_for_timeout(300)  # an injected <img src=x> would have failed to load by now
    assert guarded.evaluate("() => document.querySelectorAll('img').length") == 0
    assert guarded.evaluate("() => window.__pwned") is None
    assert violations(guarded) == []
