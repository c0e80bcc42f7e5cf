"""The running export's ETA and frames per second (export/eta.py through ExportStore), on a fake clock."""

from __future__ import annotations

import pytest
from test_store import FakeClock

from vizengine.export.estimate import DEFAULT_SHARED_RATIO, DEFAULT_TAIL_RATIO, Timing, tail_seconds
from vizengine.export.store import ExportStore, Phase

SETTINGS = {"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4", "start": 0.0, "duration": 10.0}
SEGMENT = 60  # 2 s at 30 fps


def store_with(prior: Timing | None = None) -> tuple[ExportStore, FakeClock]:
    clock = FakeClock()
    store = ExportStore(clock=clock, prior=lambda: prior)
    store.begin(SETTINGS)
    return store, clock


def render(store: ExportStore, clock: FakeClock, frames: range, seconds_per_frame: float, total: int) -> None:
    for i in frames:
        clock.tick(seconds_per_frame)
        store.advance(i + 1, total)


def start_rendering(store: ExportStore, clock: FakeClock, prepare: float, total: int, done: int = 0) -> None:
    store.enter(Phase.PREPARING)
    clock.tick(prepare)
    store.enter(Phase.RENDERING)
    store.advance(done, total)


def settle(store: ExportStore, clock: FakeClock, seconds_per_frame: float, frames: int) -> None:
    """Render on at a steady pace until the smoothing has caught up with it."""
    render(store, clock, range(store.frame, store.frame + frames), seconds_per_frame, store.total)


def test_eta_is_the_frames_left_at_the_measured_paces_plus_the_expected_tail():
    store, clock = store_with()
    start_rendering(store, clock, prepare=3, total=600)
    render(store, clock, range(60), 0.1, 600)  # the first segment alone
    render(store, clock, range(60, 200), 0.2, 600)  # then with segments encoding beside
    assert store.fps() == pytest.approx(5.0)
    tail = DEFAULT_TAIL_RATIO * SEGMENT * 0.1  # after the last frame: scaled by the first segment's pace
    assert store.eta() == pytest.approx(400 * 0.2 + tail, rel=0.01)


def test_a_slow_preparing_phase_does_not_skew_the_eta():
    # The old ETA extrapolated the overall progress: 30 s of preparing made it many times too long.
    store, clock = store_with()
    start_rendering(store, clock, prepare=30, total=300)
    render(store, clock, range(30), 0.1, 300)  # 10 % of the frames
    expected = 30 * 0.1 + 240 * 0.1 * DEFAULT_SHARED_RATIO + DEFAULT_TAIL_RATIO * SEGMENT * 0.1
    assert store.eta() == pytest.approx(expected, rel=0.01)
    assert store.snapshot()["elapsed"] == pytest.approx(33)


def test_during_the_first_segment_the_frames_after_it_are_expected_at_the_shared_pace():
    # The first segment renders alone, faster: extrapolating its pace would promise too early a finish.
    prior = Timing("export", 1280, 720, 30, 300, 1.0, render_seconds=6 + 240 * 0.25, first_seconds=6.0,
                   tail_seconds=3.0)  # alone 0.1 s, shared 0.25 s: 2.5 times slower
    store, clock = store_with(prior)
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(60), 0.1, 600)
    alone, shared = store._eta.paces()
    assert alone == pytest.approx(0.1) and shared == pytest.approx(0.25)
    assert store.eta() > 540 * 0.25


def test_the_shared_pace_is_measured_once_past_the_first_segment():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(60), 0.1, 600)
    assert store._eta.measured_paces() == (pytest.approx(0.1), None)
    render(store, clock, range(60, 130), 0.3, 600)
    assert store._eta.measured_paces() == (pytest.approx(0.1), pytest.approx(0.3))
    assert store.fps() == pytest.approx(1 / 0.3)
    settle(store, clock, 0.3, 40)
    expected = (600 - store.frame) * 0.3 + DEFAULT_TAIL_RATIO * SEGMENT * 0.1
    assert store.eta() == pytest.approx(expected, rel=0.02)


def test_the_last_export_weighs_in_until_a_segment_of_frames_is_measured():
    prior = Timing("export", 1280, 720, 30, 150, 1.0, render_seconds=6 + 90 * 0.4, first_seconds=6.0,
                   tail_seconds=4.0)  # alone 0.1 s, shared 0.4 s
    store, clock = store_with(prior)
    start_rendering(store, clock, prepare=1, total=600)
    # Before any frame is measured the prior alone gives the ETA.
    assert store.eta() == pytest.approx(60 * 0.1 + 540 * 0.4 + tail_seconds(prior, 600, 30, 0.1))
    assert tail_seconds(prior, 600, 30, 0.1) == pytest.approx(8.0)  # 4 s for its last 30 frames; 60 here
    render(store, clock, range(30), 0.2, 600)
    alone, shared = store._eta.paces()
    assert alone == pytest.approx((30 * 0.2 + 60 * 0.1) / 90)
    assert shared == pytest.approx((30 * 0.2 * 4 + 60 * 0.4) / 90)  # this export's alone pace x the prior's ratio
    render(store, clock, range(30, 60), 0.2, 600)
    render(store, clock, range(60, 540), 0.5, 600)
    assert store._eta.paces()[1] == pytest.approx((540 * 0.5 + 60 * 0.4) / 600)  # the prior fades


def test_a_prior_at_another_resolution_is_scaled_by_pixels():
    prior = Timing("export", 1920, 1080, 60, 120, 1.0, render_seconds=36.0, first_seconds=36.0, tail_seconds=6.0)
    store, clock = store_with(prior)
    start_rendering(store, clock, prepare=1, total=300)
    alone, _ = store._eta.paces()
    assert alone == pytest.approx(0.3 * (1280 * 720) / (1920 * 1080))


@pytest.mark.parametrize("resolution, pixels", [("vertical", 1080 * 1920), ("640x480", 640 * 480)])
def test_a_prior_is_scaled_to_a_non_16_9_exports_pixels(resolution, pixels):
    prior = Timing("export", 1920, 1080, 60, 120, 1.0, render_seconds=36.0, first_seconds=36.0, tail_seconds=6.0)
    store = ExportStore(clock=FakeClock(), prior=lambda: prior)
    store.begin({**SETTINGS, "resolution": resolution})
    start_rendering(store, FakeClock(), prepare=1, total=300)
    assert store._eta.paces()[0] == pytest.approx(0.3 * pixels / (1920 * 1080))


def test_a_warm_up_weighs_less_than_an_export_and_the_default_not_at_all():
    warm = Timing("warmup", 1280, 720, 30, 3, 1.0, render_seconds=0.6, first_seconds=0.6, tail_seconds=0.1)
    store, clock = store_with(warm)
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(30), 0.1, 600)
    assert store._eta.paces()[0] == pytest.approx((30 * 0.1 + 15 * 0.2) / 45)
    from vizengine.export.estimate import DEFAULT_TIMING

    store, clock = store_with(DEFAULT_TIMING)
    start_rendering(store, clock, prepare=1, total=600)
    assert store.eta() is None  # a guess about another machine says nothing about this export
    render(store, clock, range(30), 0.1, 600)
    assert store._eta.paces()[0] == pytest.approx(0.1)


def test_a_resumed_export_counts_only_the_frames_it_renders():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=300, done=120)
    render(store, clock, range(120, 150), 0.2, 300)
    assert store.fps() == pytest.approx(5.0)
    # 180 frames to render: 30 more of its first segment, then 120 with segments encoding beside.
    expected = 30 * 0.2 + 120 * 0.2 * DEFAULT_SHARED_RATIO + DEFAULT_TAIL_RATIO * SEGMENT * 0.2
    assert store.eta() == pytest.approx(expected)


def test_the_first_segments_render_time_is_kept_for_the_next_estimate():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=100)
    render(store, clock, range(59), 0.1, 100)
    assert store.first_seconds is None
    render(store, clock, range(59, 100), 0.1, 100)
    assert store.first_seconds == pytest.approx(6.0)
    short, clock = store_with()
    start_rendering(short, clock, prepare=1, total=15)
    render(short, clock, range(15), 0.2, 15)
    assert short.first_seconds == pytest.approx(3.0)  # an export shorter than a segment: all of it


def test_encoding_counts_the_expected_tail_down_and_never_says_zero_while_running():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=300)
    render(store, clock, range(300), 0.2, 300)
    tail = DEFAULT_TAIL_RATIO * SEGMENT * 0.2
    store.enter(Phase.ENCODING)
    assert store.eta() == pytest.approx(tail, rel=0.01)
    before = store.eta()
    clock.tick(1.0)
    store.advance(240, 300)
    assert store.eta() == pytest.approx(before - 1.0)
    clock.tick(2.0)
    store.advance(300, 300)
    assert store.fps() == pytest.approx(60 / 2.0)
    clock.tick(tail + 30)  # far past what was expected
    store.advance(300, 300)
    assert 0 < store.eta() < 5


def test_a_stall_moves_the_eta_gradually():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(100), 0.2, 600)
    settle(store, clock, 0.2, 60)
    before = store.eta()
    clock.tick(3.0)  # one frame took 3 s
    store.advance(store.frame + 1, 600)
    raw = store._eta.raw_eta(clock.now)
    after = store.eta()
    assert before - 3.0 < after < raw  # not the whole jump at once


def test_no_eta_or_fps_before_a_rate_exists_nor_after_the_end():
    store, clock = store_with()
    store.enter(Phase.PREPARING)
    clock.tick(5)
    assert store.eta() is None and store.fps() is None
    start_rendering(store, clock, prepare=0, total=10)
    assert store.eta() is None  # no frame rendered yet: no pace
    render(store, clock, range(10), 0.2, 10)
    store.enter(Phase.ENCODING)
    store.finish(Phase.COMPLETE)
    snap = store.snapshot()
    assert snap["eta"] is None and snap["fps"] is None


def test_elapsed_stops_when_the_export_ends():
    store, clock = store_with()
    start_rendering(store, clock, prepare=2, total=10)
    render(store, clock, range(10), 0.5, 10)
    store.finish(Phase.COMPLETE)
    clock.tick(60)
    assert store.snapshot()["elapsed"] == pytest.approx(7)


@pytest.mark.parametrize("settings", [{}, {"resolution": "8k", "fps": 30}, {"resolution": "1281x720", "fps": 30},
                                      {"resolution": "720p", "fps": "x"}])
def test_settings_that_are_not_an_exports_give_no_eta(settings):
    store = ExportStore(clock=FakeClock())
    store.begin(settings)
    store.enter(Phase.RENDERING)
    store.advance(5, 10)
    assert store.eta() is None and store.fps() is None
