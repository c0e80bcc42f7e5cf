"""Segmented exports over native ffmpeg, and what their files hold.

Shared by the tests of the segmented encoder (test_segmented_*.py). QuickHost keeps them fast: the
reference compositor costs ~60 ms a frame at 720p, and these tests render hundreds of frames.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from export_runs import export
from fakes import FakeFrameStore, FakeHost, ffmpeg_encoder, synthetic_audio
from native_ffmpeg import NativeFfmpegRuntime
from native_segments import NativeSegmentRuntime

from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.export.cancel import CancelSignal
from vizengine.export.orchestrator import export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="native ffmpeg/ffprobe not installed")

# 2.1 s at 30 fps: 63 frames, segments of 60 and 3 (the last one shorter).
SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.5",
            "duration": "2.1"}
FRAMES, WIDTH, HEIGHT, FPS = 63, 1280, 720, 30
TRACK_SECONDS = 3.0


class QuickHost(FakeHost):
    """FakeHost whose GPU paints a cheap frame instead of compositing the layers: a ramp sliding with
    the frame index, a flat blue that jumps with it (so each frame is far from its neighbours), and a
    band as high as the frame's loudest spectrum bin, as bright as the first layer's opacity. The
    events, failure and cancel hooks are FakeHost's."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("audio", synthetic_audio(TRACK_SECONDS))
        super().__init__(**kwargs)

    async def read_frame(self, out: np.ndarray) -> None:
        index, time = self._drawn
        self.events.append(("read_frame", index))
        width, height = self.render_size
        out[..., 0] = ((np.arange(width) * 255 // width + 9 * index) % 256).astype(np.uint8)[None, :]
        out[..., 1] = int(255 * ((time * 0.7) % 1.0))
        out[..., 2] = (90 + 37 * index) % 256
        out[..., 3] = 255
        bar = int(self.render_audio.frequency[index].max()) * height // 255
        out[:bar, width // 4: 3 * width // 4, 1] = int(255 * self.project_json["layers"][0]["opacity"])


def run(host: FakeHost, settings: dict, encoder: SegmentedEncoder, signal: CancelSignal | None = None,
        store: ExportStore | None = None):
    """export_video to its end: (result, store, every snapshot the store sent). Segment encodes still
    running when it returns fail the test (they would otherwise hang asyncio.run's shutdown)."""
    store = store if store is not None else ExportStore(throttle=0.0)
    seen: list[dict] = []
    store.subscribe(seen.append)

    async def go():
        try:
            return await export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(), store,
                                      encoder)
        finally:
            if await encoder.runtime.stop_leftovers():
                raise AssertionError("the export ended while segments were still being encoded")

    return asyncio.run(go()), store, seen


def segmented(host: FakeHost, root: Path, settings: dict = SETTINGS, workers: int = 2, **runtime_options):
    """A segmented export to completion: (result, store, encoder); the runtime is encoder.runtime."""
    encoder = SegmentedEncoder(NativeSegmentRuntime(root, **runtime_options), workers)
    result, store, _ = run(host, settings, encoder)
    return result, store, encoder


def segmented_raising(host: FakeHost, root: Path, error: type, settings: dict = SETTINGS, workers: int = 2,
                      signal: CancelSignal | None = None, **runtime_options):
    """A segmented export that must raise `error`: (the error, store, encoder)."""
    encoder = SegmentedEncoder(NativeSegmentRuntime(root, **runtime_options), workers)
    store = ExportStore(throttle=0.0)
    with pytest.raises(error) as info:
        run(host, settings, encoder, signal, store)
    return info.value, store, encoder


def single_pass(host: FakeHost, workdir: Path, settings: dict = SETTINGS):
    """The same export through the single-pass FfmpegEncoder: (result, store)."""
    frames = FakeFrameStore()
    encoder = ffmpeg_encoder(host.events, frames, NativeFfmpegRuntime(frames, workdir))
    result, store, _, _ = export(host, settings, encoder=encoder)
    return result, store


class NativeExports:
    """Each format's segmented and single-pass export of SETTINGS, made once per test session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[tuple[str, str], tuple] = {}

    def segmented(self, fmt: str) -> tuple[Path, FakeHost, SegmentedEncoder]:
        if ("segmented", fmt) not in self._made:
            host = QuickHost()
            _, _, encoder = segmented(host, self.folder / f"segments-{fmt}", {**SETTINGS, "format": fmt})
            self._made["segmented", fmt] = (delivered(host, self.folder / f"segmented.{fmt}"), host, encoder)
        return self._made["segmented", fmt]

    def single_pass(self, fmt: str) -> Path:
        if ("single", fmt) not in self._made:
            host = QuickHost()
            single_pass(host, self.folder / f"ffmpeg-{fmt}", {**SETTINGS, "format": fmt})
            self._made["single", fmt] = (delivered(host, self.folder / f"single.{fmt}"),)
        return self._made["single", fmt][0]


def delivered(host: FakeHost, path: Path) -> Path:
    """Write the file the host got to `path`."""
    (output, _, _), = host.delivered
    path.write_bytes(output)
    return path


def drawn(host: FakeHost) -> list[int]:
    return [index for index, _, _ in host.renders]


def probe(path: Path) -> dict:
    """Per stream type: codec, frames counted by decoding, and the decoded audio's length in seconds."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,codec_name,nb_read_frames,width,height", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    streams = {s["codec_type"]: s for s in json.loads(out)["streams"]}
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-ac", "1",
                          "-ar", "48000", "-"], check=True, capture_output=True).stdout
    streams["audio_seconds"] = len(pcm) / 2 / 48000
    return streams


def framemd5(path: Path) -> list[str]:
    """The md5 of every decoded video frame, in order (ffmpeg's framemd5 muxer)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
                         check=True, capture_output=True, text=True).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines() if line and not line.startswith("#")]


def decoded(path: Path) -> np.ndarray:
    """Every decoded frame as it is stored (yuv420p planes), one row per frame."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "rawvideo",
                          "-pix_fmt", "yuv420p", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, WIDTH * HEIGHT * 3 // 2)
