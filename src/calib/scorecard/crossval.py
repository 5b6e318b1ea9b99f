"""Out-of-sample evidence: cross-validation of the whole scorecard procedure."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError
from calib.scorecard.model import Scorecard, check_y

__all__ = ["cross_validate", "CrossValidation"]


class CrossValidation(NamedTuple):
    """Result of :func:`cross_validate`."""

    folds: pd.DataFrame
    """Per fold: ``fold, n_train, n_test, defaults_test, auc, ks``."""
    auc_mean: float
    """Mean of the fold AUCs."""
    auc_pooled: float
    """AUC of the pooled out-of-fold PDs."""
    ks_pooled: float
    """KS of the pooled out-of-fold PDs."""
    oof_pd: pd.Series
    """Out-of-fold PD of each household with an outcome (index of X)."""


def cross_validate(estimator: Scorecard, X: pd.DataFrame, y: Any, *, groups: Any = None,
                   n_splits: int = 5,
                   random_state: int | np.random.Generator | None = None) -> CrossValidation:
    """Stratified k-fold out-of-fold AUC and KS of a scorecard (no in-sample optimism).

    Parameters
    ----------
    estimator : Scorecard
        An unfitted card (cloned for each fold, binning included).
    X : DataFrame
        Characteristics.
    y : array-like
        Default 0/1; rows with a missing outcome are used for training only when the card does
        reject inference, and never tested on.
    groups : array-like, optional
        Village of each row (clustered standard errors inside each fold's fit).
    n_splits : int, default 5
        Folds; reduced to the number of defaults (or non-defaults) when fewer.
    random_state : int or Generator, optional
        Seed of the fold assignment (``StratifiedKFold(shuffle=True)``).

    Returns
    -------
    CrossValidation
        ``folds``, ``auc_mean``, ``auc_pooled``, ``ks_pooled``, ``oof_pd``.

    Raises
    ------
    CalibInputError
        With fewer than 2 defaults or non-defaults among the observed outcomes.

    Notes
    -----
    Binning and logit are refitted on each training fold, so the AUC is an honest estimate of
    performance on new households from the same programme (Hastie, Tibshirani, Friedman 2009,
    sec. 7.10). KS: :func:`scipy.stats.ks_2samp` between the PDs of defaults and non-defaults.
    """
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(X, pd.DataFrame):
        raise CalibInputError(f"X: expected a DataFrame, got {type(X).__name__}")
    yv = check_y(y, X.shape[0], allow_missing=True)
    g = None if groups is None else np.asarray(groups).ravel()
    obs = np.flatnonzero(~np.isnan(yv))
    yo = yv[obs]
    n_bad, n_good = int(yo.sum()), int((1 - yo).sum())
    k = min(int(n_splits), n_bad, n_good)
    if k < 2:
        raise CalibInputError(f"cross_validate: need at least 2 defaults and 2 non-defaults, got "
                              f"{n_bad} and {n_good}")
    seed = random_state if not isinstance(random_state, np.random.Generator) else \
        int(random_state.integers(2**31 - 1))
    skf = StratifiedKFold(k, shuffle=True, random_state=seed)
    unobs = np.flatnonzero(np.isnan(yv))
    use_rej = getattr(estimator, "reject_inference", "none") == "parcelling"
    oof = np.full(obs.size, np.nan)
    rows = []
    for f, (tr, te) in enumerate(skf.split(np.zeros(obs.size), yo)):  # loop over folds
        tr_rows = obs[tr] if not use_rej else np.concatenate([obs[tr], unobs])
        est = clone(estimator)
        est.fit(X.iloc[tr_rows], yv[tr_rows], groups=None if g is None else g[tr_rows])
        p = est.predict_proba(X.iloc[obs[te]])[:, 1]
        oof[te] = p
        yt = yo[te]
        rows.append((f + 1, tr_rows.size, te.size, int(yt.sum()), roc_auc_score(yt, p),
                     float(stats.ks_2samp(p[yt == 1], p[yt == 0]).statistic)))
    folds = pd.DataFrame(rows, columns=["fold", "n_train", "n_test", "defaults_test", "auc", "ks"])
    return CrossValidation(folds, float(folds["auc"].mean()), float(roc_auc_score(yo, oof)),
                           float(stats.ks_2samp(oof[yo == 1], oof[yo == 0]).statistic),
                           pd.Series(oof, index=X.index[obs], name="oof_pd"))
