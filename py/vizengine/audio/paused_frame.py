"""The analysis frame a paused preview shows: the one an export from the track's start shows there.

A paused preview at time t shows analysis frame k = round(t * fps), smoothed as an export from 0 would
smooth it. Smoothing forgets the past geometrically, so only the frames whose weight can still move a byte
are analysed: a pause late in an hour-long track costs what a pause near its start costs.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..frames.timing import Seconds, exact, round_half_up
from .analysis import AudioFrames, analyse
from .clip import DecodedAudio

# A frame's weight after n more frames is smoothing**n. The smallest level a byte can tell apart is
# 10**(min_db / 20) (levels below it are byte 0); a remainder 2**-40 of that (levels are at most ~1) can only
# move a byte that sits within float noise of a boundary anyway.
_MARGIN = 2.0 ** -40


def history_frames(smoothing: float, min_db: float = -100.0) -> int | None:
    """How many earlier frames still count; None when every earlier frame does (smoothing 1)."""
    if smoothing <= 0.0:
        return 0
    if smoothing >= 1.0:
        return None
    forgotten = math.log(_MARGIN) + min_db / 20.0 * math.log(10.0)
    return math.ceil(forgotten / math.log(smoothing))


def paused_frame(audio: DecodedAudio, time: Seconds, fps: int, *, fft_size: int = 2048,
                 smoothing: float = 0.8, min_db: float = -100.0, max_db: float = -30.0) -> AudioFrames:
    """One frame of analysis: the export's frame round(time * fps) for an export starting at 0."""
    last = (audio.samples.shape[1] * fps - 1) // audio.sample_rate  # the last frame that starts inside the track
    index = min(round_half_up(exact(time, "time") * fps), last)
    history = history_frames(smoothing, min_db)
    first = 0 if history is None else max(0, index - history)
    return analyse(audio.samples, audio.sample_rate, fps, fft_size=fft_size, smoothing=smoothing,
                   min_db=min_db, max_db=max_db, start=Fraction(first, fps), frames=index - first + 1)
