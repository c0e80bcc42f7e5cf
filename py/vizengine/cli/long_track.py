"""Long test tracks for the benchmarks: the demo track repeated."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..audio import demo_track
from ..audio.clip import to_wav


def long_demo(path: Path, seconds: float) -> Path:
    """The demo track repeated to `seconds`, as a WAV."""
    samples, rate = demo_track.synthesize()
    repeats = int(np.ceil(seconds * rate / samples.shape[1]))
    path.write_bytes(to_wav(np.tile(samples, repeats)[:, : int(seconds * rate)], rate))
    return path
