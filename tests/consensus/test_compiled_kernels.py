"""The compiled consensus kernels (calib.consensus._kernels) against their numpy references.

Newton's iterations run on each component's reviews instead of padded blocks, so their sums run
in another order: the roots agree to rounding, the solved components are the same. The union-find
components are the same partition as scipy's, numbered the same.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from _support import crossed_programme
from calib.consensus import _jit, consensus_limits, newton
from calib.consensus.fit import MAD
from calib.consensus.graph import components


@pytest.fixture(autouse=True)
def _jit_allowed(monkeypatch):
    # these tests are about the compiled paths: a developer's CALIB_NO_JIT=1 does not apply
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)


def _programme(seed: int, villages: int = 40, households: int = 60, panel: int = 7, k: int = 5,
               outliers: float = 0.05):
    return crossed_programme(seed, villages, households, panel, k, outliers)


def test_the_compiled_kernels_are_used_here():
    # numba is a dependency: a broken install must not fall back to the slow path unnoticed
    assert _jit.enabled()


def test_no_jit_switches_them_off(monkeypatch):
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    assert not _jit.enabled()
    assert not _jit.use(10**9)


def test_small_problems_keep_numpy():
    # loading numba costs a process ~1.3 CPU s: a county or the sample does not pay it
    assert not _jit.use(_jit.MIN_REVIEWS - 1) and _jit.use(_jit.MIN_REVIEWS)


@pytest.mark.parametrize("seed", range(4))
def test_compiled_newton_reaches_the_same_roots(seed):
    h, r, y, H, R = _programme(seed, outliers=0.02 + 0.04 * seed)
    if seed % 2:   # reviews in another order than household by household
        p = np.random.default_rng(seed).permutation(h.size)
        h, r, y = h[p], r[p], y[p]
    cmp = components(h, r, H, R, np.arange(H))
    args = (h, r, y, cmp.c_h, cmp.c_r, cmp.n, cmp.identified(), np.bincount(r, minlength=R) > 0,
            1.345 * MAD, np.bincount(h, y, H) / np.bincount(h, minlength=H))
    a0, b0, s0, t0 = newton.solve(*args, compiled=False)
    a1, b1, s1, t1 = newton.solve(*args, compiled=True)
    assert s0.sum() > 0.5 * cmp.n
    np.testing.assert_array_equal(s1, s0)
    np.testing.assert_allclose(t1[s0], t0[s0], rtol=1e-12)
    sh = s0[cmp.c_h]
    np.testing.assert_allclose(a1[sh], a0[sh], rtol=0, atol=1e-12)
    sr = s0[cmp.c_r] & cmp.identified()[cmp.c_r]
    np.testing.assert_allclose(b1[sr], b0[sr], rtol=0, atol=1e-12)
    assert np.abs(b1[sr]).max() > 0.1     # the rater effects are estimated, not left at 0


def test_components_are_scipys_partition_numbered_alike(monkeypatch):
    rng = np.random.default_rng(7)
    for trial in range(150):
        nH, nR = int(rng.integers(1, 60)), int(rng.integers(1, 30))
        m = int(rng.integers(0, 90))
        h, r = rng.integers(0, nH, m), rng.integers(0, nR, m)
        if trial % 3 == 0:
            h = np.sort(h)
        rank = rng.permutation(nH)
        want = components(h, r, nH, nR, rank, compiled=False)
        got = components(h, r, nH, nR, rank, compiled=True)
        assert got.n == want.n
        for f in ("c_h", "c_r", "n_reviews", "n_households", "n_raters"):
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f"{trial} {f}")


def _reviews(seed: int, households: int = 3000) -> pd.DataFrame:
    h, r, y, H, R = _programme(seed, villages=households // 60)
    rng = np.random.default_rng(seed)
    amt = np.maximum(np.round(np.exp(y) / 1000) * 1000, 1000)
    amt[rng.random(amt.size) < 0.03] = 0.0
    return pd.DataFrame({"household_id": [f"H{i:06d}" for i in h],
                         "reviewer_id": [f"R{j:05d}" for j in r],
                         "proposed_limit": amt, "village": [f"V{i // 60:04d}" for i in h]})


def test_consensus_limits_are_the_same_with_and_without_the_kernels(monkeypatch):
    rv = _reviews(11)
    monkeypatch.setattr(_jit, "MIN_REVIEWS", 0)
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    want = consensus_limits(rv)
    monkeypatch.setenv("CALIB_NO_JIT", "")
    assert _jit.use(len(rv))
    got = consensus_limits(rv)
    assert want["adjusted"].mean() > 0.9
    pd.testing.assert_series_equal(got["consensus_limit"], want["consensus_limit"], check_exact=True)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-14)


@pytest.mark.slow  # compiles the kernels in a Python process of its own: left out of `make test-fast`
def test_warm_compiles_into_the_cache():
    assert _jit.warm()   # compiles here if the cache is missing (make warm did it otherwise)
    code = ("import time; t = time.process_time()\n"
            "from calib.consensus import _jit\nassert _jit.warm()\nprint(time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "CALIB_NO_JIT"})
    assert float(out.stdout.split()[-1]) < 5.0   # a new process loads them, it does not compile


@pytest.mark.parametrize("contiguous", [True, False])
def test_group_medians_are_the_same_values(contiguous):
    from calib.consensus.groups import GroupSorter

    rng = np.random.default_rng(5)
    n = 400
    sizes = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 40, 41], n)      # empty, odd, even, > 32
    g = np.repeat(np.arange(n), sizes)
    if not contiguous:
        g = rng.permutation(g)
    x = np.round(rng.standard_normal(g.size), 1)                 # ties
    want, got = GroupSorter(g, n, compiled=False), GroupSorter(g, n, compiled=True)
    assert got._order is not None and want._order is None
    for a, b in zip(got.middle(x), want.middle(x)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got.median(np.abs(x)), want.median(np.abs(x)))
    x[::7] = np.nan                                               # NaN: the blocks' own ordering
    np.testing.assert_array_equal(got.median(x), want.median(x))
