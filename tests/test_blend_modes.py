"""Blend functions against hand-computed W3C Compositing Level 1 values, and against a literal
per-pixel transcription of the spec's pseudo-code on random and edge-case colours."""

import math

import numpy as np
import pytest

from vizengine.frames.blend_modes import BLEND_MODES, blend
from vizengine.errors import InvalidLayer

TOL = 2e-6


def b(mode, cb, cs):
    return blend(mode, np.array(cb, dtype=np.float32), np.array(cs, dtype=np.float32))


def close(got, want):
    np.testing.assert_allclose(got, np.array(want, dtype=np.float64), rtol=0, atol=TOL)


def test_blend_modes_are_the_16_css_names_in_spec_order():
    assert BLEND_MODES == (
        "normal", "multiply", "screen", "overlay", "darken", "lighten", "color-dodge",
        "color-burn", "hard-light", "soft-light", "difference", "exclusion",
        "hue", "saturation", "color", "luminosity",
    )  # fmt: skip


# Each row: (mode, Cb, Cs, B) with B worked out by hand from the spec's formulas; the three
# channels carry three independent test points for the separable modes.
HAND = [
    ("normal", (0.2, 0.5, 0.9), (0.7, 0.1, 0.3), (0.7, 0.1, 0.3)),
    ("normal", (1.0, 0.0, 0.4), (0.0, 1.0, 0.4), (0.0, 1.0, 0.4)),
    ("multiply", (0.5, 0.2, 1.0), (0.5, 0.5, 0.3), (0.25, 0.1, 0.3)),
    ("multiply", (0.0, 1.0, 0.8), (0.9, 1.0, 0.5), (0.0, 1.0, 0.4)),
    ("screen", (0.5, 0.2, 0.0), (0.5, 0.5, 0.3), (0.75, 0.6, 0.3)),
    ("screen", (1.0, 0.4, 0.0), (0.3, 0.5, 0.0), (1.0, 0.7, 0.0)),
    # overlay = HardLight(Cs, Cb): Cb picks the branch (0.5 itself takes the multiply branch)
    ("overlay", (0.25, 0.75, 0.5), (0.6, 0.6, 0.4), (0.3, 0.8, 0.4)),
    ("overlay", (0.0, 1.0, 0.1), (0.7, 0.7, 0.5), (0.0, 1.0, 0.1)),
    ("darken", (0.2, 0.8, 0.5), (0.6, 0.3, 0.5), (0.2, 0.3, 0.5)),
    ("darken", (0.0, 1.0, 0.7), (1.0, 0.9, 0.71), (0.0, 0.9, 0.7)),
    ("lighten", (0.2, 0.8, 0.5), (0.6, 0.3, 0.5), (0.6, 0.8, 0.5)),
    ("lighten", (0.0, 1.0, 0.7), (1.0, 0.9, 0.71), (1.0, 1.0, 0.71)),
    # Cb == 0 -> 0 even when Cs == 1; Cs == 1 -> 1; else min(1, Cb / (1 - Cs))
    ("color-dodge", (0.0, 0.3, 0.4), (1.0, 1.0, 0.5), (0.0, 1.0, 0.8)),
    ("color-dodge", (0.6, 0.2, 0.0), (0.5, 0.0, 0.3), (1.0, 0.2, 0.0)),
    # Cb == 1 -> 1 even when Cs == 0; Cs == 0 -> 0; else 1 - min(1, (1 - Cb) / Cs)
    ("color-burn", (1.0, 0.3, 0.6), (0.0, 0.0, 0.8), (1.0, 0.0, 0.5)),
    ("color-burn", (0.2, 0.0, 1.0), (0.5, 1.0, 0.5), (0.0, 0.0, 1.0)),
    # Cs <= 0.5 -> Multiply(Cb, 2Cs); else Screen(Cb, 2Cs - 1)
    ("hard-light", (0.6, 0.6, 0.4), (0.25, 0.75, 0.5), (0.3, 0.8, 0.4)),
    ("hard-light", (0.5, 0.2, 1.0), (0.0, 1.0, 0.1), (0.0, 1.0, 0.2)),
    # Cs <= 0.5: Cb - (1-2Cs)Cb(1-Cb): 0.5 - 0.5*0.5*0.5 = 0.375; Cs = 0 on Cb 0.2: 0.2 - 0.16 = 0.04
    # Cs > 0.5, Cb > 0.25: D = sqrt(0.64) = 0.8 -> 0.64 + 0.5 * 0.16 = 0.72
    ("soft-light", (0.5, 0.2, 0.64), (0.25, 0.0, 0.75), (0.375, 0.04, 0.72)),
    # Cs > 0.5, Cb <= 0.25: D(0.25) = ((4 - 12) 0.25 + 4) 0.25 = 0.5 -> 0.25 + 1 * 0.25 = 0.5;
    # D(0.1) = ((1.6 - 12) 0.1 + 4) 0.1 = 0.296 -> 0.1 + 0.5 * 0.196 = 0.198; Cs = 0.5 on Cb 1 -> 1
    ("soft-light", (0.25, 0.1, 1.0), (1.0, 0.75, 0.5), (0.5, 0.198, 1.0)),
    ("difference", (0.2, 0.9, 0.5), (0.7, 0.4, 0.5), (0.5, 0.5, 0.0)),
    ("difference", (0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (1.0, 1.0, 0.0)),
    ("exclusion", (0.5, 0.2, 1.0), (0.5, 0.5, 0.3), (0.5, 0.5, 0.7)),
    ("exclusion", (1.0, 0.0, 0.25), (1.0, 0.6, 0.5), (0.0, 0.6, 0.5)),
]


@pytest.mark.parametrize(
    ("mode", "cb", "cs", "want"), HAND, ids=[f"{r[0]}-{i}" for i, r in enumerate(HAND)]
)
def test_separable_mode_matches_hand_computed_values(mode, cb, cs, want):
    close(b(mode, cb, cs), want)


def test_luminosity_of_grey_source_keeps_backdrop_hue_and_takes_source_lum():
    # Lum(0.8, 0.4, 0.2) = 0.24 + 0.236 + 0.022 = 0.498; SetLum to 0.5 adds 0.002 to every channel,
    # so the channel differences (the hue) are unchanged and nothing needs clipping.
    got = b("luminosity", (0.8, 0.4, 0.2), (0.5, 0.5, 0.5))
    close(got, (0.802, 0.402, 0.202))
    close(got - got[2], (0.6, 0.2, 0.0))


def test_luminosity_clips_over_white_towards_grey():
    # Red + d = 0.2 -> (1.2, 0.2, 0.2); ClipColor with L = 0.5, x = 1.2 scales by 0.5 / 0.7.
    g = 0.5 - 0.3 * 0.5 / 0.7
    close(b("luminosity", (1, 0, 0), (0.5, 0.5, 0.5)), (1.0, g, g))
    # A white source has Lum 1: every colour becomes white.
    close(b("luminosity", (1, 0, 0), (1, 1, 1)), (1.0, 1.0, 1.0))


def test_color_clips_above_one():
    # Blue (Lum 0.11) onto grey 0.5: (0.39, 0.39, 1.39), x > 1 -> scale by (1 - 0.5) / (1.39 - 0.5)
    g = 0.5 - 0.11 * 0.5 / 0.89
    close(b("color", (0.5, 0.5, 0.5), (0, 0, 1)), (g, g, 1.0))


def test_color_clips_below_zero():
    # Yellow (Lum 0.89) onto grey 0.2: (0.31, 0.31, -0.69), n < 0 -> scale by 0.2 / (0.2 + 0.69)
    g = 0.2 + 0.11 * 0.2 / 0.89
    close(b("color", (0.2, 0.2, 0.2), (1, 1, 0)), (g, g, 0.0))


def test_hue_takes_source_hue_with_backdrop_saturation_and_lum():
    # SetSat(blue, Sat(Cb) = 0.2) = (0, 0, 0.2), Lum 0.022; SetLum to Lum(Cb) = 0.46 adds 0.438.
    close(b("hue", (0.6, 0.4, 0.4), (0, 0, 1)), (0.438, 0.438, 0.638))


def test_hue_scales_the_middle_channel_and_clips():
    # SetSat((0.2, 0.6, 1.0), 0.8) = (0, 0.4, 0.8), Lum 0.324; + 0.252 -> (0.252, 0.652, 1.052);
    # ClipColor with L = 0.576, x = 1.052 scales C - L by 0.424 / 0.476.
    s = 0.424 / 0.476
    close(b("hue", (0.9, 0.5, 0.1), (0.2, 0.6, 1.0)), (0.576 - 0.324 * s, 0.576 + 0.076 * s, 1.0))


def test_hue_onto_grey_backdrop_is_grey():
    close(b("hue", (0.5, 0.5, 0.5), (1, 0, 0)), (0.5, 0.5, 0.5))


def test_saturation_takes_source_saturation():
    # SetSat((0.6, 0.4, 0.4), Sat = 1) = (1, 0, 0) (tied minimum channels both 0), Lum 0.3;
    # + 0.16 -> (1.16, 0.16, 0.16); ClipColor with L = 0.46 scales by 0.54 / 0.7.
    g = 0.46 - 0.3 * 0.54 / 0.7
    close(b("saturation", (0.6, 0.4, 0.4), (1, 0, 0.5)), (1.0, g, g))


def test_saturation_of_grey_source_desaturates_to_backdrop_lum():
    close(b("saturation", (0.6, 0.4, 0.4), (0.3, 0.3, 0.3)), (0.46, 0.46, 0.46))


# --- a literal, scalar transcription of the spec, for random inputs ---------------------------------


def _sep(mode, cb, cs):
    if mode == "normal":
        return cs
    if mode == "multiply":
        return cb * cs
    if mode == "screen":
        return cb + cs - cb * cs
    if mode == "hard-light":
        return _sep("multiply", cb, 2 * cs) if cs <= 0.5 else _sep("screen", cb, 2 * cs - 1)
    if mode == "overlay":
        return _sep("hard-light", cs, cb)
    if mode == "darken":
        return min(cb, cs)
    if mode == "lighten":
        return max(cb, cs)
    if mode == "color-dodge":
        return 0.0 if cb == 0 else 1.0 if cs == 1 else min(1.0, cb / (1 - cs))
    if mode == "color-burn":
        return 1.0 if cb == 1 else 0.0 if cs == 0 else 1 - min(1.0, (1 - cb) / cs)
    if mode == "soft-light":
        if cs <= 0.5:
            return cb - (1 - 2 * cs) * cb * (1 - cb)
        d = ((16 * cb - 12) * cb + 4) * cb if cb <= 0.25 else math.sqrt(cb)
        return cb + (2 * cs - 1) * (d - cb)
    if mode == "difference":
        return abs(cb - cs)
    assert mode == "exclusion"
    return cb + cs - 2 * cb * cs


def _lum(c):
    return 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]


def _clip_color(c):
    lu, n, x = _lum(c), min(c), max(c)
    if n < 0:
        c = [lu + (v - lu) * lu / (lu - n) for v in c]
    if x > 1:
        c = [lu + (v - lu) * (1 - lu) / (x - lu) for v in c]
    return c


def _set_lum(c, lu):
    d = lu - _lum(c)
    return _clip_color([v + d for v in c])


def _set_sat(c, s):
    lo, mid, hi = sorted(range(3), key=lambda i: c[i])
    out = [0.0, 0.0, 0.0]
    if c[hi] > c[lo]:
        out[mid] = (c[mid] - c[lo]) * s / (c[hi] - c[lo])
        out[hi] = s
    return out


def _reference(mode, cb, cs):
    if mode == "hue":
        return _set_lum(_set_sat(cs, max(cb) - min(cb)), _lum(cb))
    if mode == "saturation":
        return _set_lum(_set_sat(cb, max(cs) - min(cs)), _lum(cb))
    if mode == "color":
        return _set_lum(cs, _lum(cb))
    if mode == "luminosity":
        return _set_lum(cb, _lum(cs))
    return [_sep(mode, x, y) for x, y in zip(cb, cs)]


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_vectorised_blend_matches_literal_spec_transcription(mode):
    rng = np.random.default_rng(7)
    cb = rng.random((600, 3)).astype(np.float32)
    cs = rng.random((600, 3)).astype(np.float32)
    # Edge values hit the spec's branches exactly: 0, 1, the 0.25 / 0.5 thresholds, greys, ties.
    edges = np.array([0, 1, 0.5, 0.25, 1 / 255, 254 / 255], dtype=np.float32)
    cb[:300] = rng.choice(edges, (300, 3))
    cs[:300] = rng.choice(edges, (300, 3))
    got = blend(mode, cb, cs)
    want = np.array([_reference(mode, x.tolist(), y.tolist()) for x, y in zip(cb, cs)])
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-6)


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_blend_results_stay_in_unit_range_and_inputs_untouched(mode):
    rng = np.random.default_rng(3)
    cb = rng.random((4, 50, 3)).astype(np.float32)
    cs = rng.random((4, 50, 3)).astype(np.float32)
    cb0, cs0 = cb.copy(), cs.copy()
    out = blend(mode, cb, cs)
    assert out.dtype == np.float32 and out.shape == cb.shape and out.flags.c_contiguous
    assert np.all(out >= -1e-6) and np.all(out <= 1 + 1e-6)
    np.testing.assert_array_equal(cb, cb0)
    np.testing.assert_array_equal(cs, cs0)


def test_blend_broadcasts_a_single_colour_against_an_image():
    cb = np.full((2, 3, 3), 0.5, dtype=np.float32)
    out = blend("multiply", cb, np.array([1.0, 0.5, 0.0], dtype=np.float32))
    assert out.shape == (2, 3, 3)
    close(out[1, 2], (0.5, 0.25, 0.0))


def test_blend_mode_names_are_case_insensitive():
    close(b("Color-Dodge", (0.4,) * 3, (0.5,) * 3), (0.8,) * 3)


def test_unknown_blend_mode_names_it_and_lists_valid_ones():
    with pytest.raises(InvalidLayer) as info:
        b("dissolve", (0, 0, 0), (1, 1, 1))
    message = str(info.value)
    assert "'dissolve'" in message
    assert all(name in message for name in BLEND_MODES)


def test_blend_rejects_colours_without_three_channels():
    with pytest.raises(ValueError, match="last axis"):
        blend("screen", np.zeros((2, 4), np.float32), np.zeros((2, 4), np.float32))
