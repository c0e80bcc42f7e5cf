"""Where a phase's time goes, step by step, so the log and the benchmark can say what is slow."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StepTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self.counts[name] = self.counts.get(name, 0) + 1

    def mean_ms(self) -> dict[str, float]:
        return {name: round(1000 * s / self.counts[name], 2) for name, s in self.seconds.items()}

    def summary(self) -> str:
        return ", ".join(f"{name} {ms:.1f} ms" for name, ms in self.mean_ms().items())
