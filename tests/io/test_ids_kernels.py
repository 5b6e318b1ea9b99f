"""The ID numbers' compiled kernels (calib.io._ids_nb) give parse_ids's numpy results bit for bit."""
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calib import _jit
from calib.io import _jit as io_jit
from calib.io import ids, parse
from calib.io.specs import SPECS

pytest.importorskip("numba")

AS_OF = "2026-06-30"
MODULE = "calib.io._ids_nb"
COLS = {(t, c.name): c for t in ("roster", "reviewers") for c in SPECS[t] if c.kind.startswith("id")}


@pytest.fixture
def paths(monkeypatch):
    """Run a function on the numpy path (CALIB_NO_JIT=1) and on the kernels (any size)."""
    calls = []
    real = ids._parse_compiled

    def spy(*args):
        out = real(*args)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(ids, "_parse_compiled", spy)

    def both(fn, *args, **kw):
        monkeypatch.setenv("CALIB_NO_JIT", "1")
        ref = fn(*args, **kw)
        assert not calls
        monkeypatch.delenv("CALIB_NO_JIT")
        monkeypatch.setattr(io_jit, "MIN_ROWS", 0)
        got = fn(*args, **kw)
        assert calls and all(calls), "the kernels did not run"
        calls.clear()
        monkeypatch.setenv("CALIB_NO_JIT", "1")  # back to the numpy path for the next call
        return ref, got

    return both


def _valid(n, rng):
    birth = pd.to_datetime("1900-01-01") + pd.to_timedelta(rng.integers(0, 46_000, n), unit="D")
    codes = rng.integers(110000, 660000, n).astype(str)
    return ids.make_ids(codes, birth, rng.choice(["M", "F"], n), rng)


def _cells(n, seed):
    """Valid IDs and every kind of broken one, shuffled."""
    rng = np.random.default_rng(seed)
    good = _valid(n, rng).astype(object)
    out = good.copy()
    kind = rng.integers(0, 20, n)
    for i in np.flatnonzero(kind >= 6):
        x = good[i]
        k = kind[i]
        if k == 6:    # wrong check character
            out[i] = x[:17] + "0123456789X"[("0123456789X".index(x[17]) + int(rng.integers(1, 11))) % 11]
        elif k == 7:  # last digits zeroed by Excel
            out[i] = x[:15] + "000"
        elif k == 8:  # impossible dates, with their check character right
            y, md = rng.choice(["1899", "1900", "2026", "2027", "2100", "2000", "2023", "0000"]), \
                rng.choice(["0229", "1301", "0001", "0100", "0431", "0630", "0701", "1231", "0228", "0000"])
            body = x[:6] + y + md + x[14:17]
            out[i] = body + ids.check_characters([body])[0]
        elif k == 9:  # 15 digits (valid or not)
            out[i] = x[:6] + x[8:17] if rng.random() < 0.8 else x[:6] + x[8:16] + "9"
        elif k == 10:
            out[i] = x.lower() if x.endswith("X") else x[:17] + "x"
        elif k == 11:  # full-width
            out[i] = x.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
        elif k == 12:
            out[i] = rng.choice([" ", "  ", "\u3000"]) + x[:6] + " " + x[6:] + rng.choice(["", " ", "\t"])
        elif k == 13:
            out[i] = rng.choice([None, "", "   "])
        elif k == 14:
            out[i] = f"{x[0]}.{x[1:6]}E+17"
        elif k == 15:
            out[i] = x + ".0"
        elif k == 16:  # a byte that is not a digit, other lengths
            j = int(rng.integers(0, 18))
            out[i] = rng.choice([x[:j] + rng.choice(["A", "-", "/", "é", "Y", ":"]) + x[j + 1:], x[:17], x + "1", x[:-2]])
        elif k == 17:  # first 17 digits of an otherwise valid number with X in the middle
            out[i] = x[:5] + "X" + x[6:]
        elif k == 18:
            out[i] = x.replace(x[17], "x") if x[17] == "X" else x
        else:
            out[i] = x[:17] + "X"
    return out


def _series(cells, *, large=True, chunks=1, offset=0):
    """``cells`` as a Series over Arrow (string or large_string), in ``chunks`` chunks, each a
    slice (non-zero offset) of a longer array."""
    typ = pa.large_string() if large else pa.string()
    parts = np.array_split(np.asarray(cells, dtype=object), chunks)
    arrays = []
    for p in parts:
        pad = ["11010519491231002X"] * offset
        arrays.append(pa.array(pad + list(p) + pad, typ).slice(offset, len(p)))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(arrays, typ)))


def _same_frames(ref, got):
    pd.testing.assert_frame_equal(ref, got, check_exact=True)
    assert ref.dtypes.equals(got.dtypes)
    for c in ref.columns:  # nulls, text and integer values, not only equal after coercion
        assert ref[c].isna().tolist() == got[c].isna().tolist(), c
    assert ref["birth_date"].to_numpy().view("i8").tolist() == got["birth_date"].to_numpy().view("i8").tolist()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("large,chunks,offset", [(True, 1, 0), (True, 1, 3), (False, 1, 5),
                                                 (True, 3, 7), (False, 4, 0)])
def test_parse_ids_compiled_is_numpy(paths, seed, large, chunks, offset):
    values = _series(_cells(2000, seed), large=large, chunks=chunks, offset=offset)
    ref, got = paths(ids.parse_ids, values, as_of=AS_OF)
    _same_frames(ref, got)
    assert ref["valid"].sum() > 500 and (~ref["valid"]).sum() > 500
    assert set(ref["reason"]) == set(ids._REASONS)  # every reason met


def test_all_clean_column_and_other_index(paths):
    rng = np.random.default_rng(9)
    cells = _valid(3000, rng)
    cells[::7] = [c[:17] + "0" for c in cells[::7]]  # some wrong, none needing normalisation
    values = pd.Series(cells, index=pd.RangeIndex(3000) * 3 + 11, dtype="string[pyarrow]")
    ref, got = paths(ids.parse_ids, values, as_of="2001-02-28")
    _same_frames(ref, got)


@pytest.mark.parametrize("cells", [[], [None], [None, None], [""], ["11010519491231002X"],
                                   ["110105491231002"], ["4.40524E+17"]])
def test_tiny_columns(paths, cells):
    ref, got = paths(ids.parse_ids, pd.Series(cells, dtype="string[pyarrow]"), as_of=AS_OF)
    _same_frames(ref, got)


@pytest.mark.parametrize("as_of", ["1990-01-01", "2000-02-29", "2026-06-30", "2100-12-31"])
def test_ages_and_future_births_at_any_date(paths, as_of):
    ref, got = paths(ids.parse_ids, _series(_cells(1500, 11)), as_of=as_of)
    _same_frames(ref, got)


_DIGITS = "0123456789"
_piece = st.one_of(
    st.text(alphabet=_DIGITS, min_size=17, max_size=17).map(lambda s: s + ids.check_characters([s])[0]),
    st.text(alphabet=_DIGITS + "Xx", min_size=14, max_size=19),
    st.text(alphabet=_DIGITS + "Xx .E+-０１９Ｘ\u3000", min_size=0, max_size=20),
    st.sampled_from(["19000101", "18991231", "20000229", "19000229", "20260630", "20260701"]).map(
        lambda d: "110105" + d + "001").map(lambda s: s + ids.check_characters([s])[0]),
    st.none(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(_piece, max_size=40), offset=st.integers(0, 3), large=st.booleans())
def test_parse_ids_compiled_is_numpy_on_any_text(paths, cells, offset, large):
    ref, got = paths(ids.parse_ids, _series(cells, large=large, offset=offset), as_of=AS_OF)
    _same_frames(ref, got)


@pytest.mark.parametrize("key", sorted(COLS))
def test_id_columns_compiled_are_numpy(paths, monkeypatch, key):
    """parse_column on the ID columns (the optional ones parse every row with the kernels
    instead of the distinct values), in blocks too: values and reasons the same."""
    monkeypatch.setattr(parse, "_ID_BLOCK", 1500)
    col = COLS[key]
    raw = _series(_cells(4000, 5), chunks=2, offset=1)
    (v0, r0), (v1, r1) = paths(parse.parse_column, col, raw, pd.Timestamp(AS_OF))
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert r0.dtype == r1.dtype == object and r0.tolist() == r1.tolist()
    (v0, r0, p0), (v1, r1, p1) = paths(parse.parse_id_column, col, raw, pd.Timestamp(AS_OF))
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert r0.tolist() == r1.tolist()
    _same_frames(p0, p1)


def test_a_kernel_that_cannot_compile_gives_the_numpy_path(monkeypatch):
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    monkeypatch.setattr(io_jit, "MIN_ROWS", 0)
    values = _series(_cells(500, 3))
    monkeypatch.setattr(_jit, "run", lambda *a: False)
    got = ids.parse_ids(values, as_of=AS_OF)
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    _same_frames(ids.parse_ids(values, as_of=AS_OF), got)


def test_warm_compiles_the_kernels(monkeypatch):
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    from calib.io import _ids_nb

    assert _ids_nb.warm() is True
    assert _jit.loaded(MODULE)


# --- the byte kernels of parse.py's dates and birth months (same module) -------------------


@pytest.fixture
def both_paths(monkeypatch):
    """fn(*args) on the numpy path and with the kernels (any size); the kernels named must run."""
    ran = []
    real = _jit.run

    def spy(module, name, *args):
        ran.append(name)
        return real(module, name, *args)

    monkeypatch.setattr(_jit, "run", spy)

    def both(names, fn, *args):
        monkeypatch.setenv("CALIB_NO_JIT", "1")
        ref = fn(*args)
        assert not ran
        monkeypatch.delenv("CALIB_NO_JIT")
        monkeypatch.setattr(io_jit, "MIN_ROWS", 0)
        got = fn(*args)
        assert set(names) <= set(ran), ran
        ran.clear()
        monkeypatch.setenv("CALIB_NO_JIT", "1")
        monkeypatch.setattr(io_jit, "MIN_ROWS", 1_000_000)
        return ref, got

    return both


def _dates(n, seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(-25_567, 84_000, n)  # 1900-01-01 to 2199: the kernel reads them all
    return np.datetime_as_string(np.datetime64("1970-01-01") + days.astype("timedelta64[D]")).astype(object)


_ODD_DATES = ["2025-02-29", "2024-02-29", "2100-02-29", "2000-02-29", "2025-04-31", "2025-13-01",
              "2025-00-10", "2025-01-00", "1899-12-31", "1900-01-01", "2200-12-31", "2201-01-01",
              "1677-09-22", "2262-04-11", "2025/6/30", "20250630", "45000", "2025-06-30 10:00",
              " 2025-06-30", "２０２５-０６-３０", "2025-6-30", "2025.06.30", "2025年6月30日", "", None,
              "abcd-ef-gh", "2025-06-3x", "2025_06_30"]


@pytest.mark.parametrize("odd", [None, *_ODD_DATES])
@pytest.mark.parametrize("large,offset", [(True, 0), (False, 2)])
def test_parse_dates_compiled_is_numpy(both_paths, odd, large, offset):
    cells = _dates(300, 1)
    if odd is not None:
        cells[::37] = odd
    raw = _series(cells, large=large, chunks=2 if offset else 1, offset=offset)
    # the kernel decides every column; then the rules read the others as before
    (v0, r0), (v1, r1) = both_paths(["iso_dates"], parse.parse_dates, raw)
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert r0.dtype == r1.dtype == object and r0.tolist() == r1.tolist()


@pytest.mark.parametrize("cells", [[None], [None, None], ["2025-06-30"], ["2262-04-11", None]])
def test_parse_dates_compiled_small(both_paths, cells):
    (v0, r0), (v1, r1) = both_paths(["iso_dates"], parse.parse_dates, pd.Series(cells, dtype="string[pyarrow]"))
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert r0.tolist() == r1.tolist()


_ODD_MONTHS = ["1899-12", "1900-01", "2100-12", "2101-01", "2025-13", "2025-00", "2025-7", " 2025-07",
               "２０２５-０７", "2025/07", "2025年7月", "2025-07-01", "", None, "abcd-ef", "2025-0x"]


@pytest.mark.parametrize("odd", [None, *_ODD_MONTHS])
@pytest.mark.parametrize("large,offset", [(True, 0), (False, 3)])
def test_parse_month_compiled_is_numpy(both_paths, odd, large, offset):
    rng = np.random.default_rng(2)
    cells = np.array([f"{y}-{m:02d}" for y, m in zip(rng.integers(1900, 2101, 200), rng.integers(1, 13, 200))],
                     dtype=object)
    if odd is not None:
        cells[::29] = odd
    raw = _series(cells, large=large, chunks=2 if offset else 1, offset=offset)
    (v0, r0), (v1, r1) = both_paths(["strict_months"], parse._parse_month, raw)
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert (r0 is None) == (r1 is None)  # no reason in any cell: None on both paths
    r0, r1 = (parse._filled(len(v0), r) for r in (r0, r1))
    assert r0.dtype == r1.dtype == object and r0.tolist() == r1.tolist()
    for cells in ([None], [None, "2025-07"], ["2025-07"]):
        (v0, r0), (v1, r1) = both_paths(["strict_months"], parse._parse_month, pd.Series(cells, dtype="string[pyarrow]"))
        pd.testing.assert_series_equal(v0, v1, check_exact=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789-/ ", min_size=6, max_size=11),
                                st.dates().map(str),
                                st.dates(date(1899, 12, 1), date(2201, 1, 31)).map(str)), min_size=1, max_size=30))
def test_dates_and_months_compiled_are_numpy_on_any_text(both_paths, cells):
    raw = pd.Series(cells, dtype="string[pyarrow]")

    def dates(raw):  # the rules raise on some text (e.g. 00000101, out of the ns range):
        try:         # then both paths must
            return parse.parse_dates(raw)
        except pd.errors.OutOfBoundsDatetime:
            return None, None

    (v0, r0), (v1, r1) = both_paths([], dates, raw)
    if v0 is None:
        assert v1 is None
    else:
        pd.testing.assert_series_equal(v0, v1, check_exact=True)
        assert r0.tolist() == r1.tolist()
    (v0, r0), (v1, r1) = both_paths([], parse._parse_month, raw)
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert (r0 is None) == (r1 is None) and parse._filled(len(v0), r0).tolist() == parse._filled(len(v1), r1).tolist()


_ODD_AMOUNTS = ["0", "007", "123456789012345", "1234567890123456", "99999999999999999999", "-3", "+4",
                "1,200", "5万", "5万元", "拒绝", "不同意", "１２００", " 12", "12 ", "", None, "1e5", "1.5",
                ".5", "abc", "¥300", "300RMB", "٣", "inf", "nan"]


@pytest.mark.parametrize("declines", [False, True])
@pytest.mark.parametrize("odd", [None, *_ODD_AMOUNTS])
def test_parse_amounts_compiled_is_numpy(both_paths, odd, declines):
    rng = np.random.default_rng(4)
    cells = rng.integers(0, 10 ** rng.integers(1, 16, 400)).astype(str).astype(object)
    if odd is not None:
        cells[::23] = odd
    raw = _series(cells, large=bool(declines), chunks=2, offset=3)
    (v0, r0), (v1, r1) = both_paths(["plain_amounts"], lambda raw: parse.parse_amounts(raw, declines=declines), raw)
    pd.testing.assert_series_equal(v0, v1, check_exact=True)
    assert v0.to_numpy().view(np.int64).tolist() == v1.to_numpy().view(np.int64).tolist()
    assert r0.dtype == r1.dtype == object and r0.tolist() == r1.tolist()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789.,-e万元 拒绝", max_size=17),
                                st.integers(0, 10**18).map(str)), min_size=1, max_size=30))
def test_parse_amounts_compiled_is_numpy_on_any_text(both_paths, cells):
    raw = pd.Series(cells, dtype="string[pyarrow]")
    (v0, r0), (v1, r1) = both_paths(["plain_amounts"], lambda raw: parse.parse_amounts(raw, declines=True), raw)
    assert v0.to_numpy().view(np.int64).tolist() == v1.to_numpy().view(np.int64).tolist()
    assert r0.tolist() == r1.tolist()


def test_reason_codes_agree():
    from calib.io import _ids_nb as k

    codes = {k.OK: "", k.MISSING: ids.REASON_MISSING, k.SCIENTIFIC: ids.REASON_SCIENTIFIC,
             k.FORMAT: ids.REASON_FORMAT, k.DATE: ids.REASON_DATE, k.ZEROED: ids.REASON_ZEROED,
             k.CHECK: ids.REASON_CHECK}
    assert [codes[i] for i in range(7)] == list(ids._REASONS)
    assert (ids._MISSING, ids._SCIENTIFIC, ids._FORMAT) == (k.MISSING, k.SCIENTIFIC, k.FORMAT)
