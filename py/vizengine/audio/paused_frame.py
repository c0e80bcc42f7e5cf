"""The analysis frame a paused preview shows: the one an export from the track's start shows there.

A paused preview at time t shows analysis frame k = round(t * fps), smoothed as an export from 0 would
smooth it. Smoothing forgets the past geometrically, so only the frames whose weight is still above
float64's resolution are analysed: a pause late in an hour-long track costs what a pause near its start
costs.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..frames.timing import Seconds, exact, round_half_up
from .analysis import AudioFrames, analyse
from .clip import DecodedAudio

# A frame's weight after n more frames is smoothing**n; below 2**-64 it cannot move a float64 sum.
_FORGOTTEN = 2.0 ** -64


def history_frames(smoothing: float) -> int | None:
    """How many earlier frames still count; None when every earlier frame does (smoothing 1)."""
    if smoothing <= 0.0:
        return 0
    if smoothing >= 1.0:
        return None
    return math.ceil(math.log(_FORGOTTEN) / math.log(smoothing))


def paused_frame(audio: DecodedAudio, time: Seconds, fps: int, *, fft_size: int = 2048,
                 smoothing: float = 0.8, min_db: float = -100.0, max_db: float = -30.0) -> AudioFrames:
    """One frame of analysis: the export's frame round(time * fps) for an export starting at 0."""
    last = (audio.samples.shape[1] * fps - 1) // audio.sample_rate  # the last frame that starts inside the track
    index = min(round_half_up(exact(time, "time") * fps), last)
    history = history_frames(smoothing)
    first = 0 if history is None else max(0, index - history)
    return analyse(audio.samples, audio.sample_rate, fps, fft_size=fft_size, smoothing=smoothing,
                   min_db=min_db, max_db=max_db, start=Fraction(first, fps), frames=index - first + 1)
