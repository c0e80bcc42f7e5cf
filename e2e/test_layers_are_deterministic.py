"""Every layer's pixels are a function of its frame alone: drawing frame i after frames 0..i-1 or right
after some other frame gives the same bytes in the layer's texture slice, as an export that renders
frame i in isolation needs. Frames are drawn through the page host with the export's injected offline
analysis of the demo track (in-page `analyse`), and each layer's slice is read with
`renderer.targets.read`. Different frames must really differ, so equality is not trivially true.
"""

from __future__ import annotations

import pytest

import gpu_page
from vizengine.cli.driver import load_demo

FPS = 30
START = "1.5"  # seconds into the demo: drums, bass and melody are all playing

CASES = {
    # name: (width, height, frames analysed, frame drawn twice, the other frame drawn in between)
    "720p": (1280, 720, 12, 9, 4),
    "4k": (3840, 2160, 4, 3, 1),
}


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
def test_each_layer_draws_the_same_bytes_for_a_frame_whatever_was_drawn_before(demo_page, case):
    width, height, frames, frame, other = CASES[case]
    gpu_page.install(demo_page)
    result = gpu_page.call(demo_page, "layer_determinism", width=width, height=height, fps=FPS, start=START,
                           frames=frames, frame=frame, other=other)
    layers = result["layers"]

    assert set(layers) == {"background", "spectrum", "waveform"}, layers
    assert result["audio_frames_differ"], "the analysis of the two frames is the same: pick other frames"
    for layer_id, layer in layers.items():
        where = f"{case} layer {layer_id!r}, frame {frame} after 0..{frame} vs right after frame {other}"
        assert layer["identical"], f"{where}: {layer['differing_bytes']} bytes differ ({layer})"
        assert layer["covered_pixels"] > 0, f"{where}: the layer drew nothing"
        assert layer["pixels_changed_by_other_frame"] > 0, f"{where}: frame {other} drew the same pixels"
    assert result["composite_identical"], f"{case}: the composited frame {frame} differs between the two draws"

    # The renderer is back at the preview's size once rendering ended.
    size = demo_page.evaluate("[window.vizengine.renderer.canvas.width, window.vizengine.renderer.canvas.height]")
    assert size == [960, 540]
    print(case, {k: v["pixels_changed_by_other_frame"] for k, v in layers.items()}, "of", result["pixels"])
