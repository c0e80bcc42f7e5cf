"""`make bench-long`: the long export issue 8 asks for once — 5 minutes of 1080p30 (9,000 frames).

It is too slow for `make bench` (about an hour on a 2-core machine without a GPU), so it stands alone and
prints the figures the README quotes: wall time, fps, the browser's peak memory (summed RSS) and what
ffprobe says about the file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..project.contract import ENCODERS
from .long_track import long_demo
from .bench_memory import peak_rss
from .browser import launch_persistent_chromium
from .driver import export_to_file, load_audio, open_app
from .render import DIST
from .server import serve


def probe(video: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-of", "json", "-show_entries",
                          "stream=codec_type,codec_name,width,height,nb_read_frames,duration", str(video)],
                         capture_output=True, text=True, check=True).stdout
    return {s["codec_type"]: s for s in json.loads(out)["streams"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizengine.cli.bench_long")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--resolution", default="1080p")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--encoder", choices=ENCODERS, default="auto")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, serve(DIST) as url, \
            launch_persistent_chromium(Path(tmp) / "profile") as context:
        page = context.new_page()
        open_app(page, url, autosave=False)
        load_audio(page, long_demo(Path(tmp) / "long.wav", args.seconds + 1))
        out = Path(tmp) / "long.mp4"
        started = time.monotonic()
        with peak_rss() as peak:
            state = export_to_file(page, {"resolution": args.resolution, "fps": args.fps, "quality": "high",
                                          "format": "mp4", "start": 0, "duration": args.seconds,
                                          "encoder": args.encoder}, out)
        wall = time.monotonic() - started
        streams = probe(out)
        size_mib = out.stat().st_size / 2**20
    frames = state["total"]
    print(f"{args.seconds:.0f} s of {args.resolution}@{args.fps} MP4 high, encoder {args.encoder}: {frames} frames "
          f"in {wall / 60:.1f} min ({frames / wall:.2f} fps); browser peak memory {peak['peak_mib']:.0f} MiB; file {size_mib:.0f} MiB")
    print("  phases: " + ", ".join(f"{k} {v:.0f} s" for k, v in state["phaseSeconds"].items()))
    video, audio = streams["video"], streams["audio"]
    print(f"  ffprobe: video {video['codec_name']} {video['width']}x{video['height']} "
          f"{video['nb_read_frames']} frames {float(video['duration']):.3f} s; "
          f"audio {audio['codec_name']} {float(audio['duration']):.3f} s")
    return 0 if int(video["nb_read_frames"]) == frames else 1


if __name__ == "__main__":
    sys.exit(main())
