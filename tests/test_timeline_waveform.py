"""The timeline's waveform through the bridge: the loaded track's peaks at the page's column count, as
Float32Arrays, and the one copy of a new track that the waveform, the paused frame and the resume offer share."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from fake_page import FakePage
from fakes import default_project, synthetic_audio
from js_stand_ins import TypedArray, fresh_bridge

from vizengine.audio.analysis import peaks
from vizengine.audio.clip import DecodedAudio
from vizengine.audio.waveform import MAX_COLUMNS, timeline_peaks
from vizengine.errors import AudioError


@pytest.fixture
def bridge(monkeypatch):
    return fresh_bridge(monkeypatch)


@pytest.fixture
def page():
    return FakePage(default_project(), synthetic_audio(2.0))


def waveform(app, columns):
    async def go():
        return await app.waveform(columns)

    return asyncio.run(go())


@pytest.mark.parametrize("columns", [1, 7, 1366, 2 * 1920])
def test_the_waveform_is_the_tracks_mono_peaks_at_the_pages_column_count(bridge, page, columns):
    result = waveform(bridge.install(page), columns)
    want_mins, want_maxs = peaks(page.audio.samples, page.audio.sample_rate, columns)
    for sent, want in ((result["mins"], want_mins), (result["maxs"], want_maxs)):
        # One typed array each, not a list of numbers: a 4K screen's columns cross as one copy.
        assert isinstance(sent, TypedArray) and sent.data.dtype == np.float32
        np.testing.assert_array_equal(sent.data, want)
    assert result["maxs"].data.max() > 0.3 and result["mins"].data.min() < -0.3  # the tones' swell, mixed to mono


def test_loud_and_quiet_stretches_differ_in_the_waveform(bridge, page):
    # The swell is silent at each half second: those columns are flat, the ones between are tall.
    result = waveform(bridge.install(page), 8)  # 0.25 s per column: alternately around a silence and a peak
    height = result["maxs"].data - result["mins"].data
    assert height[1] > 0.8 and height[2] > 0.8
    quiet = timeline_peaks(DecodedAudio(page.audio.samples[:, :480], 48000), 4)  # the first 10 ms
    assert float((quiet[1] - quiet[0]).max()) < 0.05


@pytest.mark.parametrize("columns", [0, -3, MAX_COLUMNS + 1, 2.5, True, "100"])
def test_a_column_count_no_screen_has_is_refused(columns):
    with pytest.raises(AudioError, match=rf"whole number of columns from 1 to {MAX_COLUMNS}"):
        timeline_peaks(synthetic_audio(0.1), columns)


def test_a_track_shorter_than_the_columns_still_fills_every_column(page):
    audio = DecodedAudio(np.array([[0.5, -0.25, 1.0]], dtype=np.float32), 48000)
    mins, maxs = timeline_peaks(audio, 5)
    assert mins.shape == maxs.shape == (5,) and np.isfinite(mins).all() and (maxs >= mins).all()


def test_with_no_track_loaded_the_waveform_fails_saying_so(bridge, page):
    page.audio = None
    with pytest.raises(AudioError, match="No audio is loaded"):
        waveform(bridge.install(page), 100)


class Gate:
    """Holds every copy of decoded samples until opened, and counts them."""

    def __init__(self, bridge, monkeypatch) -> None:
        self.copies = 0
        self.open = asyncio.Event()
        real = bridge.run_in_steps

        async def held(steps, *args, **kwargs):
            self.copies += 1
            await self.open.wait()
            return await real(steps, *args, **kwargs)

        monkeypatch.setattr(bridge, "run_in_steps", held)


async def settle(turns: int = 50) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


def test_the_waveform_the_paused_frame_and_the_resume_offer_share_one_copy_of_a_new_track(bridge, page,
                                                                                          monkeypatch):
    app = bridge.install(page)

    async def go():
        gate = Gate(bridge, monkeypatch)
        wave = app.waveform(50)
        paused = app.show_paused_frame(0.5, 30)
        direct = asyncio.ensure_future(app.host.decode_audio())
        await settle()
        gate.open.set()
        return gate, await wave, await paused, await direct

    gate, wave, _, audio = asyncio.run(go())
    assert gate.copies == 1
    np.testing.assert_array_equal(audio.samples, page.audio.samples)
    np.testing.assert_array_equal(wave["maxs"].data, peaks(page.audio.samples, 48000, 50)[1])
    assert len(page.args("showPausedFrame")) == 1


def test_a_track_switched_during_its_copy_gives_the_new_tracks_waveform(bridge, page, monkeypatch):
    app = bridge.install(page)
    second = synthetic_audio(1.0)
    second.samples[:] *= 0.25

    async def go():
        gate = Gate(bridge, monkeypatch)
        first_request = app.waveform(20)
        await settle()
        page.audio = second  # the user loads another track while the first one is being copied
        second_request = app.waveform(20)
        await settle()
        gate.open.set()
        return gate, await first_request, await second_request

    gate, first_result, second_result = asyncio.run(go())
    want = peaks(second.samples, 48000, 20)[1]
    np.testing.assert_array_equal(second_result["maxs"].data, want)
    np.testing.assert_array_equal(first_result["maxs"].data, want)  # never the track that is gone
    assert gate.copies == 2
    np.testing.assert_array_equal(asyncio.run(app.host.decode_audio()).samples, second.samples)
