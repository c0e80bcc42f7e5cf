"""The render farm's driver: exports cut into parts (export/part.py) rendered by headless browsers on Dask
workers (cli/farm_worker.py), joined here with native ffmpeg (cli/join.py).

Per export: one plan task fixes what every part must share (the frame count, the concrete encoder that
auto picks, the build); then one task per 2 s segment and one for the audio, which is encoded once; the
parts' manifest keys must all agree (same build, project, track and settings) before anything is joined.
Dask does the scheduling and the retries: a part that fails is tried twice more (on any worker), a worker
that dies has its part moved to another.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ..errors import ExportError
from .farm_worker import BrowserPlugin, Track, audio_task, part_task, plan_task
from .join import join

RETRIES = 2  # a part fails the export after 3 attempts
# Dask's own logs (a worker that died, a retried task) stay out of the CLI's output: the CLI says what
# matters in its own lines.
DASK_LOG_LEVEL = logging.CRITICAL


class FarmError(ExportError):
    """A part, the plan or the join failed; the message is the page's, or ffmpeg's."""


@dataclass
class FarmJob:
    """One export: the track (bytes, or the demo), its settings (the dialog's) and where the file goes."""

    track: Track
    settings: dict
    out: Path
    project: str | None = None  # a project file's text; None: the site's demo project
    # Filled in as it runs:
    plan: dict = field(default_factory=dict)
    parts: list[tuple[int, int]] = field(default_factory=list)
    keys: set = field(default_factory=set)
    segment_files: dict[int, Path] = field(default_factory=dict)
    audio_file: Path | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def frames(self) -> int:
        return int(self.plan.get("frames", 0))


def track_of(audio: Path | None) -> Track:
    if audio is None:
        return Track("demo", "demo")
    data = audio.read_bytes()
    return Track(audio.name, hashlib.sha256(data).hexdigest(), data)


def plan_parts(segments: int) -> list[tuple[int, int]]:
    """One part per segment: a part costs little more than its frames (the page, the track and the
    analysis stay loaded between a worker's parts), and small parts balance and retry best."""
    return [(s, s + 1) for s in range(segments)]


def part_frames(part: tuple[int, int], plan: dict) -> int:
    first, end = part
    return max(0, min(end * plan["segmentFrames"], plan["frames"]) - first * plan["segmentFrames"])


def error_line(error: BaseException) -> str:
    """One readable line: the page's message without Playwright's prefix and call log."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return re.sub(r"^(Error: )?([A-Za-z]+\.evaluate: )?(Error: )?", "", text)


@contextmanager
def farm_client(workers: int | None, scheduler: str | None, root: Path) -> Iterator[object]:
    """A Dask client on `scheduler`, or on a LocalCluster of `workers` processes (one thread each: one
    browser each) whose temporary files (Dask's, the browsers' profiles, Chromium's own) all live under
    `root`, which the caller removes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            client.register_plugin(BrowserPlugin())
            yield client
        finally:
            client.close()  # an interrupted export's tasks are released with it; the workers stay
        return
    saved = os.environ.get("TMPDIR")
    # Inherited by the workers (spawned) and their nannies. Short: Chromium puts a Unix socket (at most 107
    # bytes of path) under it.
    (root / "t").mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(root / "t")
    cluster = None
    try:
        # The scheduler runs here: its memory manager must not drop the track's copies down to one, which
        # a killed worker could take along.
        with dask.config.set({"temporary-directory": str(root / "dask"),
                              "distributed.scheduler.active-memory-manager.start": False}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                   local_directory=str(root / "dask"), silence_logs=DASK_LOG_LEVEL)
            logging.getLogger("distributed").setLevel(DASK_LOG_LEVEL)
            with Client(cluster) as client:
                client.register_plugin(BrowserPlugin())
                yield client
    except BaseException:
        # Ctrl-C or a failed export: a graceful close would wait for every busy browser to finish its part.
        # Everything below this process (nannies, workers, Playwright's drivers, the browsers) is the
        # cluster's and goes now, before the caller removes `root` from under it.
        _kill_children()
        raise
    finally:
        if cluster is not None:
            try:
                cluster.close(timeout=10)
            except Exception:  # noqa: BLE001 — after the kill its workers are gone: nothing left to close
                pass
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved


def _kill_children() -> None:
    import psutil  # a dependency of distributed

    def cluster_processes() -> list:
        # All but this process's own multiprocessing resource tracker, which outlives the cluster (killed,
        # it is relaunched and complains about every semaphore it no longer knows).
        return [child for child in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(_cmdline(child))]

    # Again until none is left: a nanny may start a new worker between a look and the kill.
    for _ in range(10):
        children = cluster_processes()
        if not children:
            return
        for child in children:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(children, timeout=10)


def _cmdline(process) -> list[str]:
    import psutil

    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


class Progress:
    """One bar (tqdm) over every frame of the run on a terminal; plain lines per 5 % otherwise."""

    def __init__(self, total: int, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.total, self.done, self.shown = total, 0, -5
        self.started = time.monotonic()
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.bar = tqdm(total=total, file=self.stream, unit="frame", desc="rendering") if tty else None

    def advance(self, frames: int) -> None:
        self.done += frames
        if self.bar is not None:
            self.bar.update(frames)
            return
        percent = 100 * self.done // max(self.total, 1)
        if percent >= self.shown + 5 or self.done == self.total:
            self.shown = percent
            elapsed = time.monotonic() - self.started
            rate = self.done / elapsed if elapsed > 0 else 0
            print(f"[elapsed {elapsed:.0f}s] rendering {percent:3d}% frame {self.done}/{self.total} {rate:.1f} fps",
                  file=self.stream, flush=True)

    def write(self, line: str) -> None:
        (self.bar.write if self.bar is not None else lambda text: print(text, file=self.stream, flush=True))(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_jobs(client, jobs: list[FarmJob], work: Path, stream=None) -> None:
    """Render every job through `client`; each job ends with its file written or its `error` set. A single
    export raises FarmError instead of recording it."""
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    tracks = {}

    def track(job: FarmJob):
        """The job's track on the cluster, sent once per distinct track (again only if it was lost)."""
        scattered = tracks.get(job.track.digest)
        if scattered is None or scattered.status != "finished":
            # On every worker (each loads it anyway). Scattered data cannot be recomputed: the copies may
            # still all be lost (a scheduler's memory manager keeps just one), so a part cancelled for that
            # is submitted again below with the track sent anew.
            tracks[job.track.digest] = scattered = client.scatter(job.track, broadcast=True)
        return scattered

    def submit(job: FarmJob, part: tuple[int, int] | None):
        if part is None:  # the audio first (it waits for no frame)
            return client.submit(audio_task, track(job), job.project, job.settings, pure=False, retries=RETRIES,
                                 priority=1)
        return client.submit(part_task, track(job), job.project, job.settings, *part, pure=False, retries=RETRIES)

    for job in jobs:
        track(job)
    plans = {client.submit(plan_task, track(job), job.project, job.settings, pure=False): job for job in jobs}
    for future, job in plans.items():
        try:
            job.plan = future.result()
        except Exception as error:  # noqa: BLE001 — the page's refusal, e.g. a range past the track's end
            job.error = error_line(error)
    live = [job for job in jobs if not job.error]
    if len(jobs) == 1 and not live:
        raise FarmError(jobs[0].error)
    progress = Progress(sum(job.frames for job in live), stream)
    tasks = {}
    for number, job in enumerate(live):
        job.settings = {**job.settings, "encoder": job.plan["encoder"]}  # fixed once for every part
        progress.write(f"encoder: {job.plan['reason']}")
        job.parts = plan_parts(job.plan["segments"])
        for part in [None, *job.parts]:
            tasks[submit(job, part)] = (job, part)
        job.seconds = -time.monotonic()
        (work / str(number)).mkdir(parents=True, exist_ok=True)
    remaining = {job.out: len(job.parts) + 1 for job in live}
    resubmitted: dict[tuple, int] = {}
    completed = as_completed(list(tasks))
    try:
        for future in completed:
            job, part = tasks.pop(future)
            if job.error:
                continue
            try:
                _collect(job, part, future.result(), work / str(live.index(job)))
            except FutureCancelledError as cancelled:
                key = (job.out, part)
                resubmitted[key] = resubmitted.get(key, 0) + 1
                if resubmitted[key] > RETRIES:
                    raise FarmError(error_line(cancelled)) from None
                again = submit(job, part)
                tasks[again] = (job, part)
                completed.add(again)
                continue
            except Exception as error:  # noqa: BLE001 — this job fails; a batch goes on with the others
                job.error = error_line(error)
                for other, (owner, _) in tasks.items():
                    if owner is job:
                        other.cancel()
                if len(jobs) == 1:
                    raise FarmError(job.error) from None
                progress.write(f"error: {job.out}: {job.error}")
                continue
            finally:
                future.release()
            if part is not None:
                progress.advance(part_frames(part, job.plan))
            remaining[job.out] -= 1
            if remaining[job.out] == 0:
                _finish(job, work / str(live.index(job)))
    finally:
        progress.close()


def _collect(job: FarmJob, part: tuple[int, int] | None, reply: dict, folder: Path) -> None:
    job.keys.add(reply["manifestKey"])
    if len(job.keys) > 1:
        raise FarmError("the workers disagree on the export (another build, project or decoding of the track): "
                        "every worker needs the same viz-engine build")
    ext = job.settings["format"]
    if part is None:
        job.audio_file = folder / f"audio.{ext}"
        job.audio_file.write_bytes(reply["audio"])
        return
    for segment, data in zip(range(*part), reply["segments"], strict=True):
        job.segment_files[segment] = folder / f"segment-{segment:06d}.{ext}"
        job.segment_files[segment].write_bytes(data)


def _finish(job: FarmJob, folder: Path) -> None:
    segments = [job.segment_files[s] for s in sorted(job.segment_files)]
    join(segments, job.audio_file, job.out, job.settings["format"], folder)
    shutil.rmtree(folder, ignore_errors=True)  # a long batch keeps only what is still to be joined
    job.seconds += time.monotonic()


@contextmanager
def work_root() -> Iterator[Path]:
    """The run's own temporary folder (segments waiting for the join; a local cluster's files), removed at
    the end whatever happens, Ctrl-C included."""
    root = Path(tempfile.mkdtemp(prefix="vizengine-farm-"))
    try:
        yield root
    finally:
        for _ in range(5):  # a browser still closing may write a last file while its folder goes
            shutil.rmtree(root, ignore_errors=True)
            if not root.exists():
                break
            time.sleep(1)
