"""Compiled (numba) iteratively reweighted backfitting, bit for bit :func:`calib.consensus.fit._backfit`.

Every quantity of the backfitting is per connected component (see :mod:`calib.consensus.fit`),
so the kernel takes the components one after the other and sweeps each until it converges (or
``max_iter``), with no array work on the components already settled. It repeats the numpy
path's floating-point operations in the same order, so its results are identical, not close:

* per-household, per-rater and per-component sums add the component's reviews in their order
  in the arrays, as :func:`numpy.bincount` does (``w * y`` formed per review, then summed);
* the residual ``(y - a) - b``; the median of ``|residual|`` per component is the mean
  ``0.5 * (lo + hi)`` of the two middle values (the middle value for an odd count), as
  :class:`calib.consensus.groups.GroupSorter`; a scale that is not positive falls back to the
  root mean square (``1e-12`` if that is 0 too), as :func:`calib.consensus.fit._robust_scale`;
* the weights ``min(1, c s / (|e| infl))`` with NaN kept, as :func:`numpy.minimum`;
* the rater effects' centring ``cv = sum(b n_r) / max(sum(n_r), 1)`` over the component's raters
  in code order, the ``>= tol`` tests (NaN: not moved), the freeze rule, ``reweight_every``,
  least squares (``huber_c=None``) and the iteration count.

numba is imported on first use only (about 0.3 s CPU); the kernel is compiled once (about 4 s
CPU) and cached by numba (``__pycache__`` beside this file, or ``NUMBA_CACHE_DIR``), later
processes load it in 0.2-0.3 s. :func:`backfit` returns None when numba cannot be imported or
the kernel cannot be compiled, or when the inputs are outside what the kernel reproduces exactly
(non-finite values, reviews whose rater is not in their household's component), and
:func:`calib.consensus.fit._backfit` then runs the numpy code.

Measured (CPU seconds, 2-core machine at load 3, twice): the 1.69M reviews of the 4,933
components that Newton leaves in a province-like programme of 1M households, 4.1-4.5 s numpy,
0.72-0.75 s compiled; ``benchmarks/bench_consensus.py``'s programme at 1M households, 1.4-1.65 s
numpy, 0.18-0.28 s compiled.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from calib.consensus.fit import _Problem, _State

#: With fewer reviews than this, :func:`calib.consensus.fit._backfit` uses the compiled kernel
#: only once it is loaded in the process: importing numba and loading the cached kernel cost
#: about 0.5 s CPU (4 s when it compiles, the first time), more than the numpy backfitting of
#: 100,000 reviews (about 0.2 s).
MIN_REVIEWS = 100_000

_kernel_fn = None   # the compiled kernel; False once numba is known to be unusable
_ran = False        # the kernel has run once (compiled): later exceptions are real errors


def _backfit_kernel(h, r, y, a, b, w, scale, done, stop, w_moved, Wh, Wr, wy_h, wy_r,
                    rev, rev_ptr, hh, hh_ptr, rr, rr_ptr, ident, infl, den, n_r,
                    robust, huber_c, every, max_iter, tol, mad):   # pragma: no cover (compiled)
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
                    # quickselect of rank kth - base in srt[:m]; then the smallest value above
                    # it is the upper middle value
                    kk = kth - base
                    lo_i, hi_i = 0, m - 1
                    while hi_i > lo_i:
                        pv = srt[(lo_i + hi_i) // 2]
                        i0, j0 = lo_i, hi_i
                        while i0 <= j0:
                            while srt[i0] < pv:
                                i0 += 1
                            while srt[j0] > pv:
                                j0 -= 1
                            if i0 <= j0:
                                t0 = srt[i0]
                                srt[i0] = srt[j0]
                                srt[j0] = t0
                                i0 += 1
                                j0 -= 1
                        if kk <= j0:
                            hi_i = j0
                        elif kk >= i0:
                            lo_i = i0
                        else:
                            break
                    med = srt[kk]
                    if n % 2 == 0:
                        hi = srt[kk + 1]
                        for k in range(kk + 2, m):
                            if srt[k] < hi:
                                hi = srt[k]
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


def _compiled():
    """The compiled kernel, or None when numba is missing or cannot compile it (warned once)."""
    global _kernel_fn
    if _kernel_fn is None:
        try:
            import numba
        except Exception:   # noqa: BLE001 - numba is optional
            _kernel_fn = False
            return None
        try:
            _kernel_fn = numba.njit(cache=True, error_model="numpy", nogil=True)(_backfit_kernel)
        except Exception:   # noqa: BLE001 - no writable cache location: compile in each process
            _kernel_fn = numba.njit(error_model="numpy", nogil=True)(_backfit_kernel)
    return _kernel_fn or None


def ready() -> bool:
    """The kernel has run in this process (numba imported, the kernel compiled or loaded)."""
    return _ran


def backfit(p: _Problem, a0: np.ndarray, max_iter: int, tol: float) -> _State | None:
    """:func:`calib.consensus.fit._backfit` by the compiled kernel, or None (use numpy).

    Parameters
    ----------
    p : calib.consensus.fit._Problem
        The backfitting problem.
    a0 : ndarray
        Starting household levels.
    max_iter : int
        Sweeps at most.
    tol : float
        Convergence tolerance on the estimates and the weights.

    Returns
    -------
    calib.consensus.fit._State or None
        ``a``, ``b``, ``w``, ``scale``, ``done`` and ``n_iter`` identical to the numpy path's;
        ``w_moved`` and the weight sums ``Wh``, ``Wr``, ``wy_h``, ``wy_r`` are those of each
        component's last sweep. None when numba is unusable or the inputs are outside what the
        kernel reproduces exactly (see the module docstring).
    """
    global _kernel_fn, _ran
    from calib.consensus.fit import MAD, _State
    from calib.consensus.groups import group_order

    kern = _compiled()
    if kern is None:
        return None
    h = np.asarray(p.h, np.int64)
    r = np.asarray(p.r, np.int64)
    y = np.asarray(p.y, np.float64)
    c_y = np.asarray(p.c_y, np.int64)
    cmp = p.cmp
    nH, nR, nC = cmp.c_h.size, cmp.c_r.size, int(cmp.n)
    a0 = np.asarray(a0, np.float64)
    # exactness conditions: finite values (the median's ordering of NaN differs) and every
    # review's rater live in its household's component (the numpy path's centring assumes it)
    if not (np.isfinite(y).all() and np.isfinite(a0[h]).all() and p.live[r].all()
            and np.array_equal(p.cr[r], c_y)):
        return None
    robust = p.huber_c is not None
    rev = group_order(c_y, nC)                  # = argsort(c_y, kind="stable")
    rev_ptr = np.zeros(nC + 1, np.int64)
    np.cumsum(np.bincount(c_y, minlength=nC), out=rev_ptr[1:])
    live_h = np.flatnonzero(~p.dead_h)
    hh = live_h[np.argsort(p.ch[live_h], kind="stable")]
    hh_ptr = np.zeros(nC + 1, np.int64)
    np.cumsum(np.bincount(p.ch[live_h], minlength=nC), out=hh_ptr[1:])
    live_r = np.flatnonzero(p.live)
    rr = live_r[np.argsort(p.cr[live_r], kind="stable")]
    rr_ptr = np.zeros(nC + 1, np.int64)
    np.cumsum(np.bincount(p.cr[live_r], minlength=nC), out=rr_ptr[1:])
    # sum of n_r per component over all raters (dead ones in component 0, as the numpy path):
    # integers, so exact in any order
    den = np.maximum(np.bincount(p.cr, weights=p.n_r, minlength=nC), 1)
    a = a0.copy()
    b = np.zeros(nR)
    w = np.ones(y.size)
    scale = np.full(nC, np.nan)
    done = np.zeros(nC, bool)
    stop = np.zeros(nC, np.int64)
    w_moved = np.zeros(nC, bool)
    Wh, Wr, wy_h, wy_r = np.zeros(nH), np.zeros(nR), np.zeros(nH), np.zeros(nR)
    try:
        kern(h, r, y, a, b, w, scale, done, stop, w_moved, Wh, Wr, wy_h, wy_r,
             rev, rev_ptr, hh, hh_ptr, rr, rr_ptr, np.asarray(p.ident, np.bool_),
             np.asarray(p.infl, np.float64), den.astype(np.float64), np.asarray(p.n_r, np.float64),
             robust, float(p.huber_c) if robust else 0.0, int(max(p.every, 1)), int(max_iter),
             float(tol), MAD)
    except Exception as exc:   # noqa: BLE001 - a compile failure: fall back to numpy, once
        if _ran:
            raise
        _kernel_fn = False
        warnings.warn(f"calib: compiled backfitting unavailable, using numpy ({exc!r})",
                      RuntimeWarning, stacklevel=2)
        return None
    _ran = True
    max_iter = int(max_iter)
    if max_iter < 1:
        n_iter = 0
    elif not done.all():
        n_iter = max_iter
    else:
        n_iter = max(1, int(stop.max()) if nC else 1)
    if max_iter >= 1:
        a[p.dead_h] = np.nan    # households without a review: 0 / 0 at the first sweep
    return _State(a=a, b=b, w=w, scale=scale, done=done, w_moved=w_moved, Wh=Wh, Wr=Wr,
                  wy_h=wy_h, wy_r=wy_r, n_iter=n_iter)
