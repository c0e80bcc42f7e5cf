"""`python -m vizengine batch JOBS.json`: several exports through one render farm, one file each, and a
summary table at the end.

JOBS.json is a list of objects, one per export:
    {"audio": "songs/a.mp3", "out": "out/a.mp4", "resolution": "1080p", "fps": 60, "duration": "1:00"}
    {"demo": true, "out": "out/demo.webm", "format": "webm"}
`audio` (or `"demo": true`) and `out` are required; `project` names a project file saved from the page (its
export settings apply where the job gives none); the other fields are the dialog's settings (resolution,
fps, quality, format, start, duration, encoder, encodeWorkers), with the dialog's defaults. Relative paths
are read from JOBS.json's folder. Every job is checked, with the page's own rules, before a browser starts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..errors import ExportError, InvalidProject, InvalidSettings
from ..export.settings import ExportSettings
from .render import add_farm_arguments, check_farm_arguments, read_project
from .farm import FarmJob, error_line, farm_client, run_jobs, track_of, work_root

SETTING_FIELDS = ("resolution", "fps", "quality", "format", "start", "duration", "encoder", "encodeWorkers")
FIELDS = ("audio", "demo", "out", "project", *SETTING_FIELDS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("jobs", type=Path, metavar="JOBS.json", help="a list of {audio|demo, out, settings...}")
    add_farm_arguments(parser)


def read_jobs(path: Path) -> list[tuple[Path | None, Path, dict, str | None]]:
    """(audio or None for the demo, out, settings, project text or None) per job; InvalidSettings naming
    the job and field."""
    try:
        entries = json.loads(path.read_text())
    except OSError as error:
        raise InvalidSettings(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise InvalidSettings(f"{path} is not JSON: {error.msg} at line {error.lineno}") from None
    if not isinstance(entries, list) or not entries:
        raise InvalidSettings(f"{path} must hold a non-empty list of jobs")
    jobs, outs = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"job {number}"
        if not isinstance(entry, dict):
            raise InvalidSettings(f"{where}: must be an object, not {type(entry).__name__}")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise InvalidSettings(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
        audio = _source(entry, where, path.parent)
        out = entry.get("out")
        if not isinstance(out, str) or not out.strip():
            raise InvalidSettings(f"{where}: field 'out' must be the output file's path")
        out_path = (path.parent / out).resolve()
        if out_path in outs:
            raise InvalidSettings(f"{where}: field 'out' repeats {out}, which an earlier job writes")
        outs.add(out_path)
        suffix = out_path.suffix.lower().lstrip(".")
        try:
            text, opened = read_project(path.parent / entry["project"] if "project" in entry else None)
        except InvalidProject as error:
            raise InvalidSettings(f"{where}: field 'project': {error}") from None
        saved = opened.settings.to_dict() if opened and opened.settings else {}
        settings = {**saved, **({"format": suffix} if suffix in ("mp4", "webm") else {} if saved else {"format": "mp4"}),
                    **{name: entry[name] for name in SETTING_FIELDS if name in entry}}
        try:
            ExportSettings.from_dict(settings)
        except InvalidSettings as error:
            raise InvalidSettings(f"{where}: {error}") from None
        jobs.append((audio, out_path, settings, text))
    return jobs


def _source(entry: dict, where: str, folder: Path) -> Path | None:
    demo, audio = entry.get("demo", False), entry.get("audio")
    if demo not in (True, False):
        raise InvalidSettings(f"{where}: field 'demo' must be true or false")
    if demo == (audio is not None):
        raise InvalidSettings(f"{where}: give field 'audio' (a file) or 'demo': true, one of them")
    if demo:
        return None
    if not isinstance(audio, str) or not (folder / audio).is_file():
        raise InvalidSettings(f"{where}: field 'audio': no audio file at {audio}")
    return folder / audio


def summary(jobs: list[FarmJob]) -> str:
    rows = [("output", "frames", "seconds", "MB", "result")]
    for job in jobs:
        ok = not job.error and job.out.is_file()
        rows.append((str(job.out), str(job.frames or "-"), f"{job.seconds:.1f}" if ok else "-",
                     f"{job.out.stat().st_size / 1e6:.2f}" if ok else "-", "ok" if ok else f"failed: {job.error}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join([*(cell.ljust(width) for cell, width in zip(row[:4], widths)), row[4]]).rstrip()
                     for row in rows)


def run(args: argparse.Namespace) -> int:
    try:
        check_farm_arguments(args)
        entries = read_jobs(args.jobs)
    except InvalidSettings as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.workers is None and args.scheduler is None:
        args.workers = 1
    jobs = [FarmJob(track_of(audio), settings, out, project=text) for audio, out, settings, text in entries]
    started = time.monotonic()
    try:
        with work_root() as root, farm_client(args.workers, args.scheduler, root) as client:
            if args.scheduler:
                client.wait_for_workers(1, timeout=120)
            run_jobs(client, jobs, root / "work")
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 — the cluster itself failed: one line
        text = error_line(error)
        print(f"error: {text if isinstance(error, ExportError) else f'{type(error).__name__}: {text}'}",
              file=sys.stderr)
        return 1
    print(summary(jobs), flush=True)
    print(f"{sum(not job.error for job in jobs)} of {len(jobs)} exports in {time.monotonic() - started:.1f}s",
          flush=True)
    return 0 if all(not job.error for job in jobs) else 1
