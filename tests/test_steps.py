"""Long work in steps (vizengine.steps): the page gets its thread back between steps, and stepping
changes no result: analysis, the trimmed WAV and the audio fingerprint are the same bytes in one go."""

import asyncio
import hashlib
import io
import wave

import numpy as np
import pytest

from vizengine.audio import clip
from vizengine.audio.analysis import analyse, analyse_steps
from vizengine.audio.clip import DecodedAudio
from vizengine.errors import AudioError
from vizengine.errors import ExportCancelled
from vizengine.export import manifest
from vizengine.export.cancel import CancelSignal
from vizengine.steps import finish, run_in_steps


def counting(n, log):
    try:
        for i in range(n):
            log.append(i)
            yield
        return "done"
    finally:
        log.append("closed")


class Clock:
    """Each step takes `step` seconds of fake time."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def test_finish_runs_every_step_and_returns_the_result():
    log = []
    assert finish(counting(3, log)) == "done"
    assert log == [0, 1, 2, "closed"]


def test_run_in_steps_yields_to_the_event_loop_once_the_budget_is_spent(monkeypatch):
    yields = []
    real_sleep = asyncio.sleep

    async def sleep(delay):
        yields.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    # every clock read advances 0.02 s; one step = one read, so the 0.05 s budget is spent every 3 steps
    result = asyncio.run(run_in_steps(counting(9, []), budget=0.05, clock=Clock(0.02)))
    assert result == "done"
    assert len(yields) == 3


def test_run_in_steps_never_yields_when_the_work_is_quick(monkeypatch):
    yields = []
    monkeypatch.setattr(asyncio, "sleep", lambda delay: yields.append(delay))
    assert asyncio.run(run_in_steps(counting(100, []), budget=1.0, clock=Clock(0.0))) == "done"
    assert yields == []


def test_a_cancel_seen_between_steps_stops_the_work_and_closes_it():
    signal, log = CancelSignal(), []

    def cancelling():
        for i in range(100):
            log.append(i)
            if i == 4:
                signal.cancel()
            yield
        log.append("ran to the end")

    steps = cancelling()
    with pytest.raises(ExportCancelled):
        asyncio.run(run_in_steps(steps, signal.check, budget=0.0, clock=Clock(1.0)))
    assert log == [0, 1, 2, 3, 4]
    assert steps.gi_frame is None  # closed: its buffers are released now, not at garbage collection


def test_the_analysis_takes_many_steps_for_a_long_track_and_equals_the_one_go_result():
    rng = np.random.default_rng(3)
    samples = (0.3 * rng.standard_normal((2, 48000 * 40))).astype(np.float32)
    steps = analyse_steps(samples, 48000, 60, fft_size=512, smoothing=0.8)
    count = 0
    while True:
        try:
            next(steps)
            count += 1
        except StopIteration as done:
            stepped = done.value
            break
    whole = analyse(samples, 48000, 60, fft_size=512, smoothing=0.8)
    assert count > 1 and len(stepped) == len(whole) >= 40 * 60
    np.testing.assert_array_equal(stepped.frequency, whole.frequency)
    np.testing.assert_array_equal(stepped.time_domain, whole.time_domain)


def test_the_wav_is_what_pythons_wave_module_writes_whatever_the_step_size(monkeypatch):
    rng = np.random.default_rng(4)
    samples = np.clip(0.5 * rng.standard_normal((2, 10_007)), -1.2, 1.2).astype(np.float32)
    pcm = np.clip(np.round(samples.T * 32767), -32768, 32767).astype("<i2").tobytes()
    expected = io.BytesIO()
    with wave.open(expected, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(pcm)
    monkeypatch.setattr(clip, "_WAV_STEP_SAMPLES", 1000)
    stepped = clip.to_wav(samples, 44100)
    monkeypatch.setattr(clip, "_WAV_STEP_SAMPLES", 1 << 20)
    assert stepped == clip.to_wav(samples, 44100) == expected.getvalue()


def test_a_wav_of_samples_that_are_not_finite_is_refused_naming_the_sample():
    samples = np.zeros((2, 5000), np.float32)
    samples[1, 4321] = np.inf
    with pytest.raises(AudioError, match=r"inf.*channel 1, sample 4321"):
        clip.to_wav(samples, 48000)


def test_the_fingerprint_hashes_each_channels_bytes_whatever_the_step_size(monkeypatch):
    samples = np.random.default_rng(5).standard_normal((2, 5000)).astype(np.float32)
    channels = b"".join(hashlib.sha256(channel.tobytes()).digest() for channel in samples)
    expected = hashlib.sha256(b"48000:(2, 5000)" + channels).hexdigest()
    monkeypatch.setattr(manifest, "_HASH_STEP_SAMPLES", 777)
    assert manifest.audio_fingerprint(samples, 48000) == expected


def test_the_pages_channel_digests_give_the_same_fingerprint_without_hashing_again(monkeypatch):
    samples = np.random.default_rng(6).standard_normal((2, 3000)).astype(np.float32)
    digests = tuple(hashlib.sha256(channel.tobytes()).digest() for channel in samples)
    audio = DecodedAudio(samples, 44100, digests)
    expected = manifest.audio_fingerprint(samples, 44100)
    monkeypatch.setattr(manifest, "_sha256_of_samples", None)
    assert finish(manifest.fingerprint_steps(audio)) == expected
