"""`python -m vizengine render`: export a track to a video file with headless Chromium, via the dialog."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from ..errors import ExportError, InvalidProject, InvalidSettings
from ..export.settings import FORMATS, FPS_CHOICES, QUALITIES, RESOLUTIONS, ExportSettings
from ..project.contract import CUSTOM_SIZE, ENCODERS, MAX_ENCODE_WORKERS, SETTINGS_DEFAULTS
from ..project.project_file import ProjectFile, read_project_file
from .browser import launch_persistent_chromium
from .driver import PageError, apply_project, export_to_file, load_audio, load_demo, open_app
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
    parser.add_argument("--project", type=Path, default=None,
                        help="a project file saved from the page (default: the demo project); its export "
                             "settings apply unless given here")
    # Settings default to None so that a project file's settings can fill what is not given here.
    parser.add_argument("--resolution", default=None, metavar="PRESET|WxH",
                        help=f"a preset ({', '.join(f'{name} = {w}x{h}' for name, (w, h) in RESOLUTIONS.items())}) "
                             f"or a size such as 1280x960, each side even, {CUSTOM_SIZE['min']} to "
                             f"{CUSTOM_SIZE['max']} (default: {SETTINGS_DEFAULTS['resolution']})")
    parser.add_argument("--fps", type=int, choices=FPS_CHOICES, default=None, help=f"default: {SETTINGS_DEFAULTS['fps']}")
    parser.add_argument("--format", choices=FORMATS, default=None, help="default: from --out's extension, else mp4")
    parser.add_argument("--quality", choices=QUALITIES, default=None, help=f"default: {SETTINGS_DEFAULTS['quality']}")
    parser.add_argument("--start", default=None, help="seconds (12.5) or m:ss (1:05.250) into the track (default 0)")
    parser.add_argument("--duration", default=None, help="seconds or m:ss (default: to the end)")
    parser.add_argument("--encoder", choices=ENCODERS, default=None,
                        help="auto: the browser's WebCodecs where it can encode the format at this size, "
                             "else ffmpeg.wasm (the log says which and why)")
    parser.add_argument("--encode-workers", type=int, default=0, metavar="N",
                        help=f"ffmpeg.wasm encoder workers, 1..{MAX_ENCODE_WORKERS} (default 0: one per spare core)")
    parser.add_argument("--profile", type=Path, default=PROFILE,
                        help="browser profile kept between runs; an interrupted export rerun with the same "
                             f"arguments resumes from it (default: {PROFILE})")
    parser.add_argument("--site", type=Path, default=DIST, help="the built site (default: dist/)")
    add_farm_arguments(parser)


def add_farm_arguments(parser: argparse.ArgumentParser) -> None:
    farm = parser.add_argument_group("render farm (Dask; see the README's Render farm section)")
    farm.add_argument("--workers", type=int, default=None, metavar="N",
                      help="render the export's 2 s segments on a local Dask cluster of N worker processes, one "
                           "headless browser each, and join them with native ffmpeg")
    farm.add_argument("--scheduler", default=None, metavar="ADDRESS",
                      help="render on an existing Dask cluster (e.g. tcp://10.0.0.5:8786) instead")


def one_line(error: BaseException) -> str:
    """The first line of an error's message (Playwright appends a call log), or its type if it has none."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def run(args: argparse.Namespace) -> int:
    """Export; on any failure print one plain line to stderr and return non-zero (2: bad arguments)."""
    if args.audio is not None and not args.audio.is_file():
        print(f"error: no audio file at {args.audio}", file=sys.stderr)
        return 2
    try:
        # The page reads these with the same code; checking here says what is wrong before a browser starts.
        args.project_text, opened = read_project(args.project)
        settings = settings_of_args(args, opened.settings if opened else None)
        ExportSettings.from_dict(settings)
        check_farm_arguments(args)
    except (InvalidSettings, InvalidProject) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        if args.workers is not None or args.scheduler is not None:
            return _farm_export(args, settings)
        return _export(args, settings)
    except KeyboardInterrupt:
        farm = args.workers is not None or args.scheduler is not None  # a farm keeps no segments to resume
        print(f"error: interrupted{'' if farm else ' (rerun the same command to resume)'}", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 — a browser, server or file problem: say it in one line
        text = one_line(error)
        plain = isinstance(error, (PageError, ExportError))
        print(f"error: {text if plain else f'{type(error).__name__}: {text}'}", file=sys.stderr)
        return 1


def read_project(path: Path | None) -> tuple[str | None, ProjectFile | None]:
    """The project file's text and what it holds (None, None without --project); raises InvalidProject."""
    if path is None:
        return None, None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidProject(f"cannot read the project file {path}: {error}") from None
    try:
        return text, read_project_file(text)
    except InvalidProject as error:
        raise InvalidProject(f"{path}: {error}") from None


def settings_of_args(args: argparse.Namespace, saved: ExportSettings | None) -> dict:
    """The export settings: what the command line gives, else the project file's, else the defaults."""
    base = dict(SETTINGS_DEFAULTS, start="0", duration=None)
    if saved is not None:
        base.update(saved.to_dict())
    given = {"resolution": args.resolution, "fps": args.fps, "quality": args.quality, "start": args.start,
             "duration": args.duration, "encoder": args.encoder}
    base.update({name: value for name, value in given.items() if value is not None})
    suffix = args.out.suffix.lower()
    if args.format:
        base["format"] = args.format
    elif suffix in (".mp4", ".webm"):
        base["format"] = suffix[1:]
    elif saved is None:
        base["format"] = "mp4"
    base["encodeWorkers"] = args.encode_workers
    return base


def check_farm_arguments(args: argparse.Namespace) -> None:
    if args.workers is not None and args.scheduler is not None:
        raise InvalidSettings("--workers starts a local cluster and --scheduler uses another: give one of them")
    if args.workers is not None and args.workers < 1:
        raise InvalidSettings(f"--workers must be at least 1, not {args.workers}")


def _farm_export(args: argparse.Namespace, settings: dict) -> int:
    from .farm import FarmJob, farm_client, run_jobs, track_of, work_root

    job = FarmJob(track_of(args.audio), settings, args.out, project=args.project_text)
    started = time.monotonic()
    with work_root() as root, farm_client(args.workers, args.scheduler, root) as client:
        if args.scheduler:
            client.wait_for_workers(1, timeout=120)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        print(f"farm: {workers} workers ({args.scheduler or 'local'})", flush=True)
        run_jobs(client, [job], root / "work")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {job.frames} frames, "
          f"{time.monotonic() - started:.1f}s", flush=True)
    return 0


def _export(args: argparse.Namespace, settings: dict) -> int:
    # IndexedDB belongs to an origin, port included: a profile always gets the same port, so a rerun
    # finds the segments the interrupted run stored.
    with serve(args.site, profile_port(args.profile)) as url, launch_persistent_chromium(args.profile) as context:
        page = context.new_page()
        open_app(page, url, autosave=False)
        track = load_demo(page) if args.demo else load_audio(page, args.audio)
        print(f"track: {track}", flush=True)
        if args.project_text is not None:
            apply_project(page, args.project_text, str(args.project))
            print(f"project: {args.project}", flush=True)
        printer = progress_printer()
        try:
            state = export_to_file(page, settings, args.out, printer)
        finally:
            printer.close()
    timings = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in state["phaseSeconds"].items())
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {timings}", flush=True)
    return 0
