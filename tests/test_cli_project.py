"""`render --project FILE`: the file is checked before a browser starts, and its export settings fill in
what the command line leaves out."""

from __future__ import annotations

import argparse
import json

import pytest
from fakes import default_project

from vizengine.cli.render import add_arguments, read_project, run, settings_of_args


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def project_file(tmp_path, **settings):
    path = tmp_path / "p.vizproject.json"
    obj = {"format": "vizengine-project", "project": default_project()}
    if settings:
        obj["settings"] = settings
    path.write_text(json.dumps(obj))
    return path


def test_without_a_project_the_defaults_and_the_outs_extension_decide():
    args = parse("--demo", "--out", "x.webm")
    assert settings_of_args(args, None) == {"resolution": "1080p", "fps": 60, "quality": "high", "format": "webm",
                                            "encoder": "auto", "start": "0", "duration": None, "encodeWorkers": 0}


def test_the_projects_settings_apply_where_the_command_line_gives_none(tmp_path):
    path = project_file(tmp_path, resolution="720p", fps=30, quality="low", format="webm", start="2")
    args = parse("--demo", "--out", "x.mp4", "--fps", "60", "--project", str(path))
    _, opened = read_project(args.project)
    settings = settings_of_args(args, opened.settings)
    assert (settings["resolution"], settings["fps"], settings["quality"], settings["start"]) == ("720p", 60, "low", 2.0)
    assert settings["format"] == "mp4"  # the file name the user asked for wins


def test_a_bad_project_file_stops_the_cli_before_a_browser_with_the_field_named(tmp_path, capsys):
    bad = default_project()
    bad["layers"][1]["opacity"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "vizengine-project", "project": bad}))
    assert run(parse("--demo", "--out", str(tmp_path / "x.mp4"), "--project", str(path))) == 2
    err = capsys.readouterr().err
    assert "bad.json: project.layers[1].opacity must be a number from 0 to 1 (got 3)" in err


def test_a_missing_project_file_is_named(tmp_path, capsys):
    assert run(parse("--demo", "--out", str(tmp_path / "x.mp4"), "--project", str(tmp_path / "nope.json"))) == 2
    assert "cannot read the project file" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--resolution", "--fps", "--quality", "--encoder"])
def test_settings_flags_default_to_none_so_a_project_can_fill_them(flag):
    dest = flag[2:]
    assert getattr(parse("--demo", "--out", "x.mp4"), dest) is None
