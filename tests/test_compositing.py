"""Compositing the stage's layers as the browser does (the GPU compositor's reference), CSS colour parsing,
plan validation."""

import math

import numpy as np
import pytest

from vizengine.frames.blend_modes import BLEND_MODES, blend
from vizengine.frames.compositing import (
    CompositePlan,
    Compositor,
    LayerStyle,
    parse_css_color,
)
from vizengine.errors import InvalidLayer


def plan(w, h, *layers, background="#000000"):
    return CompositePlan(w, h, background, tuple(layers))


def premultiplied(rng, shape):
    """Random valid premultiplied RGBA bytes (colour <= alpha), with some fully clear/opaque pixels."""
    px = rng.integers(0, 256, shape, dtype=np.uint8)
    px[..., 3][rng.random(shape[:-1]) < 0.2] = 0
    px[..., 3][rng.random(shape[:-1]) < 0.2] = 255
    px[..., :3] = np.minimum(px[..., :3], px[..., 3:])
    return px


def reference(p, pixels):
    """The brief's math in float64, per layer, on the whole frame (no bands, no shortcuts)."""
    r, g, b, _ = parse_css_color(p.background)
    cb = np.broadcast_to(np.array([r, g, b]) / 255, (p.height, p.width, 3)).copy()
    for layer, px in zip(p.layers, pixels):
        px = px[::-1].astype(np.float64) / 255
        cp, a = px[..., :3], px[..., 3:]
        br, bg, bb, ba = parse_css_color(layer.background)
        cp = cp + np.array([br, bg, bb]) / 255 * ba * (1 - a)
        a = a + ba * (1 - a)
        cp, a = layer.opacity * cp, layer.opacity * a
        cs = np.divide(cp, a, out=np.zeros_like(cp), where=a > 0)
        bl = blend(layer.blend_mode, cb.astype(np.float32), cs.astype(np.float32))
        cb = (1 - a) * cb + a * bl
    return np.clip(np.floor(cb * 255 + 0.5), 0, 255).astype(np.uint8)


# --- compose -----------------------------------------------------------------------------------------


def test_single_opaque_normal_layer_returns_its_pixels_flipped_top_down():
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, (1, 7, 5, 4), dtype=np.uint8)
    px[..., 3] = 255
    out = Compositor(plan(5, 7, LayerStyle("a"), background="#123456")).compose(px)
    assert out.dtype == np.uint8 and out.shape == (7, 5, 3) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, px[0, ::-1, :, :3])


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_fully_transparent_layer_leaves_stage_background(mode):
    px = np.zeros((1, 3, 4, 4), dtype=np.uint8)
    out = Compositor(plan(4, 3, LayerStyle("a", blend_mode=mode), background="#336699")).compose(px)
    assert np.all(out == (0x33, 0x66, 0x99))


# Not "normal": that is premultiplied source-over, which adds stray colour bytes as GPU blending does.
@pytest.mark.parametrize("mode", BLEND_MODES[1:])
def test_zero_alpha_pixel_adds_nothing_in_blend_modes_even_with_stray_colour_bytes(mode):
    px = np.zeros((1, 2, 2, 4), dtype=np.uint8)
    px[..., :3] = 255  # invalid premultiplied data: colour without alpha
    out = Compositor(plan(2, 2, LayerStyle("a", blend_mode=mode), background="#336699")).compose(px)
    assert np.all(out == (0x33, 0x66, 0x99))


def test_half_opacity_normal_over_black_gives_half_the_colour():
    px = np.zeros((1, 1, 3, 4), dtype=np.uint8)
    px[0, 0] = [(200, 100, 40, 255), (255, 255, 255, 255), (2, 4, 6, 255)]
    out = Compositor(plan(3, 1, LayerStyle("a", opacity=0.5))).compose(px)
    np.testing.assert_array_equal(out[0], [(100, 50, 20), (128, 128, 128), (1, 2, 3)])


def test_layer_background_shows_where_the_canvas_is_transparent():
    px = np.zeros((1, 1, 3, 4), dtype=np.uint8)
    px[0, 0, 1] = (0, 200, 0, 255)  # opaque green hides the background
    px[0, 0, 2] = (64, 0, 0, 128)  # half-covering red: 64 + 255 * (1 - 128/255) = 127 of blue
    layer = LayerStyle("a", background="#0000ff")
    out = Compositor(plan(3, 1, layer, background="#ffffff")).compose(px)
    np.testing.assert_array_equal(out[0], [(0, 0, 255), (0, 200, 0), (64, 0, 127)])


def test_layer_background_is_scaled_by_layer_opacity():
    px = np.zeros((1, 1, 1, 4), dtype=np.uint8)
    layer = LayerStyle("a", opacity=0.5, background="rgb(200 100 0 / 0.5)")
    out = Compositor(plan(1, 1, layer, background="#000")).compose(px)
    # element alpha 0.5 * 0.5 = 0.25 of (200, 100, 0) over black
    np.testing.assert_array_equal(out[0, 0], (50, 25, 0))


def test_screen_of_two_opaque_layers_is_one_minus_product_of_inverses():
    rng = np.random.default_rng(1)
    px = rng.integers(0, 256, (2, 6, 9, 4), dtype=np.uint8)
    px[..., 3] = 255
    p = plan(9, 6, LayerStyle("a"), LayerStyle("b", blend_mode="screen"))
    out = Compositor(p).compose(px)
    a, b = px[0, ::-1, :, :3] / 255, px[1, ::-1, :, :3] / 255
    want = np.floor((1 - (1 - a) * (1 - b)) * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(out, want)


def test_multiply_layer_over_white_backdrop_equals_the_layer():
    rng = np.random.default_rng(2)
    px = rng.integers(0, 256, (1, 5, 8, 4), dtype=np.uint8)
    px[..., 3] = 255
    out = Compositor(plan(8, 5, LayerStyle("m", blend_mode="multiply"), background="#fff")).compose(px)
    np.testing.assert_array_equal(out, px[0, ::-1, :, :3])


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_layer_with_opacity_zero_has_no_effect(mode):
    rng = np.random.default_rng(4)
    px = premultiplied(rng, (2, 4, 6, 4))
    base = LayerStyle("base", opacity=0.7, background="#80808080")
    without = Compositor(plan(6, 4, base, background="#204060")).compose(px[:1])
    top = LayerStyle("top", opacity=0.0, blend_mode=mode, background="#ff0000")
    with_top = Compositor(plan(6, 4, base, top, background="#204060")).compose(px)
    np.testing.assert_array_equal(with_top, without)


def test_results_identical_across_band_sizes():
    rng = np.random.default_rng(5)
    layers = (
        LayerStyle("a", background="#102030"),
        LayerStyle("b", opacity=0.6, blend_mode="screen"),
        LayerStyle("c", blend_mode="hue", background="rgba(200, 10, 10, 0.3)"),
        LayerStyle("d", opacity=0.9, blend_mode="soft-light"),
    )
    p = plan(11, 37, *layers, background="#445566")
    px = premultiplied(rng, (4, 37, 11, 4))
    results = [Compositor(p, band_rows=n).compose(px) for n in (1, 5, 16, 36, 37, 1000)]
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_compose_matches_float64_reference_within_one_level(mode):
    rng = np.random.default_rng(6)
    layers = (
        LayerStyle("under", opacity=0.8, background="#c08040"),
        LayerStyle("top", opacity=0.75, blend_mode=mode, background="rgba(20, 200, 90, 0.4)"),
    )
    p = plan(16, 12, *layers, background="#3a5f7d")
    px = premultiplied(rng, (2, 12, 16, 4))
    got = Compositor(p, band_rows=5).compose(px).astype(int)
    assert np.abs(got - reference(p, px).astype(int)).max() <= 1


def test_compose_with_no_layers_fills_stage_background():
    out = Compositor(plan(3, 2, background="rgb(1, 2, 3)")).compose(np.zeros((0, 2, 3, 4), np.uint8))
    assert np.all(out == (1, 2, 3))


def test_compose_writes_into_a_given_output_array():
    px = np.full((1, 2, 2, 4), 255, dtype=np.uint8)
    comp = Compositor(plan(2, 2, LayerStyle("a")))
    out = np.zeros((2, 2, 3), np.uint8)
    assert comp.compose(px, out=out) is out
    assert np.all(out == 255)
    with pytest.raises(ValueError):
        comp.compose(px, out=np.zeros((2, 2, 4), np.uint8))


@pytest.mark.parametrize(
    ("pixels", "match"),
    [
        (np.zeros((1, 4, 3, 4), np.uint8), r"expected \(2, 4, 3, 4\)"),  # one layer missing
        (np.zeros((2, 3, 4, 4), np.uint8), r"shape \(2, 3, 4, 4\)"),  # width/height swapped
        (np.zeros((2, 4, 3, 3), np.uint8), "RGBA"),
        (np.zeros((2, 4, 3, 4), np.float32), "uint8"),
        ([[0]], "numpy array"),
    ],
)
def test_wrong_pixels_raise_invalid_layer(pixels, match):
    comp = Compositor(plan(3, 4, LayerStyle("a"), LayerStyle("b")))
    with pytest.raises(InvalidLayer, match=match):
        comp.compose(pixels)


# --- parse_css_color ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("#abc", (170, 187, 204, 1.0)),
        ("#ABCDEF", (0xAB, 0xCD, 0xEF, 1.0)),
        ("  #11223380 ", (0x11, 0x22, 0x33, 128 / 255)),
        ("#abcd", (170, 187, 204, 221 / 255)),
        ("transparent", (0, 0, 0, 0.0)),
        ("TRANSPARENT", (0, 0, 0, 0.0)),
        ("rgb(10, 20, 30)", (10, 20, 30, 1.0)),
        (" RGB( 10 ,20 , 30 ) ", (10, 20, 30, 1.0)),
        ("rgba(10, 20, 30, 0.5)", (10, 20, 30, 0.5)),
        ("rgba(10,20,30,.25)", (10, 20, 30, 0.25)),
        ("rgb(10 20 30 / 0.25)", (10, 20, 30, 0.25)),
        ("rgb(10 20 30)", (10, 20, 30, 1.0)),
        ("rgba( 1.5  2  3 /1 )", (1.5, 2, 3, 1.0)),
        ("rgb(100% 0% 50% / 50%)", (255, 0, 127.5, 0.5)),
        ("rgb(300, -5, 20)", (255, 0, 20, 1.0)),  # CSS clamps out-of-range components
        ("rgba(0, 0, 0, 2)", (0, 0, 0, 1.0)),
    ],
)
def test_parse_css_color_accepts(text, want):
    got = parse_css_color(text)
    assert len(got) == 4
    assert all(math.isclose(g, w, abs_tol=1e-9) for g, w in zip(got, want))


@pytest.mark.parametrize(
    "text",
    [
        "", "#", "#ab", "#abcde", "#abcdefa", "#ggg", "abc", "rgb(1, 2)", "rgb(1, 2, 3, 4, 5)",
        "rgb(1, 2 3)", "rgb(1 2 3, 0.5)", "rgb(1, 2, 3 / 0.5)", "rgb 1 2 3", "rgb(a, b, c)",
        "hsl(0, 0%, 0%)", "rgb(nan, 0, 0)", "rgb(1, 2, 3", "#abc;",
    ],
)  # fmt: skip
def test_parse_css_color_rejects(text):
    with pytest.raises(InvalidLayer, match="Cannot read colour"):
        parse_css_color(text)


@pytest.mark.parametrize("value", [None, 0x123456, b"#fff"])
def test_parse_css_color_rejects_non_text(value):
    with pytest.raises(InvalidLayer, match="must be text"):
        parse_css_color(value)


# --- LayerStyle / CompositePlan ----------------------------------------------------------------------


def test_layer_style_defaults_and_normalises_mode_case():
    layer = LayerStyle("x", opacity=1, blend_mode=" Multiply ")
    assert layer == LayerStyle("x", 1.0, "multiply", "transparent")
    assert isinstance(layer.opacity, float)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"opacity": 1.5}, r"Layer 'L': opacity must be between 0 and 1, got 1\.5"),
        ({"opacity": -0.01}, "between 0 and 1"),
        ({"opacity": float("nan")}, "opacity must be a number"),
        ({"opacity": float("inf")}, "opacity must be a number"),
        ({"opacity": True}, "opacity must be a number"),
        ({"opacity": "0.5"}, "opacity must be a number"),
        ({"blend_mode": "dissolve"}, r"Layer 'L': Unknown blend mode 'dissolve'; valid .*luminosity"),
        ({"blend_mode": None}, "Unknown blend mode None"),
        ({"background": "teal-ish"}, r"Layer 'L': background: Cannot read colour 'teal-ish'"),
    ],
)
def test_layer_style_validation_messages(kwargs, match):
    with pytest.raises(InvalidLayer, match=match):
        LayerStyle("L", **kwargs)


@pytest.mark.parametrize("bad_id", ["", 7, None])
def test_layer_style_needs_text_id(bad_id):
    with pytest.raises(InvalidLayer, match="non-empty text id"):
        LayerStyle(bad_id)


def test_composite_plan_accepts_a_list_of_layers_as_a_tuple():
    assert CompositePlan(4, 4, layers=[LayerStyle("a")]).layers == (LayerStyle("a"),)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"width": 0}, "Stage width must be positive, got 0"),
        ({"height": -3}, "Stage height must be positive"),
        ({"width": 1.5}, "Stage width must be a whole number of pixels"),
        ({"height": True}, "Stage height must be a whole number"),
        ({"background": "rgba(0, 0, 0, 0.5)"}, r"must be opaque \(alpha 1\), got alpha 0\.5"),
        ({"background": "#000000fe"}, "must be opaque"),
        ({"background": "transparent"}, "must be opaque"),
        ({"background": "bluish"}, "Stage background: Cannot read colour"),
        ({"layers": (LayerStyle("a"), LayerStyle("a"))}, "Two layers share the id 'a'"),
        ({"layers": ({"id": "a"},)}, "must be LayerStyle objects"),
        ({"layers": "ab"}, "must be a list"),
    ],
)
def test_composite_plan_validation_messages(kwargs, match):
    args = {"width": 4, "height": 4, **kwargs}
    with pytest.raises(InvalidLayer, match=match):
        CompositePlan(**args)


def test_compositor_rejects_bad_band_rows():
    with pytest.raises(ValueError, match="band_rows"):
        Compositor(plan(2, 2), band_rows=0)
