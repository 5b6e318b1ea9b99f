"""Out-of-sample evidence: village-grouped cross-validation of the whole scorecard procedure.

:func:`cross_validate` refits binning, logit **and grade cut-offs** on each training fold and
predicts the households of the held-out villages, so every figure computed on its out-of-fold
frame (AUC and DeLong against the current card, Jeffreys / binomial / traffic light per grade,
Hosmer-Lemeshow, Spiegelhalter) describes households the card did not see.
"""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError
from calib.scorecard.grades import assign_grades, cutoffs_from_shares, grade_cutoffs
from calib.scorecard.model import Scorecard, check_y

__all__ = ["cross_validate", "CrossValidation", "fold_cutoffs", "N_SPLITS"]

#: Folds of the village-grouped cross-validation: 5, the usual choice between the bias of few
#: folds and the variance of many (Hastie, Tibshirani & Friedman 2009, section 7.10). Report 04
#: runs it with this many folds and states the number.
N_SPLITS = 5


class CrossValidation(NamedTuple):
    """Result of :func:`cross_validate`."""

    folds: pd.DataFrame
    """Per fold: ``fold, n_train, n_test, defaults_test, villages_test, auc, ks, cutoffs``
    (``cutoffs``: how the fold's grade cut-offs were chosen)."""
    auc_mean: float
    """Mean of the fold AUCs."""
    auc_pooled: float
    """AUC of the pooled out-of-fold PDs."""
    ks_pooled: float
    """KS of the pooled out-of-fold PDs."""
    oof_pd: pd.Series
    """Out-of-fold PD of each household with an outcome (index of X)."""
    oof: pd.DataFrame | None = None
    """Out-of-fold frame, one row per household with an outcome (index of X): ``fold``,
    ``group`` (village; None without groups), ``pd``, ``score`` (points of the fold's card),
    ``grade`` (fold-chosen cut-offs; missing when ``grades`` was not given), ``default``."""
    grouped: bool = False
    """True when the folds keep villages together (``StratifiedGroupKFold``)."""


def fold_cutoffs(scores: Any, y: Any, *, grades: Sequence[str], min_share: float,
                 max_share: float, fallback_shares: Mapping[str, float] | None) -> tuple[dict, str]:
    """Grade cut-offs of one training fold and how they were chosen.

    :func:`grade_cutoffs` (strictly increasing default rates, share limits); when no grading
    meets the constraints, :func:`cutoffs_from_shares` with ``fallback_shares`` (equal shares
    when None). Returns ``({grade: min score}, "grade_cutoffs" | "shares (fallback)")``.
    """
    try:
        gc = grade_cutoffs(scores, y, grades=grades, min_share=min_share, max_share=max_share)
        return gc.as_dict(), "grade_cutoffs"
    except CalibInputError:
        shares = fallback_shares if fallback_shares is not None else [1.0] * len(grades)
        return cutoffs_from_shares(scores, y, shares, grades=grades).as_dict(), "shares (fallback)"


def _splits(yo: np.ndarray, go: np.ndarray | None, k: int, seed: int | None) -> list:
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    if go is None:
        return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(yo.size), yo))
    return list(StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(
        np.zeros(yo.size), yo, go))


def _n_splits(yo: np.ndarray, go: np.ndarray | None, n_splits: int) -> int:
    n_bad, n_good = int(yo.sum()), int((1 - yo).sum())
    k = min(int(n_splits), n_bad, n_good)
    if k < 2:
        raise CalibInputError(f"cross_validate: need at least 2 defaults and 2 non-defaults, got "
                              f"{n_bad} and {n_good}")
    if go is not None:
        n_g = np.unique(go).size
        if n_g < 2:
            raise CalibInputError("groups: village-grouped cross-validation needs outcomes in at "
                                  f"least 2 villages, got {n_g}; pass groups=None to split "
                                  "households (optimistic for a new village) or use a later period")
        k = min(k, n_g)
    return k


def _fold(estimator: Scorecard, X: pd.DataFrame, yv: np.ndarray, g: np.ndarray | None,
          tr_rows: np.ndarray, te_rows: np.ndarray, grading: dict | None) -> tuple:
    """Fit on ``tr_rows`` (outcomes only unless parcelling), predict ``te_rows``; cut-offs on
    the scores of every training row (with or without outcome). The fold's card is used only
    for its estimates: no wild bootstrap, no profile intervals of a Firth fallback."""
    from sklearn.base import clone
    est = clone(estimator).set_params(wild_bootstrap=False, intervals=False)
    use_rej = getattr(estimator, "reject_inference", "none") == "parcelling"
    fit_rows = tr_rows if use_rej else tr_rows[~np.isnan(yv[tr_rows])]
    est.fit(X.iloc[fit_rows], yv[fit_rows], groups=None if g is None else g[fit_rows])
    p = est.predict_proba(X.iloc[te_rows])[:, 1]
    s = est.score_points(X.iloc[te_rows]).to_numpy()
    if grading is None:
        return p, s, np.full(te_rows.size, None, dtype=object), ""
    cut, how = fold_cutoffs(est.score_points(X.iloc[tr_rows]).to_numpy(), yv[tr_rows], **grading)
    gr = assign_grades(s, cut, grades=grading["grades"]).to_numpy(dtype=object)
    return p, s, gr, how


def cross_validate(estimator: Scorecard, X: pd.DataFrame, y: Any, *, groups: Any = None,
                   n_splits: int = N_SPLITS, grades: Sequence[str] | None = None,
                   min_grade_share: float = 0.05, max_grade_share: float = 0.60,
                   fallback_shares: Mapping[str, float] | None = None,
                   random_state: int | np.random.Generator | None = None) -> CrossValidation:
    """Village-grouped k-fold out-of-fold predictions, scores and grades of a scorecard.

    Parameters
    ----------
    estimator : Scorecard
        An unfitted card (cloned for each fold: binning, logit and cut-offs refitted).
    X : DataFrame
        Characteristics of the households, with or without an outcome.
    y : array-like
        Default 0/1; missing for households without an outcome. Those never enter a test fold;
        in a training fold they count in the grade shares (and are parcelled when the card does
        reject inference).
    groups : array-like, optional
        Village of each row. Given, the folds keep each village whole
        (:class:`sklearn.model_selection.StratifiedGroupKFold`): the test villages are new to
        the card, as the next village to be rated will be. Without it the folds split
        households (``StratifiedKFold``), which is optimistic when villages differ.
    n_splits : int, default :data:`N_SPLITS`
        Folds; reduced to the number of defaults, non-defaults or villages when fewer.
    grades : sequence of str, optional
        Grades best first (e.g. params ``scorecard.grades``): each fold chooses its cut-offs on
        its training households (:func:`fold_cutoffs`) and grades its test households.
    min_grade_share, max_grade_share : float
        Share limits of :func:`grade_cutoffs`.
    fallback_shares : mapping, optional
        Grade shares for :func:`cutoffs_from_shares` when a fold has no feasible grading
        (e.g. the current card's shares); equal shares when None.
    random_state : int or Generator, optional
        Seed of the fold assignment.

    Returns
    -------
    CrossValidation
        ``folds``, ``auc_mean``, ``auc_pooled``, ``ks_pooled``, ``oof_pd``, ``oof``, ``grouped``.

    Raises
    ------
    CalibInputError
        With fewer than 2 defaults or non-defaults, or outcomes in fewer than 2 villages.

    Notes
    -----
    Every choice the procedure makes from outcomes (bins, WoE, weights, characteristic
    selection, cut-offs) is made inside the training fold, so the pooled out-of-fold frame is an
    honest sample of performance on new villages of the same programme (Hastie, Tibshirani &
    Friedman 2009, sec. 7.10.2, "the wrong and the right way to do cross-validation"). Test on
    it with :func:`calib.scorecard.comparison.compare_out_of_fold`,
    :func:`calib.scorecard.calibration.calibration_by_grade`,
    ``hosmer_lemeshow(..., in_sample=False)`` and ``spiegelhalter``.
    """
    from sklearn.metrics import roc_auc_score

    if not isinstance(X, pd.DataFrame):
        raise CalibInputError(f"X: expected a DataFrame, got {type(X).__name__}")
    yv = check_y(y, X.shape[0], allow_missing=True)
    g = None if groups is None else pd.factorize(pd.Series(np.asarray(groups).ravel()))[0]
    if g is not None and g.shape[0] != X.shape[0]:
        raise CalibInputError(f"groups: length {g.shape[0]} differs from X's {X.shape[0]} rows")
    obs = np.flatnonzero(~np.isnan(yv))
    yo, go = yv[obs], None if g is None else g[obs]
    k = _n_splits(yo, go, n_splits)
    seed = random_state if not isinstance(random_state, np.random.Generator) else \
        int(random_state.integers(2**31 - 1))
    grading = None if grades is None else {
        "grades": [str(x) for x in grades], "min_share": min_grade_share,
        "max_share": max_grade_share, "fallback_shares": fallback_shares}
    n = X.shape[0]
    cols = {"fold": np.zeros(obs.size, dtype=int), "pd": np.full(obs.size, np.nan),
            "score": np.full(obs.size, np.nan), "grade": np.full(obs.size, None, dtype=object)}
    rows = []
    for f, (_, te) in enumerate(_splits(yo, go, k, seed)):  # loop over folds
        te_rows = obs[te]
        test_mask = np.zeros(n, dtype=bool)
        if g is None:
            test_mask[te_rows] = True
        else:  # a test village's households without outcome leave the training fold too
            test_mask = np.isin(g, np.unique(g[te_rows]))
        p, s, gr, how = _fold(estimator, X, yv, g, np.flatnonzero(~test_mask), te_rows, grading)
        cols["fold"][te], cols["pd"][te], cols["score"][te], cols["grade"][te] = f + 1, p, s, gr
        yt = yo[te]
        rows.append((f + 1, int((~test_mask).sum()), te.size, int(yt.sum()),
                     0 if g is None else int(np.unique(g[te_rows]).size), roc_auc_score(yt, p),
                     float(stats.ks_2samp(p[yt == 1], p[yt == 0]).statistic), how))
    folds = pd.DataFrame(rows, columns=["fold", "n_train", "n_test", "defaults_test",
                                        "villages_test", "auc", "ks", "cutoffs"])
    grp = None if groups is None else np.asarray(groups).ravel()[obs]
    oof = pd.DataFrame({**cols, "group": grp, "default": yo}, index=X.index[obs])
    oof = oof[["fold", "group", "pd", "score", "grade", "default"]]
    return CrossValidation(folds, float(folds["auc"].mean()), float(roc_auc_score(yo, oof["pd"])),
                           float(stats.ks_2samp(oof["pd"][yo == 1], oof["pd"][yo == 0]).statistic),
                           oof["pd"].rename("oof_pd"), oof, g is not None)
