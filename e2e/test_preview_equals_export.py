"""The paused preview at t = k/fps is the picture the export makes for frame k.

The preview is set to the export's size, the playhead is sought (paused) to k/fps, and once the page has
held that frame's offline analysis and redrawn, the canvas is read with `renderer.readFrame`. Then
`export_video` runs [0, (k+1)/fps) with a lossless capturing encoder (in_page_gpu.CapturingEncoder) that
keeps frame k's pixels, and the two are compared in the page: at most 2/255 per channel, mean at most
0.5/255 (the design says identical). The frame must not be flat, so the comparison can fail.
"""

from __future__ import annotations

import pytest

import gpu_page
from vizengine.cli.driver import load_demo

FPS = 30
MAX_DIFF = 2  # /255
MAX_MEAN = 0.5  # /255

CASES = {
    # name: (preview/export width, height, export resolution, frame k)
    "720p": (1280, 720, "720p", 75),  # t = 2.5 s
    "4k": (3840, 2160, "4k", 15),  # t = 0.5 s: a short 4K export of 16 frames
    "9:16": (1080, 1920, "vertical", 15),  # a tall frame: the layers scale by its shorter side in both
}

SEEK_AND_SETTLE_JS = """async ([seconds, fps]) => {
  const v = window.vizengine;
  const fpsField = document.querySelector('#export-form [name="fps"]');
  fpsField.value = String(fps);
  fpsField.dispatchEvent(new Event('change'));
  v.playback.seek(seconds);
  // The seek asked Python for the paused frame already; ask again and await it (the newest request
  // wins), then let the preview loop draw what it was told to.
  const before = v.preview.frames;
  await v.app.show_paused_frame(v.playback.currentTime, fps);
  for (let n = 0; n < 3; n++) await new Promise((resolve) => requestAnimationFrame(resolve));
  return {drawn: v.preview.frames - before, time: v.playback.currentTime, playing: v.playback.playing,
          size: [v.renderer.canvas.width, v.renderer.canvas.height]};
}"""


@pytest.fixture(scope="module")
def shared_demo(module_page):
    load_demo(module_page)
    return module_page


@pytest.fixture
def demo_page(shared_demo):
    """The module's one booted app with the demo track (and the in-page helpers), put back to the preview's
    own size and plan after each case."""
    gpu_page.install(shared_demo)
    yield shared_demo
    gpu_page.call(shared_demo, "restore")


@pytest.mark.parametrize("case", CASES)
def test_paused_preview_at_frame_time_shows_the_exported_frame(demo_page, case):
    width, height, resolution, k = CASES[case]
    page = demo_page
    gpu_page.install(page)
    page.evaluate("([w, h]) => window.vizengine.stage.setPreviewSize(w, h)", [width, height])
    seconds = k / FPS
    settled = page.evaluate(SEEK_AND_SETTLE_JS, [seconds, FPS])
    assert settled["time"] == seconds and not settled["playing"], settled
    assert settled["drawn"] >= 1, f"the preview did not redraw after the paused frame arrived: {settled}"
    assert settled["size"] == [width, height], settled
    gpu_page.call(page, "keep_preview", width=width, height=height)

    result = gpu_page.call(page, "compare_with_export", resolution=resolution, fps=FPS, frame=k)

    assert result["phase"] == "complete" and result["frames"] == k + 1 and result["indices_in_order"], result
    where = f"{case}: paused preview at t={k}/{FPS} s vs exported frame {k}"
    assert max(result["max"]) <= MAX_DIFF and max(result["mean"]) <= MAX_MEAN, (
        f"{where}: max |diff| {gpu_page.per_channel(result['max'])} /255 (limit {MAX_DIFF}), mean "
        f"{gpu_page.per_channel(result['mean'])} /255 (limit {MAX_MEAN})")
    # Not a flat picture: gradient, bars and waveform all show.
    assert result["std"] > 10 and result["distinct_colours"] > 1000, f"{where}: the frame is nearly flat: {result}"
    print(where, "identical" if result["identical"] else "", result)
