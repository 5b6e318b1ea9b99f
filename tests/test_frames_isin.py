"""calib._frames.isin: pandas' answer for text keys, without pandas 3's per-element Python loop."""
import numpy as np
import pandas as pd
import pytest

from calib._frames import isin

TEXT = ["string[pyarrow]", "str"]


@pytest.mark.parametrize("dtype", TEXT)
@pytest.mark.parametrize("allowed", [
    ["a", "c"], [], [None], [np.nan], ["c", "c", None], ("b",), {"a"}, np.array(["a", "z"], dtype=object),
    pd.Series(["a", None], dtype="string[pyarrow]"), pd.Index(["c"], dtype="str"), pd.Series(["b"], dtype=object),
    [1, "b"], [1.0], ["1"],
])
def test_same_answer_as_pandas(dtype, allowed):
    for values in (pd.Series(["a", "b", None, "c", "1", "a"], dtype=dtype),
                   pd.Index(["a", "b", "c", "1"], dtype=dtype)):
        want = np.asarray(values.isin(allowed), dtype=bool)
        got = isin(values, allowed)
        assert got.dtype == bool and np.array_equal(got, want), (values.tolist(), allowed)


def test_numbers_and_objects_are_pandas():
    assert isin(pd.Series([1, 2, 3]), [2]).tolist() == [False, True, False]
    assert isin(np.array(["x", "y"], dtype=object), ["y"]).tolist() == [False, True]


def test_text_keys_never_take_pandas_per_element_path(monkeypatch):
    """pandas 3's ``isin`` on Arrow strings builds one Arrow scalar in Python per element of
    ``allowed`` (41 s for a 1M-household programme's coverage table): text keys must not go
    through it, at any size."""
    from pandas.core.arrays.string_arrow import ArrowStringArray

    def refuse(self, values):
        raise AssertionError("pandas' per-element isin was called")

    monkeypatch.setattr(ArrowStringArray, "isin", refuse)
    n = 200_000
    idx = pd.Index(np.char.add("H", np.arange(n).astype(str)), dtype="string[pyarrow]")
    rev = pd.Series(np.repeat(idx.to_numpy()[::2], 4), dtype="string[pyarrow]")
    assert np.array_equal(isin(idx, rev), np.arange(n) % 2 == 0)
    assert np.array_equal(isin(rev, idx.to_numpy()[:10]), rev.isna().to_numpy() | np.isin(rev.to_numpy(), idx.to_numpy()[:10]))


@pytest.mark.parametrize("typ", ["string", "large_string"])
@pytest.mark.parametrize("allowed", [{"a", "合计"}, ("c",), [], ["a", None], [1, "b"]])
def test_arrow_text_as_its_series(typ, allowed):
    """The loader's Arrow text (arrays and chunked arrays, sliced) gets the answer its pandas
    Series gets."""
    import pyarrow as pa

    whole = pa.array(["x", "a", None, "合计", "c", "", "b", "a"], getattr(pa, typ)())
    for values in (whole.slice(1, 6), pa.chunked_array([whole.slice(1, 3), whole.slice(4, 4)])):
        s = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([values]).cast(pa.large_string())))
        want = np.asarray(s.isin(allowed), dtype=bool)
        assert np.array_equal(isin(values, allowed), want), (typ, allowed, values)
    with pytest.raises(TypeError, match="must be text"):
        isin(pa.array([1, 2]), [1])


@pytest.mark.parametrize("storage", ["str", "object"])
def test_positions_are_get_indexer_for_text_keys(storage):
    """calib._frames.positions gives what Index.get_indexer gives (-1 where absent, a missing
    value included), by Arrow for text, by pandas otherwise; a repeated key is refused."""
    import numpy as np

    from calib._frames import positions

    rng = np.random.default_rng(9)
    keys = pd.Index([f"H{i:05d}" for i in rng.permutation(3000)], dtype="str")
    values = [f"H{i:05d}" for i in rng.integers(0, 3500, 20000)] + [None, "", "户主"]
    v = pd.Series(values, dtype=storage)
    expected = keys.get_indexer(pd.Series(values, dtype=object))
    np.testing.assert_array_equal(positions(v, keys), expected)
    np.testing.assert_array_equal(positions(v, keys, unique=True), expected)
    assert (expected == -1).sum() > 1000 and (expected >= 0).sum() > 10000
    np.testing.assert_array_equal(positions(pd.Series([3, 1, 7]), pd.Index([1, 2, 3])), [2, 0, -1])
    with pytest.raises(ValueError, match="unique"):
        positions(v, pd.Index(["H00001", "H00001"], dtype="str"))
