"""The estimate follows the encoder the export will run: WebCodecs makes no JPEG and shares the cores less
than ffmpeg.wasm's workers, writes to a bit rate, and stores no frames; figures measured with one encoder
are scaled for the other."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vizengine.encode.webcodecs import video_bitrate
from vizengine.export.estimate import (
    AUDIO_BITS_PER_SECOND,
    CONTAINER_BYTES,
    PACES,
    Timing,
    estimate,
    expected_encoder,
    for_encoder,
    storage_bytes,
    video_bytes,
    warmup_timing,
)
from vizengine.export.settings import ExportSettings

TRACK = Fraction(24)


def settings(**kw) -> ExportSettings:
    return ExportSettings.from_dict({"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4",
                                     "duration": "5", **kw})


@pytest.mark.parametrize("choice, page_has_webcodecs, expected", [
    ("auto", True, "webcodecs"), ("auto", False, "ffmpeg"), ("ffmpeg", True, "ffmpeg"),
    ("webcodecs", True, "webcodecs"), ("webcodecs", False, "webcodecs"),
])  # fmt: skip
def test_auto_is_estimated_as_webcodecs_where_the_page_has_it(choice, page_has_webcodecs, expected):
    assert expected_encoder(choice, page_has_webcodecs) == expected


def test_a_webcodecs_export_is_estimated_faster_than_ffmpeg_from_the_same_warm_up():
    warm = warmup_timing(ms_per_frame=100, width=1280, height=720, frames=3)
    ffmpeg = estimate(settings(encoder="ffmpeg"), TRACK, warm, webcodecs=True)
    webcodecs = estimate(settings(), TRACK, warm, webcodecs=True)
    alone = 0.1 * PACES["webcodecs"].warmup_to_alone
    # 150 frames: no frame renders slower once segments encode, and the tail is a tenth of the last segment's
    assert webcodecs.render_seconds == pytest.approx(150 * alone)
    assert webcodecs.tail_seconds == pytest.approx(PACES["webcodecs"].tail_ratio * 30 * alone)
    assert ffmpeg.render_seconds > 1.5 * webcodecs.render_seconds


def test_an_export_measured_with_ffmpeg_is_scaled_for_webcodecs_and_says_so():
    measured = Timing("export", 1280, 720, 30, 150, 1.5, render_seconds=24.0, first_seconds=6.0, tail_seconds=3.0)
    same = estimate(settings(encoder="ffmpeg"), TRACK, measured, webcodecs=True)
    other = estimate(settings(), TRACK, measured, webcodecs=True)
    assert "scaled" not in same.basis_text
    assert "with ffmpeg.wasm, scaled for WebCodecs" in other.basis_text
    ratio = PACES["webcodecs"].warmup_to_alone / PACES["ffmpeg"].warmup_to_alone
    assert other.render_seconds == pytest.approx(150 * 0.1 * ratio)


def test_figures_measured_with_webcodecs_convert_back_to_the_same_ffmpeg_pace():
    measured = Timing("export", 1280, 720, 30, 60, 1.0, render_seconds=6.0, first_seconds=6.0, tail_seconds=3.6)
    there = for_encoder(measured, "webcodecs")
    back = for_encoder(there, "ffmpeg")
    assert there.encoder == "webcodecs" and back.encoder == "ffmpeg"
    assert back.alone_seconds_per_frame_mp == pytest.approx(measured.alone_seconds_per_frame_mp)
    assert back.shared_ratio == PACES["ffmpeg"].shared_ratio
    assert back.tail_ratio == pytest.approx(PACES["ffmpeg"].tail_ratio)


def test_a_stored_record_from_before_the_encoders_reads_as_ffmpeg_and_an_unknown_encoder_as_nothing():
    old = '{"source": "export", "width": 1280, "height": 720, "fps": 30, "frames": 60, "prepare_seconds": 1.0, ' \
          '"render_seconds": 6.0, "first_seconds": 6.0, "tail_seconds": 3.0}'
    assert Timing.from_json(old).encoder == "ffmpeg"
    assert Timing.from_json(old[:-1] + ', "encoder": "av1-magic"}') is None


@pytest.mark.parametrize("fmt, quality", [("mp4", "high"), ("mp4", "low"), ("webm", "high"), ("webm", "medium")])
def test_a_webcodecs_file_is_its_bit_rates_times_its_length(fmt, quality):
    chosen = settings(format=fmt, quality=quality)
    audio = {"high": 160_000, "medium": 128_000, "low": 96_000}[quality] if fmt == "webm" \
        else AUDIO_BITS_PER_SECOND["mp4", quality]
    expected = (video_bitrate(1280, 720, 30, quality, fmt) + audio) * 5 / 8 + CONTAINER_BYTES[fmt]
    assert video_bytes(chosen, 150, "webcodecs") == pytest.approx(expected, abs=1)
    assert estimate(chosen, TRACK, webcodecs=True).bytes == video_bytes(chosen, 150, "webcodecs")


def test_webcodecs_stores_no_frames_only_its_segments_and_the_joined_file():
    chosen = settings()
    assert storage_bytes(chosen, 150, 2, "webcodecs") == 2 * video_bytes(chosen, 150, "webcodecs")
    assert storage_bytes(chosen, 150, 2, "ffmpeg") > 2 * video_bytes(chosen, 150, "ffmpeg")
