"""The compiled backfitting (calib.consensus._backfit_nb) equals the numpy one bit for bit.

The backfitting's fixed point depends on its path, so its exact arithmetic is part of the
results: every comparison here is ``assert_array_equal`` (NaN in the same places), never a
tolerance. The problems are the ones ``crossed_fit`` itself hands to ``fit._backfit`` (captured
by a spy), with the Newton solver (the components it leaves) and with the backfitting
everywhere, robust and least squares.
"""
from __future__ import annotations

import copy
import sys

import numpy as np
import pandas as pd
import pytest

from _support import AS_OF, ROOT, benchmark
from calib.consensus import fit as F
from calib.consensus.graph import components

pytest.importorskip("numba")

from calib.consensus import _backfit_nb  # noqa: E402

FIELDS = ("a", "b", "w", "scale", "done")


def _captured(monkeypatch, run) -> list:
    """The (problem, a0, max_iter, tol) of every ``fit._backfit`` call made by ``run()``."""
    calls = []
    orig = F._backfit

    def spy(p, a0, max_iter, tol, jit=None):
        calls.append((copy.deepcopy(p), a0.copy(), max_iter, tol))
        return orig(p, a0, max_iter, tol, jit=False)

    monkeypatch.setattr(F, "_backfit", spy)
    run()
    monkeypatch.setattr(F, "_backfit", orig)
    return calls


def _assert_identical(p, a0, max_iter, tol):
    """numpy and compiled backfits of one problem: the same bits; returns the numpy state."""
    ref = F._backfit(copy.deepcopy(p), a0.copy(), max_iter, tol, jit=False)
    got = _backfit_nb.backfit(copy.deepcopy(p), a0.copy(), max_iter, tol)
    assert got is not None, "the compiled kernel was not used"
    for k in FIELDS:
        np.testing.assert_array_equal(getattr(got, k), getattr(ref, k), err_msg=k, strict=True)
    assert got.n_iter == ref.n_iter
    # and through the dispatcher
    via = F._backfit(copy.deepcopy(p), a0.copy(), max_iter, tol, jit=True)
    np.testing.assert_array_equal(via.a, ref.a)
    return ref


def _fits(monkeypatch, h, r, y, cmp, **kw) -> list:
    calls = _captured(monkeypatch, lambda: F.crossed_fit(h, r, y, cmp, se=False, **kw))
    assert calls, "no component went through the backfitting"
    return [_assert_identical(*c) for c in calls]


# ---------------------------------------------------------------------------------------------
# (1) the benchmark's programme, with gross outliers and declines
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bench_design():
    from calib.consensus.design import design

    generate = benchmark("bench_consensus").generate

    reviews, _, _ = generate(4000, 100, 7, 5, 0)
    rng = np.random.default_rng(3)
    amt = reviews["proposed_limit"].to_numpy(float).copy()
    gross = rng.random(amt.size) < 0.02                 # gross outliers: x20 or /20
    amt[gross] *= rng.choice([20.0, 0.05], gross.sum())
    amt[rng.random(amt.size) < 0.05] = 0.0              # more declines
    reviews = reviews.assign(proposed_limit=amt)
    d = design(reviews)
    grant = d.amount > 0
    cmp = components(d.h[grant], d.r[grant], d.nH, d.nR, np.arange(d.nH))
    return d.h[grant], d.r[grant], np.log(d.amount[grant]), cmp


@pytest.mark.parametrize("solver,huber_c,every", [("newton", 1.345, 1), ("backfit", 1.345, 1),
                                                  ("backfit", 1.345, 3), ("backfit", None, 1),
                                                  ("backfit", 0.5, 2)])
def test_benchmark_programme(monkeypatch, bench_design, solver, huber_c, every):
    h, r, y, cmp = bench_design
    refs = _fits(monkeypatch, h, r, y, cmp, solver=solver, huber_c=huber_c, reweight_every=every)
    if huber_c is not None:
        assert any((st.w < 1).mean() > 0.05 for st in refs)   # the weights matter
    assert all(st.n_iter > 5 for st in refs)


def test_benchmark_programme_max_iter(monkeypatch, bench_design):
    """Components stopped at ``max_iter`` (not converged) are identical too."""
    h, r, y, cmp = bench_design
    for max_iter in (1, 2, 7):
        (st,) = _fits(monkeypatch, h, r, y, cmp, solver="backfit", max_iter=max_iter)
        assert not st.done.all() and st.n_iter == max_iter
    (st,) = _fits(monkeypatch, h, r, y, cmp, solver="backfit", max_iter=60, tol=1e-9)
    assert st.done.any() and not st.done.all()


# ---------------------------------------------------------------------------------------------
# (2) small random designs with the edge cases
# ---------------------------------------------------------------------------------------------
def _small_design(seed: int):
    """Villages of unbalanced panels: households with 1 .. P reviews, tiny components (not
    identified), a village whose proposals fit exactly (every residual 0: the scale falls back
    to the rms, then 1e-12) and a component where most households have one review (median
    |residual| 0, rms > 0). ``y`` is on the log scale, the exact villages on a dyadic grid."""
    rng = np.random.default_rng(seed)
    hs, rs, ys = [], [], []
    H = R = 0
    for v in range(int(rng.integers(6, 12))):
        n_h, P = int(rng.integers(2, 40)), int(rng.integers(1, 8))
        lvl = np.log(30_000) + 0.5 * rng.standard_normal(n_h)
        len_ = 0.3 * rng.standard_normal(P)
        for i in range(n_h):
            k = int(rng.integers(1, P + 1))
            seats = rng.choice(P, k, replace=False)
            e = 0.2 * rng.standard_normal(k)
            e[rng.random(k) < 0.1] += rng.choice([-2.0, 2.0])
            hs += [H + i] * k
            rs += list(R + seats)
            ys += list(lvl[i] + len_[seats] + e)
        H, R = H + n_h, R + P
    # exact village: y = a_h + b_r on a grid of 1/8, 20 households, all 4 raters
    a_ex, b_ex = rng.integers(80, 96, 20) / 8, rng.integers(-4, 5, 4) / 8
    for i in range(20):
        for j in range(4):
            hs.append(H + i)
            rs.append(R + j)
            ys.append(a_ex[i] + b_ex[j])
    H, R = H + 20, R + 4
    # two raters, 6 households with one review and 2 with two (df 1: not identified, b = 0)
    for i, seats in enumerate([[0], [0], [0], [1], [1], [1], [0, 1], [0, 1]]):
        for j in seats:
            hs.append(H + i)
            rs.append(R + j)
            ys.append(10.0 + 0.25 * rng.standard_normal())
    H, R = H + 8, R + 2
    h, r, y = np.array(hs), np.array(rs), np.array(ys)
    order = rng.permutation(h.size) if seed % 2 else np.arange(h.size)   # rows in any order
    return h[order], r[order], y[order], H + 2, R + 3   # + households and raters without reviews


@pytest.mark.parametrize("seed", range(8))
def test_small_designs(monkeypatch, seed):
    h, r, y, H, R = _small_design(seed)
    cmp = components(h, r, H, R, np.arange(H))
    assert (~cmp.identified()).any() and cmp.identified().any()
    assert (cmp.c_h < 0).any() and (cmp.c_r < 0).any()
    for kw in (dict(solver="backfit"), dict(solver="newton"), dict(solver="backfit", huber_c=None),
               dict(solver="backfit", reweight_every=4), dict(solver="backfit", max_iter=9),
               dict(solver="backfit", tol=1e-10, max_iter=3000)):
        refs = _fits(monkeypatch, h, r, y, cmp, **kw)
        if kw.get("max_iter") == 9:
            assert not refs[0].done.all()
    # the scale's fallbacks are exercised: 1e-12 (all residuals 0) and the rms (median 0)
    (st,) = _fits(monkeypatch, h, r, y, cmp, solver="backfit")
    c_y = cmp.c_h[h]
    ares = np.abs(y - st.a[h] - st.b[r])
    med = np.array([np.median(ares[c_y == c]) for c in range(cmp.n)])
    assert (st.scale == 1e-12).any()
    assert ((med == 0) & (st.scale > 1e-12)).any()


def test_start_and_dead_households(monkeypatch):
    """A start ``a0`` of its own, households and raters without reviews, max_iter 0 and 1."""
    h, r, y, H, R = _small_design(1)
    cmp = components(h, r, H, R, np.arange(H))
    rng = np.random.default_rng(0)
    start = np.log(30_000) + rng.standard_normal(H)
    for max_iter in (0, 1, 2, 200):
        refs = _fits(monkeypatch, h, r, y, cmp, solver="backfit", start=start, max_iter=max_iter)
        assert refs[0].n_iter == min(max_iter, refs[0].n_iter)
    assert np.isnan(refs[0].a[cmp.c_h < 0]).all()


def test_converged_from_the_second_sweep(monkeypatch):
    """Least squares in components that are not identified (b = 0): nothing moves at the first
    sweep, and the component converges at the second (a component is never done at sweep 1)."""
    h = np.array([0, 1, 2, 2, 3, 4, 5, 5])
    r = np.array([0, 0, 0, 1, 2, 2, 2, 3])
    y = np.array([10.0, 10.5, 11.0, 11.25, 9.0, 9.5, 10.0, 10.75])
    cmp = components(h, r, 6, 4, np.arange(6))
    assert not cmp.identified().any()
    (st,) = _fits(monkeypatch, h, r, y, cmp, solver="backfit", huber_c=None)
    assert st.done.all() and st.n_iter == 2


def test_inputs_outside_the_kernel_use_numpy(monkeypatch):
    """Non-finite values: the compiled path declines (None) and the dispatcher runs numpy."""
    h, r, y, H, R = _small_design(2)
    cmp = components(h, r, H, R, np.arange(H))
    calls = _captured(monkeypatch, lambda: F.crossed_fit(h, r, y, cmp, se=False, solver="backfit"))
    p, a0, m, t = calls[0]
    a0 = a0.copy()
    a0[h[0]] = np.nan
    assert _backfit_nb.backfit(copy.deepcopy(p), a0, m, t) is None
    st = F._backfit(copy.deepcopy(p), a0, m, t, jit=True)
    ref = F._backfit(copy.deepcopy(p), a0, m, t, jit=False)
    np.testing.assert_array_equal(st.a, ref.a)


def test_no_jit_and_no_numba_fall_back(monkeypatch):
    """CALIB_NO_JIT=1 and a numba that cannot be imported both give the numpy path; a small
    problem uses the kernel only once it is loaded."""
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    used = []
    orig = _backfit_nb.backfit
    monkeypatch.setattr(_backfit_nb, "backfit", lambda *a: used.append(1) or orig(*a))
    h, r, y, H, R = _small_design(0)
    cmp = components(h, r, H, R, np.arange(H))
    assert h.size < _backfit_nb.MIN_REVIEWS
    monkeypatch.setattr(_backfit_nb, "_ran", False)       # as in a fresh process
    F.crossed_fit(h, r, y, cmp, se=False, solver="backfit")
    assert not used
    monkeypatch.setattr(_backfit_nb, "MIN_REVIEWS", h.size)
    F.crossed_fit(h, r, y, cmp, se=False, solver="backfit")
    assert used and _backfit_nb.ready()
    monkeypatch.setattr(_backfit_nb, "MIN_REVIEWS", 10**9)
    used.clear()
    F.crossed_fit(h, r, y, cmp, se=False, solver="backfit")
    assert used                                            # loaded: small problems too
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    used.clear()
    F.crossed_fit(h, r, y, cmp, se=False, solver="backfit")
    assert not used
    monkeypatch.delenv("CALIB_NO_JIT")
    monkeypatch.setattr(_backfit_nb, "_kernel_fn", None)
    monkeypatch.setitem(sys.modules, "numba", None)     # import numba raises ImportError
    assert _backfit_nb._compiled() is None
    assert orig(*_captured(monkeypatch, lambda: F.crossed_fit(h, r, y, cmp, se=False,
                                                              solver="backfit"))[0]) is None


# ---------------------------------------------------------------------------------------------
# (3) consensus_limits end to end, with and without CALIB_NO_JIT
# ---------------------------------------------------------------------------------------------
def _both_ways(monkeypatch, reviews, **kw) -> None:
    from calib.consensus import consensus_limits

    used = []
    orig = _backfit_nb.backfit
    monkeypatch.setattr(_backfit_nb, "backfit",
                        lambda *a: (lambda st: used.append(st is not None) or st)(orig(*a)))
    monkeypatch.setattr(_backfit_nb, "MIN_REVIEWS", 0)    # small programmes: compiled too
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    jit = consensus_limits(reviews, method="adjusted", **kw)
    assert used and all(used), "the compiled backfitting was not used"
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    used.clear()
    ref = consensus_limits(reviews, method="adjusted", **kw)
    assert not used
    pd.testing.assert_frame_equal(jit, ref, check_exact=True)


def test_consensus_limits_sample(monkeypatch, sample_programme):
    prog = sample_programme
    _both_ways(monkeypatch, prog.reviews, relations=prog.relations)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from calib.io import load_programme
    from calib.synth.fast import write_fast

    folder = tmp_path_factory.mktemp("province_like")
    write_fast(folder, seed=5, villages=45, households_per_village=85, as_of=AS_OF)
    return load_programme(folder, as_of=AS_OF)


def test_consensus_limits_province(monkeypatch, province):
    _both_ways(monkeypatch, province.reviews, relations=province.relations, trim=0.2,
               grid=1000.0, cap=500000.0, min_reviews=3, max_dispersion=0.5,
               decline_rule="majority")


@pytest.mark.slow  # starts a Python process: left out of `make test-fast`
def test_a_small_programme_does_not_import_numba():
    """Below MIN_REVIEWS a fresh process stays on numpy: numba (0.3 s) and the kernel's load
    (0.2 s, or a 4 s compile) would cost more than the backfitting they save."""
    import subprocess

    code = ("import sys\nfrom calib.io import load_programme\nfrom calib.consensus import consensus_limits\n"
            f"p = load_programme({str(ROOT / 'data' / 'sample')!r}, as_of={AS_OF!r})\n"
            "consensus_limits(p.reviews, relations=p.relations)\n"
            "print('numba' in sys.modules, 'calib.consensus._backfit_nb' in sys.modules)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "CALIB_NO_JIT"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.split() == ["False", "True"]
