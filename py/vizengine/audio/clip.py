"""The export range of the decoded audio as a WAV, so the encoder gets exactly the frames' duration.

Trimming here rather than with ffmpeg's -ss/-t keeps it sample-exact and independent of how ffmpeg
seeks in compressed input (priming samples in AAC/MP3 would shift the audio against the frames).
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import AudioError
from ..frames.timing import FrameRange, round_half_up


@dataclass(frozen=True)
class DecodedAudio:
    """Samples as the page decoded them: float32, shape (channels, n)."""

    samples: np.ndarray
    sample_rate: int

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


def to_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV of (channels, n) float samples in [-1, 1]."""
    pcm = np.clip(np.round(samples.T * 32767), -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(samples.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def clip_samples(audio: DecodedAudio, frames: FrameRange) -> np.ndarray:
    """The samples under the frames, padded with silence if the last frame reaches past the track's end."""
    first = round_half_up(frames.start * audio.sample_rate)
    count = round_half_up(frames.duration * audio.sample_rate)
    clip = audio.samples[:, first:first + count]
    if clip.shape[1] < count:
        clip = np.pad(clip, ((0, 0), (0, count - clip.shape[1])))
    return clip


def clip_wav(audio: DecodedAudio, frames: FrameRange) -> bytes:
    return to_wav(clip_samples(audio, frames), audio.sample_rate)
