"""vizengine.export.manifest: the key a stored export is resumed by. It must change with anything that
changes a pixel or a sample of the output (else a resume mixes in foreign segments), must not change
with how fast the export runs (encode workers), and must be the same in every run and process."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fakes import BUILD_ID, default_project, synthetic_audio

from vizengine.audio.clip import DecodedAudio
from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.export.manifest import Manifest, audio_fingerprint, build_manifest, settings_of
from vizengine.export.settings import ExportSettings
from vizengine.project.description import Project

SETTINGS = {"resolution": "720p", "fps": 30, "quality": "low", "format": "mp4", "start": "0.5",
            "duration": "1.5"}
AUDIO = synthetic_audio(3.0)
PY = Path(__file__).resolve().parents[1] / "py"


def key(settings: dict = SETTINGS, project: dict | None = None, audio: DecodedAudio = AUDIO,
        build: str = BUILD_ID, encoder: str = SegmentedEncoder.name) -> str:
    manifest = build_manifest(ExportSettings.from_dict(settings), Project.from_json(project or default_project()),
                              audio, encoder, build)
    return manifest.key


def edited(change) -> dict:
    project = copy.deepcopy(default_project())
    change(project)
    return project


def with_sample(index: int, value: float) -> DecodedAudio:
    samples = AUDIO.samples.copy()
    samples[1, index] = value
    return DecodedAudio(samples, AUDIO.sample_rate)


VARIANTS = {
    "resolution": lambda: key({**SETTINGS, "resolution": "1080p"}),
    "fps": lambda: key({**SETTINGS, "fps": 60}),
    "quality": lambda: key({**SETTINGS, "quality": "high"}),
    "format": lambda: key({**SETTINGS, "format": "webm"}),
    "start": lambda: key({**SETTINGS, "start": "0.6"}),
    "duration": lambda: key({**SETTINGS, "duration": "1.4"}),
    "to the end": lambda: key({**SETTINGS, "duration": ""}),
    "layer opacity": lambda: key(project=edited(lambda p: p["layers"][1].update(opacity=0.7))),
    "blend mode": lambda: key(project=edited(lambda p: p["layers"][1].update(blendMode="multiply"))),
    "layer hidden": lambda: key(project=edited(lambda p: p["layers"][1].update(visible=False))),
    "layer order": lambda: key(project=edited(lambda p: p["layers"].reverse())),
    "stage colour": lambda: key(project=edited(lambda p: p.update(background="#101821"))),
    "analyser": lambda: key(project=edited(lambda p: p["analyser"].update(fftSize=512))),
    "one sample": lambda: key(audio=with_sample(12_345, 0.25)),
    "sample rate": lambda: key(audio=DecodedAudio(AUDIO.samples, 44100)),
    "another track": lambda: key(audio=synthetic_audio(3.5)),
    "build": lambda: key(build="test-build-2"),
    "encoder": lambda: key(encoder="ffmpeg"),
}


@pytest.mark.parametrize("what", list(VARIANTS))
def test_each_output_relevant_change_gives_another_key(what):
    assert VARIANTS[what]() != key()


def test_every_variant_has_its_own_key():
    keys = [variant() for variant in VARIANTS.values()] + [key()]
    assert len(set(keys)) == len(keys)


def test_each_manifest_field_is_in_the_key():
    base = build_manifest(ExportSettings.from_dict(SETTINGS), Project.from_json(default_project()), AUDIO,
                          SegmentedEncoder.name, BUILD_ID)
    other = {"settings": {**base.settings, "quality": "high"}, "project": {**base.project, "background": "#000"},
             "audio_sha256": "1" * 64, "frame_count": base.frame_count + 1, "segment_frames": 120,
             "encoder": "ffmpeg", "codec_args": base.codec_args + ["-g", "30"], "build_id": "b2",
             "version": base.version + 1}
    assert set(other) == {field.name for field in dataclasses.fields(Manifest)}
    keys = {name: dataclasses.replace(base, **{name: value}).key for name, value in other.items()}
    assert base.key not in keys.values() and len(set(keys.values())) == len(keys)


@pytest.mark.parametrize("workers", [1, 2, 16, "8"])
def test_the_number_of_encode_workers_does_not_change_the_key(workers):
    assert key({**SETTINGS, "encodeWorkers": workers}) == key() == key({**SETTINGS, "encodeWorkers": 0})


def test_the_manifest_does_not_mention_the_workers():
    manifest = build_manifest(ExportSettings.from_dict({**SETTINGS, "encodeWorkers": 7}),
                              Project.from_json(default_project()), AUDIO, SegmentedEncoder.name, BUILD_ID)
    assert "orkers" not in manifest.to_json()


def test_the_same_settings_written_differently_give_the_same_key():
    assert key({**SETTINGS, "start": 0.5, "duration": 1.5, "fps": "30", "quality": " LOW "}) == key()


def test_the_key_is_a_hash_of_the_manifest_json_and_the_stored_settings_give_it_back():
    manifest = build_manifest(ExportSettings.from_dict(SETTINGS), Project.from_json(default_project()), AUDIO,
                              SegmentedEncoder.name, BUILD_ID)
    assert len(manifest.key) == 32 and int(manifest.key, 16) >= 0
    assert json.loads(manifest.to_json())["frame_count"] == 45
    settings = settings_of(manifest.to_json())
    assert settings == ExportSettings.from_dict(SETTINGS)
    assert key(settings.to_dict() | {"start": "0:00.5", "duration": "0:01.500"}) == key()  # m:ss, as typed


_IN_ANOTHER_PROCESS = """
import json, sys
sys.path.insert(0, {tests!r})
from test_manifest_key import VARIANTS, key
print(json.dumps([key()] + [variant() for variant in VARIANTS.values()]))
"""


def test_the_keys_are_the_same_in_another_process_with_another_hash_seed():
    here = [key()] + [variant() for variant in VARIANTS.values()]
    script = _IN_ANOTHER_PROCESS.format(tests=str(Path(__file__).parent))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(PY)}
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == here


def test_the_key_is_the_same_on_every_call():
    assert len({key() for _ in range(3)}) == 1


def test_the_audio_fingerprint_reads_the_samples_as_float32_with_their_rate_and_layout():
    samples = AUDIO.samples
    assert audio_fingerprint(samples, 48000) == audio_fingerprint(samples.astype(np.float64), 48000)
    assert audio_fingerprint(samples, 48000) != audio_fingerprint(samples, 44100)
    assert audio_fingerprint(samples, 48000) != audio_fingerprint(samples.reshape(1, -1), 48000)
    assert audio_fingerprint(samples, 48000) != audio_fingerprint(samples[::-1], 48000)
