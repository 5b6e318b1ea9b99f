"""calib.pricing._logit and the PD model's inference: few villages, one village (issue 13)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from calib import pricing as P
from calib.errors import CalibInputError

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
