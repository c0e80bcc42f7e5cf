"""vizengine._browser.bridge under CPython, over stand-in `js`/`pyodide.ffi` modules and a fake page:
every JS failure becomes a readable ExportError subclass, and JS values cross as the page expects them.

The App (preview plan, paused frame, exports) is in test_bridge_app.py.
The segment runtime's calls are at the end.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from fake_page import FakePage
from fakes import NO_AUDIO_MESSAGE, default_project, job_manifest, synthetic_audio
from js_stand_ins import PROXIES, JsArray, JsException, JsObject, fresh_bridge

from vizengine.audio.analysis import analyse
from vizengine.encode.encoding import EncodeJob
from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.encode.segments import Segment
from vizengine.errors import (
    AudioError,
    EncoderError,
    ExportCancelled,
    ExportError,
    InvalidProject,
    RenderError,
    StorageError,
)
from vizengine.export.cancel import CancelSignal
from vizengine.frames.frame import Frame
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.description import Project

OUT_OF_STORAGE = ("The browser ran out of storage for frames: export a shorter range or a lower resolution, "
                  "or free disk space.")
BROKEN = JsException("UnknownError", "the disk is on fire")


@pytest.fixture
def page():
    return FakePage(default_project(), synthetic_audio(1.0))


def audio_frames(count: int = 2):
    audio = synthetic_audio(1.0)
    return analyse(audio.samples, audio.sample_rate, 30, fft_size=256, frames=count)


def rendering(bridge, page, frames: int = 8):
    """A BrowserHost after begin_render: ready to draw `frames` frames."""
    host = bridge.BrowserHost(page)
    host.begin_render(4, 2, audio_frames(frames))
    return host


def failure(call) -> ExportError:
    """What `call()` raises, awaiting it if it is a coroutine."""

    async def go():
        result = call()
        if asyncio.iscoroutine(result):
            await result

    with pytest.raises(ExportError) as info:
        asyncio.run(go())
    return info.value


# (the fake object's name for the failing JS method, the Python call, the error, its message before ": <JS>")
ASYNC_CALLS = [
    ("decodeAudio", lambda b, p: b.BrowserHost(p).decode_audio(), AudioError, "Could not decode the audio"),
    ("deliver", lambda b, p: b.BrowserHost(p).deliver(b"video", "v.mp4", "video/mp4"), ExportError,
     "Could not hand over the file"),
    ("readFrame", lambda b, p: b.BrowserHost(p).read_frame(np.empty((2, 2, 4), np.uint8)), RenderError,
     "Could not read the rendered frame"),
    ("layersReady", lambda b, p: b.BrowserHost(p).layers_ready(), RenderError, "A layer could not get ready to draw"),
]

SYNC_CALLS = [
    ("configureCompositor", lambda b, p: b.BrowserHost(p).configure_compositor({"stage": [0, 0, 0], "layers": []}),
     RenderError, "The compositor refused the plan"),
    ("beginRender", lambda b, p: b.BrowserHost(p).begin_render(1280, 720, audio_frames()), RenderError,
     "Could not prepare rendering at 1280x720"),
    ("drawFrame", lambda b, p: rendering(b, p).draw_frame(7, 0.25, 1 / 30), RenderError, "Could not draw frame 7"),
]


def failing(page: FakePage, name: str, error: JsException, how: str) -> None:
    owner = page
    owner.fail(name, error, how)


@pytest.mark.parametrize("how", ["throw", "reject"])
@pytest.mark.parametrize("name, call, error, what", ASYNC_CALLS, ids=[c[0] for c in ASYNC_CALLS])
def test_a_failing_async_page_call_becomes_its_export_error_with_the_js_message(bridge, page, how, name, call,
                                                                                error, what):
    failing(page, name, BROKEN, how)
    raised = failure(lambda: call(bridge, page))
    assert type(raised) is error
    assert str(raised) == f"{what}: UnknownError: the disk is on fire"


@pytest.mark.parametrize("name, call, error, what", SYNC_CALLS, ids=[c[0] for c in SYNC_CALLS])
def test_a_failing_render_call_becomes_a_render_error_with_the_js_message(bridge, page, name, call, error, what):
    if name == "readFrame":
        page.beginRender(2, 2, None)
    failing(page, name, BROKEN, "throw")
    raised = failure(lambda: call(bridge, page))
    assert type(raised) is error
    assert str(raised) == f"{what}: UnknownError: the disk is on fire"


def test_a_js_error_without_a_message_still_says_something(bridge, page):
    page.fail("drawFrame", JsException("", ""))
    host = rendering(bridge, page)
    assert str(failure(lambda: host.draw_frame(2, 0.0, 0.1))) == \
        "Could not draw frame 2: unknown browser error"


def test_project_reads_the_pages_json_into_a_typed_project(bridge, page):
    assert bridge.BrowserHost(page).project() == Project.from_json(default_project())


def test_a_bad_project_is_refused_naming_the_field(bridge, page):
    page.project_json["layers"][1]["blendMode"] = "dissolve"
    with pytest.raises(InvalidProject, match=r"^project\.layers\[1\]\.blendMode must be one of normal, "):
        bridge.BrowserHost(page).project()


def test_decoded_audio_is_copied_into_float32_channels(bridge, page):
    audio = asyncio.run(bridge.BrowserHost(page).decode_audio())
    assert audio.sample_rate == 48000 and audio.samples.dtype == np.float32
    np.testing.assert_array_equal(audio.samples, page.audio.samples)


def test_no_track_loaded_is_an_audio_error_saying_so(bridge, page):
    page.audio = None
    raised = failure(lambda: bridge.BrowserHost(page).decode_audio())
    assert type(raised) is AudioError and str(raised) == NO_AUDIO_MESSAGE


def test_the_plan_reaches_the_compositor_as_plain_objects(bridge, page):
    plan = gpu_plan(Project.from_json(default_project()))
    bridge.BrowserHost(page).configure_compositor(plan)
    ((sent,),) = page.args("configureCompositor")
    assert isinstance(sent, JsObject) and all(isinstance(layer, JsObject) for layer in sent["layers"])
    assert sent.to_py() == plan


def test_each_draw_hands_the_layers_that_frames_audio_bytes_and_begin_render_only_the_format(bridge, page):
    frames = audio_frames(3)
    host = bridge.BrowserHost(page)
    host.begin_render(64, 36, frames)
    ((width, height, audio),) = page.args("beginRender")
    assert (width, height) == (64, 36) and isinstance(audio, JsObject)
    assert dict(audio) == {"fftSize": 256, "sampleRate": 48000}  # not the whole song's analysis at once
    for i in (2, 0, 1):
        host.draw_frame(i, i / 30, 1 / 30)
    for i, (time, dt, frequency, time_domain) in zip((2, 0, 1), page.args("drawFrame")):
        assert (time, dt) == (i / 30, 1 / 30)
        assert frequency.bytes() == frames.frequency[i].tobytes()
        assert time_domain.bytes() == frames.time_domain[i].tobytes()


def test_drawing_before_begin_render_is_a_render_error(bridge, page):
    raised = failure(lambda: bridge.BrowserHost(page).draw_frame(0, 0.0, 0.1))
    assert type(raised) is RenderError and "before the render began" in str(raised)


def test_read_frame_copies_the_composited_pixels_into_the_frame_buffer(bridge, page):
    host = rendering(bridge, page)
    page.beginRender(3, 2, None)
    host.draw_frame(1, 0.0, 0.1)
    out = np.zeros((2, 3, 4), np.uint8)
    asyncio.run(host.read_frame(out))
    level = int(audio_frames(8).frequency[1].sum())
    np.testing.assert_array_equal(out.reshape(-1), (np.arange(24) + level) % 251)


def test_deliver_returns_the_size_the_page_reports(bridge, page):
    assert asyncio.run(bridge.BrowserHost(page).deliver(b"12345", "v.webm", "video/webm")) == 5
    assert page.args("deliver") == [(b"12345", "v.webm", "video/webm")]



# -- the segment runtime (web/src/encode/segment-runtime.js) -------------------------------------------

SEGMENT = Segment(3, 180, 60)

SEGMENT_CALLS = [
    ("segments.resumable", lambda r: r.resumable(), StorageError, "Could not list stored exports"),
    ("segments.begin", lambda r: r.begin("e1", "{}", 2), EncoderError, "Could not start the encoder workers"),
    ("segments.putFrame", lambda r: r.put_frame("e1", 0, b"jpeg"), StorageError, "Could not store frames"),
    ("segments.flush", lambda r: r.flush(), StorageError, "Could not store frames"),
    ("segments.waitForCapacity", lambda r: r.wait_for_capacity(4), EncoderError, "A segment could not be encoded"),
    ("segments.waitAll", lambda r: r.wait_all(lambda _: None), EncoderError, "A segment could not be encoded"),
    ("segments.encodeAudio", lambda r: r.encode_audio("e1", b"RIFF", ["-i", "audio.wav"], "audio.m4a"),
     EncoderError, "The audio could not be encoded"),
    ("segments.mux", lambda r: r.mux("e1", {"format": "mp4"}), EncoderError, "The segments could not be joined"),
    ("segments.discard", lambda r: r.discard("e1"), StorageError, "Could not delete the export's stored data"),
    ("segments.finishExport", lambda r: r.finish_export("e1"), StorageError,
     "Could not delete the export's stored data"),
]


@pytest.mark.parametrize("how", ["throw", "reject"])
@pytest.mark.parametrize("name, call, error, what", SEGMENT_CALLS, ids=[c[0] for c in SEGMENT_CALLS])
def test_a_failing_segment_runtime_call_becomes_its_export_error_with_the_js_message(bridge, page, how, name,
                                                                                     call, error, what):
    page.segments.fail(name, BROKEN, how)
    raised = failure(lambda: call(bridge.JsSegmentRuntime(page.segments)))
    assert type(raised) is error
    assert str(raised) == f"{what}: UnknownError: the disk is on fire"


def test_a_segment_the_page_cannot_queue_is_an_encoder_error_naming_it(bridge, page):
    page.segments.fail("segments.encodeSegment", BROKEN)
    raised = failure(lambda: bridge.JsSegmentRuntime(page.segments).encode_segment("e1", SEGMENT, [], "s.mp4"))
    assert type(raised) is EncoderError
    assert str(raised) == "Could not queue segment 3: UnknownError: the disk is on fire"


@pytest.mark.parametrize("how", ["throw", "reject"])
@pytest.mark.parametrize("method", ["putFrame", "flush"])
def test_a_full_disk_while_storing_segment_frames_says_the_browser_ran_out_of_storage(bridge, page, how, method):
    page.segments.fail(f"segments.{method}", JsException("QuotaExceededError", "The quota has been exceeded."), how)
    runtime = bridge.JsSegmentRuntime(page.segments)
    raised = failure(lambda: runtime.put_frame("e1", 0, b"jpeg") if method == "putFrame" else runtime.flush())
    assert type(raised) is StorageError and str(raised) == OUT_OF_STORAGE


def segmented(bridge, page, signal: CancelSignal | None = None):
    """A SegmentedEncoder over the page's segments, started for a 3-frame job."""
    encoder = SegmentedEncoder(bridge.JsSegmentRuntime(page.segments), 1)
    job = EncodeJob(8, 8, 30, 3, "low", "mp4")
    asyncio.run(encoder.start(job, job_manifest(job, encoder.name), signal or CancelSignal()))
    return encoder


def add_frames(encoder, count: int = 3):
    async def go():
        for i in range(count):
            await encoder.add_frame(i, Frame(np.zeros((8, 8, 4), np.uint8)))

    asyncio.run(go())


def test_a_failed_segment_in_wait_all_is_an_encoder_error_naming_the_segment(bridge, page):
    page.segments.fail_segment = 0
    encoder = segmented(bridge, page)
    with pytest.raises(EncoderError) as info:
        add_frames(encoder)  # the wait for capacity after the segment reports it
    assert str(info.value) == "A segment could not be encoded: Error: segment 0 (frames 0-2): ffmpeg exited with code 1"
    raised = failure(lambda: encoder.runtime.wait_all(lambda _: None))
    assert type(raised) is EncoderError and "segment 0 (frames 0-2)" in str(raised)


def test_cancel_while_waiting_for_the_segments_is_a_cancel_not_a_failure(bridge, page):
    page.segments.hang = True
    signal = CancelSignal()
    encoder = segmented(bridge, page, signal)
    add_frames(encoder)
    seen: list[int] = []

    async def go():
        finishing = asyncio.ensure_future(encoder.finish(b"RIFF", seen.append))
        for _ in range(5):
            await asyncio.sleep(0)
        assert page.names()[-1] == "segments.waitAll" and not finishing.done()
        signal.cancel()
        await finishing

    with pytest.raises(ExportCancelled):
        asyncio.run(go())
    assert "segments.cancel" in page.names() and "segments.mux" not in page.names()
    assert page.segments.progress_proxy.destroyed


def test_segment_values_reach_the_page_as_it_expects_them(bridge, page):
    runtime = bridge.JsSegmentRuntime(page.segments)
    seen: list[int] = []

    async def go():
        assert await runtime.begin("e1", '{"a":1}', 0) == ([], 3)
        await runtime.put_frame("e1", 180, b"\xff\xd8jpeg")
        runtime.encode_segment("e1", SEGMENT, ["-i", "frame_%06d.jpg", "segment.mp4"], "segment.mp4")
        await runtime.wait_all(seen.append)
        await runtime.encode_audio("e1", b"RIFFwav", ["-i", "audio.wav"], "audio.m4a")
        return await runtime.mux("e1", {"format": "webm", "fps": 30})

    assert asyncio.run(go()) == b"muxed:webm"
    assert page.segments.frames == {"e1": {}}  # the segment's frames went when it was stored
    ((_, index, first, count, args, output),) = page.args("segments.encodeSegment")
    assert (index, first, count, output) == (3, 180, 60, "segment.mp4")
    assert isinstance(args, JsArray) and list(args) == ["-i", "frame_%06d.jpg", "segment.mp4"]
    assert page.segments.audio == {"e1": b"RIFFwav"} and seen == [60]
    ((_, options),) = page.args("segments.mux")
    assert isinstance(options, JsObject) and options.to_py() == {"format": "webm", "fps": 30}
    assert PROXIES[0].destroyed


def test_resumable_exports_arrive_as_python_dicts(bridge, page):
    page.segments.begin("e1", '{"key": "k1"}', 1)
    page.segments.segments["e1"][0] = (0, 60, [], "segment.mp4")
    entries = asyncio.run(bridge.JsSegmentRuntime(page.segments).resumable())
    assert entries == [{"exportId": "e1", "key": "k1", "manifest": '{"key": "k1"}', "segmentsDone": [0]}]
    assert type(entries[0]) is dict


def test_the_build_id_is_the_pages(bridge, page):
    assert bridge.BrowserHost(page).build_id() == "page-build-1"


def test_the_browser_modules_bound_to_stand_ins_are_gone_after_the_test():
    import sys

    with pytest.MonkeyPatch.context() as monkeypatch:
        bridge = fresh_bridge(monkeypatch)
        bound = {name: module for name, module in sys.modules.items() if name.startswith("vizengine._browser.")}
        assert {"vizengine._browser.bridge", "vizengine._browser.ffi",
                "vizengine._browser.segment_runtime"} <= set(bound)
        assert bridge.JsSegmentRuntime is bound["vizengine._browser.segment_runtime"].JsSegmentRuntime
    package = sys.modules["vizengine._browser"]
    assert not [name for name in sys.modules if name.startswith("vizengine._browser.")]
    assert not [name for name in ("bridge", "ffi", "segment_runtime") if hasattr(package, name)]
    assert "js" not in sys.modules and "pyodide.ffi" not in sys.modules
