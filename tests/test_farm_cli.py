"""The render farm's pure parts: the job file's checks, the part plan, the native join's arguments and a
real join of segments made by native ffmpeg (cli/batch.py, cli/farm.py, cli/join.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vizengine.cli.batch import read_jobs
from vizengine.cli.farm import error_line, part_frames, plan_parts
from vizengine.cli.join import concat_list, join, join_args
from vizengine.errors import InvalidSettings
from fakes import default_project


def jobs_file(tmp_path: Path, jobs) -> Path:
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs))
    return path


def test_a_job_file_gives_each_export_its_source_output_and_settings(tmp_path):
    path = jobs_file(tmp_path, [{"audio": "a.wav", "out": "out/a.webm", "fps": 30, "duration": "0:05"},
                                {"demo": True, "out": "b.mp4", "resolution": "720p", "encoder": "ffmpeg"}])
    (audio, out, settings, project), (demo, out2, settings2, project2) = read_jobs(path)
    assert audio == tmp_path / "a.wav" and out == tmp_path / "out" / "a.webm"
    assert settings == {"format": "webm", "fps": 30, "duration": "0:05"}
    assert demo is None and out2 == tmp_path / "b.mp4"
    assert settings2 == {"format": "mp4", "resolution": "720p", "encoder": "ffmpeg"}
    assert project is None and project2 is None


def test_a_jobs_project_file_travels_as_text_and_its_settings_fill_what_the_job_leaves_out(tmp_path):
    saved = {"format": "vizengine-project", "project": default_project(),
             "settings": {"resolution": "1440p", "fps": 30, "quality": "low", "format": "webm"}}
    (tmp_path / "p.json").write_text(json.dumps(saved))
    path = jobs_file(tmp_path, [{"demo": True, "out": "a.mp4", "project": "p.json", "quality": "high"}])
    [(_, _, settings, text)] = read_jobs(path)
    assert json.loads(text) == saved
    assert (settings["resolution"], settings["fps"], settings["quality"], settings["format"]) == (
        "1440p", 30, "high", "mp4")


@pytest.mark.parametrize("jobs, message", [
    ({"out": "a.mp4"}, "must hold a non-empty list of jobs"),
    ([], "must hold a non-empty list of jobs"),
    (["a.mp4"], "job 1: must be an object, not str"),
    ([{"demo": True, "out": "a.mp4", "speed": 2}], "job 1: unknown field 'speed'"),
    ([{"out": "a.mp4"}], "job 1: give field 'audio' (a file) or 'demo': true, one of them"),
    ([{"demo": True, "audio": "a.wav", "out": "a.mp4"}], "job 1: give field 'audio'"),
    ([{"demo": "yes", "out": "a.mp4"}], "job 1: field 'demo' must be true or false"),
    ([{"audio": "missing.wav", "out": "a.mp4"}], "job 1: field 'audio': no audio file at missing.wav"),
    ([{"demo": True}], "job 1: field 'out' must be the output file's path"),
    ([{"demo": True, "out": "a.mp4"}, {"demo": True, "out": "a.mp4"}], "job 2: field 'out' repeats a.mp4"),
    ([{"demo": True, "out": "a.mp4"}, {"demo": True, "out": "b.mp4", "fps": 25}], "job 2: "),
    ([{"demo": True, "out": "a.mp4", "duration": "1,5"}], "job 1: "),
    ([{"demo": True, "out": "a.mp4", "project": "none.json"}], "job 1: field 'project': cannot read the project file"),
])
def test_a_bad_job_file_is_refused_naming_the_job_and_field(tmp_path, jobs, message):
    with pytest.raises(InvalidSettings) as refused:
        read_jobs(jobs_file(tmp_path, jobs))
    assert message in str(refused.value)


def test_a_job_file_that_is_not_json_says_where(tmp_path):
    path = tmp_path / "jobs.json"
    path.write_text('[{"demo": true,}]')
    with pytest.raises(InvalidSettings, match="is not JSON: .* at line 1"):
        read_jobs(path)


def test_one_part_per_segment_and_the_last_part_holds_the_remaining_frames():
    plan = {"frames": 150, "segmentFrames": 60, "segments": 3}
    parts = plan_parts(plan["segments"])
    assert parts == [(0, 1), (1, 2), (2, 3)]
    assert [part_frames(part, plan) for part in parts] == [60, 60, 30]
    assert sum(part_frames(part, plan) for part in parts) == plan["frames"]


def test_a_page_error_is_one_line_without_playwrights_prefix_and_call_log():
    error = Exception("Error: page.evaluate: Error: The audio could not be encoded: boom\n    at settled (x.js:1)")
    assert error_line(error) == "The audio could not be encoded: boom"
    assert error_line(Exception("Page.evaluate: Error: start 30 s is at or after the end")) == "start 30 s is at or after the end"


def test_join_copies_streams_with_fast_start_for_mp4_only(tmp_path):
    mp4 = join_args(tmp_path / "l", tmp_path / "a.m4a", tmp_path / "o.mp4", "mp4")
    assert mp4[mp4.index("-f") + 1:mp4.index("-f") + 6] == ["concat", "-safe", "0", "-i", str(tmp_path / "l")]
    assert mp4[-11:] == ["-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart",
                         "-f", "mp4", str(tmp_path / "o.mp4")]
    webm = join_args(tmp_path / "l", None, tmp_path / "o.webm", "webm")
    assert webm[-7:] == ["-map", "0:v:0", "-c", "copy", "-f", "webm", str(tmp_path / "o.webm")]


def test_the_concat_list_names_absolute_paths_in_order_with_quotes_escaped(tmp_path):
    text = concat_list([tmp_path / "b.mp4", tmp_path / "it's.mp4"])
    assert text.splitlines() == ["ffconcat version 1.0", f"file '{tmp_path}/b.mp4'", f"file '{tmp_path}/it'\\''s.mp4'"]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="native ffmpeg not installed")
def test_a_native_join_keeps_every_segments_frames_and_the_audio(tmp_path):
    def ffmpeg(*args):
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)

    segments = []
    for s, (pattern, frames) in enumerate([("testsrc", 10), ("smptebars", 5)]):
        segments.append(tmp_path / f"s{s}.mp4")
        ffmpeg("-f", "lavfi", "-i", f"{pattern}=size=64x48:rate=5", "-frames:v", str(frames), "-c:v", "libx264",
               "-pix_fmt", "yuv420p", str(segments[-1]))
    audio = tmp_path / "a.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3", "-c:a", "aac", str(audio))
    out = tmp_path / "out" / "joined.mp4"
    join(segments, audio, out, "mp4", tmp_path)

    def md5s(path, stream):
        text = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", f"0:{stream}", "-f", "framemd5", "-"],
                              check=True, capture_output=True, text=True).stdout
        return [line.rsplit(",", 1)[-1].strip() for line in text.splitlines() if line and not line.startswith("#")]

    assert md5s(out, "v") == md5s(segments[0], "v") + md5s(segments[1], "v")
    assert md5s(out, "a") == md5s(audio, "a")
    assert list(out.parent.iterdir()) == [out]  # no partial file left beside it
