"""Semismooth Newton solver for the fixed point of the robust crossed fit (see :mod:`.fit`).

The fixed point of the iteratively reweighted backfitting of :func:`calib.consensus.fit.crossed_fit`
(estimates, Huber weights and the component's MAD scale all settled) is a root of the
estimating equations, per connected component of the review graph,

    sum_j psi_t(e_ij) = 0 for every household i,   sum_i psi_t(e_ij) = 0 for every rater j,

with ``e = y - a_h - b_r``, ``psi_t(e) = clip(e, -t, t)``, ``t = c 1.4826 median|e|`` (the
weights ``w = min(1, t / |e|)`` give ``w e = psi_t(e)``), and the rater effects centred
(review weighted) in the component. The system is piecewise linear, so Newton's method with the
generalised Jacobian ``-(X'DX + u g')`` (``D``: reviews inside the Huber band; ``u g'``: the
derivative of ``t`` through the median residual, a rank-one term solved by Sherman-Morrison)
reaches the exact root in a few steps once the reviews inside the band are identified, instead
of the hundreds of linearly converging sweeps of the backfitting.

Each component is laid out densely as a (households x raters) matrix, components of similar
size stacked in one array (padding masked), in chunks of bounded size so that memory stays
linear and small: household and rater sums are axis sums, the reduced ``P x P`` rater systems
(households absorbed) one batched matrix product and one batched solve, the median one
partition. A component is solved when a step moves no estimate by ``tol_step`` or more and
the reviews inside the band did not change; one that is not solved within ``max_iter`` steps,
or whose step is not finite, is returned as not solved (the caller backfits it). Outside
reviews get a small weight ``eps * w`` in the matrix (their IRLS weight ``w`` where a household
or a rater has no review inside the band) so that it stays non-singular; this changes the path,
not the root.
"""
from __future__ import annotations

import numpy as np

from calib.consensus import _jit
from calib.consensus.groups import group_order

MAD = 1.482602218505602


#: From this Newton step on, a component whose iterate repeats one of the last
#: ``CYCLE_MEMORY`` iterates is cycling (it would reach ``max_iter`` unsolved) and is dropped.
CYCLE_FROM = 6
CYCLE_MEMORY = 8


def _local_codes(key: np.ndarray, group: np.ndarray, n_group: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each item among the items of its group (items: positions of ``key``), and counts."""
    order = group_order(group, n_group)           # = argsort(group, kind="stable")
    cnt = np.bincount(group, minlength=n_group)
    loc = np.empty(key.size, np.int64)
    loc[order] = np.arange(key.size) - (np.cumsum(cnt) - cnt)[group[order]]
    return loc, cnt


def solve(h, r, y, c_h, c_r, nC, ident, live, cMAD, a0, *, max_iter=30, tol_step=1e-10,
          eps=1e-3, max_panel=24, max_households=4096, chunk_cells=1 << 16,
          compiled: bool | None = None, c_y: np.ndarray | None = None):
    """Newton's root for every component it can handle.

    ``live`` (bool per rater): the rater has reviews in a component; its effect is estimated in
    the ``ident`` components (bool per component) and is 0 elsewhere. Returns ``a`` (per
    household), ``b`` (per rater), ``solved`` (bool per component; ``a``, ``b`` are meaningful
    there only) and ``t`` (per component, the Huber threshold ``c 1.4826 median|e|`` at the root).

    ``compiled`` (default: from :data:`._jit.MIN_REVIEWS` reviews, when numba is available and
    ``CALIB_NO_JIT`` is not set) runs the same
    iterations compiled, component by component on its reviews (:mod:`._jit`); ``False``
    the padded numpy blocks below. Both reach the same root to rounding. ``c_y``: the component
    of each review (``c_h[h]``) when the caller has it (0.4 GB at 10M households).
    """
    nH, nR = c_h.size, c_r.size
    a_out = np.where(np.isfinite(a0), a0, 0.0)
    b_out = np.zeros(nR)
    solved = np.zeros(nC, bool)
    t_out = np.full(nC, np.nan)
    if h.size == 0 or nC == 0:
        return a_out, b_out, solved, t_out
    used_h = c_h >= 0
    hh = np.flatnonzero(used_h)
    row_of_h = np.full(nH, -1, np.int64)
    row_of_h[hh], H_c = _local_codes(hh, c_h[hh], nC)
    rr = np.flatnonzero(live)
    seat_of_r = np.full(nR, -1, np.int64)
    seat_of_r[rr], P_c = _local_codes(rr, c_r[rr], nC)
    ok = (P_c <= max_panel) & (H_c <= max_households) & (H_c > 0)
    # size classes: households padded to a size 2^(k/4) (ratio <= 1.19, even), raters exact
    Hpad = np.ceil(2.0 ** (np.ceil(np.log2(np.maximum(2, H_c)) * 4) / 4)).astype(np.int64)
    Hpad += Hpad % 2
    Pw = np.maximum(P_c, 1)
    c_y = c_h[h] if c_y is None else c_y
    # reviews ordered by component (None: already in that order, as listed household by household)
    ordr = None if bool((c_y[1:] >= c_y[:-1]).all()) else group_order(c_y, nC)
    n_rev = np.bincount(c_y, minlength=nC)
    start = np.cumsum(n_rev) - n_rev
    cls = Hpad * 64 + Pw
    comps = np.flatnonzero(ok)
    comps = comps[np.argsort(cls[comps], kind="stable")]
    cells = Hpad * Pw
    if comps.size == 0:
        return a_out, b_out, solved, t_out
    if compiled is None:
        compiled = _jit.use(h.size)
    if compiled and _jit.run(   # the same iterations on each component's reviews
            "solve_components",
            comps, np.zeros(0, np.int64) if ordr is None else ordr, start, n_rev, row_of_h,
            seat_of_r, np.asarray(y, float), H_c, P_c,
            np.asarray(ident, bool), np.asarray(a0, float), h, r, float(cMAD), int(max_iter),
            float(tol_step), float(eps), CYCLE_FROM, CYCLE_MEMORY, a_out, b_out, solved, t_out):
        return a_out, b_out, solved, t_out
    if ordr is None:
        ordr = np.arange(c_y.size)
    # chunks: runs of one size class of at most ``chunk_cells`` cells (a component never split)
    ccls = cls[comps]
    new_cls = np.r_[True, ccls[1:] != ccls[:-1]]
    cum = np.cumsum(cells[comps])
    cls_start = np.maximum.accumulate(np.where(new_cls, cum - cells[comps], 0))
    key = (cum - cls_start - 1) // chunk_cells
    bounds = np.flatnonzero(new_cls | np.r_[True, key[1:] != key[:-1]])
    for i, j in zip(bounds, np.r_[bounds[1:], comps.size]):
        cs = comps[i:j]
        # reviews of these components
        idx = np.concatenate([ordr[start[c]:start[c] + n_rev[c]] for c in cs]) if cs.size < 64 else \
            ordr[np.repeat(start[cs], n_rev[cs]) + _ranges(n_rev[cs])]
        blk = np.repeat(np.arange(cs.size), n_rev[cs])
        _solve_block(cs, blk, row_of_h[h[idx]], seat_of_r[r[idx]], y[idx], int(Hpad[cs[0]]),
                     int(Pw[cs[0]]), ident[cs], a_out, b_out, solved, h[idx], r[idx], a0,
                     cMAD, max_iter, tol_step, eps, t_out)
    return a_out, b_out, solved, t_out


def _ranges(n: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(k)`` for each ``k`` of ``n``."""
    tot = int(n.sum())
    return np.arange(tot) - np.repeat(np.cumsum(n) - n, n)


def _solve_block(cs, blk, row, seat, yv, Hp, P, has_b, a_out, b_out, solved, hg, rg, a0,
                 cMAD, max_iter, tol_step, eps, t_out):
    nc = cs.size
    L = Hp * P
    flat = blk * L + row * P + seat
    M = np.zeros(nc * L, bool)
    M[flat] = True
    M = M.reshape(nc, Hp, P)
    Y = np.zeros(nc * L)
    Y[flat] = yv
    Y = Y.reshape(nc, Hp, P)
    cnt = M.sum(axis=(1, 2))
    # median positions: -inf then +inf fills of the masked cells so the middle is at L/2 - 1, L/2
    left = (L - cnt - cnt % 2) // 2
    rank_masked = np.cumsum(~M.reshape(nc, L), axis=1) - 1
    fill = np.where(M.reshape(nc, L), 0.0,
                    np.where(rank_masked < left[:, None], -np.inf, np.inf)).reshape(nc, Hp, P)
    del rank_masked
    odd = cnt % 2 == 1
    A = np.zeros((nc, Hp))
    A[blk, row] = a0[hg]
    B = np.zeros((nc, P))
    n_seat = M.sum(1).astype(float)            # reviews per rater seat
    seat_ok = (n_seat > 0) & has_b[:, None]
    n_tot = np.maximum((n_seat * seat_ok).sum(1), 1.0)
    rows_ok = M.any(2)
    Mf = M.astype(float)
    live = np.arange(nc)
    done_c = np.zeros(nc, bool)
    t_last = np.full(nc, np.nan)
    eye_pad = (~seat_ok).astype(float)
    ones_p = np.ones(P)
    diag = np.arange(P)
    hist_A = hist_B = None    # recent iterates, to find components that cycle
    for it in range(max_iter + 1):
        nl = live.size
        if nl == nc:
            Ml, Mfl, Yl, fl, Al, Bl = M, Mf, Y, fill, A, B
        else:
            Ml, Mfl, Yl, fl, Al, Bl = M[live], Mf[live], Y[live], fill[live], A[live], B[live]
        sk = seat_ok[live]
        all_b = bool(sk.all())
        E = Yl - Al[:, :, None]
        E -= Bl[:, None, :]
        E *= Mfl                                   # masked cells 0
        if it == 0:   # the first step is the least-squares fit (all reviews inside, no scale)
            t = np.full(nl, np.inf)
            bad = np.zeros(nl, bool)
            PSI, D = E, Mfl
            Da, Dr_all = None, None
            ua = np.zeros((nl, Hp))
        else:
            AE = np.abs(E)
            AEm = AE + fl
            # one selection: the value at L/2 - 1, then the smallest of the values above it
            mid = np.partition(AEm.reshape(nl, L), L // 2 - 1, axis=1)
            lo = mid[:, L // 2 - 1]
            hi = np.where(odd[live], lo, mid[:, L // 2:].min(axis=1))
            del mid
            t = cMAD * 0.5 * (lo + hi)
            bad = ~(np.isfinite(t) & (t > 0))
            tt = t[:, None, None]
            inside = AE <= tt
            inside &= Ml
            PSI = np.maximum(E, -tt)                   # clip(E, -t, t)
            np.minimum(PSI, tt, out=PSI)
            with np.errstate(divide="ignore", invalid="ignore"):
                W = tt / AE                            # IRLS weight where < 1
            np.minimum(W, 1.0, out=W)
            D = np.where(inside, 1.0, W * eps)
            D *= Mfl
            # a household or rater with no review inside (sum of D < 1): its IRLS weights
            Da = D @ ones_p
            Dr_all = np.einsum("chp->cp", D)
            fbh = (Da < 0.5) & rows_ok[live]
            fbr = (Dr_all < 0.5) & sk
            if fbh.any() or fbr.any():
                np.copyto(D, W, where=fbh[:, :, None] | fbr[:, None, :])
                D *= Mfl
                Da, Dr_all = None, None
            EI = E * inside
        Db = D if all_b else D * sk[:, None, :]   # the rater part: fitted seats only
        Ga = PSI @ ones_p
        Gb = np.einsum("chp->cp", PSI)
        if it > 0:
            # a component whose threshold is 0 (every residual equal) is already marked bad
            # above and leaves this step unsolved (backfitted): its 0/0 here is not used
            with np.errstate(invalid="ignore", divide="ignore"):
                ua = cMAD * (Ga - EI @ ones_p) / t[:, None]      # c 1.4826 sum of sign(e) outside
                ub = cMAD * (Gb - np.einsum("chp->cp", EI)) / t[:, None]
        else:
            ub = np.zeros((nl, P))
        if not all_b:
            Gb *= sk
            ub *= sk
        if Da is None:
            Da = D @ ones_p
        Dr = Dr_all if (all_b and Dr_all is not None) else np.einsum("chp->cp", Db)
        iDa = np.where(Da > 0, 1.0 / np.where(Da > 0, Da, 1.0), 0.0)
        Dn = Db * np.sqrt(iDa)[:, :, None]
        S = -np.matmul(Dn.transpose(0, 2, 1), Dn)
        S[:, diag, diag] += Dr + eye_pad[live]
        alpha = np.abs(Dr).max(1)
        S += alpha[:, None, None] * (sk[:, :, None] & sk[:, None, :])
        GU = np.stack([Ga, ua], axis=2) * iDa[:, :, None]            # (nl, Hp, 2)
        rhs = np.stack([Gb, ub], axis=2) - np.matmul(Db.transpose(0, 2, 1), GU)
        with np.errstate(all="ignore"):
            try:
                Z = np.linalg.solve(S, rhs)
            except np.linalg.LinAlgError:
                Z = np.matmul(np.linalg.pinv(S), rhs)
        Z *= sk[:, :, None]
        ns = n_seat[live] * sk
        Z -= (np.einsum("cp,cpk->ck", ns, Z) / n_tot[live][:, None])[:, None, :]
        Z *= sk[:, :, None]
        za = GU - np.matmul(Db, Z) * iDa[:, :, None]                 # (nl, Hp, 2)
        # Sherman-Morrison: t moves with the median residual(s) (a cell equal to lo, and to hi)
        gz = np.zeros((nl, 2))
        if it > 0:
            ar = np.arange(nl)
            flatAE = AEm.reshape(nl, L)
            ii_lo = np.argmax(flatAE == lo[:, None], axis=1)
            ii_hi = ii_lo.copy()          # odd count: hi is lo, the same first cell
            ev = np.flatnonzero(~odd[live])
            if ev.size:
                ii_hi[ev] = np.argmax(flatAE[ev] == hi[ev][:, None], axis=1)
            for ii in (ii_lo, ii_hi):
                hrow, sseat = ii // P, ii % P
                sg = np.sign(E[ar, hrow, sseat])[:, None]
                gz += 0.5 * sg * (za[ar, hrow] + Z[ar, sseat])
        with np.errstate(all="ignore"):
            coef = gz[:, 0] / (1.0 + gz[:, 1])
            dA = (za[:, :, 0] - za[:, :, 1] * coef[:, None]) * rows_ok[live]
            dB = Z[:, :, 0] - Z[:, :, 1] * coef[:, None]
        step = np.maximum(np.abs(dA).max(1), np.abs(dB).max(1))
        bad |= ~np.isfinite(step)
        good = ~bad
        if nl == nc and good.all():
            A += dA
            B += dB
        else:
            A[live[good]] += dA[good]
            B[live[good]] += dB[good]
        fin = good & (step < tol_step)
        t_last[live] = t
        done_c[live[fin]] = True
        live = live[good & ~fin]
        if it >= CYCLE_FROM and live.size:
            # The step depends only on (A, B): a component back at an earlier iterate cycles
            # through steps that were all >= tol_step, so it can never be solved; drop it now
            # rather than at max_iter (the same result: not solved, left to the backfitting).
            if hist_A is None:
                hist_A = np.full((CYCLE_MEMORY, nc, Hp), np.nan)
                hist_B = np.full((CYCLE_MEMORY, nc, P), np.nan)
            Al, Bl = A[live], B[live]
            seen = ((hist_A[:, live] == Al[None]).all(axis=2)
                    & (hist_B[:, live] == Bl[None]).all(axis=2)).any(axis=0)
            hist_A[it % CYCLE_MEMORY, live], hist_B[it % CYCLE_MEMORY, live] = Al, Bl
            live = live[~seen]
        if live.size == 0:
            break
    ok = np.flatnonzero(done_c)
    if ok.size:
        sel = done_c[blk]
        a_out[hg[sel]] = A[blk[sel], row[sel]]
        rs = sel & has_b[blk]
        b_out[rg[rs]] = B[blk[rs], seat[rs]]
        solved[cs[ok]] = True
        t_out[cs[ok]] = t_last[ok]
