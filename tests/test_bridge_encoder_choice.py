"""vizengine._browser.bridge.App picks the export's encoder: it asks the page's WebCodecs runtime whether the
browser encodes the export's codec at its size, and the log says which encoder runs and why."""

from __future__ import annotations

import asyncio

import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio
from js_stand_ins import JsException, JsObject, JsPromise, fresh_bridge

from vizengine.export.settings import ExportSettings

SETTINGS = {"resolution": "1080p", "fps": 60, "quality": "high", "format": "webm", "start": 0, "duration": 0.1}


class FakeWebCodecs:
    """webcodecs-runtime.js's supports(): `answer` is what the browser says; `asked` the configs."""

    def __init__(self, supported: bool = True, why: str = "", throws: bool = False) -> None:
        self.answer = JsObject(supported=supported, why=why)
        self.throws = throws
        self.asked: list[dict] = []

    def supports(self, config: JsObject) -> JsPromise:
        self.asked.append(config.to_py())
        if self.throws:
            raise JsException("TypeError", "VideoEncoder is not a constructor")
        return JsPromise.resolved(self.answer)


@pytest.fixture
def bridge(monkeypatch):
    return fresh_bridge(monkeypatch)


def chosen(bridge, webcodecs: FakeWebCodecs | None, settings: dict = SETTINGS):
    page = FakePage(default_project(), synthetic_audio(1.0))
    if webcodecs is not None:
        page.webcodecs = webcodecs
    app = bridge.install(page)
    return asyncio.run(app._encoder(ExportSettings.from_dict(settings)))


def test_auto_asks_the_browser_about_the_exports_own_codec_and_size_and_runs_webcodecs_when_it_can(bridge):
    webcodecs = FakeWebCodecs(supported=True)
    encoder = chosen(bridge, webcodecs)
    assert encoder.name == "webcodecs" and encoder.wants == "video_frame"
    assert "auto" in encoder.reason and "VP9 + Opus" in encoder.reason
    assert encoder.codecs == "VP9 + Opus (WebCodecs)"
    (config,) = webcodecs.asked
    assert config["video"]["codec"] == "vp09.00.41.08"
    assert (config["video"]["width"], config["video"]["height"], config["video"]["framerate"]) == (1920, 1080, 60)
    assert config["audio"]["codec"] == "opus"


def test_auto_falls_back_to_ffmpeg_with_the_browsers_reason(bridge):
    encoder = chosen(bridge, FakeWebCodecs(supported=False, why="VideoEncoder.isConfigSupported refuses vp09"))
    assert encoder.name == "ffmpeg.wasm, segmented" and encoder.wants == "pixels"
    assert "refuses vp09" in encoder.reason and "VP8 + Vorbis" in encoder.reason
    assert encoder.codecs == "VP8 + Vorbis (ffmpeg.wasm)"


def test_a_support_check_that_throws_means_ffmpeg_not_a_failed_export(bridge):
    encoder = chosen(bridge, FakeWebCodecs(throws=True))
    assert encoder.name == "ffmpeg.wasm, segmented" and "VideoEncoder is not a constructor" in encoder.reason


def test_ffmpeg_by_name_does_not_even_ask_the_browser(bridge):
    webcodecs = FakeWebCodecs(supported=True)
    encoder = chosen(bridge, webcodecs, {**SETTINGS, "encoder": "ffmpeg"})
    assert encoder.name == "ffmpeg.wasm, segmented" and webcodecs.asked == []


def test_an_export_asking_for_webcodecs_where_the_browser_cannot_fails_with_the_reason(bridge):
    page = FakePage(default_project(), synthetic_audio(1.0))
    page.webcodecs = FakeWebCodecs(supported=False, why="VideoEncoder.isConfigSupported refuses avc1.640033")
    app = bridge.install(page)

    async def go():
        return await app.start_export({**SETTINGS, "format": "mp4", "encoder": "webcodecs"})

    result = asyncio.run(go())
    assert result["status"] == "failed" and "refuses avc1.640033" in result["message"]
