#!/usr/bin/env python3
"""Zip py/vizengine (without the host-only cli/) into build/public/py/vizengine.zip for Pyodide to unpack.

Entries get a fixed timestamp so the zip, and so the site, is byte-identical for the same sources.
"""

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "py"
out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "public" / "py" / "vizengine.zip"
out.parent.mkdir(parents=True, exist_ok=True)
files = sorted(
    p for p in (SRC / "vizengine").rglob("*.py")
    if p.relative_to(SRC / "vizengine").parts[0] not in ("cli", "__main__.py") and "__pycache__" not in p.parts
)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for path in files:
        info = zipfile.ZipInfo(str(path.relative_to(SRC)), date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, path.read_bytes())
print(f"packed {len(files)} modules -> {out.relative_to(ROOT)}")
