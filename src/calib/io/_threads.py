"""Independent per-column work of the loader on a few threads, results in their given order.

Arrow compute and numpy release the GIL in their loops, so the columns of a table are parsed
and cleaned on both cores of a small machine. Every result is consumed in the order the work
was given (never in the order it finished), so the output does not depend on the threads'
scheduling; with one worker the work runs inline, as before.

A small input (a county, a test's programme: below :data:`SMALL_BYTES` of files or
:data:`SMALL_CELLS` cells) is validated on the calling thread alone (:func:`small`): there the
threads' start-up and hand-overs cost more than they save (a 20-household load took 0.25-0.32
CPU s on threads against 0.15 inline, the 7 MB sample 0.42-0.44 s wall against 0.32; about even at
20 MB).
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

__all__ = ["WORKERS", "SMALL_BYTES", "SMALL_CELLS", "workers", "small", "is_small", "ordered_map",
           "read_ahead", "later"]

T = TypeVar("T")

#: Threads for the loader's per-column work: None for ``os.cpu_count()``, 1 to run inline
#: (same results either way; tests compare the two).
WORKERS: int | None = None

#: Inputs smaller than this many bytes of files are loaded inline (:func:`small`).
SMALL_BYTES = 12 << 20
#: Tables given in memory (a database's, a frame's) with fewer cells than this are validated
#: inline (about the cells of :data:`SMALL_BYTES` of CSV).
SMALL_CELLS = 1_000_000

_SMALL: ContextVar[bool] = ContextVar("calib_io_small", default=False)


@contextmanager
def small(on: bool = True):
    """Within the block (when ``on``), the loader's work runs on the calling thread and keeps
    the memory it frees (:func:`calib.io.load.release_memory` does nothing): what a small input
    holds is too little to give back, and threads cost it more than they save. Same results."""
    token = _SMALL.set(bool(on))
    try:
        yield
    finally:
        _SMALL.reset(token)


def is_small() -> bool:
    """True within :func:`small`."""
    return _SMALL.get()


def workers() -> int:
    """The number of threads the loader uses (at least 1, at most ``os.cpu_count()``; 1 within
    :func:`small`)."""
    if _SMALL.get():
        return 1
    cpus = os.cpu_count() or 1
    return max(1, min(cpus, WORKERS if WORKERS is not None else cpus))


def ordered_map(fn: Callable[..., T], items: Iterable[tuple], *, ahead: int | None = None) -> Iterator[T]:
    """``fn(*args)`` for each ``args`` of ``items``, yielded in the order of ``items``.

    Parameters
    ----------
    fn : callable
        The work of one item; must not touch state another item's work touches.
    items : iterable of tuple
        Arguments of each call, drawn lazily (at most ``ahead`` calls are under way or done
        and not yet consumed, so that what an item holds is let go soon after its result is).
    ahead : int, optional
        Calls under way at most (default: one more than the workers).

    Yields
    ------
    object
        The results, in the order of ``items``. An exception of a call is raised when its
        result is reached; the calls not yet started are then cancelled.
    """
    n = workers()
    if n <= 1:
        for args in items:
            yield fn(*args)
        return
    ahead = max(n, ahead or n + 1)
    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="calib-io")
    pending: deque[Future] = deque()
    try:
        for args in items:
            pending.append(pool.submit(fn, *args))
            del args
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for job in pending:
            job.cancel()
        pending.clear()
        pool.shutdown(wait=True)


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """The items of ``items``, the next one drawn on a background thread while the caller works
    on the current one (one item ahead, no more: what an item holds is in memory twice at
    most). Inline with one worker. An exception of ``items`` is raised where its item would
    have been yielded."""
    if workers() <= 1:
        yield from items
        return
    it = iter(items)
    done = object()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calib-io-ahead")
    try:
        job = pool.submit(next, it, done)
        while True:
            item = job.result()
            if item is done:
                return
            job = pool.submit(next, it, done)
            yield item
            del item
    finally:
        pool.shutdown(wait=True)  # the item under way is finished, then the source is closed
        close = getattr(it, "close", None)
        if close is not None:
            close()


def later(fn: Callable[..., T], *args) -> Callable[[], T]:
    """``fn(*args)`` started on a background thread while the caller goes on; returns a function
    that gives its result (or raises its exception). Run at once, inline, with one worker.
    ``fn`` must not touch what the caller touches meanwhile (give it the arrays it reads)."""
    if workers() <= 1:
        try:
            result = fn(*args)
        except BaseException as exc:  # raised when the result is asked for, as on a thread
            error = exc

            def fail() -> T:
                raise error

            return fail
        return lambda: result
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calib-io-later")
    job = pool.submit(fn, *args)
    pool.shutdown(wait=False)  # the thread ends with its one job
    return job.result
