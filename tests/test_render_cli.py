"""`python -m vizengine render --resolution`: a preset or WxH, refused with Python's message before any
browser starts (cli/render.py); the export itself is e2e's (e2e/test_aspect_ratios.py)."""

from __future__ import annotations

import argparse

import pytest

from vizengine.cli import render


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    render.add_arguments(parser)
    return parser.parse_args(["--demo", "--out", "clip.mp4", *argv])


@pytest.mark.parametrize("resolution", ["vertical", "square", "1080x1920", "640x480", "4K"])
def test_presets_and_sizes_reach_the_export_as_given(monkeypatch, resolution):
    seen = []
    monkeypatch.setattr(render, "_export", lambda args, settings: seen.append(settings["resolution"]) or 0)
    assert render.run(parsed("--resolution", resolution)) == 0
    assert seen == [resolution]  # the page reads it as Python does: "1080x1920" is the vertical preset


@pytest.mark.parametrize("resolution, message", [
    ("1281x720", "error: resolution 1281x720: width must be even"),
    ("1280x4000", "error: resolution 1280x4000: height must be from 128 to 3840 pixels"),
    ("8k", "error: resolution must be one of 720p, 1080p, 1440p, 4k, square, vertical or a size WxH"),
])
def test_a_bad_resolution_is_refused_in_one_line_before_a_browser_starts(monkeypatch, capsys, resolution, message):
    monkeypatch.setattr(render, "_export", lambda args, settings: pytest.fail("a browser was started"))
    assert render.run(parsed("--resolution", resolution)) == 2
    assert capsys.readouterr().err.startswith(message)


def test_the_default_is_the_contracts_and_help_names_the_presets_and_the_limits():
    args = parsed()
    assert args.resolution is None and render.settings_of_args(args, None)["resolution"] == "1080p"
    parser = argparse.ArgumentParser()
    render.add_arguments(parser)
    text = " ".join(parser.format_help().split())
    assert "vertical = 1080x1920" in text and "square = 1080x1080" in text and "1280x960" in text and "128 to 3840" in text
