"""The loader's compiled kernels (numba): when they are used.

Per-cell rules that numpy can only express as several passes over gathered arrays (a cell's
edge bytes, an ID number's digits, a key's first occurrence) run as one pass each in numba
kernels, in their own modules by concern (:data:`MODULES`); each keeps its numpy counterpart as
the reference and gives the same result bit for bit (byte and integer logic only), and the tests
compare both. Loading, ``CALIB_NO_JIT`` and warming are the package's (:mod:`calib._jit`); this
module sets the loader's size rule: a column of at least :data:`MIN_ROWS` cells uses the kernels
(loading numba costs a process about 1.3 CPU s, which they repay from about a million cells),
a smaller one only once they are loaded. :func:`preload` starts the import on a background
thread when a load's inputs are large enough to use them, while the files are read.
"""
from __future__ import annotations

from types import ModuleType

from calib import _jit

#: The loader's kernel modules, by concern.
MODULES = ("calib.io._text_nb", "calib.io._ids_nb", "calib.io._keys_nb")
#: Columns with at least this many cells use the kernels (smaller ones once they are loaded).
MIN_ROWS = 1_000_000
#: Inputs of at least this many bytes start loading the kernels while they are read (about
#: 100 bytes a row: a programme with a column of :data:`MIN_ROWS` cells).
PRELOAD_BYTES = 100 * MIN_ROWS


def kernels(module: str) -> ModuleType | None:
    """Kernel module ``module`` (one of :data:`MODULES`) when the kernels are on, else None."""
    return None if _jit.disabled() else _jit.kernels(module)


def use(module: str, n: int) -> ModuleType | None:
    """The kernel module to use for a column of ``n`` cells, or None (the numpy path)."""
    if _jit.disabled():
        return None
    if n < MIN_ROWS and not _jit.loaded(module):
        return None
    return _jit.kernels(module)


def preload(nbytes: int) -> None:
    """Start importing the kernel modules when inputs of ``nbytes`` bytes will use them."""
    if nbytes >= PRELOAD_BYTES:
        for m in MODULES:
            _jit.preload(m)


def warm() -> bool:
    """Compile the loader's kernels into the on-disk cache (every module's ``warm``, through the
    loader's own calls); False without numba, with ``CALIB_NO_JIT`` or if one fails."""
    if _jit.disabled():
        return False
    ready = [(mod := _jit.kernels(m)) is not None and bool(mod.warm()) for m in MODULES]
    return all(ready)
