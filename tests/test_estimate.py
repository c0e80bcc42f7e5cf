"""vizengine.export.estimate: frames and video length as the export counts them, time scaled from this
machine's measured figures, file size from the per-preset bit rates, and the warnings."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vizengine.errors import InvalidSettings
from vizengine.export.estimate import (
    DEFAULT_SHARED_RATIO,
    DEFAULT_TIMING,
    LONG_EXPORT_SECONDS,
    WARMUP_TO_ALONE,
    Timing,
    duration_text,
    estimate,
    measured_timing,
    storage_bytes,
    video_bytes,
    warmup_timing,
)
from vizengine.export.settings import ExportSettings

TRACK = Fraction(24)


def settings(**kw) -> ExportSettings:
    return ExportSettings.from_dict({"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4", **kw})


# An export of 150 frames at 720p30: its first segment (60 frames) rendered at 0.1 s per frame, the other
# 90, with segments encoding beside them, at 0.2 s; 3 s after the last frame.
MEASURED = Timing("export", 1280, 720, 30, 150, prepare_seconds=1.5, render_seconds=24.0, first_seconds=6.0,
                  tail_seconds=3.0)


@pytest.mark.parametrize("start, duration, fps, frames", [
    ("1.5", "0.2", 30, 6), ("0", "1", 60, 60), ("1:00", "", 30, None), ("0", "0.01", 120, 1), ("4", "2.005", 60, 120),
])  # fmt: skip
def test_frames_and_video_length_are_the_exports_own(start, duration, fps, frames):
    track = Fraction(90)
    chosen = settings(start=start, duration=duration, fps=fps)
    expected = chosen.frame_range(track)
    result = estimate(chosen, track, MEASURED)
    assert result.frames == expected.count and result.video_seconds == float(expected.duration)
    if frames is not None:
        assert result.frames == frames
    else:  # to the end: 30 s left at 30 fps
        assert result.frames == 900 and result.video_seconds == 30


def test_a_range_the_export_would_refuse_is_refused_with_the_same_message():
    with pytest.raises(InvalidSettings, match="runs past the end of the track"):
        estimate(settings(start="23", duration="5"), TRACK, MEASURED)


def test_the_same_settings_as_the_measured_export_predict_its_own_times():
    result = estimate(settings(duration="5"), TRACK, MEASURED)
    assert result.frames == 150
    assert result.render_seconds == pytest.approx(24.0)
    assert result.tail_seconds == pytest.approx(3.0)
    assert result.prepare_seconds == pytest.approx(1.5, abs=0.01)
    assert result.basis == "export" and "last export" in result.basis_text


def test_the_first_segment_renders_at_the_alone_pace_and_the_rest_at_the_shared_one():
    assert MEASURED.shared_ratio == pytest.approx(2.0)
    assert estimate(settings(duration="1"), TRACK, MEASURED).render_seconds == pytest.approx(30 * 0.1)
    assert estimate(settings(duration="2"), TRACK, MEASURED).render_seconds == pytest.approx(60 * 0.1)
    assert estimate(settings(duration="10"), TRACK, MEASURED).render_seconds == pytest.approx(60 * 0.1 + 240 * 0.2)


def test_render_time_scales_with_frames_and_pixels():
    short = estimate(settings(duration="4"), TRACK, MEASURED)
    long = estimate(settings(duration="10"), TRACK, MEASURED)
    big = estimate(settings(duration="4", resolution="1080p"), TRACK, MEASURED)
    assert long.render_seconds - short.render_seconds == pytest.approx(180 * 0.2)
    assert big.render_seconds == pytest.approx(short.render_seconds * (1920 * 1080) / (1280 * 720))
    assert big.tail_seconds == pytest.approx(short.tail_seconds * (1920 * 1080) / (1280 * 720))


def test_the_tail_follows_the_last_segments_frames_not_the_whole_export():
    # MEASURED's last segment had 30 frames (150 = 60 + 60 + 30) and took 3 s after the last frame:
    # a second per 10 frames at the alone pace of 0.1 s.
    assert MEASURED.tail_ratio == pytest.approx(1.0)
    two = estimate(settings(duration="2"), TRACK, MEASURED)  # one whole segment (60 frames)
    twenty = estimate(settings(duration="20"), TRACK, MEASURED)  # ten whole segments
    assert twenty.tail_seconds == pytest.approx(two.tail_seconds) == pytest.approx(6.0)
    sixty = estimate(settings(duration="20", fps=60), TRACK, MEASURED)  # 120-frame segments
    assert sixty.tail_seconds == pytest.approx(2 * twenty.tail_seconds)
    for duration in ("1", "3"):  # 30 frames; 60 + 30
        assert estimate(settings(duration=duration), TRACK, MEASURED).tail_seconds == pytest.approx(3.0)


def test_an_export_shorter_than_a_segment_and_a_half_uses_the_default_shared_ratio():
    short = Timing("export", 1280, 720, 30, 75, 1.0, render_seconds=9.0, first_seconds=6.0, tail_seconds=2.0)
    assert short.shared_ratio == DEFAULT_SHARED_RATIO
    result = estimate(settings(duration="10"), TRACK, short)
    assert result.render_seconds == pytest.approx(60 * 0.1 + 240 * 0.1 * DEFAULT_SHARED_RATIO)


def test_without_history_the_estimate_is_the_labelled_default():
    result = estimate(settings(duration="5"), TRACK)
    assert result.basis == "default" and "rough guess" in result.basis_text
    assert result == estimate(settings(duration="5"), TRACK, DEFAULT_TIMING)


def test_a_warm_up_scales_its_per_frame_time_to_the_render_loop():
    timing = warmup_timing(ms_per_frame=80, width=1280, height=720, frames=3)
    result = estimate(settings(duration="5"), TRACK, timing)
    alone = 0.080 * WARMUP_TO_ALONE
    assert result.render_seconds == pytest.approx(60 * alone + 90 * alone * DEFAULT_SHARED_RATIO)
    assert result.basis == "warmup" and "warm-up" in result.basis_text


def test_an_export_over_half_an_hour_warns_but_a_short_one_does_not():
    short = estimate(settings(duration="5"), TRACK, MEASURED)
    assert short.seconds < LONG_EXPORT_SECONDS and short.warnings == ()
    whole = estimate(settings(resolution="4k", fps=120), Fraction(600), MEASURED)
    assert whole.seconds > LONG_EXPORT_SECONDS
    assert len(whole.warnings) == 1 and "over 30 minutes" in whole.warnings[0]
    assert duration_text(whole.seconds) in whole.warnings[0]


def test_more_storage_than_is_free_warns():
    chosen = settings(duration="20")
    needed = storage_bytes(chosen, 600, cores=2)
    assert not estimate(chosen, TRACK, MEASURED, free_bytes=needed + 1).warnings
    (warning,) = estimate(chosen, TRACK, MEASURED, free_bytes=needed - 1).warnings
    assert "browser storage" in warning
    assert not estimate(chosen, TRACK, MEASURED, free_bytes=None).warnings  # unknown quota: no warning


def test_storage_holds_the_segments_the_joined_file_and_the_waiting_frames():
    chosen = settings(duration="20")
    one_worker = storage_bytes(chosen, 600, cores=2)
    four_workers = storage_bytes(chosen, 600, cores=16)
    assert one_worker > 2 * video_bytes(chosen, 600)
    assert four_workers > one_worker  # more workers, more segments queued
    assert storage_bytes(settings(duration="20", encodeWorkers="1"), 600, cores=16) == one_worker


def test_file_size_follows_length_pixels_and_the_measured_presets():
    assert video_bytes(settings(), 600) == pytest.approx(2 * video_bytes(settings(), 300), rel=0.01)
    for fmt in ("mp4", "webm"):
        high, medium, low = (video_bytes(settings(format=fmt, quality=q), 300) for q in ("high", "medium", "low"))
        assert high > max(medium, low)
        big = video_bytes(settings(format=fmt, resolution="1080p"), 300)
        assert 1.5 * high < big <= 2.25 * high  # x264 spends fewer bits per pixel on bigger frames
    # 10 s of 720p30 MP4 high: 0.132 bits per pixel per frame and 208 kb/s of AAC, as measured.
    assert video_bytes(settings(), 300) == pytest.approx((0.132 * 1280 * 720 * 300 + 208_000 * 10) / 8, rel=0.01)


def test_a_completed_export_becomes_a_timing_and_back():
    timing = measured_timing(settings(fps=60), {"preparing": 1.0, "rendering": 6.0, "encoding": 2.5}, 30, 6.0)
    assert timing == Timing("export", 1280, 720, 60, 30, 1.0, 6.0, 6.0, 2.5)
    assert Timing.from_json(timing.to_json()) == timing
    assert measured_timing(settings(), {"rendering": 1.0}, 0, None) is None  # a resume that rendered nothing


OLDER_FORMAT = ('{"source": "export", "width": 1280, "height": 720, "fps": 30, "frames": 15, "prepare_seconds": 1, '
                '"render_seconds": 3, "tail_seconds": 2}')


@pytest.mark.parametrize("text", [None, "", "{", "[]", '{"source": "export"}', OLDER_FORMAT,
                                  DEFAULT_TIMING.to_json().replace('"frames": 60', '"frames": 0')])
def test_an_unreadable_stored_timing_is_no_timing(text):
    assert Timing.from_json(text) is None


@pytest.mark.parametrize("seconds, text", [
    (0.2, "1 s"), (45, "45 s"), (200, "3 min 20 s"), (7500, "2 h 05 min"), (90000, "1 day 1 h"), (3 * 86400 + 4 * 3600, "3 days 4 h"),
])  # fmt: skip
def test_durations_read_rounded_up(seconds, text):
    assert duration_text(seconds) == text
