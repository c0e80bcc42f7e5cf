"""Session fixtures shared by test files."""

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
