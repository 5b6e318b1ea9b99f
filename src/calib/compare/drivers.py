"""Why model and consensus disagree: the log ratio on household features with village effects."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

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
    se_method: str = ""
    #: The method as catalogue entries: ``(key, fields)`` pairs, ``("se.cluster", {"df": G - 1})``
    #: or ``("se.hc1", {"df": N - K})``, then ``("se.wild.webb", {"n_boot", "clusters"})`` (or ``se.wild.rademacher``) and
    #: ``("se.wild.enumerated", {})`` when every weight vector was enumerated
    #: when the wild bootstrap was added; a report renders them with ``calib.report.t``.
    se_parts: tuple = ()


#: Below this many clusters :func:`gap_drivers` adds wild cluster bootstrap p-values by default:
#: the one threshold of every clustered fit (:data:`calib._stats.FEW_CLUSTERS`), which the pages state.
from calib._stats import FEW_CLUSTERS  # noqa: E402

#: The values of ``direction`` in :func:`gap_drivers`' village table, in the order reports state them.
DIRECTIONS = ("model_above", "model_below", "in_line")


def _frame(comparison: pd.DataFrame, features: pd.DataFrame, group: str) -> tuple[pd.DataFrame, list, int]:
    """Households where both grant with all features; the feature names; how many were dropped."""
    require_columns(comparison, ("log_ratio", group), "comparison")
    feats = features.set_index("household_id") if "household_id" in features.columns else features
    nonnum = [c for c in feats.columns if not pd.api.types.is_numeric_dtype(feats[c])]
    if nonnum:
        raise CalibInputError(f"features: column(s) {nonnum} are not numeric")
    if feats.shape[1] == 0:
        raise CalibInputError("features: no feature columns")
    pair = np.isfinite(comparison["log_ratio"].to_numpy(dtype=float, na_value=np.nan))
    if "grant_class" in comparison.columns:   # the pairs of agreement_summary: both grant, an eligible member
        pair &= comparison["grant_class"].to_numpy() == "both"
    cmp_ = comparison[pair]
    df = cmp_[[group, "log_ratio"]].join(feats.astype(float), how="left")
    complete = df[list(feats.columns)].notna().all(axis=1).to_numpy()
    df = df[complete]
    if len(df) <= feats.shape[1] + 1:
        raise CalibInputError("gap_drivers: too few households with both limits and all features")
    return df, list(feats.columns), int((~complete).sum())


def _coefficients(Xd, yd, gcode, G, cols, confidence, wild, n_boot, random_state):
    """Coefficient table (cluster-robust with t(G - 1), or HC1 with one cluster) and the method."""
    import statsmodels.api as sm

    if G >= 2:
        res = sm.OLS(yd, Xd).fit(cov_type="cluster", cov_kwds={"groups": gcode}, use_t=True)
        how = (f"cluster-robust by village (CR1, G/(G-1) (N-1)/(N-K), absorbed effects not counted), "
               f"t({G - 1}) critical values")
        parts = [("se.cluster", {"df": G - 1})]
    else:
        res = sm.OLS(yd, Xd).fit(cov_type="HC1", use_t=True)
        how = f"one village: heteroskedasticity-robust HC1, t({len(yd) - Xd.shape[1]}) critical values"
        parts = [("se.hc1", {"df": len(yd) - Xd.shape[1]})]
    ci = res.conf_int(alpha=1 - confidence)
    coef = pd.DataFrame({"term": pd.array(cols, dtype="str"), "coef": res.params, "std_err": res.bse,
                         "t": res.tvalues, "p_value": res.pvalues, "ci_low": ci[:, 0],
                         "ci_high": ci[:, 1], "p_wild": np.nan})
    if wild is None:
        wild = 2 <= G < FEW_CLUSTERS
    if wild and G >= 2:
        from calib._stats import wild_cluster_pvalues, wild_weights

        coef["p_wild"], wild_how = wild_cluster_pvalues(Xd, yd, gcode, n_boot=n_boot,
                                                        random_state=random_state)
        how += "; " + wild_how
        V, enumerated, kind = wild_weights(G, n_boot)  # what wild_cluster_pvalues used (cheap)
        parts.append((f"se.wild.{kind}", {"n_boot": V.shape[0], "clusters": G}))
        parts += [("se.wild.enumerated", {})] if enumerated else []
    return coef, res.params, how, tuple(parts)


def _village_effects(gcode, G, glabels, cnt, y, ym, X, Xm, yd, Xd, beta, confidence) -> tuple[pd.DataFrame, float]:
    """Each village's effect (its mean log ratio at the average features) with a t interval."""
    from scipy import stats

    effect = ym - (Xm - X.mean(axis=0)) @ beta
    resid = yd - Xd @ beta
    ss = np.bincount(gcode, resid ** 2, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(ss / np.maximum(cnt - 1, 1) / cnt)
        tq = stats.t.ppf(0.5 + confidence / 2, np.maximum(cnt - 1, 1))
    lo = np.where(cnt > 1, effect - tq * se, np.nan)
    hi = np.where(cnt > 1, effect + tq * se, np.nan)
    direction = np.where(lo > 0, "model_above", np.where(hi < 0, "model_below", "in_line"))
    villages = pd.DataFrame({"group": pd.Index(glabels).astype(str), "n": cnt.astype(np.int64),
                             "mean_log_ratio": ym, "effect": effect, "ci_low": lo, "ci_high": hi,
                             "direction": pd.array(direction.astype(str), dtype="str")})
    tss = float(np.sum(yd ** 2))
    return villages, (1 - float(np.sum(resid ** 2)) / tss if tss > 0 else np.nan)


def gap_drivers(
    comparison: pd.DataFrame,
    features: pd.DataFrame,
    *,
    group: str = "village",
    confidence: float = 0.95,
    wild_bootstrap: bool | None = None,
    n_boot: int = 9999,
    random_state: int | np.random.Generator = 0,
) -> GapDrivers:
    """Why model and consensus disagree: log_ratio on household features, village effects.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits` (``log_ratio`` and the ``group`` column), after
        :func:`apply_eligibility`: a household of grant class ``ineligible`` (no eligible member)
        is not a pair and does not enter.
    features : DataFrame
        Numeric household characteristics, index ``household_id`` (or a ``household_id``
        column), e.g. mean ratings, log income, land, head age, points.
    group : str
        Column of the fixed effects and of the clusters (default ``village``).
    confidence : float
        Level of the intervals.
    wild_bootstrap : bool, optional
        Add wild cluster bootstrap-t p-values (``p_wild``); default: when there are fewer than
        30 clusters (:data:`FEW_CLUSTERS`).
    n_boot, random_state
        Replicates and seed of the wild bootstrap (see :func:`calib._stats.wild_cluster_pvalues`).

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
        both grant but lack a feature), ``r2_within``, ``se_method`` (how the standard errors,
        intervals and p-values were obtained, in words, for the methods appendix) and
        ``se_parts`` (the same as catalogue keys with their fields, for a report in any language).

    Notes
    -----
    Only households where both grant (finite ``log_ratio``; grant class ``both`` when the column
    is present: the pairs of :func:`calib.compare.agreement_summary`) enter, so that ``n_obs +
    n_dropped`` is its ``n_pairs``. The fixed effects are absorbed
    by demeaning within group (Frisch-Waugh-Lovell), so the slopes equal those of the dummy
    regression; the covariance is statsmodels' ``cov_type="cluster"`` on the demeaned
    regression with its small-sample factor ``G / (G - 1) x (N - 1) / (N - K)``, ``K`` the
    features only: the absorbed effects are not counted (they are nested in the clusters; Cameron
    & Miller 2015, sec. VI.B). Intervals and p-values use t(G - 1) critical values, as fixest and
    Stata do (with 8 villages the normal ones are 17% too narrow). With fewer than 30 clusters the
    wild cluster restricted bootstrap-t p-value is added (Cameron, Gelbach & Miller 2008; Webb
    weights with at most 12 clusters). With a single village clustering is impossible: the
    standard errors are then heteroskedasticity-robust (HC1) with t(N - K) critical values, and
    ``se_method`` says so.

    References
    ----------
    Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    J. Human Resources 50(2), 317-372.
    Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for
    inference with clustered errors. Rev. Econ. Stat. 90(3), 414-427.
    Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. Canadian
    J. Economics 56(3), 839-858.
    """
    df, cols, n_dropped = _frame(comparison, features, group)
    gcode, glabels = pd.factorize(df[group], sort=True)
    G = len(glabels)
    X = df[cols].to_numpy(float)
    y = df["log_ratio"].to_numpy(float)
    cnt = np.bincount(gcode, minlength=G).astype(float)
    Xm = np.stack([np.bincount(gcode, X[:, j], G) / cnt for j in range(X.shape[1])], axis=1)
    ym = np.bincount(gcode, y, G) / cnt
    Xd, yd = X - Xm[gcode], y - ym[gcode]
    coef, beta, how, parts = _coefficients(Xd, yd, gcode, G, cols, confidence, wild_bootstrap, n_boot, random_state)
    villages, r2 = _village_effects(gcode, G, glabels, cnt, y, ym, X, Xm, yd, Xd, beta, confidence)
    return GapDrivers(coef, villages, int(len(df)), int(G), n_dropped, r2, how, parts)


def direction_counts(villages: pd.DataFrame) -> pd.Series:
    """How many villages the model sits above the panel, below it, or not told apart.

    Parameters
    ----------
    villages : DataFrame
        ``villages`` of :func:`gap_drivers` (column ``direction``).

    Returns
    -------
    Series of int
        Named ``villages``, index :data:`DIRECTIONS` (``model_above``, ``model_below``,
        ``in_line``), 0 for a direction no village takes; the counts add up to the villages.

    Examples
    --------
    >>> direction_counts(pd.DataFrame({"direction": ["in_line", "model_above", "in_line"]})).to_dict()
    {'model_above': 1, 'model_below': 0, 'in_line': 2}
    """
    require_columns(villages, ("direction",), "villages", "use gap_drivers")
    d = villages["direction"].astype("str")
    unknown = sorted(set(d) - set(DIRECTIONS))
    if unknown:
        raise CalibInputError(f"villages: unknown direction(s) {unknown}; use gap_drivers")
    return d.value_counts().reindex(list(DIRECTIONS), fill_value=0).astype("int64").rename("villages")
