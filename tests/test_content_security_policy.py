"""The Content-Security-Policy is defined once (web/csp.json) and every copy says the same; the page's code
gives untrusted text (track and file names, project files) no way into HTML, and the browser tests never
need the 'unsafe-eval' the policy refuses."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from vizengine.cli.server import CSP_FILE, content_security_policy

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVES = json.loads(CSP_FILE.read_text(encoding="utf-8"))["directives"]

# What the policy must never allow: inline or eval'd script, styles from attributes, any other origin.
LOOSE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "ws:", "wss:"}

# DOM sinks that parse a string as HTML or script: the page builds elements and sets textContent instead.
HTML_SINKS = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\bsrcdoc\b|DOMParser"
                        r"|createContextualFragment|\beval\s*\(|new\s+Function\s*\(|javascript:"
                        r"|setAttribute\(\s*['\"](?:on\w+|style)['\"]")


def test_every_allowance_says_why_and_none_is_loose():
    names = [d["name"] for d in DIRECTIVES]
    assert len(names) == len(set(names)), names
    assert names[0] == "default-src" and DIRECTIVES[0]["sources"] == ["'none'"]
    for directive in DIRECTIVES:
        assert directive["sources"] and directive.get("why", "").strip(), directive["name"]
        assert not LOOSE_SOURCES & set(directive["sources"]), directive


def test_the_meta_copy_leaves_out_only_what_meta_ignores():
    header, meta = content_security_policy(), content_security_policy(meta=True)
    assert header == f"{meta}; frame-ancestors 'none'"
    for ignored_in_meta in ("frame-ancestors", "report-uri", "sandbox"):
        assert ignored_in_meta not in meta


def test_vite_injects_the_meta_tag_and_previews_with_the_header():
    script = """
      (async () => {
        const { default: config } = await import(process.argv[1]);
        const plugin = config.plugins.find((p) => p.name === 'csp-meta');
        const html = plugin.transformIndexHtml('<head>\\n    <meta charset="utf-8" />\\n  <title>x</title>');
        console.log(JSON.stringify({ html, header: config.preview.headers['Content-Security-Policy'] }));
      })();
    """
    out = subprocess.run(["node", "-e", script, str(ROOT / "vite.config.js")], capture_output=True, text=True,
                         check=True, timeout=30, cwd=ROOT).stdout
    got = json.loads(out)
    assert got["header"] == content_security_policy()
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)" />', got["html"])
    assert meta and meta.group(1) == content_security_policy(meta=True)
    assert got["html"].index("charset") < got["html"].index("Content-Security-Policy") < got["html"].index("<title>")


def page_sources() -> list[Path]:
    return [*sorted((ROOT / "web" / "src").rglob("*.js")), ROOT / "web" / "index.html"]


@pytest.mark.parametrize("path", page_sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_page_has_no_html_or_script_sink(path):
    hits = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
            if HTML_SINKS.search(line)]
    assert not hits, "untrusted text must go in with textContent / DOM building:\n" + "\n".join(hits)


def test_the_sink_pattern_catches_what_it_should():
    for bad in ["el.innerHTML = name", "el.outerHTML=x", "el.insertAdjacentHTML('beforeend', s)",
                "document.write(s)", "eval(code)", "new Function('x', body)", "a.href = 'javascript:alert(1)'",
                "el.setAttribute('onclick', s)", 'el.setAttribute("style", s)']:
        assert HTML_SINKS.search(bad), bad
    for fine in ["el.textContent = name", "el.setAttribute('aria-label', name)", "el.style.left = x",
                 "const evaluation = 1", "retrieval(x)"]:
        assert not HTML_SINKS.search(fine), fine


def test_browser_tests_wait_on_functions_not_on_eval_expressions():
    # Playwright evals an expression predicate on every poll, which the policy refuses (EvalError).
    call = re.compile(r"wait_for_function\(\s*(?:f?(\"\"\"|\"|')(.{0,40}))?", re.S)
    hits = []
    drivers = [ROOT / "e2e", ROOT / "py" / "vizengine" / "cli", ROOT / "scripts"]
    for path in sorted(path for folder in drivers for path in folder.glob("*.py")):
        for match in call.finditer(path.read_text()):
            head = (match.group(2) or "").lstrip()
            if match.group(1) and not re.match(r"(\(|\w+\s*=>|async\b|function\b|\{?\w+\}?\s*=>)", head):
                hits.append(f"{path.name}: {match.group(0)!r}")
    assert not hits, "pass an arrow function string ('() => …'):\n" + "\n".join(hits)
