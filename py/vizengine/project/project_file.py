"""The project file a user saves and opens: the project description, the export settings and which track
it was made for (name and fingerprint), as one JSON document; images travel inside the project.

    {"format": "vizengine-project", "project": {...}, "settings": {...}, "track": {"name", "sha256"}}

`settings` and `track` may be left out. A bare project description (what the page sends Python) opens
too. Every mistake is named by its path, as in the description itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..errors import InvalidProject, InvalidSettings
from ..export.settings import ExportSettings
from .description import Project

FORMAT = "vizengine-project"
_FIELDS = ("format", "project", "settings", "track")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Far above any real project (images are embedded, 8192 px a side at most) yet short of exhausting a tab.
MAX_FILE_CHARS = 200_000_000
MAX_TRACK_NAME = 255


@dataclass(frozen=True)
class TrackRef:
    name: str
    sha256: str


@dataclass(frozen=True)
class ProjectFile:
    project: Project
    settings: ExportSettings | None = None
    track: TrackRef | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "project": self.project.to_json()}
        if self.settings is not None:
            out["settings"] = self.settings.to_dict()
        if self.track is not None:
            out["track"] = {"name": self.track.name, "sha256": self.track.sha256}
        return out

    def to_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def _track(value: object) -> TrackRef:
    if not isinstance(value, dict):
        raise InvalidProject(f"track must be a JSON object with name and sha256 (got {type(value).__name__})")
    unknown = set(value) - {"name", "sha256"}
    if unknown:
        raise InvalidProject(f"track.{sorted(unknown)[0]} is not a known field (known: name, sha256)")
    name, digest = value.get("name"), value.get("sha256")
    if not isinstance(name, str) or not name or len(name) > MAX_TRACK_NAME:
        raise InvalidProject(f"track.name must be text of 1 to {MAX_TRACK_NAME} characters")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise InvalidProject("track.sha256 must be 64 lower-case hex digits")
    return TrackRef(name, digest)


def demo_project_text() -> str:
    """The demo project, as the site ships it (and shows on a first visit)."""
    return resources.files(__package__).joinpath("demo_project.json").read_text(encoding="utf-8")


def read_project_file(text: str) -> ProjectFile:
    """Parse and check a project file's text; raises InvalidProject naming the bad field."""
    if len(text) > MAX_FILE_CHARS:
        raise InvalidProject(f"the file is {len(text) / 1e6:.0f} MB; a project file is at most "
                             f"{MAX_FILE_CHARS / 1e6:.0f} MB")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidProject(f"the file is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(obj, dict) and "format" not in obj and "layers" in obj:
        return ProjectFile(Project.from_json(obj))
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise InvalidProject(f'not a viz-engine project file (its "format" must be "{FORMAT}")')
    for key in obj:
        if key not in _FIELDS:
            raise InvalidProject(f"{key} is not a known field (known: {', '.join(_FIELDS)})")
    if "project" not in obj:
        raise InvalidProject("project is missing")
    project = Project.from_json(obj["project"])
    settings = None
    if obj.get("settings") is not None:
        if not isinstance(obj["settings"], dict):
            raise InvalidProject("settings must be a JSON object")
        try:
            settings = ExportSettings.from_dict(obj["settings"])
        except InvalidSettings as exc:
            raise InvalidProject(f"settings: {exc}") from None
    track = _track(obj["track"]) if obj.get("track") is not None else None
    return ProjectFile(project, settings, track)


__all__ = ["FORMAT", "ProjectFile", "TrackRef", "demo_project_text", "read_project_file"]
