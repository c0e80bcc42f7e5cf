"""The user's own audio: every format Chromium decodes loads through the file picker, and exports."""

from __future__ import annotations

import subprocess

import pytest

from media import probe, tone_after_silence
from vizengine.cli.driver import export_to_file, load_audio

ENCODERS = {"mp3": ["-c:a", "libmp3lame"], "ogg": ["-c:a", "libvorbis"], "flac": ["-c:a", "flac"],
            "m4a": ["-c:a", "aac"], "wav": ["-c:a", "pcm_s16le"]}


def encode(tmp_path, fmt, name="track"):
    source = tone_after_silence(tmp_path / "source.wav", silence=0.3, tone=1.7, rate=44_100)
    out = tmp_path / f"{name}.{fmt}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), *ENCODERS[fmt], str(out)], check=True)
    return out


@pytest.mark.parametrize("fmt", sorted(ENCODERS))
def test_each_common_format_loads_through_the_file_picker(module_page, tmp_path, fmt):
    # One booted app for the module: each load replaces the track before (a new name, so the load is seen).
    page = module_page
    track = encode(tmp_path, fmt)
    name = load_audio(page, track)
    assert name.startswith(f"track.{fmt}")
    seconds = page.evaluate("window.vizengine.playback.duration")
    assert abs(seconds - 2.0) < 0.06, seconds  # lossy codecs may pad a frame
    assert page.evaluate("window.vizengine.playback.buffer.sampleRate") == 48_000  # resampled to the app's rate


def test_an_mp3_exports_with_its_audio_trimmed_to_the_range(module_page, tmp_path):
    page = module_page
    load_audio(page, encode(tmp_path, "mp3", name="to-export"))  # named unlike the picker test's track.mp3
    out = tmp_path / "from-mp3.mp4"
    export_to_file(page, {"resolution": "720p", "fps": 30, "start": 0.5, "duration": 1.0, "format": "mp4"}, out)
    info = probe(out)
    assert int(info["video"]["nb_read_frames"]) == 30
    assert abs(float(info["audio"]["duration"]) - 1.0) <= 1 / 30
