"""StepTimer spreads each step's time over the frames, however often the step ran."""

from __future__ import annotations

import itertools

from vizengine.export import perf


def test_step_time_is_reported_per_frame_even_for_steps_that_run_every_few_frames(monkeypatch):
    ticks = itertools.count(step=0.010)  # every perf_counter() call advances 10 ms
    monkeypatch.setattr(perf.time, "perf_counter", lambda: next(ticks))
    timer = perf.StepTimer()
    for frame in range(4):
        with timer.step("composite"):
            pass
        if frame % 2:
            with timer.step("page"):
                pass
    assert timer.per_item_ms(4) == {"composite": 10.0, "page": 5.0}
    assert timer.summary(4) == "composite 10.0 ms, page 5.0 ms"
