"""The project file: project, export settings and track reference in one JSON text; every mistake named."""

from __future__ import annotations

import asyncio
import json

import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio

from vizengine.errors import InvalidProject
from vizengine.export.manifest import fingerprint_steps
from vizengine.export.settings import ExportSettings
from vizengine.project.description import Project
from vizengine.project.project_file import FORMAT, ProjectFile, TrackRef, read_project_file
from vizengine.steps import run_in_steps

SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "webm", "start": "1", "duration": "4"}


def a_file(**changes) -> dict:
    obj = {"format": FORMAT, "project": default_project(), "settings": SETTINGS,
           "track": {"name": "song.flac", "sha256": "ab" * 32}}
    obj.update(changes)
    return obj


def refused(obj) -> str:
    with pytest.raises(InvalidProject) as info:
        read_project_file(obj if isinstance(obj, str) else json.dumps(obj))
    return str(info.value)


def test_a_saved_file_opens_to_the_same_project_settings_and_track():
    opened = read_project_file(json.dumps(a_file()))
    assert opened.project == Project.from_json(default_project())
    assert opened.settings == ExportSettings.from_dict(SETTINGS)
    assert opened.track == TrackRef("song.flac", "ab" * 32)
    assert read_project_file(opened.to_text()) == opened


def test_settings_and_track_may_be_left_out_and_a_bare_project_opens():
    assert read_project_file(json.dumps({"format": FORMAT, "project": default_project()})).settings is None
    bare = read_project_file(json.dumps(default_project()))
    assert bare == ProjectFile(Project.from_json(default_project()))


@pytest.mark.parametrize(("obj", "message"), [
    ("{not json", "the file is not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    ([1, 2], 'not a viz-engine project file (its "format" must be "vizengine-project")'),
    ({"format": "other"}, 'not a viz-engine project file'),
    (a_file(extra=1), "extra is not a known field (known: format, project, settings, track)"),
    ({"format": FORMAT}, "project is missing"),
    (a_file(settings={**SETTINGS, "fps": 25}), "settings: fps must be one of"),
    (a_file(settings=[]), "settings must be a JSON object"),
    (a_file(track={"name": "", "sha256": "ab" * 32}), "track.name must be text of 1 to 255 characters"),
    (a_file(track={"name": "a", "sha256": "xyz"}), "track.sha256 must be 64 lower-case hex digits"),
    (a_file(track={"name": "a", "sha256": "ab" * 32, "url": "http://x"}), "track.url is not a known field"),
    (a_file(project={**default_project(), "background": "red"}), "project.background must be a colour"),
])
def test_each_malformed_field_is_named(obj, message):
    assert refused(obj).startswith(message)


def run(awaitable_factory):
    async def go():
        reply = await awaitable_factory()
        return reply.to_py() if hasattr(reply, "to_py") else reply
    return asyncio.run(go())


def test_the_page_saves_a_file_that_reopens_and_knows_its_track(bridge):
    page = FakePage(default_project(), synthetic_audio(3.0))
    app = bridge.install(page)
    saved = run(lambda: app.save_project_file(SETTINGS, "song.wav"))
    assert saved["status"] == "ready" and not saved["settingsLeftOut"]
    digest = run_in_steps_sync(page)
    assert json.loads(saved["text"])["track"] == {"name": "song.wav", "sha256": digest}
    opened = run(lambda: app.open_project_file(saved["text"]))
    assert opened["status"] == "ready" and opened["trackMatches"] is True
    assert opened["project"] == Project.from_json(default_project()).to_json()
    assert opened["settings"] == ExportSettings.from_dict(SETTINGS).to_dict()


def test_invalid_settings_are_left_out_of_a_saved_file_and_said_so(bridge):
    app = bridge.install(FakePage(default_project(), synthetic_audio(3.0)))
    saved = run(lambda: app.save_project_file({**SETTINGS, "duration": "-2"}, None))
    assert saved["settingsLeftOut"] and "settings" not in json.loads(saved["text"])
    assert "track" not in json.loads(saved["text"])


def test_opening_a_bad_file_fails_with_the_field_named_and_changes_nothing(bridge):
    page = FakePage(default_project(), synthetic_audio(3.0))
    app = bridge.install(page)
    bad = a_file(project={**default_project(), "layers": [{"id": "x"}]})
    reply = run(lambda: app.open_project_file(json.dumps(bad)))
    assert reply == {"status": "failed", "message": "project.layers[0].kind is missing"}
    assert page.project_json == default_project()


def run_in_steps_sync(page) -> str:
    return asyncio.run(run_in_steps(fingerprint_steps(page.audio)))


def test_the_demo_project_file_opens_and_has_the_three_demo_layers():
    from vizengine.project.project_file import demo_project_text

    demo = read_project_file(demo_project_text())
    assert [layer.kind for layer in demo.project.layers] == ["pulse-gradient", "spectrum-bars", "waveform"]
