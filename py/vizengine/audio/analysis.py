"""Offline audio analysis that reproduces Chromium's Web Audio AnalyserNode.

The live preview in the page reads an AnalyserNode; the export renders frames offline and must show
the same bars and scopes, so this module replays Chromium's `realtime_analyser.cc` arithmetic, down
to which steps round to float32 and which run in double.

Frame positions.  Frame i shows time t_i = start + i/fps, and its analysis window ends at sample
    positions[i] = round_half_up(t_i * sample_rate)
computed exactly by `vizengine.frames.timing.FrameRange.sample_positions` (so 44.1 kHz at 120 fps, whose
frames fall on half samples, always rounds up).  The window is the fft_size mono samples
[positions[i] - fft_size, positions[i]); samples before the track start or past its end are zero,
as an AnalyserNode that has heard silence there.  With `frames=None` the frames run from `start` to
the end of the track: every i whose position is <= len(track), at least one frame.

Per frame, as Chromium does it:
  * down-mix: 1 channel as is; 2 channels 0.5*L + 0.5*R in float32 (equal to 0.5*(L+R) for normal
    numbers, and, like Chromium's mix, it cannot overflow); more channels: the float32 mean (a
    simplification: Chromium's speaker rules give the same for 4 channels, not for 5.1).
  * time-domain byte = clamp(floor(128 * (x + 1)), 0, 255).  Chromium writes
    `double scaled = 128 * (value + 1)` with `value` a float, so `value + 1` rounds to float32
    before the widening; a tiny negative sample (-1e-9) gives 128, not 127.  We round the same way.
  * Blackman window of the Web Audio spec, w[i] = 0.42 - 0.5 cos(2 pi i/N) + 0.08 cos(4 pi i/N)
    (divided by N, not N-1 as numpy.blackman), computed in double and rounded to float32 before it
    multiplies the float32 sample.
  * FFT of the windowed float32 block, in double here.  Chromium's float32 FFT is not one fixed
    sequence of roundings: the same Chromium binary gives different bits on different CPUs (it
    picks SIMD code at run time; see scripts/analyser_cpu_dependence.py), so no float32 emulation
    can equal "Chromium" everywhere; double is the exact, reproducible reference.  Bins
    0..N/2-1, magnitude |X|/N.
  * smoothing S_i = k*S_{i-1} + (1-k)*|X_i| in double, stored as float32; S starts at zero at the
    first frame of the range (a fresh AnalyserNode).
  * dB = 20*log10f(S) in float32 with glibc's log10f (vizengine.audio.log10f, what Chromium calls on
    Linux, reproduced bit for bit so CPython and Pyodide agree); frequency byte =
    clamp(floor(255*(dB - min)*(1/(max - min))), 0, 255) in double; log10f(0) = -inf gives byte 0.

Memory stays bounded (wasm32 heap): frames are processed in chunks of at most _CHUNK_FLOATS
window samples with work buffers reused across chunks, each chunk down-mixing only the span of the
track it needs.  The outputs themselves take 3.5 * fft_size bytes per frame (3 minutes at 60 fps
and fft_size 32768: 1.2 GB), so callers size ranges to the heap; each range restarts smoothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import pcm
from ..errors import AudioError, InvalidSettings
from .log10f import log10f
from ..frames.timing import FrameRange, Seconds, exact, frame_rate
from ..steps import Steps, finish

__all__ = ["AnalyserConfig", "AudioFrames", "analyse", "peaks", "MIN_FFT_SIZE", "MAX_FFT_SIZE"]

MIN_FFT_SIZE = 32
MAX_FFT_SIZE = 32768

# Window samples per chunk: its work buffers take 32 bytes per sample (about 34 MB), and larger
# chunks measured no faster.  Tests shrink it to cross chunk boundaries cheaply.
_CHUNK_FLOATS = 1 << 20
# Samples down-mixed at a time by `peaks`.
_PEAK_CHUNK = 1 << 22


def _real(value: object, what: str) -> float:
    numeric = isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, (bool, np.bool_)) or not numeric:
        raise InvalidSettings(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidSettings(f"{what} must be a finite number, not {value!r}")
    return number


@dataclass(frozen=True)
class AnalyserConfig:
    """The AnalyserNode attributes that shape its output, checked as Chromium's setters do."""

    fft_size: int = 2048
    smoothing: float = 0.8
    min_db: float = -100.0
    max_db: float = -30.0

    def __post_init__(self) -> None:
        self.validate()
        # Normalised so that later arithmetic is plain Python int/double whatever the caller passed.
        object.__setattr__(self, "fft_size", int(self.fft_size))
        for name in ("smoothing", "min_db", "max_db"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def validate(self) -> None:
        size = self.fft_size
        if (
            isinstance(size, (bool, np.bool_))
            or not isinstance(size, (int, np.integer))
            or not MIN_FFT_SIZE <= size <= MAX_FFT_SIZE
            or size & (size - 1)
        ):
            raise InvalidSettings(
                f"fft_size must be a power of two from {MIN_FFT_SIZE} to {MAX_FFT_SIZE}, "
                f"not {size!r}"
            )
        smoothing = _real(self.smoothing, "smoothing")
        if not 0.0 <= smoothing <= 1.0:
            raise InvalidSettings(f"smoothing must be between 0 and 1, not {self.smoothing!r}")
        low, high = _real(self.min_db, "min_db"), _real(self.max_db, "max_db")
        if not low < high:
            raise InvalidSettings(f"min_db ({low:g} dB) must be below max_db ({high:g} dB)")


@dataclass(frozen=True, eq=False)
class AudioFrames:
    """Analyser output for consecutive video frames; row i belongs to frame i.

    frequency (uint8, frames x fft_size/2) and time_domain (uint8, frames x fft_size) are what
    getByteFrequencyData / getByteTimeDomainData return; magnitudes (float32, frames x fft_size/2)
    is the smoothed linear level the analyser keeps, and `decibels` what getFloatFrequencyData
    returns.  positions (int64) is the sample index where each frame's window ends; start is exact.
    """

    frequency: np.ndarray
    time_domain: np.ndarray
    magnitudes: np.ndarray
    positions: np.ndarray
    sample_rate: int
    fft_size: int
    fps: int | Fraction
    start: Fraction

    def __len__(self) -> int:
        return len(self.positions)

    @cached_property
    def decibels(self) -> np.ndarray:
        """float32 dB, 20*log10f(magnitude) as Chromium computes it; -inf where the level is 0."""
        return _decibels(self.magnitudes)

    @property
    def frame_range(self) -> FrameRange:
        return FrameRange(self.start, self.fps, len(self))


@lru_cache(maxsize=8)
def _blackman(size: int) -> np.ndarray:
    # math.cos (libm) and Chromium's expression order, so the float32 rounding matches Chromium.
    alpha = 0.16
    a0, a1, a2 = 0.5 * (1 - alpha), 0.5, 0.5 * alpha
    two_pi = 2.0 * math.pi
    values = []
    for i in range(size):
        x = i / size
        values.append(a0 - a1 * math.cos(two_pi * x) + a2 * math.cos(two_pi * 2.0 * x))
    window = np.array(values, dtype=np.float64).astype(np.float32)
    window.flags.writeable = False
    return window


def _time_bytes(mono: np.ndarray) -> np.ndarray:
    # float32 throughout: Chromium's `128 * (value + 1)` is float arithmetic, widened only after.
    scaled = mono + np.float32(1)
    scaled *= np.float32(128)
    np.clip(scaled, 0, 255, out=scaled)
    return scaled.astype(np.uint8)  # truncation is floor on [0, 255]


def _decibels(magnitudes: np.ndarray) -> np.ndarray:
    """Chromium's LinearToDecibels: 20 * log10f(x) in float32 (glibc's log10f)."""
    return np.float32(20) * log10f(magnitudes)


def _frequency_bytes(
    smoothed: np.ndarray, config: AnalyserConfig, work: tuple[np.ndarray, np.ndarray], out: np.ndarray
) -> None:
    """getByteFrequencyData: floor(255*(dB - min)/(max - min)) of dB = 20*log10f(smoothed), clipped.

    The runtime's own float32 log (fast, but not glibc's log10f: a few ulps off) places each level
    within a small reach of the exact one; only a level that close to a byte boundary can floor
    differently, and those few are redone with glibc's exact log10f, so the bytes are the same on
    every runtime and CPU.  work is two float32 buffers of smoothed's shape.
    """
    level, spare = work
    scale = 255.0 / (config.max_db - config.min_db)
    # Where a boundary falls |dB| <= max(|min|, |max|); the float32 errors here stay below |dB|*2^-19.
    reach = np.float32(scale * max(abs(config.min_db), abs(config.max_db), 1.0) * 2.0**-18)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(smoothed, out=level)  # twice as fast as log10 under wasm
        level *= np.float32(20.0 / math.log(10.0) * scale)
        level -= np.float32(config.min_db * scale)
        np.rint(level, out=spare)
        spare -= level
        spare *= spare  # squared distance: np.abs is several times slower under wasm
        near = np.flatnonzero(spare < reach * reach)
        np.clip(level, 0, 255, out=level)
    out[...] = level  # truncation is floor on [0, 255]
    if len(near):
        db = _decibels(np.take(smoothed, near))
        exact = 255 * (db.astype(np.float64) - config.min_db) * (1 / (config.max_db - config.min_db))
        np.put(out, near, np.clip(exact, 0, 255))


def _frame_count(start: Fraction, fps: int | Fraction, rate: int, length: int) -> int:
    # position_i <= length  <=>  (start + i/fps)*rate + 1/2 < length + 1  <=>  i < bound.
    bound = (Fraction(2 * length + 1, 2 * rate) - start) * fps
    return max(1, math.ceil(bound))


def analyse(samples: np.ndarray, sample_rate: int, fps: int | Fraction, **options) -> AudioFrames:
    """Analyse `frames` video frames from `start` (all to the end of the track when None); see analyse_steps."""
    return finish(analyse_steps(samples, sample_rate, fps, **options))


def analyse_steps(
    samples: np.ndarray,
    sample_rate: int,
    fps: int | Fraction,
    *,
    fft_size: int = 2048,
    smoothing: float = 0.8,
    min_db: float = -100.0,
    max_db: float = -30.0,
    start: Seconds = 0.0,
    frames: int | None = None,
) -> Steps[AudioFrames]:
    """`analyse` one chunk of frames per step (a 30-minute track is seconds of work in Pyodide)."""
    config = AnalyserConfig(fft_size, smoothing, min_db, max_db)
    rate = pcm.sample_rate(sample_rate)
    fps = frame_rate(fps)  # rational rates let the analyser oracle put frames on render quanta
    count = None if frames is None else pcm.positive(frames, "frames")
    chans = pcm.channels(samples)
    length = chans.shape[1]
    start_q = exact(start, "start")
    if start_q < 0:
        raise InvalidSettings(f"start must not be negative (got {float(start_q):g} s)")
    if start_q * rate >= length:
        raise InvalidSettings(
            f"start {float(start_q):g} s is at or past the end of the track ({length / rate:g} s)"
        )
    if count is None:
        count = _frame_count(start_q, fps, rate, length)
    positions = FrameRange(start_q, fps, count).sample_positions(rate)

    size, half = config.fft_size, config.fft_size // 2
    # For a whole long track these are hundreds of MB, which Pyodide zero-fills as it allocates: a step each.
    frequency = np.empty((count, half), dtype=np.uint8)
    yield
    time_domain = np.empty((count, size), dtype=np.uint8)
    yield
    magnitudes = np.empty((count, half), dtype=np.float32)
    yield

    window = _blackman(size)
    rows = max(1, min(count, _CHUNK_FLOATS // size))
    # Work buffers reused by every chunk: no per-chunk page faults, and a fixed heap footprint.
    block = np.empty((rows, size), dtype=np.float32)
    wide = np.empty((rows, size), dtype=np.float64)
    spectrum = np.empty((rows, half + 1), dtype=np.complex128)
    magnitude = np.empty((rows, half), dtype=np.float64)
    squared = np.empty((rows, half), dtype=np.float64)
    level = np.empty((rows, half), dtype=np.float32)
    spare = np.empty((rows, half), dtype=np.float32)
    # Strong numpy float64 scalars: with a Python float, NumPy 2 would multiply float32 in float32.
    k = np.float64(config.smoothing)
    one_minus_k = np.float64(1.0) - k
    inverse_size = 1.0 / size
    previous = np.zeros(half, dtype=np.float32)
    mixed = np.empty(half, dtype=np.float64)

    for a in range(0, count, rows):
        b = min(a + rows, count)
        n = b - a
        ends = positions[a:b]
        lo = int(ends[0]) - size
        segment = pcm.mono_span(chans, lo, int(ends[-1]))
        # Only the samples analysed must be finite: scanning a whole long track here would cost the
        # paused preview half a second per seek. NaN or inf in any channel survives the down-mix.
        if not math.isfinite(float(np.sum(segment, dtype=np.float64))):
            pcm.check_finite(chans, max(lo, 0), int(ends[-1]))
        segment_bytes = _time_bytes(segment)
        hops = np.diff(ends)
        if n > 1 and (hops == hops[0]).all():
            # A constant hop (48 kHz at 30/60/120 fps): read the windows as a strided view, no copies.
            hop, step, byte_step = int(hops[0]), segment.strides[0], segment_bytes.strides[0]
            windows = as_strided(segment, (n, size), (hop * step, step), writeable=False)
            time_domain[a:b] = as_strided(segment_bytes, (n, size), (hop * byte_step, byte_step), writeable=False)
        else:
            # Hops vary by a sample: copying rows beats a frames x N index array for fancy indexing
            # (faster here, and no index memory on the wasm heap).
            for r, end in enumerate((ends - lo).tolist()):
                block[r] = segment[end - size : end]
                time_domain[a + r] = segment_bytes[end - size : end]
            windows = block[:n]
        # the product rounds to float32 as Chromium's `p[i] *= float(window)`, then widens in the same pass
        np.multiply(windows, window, out=wide[:n], dtype=np.float32)
        np.fft.rfft(wide[:n], axis=1, out=spectrum[:n])
        # sqrt(re^2 + im^2) rather than np.abs: complex abs is hypot, 3x slower under wasm, and the two
        # differ by at most an ulp of a double, far below the float32 the result is stored in.
        np.multiply(spectrum.real[:n, :half], spectrum.real[:n, :half], out=magnitude[:n])
        np.multiply(spectrum.imag[:n, :half], spectrum.imag[:n, :half], out=squared[:n])
        magnitude[:n] += squared[:n]
        np.sqrt(magnitude[:n], out=magnitude[:n])
        magnitude[:n] *= inverse_size

        smoothed = magnitudes[a:b]
        if k == 0:
            smoothed[...] = magnitude[:n]  # 0*S + 1*|X| is |X| exactly
        else:
            magnitude[:n] *= one_minus_k
            for r in range(n):  # sequential by nature; two ufunc calls a frame, the add rounds to float32
                np.multiply(previous, k, out=mixed)
                np.add(mixed, magnitude[r], out=smoothed[r])
                previous = smoothed[r]

        _frequency_bytes(smoothed, config, (level[:n], spare[:n]), frequency[a:b])
        yield

    return AudioFrames(
        frequency=frequency,
        time_domain=time_domain,
        magnitudes=magnitudes,
        positions=positions,
        sample_rate=rate,
        fft_size=size,
        fps=fps,
        start=start_q,
    )


def peaks(samples: np.ndarray, sample_rate: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """(mins, maxs), float32, of the mono signal over `buckets` equal slices of the track.

    Bucket j covers samples [floor(j*n/buckets), floor((j+1)*n/buckets)); with fewer samples than
    buckets, an empty bucket takes the one sample where it starts, so every bucket has a value.
    """
    pcm.sample_rate(sample_rate)
    count = pcm.positive(buckets, "buckets")
    chans = pcm.channels(samples)
    length = chans.shape[1]
    starts = (np.arange(count, dtype=np.int64) * length) // count
    mins = np.empty(count, dtype=np.float32)
    maxs = np.empty(count, dtype=np.float32)
    group = max(1, (_PEAK_CHUNK * count) // length)

    for g in range(0, count, group):
        h = min(g + group, count)
        lo = int(starts[g])
        hi = max(int(starts[h]) if h < count else length, int(starts[h - 1]) + 1)
        if chans.shape[0] == 1:
            mono = chans[0, lo:hi]
        else:
            mono = np.empty(hi - lo, dtype=np.float32)
            pcm.mix(chans, lo, hi, mono)
        offsets = (starts[g:h] - lo).astype(np.intp)
        np.minimum.reduceat(mono, offsets, out=mins[g:h])
        np.maximum.reduceat(mono, offsets, out=maxs[g:h])

    # Every sample lands in some bucket and NaN/inf propagate, so checking the result is enough.
    if not (np.isfinite(mins).all() and np.isfinite(maxs).all()):
        pcm.check_finite(chans)
        raise AudioError("samples overflow float32 when down-mixed to mono; audio must be in range")
    return mins, maxs
