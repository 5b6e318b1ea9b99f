"""Calibration of a rating model: per grade (Jeffreys, binomial, traffic light) and overall
(Hosmer-Lemeshow, Spiegelhalter).

Use them on predictions for households not used to fit (out-of-fold PDs and fold-chosen grades
from :func:`calib.scorecard.crossval.cross_validate`): on the fitting sample a logit's PDs match
its defaults by construction and the tests can hardly reject.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.scorecard._checks import _as_binary, _as_float, _check_pd

__all__ = ["calibration_by_grade", "hosmer_lemeshow", "spiegelhalter", "traffic_light",
           "YELLOW_CONFIDENCE", "RED_CONFIDENCE"]

#: Confidence of rejection ("the PD is too low") from which a grade's traffic light is yellow,
#: and from which it is red: 95% and 99.9%, the Basel backtesting zones as OeNB (*Rating Models
#: and Validation*, 2004, section 6.3) applies them to PD calibration. Report 04 states them, and
#: report 07's grade backtest takes them as its default thresholds
#: (:class:`calib.monitoring.MonitoringRules`); the functions below import scipy.stats where they
#: use it, so that reading the monitoring parameters does not pay for it.
YELLOW_CONFIDENCE = 0.95
RED_CONFIDENCE = 0.999


def traffic_light(confidence: Any) -> np.ndarray:
    """Traffic light of a calibration test from the confidence level of rejection.

    green below :data:`YELLOW_CONFIDENCE` (95 %), yellow from it to below
    :data:`RED_CONFIDENCE` (99.9 %), red at or above that (OeNB, *Rating Models and Validation*,
    2004, section 6.3). ``confidence`` is ``1 - p_value`` of a one-sided test of "the PD is not
    too low".

    Examples
    --------
    >>> traffic_light([0.94, 0.95, 0.998, 0.999]).tolist()
    ['green', 'yellow', 'yellow', 'red']
    """
    c = np.asarray(confidence, dtype=float)
    return np.where(c >= RED_CONFIDENCE, "red", np.where(c >= YELLOW_CONFIDENCE, "yellow", "green"))


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
    the binomial confidence (:func:`traffic_light`: green < 95 %, yellow 95-99.9 %, red >= 99.9 %;
    OeNB 2004). Defaults
    that move together inside a village make both tests reject too often (BCBS WP 14, 2005).

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.3.1.
    Oesterreichische Nationalbank (2004). Rating Models and Validation, section 6.3.
    """
    from scipy import stats

    for col in (grade, pd_col, default):
        if col not in df.columns:
            raise CalibInputError(f"calibration_by_grade: missing column {col!r}")
    if len(df) == 0:
        raise CalibInputError("calibration_by_grade: df has no rows (no household with an "
                              "observed outcome to test)")
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
        Summary (one row): ``statistic``, ``df``, ``p_value``, ``n_bins``, ``n``, ``in_sample``,
        ``note``. A group whose expected count is 0 (every PD 0) but which has defaults (or
        the mirror case at PD 1) contributes an infinite statistic (p-value 0) and ``note``
        says so; groups are not merged.
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
    from scipy import stats

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
    # a group whose PDs are all 0 (or all 1) has no binomial variance: it fits only if observed
    # equals expected; otherwise the model says "impossible" and the statistic is infinite
    impossible = (denom <= 0) & ~np.isclose(og, eg)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(denom > 0, (og - eg) ** 2 / np.where(denom > 0, denom, 1.0),
                           np.where(impossible, np.inf, 0.0))
    if return_table:
        return pd.DataFrame({"group": np.arange(n_bins), "n": ng.astype(int), "observed": og,
                             "expected": eg, "mean_pd": eg / ng, "contribution": contrib})
    stat = float(contrib.sum())
    df_ = n_bins - 2 if in_sample else n_bins
    note = (f"{int(impossible.sum())} group(s) with expected defaults 0 (or every household "
            "expected to default) disagree with the observed: infinite statistic, the PDs are "
            "rejected" if impossible.any() else "")
    return pd.DataFrame({"statistic": [stat], "df": [df_], "p_value": [stats.chi2.sf(stat, df_)],
                         "n_bins": [n_bins], "n": [yv.shape[0]], "in_sample": [in_sample],
                         "note": [note]})


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
        ``brier`` (mean squared error), ``expected_brier``, ``z``, ``p_value`` (two-sided), ``n``,
        ``note``: empty, or why ``z`` is undefined (NaN): every PD at 0.5 (the Brier score is
        0.25 whatever happens) or in {0, 1} (no variance under the model).

    Raises
    ------
    CalibInputError
        For empty input, naming ``y``.

    Notes
    -----
    ``z = sum (y - p)(1 - 2p) / sqrt(sum (1 - 2p)^2 p (1 - p))``: under correct PDs the Brier
    score has mean ``sum p (1 - p) / n`` and the standardised difference is asymptotically N(0, 1).

    References
    ----------
    Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and clinical
    trials. *Statistics in Medicine* 5(5), 421-433.
    """
    from scipy import stats

    yv = _as_binary(y)
    if yv.shape[0] == 0:
        raise CalibInputError("y: no outcome to test (empty input to spiegelhalter)")
    p = _as_float(pd_, "pd", yv.shape[0])
    _check_pd(p)
    num = np.sum((yv - p) * (1 - 2 * p))
    den = np.sqrt(np.sum((1 - 2 * p) ** 2 * p * (1 - p)))
    z, note = (float(num / den), "") if den > 0 else (np.nan, _undefined_z(p))
    return pd.DataFrame({"brier": [np.mean((yv - p) ** 2)],
                         "expected_brier": [np.mean(p * (1 - p))], "z": [z],
                         "p_value": [2 * stats.norm.sf(abs(z)) if den > 0 else np.nan],
                         "n": [yv.shape[0]], "note": [note]})


def _undefined_z(p: np.ndarray) -> str:
    """Why Spiegelhalter's z has a zero denominator."""
    if np.all((p == 0) | (p == 1)):
        return ("z undefined: every PD is 0 or 1, so the Brier score has no variance under the "
                "model (a certain forecast is right or wrong; count the misses instead)")
    if np.all(np.isin(p, (0.0, 0.5, 1.0))):
        return ("z undefined: every PD is 0.5 (or 0 or 1); at 0.5 the Brier score is 0.25 "
                "whatever the outcome, so it carries no calibration information")
    return "z undefined: zero variance of the Brier score"
