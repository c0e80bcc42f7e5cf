"""The running export's ETA and frame rate, from the rate this export measures.

Extrapolating the overall progress fraction is wrong because the phases run at different speeds: the
first segment renders alone, then segment encodes share the cores with rendering, and after the last
frame the tail (the last segments, the audio, the join) runs at yet another pace. So:

- rendering: the frames left times the seconds per frame measured over the last segment's worth of
  frames, plus the expected tail (estimate.tail_seconds, scaled by that same measured rate);
- while few frames are measured (the first segment renders with no encode beside it, so it is faster
  than the rest) the machine's last export (`prior`) weighs in as if it were one segment of frames;
  its weight fades as this export measures more;
- encoding: the expected tail counted down.

The result is smoothed as a finish time (now + ETA) with an exponential filter, so a steady estimate
counts down second by second and a change of pace moves it gradually.
"""

from __future__ import annotations

import math
from collections import deque

from ..encode.segments import segment_frames
from .estimate import DEFAULT_TIMING, Timing, render_seconds_per_frame, tail_seconds

SMOOTHING_SECONDS = 2.0
# How many frames of this export the prior counts for, by where it came from: a whole export of this
# machine is worth one segment; a warm-up (no JPEG, no encoder beside it) a quarter; the default nothing.
PRIOR_SEGMENTS = {"export": 1.0, "warmup": 0.25, "default": 0.0}
# Once the tail has overrun its expectation, the ETA says "a little longer" rather than 0:00.
OVERRUN_SECONDS = 1.0


class EtaModel:
    def __init__(self, width: int, height: int, fps: int, prior: Timing | None = None) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.prior = prior
        self.segment = segment_frames(fps)
        self._prior_weight = PRIOR_SEGMENTS.get(prior.source, 0.0) * self.segment if prior else 0.0
        self._tail_timing = prior or DEFAULT_TIMING
        self.phase = "idle"
        self.total = 0
        self._finish: float | None = None  # smoothed finish time on the store's clock
        self._updated = 0.0
        self._samples: deque[tuple[float, int]] = deque()  # (time, frames done) while rendering
        self._rendered = 0  # frames rendered in this phase (not resumed ones)
        self._tail = 0.0
        self._phase_started = 0.0
        self._encode_first: tuple[float, int] | None = None
        self._frame = 0

    # -- inputs ----------------------------------------------------------------------------------
    def enter(self, phase: str, now: float) -> None:
        if phase == "encoding" and self.phase == "rendering":
            self._tail = self._expected_tail()
        self.phase, self._phase_started = phase, now
        self._samples.clear()
        self._encode_first = None
        self._update(now)

    def advance(self, now: float, frame: int, total: int) -> None:
        self.total, self._frame = total, frame
        if self.phase == "rendering":
            if self._samples and frame > self._samples[-1][1]:
                self._rendered += frame - self._samples[-1][1]
            self._samples.append((now, frame))
            # Keep one segment's worth of frames: long enough to include a segment encode beside the
            # render, short enough to follow a change of pace.
            while len(self._samples) > 2 and frame - self._samples[1][1] >= self.segment:
                self._samples.popleft()
        elif self.phase == "encoding" and self._encode_first is None:
            self._encode_first = (now, frame)
        self._update(now)

    # -- outputs ---------------------------------------------------------------------------------
    def eta(self, now: float) -> float | None:
        if self._finish is None:
            return None
        return max(self._finish - now, 0.0)

    def measured_seconds_per_frame(self) -> float | None:
        """This export's render pace over the recent frames; None before two frames are in."""
        if len(self._samples) < 2:
            return None
        (t0, f0), (t1, f1) = self._samples[0], self._samples[-1]
        return (t1 - t0) / (f1 - f0) if f1 > f0 and t1 > t0 else None

    def frames_per_second(self, now: float) -> float | None:
        if self.phase == "rendering":
            spf = self.measured_seconds_per_frame()
            return 1 / spf if spf else None
        if self.phase == "encoding" and self._encode_first is not None:
            t0, f0 = self._encode_first
            done = self._frame - f0
            return done / (now - t0) if done > 0 and now > t0 else None
        return None

    # -- the model -------------------------------------------------------------------------------
    def seconds_per_frame(self) -> float | None:
        """Measured pace blended with the prior's prediction, the prior fading as frames come in."""
        measured = self.measured_seconds_per_frame()
        predicted = render_seconds_per_frame(self.prior, self.width, self.height) if self.prior else None
        if measured is None:
            return predicted if self._prior_weight > 0 else None
        if predicted is None or self._prior_weight == 0:
            return measured
        n = self._rendered
        return (n * measured + self._prior_weight * predicted) / (n + self._prior_weight)

    def _expected_tail(self) -> float:
        spf = self.seconds_per_frame()
        return tail_seconds(self._tail_timing, self.total, self.fps, spf) if spf else 0.0

    def raw_eta(self, now: float) -> float | None:
        if self.phase == "rendering" and self.total:
            spf = self.seconds_per_frame()
            if spf is None:
                return None
            return (self.total - self._frame) * spf + self._expected_tail()
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
