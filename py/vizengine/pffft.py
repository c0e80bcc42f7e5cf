"""A bit-exact numpy emulation of the float32 real FFT that Chromium's AnalyserNode uses (PFFFT).

Chromium on Linux x86-64 computes the AnalyserNode's FFT with Julien Pommier's PFFFT
(`pffft_transform_ordered`, forward, real, SSE build).  Its float32 result differs from an exact
FFT in the last bits, which decides a byte when a level lies within ~1e-6 of a byte boundary.  This
module replays PFFFT's algorithm with the same IEEE single operations in the same order, so each
output float is the one Chromium gets (checked against Chromium's getFloatFrequencyData).

How PFFFT works, and so how this module is laid out:
  * The N input floats are read as N/4 SIMD vectors of 4 lanes; lane L holds the polyphase
    component x[4p + L].  FFTPACK's real radix-4/radix-2 passes (radf4, radf2) transform each lane
    independently: four real FFTs of length n = N/4, in FFTPACK's packed order
    (r0, r1, i1, r2, i2, ..., r(n/2)).
  * `pffft_real_finalize` merges the four polyphase spectra with the twiddles e^(-2 pi i L b/N)
    (a last radix-4 step) and `pffft_zreorder` puts the bins in natural order.
  * SSE has no fused multiply-add and PFFFT's VMADD is mul-then-add, so every product and sum
    rounds to float32 on its own, exactly what numpy's float32 ufuncs do.
Arrays here keep the frame axis LAST, (positions, lanes, frames): all the index arithmetic then
slices leading axes and every ufunc inner loop runs over contiguous frames, which is what makes the
emulation fast when many frames are transformed at once.

Twiddles.  PFFFT computes its twiddle angles in double or float (as its source does, reproduced in
`_plan`) and then calls the C library's cosf/sinf.  glibc's cosf/sinf are not correctly rounded
(about 1.4% of these twiddles differ by one ulp from the correctly rounded value), and Chromium uses
the glibc of the machine it runs on.  So we call glibc's cosf/sinf through ctypes when it is there;
elsewhere (Pyodide: musl, no glibc) we fall back to correctly rounded values, which makes the
output NOT bit-exact — close to an ulp, but not identical.  `TWIDDLES_FROM_GLIBC` tells which.

Scaling: none, like PFFFT — X[k] = sum x[t] e^(-2 pi i k t/N), so |X| is N/2 for a full-scale
sine; the AnalyserNode divides magnitudes by N afterwards.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from functools import lru_cache

import numpy as np

__all__ = ["rfft_pffft", "TWIDDLES_FROM_GLIBC"]

_F32 = np.float32
# PFFFT's constants, rounded to float as its `static const float` declarations do.
_MINUS_HSQT2 = _F32(-0.7071067811865475)  # radf4_ps
_SQRT2_2 = _F32(math.sqrt(2) / 2)  # pffft_real_finalize: M_SQRT2/2


def _glibc_sincosf():
    """glibc's cosf and sinf as ctypes functions, or None when the C library is not glibc."""
    try:
        name = ctypes.util.find_library("m") or "libm.so.6"
        libm = ctypes.CDLL(name)
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()  # only glibc has it: musl and wasm raise here
        cosf, sinf = libm.cosf, libm.sinf
    except (OSError, AttributeError, TypeError):
        return None
    for f in (cosf, sinf):
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return cosf, sinf


_SINCOSF = _glibc_sincosf()
TWIDDLES_FROM_GLIBC = _SINCOSF is not None


def _cos_sin(angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cosf and sinf of float32 angles, as the C library Chromium links computes them."""
    values = angles.astype(np.float32).tolist()
    if _SINCOSF is not None:
        cosf, sinf = _SINCOSF
        c = [cosf(a) for a in values]
        s = [sinf(a) for a in values]
    else:  # correctly rounded: differs from glibc in ~1.4% of twiddles by one ulp
        c = [math.cos(a) for a in values]
        s = [math.sin(a) for a in values]
    return np.array(c, dtype=np.float32), np.array(s, dtype=np.float32)


@lru_cache(maxsize=16)
def _plan(size: int):
    """Stages (radix, l1, ido, twiddles) in forward order, and the finalize twiddles, for `size`."""
    n = size // 4  # length of each lane's real FFT
    # decompose() with ntryh {4, 2, 3, 5}: fours first, a lone two moved to the front.
    factors, rest = [], n
    while rest % 4 == 0:
        factors.append(4)
        rest //= 4
    if rest == 2:
        factors.insert(0, 2)
    elif rest != 1:
        raise ValueError(f"size must be a power of two >= 32, not {size}")
    # rffti1_ps: argh = (2*M_PI)/n in double, stored as float; then float products ld*argh, fi*argld.
    argh = _F32((2 * math.pi) / n)
    stages, l1 = [], 1
    for ip in factors:
        ido = n // (l1 * ip)
        twiddles = []
        if ido > 2:
            fi = np.arange(1, ido // 2, dtype=np.float32)
            for j in range(1, ip):
                argld = _F32(_F32(j * l1) * argh)
                c, s = _cos_sin(fi * argld)  # float32 products, as `fi*argld` in C
                twiddles.append((c[:, None, None], s[:, None, None]))  # broadcast over (i, lane, frame)
        stages.append((ip, l1, ido, twiddles))
        l1 *= ip
    # new_setup's e table: A = -2*M_PI*(m+1)*k/N evaluated in double left to right, stored as float.
    k = np.arange(size // 8, dtype=np.float64)
    finalize = []
    for m in range(3):
        c, s = _cos_sin(((-2 * math.pi) * (m + 1)) * k / size)
        finalize.append((c[:, None], s[:, None]))  # broadcast over frames
    return stages[::-1], finalize  # rfftf1_ps runs the factors last to first


def _mulconj(ar, ai, wr, wi):
    """VCPLXMULCONJ: (ar + i ai) * conj(wr + i wi), each product and sum rounded to float32."""
    return ar * wr + ai * wi, ai * wr - ar * wi


def _mul(ar, ai, wr, wi):
    """VCPLXMUL: (ar + i ai) * (wr + i wi)."""
    return ar * wr - ai * wi, ai * wr + ar * wi


def _radf4(cc: np.ndarray, l1: int, ido: int, twiddles) -> np.ndarray:
    frames = cc.shape[-1]
    c = cc.reshape(4, l1, ido, 4, frames)  # FFTPACK's cc(i, k, j): input j of butterfly k
    ch = np.empty((l1, 4, ido, 4, frames), dtype=np.float32)  # ch(i, j, k)
    a0, a1, a2, a3 = c[0, :, 0], c[1, :, 0], c[2, :, 0], c[3, :, 0]
    tr1 = a1 + a3
    tr2 = a0 + a2
    ch[:, 1, ido - 1] = a0 - a2
    ch[:, 2, 0] = a3 - a1
    ch[:, 0, 0] = tr1 + tr2
    ch[:, 3, ido - 1] = tr2 - tr1
    if ido < 2:
        return ch.reshape(-1, 4, frames)
    if ido > 2:
        # i = 2, 4, .., ido-2 (imaginary parts at i, real at i-1) and the mirrored ic = ido - i.
        re, im = slice(1, ido - 2, 2), slice(2, ido - 1, 2)
        mre, mim = slice(ido - 3, 0, -2), slice(ido - 2, 1, -2)
        (w1r, w1i), (w2r, w2i), (w3r, w3i) = twiddles
        cr2, ci2 = _mulconj(c[1, :, re], c[1, :, im], w1r, w1i)
        cr3, ci3 = _mulconj(c[2, :, re], c[2, :, im], w2r, w2i)
        cr4, ci4 = _mulconj(c[3, :, re], c[3, :, im], w3r, w3i)
        tr1 = cr2 + cr4
        tr4 = cr4 - cr2
        tr2 = c[0, :, re] + cr3
        tr3 = c[0, :, re] - cr3
        ch[:, 0, re] = tr1 + tr2
        ch[:, 3, mre] = tr2 - tr1
        ti1 = ci2 + ci4
        ti4 = ci2 - ci4
        ch[:, 2, re] = ti4 + tr3
        ch[:, 1, mre] = tr3 - ti4
        ti2 = c[0, :, im] + ci3
        ti3 = c[0, :, im] - ci3
        ch[:, 0, im] = ti1 + ti2
        ch[:, 3, mim] = ti1 - ti2
        ch[:, 2, im] = tr4 + ti3
        ch[:, 1, mim] = tr4 - ti3
    # ido even (always, for powers of two): the middle element of each butterfly.
    a, b = c[1, :, ido - 1], c[3, :, ido - 1]
    cm, d = c[0, :, ido - 1], c[2, :, ido - 1]
    ti1 = _MINUS_HSQT2 * (a + b)
    tr1 = _MINUS_HSQT2 * (b - a)
    ch[:, 0, ido - 1] = tr1 + cm
    ch[:, 2, ido - 1] = cm - tr1
    ch[:, 1, 0] = ti1 - d
    ch[:, 3, 0] = ti1 + d
    return ch.reshape(-1, 4, frames)


def _radf2(cc: np.ndarray, l1: int, ido: int, twiddles) -> np.ndarray:
    frames = cc.shape[-1]
    c = cc.reshape(2, l1, ido, 4, frames)
    ch = np.empty((l1, 2, ido, 4, frames), dtype=np.float32)
    ch[:, 0, 0] = c[0, :, 0] + c[1, :, 0]
    ch[:, 1, ido - 1] = c[0, :, 0] - c[1, :, 0]
    if ido < 2:
        return ch.reshape(-1, 4, frames)
    if ido > 2:
        re, im = slice(1, ido - 2, 2), slice(2, ido - 1, 2)
        mre, mim = slice(ido - 3, 0, -2), slice(ido - 2, 1, -2)
        ((wr, wi),) = twiddles
        tr2, ti2 = _mulconj(c[1, :, re], c[1, :, im], wr, wi)
        ch[:, 0, im] = c[0, :, im] + ti2
        ch[:, 1, mim] = ti2 - c[0, :, im]
        ch[:, 0, re] = c[0, :, re] + tr2
        ch[:, 1, mre] = c[0, :, re] - tr2
    ch[:, 1, 0] = -c[1, :, ido - 1]  # SVMUL(-1, .): an exact negation
    ch[:, 0, ido - 1] = c[0, :, ido - 1]
    return ch.reshape(-1, 4, frames)


def _finalize(y: np.ndarray, size: int, finalize) -> tuple[np.ndarray, np.ndarray]:
    """pffft_real_finalize + pffft_zreorder: (real, imag) of bins 0..N/2-1, shape (N/2, frames)."""
    n, _, frames = y.shape
    eighth = size // 8
    # Lane L's bin b (b < n/2) sits at y[2b-1] (real) and y[2b] (imag); bin 0 enters the 4x4
    # blocks as zero and is handled apart from its DC y[0] and Nyquist y[n-1].
    zero = np.zeros((1, 4, frames), dtype=np.float32)
    yr = np.concatenate([zero, y[1 : n - 2 : 2]])
    yi = np.concatenate([zero, y[2 : n - 1 : 2]])
    r = [yr[:, 0]]
    i = [yi[:, 0]]
    for lane in (1, 2, 3):  # the 4x4 transpose puts bin b = 4k + j in lane j: rows line up with b
        wr, wi = finalize[lane - 1]
        zr, zi = _mul(yr[:, lane], yi[:, lane], wr, wi)
        r.append(zr)
        i.append(zi)
    sr0, dr0 = r[0] + r[2], r[0] - r[2]
    sr1, dr1 = r[1] + r[3], r[3] - r[1]
    si0, di0 = i[0] + i[2], i[0] - i[2]
    si1, di1 = i[1] + i[3], i[3] - i[1]
    out_r = (sr0 + sr1, dr0 + di1, dr0 - di1, sr0 - sr1)
    out_i = (si0 + si1, dr1 - di0, dr1 + di0, si1 - si0)

    # Bin 0 of the first block, from the lanes' DC (cr) and Nyquist (ci) values, in scalar floats.
    cr, ci = y[0], y[n - 1]
    s = _SQRT2_2
    a, b = cr[0] + cr[2], cr[1] + cr[3]
    u, v = ci[1] - ci[3], ci[1] + ci[3]
    first_r = (a + b, ci[0] + s * u, cr[0] - cr[2], ci[0] - s * u)
    first_i = (a - b, -ci[2] - s * v, cr[3] - cr[1], ci[2] - s * v)

    real = np.empty((size // 2, frames), dtype=np.float32)
    imag = np.empty((size // 2, frames), dtype=np.float32)
    for dest, parts, firsts in ((real, out_r, first_r), (imag, out_i, first_i)):
        p0, p1, p2, p3 = parts
        # zreorder: blocks 0 and 2 in order, blocks 1 and 3 reversed (bin N/4 - b and N/2 - b), with
        # the special bin-0 values landing at 0, N/8, N/4 and 3N/8.
        dest[0:eighth] = p0
        dest[2 * eighth : 3 * eighth] = p2
        dest[eighth + 1 : 2 * eighth] = p1[:0:-1]
        dest[3 * eighth + 1 :] = p3[:0:-1]
        for q, value in enumerate(firsts):
            dest[q * eighth] = value
    return real, imag


def rfft_pffft(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PFFFT's forward real FFT of each row of a float32 (frames, N) block, N a power of two >= 32.

    Returns (real, imag), float32 (frames, N/2): real[:, k] + i imag[:, k] = X[k] for k = 1..N/2-1,
    unscaled (X[k] = sum_t x[t] e^(-2 pi i k t/N)); real[:, 0] is the DC term and imag[:, 0] the
    Nyquist term X[N/2] (PFFFT's packing, which Chromium's FFTFrame keeps and the analyser zeroes).
    """
    x = np.asarray(block)
    if x.dtype != np.float32:
        raise TypeError(f"block must be float32, not {x.dtype}")
    if x.ndim != 2:
        raise ValueError(f"block must have shape (frames, N), not {x.shape}")
    frames, size = x.shape
    if size < 32 or size & (size - 1):
        raise ValueError(f"N must be a power of two >= 32, not {size}")
    stages, finalize = _plan(size)
    # (positions, lanes, frames): element [p, L, f] is x[f, 4p + L].
    y = np.ascontiguousarray(x.T).reshape(size // 4, 4, frames)
    for ip, l1, ido, twiddles in stages:
        y = (_radf4 if ip == 4 else _radf2)(y, l1, ido, twiddles)
    real, imag = _finalize(y, size, finalize)
    return np.ascontiguousarray(real.T), np.ascontiguousarray(imag.T)
