"""Consensus against the model-run limit (授信额度确认): reconcile, measure agreement, explain gaps.

Step 4 of the programme (``DOMAIN.md``): the bank's batch model produces a model limit per
household; the bank compares it with the panel's consensus limit, investigates the gaps
(查找差额原因) and fixes a final limit. :func:`compare_limits` applies the reconciliation policy
of ``params["reconciliation"]``; :func:`agreement_summary` gives the method-comparison statistics;
:func:`gap_drivers` explains the log ratio; :func:`investigation_list` lists what to investigate.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError, CalibParamsError
from calib.grouping import levels, stack_levels

__all__ = [
    "compare_limits",
    "agreement_summary",
    "gap_drivers",
    "investigation_list",
    "exposure_by_group",
    "compare_rules",
    "household_features",
    "GapDrivers",
    "latest_runs",
    "deming_slope",
    "DEFAULT_POLICY",
    "REASONS",
]

#: Reconciliation policy defaults (keys of ``params["reconciliation"]``).
DEFAULT_POLICY: dict = {
    "rule": "min",
    "blend_weight": 0.5,
    "band_low": 0.67,
    "band_high": 1.5,
    "provisional": "min",
    "cap": 500_000,
    "grid": 1000,
}

#: Reason codes of :func:`compare_limits` (column ``reason``).
REASONS: dict[str, str] = {
    "within_band": "both grant and model / consensus is inside the band: reconciled by the rule",
    "model_above_band": "model limit above the band: provisional limit while investigated",
    "model_below_band": "model limit below the band: provisional limit while investigated",
    "model_declined": "the panel grants, the model declines",
    "consensus_declined": "the model grants, the panel declines",
    "both_declined": "both decline",
    "no_model_run": "household has a consensus but no model run: not confirmed (final 0)",
    "no_consensus": "household has a model run but no peer review: not confirmed (final 0)",
}


def _policy(policy: Mapping | None) -> dict:
    pol = dict(DEFAULT_POLICY)
    if policy is not None:
        unknown = set(policy) - set(DEFAULT_POLICY)
        if unknown:
            raise CalibParamsError(f"reconciliation: unknown key(s) {sorted(unknown)}")
        pol.update(policy)
    if pol["rule"] not in ("min", "consensus", "model", "blend"):
        raise CalibParamsError(f"reconciliation.rule must be min|consensus|model|blend, got {pol['rule']!r}")
    if pol["provisional"] not in ("min", "zero", "consensus", "model"):
        raise CalibParamsError(
            f"reconciliation.provisional must be min|zero|consensus|model, got {pol['provisional']!r}")
    w = pol["blend_weight"]
    if not (isinstance(w, (int, float)) and 0 <= w <= 1):
        raise CalibParamsError(f"reconciliation.blend_weight must be in [0, 1], got {w!r}")
    lo, hi = pol["band_low"], pol["band_high"]
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 < lo <= 1 <= hi):
        raise CalibParamsError(
            f"reconciliation.band_low / band_high must satisfy 0 < band_low <= 1 <= band_high, got {lo!r}, {hi!r}")
    if pol["cap"] is not None and not pol["cap"] > 0:
        raise CalibParamsError(f"reconciliation.cap must be positive or null, got {pol['cap']!r}")
    if not (pol["grid"] and pol["grid"] > 0):
        raise CalibParamsError(f"reconciliation.grid must be positive, got {pol['grid']!r}")
    return pol


def _to_grid(x: np.ndarray, grid: float, cap: float | None) -> np.ndarray:
    x = np.asarray(x, float)
    if cap is not None:
        x = np.minimum(x, cap)
    out = np.round(x / grid) * grid
    out = np.where((x > 0) & (out <= 0), grid, out)
    if cap is not None:
        out = np.minimum(out, cap)
    return out


def latest_runs(model_runs: pd.DataFrame) -> pd.DataFrame:
    """Each household's latest model run (by ``run_date``), index ``household_id``."""
    for col in ("household_id", "model_limit"):
        if col not in model_runs.columns:
            raise CalibInputError(f"model_runs: missing required column {col!r}")
    mr = model_runs
    if "run_date" in mr.columns:
        mr = mr.sort_values(["household_id", "run_date"], kind="stable")
    return mr.drop_duplicates("household_id", keep="last").set_index("household_id")


def compare_limits(
    consensus: pd.DataFrame,
    model_runs: pd.DataFrame,
    *,
    policy: Mapping | None = None,
) -> pd.DataFrame:
    """Compare consensus and model limits per household and fix the final limit.

    Parameters
    ----------
    consensus : DataFrame
        Output of :func:`calib.consensus.consensus_limits` (index ``household_id``; needs
        ``consensus_limit``; ``village``, ``township``, ``white_list``, ``needs_rereview``,
        ``dispersion`` are carried when present). A ``household_id`` column is also accepted.
    model_runs : DataFrame
        ``household_id, run_date, model_limit`` (and optionally ``model_score, grade``); several
        runs per household are allowed, the latest ``run_date`` is used.
    policy : mapping, optional
        ``params["reconciliation"]``: ``rule`` (min | consensus | model | blend), ``blend_weight``
        (weight of the consensus in the geometric blend), ``band_low``, ``band_high`` (band of
        model / consensus inside which limits are reconciled by ``rule``), ``provisional`` (limit
        while a gap is investigated: min | zero | consensus | model), ``cap``, ``grid``. Missing
        keys take :data:`DEFAULT_POLICY`.

    Returns
    -------
    DataFrame
        Index ``household_id``: every household of either input (nothing dropped). Columns
        ``village``/``township`` (when the consensus has them), ``consensus_limit``,
        ``model_limit`` (NaN when absent), ``model_run_date`` (when given), ``ratio`` (model /
        consensus when both grant, else NaN), ``log_ratio``, ``grant_class`` (``both``,
        ``consensus_only``, ``model_only``, ``neither``, ``no_model_run``, ``no_consensus``),
        ``gap_flag`` (bool: outside the band, grant disagreement or a missing input),
        ``exposure_gap`` (yuan, |model - consensus|, the present limit when one is missing),
        ``final_limit`` (yuan, capped and on the grid), ``capped`` (bool: the cap bound the final
        limit), ``reason`` (a code of :data:`REASONS`), plus ``white_list``,
        ``needs_rereview``, ``dispersion``, ``model_score``, ``grade`` when present.

    Notes
    -----
    Inside the band the final limit is ``min(c, m)``, ``c``, ``m`` or ``exp(w ln c + (1 - w) ln m)``;
    outside the band and on grant disagreements it is the provisional limit (``min`` gives 0 when
    one side declines). A household missing from one input is not confirmed (final limit 0).
    The final limit is capped at ``cap`` and rounded to the nearest multiple of ``grid``.
    """
    pol = _policy(policy)
    cons = consensus
    if "household_id" in cons.columns:
        cons = cons.set_index("household_id")
    if "consensus_limit" not in cons.columns:
        raise CalibInputError("consensus: missing required column 'consensus_limit'")
    if not cons.index.is_unique:
        raise CalibInputError("consensus: household_id must be unique")
    runs = latest_runs(model_runs)
    keep_runs = [c for c in ("run_date", "model_limit", "model_score", "grade") if c in runs.columns]
    runs = runs[keep_runs].rename(columns={"run_date": "model_run_date"})
    carry = [c for c in ("village", "township", "consensus_limit", "white_list", "needs_rereview",
                         "dispersion") if c in cons.columns]
    out = cons[carry].join(runs, how="outer")
    out.index.name = "household_id"
    # households the model ran but no panel reviewed take their location from the model run
    all_runs = latest_runs(model_runs)
    for col in ("village", "township"):
        if col in all_runs.columns:
            loc = all_runs[col].reindex(out.index)
            out[col] = out[col].fillna(loc) if col in out.columns else loc
    in_c = cons.index.get_indexer(out.index) >= 0
    in_m = runs.index.get_indexer(out.index) >= 0
    c = out["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = pd.to_numeric(out["model_limit"]).to_numpy(dtype=float, na_value=np.nan)
    if np.any(m[in_m] < 0) or np.any(~np.isfinite(m[in_m])):
        raise CalibInputError("model_runs: column 'model_limit' must be a finite amount >= 0")
    cg = in_c & (np.nan_to_num(c) > 0)
    mg = in_m & (np.nan_to_num(m) > 0)
    both = cg & mg
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(both, m / c, np.nan)
    lo, hi = pol["band_low"], pol["band_high"]
    inside = both & (ratio >= lo) & (ratio <= hi)
    grant_class = np.select(
        [~in_m, ~in_c, both, cg & ~mg, mg & ~cg],
        ["no_model_run", "no_consensus", "both", "consensus_only", "model_only"], "neither")
    reason = np.select(
        [~in_m, ~in_c, inside, both & (ratio > hi), both & (ratio < lo), cg & ~mg, mg & ~cg],
        ["no_model_run", "no_consensus", "within_band", "model_above_band", "model_below_band",
         "model_declined", "consensus_declined"], "both_declined")
    cz, mz = np.nan_to_num(c), np.nan_to_num(m)
    rule = pol["rule"]
    if rule == "min":
        reconciled = np.minimum(cz, mz)
    elif rule == "consensus":
        reconciled = cz
    elif rule == "model":
        reconciled = mz
    else:
        w = float(pol["blend_weight"])
        with np.errstate(divide="ignore", invalid="ignore"):
            reconciled = np.where(both, np.exp(w * np.log(np.where(both, cz, 1.0))
                                               + (1 - w) * np.log(np.where(both, mz, 1.0))), 0.0)
    prov = {"min": np.minimum(cz, mz), "zero": np.zeros_like(cz), "consensus": cz, "model": mz}[pol["provisional"]]
    final = np.where(inside, reconciled, prov)
    final = np.where(in_c & in_m, final, 0.0)
    final = np.where(cg | mg, final, 0.0)
    cap = pol["cap"]
    out["ratio"] = ratio
    out["log_ratio"] = np.log(ratio)
    out["grant_class"] = pd.array(grant_class.astype(str), dtype="str")
    out["gap_flag"] = ~inside & ~(grant_class == "neither")
    out["exposure_gap"] = np.abs(cz - mz)
    out["final_limit"] = _to_grid(final, pol["grid"], cap)
    out["capped"] = (final > cap) if cap is not None else np.zeros(len(out), bool)
    out["reason"] = pd.array(reason.astype(str), dtype="str")
    first = [c for c in ("village", "township", "consensus_limit", "model_limit", "model_run_date",
                         "ratio", "log_ratio", "grant_class", "gap_flag", "exposure_gap",
                         "final_limit", "capped", "reason") if c in out.columns]
    return out[first + [c for c in out.columns if c not in first]]


# --------------------------------------------------------------------------------------------
# agreement statistics
# --------------------------------------------------------------------------------------------
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
    for col in ("consensus_limit", "model_limit", "grant_class"):
        if col not in comparison.columns:
            raise CalibInputError(f"comparison: missing required column {col!r} (use compare_limits)")
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


# --------------------------------------------------------------------------------------------
# gap drivers
# --------------------------------------------------------------------------------------------
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

    for col in ("log_ratio", group):
        if col not in comparison.columns:
            raise CalibInputError(f"comparison: missing required column {col!r}")
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


def _heads(roster: pd.DataFrame) -> pd.DataFrame:
    """One roster row per household: the head (户主 / head / 本人), else the oldest member."""
    for col in ("household_id",):
        if col not in roster.columns:
            raise CalibInputError(f"roster: missing required column {col!r}")
    rel = roster["relation_to_head"].astype("string") if "relation_to_head" in roster.columns \
        else pd.Series(pd.NA, index=roster.index, dtype="string")
    is_head = rel.isin(["户主", "head", "本人"]).fillna(False).to_numpy(bool)
    age = pd.to_numeric(roster["age"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) \
        if "age" in roster.columns else np.zeros(len(roster))
    order = pd.DataFrame({"household_id": roster["household_id"].to_numpy(), "_h": ~is_head,
                          "_a": -np.nan_to_num(age, nan=-1.0), "_i": np.arange(len(roster))})
    order = order.sort_values(["household_id", "_h", "_a", "_i"], kind="stable")
    first = order.drop_duplicates("household_id", keep="first")
    return roster.iloc[first["_i"].to_numpy()].set_index("household_id")


def investigation_list(
    comparison: pd.DataFrame,
    *,
    households: pd.DataFrame | None = None,
    roster: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Households to investigate (查找差额原因), largest exposure gap first, personal data masked.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits`.
    households : DataFrame, optional
        ``Programme.households()`` (index ``household_id``); its ``group`` (village group) and
        missing location columns are joined for the account managers.
    roster : DataFrame, optional
        The ``roster`` table. When given, the household head's name and phone are added
        **masked** (``张*``, ``139****2541``) so that the account manager can find the household;
        the head is the member whose ``relation_to_head`` is 户主 / head / 本人, else the oldest.
        Raw names, ID numbers and phones never leave this function.

    Returns
    -------
    DataFrame
        Rows with ``gap_flag``, sorted by ``exposure_gap`` descending (ties by household_id):
        ``household_id``, location columns (``township``, ``village``, ``group``),
        ``head_name``, ``head_phone`` (masked; with ``roster``), ``consensus_limit``,
        ``model_limit``, ``ratio`` (model / consensus), ``exposure_gap`` (yuan),
        ``provisional_limit`` (the limit while the gap is investigated: ``final_limit`` of
        :func:`compare_limits`), ``reason`` (primary code, see :data:`REASONS`),
        ``reason_codes`` (``;``-joined: the primary code plus ``capped``, ``needs_rereview`` and
        ``off_white_list`` when they apply).
    """
    from calib.masking import mask_name, mask_phone

    for col in ("gap_flag", "exposure_gap", "reason"):
        if col not in comparison.columns:
            raise CalibInputError(f"comparison: missing required column {col!r} (use compare_limits)")
    sub = comparison[comparison["gap_flag"].to_numpy(dtype=bool)].copy()
    if households is not None:
        hh = households.set_index("household_id") if "household_id" in households.columns else households
        add = [c for c in ("township", "village", "group") if c in hh.columns and c not in sub.columns]
        sub = sub.join(hh[add], how="left")
    if roster is not None:
        heads = _heads(roster)
        idx = heads.index.get_indexer(sub.index)
        found = idx >= 0
        for src, dst, fn in (("name", "head_name", mask_name), ("phone", "head_phone", mask_phone)):
            vals = pd.Series(pd.NA, index=sub.index, dtype="string")
            if src in heads.columns and found.any():
                masked = fn(heads[src].iloc[idx[found]].reset_index(drop=True))
                vals[found] = masked.to_numpy()
            sub[dst] = vals
    codes = sub["reason"].astype(str).to_numpy().astype(object)
    extra = {
        "capped": sub["capped"].to_numpy(bool) if "capped" in sub else None,
        "needs_rereview": sub["needs_rereview"].fillna(False).to_numpy(bool) if "needs_rereview" in sub else None,
        "off_white_list": (~sub["white_list"].fillna(True).to_numpy(bool)) if "white_list" in sub else None,
    }
    for name, mask in extra.items():
        if mask is not None:
            codes = np.where(mask, codes + ";" + name, codes)
    sub["reason_codes"] = pd.array(codes.astype(str), dtype="str")
    if "final_limit" in sub.columns:
        sub = sub.rename(columns={"final_limit": "provisional_limit"})
    sub = sub.reset_index()
    sub = sub.sort_values(["exposure_gap", "household_id"], ascending=[False, True], kind="stable")
    cols = [c for c in ("household_id", "township", "village", "group", "head_name", "head_phone",
                        "consensus_limit", "model_limit", "ratio", "exposure_gap",
                        "provisional_limit", "reason", "reason_codes") if c in sub.columns]
    return sub[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# exposure and policy
# --------------------------------------------------------------------------------------------
def exposure_by_group(comparison: pd.DataFrame, *, by: str | None = "village") -> pd.DataFrame:
    """Total exposure under the consensus, the model and the reconciled final limits.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level``, ``group``, ``households``, ``total_consensus``, ``total_model``,
        ``total_final`` (yuan; a missing limit counts 0), ``final_vs_consensus``
        (``total_final / total_consensus``), ``final_vs_model``, ``n_gap`` (households flagged),
        ``exposure_gap`` (yuan, sum of ``|model - consensus|``).
    """
    for col in ("consensus_limit", "model_limit", "final_limit", "gap_flag", "exposure_gap"):
        if col not in comparison.columns:
            raise CalibInputError(f"comparison: missing required column {col!r} (use compare_limits)")
    c = comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = pd.to_numeric(comparison["model_limit"]).to_numpy(dtype=float, na_value=np.nan)
    f = comparison["final_limit"].to_numpy(dtype=float, na_value=np.nan)
    gap = comparison["gap_flag"].to_numpy(dtype=bool)
    eg = comparison["exposure_gap"].to_numpy(dtype=float, na_value=np.nan)
    groups = levels(comparison, by, name="comparison")
    rows = []
    for level, g, n, labels in groups:
        tc = np.bincount(g, np.nan_to_num(c), n)
        tm = np.bincount(g, np.nan_to_num(m), n)
        tf = np.bincount(g, np.nan_to_num(f), n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(pd.DataFrame({
                "level": level, "group": np.asarray(labels, dtype=object).astype(str),
                "households": np.bincount(g, minlength=n).astype(np.int64),
                "total_consensus": tc, "total_model": tm, "total_final": tf,
                "final_vs_consensus": tf / tc, "final_vs_model": tf / tm,
                "n_gap": np.bincount(g, gap.astype(float), n).astype(np.int64),
                "exposure_gap": np.bincount(g, np.nan_to_num(eg), n),
            }))
    return stack_levels(rows)


def compare_rules(
    consensus: pd.DataFrame,
    model_runs: pd.DataFrame,
    *,
    policy: Mapping | None = None,
    rules: tuple[str, ...] = ("min", "consensus", "model", "blend"),
) -> pd.DataFrame:
    """Total exposure of the programme under each reconciliation rule, other keys as ``policy``.

    Parameters
    ----------
    consensus, model_runs : DataFrame
        As for :func:`compare_limits`.
    policy : mapping, optional
        ``params["reconciliation"]``; its ``rule`` is replaced in turn by each of ``rules``.
    rules : tuple of str
        Rules to compare (see :func:`compare_limits`).

    Returns
    -------
    DataFrame
        One row per rule: ``rule``, ``current`` (bool: the policy's own rule),
        ``households_granted`` (final limit > 0), ``total_final`` (yuan), ``mean_final``
        (yuan per granted household), ``vs_current`` (``total_final`` relative to the current
        rule's), ``total_within_band`` (yuan reconciled by the rule; the rest is provisional).
    """
    pol = _policy(policy)
    rows = []
    for rule in rules:
        cmp_ = compare_limits(consensus, model_runs, policy={**pol, "rule": rule})
        f = cmp_["final_limit"].to_numpy(dtype=float)
        inside = (cmp_["reason"] == "within_band").to_numpy()
        g = int((f > 0).sum())
        rows.append({"rule": rule, "current": rule == pol["rule"], "households_granted": g,
                     "total_final": float(f.sum()), "mean_final": float(f.sum() / g) if g else np.nan,
                     "total_within_band": float(f[inside].sum())})
    out = pd.DataFrame(rows)
    cur = out.loc[out["current"], "total_final"]
    out["vs_current"] = out["total_final"] / float(cur.iloc[0]) if len(cur) and cur.iloc[0] > 0 else np.nan
    out["rule"] = out["rule"].astype("str")
    return out[["rule", "current", "households_granted", "total_final", "mean_final", "vs_current",
                "total_within_band"]]


# --------------------------------------------------------------------------------------------
# household features for gap_drivers
# --------------------------------------------------------------------------------------------
def household_features(programme) -> pd.DataFrame:
    """Numeric household features for :func:`gap_drivers`, built from the loaded tables.

    Parameters
    ----------
    programme : calib.programme.Programme
        A loaded programme (``reviews`` and ``roster`` needed; ``points`` optional).

    Returns
    -------
    DataFrame
        Index ``household_id`` (every household of the roster), float columns:

        - ``business_rating``: mean business rating (1-5) over the household's reviews;
        - ``integrity_rating``: mean integrity rating (1-5) over its reviews;
        - ``log_income``: mean of ``log(annual_income)`` over reviews with a positive income;
        - ``land_mu``: contracted land of the household (mu), from ``Programme.households()``;
        - ``head_age``: age of the household head at ``as_of``;
        - ``points_100``: the latest period's points / 100 (only when the programme has a
          ``points`` table).

        A household without reviews (or points) has NaN there; :func:`gap_drivers` counts such
        households in ``n_dropped`` and leaves them out.
    """
    rv = programme.reviews
    for col in ("household_id", "business_rating", "integrity_rating", "annual_income"):
        if col not in rv.columns:
            raise CalibInputError(f"reviews: missing required column {col!r}")
    hh = programme.households()
    inc = pd.to_numeric(rv["annual_income"]).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        loginc = np.where(inc > 0, np.log(np.where(inc > 0, inc, 1.0)), np.nan)
    per = pd.DataFrame({
        "household_id": rv["household_id"].to_numpy(),
        "business_rating": pd.to_numeric(rv["business_rating"]).to_numpy(dtype=float, na_value=np.nan),
        "integrity_rating": pd.to_numeric(rv["integrity_rating"]).to_numpy(dtype=float, na_value=np.nan),
        "log_income": loginc,
    }).groupby("household_id", sort=False).mean()
    out = pd.DataFrame(index=pd.Index(hh.index, name="household_id"))
    out = out.join(per, how="left")
    out["land_mu"] = pd.to_numeric(hh["land_mu"]).to_numpy(dtype=float, na_value=np.nan)
    out["head_age"] = pd.to_numeric(hh["head_age"]).to_numpy(dtype=float, na_value=np.nan)
    pts = programme.points
    if pts is not None and len(pts) > 0:
        for col in ("household_id", "period", "points"):
            if col not in pts.columns:
                raise CalibInputError(f"points: missing required column {col!r}")
        latest = pts.sort_values(["household_id", "period"], kind="stable").drop_duplicates(
            "household_id", keep="last").set_index("household_id")["points"]
        out["points_100"] = pd.to_numeric(latest).reindex(out.index).to_numpy(dtype=float, na_value=np.nan) / 100
    return out.astype(float)
