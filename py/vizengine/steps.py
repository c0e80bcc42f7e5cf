"""Long CPU work cut into steps, so the page that runs it (Pyodide shares the browser's main thread)
can paint, take input and see a Cancel click between them.

Such work is written once, as a generator that yields between steps and returns its result; `finish`
runs it straight through (CPython, tests, callers with nothing to wait for) and `run_in_steps` hands
the event loop back whenever a step budget has passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from typing import TypeVar

T = TypeVar("T")
Steps = Generator[None, None, T]

# Longest stretch of work between two yields to the page: well under the 200 ms a user notices.
STEP_BUDGET_SECONDS = 0.05


def finish(steps: Steps[T]) -> T:
    """Run every step now and return the result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


async def run_in_steps(steps: Steps[T], check: Callable[[], None] = lambda: None,
                       budget: float = STEP_BUDGET_SECONDS, clock: Callable[[], float] = time.monotonic) -> T:
    """Run the steps, yielding to the event loop once `budget` seconds have passed since the last yield;
    `check` runs after every yield (a CancelSignal's check raises there, and the work is closed)."""
    since = clock()
    try:
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
            if clock() - since >= budget:
                await asyncio.sleep(0)
                check()
                since = clock()
    finally:
        steps.close()
