"""Cheap forms of some separable blend modes over an OPAQUE backdrop, on premultiplied source colour.

With alpha_b = 1 the W3C composite is  co = (1 - a) Cb + a B(Cb, Cs).  For these modes a B(Cb, Cs) can be
written with the premultiplied colour Cp = a Cs directly, so the compositor skips un-premultiplying
(a division per channel) and the general blend function:

    screen      co = Cb + Cp - Cb Cp
    multiply    co = Cb (Cp + 1 - a)
    lighten     co = Cb + max(0, Cp - a Cb)
    darken      co = Cb + min(0, Cp - a Cb)
    difference  co = Cb - a Cb + |a Cb - Cp|
    exclusion   co = Cb + Cp - 2 Cb Cp

Each function updates `cb` (3, ...) in place; `cp` is premultiplied colour already clamped to <= a (the
general path clamps Cs = Cp / a to 1, which is the same thing), `a` the alpha plane, `q` scratch of cb's
shape. Both paths agree to float32 rounding (tests pin them against the general formula).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _screen(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.multiply(cb, cp, out=q)
    cb += cp
    cb -= q


def _multiply(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.subtract(cp, a, out=q)
    q += np.float32(1)
    cb *= q


def _lighten(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.multiply(cb, a, out=q)
    np.subtract(cp, q, out=q)
    np.maximum(q, np.float32(0), out=q)
    cb += q


def _darken(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.multiply(cb, a, out=q)
    np.subtract(cp, q, out=q)
    np.minimum(q, np.float32(0), out=q)
    cb += q


def _difference(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.multiply(cb, a, out=q)
    cb -= q
    q -= cp
    np.abs(q, out=q)
    cb += q


def _exclusion(cb: np.ndarray, cp: np.ndarray, a: np.ndarray, q: np.ndarray) -> None:
    np.multiply(cb, cp, out=q)
    q *= np.float32(2)
    cb += cp
    cb -= q


PREMULTIPLIED: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]] = {
    "screen": _screen,
    "multiply": _multiply,
    "lighten": _lighten,
    "darken": _darken,
    "difference": _difference,
    "exclusion": _exclusion,
}
