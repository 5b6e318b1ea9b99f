"""Exact per-group medians by partitioning small padded blocks (faster than a groupby, deterministic)."""
from __future__ import annotations

import numpy as np


def group_order(g: np.ndarray, n: int) -> np.ndarray:
    """``numpy.argsort(g, kind="stable")`` for group codes ``0 .. n-1``.

    Rows already in group order give ``arange``; when every group's rows are contiguous
    (reviews stored household by household, hence village by village and component by
    component) the order is the runs taken in group order, found in linear time; otherwise the
    stable sort itself. All give the same permutation.
    """
    g = np.asarray(g)
    if g.size < 2 or bool((g[1:] >= g[:-1]).all()):   # already in group order (one allocation)
        return np.arange(g.size)
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    vals = g[starts]
    if starts.size > n or np.bincount(vals, minlength=n).max() > 1:
        return np.argsort(g, kind="stable")
    lens = np.diff(np.r_[starts, g.size])
    ro = np.argsort(vals, kind="stable")
    lr = lens[ro]
    return np.repeat(starts[ro] - (np.cumsum(lr) - lr), lr) + np.arange(g.size)


class GroupSorter:
    """Per-group medians of values aligned with the group codes ``g`` (0 .. n-1).

    The rows are ordered by group once. Groups of similar size share a block whose rows have a
    power-of-two width ``L``; a group of ``c`` values is padded with ``-inf`` on the left and
    ``+inf`` on the right so that its median sits at the middle positions ``L/2 - 1`` (and
    ``L/2`` for even ``c``) of the sorted row; :func:`numpy.partition` then finds them in linear
    time. Memory is at most twice the values (a few times for groups of one or two); the median of a
    group depends only on its values. From :data:`calib.consensus._jit.MIN_REVIEWS` values (or
    ``compiled=True``) a compiled selection per group gives the same values without the blocks.
    """

    def __init__(self, g: np.ndarray, n: int, *, compiled: bool | None = None):
        g = np.asarray(g, np.int64)
        self.n = n
        self.g = g
        is_sorted = bool((g[1:] >= g[:-1]).all())
        self.count = np.bincount(g, minlength=n)
        from calib.consensus import _jit

        self._order = None
        if _jit.use(g.size) if compiled is None else (compiled and _jit.enabled()):
            # large problems: the compiled selection per group (same values), no padded blocks
            self._order = np.zeros(0, np.int64) if is_sorted else group_order(g, n)
            self._start = np.cumsum(self.count) - self.count
            self._numpy = None
            return
        self._build(g, n, is_sorted)

    def _build(self, g: np.ndarray, n: int, is_sorted: bool) -> None:
        """The padded blocks of the numpy path."""
        order = np.arange(g.size) if is_sorted else group_order(g, n)
        start = np.cumsum(self.count) - self.count
        gs = g if is_sorted else g[order]
        seat = np.arange(g.size) - start[gs]
        nz = self.count > 0
        width = np.full(n, 2, np.int64)   # >= c, and > c when c is odd (c = 1: width 2)
        width[nz] = np.maximum(2, 1 << np.ceil(np.log2(self.count[nz])).astype(np.int64))
        # Every block (groups of one width L) is a (groups x L) segment of one flat buffer, so
        # the values are scattered into it in one pass: position = the segment's offset + the
        # group's row x L + its -inf padding + the value's seat in the group.
        self.blocks = []
        base = np.zeros(n, np.int64)
        off = 0
        fills = []
        for L in np.unique(width[nz]):
            groups = np.flatnonzero(nz & (width == L))
            c = self.count[groups]
            left = (L - c - (c % 2)) // 2          # -inf padding before the values of each row
            base[groups] = off + np.arange(groups.size) * L + left
            fills.append(np.where(np.arange(L)[None, :] < left[:, None], -np.inf, np.inf).ravel())
            self.blocks.append((int(L), groups, off, c % 2 == 1))
            off += groups.size * int(L)
        self.fill = np.concatenate(fills) if fills else np.zeros(0)
        self.pos = base[gs] + seat
        self.src = None if is_sorted else order

    def median(self, x: np.ndarray) -> np.ndarray:
        """Median of ``x`` per group (mean of the two middle values; NaN for an empty group)."""
        lo, hi, odd = self.middle(x)
        return np.where(odd, lo, 0.5 * (lo + hi))

    def middle(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The two middle values of ``x`` per group (equal for an odd count) and the odd flag."""
        if self._order is not None:
            x = np.asarray(x, float)
            if not np.isnan(x).any():   # NaN: numpy's ordering of them, by the blocks below
                from calib.consensus import _jit

                lo, hi = np.empty(self.n), np.empty(self.n)
                if _jit.run("group_middle", x, self._order, self._start, self.count, lo, hi):
                    return lo, hi, self.count % 2 == 1
            if self._numpy is None:
                self._numpy = GroupSorter(self.g, self.n, compiled=False)
            return self._numpy.middle(x)
        lo, hi = np.full(self.n, np.nan), np.full(self.n, np.nan)
        odd = np.zeros(self.n, bool)
        flat = self.fill.copy()
        flat[self.pos] = x if self.src is None else x[self.src]
        for L, groups, off, odd_g in self.blocks:
            # one selection (numpy's partition with two kth is several times slower): the value
            # at L/2 - 1, then the smallest value above it, which is the one at L/2
            mat = flat[off:off + groups.size * L].reshape(groups.size, L)
            mat.partition(L // 2 - 1, axis=1)
            lo[groups], hi[groups] = mat[:, L // 2 - 1], mat[:, L // 2:].min(axis=1)
            odd[groups] = odd_g
        hi = np.where(odd, lo, hi)
        return lo, hi, odd

    def locate(self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per group, the row of a value equal to ``lo`` (the first) and to ``hi`` (the last); -1 if none."""
        out = []
        g = self.g
        for target, pick in ((lo, np.minimum), (hi, np.maximum)):
            idx = np.flatnonzero(x == target[g])
            res = np.full(self.n, -1 if pick is np.maximum else np.iinfo(np.int64).max, np.int64)
            pick.at(res, g[idx], idx)
            res[res == np.iinfo(np.int64).max] = -1
            out.append(res)
        return out[0], out[1]


def group_median(g: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """Median of ``x`` per group code ``g`` (NaN for empty groups); see :class:`GroupSorter`."""
    return GroupSorter(g, n).median(np.asarray(x, float))
