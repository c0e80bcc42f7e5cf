"""Where the estimate's file-size figures come from (py/vizengine/export/estimate.py): export 5 s of the demo
track through the dialog for every format and quality at 720p30 (high also at 1080p30), and print the video stream's
bits per pixel per frame, the audio's bits per second and the JPEG bytes per pixel of its frames.

    PYTHONPATH=py .venv/bin/python scripts/measure_export_sizes.py

Needs the built site (dist/) and Chromium; takes ~8 minutes on the 2-core benchmark machine.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from vizengine.cli.browser import launch_persistent_chromium
from vizengine.cli.driver import export_to_file, load_demo, open_app
from vizengine.cli.render import DIST
from vizengine.cli.server import serve
from vizengine.encode.encoder import FRAME_JPEG_QUALITY
from vizengine.export.settings import RESOLUTIONS

SECONDS, START, FPS = 5, 4, 30
CASES = [("720p", fmt, quality) for fmt in ("mp4", "webm") for quality in ("high", "medium", "low")] + [
    ("1080p", fmt, "high") for fmt in ("mp4", "webm")]


def stream_bytes(path: Path, stream: str) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=size",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return sum(int(p["size"]) for p in json.loads(out)["packets"])


def jpeg_bytes_per_pixel(path: Path, width: int, height: int, every: int = 10) -> float:
    """The frames decoded back and stored as the export stores them (JPEG at FRAME_JPEG_QUALITY)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)[::every]
    sizes = []
    for frame in frames:
        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, "JPEG", quality=FRAME_JPEG_QUALITY)
        sizes.append(buffer.tell())
    return float(np.mean(sizes)) / (width * height)


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, serve(DIST) as url, \
            launch_persistent_chromium(Path(tmp) / "profile") as context:
        page = context.new_page()
        open_app(page, url, autosave=False)
        load_demo(page)
        for resolution, fmt, quality in CASES:
            out = Path(tmp) / f"{resolution}-{quality}.{fmt}"
            state = export_to_file(page, {"resolution": resolution, "fps": FPS, "quality": quality, "format": fmt,
                                          "start": START, "duration": SECONDS}, out)
            page.click("#export-close")
            width, height = RESOLUTIONS[resolution]
            frames = state["total"]
            video, audio = stream_bytes(out, "v"), stream_bytes(out, "a")
            rows.append((resolution, fmt, quality, 8 * video / (width * height * frames), 8 * audio / SECONDS,
                         out.stat().st_size - video - audio, jpeg_bytes_per_pixel(out, width, height)))
            print(*rows[-1], sep="\t", flush=True)
    print("\nresolution format quality video-bits/pixel/frame audio-bits/s container-bytes jpeg-bytes/pixel")
    for row in rows:
        print(f"{row[0]:<6} {row[1]:<5} {row[2]:<7} {row[3]:.4f} {row[4]:9.0f} {row[5]:7d} {row[6]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
