"""The bank's current scorecard against a calibrated one, and the keep-or-replace verdict.

- :func:`compare_scorecards` — AUC difference (DeLong), nested likelihood-ratio tests and grade
  migration on given scores; labels the evidence in-sample or out-of-fold;
- :func:`compare_out_of_fold` — the same on the out-of-fold scores and grades of
  :func:`calib.scorecard.crossval.cross_validate` (households not used to fit);
- :func:`keep_or_replace` — the decision, one row: figure, CI, threshold, verdict.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError, CalibParamsError
from calib.scorecard.discrimination import delong_auc_cov, village_bootstrap_auc_diff
from calib.scorecard.grades import GRADES

__all__ = ["compare_scorecards", "compare_out_of_fold", "keep_or_replace", "ScorecardComparison",
           "IN_SAMPLE", "OUT_OF_FOLD", "MIN_AUC_GAIN"]

#: Evidence labels of :func:`compare_scorecards`.
IN_SAMPLE = "in-sample"
OUT_OF_FOLD = "out-of-fold"

#: Smallest out-of-fold AUC gain worth a change of card by default: 0, i.e. replace as soon as the
#: whole interval of the gain lies above zero (:func:`keep_or_replace`; report 04 states it). A
#: bank wanting a material gain passes ``min_gain``.
MIN_AUC_GAIN = 0.0
_LR_COLUMNS = ["test", "restricted", "full", "llf_restricted", "llf_full", "df", "lr_stat",
               "p_value", "evidence", "method"]


class ScorecardComparison(NamedTuple):
    """Result of :func:`compare_scorecards`."""

    auc: pd.DataFrame
    """DeLong test, one row: ``auc_current, auc_calibrated, auc_diff, se_diff, ci_low, ci_high,
    z, p_value, n, n_defaults, evidence``."""
    lr: pd.DataFrame
    """Likelihood-ratio tests of nested logits: ``test, restricted, full, llf_restricted,
    llf_full, df, lr_stat, p_value, evidence`` (always ``in-sample``: the slopes are fitted on
    the households tested), ``method`` (``likelihood``, or ``penalised`` when the full model's
    data are separated: Firth penalised log-likelihoods and the penalised likelihood-ratio
    test); empty when not asked for."""
    migration: pd.DataFrame
    """Households by current grade (rows) and calibrated grade (columns)."""
    changes: pd.DataFrame
    """Households whose grade changes: current_score, current_grade, calibrated_score,
    calibrated_grade, direction (up / down), default (if known)."""


def _independent(D: np.ndarray) -> np.ndarray:
    """Mask of the columns of ``D`` kept in order: a column is dropped when it lies in the span
    of the columns before it (unpivoted QR; a model with a redundant column has the same
    likelihood)."""
    _, r = np.linalg.qr(D)
    d = np.abs(np.diag(r))
    return d > 1e-9 * d.max()


def _nested_llf(y: np.ndarray, R: np.ndarray, F: np.ndarray) -> tuple[float, float, int, str]:
    """Log-likelihoods of two nested logits with intercept, the restricted one on the columns
    of ``R``, the full one on those of ``R`` and ``F``: returns ``(llf_restricted, llf_full, df,
    method)``, ``df`` the rank the full model adds (columns of ``F`` in the span of those before
    them are dropped, e.g. one characteristic when ``R`` is the current score, a fixed-ratio sum
    of the characteristics in ``F``).

    When the full model's data are separated (:func:`calib._stats.separation`), maximum
    likelihood does not exist and statsmodels would stop short of the supremum: both values are
    then Firth penalised log-likelihoods, the restricted one maximised with the full model's
    penalty and the added columns fixed at 0, the penalised likelihood-ratio test of R
    ``logistf`` (Heinze & Schemper 2002), and ``method`` says ``"penalised"``."""
    import statsmodels.api as sm
    from calib._stats import _firth_ascend, firth_logit, separation
    D = np.column_stack([np.ones(y.shape[0]), R, F]).astype(float)
    keep = _independent(D)
    restricted = keep.copy()
    restricted[1 + R.shape[1]:] = False
    D = D[:, keep]
    free = np.flatnonzero(restricted[keep])
    if separation(y, D).kind != "none":
        w = np.ones(y.shape[0])
        _, _, _, pll_full = firth_logit(y, D, w)
        _, pll_r, ok = _firth_ascend(y, D, w, np.zeros(D.shape[1]), free, 200, 1e-9, "restricted Firth logit")
        if not ok:
            raise np.linalg.LinAlgError("restricted Firth logit did not converge")
        return pll_r, pll_full, int(D.shape[1] - free.size), "penalised"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll_f = float(sm.Logit(y, D).fit(disp=0, maxiter=100).llf)
        ll_r = float(sm.Logit(y, D[:, free]).fit(disp=0, maxiter=100).llf)
    return ll_r, ll_f, int(D.shape[1] - free.size), "likelihood"


def _outcome(y: Any, index: pd.Index) -> np.ndarray:
    yser = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y).ravel())
    if isinstance(y, pd.Series) and not y.index.equals(index):
        yser = y.reindex(index)
    yv = pd.to_numeric(yser, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if yv.shape[0] != index.shape[0]:
        raise CalibInputError("y: length differs from the frames")
    return yv


def _auc_table(yo: np.ndarray, sc: np.ndarray, sk: np.ndarray, alpha: float,
               evidence: str) -> pd.DataFrame:
    aucs, cov = delong_auc_cov(yo, np.vstack([-sc, -sk]))
    diff = aucs[1] - aucs[0]
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    z = diff / se if se > 0 else 0.0
    return pd.DataFrame({
        "auc_current": [aucs[0]], "auc_calibrated": [aucs[1]], "auc_diff": [diff],
        "se_diff": [se], "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [z],
        "p_value": [2 * stats.norm.sf(abs(z)) if se > 0 else 1.0],
        "n": [int(yo.size)], "n_defaults": [int(yo.sum())], "evidence": [evidence]})


def _std(v: np.ndarray) -> np.ndarray:
    sd = v.std(axis=0)
    return (v - v.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _lr_table(yo: np.ndarray, sc: np.ndarray, sk: np.ndarray, Xm: np.ndarray | None,
              names: list[str]) -> pd.DataFrame:
    zc, zk = _std(sc), _std(sk)
    both = "current + calibrated scores"
    specs = [("calibrated adds to current", "current score", both, zc[:, None], zk[:, None]),
             ("current adds to calibrated", "calibrated score", both, zk[:, None], zc[:, None])]
    if Xm is not None:
        specs.append(("free weights vs current ratios", "current score (fixed weight ratios)",
                      f"free slopes on {names}", zc[:, None], _std(Xm)))
    rows = []
    for test, restricted, full, R, F in specs:
        ll_r, ll_f, df, method = _nested_llf(yo, R, F)
        rows.append((test, restricted, full, ll_r, ll_f, df, method))
    lr = pd.DataFrame(rows, columns=_LR_COLUMNS[:6] + ["method"])
    lr["lr_stat"] = np.maximum(2 * (lr["llf_full"] - lr["llf_restricted"]), 0.0)
    lr["p_value"] = stats.chi2.sf(lr["lr_stat"], lr["df"].clip(lower=1))
    lr.loc[lr["df"] < 1, "p_value"] = np.nan
    lr["evidence"] = IN_SAMPLE
    return lr[_LR_COLUMNS]


def _migration(current: pd.DataFrame, calibrated: pd.DataFrame, yv: np.ndarray,
               grades: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    if "grade" not in current or "grade" not in calibrated:
        raise CalibInputError("current and calibrated: need a 'grade' column for the migration")
    order = {g: i for i, g in enumerate(grades)}
    gc, gk = current["grade"].astype(str), calibrated["grade"].astype(str)
    mig = pd.crosstab(pd.Categorical(gc, categories=list(grades)),
                      pd.Categorical(gk, categories=list(grades)), dropna=False)
    mig.index.name, mig.columns.name = "current_grade", "calibrated_grade"
    rc = gc.map(order).to_numpy(dtype=float, na_value=np.nan)
    rk = gk.map(order).to_numpy(dtype=float, na_value=np.nan)
    changes = pd.DataFrame({
        "current_score": current["score"].to_numpy(dtype=float), "current_grade": gc.to_numpy(),
        "calibrated_score": calibrated["score"].to_numpy(dtype=float),
        "calibrated_grade": gk.to_numpy(), "direction": np.where(rk < rc, "up", "down"),
        "default": yv}, index=current.index)[rc != rk]
    return mig, changes


def _weights_matrix(X: pd.DataFrame, weights: Mapping[str, float], index: pd.Index,
                    obs: np.ndarray) -> tuple[np.ndarray, list[str]]:
    w = {k: v for k, v in dict(weights).items() if k != "intercept" and float(v) != 0.0}
    miss = [k for k in w if k not in X.columns]
    if miss:
        raise CalibParamsError(f"weights: characteristic(s) {miss} not in X")
    return X.loc[index, list(w)].to_numpy(dtype=float)[obs], list(w)


def compare_scorecards(current: pd.DataFrame, calibrated: pd.DataFrame, y: Any, *,
                       X: pd.DataFrame | None = None, weights: Mapping[str, float] | None = None,
                       grades: Sequence[str] = GRADES, alpha: float = 0.05,
                       evidence: str = IN_SAMPLE, lr: bool = True) -> ScorecardComparison:
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
    evidence : {"in-sample", "out-of-fold"}
        What the calibrated scores are: ``"in-sample"`` when the card was fitted on these
        households (the AUC difference then favours it), ``"out-of-fold"`` when each score comes
        from a card that did not see the household (:func:`compare_out_of_fold`). Written in
        the ``evidence`` column; :func:`keep_or_replace` accepts only out-of-fold evidence.
    lr : bool, default True
        Add the likelihood-ratio tests (always in-sample: their slopes are fitted on the
        households tested).

    Returns
    -------
    ScorecardComparison
        ``auc``, ``lr``, ``migration``, ``changes`` (see the class).

    Notes
    -----
    AUCs and their difference: DeLong test (:func:`calib.scorecard.discrimination.delong_auc_cov`).
    LR tests (all nested): (1) ``calibrated adds to current``: logit of default on the current
    score against the current and calibrated scores (df 1); (2) the reverse; (3) with ``X`` and
    ``weights``: the current score (one free slope: weights fixed in ratio) against free slopes
    on each weighted characteristic (df K - 1). ``LR = 2 (llf_full - llf_restricted)`` is
    chi-square under the restricted model; defaults clustered in villages make it liberal. When
    the full model's data are separated (Konis 2007 linear programme), maximum likelihood does
    not exist and both log-likelihoods are Firth penalised ones, the restricted model fitted
    with the full model's penalty (the penalised likelihood-ratio test of Heinze & Schemper 2002,
    R ``logistf``); ``method`` says which.

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
    if evidence not in (IN_SAMPLE, OUT_OF_FOLD):
        raise CalibParamsError(f"evidence: expected {IN_SAMPLE!r} or {OUT_OF_FOLD!r}, got {evidence!r}")
    yv = _outcome(y, current.index)
    obs = ~np.isnan(yv)
    sc = current["score"].to_numpy(dtype=float)[obs]
    sk = calibrated["score"].to_numpy(dtype=float)[obs]
    auc = _auc_table(yv[obs], sc, sk, alpha, evidence)
    lr_t = pd.DataFrame(columns=_LR_COLUMNS)
    if lr:
        Xm, names = (_weights_matrix(X, weights, current.index, obs)
                     if X is not None and weights is not None else (None, []))
        lr_t = _lr_table(yv[obs], sc, sk, Xm, names)
    mig, changes = _migration(current, calibrated, yv, [str(g) for g in grades])
    return ScorecardComparison(auc, lr_t, mig, changes)


def compare_out_of_fold(cv: Any, current: pd.DataFrame, *, grades: Sequence[str] = GRADES,
                        alpha: float = 0.05, n_boot: int = 2000,
                        random_state: int | np.random.Generator | None = None) -> ScorecardComparison:
    """Current card against the calibrated procedure on households it did not see.

    Parameters
    ----------
    cv : CrossValidation
        From :func:`calib.scorecard.crossval.cross_validate` (with ``groups`` for village-grouped
        folds and ``grades`` for fold-chosen grades).
    current : DataFrame
        The current card's ``score`` and ``grade`` (:func:`score_current`) indexed by household;
        it must cover every household of ``cv.oof``.
    grades : sequence of str
        Grade order, best first.
    alpha : float
        Level of the AUC-difference interval.
    n_boot : int, default 2000
        Replicates of the village bootstrap of the AUC difference (when ``cv`` has villages).
    random_state : int or Generator, optional
        Seed of the village bootstrap.

    Returns
    -------
    ScorecardComparison
        ``auc`` (DeLong on the out-of-fold scores, ``evidence = "out-of-fold"``, plus
        ``ci_low_village`` and ``ci_high_village``: the percentile interval resampling whole
        villages, :func:`~calib.scorecard.discrimination.village_bootstrap_auc_diff`; NaN
        without villages), ``lr`` empty
        (an LR test refits slopes on the households tested, so it cannot be out of sample),
        ``migration`` and ``changes`` between the current grades and the fold-chosen grades.

    Notes
    -----
    The current card's weights were not estimated on these outcomes, so its scores need no
    cross-validation; the calibrated scores come from the fold's card, so both AUCs are honest.
    Pooling scores of different folds is sound because every fold's card is on the same points
    scale (``base_score``, ``base_odds``, ``pdo``).
    """
    oof = getattr(cv, "oof", None)
    if oof is None:
        raise CalibInputError("cv: no out-of-fold frame; run calib.scorecard.cross_validate")
    missing = oof.index.difference(current.index)
    if len(missing):
        raise CalibInputError(f"current: {len(missing)} household(s) of the out-of-fold frame "
                              f"have no current score (first: {missing[0]!r})")
    cur = current.loc[oof.index]
    cal = pd.DataFrame({"score": oof["score"], "grade": oof["grade"]}, index=oof.index)
    if cal["grade"].isna().all():
        cal["grade"] = cur["grade"]  # no fold grades: the migration is empty, the AUC stands
    out = compare_scorecards(cur, cal, oof["default"], grades=grades, alpha=alpha,
                             evidence=OUT_OF_FOLD, lr=False)
    lo = hi = np.nan
    if oof["group"].notna().all() and oof["group"].nunique() >= 2:
        vb = village_bootstrap_auc_diff(oof["default"], -cur["score"].to_numpy(dtype=float),
                                        -oof["score"].to_numpy(dtype=float), oof["group"],
                                        n_boot=n_boot, alpha=alpha, random_state=random_state)
        lo, hi = float(vb["ci_low"].iloc[0]), float(vb["ci_high"].iloc[0])
    out.auc.insert(out.auc.columns.get_loc("ci_high") + 1, "ci_low_village", lo)
    out.auc.insert(out.auc.columns.get_loc("ci_low_village") + 1, "ci_high_village", hi)
    return out


def keep_or_replace(auc: pd.DataFrame, *, min_gain: float = MIN_AUC_GAIN) -> pd.DataFrame:
    """Keep the current scorecard or replace it by the calibrated one.

    Parameters
    ----------
    auc : DataFrame
        The ``auc`` table of :func:`compare_out_of_fold` (one row, ``evidence`` out-of-fold).
    min_gain : float, default :data:`MIN_AUC_GAIN`
        Smallest AUC gain worth a change of card (a materiality threshold, in AUC points).

    Returns
    -------
    DataFrame, one row
        ``decision`` ("keep or replace the scorecard"), ``figure`` (what is measured),
        ``value`` (out-of-fold AUC of the calibrated card minus the current card's), ``ci_low``,
        ``ci_high`` (its confidence interval: the wider of DeLong's and, when the folds have
        villages, the village bootstrap's), ``p_value`` (DeLong), ``threshold``
        (``min_gain``), ``verdict`` (``replace`` or ``keep``), ``reason``, ``interval`` (which
        interval: ``delong``, or ``delong_or_village_wider`` for the envelope of DeLong's and
        the village bootstrap's; the p-value is DeLong's either way), ``evidence``, ``n``,
        ``n_defaults``.

    Raises
    ------
    CalibInputError
        When the evidence is in-sample: a card scored on the households it was fitted on would
        win by construction.

    Notes
    -----
    Replace only when the whole confidence interval lies above ``min_gain`` (the calibrated
    card is better by at least the threshold with the interval's confidence); otherwise keep,
    saying whether the current card is significantly better or the difference is not shown.
    """
    if "evidence" not in auc.columns or (auc["evidence"] != OUT_OF_FOLD).any():
        raise CalibInputError("auc: keep_or_replace needs out-of-fold evidence "
                              "(calib.scorecard.compare_out_of_fold), not an in-sample comparison")
    r = auc.iloc[0]
    v = float(r["auc_diff"])
    lo, hi = float(r["ci_low"]), float(r["ci_high"])
    interval = "delong"
    if np.isfinite(r.get("ci_low_village", np.nan)):
        lo, hi = min(lo, float(r["ci_low_village"])), max(hi, float(r["ci_high_village"]))
        interval = "delong_or_village_wider"
    if lo > min_gain:
        verdict, reason = "replace", f"the calibrated card's AUC is higher by more than {min_gain:g} " \
                                     "over the whole confidence interval"
    elif hi < 0:
        verdict, reason = "keep", "the current card discriminates significantly better"
    else:
        verdict, reason = "keep", (f"a gain above {min_gain:g} is not shown: the confidence "
                                   "interval reaches down to it")
    return pd.DataFrame({
        "decision": ["keep or replace the scorecard"],
        "figure": ["AUC difference, calibrated - current (out-of-fold, village-grouped)"],
        "value": [v], "ci_low": [lo], "ci_high": [hi], "p_value": [float(r["p_value"])],
        "threshold": [float(min_gain)], "verdict": [verdict], "reason": [reason],
        "interval": [interval], "evidence": [r["evidence"]], "n": [int(r["n"])], "n_defaults": [int(r["n_defaults"])]})
