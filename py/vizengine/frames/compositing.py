"""Composite the stage's layer canvases the way the browser shows them, one frame at a time.

The page stacks WebGL canvases in an opaque, `isolation: isolate` stage; each canvas has CSS opacity,
mix-blend-mode and background-color. Because the backdrop is opaque, W3C "source-over with blending"
collapses to  result = (1 - a) Cb + a B(Cb, Cs)  per layer, with the element image being the canvas
over its own background colour, then scaled by opacity.

Frames are processed in horizontal bands so float32 temporaries stay a few MB even at 4K, which
matters under Pyodide's ~2 GB heap where a full-frame float copy per step would not fit many times.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .blend_modes import BLEND_MODES, blend_channels_first, check_mode
from ..errors import InvalidLayer
from ..project.contract import COLOR_HINT, COLOR_PATTERN
from .premultiplied_blends import PREMULTIPLIED

Rgba = tuple[float, float, float, float]

_F = np.float32
DEFAULT_BAND_ROWS = 64
_TINY = _F(np.finfo(np.float32).tiny)

# --- CSS colours ---------------------------------------------------------------------------------

def _channel(token: str) -> float:
    # CSS clamps out-of-range components at computed-value time rather than rejecting them, so the
    # export clamps too: the goal is to match what the page shows. Clamping also maps an overflowing
    # "1e999" (inf) into range, so every value that matches the grammar is finite.
    value = float(token[:-1]) * 2.55 if token.endswith("%") else float(token)
    return min(255.0, max(0.0, value))


def _alpha(token: str | None) -> float:
    if token is None:
        return 1.0
    value = float(token[:-1]) / 100.0 if token.endswith("%") else float(token)
    return min(1.0, max(0.0, value))


def parse_css_color(text: str) -> Rgba:
    """Read a CSS colour in the contract's grammar (COLOR_PATTERN, which the page validates with too):
    #rgb, #rgba, #rrggbb, #rrggbbaa, transparent, rgb()/rgba() in comma or space/slash syntax.
    Returns (r, g, b) in 0..255 and alpha in 0..1."""
    if not isinstance(text, str):
        raise InvalidLayer(f"A colour must be text such as '#1a2b3c', not {text!r}")
    m = COLOR_PATTERN.fullmatch(text)
    if m is None:
        raise InvalidLayer(f"Cannot read colour {text!r}; use {COLOR_HINT}")
    digits, *numbers = m.groups()
    if digits is not None:
        if len(digits) <= 4:
            digits = "".join(ch * 2 for ch in digits)
        r, g, b = (float(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
        a = int(digits[6:8], 16) / 255.0 if len(digits) == 8 else 1.0
        return (r, g, b, a)
    components = numbers[:4] if numbers[0] is not None else numbers[4:]
    if components[0] is None:
        return (0.0, 0.0, 0.0, 0.0)  # transparent
    r, g, b = (_channel(t) for t in components[:3])
    return (r, g, b, _alpha(components[3]))


# --- layer and plan descriptions -------------------------------------------------------------------


def _is_number(value: object) -> bool:
    # bool is an int in Python, but `opacity: true` in the project JSON is a bug, not 1.0.
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


@dataclass(frozen=True)
class LayerStyle:
    """One canvas's CSS: opacity, mix-blend-mode and background-color."""

    id: str
    opacity: float = 1.0
    blend_mode: str = "normal"
    background: str = "transparent"

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidLayer(f"A layer needs a non-empty text id, not {self.id!r}")
        if not _is_number(self.opacity) or not math.isfinite(self.opacity):
            raise InvalidLayer(f"Layer {self.id!r}: opacity must be a number, not {self.opacity!r}")
        if not 0.0 <= self.opacity <= 1.0:
            raise InvalidLayer(
                f"Layer {self.id!r}: opacity must be between 0 and 1, got {self.opacity!r}"
            )
        object.__setattr__(self, "opacity", float(self.opacity))
        try:
            mode = check_mode(self.blend_mode)
        except InvalidLayer as exc:
            raise InvalidLayer(f"Layer {self.id!r}: {exc}") from None
        object.__setattr__(self, "blend_mode", mode)
        try:
            parse_css_color(self.background)
        except InvalidLayer as exc:
            raise InvalidLayer(f"Layer {self.id!r}: background: {exc}") from None


@dataclass(frozen=True)
class CompositePlan:
    """The stage: its size, its opaque background colour, and its layers bottom to top."""

    width: int
    height: int
    background: str = "#000000"
    layers: tuple[LayerStyle, ...] = ()

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidLayer(f"Stage {name} must be a whole number of pixels, not {value!r}")
            try:
                value = operator.index(value)
            except TypeError:
                raise InvalidLayer(
                    f"Stage {name} must be a whole number of pixels, not {value!r}"
                ) from None
            if value <= 0:
                raise InvalidLayer(f"Stage {name} must be positive, got {value}")
            object.__setattr__(self, name, value)
        try:
            alpha = parse_css_color(self.background)[3]
        except InvalidLayer as exc:
            raise InvalidLayer(f"Stage background: {exc}") from None
        if alpha != 1.0:
            # Opacity here would let the page behind the stage show through, which an export
            # cannot reproduce; the single-formula blend below also relies on alpha_b = 1.
            raise InvalidLayer(
                f"Stage background {self.background!r} must be opaque (alpha 1), got alpha {alpha:g}"
            )
        if isinstance(self.layers, (str, bytes, Mapping)):
            raise InvalidLayer("Stage layers must be a list of layers")
        try:
            layers = tuple(self.layers)
        except TypeError:
            raise InvalidLayer(f"Stage layers must be a list of layers, not {self.layers!r}") from None
        seen: set[str] = set()
        for layer in layers:
            if not isinstance(layer, LayerStyle):
                raise InvalidLayer(f"Stage layers must be LayerStyle objects, not {layer!r}")
            if layer.id in seen:
                raise InvalidLayer(f"Two layers share the id {layer.id!r}")
            seen.add(layer.id)
        object.__setattr__(self, "layers", layers)


# --- the compositor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    index: int
    mode: str
    # Dividing the bytes by 255/opacity folds the opacity multiply into the uint8 -> float pass and is
    # exact for opacity 1 (k / 255 correctly rounded, so 255 -> 1.0 exactly).
    divisor: np.float32
    opacity: np.float32
    # Background premultiplied (r a, g a, b a, a) in 0..1, or None when transparent.
    background: np.ndarray | None


class Compositor:
    """Composites frames for one plan; scratch buffers are reused, so one instance per thread.

    Work buffers are channel-first, (channels, rows, width): numpy is several times slower when the
    innermost loop is a 3- or 4-long channel axis, which is what broadcasting alpha over interleaved
    RGB would do.
    """

    def __init__(self, plan: CompositePlan, band_rows: int = DEFAULT_BAND_ROWS) -> None:
        if not isinstance(plan, CompositePlan):
            raise TypeError(f"Compositor needs a CompositePlan, not {type(plan).__name__}")
        if isinstance(band_rows, bool) or not isinstance(band_rows, int) or band_rows <= 0:
            raise ValueError(f"band_rows must be a positive int, not {band_rows!r}")
        self.plan = plan
        h, w = plan.height, plan.width
        self.band_rows = band = min(band_rows, h)
        r, g, b, _ = parse_css_color(plan.background)
        self._stage = (np.array([r, g, b], dtype=_F) / _F(255))[:, None, None]
        self._layers: list[_Prepared] = []
        for i, layer in enumerate(plan.layers):
            if layer.opacity == 0.0:
                continue  # an opacity-0 element is invisible in every blend mode
            br, bg, bb, ba = parse_css_color(layer.background)
            bg4 = None
            if ba > 0:
                bg4 = np.array([br * ba, bg * ba, bb * ba, 255.0 * ba], dtype=_F) / _F(255)
                bg4 = bg4[:, None, None]
            self._layers.append(
                _Prepared(i, layer.blend_mode, _F(255.0 / layer.opacity), _F(layer.opacity), bg4)
            )
        self._cb = np.empty((3, band, w), dtype=_F)
        self._p = np.empty((4, band, w), dtype=_F)
        self._q = np.empty((4, band, w), dtype=_F)
        self._u = np.empty((4, band, w), dtype=np.uint8)
        self._t = np.empty((band, w), dtype=_F)
        # min() against a row of ones runs vectorised; against a scalar numpy 2.0 is ~3x slower.
        self._ones = np.ones(w, dtype=_F)

    def _check(self, pixels: object) -> np.ndarray:
        plan = self.plan
        want = (len(plan.layers), plan.height, plan.width, 4)
        if not isinstance(pixels, np.ndarray):
            raise InvalidLayer(f"Layer pixels must be a numpy array, not {type(pixels).__name__}")
        if pixels.dtype != np.uint8:
            raise InvalidLayer(f"Layer pixels must be uint8 RGBA, got dtype {pixels.dtype}")
        if pixels.shape != want:
            raise InvalidLayer(
                f"Layer pixels have shape {pixels.shape}, expected {want} "
                "(layers, height, width, RGBA) for this stage"
            )
        return pixels

    def compose(self, pixels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Composite one frame.

        pixels: uint8 (layers, height, width, 4), premultiplied RGBA, rows bottom-up as
        gl.readPixels returns them. Returns uint8 (height, width, 3) RGB, rows top-down,
        C-contiguous (a new array unless `out` is given).
        """
        pixels = self._check(pixels)
        h, w = self.plan.height, self.plan.width
        if out is None:
            out = np.empty((h, w, 3), dtype=np.uint8)
        elif (
            not isinstance(out, np.ndarray)
            or out.shape != (h, w, 3)
            or out.dtype != np.uint8
            or not out.flags.c_contiguous
        ):
            raise ValueError(f"out must be a C-contiguous uint8 array of shape {(h, w, 3)}")
        for y0 in range(0, h, self.band_rows):
            y1 = min(h, y0 + self.band_rows)
            self._band(pixels, y0, y1, out[y0:y1])
        return out

    def _band(self, pixels: np.ndarray, y0: int, y1: int, out: np.ndarray) -> None:
        h = self.plan.height
        n = y1 - y0
        cb, p, q, u, t = self._cb[:, :n], self._p[:, :n], self._q[:, :n], self._u[:, :n], self._t[:n]
        cb[...] = self._stage
        pa = p[3]
        for layer in self._layers:
            # Output rows y0..y1 (top-down) are input rows h-y1..h-y0 read backwards: a view.
            src = pixels[layer.index, h - y1 : h - y0][::-1]
            # De-interleave as bytes first: moving 1-byte values is cheaper than 4-byte floats.
            np.copyto(u, src.transpose(2, 0, 1))
            np.divide(u, layer.divisor, out=p, dtype=_F)  # o*Cp and o*a, premultiplied
            if layer.background is not None:
                # Canvas over its background, then opacity:  o (Cp + Cbg (1 - a)) = o Cp + Cbg (o - o a),
                # i.e. p += bg * (o - p_a), the same for all four channels.
                np.subtract(layer.opacity, pa, out=t)
                np.multiply(layer.background, t, out=q)
                p += q
            if layer.mode == "normal":
                np.subtract(_F(1), pa, out=t)
                cb *= t
                cb += p[:3]
                continue
            cheap = PREMULTIPLIED.get(layer.mode)
            if cheap is not None:
                np.minimum(p[:3], pa, out=p[:3])  # colour > alpha is invalid premultiplied data: clamp
                cheap(cb, p[:3], pa, q[:3])
                continue
            # Un-premultiply. Where a'' == 0, a'' (B - Cb) adds nothing whatever Cs comes out as.
            np.add(pa, _TINY, out=t)  # changes only a == 0 (a >= 0 and x + _TINY == x otherwise)
            cs = np.divide(p[:3], t, out=q[:3])
            # Canvases can hold colour > alpha (invalid premultiplied data); keep B in its domain.
            # Both are >= 0 already (bytes / positive; convex mixes of values >= 0).
            np.minimum(cs, self._ones, out=cs)
            np.minimum(cb, self._ones, out=cb)
            blended = blend_channels_first(layer.mode, cb, cs)
            blended -= cb
            blended *= pa
            cb += blended
        # Round half up (as the rest of the export does), then clip into bytes.
        cb *= _F(255)
        cb += _F(0.5)
        # Clipped values are >= 0, so the float -> uint8 cast's truncation is the floor.
        np.clip(cb, 0, 255, out=cb)
        for ch in range(3):
            out[..., ch] = cb[ch]


__all__ = [
    "BLEND_MODES",
    "CompositePlan",
    "Compositor",
    "LayerStyle",
    "parse_css_color",
]
