"""The crossed two-way fit ``log(proposed) = household + rater + error`` and its standard errors.

Robust (Huber) iteratively reweighted backfitting, every step a :func:`numpy.bincount` over all
reviews; rater effects are centred (review weighted) inside each village.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAD = 1.482602218505602  # 1 / Phi^-1(3/4)


@dataclass
class Fit:
    a: np.ndarray        # household level (log), NaN without granted review
    b: np.ndarray        # rater effect (log), centred within village (review weighted)
    se_b: np.ndarray     # standard error of b
    w: np.ndarray        # final robustness weight per granted review
    resid: np.ndarray    # y - a - b per granted review
    scale: float         # robust residual scale (df corrected)
    n_iter: int
    converged: bool


def bc(idx: np.ndarray, w: np.ndarray | None, n: int) -> np.ndarray:
    """``numpy.bincount`` with ``minlength=n``."""
    return np.bincount(idx, weights=w, minlength=n)


def _panel_positions(v_r: np.ndarray, nV: int) -> tuple[np.ndarray, np.ndarray]:
    """Seat of each rater inside its village (0 .. P_v - 1) and the panel size per village."""
    order = np.argsort(v_r, kind="stable")
    P_v = np.bincount(v_r, minlength=nV)
    start_v = np.concatenate([[0], np.cumsum(P_v)[:-1]])
    pos = np.empty(v_r.size, np.int64)
    pos[order] = np.arange(v_r.size) - start_v[v_r[order]]
    return pos, P_v


def _reduced_normal_matrix(h, r, v_r, pos, n_h, nV, P, sel) -> np.ndarray:
    """Stacked (V, P, P) matrices ``C = diag(n_j) - M`` of the reviews ``sel`` (households absorbed)."""
    hs_order = np.argsort(h[sel], kind="stable")
    hh, rr = h[sel][hs_order], r[sel][hs_order]
    k = n_h[hh]
    cnt = np.bincount(hh, minlength=n_h.size)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    seat = np.arange(hh.size) - start[hh]
    K = int(cnt.max())
    base = v_r[rr] * (P * P)
    size = nV * P * P
    flat = np.bincount(base + pos[rr] * (P + 1), weights=1.0 - 1.0 / k, minlength=size)
    tab = np.full((cnt.size, K), -1, np.int64)   # review row per (household, seat)
    tab[hh, seat] = np.arange(hh.size)
    for s_ in range(K):
        for t_ in range(s_ + 1, K):
            both = tab[:, t_] >= 0
            i1, i2 = tab[both, s_], tab[both, t_]
            wgt = -1.0 / k[i1]
            flat += np.bincount(base[i1] + pos[rr[i1]] * P + pos[rr[i2]], weights=wgt, minlength=size)
            flat += np.bincount(base[i1] + pos[rr[i2]] * P + pos[rr[i1]], weights=wgt, minlength=size)
    return flat.reshape(nV, P, P)


def rater_var(h: np.ndarray, r: np.ndarray, v_r: np.ndarray, n_h: np.ndarray, n_r: np.ndarray,
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
    pos, P_v = _panel_positions(v_r, nV)
    small = P_v <= max_panel
    with np.errstate(divide="ignore"):
        out[:] = np.where(n_r > 0, 1.0 / n_r, np.nan)
    if not small.any():
        return out
    P = min(int(P_v.max()), max_panel)
    Cp = np.linalg.pinv(_reduced_normal_matrix(h, r, v_r, pos, n_h, nV, P, small[v_r[r]]), hermitian=True)
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


def _huber_weights(res: np.ndarray, infl: float, huber_c: float, stride: int) -> tuple[np.ndarray, float]:
    """Huber weights and the robust scale (MAD on a systematic subsample of <= 200,000 residuals)."""
    scale = MAD * float(np.median(np.abs(res[::stride]))) * infl
    if not scale > 0:
        scale = float(np.sqrt(np.mean(res ** 2)) * infl) or 1e-12
    ares = np.abs(res) * infl
    w = np.where(ares <= huber_c * scale, 1.0, huber_c * scale / np.maximum(ares, 1e-300))
    return w, scale


def _variance_b(h, r, v_r, n_h, n_r, nV, res, scale, df, lam, huber_c) -> tuple[np.ndarray, float]:
    """Standard errors of the rater effects and the final scale.

    Exact least-squares covariance of the crossed design per village (:func:`rater_var`) times
    the sandwich variance of the Huber M-estimate ``sum(psi(res)^2) / df / (share of |res| <= c
    s)^2``, psi = residual clipped at +-c s; times the ridge factor.
    """
    nR = n_r.size
    if huber_c is None:
        scale = float(np.sqrt(np.sum(res ** 2) / df))
        sigma2 = scale ** 2
        dpsi = n_r.astype(float)
    else:
        clipped = np.clip(res, -huber_c * scale, huber_c * scale)
        inside = (np.abs(res) <= huber_c * scale).astype(float)
        share_in = max(float(inside.mean()), 1e-12) if res.size else 1.0
        sigma2 = float(np.sum(clipped ** 2) / df) / share_in ** 2
        dpsi = bc(r, inside, nR)
    with np.errstate(invalid="ignore", divide="ignore"):
        ridge = np.where(n_r > 0, (dpsi / (dpsi + lam)) ** 2, np.nan)
    var_b = sigma2 * rater_var(h, r, v_r, n_h, n_r, nV) * ridge
    return np.sqrt(var_b), scale


def crossed_fit(h: np.ndarray, r: np.ndarray, y: np.ndarray, v_r: np.ndarray, nH: int, nR: int,
                nV: int, *, huber_c: float | None = 1.345, shrink: bool = True,
                max_iter: int = 200, tol: float = 1e-6) -> Fit:
    """Fit y = a_h + b_r + e by (robust) backfitting; b centred within each village.

    ``huber_c=None`` gives least squares (the fixed-effects fit used for variance components).
    """
    N = y.size
    n_h, n_r = bc(h, None, nH), bc(r, None, nR)
    has_r = n_r > 0
    nv_r = np.bincount(v_r[has_r], minlength=nV)
    df = max(N - int((n_h > 0).sum()) - int(has_r.sum()) + int((nv_r > 0).sum()), 1)
    infl = np.sqrt(N / df) if N > 0 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        a = bc(h, y, nH) / n_h
    b, w = np.zeros(nR), np.ones(N)
    lam, scale, converged, it = 0.0, np.nan, False, 0
    stride = max(1, N // 200_000)
    for it in range(1, max_iter + 1):
        res = y - a[h] - b[r]
        if huber_c is not None and (it <= 5 or it % 10 == 0):
            w, scale = _huber_weights(res, infl, huber_c, stride)
        with np.errstate(invalid="ignore", divide="ignore"):
            a_new = bc(h, w * (y - b[r]), nH) / bc(h, w, nH)
            num, den = bc(r, w * (y - a_new[h]), nR), bc(r, w, nR)
            if shrink and it > 2:
                s2 = scale ** 2 if huber_c is not None else float(np.mean(res ** 2)) * infl ** 2
                tau2 = max(float(np.mean(b[has_r] ** 2) - np.mean(s2 / den[has_r])), 1e-4)
                lam = s2 / tau2
            b_new = np.where(den > 0, num / (den + lam), 0.0)
        cv = bc(v_r, b_new * n_r, nV) / np.maximum(bc(v_r, n_r, nV), 1)
        b_new = b_new - cv[v_r]
        delta = max(np.nanmax(np.abs(a_new - a)) if nH else 0.0, np.max(np.abs(b_new - b)) if nR else 0.0)
        a, b = a_new, b_new
        if delta < tol and it > 3:
            converged = True
            break
    res = y - a[h] - b[r]
    se_b, scale = _variance_b(h, r, v_r, n_h, n_r, nV, res, scale, df, lam, huber_c)
    w = np.ones(N) if huber_c is None else w
    return Fit(a=a, b=b, se_b=se_b, w=w, resid=res, scale=float(scale), n_iter=it, converged=converged)
