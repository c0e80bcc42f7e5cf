"""The export range of the decoded audio as a WAV, so the encoder gets exactly the frames' duration.

Trimming here rather than with ffmpeg's -ss/-t keeps it sample-exact and independent of how ffmpeg
seeks in compressed input (priming samples in AAC/MP3 would shift the audio against the frames).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import AudioError
from ..frames.timing import FrameRange, round_half_up
from .pcm import check_finite
from ..steps import Steps, finish


@dataclass(frozen=True)
class DecodedAudio:
    """Samples as the page decoded them: float32, shape (channels, n). `channel_sha256`: each channel's
    SHA-256 (of its float32 bytes) when the page computed them (export.manifest.audio_fingerprint).
    `warnings`: what the page noticed while loading the file (e.g. it decoded to less than its header
    says), for the export's log."""

    samples: np.ndarray
    sample_rate: int
    channel_sha256: tuple[bytes, ...] | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.samples.ndim != 2 or self.samples.shape[0] < 1:
            raise AudioError(f"decoded audio must be (channels, samples), got shape {self.samples.shape}")
        if self.samples.shape[1] == 0:
            raise AudioError("the audio file holds no samples")
        if self.sample_rate <= 0:
            raise AudioError(f"invalid sample rate {self.sample_rate}")

    @property
    def duration(self) -> Fraction:
        return Fraction(self.samples.shape[1], self.sample_rate)


# Samples converted per step of wav_steps: a few milliseconds of work in Pyodide.
_WAV_STEP_SAMPLES = 1 << 18
_WAV_HEADER_BYTES = 44


def to_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV of (channels, n) float samples in [-1, 1]."""
    return bytes(finish(wav_steps(samples, sample_rate)))


def wav_steps(samples: np.ndarray, sample_rate: int) -> Steps[bytearray]:
    """`to_wav`, a block of samples per step, into one buffer allocated up front: growing a buffer to
    hundreds of MB (a long track) copies it again and again, for seconds at a time in Pyodide."""
    channels, count = samples.shape
    data = count * channels * 2
    out = bytearray(_WAV_HEADER_BYTES + data)
    yield  # zero-filled as it is allocated: hundreds of MB for a long track, a step of its own
    struct.pack_into("<4sI4s4sIHHIIHH4sI", out, 0, b"RIFF", 36 + data, b"WAVE", b"fmt ", 16, 1, channels,
                     sample_rate, sample_rate * channels * 2, channels * 2, 16, b"data", data)
    pcm = np.frombuffer(out, dtype="<i2", offset=_WAV_HEADER_BYTES).reshape(count, channels)
    for a in range(0, count, _WAV_STEP_SAMPLES):
        block = samples[:, a:a + _WAV_STEP_SAMPLES]
        if not math.isfinite(float(np.sum(block, dtype=np.float64))):
            check_finite(samples, a, a + block.shape[1])
        np.clip(np.round(block.T * 32767), -32768, 32767, out=pcm[a:a + block.shape[1]], casting="unsafe")
        yield
    return out


def clip_samples(audio: DecodedAudio, frames: FrameRange) -> np.ndarray:
    """The samples under the frames, padded with silence if the last frame reaches past the track's end."""
    first = round_half_up(frames.start * audio.sample_rate)
    count = round_half_up(frames.duration * audio.sample_rate)
    clip = audio.samples[:, first:first + count]
    if clip.shape[1] < count:
        clip = np.pad(clip, ((0, 0), (0, count - clip.shape[1])))
    return clip


def clip_wav(audio: DecodedAudio, frames: FrameRange) -> bytes:
    return bytes(finish(clip_wav_steps(audio, frames)))


def clip_wav_steps(audio: DecodedAudio, frames: FrameRange) -> Steps[bytearray]:
    return wav_steps(clip_samples(audio, frames), audio.sample_rate)
