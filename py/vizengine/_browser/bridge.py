"""The one module that talks to the page, over pyodide.ffi.

Data crosses as typed-array copies into preallocated buffers (`assign`/`assign_to`): converting numpy
arrays with `to_js` costs seconds per frame here. JS values become typed Python objects here and only
here (the project description through `Project.from_json`), and every JS exception becomes a readable
`ExportError` in `_page_call`. The JS side is web/src/host.js.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Iterator, TypeVar

import js  # type: ignore[import-not-found]
import numpy as np
from pyodide.ffi import JsException, create_proxy, to_js  # type: ignore[import-not-found]

from ..audio.analysis import AudioFrames
from ..audio.clip import DecodedAudio
from ..audio.paused_frame import paused_frame
from ..encode.encoder import FfmpegEncoder
from ..errors import AudioError, EncoderError, ExportCancelled, ExportError, RenderError, StorageError
from ..export.cancel import CancelSignal
from ..export.orchestrator import export_video
from ..export.settings import ExportSettings
from ..export.store import ExportStore, Phase
from ..frames.gpu_plan import gpu_plan
from ..project.description import Project

T = TypeVar("T")


def to_uint8array(data: bytes | np.ndarray) -> Any:
    view = memoryview(data).cast("B")
    array = js.Uint8Array.new(view.nbytes)
    array.assign(view)
    return array


def to_plain_js(value: Any) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


def js_message(error: JsException) -> str:
    return str(error).strip() or "unknown browser error"


def _storage_message(message: str) -> str:
    # IndexedDB failures surface on the put or flush after the batch that failed: say what it means.
    if "Quota" in message:
        return ("The browser ran out of storage for frames: export a shorter range or a lower resolution, "
                "or free disk space.")
    return f"Could not store frames: {message}"


@contextmanager
def _page_call(error: type[ExportError], what: str | Callable[[str], str]) -> Iterator[None]:
    """Turn a JS exception raised inside into `error`, with a message a user can read."""
    try:
        yield
    except JsException as exc:
        message = js_message(exc)
        raise error(what(message) if callable(what) else f"{what}: {message}") from None


async def _awaited(error: type[ExportError], what: str | Callable[[str], str], call: Callable[[], Any]) -> Any:
    with _page_call(error, what):
        result = call()
        return (await result) if result is not None and hasattr(result, "then") else result


class JsFrameStore:
    def __init__(self, store: Any) -> None:
        self._js = store

    async def put(self, index: int, jpeg: bytes) -> None:
        await _awaited(StorageError, _storage_message, lambda: self._js.put(index, to_uint8array(jpeg)))

    async def flush(self) -> None:
        await _awaited(StorageError, _storage_message, self._js.flush)

    async def clear(self) -> None:
        await _awaited(StorageError, "Could not clear the stored frames", self._js.clear)


class JsFfmpegRuntime:
    def __init__(self, runtime: Any) -> None:
        self._js = runtime

    async def load(self) -> None:
        await _awaited(EncoderError, "ffmpeg.wasm failed to load", self._js.load)

    async def write_frames(self, count: int, pattern: str) -> None:
        await _awaited(EncoderError, "ffmpeg.wasm could not read the stored frames",
                       lambda: self._js.writeFramesFromStore(count, pattern))

    async def write_file(self, name: str, data: bytes) -> None:
        await _awaited(EncoderError, f"ffmpeg.wasm could not take {name}",
                       lambda: self._js.writeFile(name, to_uint8array(data)))

    async def run(self, args: list[str], progress: Any, signal: CancelSignal) -> None:
        controller = js.AbortController.new()
        unsubscribe = signal.on_cancel(lambda: controller.abort())
        on_progress = create_proxy(progress)
        try:
            await self._js.run(to_js(args), on_progress, controller.signal)
        except JsException as error:
            signal.check()  # an abort we asked for is a cancel, not a failure
            raise EncoderError(f"ffmpeg.wasm could not encode: {js_message(error)}") from None
        finally:
            unsubscribe()
            on_progress.destroy()

    async def read_output(self, name: str, mime: str) -> Any:
        return await _awaited(EncoderError, "ffmpeg.wasm's output could not be read",
                              lambda: self._js.readOutput(name, mime))

    async def clear(self) -> None:
        await _awaited(EncoderError, "ffmpeg.wasm's files could not be removed", self._js.clear)


class BrowserHost:
    def __init__(self, host: Any) -> None:
        self._js = host

    def project(self) -> Project:
        with _page_call(ExportError, "Could not read the project from the page"):
            description = self._js.project().to_py()
        return Project.from_json(description)

    async def decode_audio(self) -> DecodedAudio:
        decoded = await _awaited(AudioError, "Could not decode the audio", self._js.decodeAudio)
        if decoded is None:
            raise AudioError("No audio is loaded: pick a file or use the demo track.")
        channels = decoded.channels
        samples = np.empty((channels.length, decoded.length), dtype=np.float32)
        for c in range(channels.length):
            channels[c].assign_to(samples[c])
        return DecodedAudio(samples, int(decoded.sampleRate))

    def pause_playback(self) -> None:
        with _page_call(ExportError, "Could not pause playback"):
            self._js.pausePlayback()

    def restore_playback(self) -> None:
        with _page_call(ExportError, "Could not restore playback"):
            self._js.restorePlayback()

    def configure_compositor(self, plan: dict) -> None:
        with _page_call(RenderError, "The compositor refused the plan"):
            self._js.configureCompositor(to_plain_js(plan))

    def show_paused_frame(self, frames: AudioFrames, dt: float) -> None:
        with _page_call(RenderError, "Could not show the paused frame"):
            self._show_paused_frame(frames, dt)

    def _show_paused_frame(self, frames: AudioFrames, dt: float) -> None:
        self._js.showPausedFrame(to_plain_js({
            "frequency": to_uint8array(frames.frequency[-1]),
            "timeDomain": to_uint8array(frames.time_domain[-1]),
            "sampleRate": frames.sample_rate,
            "dt": dt,
        }))

    def begin_render(self, width: int, height: int, audio: AudioFrames) -> None:
        with _page_call(RenderError, f"Could not prepare rendering at {width}x{height}"):
            self._js.beginRender(width, height, to_plain_js({
                "frequency": to_uint8array(audio.frequency),
                "timeDomain": to_uint8array(audio.time_domain),
                "fftSize": audio.fft_size,
                "sampleRate": audio.sample_rate,
                "frames": len(audio),
            }))

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        with _page_call(RenderError, f"Could not draw frame {index}"):
            self._js.drawFrame(index, time, dt)

    def read_frame(self, out: np.ndarray) -> None:
        with _page_call(RenderError, "Could not read the rendered frame"):
            self._js.readFrame().assign_to(out)

    def end_render(self) -> None:
        with _page_call(RenderError, "Could not return the renderer to the preview"):
            self._js.endRender()

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        return int(await _awaited(ExportError, "Could not hand over the file",
                                  lambda: self._js.deliver(output, file_name, mime)))


class App:
    """What the page calls: plan the preview, show a paused frame, run one export at a time, cancel it."""

    def __init__(self, host: Any) -> None:
        self._page = host
        self.host = BrowserHost(host)
        self.store = ExportStore()
        self.signal: CancelSignal | None = None
        self._paused_request = 0
        self.store.subscribe(lambda snapshot: host.onState(to_plain_js(snapshot)))

    def plan_preview(self) -> None:
        """Give the compositor the current project's plan; not while an export owns the renderer."""
        if self.signal is None:
            self.host.configure_compositor(gpu_plan(self.host.project()))

    def show_paused_frame(self, time: float, fps: int) -> Any:
        """Analyse the frame an export would show at `time` and hold it in the paused preview."""
        self._paused_request += 1
        return asyncio.ensure_future(self._paused(self._paused_request, Fraction(time), int(fps)))

    async def _paused(self, request: int, time: Fraction, fps: int) -> None:
        audio = await self.host.decode_audio()
        if request != self._paused_request or self.signal is not None:
            return  # the playhead moved on, or an export began, while the audio was copied
        frames = paused_frame(audio, time, fps, **self.host.project().analyser_kwargs())
        self.host.show_paused_frame(frames, 1.0 / fps)

    def start_export(self, settings: Any) -> Any:
        return asyncio.ensure_future(self._run(settings.to_py() if hasattr(settings, "to_py") else settings))

    async def _run(self, settings: dict) -> Any:
        if self.signal is not None:
            return to_plain_js({"status": "failed", "message": "An export is already running."})
        self.signal = CancelSignal()
        encoder = FfmpegEncoder(JsFfmpegRuntime(self._page.ffmpeg), JsFrameStore(self._page.frames))
        try:
            result = await export_video(self.host, ExportSettings.from_dict(settings), self.signal, self.store,
                                        encoder)
            return to_plain_js({"status": "complete", **result.__dict__})
        except ExportCancelled as cancelled:
            return to_plain_js({"status": "cancelled", "message": str(cancelled)})
        except ExportError as error:
            if self.store.phase is Phase.IDLE:  # settings rejected before the export began
                self.store.begin(settings)
                self.store.log("error", str(error))
                self.store.finish(Phase.FAILED, error=str(error))
            return to_plain_js({"status": "failed", "message": str(error)})
        finally:
            self.signal = None
            try:
                self.plan_preview()  # an edit made during the export shows now
            except ExportError as error:
                self.store.log("error", f"preview: {error}")

    def log(self, level: str, message: str) -> None:
        """A line from the page for the export log (e.g. the tab was hidden)."""
        self.store.log(level, message)

    def cancel(self) -> None:
        if self.signal is not None:
            self.signal.cancel()


def install(host: Any) -> App:
    return App(host)
