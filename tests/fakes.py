"""Test doubles for the page side of an export: the Host, and the FfmpegEncoder's frame store and runtime.

Imported by the tests as `from fakes import ...` (pytest puts tests/ on sys.path in "prepend" mode).
Every fake appends to a shared `events` list, so a test can check the order of what happened across
host, encoder, frame store and ffmpeg (`ffmpeg_encoder(host.events)` wires an encoder to the host's list).
native_ffmpeg.NativeFfmpegRuntime is the runtime that really encodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vizengine.audio.clip import DecodedAudio
from vizengine.encode.encoder import Encoder, FfmpegEncoder
from vizengine.encode.encoding import EncodeJob
from vizengine.errors import AudioError, EncoderError, ExportCancelled, StorageError
from vizengine.export.cancel import CancelSignal
from vizengine.export.manifest import Manifest
from vizengine.frames.compositing import CompositePlan, Compositor, LayerStyle
from vizengine.frames.frame import Frame, PageFrame
from vizengine.project.contract import BLEND_MODES
from vizengine.project.description import Project

NO_AUDIO_MESSAGE = "No audio is loaded: pick a file or use the demo track."
BUILD_ID = "test-build-1"


def job_manifest(job: EncodeJob, encoder: str = "ffmpeg") -> Manifest:
    """A manifest for an encoder test that has a job but no export (FfmpegEncoder ignores it)."""
    return Manifest({"size": [job.width, job.height], "fps": job.fps, "format": job.format}, {}, "0" * 64,
                    job.frame_count, job.fps * 2, encoder, [], BUILD_ID)


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


def ffmpeg_encoder(events: list, frames: FakeFrameStore | None = None, runtime: Any = None) -> FfmpegEncoder:
    """The export's FfmpegEncoder over fakes (a FakeFfmpegRuntime unless `runtime` is given), recording
    into `events`; `encoder.frames` and `encoder.runtime` are the fakes."""
    frames = frames if frames is not None else FakeFrameStore()
    runtime = runtime if runtime is not None else FakeFfmpegRuntime()
    if getattr(runtime, "frames", None) is None:
        runtime.frames = frames
    frames.events = runtime.events = events
    return FfmpegEncoder(runtime, frames)


class RecordingEncoder:
    """Wraps an Encoder: records each frame it is handed (top-down RGB copies) and an
    ("encoder.add_frame", index) event, then passes every call on."""

    def __init__(self, inner: Encoder, events: list) -> None:
        self.inner, self.events = inner, events
        self.name, self.wants = inner.name, inner.wants
        self.rgb: list[np.ndarray] = []

    async def start(self, job: EncodeJob, manifest: Manifest, signal: CancelSignal) -> None:
        await self.inner.start(job, manifest, signal)

    def needs(self, index: int) -> bool:
        return self.inner.needs(index)

    async def add_frame(self, index: int, frame: Frame) -> None:
        self.events.append(("encoder.add_frame", index))
        self.rgb.append(frame.rgb())
        await self.inner.add_frame(index, frame)

    async def finish(self, audio_wav: bytes | None, progress) -> Any:
        return await self.inner.finish(audio_wav, progress)

    async def abort(self) -> None:
        await self.inner.abort()


def draw_layer(kind: str, audio, index: int, time: float, width: int, height: int) -> np.ndarray:
    """What the fake GPU draws for one layer: premultiplied RGBA, rows bottom-up (row 0 at the bottom).

    pulse-gradient: an opaque colour that follows `time`; spectrum-bars: a translucent bar whose height
    follows audio.frequency[index].max(); waveform: an opaque band whose row follows
    audio.time_domain[index].max().
    """
    out = np.zeros((height, width, 4), dtype=np.uint8)
    if kind == "pulse-gradient":
        phase = (time * 0.7) % 1.0
        out[...] = (int(255 * phase), int(255 * (1 - phase)), 90, 255)
    elif kind == "spectrum-bars":
        alpha = 160
        bar = int(audio.frequency[index].max()) * height // 255
        out[:bar, width // 4: 3 * width // 4] = (240 * alpha // 255, 200 * alpha // 255, 40 * alpha // 255, alpha)
    elif kind == "waveform":
        row = int(audio.time_domain[index].max()) * (height - 8) // 255
        out[row: row + 8] = (30, 220, 250, 255)
    return out


def reference_plan(plan: dict, width: int, height: int) -> CompositePlan:
    """The numpy Compositor's plan for a gpu_plan: what the GPU is asked to composite."""

    def css(rgb) -> str:
        return "rgb({!r} {!r} {!r})".format(*(float(c) * 255.0 for c in rgb))

    layers = []
    for entry in plan["layers"]:
        *premultiplied, alpha = entry["background"]
        if alpha == 0:
            background = "transparent"
        else:
            r, g, b = (c / alpha * 255.0 for c in premultiplied)
            background = f"rgb({r!r} {g!r} {b!r} / {float(alpha)!r})"
        layers.append(LayerStyle(f"slice-{entry['slice']}", entry["opacity"], BLEND_MODES[entry["mode"]],
                                 background))
    return CompositePlan(width, height, css(plan["stage"]), tuple(layers))


class FakeVideoFrame:
    """What BrowserHost.capture_frame hands over in the page: here, which frame it is."""

    def __init__(self, index: int, time: float, closed: list) -> None:
        self.index, self.time, self._closed = index, time, closed

    def close(self) -> None:
        self._closed.append(self.index)


class FakeHost:
    """host.Host for tests: a page whose GPU runs the reference compositor.

    draw_frame "draws" every project layer with `draw_layer`; read_frame composites the layers the
    configured plan names (its slices, modes, opacities, backgrounds, stage colour) with the numpy
    `Compositor` and hands back ONE frame: RGBA, rows bottom-up, alpha 255.
    Failure injection: `fail_at_frame`/`failure` raise while drawing that frame; `cancel_at_frame`
    cancels `signal` while drawing that frame, `cancel_in` while running the named method; `fail`
    maps a method name (project, build_id, pause_playback, decode_audio, restore_playback,
    configure_compositor, layers_ready, begin_render, end_render, deliver) to an exception it raises.
    """

    def __init__(self, *, audio: DecodedAudio | None = None, no_audio: bool = False,
                 project: dict | None = None, fail_at_frame: int | None = None,
                 failure: BaseException | None = None, cancel_at_frame: int | None = None,
                 cancel_in: str | None = None, signal: CancelSignal | None = None,
                 fail: dict[str, BaseException] | None = None, build_id: str = BUILD_ID) -> None:
        self.events: list[tuple] = []
        self.build = build_id
        self.audio = None if no_audio else (audio if audio is not None else synthetic_audio())
        self.project_json = project if project is not None else default_project()
        self.fail_at_frame, self.failure = fail_at_frame, failure
        self.cancel_at_frame, self.cancel_in, self.signal = cancel_at_frame, cancel_in, signal
        self.fail = fail or {}
        self.plans: list[dict] = []
        self.renders: list[tuple[int, float, float]] = []
        self.render_audio = None
        self.render_size: tuple[int, int] | None = None
        self.delivered: list[tuple[Any, str, str]] = []
        self._drawn: tuple[int, float] | None = None
        self.render_form = "pixels"
        self.captured_closed: list[int] = []
        self._compositor: tuple[tuple, Compositor] | None = None

    def _call(self, name: str, *details: Any) -> None:
        self.events.append((name, *details))
        if name == self.cancel_in:
            self.signal.cancel()
        if name in self.fail:
            raise self.fail[name]

    def names(self) -> list[str]:
        """The event names in order, with consecutive repeats (per-frame events) collapsed."""
        out: list[str] = []
        for event in self.events:
            if not out or out[-1] != event[0]:
                out.append(event[0])
        return out

    def layer_pixels(self, index: int, time: float) -> np.ndarray:
        """Every project layer as drawn for frame `index` at `time`: (layers, height, width, 4)."""
        width, height = self.render_size
        kinds = [layer["kind"] for layer in self.project_json["layers"]]
        return np.stack([draw_layer(kind, self.render_audio, index, time, width, height) for kind in kinds])

    def project(self) -> Project:
        self._call("project")
        return Project.from_json(self.project_json)

    def build_id(self) -> str:
        self._call("build_id")
        return self.build

    async def layers_ready(self) -> None:
        self._call("layers_ready")

    async def decode_audio(self) -> DecodedAudio:
        self._call("decode_audio")
        if self.audio is None:
            raise AudioError(NO_AUDIO_MESSAGE)
        return self.audio

    def pause_playback(self) -> None:
        self._call("pause_playback")

    def restore_playback(self) -> None:
        self._call("restore_playback")

    def configure_compositor(self, plan: dict) -> None:
        self._call("configure_compositor")
        self.plans.append(plan)

    def begin_render(self, width: int, height: int, audio, form: str = "pixels") -> None:
        self._call("begin_render", width, height)
        self.render_size, self.render_audio, self.render_form = (width, height), audio, form

    async def capture_frame(self) -> PageFrame:
        """A stand-in VideoFrame: the index and time it shows; `closed` lists what was released."""
        index, time = self._drawn
        self.events.append(("capture_frame", index))
        assert self.render_form == "video_frame", "capture_frame while rendering for pixels"
        return PageFrame(FakeVideoFrame(index, time, self.captured_closed), self.render_size)

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        self.events.append(("draw_frame", index))
        self.renders.append((index, time, dt))
        if index == self.cancel_at_frame:
            self.signal.cancel()
        if index == self.fail_at_frame:
            raise self.failure if self.failure is not None else RuntimeError(f"WebGL context lost at frame {index}")
        assert self.render_size is not None and self.render_audio is not None, "draw_frame before begin_render"
        assert self.plans, "draw_frame before configure_compositor"
        self._drawn = (index, time)

    async def read_frame(self, out: np.ndarray) -> None:
        index, time = self._drawn
        self.events.append(("read_frame", index))
        width, height = self.render_size
        assert out.shape == (height, width, 4) and out.dtype == np.uint8, f"bad out {out.dtype} {out.shape}"
        plan = self.plans[-1]
        key = (id(plan), width, height)
        if self._compositor is None or self._compositor[0] != key:
            self._compositor = (key, Compositor(reference_plan(plan, width, height)))
        slices = [entry["slice"] for entry in plan["layers"]]
        rgb = self._compositor[1].compose(self.layer_pixels(index, time)[slices])
        out[..., :3] = rgb[::-1]
        out[..., 3] = 255

    def end_render(self) -> None:
        self._call("end_render")

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        self._call("deliver", file_name, mime)
        self.delivered.append((output, file_name, mime))
        return len(output)
