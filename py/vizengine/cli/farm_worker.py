"""A render farm worker's side: one headless Chromium per Dask worker process, and the tasks it runs.

Each worker process owns one browser with its own profile (so its own IndexedDB: parallel parts never
clear each other's frames) and its own server for the built site, and keeps them across tasks: booting
Pyodide costs seconds, a part of 2 s of video costs about as much again. The browser lives on a thread of
its own because Playwright's sync API must be used from the thread that started it, and Dask may run tasks
on any thread of its pool (and plugins on its event loop). `BrowserPlugin` starts it when the worker
starts and closes it, and removes its profile, when the worker closes.

Tasks take their inputs as values (the track's bytes, the settings) and return the encoded bytes: no
worker needs a disk it shares with the driver.
"""

from __future__ import annotations

import base64
import os
import queue
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from .browser import launch_persistent_chromium
from ..project.project_file import demo_project_text
from .driver import apply_project, load_audio_bytes, load_demo, open_app
from .server import serve

SITE = Path(os.environ.get("VIZENGINE_SITE", Path(__file__).resolve().parents[3] / "dist"))
# Test-only: "SEGMENT:MARKER" makes the first attempt at a part starting at SEGMENT kill its own worker
# process mid-render (a SIGKILL, as a crash or the OOM killer would); MARKER (a file) says it happened.
KILL_HOOK = "VIZENGINE_FARM_KILL_FIRST_ATTEMPT"
# Test-only: "SEGMENT:LOG" makes every attempt at a part starting at SEGMENT fail (a line in LOG per attempt).
FAIL_HOOK = "VIZENGINE_FARM_FAIL_PART"


@dataclass(frozen=True)
class Track:
    """The audio to load: its bytes (None: the site's demo track), a name for the page and a digest that
    tells tracks apart, so a worker loads a track once for all the parts of its export."""

    name: str
    digest: str
    data: bytes | None = None


class PageWorker:
    """The site served and opened in one persistent-profile Chromium, driven from its own thread."""

    def __init__(self, site: Path = SITE) -> None:
        self._site = site
        self._calls: queue.Queue = queue.Queue()
        self._profile = Path(tempfile.mkdtemp(prefix="farm-browser-"))
        self._track = ""
        self._project: str | None = None
        self._ready: Future = Future()
        self._thread = threading.Thread(target=self._run, name="farm-browser", daemon=True)
        self._thread.start()

    def call(self, work: Callable[[Any], Any]) -> Any:
        """Run work(page) on the browser's thread; return its result or raise its error."""
        self._ready.result()
        done: Future = Future()
        self._calls.put((work, done))
        return done.result()

    def load(self, page: Any, track: Track, project: str | None) -> None:
        """Show this track and project, each loaded once for all the parts that use it."""
        if track.digest != self._track:
            self._track = ""
            if track.data is None:
                load_demo(page)
            else:
                load_audio_bytes(page, track.name, track.data)
            self._track = track.digest
        if project != self._project:
            self._project = None
            apply_project(page, project if project is not None else demo_project_text())
            self._project = project

    def close(self, patience: float = 5) -> None:
        """Close the browser; if it is still busy with a part after `patience` seconds (the cluster closes
        on Ctrl-C mid-render), kill it: Playwright's driver and Chromium are this process's children."""
        self._calls.put(None)
        self._thread.join(timeout=patience)
        if self._thread.is_alive():
            import psutil  # a dependency of distributed

            children = psutil.Process().children(recursive=True)
            for child in children:
                child.kill()
            psutil.wait_procs(children, timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _run(self) -> None:
        try:
            with serve(self._site) as url, launch_persistent_chromium(self._profile) as context:
                page = context.new_page()
                open_app(page, url, autosave=False)
                self._ready.set_result(True)
                while (item := self._calls.get()) is not None:
                    work, done = item
                    try:
                        done.set_result(work(page))
                    except BaseException as error:  # noqa: BLE001 — handed to the task that asked
                        done.set_exception(error)
        except BaseException as error:  # noqa: BLE001 — a browser that never started fails every task
            if not self._ready.done():
                self._ready.set_exception(error)
            while not self._calls.empty():
                item = self._calls.get_nowait()
                if item is not None:
                    item[1].set_exception(error)


_worker: PageWorker | None = None
_lock = threading.Lock()


def page_worker() -> PageWorker:
    """This process's browser, started on first use when no plugin started it."""
    global _worker
    with _lock:
        if _worker is None:
            _worker = PageWorker()
        return _worker


def close_page_worker() -> None:
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.close()


class BrowserPlugin(WorkerPlugin):
    """The worker's browser starts with the worker (in the background, so the boot overlaps the driver's
    planning) and closes with it. Idempotent: a long-lived cluster keeps its warm browsers across exports."""

    name = "vizengine-browser"
    idempotent = True

    def setup(self, worker: Any) -> None:
        page_worker()

    def teardown(self, worker: Any) -> None:
        close_page_worker()


def _evaluate(track: Track, project: str | None, script: str, *args: Any) -> dict:
    worker = page_worker()

    def work(page: Any) -> dict:
        worker.load(page, track, project)
        return page.evaluate(script, list(args))

    return worker.call(work)


def plan_task(track: Track, project: str | None, settings: dict) -> dict:
    """The export's frame count, segments, concrete encoder and build id, as this worker's page sees them."""
    return _evaluate(track, project, "([s]) => window.vizengine.farm.plan(s)", settings)


def part_task(track: Track, project: str | None, settings: dict, first: int, end: int) -> dict:
    """Segments [first, end) encoded: {manifestKey, encoder, codecs, segments: [bytes]}."""
    _kill_hook(first)
    _fail_hook(first)
    reply = _evaluate(track, project, "([s, a, b]) => window.vizengine.farm.renderSegments(s, a, b)", settings,
                      first, end)
    return {**reply, "segments": [base64.b64decode(data) for data in reply["segments"]]}


def audio_task(track: Track, project: str | None, settings: dict) -> dict:
    """The export's audio encoded once: {manifestKey, audio: bytes}."""
    reply = _evaluate(track, project, "([s]) => window.vizengine.farm.encodeAudio(s)", settings)
    return {**reply, "audio": base64.b64decode(reply["audio"])}


def _fail_hook(first: int) -> None:
    segment, _, log = os.environ.get(FAIL_HOOK, "").partition(":")
    if segment and int(segment) == first:
        with open(log, "a", encoding="utf-8") as attempts:
            attempts.write(f"{os.getpid()}\n")
        raise RuntimeError(f"test hook: the part from segment {first} fails")


def _kill_hook(first: int) -> None:
    hook = os.environ.get(KILL_HOOK, "")
    if not hook:
        return
    segment, _, marker = hook.partition(":")
    if int(segment) != first or os.path.exists(marker):
        return
    Path(marker).write_text(str(os.getpid()))
    # Mid-render: the kill comes while the page is drawing this part's frames.
    threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGKILL)).start()
