"""encode.segmented_encoder.SegmentRuntime over native ffmpeg, in a directory that outlives the runtime.

What IndexedDB and OPFS hold in the page lives under `root`, so a new NativeSegmentRuntime on the same
directory is the page after a reload (or a CLI after a kill):

    exports/<id>/manifest.json       the manifest as begin() got it
    exports/<id>/frames/<i>.jpg       frames put and not encoded yet (a segment's go when it is stored)
    exports/<id>/segments/<s>.<ext>   finished segments, renamed into place only once complete
    exports/<id>/audio.<ext>          the encoded audio
    outputs/<id>.<ext>                the joined file (OPFS), which finish_export keeps for the download
    jobs/                             each ffmpeg's private working directory while it runs

Each segment runs `ffmpeg` with the encoder's own `segment_args` in a job directory holding its frames
numbered from 0, at most `workers` at a time; the audio runs `audio_args`; mux joins the segments with
ffmpeg's concat demuxer and `-c copy` plus the audio (`-movflags +faststart` for mp4).

A resumable entry's `key` is the manifest's key (sha-256 of the manifest JSON, as Manifest.key): the
key the page must store for a resume to match.

Test hooks: `kill_at_frame` makes the runtime die at that put_frame (after the queued segments are
stored if `settle_before_kill`, else with them interrupted): it raises `Killed`, which nothing in the
export catches, and every later call does nothing, as in a closed tab. `fail_segment` makes that
segment's ffmpeg fail (it finds none of its frames). `calls` records every call; `max_pending` the
most segments queued or running at once; `capacity_limits` every limit wait_for_capacity got;
`stop_leftovers` stops (and counts) segment encodes an export left running.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import shutil
from pathlib import Path

from fakes import FakeFrameStore
from native_ffmpeg import NativeFfmpegRuntime

from vizengine.encode.encoding import AUDIO_FILE, FRAME_PATTERN
from vizengine.encode.segments import Segment
from vizengine.errors import EncoderError, ExportCancelled
from vizengine.export.cancel import CancelSignal

CANCELLED = "Export cancelled: the encoders were stopped"


class Killed(BaseException):
    """The process running the export died (tab closed, CLI killed): nothing handles it."""


def concat_args(audio: str | None, fmt: str, output: str) -> list[str]:
    """Join without re-encoding: the segments through the concat demuxer (list.txt), then the audio."""
    args = ["-hide_banner", "-y", "-f", "concat", "-safe", "0", "-i", "list.txt"]
    args += ["-i", audio] if audio else []
    args += ["-map", "0:v:0"] + (["-map", "1:a:0"] if audio else []) + ["-c", "copy"]
    args += ["-movflags", "+faststart"] if fmt == "mp4" else []
    return args + [output]


class NativeSegmentRuntime:
    def __init__(self, root: Path, *, auto_workers: int = 2, kill_at_frame: int | None = None,
                 settle_before_kill: bool = True, fail_segment: int | None = None) -> None:
        self.root = Path(root)
        for folder in ("exports", "outputs", "jobs"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.auto_workers = auto_workers
        self.kill_at_frame, self.settle_before_kill = kill_at_frame, settle_before_kill
        self.fail_segment = fail_segment
        self.calls: list[tuple] = []
        self.max_pending = 0
        self.capacity_limits: list[int] = []
        self.dead = False
        self._running: set[str] = set()  # exports this instance works on (the page's Web Locks)
        self._tasks: list[asyncio.Task] = []
        self._jobs: dict[int, tuple[CancelSignal, NativeFfmpegRuntime]] = {}
        self._error: Exception | None = None
        self._slots: asyncio.Semaphore | None = None
        self._frames_done = 0

    # -- what the runtime holds, read from disk as a new instance would ------------------------------

    def export_dir(self, export_id: str) -> Path:
        return self.root / "exports" / export_id

    def stored(self) -> dict[str, list[int]]:
        """Every stored export's finished segments."""
        return {path.name: self._segments_done(path.name) for path in sorted((self.root / "exports").iterdir())}

    def files(self) -> list[str]:
        """Every file under root, relative: [] means nothing is left behind."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def _segments_done(self, export_id: str) -> list[int]:
        folder = self.export_dir(export_id) / "segments"
        return sorted(int(p.name.split(".")[0]) for p in folder.glob("*.*")) if folder.is_dir() else []

    def _pending(self) -> int:
        return sum(1 for task in self._tasks if not task.done())

    # -- SegmentRuntime ------------------------------------------------------------------------------

    async def resumable(self) -> list[dict]:
        self.calls.append(("resumable",))
        entries = []
        for path in sorted((self.root / "exports").iterdir()):
            manifest = path / "manifest.json"
            if path.name in self._running or not manifest.is_file():
                continue
            text = manifest.read_text()
            entries.append({"exportId": path.name, "key": hashlib.sha256(text.encode()).hexdigest()[:32],
                            "manifest": text, "segmentsDone": self._segments_done(path.name)})
        return entries

    async def begin(self, export_id: str, manifest_json: str, workers: int) -> tuple[list[int], int]:
        self.calls.append(("begin", export_id, workers))
        if self.dead:
            return [], 0
        folder = self.export_dir(export_id)
        (folder / "frames").mkdir(parents=True, exist_ok=True)
        (folder / "segments").mkdir(exist_ok=True)
        (folder / "manifest.json").write_text(manifest_json)
        workers = workers or self.auto_workers
        self._running.add(export_id)
        self._slots, self._error, self._frames_done, self._tasks = asyncio.Semaphore(workers), None, 0, []
        return self._segments_done(export_id), workers

    async def put_frame(self, export_id: str, index: int, jpeg: bytes) -> None:
        self.calls.append(("put_frame", index))
        if self.dead:
            return
        if index == self.kill_at_frame:
            await (self.settled() if self.settle_before_kill else self._stop())
            self.dead = True
            raise Killed(f"killed at frame {index}")
        (self.export_dir(export_id) / "frames" / f"{index}.jpg").write_bytes(jpeg)

    async def flush(self) -> None:
        self.calls.append(("flush",))

    def encode_segment(self, export_id: str, segment: Segment, args: list[str], output: str) -> None:
        self.calls.append(("encode_segment", segment.index, segment.first, segment.count))
        if self.dead or self._error is not None:
            return  # failing or cancelled: the waits say so
        self._tasks.append(asyncio.get_running_loop().create_task(
            self._encode_segment(export_id, segment, list(args), output)))
        self.max_pending = max(self.max_pending, self._pending())

    async def wait_for_capacity(self, limit: int) -> None:
        self.calls.append(("wait_for_capacity", limit))
        self.capacity_limits.append(limit)
        while self._error is None and self._pending() >= limit:
            await asyncio.wait([t for t in self._tasks if not t.done()], return_when=asyncio.FIRST_COMPLETED)
        if self._error is not None:
            raise self._error

    async def wait_all(self, progress) -> None:
        self.calls.append(("wait_all",))
        await self.settled()
        if self._error is not None:
            raise self._error
        progress(self._frames_done)

    async def encode_audio(self, export_id: str, wav: bytes, args: list[str], output: str) -> None:
        self.calls.append(("encode_audio", output))
        for old in self.export_dir(export_id).glob("audio.*"):
            old.unlink()
        await self._run_job(f"{export_id}-audio", {AUDIO_FILE: wav}, args, output,
                            self.export_dir(export_id) / output, "The audio could not be encoded")

    async def mux(self, export_id: str, options: dict) -> bytes:
        self.calls.append(("mux", dict(options)))
        fmt, folder = options["format"], self.export_dir(export_id)
        count = math.ceil(options["frameCount"] / options["segmentFrames"])
        segments = [folder / "segments" / f"{s}.{fmt}" for s in range(count)]
        missing = [s for s, path in enumerate(segments) if not path.is_file()]
        if missing:
            raise EncoderError(f"The segments could not be joined: segments {missing} are missing")
        audio = next(folder.glob("audio.*"), None) if options["audio"] else None
        output = self.root / "outputs" / f"{export_id}.{fmt}"
        listing = "".join(f"file '{path}'\n" for path in segments)
        await self._run_job(f"{export_id}-mux", {"list.txt": listing.encode()},
                            concat_args(str(audio) if audio else None, fmt, output.name), output.name, output,
                            "The segments could not be joined")
        return output.read_bytes()

    def cancel(self) -> None:
        self.calls.append(("cancel",))
        self._error = self._error or EncoderError(CANCELLED)
        for signal, _ in list(self._jobs.values()):
            signal.cancel()  # terminates that ffmpeg

    async def discard(self, export_id: str) -> None:
        self.calls.append(("discard", export_id))
        if self.dead:
            return
        if export_id in self._running:
            self.cancel()
            await self.settled()  # no interrupted job may store a segment after the delete
        shutil.rmtree(self.export_dir(export_id), ignore_errors=True)
        for path in (self.root / "outputs").glob(f"{export_id}.*"):
            path.unlink()
        self._running.discard(export_id)

    async def finish_export(self, export_id: str) -> None:
        self.calls.append(("finish_export", export_id))
        if self.dead:
            return
        await self.settled()
        shutil.rmtree(self.export_dir(export_id), ignore_errors=True)  # the output stays for the download
        self._running.discard(export_id)

    # -- internals -----------------------------------------------------------------------------------

    async def settled(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop_leftovers(self) -> int:
        """Stop and count the segment encodes still running (after an export they are a bug)."""
        running = self._pending()
        if running:
            await self._stop()
        return running

    async def _stop(self) -> None:
        self.cancel()
        await self.settled()

    async def _encode_segment(self, export_id: str, segment: Segment, args: list[str], output: str) -> None:
        async with self._slots:
            if self._error is not None:
                return  # dropped from the queue, as the page's pool does after a failure or cancel
            frames = self.export_dir(export_id) / "frames"
            inputs = {FRAME_PATTERN % k: (frames / f"{segment.first + k}.jpg").read_bytes()
                      for k in range(segment.count)}
            if segment.index == self.fail_segment:
                inputs = {}  # ffmpeg finds no frame and exits with an error
            done = self.export_dir(export_id) / "segments" / f"{segment.index}.{output.rsplit('.', 1)[1]}"
            what = f"Segment {segment.index} (frames {segment.first}-{segment.last}) could not be encoded"
            try:
                await self._run_job(f"{export_id}-{segment.index}", inputs, args, output, done, what)
            except Exception as error:  # noqa: BLE001 — the first failure is the export's, as in the page
                self._error = self._error or error
                return
            for k in range(segment.count):
                (frames / f"{segment.first + k}.jpg").unlink(missing_ok=True)
            self._frames_done += segment.count

    async def _run_job(self, name: str, inputs: dict[str, bytes], args: list[str], output: str, keep: Path,
                       what: str) -> None:
        """Run ffmpeg in a fresh job directory holding `inputs`; move its `output` to `keep` (atomically)."""
        folder = self.root / "jobs" / name
        shutil.rmtree(folder, ignore_errors=True)
        signal, runtime = CancelSignal(), NativeFfmpegRuntime(FakeFrameStore(), folder)
        for file, data in inputs.items():
            (folder / file).write_bytes(data)
        key = id(signal)
        self._jobs[key] = (signal, runtime)
        try:
            await runtime.run(args, lambda _: None, signal)
            os.replace(folder / output, keep)  # one rename: a killed job never leaves a half file here
        except ExportCancelled:
            raise EncoderError(CANCELLED) from None
        except EncoderError as error:
            raise EncoderError(f"{what}: {error}") from None
        finally:
            del self._jobs[key]
            shutil.rmtree(folder, ignore_errors=True)
