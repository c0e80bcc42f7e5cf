"""Serve the built site (dist/) on loopback with the headers and MIME types the app needs."""

from __future__ import annotations

import functools
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The site's Content-Security-Policy, defined once for the build's <meta> tag, `make serve` and this server.
CSP_FILE = Path(__file__).resolve().parents[3] / "web" / "csp.json"


def content_security_policy(meta: bool = False) -> str:
    """The policy as a header value; meta=True leaves out what browsers ignore in <meta> (frame-ancestors)."""
    directives = json.loads(CSP_FILE.read_text(encoding="utf-8"))["directives"]
    return "; ".join(" ".join([d["name"], *d["sources"]]) for d in directives if not (meta and d.get("headerOnly")))


class SiteHandler(SimpleHTTPRequestHandler):
    # On every response, not just index.html: a worker's policy is the one its own script is served with.
    csp = content_security_policy()
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".whl": "application/zip",
        ".zip": "application/zip",
    }

    def end_headers(self) -> None:
        # Same headers as `vite preview` (vite.config.js), so the CLI sees what a user sees.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet by design
        pass


def check_site(root: Path) -> None:
    if not (root / "index.html").is_file() or not (root / "pyodide" / "pyodide.asm.wasm").is_file():
        raise SystemExit(f"No built site at {root}: run `make build` (or `make setup`) first.")


class SiteServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A browser closing (or a page navigating away) mid-response drops its connection: not an error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve(root: Path, port: int = 0) -> Iterator[str]:
    """Serve `root` on 127.0.0.1; yield its base URL. port=0 picks a free port."""
    check_site(root)
    handler = functools.partial(SiteHandler, directory=str(root))
    server = SiteServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
