"""The export's warnings about the track: a silent range, and what the page noticed loading the file.
Warnings, not errors: the export still completes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from export_runs import SMALL, export, logged
from fakes import FakeHost, default_project, synthetic_audio

from vizengine.audio.clip import DecodedAudio
from vizengine.export.store import Phase
from vizengine.export.track_checks import SILENT_LEVEL, silence_warning, silent_steps
from vizengine.frames.timing import FrameRange
from vizengine.steps import finish

RATE = 48000


def track(seconds: float, sound_from: float | None = None, level: float = 0.5) -> DecodedAudio:
    """Stereo zeros, with a tone from `sound_from` on (None: all silent)."""
    samples = np.zeros((2, round(seconds * RATE)), dtype=np.float32)
    if sound_from is not None:
        first = round(sound_from * RATE)
        samples[1, first:] = level * np.sin(np.arange(samples.shape[1] - first) * 0.05)
    return DecodedAudio(samples, RATE)


@pytest.mark.parametrize("audio, start, duration, silent", [
    (track(3.0), 0, 3, True),
    (track(3.0, sound_from=2.0), 0, 1, True),       # the sound starts after the range
    (track(3.0, sound_from=2.0), 1.5, 1, False),     # ... and inside this one (second channel only)
    (track(3.0, sound_from=0.0, level=SILENT_LEVEL / 2), 0, 3, True),  # dither-level noise is silence
    (track(3.0, sound_from=0.0, level=SILENT_LEVEL * 4), 0, 3, False),
    (track(5.0, sound_from=4.99), 0, 5, False),      # found in the last step of a many-step scan
])  # fmt: skip
def test_a_range_is_silent_when_every_sample_in_it_is_near_zero(audio, start, duration, silent):
    frames = FrameRange.from_seconds(Fraction(start), Fraction(duration), 30)
    assert finish(silent_steps(audio, frames)) is silent


def test_a_silent_range_is_warned_about_and_still_exports():
    _, store, _, _ = export(FakeHost(audio=track(2.0)), {**SMALL, "start": "0.5", "duration": "0.1"})
    assert store.phase is Phase.COMPLETE
    assert logged(store, "warning", "The track is silent from 0.50 s to 0.60 s")
    frames = FrameRange.from_seconds(Fraction(1, 2), Fraction(1, 10), 30)
    assert silence_warning(frames).startswith("The track is silent from 0.50 s to 0.60 s")


def test_a_track_with_sound_gets_no_silence_warning():
    _, store, _, _ = export(FakeHost(audio=synthetic_audio(2.0)))
    assert store.phase is Phase.COMPLETE
    assert not [line for line in store.logs if line["level"] == "warning"]


def test_what_the_page_noticed_loading_the_file_is_logged_as_a_warning():
    audio = synthetic_audio(2.0)
    damaged = DecodedAudio(audio.samples, audio.sample_rate, warnings=("cut.mp3 decoded to 2.00 s, its header says 8.00 s",))
    _, store, _, _ = export(FakeHost(audio=damaged))
    assert store.phase is Phase.COMPLETE
    assert logged(store, "warning", "cut.mp3 decoded to 2.00 s, its header says 8.00 s")


def test_no_visible_layer_is_warned_about():
    project = default_project()
    for layer in project["layers"]:
        layer["opacity"] = 0.0
    _, store, _, _ = export(FakeHost(project=project))
    assert logged(store, "warning", "No layer is visible")
