"""vizengine.export.orchestrator.export_video over FakeHost: phases, exact frame times, cleanup on every exit."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest
from fakes import NO_AUDIO_MESSAGE, FakeFfmpegRuntime, FakeFrameStore, FakeHost, NativeFfmpegRuntime, default_project

from vizengine.audio.analysis import analyse
from vizengine.audio.clip import clip_wav
from vizengine.export.cancel import CancelSignal
from vizengine.encode.encoding import AUDIO_FILE, EncodeJob, ffmpeg_args
from vizengine.errors import AudioError, EncoderError, ExportCancelled, ExportError, InvalidLayer, StorageError
from vizengine.export.orchestrator import ExportResult, export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore, Phase

# 720p is the smallest preset; 0.1 s at 30 fps keeps it to 3 frames.
SMALL = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.1", "duration": "0.1"}
N = 3


def export(host: FakeHost, settings: dict = SMALL, signal: CancelSignal | None = None):
    store = ExportStore(throttle=0.0)
    seen: list[dict] = []
    store.subscribe(seen.append)
    result = asyncio.run(export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(), store))
    return result, store, seen


def export_raising(host: FakeHost, error: type, settings: dict = SMALL, signal: CancelSignal | None = None):
    store = ExportStore(throttle=0.0)
    with pytest.raises(error) as info:
        asyncio.run(export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(), store))
    return info.value, store


def after(names: list[str], first: str, then: str) -> bool:
    return first in names and then in names[names.index(first):]


def assert_cleaned_up(host: FakeHost) -> None:
    names = host.names()
    assert host.frames.frames == {}, "frames left in the store"
    assert names[-1] == "restore_playback"
    assert names.count("restore_playback") == 1
    # the clears that count come after the last piece of work (the first frames.clear prepares)
    work = [i for i, n in enumerate(names) if n in ("pause_playback", "ffmpeg.load", "read_frame", "deliver",
                                                    "ffmpeg.run", "frames.put", "frames.put failed")]
    tail = names[work[-1]:]
    assert "ffmpeg.clear" in tail and "frames.clear" in tail
    if "begin_render" in names:
        assert after(names, "begin_render", "end_render")


def logged(store: ExportStore, level: str, text: str) -> bool:
    return any(e["level"] == level and text in e["message"] for e in store.logs)


# -- a successful export -------------------------------------------------------------------------

def test_phases_run_in_order_and_progress_only_grows_to_one():
    _, store, seen = export(FakeHost())
    phases = [s["phase"] for s in seen]
    order = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert order == ["idle", "preparing", "rendering", "encoding", "complete"]
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert store.phase is Phase.COMPLETE and store.error is None


def test_each_frame_is_rendered_at_start_plus_i_over_fps():
    host = FakeHost()
    export(host, {**SMALL, "start": "0.35"})
    start = Fraction(35, 100)
    expected = [(i, float(start + Fraction(i, 30)), 1 / 30) for i in range(N)]
    assert host.renders == expected
    # float arithmetic would already be off here, so the check above can tell exact times apart
    assert [0.35 + i / 30 for i in range(N)] != [t for _, t, _ in expected]


def test_every_frame_is_stored_before_the_encoder_reads_them():
    host = FakeHost()
    export(host)
    events = host.events
    puts = [e[1] for e in events if e[0] == "frames.put"]
    assert puts == list(range(N))
    write = events.index(("ffmpeg.write_frames",))
    assert all(events.index(("frames.put", i)) < write for i in range(N))
    assert host.ffmpeg.frames_seen == list(range(N))


def test_frames_left_by_an_earlier_export_are_cleared_before_rendering():
    frames = FakeFrameStore()
    frames.frames[99] = b"stale"
    host = FakeHost(frames=frames)
    export(host)
    assert host.ffmpeg.frames_seen == list(range(N))
    assert after(host.names(), "frames.clear", "begin_render")


@pytest.mark.parametrize("fmt, quality", [("mp4", "high"), ("mp4", "low"), ("webm", "medium")])
def test_encoder_runs_the_arguments_for_the_settings(fmt, quality):
    host = FakeHost()
    export(host, {**SMALL, "format": fmt, "quality": quality})
    runs = [c for c in host.ffmpeg.calls if c[0] == "run"]
    assert runs == [("run", ffmpeg_args(EncodeJob(1280, 720, 30, N, quality, fmt)))]


def test_encoder_gets_the_audio_of_exactly_the_export_range():
    host = FakeHost()
    export(host)
    settings = ExportSettings.from_dict(SMALL)
    expected = clip_wav(host.audio, settings.frame_range(host.audio.duration))
    assert host.ffmpeg.written[AUDIO_FILE] == expected


def test_layers_get_the_offline_analysis_with_the_project_analyser_settings():
    host = FakeHost()
    export(host)
    assert host.render_size == (1280, 720)
    got = host.render_audio
    want = analyse(host.audio.samples, host.audio.sample_rate, 30, start=Fraction(1, 10), frames=N,
                   fft_size=256, smoothing=0.5, min_db=-90, max_db=-20)
    assert got.fft_size == 256 and len(got) == N
    np.testing.assert_array_equal(got.frequency, want.frequency)
    np.testing.assert_array_equal(got.time_domain, want.time_domain)


def test_the_file_is_delivered_once_with_its_name_and_mime():
    host = FakeHost()
    result, store, _ = export(host, {**SMALL, "format": "webm"})
    assert host.delivered == [(host.ffmpeg.output, "viz-engine-720p-30fps.webm", "video/webm")]
    assert result == ExportResult("viz-engine-720p-30fps.webm", "video/webm", N, 0.1, len(host.ffmpeg.output))
    assert store.result == result.__dict__


def test_cleanup_after_success_clears_frames_and_encoder_and_restores_playback():
    host = FakeHost()
    export(host)
    names = host.names()
    assert names[0] == "pause_playback"
    assert after(names, "deliver", "frames.clear") and after(names, "deliver", "ffmpeg.clear")
    assert_cleaned_up(host)


def test_the_page_is_driven_in_order():
    host = FakeHost()
    export(host)
    steps = ["pause_playback", "decode_audio", "ffmpeg.load", "begin_render", "draw_frame", "read_frame", "end_render",
             "ffmpeg.write_frames", "ffmpeg.run", "deliver", "restore_playback"]
    names = host.names()
    positions = [names.index(step) for step in steps]
    assert positions == sorted(positions)


# -- failures ------------------------------------------------------------------------------------

@pytest.mark.parametrize("failure, message", [
    (InvalidLayer("Layer 'bars': shader failed to compile"), "Layer 'bars': shader failed to compile"),
    (RuntimeError("WebGL context lost"), "Export failed unexpectedly: RuntimeError: WebGL context lost"),
])
def test_an_error_while_rendering_fails_the_export_and_cleans_up(failure, message):
    host = FakeHost(fail_at_frame=1, failure=failure)
    error, store = export_raising(host, ExportError)
    assert str(error) == message
    assert store.phase is Phase.FAILED and store.error == message
    assert logged(store, "error", message)
    assert [r[0] for r in host.renders] == [0, 1]
    assert host.delivered == [] and "ffmpeg.run" not in host.names()
    assert_cleaned_up(host)


def test_storage_refusing_a_frame_fails_the_export_and_cleans_up():
    host = FakeHost(frames=FakeFrameStore(fail_put_at=2))
    error, store = export_raising(host, StorageError)
    assert store.phase is Phase.FAILED and store.error == str(error) and "frame 2" in store.error
    assert host.delivered == []
    assert_cleaned_up(host)


def test_cancel_while_rendering_stops_after_that_frame():
    signal = CancelSignal()
    host = FakeHost(cancel_at_frame=1, signal=signal)
    _, store = export_raising(host, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED and store.error == "Export cancelled"
    assert [r[0] for r in host.renders] == [0, 1]
    assert "ffmpeg.run" not in host.names() and host.delivered == []
    assert_cleaned_up(host)


@pytest.mark.parametrize("mode", ["raise", "return"])
def test_cancel_while_encoding_delivers_nothing_and_cleans_up(mode):
    host = FakeHost(ffmpeg=FakeFfmpegRuntime(cancel_in_run=mode))
    _, store = export_raising(host, ExportCancelled)
    assert store.phase is Phase.CANCELLED
    assert [r[0] for r in host.renders] == list(range(N))
    assert host.delivered == [] and "ffmpeg.read_output" not in host.names()
    assert_cleaned_up(host)


def test_cancel_before_the_export_starts_renders_nothing():
    signal = CancelSignal()
    signal.cancel()
    host = FakeHost()
    _, store = export_raising(host, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED and host.renders == []
    assert_cleaned_up(host)


@pytest.mark.parametrize("step", ["run", "write_frames", "read_output"])
def test_an_encoder_failure_fails_the_export_and_cleans_up(step):
    host = FakeHost(ffmpeg=FakeFfmpegRuntime(fail_at=step))
    error, store = export_raising(host, EncoderError)
    assert store.phase is Phase.FAILED and store.error == str(error) == f"fake ffmpeg failed at {step}"
    assert host.delivered == []
    assert_cleaned_up(host)


def test_an_encoder_that_cannot_load_fails_before_any_frame_is_rendered():
    host = FakeHost(ffmpeg=FakeFfmpegRuntime(fail_at="load"))
    _, store = export_raising(host, EncoderError)
    assert host.renders == [] and "begin_render" not in host.names()
    assert store.phase is Phase.FAILED
    assert_cleaned_up(host)


def test_no_audio_is_an_audio_error_with_a_clear_message_and_nothing_rendered():
    host = FakeHost(no_audio=True)
    error, store = export_raising(host, AudioError)
    assert str(error) == NO_AUDIO_MESSAGE and store.error == NO_AUDIO_MESSAGE
    assert store.phase is Phase.FAILED
    assert host.renders == [] and "begin_render" not in host.names()
    assert_cleaned_up(host)


def test_no_layers_is_an_export_error_and_nothing_rendered():
    host = FakeHost(project={**default_project(), "layers": []})
    error, store = export_raising(host, ExportError)
    assert "no layers" in str(error).lower() and store.phase is Phase.FAILED
    assert host.renders == [] and "begin_render" not in host.names()
    assert_cleaned_up(host)


def test_a_range_past_the_end_of_the_track_fails_before_rendering():
    host = FakeHost()  # 2 s of audio
    error, store = export_raising(host, ExportError, {**SMALL, "start": "1.95", "duration": "0.5"})
    assert "runs past the end" in str(error) and store.phase is Phase.FAILED
    assert host.renders == []
    assert_cleaned_up(host)


@pytest.mark.parametrize("broken, text", [
    ("frames", "cleanup: could not clear frames"),
    ("encoder", "cleanup: could not clear encoder files"),
    ("playback", "cleanup: could not restore playback"),
])
def test_a_failing_cleanup_step_is_logged_and_the_others_still_run(broken, text):
    frames = FakeFrameStore(fail_clear_on=(2,) if broken == "frames" else ())
    ffmpeg = FakeFfmpegRuntime(fail_at="clear" if broken == "encoder" else None)
    fail = {"restore_playback": RuntimeError("media element gone")} if broken == "playback" else None
    host = FakeHost(frames=frames, ffmpeg=ffmpeg, fail=fail)
    result, store, _ = export(host)
    assert result.frames == N and store.phase is Phase.COMPLETE
    assert logged(store, "error", text)
    names = host.names()
    last_deliver = names.index("deliver")
    cleanup = names[last_deliver + 1:]
    assert "frames.clear" in cleanup or "frames.clear failed" in cleanup
    assert "ffmpeg.clear" in cleanup and cleanup[-1] == "restore_playback"


@pytest.mark.parametrize("fail_at_frame", [1, None])
def test_end_render_failing_does_not_stop_the_other_cleanup_steps(fail_at_frame):
    host = FakeHost(fail_at_frame=fail_at_frame, fail={"end_render": RuntimeError("context lost")})
    _, store = export_raising(host, ExportError)
    assert store.phase is Phase.FAILED
    assert host.frames.frames == {}
    assert "ffmpeg.clear" in host.names() and host.names()[-1] == "restore_playback"


# -- determinism and a real encode ----------------------------------------------------------------

def stored_frames(settings: dict) -> list[bytes]:
    host = FakeHost()
    export(host, settings)
    return [jpeg for _, jpeg in host.frames.history]


def test_two_exports_of_the_same_settings_store_identical_frames():
    first, second = stored_frames(SMALL), stored_frames(SMALL)
    assert len(first) == N and first == second
    assert len(set(first)) == N  # the frames differ from each other: time and audio reach them
    assert stored_frames({**SMALL, "start": "0.2"}) != first


@pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                    reason="native ffmpeg/ffprobe not installed")
def test_native_export_is_an_mp4_with_exactly_the_frames(tmp_path):
    frames = FakeFrameStore()
    runtime = NativeFfmpegRuntime(frames, tmp_path / "ffmpeg")
    host = FakeHost(frames=frames, ffmpeg=runtime)
    result, store, _ = export(host, {**SMALL, "quality": "high", "start": "0.5", "duration": "0.2"})
    assert result.frames == 6 and store.phase is Phase.COMPLETE
    (output, name, mime), = host.delivered
    path = tmp_path / name
    path.write_bytes(output)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "stream=codec_type,codec_name,nb_read_frames,width,height", "-of", "json", str(path)],
        check=True, capture_output=True, text=True).stdout)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert int(streams["video"]["nb_read_frames"]) == 6
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    assert runtime.files() == [] and frames.frames == {}


def test_accepted_frames_are_flushed_after_the_last_frame_and_before_the_encoder_reads_them():
    host = FakeHost()
    export(host)
    names = host.names()
    last_put = max(i for i, n in enumerate(names) if n == "frames.put")
    flush = names.index("frames.flush")
    assert last_put < flush < names.index("ffmpeg.write_frames")


def test_the_next_frame_is_drawn_after_the_current_one_is_read_and_before_it_is_stored():
    """The pipeline: GPU draws frame i+1 while the CPU composites frame i; never a frame read twice
    or a frame overwritten before it was read."""
    host = FakeHost()
    export(host)
    order = [(name, args[0]) for name, *args in host.events if name in ("draw_frame", "read_frame", "frames.put")]
    expected = [("draw_frame", 0)]
    for i in range(N):
        expected.append(("read_frame", i))
        if i + 1 < N:
            expected.append(("draw_frame", i + 1))
        expected.append(("frames.put", i))
    assert order == expected
