"""vizengine._browser.bridge.App, what the page calls: the preview's compositor plan, the paused frame, and
exports through the bridge (over the stand-in `js`/`pyodide.ffi` modules and a fake page)."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import numpy as np
import pytest
from fake_page import FakePage
from js_stand_ins import PROXIES, JsArray, JsException, JsObject, JsPromise

from vizengine.audio.paused_frame import paused_frame
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.description import Project

OUT_OF_STORAGE = ("The browser ran out of storage for frames: export a shorter range or a lower resolution, "
                  "or free disk space.")
EXPORT = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": 0, "duration": 0.1}


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


def test_an_export_through_the_bridge_runs_the_segmented_encoder_and_delivers_the_muxed_file(bridge, page):
    app = bridge.install(page)
    result = exported(app, {**EXPORT, "encodeWorkers": 2})
    assert result.to_py() == {"status": "complete", "file_name": "viz-engine-720p-30fps.mp4", "mime": "video/mp4",
                              "frames": 3, "duration": 0.1, "size": len(b"muxed:mp4"),
                              "width": 1280, "height": 720, "codecs": "H.264 + AAC (ffmpeg.wasm)"}
    assert page.args("deliver") == [(b"muxed:mp4", "viz-engine-720p-30fps.mp4", "video/mp4")]
    ((export_id, workers),) = page.args("segments.begin")
    assert workers == 2
    assert page.args("segments.putFrame") == [(export_id, i) for i in range(3)]
    ((_, segment, first, count, args, output),) = page.args("segments.encodeSegment")
    assert (segment, first, count, output) == (0, 0, 3, "segment.mp4") and args[-1] == "segment.mp4"
    assert page.args("segments.waitForCapacity") == [(4,)]  # two queued per worker
    assert page.args("segments.encodeAudio")[0][2] == "audio.m4a"
    ((_, options),) = page.args("segments.mux")
    assert options.to_py() == {"format": "mp4", "fps": 30, "segmentFrames": 60, "frameCount": 3,
                               "mime": "video/mp4", "audio": True}
    assert page.args("segments.finishExport") == [(export_id,)] and "segments.discard" not in page.names()
    assert page.segments.manifests == {}  # nothing kept but the delivered file
    assert page.states[-1]["phase"] == "complete"
    assert PROXIES and all(proxy.destroyed for proxy in PROXIES)  # waitAll's progress callback was freed


def test_automatic_workers_take_the_count_the_page_started(bridge, page):
    exported(bridge.install(page), EXPORT)  # encodeWorkers absent: 0, the page picks (3 here)
    assert [args[1] for args in page.args("segments.begin")] == [0]
    assert page.args("segments.waitForCapacity") == [(6,)]


def test_a_full_disk_during_an_export_fails_it_with_the_storage_message_and_cleans_up(bridge, page):
    page.segments.fail("segments.putFrame", JsException("QuotaExceededError", "The quota has been exceeded."),
                       "reject")
    app = bridge.install(page)
    result = exported(app, EXPORT)
    assert result["status"] == "failed" and result["message"] == OUT_OF_STORAGE
    assert app.store.error == result["message"]
    assert page.names()[-5:] == ["endRender", "segments.discard", "restorePlayback",
                                 "project", "configureCompositor"]  # cleanup, then the preview's plan again
    assert page.segments.manifests == {} and page.segments.frames == {}


def test_a_failed_segment_fails_the_export_naming_it_and_discards_the_export(bridge, page):
    page.segments.fail_segment = 0
    app = bridge.install(page)
    result = exported(app, EXPORT)
    assert result["status"] == "failed"
    assert result["message"] == ("A segment could not be encoded: "
                                 "Error: segment 0 (frames 0-2): ffmpeg exited with code 1")
    assert "segments.mux" not in page.names() and "segments.discard" in page.names()


def test_discard_export_deletes_a_stored_export(bridge, page):
    page.segments.manifests["old-1"] = "{}"
    app = bridge.install(page)
    asyncio.run(_awaited(lambda: app.discard_export("old-1")))
    assert page.args("segments.discard") == [("old-1",)] and page.segments.manifests == {}


async def _awaited(call):
    """What an App method's future resolves to (the page calls them inside its event loop)."""
    return await call()


def killed_export(bridge, page) -> str:
    """Leave a stored export of EXPORT's manifest with its segment 0 done, as a reload would find it."""
    app = bridge.install(page)
    page.segments.fail("segments.encodeAudio", JsException("Error", "the tab was closed"))
    page.segments.discard = lambda export_id: JsPromise.resolved()  # the tab died: nothing was discarded
    exported(app, EXPORT)
    del page.segments.discard
    page.segments.failures.clear()
    ((export_id, _),) = page.args("segments.begin")
    assert page.segments.segments[export_id]
    return export_id


def test_a_stored_export_of_this_track_and_project_is_offered_for_resume(bridge, page):
    export_id = killed_export(bridge, page)
    app = bridge.install(page)
    offers = asyncio.run(_awaited(app.resumable_exports)).to_py()
    assert [(o["exportId"], o["done"], o["total"]) for o in offers] == [(export_id, 3, 3)]


def test_an_export_with_stored_segments_resumes_them_through_the_bridge(bridge, page):
    export_id = killed_export(bridge, page)
    page.calls.clear()
    assert exported(bridge.install(page), EXPORT)["status"] == "complete"
    assert page.args("segments.begin")[0][0] == export_id
    assert "drawFrame" not in page.names() and "segments.putFrame" not in page.names()


def test_with_no_track_loaded_nothing_is_offered(bridge, page):
    killed_export(bridge, page)
    page.audio = None
    app = bridge.install(page)
    assert asyncio.run(_awaited(app.resumable_exports)).to_py() == []


def test_a_stored_export_of_another_project_or_build_is_neither_offered_nor_resumed(bridge, page):
    export_id = killed_export(bridge, page)
    page.project_json["layers"][0]["opacity"] = 0.5
    app = bridge.install(page)
    assert asyncio.run(_awaited(app.resumable_exports)).to_py() == []
    page.project_json["layers"][0]["opacity"] = 1.0
    page.build = "page-build-2"
    assert asyncio.run(_awaited(app.resumable_exports)).to_py() == []
    page.calls.clear()
    exported(app, EXPORT)
    assert page.args("segments.begin")[0][0] != export_id and len(page.args("drawFrame")) == 3


def test_settings_refused_before_the_export_begins_fail_it_with_the_message_in_the_log(bridge, page):
    app = bridge.install(page)
    result = exported(app, {**EXPORT, "fps": 24})
    assert result["status"] == "failed" and result["message"] == "fps must be one of 30, 60, 120 (got 24)"
    assert app.store.phase.value == "failed" and app.store.logs[-1]["message"] == result["message"]
    assert "pausePlayback" not in page.names()


@pytest.mark.parametrize("bad, message", [
    ({"fps": 24}, "fps must be one of 30, 60, 120 (got 24)"),
    ({"duration": "1,5"}, "duration must be seconds"),
    ({"start": "-1"}, "start must not be negative"),
    ({"encodeWorkers": 17}, "encode workers must be a whole number"),
])
def test_settings_refused_after_a_finished_export_replace_its_state_with_the_error(bridge, page, bad, message):
    app = bridge.install(page)
    assert exported(app, EXPORT)["status"] == "complete"
    result = exported(app, {**EXPORT, **bad})
    assert result["status"] == "failed" and result["message"].startswith(message)
    state = page.states[-1]
    assert state["phase"] == "failed" and state["error"] == result["message"] and state["result"] is None
    assert [line["message"] for line in state["logs"] if line["level"] == "error"] == [result["message"]]


def test_the_pages_warnings_about_the_loaded_file_reach_the_export_log(bridge, page):
    decoded = page.decoded
    page.decoded = lambda: JsObject(**decoded(), warnings=JsArray(["cut.mp3 is shorter than its header says"]))
    app = bridge.install(page)
    assert exported(app, EXPORT)["status"] == "complete"
    assert [(line["level"], line["message"]) for line in app.store.logs if line["level"] == "warning"] == [
        ("warning", "cut.mp3 is shorter than its header says")]


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


# -- whole-track features for the particles layer --------------------------------------------------


def test_track_features_hand_the_page_float32_arrays_of_the_loaded_tracks_features(bridge, page):
    from vizengine.audio.features import track_features

    app = bridge.install(page)
    reply = asyncio.run(_awaited(app.track_features)).to_py()
    expected = track_features(page.audio.samples, page.audio.sample_rate)
    assert reply["hopRate"] == expected.hop_rate
    for key, name in (("energy", "energy"), ("cumulative", "cumulative"), ("onsetTimes", "onset_times"),
                      ("onsetStrengths", "onset_strengths")):
        assert reply[key].data.dtype == np.float32, key
        np.testing.assert_array_equal(reply[key].data, getattr(expected, name))


def test_track_features_with_no_track_loaded_are_null(bridge, page):
    page.audio = None
    assert asyncio.run(_awaited(bridge.install(page).track_features)) is None
