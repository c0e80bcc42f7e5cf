"""The running export's ETA and frame rate, from the pace this export measures.

Extrapolating the overall progress fraction is wrong because the export runs at different speeds: the
first segment renders alone, then segment encodes share the cores with rendering, and after the last
frame the tail (the last segments, the audio, the join) runs at yet another pace. This uses the model of
export/estimate.py with this export's own measurements:

- the first segment's frames give the pace alone; once past it, the frames of the last segment's worth
  give the shared pace; until then the shared pace is the alone pace times the machine's ratio (the last
  export's, else the benchmark machine's);
- while few frames are measured, the last export's paces weigh in as if they were one segment of frames
  (a warm-up a quarter of that), their weight fading as this export measures more;
- rendering: the frames left at those paces plus the expected tail; after the last frame, the expected
  tail counted down.

The result is smoothed as a finish time (now + ETA) with an exponential filter, so a steady estimate
counts down second by second and a change of pace moves it gradually.
"""

from __future__ import annotations

import math
from collections import deque

from ..encode.segments import segment_frames
from .estimate import DEFAULT_SHARED_RATIO, DEFAULT_TAIL_RATIO, Timing, last_segment_frames, paces

SMOOTHING_SECONDS = 2.0
# How many frames of this export the prior counts for, by where it came from: a whole export of this
# machine is worth one segment; a warm-up (no JPEG, no encoder beside it) a quarter; the default nothing.
PRIOR_SEGMENTS = {"export": 1.0, "warmup": 0.25, "default": 0.0}
# Frames past the first segment before their pace is trusted over alone pace x ratio.
MIN_SHARED_FRAMES = 5
# Once the tail has overrun its expectation, the ETA says "a little longer" rather than 0:00.
OVERRUN_SECONDS = 1.0


class EtaModel:
    def __init__(self, width: int, height: int, fps: int, prior: Timing | None = None) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.prior = prior
        self.segment = segment_frames(fps)
        self._prior_weight = PRIOR_SEGMENTS.get(prior.source, 0.0) * self.segment if prior else 0.0
        self._shared_ratio = prior.shared_ratio if prior else DEFAULT_SHARED_RATIO
        self._tail_ratio = prior.tail_ratio if prior else DEFAULT_TAIL_RATIO
        self.phase = "idle"
        self.total = 0
        self.first_seconds: float | None = None  # rendering the first segment's frames took this long
        self._finish: float | None = None  # smoothed finish time on the store's clock
        self._updated = 0.0
        self._frame = 0
        self._start: tuple[float, int] | None = None  # (time, frame) of the first report while rendering
        self._last_time = 0.0
        self._shared: deque[tuple[float, int]] = deque()  # (time, frame) after the first segment
        self._tail = 0.0
        self._phase_started = 0.0
        self._encode_first: tuple[float, int] | None = None

    # -- inputs ----------------------------------------------------------------------------------
    def enter(self, phase: str, now: float) -> None:
        if phase == "encoding" and self.phase == "rendering":
            self._tail = self._expected_tail()
        self.phase, self._phase_started = phase, now
        self._encode_first = None
        self._update(now)

    def advance(self, now: float, frame: int, total: int) -> None:
        self.total, self._frame = total, frame
        if self.phase == "rendering":
            self._rendering(now, frame, total)
        elif self.phase == "encoding" and self._encode_first is None:
            self._encode_first = (now, frame)
        self._update(now)

    def _rendering(self, now: float, frame: int, total: int) -> None:
        if self._start is None:
            self._start = (now, frame)  # a resumed export starts past its stored frames
        self._last_time = now
        done, first = self.rendered, self.first_frames
        if done >= first and first > 0:
            if self.first_seconds is None:
                self.first_seconds = now - self._start[0]
            self._shared.append((now, frame))
            # One segment's worth: long enough to include a segment encode, short enough to follow changes.
            while len(self._shared) > 2 and frame - self._shared[1][1] >= self.segment:
                self._shared.popleft()

    # -- what it measured ------------------------------------------------------------------------
    @property
    def rendered(self) -> int:
        return self._frame - self._start[1] if self._start else 0

    @property
    def first_frames(self) -> int:
        """The first segment's frames of those this export renders."""
        return min(self.segment, self.total - self._start[1]) if self._start else 0

    def measured_paces(self) -> tuple[float | None, float | None]:
        """Seconds per frame alone (the first segment) and shared (the recent frames past it)."""
        alone = shared = None
        if self._start is not None:
            if self.first_seconds is not None:
                alone = self.first_seconds / self.first_frames
            elif self.rendered > 0 and self._last_time > self._start[0]:
                alone = (self._last_time - self._start[0]) / self.rendered
        if len(self._shared) >= 2:
            (t0, f0), (t1, f1) = self._shared[0], self._shared[-1]
            if f1 - f0 >= MIN_SHARED_FRAMES and t1 > t0:
                shared = (t1 - t0) / (f1 - f0)
        return alone, shared

    def paces(self) -> tuple[float, float] | None:
        """The paces to predict with: measured (shared from alone x ratio until it is measured), blended
        with the prior's while few frames are in; None when there is nothing to go by."""
        alone, shared = self.measured_paces()
        prior = paces(self.prior, self.width, self.height) if self.prior and self._prior_weight else None
        if alone is None:
            return prior
        if shared is None:
            shared = alone * self._shared_ratio
        if prior is None:
            return alone, shared
        n, k = self.rendered, self._prior_weight
        return (n * alone + k * prior[0]) / (n + k), (n * shared + k * prior[1]) / (n + k)

    def frames_per_second(self, now: float) -> float | None:
        if self.phase == "rendering":
            alone, shared = self.measured_paces()
            pace = shared or alone
            return 1 / pace if pace else None
        if self.phase == "encoding" and self._encode_first is not None:
            t0, f0 = self._encode_first
            done = self._frame - f0
            return done / (now - t0) if done > 0 and now > t0 else None
        return None

    # -- the ETA ---------------------------------------------------------------------------------
    def eta(self, now: float) -> float | None:
        if self._finish is None:
            return None
        return max(self._finish - now, 0.0)

    def _expected_tail(self) -> float:
        known = self.paces()
        return self._tail_ratio * last_segment_frames(self.total, self.fps) * known[0] if known else 0.0

    def raw_eta(self, now: float) -> float | None:
        if self.phase == "rendering" and self.total and self._start is not None:
            known = self.paces()
            if known is None:
                return None
            alone, shared = known
            alone_left = max(self.first_frames - self.rendered, 0)
            shared_left = self.total - self._frame - alone_left
            return alone_left * alone + shared_left * shared + self._expected_tail()
        if self.phase == "encoding":
            left = self._tail - (now - self._phase_started)
            return left if left > 0 else OVERRUN_SECONDS
        return None

    def _update(self, now: float) -> None:
        raw = self.raw_eta(now)
        if raw is None:
            return
        target = now + raw
        if self._finish is None:
            self._finish = target
        else:
            weight = 1 - math.exp(-max(now - self._updated, 0.0) / SMOOTHING_SECONDS)
            self._finish += weight * (target - self._finish)
        self._updated = now
