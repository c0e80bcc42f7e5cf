"""The render farm's page entry points (vizengine._browser.farm_entry, on App): a part of an export renders
only its segments, with the whole export's analysis and manifest, hands back their bytes instead of a
joined file and leaves nothing stored; the audio part encodes the audio exactly as a whole export."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio

import vizengine.export.orchestrator as orchestrator
from vizengine.audio.analysis import analyse
from vizengine.encode.encoding import EncodeJob
from vizengine.encode.segments import audio_args, segment_args
from vizengine.export.manifest import build_manifest
from vizengine.export.part import Part
from vizengine.export.settings import ExportSettings
from vizengine.errors import InvalidSettings
from vizengine.project.description import Project

# 5 s at 30 fps from 0.5 s: segments of 60, 60 and 30 frames.
SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.5", "duration": "5",
            "encoder": "ffmpeg", "encodeWorkers": 1}


@pytest.fixture
def page():
    return FakePage(default_project(), synthetic_audio(6.0))


def run(coroutine_factory):
    async def go():
        reply = await coroutine_factory()
        return reply.to_py() if hasattr(reply, "to_py") else reply

    return asyncio.run(go())


def drawn(page: FakePage) -> list[int]:
    return [round((time - 0.5) * 30) for time, *_ in page.args("drawFrame")]


def test_a_part_renders_only_its_segments_and_hands_their_bytes_back(bridge, page):
    app = bridge.install(page)
    reply = run(lambda: app.render_segments(SETTINGS, 1, 3))
    assert reply["status"] == "complete", reply
    assert drawn(page) == list(range(60, 150))
    queued = [(segment, first, count) for _, segment, first, count, *_ in page.args("segments.encodeSegment")]
    assert queued == [(1, 60, 60), (2, 120, 30)]
    assert [bytes(s.bytes()) for s in reply["segments"]] == [b"segment 1 60+60", b"segment 2 120+30"]
    assert reply["audio"] is None and reply["size"] == 15 + 16
    # The same codec arguments as the whole export's segments.
    job = EncodeJob(1280, 720, 30, 150, "low", "mp4")
    assert [list(args) for *_, args, _ in page.args("segments.encodeSegment")] == [
        segment_args(job, 60), segment_args(job, 30)]
    # Nothing is joined, downloaded, or left stored.
    assert "segments.mux" not in page.names() and "deliver" not in page.names()
    assert not page.segments.manifests and not page.segments.segments and not page.segments.frames


def test_a_part_carries_the_whole_exports_manifest_key_and_analysis(bridge, page):
    app = bridge.install(page)
    reply = run(lambda: app.render_segments(SETTINGS, 2, 3))
    settings = ExportSettings.from_dict(SETTINGS)
    project = Project.from_json(page.project_json)
    manifest = build_manifest(settings, project, page.audio, "ffmpeg.wasm, segmented", page.build)
    assert reply["manifestKey"] == manifest.key
    # Frame 120's audio is the whole export's analysis row 120 (smoothed from the export's start), not a
    # fresh analysis starting at the part.
    whole = analyse(page.audio.samples, page.audio.sample_rate, 30, start=settings.frame_range(6).start, frames=150,
                    **project.analyser_kwargs())
    _, _, frequency, time_domain = page.args("drawFrame")[0]
    assert np.array_equal(frequency.data, whole.frequency[120])
    assert np.array_equal(time_domain.data, whole.time_domain[120])


def test_parts_of_one_export_share_one_analysis(bridge, page, monkeypatch):
    calls = []
    real = orchestrator.analyse_steps
    monkeypatch.setattr(orchestrator, "analyse_steps", lambda *a, **k: calls.append(k) or real(*a, **k))
    app = bridge.install(page)
    for first in range(3):
        assert run(lambda: app.render_segments(SETTINGS, first, first + 1))["status"] == "complete"
    assert len(calls) == 1
    run(lambda: app.render_segments({**SETTINGS, "start": "0.25"}, 0, 1))
    assert len(calls) == 2  # another export: analysed afresh


def test_the_audio_part_encodes_the_exports_audio_once_as_a_whole_export_and_renders_nothing(bridge, page):
    app = bridge.install(page)
    reply = run(lambda: app.encode_audio(SETTINGS))
    assert reply["status"] == "complete", reply
    assert "beginRender" not in page.names() and "drawFrame" not in page.names()
    ((_, args, output),) = page.args("segments.encodeAudio")
    assert list(args) == audio_args(EncodeJob(1280, 720, 30, 150, "low", "mp4")) and output == "audio.m4a"
    wav = bytes(reply["audio"].bytes())
    assert wav.startswith(b"RIFF") and reply["segments"] == [] and reply["size"] == len(wav)
    assert not page.segments.manifests and not page.segments.audio


def test_a_part_refuses_auto_and_segments_outside_the_export(bridge, page):
    app = bridge.install(page)
    auto = run(lambda: app.render_segments({**SETTINGS, "encoder": "auto"}, 0, 1))
    assert auto["status"] == "failed" and "needs the encoder its driver chose" in auto["message"]
    outside = run(lambda: app.render_segments(SETTINGS, 2, 4))
    assert outside == {"status": "failed", "message": "segments 2..4 are not within this export's 3 segments"}
    assert "drawFrame" not in page.names() and not page.segments.manifests


def test_a_failed_segment_fails_the_part_with_its_error_and_cleans_up(bridge, page):
    page.segments.fail_segment = 1
    app = bridge.install(page)
    reply = run(lambda: app.render_segments(SETTINGS, 0, 2))
    assert reply["status"] == "failed" and "segment 1" in reply["message"]
    assert not page.segments.manifests and not page.segments.segments


def test_the_plan_gives_frames_segments_the_concrete_encoder_and_the_build(bridge, page):
    app = bridge.install(page)
    plan = run(lambda: app.farm_plan({**SETTINGS, "encoder": "auto"}))
    assert plan["status"] == "ready"
    assert (plan["frames"], plan["fps"], plan["segments"], plan["segmentFrames"]) == (150, 30, 3, 60)
    # This page has no WebCodecs runtime: auto resolves to ffmpeg.wasm, with the reason the log would give.
    assert plan["encoder"] == "ffmpeg" and "ffmpeg.wasm" in plan["reason"] and plan["codecs"] == "H.264 + AAC"
    assert plan["buildId"] == page.build
    late = run(lambda: app.farm_plan({**SETTINGS, "start": "5.5"}))
    assert late["status"] == "failed" and late["message"]


@pytest.mark.parametrize("first, end, audio, ok", [(0, 3, False, True), (0, 0, True, True), (3, 3, True, True),
                                                   (0, 0, False, False), (2, 1, False, False), (-1, 1, False, False),
                                                   (0, 4, False, False)])
def test_part_bounds(first, end, audio, ok):
    part = Part(first, end, audio)
    if ok:
        part.check(3)
    else:
        with pytest.raises(InvalidSettings):
            part.check(3)
