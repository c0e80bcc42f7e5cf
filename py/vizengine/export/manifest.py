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
from ..encode.webcodecs import webcodecs_config
from ..encode.segments import segment_frames
from ..project.description import Project
from ..steps import Steps, finish
from .settings import ExportSettings

MANIFEST_VERSION = 1


# Samples hashed per step of fingerprint_steps (per channel).
_HASH_STEP_SAMPLES = 1 << 19


def audio_fingerprint(samples: np.ndarray, sample_rate: int) -> str:
    """What identifies decoded audio: SHA-256 of its rate, its shape and each channel's SHA-256 (of the
    float32 samples' bytes). Per channel, so the page can hash with the browser's native SHA-256,
    off its main thread, and hand over the digests (see DecodedAudio.channel_sha256)."""
    return finish(fingerprint_steps(DecodedAudio(np.asarray(samples, dtype=np.float32).reshape(
        -1, np.shape(samples)[-1]), sample_rate)))


def fingerprint_steps(audio: DecodedAudio) -> Steps[str]:
    """`audio_fingerprint` of `audio`, hashing in steps unless the page already gave the digests."""
    digests = audio.channel_sha256
    if digests is None:
        digests = []
        for channel in audio.samples:
            digests.append((yield from _sha256_of_samples(channel)))
    header = f"{audio.sample_rate}:{audio.samples.shape}".encode()
    return hashlib.sha256(header + b"".join(digests)).hexdigest()


def _sha256_of_samples(channel: np.ndarray) -> Steps[bytes]:
    digest = hashlib.sha256()
    for a in range(0, channel.shape[0], _HASH_STEP_SAMPLES):
        digest.update(np.ascontiguousarray(channel[a:a + _HASH_STEP_SAMPLES], dtype=np.float32).data)
        yield
    return digest.digest()


@dataclass(frozen=True)
class Manifest:
    settings: dict
    project: dict
    audio_sha256: str
    frame_count: int
    segment_frames: int
    encoder: str
    codec_args: list | dict
    build_id: str
    version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @property
    def key(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:32]


# The encoder whose segments are WebCodecs' (encode/webcodecs_encoder.py); any other name is ffmpeg's.
WEBCODECS_ENCODER = "webcodecs"


def codec_settings(encoder: str, job: EncodeJob) -> list | dict:
    """What decides the encoder's bytes: its ffmpeg arguments, or its WebCodecs configuration."""
    if encoder == WEBCODECS_ENCODER:
        return webcodecs_config(job.width, job.height, job.fps, job.quality, job.format).to_dict()
    return video_codec_args(job) + audio_codec_args(job)


def build_manifest(settings: ExportSettings, project: Project, audio: DecodedAudio, encoder: str,
                   build_id: str, audio_sha256: str | None = None) -> Manifest:
    """The manifest of exporting `audio` with `settings` and `project`: what a stored export must match.
    `audio_sha256` is audio_fingerprint(audio), when the caller has it already. `encoder` is the encoder
    that runs (its name and codec settings are in the manifest), not the user's choice of one: an `auto`
    export and a named one that ran the same encoder share their segments."""
    if audio_sha256 is None:
        audio_sha256 = finish(fingerprint_steps(audio))
    frames = settings.frame_range(audio.duration)
    width, height = settings.size
    job = EncodeJob(width, height, frames.fps, frames.count, settings.quality, settings.format)
    chosen = {name: value for name, value in settings.to_dict().items() if name != "encoder"}
    return Manifest(chosen, project.to_json(), audio_sha256, frames.count, segment_frames(frames.fps), encoder,
                    codec_settings(encoder, job), build_id)


def settings_of(manifest_json: str) -> ExportSettings:
    """The settings a stored manifest was made with. Start and duration are floats there, read exactly by
    their shortest decimal form, as the dialog's text for them would be (str() might write 1e-07, which
    the dialog's grammar refuses)."""
    return ExportSettings.from_dict(json.loads(manifest_json)["settings"])
