"""Browser memory during an export, for `make bench`: the summed RSS of every process this one started.

Samples /proc from a thread while an export runs; the peak of a short and of a long export of the same
settings gives the growth per extra frame, which must stay flat in length (finished file included).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path


def _tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = next((int(line.split()[1]) for line in status.splitlines()
                                     if line.startswith("VmRSS:")), 0)
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


@contextmanager
def peak_rss() -> Iterator[dict]:
    """Yields a dict whose "peak_mib" holds the peak summed RSS of this process's descendants."""
    result = {"peak_mib": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak_mib"] = max(result["peak_mib"], _tree_rss_kib(os.getpid()) / 1024)
            stop.wait(1.0)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
