"""vizengine.frames.timing: exact seconds, half-up frame counts, drift-free frame times and sample positions."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from vizengine.errors import InvalidSettings
from vizengine.frames.timing import FrameRange, exact, round_half_up


def reference_positions(start: Fraction, fps: int, rate: int, count: int) -> list[int]:
    """round_half_up((start + i/fps) * rate), one Fraction per frame."""
    return [math.floor((start + Fraction(i, fps)) * rate + Fraction(1, 2)) for i in range(count)]


# -- exact ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0.1, Fraction(1, 10)),
    (1e-7, Fraction(1, 10**7)),
    (12.345, Fraction(12345, 1000)),
    (7, Fraction(7)),
    ("2.5", Fraction(5, 2)),
    ("  60 ", Fraction(60)),
    ("1/3", Fraction(1, 3)),
    ("1e-3", Fraction(1, 1000)),
    (Fraction(2, 7), Fraction(2, 7)),
])
def test_exact_reads_the_value_the_user_typed(value, expected):
    assert exact(value) == expected


def test_exact_reads_numpy_scalars_like_python_numbers():
    # NumPy 2's repr(np.float64(0.3)) is "np.float64(0.3)": the value must be read, not its repr
    assert exact(np.float64(0.3), "start") == Fraction(3, 10)
    assert exact(np.int64(7)) == Fraction(7)
    with pytest.raises(InvalidSettings, match="start"):
        exact(np.float64("nan"), "start")


def test_exact_float_is_not_its_binary_expansion():
    assert exact(0.1) != Fraction(0.1)  # Fraction(0.1) is 3602879701896397/36028797018963968


@pytest.mark.parametrize("bad", [
    float("nan"), float("inf"), float("-inf"), True, False, None, "", "abc", "1/0", "nan", [1], b"1",
])
def test_exact_rejects_what_is_not_a_finite_number(bad):
    with pytest.raises(InvalidSettings):
        exact(bad, "start")


def test_exact_error_names_the_field():
    with pytest.raises(InvalidSettings, match="duration"):
        exact("soon", "duration")


def test_round_half_up_rounds_halves_up_not_to_even():
    assert [round_half_up(Fraction(n, 2)) for n in (1, 3, 5, -1, -3)] == [1, 2, 3, 0, -1]
    assert round_half_up(Fraction(49, 10)) == 5
    assert round_half_up(Fraction(41, 10)) == 4


# -- frame count ---------------------------------------------------------------------------------

@pytest.mark.parametrize("duration, fps, count", [
    ("10", 60, 600),
    (0.15, 30, 5),       # 4.5 frames -> 5 (to-even would say 4)
    (1.15, 30, 35),      # 34.5 exactly; 1.15 * 30 in floats is 34.499999...
    ("1/12", 30, 3),     # 2.5 -> 3
    ("0.1", 30, 3),
    ("0.016", 60, 1),    # 0.96 -> 1
])
def test_frame_count_is_duration_times_fps_rounded_half_up(duration, fps, count):
    assert FrameRange.from_seconds(0, duration, fps).count == count


def test_duration_is_count_over_fps_exactly():
    frames = FrameRange.from_seconds("0.1", "0.15", 30)
    assert frames.duration == Fraction(frames.count, 30)
    assert frames.end == Fraction(1, 10) + Fraction(frames.count, 30)
    assert frames.frame_duration == Fraction(1, 30)


@pytest.mark.parametrize("start, duration, fps, field", [
    ("-0.5", "1", 30, "start"),
    ("0", "0", 30, "duration"),
    ("0", "-1", 30, "duration"),
    ("0", "0.01", 30, "shorter than one frame"),   # 0.3 frames -> 0
    ("0", "1", 0, "fps"),
    ("0", "1", -30, "fps"),
    ("0", "1", 29.97, "fps"),
    ("0", "1", True, "fps"),
])
def test_from_seconds_rejects_impossible_ranges(start, duration, fps, field):
    with pytest.raises(InvalidSettings, match=field):
        FrameRange.from_seconds(start, duration, fps)


# -- frame times ---------------------------------------------------------------------------------

def test_frame_time_is_start_plus_i_over_fps():
    frames = FrameRange.from_seconds(0.1, 2, 30)
    for i in range(frames.count):
        assert frames.time(i) == Fraction(1, 10) + Fraction(i, 30)


def test_frame_time_does_not_drift_over_three_minutes_at_60_fps():
    frames = FrameRange.from_seconds(0, 180, 60)
    assert frames.count == 10_800
    assert frames.time(10_799) == Fraction(10_799, 60)
    assert float(frames.time(10_799)) == 10_799 / 60
    # what accumulating dt would give is measurably off; the exact time is not
    accumulated = 0.0
    for _ in range(10_799):
        accumulated += 1 / 60
    assert accumulated != 10_799 / 60


def test_frame_time_with_decimal_start_and_large_index_stays_exact():
    frames = FrameRange.from_seconds("12.345", 180, 60)
    assert frames.time(10_799) == Fraction(12345, 1000) + Fraction(10_799, 60)


@pytest.mark.parametrize("i", [-1, 3])
def test_frame_time_outside_the_range_is_an_index_error(i):
    frames = FrameRange.from_seconds(0, "0.1", 30)
    with pytest.raises(IndexError):
        frames.time(i)


# -- sample positions ----------------------------------------------------------------------------

def test_half_sample_frame_positions_round_up():
    # 44100 / 120 = 367.5 samples per frame: odd frames land on half samples
    positions = FrameRange(Fraction(0), 120, 4).sample_positions(44100)
    assert positions.tolist() == [0, 368, 735, 1103]


@pytest.mark.parametrize("start, fps, rate, count", [
    (Fraction(0), 120, 44100, 500),
    (Fraction(1, 10), 30, 48000, 200),
    (exact(0.1), 120, 44100, 300),
    (exact("12.345"), 120, 44100, 300),
    (Fraction(1, 3), 60, 22050, 200),
    (Fraction(1, 88200), 120, 44100, 300),   # start itself on a half sample
    (Fraction(7, 240), 120, 44100, 100),
    (Fraction(3600), 60, 96000, 100),         # an hour into the track
])
def test_sample_positions_match_a_per_frame_fraction_computation(start, fps, rate, count):
    positions = FrameRange(start, fps, count).sample_positions(rate)
    assert positions.dtype == np.int64
    assert positions.tolist() == reference_positions(start, fps, rate, count)


def test_sample_positions_agree_with_sample_index_of_each_frame_time():
    frames = FrameRange(exact("0.37"), 120, 50)
    positions = frames.sample_positions(44100)
    assert positions.tolist() == [frames.sample_index(frames.time(i), 44100) for i in range(50)]


def test_sample_positions_with_a_huge_denominator_fall_back_without_overflow():
    # p*fps*rate*2 is far beyond int64 here, so only exact arithmetic gets this right
    start = Fraction(10**15 + 1, 10**15)
    frames = FrameRange(start, 120, 40)
    assert 2 * (start.numerator * 120) * 44100 > 2**63
    positions = frames.sample_positions(44100)
    assert positions.dtype == np.int64
    assert positions.tolist() == reference_positions(start, 120, 44100, 40)


def test_sample_positions_just_inside_the_int64_path_are_still_exact():
    fps, rate, count = 60, 48000, 50
    q = 2**62 // (2 * count * rate + fps + 2 * fps * rate) - 1000  # keeps the biggest term just under 2**62
    start = Fraction(1, q) + 1
    positions = FrameRange(start, fps, count).sample_positions(rate)
    assert positions.tolist() == reference_positions(start, fps, rate, count)


@pytest.mark.parametrize("fps", [Fraction(30000, 1001), Fraction(48000, 384), Fraction(44100, 128 * 3)])
def test_rational_frame_rates_keep_exact_times_and_positions(fps):
    frames = FrameRange.from_seconds("0.25", 2, fps)
    assert frames.count == math.floor(2 * fps + Fraction(1, 2))
    assert frames.time(7) == Fraction(1, 4) + 7 / fps
    expected = [math.floor((frames.start + i / fps) * 44100 + Fraction(1, 2)) for i in range(frames.count)]
    assert frames.sample_positions(44100).tolist() == expected


@pytest.mark.parametrize("bad", [0, -30, Fraction(-1, 2), 29.97, "30", True])
def test_frame_rate_rejects_what_is_not_a_positive_rational(bad):
    with pytest.raises(InvalidSettings, match="fps"):
        FrameRange.from_seconds(0, 1, bad)
