"""Consensus limit per household (公议授信额度): the aggregators and :func:`consensus_limits`."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from calib._frames import to_grid
from calib.consensus.design import design, location_frame, relation_mask
from calib.consensus.fit import MAD, bc, crossed_fit
from calib.consensus.graph import MIN_COMPONENT_DF, components
from calib.consensus.groups import GroupSorter
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
    return GroupSorter(g, n).median(np.asarray(x, float))


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
    sorter = GroupSorter(g, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = bc(g, x, n) / cnt   # OLS start, like RLM
    med = sorter.median(x)
    for _ in range(max_iter):
        res = x - mu[g]
        sg = (MAD * sorter.median(np.abs(res)))[g]
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(np.abs(res) <= c * sg, 1.0, c * sg / np.abs(res))
            w = np.where(sg > 0, w, 1.0)
            mu_new = bc(g, w * x, n) / bc(g, w, n)
        done = np.nanmax(np.abs(mu_new - mu)) < tol if n else True
        mu = mu_new
        if done:
            break
    s = MAD * sorter.median(np.abs(x - mu[g]))
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


def _levels(method, grant, hg, d, trim, huber_c, max_iter, tol, min_df, sorter: GroupSorter):
    """Household level (log), reviewer-adjusted log proposals and the adjusted flag per household.
    ``hg`` is ``d.h[grant]`` (the caller's: at 10M households each copy of a review column is
    0.4 GB)."""
    nH = d.nH
    y = np.log(d.amount[grant])
    ident = np.zeros(nH, bool)
    if method == "adjusted":
        rg = d.r[grant]
        # numbered by first household in row order (numbers not shown): no sort of the ids, and
        # no second copy of the granted reviews' codes (fit_components would select them again)
        cmp = components(hg, rg, nH, d.nR, np.arange(nH))
        fit = crossed_fit(hg, rg, y, cmp, huber_c=huber_c, max_iter=max_iter, tol=tol,
                          min_df=min_df, se=False, weights=False)
        ident = cmp.identified(min_df)[np.maximum(cmp.c_h, 0)] & (cmp.c_h >= 0)
        level = fit.a
        if not ident[cmp.c_h >= 0].all():
            level = np.where(ident, fit.a, sorter.median(y))
        return level, y - fit.b[rg], ident
    if method == "median":
        return sorter.median(y), y, ident
    if method == "trimmed_mean":
        return group_trimmed_mean(hg, y, nH, trim), y, ident
    return group_huber(hg, y, nH, c=huber_c, max_iter=max_iter), y, ident


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
    min_component_df: int = MIN_COMPONENT_DF,
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
    min_component_df : int
        ``adjusted`` only: a connected component of the review graph (see Notes) needs at least
        two reviewers and this many residual degrees of freedom to be adjusted.

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
        - ``adjusted`` (bool): the level was adjusted for reviewer effects (``adjusted`` method
          in an identified component); otherwise it is the median of the household's proposals.

    Notes
    -----
    Let ``y_ij = log(proposed_limit)`` of reviewer ``j`` for household ``i`` (declines excluded).
    The ``adjusted`` method fits ``y_ij = a_i + b_j + e_ij`` where ``a_i`` is the household level
    (it absorbs the village mean) and ``b_j`` the reviewer's leniency, centred to a review-weighted
    mean of zero inside its connected component (see below; in practice one per village). The fit
    alternates the two weighted means ``a_i = sum_j w_ij (y_ij - b_j) / sum_j w_ij`` and
    ``b_j = sum_i w_ij (y_ij - a_i) / sum_i w_ij`` with Huber weights ``w = min(1, c s / |e|)``
    recomputed from the residuals (iteratively reweighted backfitting; Huber 1964). ``s`` is
    1.4826 x the median absolute residual of the component, inflated by
    ``sqrt(N / (N - H - R + 1))`` for the effects fitted in it. The fixed point of this iteration
    (estimates, weights and scale settled) is found by semismooth Newton steps on the
    estimating equations, component by component in dense stacked blocks
    (:mod:`calib.consensus.newton`), which reach it exactly in a few steps; a component whose
    fixed point is not unique (a household or reviewer with every review outside the Huber band)
    or that Newton does not settle is fitted by the backfitting itself. The reviewer effects are fixed effects, not shrunk:
    with components of one village panel an empirical-Bayes ridge (tried) brought no gain.

    The consensus is ``exp(a_i)``: the household's level as if reviewed by an average member of its
    panel, so that it is not favoured or penalised by which members happened to review it.

    Leniency is comparable only between reviewers linked by shared households: the fit is made
    within each connected component of the household-reviewer graph (reviewers on different
    village panels are different nodes), with the effects centred, and ``s``, ``lambda``, the
    degrees of freedom and the convergence test computed, inside the component. No quantity is
    pooled across components, so the result for a household depends only on the reviews of its
    component: running the function on any union of components (:func:`review_components`) gives
    the same rows. A component with fewer than two reviewers or fewer than ``min_component_df``
    residual degrees of freedom cannot be adjusted: its households get the median of their
    proposals (``adjusted`` False).

    References
    ----------
    Huber, P. J. (1964). Robust estimation of a location parameter. Ann. Math. Statist. 35, 73-101.

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
    hg = d.h[grant]
    sorter = GroupSorter(hg, nH)
    level, yd, ident = _levels(method, grant, hg, d, trim, huber_c, max_iter, tol, min_component_df, sorter)
    med = sorter.median(yd)
    dispersion = MAD * sorter.median(np.abs(yd - med[hg]))
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
    out["adjusted"] = ident
    out.index.name = "household_id"
    return out
