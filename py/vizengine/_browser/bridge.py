"""The one module that talks to the page, over pyodide.ffi.

Data crosses as typed-array copies into preallocated buffers (`assign`/`assign_to`): converting numpy
arrays with `to_js` costs seconds per frame here. The JS side is web/src/host.js.
"""

from __future__ import annotations

import asyncio
from typing import Any

import js  # type: ignore[import-not-found]
import numpy as np
from pyodide.ffi import JsException, create_proxy, to_js  # type: ignore[import-not-found]

from ..audio.analysis import AudioFrames
from ..audio.clip import DecodedAudio
from ..export.cancel import CancelSignal
from ..errors import AudioError, EncoderError, ExportCancelled, ExportError, StorageError
from ..export.orchestrator import export_video
from ..export.settings import ExportSettings
from ..export.store import ExportStore, Phase


def to_uint8array(data: bytes | np.ndarray) -> Any:
    view = memoryview(data).cast("B")
    array = js.Uint8Array.new(view.nbytes)
    array.assign(view)
    return array


def to_plain_js(value: Any) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


def js_message(error: JsException) -> str:
    return str(error).strip() or "unknown browser error"


def storage_error(error: JsException) -> StorageError:
    """IndexedDB failures surface on the put or flush after the batch that failed: say what it means."""
    message = js_message(error)
    if "Quota" in message:
        return StorageError("The browser ran out of storage for frames: export a shorter range or a lower "
                            "resolution, or free disk space.")
    return StorageError(f"Could not store frames: {message}")


class JsFrameStore:
    def __init__(self, store: Any) -> None:
        self._js = store

    async def put(self, index: int, jpeg: bytes) -> None:
        try:
            committing = self._js.put(index, to_uint8array(jpeg))
            if committing is not None:
                await committing
        except JsException as error:
            raise storage_error(error) from None

    async def flush(self) -> None:
        try:
            await self._js.flush()
        except JsException as error:
            raise storage_error(error) from None

    async def clear(self) -> None:
        await self._js.clear()


class JsFfmpegRuntime:
    def __init__(self, runtime: Any) -> None:
        self._js = runtime

    async def load(self) -> None:
        try:
            await self._js.load()
        except JsException as error:
            raise EncoderError(f"ffmpeg.wasm failed to load: {js_message(error)}") from None

    async def write_frames(self, count: int, pattern: str) -> None:
        await self._js.writeFramesFromStore(count, pattern)

    async def write_file(self, name: str, data: bytes) -> None:
        await self._js.writeFile(name, to_uint8array(data))

    async def run(self, args: list[str], progress: Any, signal: CancelSignal) -> None:
        controller = js.AbortController.new()
        unsubscribe = signal.on_cancel(lambda: controller.abort())
        on_progress = create_proxy(progress)
        try:
            await self._js.run(to_js(args), on_progress, controller.signal)
        except JsException as error:
            signal.check()
            raise EncoderError(f"ffmpeg.wasm could not encode: {js_message(error)}") from None
        finally:
            unsubscribe()
            on_progress.destroy()

    async def read_output(self, name: str, mime: str) -> Any:
        return await self._js.readOutput(name, mime)

    async def clear(self) -> None:
        await self._js.clear()


class BrowserHost:
    def __init__(self, host: Any) -> None:
        self._js = host
        self.frames = JsFrameStore(host.frames)
        self.ffmpeg = JsFfmpegRuntime(host.ffmpeg)
        self._pixels: Any = None

    def project(self) -> dict:
        return self._js.project().to_py()

    async def decode_audio(self) -> DecodedAudio:
        try:
            decoded = await self._js.decodeAudio()
        except JsException as error:
            raise AudioError(f"Could not decode the audio: {js_message(error)}") from None
        if decoded is None:
            raise AudioError("No audio is loaded: pick a file or use the demo track.")
        channels = decoded.channels
        samples = np.empty((channels.length, decoded.length), dtype=np.float32)
        for c in range(channels.length):
            channels[c].assign_to(samples[c])
        return DecodedAudio(samples, int(decoded.sampleRate))

    def pause_playback(self) -> None:
        self._js.pausePlayback()

    def restore_playback(self) -> None:
        self._js.restorePlayback()

    def begin_render(self, width: int, height: int, audio: AudioFrames) -> None:
        self._js.beginRender(width, height, to_plain_js({
            "frequency": to_uint8array(audio.frequency),
            "timeDomain": to_uint8array(audio.time_domain),
            "fftSize": audio.fft_size,
            "sampleRate": audio.sample_rate,
            "frames": len(audio),
        }))

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        self._js.drawFrame(index, time, dt)

    def read_frame(self, out: np.ndarray) -> None:
        self._js.readFrame().assign_to(out)

    def end_render(self) -> None:
        self._js.endRender()

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        return int(await self._js.deliver(output, file_name, mime))


class App:
    """What the page calls: start one export at a time, cancel it, watch its state."""

    def __init__(self, host: Any) -> None:
        self.host = BrowserHost(host)
        self.store = ExportStore()
        self.signal: CancelSignal | None = None
        self.store.subscribe(lambda snapshot: host.onState(to_plain_js(snapshot)))

    def start_export(self, settings: Any) -> Any:
        return asyncio.ensure_future(self._run(settings.to_py() if hasattr(settings, "to_py") else settings))

    async def _run(self, settings: dict) -> Any:
        if self.signal is not None:
            return to_plain_js({"status": "failed", "message": "An export is already running."})
        self.signal = CancelSignal()
        try:
            result = await export_video(self.host, ExportSettings.from_dict(settings), self.signal, self.store)
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

    def log(self, level: str, message: str) -> None:
        """A line from the page for the export log (e.g. the tab was hidden)."""
        self.store.log(level, message)

    def cancel(self) -> None:
        if self.signal is not None:
            self.signal.cancel()


def install(host: Any) -> App:
    return App(host)
