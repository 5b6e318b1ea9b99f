"""Why model and consensus disagree: the log ratio on household features with village effects."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from calib._frames import require_columns
from calib.errors import CalibInputError


class GapDrivers(NamedTuple):
    """Result of :func:`gap_drivers`: ``coefficients`` and ``villages`` tables plus fit counts."""

    coefficients: pd.DataFrame
    villages: pd.DataFrame
    n_obs: int
    n_clusters: int
    n_dropped: int
    r2_within: float


def gap_drivers(
    comparison: pd.DataFrame,
    features: pd.DataFrame,
    *,
    group: str = "village",
    confidence: float = 0.95,
) -> GapDrivers:
    """Why model and consensus disagree: log_ratio on household features, village effects.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits` (``log_ratio`` and the ``group`` column).
    features : DataFrame
        Numeric household characteristics, index ``household_id`` (or a ``household_id``
        column), e.g. mean ratings, log income, land, head age, points.
    group : str
        Column of the fixed effects and of the clusters (default ``village``).
    confidence : float
        Level of the intervals.

    Returns
    -------
    GapDrivers
        ``coefficients``: one row per feature, ``term, coef, std_err, t, p_value, ci_low,
        ci_high`` (OLS with ``group`` fixed effects, cluster-robust SE by ``group``);
        ``villages``: one row per group, ``group, n, mean_log_ratio``, ``effect`` (the group's
        fixed effect: its mean log ratio for a household with the programme-average features),
        ``ci_low, ci_high`` (t interval from the within-group residual spread), ``direction``
        (``model_above`` when the interval is above 0: the panel sits below the model;
        ``model_below``; ``in_line``); ``n_obs``, ``n_clusters``, ``n_dropped`` (households that
        both grant but lack a feature), ``r2_within``.

    Notes
    -----
    Only households where both grant (finite ``log_ratio``) enter. The fixed effects are absorbed
    by demeaning within group (Frisch-Waugh-Lovell), so the slopes equal those of the dummy
    regression; the covariance is statsmodels' ``cov_type="cluster"`` on the demeaned
    regression, without counting the absorbed effects in the small-sample correction (they are
    nested in the clusters; Cameron & Miller 2015).

    References
    ----------
    Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    J. Human Resources 50(2), 317-372.
    """
    import statsmodels.api as sm

    require_columns(comparison, ("log_ratio", group), "comparison")
    feats = features.set_index("household_id") if "household_id" in features.columns else features
    nonnum = [c for c in feats.columns if not pd.api.types.is_numeric_dtype(feats[c])]
    if nonnum:
        raise CalibInputError(f"features: column(s) {nonnum} are not numeric")
    if feats.shape[1] == 0:
        raise CalibInputError("features: no feature columns")
    cmp_ = comparison[np.isfinite(comparison["log_ratio"].to_numpy(dtype=float, na_value=np.nan))]
    df = cmp_[[group, "log_ratio"]].join(feats.astype(float), how="left")
    complete = df[list(feats.columns)].notna().all(axis=1).to_numpy()
    n_dropped = int((~complete).sum())
    df = df[complete]
    if len(df) <= feats.shape[1] + 1:
        raise CalibInputError("gap_drivers: too few households with both limits and all features")
    gcode, glabels = pd.factorize(df[group], sort=True)
    G = len(glabels)
    cols = list(feats.columns)
    X = df[cols].to_numpy(float)
    y = df["log_ratio"].to_numpy(float)
    cnt = np.bincount(gcode, minlength=G).astype(float)
    Xm = np.stack([np.bincount(gcode, X[:, j], G) / cnt for j in range(X.shape[1])], axis=1)
    ym = np.bincount(gcode, y, G) / cnt
    Xd, yd = X - Xm[gcode], y - ym[gcode]
    res = sm.OLS(yd, Xd).fit(cov_type="cluster", cov_kwds={"groups": gcode})
    ci = res.conf_int(alpha=1 - confidence)
    coef = pd.DataFrame({"term": cols, "coef": res.params, "std_err": res.bse, "t": res.tvalues,
                         "p_value": res.pvalues, "ci_low": ci[:, 0], "ci_high": ci[:, 1]})
    coef["term"] = coef["term"].astype("str")
    beta = res.params
    xbar = X.mean(axis=0)
    effect = ym - (Xm - xbar) @ beta
    resid = yd - Xd @ beta
    ss = np.bincount(gcode, resid ** 2, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(ss / np.maximum(cnt - 1, 1) / cnt)
        tq = stats.t.ppf(0.5 + confidence / 2, np.maximum(cnt - 1, 1))
    lo, hi = effect - tq * se, effect + tq * se
    lo = np.where(cnt > 1, lo, np.nan)
    hi = np.where(cnt > 1, hi, np.nan)
    direction = np.where(lo > 0, "model_above", np.where(hi < 0, "model_below", "in_line"))
    villages = pd.DataFrame({"group": pd.Index(glabels).astype(str), "n": cnt.astype(np.int64),
                             "mean_log_ratio": ym, "effect": effect, "ci_low": lo, "ci_high": hi,
                             "direction": direction})
    villages["direction"] = villages["direction"].astype("str")
    tss = float(np.sum(yd ** 2))
    r2 = 1 - float(np.sum(resid ** 2)) / tss if tss > 0 else np.nan
    return GapDrivers(coef, villages, int(len(df)), int(G), n_dropped, r2)
