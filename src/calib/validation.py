"""Validation of a rating model: discrimination, calibration, stability.

Pure functions returning tidy :class:`pandas.DataFrame` objects, the way a model validator or a
supervisor would look at a scorecard:

- discrimination: :func:`discrimination` (AUC with a DeLong confidence interval, Gini, KS),
  :func:`delong_roc_test` (two correlated AUCs), :func:`delong_auc_cov` (the fast DeLong core);
- calibration: :func:`calibration_by_grade` (Jeffreys and binomial tests per grade with a
  traffic light), :func:`hosmer_lemeshow`, :func:`spiegelhalter`;
- stability: :func:`psi` (population stability index) and :func:`csi` (per characteristic).

Every function is vectorised (no Python loop over households) and raises
:class:`calib.errors.CalibInputError` on bad input, naming the argument and the bad value.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError

__all__ = [
    "delong_auc_cov",
    "delong_roc_test",
    "discrimination",
    "calibration_by_grade",
    "hosmer_lemeshow",
    "spiegelhalter",
    "psi",
    "csi",
    "psi_reading",
    "traffic_light",
]

PSI_MODERATE = 0.10
PSI_SIGNIFICANT = 0.25


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _as_binary(y: Any, name: str = "y") -> np.ndarray:
    arr = pd.Series(y).to_numpy(dtype=float, na_value=np.nan) if not isinstance(y, np.ndarray) \
        else np.asarray(y, dtype=float)
    arr = np.ravel(arr)
    if np.isnan(arr).any():
        raise CalibInputError(
            f"{name}: {int(np.isnan(arr).sum())} missing outcome(s); pass only households with "
            "an observed outcome (0/1)"
        )
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        raise CalibInputError(f"{name}: values must be 0/1, got {arr[bad][0]!r}")
    return arr


def _as_float(x: Any, name: str, n: int | None = None) -> np.ndarray:
    try:
        arr = np.ravel(pd.Series(x).to_numpy(dtype=float, na_value=np.nan)
                       if not isinstance(x, np.ndarray) else np.asarray(x, dtype=float))
    except (TypeError, ValueError) as exc:
        raise CalibInputError(f"{name}: not numeric ({exc})") from None
    if np.isnan(arr).any():
        raise CalibInputError(f"{name}: {int(np.isnan(arr).sum())} missing value(s)")
    if n is not None and arr.shape[0] != n:
        raise CalibInputError(f"{name}: length {arr.shape[0]} differs from y's length {n}")
    return arr


def _check_pd(p: np.ndarray, name: str = "pd") -> None:
    if ((p < 0) | (p > 1)).any():
        raise CalibInputError(f"{name}: probabilities must lie in [0, 1], got "
                              f"{p[(p < 0) | (p > 1)][0]!r}")


def traffic_light(confidence: Any) -> np.ndarray:
    """Traffic light of a calibration test from the confidence level of rejection.

    green below 95 %, yellow from 95 % to below 99.9 %, red at 99.9 % or more (OeNB, *Rating
    Models and Validation*, 2004, section 6.3). ``confidence`` is ``1 - p_value`` of a one-sided
    test of "the PD is not too low".
    """
    c = np.asarray(confidence, dtype=float)
    return np.where(c >= 0.999, "red", np.where(c >= 0.95, "yellow", "green"))


def psi_reading(value: Any) -> np.ndarray:
    """Practitioner reading of a PSI/CSI value: below 0.10 ``stable``, 0.10 to below 0.25
    ``moderate shift``, 0.25 or more ``significant shift`` (Siddiqi 2006)."""
    v = np.asarray(value, dtype=float)
    return np.where(v >= PSI_SIGNIFICANT, "significant shift",
                    np.where(v >= PSI_MODERATE, "moderate shift", "stable"))


# --------------------------------------------------------------------------------------------
# DeLong
# --------------------------------------------------------------------------------------------
def delong_auc_cov(y: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """AUCs of k scores on the same households and their DeLong covariance matrix.

    Parameters
    ----------
    y : array-like of 0/1, shape (n,)
        Outcome, 1 = default (the "positive" class).
    scores : array-like, shape (n,) or (k, n)
        Scores where **higher means riskier** (a PD, or minus a points score).

    Returns
    -------
    aucs : ndarray, shape (k,)
        Areas under the ROC curve, ties counted one half.
    cov : ndarray, shape (k, k)
        DeLong et al. (1988) covariance of the AUC estimates.

    Notes
    -----
    Fast algorithm of Sun & Xu (2014): with m defaults and n non-defaults, midranks of the
    scores among the defaults (``tx``), among the non-defaults (``ty``) and in the pooled sample
    (``tz``) give the structural components ``V10 = (tz_x - tx) / n`` and
    ``V01 = 1 - (tz_y - ty) / m``; ``cov = S10 / m + S01 / n`` with ``S`` the sample covariance
    matrices of the components. Cost O(k N log N) instead of O(k m n).

    References
    ----------
    DeLong, E. R., DeLong, D. M., Clarke-Pearson, D. L. (1988). Comparing the areas under two or
    more correlated receiver operating characteristic curves: a nonparametric approach.
    *Biometrics* 44(3), 837-845.
    Sun, X., Xu, W. (2014). Fast implementation of DeLong's algorithm for comparing the areas under
    correlated receiver operating characteristic curves. *IEEE Signal Processing Letters* 21(11),
    1389-1393.
    """
    yv = _as_binary(y)
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    if s.shape[1] != yv.shape[0]:
        raise CalibInputError(f"scores: length {s.shape[1]} differs from y's length {yv.shape[0]}")
    if np.isnan(s).any():
        raise CalibInputError("scores: missing values")
    pos = yv == 1
    m, n = int(pos.sum()), int((~pos).sum())
    if m < 2 or n < 2:
        raise CalibInputError(f"y: need at least 2 defaults and 2 non-defaults, got {m} and {n}")
    x, z = s[:, pos], s[:, ~pos]
    tx = stats.rankdata(x, axis=1)
    ty = stats.rankdata(z, axis=1)
    tz = stats.rankdata(np.concatenate([x, z], axis=1), axis=1)
    aucs = tz[:, :m].sum(axis=1) / m / n - (m + 1.0) / (2.0 * n)
    v10 = (tz[:, :m] - tx) / n
    v01 = 1.0 - (tz[:, m:] - ty) / m
    sx = np.atleast_2d(np.cov(v10))
    sy = np.atleast_2d(np.cov(v01))
    return aucs, sx / m + sy / n


def delong_roc_test(y: Any, score_a: Any, score_b: Any, *, names: Sequence[str] = ("a", "b"),
                    alpha: float = 0.05) -> pd.DataFrame:
    """DeLong test of the difference of two correlated AUCs (same households).

    Parameters
    ----------
    y : array-like of 0/1
        Outcome, 1 = default.
    score_a, score_b : array-like
        Scores where higher means riskier.
    names : pair of str
        Labels of the two scores.
    alpha : float
        Level of the confidence interval of the difference.

    Returns
    -------
    DataFrame, one row
        ``model_a, model_b, auc_a, auc_b, auc_diff`` (a - b), ``se_diff``, ``ci_low, ci_high``
        (Wald interval of the difference), ``z``, ``p_value`` (two-sided), ``n, n_defaults``.

    Notes
    -----
    ``z = (AUC_a - AUC_b) / sqrt(V_a + V_b - 2 C_ab)`` with the DeLong covariance from
    :func:`delong_auc_cov`.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845; Sun & Xu (2014), *IEEE SPL* 21, 1389-1393.
    """
    yv = _as_binary(y)
    a = _as_float(score_a, "score_a", yv.shape[0])
    b = _as_float(score_b, "score_b", yv.shape[0])
    aucs, cov = delong_auc_cov(yv, np.vstack([a, b]))
    diff = aucs[0] - aucs[1]
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    se = float(np.sqrt(max(var, 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    if se > 0:
        zstat = diff / se
        p = 2 * stats.norm.sf(abs(zstat))
    else:
        zstat, p = (0.0, 1.0) if diff == 0 else (np.inf * np.sign(diff), 0.0)
    return pd.DataFrame({
        "model_a": [names[0]], "model_b": [names[1]],
        "auc_a": [aucs[0]], "auc_b": [aucs[1]], "auc_diff": [diff], "se_diff": [se],
        "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [zstat], "p_value": [p],
        "n": [yv.shape[0]], "n_defaults": [int(yv.sum())],
    })


# --------------------------------------------------------------------------------------------
# discrimination
# --------------------------------------------------------------------------------------------
def discrimination(y: Any, score_or_pd: Any, *, higher_is_riskier: bool = True,
                   alpha: float = 0.05) -> pd.DataFrame:
    """Discriminatory power: AUC with a DeLong confidence interval, Gini and KS.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome, 1 = default. Only households with an observed outcome.
    score_or_pd : array-like
        A PD (higher riskier) or a points score (pass ``higher_is_riskier=False``).
    higher_is_riskier : bool, default True
        Orientation of ``score_or_pd``.
    alpha : float, default 0.05
        Level of the confidence intervals.

    Returns
    -------
    DataFrame, one row
        ``n``, ``n_defaults``, ``default_rate``, ``auc``, ``auc_se`` (DeLong), ``auc_ci_low``,
        ``auc_ci_high`` (Wald, clipped to [0, 1]), ``gini`` (2 AUC - 1), ``gini_ci_low``,
        ``gini_ci_high``, ``ks`` (two-sample Kolmogorov-Smirnov statistic between the score
        distributions of defaults and non-defaults), ``ks_p_value``.

    Notes
    -----
    AUC and its variance from :func:`delong_auc_cov`; KS from :func:`scipy.stats.ks_2samp`.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845. Engelmann, Hayden, Tasche (2003), Testing
    rating accuracy, *Risk* 16, 82-86 (Gini = accuracy ratio = 2 AUC - 1).

    Examples
    --------
    >>> discrimination([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.8, 0.6, 0.3, 0.2])[["auc", "gini"]].round(3)
         auc   gini
    0  0.833  0.667
    """
    yv = _as_binary(y)
    s = _as_float(score_or_pd, "score_or_pd", yv.shape[0])
    if not higher_is_riskier:
        s = -s
    aucs, cov = delong_auc_cov(yv, s)
    auc = float(aucs[0])
    se = float(np.sqrt(max(cov[0, 0], 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    lo, hi = max(auc - zq * se, 0.0), min(auc + zq * se, 1.0)
    ks = stats.ks_2samp(s[yv == 1], s[yv == 0])
    return pd.DataFrame({
        "n": [yv.shape[0]], "n_defaults": [int(yv.sum())], "default_rate": [yv.mean()],
        "auc": [auc], "auc_se": [se], "auc_ci_low": [lo], "auc_ci_high": [hi],
        "gini": [2 * auc - 1], "gini_ci_low": [2 * lo - 1], "gini_ci_high": [2 * hi - 1],
        "ks": [float(ks.statistic)], "ks_p_value": [float(ks.pvalue)],
    })


# --------------------------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------------------------
def calibration_by_grade(df: pd.DataFrame, *, grade: str = "grade", pd_col: str = "pd",
                         default: str = "default",
                         grades: Sequence[str] | None = None) -> pd.DataFrame:
    """Observed against predicted default rate per grade, Jeffreys and binomial tests.

    Parameters
    ----------
    df : DataFrame
        One row per household with an observed outcome: columns ``grade``, ``pd_col`` (model PD)
        and ``default`` (0/1).
    grade, pd_col, default : str
        Column names.
    grades : sequence of str, optional
        Order of the grades in the output (best first); default: the order of appearance sorted
        by mean PD.

    Returns
    -------
    DataFrame, one row per grade
        ``grade``, ``n``, ``defaults``, ``observed_dr``, ``predicted_pd`` (mean PD of the grade),
        ``jeffreys_p`` (one-sided), ``binomial_p`` (one-sided, exact), ``confidence``
        (1 - binomial_p), ``traffic_light`` (green / yellow / red).

    Notes
    -----
    Both tests have the null hypothesis "the grade PD is not too low" against the alternative
    that the true default rate exceeds it. Jeffreys: the posterior of the default rate under the
    Jeffreys prior Beta(1/2, 1/2) is Beta(D + 1/2, N - D + 1/2); the p-value is its CDF at the grade
    PD (ECB, *Instructions for reporting the validation results of internal models*, 2019).
    Binomial: ``scipy.stats.binomtest(D, N, PD, alternative="greater")``. The traffic light uses
    the binomial confidence: green < 95 %, yellow 95-99.9 %, red >= 99.9 % (OeNB 2004). Defaults
    that move together inside a village make both tests reject too often (BCBS WP 14, 2005).

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.3.1.
    Oesterreichische Nationalbank (2004). Rating Models and Validation, section 6.3.
    """
    for col in (grade, pd_col, default):
        if col not in df.columns:
            raise CalibInputError(f"calibration_by_grade: missing column {col!r}")
    y = _as_binary(df[default], default)
    p = _as_float(df[pd_col], pd_col)
    _check_pd(p, pd_col)
    g = df[grade].astype(str).to_numpy()
    if pd.isna(df[grade]).any():
        raise CalibInputError(f"{grade}: {int(pd.isna(df[grade]).sum())} missing grade(s)")
    t = (pd.DataFrame({"grade": g, "y": y, "p": p})
         .groupby("grade", sort=False)
         .agg(n=("y", "size"), defaults=("y", "sum"), predicted_pd=("p", "mean")))
    if grades is None:
        t = t.sort_values("predicted_pd")
    else:
        unknown = set(t.index) - set(map(str, grades))
        if unknown:
            raise CalibInputError(f"{grade}: grade(s) {sorted(unknown)} not in grades={list(grades)}")
        t = t.reindex([str(x) for x in grades]).dropna(subset=["n"])
    n = t["n"].to_numpy(dtype=float)
    d = t["defaults"].to_numpy(dtype=float)
    pdg = t["predicted_pd"].to_numpy(dtype=float)
    jeff = stats.beta.cdf(pdg, d + 0.5, n - d + 0.5)
    binom = np.array([stats.binomtest(int(di), int(ni), float(pi), alternative="greater").pvalue
                      for di, ni, pi in zip(d, n, pdg)])  # loop over grades only
    out = pd.DataFrame({
        "grade": t.index.astype(str), "n": n.astype(int), "defaults": d.astype(int),
        "observed_dr": d / n, "predicted_pd": pdg, "jeffreys_p": jeff, "binomial_p": binom,
        "confidence": 1 - binom, "traffic_light": traffic_light(1 - binom),
    })
    return out.reset_index(drop=True)


def _equal_count_groups(p: np.ndarray, n_bins: int) -> np.ndarray:
    """Group labels 0..g-1 of equal (±1) size after a stable sort by ``p``."""
    order = np.argsort(p, kind="stable")
    labels = np.empty(p.shape[0], dtype=int)
    sizes = np.full(n_bins, p.shape[0] // n_bins)
    sizes[: p.shape[0] % n_bins] += 1
    labels[order] = np.repeat(np.arange(n_bins), sizes)
    return labels


def hosmer_lemeshow(y: Any, pd_: Any, *, n_bins: int = 10, in_sample: bool = True,
                    return_table: bool = False) -> pd.DataFrame:
    """Hosmer-Lemeshow goodness-of-fit test of the whole portfolio.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome, 1 = default.
    pd_ : array-like
        Predicted PDs.
    n_bins : int, default 10
        Number g of groups of (nearly) equal size, formed by sorting on the PD.
    in_sample : bool, default True
        True if the PDs were estimated on these data (df = g - 2); False for an out-of-sample
        check with fixed PDs (df = g).
    return_table : bool, default False
        Return the per-group table instead of the summary row.

    Returns
    -------
    DataFrame
        Summary (one row): ``statistic``, ``df``, ``p_value``, ``n_bins``, ``n``, ``in_sample``.
        Table (``return_table=True``, one row per group): ``group``, ``n``, ``observed``,
        ``expected``, ``mean_pd``, ``contribution``.

    Notes
    -----
    ``HL = sum_g (O_g - E_g)^2 / (E_g (1 - E_g / n_g))``. Groups are consecutive blocks of the
    stable sort by PD, split as ``numpy.array_split`` does, as in
    :func:`statsmodels.stats.diagnostic_gen.test_chisquare_binning`. With known PDs (out of
    sample) df = g gives the right size; g - 2 over-rejects (research notes: 9.5 % instead of 5 %).

    References
    ----------
    Hosmer, D. W., Lemeshow, S. (1980). Goodness of fit tests for the multiple logistic regression
    model. *Communications in Statistics - Theory and Methods* 9(10), 1035-1049.
    """
    yv = _as_binary(y)
    p = _as_float(pd_, "pd", yv.shape[0])
    _check_pd(p)
    if not 3 <= n_bins <= yv.shape[0]:
        raise CalibInputError(f"n_bins: must be between 3 and n, got {n_bins}")
    grp = _equal_count_groups(p, n_bins)
    ng = np.bincount(grp, minlength=n_bins).astype(float)
    og = np.bincount(grp, weights=yv, minlength=n_bins)
    eg = np.bincount(grp, weights=p, minlength=n_bins)
    denom = eg * (1 - eg / ng)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(denom > 0, (og - eg) ** 2 / denom, 0.0)
    if return_table:
        return pd.DataFrame({"group": np.arange(n_bins), "n": ng.astype(int), "observed": og,
                             "expected": eg, "mean_pd": eg / ng, "contribution": contrib})
    stat = float(contrib.sum())
    df_ = n_bins - 2 if in_sample else n_bins
    return pd.DataFrame({"statistic": [stat], "df": [df_], "p_value": [stats.chi2.sf(stat, df_)],
                         "n_bins": [n_bins], "n": [yv.shape[0]], "in_sample": [in_sample]})


def spiegelhalter(y: Any, pd_: Any) -> pd.DataFrame:
    """Spiegelhalter's z test of overall calibration.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome.
    pd_ : array-like
        Predicted PDs.

    Returns
    -------
    DataFrame, one row
        ``brier`` (mean squared error), ``expected_brier``, ``z``, ``p_value`` (two-sided), ``n``.

    Notes
    -----
    ``z = sum (y - p)(1 - 2p) / sqrt(sum (1 - 2p)^2 p (1 - p))``: under correct PDs the Brier
    score has mean ``sum p (1 - p) / n`` and the standardised difference is asymptotically N(0, 1).

    References
    ----------
    Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and clinical
    trials. *Statistics in Medicine* 5(5), 421-433.
    """
    yv = _as_binary(y)
    p = _as_float(pd_, "pd", yv.shape[0])
    _check_pd(p)
    num = np.sum((yv - p) * (1 - 2 * p))
    den = np.sqrt(np.sum((1 - 2 * p) ** 2 * p * (1 - p)))
    z = float(num / den) if den > 0 else np.nan
    return pd.DataFrame({"brier": [np.mean((yv - p) ** 2)],
                         "expected_brier": [np.mean(p * (1 - p))], "z": [z],
                         "p_value": [2 * stats.norm.sf(abs(z))], "n": [yv.shape[0]]})


# --------------------------------------------------------------------------------------------
# stability
# --------------------------------------------------------------------------------------------
def _bin_labels(expected: pd.Series, actual: pd.Series, bins: int | Sequence[float],
                categorical: bool | None) -> tuple[pd.Series, pd.Series]:
    """Common bin labels for both samples: quantile bins of ``expected`` (numeric) or the
    categories (text); missing values get their own bin ``"Missing"``."""
    if categorical is None:
        categorical = not (pd.api.types.is_numeric_dtype(expected)
                           and not pd.api.types.is_bool_dtype(expected))
    if categorical:
        e = expected.astype(object).where(expected.notna(), "Missing").astype(str)
        a = actual.astype(object).where(actual.notna(), "Missing").astype(str)
        return e, a
    ev = expected.to_numpy(dtype=float, na_value=np.nan)
    av = actual.to_numpy(dtype=float, na_value=np.nan)
    if np.isscalar(bins) or isinstance(bins, (int, np.integer)):
        fin = ev[~np.isnan(ev)]
        if fin.size == 0:
            raise CalibInputError("psi: expected sample has no non-missing value")
        splits = np.unique(np.quantile(fin, np.linspace(0, 1, int(bins) + 1)[1:-1]))
    else:
        splits = np.unique(np.asarray(bins, dtype=float))
        splits = splits[np.isfinite(splits)]

    def lab(v: np.ndarray) -> pd.Series:
        idx = np.searchsorted(splits, v, side="right").astype(object)
        idx[np.isnan(v)] = "Missing"
        return pd.Series(idx).astype(str)
    return lab(ev), lab(av)


def _psi_from_labels(e: pd.Series, a: pd.Series, eps: float) -> pd.DataFrame:
    ec = e.value_counts()
    ac = a.value_counts()
    t = pd.concat([ec.rename("expected_n"), ac.rename("actual_n")], axis=1).fillna(0)
    t.index.name = "bin"
    es = t["expected_n"] / t["expected_n"].sum()
    as_ = t["actual_n"] / t["actual_n"].sum()
    es_c, as_c = np.maximum(es, eps), np.maximum(as_, eps)
    t["expected_share"] = es
    t["actual_share"] = as_
    t["contribution"] = (as_c - es_c) * np.log(as_c / es_c)
    return t.reset_index()


def psi(expected: Any, actual: Any, *, bins: int | Sequence[float] = 10,
        categorical: bool | None = None, eps: float = 1e-4,
        by_bin: bool = False) -> pd.DataFrame:
    """Population stability index between a reference sample and a new one.

    Parameters
    ----------
    expected : array-like
        Reference sample (development sample, earlier period).
    actual : array-like
        New sample (later period, new model run).
    bins : int or sequence of float, default 10
        Number of equal-count bins formed on ``expected`` (quantiles), or explicit split points.
        Text values are compared category by category.
    categorical : bool, optional
        Force categorical (True) or numeric (False) treatment; default: numeric dtypes numeric.
    eps : float, default 1e-4
        Floor for empty bin shares (the log is undefined at 0).
    by_bin : bool, default False
        Return one row per bin instead of the summary.

    Returns
    -------
    DataFrame
        Summary (one row): ``psi``, ``reading`` (stable < 0.10 <= moderate shift < 0.25 <=
        significant shift), ``n_bins``, ``n_expected``, ``n_actual``. Per bin: ``bin``,
        ``expected_n``, ``actual_n``, ``expected_share``, ``actual_share``, ``contribution``.

    Notes
    -----
    ``PSI = sum_i (a_i - e_i) ln(a_i / e_i)`` over bins with shares ``e_i`` (expected) and
    ``a_i`` (actual); it is the symmetrised Kullback-Leibler divergence. Missing values are a bin
    of their own. The 0.10 / 0.25 reading is a rule of thumb that depends on the sample sizes and
    the number of bins.

    References
    ----------
    Siddiqi, N. (2006). *Credit Risk Scorecards*. Wiley, ch. 8. Yurdakul, B. (2018). Statistical
    properties of the population stability index. PhD thesis, Western Michigan University.

    Examples
    --------
    >>> psi(["a"] * 50 + ["b"] * 50, ["a"] * 70 + ["b"] * 30)["psi"].round(4).item()
    0.1695
    """
    e = pd.Series(np.ravel(np.asarray(expected, dtype=object)) if not isinstance(expected, pd.Series)
                  else expected.to_numpy(), copy=False)
    a = pd.Series(np.ravel(np.asarray(actual, dtype=object)) if not isinstance(actual, pd.Series)
                  else actual.to_numpy(), copy=False)
    if e.size == 0 or a.size == 0:
        raise CalibInputError("psi: expected and actual must be non-empty")
    e = e.infer_objects()
    a = a.infer_objects()
    el, al = _bin_labels(e, a, bins, categorical)
    t = _psi_from_labels(el, al, eps)
    if by_bin:
        return t
    val = float(t["contribution"].sum())
    return pd.DataFrame({"psi": [val], "reading": [str(psi_reading(val))],
                         "n_bins": [len(t)], "n_expected": [e.size], "n_actual": [a.size]})


def csi(frame_expected: pd.DataFrame, frame_actual: pd.DataFrame, *,
        columns: Sequence[str] | None = None, bins: int = 10, scorecard: Any = None,
        eps: float = 1e-4) -> pd.DataFrame:
    """Characteristic stability index: the PSI of each characteristic.

    Parameters
    ----------
    frame_expected, frame_actual : DataFrame
        Reference and new samples with the characteristics as columns.
    columns : sequence of str, optional
        Characteristics to compare; default: the columns common to both frames (or the
        scorecard's characteristics).
    bins : int, default 10
        Equal-count bins on the reference sample for numeric characteristics.
    scorecard : calib.scorecard.Scorecard, optional
        A fitted scorecard: compare on its bins (the WoE classes the points are attached to)
        instead of quantile bins.
    eps : float
        Floor for empty shares.

    Returns
    -------
    DataFrame, one row per characteristic
        ``characteristic``, ``csi``, ``reading``, ``n_bins``.

    Notes
    -----
    Same formula as :func:`psi`, one characteristic at a time (Siddiqi 2006, ch. 8).
    """
    if scorecard is not None:
        cols = list(columns) if columns is not None else list(scorecard.feature_names_in_)
        be = scorecard.transform_bins(frame_expected)
        ba = scorecard.transform_bins(frame_actual)
    else:
        cols = list(columns) if columns is not None else \
            [c for c in frame_expected.columns if c in frame_actual.columns]
        be = ba = None
    rows = []
    for c in cols:  # loop over characteristics
        for fr, name in ((frame_expected, "frame_expected"), (frame_actual, "frame_actual")):
            if c not in fr.columns:
                raise CalibInputError(f"csi: column {c!r} missing from {name}")
        if be is not None:
            t = _psi_from_labels(be[c].astype(str), ba[c].astype(str), eps)
        else:
            el, al = _bin_labels(frame_expected[c], frame_actual[c], bins, None)
            t = _psi_from_labels(el, al, eps)
        v = float(t["contribution"].sum())
        rows.append((c, v, str(psi_reading(v)), len(t)))
    return pd.DataFrame(rows, columns=["characteristic", "csi", "reading", "n_bins"])
