"""The segmented encoder's page side (web/src/encode/segment-runtime.js) seen from Python.

Every call maps JS failures to readable errors: storage for IndexedDB, encoder for ffmpeg.wasm and the
muxer. A wait that `cancel()` aborted raises EncoderError here; the encoder turns it into a cancel by
checking its signal.
"""

from __future__ import annotations

from typing import Any

from pyodide.ffi import create_proxy, to_js  # type: ignore[import-not-found]

from ..encode.segments import Segment
from ..errors import EncoderError, StorageError
from .ffi import awaited, page_call, storage_message, to_plain_js, to_uint8array


class JsSegmentRuntime:
    def __init__(self, runtime: Any) -> None:
        self._js = runtime

    async def resumable(self) -> list[dict]:
        entries = await awaited(StorageError, "Could not list stored exports", self._js.resumable)
        return entries.to_py() if hasattr(entries, "to_py") else list(entries)

    async def begin(self, export_id: str, manifest_json: str, workers: int) -> tuple[list[int], int]:
        started = await awaited(EncoderError, "Could not start the encoder workers",
                                lambda: self._js.begin(export_id, manifest_json, workers))
        started = started.to_py()
        return [int(s) for s in started["finished"]], int(started["workers"])

    async def put_frame(self, export_id: str, index: int, jpeg: bytes) -> None:
        await awaited(StorageError, storage_message, lambda: self._js.putFrame(export_id, index, to_uint8array(jpeg)))

    async def flush(self) -> None:
        await awaited(StorageError, storage_message, self._js.flush)

    def encode_segment(self, export_id: str, segment: Segment, args: list[str], output: str) -> None:
        with page_call(EncoderError, f"Could not queue segment {segment.index}"):
            self._js.encodeSegment(export_id, segment.index, segment.first, segment.count, to_js(args), output)

    async def wait_for_capacity(self, limit: int) -> None:
        await awaited(EncoderError, "A segment could not be encoded", lambda: self._js.waitForCapacity(limit))

    async def wait_all(self, progress: Any) -> None:
        on_progress = create_proxy(progress)
        try:
            await awaited(EncoderError, "A segment could not be encoded", lambda: self._js.waitAll(on_progress))
        finally:
            on_progress.destroy()

    async def encode_audio(self, export_id: str, wav: bytes, args: list[str], output: str) -> None:
        await awaited(EncoderError, "The audio could not be encoded",
                      lambda: self._js.encodeAudio(export_id, to_uint8array(wav), to_js(args), output))

    async def mux(self, export_id: str, options: dict) -> Any:
        return await awaited(EncoderError, "The segments could not be joined",
                             lambda: self._js.mux(export_id, to_plain_js(options)))

    async def hand_over(self, export_id: str, segments: list[int], audio: bool) -> Any:
        return await awaited(StorageError, "Could not read the export's segments",
                             lambda: self._js.handOver(export_id, to_js(segments), audio))

    def cancel(self) -> None:
        with page_call(EncoderError, "Could not stop the encoder workers"):
            self._js.cancel()

    async def discard(self, export_id: str) -> None:
        await awaited(StorageError, "Could not delete the export's stored data", lambda: self._js.discard(export_id))

    async def finish_export(self, export_id: str) -> None:
        await awaited(StorageError, "Could not delete the export's stored data",
                      lambda: self._js.finishExport(export_id))
