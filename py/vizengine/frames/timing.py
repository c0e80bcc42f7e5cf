"""Exact frame timing: frame i shows time start + i/fps, computed in rationals so nothing drifts.

Times arrive as floats or decimal strings from the UI; `exact` reads a float by its shortest decimal
form (0.1 -> 1/10), so "start 0.1 s at 30 fps" means what the user typed, not 0.1000000000000000055.
Every rounding to an integer (frame count, sample index) is half-up, the same everywhere.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import InvalidSettings

Seconds = int | float | str | Fraction


def exact(value: Seconds, what: str = "time") -> Fraction:
    """Read seconds as an exact rational; reject what is not a finite number."""
    if isinstance(value, bool):
        raise InvalidSettings(f"{what} must be a number of seconds, not {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, float):  # numpy's float64 too: read it as the Python float it equals
        if not math.isfinite(value):
            raise InvalidSettings(f"{what} must be a finite number of seconds, not {value!r}")
        return Fraction(repr(float(value)))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidSettings(f"{what} must be a number of seconds, not {value!r}") from None
    raise InvalidSettings(f"{what} must be a number of seconds, not {value!r}")


def round_half_up(q: Fraction) -> int:
    return math.floor(q + Fraction(1, 2))


def frame_rate(value: object) -> int | Fraction:
    """A positive frame rate: a whole number, or a rational such as 30000/1001 (kept exact)."""
    if isinstance(value, (bool, float)) or not isinstance(value, numbers.Rational):
        raise InvalidSettings(f"fps must be a positive whole number or fraction, not {value!r}")
    rate = Fraction(value)
    if rate <= 0:
        raise InvalidSettings(f"fps must be positive, not {value!r}")
    return int(rate) if rate.denominator == 1 else rate


@dataclass(frozen=True)
class FrameRange:
    """The frames of one export: `count` frames at `fps`, the first showing time `start`."""

    start: Fraction
    fps: int | Fraction
    count: int

    @classmethod
    def from_seconds(cls, start: Seconds, duration: Seconds, fps: int | Fraction) -> FrameRange:
        start_q, duration_q = exact(start, "start"), exact(duration, "duration")
        fps = frame_rate(fps)
        if start_q < 0:
            raise InvalidSettings(f"start must not be negative (got {float(start_q):g} s)")
        if duration_q <= 0:
            raise InvalidSettings(f"duration must be positive (got {float(duration_q):g} s)")
        count = round_half_up(duration_q * fps)
        if count < 1:
            raise InvalidSettings(
                f"duration {float(duration_q):g} s is shorter than one frame at {fps} fps"
            )
        return cls(start_q, fps, count)

    @property
    def duration(self) -> Fraction:
        """What the video lasts: exactly count/fps, which the audio is trimmed to as well."""
        return Fraction(self.count, self.fps)

    @property
    def end(self) -> Fraction:
        return self.start + self.duration

    @property
    def frame_duration(self) -> Fraction:
        return Fraction(1, self.fps)

    def time(self, i: int) -> Fraction:
        if not 0 <= i < self.count:
            raise IndexError(f"frame {i} is outside 0..{self.count - 1}")
        return self.start + Fraction(i, self.fps)

    def sample_index(self, t: Fraction, sample_rate: int) -> int:
        return round_half_up(t * sample_rate)

    def sample_positions(self, sample_rate: int) -> np.ndarray:
        """Sample index of each frame's time, round((start + i/fps) * sample_rate) half-up, as int64.

        Integer arithmetic on start = p/q and fps = a/b: floor((2(p*a + i*b*q)*sr + q*a) / (2*q*a)).
        """
        p, q = self.start.numerator, self.start.denominator
        a, b = Fraction(self.fps).numerator, Fraction(self.fps).denominator
        sr = int(sample_rate)
        biggest = 2 * (p * a + self.count * b * q) * sr + q * a
        if biggest < 2**62:
            i = np.arange(self.count, dtype=np.int64)
            return (2 * (p * a + i * b * q) * sr + q * a) // (2 * q * a)
        return np.array([self.sample_index(self.time(i), sr) for i in range(self.count)], dtype=np.int64)
