"""Tests of calib.validation against independent computations and simulations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from statsmodels.stats.diagnostic_gen import test_chisquare_binning as sm_chisquare_binning

from calib.errors import CalibInputError
from calib.validation import (calibration_by_grade, csi, delong_auc_cov, delong_roc_test,
                              discrimination, hosmer_lemeshow, psi, psi_reading, spiegelhalter,
                              traffic_light)


def _naive_delong(y, scores):
    """DeLong (1988) by definition: structural components from the full m x n kernel."""
    y = np.asarray(y)
    aucs, v10s, v01s = [], [], []
    for s in np.atleast_2d(scores):
        x, z = s[y == 1], s[y == 0]
        psi_ = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
        aucs.append(psi_.mean())
        v10s.append(psi_.mean(axis=1))
        v01s.append(psi_.mean(axis=0))
    m, n = (y == 1).sum(), (y == 0).sum()
    s10 = np.atleast_2d(np.cov(np.vstack(v10s)))
    s01 = np.atleast_2d(np.cov(np.vstack(v01s)))
    return np.array(aucs), s10 / m + s01 / n


def _sim_binary(n, seed, shift=1.0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.2
    a = rng.normal(0, 1, n) + shift * y
    b = 0.6 * a + rng.normal(0, 0.8, n) + 0.3 * y
    return y.astype(int), a, b


def test_fast_delong_equals_definition_with_ties():
    y, a, b = _sim_binary(400, 1)
    a = np.round(a, 1)  # ties inside and across classes
    b = np.round(b, 0)
    aucs, cov = delong_auc_cov(y, np.vstack([a, b]))
    aucs0, cov0 = _naive_delong(y, np.vstack([a, b]))
    np.testing.assert_allclose(aucs, aucs0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cov, cov0, rtol=1e-10, atol=1e-14)
    assert aucs[0] == pytest.approx(roc_auc_score(y, a), abs=1e-12)
    assert aucs[1] == pytest.approx(roc_auc_score(y, b), abs=1e-12)


def _auc_rows(y, s):
    """The AUC of each row of ``s`` against the labels of the same row of ``y`` (Mann-Whitney:
    midranks of the positives), all rows at once; not DeLong's structural components."""
    ranks = stats.rankdata(s, axis=1)
    n1 = y.sum(axis=1)
    n0 = y.shape[1] - n1
    return ((ranks * y).sum(axis=1) - n1 * (n1 + 1) / 2) / (n1 * n0)


def test_delong_variance_matches_bootstrap():
    y, a, b = _sim_binary(1500, 2)
    _, cov = delong_auc_cov(y, np.vstack([a, b]))
    rng = np.random.default_rng(3)
    idx = rng.integers(0, y.size, (400, y.size))
    boot = np.column_stack([_auc_rows(y[idx], a[idx]), _auc_rows(y[idx], b[idx])])
    assert boot[0, 0] == pytest.approx(roc_auc_score(y[idx[0]], a[idx[0]]), abs=1e-12)
    bcov = np.cov(boot.T)
    # bootstrap SD with 400 replicates is accurate to about 4 %; 15 % would catch a factor error
    assert np.sqrt(cov[0, 0]) == pytest.approx(np.sqrt(bcov[0, 0]), rel=0.15)
    assert np.sqrt(cov[1, 1]) == pytest.approx(np.sqrt(bcov[1, 1]), rel=0.15)
    vd = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    bd = np.var(boot[:, 0] - boot[:, 1], ddof=1)
    assert np.sqrt(vd) == pytest.approx(np.sqrt(bd), rel=0.15)
    t = delong_roc_test(y, a, b)
    assert t["se_diff"].item() == pytest.approx(np.sqrt(vd))
    assert t["p_value"].item() == pytest.approx(2 * stats.norm.sf(abs(t["z"].item())))


def test_delong_test_size_under_null():
    # two scores with equal true AUC: the test must not reject much more than 5 %
    rng = np.random.default_rng(11)
    rej = 0
    reps = 200
    for _ in range(reps):
        y = (rng.random(600) < 0.3).astype(int)
        common = rng.normal(0, 1, 600) + 0.8 * y
        a = common + rng.normal(0, 0.7, 600)
        b = common + rng.normal(0, 0.7, 600)
        rej += delong_roc_test(y, a, b)["p_value"].item() < 0.05
    assert rej / reps < 0.10
    # and rejects a real difference
    y, a, _ = _sim_binary(3000, 5, shift=1.0)
    b = a + np.random.default_rng(6).normal(0, 1.5, a.size)  # a noisier copy: lower AUC
    assert delong_roc_test(y, a, b)["p_value"].item() < 1e-3


def test_discrimination_against_sklearn_and_scipy():
    y, a, _ = _sim_binary(2000, 4)
    d = discrimination(y, a)
    auc = roc_auc_score(y, a)
    assert d["auc"].item() == pytest.approx(auc, abs=1e-12)
    assert d["gini"].item() == pytest.approx(2 * auc - 1, abs=1e-12)
    # KS by hand: max distance of the two empirical CDFs
    grid = np.sort(a)
    f1 = np.searchsorted(np.sort(a[y == 1]), grid, side="right") / (y == 1).sum()
    f0 = np.searchsorted(np.sort(a[y == 0]), grid, side="right") / (y == 0).sum()
    assert d["ks"].item() == pytest.approx(np.abs(f1 - f0).max(), abs=1e-12)
    assert d["auc_ci_low"].item() < auc < d["auc_ci_high"].item()
    # a points score (higher = safer) gives the same AUC with higher_is_riskier=False
    d2 = discrimination(y, -a, higher_is_riskier=False)
    assert d2["auc"].item() == pytest.approx(auc)


def test_discrimination_ci_coverage():
    rng = np.random.default_rng(21)
    # true AUC of N(0.8, 1) vs N(0, 1) is Phi(0.8 / sqrt 2)
    true_auc = stats.norm.cdf(0.8 / np.sqrt(2))
    cover = 0
    for _ in range(200):
        y = (rng.random(500) < 0.25).astype(int)
        s = rng.normal(0, 1, 500) + 0.8 * y
        d = discrimination(y, s)
        cover += d["auc_ci_low"].item() <= true_auc <= d["auc_ci_high"].item()
    assert 0.90 <= cover / 200 <= 0.99


def test_bad_inputs_raise():
    with pytest.raises(CalibInputError, match="missing outcome"):
        discrimination([0, 1, np.nan, 1], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(CalibInputError, match="0/1"):
        discrimination([0, 2, 1, 0], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(CalibInputError, match="length"):
        spiegelhalter([0, 1, 1], [0.1, 0.2])
    with pytest.raises(CalibInputError, match=r"\[0, 1\]"):
        spiegelhalter([0, 1], [0.1, 1.2])


def test_calibration_by_grade_hand_values():
    df = pd.DataFrame({"grade": ["AAA"] * 200 + ["A"] * 100,
                       "pd": [0.01] * 200 + [0.05] * 100,
                       "default": [1] * 6 + [0] * 194 + [1] * 5 + [0] * 95})
    t = calibration_by_grade(df, grades=["AAA", "AA", "A"])
    assert list(t["grade"]) == ["AAA", "A"]  # empty grade left out
    r = t.iloc[0]
    assert (r["n"], r["defaults"]) == (200, 6)
    assert r["jeffreys_p"] == pytest.approx(stats.beta(6.5, 194.5).cdf(0.01))
    # exact binomial one-sided p = P(D >= 6 | N=200, p=0.01) by summing the pmf
    from math import comb
    p_hand = 1 - sum(comb(200, k) * 0.01 ** k * 0.99 ** (200 - k) for k in range(6))
    assert r["binomial_p"] == pytest.approx(p_hand, rel=1e-9)
    assert r["traffic_light"] == ("red" if p_hand <= 0.001 else "yellow" if p_hand <= 0.05 else "green")
    assert t.iloc[1]["traffic_light"] == "green"  # 5 of 100 at PD 5 %
    assert list(traffic_light([0.5, 0.95, 0.998, 0.999])) == ["green", "yellow", "yellow", "red"]


def test_calibration_by_grade_true_passes_miscalibrated_fails():
    rng = np.random.default_rng(7)
    n = 20000
    grade = rng.choice(["AAA", "AA", "A", "B"], n, p=[0.3, 0.3, 0.25, 0.15])
    true_pd = pd.Series(grade).map({"AAA": 0.005, "AA": 0.01, "A": 0.03, "B": 0.08}).to_numpy()
    y = (rng.random(n) < true_pd).astype(int)
    ok = calibration_by_grade(pd.DataFrame({"grade": grade, "pd": true_pd, "default": y}))
    assert (ok["traffic_light"] != "red").all()
    assert (ok["jeffreys_p"] > 0.001).all()
    bad = calibration_by_grade(pd.DataFrame({"grade": grade, "pd": true_pd / 2, "default": y}))
    assert (bad["traffic_light"] == "red").sum() >= 3
    assert (bad["jeffreys_p"] < 0.001).sum() >= 3


def test_hosmer_lemeshow_matches_statsmodels():
    rng = np.random.default_rng(8)
    p = rng.uniform(0.01, 0.4, 3000)
    y = (rng.random(3000) < p).astype(int)
    hl = hosmer_lemeshow(y, p, n_bins=10, in_sample=True)
    ref = sm_chisquare_binning(np.column_stack([1 - y, y]), np.column_stack([1 - p, p]),
                               sort_var=p, bins=10, df=8)
    assert hl["statistic"].item() == pytest.approx(ref.statistic, rel=1e-9)
    assert hl["p_value"].item() == pytest.approx(ref.pvalue, rel=1e-9)
    assert hl["df"].item() == 8
    assert hosmer_lemeshow(y, p, in_sample=False)["df"].item() == 10
    tab = hosmer_lemeshow(y, p, return_table=True)
    assert tab["n"].sum() == 3000 and tab["contribution"].sum() == pytest.approx(hl["statistic"].item())


def test_hosmer_lemeshow_and_spiegelhalter_size_and_power():
    rng = np.random.default_rng(9)
    reps, n = 200, 2000
    rej_hl = rej_sp = 0
    for _ in range(reps):
        p = 1 / (1 + np.exp(-rng.normal(-2.5, 1.0, n)))
        y = (rng.random(n) < p).astype(int)
        rej_hl += hosmer_lemeshow(y, p, in_sample=False)["p_value"].item() < 0.05
        rej_sp += spiegelhalter(y, p)["p_value"].item() < 0.05
    assert rej_hl / reps < 0.10 and rej_sp / reps < 0.10
    # miscalibrated: PDs 40 % too low
    p = 1 / (1 + np.exp(-rng.normal(-2.5, 1.0, 20000)))
    y = (rng.random(20000) < p).astype(int)
    assert hosmer_lemeshow(y, 0.6 * p, in_sample=False)["p_value"].item() < 1e-4
    assert spiegelhalter(y, 0.6 * p)["p_value"].item() < 1e-4


def test_spiegelhalter_hand_calculation():
    y = np.array([0, 1, 0, 0, 1])
    p = np.array([0.1, 0.7, 0.2, 0.4, 0.3])
    num = sum((yi - pi) * (1 - 2 * pi) for yi, pi in zip(y, p))
    den = np.sqrt(sum((1 - 2 * pi) ** 2 * pi * (1 - pi) for pi in p))
    r = spiegelhalter(y, p)
    assert r["z"].item() == pytest.approx(num / den)
    assert r["p_value"].item() == pytest.approx(2 * (1 - stats.norm.cdf(abs(num / den))))
    assert r["brier"].item() == pytest.approx(np.mean((y - p) ** 2))


def test_psi_hand_calculation_and_reading():
    e = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    a = ["a"] * 40 + ["b"] * 30 + ["c"] * 30
    hand = (0.4 - 0.5) * np.log(0.4 / 0.5) + 0 + (0.3 - 0.2) * np.log(0.3 / 0.2)
    assert psi(e, a)["psi"].item() == pytest.approx(hand)
    tab = psi(e, a, by_bin=True)
    assert set(tab["bin"]) == {"a", "b", "c"} and tab["contribution"].sum() == pytest.approx(hand)
    assert list(psi_reading([0.05, 0.1, 0.2, 0.25, 0.4])) == [
        "stable", "moderate shift", "moderate shift", "significant shift", "significant shift"]
    # numeric: explicit bins, missing values get their own bin
    ev = np.array([1.0, 2, 3, 4, np.nan])
    av = np.array([1.0, 1, 3, np.nan, np.nan])
    t = psi(ev, av, bins=[2.5], by_bin=True).set_index("bin")
    assert t.loc["0", "expected_share"] == pytest.approx(0.4)
    assert t.loc["Missing", "actual_share"] == pytest.approx(0.4)


def test_psi_simulation_stable_and_shifted():
    rng = np.random.default_rng(10)
    e = rng.normal(0, 1, 20000)
    assert psi(e, rng.normal(0, 1, 20000))["psi"].item() < 0.01
    shifted = psi(e, rng.normal(0.8, 1, 20000))
    assert shifted["psi"].item() > 0.25 and shifted["reading"].item() == "significant shift"
    # the PSI of two normals with unit variance and mean shift d tends to d^2 (symmetric KL)
    # as bins get finer; with 20 quantile bins it is within 10 %
    assert psi(e, rng.normal(0.5, 1, 20000), bins=20)["psi"].item() == pytest.approx(0.25, rel=0.10)


def test_csi_per_characteristic():
    rng = np.random.default_rng(12)
    f1 = pd.DataFrame({"x": rng.normal(0, 1, 5000), "c": rng.choice(["u", "v"], 5000, p=[.5, .5])})
    f2 = pd.DataFrame({"x": rng.normal(0, 1, 5000), "c": rng.choice(["u", "v"], 5000, p=[.8, .2])})
    t = csi(f1, f2).set_index("characteristic")
    assert t.loc["x", "reading"] == "stable"
    assert t.loc["c", "csi"] == pytest.approx(psi(f1["c"], f2["c"])["psi"].item())
    assert t.loc["c", "csi"] > 0.25
    with pytest.raises(CalibInputError, match="'z'"):
        csi(f1, f2, columns=["z"])
