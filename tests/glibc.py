"""glibc's own log10f, called through ctypes: the oracle for vizengine.audio.log10f on Linux."""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np
import pytest

_name = ctypes.util.find_library("m")
try:
    _libm = ctypes.CDLL(_name or "libm.so.6")
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _libc.gnu_get_libc_version.restype = ctypes.c_char_p
    GLIBC = _libc.gnu_get_libc_version().decode()
except (OSError, AttributeError):
    GLIBC = None

needs_glibc = pytest.mark.skipif(GLIBC is None, reason="the oracle is glibc's log10f (Linux)")

if GLIBC is not None:
    _libm.log10f.restype = ctypes.c_float
    _libm.log10f.argtypes = [ctypes.c_float]
    _each = np.frompyfunc(_libm.log10f, 1, 1)


def log10f(values) -> np.ndarray:
    x = np.asarray(values, dtype=np.float32)
    with np.errstate(divide="ignore"):  # log10f(0) = -inf raises the divide flag
        return _each(x.astype(np.float64)).astype(np.float32).reshape(x.shape)
