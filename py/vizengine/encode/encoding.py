"""ffmpeg argument lists for the final encode: one pure function, shared by ffmpeg.wasm and native ffmpeg.

Frames arrive as numbered JPEGs, audio as a WAV already trimmed to the export range (see audio_clip.py), so
the arguments only need to bound the output to `frame_count / fps` seconds.

WebM is VP8 + Vorbis: ffmpeg.wasm's libvpx-vp9 and libopus crash in this browser ("memory access out of
bounds"); VP9 + Opus will come from the WebCodecs encoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

FRAME_PATTERN = "frame_%06d.jpg"
AUDIO_FILE = "audio.wav"

# libx264: the seed's presets, tuned for wasm speed (native ffmpeg is 10-20x faster).
X264 = {
    "high": ["-preset", "veryfast", "-crf", "18"],
    "medium": ["-preset", "faster", "-crf", "22"],
    "low": ["-preset", "ultrafast", "-crf", "26"],
}
AAC_BITRATE = {"high": "192k", "medium": "160k", "low": "128k"}
# libvpx (VP8) wants a bitrate ceiling with -crf; bits per pixel per frame keeps it sane from 720p30 to 4K120.
# A negative cpu-used fixes libvpx's realtime speed; a positive one adapts it to the wall clock, so the same
# frames would encode differently run to run and a resumed export would not equal an uninterrupted one.
VP8 = {"high": (0.10, "10", "-4"), "medium": (0.06, "16", "-6"), "low": (0.035, "24", "-8")}
VORBIS_QUALITY = {"high": "6", "medium": "5", "low": "4"}
MIME = {"mp4": "video/mp4", "webm": "video/webm"}


@dataclass(frozen=True)
class EncodeJob:
    width: int
    height: int
    fps: int
    frame_count: int
    quality: str
    format: str
    has_audio: bool = True

    @property
    def output_file(self) -> str:
        return f"output.{self.format}"

    @property
    def duration(self) -> Fraction:
        return Fraction(self.frame_count, self.fps)


def seconds_arg(t: Fraction) -> str:
    """Seconds as ffmpeg reads them; 9 decimals is far below one audio sample."""
    return f"{float(t):.9f}".rstrip("0").rstrip(".") or "0"


# JPEG frames are full-range BT.601; tag and convert to limited-range BT.709, which players assume for video.
COLOUR_ARGS = ["-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
               "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


def video_codec_args(job: EncodeJob) -> list[str]:
    if job.format == "mp4":
        return ["-c:v", "libx264", *X264[job.quality], "-tune", "film"]
    bpp, crf, cpu_used = VP8[job.quality]
    bitrate = round(bpp * job.width * job.height * job.fps / 1000)
    return [
        "-c:v", "libvpx", "-b:v", f"{bitrate}k", "-crf", crf,
        "-deadline", "realtime", "-cpu-used", cpu_used, "-auto-alt-ref", "0",
    ]


def audio_codec_args(job: EncodeJob) -> list[str]:
    if job.format == "mp4":
        return ["-c:a", "aac", "-b:a", AAC_BITRATE[job.quality]]
    return ["-c:a", "libvorbis", "-q:a", VORBIS_QUALITY[job.quality]]


def ffmpeg_args(job: EncodeJob, frame_pattern: str = FRAME_PATTERN, audio_file: str = AUDIO_FILE,
                output_file: str | None = None) -> list[str]:
    """Everything after `ffmpeg`: inputs, codecs, bounds and container flags."""
    args = ["-hide_banner", "-y", "-framerate", str(job.fps), "-start_number", "0", "-i", frame_pattern]
    if job.has_audio:
        args += ["-i", audio_file]
    args += ["-map", "0:v:0"] + (["-map", "1:a:0"] if job.has_audio else [])
    args += video_codec_args(job) + COLOUR_ARGS
    if job.has_audio:
        args += audio_codec_args(job)
    # Exactly frame_count images go in, so -t alone bounds both streams. (-frames:v would close the file
    # as soon as the video stream reaches it, cutting the audio short.)
    args += ["-t", seconds_arg(job.duration)]
    if job.format == "mp4":
        args += ["-movflags", "+faststart"]
    args.append(output_file or job.output_file)
    return args
