"""The consensus's compiled kernels (numba): when they are used, how they are loaded and warmed.

:mod:`calib.consensus._kernels` holds them: the Newton iterations of
:mod:`calib.consensus.newton` run on each component's reviews (instead of padded numpy blocks)
and the connected components of the review graph (union-find instead of scipy's sparse graph
conversions). Each has its numpy counterpart, kept as the reference: ``CALIB_NO_JIT=1`` (or a
machine without numba) uses those, and the tests compare both.

numba is imported on first use only (importing it costs about 0.3 s, which a report that never
fits a consensus should not pay) and the kernels are cached on disk next to their module
(``cache=True``): they compile once per checkout (about 10 CPU s), which ``make`` does in its
``warm`` step (:func:`warm`) so that test workers and report kernels do not all compile at once.
"""
from __future__ import annotations

import os

_KERNELS = None
_FAILED = False


def enabled() -> bool:
    """The compiled kernels are used: numba importable and ``CALIB_NO_JIT`` not set."""
    if os.environ.get("CALIB_NO_JIT", "").strip() not in ("", "0"):
        return False
    return kernels() is not None


def kernels():
    """The module :mod:`calib.consensus._kernels`, or None without numba."""
    global _KERNELS, _FAILED
    if _KERNELS is None and not _FAILED:
        try:
            from calib.consensus import _kernels
        except ImportError:
            _FAILED = True
        else:
            _KERNELS = _kernels
    return _KERNELS


def run(name: str, *args) -> bool:
    """Call kernel ``name`` on ``args`` (outputs written in place); False if it cannot compile,
    in which case the numpy paths are used from then on."""
    global _FAILED
    import numba

    try:
        getattr(kernels(), name)(*args)
    except numba.core.errors.NumbaError:
        _FAILED = True
        return False
    return True


def warm() -> bool:
    """Compile every kernel into the on-disk cache (a tiny consensus); False without numba."""
    if not enabled():
        return False
    import numpy as np
    import pandas as pd

    from calib.consensus import consensus_limits

    rng = np.random.default_rng(0)
    n = 40
    rv = pd.DataFrame({"household_id": np.repeat([f"h{i}" for i in range(n)], 4),
                       "reviewer_id": np.tile([f"r{j}" for j in range(4)], n),
                       "proposed_limit": np.round(np.exp(10 + rng.standard_normal(4 * n)), -3),
                       "village": "v"})
    consensus_limits(rv, method="adjusted")
    return True


if __name__ == "__main__":   # python -m calib.consensus._jit: warm the cache
    print("compiled consensus kernels:", "ready" if warm() else "not used (numpy)")
