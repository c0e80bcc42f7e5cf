"""The WebCodecs encoder's page side (web/src/encode/webcodecs-runtime.js) seen from Python.

JS failures become EncoderError (StorageError for IndexedDB); a wait that `cancel()` aborted raises
EncoderError too, which the encoder turns into a cancel by checking its signal.
"""

from __future__ import annotations

from typing import Any

from ..encode.choice import Support
from ..errors import EncoderError
from .ffi import awaited, page_call, to_plain_js, to_uint8array


class JsVideoCodecRuntime:
    def __init__(self, runtime: Any) -> None:
        self._js = runtime

    async def supports(self, config: dict) -> Support:
        """Whether this browser encodes `config` (webcodecs.WebCodecsConfig.to_dict()); never raises:
        a check that fails is a "no" with its reason."""
        try:
            answer = await awaited(EncoderError, "Could not ask the browser about WebCodecs",
                                   lambda: self._js.supports(to_plain_js(config)))
            answer = answer.to_py() if hasattr(answer, "to_py") else dict(answer)
            return Support(bool(answer["supported"]), str(answer.get("why") or ""))
        except Exception as error:  # noqa: BLE001 — any failure means: do not use WebCodecs
            return Support(False, str(error))

    def configure(self, config: dict, fps: int, format: str) -> None:
        with page_call(EncoderError, "Could not configure the WebCodecs encoder"):
            self._js.configure(to_plain_js(config), fps, format)

    async def encode_frame(self, video_frame: Any, segment: int, offset: int, key_frame: bool) -> None:
        await awaited(EncoderError, f"Could not encode frame {offset} of segment {segment}",
                      lambda: self._js.encodeFrame(video_frame, segment, offset, key_frame))

    async def end_segment(self, export_id: str, segment: int, first: int, count: int) -> None:
        await awaited(EncoderError, f"Could not store segment {segment}",
                      lambda: self._js.endSegment(export_id, segment, first, count))

    async def wait_all(self) -> None:
        await awaited(EncoderError, "A segment could not be encoded", self._js.waitAll)

    async def encode_opus(self, export_id: str, wav: bytes, bitrate: int, seconds: float) -> None:
        await awaited(EncoderError, "The audio could not be encoded",
                      lambda: self._js.encodeOpus(export_id, to_uint8array(wav), bitrate, seconds))

    def cancel(self) -> None:
        with page_call(EncoderError, "Could not stop the WebCodecs encoder"):
            self._js.cancel()

    async def stop(self) -> None:
        await awaited(EncoderError, "Could not stop the WebCodecs encoder", self._js.stop)
