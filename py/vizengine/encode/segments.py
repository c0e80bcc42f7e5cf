"""An export cut into segments: fixed runs of frames encoded separately and joined without re-encoding.

The cut depends on the settings alone (2 s of video per segment), so the same export always has the same
segments on any machine: that is what lets a reload resume from the stored segments, and later lets other
machines render some of them. Each segment is its own encode, so it starts on a key frame and its GOPs are
closed; the join only copies packets.
"""

from __future__ import annotations

from dataclasses import dataclass

from .encoding import COLOUR_ARGS, FRAME_PATTERN, AUDIO_FILE, EncodeJob, audio_codec_args, seconds_arg, video_codec_args

SEGMENT_SECONDS = 2
# The extension tells ffmpeg which container; mediabunny reads both.
AUDIO_OUTPUT = {"mp4": "audio.m4a", "webm": "audio.webm"}


@dataclass(frozen=True)
class Segment:
    index: int
    first: int
    count: int

    @property
    def last(self) -> int:
        return self.first + self.count - 1


def segment_frames(fps: int) -> int:
    return SEGMENT_SECONDS * fps


def plan_segments(frame_count: int, fps: int) -> list[Segment]:
    size = segment_frames(fps)
    return [Segment(s, first, min(size, frame_count - first))
            for s, first in enumerate(range(0, frame_count, size))]


def segment_output(job: EncodeJob) -> str:
    return f"segment.{job.format}"


def segment_args(job: EncodeJob, count: int) -> list[str]:
    """Video only, frames numbered from 0 within the segment, so every segment runs the same command."""
    return ["-hide_banner", "-y", "-framerate", str(job.fps), "-start_number", "0", "-i", FRAME_PATTERN,
            "-frames:v", str(count), *video_codec_args(job), *COLOUR_ARGS, "-an", segment_output(job)]


def audio_args(job: EncodeJob) -> list[str]:
    """The trimmed WAV encoded once for the whole export, bounded to the video's duration."""
    return ["-hide_banner", "-y", "-i", AUDIO_FILE, "-vn", *audio_codec_args(job),
            "-t", seconds_arg(job.duration), AUDIO_OUTPUT[job.format]]
