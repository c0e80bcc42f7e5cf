"""encoder.FfmpegRuntime over the native ffmpeg binary: real encodes in unit tests."""

from __future__ import annotations

import asyncio
import collections
import re
import shutil
import tempfile
from pathlib import Path

from fakes import FakeFrameStore

from vizengine.errors import EncoderError
from vizengine.export.cancel import CancelSignal


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
