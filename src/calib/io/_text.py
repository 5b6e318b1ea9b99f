"""Small vectorised text helpers on Arrow strings, shared by the reader, parsers and checks.

Regular expressions here are RE2 patterns run by Arrow compute (no Python ``re`` per cell):
they spell whitespace and digits out (``[ \\t]``, ``[0-9]``) instead of ``\\s`` and ``\\d``.
Large columns skip work that their bytes show to be useless (:func:`nfkc_arrow`) with the
kernels of :mod:`calib.io._text_nb` (see :mod:`calib.io._jit`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calib import _jit as _pkg_jit
from calib.io import _jit

__all__ = ["nfkc", "arrow", "series", "to_float", "valid", "match", "replace", "reasons"]

#: The kernel module of the text clean-up (:mod:`calib.io._text_nb`).
TEXT_NB = "calib.io._text_nb"
#: Bytes that may begin (or, for WS_LAST, end) a cell with whitespace that
#: ``utf8_trim_whitespace`` removes: ASCII blanks and controls 0x1c-0x1f, and the lead bytes of
#: U+0085/U+00A0 (0xC2), U+1680 (0xE1), U+2000-U+205F (0xE2), U+3000 (0xE3). A cell that ends
#: in whitespace has its last byte in WS_LAST, 0xC2 second-last or WS_LEAD3 third-last.
WS_FIRST = np.zeros(256, dtype=bool)
WS_FIRST[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]] = True
WS_LAST = np.zeros(256, dtype=bool)
WS_LAST[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
WS_LEAD3 = np.zeros(256, dtype=bool)
WS_LEAD3[[0xE1, 0xE2, 0xE3]] = True
#: Bytes that may begin a cell the text view changes: whitespace, or ``=`` of Excel's text
#: formula ``="0123"`` (:func:`trim_cells`).
FIX_FIRST = WS_FIRST.copy()
FIX_FIRST[ord("=")] = True
#: A cell that is Excel's formula for a text constant: ``="..."``, inner quotes doubled.
_FORMULA_TEXT = r'^="((?:[^"]|"")*)"$'


def trim_cells(a: pa.Array) -> pa.Array:
    """Cells as the text view reads them: stripped of surrounding whitespace, and a cell
    holding Excel's formula for a text constant (``="441821199001011234"``, what core systems
    write into a CSV so that Excel keeps an ID number's or account's digits) read as the text
    Excel shows (inner ``""`` as ``"``), stripped in turn. Other formulas are left as they are."""
    a = pc.utf8_trim_whitespace(a)
    if not pc.any(pc.starts_with(a, '="')).as_py():
        return a
    formula = pc.fill_null(pc.match_substring_regex(a, _FORMULA_TEXT), False)
    inner = pc.replace_substring(pc.utf8_slice_codeunits(a, 2, -1), '""', '"')
    return pc.utf8_trim_whitespace(pc.if_else(formula, inner, a))

#: An optional sign, then digits with an optional fraction and exponent, or inf/nan words.
_NUMBER = r"(?i)^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|inf|infinity|nan)$"


def arrow(values) -> pa.ChunkedArray:
    """The text of a Series (or Arrow array) as an Arrow string array (nulls for ``<NA>``)."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if isinstance(values, pa.ChunkedArray):
        return values if pa.types.is_large_string(values.type) else values.cast(pa.large_string())
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        values = values.astype("string[pyarrow]")
    a = pa.array(values.array)
    a = a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a])
    return a if pa.types.is_large_string(a.type) else a.cast(pa.large_string())


def series(a: pa.ChunkedArray | pa.Array, index: pd.Index | None = None) -> pd.Series:
    """An Arrow string array as a pandas ``string`` Series."""
    if isinstance(a, pa.Array):
        a = pa.chunked_array([a])
    if not pa.types.is_large_string(a.type):
        a = a.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(a), index=index)


def valid(a) -> np.ndarray:
    """Non-null cells, as a numpy bool array."""
    return pc.is_valid(a).to_numpy(zero_copy_only=False)


def _np(mask) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def match(a, pattern: str) -> np.ndarray:
    """Cells matching an RE2 ``pattern`` (nulls: False)."""
    return _np(pc.match_substring_regex(arrow(a), pattern))


def replace(a, pattern: str, repl: str) -> pa.ChunkedArray:
    """RE2 replace in every cell."""
    return pc.replace_substring_regex(arrow(a), pattern, repl)


def text_buffers(arr: pa.Array, *, read_only: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A string array's own buffers as numpy views, no copy: offsets (n + 1 from its first
    cell, its own width: int32 for string, int64 for large_string), data bytes, and validity
    bitmap (empty without nulls; cell ``i``'s bit is ``arr.offset + i``). What every reader of
    text bytes gets (the numpy rules and the kernels of :mod:`calib.io._text_nb`,
    :mod:`calib.io._ids_nb`, :mod:`calib.io._keys_nb`). ``read_only`` marks the views so: a
    kernel compiles one version per kind of array it is given, and :mod:`calib.io._text_nb`'s
    are compiled (and warmed) for read-only views."""
    bufs = arr.buffers()
    kind = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    if len(bufs) < 3 or bufs[1] is None:  # an empty array may come without buffers
        offs = np.zeros(len(arr) + 1, dtype=kind)
    else:
        offs = np.frombuffer(bufs[1], dtype=kind)[arr.offset: arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if len(bufs) > 2 and bufs[2] is not None else np.zeros(0, np.uint8)
    valid = (np.frombuffer(bufs[0], dtype=np.uint8) if arr.null_count and bufs[0] is not None
             else np.zeros(0, np.uint8))
    if read_only:
        for v in (offs, data, valid):
            v.flags.writeable = False
    return offs, data, valid


def _edges(a: pa.ChunkedArray, form_too: bool) -> tuple[bool, bool] | None:
    """Whether any cell of ``a`` holds a character that NFKC might change (when ``form_too``,
    else False: not ASCII nor a CJK ideograph) and whether any may start or end with whitespace
    (kernel :func:`calib.io._text_nb.text_scan`); None when the kernel cannot compile."""
    found = np.zeros(2, dtype=np.int64)
    for c in a.chunks:
        if len(c) == 0:
            continue
        offs, data, _ = text_buffers(c, read_only=True)
        if not _pkg_jit.run(TEXT_NB, "text_scan", offs, data, form_too and not found[0], WS_FIRST,
                            WS_LAST, WS_LEAD3, found):
            return None
        if found[1] and (found[0] or not form_too):
            break
    return bool(found[0]), bool(found[1])


def _nfkc_compiled(a: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """:func:`nfkc_arrow` with the normalisation only when some character may change (not
    ASCII nor a CJK ideograph) and the trim only when some cell may need it (the text the loader
    reads was trimmed by :func:`calib.io.read.text_table`: the trim copied every cell for
    nothing), both found in one kernel pass; None when the kernel cannot compile."""
    found = _edges(a, form_too=True)
    if found is None:
        return None
    if found[0]:
        a = pc.utf8_normalize(a, form="NFKC")
        found = _edges(a, form_too=False)
        if found is None:
            return None
    return pc.utf8_trim_whitespace(a) if found[1] else a


def nfkc_arrow(values) -> pa.ChunkedArray:
    """NFKC-normalised and stripped text as an Arrow array.

    Columns of :data:`calib.io._jit.MIN_ROWS` cells or more (or any once the kernels are
    loaded) are normalised only when some character may change and trimmed only when some cell
    may need it (:func:`_nfkc_compiled`): the 34 calls of a 1M-household load (40M cells) took
    0.6-0.7 CPU s, of which the trim 0.33 s, the normalisation of the 8 Chinese columns 0.16 s
    and the ASCII test 0.12 s; 0.18 s with the kernel (nothing there to normalise or trim)."""
    a = arrow(values)
    if _jit.use(TEXT_NB, len(a)) is not None:
        out = _nfkc_compiled(a)
        if out is not None:
            return out
    if not pc.all(pc.string_is_ascii(a)).as_py() is False:  # ASCII text is its own NFKC form
        return pc.utf8_trim_whitespace(a)
    return pc.utf8_trim_whitespace(pc.utf8_normalize(a, form="NFKC"))


def nfkc(values: pd.Series) -> pd.Series:
    """NFKC-normalise and strip text."""
    return series(nfkc_arrow(values), values.index)


def to_float(a) -> np.ndarray:
    """Numbers written as text (``1.5``, ``-3``, ``1e5``, ``inf``) as float64; NaN otherwise."""
    a = arrow(a)
    try:  # fast path: every cell is a plain number
        return pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.fill_null(pc.match_substring_regex(a, _NUMBER), False)
    nums = pc.cast(pc.if_else(ok, a, pa.scalar(None, a.type)), pa.float64())
    return nums.to_numpy(zero_copy_only=False)


def reasons(n: int, *rules: tuple[np.ndarray, str], base: np.ndarray | None = None,
            sparse: bool = False) -> np.ndarray | None:
    """An object array of reasons: ``""`` (or ``base``), then each ``(mask, text)`` in turn
    (a later rule overrides an earlier one). Cheaper than ``np.where`` on text, which would
    build a fixed-width string array per call. The ``""`` start is filled into an empty array:
    ``np.full`` on objects copies from a 0-d array cell by cell, three times slower (the 27
    calls of a 1M-household load, 24M cells: 0.20-0.23 CPU s, 0.075 s filled). With ``sparse``,
    None when ``base`` is None and no rule applies to any cell (:data:`calib.io.parse.Reasons`)."""
    if sparse:  # None when no cell has a reason (the loader's clean columns: no object array)
        rules = tuple((np.asarray(m, dtype=bool), text) for m, text in rules)
        if base is None and not any(m.any() for m, _ in rules):
            return None
    if base is None:
        out = np.empty(n, dtype=object)
        out.fill("")
    else:
        out = np.array(base, dtype=object, copy=True)
    for mask, text in rules:
        out[np.asarray(mask, dtype=bool)] = text
    return out

