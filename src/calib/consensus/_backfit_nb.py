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

The kernel itself is :func:`calib.consensus._kernels.backfit_components` (with the consensus's
other kernels, and their shared median selection); this module prepares its inputs and reads
its outputs. numba is imported on first use only (about 0.3 s CPU); the kernel is compiled once
(about 4 s CPU) and cached by numba (``__pycache__`` beside :mod:`._kernels`, or
``NUMBA_CACHE_DIR``), later processes load it in 0.2-0.3 s. :func:`backfit` returns None when numba cannot be imported or
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


def _compiled():
    """The compiled kernel, or None when numba is missing or cannot compile it (warned once)."""
    global _kernel_fn
    if _kernel_fn is None:
        try:
            import numba  # noqa: F401 - numba is optional

            from calib.consensus._kernels import backfit_components
        except Exception:   # noqa: BLE001 - no numba, or no cache location for its kernels
            _kernel_fn = False
            return None
        _kernel_fn = backfit_components
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
