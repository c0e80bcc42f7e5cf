"""Resuming a segmented export: an export killed part way (tab closed, CLI killed) leaves its finished
segments in the runtime's directory; a new export of the same manifest, on a NEW encoder and runtime
over that directory (a reload), renders only the frames of the unfinished segments and makes the same
file. Anything that changes the output (project, track, settings, build) never reuses them.

Frames are compared with `ffmpeg -f framemd5`: both files are made of the same segments, encoded by the
same deterministic x264 command, so they must decode to identical frames.
"""

from __future__ import annotations

import asyncio
import copy

import pytest
from export_runs import logged
from fakes import BUILD_ID, default_project, synthetic_audio
from native_segments import Killed, NativeSegmentRuntime
from segment_runs import FRAMES, SETTINGS, QuickHost, delivered, drawn, framemd5, needs_ffmpeg, run, segmented, \
    segmented_raising

from vizengine.encode.encoding import EncodeJob
from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.export.cancel import CancelSignal
from vizengine.export.manifest import build_manifest
from vizengine.export.settings import ExportSettings
from vizengine.export.store import WEIGHTS
from vizengine.project.description import Project

pytestmark = needs_ffmpeg


def killed(root, at_frame: int = 60, settle: bool = True) -> NativeSegmentRuntime:
    """Run SETTINGS until the runtime dies at `at_frame`; return that (dead) runtime."""
    host = QuickHost()
    _, _, encoder = segmented_raising(host, root, Killed, kill_at_frame=at_frame, settle_before_kill=settle)
    # the pipeline draws frame i + 1 before it hands over frame i
    assert encoder.runtime.dead and drawn(host) == list(range(at_frame + 2))
    return encoder.runtime


@pytest.fixture(scope="module")
def uninterrupted(native_exports):
    return framemd5(native_exports.segmented("mp4")[0])


def test_a_killed_export_keeps_its_finished_segments_for_a_reload(tmp_path):
    dead = killed(tmp_path)
    ((export_id, done),) = dead.stored().items()
    assert done == [0]
    entries = asyncio.run(NativeSegmentRuntime(tmp_path).resumable())
    assert [(e["exportId"], e["segmentsDone"]) for e in entries] == [(export_id, [0])]
    assert "discard" in [call[0] for call in dead.calls]  # the cleanup ran, but the process was gone


def test_a_resumed_export_renders_only_the_unfinished_segment_and_makes_the_same_file(tmp_path, uninterrupted):
    dead = killed(tmp_path)
    (export_id,) = dead.stored()
    host = QuickHost()
    result, store, encoder = segmented(host, tmp_path)  # a new encoder and runtime on the same directory
    assert encoder.export_id == export_id
    assert drawn(host) == [60, 61, 62]
    assert [call[1:] for call in encoder.runtime.calls if call[0] == "encode_segment"] == [(1, 60, 3)]
    assert logged(store, "info", f"resuming: 60 of {FRAMES} frames are already encoded")
    assert result.frames == FRAMES
    assert framemd5(delivered(host, tmp_path / "resumed.mp4")) == uninterrupted
    assert asyncio.run(NativeSegmentRuntime(tmp_path).resumable()) == []  # finished: nothing left to resume


def test_progress_of_a_resumed_export_starts_at_the_frames_already_encoded(tmp_path):
    killed(tmp_path)
    _, _, seen = run(QuickHost(), SETTINGS, SegmentedEncoder(NativeSegmentRuntime(tmp_path), 2))
    rendering = [s["progress"] for s in seen if s["phase"] == "rendering"]
    base, share = WEIGHTS["preparing"], WEIGHTS["rendering"]
    resumed = base + share * 60 / FRAMES
    assert rendering[0] == pytest.approx(base) and rendering[1] == pytest.approx(resumed)  # no count from 0
    assert not [p for p in rendering if base + 1e-9 < p < resumed - 1e-9]
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_a_segment_interrupted_by_the_kill_is_encoded_again_and_the_file_is_the_same(tmp_path, uninterrupted):
    dead = killed(tmp_path, at_frame=61, settle=False)  # segment 0 is still being encoded when it dies
    ((_, done),) = dead.stored().items()
    assert not [p for p in (tmp_path / "exports").rglob("segments/*") if p.suffix != ".mp4"]
    host = QuickHost()
    segmented(host, tmp_path)
    expected = [i for i in range(FRAMES) if i // 60 not in done]
    assert drawn(host) == expected
    assert framemd5(delivered(host, tmp_path / "resumed.mp4")) == uninterrupted


# -- exports that must not reuse them ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A directory holding SETTINGS' export killed after segment 0: (directory, its export id)."""
    root = tmp_path_factory.mktemp("killed")
    (export_id,) = killed(root).stored()
    return root, export_id


def started(root, settings: dict = SETTINGS, project: dict | None = None, audio=None, build: str = BUILD_ID):
    """A new encoder on a new runtime over `root`, started as export_video starts it."""
    parsed = ExportSettings.from_dict(settings)
    audio = audio if audio is not None else synthetic_audio(3.0)
    frames = parsed.frame_range(audio.duration)
    job = EncodeJob(*parsed.size, frames.fps, frames.count, parsed.quality, parsed.format)
    encoder = SegmentedEncoder(NativeSegmentRuntime(root), parsed.encode_workers)
    manifest = build_manifest(parsed, Project.from_json(project or default_project()), audio, encoder.name, build)
    asyncio.run(encoder.start(job, manifest, CancelSignal()))
    return encoder, job


def project_with(**layer) -> dict:
    project = copy.deepcopy(default_project())
    project["layers"][0].update(layer)
    return project


OTHERS = {
    "project": dict(project=project_with(opacity=0.5)),
    "track": dict(audio=synthetic_audio(3.2)),
    "quality": dict(settings={**SETTINGS, "quality": "medium"}),
    "format": dict(settings={**SETTINGS, "format": "webm"}),
    "start": dict(settings={**SETTINGS, "start": "0.4"}),
    "resolution": dict(settings={**SETTINGS, "resolution": "1080p"}),
    "build": dict(build="test-build-2"),
}


@pytest.mark.parametrize("what", list(OTHERS))
def test_another_project_track_settings_or_build_renders_every_frame_and_leaves_the_stored_one(stored, what):
    root, export_id = stored
    encoder, job = started(root, **OTHERS[what])
    try:
        assert encoder.export_id != export_id and encoder.resumed_frames == 0
        assert all(encoder.needs(i) for i in range(job.frame_count))
    finally:
        asyncio.run(encoder.abort())
    assert NativeSegmentRuntime(root).stored() == {export_id: [0]}


def test_the_same_export_with_other_encode_workers_reuses_the_stored_segments(stored):
    root, export_id = stored
    encoder, job = started(root, {**SETTINGS, "encodeWorkers": 1})  # only started: the stored export stays
    assert encoder.export_id == export_id and encoder.resumed_frames == 60
    assert [i for i in range(job.frame_count) if encoder.needs(i)] == [60, 61, 62]
    assert ("begin", export_id, 1) in encoder.runtime.calls


def test_an_export_of_another_project_renders_every_frame_and_makes_its_own_file(stored, tmp_path):
    root, export_id = stored
    host = QuickHost(project=project_with(opacity=0.4))
    _, _, encoder = segmented(host, root)
    assert encoder.export_id != export_id and drawn(host) == list(range(FRAMES))
    assert NativeSegmentRuntime(root).stored() == {export_id: [0]}
