"""The PD model's inference (calib._stats through calib.pricing): few villages, one village,
the wild cluster bootstrap (issue 13)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from calib import pricing as P
from calib.errors import CalibInputError, CalibParamsError

from _sim_pricing import REF, simulate_points_programme


@pytest.fixture(scope="module")
def few():
    """8 villages: the case where 1.96 instead of t(7) gives intervals 17% too narrow."""
    return simulate_points_programme(n_villages=8, households_per_village=150,
                                     beta_per_100=-0.3, intercept=-2.0, seed=11)


def _cr1_by_hand(y, X, beta, g):
    """Brute-force CR1 sandwich: G/(G-1) (N-1)/(N-K) H^-1 (sum_g s_g s_g') H^-1."""
    p = expit(X @ beta)
    H = (X * (p * (1 - p))[:, None]).T @ X
    scores = X * (y - p)[:, None]
    S = np.zeros((X.shape[1], X.shape[1]))
    for c in np.unique(g):  # 8 clusters
        s = scores[g == c].sum(axis=0)
        S += np.outer(s, s)
    n, k, G = len(y), X.shape[1], len(np.unique(g))
    Hi = np.linalg.inv(H)
    return G / (G - 1) * (n - 1) / (n - k) * Hi @ S @ Hi


def test_clustered_inference_uses_t_with_g_minus_1_df(few):
    m = P.fit_points_pd(few.loans, few.points, controls=("head_age",))
    co = m.coefficients
    lf = P.attach_points(few.loans, few.points)
    X = m.design(lf)
    y = lf["default"].to_numpy(dtype=float)
    g = lf["village"].factorize()[0]
    V = _cr1_by_hand(y, X, co["coef"].to_numpy(), g)
    np.testing.assert_allclose(co["se"], np.sqrt(np.diag(V)), rtol=1e-6)
    q = stats.t.ppf(0.975, 7)
    assert (co["df"] == 7).all()
    np.testing.assert_allclose(co["ci_high"] - co["coef"], q * co["se"], rtol=1e-8)
    np.testing.assert_allclose(co["p_value"], 2 * stats.t.sf(np.abs(co["t"]), 7), rtol=1e-8)
    assert q / stats.norm.ppf(0.975) > 1.2  # what the normal quantile used to cut off
    assert "t(7)" in m.se_method and "G/(G-1)" in m.se_method
    with pytest.warns(UserWarning, match="only 8 villages"):
        cal = P.calibrate_points_discount(few.loans, few.points, lgd=0.45, n_boot=0)
    assert cal["coef_points_p"].iloc[0] == pytest.approx(
        P.fit_points_pd(few.loans, few.points).coefficients.loc["points_per_step", "p_value"])
    assert "t(7)" in cal["se_method"].iloc[0]


def test_one_village_is_a_clear_error_or_a_stated_loan_level_method(few):
    one = few.loans.loc[few.loans["village"] == few.loans["village"].iloc[0]]
    with pytest.raises(CalibInputError, match="cluster column 'village' has 1 distinct"):
        P.fit_points_pd(one, few.points)
    with pytest.raises(CalibInputError, match="at least 2"):
        P.calibrate_points_discount(one, few.points, lgd=0.45, n_boot=20)
    with pytest.raises(CalibInputError, match="village"):
        P.evaluate_schedule(one, few.points, REF, lgd=0.45, funding_cost=0.02,
                            operating_cost=0.01)
    # the explicit fallback says what it is, and its interval has width
    m = P.fit_points_pd(one, few.points, cluster=None)
    assert m.se_method.startswith("model-based") and np.isinf(m.coefficients["df"]).all()
    with pytest.warns(UserWarning, match="defaults"):
        cal = P.calibrate_points_discount(one, few.points, lgd=0.45, n_boot=30, cluster=None)
    row = cal.iloc[0]
    assert row["interval_method"] == "percentile bootstrap resampling loans"
    assert row["ci_high"] > row["ci_low"]
    blank = few.loans.assign(village=few.loans["village"].where(few.loans.index != 5))
    with pytest.raises(CalibInputError, match="blank at index 5"):
        P.fit_points_pd(blank, few.points)


def _exact_wild_p(y, X, g, k):
    """Brute force: the restricted score statistic and its exact Webb-weight distribution,
    all 6**G weight vectors enumerated (independent of calib._stats)."""
    import itertools

    import statsmodels.api as sm

    rest = [j for j in range(X.shape[1]) if j != k]
    br = sm.Logit(y, X[:, rest]).fit(disp=0).params
    mu = expit(X[:, rest] @ br)
    u = X * (y - mu)[:, None]
    H = (X * (mu * (1 - mu))[:, None]).T @ X
    a = np.linalg.solve(H[np.ix_(rest, rest)], H[rest, k])
    s = u[:, k] - u[:, rest] @ a
    sg = np.array([s[g == c].sum() for c in np.unique(g)])  # a handful of villages
    t0 = sg.sum() / np.sqrt((sg ** 2).sum())
    webb = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
    v = np.array(list(itertools.product(webb, repeat=len(sg))))
    tb = (v @ sg) / np.sqrt((v ** 2) @ (sg ** 2))
    return float(np.mean(np.abs(tb) >= abs(t0) - 1e-12))


def test_wild_cluster_bootstrap_of_the_points_coefficient_matches_brute_force():
    """6 villages: p_value_wild is the wild (restricted score, Webb) bootstrap p-value of the
    points coefficient, checked against the exact enumeration of its 6**6 weight draws."""
    six = simulate_points_programme(n_villages=6, households_per_village=150,
                                    beta_per_100=-0.15, intercept=-2.0, seed=5)
    m = P.fit_points_pd(six.loans, six.points, controls=("head_age",), n_wild=99_999)
    lf = P.attach_points(six.loans, six.points)
    X, y = m.design(lf), lf["default"].to_numpy(dtype=float)
    exact = _exact_wild_p(y, X, lf["village"].factorize()[0], 1)
    assert 0.01 < exact < 0.99  # an informative case, not a boundary
    # 6**6 = 46,656 weight vectors <= n_wild: all enumerated, so the p-value is exact
    assert m.p_value_wild == pytest.approx(exact, abs=1e-12)
    co = m.coefficients
    assert co.loc["points_per_step", "p_value_wild"] == m.p_value_wild
    assert co.drop(index="points_per_step")["p_value_wild"].isna().all()
    # the same draws in the calibration (no pairs bootstrap drawn before it with n_boot=0)
    with pytest.warns(UserWarning):
        cal = P.calibrate_points_discount(six.loans, six.points, lgd=0.45, n_boot=0,
                                          controls=("head_age",), n_wild=99_999)
    assert cal["coef_points_p_wild"].iloc[0] == pytest.approx(m.p_value_wild, abs=1e-12)
    # not run: loan-level inference, or "auto" with 30 villages or more unless asked
    assert np.isnan(P.fit_points_pd(six.loans, six.points, cluster=None).p_value_wild)
    assert np.isnan(P.fit_points_pd(six.loans, six.points, wild_bootstrap=False).p_value_wild)


def test_wild_bootstrap_auto_only_below_30_villages(sim):
    assert sim.loans["village"].nunique() >= 30
    assert np.isnan(P.fit_points_pd(sim.loans, sim.points).p_value_wild)
    forced = P.fit_points_pd(sim.loans, sim.points, wild_bootstrap=True, n_wild=999)
    assert 0 < forced.p_value_wild < 0.01  # beta = -0.3 per 100 points over 6000 households
    with pytest.raises(CalibParamsError, match="wild_bootstrap"):
        P.fit_points_pd(sim.loans, sim.points, wild_bootstrap="yes")


def test_fit_logit_reduced_leaves_out_columns_constant_in_a_replicate():
    """A dummy absent from a bootstrap replicate: coefficient 0, the rest the ML fit without it."""
    import statsmodels.api as sm

    from calib import _stats

    rng = np.random.default_rng(4)
    n = 400
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x, np.zeros(n)])  # the dummy is 0 in this replicate
    y = (rng.random(n) < expit(-1.0 + 0.8 * x)).astype(float)
    b = _stats.fit_logit_reduced(y, X, np.zeros(3))
    ref = sm.Logit(y, X[:, :2]).fit(disp=0).params
    np.testing.assert_allclose(b[:2], ref, rtol=1e-8)
    assert b[2] == 0.0
    fit = _stats.fit_logit(y, X[:, :2])
    assert _stats.se_method(fit, unit="loans").endswith("loans independent")
