"""vizengine.encode.webcodecs and .choice: the codec strings, levels, bit rates and key frames the WebCodecs
encoder asks for, and which encoder an export runs."""

from __future__ import annotations

import pytest

from vizengine.encode.choice import FFMPEG, WEBCODECS, Support, choose_encoder
from vizengine.encode.segments import segment_frames
from vizengine.encode.webcodecs import (H264_LEVELS, VP9_LEVELS, h264_level, is_key_frame, video_bitrate,
                                        video_codec, vp9_level, webcodecs_config)
from vizengine.errors import InvalidSettings
from vizengine.project.contract import FPS_CHOICES, QUALITIES, RESOLUTIONS

# Every preset, and the custom sizes at the contract's corners (the tallest, the widest, the largest).
SIZES = [*RESOLUTIONS.values(), (128, 3840), (3840, 128), (3840, 3840), (128, 128)]


# -- levels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "fps", "level"), [
    ((1280, 720), 30, 31), ((1280, 720), 60, 32), ((1920, 1080), 30, 40), ((1920, 1080), 60, 42),
    ((1920, 1080), 120, 51), ((2560, 1440), 30, 50), ((3840, 2160), 30, 51), ((3840, 2160), 60, 52),
    ((3840, 2160), 120, 60),
])
def test_the_h264_level_is_the_lowest_whose_frame_size_and_macroblock_rate_hold_the_stream(size, fps, level):
    assert h264_level(*size, fps, 1_000_000) == level


def test_level_4_0_is_never_chosen_for_1080p60_or_4k():
    assert h264_level(1920, 1080, 60, 12_000_000) > 40
    assert all(h264_level(3840, 2160, fps, 1_000_000) > 42 for fps in FPS_CHOICES)


def test_a_bit_rate_above_a_levels_limit_moves_the_h264_level_up():
    # 1080p30 fits level 4.0 (20 Mb/s Main, 25 Mb/s High) until the bit rate passes 25 Mb/s
    assert h264_level(1920, 1080, 30, 25_000_000) == 40
    assert h264_level(1920, 1080, 30, 25_000_001) == 41


def test_every_level_chosen_for_the_offered_settings_holds_the_stream_it_was_chosen_for():
    for width, height in SIZES:
        for fps in FPS_CHOICES:
            for quality in QUALITIES:
                across, down = -(-width // 16), -(-height // 16)
                rate = video_bitrate(width, height, fps, quality, "mp4")
                row = dict((lv, (ps, pf, br)) for lv, ps, pf, br in H264_LEVELS)[h264_level(width, height, fps, rate)]
                assert across * down <= row[1] and across * down * fps <= row[0] and rate <= row[2] * 1250
                assert max(across, down) <= (8 * row[1]) ** 0.5
                rate9 = video_bitrate(width, height, fps, quality, "webm")
                row9 = dict((lv, rest) for lv, *rest in VP9_LEVELS)[vp9_level(width, height, fps, rate9)]
                assert width * height <= row9[1] and width * height * fps <= row9[0] and rate9 <= row9[2] * 1000
                assert max(width, height) <= row9[3]


@pytest.mark.parametrize(("size", "fps", "level"), [
    ((1080, 1920), 30, 40), ((1080, 1920), 60, 42), ((1080, 1920), 120, 51), ((1080, 1080), 60, 42),
    ((3840, 3840), 30, 60), ((3840, 3840), 120, 61),
])
def test_the_h264_level_of_square_and_vertical_frames_holds_their_macroblocks(size, fps, level):
    assert h264_level(*size, fps, 1_000_000) == level


def test_a_tall_or_wide_frame_gets_the_level_whose_side_limit_holds_it_not_only_its_area():
    # 128x3840 is 8x240 macroblocks: 1920 fit level 3.1's frame size, but a side of 240 needs
    # 240^2 <= 8 x max frame size, which level 4.0 (8192) is the first to allow
    assert h264_level(128, 3840, 30, 1_000_000) == h264_level(3840, 128, 30, 1_000_000) == 40
    # VP9: 491,520 samples fit level 3.0, but a 3840-pixel side needs level 4.0's breadth (4160)
    assert vp9_level(128, 3840, 30, 1_000_000) == vp9_level(3840, 128, 30, 1_000_000) == 40
    assert vp9_level(3840, 3840, 30, 1_000_000) == 60


@pytest.mark.parametrize(("size", "fps", "level"), [
    ((1280, 720), 30, 31), ((1920, 1080), 30, 40), ((1920, 1080), 60, 41), ((3840, 2160), 30, 50),
    ((3840, 2160), 60, 51), ((3840, 2160), 120, 52),
])
def test_the_vp9_level_follows_picture_size_and_sample_rate(size, fps, level):
    assert vp9_level(*size, fps, 1_000_000) == level


def test_codec_strings_carry_profile_and_level():
    assert video_codec(1920, 1080, 60, 12_000_000, "mp4") == "avc1.64002a"  # High, level 4.2
    assert video_codec(3840, 2160, 30, 30_000_000, "mp4") == "avc1.640033"  # level 5.1
    assert video_codec(1280, 720, 30, 2_000_000, "webm") == "vp09.00.31.08"
    assert video_codec(1920, 1080, 60, 8_000_000, "webm") == "vp09.00.41.08"


def test_a_stream_no_level_holds_is_refused():
    with pytest.raises(ValueError, match="no H.264 level"):
        h264_level(8192, 8192, 120, 1_000_000)


# -- bit rates ---------------------------------------------------------------------------------------


def test_bit_rates_grow_with_quality_and_pixels_per_second_and_vp9_needs_fewer_bits():
    for fmt in ("mp4", "webm"):
        high, medium, low = (video_bitrate(1920, 1080, 60, q, fmt) for q in ("high", "medium", "low"))
        assert high > medium > low
        assert video_bitrate(1920, 1080, 60, "high", fmt) == 2 * video_bitrate(1920, 1080, 30, "high", fmt)
    assert video_bitrate(1920, 1080, 60, "high", "webm") < video_bitrate(1920, 1080, 60, "high", "mp4")
    assert video_bitrate(1280, 720, 30, "high", "mp4") == round(0.10 * 1280 * 720 * 30)


def test_the_config_is_what_videoencoder_configure_takes_with_the_audio_codec_of_the_format():
    mp4 = webcodecs_config(1280, 720, 30, "medium", "mp4")
    assert mp4.video["codec"].startswith("avc1.64") and mp4.video["avc"] == {"format": "avc"}
    assert (mp4.video["width"], mp4.video["height"], mp4.video["framerate"]) == (1280, 720, 30)
    assert mp4.audio["codec"] == "aac"
    webm = webcodecs_config(1280, 720, 30, "medium", "webm")
    assert webm.video["codec"].startswith("vp09.") and "avc" not in webm.video
    assert webm.audio == {"codec": "opus", "bitrate": 128_000}
    assert mp4.to_dict()["keyFrameInterval"] == 60


# -- key frames --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fps", FPS_CHOICES)
def test_every_segment_starts_on_a_key_frame_and_key_frames_are_at_most_two_seconds_apart(fps):
    keys = [i for i in range(10 * fps + 7) if is_key_frame(i, fps)]
    assert keys[0] == 0
    assert all(b - a <= 2 * fps for a, b in zip(keys, keys[1:]))
    assert all(is_key_frame(first, fps) for first in range(0, 10 * fps, segment_frames(fps)))
    assert not is_key_frame(1, fps) and not is_key_frame(fps + 1, fps)


# -- which encoder -----------------------------------------------------------------------------------


def test_auto_runs_webcodecs_when_the_browser_can_and_says_so():
    choice = choose_encoder("auto", "webm", Support(True))
    assert choice.encoder == WEBCODECS and "auto" in choice.reason and "VP9 + Opus" in choice.reason


def test_auto_falls_back_to_ffmpeg_with_the_browsers_reason_and_warns_that_webm_becomes_vp8():
    choice = choose_encoder("auto", "webm", Support(False, "VideoEncoder.isConfigSupported refuses vp09"))
    assert choice.encoder == FFMPEG
    assert "refuses vp09" in choice.reason and "VP8 + Vorbis" in choice.reason
    assert "VP8" not in choose_encoder("auto", "mp4", Support(False, "no")).reason


def test_ffmpeg_chosen_by_name_runs_ffmpeg_even_where_webcodecs_works():
    assert choose_encoder("ffmpeg", "mp4", Support(True)).encoder == FFMPEG


def test_webcodecs_chosen_by_name_where_the_browser_cannot_is_refused_with_the_reason():
    with pytest.raises(InvalidSettings, match="refuses avc1"):
        choose_encoder("webcodecs", "mp4", Support(False, "VideoEncoder.isConfigSupported refuses avc1.640033"))
