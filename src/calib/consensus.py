"""Peer-review consensus (公议授信额度): consensus limits, reviewer leniency and agreement.

Step 2 of the programme (``DOMAIN.md``): every panel member of a village proposes a limit for each
household, back to back; the bank turns these into one fair consensus limit per household, checks
the reviewers for leniency, severity and partiality, and measures how well the panel agrees.

All functions take the ``reviews`` table of the data contract (``household_id, reviewer_id,
proposed_limit, village`` are needed; ``township`` is used when present). Amounts are yuan and a
proposed limit of 0 is a **decline**: declines are counted, never logged.

The default consensus (``method="adjusted"``) fits, on the log scale and over all villages at once,
the crossed model ``log(proposed_limit) = household + reviewer + error`` with reviewer effects
centred inside each village, by robust (Huber) iteratively reweighted backfitting. It is vectorised
with :func:`numpy.bincount` and handles millions of households in seconds.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError, CalibParamsError
from calib.grouping import levels, stack_levels

__all__ = [
    "consensus_limits",
    "reviewer_effects",
    "agreement",
    "krippendorff_alpha_ratio",
    "consensus_shift",
    "status_counts",
    "flagged_reviewers",
    "METHODS",
    "DECLINE_RULES",
]

#: Consensus methods of :func:`consensus_limits`.
METHODS: tuple[str, ...] = ("median", "trimmed_mean", "huber", "adjusted")
#: Decline rules: when do declines keep a household off the white list.
DECLINE_RULES: tuple[str, ...] = ("majority", "any", "all")

_REQUIRED = ("household_id", "reviewer_id", "proposed_limit", "village")
_MAD = 1.482602218505602  # 1 / Phi^-1(3/4)


# --------------------------------------------------------------------------------------------
# design: integer codes for households, raters (reviewer x village) and villages
# --------------------------------------------------------------------------------------------
@dataclass
class _Design:
    h: np.ndarray            # household code per review
    r: np.ndarray            # rater code per review (reviewer within village)
    v_h: np.ndarray          # village code per household
    v_r: np.ndarray          # village code per rater
    amount: np.ndarray       # proposed limit per review (yuan)
    households: pd.Index     # household_id per household code
    rater_reviewer: pd.Index  # reviewer_id per rater code
    villages: pd.Index       # village per village code
    township_of_v: pd.Index | None  # township per village code (None when absent)
    keep: np.ndarray         # bool per review: used in the fit (not recused)
    rev: np.ndarray          # reviewer code per review
    reviewers: pd.Index      # reviewer_id per reviewer code

    @property
    def nH(self) -> int:
        return len(self.households)

    @property
    def nR(self) -> int:
        return len(self.rater_reviewer)

    @property
    def nV(self) -> int:
        return len(self.villages)


def _check_reviews(reviews: pd.DataFrame) -> None:
    if not isinstance(reviews, pd.DataFrame):
        raise CalibInputError(f"reviews must be a pandas DataFrame, got {type(reviews).__name__}")
    missing = [c for c in _REQUIRED if c not in reviews.columns]
    if missing:
        raise CalibInputError(f"reviews: missing required column(s) {missing}")
    if len(reviews) == 0:
        raise CalibInputError("reviews: the table is empty")
    for col in ("household_id", "reviewer_id", "village"):
        if reviews[col].isna().any():
            i = int(np.flatnonzero(reviews[col].isna().to_numpy())[0])
            raise CalibInputError(f"reviews: column {col!r} is blank in row {reviews.index[i]!r}")
    amt = pd.to_numeric(reviews["proposed_limit"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(amt) | (amt < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CalibInputError(
            f"reviews: column 'proposed_limit' must be a finite amount >= 0; row {reviews.index[i]!r} "
            f"has {reviews['proposed_limit'].iloc[i]!r}"
        )


def _relation_mask(d: "_Design", relations: pd.DataFrame | None,
                   which: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per review: (has a registered relation [of the given kinds], relation is 'self')."""
    n = d.h.size
    if relations is None or len(relations) == 0:
        return np.zeros(n, bool), np.zeros(n, bool)
    for col in ("reviewer_id", "household_id", "relation"):
        if col not in relations.columns:
            raise CalibInputError(f"relations: missing required column {col!r}")
    kind = relations["relation"].astype(str).str.strip().str.lower()
    nrev = len(d.reviewers)
    key = d.h * nrev + d.rev

    def keys(mask: np.ndarray) -> np.ndarray:
        frame = relations[mask]
        a = d.reviewers.get_indexer(frame["reviewer_id"]).astype(np.int64)
        b = d.households.get_indexer(frame["household_id"]).astype(np.int64)
        ok = (a >= 0) & (b >= 0)
        return np.unique(b[ok] * nrev + a[ok])

    sel = np.ones(len(relations), bool) if which is None else kind.isin([w.lower() for w in which]).to_numpy()
    any_rel = np.isin(key, keys(sel))
    self_rel = np.isin(key, keys((kind == "self").to_numpy()))
    return any_rel, self_rel


def _design(reviews: pd.DataFrame) -> _Design:
    _check_reviews(reviews)
    h, households = pd.factorize(reviews["household_id"], sort=False)
    vcode, villages = pd.factorize(reviews["village"], sort=True)
    rev_code, reviewers = pd.factorize(reviews["reviewer_id"], sort=False)
    h = h.astype(np.int64)
    vcode = vcode.astype(np.int64)
    nV = len(villages)
    # a household belongs to one village
    v_h = np.empty(len(households), np.int64)
    v_h[h] = vcode
    clash = v_h[h] != vcode
    if clash.any():
        i = int(np.flatnonzero(clash)[0])
        raise CalibInputError(
            f"reviews: household_id {reviews['household_id'].iloc[i]!r} appears in more than one "
            f"village (column 'village')"
        )
    # a rater is a reviewer inside one village (a reviewer on two panels is two raters)
    pair = rev_code.astype(np.int64) * nV + vcode
    r, pairs = pd.factorize(pair, sort=False)
    r = r.astype(np.int64)
    pairs = np.asarray(pairs)
    v_r = pairs % nV
    rater_reviewer = pd.Index(reviewers).take(pairs // nV)
    # one review per (reviewer, household)
    hr = h * len(pairs) + r
    if hr.size > 1 and (np.diff(np.sort(hr)) == 0).any():
        dup = pd.Series(hr).duplicated().to_numpy()
        i = int(np.flatnonzero(dup)[0])
        raise CalibInputError(
            f"reviews: reviewer_id {reviews['reviewer_id'].iloc[i]!r} reviewed household_id "
            f"{reviews['household_id'].iloc[i]!r} more than once"
        )
    township_of_v = None
    if "township" in reviews.columns:
        t = np.empty(nV, dtype=object)
        t[vcode] = reviews["township"].to_numpy(dtype=object)
        township_of_v = pd.Index(t)
    amount = pd.to_numeric(reviews["proposed_limit"]).to_numpy(dtype=float)
    return _Design(h=h, r=r, v_h=v_h, v_r=v_r, amount=amount, households=pd.Index(households),
                   rater_reviewer=rater_reviewer, villages=pd.Index(villages),
                   township_of_v=township_of_v, keep=np.ones(len(h), bool),
                   rev=rev_code.astype(np.int64), reviewers=pd.Index(reviewers))


# --------------------------------------------------------------------------------------------
# the crossed two-way fit
# --------------------------------------------------------------------------------------------
@dataclass
class _Fit:
    a: np.ndarray        # household level (log), NaN without granted review
    b: np.ndarray        # rater effect (log), centred within village (review weighted)
    se_b: np.ndarray     # standard error of b
    w: np.ndarray        # final robustness weight per granted review
    resid: np.ndarray    # y - a - b per granted review
    scale: float         # robust residual scale (df corrected)
    n_iter: int
    converged: bool


def _bc(idx: np.ndarray, w: np.ndarray | None, n: int) -> np.ndarray:
    return np.bincount(idx, weights=w, minlength=n)


def _rater_var(h: np.ndarray, r: np.ndarray, v_r: np.ndarray, n_h: np.ndarray, n_r: np.ndarray,
               nV: int, max_panel: int = 80) -> np.ndarray:
    """Diagonal of Var(b_hat) / sigma^2 for the least-squares crossed fit, per rater.

    For a village with raters 1..P the reduced normal equations of the rater effects have the
    matrix ``C = diag(n_j) - M``, ``M_jl = sum_i n_ij n_il / k_i`` (households absorbed), so the
    sum-to-zero estimate has covariance ``sigma^2 C^+``; the review-weighted centring used here is
    the linear map ``T = I - 1 omega'``. All villages are stacked in one (V, P, P) array and
    pseudo-inverted in one batch. Panels larger than ``max_panel`` use the approximation
    ``1 / n_j`` instead.
    """
    nR = n_r.size
    out = np.full(nR, np.nan)
    if nR == 0 or h.size == 0:
        return out
    order = np.argsort(v_r, kind="stable")
    P_v = np.bincount(v_r, minlength=nV)
    start_v = np.concatenate([[0], np.cumsum(P_v)[:-1]])
    pos = np.empty(nR, np.int64)
    pos[order] = np.arange(nR) - start_v[v_r[order]]
    P = int(P_v.max())
    small = P_v <= max_panel
    with np.errstate(divide="ignore"):
        out[:] = np.where(n_r > 0, 1.0 / n_r, np.nan)
    if not small.any():
        return out
    P = min(P, max_panel)
    # households sorted, seats within household
    sel = small[v_r[r]]
    hs_order = np.argsort(h[sel], kind="stable")
    hh = h[sel][hs_order]
    rr = r[sel][hs_order]
    k = n_h[hh]
    cnt = np.bincount(hh, minlength=n_h.size)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    seat = np.arange(hh.size) - start[hh]
    K = int(cnt.max())
    base = v_r[rr] * (P * P)
    flat = np.bincount(base + pos[rr] * (P + 1), weights=1.0 - 1.0 / k, minlength=nV * P * P)
    # seat table per household: review row in (hh, rr) order
    nHs = cnt.size
    tab = np.full((nHs, K), -1, np.int64)
    tab[hh, seat] = np.arange(hh.size)
    for s_ in range(K):
        for t_ in range(s_ + 1, K):
            both = tab[:, t_] >= 0
            i1, i2 = tab[both, s_], tab[both, t_]
            wgt = -1.0 / k[i1]
            b_ = base[i1]
            flat += np.bincount(b_ + pos[rr[i1]] * P + pos[rr[i2]], weights=wgt, minlength=nV * P * P)
            flat += np.bincount(b_ + pos[rr[i2]] * P + pos[rr[i1]], weights=wgt, minlength=nV * P * P)
    C = flat.reshape(nV, P, P)
    Cp = np.linalg.pinv(C, hermitian=True)
    # review-weighted centring: Var(T b) = C+ - 2 C+ w 1' (diag) + w' C+ w
    omega = np.zeros((nV, P))
    rs = small[v_r]
    omega[v_r[rs], pos[rs]] = n_r[rs]
    tot = omega.sum(axis=1, keepdims=True)
    omega = np.divide(omega, tot, out=np.zeros_like(omega), where=tot > 0)
    Cw = np.einsum("vjl,vl->vj", Cp, omega)
    wCw = np.einsum("vj,vj->v", omega, Cw)
    diag = np.einsum("vjj->vj", Cp) - 2 * Cw + wCw[:, None]
    vals = diag[v_r[rs], pos[rs]]
    out[rs] = np.where(n_r[rs] > 0, np.maximum(vals, 0.0), np.nan)
    return out


def _crossed_fit(h: np.ndarray, r: np.ndarray, y: np.ndarray, v_r: np.ndarray, nH: int, nR: int,
                 nV: int, *, huber_c: float | None = 1.345, shrink: bool = True,
                 max_iter: int = 200, tol: float = 1e-6) -> _Fit:
    """Fit y = a_h + b_r + e by (robust) backfitting; b centred within each village.

    ``huber_c=None`` gives least squares (the fixed-effects fit used for variance components).
    """
    N = y.size
    n_h = _bc(h, None, nH)
    n_r = _bc(r, None, nR)
    has_r = n_r > 0
    nv_r = np.bincount(v_r[has_r], minlength=nV)
    df = max(N - int((n_h > 0).sum()) - int(has_r.sum()) + int((nv_r > 0).sum()), 1)
    infl = np.sqrt(N / df) if N > 0 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        a = _bc(h, y, nH) / n_h
    b = np.zeros(nR)
    w = np.ones(N)
    lam = 0.0
    stride = max(1, N // 200_000)
    scale = np.nan
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        res = y - a[h] - b[r]
        if huber_c is not None and (it <= 5 or it % 10 == 0):
            # robust scale; on a systematic subsample of <= 200,000 residuals for speed
            scale = _MAD * float(np.median(np.abs(res[::stride]))) * infl
            if not scale > 0:
                scale = float(np.sqrt(np.mean(res ** 2)) * infl) or 1e-12
            ares = np.abs(res)
            w = np.where(ares * infl <= huber_c * scale, 1.0, huber_c * scale / np.maximum(ares * infl, 1e-300))
        with np.errstate(invalid="ignore", divide="ignore"):
            a_new = _bc(h, w * (y - b[r]), nH) / _bc(h, w, nH)
            num = _bc(r, w * (y - a_new[h]), nR)
            den = _bc(r, w, nR)
            if shrink and it > 2:
                s2 = scale ** 2 if huber_c is not None else float(np.mean(res ** 2)) * infl ** 2
                tau2 = max(float(np.mean(b[has_r] ** 2) - np.mean(s2 / den[has_r])), 1e-4)
                lam = s2 / tau2
            b_new = np.where(den > 0, num / (den + lam), 0.0)
        cv = _bc(v_r, b_new * n_r, nV) / np.maximum(_bc(v_r, n_r, nV), 1)
        b_new = b_new - cv[v_r]
        delta = max(np.nanmax(np.abs(a_new - a)) if nH else 0.0, np.max(np.abs(b_new - b)) if nR else 0.0)
        a, b = a_new, b_new
        if delta < tol and it > 3:
            converged = True
            break
    res = y - a[h] - b[r]
    # variance of the rater effects: exact least-squares covariance of the crossed design per
    # village (_rater_var) times the sandwich variance of the Huber M-estimate,
    # sum(psi(res)^2) / df / (share of |res| <= c s)^2, psi = residual clipped at +-c s
    if huber_c is None:
        scale = float(np.sqrt(np.sum(res ** 2) / df))
        w = np.ones(N)
        sigma2 = scale ** 2
        dpsi = n_r.astype(float)
    else:
        clipped = np.clip(res, -huber_c * scale, huber_c * scale)
        inside = (np.abs(res) <= huber_c * scale).astype(float)
        share_in = max(float(inside.mean()), 1e-12) if N else 1.0
        sigma2 = float(np.sum(clipped ** 2) / df) / share_in ** 2
        dpsi = _bc(r, inside, nR)
    with np.errstate(invalid="ignore", divide="ignore"):
        ridge = np.where(n_r > 0, (dpsi / (dpsi + lam)) ** 2, np.nan)
    var_b = sigma2 * _rater_var(h, r, v_r, n_h, n_r, nV) * ridge
    return _Fit(a=a, b=b, se_b=np.sqrt(var_b), w=w, resid=res, scale=float(scale), n_iter=it,
                converged=converged)


# --------------------------------------------------------------------------------------------
# per-household aggregators on sorted groups (vectorised)
# --------------------------------------------------------------------------------------------
def _group_median(g: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    out = pd.Series(x).groupby(g).median()
    res = np.full(n, np.nan)
    res[out.index.to_numpy()] = out.to_numpy()
    return res


def _group_trimmed_mean(g: np.ndarray, x: np.ndarray, n: int, trim: float) -> np.ndarray:
    """Per group ``scipy.stats.trim_mean(x, trim)``: cut int(trim * n_g) values from each end."""
    order = np.lexsort((x, g))
    gs, xs = g[order], x[order]
    cnt = np.bincount(gs, minlength=n)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    rank = np.arange(gs.size) - start[gs]
    cut = np.floor(trim * cnt).astype(np.int64)
    sel = (rank >= cut[gs]) & (rank < (cnt - cut)[gs])
    with np.errstate(invalid="ignore", divide="ignore"):
        return _bc(gs[sel], xs[sel], n) / _bc(gs[sel], None, n)


def _group_huber(g: np.ndarray, x: np.ndarray, n: int, c: float = 1.345,
                 max_iter: int = 100, tol: float = 1e-8) -> np.ndarray:
    """Per group Huber M-estimate of location, as ``statsmodels`` ``RLM(x, 1, HuberT(c))``.

    Iteratively reweighted least squares; the scale is re-estimated at each step as the MAD of the
    residuals about zero (statsmodels' default ``scale_est="mad"``). A group whose scale is 0 (more
    than half its values equal) returns its median.
    """
    cnt = _bc(g, None, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = _bc(g, x, n) / cnt   # OLS start, like RLM
    med = _group_median(g, x, n)
    for _ in range(max_iter):
        res = x - mu[g]
        s = _MAD * _group_median(g, np.abs(res), n)
        sg = s[g]
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(np.abs(res) <= c * sg, 1.0, c * sg / np.abs(res))
            w = np.where(sg > 0, w, 1.0)
            mu_new = _bc(g, w * x, n) / _bc(g, w, n)
        done = np.nanmax(np.abs(mu_new - mu)) < tol if n else True
        mu = mu_new
        if done:
            break
    s = _MAD * _group_median(g, np.abs(x - mu[g]), n)
    return np.where(s > 0, mu, med)


def _to_grid(x: np.ndarray, grid: float, cap: float | None) -> np.ndarray:
    """Cap, then round to the nearest multiple of ``grid`` (a positive amount never rounds to 0)."""
    x = np.asarray(x, float)
    if cap is not None:
        x = np.minimum(x, cap)
    out = np.round(x / grid) * grid
    out = np.where((x > 0) & (out <= 0), grid, out)
    if cap is not None:
        out = np.minimum(out, np.floor(cap / grid) * grid if cap >= grid else cap)
    return out


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


def _location_frame(d: _Design, index: pd.Index | None = None) -> pd.DataFrame:
    out = pd.DataFrame({"village": d.villages.take(d.v_h)}, index=d.households)
    if d.township_of_v is not None:
        out["township"] = d.township_of_v.take(d.v_h)
    return out


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
    d = _design(reviews)
    recused_rows, _ = _relation_mask(d, relations, which=list(recuse))
    d.keep = ~recused_rows
    nH = d.nH
    keep = d.keep
    grant = (d.amount > 0) & keep
    n_rev = _bc(d.h[keep], None, nH)
    n_dec = _bc(d.h[keep & ~grant], None, nH)
    n_recused = _bc(d.h[~keep], None, nH)
    hg, rg = d.h[grant], d.r[grant]
    y = np.log(d.amount[grant])
    if method == "adjusted":
        fit = _crossed_fit(hg, rg, y, d.v_r, nH, d.nR, d.nV, huber_c=huber_c, max_iter=max_iter, tol=tol)
        level = fit.a
        yd = y - fit.b[rg]
    else:
        yd = y
        if method == "median":
            level = _group_median(hg, y, nH)
        elif method == "trimmed_mean":
            level = _group_trimmed_mean(hg, y, nH, trim)
        else:
            level = _group_huber(hg, y, nH, c=huber_c, max_iter=max_iter)
    med = _group_median(hg, yd, nH)
    dispersion = _MAD * _group_median(hg, np.abs(yd - med[hg]), nH)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_dec / n_rev
    if decline_rule == "majority":
        declined = n_dec > n_rev / 2
    elif decline_rule == "any":
        declined = n_dec > 0
    else:
        declined = n_dec >= n_rev
    has_grant = np.isfinite(level)
    white = has_grant & ~declined
    granted = np.where(has_grant, _to_grid(np.exp(np.where(has_grant, level, 0.0)), grid, cap), np.nan)
    out = _location_frame(d)
    out["consensus_limit"] = np.where(white, granted, 0.0)
    out["consensus_granted"] = granted
    out["n_reviews"] = n_rev.astype(np.int64)
    out["n_declines"] = n_dec.astype(np.int64)
    out["decline_share"] = share
    out["n_recused"] = n_recused.astype(np.int64)
    out["dispersion"] = dispersion
    out["white_list"] = white
    out["needs_rereview"] = (n_rev < min_reviews) | (np.nan_to_num(dispersion, nan=0.0) > max_dispersion)
    out.index.name = "household_id"
    return out


def reviewer_effects(
    reviews: pd.DataFrame,
    *,
    relations: pd.DataFrame | None = None,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    leniency_band: tuple[float, float] | None = None,
    huber_c: float = 1.345,
    max_iter: int = 200,
    tol: float = 1e-6,
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
        False-discovery rate of the partiality tests (Benjamini-Hochberg over the reviewers tested).
    alternative : {"two-sided", "greater"}
        ``greater`` tests only for favouring related households.
    leniency_band : (float, float), optional
        When given, a reviewer whose whole 95% leniency interval lies outside ``[low, high]`` is
        also flagged (``lenient`` / ``severe``). Default: no leniency flag.
    huber_c, max_iter, tol
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
        - ``self_review`` (bool): the reviewer reviewed their own household.
        - ``flagged`` (bool) and ``flag_reason`` (``;``-joined codes ``self_review``, ``partial``,
          ``lenient``, ``severe``; empty string when not flagged).

    Notes
    -----
    The leniency is ``exp(b_j)`` of the robust crossed fit of :func:`consensus_limits`. Its 95%
    interval is ``exp(b_j +- 1.96 se_j)`` with the sandwich variance of a Huber M-estimate of a
    location, ``se_j^2 = s^2 sum psi(u)^2 / (sum psi'(u) + lambda)^2 x (1 - mean 1/k)``, where the
    last factor accounts for each household level being fitted from the same ratings (``k``
    reviews per household; exact for complete panels). Simulations (``tests/test_consensus.py``)
    check its coverage.

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
    d = _design(reviews)
    rel_any, rel_self = _relation_mask(d, relations)
    nH, nR = d.nH, d.nR
    grant = d.amount > 0
    hg, rg = d.h[grant], d.r[grant]
    y = np.log(d.amount[grant])
    fit = _crossed_fit(hg, rg, y, d.v_r, nH, nR, d.nV, huber_c=huber_c, max_iter=max_iter, tol=tol)
    z = stats.norm.ppf(0.975)
    out = pd.DataFrame(
        {"village": d.villages.take(d.v_r)}, index=pd.Index(d.rater_reviewer, name="reviewer_id"))
    if d.township_of_v is not None:
        out["township"] = d.township_of_v.take(d.v_r)
    out["n_reviews"] = _bc(d.r, None, nR).astype(np.int64)
    out["n_declines"] = _bc(d.r[~grant], None, nR).astype(np.int64)
    out["leniency"] = np.exp(fit.b)
    out["leniency_low"] = np.exp(fit.b - z * fit.se_b)
    out["leniency_high"] = np.exp(fit.b + z * fit.se_b)

    # leave-one-out residuals
    yb = y - fit.b[rg]
    S = _bc(hg, fit.w * yb, nH)
    W = _bc(hg, fit.w, nH)
    with np.errstate(invalid="ignore", divide="ignore"):
        a_loo = (S[hg] - fit.w * yb) / (W[hg] - fit.w)
    loo = yb - a_loo
    ok = np.isfinite(loo)
    s_loo = _MAD * float(np.median(np.abs(loo[ok]))) if ok.any() else np.nan
    loo = np.clip(loo, -3 * s_loo, 3 * s_loo)
    rel = rel_any[grant] & ok
    unr = ~rel_any[grant] & ok
    n1, n0 = _bc(rg[rel], None, nR), _bc(rg[unr], None, nR)
    s1, s0 = _bc(rg[rel], loo[rel], nR), _bc(rg[unr], loo[unr], nR)
    q1, q0 = _bc(rg[rel], loo[rel] ** 2, nR), _bc(rg[unr], loo[unr] ** 2, nR)
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
    q = np.full(nR, np.nan)
    if tested.any():
        from statsmodels.stats.multitest import multipletests
        q[tested] = multipletests(p[tested], alpha=alpha, method="fdr_bh")[1]
    out["n_related"] = n1.astype(np.int64)
    out["partiality"] = np.exp(np.where(n1 > 0, m1 - m0, np.nan))
    out["partiality_p"] = p
    out["partiality_q"] = q
    self_r = _bc(d.r[rel_self], None, nR) > 0
    out["self_review"] = self_r
    partial = np.nan_to_num(q, nan=1.0) < alpha
    reasons = pd.DataFrame({"self_review": self_r, "partial": partial})
    if leniency_band is not None:
        lo, hi = leniency_band
        reasons["lenient"] = out["leniency_low"].to_numpy() > hi
        reasons["severe"] = out["leniency_high"].to_numpy() < lo
    flags = reasons.to_numpy()
    out["flagged"] = flags.any(axis=1)
    codes = np.array(reasons.columns, dtype=object)
    reason = np.full(nR, "", dtype=object)
    for j, c in enumerate(codes):
        reason = np.where(flags[:, j], np.where(reason == "", c, reason + ";" + c), reason)
    out["flag_reason"] = pd.array(reason.astype(str), dtype="str")
    return out


# --------------------------------------------------------------------------------------------
# agreement
# --------------------------------------------------------------------------------------------
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
    G = int(group.max()) + 1 if n_groups is None else n_groups
    if unit.size == 0:
        return np.full(G, np.nan)
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


def agreement(
    reviews: pd.DataFrame,
    *,
    by: str | None = "village",
    alpha_grid: float = 10_000,
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
        Krippendorff's alpha.
    max_iter, tol
        Stopping rule of the least-squares crossed fit.

    Returns
    -------
    DataFrame
        One row per group plus an ``overall`` row, columns: ``level`` (``by`` or "overall"),
        ``group`` (the village / township, "overall"), ``n_households``, ``n_reviewers``,
        ``n_reviews`` (non-declining reviews used), ``mean_k`` (mean reviews per household),
        ``var_household``, ``var_reviewer``, ``var_error`` (variance components on the log scale),
        ``icc_a1``, ``icc_ak``, ``krippendorff_alpha``, ``kendall_w``.

    Notes
    -----
    Variance components come from the least-squares crossed fit ``y = a_household + b_reviewer
    + e`` on log proposed limits of non-declining reviews (reviewers centred within village), by
    moments: ``var_error = SSE / (N - H - R + V)``, ``var_reviewer = sum b^2 / (R - V) - var_error
    mean(1/n_reviewer)``, ``var_household = var(a) - var_error mean(1/k)``, negative values set to
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
    d = _design(reviews)
    if by == "township" and d.township_of_v is None:
        raise CalibInputError("reviews: column 'township' is needed for by='township'")
    nH, nR, nV = d.nH, d.nR, d.nV
    grant = d.amount > 0
    hg, rg = d.h[grant], d.r[grant]
    y = np.log(d.amount[grant])
    fit = _crossed_fit(hg, rg, y, d.v_r, nH, nR, nV, huber_c=None, shrink=False,
                       max_iter=max_iter, tol=tol)
    # groups of villages
    if by is None:
        labels = pd.Index([], dtype=object)
        g_of_v = np.zeros(nV, np.int64)
    elif by == "village":
        labels = d.villages
        g_of_v = np.arange(nV)
    else:
        g_of_v, labels = pd.factorize(pd.Index(d.township_of_v), sort=True)
        g_of_v = g_of_v.astype(np.int64)
    G = len(labels)
    rows = []
    levels = ([(by, G, g_of_v)] if by is not None else []) + [("overall", 1, np.zeros(nV, np.int64))]
    k_h = _bc(hg, None, nH)
    n_r = _bc(rg, None, nR)
    hh = k_h > 0
    rr = n_r > 0
    # Kendall W per village (all reviews, declines = 0)
    amt = d.amount
    rank = pd.Series(amt).groupby(d.r).rank(method="average").to_numpy()
    n_all_r = _bc(d.r, None, nR)
    u = (rank - (n_all_r[d.r] + 1) / 2) / n_all_r[d.r]
    k_all = _bc(d.h, None, nH)
    su = _bc(d.h, u, nH)
    with np.errstate(invalid="ignore", divide="ignore"):
        ssb_v = _bc(d.v_h, np.where(k_all > 0, su ** 2 / k_all, 0.0), nV)
        sst_v = _bc(d.v_h[d.h], u ** 2, nV)
        w_v = ssb_v / sst_v
    nh_all_v = _bc(d.v_h, (k_all > 0).astype(float), nV)
    # Krippendorff alpha inputs
    snapped = np.maximum(np.round(d.amount[grant] / alpha_grid), 1.0) * alpha_grid
    for level, ng, gv in levels:
        g_h = gv[d.v_h]
        g_r = gv[d.v_r]
        g_y = g_h[hg]
        N = _bc(g_y, None, ng)
        H = _bc(g_h[hh], None, ng)
        R = _bc(g_r[rr], None, ng)
        Vg = _bc(gv[np.flatnonzero(np.bincount(d.v_h[hh], minlength=nV))], None, ng)
        sse = _bc(g_y, fit.resid ** 2, ng)
        with np.errstate(invalid="ignore", divide="ignore"):
            ve = sse / (N - H - R + Vg)
            vr = _bc(g_r[rr], fit.b[rr] ** 2, ng) / (R - Vg) - ve * _bc(g_r[rr], 1 / n_r[rr], ng) / R
            ma = _bc(g_h[hh], fit.a[hh], ng) / H
            va = (_bc(g_h[hh], fit.a[hh] ** 2, ng) - H * ma ** 2) / (H - 1)
            vh = va - ve * _bc(g_h[hh], 1 / k_h[hh], ng) / H
            vh, vr = np.maximum(vh, 0), np.maximum(vr, 0)
            kbar = N / H
            icc1 = vh / (vh + vr + ve)
            icck = vh / (vh + (vr + ve) / kbar)
            kw = _bc(gv, np.nan_to_num(w_v) * nh_all_v, ng) / _bc(gv, np.where(np.isfinite(w_v), nh_all_v, 0), ng)
        kalpha = krippendorff_alpha_ratio(hg, snapped, g_y, ng)
        lab = labels if level != "overall" else pd.Index(["overall"])
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(lab, dtype=object),
            "n_households": H.astype(np.int64), "n_reviewers": R.astype(np.int64),
            "n_reviews": N.astype(np.int64), "mean_k": kbar,
            "var_household": vh, "var_reviewer": vr, "var_error": ve,
            "icc_a1": icc1, "icc_ak": icck, "krippendorff_alpha": kalpha, "kendall_w": kw,
        }))
    return stack_levels(rows)


# --------------------------------------------------------------------------------------------
# report tables
# --------------------------------------------------------------------------------------------
def consensus_shift(
    consensus: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    threshold: float = 0.1,
    by: str | None = "village",
) -> pd.DataFrame:
    """How far one consensus moves households against another (e.g. adjusted against median).

    Parameters
    ----------
    consensus, baseline : DataFrame
        Two outputs of :func:`consensus_limits` on the same reviews (index ``household_id``,
        ``consensus_granted``; ``by`` column when grouping). Households present in only one are
        an error.
    threshold : float
        A household *moves* when ``|consensus / baseline - 1| > threshold`` (0.1 = 10%).
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level`` (``overall`` or ``by``), ``group``, ``n_households`` (both granted),
        ``n_up``, ``n_down`` (moved up / down by more than ``threshold``), ``share_moved``,
        ``median_abs_change`` (median of ``|ratio - 1|``), ``total_consensus``,
        ``total_baseline`` (sums of the granted limits, yuan).

    Notes
    -----
    Compares ``consensus_granted`` (the limit before the white-list decision), so that the
    two aggregators are compared on the same households whatever the decline rule.
    """
    if not threshold >= 0:
        raise CalibParamsError(f"threshold must be >= 0, got {threshold!r}")
    for name, fr in (("consensus", consensus), ("baseline", baseline)):
        if "consensus_granted" not in fr.columns:
            raise CalibInputError(f"{name}: missing required column 'consensus_granted'")
    if len(consensus) != len(baseline) or not consensus.index.sort_values().equals(baseline.index.sort_values()):
        raise CalibInputError("consensus and baseline must cover the same household_id values")
    a = consensus["consensus_granted"].to_numpy(dtype=float, na_value=np.nan)
    b = baseline["consensus_granted"].reindex(consensus.index).to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(ok, a / b - 1.0, np.nan)
    eps = 1e-12  # exactly 10% (110,000 / 100,000 in floating point) is not "more than 10%"
    up = ok & (rel > threshold + eps)
    down = ok & (rel < -threshold - eps)
    groups = levels(consensus, by, name="consensus")
    rows = []
    for level, g, n, labels in groups:
        cnt = _bc(g[ok], None, n)
        absrel = pd.Series(np.abs(rel[ok])).groupby(g[ok]).median().reindex(range(n)).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (_bc(g[up], None, n) + _bc(g[down], None, n)) / cnt
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(labels, dtype=object).astype(str),
            "n_households": cnt.astype(np.int64),
            "n_up": _bc(g[up], None, n).astype(np.int64), "n_down": _bc(g[down], None, n).astype(np.int64),
            "share_moved": share, "median_abs_change": absrel,
            "total_consensus": _bc(g[ok], a[ok], n), "total_baseline": _bc(g[ok], b[ok], n),
        }))
    return stack_levels(rows)


def status_counts(consensus: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """White-list, decline and re-review counts of a consensus table.

    Parameters
    ----------
    consensus : DataFrame
        Output of :func:`consensus_limits`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level``, ``group``, ``households`` (reviewed), ``white_listed``, ``declined``
        (off the white list), ``needs_rereview``, ``white_listed_needing_rereview``,
        ``share_white_listed``, ``share_needs_rereview``, ``total_consensus`` (yuan, sum of
        ``consensus_limit``).
    """
    for col in ("white_list", "needs_rereview", "consensus_limit"):
        if col not in consensus.columns:
            raise CalibInputError(f"consensus: missing required column {col!r} (use consensus_limits)")
    wl = consensus["white_list"].to_numpy(dtype=bool)
    rr = consensus["needs_rereview"].to_numpy(dtype=bool)
    lim = consensus["consensus_limit"].to_numpy(dtype=float, na_value=0.0)
    groups = levels(consensus, by, name="consensus")
    rows = []
    for level, g, n, labels in groups:
        hh = _bc(g, None, n)
        w = _bc(g, wl.astype(float), n)
        r = _bc(g, rr.astype(float), n)
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(labels, dtype=object).astype(str),
            "households": hh.astype(np.int64), "white_listed": w.astype(np.int64),
            "declined": (hh - w).astype(np.int64), "needs_rereview": r.astype(np.int64),
            "white_listed_needing_rereview": _bc(g, (wl & rr).astype(float), n).astype(np.int64),
            "share_white_listed": w / np.maximum(hh, 1), "share_needs_rereview": r / np.maximum(hh, 1),
            "total_consensus": _bc(g, lim, n),
        }))
    return stack_levels(rows)


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
    for col in ("flagged", "flag_reason", "village", "leniency"):
        if col not in effects.columns:
            raise CalibInputError(f"effects: missing required column {col!r} (use reviewer_effects)")
    sub = effects[effects["flagged"].to_numpy(dtype=bool)].reset_index()
    if reviewers is not None:
        for col in ("reviewer_id", "village", "role"):
            if col not in reviewers.columns:
                raise CalibInputError(f"reviewers: missing required column {col!r}")
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
