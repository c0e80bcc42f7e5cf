"""The encoder interface and its ffmpeg implementation.

`Encoder` is what the orchestrator sees: load before rendering (so a broken encoder fails fast), encode
the stored frames plus the trimmed audio after rendering, clean up always. `FfmpegEncoder` drives any
`FfmpegRuntime` — ffmpeg.wasm in the page (through the bridge) or native ffmpeg in tests and the
benchmark — with the same argument lists from encoding.py. A WebCodecs encoder will implement `Encoder`
beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..export.cancel import CancelSignal
from .encoding import AUDIO_FILE, FRAME_PATTERN, MIME, EncodeJob, ffmpeg_args

Progress = Callable[[int], None]


class Encoder(Protocol):
    name: str

    async def load(self, signal: CancelSignal) -> None: ...

    async def encode(self, job: EncodeJob, audio_wav: bytes | None, signal: CancelSignal,
                     progress: Progress) -> Any:
        """Encode frames 0..job.frame_count-1 from the frame store; return an output handle for the host."""

    async def cleanup(self) -> None: ...


class FfmpegRuntime(Protocol):
    """An ffmpeg with a private file system that can pull frames straight from the frame store."""

    async def load(self) -> None: ...

    async def write_frames(self, count: int, pattern: str) -> None: ...

    async def write_file(self, name: str, data: bytes) -> None: ...

    async def run(self, args: list[str], progress: Progress, signal: CancelSignal) -> None:
        """Run ffmpeg; raise EncoderError with ffmpeg's last words on failure, ExportCancelled if cancelled."""

    async def read_output(self, name: str, mime: str) -> Any: ...

    async def clear(self) -> None: ...


class FfmpegEncoder:
    name = "ffmpeg"

    def __init__(self, runtime: FfmpegRuntime) -> None:
        self.runtime = runtime

    async def load(self, signal: CancelSignal) -> None:
        signal.check()
        await self.runtime.load()

    async def encode(self, job: EncodeJob, audio_wav: bytes | None, signal: CancelSignal,
                     progress: Progress) -> Any:
        signal.check()
        await self.runtime.write_frames(job.frame_count, FRAME_PATTERN)
        signal.check()
        if job.has_audio:
            await self.runtime.write_file(AUDIO_FILE, audio_wav)
        await self.runtime.run(ffmpeg_args(job), progress, signal)
        signal.check()
        return await self.runtime.read_output(job.output_file, MIME[job.format])

    async def cleanup(self) -> None:
        await self.runtime.clear()
