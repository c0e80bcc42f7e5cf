"""Before Start: how many frames, how long the video, how long the export and how big the file.

The frame count is the export's own (ExportSettings.frame_range), so the estimate and the export never
disagree about it. The time comes from this machine: the last completed export's measured figures
(`Timing`), scaled by pixel count and frame count; before any export, a short warm-up render in the page
(`warmup_timing`), and before that a rough guess (`DEFAULT_TIMING`) that the dialog labels as such.

The model, per export of F frames of P megapixels at `fps`, with S = one segment's frames (2 s of video):

    prepare  = the last export's preparing time + ANALYSIS_SECONDS_PER_FRAME * F
    render   = min(F, S) * alone * P  +  max(F - S, 0) * alone * shared_ratio * P
    tail     = tail_ratio * L * alone * P     (L: the last segment's frames, 1..S)

`alone` is seconds per frame per megapixel while no segment encodes beside the render (the first
segment's frames); from the second segment on, segment encodes share the cores and each frame takes
`shared_ratio` times as long. The tail (the last segment's encode, the audio, the join) follows the last
segment's frames, not the export's: the earlier segments encoded while the render went on. All three come
from the last export's measurements (`Timing`), so they follow this machine; the running export's ETA
(export/eta.py) uses the same model with the paces it measures.

The two encoders load the machine differently (`PACES`): ffmpeg.wasm makes a JPEG of every frame and its
workers share the cores with the render, WebCodecs takes the canvas as it is and encodes beside it. A
Timing measured with one encoder is converted for the other through what the warm-up would have measured.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from fractions import Fraction

from ..encode.choice import FFMPEG, WEBCODECS
from ..encode.segments import segment_frames
from ..encode.webcodecs import OPUS_BITRATE, video_bitrate
from .settings import ExportSettings

LONG_EXPORT_SECONDS = 30 * 60
# The offline analysis runs per frame: 3 min at 60 fps in ~0.5 s in Pyodide (README, benchmark).
ANALYSIS_SECONDS_PER_FRAME = 0.00005
SAMPLE_RATE = 48_000  # the app decodes every track at 48 kHz
MAX_AUTO_WORKERS = 4  # web/src/encode/segment-runtime.js workerCount: one per spare core, at most 4

# -- file size ------------------------------------------------------------------------------------------
# Measured by scripts/measure_export_sizes.py: 5 s of the demo track exported through the dialog at 720p30
# in every format and quality, and at 1080p30 in high (2026-11-25). The video stream's bits per pixel per
# frame at 720p; x264 (CRF) spends fewer per pixel on bigger frames (0.132 at 720p, 0.107 at 1080p: about
# pixels^0.75, VIDEO_PIXEL_EXPONENT), VP8 under its bit-rate ceiling about the same (0.085, 0.084). MP4 low
# is larger than medium: x264's ultrafast preset compresses that much worse.
REFERENCE_PIXELS = 1280 * 720
VIDEO_BITS_PER_PIXEL = {
    ("mp4", "high"): 0.132, ("mp4", "medium"): 0.097, ("mp4", "low"): 0.116,
    ("webm", "high"): 0.085, ("webm", "medium"): 0.054, ("webm", "low"): 0.033,
}
VIDEO_PIXEL_EXPONENT = {"mp4": 0.75, "webm": 1.0}
# The audio streams as measured (AAC a little over its nominal 192/160/128 kb/s with the MP4 packet
# overhead; Vorbis -q:a 6/5/4 well under its nominal rates on this track).
AUDIO_BITS_PER_SECOND = {
    ("mp4", "high"): 208_000, ("mp4", "medium"): 175_000, ("mp4", "low"): 139_000,
    ("webm", "high"): 125_000, ("webm", "medium"): 96_000, ("webm", "low"): 76_000,
}
CONTAINER_BYTES = {"mp4": 19_000, "webm": 9_000}  # headers and index for 5 s: small next to the streams
# Each frame waits in IndexedDB as a JPEG (quality 92) until its segment is encoded: 0.09 (720p) and 0.07
# (1080p) bytes per pixel on the exported frames decoded back, which the video codec has smoothed; the
# rendered originals are sharper, so this allows a third more.
JPEG_BYTES_PER_PIXEL = 0.12


def video_bytes(settings: ExportSettings, frames: int, encoder: str = FFMPEG) -> int:
    """The finished file: video and audio streams and the container. WebCodecs encodes to a bit rate
    (encode/webcodecs.py), which its files meet closely (720p30 high, 2 s: 742 kB for 739 kB targeted)."""
    width, height = settings.size
    if encoder == WEBCODECS:
        seconds = frames / settings.fps
        video = video_bitrate(width, height, settings.fps, settings.quality, settings.format) * seconds
        audio_rate = (OPUS_BITRATE[settings.quality] if settings.format == "webm"
                      else AUDIO_BITS_PER_SECOND["mp4", settings.quality])
        return round((video + audio_rate * seconds) / 8 + CONTAINER_BYTES[settings.format])
    scale = (width * height / REFERENCE_PIXELS) ** VIDEO_PIXEL_EXPONENT[settings.format]
    bits = VIDEO_BITS_PER_PIXEL[settings.format, settings.quality] * REFERENCE_PIXELS * scale * frames
    audio = AUDIO_BITS_PER_SECOND[settings.format, settings.quality] * frames / settings.fps
    return round((bits + audio) / 8 + CONTAINER_BYTES[settings.format])


def storage_bytes(settings: ExportSettings, frames: int, cores: int, encoder: str = FFMPEG) -> int:
    """The most browser storage the export holds at once: its segments and the joined file (a second
    copy) at the end, plus, with ffmpeg.wasm, the frames waiting for their segment's encode
    (segmented_encoder keeps at most 2 segments per worker queued, and one is being rendered)."""
    if encoder == WEBCODECS:  # no frame is ever stored
        return 2 * video_bytes(settings, frames, encoder)
    width, height = settings.size
    workers = settings.encode_workers or max(1, min(cores - 1, MAX_AUTO_WORKERS))
    waiting = min(frames, (2 * workers + 1) * segment_frames(settings.fps))
    return 2 * video_bytes(settings, frames) + round(JPEG_BYTES_PER_PIXEL * width * height * waiting)


# -- time -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    """What one export (or the warm-up) measured on this machine, with the settings it was measured at."""

    source: str  # "export", "warmup" or "default"
    width: int
    height: int
    fps: int
    frames: int  # frames rendered (a resumed export's stored frames are not counted)
    prepare_seconds: float
    render_seconds: float
    first_seconds: float  # rendering the first segment's frames (at most `frames`): no encoder beside it yet
    tail_seconds: float  # after the last frame: the last segments, the audio, the join
    encoder: str = FFMPEG  # the encoder that ran (records from before there were two have none: ffmpeg)

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6

    @property
    def first_frames(self) -> int:
        return min(self.frames, segment_frames(self.fps))

    @property
    def alone_seconds_per_frame_mp(self) -> float:
        """Render pace with no segment encoding beside it (the first segment's frames)."""
        return self.first_seconds / self.first_frames / self.megapixels

    @property
    def shared_ratio(self) -> float:
        """How much slower a frame renders once segments encode beside it. Measured when the export
        rendered at least half a segment more than its first; otherwise the benchmark machine's."""
        rest = self.frames - self.first_frames
        if rest < self.first_frames / 2 or self.first_seconds <= 0:
            return PACES[self.encoder].shared_ratio
        return (self.render_seconds - self.first_seconds) / rest / (self.first_seconds / self.first_frames)

    @property
    def tail_ratio(self) -> float:
        """The tail over the time the last segment's frames would take to render at the alone pace."""
        if self.first_seconds <= 0:
            return PACES[self.encoder].tail_ratio
        alone = self.first_seconds / self.first_frames
        return self.tail_seconds / (last_segment_frames(self.frames, self.fps) * alone)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> Timing | None:
        """A stored record, or None when there is none or it cannot be read (an older format)."""
        if not text:
            return None
        try:
            timing = cls(**json.loads(text))
            values = (timing.width, timing.height, timing.fps, timing.frames, timing.render_seconds,
                      timing.first_seconds)
            if min(values) <= 0 or timing.prepare_seconds < 0 or timing.tail_seconds < 0:
                return None
            if timing.encoder not in PACES:
                return None
            return timing
        except (TypeError, ValueError):
            return None


def measured_timing(settings: ExportSettings, phase_seconds: dict[str, float], rendered: int,
                    first_seconds: float | None, encoder: str = FFMPEG) -> Timing | None:
    """What a completed export measured; None when it rendered nothing (a resume of a finished export)."""
    if rendered <= 0 or phase_seconds.get("rendering", 0) <= 0 or not first_seconds:
        return None
    width, height = settings.size
    return Timing("export", width, height, settings.fps, rendered, phase_seconds.get("preparing", 0.0),
                  phase_seconds["rendering"], first_seconds, phase_seconds.get("encoding", 0.0), encoder)


# The benchmark machine (2 cores, software GL; bench_eta's exports of the demo track, README "ETA"): a
# frame renders DEFAULT_SHARED_RATIO times slower once segments encode beside it (1.14-1.51 measured under
# load; 1.6 from the quiet benchmark's render loop, 109 ms alone vs 178 ms in the export), and the export
# needs DEFAULT_TAIL_RATIO times its last segment's alone render time after its last frame (0.59-0.76).
DEFAULT_SHARED_RATIO = 1.5
DEFAULT_TAIL_RATIO = 0.6
# Its figures, shown only until a warm-up or an export has measured this machine, labelled a rough guess:
# 0.12 s per 720p frame alone.
DEFAULT_TIMING = Timing("default", 1280, 720, 30, 60, prepare_seconds=2.5, render_seconds=7.2, first_seconds=7.2,
                        tail_seconds=7.2 * DEFAULT_TAIL_RATIO)

# The warm-up times the layers, the composite and the read-back; the export's render loop also makes a
# JPEG of each frame and hands it to storage. On the benchmark machine that loop took 1.3 times the
# warm-up's per-frame time when quiet (README: 109 ms vs 85 ms at 720p) and 1.7 times under load
# (bench_eta's first export).
WARMUP_TO_ALONE = 1.5


@dataclass(frozen=True)
class EncoderPace:
    """How an export with one encoder relates to the warm-up and to itself (see Timing's properties)."""

    warmup_to_alone: float
    shared_ratio: float
    tail_ratio: float


# WebCodecs, from `make bench` (2026-11-25 23:08, quiet): 100 ms per 720p frame against 118 ms for layers +
# composite + read-back, 246 ms against 236 ms at 1080p, and the stage hidden since costs 3-8 %; nothing
# stored, so no frame renders slower once segments encode; 0.5-0.6 s after the last frame for the audio and
# the join, about a tenth of the last segment's render time.
PACES = {
    FFMPEG: EncoderPace(WARMUP_TO_ALONE, DEFAULT_SHARED_RATIO, DEFAULT_TAIL_RATIO),
    WEBCODECS: EncoderPace(1.1, 1.0, 0.1),
}


def expected_encoder(choice: str, webcodecs: bool) -> str:
    """The encoder an export with this choice will run, for the estimate: auto takes WebCodecs wherever the
    page has it (the export itself asks the browser about its exact codec and size, encode/choice.py)."""
    if choice == FFMPEG or (choice != WEBCODECS and not webcodecs):
        return FFMPEG
    return WEBCODECS


def for_encoder(timing: Timing, encoder: str) -> Timing:
    """`timing` as an export with `encoder` would have measured it on the same machine: its alone pace
    converted through the warm-up it implies, with that encoder's own shared and tail ratios."""
    if timing.encoder == encoder:
        return timing
    frames = timing.first_frames
    first = timing.first_seconds / PACES[timing.encoder].warmup_to_alone * PACES[encoder].warmup_to_alone
    tail = PACES[encoder].tail_ratio * last_segment_frames(frames, timing.fps) * first / frames
    return Timing(timing.source, timing.width, timing.height, timing.fps, frames, timing.prepare_seconds,
                  first, first, tail, encoder)


def warmup_timing(ms_per_frame: float, width: int, height: int, frames: int) -> Timing:
    """A Timing from the page's warm-up: `frames` frames at `width`x`height`, `ms_per_frame` each."""
    first = WARMUP_TO_ALONE * ms_per_frame / 1000 * frames
    return Timing("warmup", width, height, 30, frames, DEFAULT_TIMING.prepare_seconds, first, first,
                  DEFAULT_TAIL_RATIO * first)


def paces(timing: Timing, width: int, height: int) -> tuple[float, float]:
    """Seconds per frame at `width`x`height`: alone (the first segment) and with segments encoding beside."""
    alone = timing.alone_seconds_per_frame_mp * width * height / 1e6
    return alone, alone * timing.shared_ratio


def render_seconds(timing: Timing, frames: int, fps: int, width: int, height: int) -> float:
    alone, shared = paces(timing, width, height)
    first = min(frames, segment_frames(fps))
    return first * alone + (frames - first) * shared


def last_segment_frames(frames: int, fps: int) -> int:
    """The frames of an export's last segment: what is left to encode once the last frame is rendered
    (the earlier segments encoded while it rendered)."""
    return frames - segment_frames(fps) * ((frames - 1) // segment_frames(fps)) if frames > 0 else 0


def tail_seconds(timing: Timing, frames: int, fps: int, alone_seconds_per_frame: float) -> float:
    """After the last frame, for an export whose first segment renders at `alone_seconds_per_frame`."""
    return timing.tail_ratio * last_segment_frames(frames, fps) * alone_seconds_per_frame


@dataclass(frozen=True)
class Estimate:
    frames: int
    video_seconds: float
    prepare_seconds: float
    render_seconds: float
    tail_seconds: float
    bytes: int
    storage_bytes: int
    basis: str  # the Timing's source
    basis_text: str
    warnings: tuple[str, ...]

    @property
    def seconds(self) -> float:
        return self.prepare_seconds + self.render_seconds + self.tail_seconds

    def to_dict(self) -> dict:
        return {"frames": self.frames, "videoSeconds": self.video_seconds, "seconds": self.seconds,
                "prepareSeconds": self.prepare_seconds, "renderSeconds": self.render_seconds,
                "tailSeconds": self.tail_seconds, "bytes": self.bytes, "storageBytes": self.storage_bytes,
                "basis": self.basis, "basisText": self.basis_text, "warnings": list(self.warnings),
                "secondsText": duration_text(self.seconds), "bytesText": size_text(self.bytes)}


ENCODER_NAMES = {FFMPEG: "ffmpeg.wasm", WEBCODECS: "WebCodecs"}


def describe_basis(timing: Timing, encoder: str = FFMPEG) -> str:
    if timing.source == "export":
        text = (f"from your last export on this machine ({timing.height}p{timing.fps}, {timing.frames} frames "
                f"rendered in {timing.render_seconds:.1f} s")
        if timing.encoder != encoder:
            text += f" with {ENCODER_NAMES[timing.encoder]}, scaled for {ENCODER_NAMES[encoder]}"
        return text + ")"
    if timing.source == "warmup":
        return f"rough: from a {timing.frames}-frame warm-up render; an export will refine it"
    return "rough guess: nothing measured on this machine yet"


def estimate(settings: ExportSettings, track_seconds: Fraction | int | float, timing: Timing | None = None,
             free_bytes: float | None = None, cores: int = 2, webcodecs: bool = False) -> Estimate:
    """The estimate for `settings` on a track of `track_seconds`; raises InvalidSettings as the export
    would (e.g. a range past the end). `free_bytes`: what navigator.storage.estimate() leaves, if known;
    `webcodecs`: whether the page has WebCodecs (what auto will run)."""
    frames = settings.frame_range(track_seconds)
    encoder = expected_encoder(settings.encoder, webcodecs)
    measured = timing or DEFAULT_TIMING
    timing = for_encoder(measured, encoder)
    width, height = settings.size
    prepare = timing.prepare_seconds + ANALYSIS_SECONDS_PER_FRAME * frames.count
    render = render_seconds(timing, frames.count, settings.fps, width, height)
    tail = tail_seconds(timing, frames.count, settings.fps, paces(timing, width, height)[0])
    size = video_bytes(settings, frames.count, encoder)
    storage = storage_bytes(settings, frames.count, cores, encoder)
    warnings = []
    total = prepare + render + tail
    if total > LONG_EXPORT_SECONDS:
        warnings.append(f"This export would take about {duration_text(total)} here, over 30 minutes. It will "
                        "run, but a shorter range, a lower resolution or frame rate is much faster.")
    if free_bytes is not None and storage > free_bytes:
        warnings.append(f"This export needs about {size_text(storage)} of browser storage while it runs, "
                        f"more than the {size_text(free_bytes)} the browser has left for this site.")
    return Estimate(frames.count, float(frames.duration), prepare, render, tail, size, storage, timing.source,
                    describe_basis(measured, encoder), tuple(warnings))


def duration_text(seconds: float) -> str:
    """Rounded up for reading: '45 s', '3 min 20 s', '2 h 05 min', '3 days 4 h'."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    days = s // 86400
    return f"{days} day{'s' if days > 1 else ''} {s % 86400 // 3600} h"


def size_text(count: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count:.0f} B"
