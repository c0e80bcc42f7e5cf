"""Host side of the GPU tests: load e2e/in_page_gpu.py into the page's Pyodide and call it.

Only JSON crosses Playwright: arguments in, a small dict of numbers out. The pixels stay in the page.
"""

from __future__ import annotations

import json
from pathlib import Path

MODULE = "in_page_gpu"
SOURCE = Path(__file__).with_name(f"{MODULE}.py")

INSTALL_JS = """([name, source]) => {
  const py = window.vizengine.python;
  py.globals.set('_e2e_name', name);
  py.globals.set('_e2e_source', source);
  py.runPython(`
import sys, types
_m = types.ModuleType(_e2e_name)
_m.__file__ = _e2e_name + '.py'
exec(compile(_e2e_source, _m.__file__, 'exec'), _m.__dict__)
sys.modules[_e2e_name] = _m
del _m, _e2e_name, _e2e_source
`);
}"""


def install(page) -> None:
    """Load (or reload) the in-page helpers into this page's Python."""
    page.evaluate(INSTALL_JS, [MODULE, SOURCE.read_text()])


def call(page, function: str, **kwargs):
    """Await in_page_gpu.<function>(**kwargs) in the page; return its dict. Python errors raise here with
    the page's traceback."""
    code = (f"import json, {MODULE}\n"
            f"json.dumps(await {MODULE}.{function}(**json.loads({json.dumps(kwargs)!r})))")
    return json.loads(page.evaluate("code => window.vizengine.python.runPythonAsync(code)", code))


def per_channel(values) -> str:
    return "/".join(f"{v:.3g}" for v in values)
