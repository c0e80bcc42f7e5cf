"""ffprobe/ffmpeg helpers for checking exported files: what the streams say, and their pixels."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np


def probe(path: Path) -> dict:
    """ffprobe with counted frames: {'video': {...}, 'audio': {...}, 'format': {...}}."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    data = json.loads(out)
    streams = {s["codec_type"]: s for s in data["streams"]}
    return {"video": streams.get("video"), "audio": streams.get("audio"), "format": data["format"],
            "stream_count": len(data["streams"])}


def frames_rgb(path: Path, width: int, height: int) -> np.ndarray:
    """Every video frame decoded to RGB, shape (frames, height, width, 3)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


def tone_after_silence(path: Path, silence: float, tone: float, rate: int = 48_000, hz: float = 110.0) -> Path:
    """A WAV that is silent for `silence` seconds, then a loud low tone for `tone` seconds."""
    from vizengine.audio.clip import to_wav

    n_silence, n_tone = round(silence * rate), round(tone * rate)
    t = np.arange(n_tone) / rate
    mono = np.concatenate([np.zeros(n_silence), 0.8 * np.sin(2 * np.pi * hz * t)]).astype(np.float32)
    path.write_bytes(to_wav(np.stack([mono, mono]), rate))
    return path
