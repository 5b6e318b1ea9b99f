"""Method-comparison statistics of model against consensus limits.

Bland-Altman limits of agreement, Lin's CCC with a village-cluster bootstrap interval, Deming and
Passing-Bablok regressions, Cohen's kappa of grant against decline.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import require_columns
from calib.compare.limits import COMPARED
from calib.compare.passing_bablok import passing_bablok
from calib.errors import CalibInputError, CalibParamsError


def _ccc_from_sums(T: np.ndarray) -> np.ndarray:
    """Lin's CCC (population moments) from sums ``n, Sx, Sy, Sxx, Syy, Sxy`` along the last axis."""
    n, sx, sy, sxx, syy, sxy = np.moveaxis(T, -1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = sx / n, sy / n
        vx, vy = sxx / n - mx ** 2, syy / n - my ** 2
        cov = sxy / n - mx * my
        return 2 * cov / (vx + vy + (mx - my) ** 2)


def _ccc(x: np.ndarray, y: np.ndarray) -> float:
    """Lin's CCC of two vectors (population moments)."""
    mx, my = x.mean(), y.mean()
    vx, vy = x.var(), y.var()
    sxy = ((x - mx) * (y - my)).mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(2 * sxy / (vx + vy + (mx - my) ** 2))


def ccc_cluster_bootstrap(x: np.ndarray, y: np.ndarray, cluster: np.ndarray, n_boot: int,
                          rng: np.random.Generator, confidence: float) -> tuple[float, float]:
    """Percentile interval of Lin's CCC, resampling whole clusters with replacement.

    Each replicate draws as many clusters as there are (``rng.integers(0, G, (n_boot, G))``, in
    blocks of replicates) and pools their pairs; the CCC of a replicate comes from the clusters'
    sums of ``x, y, x^2, y^2, xy``, so a replicate costs O(G), not O(n).
    """
    g, _ = pd.factorize(cluster, sort=True)
    G = int(g.max()) + 1
    S = np.stack([np.bincount(g, w, G) for w in (None, x, y, x * x, y * y, x * y)], axis=1)
    chunk = max(1, 2_000_000 // G)
    vals = []
    for s in range(0, n_boot, chunk):
        b = min(chunk, n_boot - s)
        draws = rng.integers(0, G, (b, G))
        cnt = np.bincount((np.arange(b)[:, None] * G + draws).ravel(), minlength=b * G).reshape(b, G)
        vals.append(_ccc_from_sums(cnt @ S))
    a = (1 - confidence) / 2
    lo, hi = np.nanquantile(np.concatenate(vals), [a, 1 - a])
    return float(lo), float(hi)


def deming_slope(x: np.ndarray, y: np.ndarray, lam: float = 1.0) -> tuple[float, float]:
    """Deming regression of y on x; ``lam`` = error variance of y / error variance of x.

    Returns (slope, intercept). Closed form (Linnet 1993); ``lam = 1`` is orthogonal regression.
    With fewer than 3 pairs, or no covariance, the fit is undefined and (NaN, NaN) is returned.

    Raises
    ------
    CalibInputError
        When ``x`` or ``y`` is empty or their lengths differ.
    """
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    for name, v in (("x", x), ("y", y)):
        if v.size == 0:
            raise CalibInputError(f"deming_slope: input {name} is empty")
    if x.size != y.size:
        raise CalibInputError(f"deming_slope: x has {x.size} values, y {y.size}")
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


_PB_COLS = ("pb_slope", "pb_slope_low", "pb_slope_high", "pb_intercept", "pb_intercept_low",
            "pb_intercept_high", "pb_cusum_p")


def _bland_altman(xc: np.ndarray, ym: np.ndarray, confidence: float) -> dict:
    n = xc.size
    d = ym - xc
    row: dict = dict.fromkeys(("bias_log", "sd_log", "bias_ratio", "loa_low_ratio", "loa_high_ratio",
                               "prop_slope", "prop_p"), np.nan)
    if n >= 2:
        from scipy import stats

        z = stats.norm.ppf(0.5 + confidence / 2)
        bias, sd = d.mean(), d.std(ddof=1)
        row.update(bias_log=bias, sd_log=sd, bias_ratio=np.exp(bias),
                   loa_low_ratio=np.exp(bias - z * sd), loa_high_ratio=np.exp(bias + z * sd))
    if n >= 3 and np.ptp((xc + ym) / 2) > 0:
        lr = stats.linregress((xc + ym) / 2, d)
        row.update(prop_slope=lr.slope, prop_p=lr.pvalue)
    return row


def _regressions(xc, ym, cl, *, n_boot, rng, deming_lambda, confidence, pb_max_n) -> dict:
    row: dict = dict.fromkeys(("ccc", "ccc_low", "ccc_high", "deming_slope", "deming_intercept",
                               *_PB_COLS), np.nan)
    row["ccc_resampled"] = "none"
    if xc.size < 3:
        return row
    row["ccc"] = _ccc(xc, ym)
    if n_boot > 0:
        by_cluster = cl is not None and pd.unique(cl).size >= 2
        unit = cl if by_cluster else np.arange(xc.size)
        row["ccc_low"], row["ccc_high"] = ccc_cluster_bootstrap(xc, ym, unit, n_boot, rng, confidence)
        row["ccc_resampled"] = "village" if by_cluster else "household"
    row["deming_slope"], row["deming_intercept"] = deming_slope(xc, ym, deming_lambda)
    if pb_max_n:
        pb = passing_bablok(xc, ym, confidence=confidence, max_n=pb_max_n, random_state=rng)
        row.update(zip(_PB_COLS, (pb.slope, pb.slope_low, pb.slope_high, pb.intercept,
                                  pb.intercept_low, pb.intercept_high, pb.cusum_p)))
    return row


def _kappa(sub: pd.DataFrame) -> dict:
    from sklearn.metrics import cohen_kappa_score

    present = sub["grant_class"].isin(COMPARED).to_numpy()
    gc = (sub["consensus_limit"].to_numpy(dtype=float)[present] > 0).astype(int)
    gm = (pd.to_numeric(sub["model_limit"]).to_numpy(dtype=float)[present] > 0).astype(int)
    kappa = np.nan
    if present.sum() >= 2 and len(np.unique(np.r_[gc, gm])) > 1:
        kappa = float(cohen_kappa_score(gc, gm))
    return {"n_kappa": int(present.sum()), "kappa": kappa,
            "grant_agreement": float(np.mean(gc == gm)) if present.any() else np.nan}


def _summary_one(sub: pd.DataFrame, *, cluster: str | None, **kw) -> dict:
    both = sub["grant_class"].to_numpy() == "both"
    xc = np.log(sub["consensus_limit"].to_numpy(dtype=float)[both])
    ym = np.log(pd.to_numeric(sub["model_limit"]).to_numpy(dtype=float)[both])
    cl = sub[cluster].to_numpy()[both] if cluster is not None and cluster in sub.columns else None
    return {"n_pairs": int(xc.size), **_bland_altman(xc, ym, kw["confidence"]),
            **_regressions(xc, ym, cl, **kw), **_kappa(sub)}


def agreement_summary(
    comparison: pd.DataFrame,
    *,
    by: str | None = None,
    n_boot: int = 1000,
    deming_lambda: float = 1.0,
    confidence: float = 0.95,
    random_state: int | np.random.Generator = 0,
    cluster: str | None = "village",
    pb_max_n: int = 10_000,
    overall: bool = True,
) -> pd.DataFrame:
    """Method-comparison statistics of model against consensus limits, overall and per group.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits` (after :func:`apply_eligibility`: the households with
        no eligible member, grant class ``ineligible``, are set apart and enter no statistic;
        :func:`calib.compare.set_apart_counts` counts them).
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.
    n_boot : int
        Bootstrap replicates for the CCC interval; 0 to skip.
    deming_lambda : float
        Ratio of the error variance of log model limits to that of log consensus limits.
    confidence : float
        Level of the limits of agreement and of the CCC and Passing-Bablok intervals.
    random_state : int or Generator
        Seed of the bootstrap (and of the Passing-Bablok subsample above ``pb_max_n``).
    cluster : str, optional
        Column whose groups are resampled whole by the CCC bootstrap (default ``village``:
        households of a village are not independent). In a row with fewer than two clusters (a
        village's own row), or when the column is absent or ``None``, households are resampled.
    pb_max_n : int
        Passing-Bablok on at most this many pairs per row (a seeded subsample above); 0 skips it.
    overall : bool
        Whether the ``overall`` row is computed (with ``by``, ``False`` gives the group rows
        only: for a caller that has the overall row already, say with a bootstrap interval the
        group rows do without, and would otherwise compute every overall statistic twice).

    Returns
    -------
    DataFrame
        One row per group (``level`` = ``overall`` or ``by``, ``group``), columns ``n_pairs``
        (households both grant), ``bias_log`` (mean of ``log(model) - log(consensus)``),
        ``sd_log``, ``bias_ratio`` (exp of the bias: model / consensus), ``loa_low_ratio``,
        ``loa_high_ratio`` (Bland-Altman limits of agreement at ``confidence``, as ratios),
        ``prop_slope``, ``prop_p`` (OLS slope of the log difference on the mean of the logs and its
        p-value: proportional bias), ``ccc``, ``ccc_low``, ``ccc_high`` (Lin's concordance of the
        logs with a percentile bootstrap interval), ``ccc_resampled`` (``village``,
        ``household`` or ``none``: what the bootstrap resampled), ``deming_slope``,
        ``deming_intercept`` (log model on log consensus), ``pb_slope``, ``pb_slope_low``,
        ``pb_slope_high``, ``pb_intercept``, ``pb_intercept_low``, ``pb_intercept_high``
        (Passing-Bablok regression of log model on log consensus with its intervals),
        ``pb_cusum_p`` (p-value of its cusum test: small values reject linearity), ``n_kappa``
        (households compared: in both inputs, with an eligible member; the grant classes of
        :data:`calib.compare.limits.COMPARED`), ``kappa`` (Cohen's kappa of grant against
        decline), ``grant_agreement`` (share agreeing on grant / decline).

    Notes
    -----
    Bland-Altman on logs (Bland & Altman 1999; Euser et al. 2008) with limits ``exp(bias +-
    z sd)``, ``z = Phi^-1((1 + confidence) / 2)`` (1.95996 at 95%); declines cannot be logged and enter only the kappa. Limits at the cap are
    censored and are not treated specially. Lin's CCC ``2 s_xy / (s_x^2 + s_y^2 + (m_x -
    m_y)^2)`` uses population moments (Lin 1989); its interval is the percentile interval of a
    cluster bootstrap that resamples whole villages (Field & Welsh 2007), since households of one
    village share a panel and a model run. Passing-Bablok: :func:`passing_bablok`. The Deming slope is the closed form with error
    ratio ``lambda`` (Linnet 1993). Kappa: :func:`sklearn.metrics.cohen_kappa_score`.

    References
    ----------
    Bland, J. M., Altman, D. G. (1999). Measuring agreement in method comparison studies.
    Stat. Methods Med. Res. 8, 135-160.
    Lin, L. I. (1989). A concordance correlation coefficient to evaluate reproducibility.
    Biometrics 45, 255-268.
    Field, C. A., Welsh, A. H. (2007). Bootstrapping clustered data. JRSS B 69(3), 369-390.
    Linnet, K. (1993). Evaluation of regression procedures for methods comparison studies.
    Clin. Chem. 39, 424-432.
    """
    require_columns(comparison, ("consensus_limit", "model_limit", "grant_class"), "comparison",
                    "use compare_limits")
    if by is not None and by not in comparison.columns:
        raise CalibInputError(f"comparison: no column {by!r} to group by")
    if not 0 < confidence < 1:
        raise CalibParamsError(f"confidence must be in (0, 1), got {confidence!r}")
    if not overall and by is None:
        raise CalibParamsError("agreement_summary: overall=False needs by (a column to group by)")
    rng = np.random.default_rng(random_state)
    kw = dict(n_boot=n_boot, rng=rng, deming_lambda=deming_lambda, confidence=confidence,
              pb_max_n=pb_max_n, cluster=cluster)
    rows = [{"level": "overall", "group": "overall", **_summary_one(comparison, **kw)}] if overall else []
    if by is not None:
        for g, sub in comparison.groupby(by, sort=True, observed=True):
            rows.append({"level": by, "group": str(g), **_summary_one(sub, **kw)})
    if not rows:  # no group and no overall row: no row, the same columns
        return agreement_summary(comparison.iloc[:0], n_boot=0, pb_max_n=0).iloc[:0]
    out = pd.DataFrame(rows)
    out["level"] = out["level"].astype("str")
    out["group"] = out["group"].astype("str")
    out["ccc_resampled"] = out["ccc_resampled"].astype("str")
    return out
