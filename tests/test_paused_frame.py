"""vizengine.audio.paused_frame: the analysis frame a paused preview shows is the one an export from the
track's start shows there, computed from only the frames whose smoothing weight still matters."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from fakes import synthetic_audio

from vizengine.audio.analysis import analyse
from vizengine.audio.clip import DecodedAudio
from vizengine.audio.paused_frame import history_frames, paused_frame
from vizengine.export.settings import ExportSettings
from vizengine.frames.timing import exact, round_half_up

FPS = 120  # smoothing 0.99 remembers 4414 frames: 37 s at 120 fps, inside the track below
ANALYSER = {"fft_size": 256, "min_db": -100.0, "max_db": -30.0}
SMOOTHINGS = [0.0, 0.5, 0.8, 0.99, 1.0]
TIMES = ["0", "0.004", "0.3333", "1.5", "12.25", "39.99"]


@pytest.fixture(scope="module")
def audio():
    return synthetic_audio(seconds=40.0)


@pytest.fixture(scope="module")
def full(audio):
    """Every frame of an export of the whole track, per smoothing."""
    return {k: analyse(audio.samples, audio.sample_rate, FPS, smoothing=k, **ANALYSER) for k in SMOOTHINGS}


def assert_same_frame(paused, full_frames, index: int) -> None:
    np.testing.assert_array_equal(paused.frequency[-1], full_frames.frequency[index])
    np.testing.assert_array_equal(paused.time_domain[-1], full_frames.time_domain[index])
    assert paused.magnitudes[-1].tobytes() == full_frames.magnitudes[index].tobytes()


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("time", TIMES)
def test_the_paused_frame_is_the_exports_frame_at_that_time_byte_for_byte(audio, full, smoothing, time):
    index = round_half_up(exact(time) * FPS)
    paused = paused_frame(audio, time, FPS, smoothing=smoothing, **ANALYSER)
    assert_same_frame(paused, full[smoothing], index)


@pytest.mark.parametrize("smoothing", [0.0, 0.5, 0.8, 0.99])
def test_only_the_frames_that_still_count_are_analysed(audio, smoothing):
    time = Fraction(3999, 100)
    index = round_half_up(time * FPS)
    paused = paused_frame(audio, time, FPS, smoothing=smoothing, **ANALYSER)
    history = history_frames(smoothing)
    assert index > history  # the pause is late enough to cut the history
    assert len(paused) == history + 1
    assert paused.start == Fraction(index - history, FPS)


def test_without_forgetting_every_frame_from_the_start_is_analysed(audio):
    paused = paused_frame(audio, "12.25", FPS, smoothing=1.0, **ANALYSER)
    assert paused.start == 0 and len(paused) == 12.25 * FPS + 1


@pytest.mark.parametrize("time", ["40", "41.5", "3600"])
def test_a_time_at_or_past_the_end_gives_the_last_frame_an_export_of_the_track_shows(audio, full, time):
    last = ExportSettings(fps=FPS).frame_range(audio.duration).count - 1
    paused = paused_frame(audio, time, FPS, smoothing=0.8, **ANALYSER)
    assert_same_frame(paused, full[0.8], last)


def test_history_frames_is_none_when_every_frame_counts_and_zero_without_smoothing():
    assert history_frames(1.0) is None
    assert history_frames(0.0) == 0


@pytest.mark.parametrize("smoothing", [0.25, 0.5, 0.8, 0.99])
@pytest.mark.parametrize("min_db", [-100.0, -400.0])
def test_history_ends_where_the_weight_falls_below_what_a_byte_can_show(smoothing, min_db):
    frames = history_frames(smoothing, min_db)
    limit = 2.0 ** -40 * 10.0 ** (min_db / 20.0)
    assert smoothing ** frames <= limit < smoothing ** (frames - 1)


def test_a_quiet_tail_after_a_loud_start_matches_the_export_even_with_a_very_low_min_db():
    rate, fps = 48000, 60
    t = np.arange(rate * 3) / rate
    tone = np.where(t < 1.0, 0.8 * np.sin(2 * np.pi * 440 * t), 0.0).astype(np.float32)
    audio = DecodedAudio(np.stack([tone, tone]), rate)
    analyser = {"fft_size": 256, "smoothing": 0.5, "min_db": -400.0, "max_db": -30.0}
    full = analyse(audio.samples, rate, fps, **analyser)
    for index in range(0, len(full), 7):
        paused = paused_frame(audio, Fraction(index, fps), fps, **analyser)
        np.testing.assert_array_equal(paused.frequency[-1], full.frequency[index], err_msg=f"frame {index}")
