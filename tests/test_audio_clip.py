"""vizengine.audio.clip: the export range of the audio, sample-exact, as a 16-bit WAV."""

from __future__ import annotations

import io
import math
import wave
from fractions import Fraction

import numpy as np
import pytest

from vizengine.audio.clip import DecodedAudio, clip_samples, clip_wav, to_wav
from vizengine.errors import AudioError
from vizengine.frames.timing import FrameRange


def ramp_audio(seconds: float = 1.0, rate: int = 44100, channels: int = 2) -> DecodedAudio:
    """Each sample holds its own index (scaled), so a clip shows exactly where it came from."""
    n = round(seconds * rate)
    index = np.arange(n, dtype=np.float64)
    rows = [(index + c * n) / (channels * n) for c in range(channels)]
    return DecodedAudio(np.stack(rows).astype(np.float32), rate)


def half_up(q: Fraction) -> int:
    return math.floor(q + Fraction(1, 2))


@pytest.mark.parametrize("start, fps, count, rate", [
    (Fraction(0), 30, 9, 48000),
    (Fraction(1, 10), 30, 7, 48000),
    (Fraction(1, 120), 120, 5, 44100),      # start on a half sample: 367.5 -> 368
    (Fraction(7, 240), 120, 13, 44100),     # 1286.25
    (Fraction(1, 3), 60, 11, 22050),
])
def test_clip_starts_at_the_rounded_start_sample_and_lasts_the_rounded_duration(start, fps, count, rate):
    audio = ramp_audio(1.0, rate)
    frames = FrameRange(start, fps, count)
    clip = clip_samples(audio, frames)
    first = half_up(start * rate)
    length = half_up(Fraction(count, fps) * rate)
    assert clip.shape == (2, length)
    np.testing.assert_array_equal(clip, audio.samples[:, first:first + length])


def test_clip_past_the_end_of_the_track_is_padded_with_silence():
    audio = ramp_audio(0.5, 48000)  # 24000 samples
    frames = FrameRange(Fraction(2, 5), 30, 6)  # 0.4 s .. 0.6 s: 19200 .. 28800
    clip = clip_samples(audio, frames)
    assert clip.shape == (2, 9600)
    np.testing.assert_array_equal(clip[:, :4800], audio.samples[:, 19200:])
    assert not clip[:, 4800:].any()
    assert clip.dtype == audio.samples.dtype


def read_wav(data: bytes):
    with wave.open(io.BytesIO(data), "rb") as w:
        header = (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return header, pcm.reshape(-1, header[0]).T


@pytest.mark.parametrize("channels, rate", [(1, 22050), (2, 44100), (2, 48000), (6, 48000)])
def test_wav_header_has_the_channels_rate_and_frame_count(channels, rate):
    samples = np.zeros((channels, 1234), np.float32)
    header, _ = read_wav(to_wav(samples, rate))
    assert header == (channels, 2, rate, 1234)


def test_wav_holds_the_samples_scaled_to_16_bits_per_channel():
    codes = np.array([[0, 1, -1, 16384, -16384, 32767, -32767], [5, 4, 3, 2, 1, 0, -1]])
    samples = (codes / 32767).astype(np.float32)
    _, pcm = read_wav(to_wav(samples, 8000))
    np.testing.assert_array_equal(pcm, codes)


def test_wav_clips_samples_outside_minus_one_to_one():
    samples = np.array([[1.5, -1.5, 1.0, -1.0]], np.float32)
    _, pcm = read_wav(to_wav(samples, 8000))
    assert pcm.tolist() == [[32767, -32768, 32767, -32767]]


def test_clip_wav_is_the_clipped_samples_as_wav():
    audio = ramp_audio(1.0, 48000)
    frames = FrameRange(Fraction(1, 4), 60, 12)
    header, pcm = read_wav(clip_wav(audio, frames))
    assert header == (2, 2, 48000, 12 * 800)
    expected = np.round(clip_samples(audio, frames).astype(np.float64) * 32767)
    assert np.abs(pcm - expected).max() <= 1


@pytest.mark.parametrize("samples, rate, message", [
    (np.zeros(100, np.float32), 48000, "channels"),
    (np.zeros((0, 100), np.float32), 48000, "channels"),
    (np.zeros((2, 0), np.float32), 48000, "no samples"),
    (np.zeros((2, 100), np.float32), 0, "sample rate"),
])
def test_decoded_audio_rejects_unusable_input(samples, rate, message):
    with pytest.raises(AudioError, match=message):
        DecodedAudio(samples, rate)


def test_decoded_audio_duration_is_exact():
    assert DecodedAudio(np.zeros((2, 44101), np.float32), 44100).duration == Fraction(44101, 44100)
