"""What the orchestrator needs from the page, as Protocols.

`vizengine._browser.bridge.BrowserHost` implements it over `pyodide.ffi`; tests use a fake. Nothing else in
the package knows a page exists.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..audio.analysis import AudioFrames
from ..audio.clip import DecodedAudio
from ..encode.encoder import FfmpegRuntime


class FrameStore(Protocol):
    """Encoded frames by index (IndexedDB in the page), kept across the render and encode phases."""

    async def put(self, index: int, jpeg: bytes) -> None:
        """Accept a frame; it may be written in a batch with later ones."""

    async def flush(self) -> None:
        """Write every accepted frame."""

    async def clear(self) -> None: ...


class Host(Protocol):
    frames: FrameStore
    ffmpeg: FfmpegRuntime

    def project(self) -> dict:
        """{"background": css colour, "layers": [{id, kind, opacity, blendMode, background}], "analyser": {...}}"""

    async def decode_audio(self) -> DecodedAudio: ...

    def pause_playback(self) -> None: ...

    def restore_playback(self) -> None:
        """Resume playback if it was playing when the export began; idempotent."""

    def begin_render(self, width: int, height: int, audio: AudioFrames) -> None:
        """Size every layer's drawing buffer for export and hand the layers the per-frame audio data."""

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        """Select frame `index`'s audio and start rendering all layers at `time`; may return before
        the GPU is done, so the CPU can composite the previous frame meanwhile."""

    def read_frame(self, out: np.ndarray) -> None:
        """Wait for the drawn frame and read the layers' premultiplied RGBA (bottom-up rows) into
        `out`, shaped (layers, height, width, 4)."""

    def end_render(self) -> None:
        """Give the layers back their preview size and live audio; idempotent."""

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        """Hand the finished file to the user (download); return its size in bytes."""
