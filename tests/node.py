"""Run a snippet of JavaScript in node: it reads JSON `args` from stdin and writes JSON to stdout.

Tests use it to check that the page's code reads a shared contract (contract.json) as Python does.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any


def run_node(script: str, args: Any) -> Any:
    out = subprocess.run(["node", "-e", script], input=json.dumps(args), capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return json.loads(out)
