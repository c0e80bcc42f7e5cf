"""The render farm's entry points on the page's App (bridge.py): what cli/farm.py drives, through
web/src/farm.js, to render parts of an export (export/part.py) on many browsers and join them itself.

A mixin, so the entry points share App's encoder choice, store, cancel signal and cached audio without a
second copy of them; App provides `host`, `store`, `signal`, `_analyses`, `_choice`, `_encoder` and
`plan_preview`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..encode.choice import CODECS, FFMPEG, WEBCODECS
from ..encode.segments import plan_segments, segment_frames
from ..errors import ExportCancelled, ExportError, InvalidSettings
from ..export.cancel import CancelSignal
from ..export.orchestrator import export_video
from ..export.part import Part
from ..export.settings import ExportSettings
from .ffi import to_plain_js


class FarmEntry:
    def farm_plan(self, settings: Any) -> Any:
        """What a render farm's driver must fix before cutting the export into parts: the loaded track's
        frame count and segments for these settings, the concrete encoder auto picks here (with its reason
        and codecs) and the build. Resolves to that dict, or {"status": "failed", "message"}."""
        return asyncio.ensure_future(self._farm_plan(_plain(settings)))

    async def _farm_plan(self, settings: dict) -> Any:
        try:
            parsed = ExportSettings.from_dict(settings)
            frames = parsed.frame_range((await self.host.decode_audio()).duration)
            choice = await self._choice(parsed)
        except ExportError as error:
            return to_plain_js({"status": "failed", "message": str(error)})
        return to_plain_js({
            "status": "ready", "frames": frames.count, "fps": frames.fps,
            "segments": len(plan_segments(frames.count, frames.fps)), "segmentFrames": segment_frames(frames.fps),
            "encoder": choice.encoder, "reason": choice.reason, "codecs": CODECS[(choice.encoder, parsed.format)],
            "buildId": self.host.build_id(),
        })

    def render_segments(self, settings: Any, first: int, end: int) -> Any:
        """Render segments [first, end) of the export these settings make of the loaded track, as the
        whole export would (same prepare, analysis, encoder and codec settings), and resolve to their
        encoded bytes instead of a joined file: {status: "complete", manifestKey, encoder, codecs,
        segments: [Uint8Array], audio: null, size}, or {status: "failed" | "cancelled", message}. The
        settings' encoder must be concrete (webcodecs or ffmpeg): auto could pick differently elsewhere.
        Nothing of it stays stored in the browser."""
        return asyncio.ensure_future(self._part(_plain(settings), Part(int(first), int(end), False, self._analyses)))

    def encode_audio(self, settings: Any) -> Any:
        """The export's audio, encoded once exactly as a whole export encodes it (AAC m4a for MP4, Opus or
        Vorbis WebM for WebM): render_segments' reply with no segments and the bytes in `audio`."""
        return asyncio.ensure_future(self._part(_plain(settings), Part(0, 0, True, self._analyses)))

    async def _part(self, settings: dict, part: Part) -> Any:
        if self.signal is not None:
            return to_plain_js({"status": "failed", "message": "An export is already running."})
        self.signal = CancelSignal()
        try:
            parsed = ExportSettings.from_dict(settings)
            if parsed.encoder not in (FFMPEG, WEBCODECS):
                raise InvalidSettings(f"a part of an export needs the encoder its driver chose ({FFMPEG} or "
                                      f"{WEBCODECS}), not {parsed.encoder}")
            encoder = await self._encoder(parsed)
            await export_video(self.host, parsed, self.signal, self.store, encoder, part)
            output = part.output
            return to_plain_js({"status": "complete", "manifestKey": part.manifest_key, "encoder": encoder.name,
                                "codecs": encoder.codecs, "segments": output.segments, "audio": output.audio,
                                "size": output.size})
        except ExportCancelled as cancelled:
            return to_plain_js({"status": "cancelled", "message": str(cancelled)})
        except ExportError as error:
            return to_plain_js({"status": "failed", "message": str(error)})
        finally:
            self.signal = None
            try:
                self.plan_preview()
            except ExportError as error:
                self.store.log("error", f"preview: {error}")


def _plain(settings: Any) -> dict:
    return settings.to_py() if hasattr(settings, "to_py") else dict(settings)
