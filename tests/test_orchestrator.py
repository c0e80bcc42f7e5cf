"""vizengine.export.orchestrator.export_video over FakeHost: phases, exact frame times, the GPU plan, the
frames the encoder gets, the render pipeline's order, determinism and a real encode.

Failures, cancel and cleanup are in test_orchestrator_failures.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest
from export_runs import N, SMALL, after, assert_cleaned_up, export, logged
from fakes import FakeFrameStore, FakeHost, RecordingEncoder, default_project, ffmpeg_encoder
from native_ffmpeg import NativeFfmpegRuntime

from vizengine.audio.analysis import analyse
from vizengine.audio.clip import clip_wav
from vizengine.encode.encoding import AUDIO_FILE, EncodeJob, ffmpeg_args
from vizengine.export.orchestrator import ExportResult
from vizengine.export.settings import ExportSettings
from vizengine.export.store import Phase
from vizengine.frames.compositing import Compositor
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.description import Project, composite_plan

# -- a successful export -------------------------------------------------------------------------


def test_phases_run_in_order_and_progress_only_grows_to_one():
    _, store, seen, _ = export(FakeHost())
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
    _, _, _, encoder = export(host)
    events = host.events
    puts = [e[1] for e in events if e[0] == "frames.put"]
    assert puts == list(range(N))
    write = events.index(("ffmpeg.write_frames",))
    assert all(events.index(("frames.put", i)) < write for i in range(N))
    assert encoder.runtime.frames_seen == list(range(N))


def test_frames_left_by_an_earlier_export_are_cleared_before_rendering():
    host = FakeHost()
    encoder = ffmpeg_encoder(host.events)
    encoder.frames.frames[99] = b"stale"
    export(host, encoder=encoder)
    assert encoder.runtime.frames_seen == list(range(N))
    assert after(host.names(), "frames.clear", "begin_render")


@pytest.mark.parametrize("fmt, quality", [("mp4", "high"), ("mp4", "low"), ("webm", "medium")])
def test_encoder_runs_the_arguments_for_the_settings(fmt, quality):
    _, _, _, encoder = export(FakeHost(), {**SMALL, "format": fmt, "quality": quality})
    runs = [c for c in encoder.runtime.calls if c[0] == "run"]
    assert runs == [("run", ffmpeg_args(EncodeJob(1280, 720, 30, N, quality, fmt)))]


def test_encoder_gets_the_audio_of_exactly_the_export_range():
    host = FakeHost()
    _, _, _, encoder = export(host)
    settings = ExportSettings.from_dict(SMALL)
    expected = clip_wav(host.audio, settings.frame_range(host.audio.duration))
    assert encoder.runtime.written[AUDIO_FILE] == expected


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
    result, store, _, encoder = export(host, {**SMALL, "format": "webm"})
    output = encoder.runtime.output
    assert host.delivered == [(output, "viz-engine-720p-30fps.webm", "video/webm")]
    assert result == ExportResult("viz-engine-720p-30fps.webm", "video/webm", N, 0.1, len(output), 1280, 720)
    assert store.result == result.__dict__


def test_cleanup_after_success_clears_frames_and_encoder_and_restores_playback():
    host = FakeHost()
    _, _, _, encoder = export(host)
    names = host.names()
    assert names[0] == "pause_playback"
    assert after(names, "deliver", "frames.clear") and after(names, "deliver", "ffmpeg.clear")
    assert_cleaned_up(host, encoder)


def test_the_page_is_driven_in_order():
    host = FakeHost()
    export(host)
    steps = ["pause_playback", "layers_ready", "project", "decode_audio", "ffmpeg.load", "configure_compositor",
             "begin_render",
             "draw_frame", "read_frame", "end_render", "ffmpeg.write_frames", "ffmpeg.run", "deliver",
             "restore_playback"]
    names = host.names()
    positions = [names.index(step) for step in steps]
    assert positions == sorted(positions)


# -- the GPU plan and the frames it gives ------------------------------------------------------------


def test_the_compositor_gets_the_project_plan_once_before_the_first_frame_is_drawn():
    host = FakeHost()
    export(host)
    assert host.plans == [gpu_plan(Project.from_json(default_project()))]
    names = [event[0] for event in host.events]
    assert names.index("configure_compositor") < names.index("draw_frame")


def with_third_layer(visible: bool) -> dict:
    project = default_project()
    project["layers"].insert(1, {"id": "wave", "kind": "waveform", "visible": visible, "opacity": 0.9,
                                 "blendMode": "difference", "background": "rgba(0, 0, 255, 0.5)"})
    return project


def test_hidden_layers_are_not_in_the_plan():
    host = FakeHost(project=with_third_layer(visible=False))
    export(host)
    (plan,) = host.plans
    assert [entry["slice"] for entry in plan["layers"]] == [0, 2]  # the bars keep their project position


def reference_frames(host: FakeHost) -> list[np.ndarray]:
    """The numpy reference composite of the fake's layers, built from the project (not from the plan)."""
    project = Project.from_json(host.project_json)
    width, height = host.render_size
    compositor = Compositor(composite_plan(project, width, height))
    visible = [i for i, layer in enumerate(project.layers) if layer.visible]
    return [compositor.compose(host.layer_pixels(index, time)[visible]) for index, time, _ in host.renders]


@pytest.mark.parametrize("project", [default_project(), with_third_layer(visible=True),
                                     with_third_layer(visible=False)], ids=["two", "three", "one-hidden"])
def test_the_frames_the_encoder_gets_are_the_reference_composite_of_the_layers(project):
    host = FakeHost(project=project)
    encoder = RecordingEncoder(ffmpeg_encoder(host.events), host.events)
    export(host, encoder=encoder)
    want = reference_frames(host)
    assert len(encoder.rgb) == len(want) == N
    for got, expected in zip(encoder.rgb, want):
        np.testing.assert_array_equal(got, expected)
    assert len({frame.tobytes() for frame in encoder.rgb}) == N  # time and audio reach the frames


def test_accepted_frames_are_flushed_after_the_last_frame_and_before_the_encoder_reads_them():
    host = FakeHost()
    export(host)
    names = host.names()
    last_put = max(i for i, n in enumerate(names) if n == "frames.put")
    flush = names.index("frames.flush")
    assert last_put < flush < names.index("ffmpeg.write_frames")


def test_the_next_frame_is_drawn_after_the_current_one_is_read_and_before_it_goes_to_the_encoder():
    """The pipeline: the GPU draws frame i+1 while the CPU encodes frame i; never a frame read twice
    or a frame overwritten before it was read."""
    host = FakeHost()
    export(host, encoder=RecordingEncoder(ffmpeg_encoder(host.events), host.events))
    order = [(name, args[0]) for name, *args in host.events
             if name in ("draw_frame", "read_frame", "encoder.add_frame")]
    expected = [("draw_frame", 0)]
    for i in range(N):
        expected.append(("read_frame", i))
        if i + 1 < N:
            expected.append(("draw_frame", i + 1))
        expected.append(("encoder.add_frame", i))
    assert order == expected


class ResumingEncoder(RecordingEncoder):
    """A RecordingEncoder that already holds the frames in `done` (as a resumed export does)."""

    def __init__(self, inner, events: list, done: set[int]) -> None:
        super().__init__(inner, events)
        self.done = done

    def needs(self, index: int) -> bool:
        return index not in self.done


@pytest.mark.parametrize("done", [{0}, {0, 1}, {1}, {0, 2}], ids=str)
def test_a_resumed_export_draws_and_hands_over_only_the_frames_the_encoder_needs(done):
    host = FakeHost()
    encoder = ResumingEncoder(ffmpeg_encoder(host.events), host.events, done)
    _, store, seen, _ = export(host, {**SMALL, "start": "0.35"}, encoder=encoder)
    todo = [i for i in range(N) if i not in done]
    assert host.renders == [(i, float(Fraction(35, 100) + Fraction(i, 30)), 1 / 30) for i in todo]
    order = [(name, args[0]) for name, *args in host.events
             if name in ("draw_frame", "read_frame", "encoder.add_frame")]
    expected = [("draw_frame", todo[0])]
    for k, i in enumerate(todo):
        expected += [("read_frame", i)] + ([("draw_frame", todo[k + 1])] if k + 1 < len(todo) else [])
        expected.append(("encoder.add_frame", i))
    assert order == expected
    assert logged(store, "info", f"resuming: {len(done)} of {N} frames are already encoded")
    rendering = [s["progress"] for s in seen if s["phase"] == "rendering"]
    assert rendering[1] == pytest.approx(0.05 + 0.7 * len(done) / N)  # the bar starts at the frames done


def test_a_resumed_export_with_every_frame_encoded_draws_nothing_and_still_delivers():
    host = FakeHost()
    encoder = ResumingEncoder(ffmpeg_encoder(host.events), host.events, set(range(N)))
    result, store, _, _ = export(host, encoder=encoder)
    assert host.renders == [] and encoder.rgb == [] and "read_frame" not in host.names()
    assert store.phase is Phase.COMPLETE and result.frames == N and len(host.delivered) == 1
    assert after(host.names(), "begin_render", "end_render")


def test_an_export_that_resumes_nothing_does_not_say_it_resumes():
    _, store, _, _ = export(FakeHost())
    assert not logged(store, "info", "resuming")


# -- determinism and a real encode ----------------------------------------------------------------


def stored_frames(settings: dict) -> list[bytes]:
    _, _, _, encoder = export(FakeHost(), settings)
    return [jpeg for _, jpeg in encoder.frames.history]


def test_two_exports_of_the_same_settings_store_identical_frames():
    first, second = stored_frames(SMALL), stored_frames(SMALL)
    assert len(first) == N and first == second
    assert len(set(first)) == N  # the frames differ from each other: time and audio reach them
    assert stored_frames({**SMALL, "start": "0.2"}) != first


@pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                    reason="native ffmpeg/ffprobe not installed")
def test_native_export_is_an_mp4_with_exactly_the_frames(tmp_path):
    host, frames = FakeHost(), FakeFrameStore()
    runtime = NativeFfmpegRuntime(frames, tmp_path / "ffmpeg")
    encoder = ffmpeg_encoder(host.events, frames, runtime)
    result, store, _, _ = export(host, {**SMALL, "quality": "high", "start": "0.5", "duration": "0.2"},
                                 encoder=encoder)
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
