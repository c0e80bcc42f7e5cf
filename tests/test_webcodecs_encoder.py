"""vizengine.encode.webcodecs_encoder.WebCodecsEncoder under export_video, over FakeHost and in-memory page
sides: frames stay in the page, segments, key frames, audio per format, resume, cancel and failure."""

from __future__ import annotations

import asyncio

import pytest
from export_runs import logged
from fake_webcodecs import FakeCodec, FakeSegmentStore
from fakes import FakeHost, default_project, synthetic_audio

from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.encode.webcodecs_encoder import WebCodecsEncoder
from vizengine.errors import EncoderError, ExportCancelled, InvalidSettings
from vizengine.export.cancel import CancelSignal
from vizengine.export.manifest import build_manifest
from vizengine.export.orchestrator import export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore
from vizengine.project.description import Project

# 2.1 s at 30 fps: 63 frames in segments of 60 and 3.
SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.5", "duration": "2.1"}
FRAMES = 63


class QuickFakeHost(FakeHost):
    """The fake page without the reference compositor: these tests never look at pixels."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("audio", synthetic_audio(3.0))
        super().__init__(**kwargs)

    async def read_frame(self, out) -> None:
        raise AssertionError("a WebCodecs export must not read pixels back")


def run(host, settings=SETTINGS, store=None, codec=None, signal=None):
    events = host.events
    store = store if store is not None else FakeSegmentStore(events)
    codec = codec if codec is not None else FakeCodec(store, events)
    encoder = WebCodecsEncoder(store, codec, "WebCodecs, auto: the browser can encode it (H.264 + AAC)")
    export_store = ExportStore(throttle=0.0)
    result = asyncio.run(export_video(host, ExportSettings.from_dict(settings), signal or CancelSignal(),
                                      export_store, encoder))
    return result, export_store, store, codec


def test_every_frame_goes_to_the_encoder_as_a_page_frame_with_no_read_back_and_is_closed_after():
    host = QuickFakeHost()
    run(host)
    assert host.render_form == "video_frame"
    assert "read_frame" not in host.names()
    captured = [event[1] for event in host.events if event[0] == "capture_frame"]
    assert captured == list(range(FRAMES))
    assert host.captured_closed == list(range(FRAMES))
    # each frame is taken before the next one is drawn over it, and encoded after that draw (the pipeline)
    order = [event[:2] for event in host.events if event[0] in ("capture_frame", "draw_frame", "codec.encode_frame")]
    assert order[:5] == [("draw_frame", 0), ("capture_frame", 0), ("draw_frame", 1), ("codec.encode_frame", 0),
                         ("capture_frame", 1)]


def test_frames_go_to_their_segment_with_a_key_frame_at_each_segment_start_and_every_two_seconds():
    host = QuickFakeHost()
    _, _, store, codec = run(host)
    assert [(i, segment, offset) for i, segment, offset, _ in codec.frames] == (
        [(i, 0, i) for i in range(60)] + [(i, 1, i - 60) for i in range(60, 63)])
    assert [i for i, _, _, key in codec.frames if key] == [0, 60]
    ended = [event[1] for event in host.events if event[0] == "codec.end_segment"]
    assert ended == [0, 1]
    # a segment ends right after its last frame, before the next frame is taken
    names = [event[:2] for event in host.events]
    assert names.index(("codec.end_segment", 0)) < names.index(("capture_frame", 61))


def test_mp4_audio_is_aac_from_one_ffmpeg_worker_and_the_video_comes_from_the_codec():
    host = QuickFakeHost()
    result, export_store, store, codec = run(host)
    assert store.workers_asked == [1]
    (config, fps, fmt), = codec.configured
    assert config["video"]["codec"].startswith("avc1.64") and (fps, fmt) == (30, "mp4")
    output = host.delivered[0][0]
    assert output["stored_audio"][:2] == ("ffmpeg", "audio.m4a")
    assert output["frameCount"] == FRAMES and sorted(output["segments"]) == [0, 1]
    assert result.file_name.endswith(".mp4")
    assert logged(export_store, "info", "encoder: WebCodecs, auto")


def test_webm_audio_is_opus_from_webcodecs_bounded_to_the_videos_duration():
    host = QuickFakeHost()
    _, _, store, codec = run(host, {**SETTINGS, "format": "webm", "quality": "high"})
    (config, _, fmt), = codec.configured
    assert config["video"]["codec"].startswith("vp09.") and fmt == "webm"
    opus = [event for event in host.events if event[0] == "codec.encode_opus"]
    assert opus == [("codec.encode_opus", 160_000, FRAMES / 30)]
    assert "store.encode_audio" not in [event[0] for event in host.events]
    assert host.delivered[0][0]["stored_audio"][0] == "opus"


def test_all_segments_are_stored_before_the_audio_and_the_join():
    host = QuickFakeHost()
    run(host)
    names = [event[0] for event in host.events]
    assert names.index("codec.wait_all") < names.index("store.encode_audio") < names.index("store.mux")
    assert names.index("store.mux") < names.index("store.finish_export")


class KeepingStore(FakeSegmentStore):
    """As if the page closed mid-export: the cleanup never reaches storage."""

    async def discard(self, export_id: str) -> None:
        self.events.append(("store.discard (page gone)",))


def test_a_resumed_export_encodes_only_the_segments_that_were_not_stored():
    first_host = QuickFakeHost()
    store = KeepingStore(first_host.events)
    with pytest.raises(EncoderError):
        run(first_host, store=store, codec=FakeCodec(store, first_host.events, fail_in_segment=1))
    store.forget_running()
    assert [sorted(segments) for segments in store.segments.values()] == [[0]]

    host = QuickFakeHost()
    store.events = host.events
    codec = FakeCodec(store, host.events)
    _, export_store, _, _ = run(host, store=store, codec=codec)
    assert [i for i, *_ in codec.frames] == [60, 61, 62]
    assert [i for i, _, _, key in codec.frames if key] == [60]
    assert logged(export_store, "info", "resuming: 60 of 63 frames")
    assert sorted(host.delivered[0][0]["segments"]) == [0, 1]


def test_cancel_stops_the_codec_before_the_exports_data_is_deleted():
    signal = CancelSignal()
    host = QuickFakeHost(cancel_at_frame=30, signal=signal)
    with pytest.raises(ExportCancelled):
        run(host, signal=signal)
    names = [event[0] for event in host.events]
    assert "codec.cancel" in names
    assert names.index("codec.stop") < names.index("store.discard")
    assert host.captured_closed == sorted(set(host.captured_closed))  # every taken frame released once


def test_a_failing_encoder_fails_the_export_and_leaves_no_stored_data():
    host = QuickFakeHost()
    store = FakeSegmentStore(host.events)
    with pytest.raises(EncoderError, match="failed in segment 0"):
        run(host, store=store, codec=FakeCodec(store, host.events, fail_in_segment=0))
    assert store.manifests == {} and store.segments == {}
    assert host.names()[-1] == "restore_playback"


def test_webcodecs_and_ffmpeg_segments_of_the_same_export_are_never_mixed_but_the_choice_alone_does_not_matter():
    audio = synthetic_audio(3.0)
    project = Project.from_json(default_project())

    def key(encoder: str, choice: str) -> str:
        settings = ExportSettings.from_dict({**SETTINGS, "encoder": choice})
        return build_manifest(settings, project, audio, encoder, "build-1").key

    assert key(WebCodecsEncoder.name, "auto") != key(SegmentedEncoder.name, "auto")
    assert key(WebCodecsEncoder.name, "auto") == key(WebCodecsEncoder.name, "webcodecs")
    assert key(SegmentedEncoder.name, "auto") == key(SegmentedEncoder.name, "ffmpeg")


def test_the_encoder_setting_takes_the_three_choices_and_defaults_to_auto():
    assert ExportSettings.from_dict(SETTINGS).encoder == "auto"
    assert ExportSettings.from_dict({**SETTINGS, "encoder": ""}).encoder == "auto"
    assert ExportSettings.from_dict({**SETTINGS, "encoder": " WebCodecs "}).encoder == "webcodecs"
    with pytest.raises(InvalidSettings, match="encoder must be one of auto, webcodecs, ffmpeg"):
        ExportSettings.from_dict({**SETTINGS, "encoder": "vp9"})
