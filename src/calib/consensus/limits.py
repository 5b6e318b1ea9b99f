"""Consensus limit per household (公议授信额度): the aggregators and :func:`consensus_limits`."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from calib._frames import to_grid
from calib.consensus.design import design, location_frame, relation_mask
from calib.consensus.fit import MAD, bc, crossed_fit
from calib.errors import CalibParamsError

#: Consensus methods of :func:`consensus_limits`.
METHODS: tuple[str, ...] = ("median", "trimmed_mean", "huber", "adjusted")
#: Decline rules: when do declines keep a household off the white list.
DECLINE_RULES: tuple[str, ...] = ("majority", "any", "all")


# --------------------------------------------------------------------------------------------
# per-household aggregators on sorted groups (vectorised)
# --------------------------------------------------------------------------------------------
def group_median(g: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """Median of ``x`` per group code ``g`` (NaN for empty groups)."""
    out = pd.Series(x).groupby(g).median()
    res = np.full(n, np.nan)
    res[out.index.to_numpy()] = out.to_numpy()
    return res


def group_trimmed_mean(g: np.ndarray, x: np.ndarray, n: int, trim: float) -> np.ndarray:
    """Per group ``scipy.stats.trim_mean(x, trim)``: cut int(trim * n_g) values from each end."""
    order = np.lexsort((x, g))
    gs, xs = g[order], x[order]
    cnt = np.bincount(gs, minlength=n)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    rank = np.arange(gs.size) - start[gs]
    cut = np.floor(trim * cnt).astype(np.int64)
    sel = (rank >= cut[gs]) & (rank < (cnt - cut)[gs])
    with np.errstate(invalid="ignore", divide="ignore"):
        return bc(gs[sel], xs[sel], n) / bc(gs[sel], None, n)


def group_huber(g: np.ndarray, x: np.ndarray, n: int, c: float = 1.345,
                max_iter: int = 100, tol: float = 1e-8) -> np.ndarray:
    """Per group Huber M-estimate of location, as ``statsmodels`` ``RLM(x, 1, HuberT(c))``.

    Iteratively reweighted least squares; the scale is re-estimated at each step as the MAD of the
    residuals about zero (statsmodels' default ``scale_est="mad"``). A group whose scale is 0 (more
    than half its values equal) returns its median.
    """
    cnt = bc(g, None, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = bc(g, x, n) / cnt   # OLS start, like RLM
    med = group_median(g, x, n)
    for _ in range(max_iter):
        res = x - mu[g]
        sg = (MAD * group_median(g, np.abs(res), n))[g]
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(np.abs(res) <= c * sg, 1.0, c * sg / np.abs(res))
            w = np.where(sg > 0, w, 1.0)
            mu_new = bc(g, w * x, n) / bc(g, w, n)
        done = np.nanmax(np.abs(mu_new - mu)) < tol if n else True
        mu = mu_new
        if done:
            break
    s = MAD * group_median(g, np.abs(x - mu[g]), n)
    return np.where(s > 0, mu, med)


def _check_params(method: str, trim: float, grid: float, cap: float | None, min_reviews: int,
                  max_dispersion: float, decline_rule: str) -> None:
    if method not in METHODS:
        raise CalibParamsError(f"consensus.method must be one of {list(METHODS)}, got {method!r}")
    if not (0 <= trim < 0.5):
        raise CalibParamsError(f"consensus.trim must be in [0, 0.5), got {trim!r}")
    if not (grid and grid > 0):
        raise CalibParamsError(f"consensus.grid must be a positive amount, got {grid!r}")
    if cap is not None and not cap > 0:
        raise CalibParamsError(f"consensus.cap must be positive or null, got {cap!r}")
    if not (isinstance(min_reviews, (int, np.integer)) and min_reviews >= 1):
        raise CalibParamsError(f"consensus.min_reviews must be an integer >= 1, got {min_reviews!r}")
    if not max_dispersion > 0:
        raise CalibParamsError(f"consensus.max_dispersion must be positive, got {max_dispersion!r}")
    if decline_rule not in DECLINE_RULES:
        raise CalibParamsError(
            f"consensus.decline_rule must be one of {list(DECLINE_RULES)}, got {decline_rule!r}")


def _declined(n_dec: np.ndarray, n_rev: np.ndarray, rule: str) -> np.ndarray:
    if rule == "majority":
        return n_dec > n_rev / 2
    if rule == "any":
        return n_dec > 0
    return n_dec >= n_rev


def _levels(method, hg, rg, y, d, trim, huber_c, max_iter, tol) -> tuple[np.ndarray, np.ndarray]:
    """Household level (log) and the reviewer-adjusted log proposals of the granted reviews."""
    nH = d.nH
    if method == "adjusted":
        fit = crossed_fit(hg, rg, y, d.v_r, nH, d.nR, d.nV, huber_c=huber_c, max_iter=max_iter, tol=tol)
        return fit.a, y - fit.b[rg]
    if method == "median":
        return group_median(hg, y, nH), y
    if method == "trimmed_mean":
        return group_trimmed_mean(hg, y, nH, trim), y
    return group_huber(hg, y, nH, c=huber_c, max_iter=max_iter), y


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def consensus_limits(
    reviews: pd.DataFrame,
    *,
    method: str = "adjusted",
    trim: float = 0.2,
    grid: float = 1000,
    cap: float | None = 500_000,
    min_reviews: int = 3,
    max_dispersion: float = 0.5,
    decline_rule: str = "majority",
    relations: pd.DataFrame | None = None,
    recuse: Iterable[str] = ("self",),
    huber_c: float = 1.345,
    max_iter: int = 200,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Consensus limit per household from its panel's back-to-back reviews (公议授信额度).

    Parameters
    ----------
    reviews : DataFrame
        One row per (reviewer, household): ``household_id``, ``reviewer_id``, ``proposed_limit``
        (yuan, 0 = decline), ``village`` (and optionally ``township``).
    method : {"adjusted", "median", "trimmed_mean", "huber"}
        Aggregator of the log proposed limits of the non-declining reviews. ``adjusted`` (default)
        removes each reviewer's leniency or severity first (see Notes).
    trim : float
        Proportion cut from each end for ``trimmed_mean`` (as :func:`scipy.stats.trim_mean`).
    grid, cap : float
        Consensus limits are capped at ``cap`` yuan (``None``: no cap) and rounded to the nearest
        multiple of ``grid`` yuan (a positive consensus never rounds to 0).
    min_reviews : int
        A household with fewer reviews needs a re-review.
    max_dispersion : float
        A household whose robust spread of (adjusted) log limits exceeds this needs a re-review.
    decline_rule : {"majority", "any", "all"}
        Declines keep a household off the white list when more than half of its reviews decline
        (``majority``), when any does, or only when all do.
    relations : DataFrame, optional
        Conflict-of-interest register (``reviewer_id, household_id, relation``). Reviews whose pair
        is registered with a relation in ``recuse`` are left out of the consensus (回避) and counted
        in ``n_recused``.
    recuse : iterable of str
        Relations that exclude a review from the consensus; default ``("self",)``.
    huber_c, max_iter, tol : float, int, float
        Huber tuning constant (in robust standard deviations) and the stopping rule of the fits.

    Returns
    -------
    DataFrame
        Index ``household_id``, one row per reviewed household, columns:

        - ``village``, ``township`` (when given): location of the household.
        - ``consensus_limit``: yuan on the grid; 0 when the household is off the white list.
        - ``consensus_granted``: the consensus of the non-declining reviews (yuan on the grid,
          NaN when all declined), whatever the white-list decision.
        - ``n_reviews``: reviews used (after recusal); ``n_declines``; ``decline_share``.
        - ``n_recused``: reviews left out because of a registered relation.
        - ``dispersion``: robust spread (1.4826 x MAD) of the log proposed limits of the
          non-declining reviews, after removing reviewer effects for ``adjusted``; 0 with one
          such review, NaN with none.
        - ``white_list`` (bool): the household passes the decline rule and has a granted review.
        - ``needs_rereview`` (bool): fewer than ``min_reviews`` reviews or dispersion above
          ``max_dispersion``.

    Notes
    -----
    Let ``y_ij = log(proposed_limit)`` of reviewer ``j`` for household ``i`` (declines excluded).
    The ``adjusted`` method fits ``y_ij = a_i + b_j + e_ij`` where ``a_i`` is the household level
    (it absorbs the village mean) and ``b_j`` the reviewer's leniency, centred to a review-weighted
    mean of zero inside each village (reviewers are nested in villages, so one global fit is the
    same as one fit per village). The fit alternates the two weighted means
    ``a_i = sum_j w_ij (y_ij - b_j) / sum_j w_ij`` and ``b_j = sum_i w_ij (y_ij - a_i) / (sum_i
    w_ij + lambda)`` with Huber weights ``w = min(1, c s / |e|)`` recomputed from the residuals at
    every sweep (iteratively reweighted backfitting; Huber 1964). ``s`` is 1.4826 x the median
    absolute residual, inflated by ``sqrt(N / (N - H - R + V))`` for the fitted effects.
    ``lambda = s^2 / tau^2`` is an empirical-Bayes ridge on the reviewer effects (``tau^2`` their
    moment-estimated variance), which gives the reviewer BLUPs of the crossed random-effects model
    ``y ~ 1 + (1|household) + (1|reviewer)`` (Bates et al. 2015) without shrinking the households.
    Every step is a :func:`numpy.bincount` over all reviews of all villages.

    The consensus is ``exp(a_i)``: the household's level as if reviewed by an average member of its
    panel, so that it is not favoured or penalised by which members happened to review it.

    References
    ----------
    Huber, P. J. (1964). Robust estimation of a location parameter. Ann. Math. Statist. 35, 73-101.
    Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear mixed-effects models
    using lme4. J. Stat. Softw. 67(1).

    Examples
    --------
    >>> import pandas as pd
    >>> rv = pd.DataFrame({"household_id": ["h1"] * 3 + ["h2"] * 3,
    ...                    "reviewer_id": ["a", "b", "c"] * 2,
    ...                    "proposed_limit": [50000, 60000, 0, 30000, 30000, 40000],
    ...                    "village": "v1"})
    >>> consensus_limits(rv, method="median")["consensus_limit"].tolist()
    [55000.0, 30000.0]
    """
    _check_params(method, trim, grid, cap, min_reviews, max_dispersion, decline_rule)
    d = design(reviews)
    recused_rows, _ = relation_mask(d, relations, which=list(recuse))
    d.keep = keep = ~recused_rows
    nH = d.nH
    grant = (d.amount > 0) & keep
    n_rev = bc(d.h[keep], None, nH)
    n_dec = bc(d.h[keep & ~grant], None, nH)
    hg, rg = d.h[grant], d.r[grant]
    level, yd = _levels(method, hg, rg, np.log(d.amount[grant]), d, trim, huber_c, max_iter, tol)
    med = group_median(hg, yd, nH)
    dispersion = MAD * group_median(hg, np.abs(yd - med[hg]), nH)
    has_grant = np.isfinite(level)
    white = has_grant & ~_declined(n_dec, n_rev, decline_rule)
    granted = np.where(has_grant, to_grid(np.exp(np.where(has_grant, level, 0.0)), grid, cap), np.nan)
    out = location_frame(d)
    out["consensus_limit"] = np.where(white, granted, 0.0)
    out["consensus_granted"] = granted
    out["n_reviews"] = n_rev.astype(np.int64)
    out["n_declines"] = n_dec.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["decline_share"] = n_dec / n_rev
    out["n_recused"] = bc(d.h[~keep], None, nH).astype(np.int64)
    out["dispersion"] = dispersion
    out["white_list"] = white
    out["needs_rereview"] = (n_rev < min_reviews) | (np.nan_to_num(dispersion, nan=0.0) > max_dispersion)
    out.index.name = "household_id"
    return out
