"""calib._stats: clustered logit with t(G-1), wild cluster bootstrap, Jeffreys; the edges."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit

from calib import _stats
from calib.errors import CalibInputError
from calib.scorecard import Scorecard
from calib.validation import calibration_by_grade, hosmer_lemeshow, spiegelhalter


def _few_villages(rng, G=8, m=60, beta=0.0, sigma_v=0.6):
    """Logit with a village-level characteristic (where few clusters bite) and a village effect."""
    v = np.repeat(np.arange(G), m)
    xv = rng.normal(size=G)[v]
    x2 = rng.normal(size=G * m)
    eta = -1.0 + beta * xv + 0.5 * x2 + rng.normal(0, sigma_v, G)[v]
    y = (rng.random(G * m) < expit(eta)).astype(float)
    return y, np.column_stack([np.ones(G * m), xv, x2]), v


def test_clustered_logit_uses_t_with_G_minus_1_and_CR1_by_brute_force():
    rng = np.random.default_rng(0)
    y, X, v = _few_villages(rng)
    fit = _stats.fit_logit(y, X, groups=v)
    assert fit.cov_type == "cluster" and fit.n_clusters == 8 and fit.df == 7
    # brute-force CR1 sandwich
    mu = expit(X @ fit.params)
    H = (X.T * (mu * (1 - mu))) @ X
    S = np.vstack([np.bincount(v, weights=X[:, j] * (y - mu)) for j in range(3)]).T
    n, k, G = len(y), 3, 8
    V = np.linalg.inv(H) @ (S.T @ S) @ np.linalg.inv(H) * G / (G - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(fit.se, np.sqrt(np.diag(V)), rtol=1e-6)
    ci = fit.conf_int()
    q = stats.t.ppf(0.975, 7)  # 2.365, not 1.96: normal intervals would be 17 % too narrow
    np.testing.assert_allclose(ci[:, 1] - fit.params, q * fit.se, rtol=1e-12)
    np.testing.assert_allclose(fit.pvalues, 2 * stats.t.sf(np.abs(fit.params / fit.se), 7))
    assert _stats.cluster_t_crit(0.05, 8) == pytest.approx(q)


def test_scorecard_coef_table_intervals_use_t_G_minus_1():
    rng = np.random.default_rng(1)
    y, X, v = _few_villages(rng, G=10, m=80, beta=-0.8)
    Xd = pd.DataFrame({"a": X[:, 1], "b": X[:, 2]})
    card = Scorecard(max_bins=4, C=None, n_boot=999, random_state=0).fit(Xd, y, groups=v)
    ct = card.coef_table_.set_index("characteristic")
    assert (ct["df"] == 9).all() and (ct["cov_type"] == "cluster").all()
    half = (ct["ci_high"] - ct["coef"]) / ct["se"]
    np.testing.assert_allclose(half, stats.t.ppf(0.975, 9), rtol=1e-10)
    # few villages: the wild cluster bootstrap p-value is reported beside the t(G-1) one
    assert ct.loc[["a", "b"], "p_value_wild"].between(0, 1).all()
    assert np.isnan(ct.loc["(intercept)", "p_value_wild"])


@pytest.mark.parametrize("n_sims", [200])
def test_wild_cluster_bootstrap_size_with_8_villages(n_sims):
    """Known truth: beta of the village-level characteristic is 0. With 8 villages the normal
    cluster-robust Wald test over-rejects; the wild cluster score bootstrap keeps its size."""
    rng = np.random.default_rng(2024)
    rej_z = rej_t = rej_wild = 0
    for _ in range(n_sims):
        y, X, v = _few_villages(rng)
        fit = _stats.fit_logit(y, X, groups=v)
        rej_z += abs(fit.params[1] / fit.se[1]) > 1.96
        rej_t += fit.pvalues[1] < 0.05
        rej_wild += _stats.wild_cluster_score_test(y, X, v, 1, n_boot=399, random_state=rng)[1] < 0.05
    # measured over 600 simulations: normal 0.18-0.20, t(7) 0.13, wild 0.06-0.08
    assert rej_z / n_sims > 0.12          # normal critical values: far above 5 %
    assert 0.01 <= rej_wild / n_sims <= 0.09
    assert rej_wild < rej_t < rej_z       # t(G-1) helps, the wild bootstrap more


def test_one_wild_bootstrap_machinery_for_ols_and_logit():
    """Both wild bootstraps draw their weights and p-values from the same two functions."""
    import itertools

    V, enum, kind = _stats.wild_weights(3, 10, "rademacher")
    assert enum and kind == "rademacher"
    assert sorted(map(tuple, V)) == sorted(itertools.product([1.0, -1.0], repeat=3))
    V, enum, kind = _stats.wild_weights(2, 36)
    assert enum and kind == "webb" and len({tuple(r) for r in V}) == 36
    assert _stats.wild_weights(12, 99, random_state=0)[2] == "webb"
    assert _stats.wild_weights(13, 99, random_state=0)[2] == "rademacher"
    V, enum, _ = _stats.wild_weights(8, 99, random_state=0)
    assert not enum and V.shape == (99, 8)
    tb = np.array([0.5, -2.0, 3.0, 1.0])
    assert _stats.wild_p_value(tb, 2.0, enumerated=True) == 0.5
    assert _stats.wild_p_value(tb, 2.0, enumerated=False) == 3 / 5   # the sample counts once
    # the same seed gives the same weights in the logit score test and the OLS bootstrap-t
    rng = np.random.default_rng(9)
    y, X, v = _few_villages(rng)
    p_logit = _stats.wild_cluster_score_test(y, X, v, 1, n_boot=199, random_state=3)[1]
    assert p_logit == _stats.wild_cluster_score_test(y, X, v, 1, n_boot=199,
                                                     random_state=np.random.default_rng(3))[1]
    p_ols, how = _stats.wild_cluster_pvalues(X, y, v, n_boot=199, random_state=3)
    assert "webb weights, 199 replicates, 8 clusters" in how and 0 < p_ols[1] <= 1


def test_wild_bootstrap_has_power():
    rng = np.random.default_rng(5)
    p = [_stats.wild_cluster_score_test(*_few_villages(rng, G=12, beta=1.5)[:3], 1, n_boot=399,
                                        random_state=rng)[1] for _ in range(20)]
    assert np.mean(np.array(p) < 0.05) > 0.6


def test_jeffreys_against_beta_quantiles():
    lo, hi = _stats.jeffreys_interval([0, 3, 10], [20, 20, 10])
    assert lo[0] == 0 and hi[2] == 1
    assert lo[1] == pytest.approx(stats.beta.ppf(0.025, 3.5, 17.5))
    assert hi[1] == pytest.approx(stats.beta.ppf(0.975, 3.5, 17.5))
    assert _stats.jeffreys_p(3, 20, 0.1) == pytest.approx(stats.beta.cdf(0.1, 3.5, 17.5))


# ------------------------------------------------------------------ edges
def test_one_village_fit_states_its_fallback():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=500)})
    y = (rng.random(500) < expit(-1 - X["a"])).astype(int)
    card = Scorecard(max_bins=4, C=None).fit(X, y, groups=["V1"] * 500)
    assert "one village" in card.fit_note_
    assert (card.coef_table_["cov_type"] == "nonrobust").all()
    assert card.coef_table_["se"].notna().all() and (card.coef_table_["se"] > 0).all()


def test_empty_inputs_raise_naming_the_input():
    with pytest.raises(CalibInputError, match="y"):
        spiegelhalter([], [])
    with pytest.raises(CalibInputError, match="no rows"):
        calibration_by_grade(pd.DataFrame({"grade": [], "pd": [], "default": []}))


def test_spiegelhalter_says_why_z_is_undefined():
    half = spiegelhalter([0, 1, 1, 0], [0.5] * 4)
    assert np.isnan(half["z"].iloc[0]) and "0.5" in half["note"].iloc[0]
    sure = spiegelhalter([0, 1, 1], [0.0, 1.0, 1.0])
    assert np.isnan(sure["z"].iloc[0]) and "0 or 1" in sure["note"].iloc[0]
    assert spiegelhalter([0, 1, 0], [0.2, 0.6, 0.3])["note"].iloc[0] == ""


def test_hosmer_lemeshow_zero_expected_group_with_defaults_is_infinite():
    y = np.r_[np.ones(2), np.zeros(8), (np.arange(30) % 5 == 0).astype(float)]
    p = np.r_[np.zeros(10), np.full(30, 0.2)]
    hl = hosmer_lemeshow(y, p, n_bins=4, in_sample=False)
    assert np.isinf(hl["statistic"].iloc[0]) and hl["p_value"].iloc[0] == 0
    assert "infinite" in hl["note"].iloc[0]
    tab = hosmer_lemeshow(y, p, n_bins=4, return_table=True)
    assert np.isinf(tab["contribution"].iloc[0])
    # a zero-expected group without defaults fits and adds 0
    ok = hosmer_lemeshow(np.r_[np.zeros(10), y[10:]], p, n_bins=4, in_sample=False)
    assert np.isfinite(ok["statistic"].iloc[0]) and ok["note"].iloc[0] == ""
