"""What identifies an export's output, stored beside its segments so a reload can resume it.

Two exports with the same manifest produce the same frames and audio, so their finished segments are
interchangeable; anything that changes a pixel or a sample (settings, the project, the decoded audio,
the segment size, the codec arguments, the app's build) is in it, and its `key` is a hash of all of it.
How many workers encode is not: it changes the speed, not the output.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np

from ..audio.clip import DecodedAudio
from ..encode.encoding import EncodeJob, audio_codec_args, video_codec_args
from ..encode.segments import segment_frames
from ..project.description import Project
from ..steps import Steps, finish
from .settings import ExportSettings

MANIFEST_VERSION = 1


# Samples hashed per step of fingerprint_steps (per channel).
_HASH_STEP_SAMPLES = 1 << 20


def audio_fingerprint(samples: np.ndarray, sample_rate: int) -> str:
    """SHA-256 of the decoded samples as the export reads them (float32, channels first) and their rate."""
    return finish(fingerprint_steps(samples, sample_rate))


def fingerprint_steps(samples: np.ndarray, sample_rate: int) -> Steps[str]:
    """`audio_fingerprint`, a block of samples per step (channel after channel, as the bytes lie)."""
    digest = hashlib.sha256(f"{sample_rate}:{samples.shape}".encode())
    for channel in samples:
        for a in range(0, channel.shape[0], _HASH_STEP_SAMPLES):
            digest.update(np.ascontiguousarray(channel[a:a + _HASH_STEP_SAMPLES], dtype=np.float32).tobytes())
            yield
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    settings: dict
    project: dict
    audio_sha256: str
    frame_count: int
    segment_frames: int
    encoder: str
    codec_args: list
    build_id: str
    version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @property
    def key(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:32]


def build_manifest(settings: ExportSettings, project: Project, audio: DecodedAudio, encoder: str,
                   build_id: str, audio_sha256: str | None = None) -> Manifest:
    """The manifest of exporting `audio` with `settings` and `project`: what a stored export must match.
    `audio_sha256` is audio_fingerprint(audio), when the caller has it already."""
    if audio_sha256 is None:
        audio_sha256 = audio_fingerprint(audio.samples, audio.sample_rate)
    frames = settings.frame_range(audio.duration)
    width, height = settings.size
    job = EncodeJob(width, height, frames.fps, frames.count, settings.quality, settings.format)
    return Manifest(settings.to_dict(), project.to_json(), audio_sha256,
                    frames.count, segment_frames(frames.fps), encoder,
                    video_codec_args(job) + audio_codec_args(job), build_id)


def settings_of(manifest_json: str) -> ExportSettings:
    """The settings a stored manifest was made with. Start and duration are floats there, read exactly by
    their shortest decimal form, as the dialog's text for them would be (str() might write 1e-07, which
    the dialog's grammar refuses)."""
    return ExportSettings.from_dict(json.loads(manifest_json)["settings"])
