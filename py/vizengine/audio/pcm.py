"""Float PCM handed to the analysis: checked with readable messages, and down-mixed the way
Chromium's AudioBus mixes channels into the one an AnalyserNode analyses."""

from __future__ import annotations

import math
import operator

import numpy as np

from ..errors import AudioError, InvalidSettings

MAX_CHANNELS = 32  # Web Audio's limit; more usually means a (n, channels) array passed by mistake


def whole(value: object, what: str) -> int:
    """A whole number given as int or numpy integer (not bool, not float)."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidSettings(f"{what} must be a whole number, not {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidSettings(f"{what} must be a whole number, not {value!r}") from None


def sample_rate(value: object) -> int:
    # Web Audio hands sample rates over as doubles (44100.0): accept whole floats, reject 44100.5.
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        if float(value).is_integer():
            value = int(value)
    rate = whole(value, "sample_rate")
    if rate <= 0:
        raise InvalidSettings(f"sample_rate must be positive, not {value!r}")
    return rate


def positive(value: object, what: str) -> int:
    number = whole(value, what)
    if number <= 0:
        raise InvalidSettings(f"{what} must be a positive whole number, not {value!r}")
    return number


def channels(samples: object) -> np.ndarray:
    """The samples as a float32 (channels, n) array, a view when they already are float32."""
    arr = np.asarray(samples)
    if arr.dtype.kind != "f":
        raise AudioError(f"samples must be floating-point PCM, not {arr.dtype} data")
    if arr.ndim == 1:
        arr = arr[np.newaxis]
    elif arr.ndim != 2:
        raise AudioError(f"samples must have shape (n,) or (channels, n), not {arr.shape}")
    count, length = arr.shape
    if count == 0 or length == 0:
        raise AudioError(f"samples are empty (shape {arr.shape})")
    if count > MAX_CHANNELS:
        raise AudioError(
            f"samples have {count} channels (shape {arr.shape}); expected (channels, n) "
            f"with at most {MAX_CHANNELS} channels — is the array transposed?"
        )
    return arr.astype(np.float32, copy=False)


def check_finite(chans: np.ndarray, a: int = 0, b: int | None = None) -> None:
    """Raise if samples [a, b) of any channel are NaN or infinite, naming the first such sample."""
    span = chans[:, a:b]
    # A float64 sum of float32 values cannot overflow, so it is non-finite only for NaN/inf, and
    # costs no full-size temporary (unlike isfinite().all()).
    if math.isfinite(float(np.sum(span, dtype=np.float64))):
        return
    channel, index = (int(v) for v in np.argwhere(~np.isfinite(span))[0])
    index += a
    raise AudioError(
        f"samples contain {chans[channel, index]!r} (channel {channel}, sample {index}); "
        "audio must be finite"
    )


def mix(chans: np.ndarray, a: int, b: int, out: np.ndarray) -> None:
    """Down-mix samples [a, b) of every channel into out (float32, length b - a)."""
    count = chans.shape[0]
    if count == 1:
        out[...] = chans[0, a:b]
    elif count == 2:
        # Chromium's stereo mix is two scaled accumulations, 0.5*L + 0.5*R.
        np.multiply(chans[0, a:b], np.float32(0.5), out=out)
        out += chans[1, a:b] * np.float32(0.5)
    else:
        np.add(chans[0, a:b], chans[1, a:b], out=out)
        for channel in range(2, count):
            out += chans[channel, a:b]
        out /= np.float32(count)


def mono_span(chans: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Mono samples [lo, hi) of the track, zero where the span reaches outside it."""
    span = np.zeros(hi - lo, dtype=np.float32)
    a, b = max(lo, 0), min(hi, chans.shape[1])
    if a < b:
        mix(chans, a, b, span[a - lo : b - lo])
    return span
