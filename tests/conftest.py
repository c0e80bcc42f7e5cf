"""Fixtures shared by test files."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def native_exports(tmp_path_factory):
    """segment_runs.NativeExports: each format's segmented and single-pass export, made once on demand."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("native ffmpeg/ffprobe not installed")
    from segment_runs import NativeExports

    return NativeExports(tmp_path_factory.mktemp("native-exports"))


@pytest.fixture
def bridge(monkeypatch):
    """The bridge module imported fresh against the stand-in js/pyodide modules."""
    from js_stand_ins import fresh_bridge

    return fresh_bridge(monkeypatch)


@pytest.fixture
def page():
    """A fake page holding the default project and 2 s of synthetic audio (a file may override it)."""
    from fake_page import FakePage
    from fakes import default_project, synthetic_audio

    return FakePage(default_project(), synthetic_audio(2.0))
