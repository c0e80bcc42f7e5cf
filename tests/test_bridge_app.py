"""vizengine._browser.bridge.App, what the page calls: the preview's compositor plan, the paused frame, and
exports through the bridge (over the stand-in `js`/`pyodide.ffi` modules and a fake page)."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio
from js_stand_ins import JsException, fresh_bridge

from vizengine.audio.paused_frame import paused_frame
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.description import Project

EXPORT = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": 0, "duration": 0.1}


@pytest.fixture
def bridge(monkeypatch):
    return fresh_bridge(monkeypatch)


@pytest.fixture
def page():
    return FakePage(default_project(), synthetic_audio(2.0))


async def until(condition, what: str) -> None:
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


def exported(app, settings: dict):
    """What start_export resolves to, run to the end (the page calls it inside its event loop)."""

    async def go():
        return await app.start_export(settings)

    return asyncio.run(go())


def plans(page: FakePage) -> list[dict]:
    return [plan.to_py() for (plan,) in page.args("configureCompositor")]


# -- the preview's plan ----------------------------------------------------------------------------


def test_plan_preview_gives_the_compositor_the_gpu_plan_of_the_project(bridge, page):
    page.project_json["layers"][1]["visible"] = False
    bridge.install(page).plan_preview()
    assert plans(page) == [gpu_plan(Project.from_json(page.project_json))]
    assert len(plans(page)[0]["layers"]) == 1


def test_plan_preview_does_nothing_while_an_export_runs_and_catches_up_when_it_ends(bridge, page):
    app = bridge.install(page)
    page.hold_decodes = True

    async def go():
        export = app.start_export(EXPORT)
        await until(lambda: "decodeAudio" in page.names(), "the export decodes the audio")
        page.project_json["layers"][0]["opacity"] = 0.5  # an edit during the export
        app.plan_preview()
        assert plans(page) == []
        page.decodes[0].resolve(None)  # no audio: the export fails
        return await export

    result = asyncio.run(go())
    assert result["status"] == "failed"
    assert plans(page) == [gpu_plan(Project.from_json(page.project_json))]


# -- the paused frame --------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["in-order", "latest-first"])
def test_only_the_latest_paused_frame_request_is_shown(bridge, page, order):
    app = bridge.install(page)
    page.hold_decodes = True

    async def go():
        requests = [app.show_paused_frame(0.5, 30), app.show_paused_frame(1.25, 30)]
        await until(lambda: len(page.decodes) == 2, "both requests decode the audio")
        for k in order:
            page.decodes[k].resolve(page.decoded())
            await requests[k]

    asyncio.run(go())
    ((frame,),) = page.args("showPausedFrame")
    project = Project.from_json(page.project_json)
    want = paused_frame(page.audio, Fraction(5, 4), 30, **project.analyser_kwargs())
    assert frame.frequency.bytes() == want.frequency[-1].tobytes()
    assert frame.timeDomain.bytes() == want.time_domain[-1].tobytes()
    assert (frame.sampleRate, frame.dt) == (48000, 1 / 30)


def test_a_paused_frame_that_arrives_during_an_export_is_not_shown(bridge, page):
    app = bridge.install(page)
    page.hold_decodes = True

    async def go():
        paused = app.show_paused_frame(0.5, 30)
        export = app.start_export(EXPORT)
        await until(lambda: len(page.decodes) == 2, "the paused frame and the export decode the audio")
        page.decodes[0].resolve(page.decoded())
        await paused
        page.decodes[1].resolve(None)
        await export

    asyncio.run(go())
    assert page.args("showPausedFrame") == []


# -- exports through the bridge -----------------------------------------------------------------------


def test_an_export_through_the_bridge_stores_every_frame_encodes_and_delivers_ffmpegs_output(bridge, page):
    app = bridge.install(page)
    result = exported(app, EXPORT)
    assert result.to_py() == {"status": "complete", "file_name": "viz-engine-720p-30fps.mp4", "mime": "video/mp4",
                              "frames": 3, "duration": 0.1, "size": len(b"video:output.mp4")}
    assert page.args("deliver") == [(b"video:output.mp4", "viz-engine-720p-30fps.mp4", "video/mp4")]
    assert [args[0] for args in page.args("frames.put")] == [0, 1, 2]
    assert page.frames.stored == {} and page.ffmpeg.files == {}  # cleaned up
    assert page.states[-1]["phase"] == "complete"


def test_a_full_disk_during_an_export_fails_it_with_the_storage_message_and_cleans_up(bridge, page):
    page.frames.fail("frames.put", JsException("QuotaExceededError", "The quota has been exceeded."), "reject")
    app = bridge.install(page)
    result = exported(app, EXPORT)
    assert result["status"] == "failed" and result["message"].startswith("The browser ran out of storage")
    assert app.store.error == result["message"]
    assert page.names()[-6:] == ["endRender", "frames.clear", "ffmpeg.clear", "restorePlayback",
                                 "project", "configureCompositor"]  # cleanup, then the preview's plan again
    assert page.frames.stored == {}


def test_settings_refused_before_the_export_begins_fail_it_with_the_message_in_the_log(bridge, page):
    app = bridge.install(page)
    result = exported(app, {**EXPORT, "fps": 24})
    assert result["status"] == "failed" and result["message"] == "fps must be one of 30, 60, 120 (got 24)"
    assert app.store.phase.value == "failed" and app.store.logs[-1]["message"] == result["message"]
    assert "pausePlayback" not in page.names()


def test_a_second_export_while_one_runs_is_refused(bridge, page):
    app = bridge.install(page)
    page.hold_decodes = True

    async def go():
        first = app.start_export(EXPORT)
        await until(lambda: page.decodes, "the first export decodes the audio")
        second = await app.start_export(EXPORT)
        page.decodes[0].resolve(None)
        await first
        return second

    assert asyncio.run(go()).to_py() == {"status": "failed", "message": "An export is already running."}
    assert page.names().count("pausePlayback") == 1


def test_cancel_stops_the_running_export(bridge, page):
    app = bridge.install(page)
    page.hold_decodes = True

    async def go():
        export = app.start_export(EXPORT)
        await until(lambda: page.decodes, "the export decodes the audio")
        app.cancel()
        page.decodes[0].resolve(page.decoded())
        return await export

    assert asyncio.run(go()).to_py() == {"status": "cancelled", "message": "Export cancelled"}
    assert "drawFrame" not in page.names()
