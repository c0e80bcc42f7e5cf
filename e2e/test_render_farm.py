"""The render farm (`render --workers N` / `--scheduler`): an export rendered by Dask workers, one headless
browser each, and joined by native ffmpeg decodes to the same frames and audio as the single-browser export;
a worker killed mid-render has its part retried; Ctrl-C leaves no browser and no temporary file behind.

Kept short: 2.1 s of 720p30 from 1 s (63 frames: a whole 2 s segment and a 3-frame one), WebM with auto,
which picks WebCodecs' VP9 + Opus here (deterministic; this Chromium's H.264 WebCodecs encoder is not, so
two single-browser MP4 exports with it already differ).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ["--demo", "--resolution", "720p", "--fps", "30", "--quality", "low", "--start", "1", "--duration", "2.1"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "py"), os.environ.get("PYTHONPATH")]))}


def render(out: Path, *extra: str, env: dict | None = None, profile: Path | None = None) -> str:
    args = [sys.executable, "-m", "vizengine", "render", *SETTINGS, "--out", str(out), *extra]
    if profile is not None:
        args += ["--profile", str(profile)]
    done = subprocess.run(args, env=env or ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def md5s(path: Path, stream: str) -> list[str]:
    text = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", f"0:{stream}", "-f", "framemd5", "-"],
                          check=True, capture_output=True, text=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The single-browser export: (video frame hashes, audio frame hashes)."""
    folder = tmp_path_factory.mktemp("farm-reference")
    render(folder / "single.webm", profile=folder / "profile")
    video, audio = md5s(folder / "single.webm", "v"), md5s(folder / "single.webm", "a")
    assert len(video) == 63 and audio
    return video, audio


def assert_same(out: Path, reference) -> None:
    assert (md5s(out, "v"), md5s(out, "a")) == reference


@pytest.mark.parametrize("workers", [1, 2])
def test_local_workers_give_the_single_browser_exports_frames_and_audio(reference, tmp_path, workers):
    out = tmp_path / "farm.webm"
    printed = render(out, "--workers", str(workers))
    assert f"farm: {workers} workers (local)" in printed and "encoder: WebCodecs, auto" in printed
    assert_same(out, reference)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_external_scheduler_and_two_dask_workers_give_the_same_file(reference, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = str(Path(sys.executable).parent / "dask")  # the venv's `dask` command
    env = {**ENV, "TMPDIR": str(tmp_path)}
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        # One `dask worker` command starting two worker processes (each under its own nanny): one Python
        # start-up fewer than two commands.
        processes.append(subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                           "--no-dashboard"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "farm.webm"
        printed = render(out, "--scheduler", address)
        assert f"farm: 2 workers ({address})" in printed
        assert_same(out, reference)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGINT)  # dask's own clean shutdown: the workers' browsers close
        for process in reversed(processes):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_worker_killed_mid_render_has_its_part_retried_and_the_file_is_the_same(reference, tmp_path):
    marker = tmp_path / "killed"
    out = tmp_path / "farm.webm"
    render(out, "--workers", "2", env={**ENV, "VIZENGINE_FARM_KILL_FIRST_ATTEMPT": f"0:{marker}"})
    assert marker.exists(), "the hook never killed a worker"
    assert not psutil.pid_exists(int(marker.read_text())) or psutil.Process(int(marker.read_text())).status() == "zombie"
    assert_same(out, reference)


def ours(folder: Path) -> list[psutil.Process]:
    """Processes whose command line names `folder` (the browsers' profiles live in it)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(folder) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def test_ctrl_c_stops_every_browser_and_leaves_no_temporary_files(tmp_path):
    # Short: Chromium's socket lives under TMPDIR, and a Unix socket's path holds at most 107 bytes.
    temp = Path(tempfile.mkdtemp(prefix="farm-ctrl-c-", dir="/tmp"))
    env = {**ENV, "TMPDIR": str(temp)}
    cli = subprocess.Popen([sys.executable, "-m", "vizengine", "render", *SETTINGS, "--duration", "6",
                            "--out", str(tmp_path / "farm.webm"), "--workers", "2"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in cli.stdout:
            if line.startswith("encoder:"):  # planned: the browsers are up and parts are rendering
                break
        else:
            pytest.fail(f"the export never started: {cli.communicate(timeout=60)[1]}")
        # The plan ran in a worker's browser, so one is up; a moment more and parts are rendering.
        deadline = time.monotonic() + 30
        while not any("chromium" in " ".join(p.info["cmdline"] or []) for p in ours(temp)):
            assert time.monotonic() < deadline, "no browser ran"
            time.sleep(0.2)
        time.sleep(1)
        cli.send_signal(signal.SIGINT)
        _, errors = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 130 and errors.strip().splitlines()[-1] == "error: interrupted", errors
    deadline = time.monotonic() + 10
    while ours(temp) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert ours(temp) == []
    left = [str(path) for path in temp.rglob("*")]
    shutil.rmtree(temp)
    assert left == []
    assert not (tmp_path / "farm.webm").exists()
