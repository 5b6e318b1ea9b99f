"""Compiled kernels (numba) across the package: whether they are used, how they are loaded and warmed.

A part of calib that has kernels keeps them in its own module (:mod:`calib.consensus._kernels`,
:mod:`calib.io._kernels`), each with its numpy counterpart kept as the reference; this module
decides for all of them:

* ``CALIB_NO_JIT=1`` (anything but empty or 0) or a machine without numba: the numpy paths
  everywhere (:func:`disabled`, :func:`enabled`);
* a kernel module is imported on first use only (:func:`kernels`): importing numba and loading
  the cached kernels costs a process about 1.3 CPU s, which a report that never validates a
  province or fits a consensus should not pay; :func:`preload` starts that import on a
  background thread while a long task does other work (reading files);
* a kernel that cannot compile switches its module to the numpy paths (:func:`run`);
* the kernels are cached on disk beside their modules (``cache=True``): :func:`warm` compiles
  every module's kernels once per checkout (``make warm``), so that test workers and report
  kernels do not all compile at once.

Each part sets its own threshold (problems below it keep numpy, whose cost there is below the
import's): a rule on the size alone keeps a run's numbers a function of its data.
"""
from __future__ import annotations

import importlib
import os
import threading
from types import ModuleType

__all__ = ["disabled", "loaded", "enabled", "kernels", "run", "preload", "warm"]

#: Kernel modules by name: the module once imported, None when it cannot be (no numba).
_LOADED: dict[str, ModuleType | None] = {}
#: Modules whose kernels failed to compile: numpy paths from then on.
_FAILED: set[str] = set()
_LOCK = threading.Lock()


def disabled() -> bool:
    """``CALIB_NO_JIT`` is set (to anything but 0): the numpy paths everywhere."""
    return os.environ.get("CALIB_NO_JIT", "").strip() not in ("", "0")


def kernels(module: str) -> ModuleType | None:
    """The kernel module ``module`` (e.g. ``"calib.io._kernels"``), imported on first use;
    None without numba or once one of its kernels failed to compile."""
    if module in _FAILED:
        return None
    if module not in _LOADED:
        with _LOCK:  # a preload thread and the caller may ask at the same time
            if module not in _LOADED:
                try:
                    _LOADED[module] = importlib.import_module(module)
                except ImportError:
                    _LOADED[module] = None
    return _LOADED[module]


def loaded(module: str) -> bool:
    """The kernel module ``module`` is imported in this process (its kernels cost nothing more)."""
    return _LOADED.get(module) is not None and module not in _FAILED


def enabled(module: str) -> bool:
    """The kernels of ``module`` are used: numba importable, they compile, ``CALIB_NO_JIT`` not set."""
    return not disabled() and kernels(module) is not None


def run(module: str, name: str, *args) -> bool:
    """Call kernel ``name`` of ``module`` on ``args`` (outputs written in place); False if it
    cannot compile, in which case that module's numpy paths are used from then on."""
    import numba

    k = kernels(module)
    if k is None:
        return False
    try:
        getattr(k, name)(*args)
    except numba.core.errors.NumbaError:
        _FAILED.add(module)
        return False
    return True


def preload(module: str) -> threading.Thread | None:
    """Import ``module`` (and numba) on a daemon thread, so that a task which will need its
    kernels pays the import while it waits on other work; None when the kernels are off or
    already loaded."""
    if disabled() or module in _LOADED:
        return None
    t = threading.Thread(target=kernels, args=(module,), name="calib-jit-preload", daemon=True)
    t.start()
    return t


def warm() -> dict[str, bool]:
    """Compile every part's kernels into the on-disk cache (tiny problems): whether each is ready."""
    from calib.consensus import _jit as consensus
    from calib.io import _jit as io

    return {"consensus": consensus.warm(), "io": io.warm()}
