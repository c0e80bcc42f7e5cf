"""The running export's ETA and frames per second (export/eta.py through ExportStore), on a fake clock."""

from __future__ import annotations

import pytest
from test_store import FakeClock

from vizengine.export.estimate import DEFAULT_TIMING, Timing, tail_seconds
from vizengine.export.store import ExportStore, Phase

SETTINGS = {"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4", "start": 0.0, "duration": 10.0}
DEFAULT_TAIL_RATIO = DEFAULT_TIMING.tail_ratio


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


def test_eta_is_the_frames_left_at_the_render_rate_plus_the_expected_tail():
    store, clock = store_with()
    start_rendering(store, clock, prepare=3, total=300)
    render(store, clock, range(100), 0.2, 300)
    tail = DEFAULT_TAIL_RATIO * 60 * 0.2  # one segment (2 s at 30 fps) at the measured rate
    assert store.eta() == pytest.approx(200 * 0.2 + tail)
    assert store.fps() == pytest.approx(5.0)


def test_a_slow_preparing_phase_does_not_skew_the_eta():
    # The old ETA extrapolated the overall progress: 30 s of preparing made it many times too long.
    store, clock = store_with()
    start_rendering(store, clock, prepare=30, total=300)
    render(store, clock, range(30), 0.2, 300)  # 10 % of the frames
    actual = 270 * 0.2 + DEFAULT_TAIL_RATIO * 60 * 0.2
    assert store.eta() == pytest.approx(actual, rel=0.01)
    assert store.snapshot()["elapsed"] == pytest.approx(36)


def test_the_rate_follows_a_change_of_pace_within_a_segment_of_frames():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(60), 0.1, 600)  # the first segment renders alone
    render(store, clock, range(60, 130), 0.3, 600)  # then segment encodes share the cores
    assert store.fps() == pytest.approx(1 / 0.3)
    for _ in range(40):  # the smoothing settles within seconds at a steady pace
        clock.tick(0.3)
        store.advance(store.frame + 1, 600)
    expected = (600 - store.frame) * 0.3 + DEFAULT_TAIL_RATIO * 60 * 0.3
    assert store.eta() == pytest.approx(expected, rel=0.02)


def test_the_last_export_weighs_in_until_a_segment_of_frames_is_measured():
    prior = Timing("export", 1280, 720, 30, 150, 1.0, render_seconds=30.0, tail_seconds=4.0)  # 0.2 s per frame
    store, clock = store_with(prior)
    start_rendering(store, clock, prepare=1, total=600)
    # Before any frame is measured the prior alone gives the ETA.
    assert store.eta() == pytest.approx(600 * 0.2 + tail_seconds(prior, 600, 30, 0.2))
    render(store, clock, range(30), 0.1, 600)
    blended = (30 * 0.1 + 60 * 0.2) / 90
    model = store._eta
    assert model.seconds_per_frame() == pytest.approx(blended)
    render(store, clock, range(30, 540), 0.1, 600)
    assert model.seconds_per_frame() == pytest.approx((540 * 0.1 + 60 * 0.2) / 600)  # the prior fades


def test_a_prior_at_another_resolution_is_scaled_by_pixels():
    prior = Timing("export", 1920, 1080, 60, 120, 1.0, render_seconds=36.0, tail_seconds=6.0)  # 0.3 s at 1080p
    store, clock = store_with(prior)
    start_rendering(store, clock, prepare=1, total=300)
    assert store._eta.seconds_per_frame() == pytest.approx(0.3 * (1280 * 720) / (1920 * 1080))


def test_a_warm_up_weighs_less_than_an_export_and_the_default_not_at_all():
    warm = Timing("warmup", 1280, 720, 30, 3, 1.0, render_seconds=0.6, tail_seconds=0.1)  # 0.2 s per frame
    store, clock = store_with(warm)
    start_rendering(store, clock, prepare=1, total=600)
    render(store, clock, range(30), 0.1, 600)
    assert store._eta.seconds_per_frame() == pytest.approx((30 * 0.1 + 15 * 0.2) / 45)
    store, clock = store_with(DEFAULT_TIMING)
    start_rendering(store, clock, prepare=1, total=600)
    assert store.eta() is None  # a guess about another machine says nothing about this export
    render(store, clock, range(30), 0.1, 600)
    assert store._eta.seconds_per_frame() == pytest.approx(0.1)


def test_a_resumed_export_counts_only_the_frames_it_renders():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=300, done=120)
    render(store, clock, range(120, 150), 0.2, 300)
    assert store.fps() == pytest.approx(5.0)
    assert store.eta() == pytest.approx(150 * 0.2 + DEFAULT_TAIL_RATIO * 60 * 0.2)


def test_encoding_counts_the_expected_tail_down_and_never_says_zero_while_running():
    store, clock = store_with()
    start_rendering(store, clock, prepare=1, total=300)
    render(store, clock, range(300), 0.2, 300)
    tail = DEFAULT_TAIL_RATIO * 60 * 0.2
    store.enter(Phase.ENCODING)
    assert store.eta() == pytest.approx(tail)
    clock.tick(1.0)
    store.advance(240, 300)
    assert store.eta() == pytest.approx(tail - 1.0)
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
    before = store.eta()
    clock.tick(3.0)  # one frame took 3 s
    store.advance(101, 600)
    raw = store._eta.raw_eta(clock.now)
    after = store.eta()
    assert before - 3.0 < after < raw  # not the whole jump at once


def test_no_eta_or_fps_before_a_rate_exists_nor_after_the_end():
    store, clock = store_with()
    store.enter(Phase.PREPARING)
    clock.tick(5)
    assert store.eta() is None and store.fps() is None
    start_rendering(store, clock, prepare=0, total=10)
    assert store.eta() is None  # one sample: no rate yet
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


@pytest.mark.parametrize("settings", [{}, {"resolution": "8k", "fps": 30}, {"resolution": "720p", "fps": "x"}])
def test_settings_that_are_not_an_exports_give_no_eta(settings):
    store = ExportStore(clock=FakeClock())
    store.begin(settings)
    store.enter(Phase.RENDERING)
    store.advance(5, 10)
    assert store.eta() is None and store.fps() is None
