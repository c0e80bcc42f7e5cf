"""The render farm's join: encoded segments and the export's audio into one file with native ffmpeg,
stream copy only (nothing is decoded or encoded again), so the frames and samples are the workers'.

Segments are concatenated by ffmpeg's concat demuxer (each segment starts on a key frame and owes nothing
to the one before, encode/segments.py); the audio is the whole export's, encoded once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import ExportError

FFMPEG = "ffmpeg"


class JoinError(ExportError):
    """ffmpeg could not join the parts; the message is ffmpeg's last words."""


def concat_list(paths: list[Path]) -> str:
    """An ffconcat script naming `paths` in order (absolute; a quote in a name escaped as the demuxer wants)."""
    lines = ["ffconcat version 1.0"]
    for path in paths:
        quoted = str(path.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def join_args(concat_file: Path, audio_file: Path | None, out: Path, fmt: str) -> list[str]:
    """ffmpeg's arguments for the join: video from the segments, audio from the audio file, both copied.

    `-safe 0` lets the list name absolute paths. MP4 gets its index first (`+faststart`), as the page's
    muxer writes it. The audio's own timing is kept: an AAC track's priming (1024 samples the decoder
    drops, said by its edit list) is carried into the output as the page's mux carries it, so the decoded
    samples are the same."""
    args = [FFMPEG, "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(concat_file)]
    if audio_file is not None:
        args += ["-i", str(audio_file)]
    args += ["-map", "0:v:0"]
    if audio_file is not None:
        args += ["-map", "1:a:0"]
    args += ["-c", "copy"]
    if fmt == "mp4":
        args += ["-movflags", "+faststart"]
    return [*args, "-f", fmt, str(out)]


def join(segments: list[Path], audio: Path | None, out: Path, fmt: str, work: Path) -> None:
    """Join `segments` (in order) and `audio` into `out` (written next to it first, then renamed, so an
    interrupted join never leaves a half file under the final name)."""
    concat = work / "segments.ffconcat"
    concat.write_text(concat_list(segments))
    partial = out.with_name(f".{out.name}.partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(join_args(concat, audio, partial, fmt), capture_output=True, text=True)
        if done.returncode != 0:
            words = [line for line in done.stderr.splitlines() if line.strip()]
            raise JoinError(f"ffmpeg could not join the segments: {words[-1] if words else f'exit {done.returncode}'}")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
