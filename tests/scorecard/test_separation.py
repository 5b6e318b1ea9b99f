"""Separated data in the scorecard's and the points discount's logit (issue 13, item 4).

statsmodels no longer raises on perfect separation: it returns diverging coefficients (with
small clustered standard errors). calib detects separation explicitly (linear programme) and
fits Firth's penalised logit, saying so. Checked against the published endometrial example
(Heinze & Schemper 2002; R logistf) and a direct numerical maximisation on small data.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import expit

from calib import _stats
from calib import pricing as P
from calib.scorecard import Scorecard

DATA = Path(__file__).parent / "data"


def _complete(n=40, seed=0):
    """y = 1 exactly when x > 0: complete separation."""
    x = np.random.default_rng(seed).normal(size=n)
    return (x > 0).astype(float), np.c_[np.ones(n), x]


def _quasi(n=40, seed=0):
    """y = 1 when x > 0, y = 0 when x < 0, both outcomes at x = 0: quasi-complete separation."""
    y, X = _complete(n, seed)
    return np.r_[y, 0.0, 1.0, 0.0], np.r_[X, [[1, 0.0], [1, 0.0], [1, 0.0]]]


def _overlap(n=300, seed=1):
    x = np.random.default_rng(seed).normal(size=n)
    y = (np.random.default_rng(seed + 1).random(n) < expit(0.5 + x)).astype(float)
    return y, np.c_[np.ones(n), x]


def test_separation_kind_against_the_one_dimensional_truth():
    # with one characteristic, separation is visible by sorting: the truth is known
    y, X = _complete()
    assert X[y == 0, 1].max() < X[y == 1, 1].min()
    sep = _stats.separation(y, X)
    assert sep.kind == "complete" and sep.rows.all() and sep.direction[1] > 0
    y, X = _quasi()
    sep = _stats.separation(y, X)
    assert sep.kind == "quasi-complete"
    assert sep.rows.sum() == 40 and not sep.rows[-3:].any()   # the tied rows at x = 0 are not
    y, X = _overlap()
    assert _stats.separation(y, X).kind == "none"
    # a dummy whose level has no defaults: quasi-complete, the dummy's coefficient diverges
    d = (np.arange(300) % 10 == 0).astype(float)
    y0 = np.where(d == 1, 0.0, y)
    sep = _stats.separation(y0, np.c_[X, d])
    assert sep.kind == "quasi-complete" and np.flatnonzero(sep.direction).tolist() == [2]
    assert (sep.rows == (d == 1)).all()


def test_firth_matches_the_published_endometrial_example():
    """Heinze & Schemper (2002), endometrial data, NV quasi-completely separates the outcome.
    Published Firth estimates (R logistf 1.24: 3.77455951, 2.92927330, -0.03475175,
    -2.60416387) and Wald standard errors (1.489, 1.551, 0.040, 0.776)."""
    d = pd.read_csv(DATA / "endometrial.csv", comment="#")
    X = np.c_[np.ones(len(d)), d[["NV", "PI", "EH"]].to_numpy(float)]
    y = d["HG"].to_numpy(float)
    fit = _stats.fit_logit(y, X)
    assert fit.cov_type == "firth"
    assert "quasi-complete separation" in fit.note and "column(s) 1" in fit.note
    np.testing.assert_allclose(fit.params, [3.77455951, 2.92927330, -0.03475175, -2.60416387],
                               rtol=1e-6)
    np.testing.assert_allclose(fit.se, [1.489, 1.551, 0.040, 0.776], atol=6e-4)
    assert np.isinf(fit.df)
    # logistf's default 95% profile penalised-likelihood intervals (Wald ones are unreliable here)
    np.testing.assert_allclose(fit.conf_int(), [[1.0825371, 7.20928050], [0.6097244, 7.85463171],
                                                [-0.1244587, 0.04045547], [-4.3651832, -1.23272106]],
                               rtol=1e-6)
    assert fit.pvalues[1] < 0.05 < fit.pvalues[2]


@pytest.mark.parametrize("data", [_complete, _quasi])
def test_firth_equals_direct_maximisation_with_weights(data):
    y, X = data()
    w = 1.0 + (np.arange(y.size) % 3)

    def neg_pll(b):   # written out: log-likelihood + 1/2 log det of the Fisher information
        eta = X @ b
        mu = 1 / (1 + np.exp(-eta))
        info = sum(w[i] * mu[i] * (1 - mu[i]) * np.outer(X[i], X[i]) for i in range(y.size))
        ll = sum(w[i] * (y[i] * eta[i] - np.log1p(np.exp(eta[i]))) for i in range(y.size))
        return -(ll + 0.5 * np.log(np.linalg.det(info)))

    ref = optimize.minimize(neg_pll, np.zeros(2), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20_000}).x
    beta, cov, llf, pll = _stats.firth_logit(y, X, w)
    np.testing.assert_allclose(beta, ref, atol=1e-6)
    assert pll == pytest.approx(-neg_pll(beta), rel=1e-12)
    fit = _stats.fit_logit(y, X, weights=w)
    assert fit.cov_type == "firth" and np.allclose(fit.params, beta)
    # profile by brute force: maximise over the intercept with the slope held at b
    def profile(b):
        r = optimize.minimize_scalar(lambda a: neg_pll(np.array([a, b])), bracket=(-5, 5),
                                     tol=1e-12)
        return -r.fun

    crit = stats.chi2.ppf(0.95, 1)
    lo, hi = fit.conf_int()[1]
    assert 2 * (pll - profile(lo)) == pytest.approx(crit, abs=1e-5)
    assert 2 * (pll - profile(hi)) == pytest.approx(crit, abs=1e-5)
    assert fit.pvalues[1] == pytest.approx(stats.chi2.sf(2 * (pll - profile(0.0)), 1), rel=1e-5)


@pytest.mark.parametrize("data,kind", [(_complete, "complete"), (_quasi, "quasi-complete")])
def test_fit_logit_never_returns_diverged_estimates_on_separated_data(data, kind):
    y, X = data()
    groups = np.arange(y.size) % 8
    fit = _stats.fit_logit(y, X, groups=groups)
    # before: statsmodels' diverged estimates (slope ~ 240) with a clustered SE of ~7
    assert fit.cov_type == "firth" and fit.df == np.inf
    assert f"{kind} separation" in fit.note and "Firth" in fit.note and "not clustered" in fit.note
    assert np.all(np.abs(fit.params) < 50) and np.all(np.isfinite(fit.se))
    assert _stats.se_method(fit) == fit.note
    # regular data keep maximum likelihood with clustered errors
    y, X = _overlap()
    assert _stats.fit_logit(y, X, groups=np.arange(y.size) % 8).cov_type == "cluster"


def test_scorecard_and_points_pd_take_the_stated_firth_fallback():
    rng = np.random.default_rng(7)
    n = 160
    a = rng.normal(size=n)
    y = (a > 0.3).astype(int)
    card = Scorecard(max_bins=2, C=None, min_iv=0.0).fit(pd.DataFrame({"a": a}), y,
                                                        groups=np.arange(n) % 8)
    assert "separation" in card.fit_note_ and "Firth" in card.fit_note_
    assert (card.coef_table_["cov_type"] == "firth").all()
    assert np.isfinite(card.coef_table_[["coef", "se", "ci_low", "ci_high"]].to_numpy()).all()
    assert card.coef_table_["p_value_wild"].isna().all()   # no clustered fit to bootstrap
    # points discount: every default has fewer than 300 points
    pts = rng.uniform(0, 600, n)
    loans = pd.DataFrame({"household_id": [f"h{i}" for i in range(n)], "points": pts,
                          "points_rule": "r", "village": np.arange(n) % 8,
                          "default": (pts < 150).astype(int)})
    m = P.fit_points_pd(loans, None)
    assert m.result.cov_type == "firth" and "Firth" in m.se_method
    co = m.coefficients
    assert np.isfinite(co[["coef", "se", "ci_low", "ci_high"]].to_numpy()).all()
    assert np.isnan(m.p_value_wild)


def test_compare_scorecards_lr_under_separation_is_penalised():
    # the calibrated score separates defaults completely, the current one does not: the likelihood
    # ratio tests whose full model holds the calibrated score use Firth penalised log-likelihoods,
    # the restricted model maximised with the full model's penalty (logistf's PLR test)
    from scipy.optimize import minimize

    from calib._stats import _firth_pll
    from calib.scorecard.comparison import compare_scorecards

    rng = np.random.default_rng(11)
    n = 120
    cal = rng.normal(size=n)
    y = (cal < -0.4).astype(float)                     # low calibrated score = default
    cur = -0.3 * y + rng.normal(size=n)                # related, overlapping
    frames = [pd.DataFrame({"score": s, "grade": "A"}) for s in (cur, cal)]
    lr = compare_scorecards(*frames, pd.Series(y)).lr.set_index("test")
    assert set(lr["method"]) == {"penalised"}
    zc, zk = (cur - cur.mean()) / cur.std(), (cal - cal.mean()) / cal.std()
    D = np.column_stack([np.ones(n), zc, zk])
    w = np.ones(n)

    def neg(b):
        return -_firth_pll(y, D, w, b)[0]

    full = minimize(neg, np.zeros(3), method="BFGS", options={"gtol": 1e-8})
    restr = minimize(lambda b: neg(np.r_[b, 0.0]), np.zeros(2), method="BFGS", options={"gtol": 1e-8})
    row = lr.loc["calibrated adds to current"]
    assert row["llf_full"] == pytest.approx(-full.fun, abs=1e-6)
    assert row["llf_restricted"] == pytest.approx(-restr.fun, abs=1e-6)
    assert row["df"] == 1 and np.isfinite(row["lr_stat"]) and row["p_value"] < 1e-4
    # without separation the plain likelihood is kept
    y2 = (rng.random(n) < 1 / (1 + np.exp(1 + cal))).astype(float)
    assert set(compare_scorecards(*frames, pd.Series(y2)).lr["method"]) == {"likelihood"}


def _separated_card_data(n=160, seed=7):
    a = np.random.default_rng(seed).normal(size=n)
    return pd.DataFrame({"a": a}), (a > 0.3).astype(int), np.arange(n) % 8


def test_fit_logit_without_intervals_skips_the_profile_and_says_so(monkeypatch):
    y, X = _quasi()
    full = _stats.fit_logit(y, X)
    calls = []
    monkeypatch.setattr(_stats, "_firth_profile", lambda *a, **k: calls.append(1))
    bare = _stats.fit_logit(y, X, intervals=False)
    assert calls == [] and bare.cov_type == "firth"
    # the same estimates and standard errors, bit for bit; no figure passed off as a profile one
    np.testing.assert_array_equal(bare.params, full.params)
    np.testing.assert_array_equal(bare.se, full.se)
    assert np.isnan(bare.conf_int()).all() and np.isnan(bare.pvalues).all()
    assert np.isfinite(full.conf_int()).all() and np.isfinite(full.pvalues).all()
    assert "profile" in full.note and "profile" not in bare.note
    assert "intervals and p-values not computed" in bare.note
    # regular data: the switch changes nothing
    y, X = _overlap()
    a, b = _stats.fit_logit(y, X), _stats.fit_logit(y, X, intervals=False)
    np.testing.assert_array_equal(a.conf_int(), b.conf_int())
    assert a.note == b.note == ""


def test_scorecard_intervals_parameter_clones_and_leaves_the_card_unchanged():
    from sklearn.base import clone

    from calib.errors import CalibParamsError
    X, y, g = _separated_card_data()
    assert Scorecard().get_params()["intervals"] is True
    assert clone(Scorecard(C=None).set_params(intervals=False)).get_params()["intervals"] is False
    full = Scorecard(max_bins=2, C=None).fit(X, y, groups=g)
    bare = Scorecard(max_bins=2, C=None, intervals=False).fit(X, y, groups=g)
    assert "profile" in full.fit_note_ and "not computed" in bare.fit_note_
    assert "profile" not in bare.fit_note_
    t = bare.coef_table_
    assert t[["p_value", "ci_low", "ci_high"]].isna().all().all()
    pd.testing.assert_frame_equal(t[["coef", "se"]], full.coef_table_[["coef", "se"]])
    pd.testing.assert_frame_equal(bare.points_table(), full.points_table())
    with pytest.raises(CalibParamsError, match="intervals"):
        Scorecard(intervals="no").fit(X, y)


def test_cross_validation_folds_compute_no_profile_and_predict_the_same(monkeypatch):
    from calib.scorecard import cross_validate
    X, y, g = _separated_card_data()
    card = Scorecard(max_bins=2, C=None)
    calls = []
    profile = _stats._firth_profile

    def counted(*a, **k):
        calls.append(1)
        return profile(*a, **k)

    monkeypatch.setattr(_stats, "_firth_profile", counted)
    fits = []
    fit_logit = _stats.fit_logit

    def spy(*a, **k):
        fits.append(fit_logit(*a, **k))
        return fits[-1]

    monkeypatch.setattr(_stats, "fit_logit", spy)
    cv = cross_validate(card, X, y, groups=g, random_state=0)
    assert len(fits) == 5 and all(f.cov_type == "firth" for f in fits)   # every fold separated
    assert calls == []
    # the folds refitted with the intervals on (as before the switch): same out-of-fold frame
    monkeypatch.setattr(_stats, "fit_logit", lambda *a, **k: fit_logit(*a, **{**k, "intervals": True}))
    ref = cross_validate(card, X, y, groups=g, random_state=0)
    assert len(calls) == 5
    pd.testing.assert_frame_equal(cv.oof, ref.oof)
    pd.testing.assert_frame_equal(cv.folds, ref.folds)
