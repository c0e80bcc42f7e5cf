"""vizengine.encode.encoding's ffmpeg arguments, the streaming FfmpegEncoder's steps, and real native ffmpeg
encodes of frames streamed through it."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from fractions import Fraction

import numpy as np
import pytest
from fakes import FakeFrameStore, ffmpeg_encoder, job_manifest
from native_ffmpeg import NativeFfmpegRuntime

from vizengine.audio.clip import to_wav
from vizengine.export.cancel import CancelSignal
from vizengine.encode.encoder import FRAME_JPEG_QUALITY, FfmpegEncoder
from vizengine.encode.encoding import AUDIO_FILE, FRAME_PATTERN, EncodeJob, ffmpeg_args, seconds_arg
from vizengine.errors import EncoderError, ExportCancelled, StorageError
from vizengine.frames.frame import Frame

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="native ffmpeg/ffprobe not installed")

# As documented in encoding.py: x264 preset/crf and AAC bitrate; VP8 bits-per-pixel/crf/cpu-used, Vorbis q.
X264_TABLE = {"high": ("veryfast", "18", "192k"), "medium": ("faster", "22", "160k"),
              "low": ("ultrafast", "26", "128k")}
VP8_TABLE = {"high": ("10", "-4", "6"), "medium": ("16", "-6", "5"), "low": ("24", "-8", "4")}
# 1920 * 1080 * 60 / 1000 = 124416 kilo-pixels/s; times 0.10, 0.06, 0.035 bits per pixel, rounded
VP8_1080P60_KBPS = {"high": "12442k", "medium": "7465k", "low": "4355k"}


WIDTH, HEIGHT, FPS, COUNT, RATE = 64, 36, 30, 12, 48000


def after(args: list[str], flag: str) -> str:
    assert args.count(flag) == 1, f"{flag} appears {args.count(flag)} times in {args}"
    return args[args.index(flag) + 1]


def pairs(args: list[str], flag: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == flag]


@pytest.mark.parametrize("quality", ["high", "medium", "low"])
def test_mp4_is_x264_and_aac_with_the_documented_preset_crf_and_bitrate(quality):
    args = ffmpeg_args(EncodeJob(1920, 1080, 60, 600, quality, "mp4"))
    preset, crf, bitrate = X264_TABLE[quality]
    assert after(args, "-c:v") == "libx264"
    assert after(args, "-preset") == preset and after(args, "-crf") == crf
    assert after(args, "-c:a") == "aac" and after(args, "-b:a") == bitrate
    assert after(args, "-movflags") == "+faststart"


@pytest.mark.parametrize("quality", ["high", "medium", "low"])
def test_webm_is_vp8_and_vorbis_with_a_bitrate_ceiling_from_bits_per_pixel(quality):
    args = ffmpeg_args(EncodeJob(1920, 1080, 60, 600, quality, "webm"))
    crf, cpu_used, vorbis_q = VP8_TABLE[quality]
    assert after(args, "-c:v") == "libvpx"
    assert after(args, "-b:v") == VP8_1080P60_KBPS[quality]
    assert after(args, "-crf") == crf and after(args, "-cpu-used") == cpu_used
    assert after(args, "-c:a") == "libvorbis" and after(args, "-q:a") == vorbis_q
    assert "-movflags" not in args and "+faststart" not in args
    assert args[-1] == "output.webm"


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_inputs_come_first_then_maps_and_the_output_last(fmt):
    args = ffmpeg_args(EncodeJob(1280, 720, 30, 90, "high", fmt))
    assert after(args, "-framerate") == "30" and after(args, "-start_number") == "0"
    assert pairs(args, "-i") == [FRAME_PATTERN, AUDIO_FILE]
    assert pairs(args, "-map") == ["0:v:0", "1:a:0"]
    assert args.index("-map") > args.index(AUDIO_FILE)
    assert args[-1] == f"output.{fmt}"
    assert "format=yuv420p" in after(args, "-vf")


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_without_audio_there_is_no_audio_input_map_or_codec(fmt):
    args = ffmpeg_args(EncodeJob(1280, 720, 30, 90, "high", fmt, has_audio=False))
    assert pairs(args, "-i") == [FRAME_PATTERN]
    assert pairs(args, "-map") == ["0:v:0"]
    assert not {"-c:a", "-b:a", "-q:a", AUDIO_FILE} & set(args)


@pytest.mark.parametrize("count, fps", [(600, 60), (7, 30), (1, 120), (10_799, 60), (12, 30)])
def test_duration_bound_is_count_over_fps(count, fps):
    args = ffmpeg_args(EncodeJob(1280, 720, fps, count, "low", "mp4"))
    t = Fraction(after(args, "-t"))
    assert abs(t - Fraction(count, fps)) <= Fraction(1, 2 * 10**9)
    # the bound keeps frame count-1 (shown at (count-1)/fps) and nothing after it
    assert Fraction(count - 1, fps) < t
    assert "-frames:v" not in args


def test_seconds_arg_drops_trailing_zeros_only():
    assert seconds_arg(Fraction(10)) == "10"
    assert seconds_arg(Fraction(100)) == "100"
    assert seconds_arg(Fraction(0)) == "0"
    assert seconds_arg(Fraction(5, 2)) == "2.5"
    assert seconds_arg(Fraction(1, 3)) == "0.333333333"


def test_encode_job_output_and_duration():
    job = EncodeJob(1280, 720, 30, 45, "high", "webm")
    assert job.output_file == "output.webm" and job.duration == Fraction(3, 2)


# -- FfmpegEncoder over a recording frame store and runtime ---------------------------------------


def gradient_frame(i: int, width: int = WIDTH, height: int = HEIGHT) -> Frame:
    """Frame i of a short clip: RGBA rows bottom-up, a bar that grows with i."""
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[:, : (i + 1) * width // COUNT, :3] = (200, 40 + 15 * i, 90)
    return Frame(rgba)


async def stream(encoder: FfmpegEncoder, job: EncodeJob, wav: bytes | None, signal: CancelSignal, progress):
    await encoder.start(job, job_manifest(job), signal)
    for i in range(job.frame_count):
        await encoder.add_frame(i, gradient_frame(i, job.width, job.height))
    return await encoder.finish(wav, progress)


def test_start_clears_frames_left_by_an_earlier_export_then_loads_ffmpeg():
    events: list = []
    encoder = ffmpeg_encoder(events)
    encoder.frames.frames[7] = b"stale"
    job = EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "low", "mp4")
    asyncio.run(encoder.start(job, job_manifest(job), CancelSignal()))
    assert events == [("frames.clear",), ("ffmpeg.load",)] and encoder.frames.frames == {}


def test_the_single_pass_encoder_needs_every_frame():
    encoder = ffmpeg_encoder([])
    job = EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "low", "mp4")
    asyncio.run(encoder.start(job, job_manifest(job), CancelSignal()))
    assert all(encoder.needs(i) for i in range(COUNT))


def test_each_added_frame_is_stored_as_its_jpeg_at_the_frame_quality():
    encoder = ffmpeg_encoder([])
    asyncio.run(stream(encoder, EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "low", "mp4"), b"RIFF", CancelSignal(),
                       lambda _: None))
    assert encoder.frames.history == [(i, gradient_frame(i).jpeg(FRAME_JPEG_QUALITY)) for i in range(COUNT)]


def test_finish_flushes_the_frames_then_writes_them_and_the_audio_runs_ffmpeg_and_reads_the_output():
    events: list = []
    encoder = ffmpeg_encoder(events)
    runtime = encoder.runtime
    job = EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "medium", "webm")
    seen = []
    out = asyncio.run(stream(encoder, job, b"RIFF....", CancelSignal(), seen.append))
    after_frames = [e[0] for e in events if e[0] != "frames.put"]
    assert after_frames == ["frames.clear", "ffmpeg.load", "frames.flush", "ffmpeg.write_frames",
                            "ffmpeg.write_file", "ffmpeg.run", "ffmpeg.read_output"]
    assert [c[0] for c in runtime.calls] == ["load", "write_frames", "write_file", "run", "read_output"]
    assert runtime.calls[1] == ("write_frames", COUNT, FRAME_PATTERN)
    assert runtime.frames_seen == list(range(COUNT))
    assert runtime.files == {AUDIO_FILE: b"RIFF...."}
    assert runtime.calls[3] == ("run", ffmpeg_args(job))
    assert runtime.calls[4] == ("read_output", "output.webm", "video/webm")
    assert out == runtime.output and seen == [1, 2, 3]


def test_finish_without_audio_writes_no_audio_file():
    encoder = ffmpeg_encoder([])
    job = EncodeJob(WIDTH, HEIGHT, FPS, 2, "low", "mp4", has_audio=False)
    asyncio.run(stream(encoder, job, None, CancelSignal(), lambda _: None))
    assert "write_file" not in [c[0] for c in encoder.runtime.calls]


def test_a_cancelled_signal_stops_start_before_loading_and_finish_before_ffmpeg_reads_a_frame():
    signal = CancelSignal()
    signal.cancel()
    encoder = ffmpeg_encoder([])
    job = EncodeJob(WIDTH, HEIGHT, FPS, 1, "low", "mp4")
    with pytest.raises(ExportCancelled):
        asyncio.run(encoder.start(job, job_manifest(job), signal))
    with pytest.raises(ExportCancelled):
        asyncio.run(encoder.finish(b"", lambda _: None))
    assert encoder.runtime.calls == []


def test_abort_clears_the_frames_and_ffmpeg_files():
    events: list = []
    encoder = ffmpeg_encoder(events)
    asyncio.run(encoder.frames.put(0, b"jpeg"))
    asyncio.run(encoder.abort())
    assert events[1:] == [("frames.clear",), ("ffmpeg.clear",)] and encoder.frames.frames == {}


def test_abort_still_clears_ffmpeg_files_when_clearing_the_frames_fails():
    events: list = []
    encoder = ffmpeg_encoder(events, FakeFrameStore(fail_clear_on=(1,)))
    with pytest.raises(EncoderError, match="IndexedDB is gone"):
        asyncio.run(encoder.abort())
    assert events == [("frames.clear failed",), ("ffmpeg.clear",)]


# -- native ffmpeg -------------------------------------------------------------------------------


def probe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,codec_name,nb_read_frames,width,height", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    streams = {s["codec_type"]: s for s in json.loads(out)["streams"]}
    # decoded audio length, after the decoder drops priming and padding samples
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-ac", "1",
                          "-ar", str(RATE), "-"], check=True, capture_output=True).stdout
    streams["audio_seconds"] = len(pcm) / 2 / RATE
    return streams


@pytest.fixture(scope="module")
def native_outputs(tmp_path_factory):
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("native ffmpeg/ffprobe not installed")
    t = np.arange(round(0.4 * RATE)) / RATE
    wav = to_wav(np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 550 * t)]), RATE)
    outputs = {}
    for fmt in ("mp4", "webm"):
        frames = FakeFrameStore()
        encoder = FfmpegEncoder(NativeFfmpegRuntime(frames, tmp_path_factory.mktemp(fmt)), frames)
        job = EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "high", fmt)
        data = asyncio.run(stream(encoder, job, wav, CancelSignal(), lambda _: None))
        path = tmp_path_factory.mktemp("out") / f"clip.{fmt}"
        path.write_bytes(data)
        outputs[fmt] = probe(path)
    return outputs


@needs_ffmpeg
@pytest.mark.parametrize("fmt, video, audio", [("mp4", "h264", "aac"), ("webm", "vp8", "vorbis")])
def test_native_encode_has_the_codecs_and_exactly_the_frames(native_outputs, fmt, video, audio):
    streams = native_outputs[fmt]
    assert streams["video"]["codec_name"] == video
    assert streams["audio"]["codec_name"] == audio
    assert int(streams["video"]["nb_read_frames"]) == COUNT
    assert (streams["video"]["width"], streams["video"]["height"]) == (WIDTH, HEIGHT)


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_native_encode_audio_lasts_the_video_within_one_frame(native_outputs, fmt):
    video_seconds = COUNT / FPS
    assert abs(native_outputs[fmt]["audio_seconds"] - video_seconds) <= 1 / FPS


@needs_ffmpeg
def test_native_runtime_reports_ffmpeg_failure_as_encoder_error(tmp_path):
    runtime = NativeFfmpegRuntime(FakeFrameStore(), tmp_path)
    job = EncodeJob(WIDTH, HEIGHT, FPS, COUNT, "low", "mp4", has_audio=False)
    with pytest.raises(EncoderError, match="frame_%06d.jpg"):  # no frames were written
        asyncio.run(runtime.run(ffmpeg_args(job), lambda _: None, CancelSignal()))


@needs_ffmpeg
def test_native_runtime_stops_ffmpeg_when_cancelled(tmp_path):
    runtime, signal = NativeFfmpegRuntime(FakeFrameStore(), tmp_path), CancelSignal()
    slow = ["-hide_banner", "-re", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=30:duration=60",
            "-f", "null", "-"]

    async def go():
        asyncio.get_running_loop().call_later(0.3, signal.cancel)
        await runtime.run(slow, lambda _: None, signal)

    began = time.monotonic()
    with pytest.raises(ExportCancelled):
        asyncio.run(go())
    assert time.monotonic() - began < 10
