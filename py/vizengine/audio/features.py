"""Whole-track features for layers that depend on the music's history, not just the current frame: the
bass energy per hop of 1/HOP_RATE s with its running integral, and the onsets (times and strengths).

Computed once per track, offline, from the decoded samples (the page gets them through the bridge's
`track_features`), so a layer can draw frame i from (time, these arrays) alone: drawing frame i directly
gives the same picture as drawing frames 0..i, which an export that renders frame i in isolation needs.

The signal is mixed to mono and decimated to about TARGET_RATE Hz (block means: enough for bass and for
the kicks and snares that make onsets; hi-hats alone do not, and need not: the onsets drive bursts), then cut into Hann windows of WINDOW samples centred on each hop time.
- bass energy: the RMS amplitude of the bins from BASS_HZ[0] to BASS_HZ[1], divided by its mean over the
  track (so 1 is "as much bass as usual"; a track without bass, below SILENT_BASS, stays near 0), capped
  at ENERGY_CAP so one blast cannot throw everything across the frame;
- cumulative: cumulative[k] = sum(energy[:k]) / HOP_RATE, the integral of energy up to time k / HOP_RATE;
- onsets: peaks of the spectral flux (the rise of the log magnitudes, summed over bins) that are the largest
  within ONSET_PEAK_SECONDS either side, above the local mean over ONSET_MEAN_SECONDS either side by
  ONSET_DELTA of the flux's high percentile, at least ONSET_GAP_SECONDS apart; strength is the peak's
  flux relative to the strong onsets' (the 90th percentile of the peaks), capped at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import AudioError
from ..steps import Steps, finish

HOP_RATE = 200
TARGET_RATE = 5512.5
WINDOW = 256
BASS_HZ = (20.0, 150.0)
ENERGY_CAP = 4.0
# Bass RMS (full-scale sine = 1) below which a track counts as having no bass: about -40 dBFS.
SILENT_BASS = 0.01
ONSET_PEAK_SECONDS = 0.03
ONSET_MEAN_SECONDS = 0.1
ONSET_GAP_SECONDS = 0.05
ONSET_DELTA = 0.1
LOG_GAIN = 100.0
# Hops per step of features_steps: a few ms of work in Pyodide.
_HOPS_PER_STEP = 2048


@dataclass(frozen=True)
class TrackFeatures:
    """All float32. energy and cumulative have one value per hop (time k / hop_rate, k = 0..), covering
    the track's whole duration; onset_times are seconds, ascending; onset_strengths are in (0, 1]."""

    hop_rate: int
    energy: np.ndarray
    cumulative: np.ndarray
    onset_times: np.ndarray
    onset_strengths: np.ndarray

    def cumulative_at(self, time: float) -> float:
        """The integral of energy up to `time`, linear between hops (as the page reads it)."""
        pos = min(max(time * self.hop_rate, 0.0), len(self.cumulative) - 1.0)
        k = min(int(pos), len(self.cumulative) - 2) if len(self.cumulative) > 1 else 0
        if len(self.cumulative) == 1:
            return float(self.cumulative[0])
        frac = pos - k
        return float(self.cumulative[k]) * (1 - frac) + float(self.cumulative[k + 1]) * frac


def track_features(samples: np.ndarray, sample_rate: int) -> TrackFeatures:
    return finish(features_steps(samples, sample_rate))


def features_steps(samples: np.ndarray, sample_rate: int) -> Steps[TrackFeatures]:
    """`track_features`, yielding between blocks of hops (see steps.py)."""
    if samples.ndim != 2 or samples.shape[0] < 1 or samples.shape[1] < 1:
        raise AudioError(f"features need (channels, samples) audio, got shape {samples.shape}")
    if sample_rate <= 0:
        raise AudioError(f"invalid sample rate {sample_rate}")
    factor = max(1, round(sample_rate / TARGET_RATE))
    rate = sample_rate / factor
    count = samples.shape[1] // factor
    if count == 0:  # shorter than one decimated sample: pad it to one
        samples = np.pad(samples, ((0, 0), (0, factor - samples.shape[1])))
        count = 1
    mono = np.empty(count, dtype=np.float32)
    block = _HOPS_PER_STEP * 64
    for a in range(0, count, block):
        b = min(a + block, count)
        part = samples[:, a * factor : b * factor].reshape(samples.shape[0], b - a, factor)
        mono[a:b] = part.sum(axis=2).sum(axis=0) * np.float32(1.0 / (samples.shape[0] * factor))
        yield

    duration = samples.shape[1] / sample_rate
    hops = int(np.floor(duration * HOP_RATE)) + 1
    half = WINDOW // 2
    padded = np.concatenate([np.zeros(half, np.float32), mono, np.zeros(WINDOW, np.float32)])
    window = np.hanning(WINDOW + 1)[:-1].astype(np.float32)  # periodic Hann
    norm = 2.0 / float(window.sum())  # a full-scale sine at a bin's centre has magnitude 1
    bin_hz = rate / WINDOW
    bass = slice(max(1, int(np.ceil(BASS_HZ[0] / bin_hz))), max(2, int(np.floor(BASS_HZ[1] / bin_hz)) + 1))
    offsets = np.arange(WINDOW)

    bass_rms = np.empty(hops, dtype=np.float64)
    flux = np.zeros(hops, dtype=np.float64)
    previous = None
    for a in range(0, hops, _HOPS_PER_STEP):
        b = min(a + _HOPS_PER_STEP, hops)
        # Hop k's window is centred on time k / HOP_RATE: it starts at that sample in `padded`.
        starts = np.floor(np.arange(a, b) * (rate / HOP_RATE) + 0.5).astype(np.int64)
        starts = np.minimum(starts, len(padded) - WINDOW)
        frames = padded[starts[:, None] + offsets] * window
        magnitude = np.abs(np.fft.rfft(frames, axis=1)) * norm
        bass_rms[a:b] = np.sqrt(np.sum(np.square(magnitude[:, bass]), axis=1) / 2.0)
        log_mag = np.log1p(LOG_GAIN * magnitude[:, 1:])
        before = np.concatenate([log_mag[:1] if previous is None else previous[None], log_mag[:-1]])
        flux[a:b] = np.maximum(log_mag - before, 0.0).sum(axis=1)
        previous = log_mag[-1]
        yield

    mean = float(bass_rms.mean())
    energy = np.minimum(bass_rms / max(mean, SILENT_BASS), ENERGY_CAP)
    cumulative = np.concatenate([[0.0], np.cumsum(energy[:-1])]) / HOP_RATE
    times, strengths = _onsets(flux)
    yield
    return TrackFeatures(HOP_RATE, energy.astype(np.float32), cumulative.astype(np.float32),
                         times.astype(np.float32), strengths.astype(np.float32))


def _moving_max(x: np.ndarray, radius: int) -> np.ndarray:
    padded = np.concatenate([np.full(radius, -np.inf), x, np.full(radius, -np.inf)])
    out = x.copy()
    for shift in range(2 * radius + 1):
        np.maximum(out, padded[shift : shift + len(x)], out=out)
    return out


def _moving_mean(x: np.ndarray, radius: int) -> np.ndarray:
    sums = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(len(x))
    lo = np.maximum(idx - radius, 0)
    hi = np.minimum(idx + radius + 1, len(x))
    return (sums[hi] - sums[lo]) / (hi - lo)


def _onsets(flux: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Peak-picked onsets of the flux: (times in s, strengths in (0, 1])."""
    high = float(np.percentile(flux, 99)) if len(flux) else 0.0
    if not high > 1e-9:
        return np.zeros(0), np.zeros(0)
    peak_r = max(1, round(ONSET_PEAK_SECONDS * HOP_RATE))
    mean_r = max(1, round(ONSET_MEAN_SECONDS * HOP_RATE))
    candidates = np.flatnonzero((flux >= _moving_max(flux, peak_r)) & (flux > 0)
                                & (flux >= _moving_mean(flux, mean_r) + ONSET_DELTA * high))
    gap = round(ONSET_GAP_SECONDS * HOP_RATE)
    picked: list[int] = []
    for k in candidates:  # in time order; a plateau's first hop wins
        if not picked or k - picked[-1] >= gap:
            picked.append(int(k))
    if not picked:
        return np.zeros(0), np.zeros(0)
    peaks = np.asarray(picked)
    values = flux[peaks]
    scale = float(np.percentile(values, 90))
    return peaks / HOP_RATE, np.clip(values / scale, 1e-6, 1.0)


__all__ = ["HOP_RATE", "TrackFeatures", "features_steps", "track_features"]
