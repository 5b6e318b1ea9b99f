"""The loader's text kernels (calib.io._text_nb) against their numpy references, bit for bit.

Each kernel is called directly (a kernel that failed to compile would otherwise fall back to the
numpy path and compare numpy with itself), on cells made to hit its edges: whitespace of every
width at either end (ASCII, U+0085, U+00A0, U+1680, U+2000-U+200A, U+3000, the 0x1c-0x1f
separators) and bytes that only look like the start of one (``¢`` is 0xC2 0xA2, ``€`` 0xE2...),
blank words in other cases, nulls, empty cells, sliced arrays (a nonzero offset, also in the
validity bitmap), several chunks, ``string`` and ``large_string``; for NFKC, characters it
changes beside the ASCII and CJK ones the kernel lets through. Each test was seen to fail on a
broken kernel (a byte test dropped, words compared without case, validity or the last bitmap
byte ignored, the CJK range widened, the trim test switched off). Also the helpers of
calib.io._text changed beside them (``reasons``).
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calib import _jit as package_jit
from calib.io import _jit
from calib.io import read as R
from calib.io._text import TEXT_NB
from calib.io.specs import BLANKS

_SETTINGS = settings(max_examples=100, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _jit_allowed(monkeypatch):
    # these tests are about the compiled paths: a developer's CALIB_NO_JIT=1 does not apply
    monkeypatch.delenv("CALIB_NO_JIT", raising=False)


_SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000",
           "\u2003", "\u200a", "\u2028", "\u205f", "\u3000"]
_LOOKALIKES = ["¢", "é", "€", "中", "\u2010", "\u3001", "ー", "\x1b", "\x7f"]   # same lead bytes, not blanks
_WORDS = sorted(BLANKS) + ["NaN", "nAn", "Null", "NONE", "<na>", "<NA", "NA>", "nat", "NAT", "nul", "nulls",
                           "nan ", "no", "<>"]
_cells = st.one_of(
    st.none(),
    st.sampled_from(_WORDS),
    st.text(st.sampled_from(_SPACES + _LOOKALIKES + list("anNA<>xz0 ")), max_size=6),
    st.tuples(st.text(st.sampled_from(_SPACES), max_size=2), st.sampled_from(_WORDS + _LOOKALIKES + ["x"]),
              st.text(st.sampled_from(_SPACES), max_size=2)).map("".join),
    # Excel's text formulas ="...", and cells that only start like one
    st.tuples(st.text(st.sampled_from(_SPACES[:3]), max_size=1), st.sampled_from(['="', "=", '=""']),
              st.sampled_from(["", "x", "nan", " 07 ", '""', '"', "NULL", '"&"']),
              st.sampled_from(['"', "", '""']), st.text(st.sampled_from(_SPACES[:3]), max_size=1)).map("".join),
)


@st.composite
def _arrays(draw, t: pa.DataType | None = None) -> pa.Array:
    cells = draw(st.lists(_cells, max_size=40))
    arr = pa.array(cells, t or draw(st.sampled_from([pa.string(), pa.large_string()])))
    hide = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    if any(hide):  # nulls over cells that keep their bytes (pa.array gives nulls no bytes)
        ok = arr.is_valid().to_numpy(zero_copy_only=False) & ~np.array(hide)
        bitmap = pa.py_buffer(np.packbits(ok, bitorder="little"))
        arr = pa.Array.from_buffers(arr.type, len(arr), [bitmap, *arr.buffers()[1:]])
    start = draw(st.integers(0, len(cells)))
    return arr.slice(start, draw(st.integers(0, len(cells) - start)))


def _same(got: pa.Array, want: pa.Array) -> None:
    assert got.type == want.type
    assert got.equals(want)
    assert got.null_count == want.null_count
    np.testing.assert_array_equal(got.is_valid().to_numpy(zero_copy_only=False),
                                  want.is_valid().to_numpy(zero_copy_only=False))
    assert got.to_pylist() == want.to_pylist()


def _compiled(arr: pa.Array) -> pa.Array:
    out = R._clean_compiled(arr) if len(arr) else arr
    assert out is not None, "the kernel did not compile"
    return out


def test_the_text_kernels_are_used_here():
    # numba is a dependency: a broken install must not fall back to the slow path unnoticed
    assert _jit.kernels(TEXT_NB) is not None


@_SETTINGS
@given(_arrays())
def test_clean_chunk_is_the_same_with_the_kernel(arr):
    _same(_compiled(arr), R._clean_chunk(arr))


@pytest.mark.parametrize("cells", [
    [], [None], [""], ["", None, ""], ["\u3000"], ["\xa0x\xa0"], ["\u3000nan\u3000"], [" NULL", "None "],
    ["¢"], ["a¢"], ["€"], ["x€"], ["\u1680"], ["NaN", "nan", "NAN", "<NA>", "NaT", "none", "None", "null"],
    ["Nan", "NAn", "nULL", "<na>", "NAT", "nat", "NONE"], ["x"] * 20, [None] * 9 + ["nan"],
])
@pytest.mark.parametrize("t", [pa.string(), pa.large_string()])
def test_clean_chunk_edges(cells, t):
    arr = pa.array(cells, t)
    for a in (arr, arr.slice(1), arr.slice(1, max(len(cells) - 2, 0))):
        _same(_compiled(a), R._clean_chunk(a))


@pytest.mark.parametrize("t", [pa.string(), pa.large_string()])
def test_excel_text_formulas_are_read_as_the_text_excel_shows(t):
    """Core systems write ``="441821199001011234"`` into a CSV so that Excel keeps the digits:
    the cell is the text inside (inner quotes doubled, blanks and blank words as any cell's);
    another formula, or a cell that only starts like one, stays as it is."""
    cells = [' ="441821199001011234" ', '="a""b"', '="a"&"b"', "=SUM(A1:A3)", '=""', '="NULL"', '="  x "',
             '="', "plain", None]
    want = ["441821199001011234", 'a"b', '="a"&"b"', "=SUM(A1:A3)", None, None, "x", '="', "plain", None]
    arr = pa.array(cells, t)
    assert R._clean_chunk(arr).to_pylist() == want
    _same(_compiled(arr), R._clean_chunk(arr))


def test_an_array_without_data_bytes():
    # every cell empty: a data buffer of no bytes
    offsets = pa.py_buffer(np.zeros(4, np.int64))
    arr = pa.Array.from_buffers(pa.large_string(), 3, [None, offsets, pa.py_buffer(b"")])
    _same(_compiled(arr), R._clean_chunk(arr))
    assert _compiled(arr).null_count == 3


def test_the_numpy_word_test_covers_every_blank_word():
    # _clean_chunk's numpy path looks only at cells of 3-4 bytes starting with n, N or <; the
    # kernel compares every word: both are right only while BLANKS keeps to that shape
    for w in BLANKS - {""}:
        assert 3 <= len(w.encode()) <= 4 and w[0] in "nN<", w


@_SETTINGS
@given(st.sampled_from([pa.string(), pa.large_string()]).flatmap(
    lambda t: st.lists(_arrays(t), min_size=1, max_size=4).map(lambda cs: pa.chunked_array(cs, t))))
def test_text_columns_are_the_same_with_and_without_the_kernels(col):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CALIB_NO_JIT", "1")
        want = R._arrow_text(col)
        mp.delenv("CALIB_NO_JIT")
        mp.setattr(_jit, "MIN_ROWS", 0)
        assert _jit.use(TEXT_NB, len(col)) is not None
        got = R._arrow_text(col)
    pd.testing.assert_series_equal(got, want, check_exact=True)


def test_read_table_is_the_same_with_and_without_the_kernels(tmp_path, monkeypatch):
    rows = ["乡镇,姓名,联系方式", " a ,nan,NULL", "\u3000b\u3000,\xa0中\xa0,<NA>", ",None,¢",
            '"  ",x€, 1 ']
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    want = R.read_table(path)
    monkeypatch.delenv("CALIB_NO_JIT")
    monkeypatch.setattr(_jit, "MIN_ROWS", 0)
    got = R.read_table(path)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["姓名"].isna().tolist() == [True, False, True, False]


def test_no_jit_and_small_columns_keep_numpy(monkeypatch):
    monkeypatch.setenv("CALIB_NO_JIT", "1")
    assert _jit.use(TEXT_NB, 10**9) is None
    monkeypatch.delenv("CALIB_NO_JIT")
    if not package_jit.loaded(TEXT_NB):
        assert _jit.use(TEXT_NB, _jit.MIN_ROWS - 1) is None
    assert _jit.use(TEXT_NB, _jit.MIN_ROWS) is not None


def test_reading_a_small_table_does_not_import_numba(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("乡镇,姓名\n a ,nan\n", encoding="utf-8")
    code = (f"import sys\nfrom calib.io.read import read_table\nread_table({str(path)!r})\n"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "CALIB_NO_JIT"})
    assert out.stdout.split() == ["False"]


def test_warm_compiles_the_text_kernels():
    from calib.io import _text_nb

    assert _text_nb.warm()


# ------------------------------------------------------------------ calib.io._text helpers
@pytest.mark.parametrize("n", [0, 1, 7])
@pytest.mark.parametrize("with_base", [False, True])
def test_reasons_are_those_of_np_full(n, with_base):
    from calib.io._text import reasons

    rng = np.random.default_rng(n)
    base = np.array(rng.choice(["", "bad", "worse"], n), dtype=object) if with_base else None
    rules = [(rng.random(n) < 0.5, "first"), (rng.random(n) < 0.3, "second"), (np.zeros(n, bool), "never")]
    want = np.full(n, "", dtype=object) if base is None else base.copy()
    for mask, text in rules:
        want[mask] = text
    got = reasons(n, *rules, base=base)
    assert got.dtype == object and got.shape == (n,)
    assert got.tolist() == want.tolist() and all(type(v) is str for v in got)
    if base is not None:
        assert got is not base


# NFKC: characters it leaves alone (ASCII, CJK U+4E00-U+9FFF) next to ones it changes or that
# border the kernel's ranges (U+3400 and U+4DFF below, U+A000 above; fullwidth forms, ㎏,
# ligatures, circled digits, half-width katakana, Hangul jamo that compose, combining marks)
_NFKC_CHARS = (list("aZ09 .-;,") + _SPACES + ["中", "\u4e00", "\u4e01", "\u9fff", "\u9fa5", "\u3400",
               "\u4dff", "\ua000", "ａ", "１", "（", "㎏", "ﬁ", "①", "⁵", "ｶ", "\u1100", "\u1161", "가",
               "\u0301", "é", "\u212b", "\uf900", "\u2f00", "\U00020000", "¢", "\ua69c", "\uab5c"])


@st.composite
def _nfkc_columns(draw) -> pa.ChunkedArray:
    chunks = []
    for _ in range(draw(st.integers(1, 3))):
        cells = draw(st.lists(st.one_of(st.none(), st.text(st.sampled_from(_NFKC_CHARS), max_size=6)),
                              max_size=12))
        arr = pa.array(cells, pa.large_string())
        start = draw(st.integers(0, len(cells)))
        chunks.append(arr.slice(start, draw(st.integers(0, len(cells) - start))))
    return pa.chunked_array(chunks, pa.large_string())


def _nfkc_reference(a: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(pc.utf8_normalize(a, form="NFKC"))


@_SETTINGS
@given(_nfkc_columns())
def test_nfkc_is_the_same_with_the_kernel(col):
    from calib.io._text import _nfkc_compiled, nfkc_arrow

    got = _nfkc_compiled(col)
    assert got is not None, "the kernel did not compile"
    want = _nfkc_reference(col)
    assert got.type == want.type and got.equals(want) and got.null_count == want.null_count
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CALIB_NO_JIT", "1")
        assert nfkc_arrow(col).equals(want)
        mp.delenv("CALIB_NO_JIT")
        mp.setattr(_jit, "MIN_ROWS", 0)
        assert nfkc_arrow(col).equals(want)


@pytest.mark.parametrize("cells", [[], [None], [""], ["中文", "abc"], ["中文 "], ["\u3000中"], ["㎏"], ["ａ"],
                                   ["\u4dff"], ["\ua000"], ["e\u0301"], ["\u1100\u1161"], ["x", None, " y"]])
def test_nfkc_edges(cells):
    from calib.io._text import _nfkc_compiled

    col = pa.chunked_array([pa.array(cells, pa.large_string())], pa.large_string())
    got = _nfkc_compiled(col)
    assert got is not None and got.equals(_nfkc_reference(col))


@pytest.mark.parametrize("cells, changes, trims", [
    (["岭坑镇寨井角村1组189号", "耕地1.0亩;林地4亩", None, "\u4e00\u9fff"], False, False),
    (["中文", "a "], False, True), (["ａ"], True, False), (["x㎏x"], True, False), (["\ua000"], True, False),
    (["é"], True, False), (["\u3000中"], True, True), ([], False, False)])
def test_nfkc_skips_what_it_can(cells, changes, trims):
    # the fast path is taken: ASCII and CJK ideographs are not normalised, trimmed text not trimmed
    from calib.io._text import _edges

    col = pa.chunked_array([pa.array(cells, pa.large_string())], pa.large_string())
    assert _edges(col, form_too=True) == (changes, trims)
