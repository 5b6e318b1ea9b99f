"""Reviewer leniency, severity and partiality, and the flagged-reviewer table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import require_columns
from calib.consensus.design import design, relation_mask
from calib.consensus.fit import MAD, Fit, bc, crossed_fit
from calib.consensus.graph import MIN_COMPONENT_DF, Components, fit_components
from calib.consensus.groups import GroupSorter
from calib.errors import CalibParamsError

#: False-discovery rate of the partiality tests (Benjamini-Hochberg over the reviewers tested):
#: the conventional 5% (Benjamini & Hochberg 1995). A reviewer whose adjusted q is below it is
#: flagged as partial (report 02 states it in its text, its conclusions and its methods appendix).
PARTIALITY_FDR = 0.05


def _partiality(fit: Fit, y, hg, rg, rel, nH, nR, alternative, cmp: Components) -> dict[str, np.ndarray]:
    """Leave-one-out residuals on related against unrelated households, per rater (t test).

    The residuals are winsorised at 3 robust SDs of their component (1.4826 x MAD).
    """
    from scipy import stats

    yb = y - fit.b[rg]
    S, W = bc(hg, fit.w * yb, nH), bc(hg, fit.w, nH)
    with np.errstate(invalid="ignore", divide="ignore"):
        a_loo = (S[hg] - fit.w * yb) / (W[hg] - fit.w)
    loo = yb - a_loo
    ok = np.isfinite(loo)
    c_y = cmp.c_h[hg]
    s_loo = (MAD * GroupSorter(c_y[ok], cmp.n).median(np.abs(loo[ok])))[c_y]
    loo = np.clip(loo, -3 * s_loo, 3 * s_loo)
    r1, r0 = rel & ok, ~rel & ok
    n1, n0 = bc(rg[r1], None, nR), bc(rg[r0], None, nR)
    s1, s0 = bc(rg[r1], loo[r1], nR), bc(rg[r0], loo[r0], nR)
    q1, q0 = bc(rg[r1], loo[r1] ** 2, nR), bc(rg[r0], loo[r0] ** 2, nR)
    with np.errstate(invalid="ignore", divide="ignore"):
        m1, m0 = s1 / n1, s0 / n0
        ss = (q1 - n1 * m1 ** 2) + (q0 - n0 * m0 ** 2)
        dfree = n1 + n0 - 2
        sp = np.sqrt(np.where(dfree > 0, ss / dfree, np.nan))
        t = (m1 - m0) / (sp * np.sqrt(1 / n1 + 1 / n0))
    tested = (n1 >= 1) & (n0 >= 2) & (dfree >= 1) & np.isfinite(t)
    p = np.full(nR, np.nan)
    if alternative == "greater":
        p[tested] = stats.t.sf(t[tested], dfree[tested])
    else:
        p[tested] = 2 * stats.t.sf(np.abs(t[tested]), dfree[tested])
    return {"n1": n1, "diff": np.where(n1 > 0, m1 - m0, np.nan), "p": p, "tested": tested}


def _bh(p: np.ndarray, tested: np.ndarray, alpha: float) -> np.ndarray:
    q = np.full(p.size, np.nan)
    if tested.any():
        from statsmodels.stats.multitest import multipletests
        q[tested] = multipletests(p[tested], alpha=alpha, method="fdr_bh")[1]
    return q


def _flag_reasons(reasons: pd.DataFrame) -> tuple[np.ndarray, pd.arrays.ArrowStringArray]:
    """``flagged`` and the ``;``-joined reason codes, one per row of the boolean ``reasons``."""
    flags = reasons.to_numpy()
    reason = np.full(len(reasons), "", dtype=object)
    for j, c in enumerate(reasons.columns):
        reason = np.where(flags[:, j], np.where(reason == "", c, reason + ";" + c), reason)
    return flags.any(axis=1), pd.array(reason.astype(str), dtype="str")


def reviewer_effects(
    reviews: pd.DataFrame,
    *,
    relations: pd.DataFrame | None = None,
    alpha: float = PARTIALITY_FDR,
    alternative: str = "two-sided",
    leniency_band: tuple[float, float] | None = None,
    huber_c: float = 1.345,
    max_iter: int = 200,
    tol: float = 1e-6,
    min_component_df: int = MIN_COMPONENT_DF,
) -> pd.DataFrame:
    """Leniency or severity of each reviewer, and partiality towards related households.

    Parameters
    ----------
    reviews : DataFrame
        As for :func:`consensus_limits`.
    relations : DataFrame, optional
        Conflict-of-interest register: ``reviewer_id, household_id, relation`` (self, kin,
        neighbour, business). Only registered pairs the reviewer actually reviewed count.
    alpha : float
        False-discovery rate of the partiality tests (Benjamini-Hochberg over the reviewers
        tested); default :data:`PARTIALITY_FDR`.
    alternative : {"two-sided", "greater"}
        ``greater`` tests only for favouring related households.
    leniency_band : (float, float), optional
        When given, a reviewer whose whole 95% leniency interval lies outside ``[low, high]`` is
        also flagged (``lenient`` / ``severe``). Default: no leniency flag.
    huber_c, max_iter, tol, min_component_df
        As for :func:`consensus_limits`.

    Returns
    -------
    DataFrame
        Index ``reviewer_id`` (one row per reviewer and village panel), columns:

        - ``village``, ``township`` (when given).
        - ``n_reviews``, ``n_declines``: reviews given and how many were declines.
        - ``leniency``: ratio of the reviewer's proposals to the panel's for the same households
          (1.0 neutral, 1.3 = 30% above); ``leniency_low``, ``leniency_high``: 95% interval.
        - ``n_related``: non-declining reviews of registered related households.
        - ``partiality``: ratio of the reviewer's (leave-one-out) residuals on related against
          unrelated households (1.2 = related households get 20% more); ``partiality_p``: p-value
          of the test; ``partiality_q``: Benjamini-Hochberg adjusted.
        - ``identified`` (bool): the reviewer's connected component of the review graph (see
          :func:`consensus_limits` and :func:`identifiability`) is large enough for the leniency
          to be estimated (leniency NaN otherwise).
        - ``self_review`` (bool): the reviewer reviewed their own household.
        - ``flagged`` (bool) and ``flag_reason`` (``;``-joined codes ``self_review``, ``partial``,
          ``lenient``, ``severe``; empty string when not flagged).

    Notes
    -----
    The leniency is ``exp(b_j)`` of the robust crossed fit of :func:`consensus_limits`. Its 95%
    interval is ``exp(b_j +- 1.96 se_j)``, ``se_j`` the root mean squared error of the shrunk
    estimate (see :func:`calib.consensus.fit.crossed_fit`). Simulations
    (``tests/consensus/test_identifiability.py``) check that 93-97% of the intervals cover the
    true leniency. Everything is estimated within the reviewer's connected component.

    Pooled across the whole call (the only such quantity): the Benjamini-Hochberg adjustment of
    ``partiality_q`` runs over all reviewers tested. Per-partition runs (e.g. one per group of
    components in Spark) give the same ``partiality_p``; apply :func:`refresh_flags` to the union.

    Partiality: for each review the household level is recomputed without that review (leave one
    out), giving a residual ``y_ij - b_j - a_i(-j)`` untouched by the reviewer's own rating; its
    mean over related households is compared with the mean over the reviewer's other households
    by a pooled two-sample t test (residuals winsorised at 3 robust SDs). A reviewer who reviewed
    a household registered as ``self`` is always flagged.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
    """
    if alternative not in ("two-sided", "greater"):
        raise CalibParamsError(f"alternative must be 'two-sided' or 'greater', got {alternative!r}")
    if not 0 < alpha < 1:
        raise CalibParamsError(f"alpha must be in (0, 1), got {alpha!r}")
    d = design(reviews)
    rel_any, rel_self = relation_mask(d, relations)
    nH, nR = d.nH, d.nR
    grant = d.amount > 0
    hg, rg = d.h[grant], d.r[grant]
    y = np.log(d.amount[grant])
    cmp = fit_components(d, grant)
    fit = crossed_fit(hg, rg, y, cmp, huber_c=huber_c, max_iter=max_iter, tol=tol, min_df=min_component_df)
    ident = cmp.identified(min_component_df)[np.maximum(cmp.c_r, 0)] & (cmp.c_r >= 0)
    b = np.where(ident, fit.b, np.nan)
    from scipy import stats

    z = stats.norm.ppf(0.975)
    out = pd.DataFrame(
        {"village": d.villages.take(d.v_r)}, index=pd.Index(d.rater_reviewer, name="reviewer_id"))
    if d.township_of_v is not None:
        out["township"] = d.township_of_v.take(d.v_r)
    out["n_reviews"] = bc(d.r, None, nR).astype(np.int64)
    out["n_declines"] = bc(d.r[~grant], None, nR).astype(np.int64)
    out["leniency"] = np.exp(b)
    out["leniency_low"] = np.exp(b - z * fit.se_b)
    out["leniency_high"] = np.exp(b + z * fit.se_b)
    out["identified"] = ident
    part = _partiality(fit, y, hg, rg, rel_any[grant], nH, nR, alternative, cmp)
    out["n_related"] = part["n1"].astype(np.int64)
    out["partiality"] = np.exp(part["diff"])
    out["partiality_p"] = part["p"]
    out["partiality_q"] = np.nan   # set by refresh_flags
    out["self_review"] = bc(d.r[rel_self], None, nR) > 0
    return refresh_flags(out, alpha=alpha, leniency_band=leniency_band)


def refresh_flags(effects: pd.DataFrame, *, alpha: float = PARTIALITY_FDR,
                  leniency_band: tuple[float, float] | None = None) -> pd.DataFrame:
    """Benjamini-Hochberg ``partiality_q`` over all rows, then ``flagged`` and ``flag_reason``.

    :func:`reviewer_effects` ends with this step. It is the only one that pools reviewers: run on
    parts of a programme (e.g. one Spark task per group of components), concatenate the parts and
    call it once on the union to get the flags of a run on the whole.

    Parameters
    ----------
    effects : DataFrame
        Rows of :func:`reviewer_effects` (``partiality_p``, ``self_review``, ``leniency_low``,
        ``leniency_high`` are used).
    alpha, leniency_band
        As for :func:`reviewer_effects`.

    Returns
    -------
    DataFrame
        A copy with ``partiality_q``, ``flagged`` and ``flag_reason`` (re)computed.
    """
    require_columns(effects, ("partiality_p", "self_review", "leniency_low", "leniency_high"), "effects",
                    "use reviewer_effects")
    out = effects.copy()
    p = out["partiality_p"].to_numpy(dtype=float, na_value=np.nan)
    q = _bh(p, np.isfinite(p), alpha)
    out["partiality_q"] = q
    reasons = pd.DataFrame({"self_review": out["self_review"].to_numpy(bool),
                            "partial": np.nan_to_num(q, nan=1.0) < alpha})
    if leniency_band is not None:
        lo, hi = leniency_band
        reasons["lenient"] = out["leniency_low"].to_numpy(dtype=float, na_value=np.nan) > hi
        reasons["severe"] = out["leniency_high"].to_numpy(dtype=float, na_value=np.nan) < lo
    out["flagged"], out["flag_reason"] = _flag_reasons(reasons)
    return out


def flagged_reviewers(effects: pd.DataFrame, reviewers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The flagged reviewers with their reasons, for the panel secretary (no names).

    Parameters
    ----------
    effects : DataFrame
        Output of :func:`reviewer_effects` (index ``reviewer_id``).
    reviewers : DataFrame, optional
        The ``reviewers`` table (``reviewer_id, village, role``); only ``role`` is taken (joined
        on reviewer and village). Names and ID numbers are never read.

    Returns
    -------
    DataFrame
        One row per flagged reviewer panel seat, most suspicious first (self reviews and partial
        reviewers by ascending ``partiality_q``, then the rest by distance of the leniency from
        1): ``reviewer_id``, ``village``, ``township`` (when present), ``role`` (when
        ``reviewers`` is given), ``flag_reason``, ``n_reviews``, ``leniency``, ``leniency_low``,
        ``leniency_high``, ``n_related``, ``partiality``, ``partiality_q``.
    """
    require_columns(effects, ("flagged", "flag_reason", "village", "leniency"), "effects",
                    "use reviewer_effects")
    sub = effects[effects["flagged"].to_numpy(dtype=bool)].reset_index()
    if reviewers is not None:
        require_columns(reviewers, ("reviewer_id", "village", "role"), "reviewers")
        roles = reviewers[["reviewer_id", "village", "role"]].drop_duplicates(["reviewer_id", "village"])
        sub = sub.merge(roles, on=["reviewer_id", "village"], how="left")
    q = sub["partiality_q"].to_numpy(dtype=float, na_value=np.nan) if "partiality_q" in sub else np.full(len(sub), np.nan)
    dist = np.abs(np.log(sub["leniency"].to_numpy(dtype=float)))
    sub = sub.assign(_q=np.nan_to_num(q, nan=1.0), _d=-dist)
    sub = sub.sort_values(["_q", "_d", "reviewer_id"], kind="stable")
    cols = [c for c in ("reviewer_id", "village", "township", "role", "flag_reason", "n_reviews",
                        "leniency", "leniency_low", "leniency_high", "n_related", "partiality",
                        "partiality_q") if c in sub.columns]
    return sub[cols].reset_index(drop=True)
