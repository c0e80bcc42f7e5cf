"""Test doubles for the WebCodecs encoder's page side: segment storage (segment-runtime.js) and the video
codec (webcodecs-runtime.js), in memory. Both append to a shared `events` list, so a test can check the
order across host, codec and storage."""

from __future__ import annotations

import hashlib
from typing import Any

from vizengine.errors import EncoderError


class FakeSegmentStore:
    """SegmentRuntime's calls the WebCodecs encoder makes: manifests, segments, audio, mux, cleanup."""

    def __init__(self, events: list) -> None:
        self.events = events
        self.manifests: dict[str, str] = {}
        self.segments: dict[str, dict[int, list]] = {}
        self.audio: dict[str, tuple] = {}
        self.running: set[str] = set()
        self.workers_asked: list[int] = []

    async def resumable(self) -> list[dict]:
        return [{"exportId": export_id, "key": _key(text), "manifest": text,
                 "segmentsDone": sorted(self.segments.get(export_id, {}))}
                for export_id, text in self.manifests.items() if export_id not in self.running]

    async def begin(self, export_id: str, manifest_json: str, workers: int) -> tuple[list[int], int]:
        self.events.append(("store.begin", workers))
        self.workers_asked.append(workers)
        self.running.add(export_id)
        self.manifests[export_id] = manifest_json
        self.segments.setdefault(export_id, {})
        return sorted(self.segments[export_id]), workers

    async def encode_audio(self, export_id: str, wav: bytes, args: list[str], output: str) -> None:
        self.events.append(("store.encode_audio", output))
        self.audio[export_id] = ("ffmpeg", output, len(wav))

    async def mux(self, export_id: str, options: dict) -> Any:
        self.events.append(("store.mux",))
        return {**options, "segments": dict(self.segments[export_id]), "stored_audio": self.audio.get(export_id)}

    def cancel(self) -> None:
        self.events.append(("store.cancel",))

    async def discard(self, export_id: str) -> None:
        self.events.append(("store.discard",))
        self.running.discard(export_id)
        for table in (self.manifests, self.segments, self.audio):
            table.pop(export_id, None)

    async def finish_export(self, export_id: str) -> None:
        self.events.append(("store.finish_export",))
        self.running.discard(export_id)
        for table in (self.manifests, self.segments, self.audio):
            table.pop(export_id, None)

    def forget_running(self) -> None:
        """As if the tab running the exports was closed: its exports become resumable."""
        self.running.clear()


def _key(manifest_json: str) -> str:
    return hashlib.sha256(manifest_json.encode()).hexdigest()[:32]


class FakeCodec:
    """The page's VideoEncoder per segment: `frames` lists (frame index, segment, offset, key frame) as
    queued; end_segment "stores" the segment's frame indices in the segment store. `fail_in_segment`
    makes end_segment of that segment fail as a broken encoder would."""

    def __init__(self, store: FakeSegmentStore, events: list, fail_in_segment: int | None = None) -> None:
        self.store = store
        self.events = events
        self.fail_in_segment = fail_in_segment
        self.configured: list[tuple] = []
        self.frames: list[tuple[int, int, int, bool]] = []
        self.open: list[int] = []
        self.cancelled = False
        self.stopped = False

    def configure(self, config: dict, fps: int, format: str) -> None:
        self.events.append(("codec.configure",))
        self.configured.append((config, fps, format))
        self.cancelled = False

    async def encode_frame(self, video_frame: Any, segment: int, offset: int, key_frame: bool) -> None:
        if self.cancelled:
            raise EncoderError("Export cancelled")
        self.events.append(("codec.encode_frame", video_frame.index))
        self.frames.append((video_frame.index, segment, offset, key_frame))
        self.open.append(video_frame.index)

    async def end_segment(self, export_id: str, segment: int, first: int, count: int) -> None:
        self.events.append(("codec.end_segment", segment))
        if segment == self.fail_in_segment:
            raise EncoderError(f"the video encoder failed in segment {segment}")
        assert self.open == list(range(first, first + count)), (segment, self.open)
        self.store.segments[export_id][segment] = list(self.open)
        self.open = []

    async def wait_all(self) -> None:
        self.events.append(("codec.wait_all",))

    async def encode_opus(self, export_id: str, wav: bytes, bitrate: int, seconds: float) -> None:
        self.events.append(("codec.encode_opus", bitrate, seconds))
        self.store.audio[export_id] = ("opus", bitrate, len(wav))

    def cancel(self) -> None:
        self.events.append(("codec.cancel",))
        self.cancelled = True

    async def stop(self) -> None:
        self.events.append(("codec.stop",))
        self.cancel()
        self.stopped = True
