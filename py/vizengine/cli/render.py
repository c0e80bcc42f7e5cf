"""`python -m vizengine render`: export a track to a video file with headless Chromium, via the dialog."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from ..errors import InvalidSettings
from ..export.settings import FORMATS, FPS_CHOICES, QUALITIES, RESOLUTIONS, ExportSettings
from ..project.contract import ENCODERS, MAX_ENCODE_WORKERS, SETTINGS_DEFAULTS
from .browser import launch_persistent_chromium
from .driver import PageError, export_to_file, load_audio, load_demo, open_app
from .progress import progress_printer
from .server import serve

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "dist"
PROFILE = Path.home() / ".cache" / "viz-engine" / "profile"


def profile_port(profile: Path) -> int:
    """A loopback port that depends only on the profile's path, so separate profiles rarely collide."""
    digest = hashlib.sha256(str(profile.resolve()).encode()).digest()
    return 20000 + int.from_bytes(digest[:4], "big") % 20000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--audio", type=Path, help="audio file (whatever Chromium decodes: mp3, wav, ogg, flac, m4a)")
    source.add_argument("--demo", action="store_true", help="use the built-in demo track")
    parser.add_argument("--out", type=Path, required=True, help="where to write the video")
    parser.add_argument("--resolution", choices=[r.lower() for r in RESOLUTIONS], default="1080p")
    parser.add_argument("--fps", type=int, choices=FPS_CHOICES, default=60)
    parser.add_argument("--format", choices=FORMATS, default=None, help="default: from --out's extension, else mp4")
    parser.add_argument("--quality", choices=QUALITIES, default="high")
    parser.add_argument("--start", default="0", help="seconds (12.5) or m:ss (1:05.250) into the track")
    parser.add_argument("--duration", default=None, help="seconds or m:ss (default: to the end)")
    parser.add_argument("--encoder", choices=ENCODERS, default=SETTINGS_DEFAULTS["encoder"],
                        help="auto: the browser's WebCodecs where it can encode the format at this size, "
                             "else ffmpeg.wasm (the log says which and why)")
    parser.add_argument("--encode-workers", type=int, default=0, metavar="N",
                        help=f"ffmpeg.wasm encoder workers, 1..{MAX_ENCODE_WORKERS} (default 0: one per spare core)")
    parser.add_argument("--profile", type=Path, default=PROFILE,
                        help="browser profile kept between runs; an interrupted export rerun with the same "
                             f"arguments resumes from it (default: {PROFILE})")
    parser.add_argument("--site", type=Path, default=DIST, help="the built site (default: dist/)")


def one_line(error: BaseException) -> str:
    """The first line of an error's message (Playwright appends a call log), or its type if it has none."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def run(args: argparse.Namespace) -> int:
    """Export; on any failure print one plain line to stderr and return non-zero (2: bad arguments)."""
    if args.audio is not None and not args.audio.is_file():
        print(f"error: no audio file at {args.audio}", file=sys.stderr)
        return 2
    fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out.suffix.lower() in (".mp4", ".webm") else "mp4")
    settings = {"resolution": args.resolution, "fps": args.fps, "quality": args.quality, "format": fmt,
                "start": args.start, "duration": args.duration, "encodeWorkers": args.encode_workers,
                "encoder": args.encoder}
    try:
        # The page reads these with the same code; checking here says what is wrong before a browser starts.
        ExportSettings.from_dict(settings)
    except InvalidSettings as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return _export(args, settings)
    except KeyboardInterrupt:
        print("error: interrupted (rerun the same command to resume)", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 — a browser, server or file problem: say it in one line
        text = one_line(error)
        print(f"error: {text if isinstance(error, PageError) else f'{type(error).__name__}: {text}'}", file=sys.stderr)
        return 1


def _export(args: argparse.Namespace, settings: dict) -> int:
    # IndexedDB belongs to an origin, port included: a profile always gets the same port, so a rerun
    # finds the segments the interrupted run stored.
    with serve(args.site, profile_port(args.profile)) as url, launch_persistent_chromium(args.profile) as context:
        page = context.new_page()
        open_app(page, url)
        track = load_demo(page) if args.demo else load_audio(page, args.audio)
        print(f"track: {track}", flush=True)
        printer = progress_printer()
        try:
            state = export_to_file(page, settings, args.out, printer)
        finally:
            printer.close()
    timings = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in state["phaseSeconds"].items())
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {timings}", flush=True)
    return 0
