"""The bank's current scorecard against a calibrated one: AUC difference (DeLong), nested
likelihood-ratio tests, grade migration."""
from __future__ import annotations

import warnings
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError, CalibParamsError
from calib.scorecard.discrimination import delong_auc_cov

__all__ = ["compare_scorecards", "ScorecardComparison"]


class ScorecardComparison(NamedTuple):
    """Result of :func:`compare_scorecards`."""

    auc: pd.DataFrame
    """DeLong test, one row: auc_current, auc_calibrated, auc_diff, se_diff, ci, z, p_value."""
    lr: pd.DataFrame
    """Likelihood-ratio tests of nested logits: test, restricted, full, llf_restricted,
    llf_full, df, lr_stat, p_value."""
    migration: pd.DataFrame
    """Households by current grade (rows) and calibrated grade (columns)."""
    changes: pd.DataFrame
    """Households whose grade changes: current_score, current_grade, calibrated_score,
    calibrated_grade, direction (up / down), default (if known)."""


def _logit_llf(y: np.ndarray, X: np.ndarray) -> float:
    """Log-likelihood of a logit with intercept; linearly dependent columns are dropped (a
    model with a redundant column has the same likelihood)."""
    import statsmodels.api as sm
    X = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    _, r = np.linalg.qr(X)
    d = np.abs(np.diag(r))
    keep = d > 1e-9 * d.max()
    X = X[:, keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(sm.Logit(y, X).fit(disp=0, maxiter=100).llf)


def compare_scorecards(current: pd.DataFrame, calibrated: pd.DataFrame, y: Any, *,
                       X: pd.DataFrame | None = None, weights: Mapping[str, float] | None = None,
                       grades: Sequence[str] = ("AAA", "AA", "A", "B"),
                       alpha: float = 0.05) -> ScorecardComparison:
    """Compare the bank's current scorecard with a calibrated one on the same households.

    Parameters
    ----------
    current, calibrated : DataFrame
        Same index (households), columns ``score`` (higher = safer) and ``grade``; e.g.
        :func:`score_current` and ``pd.DataFrame({"score": card.score_points(X), "grade": ...})``.
    y : array-like or Series
        Default 0/1 aligned with the frames, missing for households without an outcome
        (those enter the migration and changes tables but not the tests).
    X, weights : optional
        Raw characteristics and current weights: adds the LR test of the current fixed weights
        against free logit weights on the same characteristics.
    grades : sequence of str
        Grade order, best first.
    alpha : float
        Level of the AUC-difference confidence interval.

    Returns
    -------
    ScorecardComparison
        ``auc``, ``lr``, ``migration``, ``changes`` (see the class).

    Notes
    -----
    AUCs and their difference: DeLong test (:func:`calib.validation.delong_auc_cov`). LR tests
    (all nested): (1) ``calibrated adds to current``: logit of default on the current score
    against the current and calibrated scores (df 1); (2) the reverse; (3) with ``X`` and
    ``weights``: the current score (one free slope: weights fixed in ratio) against free slopes
    on each weighted characteristic (df K - 1). ``LR = 2 (llf_full - llf_restricted)`` is
    chi-square under the restricted model; defaults clustered in villages make it liberal.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845. Wilks, S. S. (1938). The large-sample
    distribution of the likelihood ratio for testing composite hypotheses. *Ann. Math. Statist.*
    9, 60-62.
    """
    for fr, name in ((current, "current"), (calibrated, "calibrated")):
        if "score" not in fr.columns:
            raise CalibInputError(f"{name}: missing column 'score'")
    if not current.index.equals(calibrated.index):
        raise CalibInputError("current and calibrated: indexes differ (align them by household)")
    yser = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y).ravel(), index=current.index)
    if isinstance(y, pd.Series) and not y.index.equals(current.index):
        yser = y.reindex(current.index)
    yv = pd.to_numeric(yser, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if yv.shape[0] != current.shape[0]:
        raise CalibInputError("y: length differs from the frames")
    obs = ~np.isnan(yv)
    sc = current["score"].to_numpy(dtype=float)
    sk = calibrated["score"].to_numpy(dtype=float)
    yo = yv[obs]
    aucs, cov = delong_auc_cov(yo, np.vstack([-sc[obs], -sk[obs]]))
    diff = aucs[1] - aucs[0]
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    z = diff / se if se > 0 else 0.0
    auc = pd.DataFrame({
        "auc_current": [aucs[0]], "auc_calibrated": [aucs[1]], "auc_diff": [diff],
        "se_diff": [se], "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [z],
        "p_value": [2 * stats.norm.sf(abs(z)) if se > 0 else 1.0],
        "n": [int(obs.sum())], "n_defaults": [int(yo.sum())]})
    # likelihood-ratio tests; scores standardised for numerical stability
    zc = (sc[obs] - sc[obs].mean()) / (sc[obs].std() or 1.0)
    zk = (sk[obs] - sk[obs].mean()) / (sk[obs].std() or 1.0)
    ll_c, ll_k = _logit_llf(yo, zc[:, None]), _logit_llf(yo, zk[:, None])
    ll_ck = _logit_llf(yo, np.column_stack([zc, zk]))
    rows = [("calibrated adds to current", "current score", "current + calibrated scores",
             ll_c, ll_ck, 1), ("current adds to calibrated", "calibrated score",
                                "current + calibrated scores", ll_k, ll_ck, 1)]
    if X is not None and weights is not None:
        w = {k: v for k, v in dict(weights).items() if k != "intercept" and float(v) != 0.0}
        miss = [k for k in w if k not in X.columns]
        if miss:
            raise CalibParamsError(f"weights: characteristic(s) {miss} not in X")
        Xm = X.loc[current.index, list(w)].to_numpy(dtype=float)[obs]
        Xm = (Xm - Xm.mean(axis=0)) / np.where(Xm.std(axis=0) > 0, Xm.std(axis=0), 1.0)
        ll_free = _logit_llf(yo, Xm)
        rows.append(("free weights vs current ratios", "current score (fixed weight ratios)",
                     f"free slopes on {list(w)}", ll_c, ll_free, len(w) - 1))
    lr = pd.DataFrame(rows, columns=["test", "restricted", "full", "llf_restricted", "llf_full", "df"])
    lr["lr_stat"] = np.maximum(2 * (lr["llf_full"] - lr["llf_restricted"]), 0.0)
    lr["p_value"] = stats.chi2.sf(lr["lr_stat"], lr["df"].clip(lower=1))
    lr.loc[lr["df"] < 1, "p_value"] = np.nan
    # migration
    order = {g: i for i, g in enumerate(grades)}
    gc = current["grade"].astype(str) if "grade" in current else None
    gk = calibrated["grade"].astype(str) if "grade" in calibrated else None
    if gc is None or gk is None:
        raise CalibInputError("current and calibrated: need a 'grade' column for the migration")
    mig = pd.crosstab(pd.Categorical(gc, categories=list(grades)),
                      pd.Categorical(gk, categories=list(grades)), dropna=False)
    mig.index.name, mig.columns.name = "current_grade", "calibrated_grade"
    rc = gc.map(order).to_numpy(dtype=float, na_value=np.nan)
    rk = gk.map(order).to_numpy(dtype=float, na_value=np.nan)
    changed = rc != rk
    changes = pd.DataFrame({
        "current_score": sc, "current_grade": gc.to_numpy(), "calibrated_score": sk,
        "calibrated_grade": gk.to_numpy(),
        "direction": np.where(rk < rc, "up", "down"), "default": yv}, index=current.index)[changed]
    return ScorecardComparison(auc, lr, mig, changes)

