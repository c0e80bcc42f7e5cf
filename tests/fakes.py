"""Test doubles for the page side of an export: frame store, ffmpeg runtimes and the Host.

Imported by the tests as `from fakes import ...` (pytest puts tests/ on sys.path in "prepend" mode).
Every fake appends to a shared `events` list, so a test can check the order of what happened across
host, frame store and encoder.
"""

from __future__ import annotations

import asyncio
import collections
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from vizengine.audio.clip import DecodedAudio
from vizengine.export.cancel import CancelSignal
from vizengine.errors import AudioError, EncoderError, ExportCancelled, StorageError

NO_AUDIO_MESSAGE = "No audio is loaded: pick a file or use the demo track."


def synthetic_audio(seconds: float = 2.0, rate: int = 48000) -> DecodedAudio:
    """Deterministic stereo tones under a 2 Hz swell (silent at t = 0, 0.5, 1, ...), float32."""
    t = np.arange(round(seconds * rate), dtype=np.float64) / rate
    swell = 0.5 - 0.5 * np.cos(2 * np.pi * 2.0 * t)
    left = 0.6 * np.sin(2 * np.pi * 440.0 * t) * swell
    right = 0.4 * np.sin(2 * np.pi * 660.0 * t) * swell
    return DecodedAudio(np.stack([left, right]).astype(np.float32), rate)


def default_project() -> dict:
    """The page's project JSON: an opaque background layer and a translucent bars layer on top."""
    return {
        "version": 1,
        "background": "#101820",
        "layers": [
            {"id": "gradient", "kind": "pulse-gradient", "opacity": 1.0, "blendMode": "normal",
             "background": "transparent"},
            {"id": "bars", "kind": "spectrum-bars", "opacity": 0.8, "blendMode": "screen",
             "background": "transparent"},
        ],
        "analyser": {"fftSize": 256, "smoothing": 0.5, "minDb": -90, "maxDb": -20},
    }


class FakeFrameStore:
    """Frames by index in a dict. `history` keeps every put, even after clear()."""

    def __init__(self, events: list | None = None, fail_put_at: int | None = None,
                 fail_clear_on: tuple[int, ...] = ()) -> None:
        self.events = events if events is not None else []
        self.frames: dict[int, bytes] = {}
        self.history: list[tuple[int, bytes]] = []
        self.fail_put_at = fail_put_at
        self.fail_clear_on = set(fail_clear_on)  # 1-based numbers of the clear() calls that fail
        self.clear_calls = 0

    async def put(self, index: int, jpeg: bytes) -> None:
        if index == self.fail_put_at:
            self.events.append(("frames.put failed", index))
            raise StorageError(f"The browser ran out of storage at frame {index}")
        self.frames[index] = bytes(jpeg)
        self.history.append((index, bytes(jpeg)))
        self.events.append(("frames.put", index))

    async def flush(self) -> None:
        self.events.append(("frames.flush",))

    async def count(self) -> int:
        return len(self.frames)

    async def clear(self) -> None:
        self.clear_calls += 1
        if self.clear_calls in self.fail_clear_on:
            self.events.append(("frames.clear failed",))
            raise StorageError("IndexedDB is gone")
        self.frames.clear()
        self.events.append(("frames.clear",))


class FakeFfmpegRuntime:
    """Records calls and never runs ffmpeg. `fail_at` names a step (load, write_frames, write_file,
    run, read_output, clear) that raises EncoderError; `cancel_in_run` cancels the signal inside run
    and then either raises ExportCancelled ("raise", as a real runtime does) or returns ("return")."""

    def __init__(self, frames: FakeFrameStore | None = None, events: list | None = None,
                 fail_at: str | None = None, cancel_in_run: str | None = None,
                 output: bytes = b"fake encoded video", progress_steps: int = 3) -> None:
        self.frames = frames
        self.events = events if events is not None else []
        self.fail_at = fail_at
        self.cancel_in_run = cancel_in_run
        self.output = output
        self.progress_steps = progress_steps
        self.files: dict[str, bytes] = {}
        self.written: dict[str, bytes] = {}  # every file ever written, kept after clear()
        self.calls: list[tuple] = []
        self.frames_seen: list[int] | None = None

    def _step(self, name: str, *details: Any) -> None:
        self.calls.append((name, *details))
        self.events.append((f"ffmpeg.{name}",))
        if self.fail_at == name:
            raise EncoderError(f"fake ffmpeg failed at {name}")

    async def load(self) -> None:
        self._step("load")

    async def write_frames(self, count: int, pattern: str) -> None:
        self._step("write_frames", count, pattern)
        if self.frames is not None:
            self.frames_seen = sorted(self.frames.frames)

    async def write_file(self, name: str, data: bytes) -> None:
        self._step("write_file", name)
        self.files[name] = self.written[name] = bytes(data)

    async def run(self, args: list[str], progress, signal: CancelSignal) -> None:
        self._step("run", list(args))
        for k in range(1, self.progress_steps + 1):
            progress(k)
        if self.cancel_in_run:
            signal.cancel()
            if self.cancel_in_run == "raise":
                raise ExportCancelled()

    async def read_output(self, name: str, mime: str) -> Any:
        self._step("read_output", name, mime)
        return self.output

    async def clear(self) -> None:
        self._step("clear")
        self.files.clear()


class NativeFfmpegRuntime:
    """encoder.FfmpegRuntime over the native ffmpeg binary, in a private directory."""

    def __init__(self, frames: FakeFrameStore, workdir: Path | None = None,
                 events: list | None = None) -> None:
        self.frames = frames
        self.dir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="vizengine-ffmpeg-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.events = events if events is not None else []
        self.last_args: list[str] | None = None
        self.progress_seen: list[int] = []

    async def load(self) -> None:
        self.events.append(("ffmpeg.load",))
        if shutil.which("ffmpeg") is None:
            raise EncoderError("native ffmpeg is not installed")

    async def write_frames(self, count: int, pattern: str) -> None:
        self.events.append(("ffmpeg.write_frames",))
        for i in range(count):
            if i not in self.frames.frames:
                raise EncoderError(f"frame {i} is missing from the frame store")
            (self.dir / (pattern % i)).write_bytes(self.frames.frames[i])

    async def write_file(self, name: str, data: bytes) -> None:
        self.events.append(("ffmpeg.write_file",))
        (self.dir / name).write_bytes(data)

    async def run(self, args: list[str], progress, signal: CancelSignal) -> None:
        self.events.append(("ffmpeg.run",))
        self.last_args = list(args)
        signal.check()
        proc = await asyncio.create_subprocess_exec(
            "ffmpeg", *args, cwd=self.dir, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)

        def stop() -> None:
            try:
                proc.terminate()
            except ProcessLookupError:
                pass

        unsubscribe = signal.on_cancel(stop)
        tail: collections.deque[str] = collections.deque(maxlen=12)
        pending = ""
        try:
            while chunk := await proc.stderr.read(4096):
                pending += chunk.decode("utf-8", "replace")
                *lines, pending = re.split(r"[\r\n]", pending)
                for line in filter(None, (s.strip() for s in lines)):
                    tail.append(line)
                    if m := re.match(r"frame=\s*(\d+)", line):
                        self.progress_seen.append(int(m.group(1)))
                        progress(int(m.group(1)))
            if pending.strip():
                tail.append(pending.strip())
            code = await proc.wait()
        finally:
            unsubscribe()
            if proc.returncode is None:
                stop()
                await proc.wait()
        if signal.cancelled:
            signal.check()
        if code != 0:
            raise EncoderError(f"ffmpeg exited with {code}: " + " | ".join(tail))

    async def read_output(self, name: str, mime: str) -> bytes:
        self.events.append(("ffmpeg.read_output",))
        return (self.dir / name).read_bytes()

    async def clear(self) -> None:
        self.events.append(("ffmpeg.clear",))
        for path in self.dir.iterdir():
            if path.is_file():
                path.unlink()

    def files(self) -> list[str]:
        return sorted(p.name for p in self.dir.iterdir())


class FakeHost:
    """host.Host for tests.

    draw_frame/read_frame draw two layers (premultiplied, bottom-up rows): layer 0 an opaque colour that
    follows `time`, layer 1 a translucent bar whose height follows audio.frequency[index].max().
    Failure injection: `fail_at_frame`/`failure` raise while rendering that frame; `cancel_at_frame`
    cancels `signal` while rendering that frame; `fail` maps a method name (pause_playback,
    restore_playback, begin_render, end_render, deliver, project) to an exception it raises.
    """

    def __init__(self, *, audio: DecodedAudio | None = None, no_audio: bool = False,
                 project: dict | None = None, frames: FakeFrameStore | None = None,
                 ffmpeg: Any = None, fail_at_frame: int | None = None,
                 failure: BaseException | None = None, cancel_at_frame: int | None = None,
                 signal: CancelSignal | None = None, fail: dict[str, BaseException] | None = None) -> None:
        self.events: list[tuple] = []
        self.audio = None if no_audio else (audio if audio is not None else synthetic_audio())
        self._project = project if project is not None else default_project()
        self.frames = frames if frames is not None else FakeFrameStore()
        self.frames.events = self.events
        self.ffmpeg = ffmpeg if ffmpeg is not None else FakeFfmpegRuntime(self.frames)
        self.ffmpeg.events = self.events
        self.fail_at_frame, self.failure = fail_at_frame, failure
        self.cancel_at_frame, self.signal = cancel_at_frame, signal
        self.fail = fail or {}
        self.renders: list[tuple[int, float, float]] = []
        self.bar_levels: list[int] = []
        self.render_audio = None
        self.render_size: tuple[int, int] | None = None
        self.delivered: list[tuple[Any, str, str]] = []

    def _call(self, name: str, *details: Any) -> None:
        self.events.append((name, *details))
        if name in self.fail:
            raise self.fail[name]

    def names(self) -> list[str]:
        """The event names in order, with consecutive repeats (per-frame events) collapsed."""
        out: list[str] = []
        for event in self.events:
            if not out or out[-1] != event[0]:
                out.append(event[0])
        return out

    def project(self) -> dict:
        self._call("project")
        return self._project

    async def decode_audio(self) -> DecodedAudio:
        self._call("decode_audio")
        if self.audio is None:
            raise AudioError(NO_AUDIO_MESSAGE)
        return self.audio

    def pause_playback(self) -> None:
        self._call("pause_playback")

    def restore_playback(self) -> None:
        self._call("restore_playback")

    def begin_render(self, width: int, height: int, audio) -> None:
        self._call("begin_render", width, height)
        self.render_size, self.render_audio = (width, height), audio

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        self.events.append(("draw_frame", index))
        self.renders.append((index, time, dt))
        if index == self.cancel_at_frame:
            self.signal.cancel()
        if index == self.fail_at_frame:
            raise self.failure if self.failure is not None else RuntimeError(f"WebGL context lost at frame {index}")
        assert self.render_size is not None and self.render_audio is not None, "draw_frame before begin_render"
        self._drawn = (index, time)

    def read_frame(self, out: np.ndarray) -> None:
        self.events.append(("read_frame", self._drawn[0]))
        index, time = self._drawn
        width, height = self.render_size
        assert out.shape == (len(self._project["layers"]), height, width, 4), f"bad out shape {out.shape}"
        phase = (time * 0.7) % 1.0
        out[0] = (int(255 * phase), int(255 * (1 - phase)), 90, 255)
        level = int(self.render_audio.frequency[index].max())
        self.bar_levels.append(level)
        if out.shape[0] > 1:
            alpha = 160
            out[1] = 0
            bar = level * height // 255  # rows from the bottom (row 0 is the bottom row)
            out[1, :bar, width // 4: 3 * width // 4] = (240 * alpha // 255, 200 * alpha // 255,
                                                        40 * alpha // 255, alpha)
        for extra in range(2, out.shape[0]):
            out[extra] = 0

    def end_render(self) -> None:
        self._call("end_render")

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        self._call("deliver", file_name, mime)
        self.delivered.append((output, file_name, mime))
        return len(output)
