"""vizengine.encode.segments: the cut of an export into 2-second segments, and each segment's ffmpeg
arguments. The cut must depend on the frame count and fps alone, so every run (and every machine) of the
same export has the same segments: that is what a resume relies on."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import numpy as np
import pytest
from fakes import job_manifest

from vizengine.encode.encoding import AUDIO_FILE, FRAME_PATTERN, EncodeJob, audio_codec_args, ffmpeg_args
from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.encode.segments import (
    AUDIO_OUTPUT,
    SEGMENT_SECONDS,
    Segment,
    audio_args,
    plan_segments,
    segment_args,
    segment_frames,
)
from vizengine.export.cancel import CancelSignal
from vizengine.frames.frame import Frame

COUNTS = [1, 2, 59, 60, 61, 119, 120, 121, 599, 600, 601, 10_799]


def after(args: list[str], flag: str) -> str:
    assert args.count(flag) == 1, f"{flag} appears {args.count(flag)} times in {args}"
    return args[args.index(flag) + 1]


@pytest.mark.parametrize("fps", [30, 60, 120])
def test_a_segment_is_two_seconds_of_frames(fps):
    assert SEGMENT_SECONDS == 2
    assert segment_frames(fps) == 2 * fps


@pytest.mark.parametrize("fps", [30, 60, 120])
@pytest.mark.parametrize("count", COUNTS)
def test_segments_cover_every_frame_exactly_once_in_order(count, fps):
    segments = plan_segments(count, fps)
    covered = [i for s in segments for i in range(s.first, s.last + 1)]
    assert covered == list(range(count))
    assert [s.index for s in segments] == list(range(len(segments)))
    assert all(s.count >= 1 for s in segments)


@pytest.mark.parametrize("fps", [30, 60, 120])
@pytest.mark.parametrize("count", COUNTS)
def test_every_segment_but_the_last_is_full_and_the_last_holds_the_rest(count, fps):
    size = 2 * fps
    *full, last = plan_segments(count, fps)
    assert all(s.count == size and s.first == s.index * size for s in full)
    assert last.count == (count % size or size) and last.last == count - 1
    assert len(full) + 1 == -(-count // size)


def test_the_plan_for_a_known_export():
    # 4.25 s at 60 fps: 255 frames
    assert plan_segments(255, 60) == [Segment(0, 0, 120), Segment(1, 120, 120), Segment(2, 240, 15)]
    assert Segment(2, 240, 15).last == 254
    assert plan_segments(0, 30) == []


class RecordingRuntime:
    """Just enough SegmentRuntime to see which segments an encoder queues."""

    def __init__(self) -> None:
        self.queued: list[tuple[int, int, int, tuple[str, ...]]] = []

    async def resumable(self):
        return []

    async def begin(self, export_id, manifest_json, workers):
        return [], 1

    async def put_frame(self, export_id, index, jpeg):
        pass

    async def flush(self):
        pass

    def encode_segment(self, export_id, segment, args, output):
        self.queued.append((segment.index, segment.first, segment.count))

    async def wait_for_capacity(self, limit):
        pass

    def cancel(self):
        pass


def queued_segments(job: EncodeJob) -> list[tuple[int, int, int]]:
    runtime = RecordingRuntime()
    encoder = SegmentedEncoder(runtime, 1)
    frame = Frame(np.zeros((4, 4, 4), np.uint8))  # the frames' pixels and size play no part in the cut

    async def go():
        await encoder.start(job, job_manifest(job, encoder.name), CancelSignal())
        for i in range(job.frame_count):
            await encoder.add_frame(i, frame)

    asyncio.run(go())
    return runtime.queued


@pytest.mark.parametrize("fps", [30, 60])
def test_the_encoder_queues_the_same_segments_whatever_the_size_quality_format_or_audio(fps):
    count = 5 * fps + 7
    jobs = [EncodeJob(1280, 720, fps, count, "low", "mp4"), EncodeJob(3840, 2160, fps, count, "high", "webm"),
            EncodeJob(1920, 1080, fps, count, "medium", "mp4", has_audio=False)]
    queued = [queued_segments(job) for job in jobs]
    assert queued[0] == [(s.index, s.first, s.count) for s in plan_segments(count, fps)]
    assert queued[1] == queued[0] and queued[2] == queued[0]


def test_another_frame_rate_cuts_elsewhere():
    assert queued_segments(EncodeJob(1280, 720, 30, 130, "low", "mp4")) == [(0, 0, 60), (1, 60, 60), (2, 120, 10)]
    assert queued_segments(EncodeJob(1280, 720, 60, 130, "low", "mp4")) == [(0, 0, 120), (1, 120, 10)]


# -- each segment's ffmpeg arguments ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_segment_is_video_only_from_frame_0_for_exactly_its_count(fmt):
    job = EncodeJob(1920, 1080, 60, 600, "high", fmt)
    args = segment_args(job, 37)
    assert after(args, "-i") == FRAME_PATTERN and after(args, "-start_number") == "0"
    assert after(args, "-framerate") == "60" and after(args, "-frames:v") == "37"
    assert "-an" in args and "-map" not in args and AUDIO_FILE not in args and "-c:a" not in args
    assert args[-1] == f"segment.{fmt}"


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_segments_are_encoded_like_the_single_pass_video(fmt):
    """Same codec, rate control and colour conversion as ffmpeg_args: only the cut differs."""
    job = EncodeJob(1920, 1080, 60, 600, "medium", fmt)
    single = ffmpeg_args(job)
    video = single[single.index("-c:v"): single.index("-c:a")]  # the video codec and colour arguments
    args = segment_args(job, 120)
    assert args[args.index("-c:v"): args.index("-c:v") + len(video)] == video


def test_segments_of_one_export_differ_only_in_their_frame_count():
    job = EncodeJob(1280, 720, 30, 130, "low", "mp4")
    first, last = segment_args(job, 60), segment_args(job, 10)
    assert [a for a, b in zip(first, last) if a != b] == ["60"] and len(first) == len(last)


@pytest.mark.parametrize("fmt, output", [("mp4", "audio.m4a"), ("webm", "audio.webm")])
def test_the_audio_is_encoded_once_bounded_to_the_video(fmt, output):
    job = EncodeJob(1280, 720, 30, 130, "high", fmt)
    args = audio_args(job)
    assert AUDIO_OUTPUT[fmt] == output and args[-1] == output
    assert after(args, "-i") == AUDIO_FILE and "-vn" in args
    assert abs(Fraction(after(args, "-t")) - Fraction(130, 30)) <= Fraction(1, 2 * 10**9)
    codec = audio_codec_args(job)
    assert args[args.index(codec[0]): args.index(codec[0]) + len(codec)] == codec
