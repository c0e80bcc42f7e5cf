"""The built-in demo track: drums, bass and a melody synthesised with numpy, so no third-party audio ships.

Deterministic (seeded noise), 120 BPM, 12 bars = 24 s, stereo 48 kHz (the app's AudioContext rate, so the
browser does not resample it). Beats are sharp on purpose: they make audio-reactive frames easy to see.
"""

from __future__ import annotations

import numpy as np


SAMPLE_RATE = 48_000
BPM = 120
BARS = 12
BEAT = 60 / BPM
# A minor, F, C, G: roots (MIDI) per bar, repeating.
ROOTS = [45, 41, 48, 43]
MELODY = [69, 72, 76, 74, 72, 69, 67, 69, 72, 74, 76, 79, 76, 74, 72, 74]  # eighth notes per bar


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _place(track: np.ndarray, sound: np.ndarray, at: float, pan: float = 0.0) -> None:
    """Mix a mono sound into the stereo track at time `at`, equal-power panned (-1 left .. 1 right)."""
    start = int(round(at * SAMPLE_RATE))
    end = min(start + sound.size, track.shape[1])
    if end <= start:
        return
    angle = (pan + 1) * np.pi / 4
    track[0, start:end] += np.cos(angle) * sound[: end - start]
    track[1, start:end] += np.sin(angle) * sound[: end - start]


def _env(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    return np.minimum(t / attack, 1.0) * np.exp(-t / decay)


def _kick() -> np.ndarray:
    t = np.arange(int(0.35 * SAMPLE_RATE)) / SAMPLE_RATE
    freq = 45 + 110 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    return 0.9 * np.sin(phase) * _env(t.size, 0.001, 0.12)


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.25 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    body = 0.3 * np.sin(2 * np.pi * 190 * t) * _env(n, 0.001, 0.05)
    return body + 0.35 * rng.standard_normal(n) * _env(n, 0.001, 0.07)


def _hat(rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * SAMPLE_RATE)
    noise = rng.standard_normal(n)
    bright = np.diff(noise, prepend=0.0)  # a first difference is a cheap high-pass
    return 0.12 * bright * _env(n, 0.0005, 0.015)


def _bass(midi: int, length: float) -> np.ndarray:
    n = int(length * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    f = _hz(midi)
    # a few odd harmonics: a soft square that reads clearly in the low spectrum bins
    tone = sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 3, 5))
    return 0.28 * tone * _env(n, 0.005, 0.35)


def _lead(midi: int, length: float) -> np.ndarray:
    n = int(length * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    f = _hz(midi)
    vibrato = 0.003 * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * f * t * (1 + vibrato)
    return 0.16 * (np.sin(phase) + 0.3 * np.sin(2 * phase)) * _env(n, 0.01, 0.25)


def synthesize() -> tuple[np.ndarray, int]:
    """Return (samples float32 shaped (2, n), sample_rate)."""
    rng = np.random.default_rng(20261124)
    bar = 4 * BEAT
    track = np.zeros((2, int(round(BARS * bar * SAMPLE_RATE))), dtype=np.float64)
    for b in range(BARS):
        t0 = b * bar
        for beat in range(4):
            _place(track, _kick(), t0 + beat * BEAT)
            if beat in (1, 3):
                _place(track, _snare(rng), t0 + beat * BEAT, pan=0.1)
        for eighth in range(8):
            _place(track, _hat(rng), t0 + eighth * BEAT / 2, pan=0.4)
            _place(track, _bass(ROOTS[b % 4], BEAT / 2), t0 + eighth * BEAT / 2, pan=-0.05)
        if b >= 2:  # the melody enters after two bars, so the first seconds show drums and bass alone
            for k in range(8):
                note = MELODY[(b % 2) * 8 + k]
                _place(track, _lead(note, BEAT / 2), t0 + k * BEAT / 2, pan=-0.3)
    peak = np.max(np.abs(track))
    return (track * (0.89 / peak)).astype(np.float32), SAMPLE_RATE
