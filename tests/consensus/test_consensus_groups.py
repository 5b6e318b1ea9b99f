"""Exact per-group medians (calib.consensus.groups) against pandas, with every group shape."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib.consensus.groups import GroupSorter


def test_group_median_equals_pandas_for_all_sizes_and_orders():
    rng = np.random.default_rng(0)
    n = 400
    sizes = rng.integers(0, 40, n)           # empty, singleton, odd and even groups
    sizes[:5] = [0, 1, 2, 3, 64]
    g = np.repeat(np.arange(n), sizes)
    x = np.round(rng.standard_normal(g.size), 1)   # many ties
    ref = pd.Series(x).groupby(g).median().reindex(range(n)).to_numpy()
    for perm in (np.arange(g.size), rng.permutation(g.size)):   # sorted and shuffled codes
        s = GroupSorter(g[perm], n)
        assert np.array_equal(s.median(x[perm]), ref, equal_nan=True)
        assert np.array_equal(s.median(-x[perm]), -ref, equal_nan=True)


def test_group_order_is_the_stable_argsort():
    """The linear-time order of contiguous groups equals numpy's stable argsort (and falls back
    to it when a group's rows are not contiguous)."""
    from calib.consensus.groups import group_order

    rng = np.random.default_rng(3)
    for t in range(400):
        n = int(rng.integers(1, 12))
        if t % 2:
            g = rng.integers(0, n, int(rng.integers(0, 40)))
        else:
            g = np.repeat(rng.permutation(n), rng.integers(0, 5, n))
        np.testing.assert_array_equal(group_order(g, n), np.argsort(g, kind="stable"))
