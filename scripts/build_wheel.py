#!/usr/bin/env python3
"""Build vizengine's wheel from pyproject.toml into build/public/py/, for the page to install with micropip.

- setuptools from the venv's pinned requirements-dev.txt, with `pip wheel --no-build-isolation --no-deps
  --no-index`: the build downloads nothing.
- The wheel is built from a fresh copy of pyproject.toml and py/ in a temporary folder, so setuptools'
  build/ and *.egg-info never touch the work tree (whose build/ holds the site) and no stale module from an
  earlier build can slip in.
- SOURCE_DATE_EPOCH is fixed: the same sources give the same bytes, so the same build id.
- The wheel must hold exactly py/vizengine's modules and *.json data, less the host-only vizengine.cli.
- Writes build/public/py/wheel.json {"wheel": file name, "buildId": first 16 hex digits of its sha256}: the
  page reads it to find the wheel without knowing the version. Removes stale wheels (and the old zip).

Idempotent: an unchanged wheel and wheel.json are left as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "py"
OUT = ROOT / "build" / "public" / "py"
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
HOST_ONLY = "vizengine/cli/"


def fail(message: str) -> None:
    sys.exit(f"build_wheel: {message}")


def build(tmp: Path) -> Path:
    """Build the wheel from a clean copy of the sources; return its path (inside tmp)."""
    src = tmp / "src"
    src.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
    shutil.copytree(SRC, src / "py", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    dist = tmp / "dist"
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(dist), str(src)],
        check=True, env=env,
    )
    wheels = sorted(dist.glob("vizengine-*.whl"))
    if len(wheels) != 1:
        fail(f"expected one vizengine wheel, pip built {[w.name for w in wheels]}")
    return wheels[0]


def check_contents(wheel: Path) -> None:
    """The wheel holds every page-side module and data file of py/vizengine and nothing host-only."""
    with zipfile.ZipFile(wheel) as z:
        names = {n for n in z.namelist() if n.startswith("vizengine/")}
    expected = {
        p.relative_to(SRC).as_posix()
        for p in (SRC / "vizengine").rglob("*")
        if p.is_file() and p.suffix in (".py", ".json") and "__pycache__" not in p.parts
    }
    expected = {n for n in expected if not n.startswith(HOST_ONLY)}
    if leaked := sorted(n for n in names if n.startswith(HOST_ONLY)):
        fail(f"host-only modules in the wheel: {leaked}")
    if missing := sorted(expected - names):
        fail(f"missing from the wheel (check pyproject.toml's packages and package-data): {missing}")
    if extra := sorted(names - expected):
        fail(f"unexpected files in the wheel: {extra}")


def install(wheel: Path) -> tuple[Path, str]:
    """Put the wheel and wheel.json into OUT (only if changed); remove every other vizengine wheel."""
    OUT.mkdir(parents=True, exist_ok=True)
    data = wheel.read_bytes()
    build_id = hashlib.sha256(data).hexdigest()[:16]
    target = OUT / wheel.name
    if not (target.is_file() and target.read_bytes() == data):
        shutil.copyfile(wheel, target)
    for stale in [*OUT.glob("vizengine-*.whl"), OUT / "vizengine.zip"]:
        if stale.is_file() and stale != target:
            stale.unlink()
            print(f"removed stale {stale.relative_to(ROOT)}")
    manifest = json.dumps({"wheel": wheel.name, "buildId": build_id}, indent=2) + "\n"
    index = OUT / "wheel.json"
    if not (index.is_file() and index.read_text() == manifest):
        index.write_text(manifest)
    return target, build_id


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="vizengine-wheel-") as tmp:
        wheel = build(Path(tmp))
        check_contents(wheel)
        target, build_id = install(wheel)
    print(f"built {target.name} ({target.stat().st_size:,} bytes, build id {build_id}) "
          f"-> {target.parent.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
