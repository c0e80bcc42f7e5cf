"""The streaming encoder interface and its ffmpeg implementation.

The orchestrator hands an `Encoder` each composited frame as soon as it exists (the shape of Motion
Canvas's `Exporter`): `start` before the first frame (so a broken encoder fails before any rendering),
`add_frame` per frame it `needs` (a resumed export needs only the frames it has not encoded yet), `finish`
with the trimmed audio for the output, and `abort` on every exit to drop whatever the export still holds. `FfmpegEncoder` keeps the frames as JPEGs in a `FrameStore`
(IndexedDB in the page) and drives any `FfmpegRuntime` (ffmpeg.wasm in the page, native ffmpeg in tests
and the benchmark) with the argument lists from encoding.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..errors import EncoderError
from ..export.cancel import CancelSignal
from ..export.manifest import Manifest
from ..frames.frame import PIXELS, Frame
from .encoding import AUDIO_FILE, FRAME_PATTERN, MIME, EncodeJob, ffmpeg_args

Progress = Callable[[int], None]
# Frames reach ffmpeg as JPEG; this quality keeps them visually lossless before the final encode.
FRAME_JPEG_QUALITY = 92


class Encoder(Protocol):
    name: str
    # The form add_frame takes (frames/frame.py): PIXELS, read back from the GPU, or VIDEO_FRAME, which
    # stays in the page. An encoder without it gets pixels. It may also say, as `reason`, why it was
    # chosen (encode/choice.py); the export's log shows it.
    wants: str

    async def start(self, job: EncodeJob, manifest: Manifest, signal: CancelSignal) -> None: ...

    def needs(self, index: int) -> bool:
        """Whether frame `index` must be rendered and added (False for frames a resumed export has)."""

    async def add_frame(self, index: int, frame: Frame) -> None:
        """Take frame `index` (0, 1, 2, ... in order); the frame is only valid during this call."""

    async def finish(self, audio_wav: bytes | None, progress: Progress) -> Any:
        """Every frame was added: return the finished file as a handle the host can deliver."""

    async def abort(self) -> None:
        """Drop everything this export stored; safe at any point, also after finish."""


class FrameStore(Protocol):
    """Encoded frames by index (IndexedDB in the page), kept until the encode reads them."""

    async def put(self, index: int, jpeg: bytes) -> None:
        """Accept a frame; it may be written in a batch with later ones."""

    async def flush(self) -> None:
        """Write every accepted frame."""

    async def clear(self) -> None: ...


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
    wants = PIXELS

    def __init__(self, runtime: FfmpegRuntime, frames: FrameStore) -> None:
        self.runtime = runtime
        self.frames = frames
        self._job: EncodeJob | None = None
        self._signal: CancelSignal | None = None

    async def start(self, job: EncodeJob, manifest: Manifest, signal: CancelSignal) -> None:
        self._job, self._signal = job, signal
        await self.frames.clear()  # frames left by an export the browser never finished
        signal.check()
        await self.runtime.load()

    def needs(self, index: int) -> bool:
        return True

    async def add_frame(self, index: int, frame: Frame) -> None:
        await self.frames.put(index, frame.jpeg(FRAME_JPEG_QUALITY))

    async def finish(self, audio_wav: bytes | None, progress: Progress) -> Any:
        job, signal = self._job, self._signal
        assert job is not None and signal is not None, "finish before start"
        await self.frames.flush()
        signal.check()
        await self.runtime.write_frames(job.frame_count, FRAME_PATTERN)
        signal.check()
        if job.has_audio:
            await self.runtime.write_file(AUDIO_FILE, audio_wav)
        await self.runtime.run(ffmpeg_args(job), progress, signal)
        signal.check()
        return await self.runtime.read_output(job.output_file, MIME[job.format])

    async def abort(self) -> None:
        # Both steps run even if the first fails (a failed cleanup must not leave files behind), and a
        # failure of each is reported.
        errors = []
        for clear in (self.frames.clear, self.runtime.clear):
            try:
                await clear()
            except Exception as error:  # noqa: BLE001 — keep clearing, report all
                errors.append(str(error))
        if errors:
            raise EncoderError("; ".join(errors))
