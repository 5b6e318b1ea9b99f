"""Discrimination of a rating model: AUC with DeLong's covariance, Gini, KS.

- :func:`discrimination` — AUC with a DeLong confidence interval, Gini, KS;
- :func:`delong_roc_test` — two correlated AUCs on the same households;
- :func:`delong_auc_cov` — the fast DeLong core (Sun & Xu 2014).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError
from calib.scorecard._checks import _as_binary, _as_float

__all__ = ["delong_auc_cov", "delong_roc_test", "discrimination", "village_bootstrap_auc_diff"]


def delong_auc_cov(y: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """AUCs of k scores on the same households and their DeLong covariance matrix.

    Parameters
    ----------
    y : array-like of 0/1, shape (n,)
        Outcome, 1 = default (the "positive" class).
    scores : array-like, shape (n,) or (k, n)
        Scores where **higher means riskier** (a PD, or minus a points score).

    Returns
    -------
    aucs : ndarray, shape (k,)
        Areas under the ROC curve, ties counted one half.
    cov : ndarray, shape (k, k)
        DeLong et al. (1988) covariance of the AUC estimates.

    Notes
    -----
    Fast algorithm of Sun & Xu (2014): with m defaults and n non-defaults, midranks of the
    scores among the defaults (``tx``), among the non-defaults (``ty``) and in the pooled sample
    (``tz``) give the structural components ``V10 = (tz_x - tx) / n`` and
    ``V01 = 1 - (tz_y - ty) / m``; ``cov = S10 / m + S01 / n`` with ``S`` the sample covariance
    matrices of the components. Cost O(k N log N) instead of O(k m n).

    References
    ----------
    DeLong, E. R., DeLong, D. M., Clarke-Pearson, D. L. (1988). Comparing the areas under two or
    more correlated receiver operating characteristic curves: a nonparametric approach.
    *Biometrics* 44(3), 837-845.
    Sun, X., Xu, W. (2014). Fast implementation of DeLong's algorithm for comparing the areas under
    correlated receiver operating characteristic curves. *IEEE Signal Processing Letters* 21(11),
    1389-1393.
    """
    yv = _as_binary(y)
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    if s.shape[1] != yv.shape[0]:
        raise CalibInputError(f"scores: length {s.shape[1]} differs from y's length {yv.shape[0]}")
    if np.isnan(s).any():
        raise CalibInputError("scores: missing values")
    pos = yv == 1
    m, n = int(pos.sum()), int((~pos).sum())
    if m < 2 or n < 2:
        raise CalibInputError(f"y: need at least 2 defaults and 2 non-defaults, got {m} and {n}")
    x, z = s[:, pos], s[:, ~pos]
    tx = stats.rankdata(x, axis=1)
    ty = stats.rankdata(z, axis=1)
    tz = stats.rankdata(np.concatenate([x, z], axis=1), axis=1)
    aucs = tz[:, :m].sum(axis=1) / m / n - (m + 1.0) / (2.0 * n)
    v10 = (tz[:, :m] - tx) / n
    v01 = 1.0 - (tz[:, m:] - ty) / m
    sx = np.atleast_2d(np.cov(v10))
    sy = np.atleast_2d(np.cov(v01))
    return aucs, sx / m + sy / n


def delong_roc_test(y: Any, score_a: Any, score_b: Any, *, names: Sequence[str] = ("a", "b"),
                    alpha: float = 0.05) -> pd.DataFrame:
    """DeLong test of the difference of two correlated AUCs (same households).

    Parameters
    ----------
    y : array-like of 0/1
        Outcome, 1 = default.
    score_a, score_b : array-like
        Scores where higher means riskier.
    names : pair of str
        Labels of the two scores.
    alpha : float
        Level of the confidence interval of the difference.

    Returns
    -------
    DataFrame, one row
        ``model_a, model_b, auc_a, auc_b, auc_diff`` (a - b), ``se_diff``, ``ci_low, ci_high``
        (Wald interval of the difference), ``z``, ``p_value`` (two-sided), ``n, n_defaults``.

    Notes
    -----
    ``z = (AUC_a - AUC_b) / sqrt(V_a + V_b - 2 C_ab)`` with the DeLong covariance from
    :func:`delong_auc_cov`.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845; Sun & Xu (2014), *IEEE SPL* 21, 1389-1393.
    """
    yv = _as_binary(y)
    a = _as_float(score_a, "score_a", yv.shape[0])
    b = _as_float(score_b, "score_b", yv.shape[0])
    aucs, cov = delong_auc_cov(yv, np.vstack([a, b]))
    diff = aucs[0] - aucs[1]
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    se = float(np.sqrt(max(var, 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    if se > 0:
        zstat = diff / se
        p = 2 * stats.norm.sf(abs(zstat))
    else:
        zstat, p = (0.0, 1.0) if diff == 0 else (np.inf * np.sign(diff), 0.0)
    return pd.DataFrame({
        "model_a": [names[0]], "model_b": [names[1]],
        "auc_a": [aucs[0]], "auc_b": [aucs[1]], "auc_diff": [diff], "se_diff": [se],
        "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [zstat], "p_value": [p],
        "n": [yv.shape[0]], "n_defaults": [int(yv.sum())],
    })


def discrimination(y: Any, score_or_pd: Any, *, higher_is_riskier: bool = True,
                   alpha: float = 0.05) -> pd.DataFrame:
    """Discriminatory power: AUC with a DeLong confidence interval, Gini and KS.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome, 1 = default. Only households with an observed outcome.
    score_or_pd : array-like
        A PD (higher riskier) or a points score (pass ``higher_is_riskier=False``).
    higher_is_riskier : bool, default True
        Orientation of ``score_or_pd``.
    alpha : float, default 0.05
        Level of the confidence intervals.

    Returns
    -------
    DataFrame, one row
        ``n``, ``n_defaults``, ``default_rate``, ``auc``, ``auc_se`` (DeLong), ``auc_ci_low``,
        ``auc_ci_high`` (Wald, clipped to [0, 1]), ``gini`` (2 AUC - 1), ``gini_ci_low``,
        ``gini_ci_high``, ``ks`` (two-sample Kolmogorov-Smirnov statistic between the score
        distributions of defaults and non-defaults), ``ks_p_value``.

    Notes
    -----
    AUC and its variance from :func:`delong_auc_cov`; KS from :func:`scipy.stats.ks_2samp`.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845. Engelmann, Hayden, Tasche (2003), Testing
    rating accuracy, *Risk* 16, 82-86 (Gini = accuracy ratio = 2 AUC - 1).

    Examples
    --------
    >>> discrimination([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.8, 0.6, 0.3, 0.2])[["auc", "gini"]].round(3)
         auc   gini
    0  0.833  0.667
    """
    yv = _as_binary(y)
    s = _as_float(score_or_pd, "score_or_pd", yv.shape[0])
    if not higher_is_riskier:
        s = -s
    aucs, cov = delong_auc_cov(yv, s)
    auc = float(aucs[0])
    se = float(np.sqrt(max(cov[0, 0], 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    lo, hi = max(auc - zq * se, 0.0), min(auc + zq * se, 1.0)
    ks = stats.ks_2samp(s[yv == 1], s[yv == 0])
    return pd.DataFrame({
        "n": [yv.shape[0]], "n_defaults": [int(yv.sum())], "default_rate": [yv.mean()],
        "auc": [auc], "auc_se": [se], "auc_ci_low": [lo], "auc_ci_high": [hi],
        "gini": [2 * auc - 1], "gini_ci_low": [2 * lo - 1], "gini_ci_high": [2 * hi - 1],
        "ks": [float(ks.statistic)], "ks_p_value": [float(ks.pvalue)],
    })


#: Bytes of replicate weights :func:`_replicate_aucs` holds at a time (one block of replicates).
_BLOCK_BYTES = 1 << 26


def _replicate_aucs(y: np.ndarray, s: np.ndarray, g: np.ndarray, C: np.ndarray) -> np.ndarray:
    """AUC of ``s`` in each replicate ``C[b]`` (village ``v`` drawn ``C[b, v]`` times): the
    weighted Mann-Whitney statistic ``sum_i w_i (W_below(s_i) + W_tied(s_i) / 2) / (W_pos W_neg)``
    over defaults ``i``, with ``W_below``, ``W_tied`` the replicate's weights of non-defaults
    scoring below and level with ``s_i``.

    The non-defaults are sorted once; a block of replicates then takes their weights in that
    order and cumulates them, and reads each default's two positions: time and memory linear in
    households, whatever the number of villages (a village-by-village matrix of pairs held 1.1
    GB at 11,765 villages and needed a household-by-village array of 28 GB to build). Weights
    are whole draws and pairs count one or one half, so every sum is exact in double precision
    (below 2**53): the figures do not depend on the blocks."""
    pos, neg = y == 1, y == 0
    s0 = s[neg]
    o = np.argsort(s0, kind="stable")
    s0, g0 = s0[o], g[neg][o]
    lo = np.searchsorted(s0, s[pos], side="left")
    hi = np.searchsorted(s0, s[pos], side="right")
    gp = g[pos]
    out = np.empty(C.shape[0])
    step = max(1, _BLOCK_BYTES // (8 * (s0.size + 1)))
    for b0 in range(0, C.shape[0], step):
        cb = C[b0: b0 + step]
        cum = np.zeros((cb.shape[0], s0.size + 1))
        np.cumsum(cb[:, g0], axis=1, out=cum[:, 1:])  # weight of non-defaults up to each rank
        pairs = 0.5 * (cum[:, lo] + cum[:, hi])  # below, plus half of the tied
        del cum
        out[b0: b0 + cb.shape[0]] = (cb[:, gp] * pairs).sum(axis=1)
    D = np.bincount(g, weights=y, minlength=C.shape[1])
    N = np.bincount(g, weights=1 - y, minlength=C.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return out / ((C @ D) * (C @ N))


def village_bootstrap_auc_diff(y: Any, score_a: Any, score_b: Any, groups: Any, *,
                               n_boot: int = 2000, alpha: float = 0.05,
                               random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Percentile interval of ``AUC_b - AUC_a`` resampling whole villages.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome.
    score_a, score_b : array-like
        Scores where higher means riskier (e.g. minus the current points, an out-of-fold PD).
    groups : array-like
        Village of each household: the resampling unit.
    n_boot : int, default 2000
        Bootstrap replicates.
    alpha : float
        Level of the interval.
    random_state : int or Generator, optional
        Seed.

    Returns
    -------
    DataFrame, one row
        ``auc_diff`` (on the data), ``ci_low``, ``ci_high`` (percentile), ``se_boot``,
        ``n_villages``, ``n_boot``.

    Notes
    -----
    Villages are drawn with replacement (the cluster bootstrap, Field & Welsh 2007); a
    household's weight is the number of times its village is drawn, and each replicate's AUC is
    the weighted Mann-Whitney statistic (:func:`_replicate_aucs`: time and memory linear in
    households, whatever the number of villages). DeLong's variance treats
    households as independent; defaults that move together in a village make it too small,
    which this interval does not.

    References
    ----------
    Field, C. A., Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B* 69(3), 369-390.
    """
    yv = _as_binary(y)
    a = _as_float(score_a, "score_a", yv.shape[0])
    b = _as_float(score_b, "score_b", yv.shape[0])
    g = pd.factorize(pd.Series(np.asarray(groups).ravel()))[0]
    if g.shape[0] != yv.shape[0]:
        raise CalibInputError(f"groups: length {g.shape[0]} differs from y's length {yv.shape[0]}")
    G = int(g.max()) + 1 if g.size else 0
    if G < 2:
        raise CalibInputError(f"groups: the village bootstrap needs at least 2 villages, got {G}")
    rng = random_state if isinstance(random_state, np.random.Generator) else \
        np.random.default_rng(random_state)
    counts = np.stack([np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(n_boot)])
    C = np.vstack([np.ones(G), counts])           # row 0: the data themselves
    aucs = [_replicate_aucs(yv, s, g, C) for s in (a, b)]  # two scores
    d = aucs[1] - aucs[0]
    boot = d[1:][np.isfinite(d[1:])]
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return pd.DataFrame({"auc_diff": [float(d[0])], "ci_low": [float(lo)], "ci_high": [float(hi)],
                         "se_boot": [float(boot.std(ddof=1))], "n_villages": [G],
                         "n_boot": [int(n_boot)]})
