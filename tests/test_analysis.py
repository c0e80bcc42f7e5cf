"""vizengine.audio.analysis must give the bytes Chromium's AnalyserNode gives, however it chunks."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from vizengine.audio import analysis
from vizengine.audio.analysis import AnalyserConfig, analyse, peaks
from vizengine.errors import AudioError, InvalidSettings
from vizengine.frames.timing import FrameRange

import glibc

# A NaN/divide warning escaping analyse would reach the browser console on every export.
pytestmark = pytest.mark.filterwarnings("error")


def reference(samples, rate, fps, *, fft_size, smoothing, min_db, max_db, start, frames):
    """Straight from the spec: one frame at a time, no chunking, no shared buffers."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        mono = x
    elif x.shape[0] == 2:
        mono = (np.float32(0.5) * (x[0] + x[1])).astype(np.float32)
    else:
        mono = x.mean(axis=0, dtype=np.float32)
    start = Fraction(start)

    def position(i):
        return math.floor((start + Fraction(i, fps)) * rate + Fraction(1, 2))

    if frames is None:
        frames = 0
        while position(frames) <= len(mono):
            frames += 1
    n = np.arange(fft_size)
    cos = np.cos
    window = 0.42 - 0.5 * cos(2 * np.pi * n / fft_size) + 0.08 * cos(4 * np.pi * n / fft_size)
    window = window.astype(np.float32)

    smoothed = np.zeros(fft_size // 2, dtype=np.float32)
    freq, time, dbs, positions = [], [], [], []
    for i in range(frames):
        p = position(i)
        block = np.zeros(fft_size, dtype=np.float32)
        for j in range(max(p - fft_size, 0), min(p, len(mono))):
            block[j - (p - fft_size)] = mono[j]
        shifted = (block + np.float32(1)).astype(np.float32)  # C++ float + int stays float
        time.append(np.clip(np.floor(128.0 * shifted.astype(np.float64)), 0, 255).astype(np.uint8))
        windowed = (block * window).astype(np.float32)
        magnitude = np.abs(np.fft.rfft(windowed.astype(np.float64))[: fft_size // 2]) / fft_size
        mixed = smoothing * smoothed.astype(np.float64) + (1 - smoothing) * magnitude
        smoothed = mixed.astype(np.float32)
        db = np.float32(20) * glibc.log10f(smoothed)  # Chromium's LinearToDecibels on Linux
        scaled = 255 * (db.astype(np.float64) - min_db) * (1 / (max_db - min_db))
        freq.append(np.clip(np.floor(scaled), 0, 255).astype(np.uint8))
        dbs.append(db)
        positions.append(p)
    return np.array(freq), np.array(time), np.array(dbs), np.array(positions)


def sine(rate, seconds, hz, amplitude=1.0):
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def noise(shape, seed=7, scale=0.6):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def clicks(rate, seconds, every=0.05):
    x = np.zeros(int(rate * seconds), dtype=np.float32)
    x[:: int(rate * every)] = 1.0
    x[7 :: int(rate * every)] = -0.75
    return x


CASES = {
    "sine-mono-2048": (lambda: sine(48000, 0.5, 440.0), 48000, 60, 2048, 0.8, 0, None),
    "noise-stereo-512": (lambda: noise((2, 26460)), 44100, 120, 512, 0.5, "0.25", None),
    "silence-mono-32": (lambda: np.zeros(4000, np.float32), 8000, 30, 32, 0.0, 0, None),
    "clicks-stereo-32768": (
        lambda: np.stack([clicks(48000, 1.0), clicks(48000, 1.0)[::-1].copy()]),
        48000, 30, 32768, 0.8, 0.1, 40,  # runs past the end: trailing windows are zero-padded
    ),
    "noise-3ch-1024": (lambda: noise((3, 22050), seed=3, scale=1.5), 22050, 60, 1024, 0.8, 0, None),
    "loud-noise-mono-512-smoothing0": (
        lambda: noise(16000, seed=9, scale=2.0), 16000, 120, 512, 0.0, 0.5, None,
    ),
}


@glibc.needs_glibc  # the reference's dB use glibc's log10f, what Chromium calls on Linux
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_spec_reference_byte_for_byte_across_chunks(name, monkeypatch):
    make, rate, fps, size, smoothing, start, frames = CASES[name]
    samples = make()
    monkeypatch.setattr(analysis, "_CHUNK_FLOATS", 3 * size)  # three frames per chunk
    settings = dict(fft_size=size, smoothing=smoothing, start=start, frames=frames)
    got = analyse(samples, rate, fps, min_db=-90.0, max_db=-20.0, **settings)
    freq, time, dbs, positions = reference(samples, rate, fps, fft_size=size, smoothing=smoothing,
                                           min_db=-90.0, max_db=-20.0, start=start, frames=frames)
    assert len(got) == len(positions) > 6
    np.testing.assert_array_equal(got.positions, positions)
    np.testing.assert_array_equal(got.time_domain, time)
    np.testing.assert_array_equal(got.decibels, dbs)
    np.testing.assert_array_equal(got.frequency, freq)


@glibc.needs_glibc
def test_matches_reference_with_default_chunk_size_and_settings():
    samples = noise((2, 48000 * 19), seed=11, scale=0.3)  # 1141 frames: three chunks at fft 2048
    got = analyse(samples, 48000, 60)
    assert len(got) > 2 * (analysis._CHUNK_FLOATS // 2048)
    freq, time, dbs, positions = reference(samples, 48000, 60, fft_size=2048, smoothing=0.8,
                                           min_db=-100.0, max_db=-30.0, start=0, frames=None)
    np.testing.assert_array_equal(got.positions, positions)
    np.testing.assert_array_equal(got.time_domain, time)
    np.testing.assert_array_equal(got.frequency, freq)


def test_output_shapes_dtypes_and_metadata():
    got = analyse(noise(48000), 48000, 30, fft_size=1024, start="0.5")
    assert got.frequency.shape == got.decibels.shape == (len(got), 512)
    assert got.time_domain.shape == (len(got), 1024)
    assert (got.frequency.dtype, got.time_domain.dtype) == (np.uint8, np.uint8)
    assert (got.decibels.dtype, got.positions.dtype) == (np.float32, np.int64)
    assert (got.sample_rate, got.fft_size, got.fps, got.start) == (48000, 1024, 30, Fraction(1, 2))
    assert got.frame_range == FrameRange(Fraction(1, 2), 30, len(got))


def test_window_is_the_spec_blackman_divided_by_n_not_numpy_blackman():
    size = 64
    i = np.arange(size)
    spec = 0.42 - 0.5 * np.cos(2 * np.pi * i / size) + 0.08 * np.cos(4 * np.pi * i / size)
    np.testing.assert_array_equal(analysis._blackman(size), spec.astype(np.float32))
    assert not np.allclose(analysis._blackman(size), np.blackman(size))


def test_full_scale_sine_at_bin_centre_peaks_at_that_bin():
    rate, size, bin_ = 48000, 2048, 64
    tone = sine(rate, 0.5, bin_ * rate / size)
    got = analyse(tone, rate, 60, fft_size=size, smoothing=0.0, max_db=0.0)
    assert got.decibels[-1].argmax() == bin_
    assert got.frequency[-1].argmax() == bin_
    # Blackman's coherent gain: a 0 dBFS sine reads 20*log10(0.42/2) = -13.56 dB at its bin.
    assert got.decibels[-1, bin_] == pytest.approx(20 * math.log10(0.21), abs=0.01)


def test_silence_gives_zero_frequency_bytes_and_mid_time_domain():
    got = analyse(np.zeros((2, 9600), np.float32), 48000, 60)
    assert not got.frequency.any()
    assert (got.time_domain == 128).all()
    assert np.isneginf(got.decibels).all()


def test_windows_before_the_track_start_are_zero_padded():
    samples = np.full(48000, 0.5, dtype=np.float32)  # byte 192
    got = analyse(samples, 48000, 60, start="0.001", fft_size=2048)
    assert got.positions[0] == 48
    assert (got.time_domain[0, :-48] == 128).all()
    assert (got.time_domain[0, -48:] == 192).all()
    at_zero = analyse(samples, 48000, 60, fft_size=2048)
    assert at_zero.positions[0] == 0 and (at_zero.time_domain[0] == 128).all()


def test_windows_past_the_track_end_are_zero_padded():
    got = analyse(np.full(4800, -0.5, dtype=np.float32), 48000, 60, fft_size=512, frames=20)
    assert got.positions[-1] > 4800 + 512
    assert (got.time_domain[-1] == 128).all()
    assert (got.time_domain[5] == 64).all()


@pytest.mark.parametrize(
    "value, byte",
    [(-1e-9, 128), (-1 / 128, 127), (0.0, 128), (0.5, 192), (0.99999, 255), (1.0, 255),
     (-1.0, 0), (-3.0, 0), (7.0, 255)],
)
def test_time_domain_byte_rounds_value_plus_one_in_float32_like_chromium(value, byte):
    # Chromium: `double scaled = 128 * (value + 1)` with a float value: float math, then double.
    flat = np.full(64, value, dtype=np.float32)
    got = analyse(flat, 8000, 1000, fft_size=32, start="0.004", frames=1)
    assert (got.time_domain[0] == byte).all()


def test_smoothing_zero_makes_each_frame_independent_of_earlier_frames():
    samples = noise(48000, seed=5)
    whole = analyse(samples, 48000, 30, smoothing=0.0)
    later = analyse(samples, 48000, 30, smoothing=0.0, start=Fraction(7, 30))
    np.testing.assert_array_equal(later.frequency, whole.frequency[7:])
    np.testing.assert_array_equal(later.decibels, whole.decibels[7:])


def test_smoothing_carries_history_and_starts_from_zeros_at_the_first_frame():
    rate, fps = 48000, 30
    samples = np.concatenate([np.zeros(rate // 2, np.float32), noise(rate, seed=2)])
    whole = analyse(samples, rate, fps, smoothing=0.8)
    # Silent frames leave the smoothed spectrum at exactly zero, so frame 15 (the last silent
    # window) starts from zeros either way; a range starting there must agree from then on.
    assert np.isneginf(whole.decibels[15]).all()
    later = analyse(samples, rate, fps, smoothing=0.8, start="0.5")
    np.testing.assert_array_equal(later.decibels, whole.decibels[15:])
    # Starting inside the sound drops the history, which changes the result.
    mid = analyse(samples, rate, fps, smoothing=0.8, start="0.8")
    assert not np.array_equal(mid.decibels[0], whole.decibels[24])


def test_stereo_down_mix_equals_mono_of_the_mean():
    stereo = noise((2, 24000), seed=4)
    mean = (np.float32(0.5) * (stereo[0] + stereo[1])).astype(np.float32)
    a, b = analyse(stereo, 24000, 60), analyse(mean, 24000, 60)
    np.testing.assert_array_equal(a.frequency, b.frequency)
    np.testing.assert_array_equal(a.time_domain, b.time_domain)
    quad = noise((4, 24000), seed=6)
    c, d = analyse(quad, 24000, 60), analyse(quad.mean(axis=0, dtype=np.float32), 24000, 60)
    np.testing.assert_array_equal(c.decibels, d.decibels)


def test_frames_none_stops_at_the_track_end():
    rate, fps = 48000, 60
    got = analyse(np.zeros(rate, np.float32), rate, fps)
    assert got.positions[-1] == rate  # a frame exactly at the end still counts
    assert len(got) == 61
    short = analyse(np.zeros(rate - 1, np.float32), rate, fps)
    assert len(short) == 60 and short.positions[-1] <= rate - 1


def test_positions_follow_timing_rule_with_half_samples_rounded_up():
    rate, fps = 44100, 120  # 367.5 samples per frame
    got = analyse(np.zeros(44100, np.float32), rate, fps, start="0.1")
    assert list(got.positions[:4]) == [4410, 4778, 5145, 5513]  # 4777.5 -> 4778, 5512.5 -> 5513
    expected = FrameRange(Fraction(1, 10), fps, len(got)).sample_positions(rate)
    np.testing.assert_array_equal(got.positions, expected)
    assert got.positions[-1] <= 44100 < expected[-1] + 367


def test_frame_count_agrees_with_brute_force_on_awkward_rates():
    awkward = [(44100, 120, 1000, "0"), (22050, 7, 9999, "0.3"), (8000, 60, 533, "1/60")]
    for rate, fps, length, start in awkward:
        got = analyse(np.zeros(length, np.float32), rate, fps, fft_size=32, start=start)
        positions = FrameRange(Fraction(start), fps, len(got) + 1).sample_positions(rate)
        assert positions[-2] <= length < positions[-1]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"fft_size": 1000}, InvalidSettings, r"fft_size .*power of two.*1000"),
        ({"fft_size": 16}, InvalidSettings, r"fft_size.*16"),
        ({"fft_size": 65536}, InvalidSettings, r"fft_size.*65536"),
        ({"fft_size": 2048.0}, InvalidSettings, r"fft_size.*2048.0"),
        ({"smoothing": 1.5}, InvalidSettings, r"smoothing.*1.5"),
        ({"smoothing": -0.1}, InvalidSettings, r"smoothing.*-0.1"),
        ({"smoothing": float("nan")}, InvalidSettings, r"smoothing.*nan"),
        ({"min_db": -30.0, "max_db": -30.0}, InvalidSettings, r"min_db \(-30 dB\) must be below"),
        ({"min_db": float("-inf")}, InvalidSettings, r"min_db.*finite.*-inf"),
        ({"fps": 0}, InvalidSettings, r"fps.*0"),
        ({"fps": 29.97}, InvalidSettings, r"fps.*29.97"),
        ({"sample_rate": 0}, InvalidSettings, r"sample_rate.*0"),
        ({"sample_rate": 44100.5}, InvalidSettings, r"sample_rate.*44100.5"),
        ({"start": -1}, InvalidSettings, r"start.*negative"),
        ({"start": 1.0}, InvalidSettings, r"start 1 s is at or past the end of the track \(1 s\)"),
        ({"start": "soon"}, InvalidSettings, r"start.*'soon'"),
        ({"frames": 0}, InvalidSettings, r"frames.*0"),
        ({"samples": np.zeros(0, np.float32)}, AudioError, r"empty"),
        ({"samples": np.zeros((2, 0), np.float32)}, AudioError, r"empty"),
        ({"samples": np.zeros((1, 2, 3), np.float32)}, AudioError, r"shape.*\(1, 2, 3\)"),
        ({"samples": np.zeros((1000, 2), np.float32)}, AudioError, r"1000 channels.*transposed"),
        ({"samples": np.zeros(1000, np.int16)}, AudioError, r"floating-point.*int16"),
        ({"samples": np.r_[0.0, np.nan, np.zeros(98)].astype(np.float32)}, AudioError, r"nan.*sample 1"),
        ({"samples": np.pad(np.array([[0, 0], [0, -np.inf]], np.float32), ((0, 0), (0, 98)))}, AudioError,
         r"-inf.*channel 1, sample 1"),
    ],
)
def test_invalid_input_raises_a_readable_error(kwargs, error, message):
    args = {"samples": np.zeros(1000, np.float32), "sample_rate": 1000, "fps": 30}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        analyse(args.pop("samples"), args.pop("sample_rate"), args.pop("fps"), **args)


def test_analyser_config_defaults_validation_and_normalisation():
    assert AnalyserConfig() == AnalyserConfig(2048, 0.8, -100.0, -30.0)
    config = AnalyserConfig(np.int64(512), 1, -90, np.float32(-10))
    kinds = (type(config.fft_size), type(config.smoothing), type(config.max_db))
    assert kinds == (int, float, float)
    with pytest.raises(InvalidSettings, match="fft_size"):
        AnalyserConfig(fft_size=True)
    with pytest.raises(AttributeError):
        config.fft_size = 1024  # frozen


def test_accepts_whole_float_sample_rate_and_float64_samples():
    a = analyse(noise(8000).astype(np.float64), 8000.0, 30, fft_size=256)
    b = analyse(noise(8000), 8000, 30, fft_size=256)
    np.testing.assert_array_equal(a.frequency, b.frequency)


def naive_peaks(mono, buckets):
    n = len(mono)
    mins, maxs = [], []
    for j in range(buckets):
        lo, hi = j * n // buckets, (j + 1) * n // buckets
        part = mono[lo : max(hi, lo + 1)]
        mins.append(part.min())
        maxs.append(part.max())
    return np.array(mins, np.float32), np.array(maxs, np.float32)


@pytest.mark.parametrize("length, buckets", [(1000, 10), (1003, 7), (997, 1), (50, 50), (13, 40)])
def test_peaks_equal_a_naive_loop_including_uneven_and_oversized_bucket_counts(length, buckets):
    mono = noise(length, seed=length)
    mins, maxs = peaks(mono, 44100, buckets)
    want_min, want_max = naive_peaks(mono, buckets)
    assert mins.dtype == maxs.dtype == np.float32
    np.testing.assert_array_equal(mins, want_min)
    np.testing.assert_array_equal(maxs, want_max)


def test_peaks_down_mix_stereo_and_cross_chunks(monkeypatch):
    monkeypatch.setattr(analysis, "_PEAK_CHUNK", 64)
    stereo = noise((2, 5001), seed=8)
    mono = (np.float32(0.5) * (stereo[0] + stereo[1])).astype(np.float32)
    for buckets in (9, 300, 5001, 9000):
        mins, maxs = peaks(stereo, 48000, buckets)
        want_min, want_max = naive_peaks(mono, buckets)
        np.testing.assert_array_equal(mins, want_min)
        np.testing.assert_array_equal(maxs, want_max)


@pytest.mark.parametrize(
    "samples, buckets, error, message",
    [
        (np.zeros(10, np.float32), 0, InvalidSettings, r"buckets.*0"),
        (np.zeros(10, np.float32), 2.5, InvalidSettings, r"buckets.*2.5"),
        (np.zeros(0, np.float32), 4, AudioError, r"empty"),
        (np.array([[0, 1], [np.nan, 0]], np.float32), 2, AudioError, r"nan.*channel 1, sample 0"),
    ],
)
def test_peaks_reject_bad_input(samples, buckets, error, message):
    with pytest.raises(error, match=message):
        peaks(samples, 48000, buckets)


def test_only_the_samples_analysed_must_be_finite():
    # A long track's paused preview analyses a few frames: scanning the whole track would cost a seek
    # half a second in Pyodide, so a NaN the analysis never reads is not its concern (the export's WAV
    # of its range checks its own samples).
    samples = np.zeros(48000 * 4, np.float32)
    samples[-10] = np.nan
    frames = analyse(samples, 48000, 30, start=0, frames=30)
    assert len(frames) == 30
    with pytest.raises(AudioError, match=r"nan.*sample 191990"):
        analyse(samples, 48000, 30)
