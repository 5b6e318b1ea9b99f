"""The consensus's numba kernels (see :mod:`calib.consensus._jit`; importing this module loads numba)."""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _lu_solve(S, R, P):
    """Solve S X = R in place (R: P x 2) by Gaussian elimination with partial pivoting.

    Returns False if a pivot is exactly zero (the numpy blocks use a pseudo-inverse then).
    """
    for k in range(P):
        piv = k
        best = abs(S[k, k])
        for i in range(k + 1, P):
            v = abs(S[i, k])
            if v > best:
                best, piv = v, i
        if best == 0.0:
            return False
        if piv != k:
            for j in range(P):
                tmp = S[k, j]
                S[k, j] = S[piv, j]
                S[piv, j] = tmp
            for j in range(2):
                tmp = R[k, j]
                R[k, j] = R[piv, j]
                R[piv, j] = tmp
        inv = 1.0 / S[k, k]
        for i in range(k + 1, P):
            f = S[i, k] * inv
            if f != 0.0:
                for j in range(k + 1, P):
                    S[i, j] -= f * S[k, j]
                R[i, 0] -= f * R[k, 0]
                R[i, 1] -= f * R[k, 1]
    for k in range(P - 1, -1, -1):
        for j in range(2):
            s = R[k, j]
            for i in range(k + 1, P):
                s -= S[k, i] * R[i, j]
            R[k, j] = s / S[k, k]
    return True

#: Half-width, relative, of the band around the last step's median |residual| within which
#: :func:`solve_components` selects the next one (about a tenth of a component's reviews).
BAND = 0.1


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _kth(buf, m, k):
    """The k-th smallest of buf[:m] (0-based); buf is reordered (quickselect, median of 3)."""
    lo, hi = 0, m - 1
    while hi > lo:
        mid = (lo + hi) // 2
        a, b, c = buf[lo], buf[mid], buf[hi]
        if a < b:
            pv = b if b < c else (c if a < c else a)
        else:
            pv = a if a < c else (c if b < c else b)
        i, j = lo, hi
        while i <= j:
            while buf[i] < pv:
                i += 1
            while buf[j] > pv:
                j -= 1
            if i <= j:
                tmp = buf[i]
                buf[i] = buf[j]
                buf[j] = tmp
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return buf[k]
    return buf[k]

@numba.njit(cache=True, error_model="numpy", nogil=True)
def _middle(buf, m, k, odd):
    """The k-th smallest of buf[:m] and, unless ``odd``, the next one (buf is reordered)."""
    lo = _kth(buf, m, k)
    if odd:
        return lo, lo
    hi = buf[k + 1]   # quickselect left buf[k + 1:m] >= lo: the next order statistic is their minimum
    for i in range(k + 2, m):
        if buf[i] < hi:
            hi = buf[i]
    return lo, hi


@numba.njit(cache=True, error_model="numpy", nogil=True)
def solve_components(comps, ordr, start, n_rev, row_of_h, seat_of_r, y, H_c, P_c, ident, a0, h, r,
                     cMAD, max_iter, tol_step, eps, cycle_from, cycle_memory,
                     a_out, b_out, solved, t_out):
    """Newton's root of every component of ``comps``; results written into the outputs.
    ``ordr``: the reviews in component order, empty when they already are (no identity array:
    0.4 GB at 10M households)."""
    if comps.size == 0:
        return
    m_max, H_max, P_max = 1, 1, 1
    for c in comps:
        m_max = max(m_max, n_rev[c])
        H_max = max(H_max, H_c[c])
        P_max = max(P_max, P_c[c])
    rw = np.empty(m_max, np.int64)       # household row of each review (reviews by row)
    sw = np.empty(m_max, np.int64)       # rater seat of each review
    yw = np.empty(m_max)
    gi = np.empty(m_max, np.int64)       # the review's position in the inputs
    E = np.empty(m_max)
    AE = np.empty(m_max)
    buf = np.empty(m_max)
    PSI = np.empty(m_max)
    D = np.empty(m_max)
    W = np.empty(m_max)
    ins = np.empty(m_max, np.bool_)
    rstart = np.empty(H_max + 1, np.int64)
    A = np.empty(H_max)
    dA = np.empty(H_max)
    Ga = np.empty(H_max)
    ua = np.empty(H_max)
    Da = np.empty(H_max)
    iDa = np.empty(H_max)
    GU = np.empty((H_max, 2))
    za = np.empty((H_max, 2))
    B = np.empty(P_max)
    dB = np.empty(P_max)
    Gb = np.empty(P_max)
    ub = np.empty(P_max)
    Dr = np.empty(P_max)
    n_seat = np.empty(P_max)
    sk = np.empty(P_max, np.bool_)
    S = np.empty((P_max, P_max))
    R = np.empty((P_max, 2))
    vh = np.empty(P_max)        # one household's D by seat
    histA = np.empty((cycle_memory, H_max))
    histB = np.empty((cycle_memory, P_max))
    hist_ok = np.zeros(cycle_memory, np.bool_)
    for c in comps:
        m, H = n_rev[c], H_c[c]
        P = max(P_c[c], 1)
        has_b = ident[c]
        # the component's reviews ordered by household row (counting sort, stable)
        for k in range(H + 1):
            rstart[k] = 0
        s0 = start[c]
        listed = ordr.size == 0
        for i in range(m):
            rstart[row_of_h[h[s0 + i if listed else ordr[s0 + i]]] + 1] += 1
        for k in range(H):
            rstart[k + 1] += rstart[k]
        for i in range(m):
            g = s0 + i if listed else ordr[s0 + i]
            k = row_of_h[h[g]]
            pos = rstart[k]
            rstart[k] += 1
            rw[pos], sw[pos], yw[pos], gi[pos] = k, seat_of_r[r[g]], y[g], g
        for k in range(H, 0, -1):
            rstart[k] = rstart[k - 1]
        rstart[0] = 0
        for k in range(H):
            A[k] = 0.0
        for i in range(m):
            A[rw[i]] = a0[h[gi[i]]]
        for p in range(P):
            B[p] = 0.0
            n_seat[p] = 0.0
        for i in range(m):
            n_seat[sw[i]] += 1.0
        n_tot = 0.0
        all_b = True
        for p in range(P):
            sk[p] = n_seat[p] > 0 and has_b
            if sk[p]:
                n_tot += n_seat[p]
            else:
                all_b = False
        n_tot = max(n_tot, 1.0)
        odd = m % 2 == 1
        kmid = (m + m % 2) // 2 - 1
        for q in range(cycle_memory):
            hist_ok[q] = False
        done = False
        t = np.inf
        prev = -1.0     # the last step's median |e| (none yet)
        for it in range(max_iter + 1):
            # pass 1: residuals (and their absolute values for the median)
            lo = 0.0
            hi = 0.0
            bad = False
            if it == 0:   # least squares: every review inside, no scale
                t = np.inf
                for i in range(m):
                    E[i] = yw[i] - A[rw[i]] - B[sw[i]]
            else:
                found = False
                if prev > 0.0 and np.isfinite(prev):
                    # the median residual moves little from one step to the next: keep in
                    # ``buf`` only the |e| within BAND of the last one, count those below, and
                    # select among the few kept (the same order statistics as selecting among
                    # all m; every |e| is counted once, NaN sends to the full selection)
                    lb, ub_ = prev * (1.0 - BAND), prev * (1.0 + BAND)
                    below, kept, n_nan = 0, 0, 0
                    above = np.inf            # the smallest |e| above the band
                    for i in range(m):
                        e = yw[i] - A[rw[i]] - B[sw[i]]
                        E[i] = e
                        ae = abs(e)
                        AE[i] = ae
                        buf[kept] = ae
                        kept += (ae >= lb) & (ae <= ub_)
                        below += ae < lb
                        n_nan += ae != ae
                        cand = ae if ae > ub_ else np.inf     # selects, not branches
                        above = cand if cand < above else above
                    kk = kmid - below
                    if n_nan == 0 and 0 <= kk < kept:
                        found = True
                        if odd:
                            lo = _kth(buf, kept, kk)
                            hi = lo
                        elif kk + 1 < kept:
                            lo, hi = _middle(buf, kept, kk, False)
                        else:
                            lo = _kth(buf, kept, kk)
                            hi = above
                    else:
                        for i in range(m):
                            buf[i] = AE[i]
                else:
                    for i in range(m):
                        e = yw[i] - A[rw[i]] - B[sw[i]]
                        E[i] = e
                        AE[i] = abs(e)
                        buf[i] = abs(e)
                if not found:
                    lo, hi = _middle(buf, m, kmid, odd)
                prev = lo
                t = cMAD * 0.5 * (lo + hi)
                bad = not (np.isfinite(t) and t > 0)
            # pass 2, household by household: psi, the Jacobian's weights D, the sums that do not
            # depend on D's fallback, and the median residuals' cells (Sherman-Morrison)
            for p in range(P):
                Gb[p] = 0.0
                ub[p] = 0.0
                Dr[p] = 0.0
            fb = False
            i_lo, k_lo, i_hi, k_hi = 0, -1, 0, -1
            for k in range(H):
                sd, sp, se = 0.0, 0.0, 0.0
                for i in range(rstart[k], rstart[k + 1]):
                    p = sw[i]
                    e = E[i]
                    if it == 0:
                        ins[i] = True
                        PSI[i] = e
                        D[i] = 1.0
                    else:
                        ae = AE[i]
                        ins[i] = ae <= t
                        v = e if e > -t else -t
                        PSI[i] = v if v < t else t
                        w = t / ae
                        W[i] = 1.0 if w > 1.0 else w      # NaN stays NaN (numpy.minimum)
                        D[i] = 1.0 if ins[i] else W[i] * eps
                        if ae == lo:
                            key = k * P + p
                            if k_lo < 0 or key < k_lo:
                                i_lo, k_lo = i, key
                        if ae == hi:
                            key = k * P + p
                            if k_hi < 0 or key < k_hi:
                                i_hi, k_hi = i, key
                        ein = e if ins[i] else 0.0   # a select: inside or not is unpredictable
                        se += ein
                        if sk[p]:
                            ub[p] += ein
                    sd += D[i]
                    sp += PSI[i]
                    Dr[p] += D[i]
                    if sk[p]:
                        Gb[p] += PSI[i]
                Da[k] = sd
                Ga[k] = sp
                ua[k] = cMAD * (sp - se) / t if it > 0 else 0.0
                if sd < 0.5:
                    fb = True
            for p in range(P):
                ub[p] = cMAD * (Gb[p] - ub[p]) / t if (it > 0 and sk[p]) else 0.0
                if Dr[p] < 0.5 and sk[p]:
                    fb = True
            if it > 0 and fb:   # a household or rater with no review inside: its IRLS weights
                for i in range(m):
                    if Da[rw[i]] < 0.5 or (Dr[sw[i]] < 0.5 and sk[sw[i]]):
                        D[i] = W[i]
                for k in range(H):
                    sd = 0.0
                    for i in range(rstart[k], rstart[k + 1]):
                        sd += D[i]
                    Da[k] = sd
            # pass 3: the reduced rater system S Z = rhs (households absorbed)
            for p in range(P):
                Dr[p] = 0.0
                R[p, 0] = Gb[p]
                R[p, 1] = ub[p]
                for q in range(P):
                    S[p, q] = 0.0
            for k in range(H):
                idk = 1.0 / Da[k] if Da[k] > 0 else 0.0
                iDa[k] = idk
                gu0 = Ga[k] * idk
                gu1 = ua[k] * idk
                GU[k, 0] = gu0
                GU[k, 1] = gu1
                for p in range(P):
                    vh[p] = 0.0
                for i in range(rstart[k], rstart[k + 1]):
                    p = sw[i]
                    if not sk[p]:
                        continue
                    di = D[i]
                    vh[p] = di              # one review per (household, seat)
                    Dr[p] += di
                    R[p, 0] -= di * gu0
                    R[p, 1] -= di * gu1
                # S -= D_k D_k' / Da_k: a dense outer product over the seats (no pair loop)
                for p in range(P):
                    f = vh[p] * idk
                    if f != 0.0:
                        for q in range(P):
                            S[p, q] -= f * vh[q]
            alpha = 0.0
            for p in range(P):
                alpha = max(alpha, abs(Dr[p]))
            for p in range(P):
                if sk[p]:
                    for q in range(P):
                        if sk[q]:
                            S[p, q] += alpha
                S[p, p] += Dr[p] + (0.0 if sk[p] else 1.0)
            ok = _lu_solve(S, R, P)
            if not ok:
                bad = True
            zc0, zc1 = 0.0, 0.0
            for p in range(P):
                if not sk[p]:
                    R[p, 0] = 0.0
                    R[p, 1] = 0.0
                else:
                    zc0 += n_seat[p] * R[p, 0]
                    zc1 += n_seat[p] * R[p, 1]
            zc0 /= n_tot
            zc1 /= n_tot
            for p in range(P):
                if sk[p]:
                    R[p, 0] -= zc0
                    R[p, 1] -= zc1
            # pass 4: the households' part of the step
            for k in range(H):
                s0_, s1_ = 0.0, 0.0
                for i in range(rstart[k], rstart[k + 1]):
                    p = sw[i]
                    if sk[p]:
                        s0_ += D[i] * R[p, 0]
                        s1_ += D[i] * R[p, 1]
                za[k, 0] = GU[k, 0] - s0_ * iDa[k]
                za[k, 1] = GU[k, 1] - s1_ * iDa[k]
            # Sherman-Morrison: t moves with the median residual(s), the first cell (household
            # row, rater seat) equal to each
            g0, g1 = 0.0, 0.0
            if it > 0:
                for best in (i_lo, i_hi):
                    e = E[best]
                    sg = 1.0 if e > 0 else (-1.0 if e < 0 else 0.0)
                    g0 += 0.5 * sg * (za[rw[best], 0] + R[sw[best], 0])
                    g1 += 0.5 * sg * (za[rw[best], 1] + R[sw[best], 1])
            coef = g0 / (1.0 + g1)
            step = 0.0
            for k in range(H):
                dA[k] = za[k, 0] - za[k, 1] * coef
                v = abs(dA[k])
                if v > step or v != v:
                    step = v
            for p in range(P):
                dB[p] = R[p, 0] - R[p, 1] * coef
                v = abs(dB[p])
                if v > step or v != v:
                    step = v
            if bad or not np.isfinite(step):
                break
            for k in range(H):
                A[k] += dA[k]
            for p in range(P):
                B[p] += dB[p]
            if step < tol_step:
                done = True
                break
            if it >= cycle_from:
                seen = False
                for q in range(cycle_memory):
                    if not hist_ok[q]:
                        continue
                    same = True
                    for k in range(H):
                        if histA[q, k] != A[k]:
                            same = False
                            break
                    if same:
                        for p in range(P):
                            if histB[q, p] != B[p]:
                                same = False
                                break
                    if same:
                        seen = True
                        break
                if seen:
                    break
                q = it % cycle_memory
                for k in range(H):
                    histA[q, k] = A[k]
                for p in range(P):
                    histB[q, p] = B[p]
                hist_ok[q] = True
        if done:
            for i in range(m):
                g = gi[i]
                a_out[h[g]] = A[rw[i]]
                if has_b:
                    b_out[r[g]] = B[sw[i]]
            solved[c] = True
            t_out[c] = t


@numba.njit(cache=True, nogil=True)
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:   # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@numba.njit(cache=True, nogil=True)
def component_roots(h, r, nH, nR, household_rank, key, root, used, counts):
    """Connected components of the reviews (h, r) by union-find over households and raters.

    Nodes are the households ``0 .. nH-1``, then the raters. Writes per node its ``root`` and
    whether it has a review (``used``), and per root: ``key``, the smallest ``household_rank`` of
    its households (filled with the int64 maximum by the caller), and ``counts`` (n x 3, zeros):
    reviews, households and raters. The partition is that of
    :func:`scipy.sparse.csgraph.connected_components`.
    """
    n = nH + nR
    for x in range(n):
        root[x] = x
        used[x] = False
    for i in range(h.size):
        a = _find(root, h[i])
        b = _find(root, nH + r[i])
        if a != b:   # the smaller index becomes the root: the result does not depend on timing
            if a < b:
                root[b] = a
            else:
                root[a] = b
    for x in range(n):
        root[x] = _find(root, x)
    for i in range(h.size):
        x = root[h[i]]
        counts[x, 0] += 1
        if not used[h[i]]:
            used[h[i]] = True
            counts[x, 1] += 1
            if household_rank[h[i]] < key[x]:
                key[x] = household_rank[h[i]]
        if not used[nH + r[i]]:
            used[nH + r[i]] = True
            counts[x, 2] += 1


@numba.njit(cache=True, nogil=True)
def group_middle(x, order, start, count, lo, hi):
    """The two middle values of ``x`` per group (equal for an odd count; NaN for an empty group).

    The rows of group ``g`` are ``order[start[g]:start[g] + count[g]]`` (``order`` empty: the
    rows themselves, groups contiguous). Values without NaN (the caller checks), so the order
    statistics are those of :class:`calib.consensus.groups.GroupSorter`, exactly.
    """
    n = count.size
    cmax = 1
    for g in range(n):
        cmax = max(cmax, count[g])
    buf = np.empty(cmax)
    has_order = order.size > 0
    for g in range(n):
        c = count[g]
        if c == 0:
            lo[g] = np.nan
            hi[g] = np.nan
            continue
        s0 = start[g]
        for i in range(c):
            buf[i] = x[order[s0 + i]] if has_order else x[s0 + i]
        if c <= 32:   # insertion sort (a household's few reviews)
            for i in range(1, c):
                v = buf[i]
                j = i - 1
                while j >= 0 and buf[j] > v:
                    buf[j + 1] = buf[j]
                    j -= 1
                buf[j + 1] = v
        else:
            buf[:c] = np.sort(buf[:c])
        k = (c + c % 2) // 2 - 1
        lo[g] = buf[k]
        hi[g] = buf[k] if c % 2 == 1 else buf[k + 1]


@numba.njit(cache=True, error_model="numpy", nogil=True)
def backfit_components(h, r, y, a, b, w, scale, done, stop, w_moved, Wh, Wr, wy_h, wy_r,
                    rev, rev_ptr, hh, hh_ptr, rr, rr_ptr, ident, infl, den, n_r,
                    robust, huber_c, every, max_iter, tol, mad):
    """Backfit every component in turn; ``a``, ``b``, ``w``, ``scale``, ``done``, ``stop``
    (the sweep at which the component converged, ``max_iter`` if it did not), ``w_moved`` and
    the weight sums are written in place.

    ``rev[rev_ptr[c]:rev_ptr[c + 1]]`` are the reviews of component ``c`` in array order,
    ``hh[...]`` its households and ``rr[...]`` its live raters in code order; ``den`` is
    ``max(sum n_r, 1)`` per component. A component is copied into contiguous scratch buffers
    (households and raters renumbered 0 ..), iterated there and copied back.
    """
    nC = rev_ptr.size - 1
    mn, mh, mr = 1, 1, 1
    for c in range(nC):
        mn = max(mn, rev_ptr[c + 1] - rev_ptr[c])
        mh = max(mh, hh_ptr[c + 1] - hh_ptr[c])
        mr = max(mr, rr_ptr[c + 1] - rr_ptr[c])
    loc_h = np.zeros(a.size, np.int64)
    loc_r = np.zeros(b.size, np.int64)
    lh = np.empty(mn, np.int64)     # the component's reviews: local household, rater, y, w
    lr = np.empty(mn, np.int64)
    ly = np.empty(mn)
    lw = np.empty(mn)
    ares = np.empty(mn)
    srt = np.empty(mn)
    ca = np.empty(mh)               # households: a, sum w, sum w y, sum w b
    cWh = np.empty(mh)
    cwyh = np.empty(mh)
    csh = np.empty(mh)
    cb = np.empty(mr)               # raters: b, sum w, sum w y, sum w a, n_r
    cWr = np.empty(mr)
    cwyr = np.empty(mr)
    csr = np.empty(mr)
    cnr = np.empty(mr)
    for c in range(nC):
        r0, r1 = rev_ptr[c], rev_ptr[c + 1]
        h0, h1 = hh_ptr[c], hh_ptr[c + 1]
        q0, q1 = rr_ptr[c], rr_ptr[c + 1]
        n, nh, nr = r1 - r0, h1 - h0, q1 - q0
        inf_c = infl[c]
        for j in range(nh):
            x = hh[h0 + j]
            loc_h[x] = j
            ca[j] = a[x]
            cWh[j] = 0.0
            cwyh[j] = 0.0
        for j in range(nr):
            x = rr[q0 + j]
            loc_r[x] = j
            cb[j] = b[x]
            cWr[j] = 0.0
            cwyr[j] = 0.0
            cnr[j] = n_r[x]
        for k in range(n):
            i = rev[r0 + k]
            lh[k] = loc_h[h[i]]
            lr[k] = loc_r[r[i]]
            ly[k] = y[i]
            lw[k] = w[i]
        if not robust:   # the starting sums, weights 1 (a robust fit reweights first)
            for k in range(n):
                cWh[lh[k]] += 1.0
                cwyh[lh[k]] += ly[k]
                cWr[lr[k]] += 1.0
                cwyr[lr[k]] += ly[k]
        wm = False
        stop[c] = max_iter
        last_med = np.nan      # the median at the last reweight, and the bracket's half width
        half = 0.0625
        for it in range(1, max_iter + 1):
            for j in range(nh):
                csh[j] = 0.0
            if robust and (it - 1) % every == 0:
                # scale: 1.4826 x median |e| x infl, the rms if that is not positive. The
                # median: the values in a bracket around the last one are gathered while the
                # residuals are formed, and counted below and in it; when both middle ranks
                # fall inside, they are selected among those few (exact, whatever the
                # bracket), otherwise among all values.
                kth = (n - 1) // 2
                top = kth + 1 - (n % 2)          # the upper middle rank
                lo_b = last_med * (1.0 - half)
                hi_b = last_med * (1.0 + half)
                below, upto, m = 0, 0, 0
                for k in range(n):
                    e = ly[k] - ca[lh[k]]
                    e = e - cb[lr[k]]
                    e = abs(e)
                    ares[k] = e
                    below += e < lo_b
                    upto += e <= hi_b
                    srt[m] = e
                    m += (e >= lo_b) & (e <= hi_b)
                if n > 0 and below <= kth and top < upto:
                    base = below
                    if m > n // 16:
                        half *= 0.5
                else:
                    for k in range(n):
                        srt[k] = ares[k]
                    m = n
                    base = 0
                    half = min(2.0 * half, 0.5)
                if n == 0:
                    med = np.nan
                else:
                    # rank kth - base in srt[:m], and the upper middle value above it
                    kk = kth - base
                    med, hi = _middle(srt, m, kk, n % 2 == 1)
                    if n % 2 == 0:
                        med = 0.5 * (med + hi)
                    last_med = med
                s = mad * med * inf_c
                if not s > 0:
                    acc = 0.0
                    for k in range(n):
                        acc += ares[k] * ares[k]
                    rms = np.sqrt(acc / n) * inf_c
                    s = rms if rms > 0 else 1e-12
                scale[c] = s
                thr = huber_c * s
                for j in range(nh):
                    cWh[j] = 0.0
                    cwyh[j] = 0.0
                for j in range(nr):
                    cWr[j] = 0.0
                    cwyr[j] = 0.0
                # new weights, their sums and sum w b per household in one pass; a household's
                # sums are held in registers over a run of its reviews (same additions, same order)
                wm = False
                cur = -1
                sW, sWy, sWb = 0.0, 0.0, 0.0
                for k in range(n):
                    wk = thr / (ares[k] * inf_c)
                    if wk > 1.0:           # numpy.minimum(1, wk): NaN stays NaN
                        wk = 1.0
                    if abs(wk - lw[k]) >= tol:
                        wm = True
                    lw[k] = wk
                    x = lh[k]
                    if x != cur:
                        if cur >= 0:
                            cWh[cur] = sW
                            cwyh[cur] = sWy
                            csh[cur] = sWb
                        cur = x
                        sW, sWy, sWb = cWh[x], cwyh[x], csh[x]
                    wy = wk * ly[k]
                    q = lr[k]
                    sW += wk
                    sWy += wy
                    sWb += wk * cb[q]
                    cWr[q] += wk
                    cwyr[q] += wy
                if cur >= 0:
                    cWh[cur] = sW
                    cwyh[cur] = sWy
                    csh[cur] = sWb
                w_moved[c] = wm
            else:
                cur = -1
                sWb = 0.0
                for k in range(n):
                    x = lh[k]
                    if x != cur:
                        if cur >= 0:
                            csh[cur] = sWb
                        cur = x
                        sWb = csh[x]
                    sWb += lw[k] * cb[lr[k]]
                if cur >= 0:
                    csh[cur] = sWb
            # the sweep: households from the current raters, then raters from the new households
            moved = False
            for j in range(nh):
                an = (cwyh[j] - csh[j]) / cWh[j]
                if abs(an - ca[j]) >= tol:
                    moved = True
                ca[j] = an
            for j in range(nr):
                csr[j] = 0.0
            for k in range(n):
                csr[lr[k]] += lw[k] * ca[lh[k]]
            num = 0.0
            for j in range(nr):
                bn = (cwyr[j] - csr[j]) / cWr[j]
                csr[j] = bn
                num += bn * cnr[j]
            cv = num / den[c]
            for j in range(nr):
                bn = csr[j] - cv if ident[c] else 0.0
                if abs(bn - cb[j]) >= tol:
                    moved = True
                cb[j] = bn
            if it > 1 and not moved and not wm:
                done[c] = True
                stop[c] = it
                break
        for j in range(nh):
            x = hh[h0 + j]
            a[x] = ca[j]
            Wh[x] = cWh[j]
            wy_h[x] = cwyh[j]
        for j in range(nr):
            x = rr[q0 + j]
            b[x] = cb[j]
            Wr[x] = cWr[j]
            wy_r[x] = cwyr[j]
        for k in range(n):
            w[rev[r0 + k]] = lw[k]
