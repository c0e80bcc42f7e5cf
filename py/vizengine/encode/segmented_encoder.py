"""The streamed ffmpeg encoder: segments encode on a pool of ffmpeg.wasm workers while rendering goes on.

Each frame's JPEG is stored under the export's id; when a segment's last frame is stored, the segment
is queued for a worker, which encodes it and drops its frames, so storage holds a bounded number of frames
whatever the length. Rendering waits while too many segments are queued (backpressure). At the end the
audio is encoded once and the segments and audio are joined, without re-encoding, into a file written
piece by piece (OPFS in the page). Segments already stored for the same manifest (a reload, a crash, a
killed CLI) are not rendered again: `needs` tells the orchestrator which frames are still wanted.
"""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from ..errors import ExportCancelled
from ..export.cancel import CancelSignal
from ..export.manifest import Manifest
from ..frames.frame import PIXELS, Frame
from .encoder import FRAME_JPEG_QUALITY, Progress
from .encoding import MIME, EncodeJob
from .segments import Segment, audio_args, plan_segments, segment_args, segment_frames, segment_output, AUDIO_OUTPUT


class SegmentRuntime(Protocol):
    """The page's side (web/src/encode/segment-runtime.js, through the bridge)."""

    async def resumable(self) -> list[dict]: ...

    async def begin(self, export_id: str, manifest_json: str, workers: int) -> tuple[list[int], int]:
        """Store the manifest, start `workers` encoders (0: as many as the machine affords); return the
        segments already stored for this export and the number of workers started."""

    async def put_frame(self, export_id: str, index: int, jpeg: bytes) -> None: ...

    async def flush(self) -> None: ...

    def encode_segment(self, export_id: str, segment: Segment, args: list[str], output: str) -> None: ...

    async def wait_for_capacity(self, limit: int) -> None: ...

    async def wait_all(self, progress: Progress) -> None: ...

    async def encode_audio(self, export_id: str, wav: bytes, args: list[str], output: str) -> None: ...

    async def mux(self, export_id: str, options: dict) -> Any: ...

    async def hand_over(self, export_id: str, segments: list[int], audio: bool) -> Any:
        """The stored segments' bytes (and the audio's), read before the export's data is deleted: a
        render farm part's output, {segments: [bytes], audio: bytes | None, size}."""

    def cancel(self) -> None: ...

    async def discard(self, export_id: str) -> None: ...

    async def finish_export(self, export_id: str) -> None: ...


class SegmentedEncoder:
    name = "ffmpeg.wasm, segmented"
    wants = PIXELS

    def __init__(self, runtime: SegmentRuntime, workers: int = 0) -> None:
        self.runtime = runtime
        self.workers = workers  # 0: the page picks
        self.export_id: str | None = None
        self.resumed_frames = 0
        self._finished: set[int] = set()
        self._delivered = False

    async def start(self, job: EncodeJob, manifest: Manifest, signal: CancelSignal) -> None:
        self._job, self._signal = job, signal
        self._segments = plan_segments(job.frame_count, job.fps)
        self._size = segment_frames(job.fps)
        stored = [entry for entry in await self.runtime.resumable() if entry.get("key") == manifest.key]
        self.export_id = stored[0]["exportId"] if stored else f"{manifest.key}-{secrets.token_hex(4)}"
        self._unsubscribe = signal.on_cancel(self.runtime.cancel)
        finished, self.workers = await self.runtime.begin(self.export_id, manifest.to_json(), self.workers)
        self._finished = {s for s in finished if 0 <= s < len(self._segments)}
        self.resumed_frames = sum(self._segments[s].count for s in self._finished)
        signal.check()

    def needs(self, index: int) -> bool:
        return index // self._size not in self._finished

    async def add_frame(self, index: int, frame: Frame) -> None:
        await self.runtime.put_frame(self.export_id, index, frame.jpeg(FRAME_JPEG_QUALITY))
        segment = self._segments[index // self._size]
        if index == segment.last:
            await self.runtime.flush()
            self.runtime.encode_segment(self.export_id, segment, segment_args(self._job, segment.count),
                                        segment_output(self._job))
            # One segment queued per worker beyond the running ones: workers never wait, storage stays bounded.
            await self._checked(self.runtime.wait_for_capacity(2 * self.workers))

    async def finish(self, audio_wav: bytes | None, progress: Progress) -> Any:
        await self._drain(progress)
        if self._job.has_audio:
            await self._encode_audio(audio_wav)
        return await self._mux()

    async def hand_over(self, segments: list[int], audio_wav: bytes | None, progress: Progress) -> Any:
        """A part's finish (export/part.py): the same segments and audio as `finish` would join, handed
        back as bytes instead; `audio_wav` None leaves the audio out."""
        await self._drain(progress)
        if audio_wav is not None:
            await self._encode_audio(audio_wav)
        return await self._checked(self.runtime.hand_over(self.export_id, segments, audio_wav is not None))

    async def _drain(self, progress: Progress) -> None:
        """Wait until every queued segment is stored."""
        await self._checked(self.runtime.wait_all(lambda done: progress(self.resumed_frames + done)))

    async def _encode_audio(self, audio_wav: bytes) -> None:
        """The trimmed WAV, encoded once on an ffmpeg.wasm worker and stored beside the segments."""
        job = self._job
        await self._checked(self.runtime.encode_audio(self.export_id, audio_wav, audio_args(job),
                                                      AUDIO_OUTPUT[job.format]))

    async def _mux(self) -> Any:
        job = self._job
        output = await self._checked(self.runtime.mux(self.export_id, {
            "format": job.format, "fps": job.fps, "segmentFrames": self._size, "frameCount": job.frame_count,
            "mime": MIME[job.format], "audio": job.has_audio,
        }))
        self._delivered = True
        return output

    async def abort(self) -> None:
        if getattr(self, "_unsubscribe", None):
            self._unsubscribe()
        if self.export_id is None:
            return
        # After a successful finish the download may still be reading the output file: keep that one.
        if self._delivered:
            await self.runtime.finish_export(self.export_id)
        else:
            await self.runtime.discard(self.export_id)

    async def _checked(self, waiting: Any) -> Any:
        """A wait the cancel signal aborted is a cancel, not an encoder failure."""
        try:
            return await waiting
        except ExportCancelled:
            raise
        except Exception:
            self._signal.check()
            raise
