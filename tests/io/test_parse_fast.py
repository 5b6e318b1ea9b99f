"""The parsers' shortcuts (calib.io.parse) give what their plain rules give, bit for bit."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calib.io import parse
from calib.io._text import arrow, nfkc_arrow, reasons, series, to_float, valid
from calib.io.specs import GRADES, RELATIONS, ROLES, SEX, STATUS


def _full(fn):
    """``fn`` with its reasons as the public functions give them (None, "no cell has a
    reason", filled with ``""``; :data:`calib.io.parse.Reasons`)."""
    def call(*args, **kw):
        out = fn(*args, **kw)
        return (*out[:-1], parse._filled(len(out[0]), out[-1]))
    return call


def _arrow(cells, large=True):
    return pa.chunked_array([pa.array(list(cells), pa.large_string() if large else pa.string())])


def _same_floats(a, b):
    assert a.dtype == b.dtype == np.float64
    assert a.view(np.int64).tolist() == b.view(np.int64).tolist()


_NUMBERS = [
    ["1", "20000", "0012", None, "3"],                       # digits only
    ["1.5", "-3", "+4", "1e5", "2E-3", ".5", "inf", "nan", None, "7"],  # cast as a whole
    ["拒绝", "2万", "1,200", "", "16000", None, "1.5", "abc", "٣", "1e5", "0x10"],
    ["1" * 400, "5", "拒绝"],
    [" 5", "5 ", "5"],
]


@pytest.mark.parametrize("cells", _NUMBERS)
@pytest.mark.parametrize("sample", [1, 4096])
def test_numbers_is_to_float(monkeypatch, cells, sample):
    monkeypatch.setattr(parse, "_SAMPLE", sample)
    a = _arrow(cells)
    _same_floats(parse._numbers(a), to_float(a))


def test_numbers_when_the_first_cells_cast_and_later_ones_do_not(monkeypatch):
    monkeypatch.setattr(parse, "_SAMPLE", 8)
    rng = np.random.default_rng(0)
    cells = rng.integers(0, 10**6, 200).astype(str).astype(object)
    cells[50::17] = "拒绝"
    cells[60::19] = "1.5e3"
    cells[70::23] = None
    a = _arrow(cells)
    _same_floats(parse._numbers(a), to_float(a))
    cells[50::17] = "-2"  # every cell casts, some are not digits only
    a = _arrow(cells)
    _same_floats(parse._numbers(a), to_float(a))


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789.eE+-万 ,a٣", max_size=6),
                                st.integers(0, 10**9).map(str)), max_size=30),
       sample=st.integers(1, 5))
def test_numbers_is_to_float_on_any_text(cells, sample):
    parse._SAMPLE, old = sample, parse._SAMPLE
    try:
        a = _arrow(cells)
        _same_floats(parse._numbers(a), to_float(a))
    finally:
        parse._SAMPLE = old


def _reference_map(values, mapping, what, allowed):
    """_parse_map before its shortcut: every cell normalised, lower-cased and looked up."""
    a = nfkc_arrow(values)
    lower_map = {k.lower(): v for k, v in mapping.items()}
    keys = pa.array(list(lower_map), pa.large_string())
    idx = pc.index_in(pc.utf8_lower(a).cast(pa.large_string()), value_set=keys)
    out = pc.take(pa.array(list(lower_map.values()), pa.large_string()), idx)
    bad = valid(a) & ~valid(out)
    reason = reasons(len(a), (bad, f"unknown {what}; expected one of {', '.join(allowed)}"))
    return series(out, values.index), reason


_MAPS = {"sex": SEX, "status": STATUS, "role": ROLES, "relation": RELATIONS, "grade": GRADES}
_WIDE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                      "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")


def _variants(mapping, rng, n):
    keys = list(mapping)
    out = []
    for _ in range(n):
        k = keys[int(rng.integers(len(keys)))]
        f = int(rng.integers(8))
        out.append([k, k.upper(), k.lower(), f" {k} ", k.translate(_WIDE), "\u3000" + k, k + "x", None][f])
    return out


@pytest.mark.parametrize("name", sorted(_MAPS))
@pytest.mark.parametrize("seed", range(3))
def test_parse_map_is_the_plain_rule(name, seed):
    mapping = _MAPS[name]
    raw = pd.Series(_variants(mapping, np.random.default_rng(seed), 500), dtype="string[pyarrow]",
                    index=pd.RangeIndex(500) + 7)
    v, r = _full(parse._parse_map)(raw, mapping, name, ["a", "b"])
    v0, r0 = _reference_map(raw, mapping, name, ["a", "b"])
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.dtype == r0.dtype == object and r.tolist() == r0.tolist()
    assert v.notna().sum() > 100 and (r != "").sum() > 10


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.sampled_from(sorted(SEX) + ["MALE", " 男 ", "Ｍ", "ｆ"]),
                                st.text(max_size=4)), max_size=25))
def test_parse_map_is_the_plain_rule_on_any_text(cells):
    raw = pd.Series(cells, dtype="string[pyarrow]")
    v, r = _full(parse._parse_map)(raw, SEX, "sex", ["男", "女"])
    v0, r0 = _reference_map(raw, SEX, "sex", ["男", "女"])
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.tolist() == r0.tolist()


def test_status_fills_alive_as_pandas_would():
    raw = pd.Series(["alive", None, "Deceased", "??", "ＭＩＳＳＩＮＧ"], dtype="string[pyarrow]",
                    index=[5, 3, 9, 1, 0])
    v, r = _full(parse._status)(raw)
    v0, _ = _reference_map(raw, STATUS, "status", ["alive", "deceased", "missing", "absconded"])
    pd.testing.assert_series_equal(v, v0.fillna("alive"), check_exact=True)


def _reference_bool(values, *, allow_na):
    """_parse_bool before its shortcut: every cell normalised and looked up in the words."""
    from calib._frames import isin
    from calib.io.specs import FALSE_WORDS, TRUE_WORDS

    low = pc.utf8_lower(nfkc_arrow(values))
    t, f = isin(low, TRUE_WORDS), isin(low, FALSE_WORDS)
    out = pd.Series(pd.arrays.BooleanArray(t, ~(t | f)), index=values.index)
    reason = reasons(len(low), (valid(low) & ~(t | f), "expected yes/no (是/否, 1/0)"))
    return (out if allow_na else pd.Series(t, index=values.index)), reason


_FLAGS = ["0", "1", "1", "0", None, "", " 1", "１", "Y", "yes", "否", "2", "01", "10", "x", "T", "0 "]
_RATINGS = ["3", "1", "5", "4", "2", None, "", "0", "6", "9", "３", " 2", "2.0", "4.5", "1e0", "a",
            "-1", "05", "inf", "nan", "七"]


def _sliced(cells, seed, large=True):
    """``cells`` repeated in a random order, as a Series over a sliced Arrow chunk (or two)."""
    rng = np.random.default_rng(seed)
    picked = [cells[i] for i in rng.integers(0, len(cells), 600)]
    typ = pa.large_string() if large else pa.string()
    whole = pa.array(["9"] * 3 + picked + ["9"] * 2, typ)
    chunks = [whole.slice(3, 300), whole.slice(303, 300)] if seed % 2 else [whole.slice(3, 600)]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, typ)), index=pd.RangeIndex(600) + 2)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("allow_na", [True, False])
def test_parse_bool_is_the_plain_rule(seed, allow_na):
    raw = _sliced(_FLAGS, seed, large=seed < 2)
    v, r = _full(parse._parse_bool)(raw, allow_na=allow_na)
    v0, r0 = _reference_bool(raw, allow_na=allow_na)
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.dtype == r0.dtype == object and r.tolist() == r0.tolist()
    # and only 0 and 1 (nothing for the rule), and nothing at all
    for cells in (["0", "1", None, "1"], [None, None], []):
        raw = pd.Series(cells, dtype="string[pyarrow]")
        (v, r), (v0, r0) = _full(parse._parse_bool)(raw, allow_na=allow_na), _reference_bool(raw, allow_na=allow_na)
        pd.testing.assert_series_equal(v, v0, check_exact=True)
        assert r.tolist() == r0.tolist()


def _reference_rating(raw):
    ints, missing, r = _full(parse._rating_rule)(arrow(raw).combine_chunks())
    return pd.Series(pd.arrays.IntegerArray(ints, missing), index=raw.index), r


@pytest.mark.parametrize("seed", range(4))
def test_rating_is_the_plain_rule(seed):
    raw = _sliced(_RATINGS, seed, large=seed >= 2)
    v, r = _full(parse._rating)(raw)
    v0, r0 = _reference_rating(raw)
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.dtype == r0.dtype == object and r.tolist() == r0.tolist()
    assert v.isna().sum() > 50 and set(r) > {""}
    for cells in (["1", "5", None], ["1", "2"], [None], [], ["1", "x", "7"]):
        raw = pd.Series(cells, dtype="string[pyarrow]")
        (v, r), (v0, r0) = _full(parse._rating)(raw), _reference_rating(raw)
        pd.testing.assert_series_equal(v, v0, check_exact=True)
        assert r.tolist() == r0.tolist()


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789 .e-１nfY", max_size=3)), max_size=25))
def test_rating_and_flags_are_the_plain_rules_on_any_text(cells):
    raw = pd.Series(cells, dtype="string[pyarrow]")
    (v, r), (v0, r0) = _full(parse._rating)(raw), _reference_rating(raw)
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.tolist() == r0.tolist()
    (v, r), (v0, r0) = _full(parse._parse_bool)(raw, allow_na=True), _reference_bool(raw, allow_na=True)
    pd.testing.assert_series_equal(v, v0, check_exact=True)
    assert r.tolist() == r0.tolist()


def test_null_cells_holding_bytes_are_null():
    """Arrow lets a null cell keep bytes (e.g. after if_else): it is blank all the same."""
    data = pa.py_buffer(b"3" + b"1" + b"4" + b"0")
    offsets = pa.py_buffer(np.array([0, 1, 2, 3, 4], dtype=np.int64))
    validity = pa.py_buffer(np.packbits([1, 0, 1, 0], bitorder="little"))
    a = pa.Array.from_buffers(pa.large_string(), 4, [validity, offsets, data], null_count=2)
    raw = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([a])))
    assert raw.isna().tolist() == [False, True, False, True]
    for got, ref in ((_full(parse._rating)(raw), _reference_rating(raw)),
                     (_full(parse._parse_bool)(raw, allow_na=True), _reference_bool(raw, allow_na=True))):
        pd.testing.assert_series_equal(got[0], ref[0], check_exact=True)
        assert got[1].tolist() == ref[1].tolist()


def test_amounts_with_a_nan_word_in_a_column_that_casts_whole():
    """A "nan" cell casts (to NaN), so the whole column casts into Arrow's read-only buffer;
    its rules then wrote into that buffer and raised."""
    v, r = parse.parse_amounts(pd.Series(["1", "nan"], dtype="string[pyarrow]"))
    assert v.iloc[0] == 1.0 and np.isnan(v.iloc[1])
    assert r.tolist() == ["", "cannot read the amount"]
