"""The consensus's compiled kernels (numba): when they are used.

:mod:`calib.consensus._kernels` holds them: the Newton iterations of
:mod:`calib.consensus.newton` run on each component's reviews (instead of padded numpy blocks)
and the connected components of the review graph (union-find instead of scipy's sparse graph
conversions). :mod:`calib.consensus._backfit_nb` compiles the backfitting of the components
whose root is not unique, bit for bit the numpy code. Each has its numpy counterpart, kept as
the reference: ``CALIB_NO_JIT=1`` (or a machine without numba) uses those, and the tests compare
both. Loading, switching off and warming are the package's (:mod:`calib._jit`); this module
sets the consensus's size rule (:data:`MIN_REVIEWS`; the backfitting's own
:data:`calib.consensus._backfit_nb.MIN_REVIEWS`, bit for bit either way).
"""
from __future__ import annotations

from types import ModuleType

from calib import _jit

MODULE = "calib.consensus._kernels"
#: Problems with fewer reviews use the numpy paths: loading numba and the cached kernels costs a
#: process about 1.3 CPU s, which the kernels repay from about a million reviews (200,000
#: households). A rule on the size alone keeps a run's numbers a function of its data.
MIN_REVIEWS = 1_000_000
disabled = _jit.disabled


def use(n_reviews: int) -> bool:
    """The compiled kernels serve a problem of ``n_reviews`` reviews."""
    return n_reviews >= MIN_REVIEWS and enabled()


def enabled() -> bool:
    """The compiled kernels are used: numba importable and ``CALIB_NO_JIT`` not set."""
    return _jit.enabled(MODULE)


def kernels() -> ModuleType | None:
    """The module :mod:`calib.consensus._kernels`, or None without numba."""
    return _jit.kernels(MODULE)


def run(name: str, *args) -> bool:
    """Call kernel ``name`` on ``args`` (outputs written in place); False if it cannot compile,
    in which case the numpy paths are used from then on."""
    return _jit.run(MODULE, name, *args)


def warm() -> bool:
    """Compile every kernel into the on-disk cache (a tiny problem); False without numba."""
    if not enabled():
        return False
    import numpy as np

    from calib.consensus import _kernels, newton
    from calib.consensus.graph import components

    h, r = np.repeat(np.arange(40), 4), np.tile(np.arange(4), 40)
    y = 10 + np.random.default_rng(0).standard_normal(h.size)
    cmp = components(h, r, 40, 4, np.arange(40), compiled=True)
    newton.solve(h, r, y, cmp.c_h, cmp.c_r, cmp.n, cmp.identified(), np.ones(4, bool), 2.0,
                 np.bincount(h, y) / 4, compiled=True)
    from calib.consensus import _backfit_nb
    from calib.consensus.fit import _backfit, _Problem

    ident = cmp.identified(0)
    n_r = np.bincount(r, minlength=4)
    live = n_r > 0
    p = _Problem(h=h, r=r, y=y, cmp=cmp, c_y=cmp.c_h[h], ident=ident,
                 infl=np.sqrt(cmp.n_reviews / np.maximum(cmp.df, 1)), n_r=n_r, huber_c=1.345,
                 sorter=None, ch=np.maximum(cmp.c_h, 0), cr=np.where(live, cmp.c_r, 0),
                 dead_h=cmp.c_h < 0, dead_r=~live, live=live)
    _backfit(p, np.bincount(h, y) / 4, 5, 1e-6, jit=True)
    from calib.consensus.groups import GroupSorter

    GroupSorter(h, 40, compiled=True).median(y)
    return _kernels is not None and _backfit_nb.ready()
