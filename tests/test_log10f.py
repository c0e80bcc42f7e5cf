"""vizengine.audio.log10f must give glibc's log10f bit for bit, and bytes at boundaries must follow it."""

from __future__ import annotations

import glibc
import numpy as np
import pytest

from vizengine.audio import analysis
from vizengine.audio.analysis import AnalyserConfig
from vizengine.audio.log10f import log10f

pytestmark = [glibc.needs_glibc, pytest.mark.filterwarnings("error")]


def bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32).view(np.uint32)


def test_equals_glibc_across_every_binade_including_subnormals():
    rng = np.random.default_rng(3)
    patterns = rng.integers(1, 0x7F800000, 200_000, dtype=np.uint32)  # every positive finite float
    x = patterns.view(np.float32)
    np.testing.assert_array_equal(bits(log10f(x)), bits(glibc.log10f(x)))


def test_equals_glibc_on_edges_and_around_one():
    one = np.float32(1).view(np.uint32)
    around_one = (np.arange(-5000, 5000) + one).astype(np.uint32).view(np.float32)
    edges = np.array([0.0, 1e-45, 1.1754942e-38, 1.1754944e-38, 0.5, 1.0, 2.0, 10.0, 3.4028235e38],
                     dtype=np.float32)
    for x in (around_one, edges):
        np.testing.assert_array_equal(bits(log10f(x)), bits(glibc.log10f(x)))
    assert log10f(np.zeros(3, np.float32)).tolist() == [-np.inf] * 3


def near_boundary_magnitudes(config: AnalyserConfig) -> np.ndarray:
    """float32 magnitudes within a few ulps of where the byte changes, for every byte boundary."""
    span = config.max_db - config.min_db
    db = config.min_db + np.arange(256) * span / 255
    centre = (10.0 ** (db / 20)).astype(np.float32).view(np.uint32).astype(np.int64)
    return (centre[:, None] + np.arange(-40, 41)).ravel().astype(np.uint32).view(np.float32)


def glibc_bytes(m: np.ndarray, config: AnalyserConfig) -> np.ndarray:
    db = (np.float32(20) * glibc.log10f(m)).astype(np.float64)
    level = 255 * (db - config.min_db) * (1 / (config.max_db - config.min_db))
    return np.clip(level, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("min_db, max_db", [(-100.0, -30.0), (-190.0, -15.5), (-40.0, -39.9)])
def test_bytes_at_boundaries_are_glibcs_even_where_a_double_log10_floors_elsewhere(min_db, max_db):
    config = AnalyserConfig(2048, 0.8, min_db, max_db)
    m = near_boundary_magnitudes(config)[None]
    want = glibc_bytes(m, config)
    naive = np.clip(255 * (20 * np.log10(m.astype(np.float64)) - min_db) / (max_db - min_db), 0, 255)
    # The case exists: a plain double log10 floors some of these on the other side of the boundary.
    assert (naive.astype(np.uint8) != want).any()
    got = np.empty_like(want)
    work = (np.empty(m.shape, np.float32), np.empty(m.shape, np.float32))
    analysis._frequency_bytes(m, config, work, got)
    np.testing.assert_array_equal(got, want)
