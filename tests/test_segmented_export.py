"""A segmented export end to end: export_video over QuickHost, SegmentedEncoder over NativeSegmentRuntime
(native ffmpeg running the encoder's own segment, audio and join arguments), compared with what the
single-pass FfmpegEncoder makes of the same frames.

How frames are compared: by the mean absolute difference of the decoded frames (yuv420p, in levels of
255), not by `-f framemd5`, because the GOPs differ: each segment starts on a key frame where the single
pass has a predicted frame, so the first frame of every later segment (and, for VP8, the frames that
follow it) decode differently. mp4 (x264) is held to the 1/255 bound; webm (VP8) to 3/255: VP8 with a
bitrate ceiling spends its rate anew after each key frame (~2.2/255 on the short last segment here),
and with `-deadline realtime` and a positive `-cpu-used` its speed, and so its output, follows the wall
clock. Each frame must also be nearer its own single-pass frame than the neighbours (~8/255 away), so a
dropped, doubled or swapped frame fails.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from segment_runs import FPS, FRAMES, SETTINGS, decoded, drawn, needs_ffmpeg, probe

pytestmark = needs_ffmpeg
CODECS = {"mp4": ("h264", "aac"), "webm": ("vp8", "vorbis")}
TOLERANCE = {"mp4": 1.0, "webm": 3.0}  # mean absolute difference per frame, in levels of 255


def pts(path) -> list[float]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                          "-of", "csv=p=0", str(path)], check=True, capture_output=True, text=True).stdout
    return [float(line.strip().strip(",")) for line in out.split()]


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_segmented_export_has_exactly_the_frames_with_the_codecs_and_size(native_exports, fmt):
    path, host, encoder = native_exports.segmented(fmt)
    streams = probe(path)
    assert (streams["video"]["codec_name"], streams["audio"]["codec_name"]) == CODECS[fmt]
    assert int(streams["video"]["nb_read_frames"]) == FRAMES
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    assert drawn(host) == list(range(FRAMES))


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_frame_i_is_shown_at_i_over_fps_across_the_join(native_exports, fmt):
    times = pts(native_exports.segmented(fmt)[0])
    assert len(times) == FRAMES
    assert np.allclose(times, [i / FPS for i in range(FRAMES)], atol=0.0015)


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_the_audio_lasts_as_long_as_the_video_within_one_frame(native_exports, fmt):
    streams = probe(native_exports.segmented(fmt)[0])
    assert abs(streams["audio_seconds"] - FRAMES / FPS) <= 1 / FPS


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_frame_i_is_the_frame_the_single_pass_encoder_makes(native_exports, fmt):
    ours, theirs = decoded(native_exports.segmented(fmt)[0]), decoded(native_exports.single_pass(fmt))
    assert ours.shape == theirs.shape == (FRAMES, 1280 * 720 * 3 // 2)

    def mad(i: int, j: int) -> float:
        return float(np.abs(ours[i].astype(np.int16) - theirs[j]).mean())

    same = [mad(i, i) for i in range(FRAMES)]
    assert max(same) <= TOLERANCE[fmt], f"frames differ by {max(same):.2f}/255 at frame {int(np.argmax(same))}"
    for i in range(FRAMES):
        neighbours = [mad(i, j) for j in (i - 1, i + 1) if 0 <= j < FRAMES]
        assert same[i] < min(neighbours), f"frame {i} is nearer a neighbour than itself"


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_each_segment_is_queued_once_with_its_frames_then_the_audio_then_the_join(native_exports, fmt):
    _, _, encoder = native_exports.segmented(fmt)
    calls = encoder.runtime.calls
    names = [call[0] for call in calls]
    assert [call[1:] for call in calls if call[0] == "encode_segment"] == [(0, 0, 60), (1, 60, 3)]
    assert [call[1] for call in calls if call[0] == "put_frame"] == list(range(FRAMES))
    assert names.index("wait_all") > names.index("encode_segment") and names[-3:] == [
        "encode_audio", "mux", "finish_export"]
    ((_, options),) = [call for call in calls if call[0] == "mux"]
    assert options == {"format": fmt, "fps": FPS, "segmentFrames": 60, "frameCount": FRAMES,
                       "mime": f"video/{fmt}", "audio": True}


def test_the_mp4_has_its_index_before_its_media_for_streaming(native_exports):
    data = native_exports.segmented("mp4")[0].read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_successful_export_keeps_only_the_delivered_file(native_exports, fmt):
    path, _, encoder = native_exports.segmented(fmt)
    runtime = encoder.runtime
    assert runtime.files() == [f"outputs/{encoder.export_id}.{fmt}"]
    assert (runtime.root / runtime.files()[0]).read_bytes() == path.read_bytes()
    assert "discard" not in [call[0] for call in runtime.calls]


def test_the_settings_are_the_ones_the_comparison_assumes():
    assert SETTINGS["fps"] == FPS and round(float(SETTINGS["duration"]) * FPS) == FRAMES == 63
