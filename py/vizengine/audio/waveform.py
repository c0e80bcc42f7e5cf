"""The timeline's waveform: the loaded track's peaks at one bucket per device pixel column."""

from __future__ import annotations

import numpy as np

from ..errors import AudioError
from .analysis import peaks
from .clip import DecodedAudio

# An 8K screen at devicePixelRatio 2 is 15,360 columns; anything wider is a page bug, not a screen.
MAX_COLUMNS = 16_384


def timeline_peaks(audio: DecodedAudio, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(mins, maxs), float32, `columns` buckets over the whole track, mixed to mono as the export hears it."""
    if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or not 1 <= columns <= MAX_COLUMNS:
        raise AudioError(f"the waveform needs a whole number of columns from 1 to {MAX_COLUMNS} (got {columns!r})")
    return peaks(audio.samples, audio.sample_rate, int(columns))
