"""Separated bootstrap replicates of the points discount and separated null models of the wild
score test (issue 13): both follow fit_logit's rule, maximum likelihood with Firth's logit when
the data separate, and say how often it happened."""
from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit

from calib import _stats
from calib import pricing as P
from calib.pricing.calibration import _cluster_rows
from calib.pricing.pd_model import _fit_model, _prepared
from calib.report.labels import value_label

from _sim_pricing import simulate_points_programme


def _thin_programme():
    """10 villages of 40 loans, ~21 defaults, true log-odds -0.8 per 100 points and a grade
    effect: the sample is not separated (regular clustered ML fit), but about half of the
    village-bootstrap replicates draw no default in some grade (quasi-complete separation)."""
    return simulate_points_programme(n_villages=10, households_per_village=40,
                                     beta_per_100=-0.8, intercept=-0.5, seed=4)


@pytest.mark.filterwarnings("ignore:only 1:UserWarning", "ignore:only 2:UserWarning")
def test_separated_bootstrap_replicates_are_refitted_by_firth_and_counted():
    sim = _thin_programme()
    cal = P.calibrate_points_discount(sim.loans, sim.points, lgd=0.45, controls=("grade",),
                                      n_boot=100, random_state=0, wild_bootstrap=False)
    row = cal.iloc[0]
    assert cal.attrs["model"].result.cov_type == "cluster"  # the sample itself: regular ML
    # the count is reported, stated in the method, and the replicates are kept, not dropped
    assert 20 <= row["n_boot_separated"] <= 80
    assert row["n_boot"] + row["n_boot_failed"] == 100 and row["n_boot_failed"] == 0
    assert row["interval_method"] == (
        f"percentile bootstrap resampling villages ({row['n_boot_separated']} of 100 replicates "
        "separated, refitted by Firth's penalised likelihood)")
    # ... which the report catalogue words (it is the note of conclusions' policy_discount row)
    zh = value_label(row["interval_method"], "zh-CN")
    assert "Firth" in zh and f"{row['n_boot_separated']} 次数据分离" in zh
    # brute force: the cheap screen (a probability at 0/1, a failed fit) misses no separated
    # replicate: the linear programme on every replicate counts the same
    frame = _prepared(sim.loans, sim.points, None, "zero")
    _, y, X, g = _fit_model(frame, ("grade",), "village", 100.0)
    n_sep = 0
    for idx in _cluster_rows(g, np.random.default_rng(0), 100):
        Xb = X[idx]
        keep = np.ptp(Xb, axis=0) > 0
        keep[0] = True
        n_sep += _stats.separation(y[idx], Xb[:, keep]).kind != "none"
    assert n_sep == row["n_boot_separated"]
    # every replicate's coefficients are finite and of the size of the truth (|beta| <= 0.8):
    # before, a separated replicate kept its diverged maximum-likelihood grade coefficient
    # (about -23, wherever Newton's method stopped), which the recommendation interval reused
    coefs = cal.attrs["boot_coefs"]
    assert coefs.shape == (100, X.shape[1]) and np.all(np.isfinite(coefs))
    assert np.abs(coefs).max() < 8
    # the interval is finite, detects the effect and covers the known truth
    truth = sim.true_discount_per_100
    assert np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"])
    assert 0 < row["ci_low"] <= truth <= row["ci_high"] < 2 * truth


def test_fit_logit_replicate_uses_firth_exactly_when_separated():
    rng = np.random.default_rng(2)
    n = 300
    x = rng.normal(size=n)
    dummy = (np.arange(n) < 30).astype(float)
    y = (rng.random(n) < expit(-1.0 + 0.8 * x)).astype(float)
    y[dummy == 1] = 0.0  # no default in the dummy's level: quasi-complete separation
    X = np.column_stack([np.ones(n), x, dummy, np.zeros(n)])  # last level not drawn
    b, how = _stats.fit_logit_replicate(y, X, np.zeros(4))
    assert how == "firth" and b[3] == 0.0
    np.testing.assert_allclose(b[:3], _stats.firth_logit(y, X[:, :3])[0], rtol=1e-8)
    assert abs(_stats.fit_logit_reduced(y, X, np.zeros(4))[2]) > 10  # ML: diverged
    # without separation: maximum likelihood, as statsmodels
    y2 = (rng.random(n) < expit(-1.0 + 0.8 * x + 0.5 * dummy)).astype(float)
    b2, how2 = _stats.fit_logit_replicate(y2, X, np.zeros(4))
    assert how2 == "ml"
    np.testing.assert_allclose(b2[:3], sm.Logit(y2, X[:, :3]).fit(disp=0).params, rtol=1e-7)
    # a replicate without any default is separated by the intercept alone: Firth, finite
    b0, how0 = _stats.fit_logit_replicate(np.zeros(n), X, np.zeros(4))
    assert how0 == "firth" and np.all(np.isfinite(b0)) and b0[0] < -4


def _efficient_score_by_hand(y, X, g, k, beta_r):
    """Brute-force cluster sums of the efficient score of beta_k at the restricted estimates."""
    rest = [j for j in range(X.shape[1]) if j != k]
    mu = expit(X[:, rest] @ beta_r)
    H = np.zeros((X.shape[1], X.shape[1]))
    for i in range(X.shape[0]):  # small data: row by row
        H += mu[i] * (1 - mu[i]) * np.outer(X[i], X[i])
    a = np.linalg.solve(H[np.ix_(rest, rest)], H[rest, k])
    u = X * (y - mu)[:, None]
    s = u[:, k] - u[:, rest] @ a
    return np.array([s[g == c].sum() for c in np.unique(g)])


def test_wild_score_test_fits_a_separated_null_model_by_firth():
    rng = np.random.default_rng(7)
    G, m = 8, 40
    g = np.repeat(np.arange(G), m)
    n = G * m
    x = rng.normal(size=n)
    rare = (rng.random(n) < 0.1).astype(float)
    y = (rng.random(n) < expit(-1.0 + 0.5 * x)).astype(float)
    y[rare == 1] = 0.0  # no default in the rare level: the null model [1, rare] is separated
    X = np.column_stack([np.ones(n), x, rare])
    res = _stats.wild_cluster_score_test(y, X, g, 1, n_boot=999, random_state=0)
    assert res.null_fit == "firth"
    # the statistic is the score statistic at the Firth restricted estimates (brute force)
    sg = _efficient_score_by_hand(y, X, g, 1, _stats.firth_logit(y, X[:, [0, 2]])[0])
    assert res.statistic == pytest.approx(sg.sum() / np.sqrt(np.sum(sg ** 2)), rel=1e-8)
    assert 0 <= res.p_value < 0.05  # beta = 0.5 on 320 rows: detected
    # the callers' case, an overlapping null model: maximum likelihood, as before
    y2 = (rng.random(n) < expit(-1.0 + 0.5 * x + 0.3 * rare)).astype(float)
    res2 = _stats.wild_cluster_score_test(y2, X, g, 1, n_boot=999, random_state=0)
    assert res2.null_fit == "ml"
    ml = sm.Logit(y2, X[:, [0, 2]]).fit(disp=0).params
    sg2 = _efficient_score_by_hand(y2, X, g, 1, ml)
    assert res2.statistic == pytest.approx(sg2.sum() / np.sqrt(np.sum(sg2 ** 2)), rel=1e-6)
    assert res2[1] == res2.p_value  # still indexable as (statistic, p_value)
