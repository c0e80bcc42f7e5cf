"""Export state: phase, monotonic progress, ETA and frame rate, logs and per-phase timings, with subscribers.

The UI and the CLI only ever read snapshots from here; the orchestrator is the only writer.
Notifications are throttled (phase changes and logs always go out) because a per-frame DOM update
costs more than the frame at 720p.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from ..errors import InvalidSettings
from .estimate import Timing
from .eta import EtaModel
from .resolution import read_resolution, resolution_size

# Share of the overall bar each phase owns; rendering dominates, encoding in wasm is next.
WEIGHTS = {"preparing": 0.05, "rendering": 0.70, "encoding": 0.25}
MAX_LOGS = 500


class Phase(str, Enum):
    IDLE = "idle"
    PREPARING = "preparing"
    RENDERING = "rendering"
    ENCODING = "encoding"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (Phase.COMPLETE, Phase.CANCELLED, Phase.FAILED)


Listener = Callable[[dict], None]


class ExportStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic, throttle: float = 0.1,
                 prior: Callable[[], Timing | None] = lambda: None) -> None:
        """`prior`: what this machine measured last (the page's stored Timing), read as each export begins."""
        self._clock = clock
        self._throttle = throttle
        self._prior = prior
        self._listeners: list[Listener] = []
        self._last_notify = float("-inf")
        self.reset()

    def reset(self) -> None:
        self.phase = Phase.IDLE
        self.settings: dict | None = None
        self.frame = 0
        self.total = 0
        self.progress = 0.0
        self.error: str | None = None
        self.logs: list[dict] = []
        self.phase_seconds: dict[str, float] = {}
        self.result: dict | None = None
        self.step_ms: dict[str, float] = {}
        self.rendered = 0  # frames this export rendered (a resumed export skips the stored ones)
        self._log_seq = 0
        self._started = self._phase_started = self._clock()
        self._ended: float | None = None
        self._eta: EtaModel | None = None

    # -- subscription ---------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        listener(self.snapshot())
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._last_notify < self._throttle:
            return
        self._last_notify = now
        snap = self.snapshot()
        for listener in list(self._listeners):
            listener(snap)

    def snapshot(self) -> dict:
        return {
            "phase": self.phase.value,
            "frame": self.frame,
            "total": self.total,
            "progress": self.progress,
            "eta": self.eta(),
            "fps": self.fps(),
            "elapsed": self.elapsed(),
            "error": self.error,
            "logs": list(self.logs[-50:]),
            "phaseSeconds": dict(self.phase_seconds),
            "stepMs": dict(self.step_ms),
            "result": self.result,
        }

    # -- writes from the orchestrator ---------------------------------------------------------------
    def begin(self, settings: dict) -> None:
        self.reset()
        self.settings = settings
        self._eta = _eta_model(settings, self._prior)
        self.log("info", f"export started: {settings}")

    def log(self, level: str, message: str) -> None:
        self._log_seq += 1
        self.logs.append({"n": self._log_seq, "t": round(self._clock() - self._started, 3), "level": level,
                          "message": message})
        del self.logs[:-MAX_LOGS]
        self._notify(force=True)

    def enter(self, phase: Phase) -> None:
        now = self._clock()
        if self.phase.value in WEIGHTS:
            self.phase_seconds[self.phase.value] = now - self._phase_started
            self._set_progress(self._phase_base(self.phase) + WEIGHTS[self.phase.value])
        self.phase, self._phase_started = phase, now
        self.frame = 0
        if self._eta:
            self._eta.enter(phase.value, now)
        self._notify(force=True)

    def advance(self, frame: int, total: int) -> None:
        """Within the current phase: `frame` of `total` done."""
        self.frame, self.total = frame, total
        if self.phase.value in WEIGHTS and total > 0:
            share = min(frame / total, 1.0) * WEIGHTS[self.phase.value]
            self._set_progress(self._phase_base(self.phase) + share)
        if self._eta:
            self._eta.advance(self._clock(), frame, total)
        self._notify()

    def finish(self, phase: Phase, error: str | None = None, result: dict | None = None) -> None:
        if self.phase.value in WEIGHTS:
            self.phase_seconds[self.phase.value] = self._clock() - self._phase_started
        self.phase, self.error, self.result = phase, error, result
        self._ended = self._clock()
        if phase is Phase.COMPLETE:
            self._set_progress(1.0)
        self._notify(force=True)

    # -- derived ---------------------------------------------------------------------------------
    def elapsed(self) -> float:
        """Seconds since the export began; it stops when the export ends."""
        return (self._ended if self._ended is not None else self._clock()) - self._started

    def eta(self) -> float | None:
        """Seconds left (export/eta.py); None before there is a rate to go by and once finished."""
        if self.phase.finished or self._eta is None:
            return None
        return self._eta.eta(self._clock())

    @property
    def first_seconds(self) -> float | None:
        """How long rendering the first segment's frames took (the estimate's pace with no encoder beside)."""
        return self._eta.first_seconds if self._eta else None

    def fps(self) -> float | None:
        """Frames per second of the current phase, as measured recently; None when there is no rate."""
        if self.phase.finished or self._eta is None:
            return None
        return self._eta.frames_per_second(self._clock())

    @staticmethod
    def _phase_base(phase: Phase) -> float:
        base = 0.0
        for name, weight in WEIGHTS.items():
            if name == phase.value:
                return base
            base += weight
        return base

    def _set_progress(self, value: float) -> None:
        self.progress = max(self.progress, min(value, 1.0))


def _eta_model(settings: object, prior: Callable[[], Timing | None]) -> EtaModel | None:
    """The ETA model for these settings; None for settings that are not an export's (a refused attempt)."""
    if not isinstance(settings, dict):
        return None
    try:
        size = resolution_size(read_resolution(settings.get("resolution", "")))
    except InvalidSettings:
        return None
    fps = settings.get("fps")
    if not isinstance(fps, int) or isinstance(fps, bool) or fps <= 0:
        return None
    return EtaModel(*size, fps, prior())
