"""Issue 13 (items 2, 3, 4, 6) for calib.compare: cluster-aware resampling and inference, edges,
Passing-Bablok. Each test failed on the code before the change."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from calib import compare
from calib.compare.agreement import _ccc
from calib._stats import wild_cluster_pvalues
from calib.consensus import krippendorff_alpha_ratio
from calib.errors import CalibInputError

DATA = Path(__file__).parent / "data"


def _comparison(n_v=12, n=40, seed=0, village_sd=0.3, dup=1) -> pd.DataFrame:
    """Both-grant comparison rows with a village component in the model / consensus gap."""
    rng = np.random.default_rng(seed)
    v = np.repeat(np.arange(n_v), n)
    lc = np.log(50_000) + 0.5 * rng.standard_normal(v.size)
    lm = lc + village_sd * rng.standard_normal(n_v)[v] + 0.2 * rng.standard_normal(v.size)
    df = pd.DataFrame({"village": np.char.add("V", v.astype(str)), "consensus_limit": np.exp(lc),
                       "model_limit": np.exp(lm), "grant_class": "both"})
    return pd.concat([df] * dup, ignore_index=True) if dup > 1 else df


# ------------------------------------------------------------------ 3: limits of agreement
def test_limits_of_agreement_follow_confidence():
    cmp_ = _comparison()
    d = np.log(cmp_["model_limit"] / cmp_["consensus_limit"])
    for conf in (0.90, 0.99):
        ov = compare.agreement_summary(cmp_, n_boot=0, confidence=conf, pb_max_n=0).iloc[0]
        z = stats.norm.ppf(0.5 + conf / 2)
        assert ov["loa_low_ratio"] == pytest.approx(np.exp(d.mean() - z * d.std(ddof=1)), rel=1e-12)
        assert ov["loa_high_ratio"] == pytest.approx(np.exp(d.mean() + z * d.std(ddof=1)), rel=1e-12)


# ------------------------------------------------------------------ 2: CCC bootstrap by village
def test_ccc_bootstrap_resamples_whole_villages_brute_force():
    cmp_ = _comparison(n_v=6, n=15)
    s = compare.agreement_summary(cmp_, n_boot=200, random_state=3, pb_max_n=0).iloc[0]
    assert s["ccc_resampled"] == "village"
    x, y = np.log(cmp_["consensus_limit"].to_numpy()), np.log(cmp_["model_limit"].to_numpy())
    codes, _ = pd.factorize(cmp_["village"], sort=True)
    draws = np.random.default_rng(3).integers(0, 6, (200, 6))
    vals = []
    for row in draws:   # brute force: pool the drawn villages' households
        idx = np.concatenate([np.flatnonzero(codes == g) for g in row])
        vals.append(_ccc(x[idx], y[idx]))
    lo, hi = np.quantile(vals, [0.025, 0.975])
    assert s["ccc_low"] == pytest.approx(lo, rel=1e-10) and s["ccc_high"] == pytest.approx(hi, rel=1e-10)


def test_ccc_interval_does_not_shrink_when_households_are_copied():
    """Copying every household 10 times adds no information about villages: the village
    bootstrap interval keeps its width (a household bootstrap shrinks it about sqrt(10) times)."""
    kw = dict(n_boot=400, random_state=0, pb_max_n=0)
    w1 = compare.agreement_summary(_comparison(), **kw).iloc[0]
    w10 = compare.agreement_summary(_comparison(dup=10), **kw).iloc[0]
    width1, width10 = w1["ccc_high"] - w1["ccc_low"], w10["ccc_high"] - w10["ccc_low"]
    assert width10 == pytest.approx(width1, rel=0.25)
    hh = compare.agreement_summary(_comparison(dup=10), cluster=None, **kw).iloc[0]
    assert hh["ccc_resampled"] == "household" and hh["ccc_high"] - hh["ccc_low"] < 0.6 * width1


# ------------------------------------------------------------------ 3: few clusters
def _gap_data(n_v=8, n=60, seed=0, beta=0.3):
    rng = np.random.default_rng(seed)
    v = np.repeat(np.arange(n_v), n)
    x = rng.standard_normal(v.size) + rng.standard_normal(n_v)[v]
    lr = beta * x + 0.3 * rng.standard_normal(n_v)[v] + 0.2 * rng.standard_normal(v.size)
    hid = [f"h{i}" for i in range(v.size)]
    cmp_ = pd.DataFrame({"village": np.char.add("V", v.astype(str)), "log_ratio": lr}, index=hid)
    return cmp_, pd.DataFrame({"x": x, "z": rng.standard_normal(v.size)}, index=hid)


def test_gap_drivers_use_t_with_g_minus_1_df_and_wild_bootstrap():
    cmp_, feats = _gap_data()
    gd = compare.gap_drivers(cmp_, feats)
    c = gd.coefficients
    half = (c["ci_high"] - c["coef"]) / c["std_err"]
    assert np.allclose(half, stats.t.ppf(0.975, 8 - 1))      # 2.365, not 1.96
    assert np.allclose(c["p_value"], 2 * stats.t.sf(np.abs(c["t"]), 7))
    assert c["p_wild"].notna().all() and "t(7)" in gd.se_method and "wild" in gd.se_method
    assert c.set_index("term").loc["x", "p_wild"] < 0.05
    # the same method as catalogue keys (the reports render it in zh-CN or en)
    assert gd.se_parts == (("se.cluster", {"df": 7}), ("se.wild.webb", {"n_boot": 9999, "clusters": 8}))
    many = compare.gap_drivers(*_gap_data(n_v=40, n=10))
    assert many.coefficients["p_wild"].isna().all()          # 40 clusters: not needed
    assert many.se_parts == (("se.cluster", {"df": 39}),)
    few = compare.gap_drivers(*_gap_data(n_v=3, n=40), n_boot=999)   # 6^3 = 216 Webb vectors: all of them
    assert few.se_parts == (("se.cluster", {"df": 2}), ("se.wild.webb", {"n_boot": 216, "clusters": 3}),
                            ("se.wild.enumerated", {}))
    assert "216 replicates, all enumerated" in few.se_method
    from calib.report import labels
    for key in ("se.cluster", "se.hc1", "se.wild.webb", "se.wild.rademacher", "se.wild.enumerated"):  # what reports render
        assert labels.has(key) and labels.t(key, "en", df=7, n_boot=99, clusters=8) != labels.t(key, "zh-CN", df=7, n_boot=99, clusters=8)


def test_gap_drivers_one_village_states_its_method():
    cmp_, feats = _gap_data(n_v=1, n=80)
    gd = compare.gap_drivers(cmp_, feats)
    assert gd.n_clusters == 1 and "one village" in gd.se_method and "HC1" in gd.se_method
    assert gd.se_parts == (("se.hc1", {"df": 80 - 2}),)
    c = gd.coefficients
    assert np.isfinite(c[["std_err", "ci_low", "ci_high"]].to_numpy()).all()
    assert (c["ci_high"] > c["ci_low"]).all()


def test_wild_bootstrap_matches_wildboottest_under_full_enumeration():
    wbt = pytest.importorskip("wildboottest.wildboottest")
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    g = rng.integers(0, 8, 300)
    X = np.c_[rng.standard_normal(300), rng.standard_normal(300)]
    y = 0.1 * X[:, 0] + rng.standard_normal(8)[g] + rng.standard_normal(300)
    p, how = wild_cluster_pvalues(X, y, g, n_boot=999, weights="rademacher")
    assert "256 replicates" in how
    for k, name in enumerate(["x1"]):   # one parameter: the package's numba compile is slow
        ref = wbt.wildboottest(sm.OLS(y, X), param=name, cluster=g, B=999, seed=1, show=False,
                               parallel=False)
        # the package counts |t*| > |t|, calib |t*| >= |t|: they differ by the two draws v = +-1,
        # whose |t*| equals |t| (up to rounding)
        assert p[k] == pytest.approx(float(ref["p-value"].iloc[0]), abs=2 / 256 + 1e-12)


@pytest.mark.parametrize("design, cr1_above", [("heteroskedastic", 0.07), ("factor", 0.12)])
def test_wild_bootstrap_size_by_simulation(design, cr1_above):
    """Known truth: the slope is 0. With 8 very unequal clusters the CR1 t(7) test over-rejects
    (8% with heteroskedastic errors, 17% when the errors load on x through a village factor,
    measured); the wild cluster bootstrap stays near 5%. 2,000 simulations: the Monte Carlo
    SE of a 5% rate is 0.5 points, so the bounds separate the two tests."""
    rng = np.random.default_rng(11)
    sizes = np.array([5, 10, 20, 40, 60, 100, 150, 200])
    G = sizes.size
    g = np.repeat(np.arange(G), sizes)
    rej = rej_cr1 = 0
    n_sim = 2000
    for _ in range(n_sim):
        if design == "heteroskedastic":
            x = rng.standard_normal(G)[g] + rng.standard_normal(g.size)
            e = rng.standard_normal(G)[g] + rng.standard_normal(g.size) * (1 + np.abs(x))
        else:
            x = rng.standard_normal(G)[g] + np.exp(rng.standard_normal(g.size))
            e = rng.standard_normal(G)[g] * x + rng.standard_normal(g.size)
        xd = x - (np.bincount(g, x) / sizes)[g]
        ed = e - (np.bincount(g, e) / sizes)[g]
        p, _ = wild_cluster_pvalues(xd[:, None], ed, g, n_boot=199, random_state=rng)
        rej += p[0] < 0.05
        # CR1 t(G - 1) by hand (K = 1: the absorbed effects are not counted)
        b = (xd @ ed) / (xd @ xd)
        sg = np.bincount(g, xd * (ed - b * xd), G)
        se = np.sqrt(G / (G - 1) * (sg @ sg)) / (xd @ xd)
        rej_cr1 += 2 * stats.t.sf(abs(b / se), G - 1) < 0.05
    assert 0.03 <= rej / n_sim <= 0.065, rej / n_sim
    assert rej_cr1 / n_sim > cr1_above, rej_cr1 / n_sim


# ------------------------------------------------------------------ 4: edges
def test_empty_inputs_raise_naming_the_input():
    with pytest.raises(CalibInputError, match="x is empty"):
        compare.deming_slope([], [1.0, 2.0])
    with pytest.raises(CalibInputError, match="y is empty"):
        compare.deming_slope([1.0, 2.0, 3.0], [])
    with pytest.raises(CalibInputError, match="unit is empty"):
        krippendorff_alpha_ratio(np.array([], int), np.array([], float))
    assert np.isnan(compare.deming_slope([1.0, 2.0], [1.0, 3.0])[0])   # < 3 pairs: documented NaN


# ------------------------------------------------------------------ 6: Passing-Bablok
def _brute_pb(x, y, conf=0.95):
    """Passing & Bablok (1983) written out with loops, for small n."""
    n, S = len(x), []
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[j] - x[i], y[j] - y[i]
            if dx == 0 and dy == 0:
                continue
            s = dy / dx if dx != 0 else math.copysign(math.inf, dy)
            if s != -1:
                S.append(s)
    S.sort()
    N, K = len(S), sum(s < -1 for s in S)
    b = S[(N + 1) // 2 + K - 1] if N % 2 else 0.5 * (S[N // 2 + K - 1] + S[N // 2 + K])
    C = stats.norm.ppf(0.5 + conf / 2) * math.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    M1 = round((N - C) / 2)
    M2 = N - M1 + 1
    a = float(np.median([y[i] - b * x[i] for i in range(n)]))
    return b, S[M1 + K - 1], S[M2 + K - 1], a


def test_passing_bablok_equals_brute_force_with_ties():
    rng = np.random.default_rng(2)
    for trial in range(5):
        n = 25 + trial
        x = np.round(rng.uniform(1, 10, n))            # many ties in x
        y = np.round(0.5 + 1.1 * x + rng.normal(0, 1.5, n))
        pb = compare.passing_bablok(x, y)
        b, lo, hi, a = _brute_pb(list(x), list(y))
        assert (pb.slope, pb.slope_low, pb.slope_high) == (b, lo, hi)
        assert pb.intercept == pytest.approx(a, abs=1e-12)


def test_passing_bablok_matches_mcr_creatinine():
    """Published peer result: R mcr::mcreg(serum, plasma, method.reg = "PaBa", method.ci =
    "analytical") on mcr's creatinine data, printed in R. Wicklin's "Passing-Bablok regression in
    SAS" (The DO Loop, SAS blog, 14 Feb 2022; its SAS/IML program implements the 1983 paper's
    rules): intercept -0.1171729 (-0.2001149, -0.020000), slope 1.0880089 (1.0000000, 1.173005).
    The 1983 paper's own data are not available in machine-readable form. mcr's upper slope
    bound averages two adjacent order statistics (1.172932, 1.173077); Passing & Bablok's rule
    takes S_(M2 + K) = 1.173077, hence the looser tolerance there."""
    d = pd.read_csv(DATA / "creatinine_mcr.csv", comment="#", na_values=".").dropna()
    pb = compare.passing_bablok(d["serum_crea"], d["plasma_crea"])
    assert pb.n == 108
    assert pb.slope == pytest.approx(1.0880089, abs=1e-7)
    assert pb.intercept == pytest.approx(-0.1171729, abs=1e-7)
    assert pb.slope_low == pytest.approx(1.0, abs=1e-7)
    assert pb.intercept_high == pytest.approx(-0.02, abs=1e-7)
    assert pb.slope_high == pytest.approx(1.173005, abs=1e-4)
    assert pb.intercept_low == pytest.approx(-0.2001149, abs=1e-4)


def test_passing_bablok_cusum_brute_force_and_power():
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 10, 60)
    y = 0.3 + 0.9 * x + rng.normal(0, 0.4, 60)
    pb = compare.passing_bablok(x, y)
    res = y - pb.intercept - pb.slope * x
    l_, L_ = int((res > 0).sum()), int((res < 0).sum())
    proj = [(y[i] + x[i] / pb.slope - pb.intercept) / math.sqrt(1 + pb.slope ** -2) for i in range(60)]
    cs, best = 0.0, 0.0
    for i in sorted(range(60), key=lambda i: proj[i]):
        cs += math.sqrt(L_ / l_) if res[i] > 0 else (-math.sqrt(l_ / L_) if res[i] < 0 else 0.0)
        best = max(best, abs(cs))
    assert pb.cusum == pytest.approx(best / math.sqrt(L_ + 1), rel=1e-12)
    assert pb.cusum_p == pytest.approx(special.kolmogorov(pb.cusum))
    assert pb.cusum_p > 0.05
    bent = compare.passing_bablok(x, 0.3 + 0.08 * x ** 2 + rng.normal(0, 0.2, 60))
    assert bent.cusum_p < 0.01


def test_passing_bablok_in_summary_and_subsample_is_stated():
    cmp_ = _comparison()
    s = compare.agreement_summary(cmp_, n_boot=0, pb_max_n=200).iloc[0]
    assert 0.5 < s["pb_slope"] < 1.5 and s["pb_slope_low"] < s["pb_slope"] < s["pb_slope_high"]
    with pytest.raises(CalibInputError, match="x is empty"):
        compare.passing_bablok([], [])
    flat = compare.passing_bablok([2.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0])   # no information in x
    assert np.isnan(flat.slope) and np.isnan(flat.intercept)


def test_block_slopes_are_every_valid_pair_in_pair_order():
    """The slopes of all row blocks are those of every pair i < j, in pair order: +-inf for equal
    x, none for identical points or a slope of exactly -1 (blocks forced small: many blocks)."""
    import importlib
    import itertools

    pbm = importlib.import_module("calib.compare.passing_bablok")  # the module, not the function

    rng = np.random.default_rng(3)
    x = np.round(rng.lognormal(1, 0.5, 60), 1)
    y = np.round(x * rng.lognormal(0, 0.3, 60), 1)
    x[:6] = x[0]
    x[10], y[10] = x[11], y[11]              # an identical point
    y[20] = y[21] - (x[20] - x[21]) * -1.0   # slope of exactly -1 for the pair (20, 21)
    want = []
    for i, j in itertools.combinations(range(x.size), 2):
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (y[j] - y[i]) / (x[j] - x[i])
        if not np.isnan(s) and s != -1:
            want.append(s)
    old = pbm._BLOCK
    try:
        pbm._BLOCK = 100
        got = np.concatenate([pbm._block_slopes(x, y, a, b) for a, b in pbm._pair_blocks(x.size)])
    finally:
        pbm._BLOCK = old
    assert np.isinf(want).any() and len(want) < x.size * (x.size - 1) // 2
    assert got.tobytes() == np.asarray(want).tobytes()
