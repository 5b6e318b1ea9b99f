"""design.factorize_runs gives pd.factorize's codes and uniques on any column."""
import numpy as np
import pandas as pd
import pytest

from calib.consensus.design import factorize_runs

VALUES = [
    ["b", "b", "a", "a", "a", "c", "b", "b"],                      # runs, a value in two runs
    ["b", None, None, "a", "a", None, "b", "c"],                    # nulls inside and between runs
    [None, None, "x", "x"],
    ["x"],
    ["a", "b", "c", "a", "b", "c"],                                 # no runs: plain factorize
    ["z", "z", "z", "y", "y", "", "", "z", "z"],                    # empty strings
]


@pytest.mark.parametrize("vals", VALUES)
@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "object", "large_string[pyarrow]"])
@pytest.mark.parametrize("sort", [False, True])
def test_factorize_runs_equals_factorize(vals, dtype, sort):
    s = pd.Series(vals, dtype=dtype, index=np.arange(len(vals)) * 3 + 7)
    codes, uniques = factorize_runs(s, sort=sort)
    ref_codes, ref_uniques = pd.factorize(s, sort=sort)
    np.testing.assert_array_equal(codes, ref_codes)
    assert uniques.equals(ref_uniques)
    assert uniques.dtype == ref_uniques.dtype


def test_factorize_runs_large_chunked():
    rng = np.random.default_rng(0)
    ids = np.char.add("H", rng.integers(0, 300, 400).astype(str))
    vals = np.repeat(ids, rng.integers(1, 7, ids.size))
    s = pd.concat([pd.Series(vals[:500], dtype="str"), pd.Series(vals[500:], dtype="str")],
                  ignore_index=True)
    for sort in (False, True):
        codes, uniques = factorize_runs(s, sort=sort)
        ref_codes, ref_uniques = pd.factorize(s, sort=sort)
        np.testing.assert_array_equal(codes, ref_codes)
        assert uniques.equals(ref_uniques)
