"""Backpressure in the segmented encoder: after queueing each segment it waits until fewer than
2 x workers segments are queued or running, so storage holds a bounded number of frames however long
the export is, and rendering never runs ahead of the encoders by more than that.

GatedRuntime finishes segments only while someone waits for it (the encoders are slower than the
renderer), so without the wait the queue would grow with every segment; it records the most segments
ever pending. The native run checks the same bound with real, concurrent ffmpeg processes.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from fakes import job_manifest
from native_segments import NativeSegmentRuntime
from segment_runs import needs_ffmpeg

from vizengine.audio.clip import to_wav
from vizengine.encode.encoding import EncodeJob
from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.encode.segments import plan_segments
from vizengine.export.cancel import CancelSignal
from vizengine.frames.frame import Frame


class GatedRuntime:
    """A SegmentRuntime whose segments finish, oldest first, only inside wait_for_capacity/wait_all."""

    def __init__(self, auto_workers: int = 3) -> None:
        self.auto_workers = auto_workers
        self.pending: list[int] = []
        self.finished: list[int] = []
        self.max_pending = 0
        self.log: list[tuple] = []  # ("queued", s, pending after), ("waited", limit, pending when it returned)

    async def resumable(self):
        return []

    async def begin(self, export_id, manifest_json, workers):
        return [], workers or self.auto_workers

    async def put_frame(self, export_id, index, jpeg):
        self.log.append(("frame", index))

    async def flush(self):
        pass

    def encode_segment(self, export_id, segment, args, output):
        self.pending.append(segment.index)
        self.max_pending = max(self.max_pending, len(self.pending))
        self.log.append(("queued", segment.index, len(self.pending)))

    async def wait_for_capacity(self, limit):
        await asyncio.sleep(0)
        while len(self.pending) >= limit:
            self.finished.append(self.pending.pop(0))
        self.log.append(("waited", limit, len(self.pending)))

    async def wait_all(self, progress):
        self.finished += self.pending
        self.pending.clear()
        progress(0)

    async def encode_audio(self, export_id, wav, args, output):
        pass

    async def mux(self, export_id, options):
        return b"muxed"

    def cancel(self):
        pass


def frame(width: int, height: int) -> Frame:
    return Frame(np.zeros((height, width, 4), np.uint8))


async def encode(encoder: SegmentedEncoder, job: EncodeJob) -> None:
    await encoder.start(job, job_manifest(job, encoder.name), CancelSignal())
    for i in range(job.frame_count):
        await encoder.add_frame(i, frame(job.width, job.height))
    silence = to_wav(np.zeros((2, job.frame_count * 1600)), 48000)
    await encoder.finish(silence, lambda _: None)


@pytest.mark.parametrize("workers, started", [(1, 1), (2, 2), (4, 4), (0, 3)], ids=["1", "2", "4", "auto-3"])
def test_after_each_segment_the_encoder_waits_for_capacity_of_two_per_worker(workers, started):
    runtime = GatedRuntime(auto_workers=3)
    job = EncodeJob(8, 8, 30, 12 * 60 + 7, "low", "mp4")  # 13 segments
    asyncio.run(encode(SegmentedEncoder(runtime, workers), job))
    steps = [entry for entry in runtime.log if entry[0] != "frame"]
    segments = len(plan_segments(job.frame_count, job.fps))
    # queued, waited, queued, waited, ...: one wait after every segment, for 2 x the workers started
    assert [entry[0] for entry in steps] == ["queued", "waited"] * segments
    assert [entry[1] for entry in steps if entry[0] == "waited"] == [2 * started] * segments
    assert [entry[1] for entry in steps if entry[0] == "queued"] == list(range(segments))
    # nothing more than that many segments pending; and the bound is reached, so the wait is what holds it
    assert runtime.max_pending == 2 * started
    assert all(pending < 2 * started for kind, _, pending in steps if kind == "waited")
    assert runtime.finished == list(range(segments))


def test_rendering_goes_on_only_after_the_wait_returns():
    runtime = GatedRuntime()
    job = EncodeJob(8, 8, 30, 5 * 60, "low", "mp4")
    asyncio.run(encode(SegmentedEncoder(runtime, 1), job))
    for k, entry in enumerate(runtime.log):
        if entry[0] == "queued" and k + 1 < len(runtime.log):
            assert runtime.log[k + 1][0] == "waited", f"frame {runtime.log[k + 1]} before the wait"


def test_a_wait_that_is_never_awaited_is_caught():
    """The fake itself: a wait_for_capacity the encoder forgot to await leaves no "waited" entry."""
    runtime = GatedRuntime()
    coroutine = runtime.wait_for_capacity(2)
    coroutine.close()
    assert runtime.log == []


@needs_ffmpeg
@pytest.mark.parametrize("workers", [1, 2])
def test_real_encoders_never_hold_more_than_two_segments_per_worker(tmp_path, workers):
    runtime = NativeSegmentRuntime(tmp_path)
    job = EncodeJob(64, 36, 30, 6 * 60 + 5, "low", "mp4")  # 7 segments of tiny frames: rendering outruns ffmpeg

    async def go():
        encoder = SegmentedEncoder(runtime, workers)
        await encode(encoder, job)
        await encoder.abort()

    asyncio.run(go())
    assert runtime.capacity_limits == [2 * workers] * 7
    assert 1 <= runtime.max_pending <= 2 * workers
    assert runtime.files() and all(name.startswith("outputs/") for name in runtime.files())
