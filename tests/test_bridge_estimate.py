"""The dialog's estimate through the bridge: what it says before any export, after the page's warm-up, and
after a completed export (whose measured figures the page keeps), and the ETA's use of them."""

from __future__ import annotations

import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio
from js_stand_ins import fresh_bridge
from test_bridge_app import EXPORT, exported

from vizengine.export.estimate import PACES, Timing

SETTINGS = {"resolution": "720p", "fps": "30", "quality": "high", "format": "mp4", "start": "0", "duration": "1",
            "encodeWorkers": "0"}


@pytest.fixture
def app(monkeypatch):
    page = FakePage(default_project(), synthetic_audio(2.0))
    return fresh_bridge(monkeypatch).install(page), page


def estimated(app, settings=SETTINGS, samples=96_000, free=None) -> dict:
    return app.estimate(settings, samples, 48_000, free, 2).to_py()


def test_before_anything_was_measured_the_estimate_is_the_labelled_guess(app):
    app, page = app
    result = estimated(app)
    assert result["frames"] == 30 and result["videoSeconds"] == 1.0
    assert result["basis"] == "default" and "rough guess" in result["basisText"]
    assert result["seconds"] == pytest.approx(result["prepareSeconds"] + result["renderSeconds"] + result["tailSeconds"])
    assert result["bytes"] > 0 and result["warnings"] == []


def test_a_warm_up_is_kept_and_used_until_an_export_replaces_it(app):
    app, page = app
    app.record_warmup(50.0, 1280, 720, 3)
    assert Timing.from_json(page.timing).source == "warmup"
    assert estimated(app)["basis"] == "warmup"
    exported(app, EXPORT)
    stored = Timing.from_json(page.timing)
    assert stored.source == "export" and stored.frames == 3 and (stored.width, stored.height) == (1280, 720)
    app.record_warmup(50.0, 1280, 720, 3)  # a later warm-up does not overwrite what an export measured
    assert Timing.from_json(page.timing) == stored


def test_after_an_export_the_estimate_is_scaled_from_its_measured_figures(app):
    app, page = app
    exported(app, EXPORT)
    stored = Timing.from_json(page.timing)
    result = estimated(app)
    assert result["basis"] == "export"
    # 30 frames, all in a first segment: at the pace the 3-frame export rendered its (first) segment.
    assert result["renderSeconds"] == pytest.approx(stored.first_seconds / stored.frames * 30)
    assert 0 < stored.first_seconds <= stored.render_seconds
    bigger = estimated(app, {**SETTINGS, "resolution": "1080p"})
    assert bigger["renderSeconds"] == pytest.approx(result["renderSeconds"] * 2.25)


def test_settings_the_export_would_refuse_give_the_reason_instead_of_figures(app):
    app, _ = app
    assert estimated(app, {**SETTINGS, "start": "1.5", "duration": "1"}) == {
        "error": "start 1.5 s + duration 1 s runs past the end of the track (2.00 s)"}
    assert "error" in estimated(app, {**SETTINGS, "fps": "24"})


def test_too_little_free_storage_is_a_warning_in_the_estimate(app):
    app, _ = app
    (warning,) = estimated(app, free=1000)["warnings"]
    assert "browser storage" in warning


def test_a_page_without_storage_still_estimates_and_exports(app):
    app, page = app
    page.fail("readTiming", RuntimeError("SecurityError: localStorage is disabled"))
    page.fail("writeTiming", RuntimeError("SecurityError: localStorage is disabled"))
    assert estimated(app)["basis"] == "default"
    assert exported(app, EXPORT)["status"] == "complete"
    assert any("could not keep this export's timing" in line["message"] for line in app.store.logs)


def test_the_running_exports_eta_starts_from_the_stored_figures(app):
    app, page = app
    page.timing = Timing("export", 1280, 720, 30, 15, 1.0, 3.0, 3.0, 1.0).to_json()
    exported(app, EXPORT)
    assert app.store._eta.prior.render_seconds == 3.0


def test_the_eta_of_an_ffmpeg_export_starts_from_webcodecs_figures_scaled_and_the_new_record_says_ffmpeg(app):
    app, page = app  # the fake page has no WebCodecs: the export runs ffmpeg
    page.timing = Timing("export", 1280, 720, 30, 15, 1.0, 3.0, 3.0, 1.0, encoder="webcodecs").to_json()
    exported(app, EXPORT)
    prior = app.store._eta.prior
    assert prior.encoder == "ffmpeg"
    scale = PACES["ffmpeg"].warmup_to_alone / PACES["webcodecs"].warmup_to_alone
    assert prior.first_seconds == pytest.approx(3.0 * scale)
    assert Timing.from_json(page.timing).encoder == "ffmpeg"
