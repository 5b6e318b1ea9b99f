"""Resident ID numbers (居民身份证号码, GB 11643-1999), vectorised.

An 18-character number is a 6-digit address code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence code (odd for men, even for women) and a check character computed with
ISO 7064 MOD 11-2. Old 15-digit numbers omit the century ("19") and the check character.

References
----------
GB 11643-1999, Citizen identification number. ISO 7064:1983, MOD 11-2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calib import _jit
from calib.io import _jit as _io_jit
from calib.io._text import arrow, match, replace, series, text_buffers, valid

__all__ = ["normalize_ids", "check_characters", "parse_ids", "make_ids", "upgrade_15"]

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.array(list("10X98765432"))
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)
#: Removed from ID numbers: whitespace (as Python's ``\\s``), zero-width space, quotes, hyphens.
_DROP = "[ \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000'’`\"-]"
_SCI = r"^[0-9](?:\.[0-9]+)?E\+?[0-9]+$"

REASON_MISSING = "ID number is missing"
REASON_SCIENTIFIC = (
    "ID number was turned into scientific notation by Excel (e.g. 4.40524E+17); "
    "re-export the column formatted as text"
)
REASON_ZEROED = (
    "ID number's last digits were zeroed by Excel (it keeps 15 significant digits); "
    "re-export the column formatted as text"
)
REASON_FORMAT = "ID number must be 18 characters (17 digits and a digit or X) or 15 digits"
REASON_DATE = "birth date inside the ID number is not a real date"
REASON_CHECK = "ID number's check character is wrong (typo or transcription error)"


def normalize_ids(values: pd.Series) -> pd.Series:
    """NFKC-normalise, strip, drop inner spaces and upper-case ID numbers.

    Full-width digits and ``Ｘ`` become ASCII, a trailing ``x`` becomes ``X``, a float artefact
    ``.0`` is removed. Blank cells become ``<NA>``.

    Parameters
    ----------
    values : pandas.Series
        Raw ID numbers as text.

    Returns
    -------
    pandas.Series
        Normalised text (dtype ``string``).
    """
    a = arrow(values)
    if pc.all(pc.string_is_ascii(a)).as_py() is False:  # full-width digits, Ｘ, ...: NFKC
        a = pc.utf8_normalize(a, form="NFKC")
    if match(a, _DROP).any():
        a = replace(a, _DROP, "")
    a = pc.utf8_upper(a)
    if match(a, r"\.").any():
        a = replace(a, r"^([0-9]{15}|[0-9]{18})\.0+$", r"\1")
    return series(pc.if_else(pc.equal(a, ""), pa.scalar(None, a.type), a), values.index)


def check_characters(first17: pd.Series | np.ndarray) -> np.ndarray:
    """Compute the MOD 11-2 check character of 17-digit strings.

    Parameters
    ----------
    first17 : array-like of str
        The first 17 digits of each number (all must be 17 ASCII digits).

    Returns
    -------
    numpy.ndarray
        Array of one-character strings, ``0``-``9`` or ``X``.

    Examples
    --------
    >>> check_characters(["11010519491231002"]).tolist()
    ['X']
    """
    arr = np.asarray(first17, dtype="U17")
    if arr.size == 0:
        return np.array([], dtype="U1")
    digits = np.frombuffer("".join(arr.tolist()).encode("ascii"), dtype=np.uint8)
    digits = digits.reshape(-1, 17).astype(np.int64) - 48
    return _CHECK[(digits @ _WEIGHTS) % 11]


def upgrade_15(ids15: pd.Series) -> pd.Series:
    """Upgrade 15-digit IDs to 18 characters: insert ``19`` before the year, add the check."""
    body = ids15.str[:6] + "19" + ids15.str[6:]
    return body + check_characters(body.to_numpy(dtype=str))


def _ascii_matrix(a: pa.ChunkedArray, width: int) -> np.ndarray:
    """Non-null ASCII strings of exactly ``width`` characters as a (n, width) uint8 matrix."""
    arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    if len(arr) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    return data[offsets[0]: offsets[-1]].reshape(-1, width)


_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (integer arithmetic, no datetime64
    conversions; H. Hinnant's ``days_from_civil``)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _fields(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """From an (n, 18) matrix of shaped ID bytes: check character right (bool), sequence digit,
    and the birth year, month and day written in the number (ints)."""
    def num(lo: int, hi: int, w) -> np.ndarray:  # weighted digit sum of columns lo..hi-1
        w = np.asarray(w, dtype=np.int32)
        return np.einsum("ij,j->i", m[:, lo:hi], w, dtype=np.int32) - np.int32(48 * int(w.sum()))

    check_ok = _CHECK_BYTES[num(0, 17, _WEIGHTS) % 11] == m[:, 17]
    year, month, day = num(6, 10, [1000, 100, 10, 1]), num(10, 12, [10, 1]), num(12, 14, [10, 1])
    return check_ok, m[:, 16].astype(np.int32) - 48, year, month, day


def _shaped_fast(a: pa.Array) -> np.ndarray:
    """Cells that are already exactly 17 ASCII digits and a digit or ``X`` (nothing to
    normalise): told from the bytes, without a regular expression."""
    n = len(a)
    lens = pc.fill_null(pc.binary_length(a), 0).to_numpy(zero_copy_only=False)
    cand = np.flatnonzero(lens == 18)
    fast = np.zeros(n, dtype=bool)
    if cand.size:  # every cell 18 bytes (the usual file): the bytes are the matrix, no copy
        m = _ascii_matrix(a if cand.size == n else a.take(pa.array(cand)), 18)
        ok = ((m[:, :17] - np.uint8(48)) < 10).all(axis=1)
        ok &= ((m[:, 17] - np.uint8(48)) < 10) | (m[:, 17] == ord("X"))
        fast[cand[ok]] = True
    return fast


def parse_ids(values: pd.Series, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Validate ID numbers and derive birth date, sex and age.

    Parameters
    ----------
    values : pandas.Series
        Raw ID numbers as text (any index).
    as_of : Timestamp or str, optional
        Reference date for ``age`` and for rejecting birth dates in the future; today if omitted.

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``; columns ``id_number`` (normalised 18-character text, ``<NA>``
        when invalid), ``valid`` (bool), ``reason`` (text; empty when valid), ``upgraded`` (bool:
        was a 15-digit number), ``birth_date`` (datetime64), ``sex`` (``M``/``F``), ``age``
        (whole years at ``as_of``, Int64).

    Notes
    -----
    Cells that are already 18 clean ASCII characters (nearly all of a real file) are checked
    straight from their bytes; only the others go through normalisation and the regular
    expressions. With the loader's kernels (:mod:`calib.io._jit`: columns from a million cells,
    or once loaded) one compiled pass over the column's buffers does it
    (:mod:`calib.io._ids_nb`), else a few numpy passes over an (n, 18) byte matrix; the same
    frame either way.
    """
    return _parse(values, as_of)[0]


def _parse(values: pd.Series, as_of: pd.Timestamp | str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`parse_ids`'s frame and its reasons as an object array (what the loader keeps: the
    frame's ``reason`` column is Arrow text, whose conversion back would cost 0.1 s a million)."""
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    a = arrow(values).combine_chunks()
    if _io_jit.use(_MODULE, len(a)) is not None:
        out = _parse_compiled(values, a, as_of)
        if out is not None:
            return out
    return _parse_numpy(values, a, as_of)


#: Reason codes of the compiled path (:mod:`calib.io._ids_nb`), in the numpy path's order.
_REASONS = ("", REASON_MISSING, REASON_SCIENTIFIC, REASON_FORMAT, REASON_DATE, REASON_ZEROED,
            REASON_CHECK)
_REASON_OBJECTS = np.array(_REASONS, dtype=object)
_MISSING, _SCIENTIFIC, _FORMAT = 1, 2, 3  # codes of the slow path's reasons
_MODULE = "calib.io._ids_nb"


def _slow_cells(a: pa.Array, slow: np.ndarray) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The cells ``slow`` of ``a`` (not already 18 clean ASCII characters: blanks, spaces,
    full-width digits, 15-digit and broken numbers) normalised: their reason code so far
    (missing, scientific notation, else 0), whether they were upgraded from 15 digits, and
    their text normalised and upgraded."""
    sub = normalize_ids(series(a.take(pa.array(slow))))
    sa = arrow(sub)
    code = np.zeros(slow.size, dtype=np.int8)
    code[~valid(sa)] = _MISSING
    code[(code == 0) & match(sa, _SCI)] = _SCIENTIFIC
    up = match(sa, "^[0-9]{15}$") & (code == 0)
    if up.any():
        sub = sub.copy()
        sub.iloc[np.flatnonzero(up)] = upgrade_15(sub[up]).to_numpy()
    return code, up, arrow(sub).combine_chunks()


def _merged(a: pa.Array, slow: np.ndarray, na: pa.Array) -> pa.Array:
    """``a`` with its cells ``slow`` replaced by ``na`` (their normalised text)."""
    n = len(a)
    pos = np.arange(n, dtype=np.int64)
    pos[slow] = n + np.arange(slow.size)
    return pa.concat_arrays([a, na.cast(a.type)]).take(pa.array(pos))


def _frame(values: pd.Series, ids, ok: np.ndarray, reason, upgraded: np.ndarray,
           born: np.ndarray, sex, age: pd.arrays.IntegerArray) -> pd.DataFrame:
    """:func:`parse_ids`'s frame from its columns (either path)."""
    index = values.index
    return pd.DataFrame({"id_number": series(ids, index), "valid": ok, "reason": reason,
                         "upgraded": upgraded & ok, "birth_date": pd.Series(born, index=index, copy=False),
                         "sex": series(sex, index), "age": pd.Series(age, index=index, copy=False)},
                        index=index, copy=False)  # fresh arrays: the frame's own (no copy)


def _parse_numpy(values: pd.Series, a: pa.Array, as_of: pd.Timestamp) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`_parse` by numpy passes over an (n, 18) byte matrix (the reference)."""
    n = len(a)
    reason = np.full(n, "", dtype=object)
    free = np.ones(n, dtype=bool)  # no reason yet

    def flag(mask: np.ndarray, text: str) -> None:
        hit = mask & free
        reason[hit] = text
        free[hit] = False

    shaped = _shaped_fast(a)
    upgraded = np.zeros(n, dtype=bool)
    norm = a
    slow = np.flatnonzero(~shaped)
    if slow.size:  # blanks, spaces, full-width digits, 15-digit and broken numbers
        r_code, up, na = _slow_cells(a, slow)
        sh = match(na, "^[0-9]{17}[0-9X]$")
        r_code[(r_code == 0) & ~sh] = _FORMAT
        reason[slow], free[slow] = _REASON_OBJECTS[r_code], r_code == 0
        upgraded[slow], shaped[slow] = up, sh
        norm = _merged(a, slow, na)
    idx = np.flatnonzero(shaped)
    check_ok, seq = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int32)  # int32: memory at 10M rows
    year, month, day = (np.zeros(n, dtype=np.int32) for _ in range(3))
    zeroed = np.zeros(n, dtype=bool)
    if idx.size:
        m = _ascii_matrix(norm if idx.size == n else norm.take(pa.array(idx)), 18)
        check_ok[idx], seq[idx], year[idx], month[idx], day[idx] = _fields(m)
        zeroed[idx] = (m[:, 15:18] == ord("0")).all(axis=1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    dim = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    real = (month >= 1) & (month <= 12) & (day >= 1) & (day <= dim)
    ymd = year * 10_000 + month * 100 + day
    as_of_ymd = as_of.year * 10_000 + as_of.month * 100 + as_of.day
    flag(shaped & (~real | (ymd < 1900_01_01) | (ymd > as_of_ymd)), REASON_DATE)
    flag(shaped & ~check_ok & zeroed, REASON_ZEROED)
    flag(shaped & ~check_ok, REASON_CHECK)
    ok = free
    days = _days_from_civil(year, month, day)
    born = np.where(ok, days.astype(np.int64) * 86_400_000_000, np.iinfo(np.int64).min).view("datetime64[us]")
    sex = pc.take(pa.array(["F", "M"], pa.large_string()), pa.array(seq % 2, mask=~ok))
    before = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
    age = pd.arrays.IntegerArray(np.where(ok, as_of.year - year - before, 0).astype(np.int64), ~ok)
    if slow.size == 0:  # every cell was already clean: the numbers are the input's own text,
        # kept in its buffers (no copy of the column) with the invalid ones set to null
        ids = _nulls_where(arrow(values), ~ok)
    else:
        ids = norm if ok.all() else pc.if_else(pa.array(ok), norm, pa.scalar(None, norm.type))
    return _frame(values, ids, ok, reason, upgraded, born, sex, age), reason


def _id_kernels(a: pa.Array, y: int, m: int, d: int) -> tuple[np.ndarray, ...] | None:
    """:func:`calib.io._ids_nb.id_cells` on the large_string array ``a`` at the date
    ``y-m-d``: reason code, birth (us), age and sex parity per cell; None if it cannot compile."""
    n = len(a)
    code, born, age, male = (np.empty(n, dt) for dt in (np.int8, np.int64, np.int64, np.int8))
    if n == 0:
        return code, born, age, male
    if not _jit.run(_MODULE, "id_cells", *_buffers(a), y, m, d, code, born, age, male):
        return None
    return code, born, age, male


def _buffers(a: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A non-empty large_string array's buffers as the kernels of :mod:`calib.io._ids_nb` read
    them: offsets from its first cell (n + 1), data, validity bitmap (empty without nulls) and
    the first cell's bit in it."""
    return (*text_buffers(a), a.offset)


def _sex_column(code: np.ndarray, male: np.ndarray) -> pa.Array:
    """``M``/``F`` where ``code`` is 0 (valid), else null: the Arrow buffers written by
    :func:`calib.io._ids_nb.sex_column` (the numpy path's ``take`` costs 13 ms a million)."""
    n = code.size
    offsets, data = np.empty(n + 1, np.int64), np.empty(max(n, 1), np.uint8)
    bits = np.zeros((n + 7) // 8, np.uint8)
    ok = code == 0
    if not _jit.run(_MODULE, "sex_column", code, male, offsets, data, bits):
        return pc.take(pa.array(["F", "M"], pa.large_string()), pa.array(male, mask=~ok))
    nulls = n - int(offsets[n])
    return pa.Array.from_buffers(pa.large_string(), n, [pa.py_buffer(bits) if nulls else None,
                                                        pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=nulls)


def _parse_compiled(values: pd.Series, a: pa.Array, as_of: pd.Timestamp) -> tuple[pd.DataFrame, np.ndarray] | None:
    """:func:`_parse` by the compiled kernels: one pass over the column's buffers, then the
    slow path on its few odd cells and one pass over their normalised text; None if the kernels
    cannot compile (the numpy path then)."""
    n = len(a)
    out = _id_kernels(a, as_of.year, as_of.month, as_of.day)
    if out is None:
        return None
    code, born, age, male = out
    upgraded = np.zeros(n, dtype=bool)
    slow = np.flatnonzero(code == _FORMAT)  # not shaped: the slow path's
    norm = None
    if slow.size:
        r_code, up, na = _slow_cells(a, slow)
        sub = _id_kernels(na, as_of.year, as_of.month, as_of.day)
        if sub is None:
            return None
        code[slow] = np.where(r_code != 0, r_code, sub[0])
        born[slow], age[slow], male[slow] = (np.where(r_code != 0, d, s) for d, s in
                                             ((np.iinfo(np.int64).min, sub[1]), (0, sub[2]), (0, sub[3])))
        upgraded[slow] = up
        norm = _merged(a, slow, na)
    ok = code == 0
    reason = _REASON_OBJECTS[code]
    # the frame's text column as pandas infers it from the object array (``str`` over Arrow;
    # object when empty), taken from the codes without inferring (0.03 s a million)
    text = reason if n == 0 else pd.arrays.ArrowStringArray(
        pa.chunked_array([pc.take(_REASON_ARROW, code)]), dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    sex = _sex_column(code, male)
    ages = pd.arrays.IntegerArray(age, ~ok)
    if norm is None:
        ids = _nulls_where(arrow(values), ~ok)
    else:
        ids = norm if ok.all() else pc.if_else(pa.array(ok), norm, pa.scalar(None, norm.type))
    return _frame(values, ids, ok, text, upgraded, born.view("datetime64[us]"), sex, ages), reason


_REASON_ARROW = pa.array(_REASONS, pa.large_string())


def _nulls_where(a: pa.ChunkedArray, null: np.ndarray) -> pa.ChunkedArray:
    """``a`` with the cells of ``null`` set to null, sharing its offsets and text buffers (only
    the validity bitmaps are new)."""
    if not null.any():
        return a
    out, at = [], 0
    for chunk in a.chunks:
        n = len(chunk)
        ok = ~null[at: at + n]
        at += n
        if chunk.null_count:
            ok &= chunk.is_valid().to_numpy(zero_copy_only=False)
        bits = np.zeros(chunk.offset + n, dtype=bool)
        bits[chunk.offset:] = ok
        validity = pa.py_buffer(np.packbits(bits, bitorder="little"))
        out.append(pa.Array.from_buffers(chunk.type, n, [validity, *chunk.buffers()[1:]],
                                         offset=chunk.offset))
    return pa.chunked_array(out, a.type)


def make_ids(
    address_codes: np.ndarray, birth_dates: pd.DatetimeIndex | pd.Series, sexes: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Build valid 18-character ID numbers (for generated programmes).

    Parameters
    ----------
    address_codes : array of str
        6-digit address codes.
    birth_dates : datetime-like
        Birth dates.
    sexes : array of {"M", "F"}
        Sex of each person (sets the parity of the sequence code).
    rng : numpy.random.Generator
        Source of the sequence codes.

    Returns
    -------
    numpy.ndarray
        ID numbers as strings; unique only with high probability (the caller deduplicates).
    """
    n = len(address_codes)
    seq = rng.integers(0, 500, size=n) * 2 + np.where(np.asarray(sexes) == "M", 1, 0)
    dates = pd.DatetimeIndex(birth_dates).strftime("%Y%m%d").to_numpy(dtype=str)
    body = np.char.add(np.char.add(np.asarray(address_codes, dtype=str), dates),
                       np.char.zfill(seq.astype(str), 3))
    return np.char.add(body, check_characters(body))
