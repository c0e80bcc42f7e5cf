"""vizengine._browser.bridge under CPython, over stand-in `js`/`pyodide.ffi` modules and a fake page:
every JS failure becomes a readable ExportError subclass, and JS values cross as the page expects them.

The App (preview plan, paused frame, exports) is in test_bridge_app.py.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from fake_page import FakePage
from fakes import NO_AUDIO_MESSAGE, default_project, synthetic_audio
from js_stand_ins import PROXIES, JsException, JsObject, fresh_bridge

from vizengine.audio.analysis import analyse
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
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.description import Project

OUT_OF_STORAGE = ("The browser ran out of storage for frames: export a shorter range or a lower resolution, "
                  "or free disk space.")
BROKEN = JsException("UnknownError", "the disk is on fire")


@pytest.fixture
def bridge(monkeypatch):
    return fresh_bridge(monkeypatch)


@pytest.fixture
def page():
    return FakePage(default_project(), synthetic_audio(1.0))


def audio_frames(count: int = 2):
    audio = synthetic_audio(1.0)
    return analyse(audio.samples, audio.sample_rate, 30, fft_size=256, frames=count)


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
    ("frames.put", lambda b, p: b.JsFrameStore(p.frames).put(3, b"jpeg"), StorageError, "Could not store frames"),
    ("frames.flush", lambda b, p: b.JsFrameStore(p.frames).flush(), StorageError, "Could not store frames"),
    ("frames.clear", lambda b, p: b.JsFrameStore(p.frames).clear(), StorageError,
     "Could not clear the stored frames"),
    ("ffmpeg.load", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).load(), EncoderError, "ffmpeg.wasm failed to load"),
    ("ffmpeg.writeFramesFromStore", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).write_frames(0, "f%d.jpg"),
     EncoderError, "ffmpeg.wasm could not read the stored frames"),
    ("ffmpeg.writeFile", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).write_file("audio.wav", b"RIFF"), EncoderError,
     "ffmpeg.wasm could not take audio.wav"),
    ("ffmpeg.run", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).run(["-i", "x"], lambda _: None, CancelSignal()),
     EncoderError, "ffmpeg.wasm could not encode"),
    ("ffmpeg.readOutput", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).read_output("output.mp4", "video/mp4"),
     EncoderError, "ffmpeg.wasm's output could not be read"),
    ("ffmpeg.clear", lambda b, p: b.JsFfmpegRuntime(p.ffmpeg).clear(), EncoderError,
     "ffmpeg.wasm's files could not be removed"),
    ("decodeAudio", lambda b, p: b.BrowserHost(p).decode_audio(), AudioError, "Could not decode the audio"),
    ("deliver", lambda b, p: b.BrowserHost(p).deliver(b"video", "v.mp4", "video/mp4"), ExportError,
     "Could not hand over the file"),
]

SYNC_CALLS = [
    ("configureCompositor", lambda b, p: b.BrowserHost(p).configure_compositor({"stage": [0, 0, 0], "layers": []}),
     RenderError, "The compositor refused the plan"),
    ("beginRender", lambda b, p: b.BrowserHost(p).begin_render(1280, 720, audio_frames()), RenderError,
     "Could not prepare rendering at 1280x720"),
    ("drawFrame", lambda b, p: b.BrowserHost(p).draw_frame(7, 0.25, 1 / 30), RenderError, "Could not draw frame 7"),
    ("readFrame", lambda b, p: b.BrowserHost(p).read_frame(np.empty((2, 2, 4), np.uint8)), RenderError,
     "Could not read the rendered frame"),
]


def failing(page: FakePage, name: str, error: JsException, how: str) -> None:
    owner = page.frames if name.startswith("frames.") else page.ffmpeg if name.startswith("ffmpeg.") else page
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
    if name in ("drawFrame", "readFrame"):
        page.beginRender(2, 2, None)
    failing(page, name, BROKEN, "throw")
    raised = failure(lambda: call(bridge, page))
    assert type(raised) is error
    assert str(raised) == f"{what}: UnknownError: the disk is on fire"


def test_a_js_error_without_a_message_still_says_something(bridge, page):
    page.fail("drawFrame", JsException("", ""))
    assert str(failure(lambda: bridge.BrowserHost(page).draw_frame(2, 0.0, 0.1))) == \
        "Could not draw frame 2: unknown browser error"


@pytest.mark.parametrize("how", ["throw", "reject"])
@pytest.mark.parametrize("method", ["put", "flush"])
def test_a_full_disk_while_storing_frames_says_the_browser_ran_out_of_storage(bridge, page, how, method):
    page.frames.fail(f"frames.{method}", JsException("QuotaExceededError", "The quota has been exceeded."), how)
    store = bridge.JsFrameStore(page.frames)
    raised = failure(lambda: store.put(0, b"jpeg") if method == "put" else store.flush())
    assert type(raised) is StorageError and str(raised) == OUT_OF_STORAGE


# -- values crossing to the page -----------------------------------------------------------------------


def test_frames_reach_the_store_as_uint8_arrays_of_the_jpeg_bytes(bridge, page):
    asyncio.run(bridge.JsFrameStore(page.frames).put(4, b"\xff\xd8jpeg"))
    assert page.frames.stored == {4: b"\xff\xd8jpeg"}


def test_ffmpeg_gets_its_arguments_as_an_array_and_reports_progress_through_a_proxy_it_then_frees(bridge, page):
    page.ffmpeg.files = {"frame_000000.jpg": b"", "frame_000001.jpg": b""}
    seen: list[int] = []
    asyncio.run(bridge.JsFfmpegRuntime(page.ffmpeg).run(["-i", "in", "out.mp4"], seen.append, CancelSignal()))
    assert page.args("ffmpeg.run") == [(["-i", "in", "out.mp4"],)]
    assert seen == [1, 2]
    assert PROXIES == [page.ffmpeg.progress_proxy] and PROXIES[0].destroyed


def test_cancel_while_ffmpeg_runs_aborts_it_and_is_a_cancel_not_a_failure(bridge, page):
    page.ffmpeg.hang = True
    signal = CancelSignal()
    runtime = bridge.JsFfmpegRuntime(page.ffmpeg)

    async def go():
        running = asyncio.ensure_future(runtime.run(["-i", "x"], lambda _: None, signal))
        for _ in range(5):
            await asyncio.sleep(0)
        signal.cancel()
        await running

    with pytest.raises(ExportCancelled):
        asyncio.run(go())
    assert page.names() == ["ffmpeg.run"] and page.ffmpeg.abort_signal.aborted
    assert PROXIES[0].destroyed


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


def test_begin_render_hands_the_layers_every_frames_audio_bytes(bridge, page):
    frames = audio_frames(3)
    bridge.BrowserHost(page).begin_render(64, 36, frames)
    ((width, height, audio),) = page.args("beginRender")
    assert (width, height) == (64, 36) and isinstance(audio, JsObject)
    assert audio.frequency.bytes() == frames.frequency.tobytes()
    assert audio.timeDomain.bytes() == frames.time_domain.tobytes()
    assert (audio.fftSize, audio.sampleRate, audio.frames) == (256, 48000, 3)


def test_read_frame_copies_the_composited_pixels_into_the_frame_buffer(bridge, page):
    host = bridge.BrowserHost(page)
    page.beginRender(3, 2, None)
    host.draw_frame(1, 0.0, 0.1)
    out = np.zeros((2, 3, 4), np.uint8)
    host.read_frame(out)
    np.testing.assert_array_equal(out.reshape(-1), (np.arange(24) + 1) % 251)


def test_deliver_returns_the_size_the_page_reports(bridge, page):
    assert asyncio.run(bridge.BrowserHost(page).deliver(b"12345", "v.webm", "video/webm")) == 5
    assert page.args("deliver") == [(b"12345", "v.webm", "video/webm")]

