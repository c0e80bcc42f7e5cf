"""Running export_video over FakeHost and an FfmpegEncoder over fakes, and checking what it left behind.

Shared by test_orchestrator.py and test_orchestrator_failures.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fakes import FakeHost, ffmpeg_encoder

from vizengine.encode.encoder import FfmpegEncoder
from vizengine.export.cancel import CancelSignal
from vizengine.export.orchestrator import export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore

# 720p is the smallest preset; 0.1 s at 30 fps keeps it to 3 frames.
SMALL = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.1", "duration": "0.1"}
N = 3


def export(host: FakeHost, settings: dict = SMALL, signal: CancelSignal | None = None, encoder: Any = None):
    """Run an export to completion: (result, store, every snapshot the store sent, the encoder)."""
    encoder = encoder if encoder is not None else ffmpeg_encoder(host.events)
    store = ExportStore(throttle=0.0)
    seen: list[dict] = []
    store.subscribe(seen.append)
    result = asyncio.run(export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(), store,
                                      encoder))
    return result, store, seen, encoder


def export_raising(host: FakeHost, error: type, settings: dict = SMALL, signal: CancelSignal | None = None,
                   encoder: Any = None):
    """Run an export that must raise `error`: (the error, store, the encoder)."""
    encoder = encoder if encoder is not None else ffmpeg_encoder(host.events)
    store = ExportStore(throttle=0.0)
    with pytest.raises(error) as info:
        asyncio.run(export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(), store, encoder))
    return info.value, store, encoder


def after(names: list[str], first: str, then: str) -> bool:
    return first in names and then in names[names.index(first):]


def assert_cleaned_up(host: FakeHost, encoder: FfmpegEncoder) -> None:
    names = host.names()
    assert encoder.frames.frames == {}, "frames left in the store"
    assert names[-1] == "restore_playback"
    assert names.count("restore_playback") == 1
    # the clears that count come after the last piece of work (the first frames.clear prepares)
    work = [i for i, n in enumerate(names) if n in ("pause_playback", "ffmpeg.load", "read_frame", "deliver",
                                                    "ffmpeg.run", "frames.put", "frames.put failed")]
    tail = names[work[-1]:]
    assert "ffmpeg.clear" in tail and "frames.clear" in tail
    if "begin_render" in names:
        assert after(names, "begin_render", "end_render")


def logged(store: ExportStore, level: str, text: str) -> bool:
    return any(e["level"] == level and text in e["message"] for e in store.logs)
