"""The WebCodecs encoder: the browser's own VideoEncoder (H.264 or VP9) fed with VideoFrames of the
composited canvas, so no frame is read back, made into a JPEG or copied through Python.

It keeps the segmented encoder's output contract and storage (segmented_encoder.py): the export is cut
into the same 2 s segments, each encoded by a fresh VideoEncoder (so it starts on a key frame, owes
nothing to the one before and a resumed export re-encodes whole segments only), packed into a small
MP4/WebM and stored under the export's id as soon as its last frame is encoded; memory stays flat. The
finish is the segmented encoder's: the audio once (AAC from ffmpeg.wasm for MP4 — WebCodecs has no AAC
encoder on Linux —, Opus from WebCodecs for WebM), then the join into the OPFS file.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..export.cancel import CancelSignal
from ..export.manifest import WEBCODECS_ENCODER, Manifest
from ..frames.frame import VIDEO_FRAME, PageFrame
from .encoder import Progress
from .encoding import EncodeJob
from .segmented_encoder import SegmentedEncoder, SegmentRuntime
from .webcodecs import is_key_frame, webcodecs_config


class VideoCodecRuntime(Protocol):
    """The page's side (web/src/encode/webcodecs-runtime.js, through the bridge)."""

    def configure(self, config: dict, fps: int, format: str) -> None: ...

    async def encode_frame(self, video_frame: Any, segment: int, offset: int, key_frame: bool) -> None:
        """Queue frame `offset` of `segment` (a fresh encoder starts at offset 0); resolves once the
        encoder's queue has room, so captured frames never pile up."""

    async def end_segment(self, export_id: str, segment: int, first: int, count: int) -> None:
        """The segment's last frame was queued: drain, pack and store it (in the background; resolves once
        few enough segments are still being stored)."""

    async def wait_all(self) -> None:
        """Every ended segment is stored (or the first failure)."""

    async def encode_opus(self, export_id: str, wav: bytes, bitrate: int, seconds: float) -> None: ...

    def cancel(self) -> None:
        """Stop: close the encoders; waits reject."""

    async def stop(self) -> None:
        """cancel(), then wait until nothing of this export is being written any more."""


class WebCodecsEncoder(SegmentedEncoder):
    name = WEBCODECS_ENCODER
    wants = VIDEO_FRAME

    def __init__(self, segments: SegmentRuntime, codec: VideoCodecRuntime, reason: str = "") -> None:
        # One ffmpeg.wasm worker, for MP4's AAC; it loads while the frames render.
        super().__init__(segments, workers=1)
        self.codec = codec
        self.reason = reason

    async def start(self, job: EncodeJob, manifest: Manifest, signal: CancelSignal) -> None:
        self._config = webcodecs_config(job.width, job.height, job.fps, job.quality, job.format)
        await super().start(job, manifest, signal)
        # Configured before the cancel hook: configure() starts afresh, so it must not undo a cancel.
        self.codec.configure(self._config.to_dict(), job.fps, job.format)
        self._unsubscribe_codec = signal.on_cancel(self.codec.cancel)

    async def add_frame(self, index: int, frame: PageFrame) -> None:
        segment = self._segments[index // self._size]
        await self._checked(self.codec.encode_frame(frame.handle, segment.index, index - segment.first,
                                                    is_key_frame(index, self._job.fps)))
        if index == segment.last:
            await self._checked(self.codec.end_segment(self.export_id, segment.index, segment.first, segment.count))

    async def _drain(self, progress: Progress) -> None:
        await self._checked(self.codec.wait_all())
        progress(self._job.frame_count)

    async def _encode_audio(self, audio_wav: bytes) -> None:
        audio = self._config.audio
        if audio["codec"] != "opus":
            await super()._encode_audio(audio_wav)  # AAC: ffmpeg.wasm, the segmented encoder's arguments
            return
        await self._checked(self.codec.encode_opus(self.export_id, audio_wav, audio["bitrate"],
                                                   float(self._job.duration)))

    async def abort(self) -> None:
        # The encoders stop and their last segment stores settle before the export's data is deleted:
        # a segment written after the delete would be left behind.
        if getattr(self, "_unsubscribe_codec", None):
            self._unsubscribe_codec()
        try:
            await self.codec.stop()
        finally:
            await super().abort()
