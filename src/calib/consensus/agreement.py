"""How well each panel agrees: variance components, ICC, Krippendorff's alpha, Kendall's W."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import stack_levels
from calib.consensus.design import Design, design
from calib.consensus.fit import Fit, bc, crossed_fit
from calib.consensus.graph import Components, fit_components
from calib.errors import CalibInputError, CalibParamsError

#: Step (yuan) to which Krippendorff's alpha snaps the proposed amounts: 10,000 yuan (one 万元),
#: so that proposals within half a step of each other count as the same amount; this
#: workbench's choice (report 02 states it beside the alpha).
ALPHA_GRID = 10_000


def krippendorff_alpha_ratio(unit: np.ndarray, value: np.ndarray, group: np.ndarray | None = None,
                             n_groups: int | None = None) -> np.ndarray:
    """Krippendorff's alpha with the ratio metric, per group, from (unit, value) pairs.

    Vectorised equivalent of ``krippendorff.alpha(..., level_of_measurement="ratio")`` (which
    builds an N x V x V array and cannot hold a province): the observed disagreement is summed
    over the pairs of values inside each unit, the expected one from the value histogram of the
    group. Values should be on a grid (few distinct values); memory is O(groups x V).

    Parameters
    ----------
    unit : int array
        Unit (household) code of each value; values of one unit must share a group.
    value : float array
        Positive values (e.g. amounts snapped to a grid).
    group : int array, optional
        Group code per value (default: one group).
    n_groups : int, optional
        Number of groups (default ``group.max() + 1``).

    Returns
    -------
    ndarray
        Alpha per group (NaN where there are no pairable values or no variation).

    Raises
    ------
    CalibInputError
        When ``unit`` or ``value`` is empty, or the inputs differ in length.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania.
    """
    unit = np.asarray(unit, np.int64)
    value = np.asarray(value, float)
    if group is None:
        group = np.zeros(unit.size, np.int64)
    group = np.asarray(group, np.int64)
    G = (int(group.max()) + 1 if group.size else 1) if n_groups is None else n_groups
    if unit.size == 0 or value.size == 0:
        raise CalibInputError(f"krippendorff_alpha_ratio: input {'unit' if unit.size == 0 else 'value'} is empty")
    if not unit.size == value.size == group.size:
        raise CalibInputError("krippendorff_alpha_ratio: unit, value and group differ in length")
    u = unit
    m = np.bincount(u)
    pair = m[u] >= 2
    u, value, group = u[pair], value[pair], group[pair]
    vi, vals = pd.factorize(value, sort=True)
    vals = np.asarray(vals, float)
    V = vals.size
    delta = ((vals[:, None] - vals[None, :]) / (vals[:, None] + vals[None, :])) ** 2
    # expected disagreement from the histogram per group
    hist = np.bincount(group * V + vi, minlength=G * V).reshape(G, V).astype(float)
    n_g = hist.sum(axis=1)
    de_num = np.einsum("gc,ck,gk->g", hist, delta, hist)
    # observed disagreement: pairs inside units, packed by seat
    order = np.argsort(u, kind="stable")
    us, vs, gs = u[order], vi[order], group[order]
    cnt = np.bincount(us)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    seat = np.arange(us.size) - start[us]
    K = int(cnt.max()) if cnt.size else 0
    nU = cnt.size
    mat = np.full((nU, K), -1, np.int64)
    mat[us, seat] = vs
    g_of_u = np.zeros(nU, np.int64)
    g_of_u[us] = gs
    inv = 1.0 / np.maximum(cnt - 1, 1)
    do_num = np.zeros(G)
    for s in range(K):
        for t in range(s + 1, K):
            both = (mat[:, s] >= 0) & (mat[:, t] >= 0)
            if not both.any():
                continue
            dd = delta[mat[both, s], mat[both, t]] * 2 * inv[both]
            do_num += np.bincount(g_of_u[both], weights=dd, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1.0 - (n_g - 1) * do_num / de_num
    alpha[(n_g < 2) | ~(de_num > 0)] = np.nan
    return alpha


def _kendall_w_by_village(d: Design) -> tuple[np.ndarray, np.ndarray]:
    """Kendall's W per village (all reviews, declines = 0) and the households per village."""
    nH, nR, nV = d.nH, d.nR, d.nV
    rank = pd.Series(d.amount).groupby(d.r).rank(method="average").to_numpy()
    n_all_r = bc(d.r, None, nR)
    u = (rank - (n_all_r[d.r] + 1) / 2) / n_all_r[d.r]
    k_all = bc(d.h, None, nH)
    su = bc(d.h, u, nH)
    with np.errstate(invalid="ignore", divide="ignore"):
        ssb_v = bc(d.v_h, np.where(k_all > 0, su ** 2 / k_all, 0.0), nV)
        sst_v = bc(d.v_h[d.h], u ** 2, nV)
        w_v = ssb_v / sst_v
    return w_v, bc(d.v_h, (k_all > 0).astype(float), nV)


def _village_groups(d: Design, by: str | None) -> list[tuple[str, int, np.ndarray, pd.Index]]:
    """(level, number of groups, group code per village, labels) for ``by`` and ``overall``."""
    nV = d.nV
    out = []
    if by == "village":
        out.append((by, nV, np.arange(nV), d.villages))
    elif by == "township":
        g_of_v, labels = pd.factorize(pd.Index(d.township_of_v), sort=True)
        out.append((by, len(labels), g_of_v.astype(np.int64), labels))
    out.append(("overall", 1, np.zeros(nV, np.int64), pd.Index(["overall"])))
    return out


def _components(d: Design, fit: Fit, cmp: Components, hg, rg, gv, ng) -> dict[str, np.ndarray]:
    """Moment estimates of the variance components per group of villages ``gv``."""
    k_h, n_r = bc(hg, None, d.nH), bc(rg, None, d.nR)
    hh, rr = k_h > 0, n_r > 0
    g_h, g_r = gv[d.v_h], gv[d.v_r]
    g_y = g_h[hg]
    N, H, R = bc(g_y, None, ng), bc(g_h[hh], None, ng), bc(g_r[rr], None, ng)
    v_of_c = np.zeros(cmp.n, np.int64)
    v_of_c[cmp.c_h[hh]] = d.v_h[hh]
    Vg = bc(gv[v_of_c[np.unique(cmp.c_r[rr])]], None, ng)   # centring constraints: components
    with np.errstate(invalid="ignore", divide="ignore"):
        ve = bc(g_y, fit.resid ** 2, ng) / (N - H - R + Vg)
        vr = bc(g_r[rr], fit.b[rr] ** 2, ng) / (R - Vg) - ve * bc(g_r[rr], 1 / n_r[rr], ng) / R
        ma = bc(g_h[hh], fit.a[hh], ng) / H
        va = (bc(g_h[hh], fit.a[hh] ** 2, ng) - H * ma ** 2) / (H - 1)
        vh = va - ve * bc(g_h[hh], 1 / k_h[hh], ng) / H
        vh, vr = np.maximum(vh, 0), np.maximum(vr, 0)
        kbar = N / H
        icc1, icck = vh / (vh + vr + ve), vh / (vh + (vr + ve) / kbar)
    return {"n_households_rated": H.astype(np.int64), "n_reviewers": R.astype(np.int64),
            "n_reviews": N.astype(np.int64), "mean_k": kbar, "var_household": vh,
            "var_reviewer": vr, "var_error": ve, "icc_a1": icc1, "icc_ak": icck, "_g_y": g_y}


def agreement(
    reviews: pd.DataFrame,
    *,
    by: str | None = "village",
    alpha_grid: float = ALPHA_GRID,
    max_iter: int = 500,
    tol: float = 1e-9,
) -> pd.DataFrame:
    """How well each panel agrees: ICC, Krippendorff's alpha and Kendall's W.

    Parameters
    ----------
    reviews : DataFrame
        As for :func:`consensus_limits`.
    by : {"village", "township", None}
        Grouping; an ``overall`` row is always appended (``by=None`` gives only that row).
    alpha_grid : float
        Amounts are snapped to multiples of this many yuan (never below one step) before
        Krippendorff's alpha; default :data:`ALPHA_GRID`.
    max_iter, tol
        Stopping rule of the least-squares crossed fit.

    Returns
    -------
    DataFrame
        One row per group plus an ``overall`` row, columns: ``level`` (``by`` or "overall"),
        ``group`` (the village / township, "overall"), ``n_households_rated`` (households with
        at least one proposed limit: a household only declined has none), ``n_reviewers``,
        ``n_reviews`` (non-declining reviews used), ``mean_k`` (mean reviews per household),
        ``var_household``, ``var_reviewer``, ``var_error`` (variance components on the log scale),
        ``icc_a1``, ``icc_ak``, ``krippendorff_alpha``, ``kendall_w``.

    Notes
    -----
    Variance components come from the least-squares crossed fit ``y = a_household + b_reviewer
    + e`` on log proposed limits of non-declining reviews (reviewers centred within their component of the review graph), by
    moments: ``var_error = SSE / (N - H - R + C)``, ``var_reviewer = sum b^2 / (R - C) - var_error
    mean(1/n_reviewer)`` (``C`` connected components of the review graph, one per village with
    connected panels), ``var_household = var(a) - var_error mean(1/k)``, negative values set to
    0. With complete panels these are exactly the two-way ANOVA estimates, so
    ``icc_a1 = vh / (vh + vr + ve)`` and ``icc_ak = vh / (vh + (vr + ve) / k)`` equal McGraw and
    Wong's ICC(A,1) and ICC(A,k) (pingouin's ICC2, ICC2k); with incomplete panels ``k`` is the
    mean number of reviews per household. Above village level the household variance includes the
    spread between villages.

    Krippendorff's alpha uses the ratio metric on amounts snapped to ``alpha_grid`` (declines
    left out); it is computed by :func:`krippendorff_alpha_ratio`, checked against the
    ``krippendorff`` package.

    Kendall's W is computed within each village from the reviewers' ranks of the households they
    reviewed (declines included, as the lowest proposals; ties get average ranks), centred and
    scaled by the number of households each reviewer ranked: W = between-household sum of squares
    of the ranks / total sum of squares. With complete panels this is the tie-corrected Kendall's W
    (as ``pingouin.friedman(within=household, subject=reviewer)``). Groups above village level
    report the household-weighted mean of their villages' W.

    References
    ----------
    McGraw, K. O., Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. Psychological Methods 1(1), 30-46.
    ten Hove, D., Jorgensen, T. D., van der Ark, L. A. (2025). How to estimate intraclass
    correlation coefficients for interrater reliability from planned incomplete data.
    Multivariate Behavioral Research 60(5).
    Kendall, M. G., Babington Smith, B. (1939). The problem of m rankings. Ann. Math. Statist. 10.
    """
    if by not in ("village", "township", None):
        raise CalibParamsError(f"by must be 'village', 'township' or None, got {by!r}")
    if not alpha_grid > 0:
        raise CalibParamsError(f"alpha_grid must be positive, got {alpha_grid!r}")
    d = design(reviews)
    if by == "township" and d.township_of_v is None:
        raise CalibInputError("reviews: column 'township' is needed for by='township'")
    grant = d.amount > 0
    hg, rg = d.h[grant], d.r[grant]
    cmp = fit_components(d, grant)
    fit = crossed_fit(hg, rg, np.log(d.amount[grant]), cmp, huber_c=None,
                      max_iter=max_iter, tol=tol, min_df=0)
    w_v, nh_all_v = _kendall_w_by_village(d)
    snapped = np.maximum(np.round(d.amount[grant] / alpha_grid), 1.0) * alpha_grid
    rows = []
    for level, ng, gv, labels in _village_groups(d, by):
        comp = _components(d, fit, cmp, hg, rg, gv, ng)
        g_y = comp.pop("_g_y")
        with np.errstate(invalid="ignore", divide="ignore"):
            kw = bc(gv, np.nan_to_num(w_v) * nh_all_v, ng) / bc(gv, np.where(np.isfinite(w_v), nh_all_v, 0), ng)
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(labels, dtype=object), **comp,
            "krippendorff_alpha": (krippendorff_alpha_ratio(hg, snapped, g_y, ng) if hg.size
                                   else np.full(ng, np.nan)),   # every review a decline
            "kendall_w": kw,
        }))
    return stack_levels(rows)
