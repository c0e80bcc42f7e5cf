"""vizengine.export.store: phases, monotonic progress, throttled notifications, ETA and logs."""

from __future__ import annotations

import pytest

from vizengine.export.store import MAX_LOGS, WEIGHTS, ExportStore, Phase


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def make_store(throttle: float = 0.1):
    clock = FakeClock()
    store = ExportStore(clock=clock, throttle=throttle)
    seen: list[dict] = []
    store.subscribe(seen.append)
    return store, clock, seen


def run_export(store: ExportStore, clock: FakeClock, frames: int = 10, record=None) -> None:
    store.begin({"fps": 30})
    store.enter(Phase.PREPARING)
    clock.tick(1)
    store.enter(Phase.RENDERING)
    for i in range(frames):
        clock.tick(0.5)
        store.advance(i + 1, frames)
        if record is not None:
            record.append(store.progress)
    store.enter(Phase.ENCODING)
    for done in range(0, frames + 1, 2):
        clock.tick(0.5)
        store.advance(done, frames)
        if record is not None:
            record.append(store.progress)
    store.finish(Phase.COMPLETE, result={"size": 1})


def test_subscribing_delivers_the_current_snapshot_at_once():
    store, _, seen = make_store()
    assert len(seen) == 1 and seen[0]["phase"] == "idle" and seen[0]["progress"] == 0.0


def test_phases_go_in_order_and_progress_never_decreases():
    store, clock, seen = make_store(throttle=0.0)
    progress: list[float] = []
    run_export(store, clock, record=progress)
    phases = [s["phase"] for s in seen]
    order = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert order == ["idle", "preparing", "rendering", "encoding", "complete"]
    values = [s["progress"] for s in seen]
    assert values == sorted(values)
    assert progress == sorted(progress)
    assert seen[-1]["progress"] == 1.0 and store.progress == 1.0


def test_progress_is_weighted_by_phase():
    store, clock, _ = make_store()
    store.begin({})
    store.enter(Phase.PREPARING)
    store.enter(Phase.RENDERING)
    assert store.progress == pytest.approx(WEIGHTS["preparing"])
    store.advance(5, 10)
    assert store.progress == pytest.approx(WEIGHTS["preparing"] + WEIGHTS["rendering"] / 2)
    store.enter(Phase.ENCODING)
    assert store.progress == pytest.approx(WEIGHTS["preparing"] + WEIGHTS["rendering"])
    store.advance(0, 10)  # the encoder starting from zero does not pull the bar back
    assert store.progress == pytest.approx(WEIGHTS["preparing"] + WEIGHTS["rendering"])
    store.advance(20, 10)  # more than the total still caps at the phase's share
    assert store.progress == pytest.approx(1.0)
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_a_report_going_backwards_does_not_pull_the_bar_back():
    store, clock, _ = make_store()
    store.begin({})
    store.enter(Phase.ENCODING)
    store.advance(8, 10)
    high = store.progress
    store.advance(3, 10)
    assert store.progress == high and store.frame == 3


def test_failure_keeps_progress_where_it_was():
    store, clock, _ = make_store()
    store.begin({})
    store.enter(Phase.PREPARING)
    store.enter(Phase.RENDERING)
    store.advance(3, 10)
    before = store.progress
    store.finish(Phase.FAILED, error="boom")
    assert store.progress == before and store.phase is Phase.FAILED and store.error == "boom"


def test_advance_within_the_throttle_window_does_not_notify():
    store, clock, seen = make_store(throttle=0.1)
    store.begin({})
    store.enter(Phase.RENDERING)
    count = len(seen)
    store.advance(1, 100)  # the last notification was at this same instant
    clock.tick(0.05)
    store.advance(2, 100)
    assert len(seen) == count
    clock.tick(0.06)  # 0.11 s since the last notification
    store.advance(3, 100)
    assert len(seen) == count + 1 and seen[-1]["frame"] == 3


def test_the_first_advance_notifies_when_nothing_went_out_before():
    store, clock, seen = make_store(throttle=0.1)  # subscribing sends a snapshot, not a notification
    store.advance(1, 10)
    assert len(seen) == 2 and seen[-1]["frame"] == 1


def test_phase_changes_logs_and_finish_always_notify():
    store, clock, seen = make_store(throttle=10.0)
    store.begin({})
    store.enter(Phase.PREPARING)
    n = len(seen)
    store.log("info", "one")
    store.log("info", "two")
    store.enter(Phase.RENDERING)
    store.finish(Phase.CANCELLED, error="Export cancelled")
    assert len(seen) == n + 4
    assert seen[-1]["phase"] == "cancelled" and seen[-1]["error"] == "Export cancelled"


def test_unsubscribe_stops_notifications():
    store, clock, seen = make_store()
    other: list[dict] = []
    unsubscribe = store.subscribe(other.append)
    unsubscribe()
    store.log("info", "after")
    assert len(other) == 1 and seen[-1]["logs"][-1]["message"] == "after"
    unsubscribe()  # twice is harmless


def test_eta_is_none_before_there_is_progress_and_after_finishing():
    store, clock, _ = make_store()
    store.begin({})
    store.enter(Phase.PREPARING)
    clock.tick(5)
    assert store.eta() is None
    store.enter(Phase.RENDERING)
    store.advance(0, 100)
    store.finish(Phase.COMPLETE)
    assert store.eta() is None and store.snapshot()["eta"] is None


def test_snapshots_carry_elapsed_eta_and_fps():
    store, clock, seen = make_store(throttle=0.0)
    store.begin({"resolution": "720p", "fps": 30})
    store.enter(Phase.RENDERING)
    for i in range(10):
        clock.tick(0.25)
        store.advance(i + 1, 100)
    snap = seen[-1]
    assert snap["elapsed"] == pytest.approx(2.5)
    assert snap["fps"] == pytest.approx(4.0)
    assert snap["eta"] > 90 * 0.25  # the frames left at the measured rate, and the tail after them


def test_phase_seconds_record_each_phase():
    store, clock, _ = make_store()
    run_export(store, clock, frames=4)
    assert store.phase_seconds == pytest.approx({"preparing": 1.0, "rendering": 2.0, "encoding": 1.5})


def test_log_sequence_numbers_increase_and_logs_are_capped():
    store, clock, seen = make_store()
    store.begin({})
    for k in range(MAX_LOGS + 20):
        clock.tick(0.001)
        store.log("info", f"line {k}")
    numbers = [entry["n"] for entry in store.logs]
    assert len(store.logs) == MAX_LOGS
    assert numbers == list(range(numbers[0], numbers[0] + MAX_LOGS))
    assert numbers[-1] == MAX_LOGS + 21  # the "export started" line was number 1
    assert store.logs[-1]["message"] == f"line {MAX_LOGS + 19}"
    times = [entry["t"] for entry in store.logs]
    assert times == sorted(times)
    assert len(seen[-1]["logs"]) < MAX_LOGS and seen[-1]["logs"][-1] == store.logs[-1]


def test_begin_resets_everything_from_the_last_export():
    store, clock, _ = make_store()
    run_export(store, clock)
    store.log("warning", "left over")
    store.begin({"fps": 60})
    assert store.phase is Phase.IDLE and store.progress == 0.0 and store.error is None
    assert store.result is None and store.phase_seconds == {} and store.frame == 0
    assert [entry["n"] for entry in store.logs] == [1]
    assert store.settings == {"fps": 60}
    assert store.snapshot()["elapsed"] == 0


def test_finished_phases():
    assert {p for p in Phase if p.finished} == {Phase.COMPLETE, Phase.CANCELLED, Phase.FAILED}
