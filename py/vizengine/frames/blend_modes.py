"""The 16 CSS `mix-blend-mode` functions B(Cb, Cs), as W3C Compositing and Blending Level 1 defines them.

Colours are non-premultiplied float32 in [0, 1]. `blend` takes channels on the last axis, as callers
expect; internally everything runs channel-first, shape (3, ...), because numpy is several times slower
when the innermost loop is a length-3 channel axis (broadcast alpha, per-pixel max/min) than when it
runs along a row.

The spec's branches ("if Cs <= 0.5", ClipColor's "if n < 0") are evaluated for every pixel and
selected arithmetically, never with np.where/boolean masks: in numpy 2.0 those cost ~20x a multiply
on unpredictable masks, which made them most of a frame's time. Divisions that the spec guards with
a branch use a denominator floored at the smallest normal float32 instead; the comments at each use
say why that gives the spec's result exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InvalidLayer
# The page offers the same list from the same file, so a mode cannot exist on one side only.
from ..project.contract import BLEND_MODES


NON_SEPARABLE_MODES: frozenset[str] = frozenset(("hue", "saturation", "color", "luminosity"))

_F = np.float32
_ONE = _F(1.0)
_HALF = _F(0.5)
# x / _TINY >= 1 for every normal x > 0, and 1 / _TINY ~ 8.5e37 still fits in float32.
_TINY = _F(np.finfo(np.float32).tiny)
_WR, _WG, _WB = _F(0.3), _F(0.59), _F(0.11)


def check_mode(mode: object) -> str:
    """Return the canonical (lower-case) name of a blend mode or raise InvalidLayer."""
    # CSS keywords are ASCII case-insensitive, so "Multiply" from a hand-edited project still works.
    name = mode.strip().lower() if isinstance(mode, str) else None
    if name not in BLEND_MODES:
        raise InvalidLayer(
            f"Unknown blend mode {mode!r}; valid blend modes are: {', '.join(BLEND_MODES)}"
        )
    return name


def _select(cond: np.ndarray, if_true: np.ndarray, if_false: np.ndarray) -> np.ndarray:
    """cond ? if_true : if_false, as if_false + cond * (if_true - if_false); both must be finite.

    Reuses if_true's memory, so pass only temporaries.
    """
    mask = cond.astype(_F)
    if_true -= if_false
    if_true *= mask
    if_true += if_false
    return if_true


# --- separable modes (elementwise, so indifferent to the channel layout) ---------------------------


def _normal(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return cs.copy()


def _multiply(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return cb * cs


def _screen(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    out = cb + cs
    out -= cb * cs
    return out


def _hard_light(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # Cs <= 0.5: Multiply(Cb, 2 Cs); else Screen(Cb, 2 Cs - 1).
    t = cs + cs
    low = cb * t
    t -= _ONE
    return _select(cs <= _HALF, low, _screen(cb, t))


def _overlay(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return _hard_light(cs, cb)


def _darken(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return np.minimum(cb, cs)


def _lighten(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return np.maximum(cb, cs)


def _color_dodge(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # Spec: Cb == 0 -> 0; else Cs == 1 -> 1; else min(1, Cb / (1 - Cs)).
    # With the denominator floored at _TINY: Cb == 0 gives 0 / d = 0 whatever Cs is, and Cs == 1
    # with Cb > 0 gives Cb / _TINY >= 1, clamped to 1 -- both edge cases fall out of one formula.
    denom = _ONE - cs
    np.maximum(denom, _TINY, out=denom)
    out = np.divide(cb, denom, out=denom)
    return np.minimum(out, _ONE, out=out)


def _color_burn(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # Spec: Cb == 1 -> 1; else Cs == 0 -> 0; else 1 - min(1, (1 - Cb) / Cs).
    # Cb == 1 makes the numerator 0, so 1 - 0 = 1 even when Cs == 0; Cs == 0 with Cb < 1 gives
    # (1 - Cb) / _TINY >= 1, so 1 - 1 = 0.
    out = _ONE - cb
    out /= np.maximum(cs, _TINY)
    np.minimum(out, _ONE, out=out)
    return np.subtract(_ONE, out, out=out)


def _soft_light(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # D(Cb) = ((16 Cb - 12) Cb + 4) Cb for Cb <= 0.25, else sqrt(Cb).
    poly = cb * _F(16.0)
    poly -= _F(12.0)
    poly *= cb
    poly += _F(4.0)
    poly *= cb
    d = _select(cb <= _F(0.25), poly, np.sqrt(np.maximum(cb, 0)))
    t = cs + cs
    t -= _ONE  # 2 Cs - 1
    low = cb * (_ONE - cb)
    low *= t
    low += cb  # Cb - (1 - 2 Cs) Cb (1 - Cb)
    d -= cb
    d *= t
    d += cb  # Cb + (2 Cs - 1)(D(Cb) - Cb)
    return _select(cs <= _HALF, low, d)


def _difference(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    out = cb - cs
    return np.abs(out, out=out)


def _exclusion(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    out = cb + cs
    prod = cb * cs
    prod += prod
    out -= prod
    return out


# --- non-separable modes, channel-first: Lum, ClipColor, SetLum, Sat, SetSat -----------------------


def _max3(c: np.ndarray) -> np.ndarray:
    return np.maximum(np.maximum(c[0], c[1]), c[2])


def _min3(c: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(c[0], c[1]), c[2])


def lum(c: np.ndarray) -> np.ndarray:
    """Lum(C) = 0.3 R + 0.59 G + 0.11 B for channel-first C; drops the channel axis."""
    out = c[0] * _WR
    out += c[1] * _WG
    out += c[2] * _WB
    return out


def sat(c: np.ndarray) -> np.ndarray:
    """Sat(C) = max(C) - min(C) for channel-first C; drops the channel axis."""
    return _max3(c) - _min3(c)


def clip_color(c: np.ndarray, lu: np.ndarray | None = None) -> np.ndarray:
    """ClipColor(C) for channel-first C, in place; `lu` may pass Lum(C) when the caller knows it.

    The spec's two steps, C = L + (C - L) L / (L - n) when n < 0 and then
    C = L + (C - L)(1 - L) / (x - L) when x > 1 (n, x, L all taken from the input), compose into a
    single scale of C - L by s1 * s2. Each factor is written so it is exactly 1 when its condition
    is false: with L >= 0, max(L - n, L) is L - n when n < 0 and L otherwise, and L / L == 1 in IEEE
    arithmetic; likewise max(x - L, 1 - L) for the second. The added _TINY covers L == 0 (resp. 1),
    where C - L is 0 anyway, so the result is L as the spec's would be.
    """
    if lu is None:
        lu = lum(c)
    n = _min3(c)
    x = _max3(c)
    # Lum of a white or black colour can round a hair outside [0, 1]; clamping the numerators keeps
    # s1, s2 in [0, 1] there instead of dividing a tiny negative by _TINY.
    l_pos = np.maximum(lu, 0)
    np.subtract(lu, n, out=n)
    np.maximum(n, l_pos, out=n)
    n += _TINY  # n >= 0 here, so this only lifts an exact 0 (x + _TINY == x for larger x)
    s = np.divide(l_pos, n, out=n)  # s1
    np.subtract(x, lu, out=x)
    one_minus_l = np.subtract(_ONE, lu, out=l_pos)
    np.maximum(one_minus_l, 0, out=one_minus_l)
    np.maximum(x, one_minus_l, out=x)
    x += _TINY
    np.divide(one_minus_l, x, out=x)  # s2
    s *= x
    c -= lu
    c *= s
    c += lu
    return c


def set_lum(c: np.ndarray, target: np.ndarray) -> np.ndarray:
    """SetLum(C, l) for channel-first C: shift C so Lum(C) == l, then ClipColor. Returns a new array."""
    d = np.subtract(target, lum(c), dtype=_F)
    # Lum(C + d) is l up to float rounding; passing l saves three passes for a ~1e-7 difference.
    return clip_color(c + d, np.asarray(target, dtype=_F))


def set_sat(c: np.ndarray, s: np.ndarray) -> np.ndarray:
    """SetSat(C, s) for channel-first C: min channel -> 0, max -> s, mid scaled between; grey -> 0.

    (C - Cmin) s / (Cmax - Cmin) makes all three of the spec's assignments at once and gives tied
    channels equal values, where the spec leaves the choice of Cmax/Cmid open. For a grey C,
    C - Cmin is exactly 0, and the _TINY floor keeps the factor finite, so grey gives black as specified.
    """
    mn = _min3(c)
    rng = _max3(c)
    rng -= mn
    rng += _TINY  # max - min >= 0 exactly, and adding _TINY changes only an exact 0
    k = np.divide(s, rng, out=rng, dtype=_F)
    out = c - mn
    out *= k
    return out


def _hue(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return set_lum(set_sat(cs, sat(cb)), lum(cb))


def _saturation(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return set_lum(set_sat(cb, sat(cs)), lum(cb))


def _color(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return set_lum(cs, lum(cb))


def _luminosity(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return set_lum(cb, lum(cs))


_FUNCS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "normal": _normal,
    "multiply": _multiply,
    "screen": _screen,
    "overlay": _overlay,
    "darken": _darken,
    "lighten": _lighten,
    "color-dodge": _color_dodge,
    "color-burn": _color_burn,
    "hard-light": _hard_light,
    "soft-light": _soft_light,
    "difference": _difference,
    "exclusion": _exclusion,
    "hue": _hue,
    "saturation": _saturation,
    "color": _color,
    "luminosity": _luminosity,
}
assert tuple(_FUNCS) == BLEND_MODES


def blend_channels_first(mode: str, cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    """B(Cb, Cs) for float32 arrays of one shape (3, ...), channel-first; never modifies its inputs.

    The compositor's fast path: no validation beyond the mode name, result is a new array.
    """
    return _FUNCS[check_mode(mode)](cb, cs)


def blend(mode: str, cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    """B(Cb, Cs) for a CSS blend mode; backdrop and source non-premultiplied, RGB on the last axis.

    The inputs broadcast against each other; returns a new C-contiguous float32 array of their
    common shape.
    """
    func = _FUNCS[check_mode(mode)]
    cb = np.asarray(cb, dtype=_F)
    cs = np.asarray(cs, dtype=_F)
    if cb.shape[-1:] != (3,) or cs.shape[-1:] != (3,):
        raise ValueError(
            f"blend expects RGB colours on the last axis, got shapes {cb.shape} and {cs.shape}"
        )
    shape = np.broadcast_shapes(cb.shape, cs.shape)
    # Channel-first (3, pixels) copies: full-size, writable, and never 1-D, so a single colour's
    # channel planes are still arrays (the helpers write into them with out=).
    cb_t = np.broadcast_to(cb, shape).reshape(-1, 3).T.copy()
    cs_t = np.broadcast_to(cs, shape).reshape(-1, 3).T.copy()
    return np.ascontiguousarray(func(cb_t, cs_t).T).reshape(shape)
