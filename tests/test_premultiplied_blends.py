"""The premultiplied shortcuts give what the general un-premultiply + blend path gives."""

from __future__ import annotations

import numpy as np
import pytest

from vizengine.frames import compositing
from vizengine.frames.compositing import CompositePlan, Compositor, LayerStyle
from vizengine.frames.premultiplied_blends import PREMULTIPLIED


def frame(rng, layers, h, w, valid=True):
    alpha = rng.integers(0, 256, (layers, h, w, 1), dtype=np.uint8)
    colour = rng.integers(0, 256, (layers, h, w, 3), dtype=np.uint8)
    if valid:
        colour = (colour.astype(np.uint16) * alpha // 255).astype(np.uint8)
    pixels = np.concatenate([colour, alpha], axis=3)
    pixels[0, ..., 3] = 255
    pixels[0, ..., :3] = colour[0]
    return pixels


@pytest.mark.parametrize("mode", sorted(PREMULTIPLIED))
@pytest.mark.parametrize("valid", [True, False], ids=["premultiplied", "colour-above-alpha"])
def test_shortcut_equals_the_general_blend_path(mode, valid, monkeypatch):
    plan = CompositePlan(37, 23, "#203040", (
        LayerStyle("base"),
        LayerStyle("top", 0.7, mode, "rgba(10, 200, 90, 0.3)"),
    ))
    pixels = frame(np.random.default_rng(len(mode)), 2, 23, 37, valid)
    fast = Compositor(plan).compose(pixels)
    monkeypatch.setattr(compositing, "PREMULTIPLIED", {})
    general = Compositor(plan).compose(pixels)
    assert np.abs(fast.astype(int) - general.astype(int)).max() <= 1
    assert (fast != Compositor(CompositePlan(37, 23, "#203040", plan.layers[:1])).compose(pixels[:1])).any()


def test_every_shortcut_is_a_known_blend_mode():
    assert set(PREMULTIPLIED) <= set(compositing.BLEND_MODES)
