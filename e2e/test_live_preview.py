"""Playback drives the preview through the live AnalyserNode; the layers move with the music."""

from __future__ import annotations

LIVE_JS = """() => {
  const v = window.vizengine;
  const a = v.playback.analyser;
  const bins = new Uint8Array(a.frequencyBinCount);
  a.getByteFrequencyData(bins);
  return {state: v.playback.context.state, time: v.playback.currentTime, peak: Math.max(...bins)};
}"""


def test_playing_feeds_the_live_analyser_and_the_preview_moves(demo_page):
    page = demo_page
    stage = page.locator("#stage")
    page.click("#play")
    page.wait_for_function("() => window.vizengine.playback.currentTime > 1.0", timeout=20_000)
    live = page.evaluate(LIVE_JS)
    first = stage.screenshot()
    page.wait_for_timeout(400)
    second = stage.screenshot()

    assert live["state"] == "running" and live["peak"] > 100, live
    assert first != second, "the preview did not change while the track played"
    assert page.locator("#play").inner_text() == "Pause"

    page.click("#play")
    paused_at = page.evaluate("window.vizengine.playback.currentTime")
    page.wait_for_timeout(300)
    assert page.evaluate("window.vizengine.playback.currentTime") == paused_at
    assert page.locator("#play").inner_text() == "Play"
