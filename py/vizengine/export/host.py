"""What the orchestrator needs from the page, as a Protocol.

`vizengine._browser.bridge.BrowserHost` implements it over `pyodide.ffi`; tests use a fake. Nothing else in
the package knows a page exists.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..audio.analysis import AudioFrames
from ..audio.clip import DecodedAudio
from ..frames.frame import PageFrame
from ..project.description import Project


class Host(Protocol):
    def project(self) -> Project:
        """The page's project description, validated."""

    async def decode_audio(self) -> DecodedAudio: ...

    def build_id(self) -> str:
        """Which build of the app runs: exports of different builds are never mixed on resume."""

    def pause_playback(self) -> None: ...

    async def layers_ready(self) -> None:
        """Wait until every layer can draw its final picture (fonts loaded, images decoded)."""

    def restore_playback(self) -> None:
        """Resume playback if it was playing when the export began; idempotent."""

    def configure_compositor(self, plan: dict) -> None:
        """Hand the GPU compositor its plan (frames.gpu_plan): the preview's and the export's."""

    def begin_render(self, width: int, height: int, audio: AudioFrames, form: str = "pixels") -> None:
        """Size the renderer for export and hand the layers the per-frame audio data; `form` is how frames
        will be taken (frames.frame: "pixels" for read_frame, "video_frame" for capture_frame)."""

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        """Select frame `index`'s audio, draw every layer at `time` and composite them; may return
        before the GPU is done, so the CPU can encode the previous frame meanwhile."""

    async def read_frame(self, out: np.ndarray) -> None:
        """Wait (without holding the page's thread) for the drawn frame and read the composited RGBA (rows bottom-up) into `out`,
        shaped (height, width, 4)."""

    async def capture_frame(self) -> PageFrame:
        """Wait (without holding the page's thread) for the drawn frame and capture the composited canvas
        as a VideoFrame that stays in the page; no pixels are read back."""

    def end_render(self) -> None:
        """Give the renderer back its preview size and live audio; idempotent."""

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        """Hand the finished file to the user (download); return its size in bytes."""
