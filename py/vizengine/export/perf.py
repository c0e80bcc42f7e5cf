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

    def per_item_ms(self, items: int) -> dict[str, float]:
        """Milliseconds each step cost per item (frame), however often it ran: a step that runs every
        few frames is spread over them."""
        return {name: round(1000 * s / max(items, 1), 2) for name, s in self.seconds.items()}

    def summary(self, items: int) -> str:
        return ", ".join(f"{name} {ms:.1f} ms" for name, ms in self.per_item_ms(items).items())
