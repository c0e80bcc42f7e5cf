"""log10 of float32 values, bit-identical to glibc's `log10f`, on every runtime.

Chromium turns analyser magnitudes into decibels with `20 * log10f(x)`, which on Linux is glibc's.
numpy's float32 log10 is whatever the runtime links: an AVX-512 routine in CPython on this machine
(it differs from glibc in about half of all inputs, by an ulp), musl's in Pyodide.  So the same
analysis gave different decibels in the unit tests and in the browser, and now and then a different
byte.  This module computes glibc's result with float64/float32 arithmetic and table lookups only,
which IEEE 754 pins down exactly, so CPython and Pyodide agree bit for bit.

glibc's log10f (sysdeps/ieee754/flt-32/e_log10f.c) splits x = 2^k * m with m in [0.5, 2) and
returns (k*log10_2lo + ivln10*logf(m)) + k*log10_2hi in float32; its logf (e_logf.c, from Arm's
optimized-routines) evaluates a degree-4 polynomial in double around 16 table points.  The
constants below are that implementation's data.  Checked against the system glibc: every float32
in [0.5, 2) for logf, and the unit tests for log10f.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log10f"]

_F32 = np.float32

# logf: (1/c, log(c)) for 16 subintervals, log(2), and the polynomial for log1p(r).
_INVC = np.array([float.fromhex(v) for v in (
    "0x1.661ec79f8f3bep+0", "0x1.571ed4aaf883dp+0", "0x1.49539f0f010bp+0", "0x1.3c995b0b80385p+0",
    "0x1.30d190c8864a5p+0", "0x1.25e227b0b8eap+0", "0x1.1bb4a4a1a343fp+0", "0x1.12358f08ae5bap+0",
    "0x1.0953f419900a7p+0", "0x1p+0", "0x1.e608cfd9a47acp-1", "0x1.ca4b31f026aap-1",
    "0x1.b2036576afce6p-1", "0x1.9c2d163a1aa2dp-1", "0x1.886e6037841edp-1", "0x1.767dcf5534862p-1",
)])
_LOGC = np.array([float.fromhex(v) for v in (
    "-0x1.57bf7808caadep-2", "-0x1.2bef0a7c06ddbp-2", "-0x1.01eae7f513a67p-2", "-0x1.b31d8a68224e9p-3",
    "-0x1.6574f0ac07758p-3", "-0x1.1aa2bc79c81p-3", "-0x1.a4e76ce8c0e5ep-4", "-0x1.1973c5a611cccp-4",
    "-0x1.252f438e10c1ep-5", "0x0p+0", "0x1.aa5aa5df25984p-5", "0x1.c5e53aa362eb4p-4",
    "0x1.526e57720db08p-3", "0x1.bc2860d22477p-3", "0x1.1058bc8a07ee1p-2", "0x1.4043057b6ee09p-2",
)])
_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
_A0, _A1, _A2 = (float.fromhex(v) for v in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2"))
_LOGF_OFF = 0x3F330000

# log10f: log10(2) split in two floats, and 1/ln(10), as float32 bit patterns.
_LOG10_2HI = np.uint32(0x3E9A2080).view(_F32)
_LOG10_2LO = np.uint32(0x355427DB).view(_F32)
_INV_LN10 = np.uint32(0x3EDE5BD9).view(_F32)


def _logf_reduced(bits: np.ndarray) -> np.ndarray:
    """glibc logf of the normal float32 values with these bit patterns (int64), as float32."""
    tmp = (bits - _LOGF_OFF) & 0xFFFFFFFF
    index = (tmp >> 19) & 15
    k = ((tmp ^ 0x80000000) - 0x80000000) >> 23  # the arithmetic shift of a signed 32-bit value
    z = (bits - (tmp & (0x1FF << 23))).astype(np.uint32).view(_F32).astype(np.float64)
    r = z * _INVC[index] - 1.0
    y0 = _LOGC[index] + k * _LN2
    r2 = r * r
    y = _A1 * r + _A2
    y = _A0 * r2 + y
    y = y * r2 + (y0 + r)
    return y.astype(_F32)


def log10f(values: np.ndarray) -> np.ndarray:
    """glibc log10f of non-negative finite float32 values, elementwise (0 gives -inf)."""
    x = np.asarray(values, dtype=_F32)
    bits = x.view(np.uint32).astype(np.int64)
    k = np.zeros(bits.shape, dtype=np.int64)
    tiny = bits < 0x00800000
    if tiny.any():  # subnormals: scaled by 2^25 first, exactly as glibc does
        scaled = (x[tiny] * _F32(2.0**25)).view(np.uint32).astype(np.int64)
        bits[tiny] = scaled
        k[tiny] = -25
    k += (bits >> 23) - 127
    negative = (k < 0).astype(np.int64)
    reduced = (bits & 0x007FFFFF) | ((0x7F - negative) << 23)
    y = (k + negative).astype(_F32)
    z = y * _LOG10_2LO + _INV_LN10 * _logf_reduced(reduced)
    out = z + y * _LOG10_2HI
    out[x == 0] = -np.inf
    return out
