"""The table rules' kernels (calib.io._keys_nb) against their numpy and Arrow references.

Every kernel path of calib.io.checks (repeats, text codes and lookups, ID keys, byte scans, land
areas) gives the same arrays as the path it replaces, bit for bit, on generated inputs: empty,
all distinct, all equal, missing values, negative and extreme integers, several chunks. The
kernel path is forced by ``MIN_ROWS = 0``; the reference by ``CALIB_NO_JIT=1``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calib.io import _jit, checks

I64 = np.iinfo(np.int64)
_SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _kernels_on(monkeypatch):
    # the compiled paths at any size: a developer's CALIB_NO_JIT=1 does not apply here
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    monkeypatch.setattr(_jit, "MIN_ROWS", 0)


def both(fn, *args):
    """``fn(*args)`` by the kernels, then by the reference (``CALIB_NO_JIT=1``)."""
    mp = pytest.MonkeyPatch()
    try:
        got = fn(*args)
        mp.setenv("CALIB_NO_JIT", "1")
        want = fn(*args)
    finally:
        mp.undo()
    return got, want


def test_the_kernels_are_used_here():
    # numba is a dependency: a broken install must not fall back to the numpy paths unnoticed
    assert _jit.use(checks._NB, 1) is not None


def test_they_compile_on_warming():
    from calib.io import _keys_nb

    assert _keys_nb.warm()


# --- first_seen: direct table and hash table ----------------------------------------------------

def _check_first_seen(x: np.ndarray) -> None:
    x = np.asarray(x, dtype=np.int64)
    (f1, p1), (f0, p0) = both(checks.first_seen, x)
    assert f1.dtype == f0.dtype and p1.dtype == p0.dtype
    np.testing.assert_array_equal(f1, f0)
    np.testing.assert_array_equal(p1, p0)


@pytest.mark.parametrize("x", [
    [], [5], [I64.min], [I64.max, I64.min, I64.max, -1, 0, I64.min],
    np.arange(1000), np.arange(1000)[::-1], np.zeros(1000), np.full(77, -1),
    np.arange(0, 10**15, 10**12),               # distinct and spread: the hash table
    np.repeat(np.arange(0, 10**15, 10**12), 3),  # repeated and spread
    np.tile(np.arange(50), 20), np.sort(np.tile(np.arange(50), 20)),
], ids=lambda x: f"n{len(x)}")
def test_first_seen_cases(x):
    _check_first_seen(np.asarray(x))


@_SETTINGS
@given(st.lists(st.integers(I64.min, I64.max), max_size=300),
       st.sampled_from([1, 3, 50, 10**6, 2**62]), st.integers(0, 2**32))
def test_first_seen_matches_the_sort(values, modulus, seed):
    rng = np.random.default_rng(seed)
    x = np.asarray(values, dtype=np.int64)
    if modulus < 2**62:  # also small ranges, with repeats (the direct table), shifted
        x = np.concatenate([x % modulus - modulus // 2, rng.integers(-modulus, modulus, 50)])
        rng.shuffle(x)
    _check_first_seen(x)


# --- text: codes, lookups ------------------------------------------------------------------------

_TEXT = st.one_of(st.none(), st.sampled_from(["", "H001", "H002", "h001", "户号1", "村", "a\x00b", " H001"]),
                  st.text(max_size=6))


def _chunked(values: list, cuts: list[int]) -> pd.Series:
    """``values`` as an Arrow-backed string Series in chunks cut at ``cuts``."""
    a = pa.array(values, pa.large_string())
    bounds = sorted({0, len(values), *[c % (len(values) + 1) for c in cuts]})
    chunks = [a.slice(s, e - s) for s, e in zip(bounds[:-1], bounds[1:])] or [a]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())))


@_SETTINGS
@given(st.lists(_TEXT, max_size=200), st.lists(st.integers(0, 200), max_size=4))
def test_text_codes_match_arrows_dictionary(values, cuts):
    # the household lookups' dictionary numbers texts as Arrow's dictionary encoding does
    s = _chunked(values, cuts)
    codes, firsts, d = checks._TextDict.encode(checks.arrow(s))
    c0, k0 = checks._codes(s)
    assert len(d) == k0
    np.testing.assert_array_equal(codes, c0)
    np.testing.assert_array_equal(firsts, [np.flatnonzero(c0 == c)[0] for c in range(k0)])


@_SETTINGS
@given(st.lists(_TEXT, max_size=120), st.lists(_TEXT, max_size=200), st.lists(st.integers(0, 200), max_size=3))
def test_lookups_match_index_in(keys, values, cuts):
    keys = pa.array(keys, pa.large_string())
    v = checks.arrow(_chunked(values, cuts))
    got, want = both(lambda: checks._index_in(v, keys, {}, "__k"))
    np.testing.assert_array_equal(got, want)
    # the dictionary is cached for the next table: the same answer from the cache
    tables = {}
    first = checks._index_in(v, keys, tables, "__k")
    np.testing.assert_array_equal(checks._index_in(v, keys, tables, "__k"), first)


@pytest.mark.parametrize("order", ["keys", "reversed", "shuffled"])
def test_lookups_in_the_keys_order(order):
    # a table keyed by household lists them in the roster's order: found from the last one
    keys = pa.array([f"H{i:04d}" for i in range(300)], pa.large_string())
    values = [f"H{i // 3:04d}" if i % 17 else (None if i % 2 else "H9999") for i in range(1000)]
    values = values[::-1] if order == "reversed" else values
    if order == "shuffled":
        np.random.default_rng(0).shuffle(values)
    v = checks.arrow(_chunked(values, [400, 401]))
    got, want = both(lambda: checks._index_in(v, keys, {}, "__k"))
    np.testing.assert_array_equal(got, want)


def test_lookup_keys_with_repeats_or_nulls_keep_arrow():
    # index_in gives a repeated key's first position and matches a null: the dictionary's codes
    # are not positions then, and Arrow answers
    for keys in (["a", "b", "a", "c"], ["a", None, "b"]):
        tables = {}
        v = checks.arrow(pd.Series(["c", None, "b", "a", "z"], dtype="string[pyarrow]"))
        got = checks._index_in(v, pa.array(keys, pa.large_string()), tables, "__k")
        want = pc.fill_null(pc.index_in(v, value_set=pa.array(keys, pa.large_string())), -1).to_numpy(zero_copy_only=False)
        np.testing.assert_array_equal(got, want)
        assert tables["__k"] is None


@_SETTINGS
@given(st.lists(st.one_of(st.none(), st.sampled_from(["H1", "H2", "H3", "H10", ""])), min_size=1, max_size=80))
def test_household_places_match_pandas(hh):
    n = len(hh)
    roster = pd.DataFrame({"household_id": pd.Series(hh, dtype="string[pyarrow]"),
                           "village": pd.Series([f"V{i % 3}" for i in range(n)], dtype="string[pyarrow]"),
                           "township": pd.Series([f"T{i % 2}" for i in range(n)], dtype="string[pyarrow]")})
    t1, t0 = {"roster": roster}, {"roster": roster}
    got = checks.household_places(t1)
    mp = pytest.MonkeyPatch()
    mp.setenv("CALIB_NO_JIT", "1")
    try:
        want = checks.household_places(t0)
    finally:
        mp.undo()
    for g, w in zip(got, want):
        assert g.equals(w)
    if not any(x is None for x in hh):  # the cached lookup gives the positions of the keys
        v = checks.arrow(pd.Series(["H2", "H10", None, "H9", "H1"], dtype="string[pyarrow]"))
        np.testing.assert_array_equal(checks._index_in(v, got[0].chunk(0), t1, "__hh_dict"),
                                      pc.fill_null(pc.index_in(v, value_set=got[0].chunk(0)), -1).to_numpy(zero_copy_only=False))


# --- bytes: ID keys, key characters ---------------------------------------------------------------

@_SETTINGS
@given(st.lists(st.one_of(st.none(), st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True)), max_size=100),
       st.lists(st.integers(0, 100), max_size=3))
def test_id_keys_match_the_byte_matrix(ids, cuts):
    s = _chunked(ids, cuts)
    got, want = both(checks._id_keys, s)
    np.testing.assert_array_equal(got, want)


@_SETTINGS
@given(st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=60), st.lists(st.integers(0, 60), max_size=3))
def test_any_byte_matches_the_table(values, cuts):
    s = _chunked(values, cuts)
    for table in (checks._KEY_BYTES, np.zeros(256, bool), np.ones(256, bool)):
        got, want = both(checks._any_byte, s, table)
        assert got == want


# --- land areas ---------------------------------------------------------------------------------

_LAND_PIECES = ["耕地", "土地", "田", "林地", "山林", "亩", "畝", "1", "0", "2.5", ".", "..", " ", "\t", "；", ";", "x",
                "约", "12345678901234567", "0000000000000001.5", "5.", ".5", "1e5", "地", "耕"]


def _check_land(texts: list, cuts=()) -> None:
    land = checks.arrow(_chunked(texts, list(cuts)))
    for words in ("耕地|土地|田", "林地|山林"):
        got, want = both(checks._land_area, land, words)
        assert got.dtype == want.dtype
        assert got.isna().tolist() == want.isna().tolist()
        np.testing.assert_array_equal(got.to_numpy(dtype="float64", na_value=np.nan),
                                      want.to_numpy(dtype="float64", na_value=np.nan))


@pytest.mark.parametrize("texts", [
    [], [None], ["耕地1.0亩;林地4亩", "耕地2亩", None, ""], ["耕地 .5亩"], ["耕地. 亩 5"], ["耕地abc;林地4亩"],
    ["田1x亩田2亩"], ["耕地0.1亩", "土地3.14159亩", "田 7 \t亩"], ["耕地123456789012345678亩"],
    ["山林1..2亩", "林地.亩"], ["耕地1.0x亩"], ["耕地5.亩"], ["耕地1.5畝;林地4畝", "耕地2亩；林地3畝"],
], ids=lambda t: f"n{len(t)}")
def test_land_area_cases(texts):
    _check_land(texts)


@_SETTINGS
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_LAND_PIECES), max_size=8).map("".join)),
                max_size=40), st.lists(st.integers(0, 40), max_size=3))
def test_land_area_matches_the_regex(texts, cuts):
    _check_land(texts, cuts)


@_SETTINGS
@given(st.lists(st.one_of(st.none(), st.from_regex(r"(耕地|林地)[0-9]{1,17}(\.[0-9]{0,8})?亩", fullmatch=True)),
                max_size=30))
def test_land_area_numbers_are_arrows_doubles(texts):
    _check_land(texts)


# --- the load ------------------------------------------------------------------------------------

def test_a_load_by_the_kernels_equals_the_numpy_load(tmp_path):
    from _edge_programme import write_edge_programme
    from calib.io import load_programme

    folder = write_edge_programme(tmp_path)
    got, want = both(lambda: load_programme(folder, as_of="2026-06-30"))
    for t in ("roster", "reviewers", "reviews", "relations", "model_runs", "points", "loans", "quarantine", "counts"):
        a, b = getattr(got, t), getattr(want, t)
        if b is None:
            assert a is None
            continue
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert len(want.quarantine)  # the programme breaks rules: the kernels' paths had work
