"""Method-comparison statistics of model against consensus limits (Bland-Altman, CCC, Deming, kappa)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from calib._frames import require_columns
from calib.errors import CalibInputError, CalibParamsError


def _ccc(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Lin's CCC along the last axis (population moments)."""
    mx, my = x.mean(-1), y.mean(-1)
    vx, vy = x.var(-1), y.var(-1)
    sxy = ((x - mx[..., None]) * (y - my[..., None])).mean(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2 * sxy / (vx + vy + (mx - my) ** 2)


def deming_slope(x: np.ndarray, y: np.ndarray, lam: float = 1.0) -> tuple[float, float]:
    """Deming regression of y on x; ``lam`` = error variance of y / error variance of x.

    Returns (slope, intercept). Closed form (Linnet 1993); ``lam = 1`` is orthogonal regression.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size < 3:
        return np.nan, np.nan
    mx, my = x.mean(), y.mean()
    sxx, syy = x.var(ddof=1), y.var(ddof=1)
    sxy = np.cov(x, y, ddof=1)[0, 1]
    if sxy == 0:
        return np.nan, np.nan
    d = syy - lam * sxx
    slope = (d + np.sqrt(d * d + 4 * lam * sxy * sxy)) / (2 * sxy)
    return float(slope), float(my - slope * mx)


def _summary_one(sub: pd.DataFrame, *, n_boot: int, rng: np.random.Generator, deming_lambda: float,
                 confidence: float) -> dict:
    from sklearn.metrics import cohen_kappa_score

    both = sub["grant_class"].to_numpy() == "both"
    xc = np.log(sub["consensus_limit"].to_numpy(dtype=float)[both])
    ym = np.log(sub["model_limit"].to_numpy(dtype=float)[both])
    n = xc.size
    d = ym - xc
    z = stats.norm.ppf(0.5 + confidence / 2)
    row: dict = {"n_pairs": n}
    if n >= 2:
        bias, sd = d.mean(), d.std(ddof=1)
        row.update(bias_log=bias, sd_log=sd, bias_ratio=np.exp(bias),
                   loa_low_ratio=np.exp(bias - 1.96 * sd), loa_high_ratio=np.exp(bias + 1.96 * sd))
    else:
        row.update(bias_log=np.nan, sd_log=np.nan, bias_ratio=np.nan, loa_low_ratio=np.nan,
                   loa_high_ratio=np.nan)
    if n >= 3 and np.ptp((xc + ym) / 2) > 0:
        lr = stats.linregress((xc + ym) / 2, d)
        row.update(prop_slope=lr.slope, prop_p=lr.pvalue)
    else:
        row.update(prop_slope=np.nan, prop_p=np.nan)
    if n >= 3:
        row["ccc"] = float(_ccc(xc, ym))
        if n_boot > 0:
            chunk = max(1, int(2_000_000 // max(n, 1)))
            vals = []
            for s in range(0, n_boot, chunk):
                b = min(chunk, n_boot - s)
                idx = rng.integers(0, n, (b, n))
                vals.append(_ccc(xc[idx], ym[idx]))
            vals = np.concatenate(vals)
            a = (1 - confidence) / 2
            row["ccc_low"], row["ccc_high"] = np.nanquantile(vals, [a, 1 - a])
        else:
            row["ccc_low"] = row["ccc_high"] = np.nan
        row["deming_slope"], row["deming_intercept"] = deming_slope(xc, ym, deming_lambda)
    else:
        row.update(ccc=np.nan, ccc_low=np.nan, ccc_high=np.nan, deming_slope=np.nan,
                   deming_intercept=np.nan)
    present = sub["grant_class"].isin(["both", "consensus_only", "model_only", "neither"]).to_numpy()
    gc = (sub["consensus_limit"].to_numpy(dtype=float)[present] > 0).astype(int)
    gm = (sub["model_limit"].to_numpy(dtype=float)[present] > 0).astype(int)
    row["n_kappa"] = int(present.sum())
    if present.sum() >= 2 and len(np.unique(np.r_[gc, gm])) > 1:
        row["kappa"] = float(cohen_kappa_score(gc, gm))
    else:
        row["kappa"] = np.nan
    row["grant_agreement"] = float(np.mean(gc == gm)) if present.any() else np.nan
    return row


def agreement_summary(
    comparison: pd.DataFrame,
    *,
    by: str | None = None,
    n_boot: int = 1000,
    deming_lambda: float = 1.0,
    confidence: float = 0.95,
    random_state: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Method-comparison statistics of model against consensus limits, overall and per group.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.
    n_boot : int
        Bootstrap replicates (households resampled) for the CCC interval; 0 to skip.
    deming_lambda : float
        Ratio of the error variance of log model limits to that of log consensus limits.
    confidence : float
        Level of the CCC interval.
    random_state : int or Generator
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per group (``level`` = ``overall`` or ``by``, ``group``), columns ``n_pairs``
        (households both grant), ``bias_log`` (mean of ``log(model) - log(consensus)``),
        ``sd_log``, ``bias_ratio`` (exp of the bias: model / consensus), ``loa_low_ratio``,
        ``loa_high_ratio`` (Bland-Altman 95% limits of agreement as ratios),
        ``prop_slope``, ``prop_p`` (OLS slope of the log difference on the mean of the logs and its
        p-value: proportional bias), ``ccc``, ``ccc_low``, ``ccc_high`` (Lin's concordance of the
        logs with a percentile bootstrap interval), ``deming_slope``, ``deming_intercept`` (log
        model on log consensus), ``n_kappa`` (households in both inputs), ``kappa`` (Cohen's kappa
        of grant against decline), ``grant_agreement`` (share agreeing on grant / decline).

    Notes
    -----
    Bland-Altman on logs (Bland & Altman 1999; Euser et al. 2008) with limits ``exp(bias +-
    1.96 sd)``; declines cannot be logged and enter only the kappa. Limits at the cap are
    censored and are not treated specially. Lin's CCC ``2 s_xy / (s_x^2 + s_y^2 + (m_x -
    m_y)^2)`` uses population moments (Lin 1989). The Deming slope is the closed form with error
    ratio ``lambda`` (Linnet 1993). Kappa: :func:`sklearn.metrics.cohen_kappa_score`.

    References
    ----------
    Bland, J. M., Altman, D. G. (1999). Measuring agreement in method comparison studies.
    Stat. Methods Med. Res. 8, 135-160.
    Lin, L. I. (1989). A concordance correlation coefficient to evaluate reproducibility.
    Biometrics 45, 255-268.
    Linnet, K. (1993). Evaluation of regression procedures for methods comparison studies.
    Clin. Chem. 39, 424-432.
    """
    require_columns(comparison, ("consensus_limit", "model_limit", "grant_class"), "comparison",
                    "use compare_limits")
    if by is not None and by not in comparison.columns:
        raise CalibInputError(f"comparison: no column {by!r} to group by")
    if not 0 < confidence < 1:
        raise CalibParamsError(f"confidence must be in (0, 1), got {confidence!r}")
    rng = np.random.default_rng(random_state)
    kw = dict(n_boot=n_boot, rng=rng, deming_lambda=deming_lambda, confidence=confidence)
    rows = [{"level": "overall", "group": "overall", **_summary_one(comparison, **kw)}]
    if by is not None:
        for g, sub in comparison.groupby(by, sort=True, observed=True):
            rows.append({"level": by, "group": str(g), **_summary_one(sub, **kw)})
    out = pd.DataFrame(rows)
    out["level"] = out["level"].astype("str")
    out["group"] = out["group"].astype("str")
    return out
