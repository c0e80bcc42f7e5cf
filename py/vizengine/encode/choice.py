"""Which encoder an export runs: the user's choice (auto | webcodecs | ffmpeg) against what the browser says
it can encode. The answer always comes with its reason, which the export's log shows."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidSettings

WEBCODECS = "webcodecs"
FFMPEG = "ffmpeg"
# What each encoder writes, for the log and the result.
CODECS = {
    (WEBCODECS, "mp4"): "H.264 + AAC", (WEBCODECS, "webm"): "VP9 + Opus",
    (FFMPEG, "mp4"): "H.264 + AAC", (FFMPEG, "webm"): "VP8 + Vorbis",
}


@dataclass(frozen=True)
class Support:
    """The browser's answer for one export's codecs: `supported`, else `why` not (a sentence)."""

    supported: bool
    why: str = ""


@dataclass(frozen=True)
class EncoderChoice:
    encoder: str  # WEBCODECS or FFMPEG
    reason: str

    @property
    def label(self) -> str:
        return "WebCodecs" if self.encoder == WEBCODECS else "ffmpeg.wasm"


def choose_encoder(requested: str, fmt: str, support: Support) -> EncoderChoice:
    """Raises InvalidSettings when WebCodecs was asked for by name and the browser cannot do it."""
    codecs = CODECS[(WEBCODECS, fmt)]
    if requested == FFMPEG:
        return EncoderChoice(FFMPEG, f"ffmpeg.wasm was chosen in the settings ({CODECS[(FFMPEG, fmt)]})")
    if support.supported:
        how = "chosen in the settings" if requested == WEBCODECS else "auto: the browser can encode it"
        return EncoderChoice(WEBCODECS, f"WebCodecs, {how} ({codecs})")
    if requested == WEBCODECS:
        raise InvalidSettings(f"WebCodecs cannot encode this export here: {support.why}. "
                              "Choose the ffmpeg.wasm encoder or auto.")
    fallback = CODECS[(FFMPEG, fmt)]
    note = f"; WebM will be {fallback}, not {codecs}" if fmt == "webm" else ""
    return EncoderChoice(FFMPEG, f"ffmpeg.wasm, auto: WebCodecs cannot encode it here ({support.why}){note}")
