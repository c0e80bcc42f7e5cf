"""Whole-track features (audio/features.py): bass energy, its integral, onsets."""

from __future__ import annotations

import time

import numpy as np
import pytest

from vizengine.audio.features import ENERGY_CAP, HOP_RATE, features_steps, track_features
from vizengine.errors import AudioError
from vizengine.steps import finish

RATE = 44100


def tone(hz: float, seconds: float, amplitude: float = 0.5, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def kicks(times: list[float], seconds: float, rate: int = RATE) -> np.ndarray:
    """Decaying 55 Hz thumps with a click at each time, on silence."""
    out = np.zeros(int(seconds * rate), dtype=np.float32)
    n = int(0.25 * rate)
    t = np.arange(n) / rate
    hit = (np.sin(2 * np.pi * 55 * t) * np.exp(-t / 0.08)).astype(np.float32)
    hit *= np.minimum(1.0, (n - np.arange(n)) / (0.05 * rate)).astype(np.float32)  # fades out, no click
    hit[:40] += np.linspace(0.8, 0, 40, dtype=np.float32)
    for at in times:
        i = int(at * rate)
        out[i : i + n] += hit[: len(out) - i]
    return out


def test_one_value_per_hop_covering_the_track():
    f = track_features(tone(60, 2.0)[None], RATE)
    assert f.hop_rate == HOP_RATE
    assert len(f.energy) == len(f.cumulative) == 2 * HOP_RATE + 1
    assert f.energy.dtype == f.cumulative.dtype == f.onset_times.dtype == f.onset_strengths.dtype == np.float32


def test_bass_counts_and_treble_does_not():
    bass = track_features(np.concatenate([tone(60, 1.0), tone(2000, 1.0)])[None], RATE)
    first, second = bass.energy[20:180], bass.energy[220:380]
    assert first.min() > 1.5, first.min()  # normalised to the track's mean: twice the mean where all of it is
    assert second.max() < 0.05, second.max()
    assert np.all(bass.energy <= ENERGY_CAP)


def test_cumulative_is_the_running_integral_of_energy():
    f = track_features(kicks([0.3, 0.8, 1.4], 2.0)[None], RATE)
    assert f.cumulative[0] == 0
    assert np.all(np.diff(f.cumulative) >= 0)
    expected = np.concatenate([[0.0], np.cumsum(f.energy[:-1].astype(np.float64))]) / HOP_RATE
    np.testing.assert_allclose(f.cumulative, expected, rtol=1e-5, atol=1e-6)
    # Normalised to a mean energy of 1, one unit per second of track, less what the cap cut off the kicks.
    assert 1.0 < f.cumulative[-1] <= 2.0 + 1e-4, f.cumulative[-1]
    # Flat between the kicks' tails, steep during them.
    assert f.cumulative_at(0.35) - f.cumulative_at(0.3) > 10 * (f.cumulative_at(0.75) - f.cumulative_at(0.7))


def test_onsets_are_found_at_the_kicks_with_strength_from_their_loudness():
    times = [0.25, 0.7, 1.1, 1.6, 2.2]
    signal = kicks(times, 3.0)
    signal[int(2.2 * RATE):] *= 0.3  # the last one softer
    f = track_features(signal[None], RATE)
    assert len(f.onset_times) == len(times), f.onset_times
    assert np.max(np.abs(f.onset_times - times)) <= 0.015, f.onset_times
    assert np.all((f.onset_strengths > 0) & (f.onset_strengths <= 1))
    assert f.onset_strengths[-1] < 0.8 * f.onset_strengths[:-1].min(), f.onset_strengths


def test_a_steady_tone_has_onsets_only_where_it_starts_and_is_cut_off():
    f = track_features(tone(440, 2.0)[None], RATE)
    assert not np.any((f.onset_times > 0.05) & (f.onset_times < 1.95)), f.onset_times


def test_silence_gives_zero_energy_and_no_onsets():
    f = track_features(np.zeros((2, RATE), dtype=np.float32), RATE)
    assert not f.energy.any() and not f.cumulative.any()
    assert len(f.onset_times) == 0 and len(f.onset_strengths) == 0


def test_quiet_bass_below_the_floor_moves_little():
    f = track_features(tone(60, 1.0, amplitude=0.001)[None], RATE)
    assert f.energy.max() < 0.2


def test_channels_are_mixed_and_other_rates_agree():
    mono = kicks([0.2, 0.6], 1.0)
    stereo = track_features(np.stack([mono, mono]), RATE)
    single = track_features(mono[None], RATE)
    np.testing.assert_array_equal(stereo.energy, single.energy)
    at_48k = track_features(kicks([0.2, 0.6], 1.0, rate=48000)[None], 48000)
    assert len(at_48k.onset_times) == 2
    np.testing.assert_allclose(at_48k.onset_times, single.onset_times, atol=0.011)


def test_steps_give_the_same_result_as_one_call_and_it_is_deterministic():
    signal = kicks([0.1, 0.5, 0.9], 12.0)[None]  # more hops than one step
    steps = features_steps(signal, RATE)
    yields = 0
    try:
        while True:
            next(steps)
            yields += 1
    except StopIteration as done:
        stepped = done.value
    assert yields > 2
    again = finish(features_steps(signal, RATE))
    for name in ("energy", "cumulative", "onset_times", "onset_strengths"):
        np.testing.assert_array_equal(getattr(stepped, name), getattr(again, name))


def test_a_very_short_track_still_has_features():
    f = track_features(np.ones((1, 3), dtype=np.float32), RATE)
    assert len(f.energy) == 1 and f.cumulative[0] == 0


def test_bad_audio_is_an_audio_error():
    with pytest.raises(AudioError):
        track_features(np.zeros((0, 10), dtype=np.float32), RATE)
    with pytest.raises(AudioError):
        track_features(np.zeros((1, 10), dtype=np.float32), 0)


def test_five_minutes_of_audio_take_seconds_not_minutes():
    """About 1 s natively on an idle core (Pyodide: about 15 ms per second of audio, 4-5 s for this)."""
    signal = np.random.default_rng(1).standard_normal((2, 300 * RATE)).astype(np.float32) * 0.1
    start = time.perf_counter()
    f = track_features(signal, RATE)
    elapsed = time.perf_counter() - start
    assert len(f.energy) == 300 * HOP_RATE + 1
    assert elapsed < 15.0, elapsed


def test_the_page_reads_the_features_by_time_as_python_does():
    """web/src/audio/track-features.js, in node: its lookups of the bridge's arrays agree with Python's."""
    from pathlib import Path

    from node import run_node

    f = track_features(kicks([0.25, 0.7, 1.1], 1.5)[None], RATE)
    times = [-1.0, 0.0, 0.0025, 0.26, 0.7, 0.70001, 1.0, 1.4999, 1.5, 9.0]
    script = """
const chunks = []; process.stdin.on('data', (c) => chunks.push(c)); process.stdin.on('end', async () => {
  const [module, features, times] = JSON.parse(chunks.join(''));
  const m = await import(module);
  const f32 = (a) => new Float32Array(a);
  await m.loadTrackFeatures(async () => ({hopRate: features.hopRate, energy: f32(features.energy),
    cumulative: f32(features.cumulative), onsetTimes: f32(features.onsetTimes), onsetStrengths: f32(features.onsetStrengths)}));
  await m.trackFeaturesReady();
  const got = m.getTrackFeatures();
  const before = m.cumulativeEnergyAt(null, 3);
  m.clearTrackFeatures();
  process.stdout.write(JSON.stringify({cumulative: times.map((t) => m.cumulativeEnergyAt(got, t)),
    onsets: times.map((t) => m.onsetsUpTo(got, t)), none: before, cleared: m.getTrackFeatures()}));
});"""
    module = (Path(__file__).resolve().parent.parent / "web" / "src" / "audio" / "track-features.js").as_uri()
    features = {"hopRate": f.hop_rate, "energy": f.energy.tolist(), "cumulative": f.cumulative.tolist(),
                "onsetTimes": f.onset_times.tolist(), "onsetStrengths": f.onset_strengths.tolist()}
    out = run_node(script, [module, features, times])
    np.testing.assert_allclose(out["cumulative"], [f.cumulative_at(t) for t in times], rtol=0, atol=1e-12)
    assert out["onsets"] == [int(np.count_nonzero(f.onset_times <= np.float32(t))) for t in times]
    assert out["none"] == 0 and out["cleared"] is None
