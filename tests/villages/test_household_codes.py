"""The verdicts' household lookup (calib.villages.status._Households.codes) gives the same codes
by the loader's compiled text dictionary (large rosters) as by Arrow's index_in."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import calib.io._jit as io_jit
from calib.villages import status as S


@pytest.mark.parametrize("as_objects", [False, True], ids=["arrow", "objects"])
def test_compiled_and_arrow_lookups_give_the_same_codes(monkeypatch, as_objects):
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    rng = np.random.default_rng(4)
    ids = [f"H{i:07d}" for i in rng.permutation(5000)] + ["户-一", "户-二"]
    roster = pd.DataFrame({"household_id": pd.Series(np.repeat(ids, 2), dtype="str")})
    values = list(rng.choice(ids, 3000)) + ["H9999999", "", "户-三", None, "户-二"]
    values = pd.Series(values, dtype=object if as_objects else "str")
    monkeypatch.setattr(io_jit, "MIN_ROWS", 0)
    compiled = S._Households(roster, sort=True)
    got = compiled.codes(values)
    assert compiled._dict is not False  # the compiled dictionary was used
    monkeypatch.setenv("CALIB_NO_JIT", "1")  # (once loaded, the kernels serve small rosters too)
    arrow = S._Households(roster, sort=True)
    want = arrow.codes(values)
    assert arrow._dict is False
    np.testing.assert_array_equal(got, want)
    assert (want[-5:-1] == -1).all() and want[-1] == arrow.index.get_loc("户-二")
    np.testing.assert_array_equal(arrow.index.to_numpy()[want[:3000]], values[:3000].to_numpy(dtype=object))
