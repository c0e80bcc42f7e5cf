"""vizengine.export.settings: the dialog's dict, validated once, and the frame range it asks for."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vizengine.errors import InvalidSettings
from vizengine.export.settings import FORMATS, FPS_CHOICES, QUALITIES, RESOLUTIONS, ExportSettings


def test_defaults_are_1080p60_high_mp4_whole_track():
    s = ExportSettings()
    assert (s.resolution, s.fps, s.quality, s.format) == ("1080p", 60, "high", "mp4")
    assert s.start == 0 and s.duration is None
    assert s.size == (1920, 1080)


@pytest.mark.parametrize("name, size", [("720p", (1280, 720)), ("1080p", (1920, 1080)),
                                        ("1440p", (2560, 1440)), ("4k", (3840, 2160)),
                                        ("square", (1080, 1080)), ("vertical", (1080, 1920))])
def test_resolution_presets_give_their_pixel_size(name, size):
    assert ExportSettings(resolution=name).size == size


@pytest.mark.parametrize("text, name, size", [
    ("1280x960", "1280x960", (1280, 960)),
    ("640x480", "640x480", (640, 480)),
    (" 1280 X 960 ", "1280x960", (1280, 960)),
    ("1280×960", "1280x960", (1280, 960)),
    ("128x3840", "128x3840", (128, 3840)),
    ("3840x3840", "3840x3840", (3840, 3840)),
])
def test_a_custom_size_is_read_as_width_x_height_and_written_one_way(text, name, size):
    s = ExportSettings.from_dict({"resolution": text})
    assert (s.resolution, s.size) == (name, size)


@pytest.mark.parametrize("text, preset", [("1080x1920", "vertical"), ("1080x1080", "square"),
                                          ("1280x720", "720p"), ("3840x2160", "4k")])
def test_a_custom_size_equal_to_a_preset_is_that_preset_so_names_and_resumes_agree(text, preset):
    assert ExportSettings(resolution=text).resolution == preset


@pytest.mark.parametrize("text, message", [
    ("1281x720", "resolution 1281x720: width must be even"),
    ("1280x721", "resolution 1280x721: height must be even"),
    ("126x720", "resolution 126x720: width must be from 128 to 3840 pixels"),
    ("1280x3842", "resolution 1280x3842: height must be from 128 to 3840 pixels"),
    ("0x0", "resolution 0x0: width must be from 128 to 3840 pixels"),
    ("4000x4000", "resolution 4000x4000: width must be from 128 to 3840 pixels"),
    ("127x720", "resolution 127x720: width must be from 128 to 3840 pixels"),  # the range first: odd too
])
def test_each_bad_custom_size_is_refused_with_its_reason(text, message):
    with pytest.raises(InvalidSettings) as info:
        ExportSettings.from_dict({"resolution": text})
    assert str(info.value) == message


@pytest.mark.parametrize("text", ["1280x", "x720", "1280*720", "-1280x720", "1280x720x2", "1280.5x720", "wide"])
def test_what_is_neither_a_preset_nor_a_size_names_the_presets_and_the_wxh_form(text):
    with pytest.raises(InvalidSettings) as info:
        ExportSettings.from_dict({"resolution": text})
    message = str(info.value)
    assert message.startswith("resolution must be one of") and "square, vertical" in message
    assert "WxH" in message and repr(text) in message


@pytest.mark.parametrize("field, bad, allowed", [
    ("resolution", "8k", RESOLUTIONS),
    ("fps", 24, FPS_CHOICES),
    ("quality", "ultra", QUALITIES),
    ("format", "avi", FORMATS),
])
def test_invalid_choice_message_names_the_field_and_allowed_values(field, bad, allowed):
    with pytest.raises(InvalidSettings) as info:
        ExportSettings.from_dict({field: bad})
    message = str(info.value)
    assert field in message
    for choice in allowed:
        assert str(choice) in message
    assert str(bad) in message


def test_choices_are_read_case_and_space_insensitively():
    s = ExportSettings.from_dict({"resolution": " 4K ", "quality": "Medium", "format": "WEBM"})
    assert (s.resolution, s.quality, s.format) == ("4k", "medium", "webm")


@pytest.mark.parametrize("fps", ["60", " 120 ", 30.0, 60])
def test_fps_accepts_dialog_strings_and_whole_floats(fps):
    s = ExportSettings.from_dict({"fps": fps})
    assert s.fps == int(float(fps)) and type(s.fps) is int


@pytest.mark.parametrize("fps", ["", "60fps", 59.94, "29.97", True])
def test_fps_rejects_what_is_not_an_offered_rate(fps):
    with pytest.raises(InvalidSettings, match="fps"):
        ExportSettings.from_dict({"fps": fps})


def test_empty_start_and_duration_strings_mean_defaults():
    s = ExportSettings.from_dict({"start": "", "duration": ""})
    assert s.start == 0 and s.duration is None


def test_start_and_duration_strings_are_read_exactly():
    s = ExportSettings.from_dict({"start": "2.5", "duration": "0.1"})
    assert s.start == Fraction(5, 2) and s.duration == Fraction(1, 10)
    assert ExportSettings(start=0.1).start == Fraction(1, 10)


@pytest.mark.parametrize("data, field", [
    ({"start": "-1"}, "start"),
    ({"start": "later"}, "start"),
    ({"duration": "0"}, "duration"),
    ({"duration": -2}, "duration"),
    ({"duration": float("nan")}, "duration"),
])
def test_bad_start_or_duration_is_rejected_by_name(data, field):
    with pytest.raises(InvalidSettings, match=field):
        ExportSettings.from_dict(data)


def test_unknown_keys_are_rejected_and_named():
    with pytest.raises(InvalidSettings, match="bitrate"):
        ExportSettings.from_dict({"fps": 60, "bitrate": "8M"})


# -- frame range ---------------------------------------------------------------------------------

def test_frame_range_to_the_end_of_the_track():
    frames = ExportSettings(fps=30, start="1").frame_range(4)
    assert frames.start == 1 and frames.fps == 30
    assert frames.count == 3 * 30 and frames.end == 4


def test_frame_range_with_a_duration():
    frames = ExportSettings(fps=60, start="0.5", duration="2").frame_range(10)
    assert (frames.start, frames.count) == (Fraction(1, 2), 120)


@pytest.mark.parametrize("start", ["4", "5"])
def test_frame_range_rejects_start_at_or_after_the_end(start):
    with pytest.raises(InvalidSettings, match="at or after the end"):
        ExportSettings(start=start).frame_range(4)


def test_frame_range_rejects_a_range_running_past_the_end():
    with pytest.raises(InvalidSettings, match="runs past the end"):
        ExportSettings(start="3", duration="1.5").frame_range(4)


def test_frame_range_rejects_an_empty_track():
    with pytest.raises(InvalidSettings):
        ExportSettings().frame_range(0)


def test_frame_range_to_the_end_never_reaches_past_the_track():
    # 10.01 s at 60 fps is 600.6 frames: rounding up to 601 would end after the track
    track = Fraction(1001, 100)
    frames = ExportSettings(fps=60).frame_range(track)
    assert frames.end <= track
    assert frames.count == 600


def test_frame_range_keeps_a_half_frame_round_up_that_fits():
    frames = ExportSettings(fps=30, start="0.05", duration="0.15").frame_range(10)
    assert frames.count == 5  # 4.5 frames rounds up and still ends inside the track
    assert frames.end <= 10


def test_frame_range_accepts_a_track_length_as_fraction_of_samples():
    frames = ExportSettings(fps=30).frame_range(Fraction(96000, 48000))
    assert frames.count == 60


# -- names and round trip ------------------------------------------------------------------------

@pytest.mark.parametrize("settings, name", [
    ({}, "viz-engine-1080p-60fps.mp4"),
    ({"resolution": "4k", "fps": 120, "format": "webm"}, "viz-engine-4k-120fps.webm"),
    ({"resolution": "vertical", "fps": 30}, "viz-engine-vertical-30fps.mp4"),
    ({"resolution": "640x480", "fps": 30}, "viz-engine-640x480-30fps.mp4"),
])
def test_file_name_carries_resolution_fps_and_format(settings, name):
    assert ExportSettings.from_dict(settings).file_name() == name


def test_file_name_with_a_stem():
    assert ExportSettings(resolution="720p", fps=30).file_name("song") == "song-720p-30fps.mp4"


@pytest.mark.parametrize("data", [
    {},
    {"resolution": "720p", "fps": "30", "quality": "low", "format": "webm", "start": "12.345", "duration": "2.5"},
    {"resolution": "1440p", "fps": 120, "quality": "medium", "start": 0.1, "duration": None},
    {"resolution": "square", "fps": 30},
    {"resolution": " 1280 x 960", "fps": 60},
])
def test_to_dict_round_trips_through_from_dict(data):
    s = ExportSettings.from_dict(data)
    again = ExportSettings.from_dict(s.to_dict())
    assert again == s
    assert set(s.to_dict()) == {"resolution", "fps", "quality", "format", "start", "duration", "encoder"}
