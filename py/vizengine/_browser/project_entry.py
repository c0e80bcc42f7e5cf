"""The project file's entry points on the page's App (bridge.py): check a file the user opens, and write
the file the user saves. Python owns the format and its checks (project/project_file.py), so a project
the page accepts is one the CLI renders.

A mixin like FarmEntry; App provides `host`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import AudioError, ExportError, InvalidSettings
from ..export.manifest import fingerprint_steps
from ..export.settings import ExportSettings
from ..project.project_file import ProjectFile, TrackRef, read_project_file
from ..steps import run_in_steps
from .ffi import to_plain_js


class ProjectEntry:
    def open_project_file(self, text: str) -> Any:
        """Check a project file's text. Resolves to {"status": "ready", "project", "settings" (or null),
        "track" (or null), "trackMatches" (true/false, null without a track on either side)}, or
        {"status": "failed", "message"} naming the bad field; nothing on the page changes here."""
        return asyncio.ensure_future(self._open(str(text)))

    async def _open(self, text: str) -> Any:
        try:
            opened = read_project_file(text)
        except ExportError as error:
            return to_plain_js({"status": "failed", "message": str(error)})
        matches = None
        if opened.track is not None:
            digest = await self._track_sha256()
            matches = None if digest is None else digest == opened.track.sha256
        return to_plain_js({
            "status": "ready",
            "project": opened.project.to_json(),
            "settings": None if opened.settings is None else opened.settings.to_dict(),
            "track": None if opened.track is None else {"name": opened.track.name, "sha256": opened.track.sha256},
            "trackMatches": matches,
        })

    def save_project_file(self, settings: Any, track_name: Any) -> Any:
        """The project file for the page's project, these export settings (left out if invalid) and the
        loaded track (left out without one). Resolves to {"status": "ready", "text", "settingsLeftOut"}
        or {"status": "failed", "message"}."""
        plain = settings.to_py() if hasattr(settings, "to_py") else settings
        return asyncio.ensure_future(self._save(plain, None if track_name is None else str(track_name)))

    async def _save(self, settings: dict | None, track_name: str | None) -> Any:
        try:
            project = self.host.project()
        except ExportError as error:
            return to_plain_js({"status": "failed", "message": str(error)})
        parsed = None
        try:
            parsed = ExportSettings.from_dict(settings) if settings else None
        except InvalidSettings:
            pass  # the project still saves; the dialog shows what is wrong with its fields
        digest = await self._track_sha256() if track_name else None
        track = TrackRef(track_name[:255], digest) if track_name and digest else None
        text = ProjectFile(project, parsed, track).to_text()
        return to_plain_js({"status": "ready", "text": text, "settingsLeftOut": bool(settings) and parsed is None})

    async def _track_sha256(self) -> str | None:
        try:
            audio = await self.host.decode_audio()
        except AudioError:
            return None
        return await run_in_steps(fingerprint_steps(audio))
