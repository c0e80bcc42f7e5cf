"""viz-engine's Python core: pure modules that run the same under Pyodide and CPython.

Only `vizengine._browser` touches the page; `vizengine.cli` runs on the host, never in the browser.
"""

__version__ = "0.1.0"
