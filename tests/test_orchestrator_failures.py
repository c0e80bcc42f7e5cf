"""export_video when something goes wrong: failures and cancel in every phase, and cleanup on every exit
(also when a cleanup step fails itself)."""

from __future__ import annotations

import pytest
from export_runs import N, SMALL, assert_cleaned_up, export, export_raising, logged
from fakes import NO_AUDIO_MESSAGE, FakeFfmpegRuntime, FakeFrameStore, FakeHost, default_project, ffmpeg_encoder

from vizengine.errors import (
    AudioError,
    EncoderError,
    ExportCancelled,
    ExportError,
    InvalidLayer,
    InvalidProject,
    RenderError,
    StorageError,
)
from vizengine.export.cancel import CancelSignal
from vizengine.export.store import Phase


def encoder_with(host: FakeHost, **kwargs):
    """An FfmpegEncoder on the host's events whose fakes fail as told (FakeFfmpegRuntime keywords, or
    frames=FakeFrameStore(...))."""
    frames = kwargs.pop("frames", None)
    return ffmpeg_encoder(host.events, frames, FakeFfmpegRuntime(**kwargs) if kwargs else None)


# -- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure, message", [
    (RenderError("Could not draw frame 1: WebGL context lost"), "Could not draw frame 1: WebGL context lost"),
    (InvalidLayer("Layer 'bars': shader failed to compile"), "Layer 'bars': shader failed to compile"),
    (RuntimeError("WebGL context lost"), "Export failed unexpectedly: RuntimeError: WebGL context lost"),
])
def test_an_error_while_rendering_fails_the_export_and_cleans_up(failure, message):
    host = FakeHost(fail_at_frame=1, failure=failure)
    error, store, encoder = export_raising(host, ExportError)
    assert str(error) == message
    assert store.phase is Phase.FAILED and store.error == message
    assert logged(store, "error", message)
    assert [r[0] for r in host.renders] == [0, 1]
    assert host.delivered == [] and "ffmpeg.run" not in host.names()
    assert_cleaned_up(host, encoder)


def test_a_compositor_refusing_the_plan_fails_before_any_frame_is_drawn():
    host = FakeHost(fail={"configure_compositor": RenderError("The compositor refused the plan: too many layers")})
    error, store, encoder = export_raising(host, RenderError)
    assert store.phase is Phase.FAILED and store.error == str(error)
    assert host.renders == []
    assert_cleaned_up(host, encoder)


def test_storage_refusing_a_frame_fails_the_export_and_cleans_up():
    host = FakeHost()
    error, store, encoder = export_raising(host, StorageError, encoder=encoder_with(
        host, frames=FakeFrameStore(fail_put_at=2)))
    assert store.phase is Phase.FAILED and store.error == str(error) and "frame 2" in store.error
    assert host.delivered == []
    assert_cleaned_up(host, encoder)


@pytest.mark.parametrize("step", ["run", "write_frames", "read_output"])
def test_an_encoder_failure_fails_the_export_and_cleans_up(step):
    host = FakeHost()
    error, store, encoder = export_raising(host, EncoderError, encoder=encoder_with(host, fail_at=step))
    assert store.phase is Phase.FAILED and store.error == str(error) == f"fake ffmpeg failed at {step}"
    assert host.delivered == []
    assert_cleaned_up(host, encoder)


def test_an_encoder_that_cannot_load_fails_before_any_frame_is_rendered():
    host = FakeHost()
    _, store, encoder = export_raising(host, EncoderError, encoder=encoder_with(host, fail_at="load"))
    assert host.renders == [] and "begin_render" not in host.names()
    assert "configure_compositor" not in host.names()
    assert store.phase is Phase.FAILED
    assert_cleaned_up(host, encoder)


def test_no_audio_is_an_audio_error_with_a_clear_message_and_nothing_rendered():
    host = FakeHost(no_audio=True)
    error, store, encoder = export_raising(host, AudioError)
    assert str(error) == NO_AUDIO_MESSAGE and store.error == NO_AUDIO_MESSAGE
    assert store.phase is Phase.FAILED
    assert host.renders == [] and "begin_render" not in host.names()
    assert_cleaned_up(host, encoder)


def test_no_layers_is_an_export_error_and_nothing_rendered():
    host = FakeHost(project={**default_project(), "layers": []})
    error, store, encoder = export_raising(host, ExportError)
    assert "no layers" in str(error).lower() and store.phase is Phase.FAILED
    assert host.renders == [] and "begin_render" not in host.names()
    assert_cleaned_up(host, encoder)


def test_an_invalid_project_fails_with_the_field_path_and_nothing_rendered():
    project = default_project()
    project["layers"][1]["opacity"] = 2
    host = FakeHost(project=project)
    error, store, encoder = export_raising(host, InvalidProject)
    assert str(error) == store.error == "project.layers[1].opacity must be a number from 0 to 1 (got 2)"
    assert host.renders == [] and "decode_audio" not in host.names()
    assert_cleaned_up(host, encoder)


def test_a_range_past_the_end_of_the_track_fails_before_rendering():
    host = FakeHost()  # 2 s of audio
    error, store, encoder = export_raising(host, ExportError, {**SMALL, "start": "1.95", "duration": "0.5"})
    assert "runs past the end" in str(error) and store.phase is Phase.FAILED
    assert host.renders == []
    assert_cleaned_up(host, encoder)


# -- cancel in every phase -------------------------------------------------------------------------


def test_cancel_before_the_export_starts_renders_nothing():
    signal = CancelSignal()
    signal.cancel()
    host = FakeHost()
    _, store, encoder = export_raising(host, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED and host.renders == []
    assert_cleaned_up(host, encoder)


def test_cancel_while_preparing_loads_no_encoder_and_renders_nothing():
    signal = CancelSignal()
    host = FakeHost(cancel_in="decode_audio", signal=signal)
    _, store, encoder = export_raising(host, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED and store.error == "Export cancelled"
    assert host.renders == [] and "ffmpeg.load" not in host.names()
    assert_cleaned_up(host, encoder)


def test_cancel_while_rendering_stops_after_that_frame():
    signal = CancelSignal()
    host = FakeHost(cancel_at_frame=1, signal=signal)
    _, store, encoder = export_raising(host, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED and store.error == "Export cancelled"
    assert [r[0] for r in host.renders] == [0, 1]
    assert "ffmpeg.run" not in host.names() and host.delivered == []
    assert_cleaned_up(host, encoder)


def test_a_cancel_is_logged_as_news_not_as_a_warning_about_the_video():
    signal = CancelSignal()
    host = FakeHost(cancel_at_frame=1, signal=signal)
    _, store, _ = export_raising(host, ExportCancelled, signal=signal)
    levels = {line["message"]: line["level"] for line in store.logs}
    assert levels["Export cancelled"] == "info"
    assert [line for line in store.logs if line["level"] == "warning"] == []


@pytest.mark.parametrize("mode", ["raise", "return"])
def test_cancel_while_encoding_delivers_nothing_and_cleans_up(mode):
    host = FakeHost()
    _, store, encoder = export_raising(host, ExportCancelled, encoder=encoder_with(host, cancel_in_run=mode))
    assert store.phase is Phase.CANCELLED
    assert [r[0] for r in host.renders] == list(range(N))
    assert host.delivered == [] and "ffmpeg.read_output" not in host.names()
    assert_cleaned_up(host, encoder)


# -- cleanup that fails --------------------------------------------------------------------------


@pytest.mark.parametrize("broken, text", [
    ("frames", "cleanup: could not release the encoder's files: IndexedDB is gone"),
    ("encoder", "cleanup: could not release the encoder's files: fake ffmpeg failed at clear"),
    ("playback", "cleanup: could not restore playback: media element gone"),
])
def test_a_failing_cleanup_step_is_logged_and_the_others_still_run(broken, text):
    fail = {"restore_playback": RuntimeError("media element gone")} if broken == "playback" else None
    host = FakeHost(fail=fail)
    encoder = encoder_with(host, frames=FakeFrameStore(fail_clear_on=(2,) if broken == "frames" else ()),
                           **({"fail_at": "clear"} if broken == "encoder" else {}))
    result, store, _, _ = export(host, encoder=encoder)
    assert result.frames == N and store.phase is Phase.COMPLETE
    assert logged(store, "error", text)
    names = host.names()
    cleanup = names[names.index("deliver") + 1:]
    assert "frames.clear" in cleanup or "frames.clear failed" in cleanup
    assert "ffmpeg.clear" in cleanup and cleanup[-1] == "restore_playback"


@pytest.mark.parametrize("fail_at_frame, text", [
    (1, "cleanup: could not end rendering: context lost"),  # rendering failed: cleanup ends it
    (None, "Export failed unexpectedly: RuntimeError: context lost"),  # the export's own end_render failed
])
def test_end_render_failing_does_not_stop_the_other_cleanup_steps(fail_at_frame, text):
    host = FakeHost(fail_at_frame=fail_at_frame, fail={"end_render": RuntimeError("context lost")})
    _, store, encoder = export_raising(host, ExportError)
    assert store.phase is Phase.FAILED
    assert logged(store, "error", text)
    assert encoder.frames.frames == {}
    assert "ffmpeg.clear" in host.names() and host.names()[-1] == "restore_playback"


def test_a_layer_that_cannot_draw_fails_the_export_before_the_analysis_naming_it():
    error = RenderError('A layer could not get ready to draw: Error: Image layer "cover": the image could not be decoded')
    host = FakeHost(fail={"layers_ready": error})
    raised, store, encoder = export_raising(host, RenderError)
    assert 'Image layer "cover"' in str(raised)
    assert "decode_audio" not in host.names() and "begin_render" not in host.names()
    assert store.phase is Phase.FAILED
    assert_cleaned_up(host, encoder)
