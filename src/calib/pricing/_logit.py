"""The two statistics pricing borrows: a clustered logit and the Jeffreys interval.

Kept in this one small module so that they can be replaced by the shared ``calib._stats``
(``fit_logit``, ``jeffreys_interval``) without touching the rest of the subpackage.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["jeffreys_interval", "fit_logit", "cluster_codes", "se_method"]


def jeffreys_interval(
    defaults: Any, n: Any, *, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed Jeffreys interval for a default rate.

    Quantiles ``alpha/2`` and ``1 - alpha/2`` of Beta(D + 1/2, N - D + 1/2), with the lower end
    set to 0 when D = 0 and the upper end to 1 when D = N (Brown, Cai & DasGupta 2001). NaN when
    N = 0.

    References
    ----------
    Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101-133.
    """
    from scipy import stats  # imported on use: calib.params imports this subpackage's schema

    d = np.asarray(defaults, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = stats.beta.ppf(alpha / 2, d + 0.5, n - d + 0.5)
        hi = stats.beta.ppf(1 - alpha / 2, d + 0.5, n - d + 0.5)
    lo = np.where(d == 0, 0.0, lo)
    hi = np.where(d == n, 1.0, hi)
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


def cluster_codes(frame: pd.DataFrame, cluster: str | None, *, min_clusters: int = 2):
    """Integer cluster codes of ``frame[cluster]`` (``None`` when ``cluster`` is ``None``).

    Raises
    ------
    CalibInputError
        When the column is missing or blank, or has fewer than ``min_clusters`` distinct
        values: a village-clustered standard error or a village bootstrap needs at least two
        villages (with one, the variance cannot be estimated: the interval would be zero-width
        or undefined). Pass ``cluster=None`` to use loan-level inference, stated as such.
    """
    if cluster is None:
        return None
    if cluster not in frame.columns:
        raise CalibInputError(f"loans: cluster column {cluster!r} not found (or use cluster=None)")
    codes, uniq = pd.factorize(frame[cluster])
    if (codes < 0).any():
        i = frame.index[codes < 0][0]
        raise CalibInputError(f"loans: cluster column {cluster!r} is blank at index {i!r}")
    if len(uniq) < min_clusters:
        raise CalibInputError(
            f"loans: cluster column {cluster!r} has {len(uniq)} distinct value(s) "
            f"({', '.join(map(str, uniq[:3]))}); clustered standard errors and the cluster "
            f"bootstrap need at least {min_clusters}. Use cluster=None for loan-level "
            "inference (it ignores correlation within the village and says so)"
        )
    return codes


def se_method(groups: np.ndarray | None) -> str:
    """Plain-words description of the standard errors :func:`fit_logit` computes."""
    if groups is None:
        return "model-based (observed information), normal critical values; loans independent"
    g = len(np.unique(groups))
    return (f"clustered by village (CR1: G/(G-1) x (N-1)/(N-K)), t({g - 1}) critical values, "
            f"G = {g}")


def fit_logit(y: np.ndarray, X: np.ndarray, groups: np.ndarray | None = None, start=None):
    """Logistic regression by Newton-Raphson (statsmodels ``Logit``).

    Parameters
    ----------
    y, X : numpy.ndarray
        Outcome (0/1) and design matrix (with the constant).
    groups : numpy.ndarray or None
        Cluster codes (at least two distinct; see :func:`cluster_codes`). ``None``: the
        model-based covariance (inverse observed information) with normal critical values.
    start : numpy.ndarray, optional
        Starting values.

    Returns
    -------
    statsmodels LogitResults
        With clusters: cluster-robust (sandwich) covariance with the small-sample factor
        G/(G-1) x (N-1)/(N-K) (statsmodels' CR1, as Stata's ``regress, vce(cluster)``; K
        counts every estimated coefficient, the constant included), and inference on
        t(G-1): ``tvalues``, ``pvalues`` and ``conf_int`` use G - 1 degrees of freedom
        (Cameron & Miller 2015, section VI.C). With 8 villages t(7) gives 2.36 instead of
        1.96, intervals 21% wider.

    References
    ----------
    Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    *Journal of Human Resources* 50(2), 317-372.
    """
    import statsmodels.api as sm

    kw: dict[str, Any] = {"start_params": start, "method": "newton", "disp": 0, "maxiter": 100}
    if groups is not None:
        if len(np.unique(groups)) < 2:
            raise CalibInputError("loans: clustered standard errors need at least 2 clusters")
        kw.update(cov_type="cluster", cov_kwds={"groups": np.asarray(groups)}, use_t=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.Logit(y, X).fit(**kw)


def fit_logit_reduced(y: np.ndarray, X: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Coefficients on a bootstrap replicate, leaving out columns constant in it (their coef 0).

    A dummy or indicator absent from a replicate would make the Hessian singular; the intercept
    absorbs a constant column, so predictions (and the discount) are unchanged by leaving it out.
    """
    keep = np.ptp(X, axis=0) > 0
    keep[0] = True
    res = fit_logit(y, X[:, keep], None, start=start[keep])
    beta = np.zeros(X.shape[1])
    beta[keep] = np.asarray(res.params)
    return beta
