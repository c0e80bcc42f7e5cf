"""The WebGL compositor (web/src/gl/compositor.js) stacks layers as the numpy reference Compositor does.

Seeded random premultiplied layers (every alpha 0..255, fully transparent and fully opaque pixels, rgb <=
alpha) are uploaded into the renderer's layer textures and composited on the GPU with the plan
`gpu_plan` builds, then compared in the page with `vizengine.frames.compositing.Compositor` for the same
project: random opacity, translucent '#rrggbbaa' backgrounds on every other layer, 'transparent' on the
rest, an opaque random stage colour. Bound: at most 2/255 per channel, mean at most 0.5/255.
"""

from __future__ import annotations

import numpy as np
import pytest

import gpu_page
from vizengine.project.contract import BLEND_MODES

MAX_DIFF = 2  # /255, any pixel, any channel
MAX_MEAN = 0.5  # /255, per channel over the frame
SEED = 20261125


@pytest.fixture
def compositor_page(module_page):
    """The shared app with the in-page helpers; its preview size and plan are restored after each test."""
    gpu_page.install(module_page)
    yield module_page
    gpu_page.call(module_page, "restore")
    size = module_page.evaluate("[window.vizengine.renderer.canvas.width, window.vizengine.renderer.canvas.height]")
    assert size == [960, 540]


def check(result: dict, what: str) -> None:
    worst_max, worst_mean = max(result["max"]), max(result["mean"])
    message = (f"{what}: GPU vs numpy reference max |diff| {gpu_page.per_channel(result['max'])} /255 (limit "
               f"{MAX_DIFF}), mean {gpu_page.per_channel(result['mean'])} /255 (limit {MAX_MEAN}); worst pixel "
               f"{result['worst']}")
    assert worst_max <= MAX_DIFF and worst_mean <= MAX_MEAN, message
    # The stack really composites something (the comparison is not of two flat images), and the canvas is
    # opaque as the stage background makes it.
    flat = result["reference_std"]
    assert flat > 5, f"{what}: the reference composite is nearly flat (std {flat:.2f} /255)"
    assert result["gpu_alpha_min"] == 255, what
    print(f"{what}: max {gpu_page.per_channel(result['max'])} mean {gpu_page.per_channel(result['mean'])} /255")


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_gpu_composite_of_a_translucent_stack_in_each_blend_mode_matches_numpy_at_720p(compositor_page, mode):
    """A 'normal' bottom layer under seven layers in `mode`."""
    modes = ["normal"] + [mode] * 7
    result = gpu_page.call(compositor_page, "gpu_vs_reference", seed=SEED + BLEND_MODES.index(mode),
                           width=1280, height=720, modes=modes)
    assert [layer["mode"] for layer in result["plan"]["layers"]] == [BLEND_MODES.index(m) for m in modes]
    check(result, f"720p {mode} x7")


def test_gpu_composite_of_one_stack_with_all_sixteen_blend_modes_matches_numpy_at_4k(compositor_page):
    modes = [BLEND_MODES[i] for i in np.random.default_rng(SEED).permutation(len(BLEND_MODES))]
    result = gpu_page.call(compositor_page, "gpu_vs_reference", seed=SEED, width=3840, height=2160, modes=modes)
    assert sorted(layer["mode"] for layer in result["plan"]["layers"]) == list(range(16))
    check(result, f"4K stack {'/'.join(modes)}")


# The page's own layers, styled through the layer panel: spectrum and waveform keep transparent backgrounds,
# so the compositor may skip the rows they report as empty; the reference composites the whole slices.
PANEL_STYLES = {"background": ("normal", "#000000", 1.0), "spectrum": ("overlay", "transparent", 0.85),
                "waveform": ("difference", "transparent", 0.9)}


def style_layers_through_the_panel(page) -> None:
    for layer_id, (mode, background, opacity) in PANEL_STYLES.items():
        page.select_option(f'select[aria-label="{layer_id} blend mode"]', mode)
        page.select_option(f'select[aria-label="{layer_id} background"]', background)
        page.evaluate("""([id, value]) => {
            const slider = document.querySelector(`input[aria-label="${id} opacity"]`);
            slider.value = String(value);
            slider.dispatchEvent(new Event('input'));
        }""", [layer_id, opacity])


@pytest.mark.parametrize("size", [(1280, 720, 10, 4), (3840, 2160, 2, 1)], ids=["720p", "4k"])
def test_renderers_own_composite_of_the_demo_layers_matches_numpy_over_the_slices_it_drew(demo_page, size):
    width, height, frames, check_from = size
    style_layers_through_the_panel(demo_page)
    gpu_page.install(demo_page)
    result = gpu_page.call(demo_page, "rendered_vs_reference", width=width, height=height, fps=30, start="1.5",
                           frames=frames, check_from=check_from)
    assert [(layer_id, mode, opacity, background) for layer_id, mode, opacity, background in result["styles"]] == [
        (layer_id, mode, opacity, background) for layer_id, (mode, background, opacity) in PANEL_STYLES.items()]
    assert all(result["covered"]), result
    assert max(result["max"]) <= MAX_DIFF and max(result["mean"]) <= MAX_MEAN, (
        f"{width}x{height} frames {check_from}..{frames - 1}: GPU vs numpy over the drawn slices max |diff| "
        f"{gpu_page.per_channel(result['max'])} /255 (limit {MAX_DIFF}) per frame {result['max_per_frame']}, mean "
        f"{gpu_page.per_channel(result['mean'])} /255 (limit {MAX_MEAN})")
