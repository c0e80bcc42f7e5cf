"""The analysis run by the export (Pyodide, wasm, musl libm) equals the one the unit tests check (CPython,
x86 numpy) bit for bit: bytes, time-domain bytes, magnitudes and float dB. Before vizengine.audio.log10f each
runtime's own float32 log10 decided the dB, and about 1 byte in 200 000 came out different."""

from __future__ import annotations

import base64
import json
import zlib
from fractions import Fraction

import numpy as np
import pytest

from vizengine.audio.analysis import analyse

RUN_PY = """
import base64, json
from fractions import Fraction
import numpy as np
from vizengine.audio.analysis import analyse

def analyse_in_pyodide(b64, shape, rate, fps_num, fps_den, fft, smoothing, min_db, max_db):
    x = np.frombuffer(base64.b64decode(b64), dtype=np.float32).reshape(json.loads(shape))
    r = analyse(x, rate, Fraction(fps_num, fps_den), fft_size=fft, smoothing=smoothing,
                min_db=min_db, max_db=max_db)
    return json.dumps({name: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode() for name, a in
                       (("frequency", r.frequency), ("time_domain", r.time_domain),
                        ("magnitudes", r.magnitudes), ("decibels", r.decibels), ("positions", r.positions))})
"""

CASES = [  # fft, smoothing, rate, fps, channels, seconds, (min_db, max_db)
    (2048, 0.8, 48000, 60, 2, 12.0, (-100.0, -30.0)),
    (32768, 0.5, 44100, Fraction(30000, 1001), 2, 6.0, (-110.0, -20.0)),
    (32, 0.0, 48000, 120, 1, 4.0, (-100.0, -30.0)),
    (512, 0.9, 22050, 30, 3, 8.0, (-60.0, -59.0)),  # a 1 dB range: every float32 ulp matters
]


@pytest.fixture(scope="module")
def pyodide_page(python_page):
    python_page.evaluate("code => window.vizengine.python.runPython(code)", RUN_PY)
    return python_page


def music_like(rate: int, seconds: float, channels: int, seed: int) -> np.ndarray:
    """Noise bursts over tones, with a near-silent stretch: levels spread over the whole dB range."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    out = []
    for c in range(channels):
        tones = sum(rng.uniform(0.02, 0.3) * np.sin(2 * np.pi * rng.uniform(40, 12000) * t) for _ in range(6))
        bursts = rng.standard_normal(t.size) * (np.sin(2 * np.pi * 2.0 * t + c) > 0.6) * 0.3
        x = tones + bursts
        x[len(x) // 3 : len(x) // 3 + rate] *= 1e-4
        out.append(x)
    return np.stack(out).astype(np.float32)


@pytest.mark.parametrize("fft, smoothing, rate, fps, channels, seconds, db_range", CASES,
                         ids=lambda v: str(v) if not isinstance(v, tuple) else f"{v[0]:g}..{v[1]:g}dB")
def test_pyodide_and_cpython_analysis_are_bit_identical(pyodide_page, fft, smoothing, rate, fps, channels,
                                                        seconds, db_range):
    samples = music_like(rate, seconds, channels, zlib.crc32(f"{fft}-{rate}".encode()))
    fps = Fraction(fps)
    ours = analyse(samples, rate, fps, fft_size=fft, smoothing=smoothing, min_db=db_range[0], max_db=db_range[1])
    theirs = json.loads(pyodide_page.evaluate(
        "args => window.vizengine.python.globals.get('analyse_in_pyodide')(...args)",
        [base64.b64encode(samples.tobytes()).decode(), json.dumps(list(samples.shape)), rate,
         fps.numerator, fps.denominator, fft, smoothing, *db_range]))
    for name in ("frequency", "time_domain", "magnitudes", "decibels", "positions"):
        mine = np.ascontiguousarray(getattr(ours, name))
        got = np.frombuffer(base64.b64decode(theirs[name]), dtype=mine.dtype).reshape(mine.shape)
        differ = int((got.view(np.uint8) != mine.view(np.uint8)).sum())
        assert differ == 0, f"{name}: {differ} bytes differ between Pyodide and CPython"
    assert ours.frequency.any() and (ours.frequency < 255).any()  # the levels really span the byte range
