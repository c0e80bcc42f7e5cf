"""`batch JOBS.json` through one cluster: one file per job (a WebM, and an MP4 with ffmpeg.wasm's x264), a
job that cannot run fails alone, and the summary table says which; a part that fails three times fails its
export with the part's own error."""

from __future__ import annotations

import json
import subprocess
import sys

from media import probe
from test_render_farm import ENV, ROOT


def test_a_batch_writes_each_jobs_file_fails_a_bad_job_alone_and_ends_with_a_table(tmp_path):
    jobs = [
        {"demo": True, "out": "a.webm", "resolution": "720p", "fps": 30, "quality": "low", "start": 1,
         "duration": 1},
        {"demo": True, "out": "b.mp4", "resolution": "480x270", "fps": 30, "quality": "low", "start": 2,
         "duration": 1, "encoder": "ffmpeg"},
        {"demo": True, "out": "c.webm", "start": 30, "duration": 1},  # past the demo's 24 s
    ]
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs))
    done = subprocess.run([sys.executable, "-m", "vizengine", "batch", str(path), "--workers", "1"], env=ENV,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # one job failed
    a, b = probe(tmp_path / "a.webm"), probe(tmp_path / "b.mp4")
    assert (a["video"]["codec_name"], a["video"]["width"], int(a["video"]["nb_read_frames"])) == ("vp9", 1280, 30)
    assert (b["video"]["codec_name"], b["video"]["width"], b["video"]["height"]) == ("h264", 480, 270)
    assert int(b["video"]["nb_read_frames"]) == 30 and b["audio"]["codec_name"] == "aac"
    assert not (tmp_path / "c.webm").exists()
    table = done.stdout.splitlines()
    header = next(i for i, line in enumerate(table) if line.startswith("output"))
    rows = table[header + 1:header + 4]
    assert rows[0].startswith(str(tmp_path / "a.webm")) and rows[0].endswith("ok")
    assert rows[1].startswith(str(tmp_path / "b.mp4")) and rows[1].endswith("ok")
    assert "failed: " in rows[2] and "end of the track" in rows[2], rows[2]
    assert "2 of 3 exports" in done.stdout


def test_a_part_that_fails_three_times_fails_the_export_with_its_error(tmp_path):
    log = tmp_path / "attempts"
    out = tmp_path / "farm.webm"
    args = [sys.executable, "-m", "vizengine", "render", "--demo", "--resolution", "720p", "--fps", "30",
            "--quality", "low", "--start", "1", "--duration", "2.1", "--out", str(out), "--workers", "1"]
    done = subprocess.run(args, env={**ENV, "VIZENGINE_FARM_FAIL_PART": f"1:{log}"}, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1
    assert "error: " in done.stderr and "test hook: the part from segment 1 fails" in done.stderr, done.stderr
    assert len(log.read_text().splitlines()) == 3  # the first attempt and Dask's two retries
    assert not out.exists()
