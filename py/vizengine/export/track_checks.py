"""What the export warns about in the track before rendering it: a range with no sound in it (the layers
would not move, and the user probably picked the wrong file or range) and what the page noticed when it
loaded the file. Warnings, not errors: a silent intro is a legitimate thing to export.
"""

from __future__ import annotations

import numpy as np

from ..audio.clip import DecodedAudio
from ..frames.timing import FrameRange, round_half_up
from ..steps import Steps

# -80 dBFS: below anything audible, above the dither noise of a "silent" 16-bit file (1 LSB = -90 dBFS).
SILENT_LEVEL = 1e-4
# Samples per channel looked at per step; a track with sound in it usually ends the scan in the first.
_STEP_SAMPLES = 1 << 16


def silent_steps(audio: DecodedAudio, frames: FrameRange) -> Steps[bool]:
    """True when every sample under the frames is within SILENT_LEVEL of zero."""
    rate = audio.sample_rate
    first = round_half_up(frames.start * rate)
    end = min(round_half_up(frames.end * rate), audio.samples.shape[1])
    for begin in range(first, end, _STEP_SAMPLES):
        block = audio.samples[:, begin:min(begin + _STEP_SAMPLES, end)]
        if np.abs(block).max() >= SILENT_LEVEL:
            return False
        yield
    return True


def silence_warning(frames: FrameRange) -> str:
    return (f"The track is silent from {float(frames.start):.2f} s to {float(frames.end):.2f} s: the layers "
            "will not react to it. Check the file or the start and duration.")
