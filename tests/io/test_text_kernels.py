"""The loader's text kernels (calib.io._text_nb) against their numpy references, bit for bit.

Each kernel is called directly (a kernel that failed to compile would otherwise fall back to the
numpy path and compare numpy with itself), on cells made to hit its edges: whitespace of every
width at either end (ASCII, U+0085, U+00A0, U+1680, U+2000-U+200A, U+3000, the 0x1c-0x1f
separators) and bytes that only look like the start of one (``¢`` is 0xC2 0xA2, ``€`` 0xE2...),
blank words in other cases, nulls, empty cells, sliced arrays (a nonzero offset, also in the
validity bitmap), several chunks, ``string`` and ``large_string``.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calib import _jit as package_jit
from calib.io import _jit
from calib.io import read as R
from calib.io.specs import BLANKS

_SETTINGS = settings(max_examples=300, deadline=None,
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
    assert _jit.kernels(R._TEXT_NB) is not None


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
        assert _jit.use(R._TEXT_NB, len(col)) is not None
        got = R._arrow_text(col)
    pd.testing.assert_series_equal(got, want, check_exact=True)


def test_read_table_is_the_same_with_and_without_the_kernels(tmp_path, monkeypatch):
    rows = ["乡镇,姓名,联系方式", " a ,nan,NULL", "\u3000b\u3000,\xa0中\xa0,<NA>", ",None,¢", '"  ",x€, 1 ']
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
    assert _jit.use(R._TEXT_NB, 10**9) is None
    monkeypatch.delenv("CALIB_NO_JIT")
    if not package_jit.loaded(R._TEXT_NB):
        assert _jit.use(R._TEXT_NB, _jit.MIN_ROWS - 1) is None
    assert _jit.use(R._TEXT_NB, _jit.MIN_ROWS) is not None


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
