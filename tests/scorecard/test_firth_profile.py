"""Firth profile penalised-likelihood intervals and p-values at their defining values.

The profile ``pl_j(b)`` is the penalised log-likelihood ``l + 1/2 log det I`` maximised over the
other coefficients with ``beta_j = b``; the 95 % interval ends are where ``2 (pl_max - pl_j(b))``
equals the chi-square(1) quantile, the p-value is ``chi2(1).sf(2 (pl_max - pl_j(0)))``. On
separated data the penalised likelihood with ``beta_j`` fixed is not concave and may have several
local maxima, so the truth here is a global search: a grid over the free coefficient(s) (one or
two), its best local maxima polished by Nelder-Mead, on the penalised likelihood written out
(``expit``, ``slogdet``), nothing of calib's. Before: the constrained fits stopped at a 200-step
cap without saying so, and followed one local maximum from the estimate; ends were off by up to
3 in ``2 (pl_max - pl_j)``, as numbers.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.ndimage import maximum_filter
from scipy.special import expit

from calib import _stats

#: hundreds of constrained Firth fits per case: left out of `make test-fast`
pytestmark = pytest.mark.slow

CRIT = stats.chi2.ppf(0.95, 1)
Z = stats.norm.ppf(0.975)


def _complete(n=40, seed=0):
    """y = 1 exactly when x > 0 (as tests/scorecard/test_separation.py): complete separation."""
    x = np.random.default_rng(seed).normal(size=n)
    return (x > 0).astype(float), np.c_[np.ones(n), x], np.ones(n)


def _quasi_weighted(n=40, seed=0):
    """As ``_complete`` with three ties at x = 0 (both outcomes) and frequency weights 1, 2, 3."""
    y, X, _ = _complete(n, seed)
    y, X = np.r_[y, 0.0, 1.0, 0.0], np.r_[X, [[1, 0.0], [1, 0.0], [1, 0.0]]]
    return y, X, 1.0 + (np.arange(y.size) % 3)


def _three(n=40, seed=1):
    """Two characteristics, y = 1 exactly when 0.3 + x1 - 0.7 x2 > 0: complete separation."""
    X = np.c_[np.ones(n), np.random.default_rng(seed).normal(size=(n, 2))]
    return (X @ np.array([0.3, 1.0, -0.7]) > 0).astype(float), X, np.ones(n)


def _pl(y, X, w, B):
    """Penalised log-likelihood at each row of ``B``, written out."""
    eta = B @ X.T
    W = w * expit(eta) * expit(-eta)
    sign, logdet = np.linalg.slogdet(np.einsum("mi,ia,ib->mab", W, X, X))
    ll = (w * (y * eta - np.logaddexp(0.0, eta))).sum(axis=1)
    return np.where(sign > 0, ll + 0.5 * logdet, -np.inf)


def _profile(y, X, w, j, b, half=200.0):
    """(max, local maxima) of the penalised log-likelihood with ``beta_j = b`` over the other
    coefficients: a grid over ``[-half, half]`` (step 0.01 for one free coefficient, 2 for
    two), its four best local maxima polished by Nelder-Mead."""
    k = X.shape[1]
    free = [i for i in range(k) if i != j]
    h = 0.01 if len(free) == 1 else 2.0
    g = np.arange(-half, half + h / 2, h)
    mesh = np.stack(np.meshgrid(*[g] * len(free), indexing="ij"), axis=-1).reshape(-1, len(free))
    B = np.zeros((mesh.shape[0], k))
    B[:, free], B[:, j] = mesh, b
    v = np.concatenate([_pl(y, X, w, B[i:i + 20_000]) for i in range(0, B.shape[0], 20_000)])
    v = v.reshape((g.size,) * len(free))
    peaks = [ix for ix in np.argwhere(v == maximum_filter(v, size=3)) if np.isfinite(v[tuple(ix)])]
    peaks = sorted(peaks, key=lambda ix: -v[tuple(ix)])[:4]

    def neg(t):
        beta = np.empty(k)
        beta[free], beta[j] = t, b
        return -_pl(y, X, w, beta[None])[0]

    found = [-optimize.minimize(neg, g[ix], method="Nelder-Mead",
                                options={"xatol": 1e-7, "fatol": 1e-12, "maxfev": 4000}).fun
             for ix in peaks]
    return max(found), found


def _wald_count(note):
    m = re.search(r"; (\d+) interval end\(s\) or p-value\(s\)", note)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("design", [_complete, _quasi_weighted, _three])
def test_every_profile_end_and_p_value_is_at_its_defining_value(design):
    # before: _complete's upper slope end 47.76 (another constrained maximum is higher there:
    # 2 (pl_max - pl_j) = 3.822), _three's ends 17.24, 17.15 and -32.57 off by 1.6 to 3.2
    y, X, w = design()
    fit = _stats.fit_logit(y, X, weights=w)
    assert fit.cov_type == "firth"
    beta, se, ci, p = fit.params, fit.se, fit.conf_int(), fit.pvalues
    pmax = max(_profile(y, X, w, j, beta[j])[0] for j in range(beta.size))
    wald = checked = 0
    for j in range(beta.size):
        for side, sign in ((0, -1.0), (1, 1.0)):
            if ci[j, side] == pytest.approx(beta[j] + sign * Z * se[j], rel=1e-12, abs=1e-12):
                wald += 1   # a Wald figure, said in the note
                continue
            assert np.isfinite(ci[j, side])
            pl = _profile(y, X, w, j, ci[j, side])[0]
            assert 2 * (pmax - pl) == pytest.approx(CRIT, abs=1e-6), (j, side, ci[j, side])
            checked += 1
        if p[j] == pytest.approx(2 * stats.norm.sf(abs(beta[j] / se[j])), rel=1e-12, abs=0):
            wald += 1
            continue
        stat = 2 * (pmax - _profile(y, X, w, j, 0.0)[0])
        assert stats.chi2.isf(p[j], 1) == pytest.approx(stat, rel=1e-7, abs=1e-6), j
        checked += 1
    assert wald == _wald_count(fit.note)
    assert checked >= 2 * beta.size   # most figures are profile ones


def test_an_end_with_several_constrained_maxima_is_a_counted_wald_figure():
    """The upper end of the slope of ``_complete``: the profile followed from the estimate
    crosses the threshold at 47.7612, where the penalised likelihood over the intercept has two
    local maxima and the other one is higher: the profile is not that one, and no profile
    figure is given."""
    y, X, w = _complete()
    _, maxima = _profile(y, X, w, 1, 47.7612)
    maxima = sorted(set(np.round(maxima, 8)))
    assert len(maxima) == 2
    fit = _stats.fit_logit(y, X)
    pmax = _profile(y, X, w, 1, fit.params[1])[0]
    assert 2 * (pmax - maxima[0]) == pytest.approx(CRIT, abs=1e-4)   # the one followed
    assert 2 * (pmax - maxima[1]) < CRIT - 0.01                       # higher: inside
    hi = fit.conf_int()[1, 1]
    assert hi == pytest.approx(fit.params[1] + Z * fit.se[1], rel=1e-12)   # before: 47.7612
    assert _wald_count(fit.note) == 1 and "several local maxima" in fit.note
    # the lower end, the intercept's interval and the p-values stay profile figures
    lo = fit.conf_int()[1, 0]
    assert 2 * (pmax - _profile(y, X, w, 1, lo)[0]) == pytest.approx(CRIT, abs=1e-6)


def test_constrained_fits_that_do_not_converge_give_counted_wald_figures(monkeypatch):
    y, X, w = _quasi_weighted()
    ref = _stats.fit_logit(y, X, weights=w)
    assert _wald_count(ref.note) == 0
    ascend = _stats._firth_ascend

    def capped(*a, **k):   # every constrained fit of the profile stops short
        beta, pll, ok = ascend(*a, **k)
        return beta, pll, ok and a[7] != "Firth profile"

    monkeypatch.setattr(_stats, "_firth_ascend", capped)
    fit = _stats.fit_logit(y, X, weights=w)
    np.testing.assert_array_equal(fit.params, ref.params)
    # before: the profile figures, as if the fits had converged
    np.testing.assert_allclose(fit.conf_int(), ref.params[:, None] + np.outer(ref.se, [-Z, Z]),
                               rtol=1e-12)
    np.testing.assert_allclose(fit.pvalues, 2 * stats.norm.sf(np.abs(ref.params / ref.se)),
                               rtol=1e-12)
    assert _wald_count(fit.note) == 6


def test_the_exact_hessian_converges_where_fisher_scoring_crawls():
    # _three's upper slope end: from the estimates, Fisher scoring (the information as Newton
    # matrix, R logistf's iteration) has not converged after 200 steps; the exact Hessian of
    # the penalised likelihood gets there in a few, at the independent maximum
    y, X, w = _three()
    beta, _, _, pmax = _stats.firth_logit(y, X, w)
    b = 92.4293
    start = beta.copy()
    start[1] = b
    free = np.arange(3) != 1
    assert not _stats._firth_ascend(y, X, w, start, free, 200, 1e-9, "x", newton="fisher")[2]
    fitted, pl, ok = _stats._firth_ascend(y, X, w, start, free, 30, 1e-9, "x")
    assert ok and fitted[1] == b
    assert pl == pytest.approx(_profile(y, X, w, 1, b)[0], abs=1e-9)


def test_neg_hessian_is_the_derivative_of_the_modified_score():
    y, X, w = _three()
    rng = np.random.default_rng(3)
    for _ in range(3):
        b = rng.normal(size=3) * 2
        pt = _stats._firth_pll(y, X, w, b)
        H = _stats._firth_neg_hessian(X, w, pt, 3)
        eps = 1e-5
        num = np.column_stack([(_stats._firth_pll(y, X, w, b - e).score
                                - _stats._firth_pll(y, X, w, b + e).score) / (2 * eps)
                               for e in np.eye(3) * eps])
        np.testing.assert_allclose(H, num, rtol=1e-6, atol=1e-8 * np.abs(num).max())
        # the leading block is the Hessian of the first two coefficients
        np.testing.assert_allclose(_stats._firth_neg_hessian(X, w, pt, 2), H[:2, :2], rtol=1e-12)


def test_penalised_likelihood_keeps_far_tail_rows():
    """Swapping the outcomes and the signs of the coefficients leaves the penalised
    likelihood unchanged. Before, ``1 - expit(eta)`` was 0 beyond ``eta ~ 37``: rows far on the
    positive side left the information (singular here), those on the negative side did not."""
    y, X, w = _complete()
    b = np.array([45.0, 5.0])   # eta from 33 to 57
    (pll, score), (pll_m, score_m) = (_stats._firth_pll(y, X, w, b)[:2],
                                      _stats._firth_pll(1 - y, X, w, -b)[:2])
    assert pll == pytest.approx(pll_m, rel=1e-12)
    np.testing.assert_allclose(score, -score_m, rtol=1e-9, atol=1e-12)
    assert pll == pytest.approx(_pl(y, X, w, b[None])[0], rel=1e-12)
