"""The ID numbers' numba kernels, and parse.py's other byte kernels (see :mod:`calib.io._jit`;
importing this module loads numba).

:func:`id_cells` reads every cell of an Arrow string column once, from its offsets and data
buffers, and gives what :func:`calib.io.ids.parse_ids` derives from an 18-character number
(whether it needs the slow path, its reason code, birth date, age, sex) without the (n, 18)
byte matrix and the dozen numpy passes over it; :func:`sex_column` writes the ``M``/``F``
column's Arrow buffers from its results. Integer logic only: the numpy code of
:mod:`calib.io.ids` stays the reference, bit for bit.

Not about ID numbers, but small and reading cells the same way (and sharing the date
arithmetic and this module's import): :func:`iso_dates` and :func:`strict_months` (the plain
``YYYY-MM-DD`` dates and ``YYYY-MM`` birth months of :func:`calib.io.parse.parse_dates` and
``_parse_month``) and :func:`plain_amounts` (digits-only amounts of
:func:`calib.io.parse.parse_amounts`). Should they grow, they would move to a
``calib.io._parse_nb`` listed in :data:`calib.io._jit.MODULES`.
"""
from __future__ import annotations

import numba
import numpy as np

#: Reason codes, as :data:`calib.io.ids._REASONS` spells them (0: valid).
OK, MISSING, SCIENTIFIC, FORMAT, DATE, ZEROED, CHECK = range(7)

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8).copy()
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_NAT = np.iinfo(np.int64).min
#: Days since 1970-01-01 of the first of each month of the years 1900-2200 (and of January
#: 2201): a date's day number and its month's length without the divisions of
#: :func:`_days_from_civil` (which the kernels keep for the years outside).
_Y0, _Y1 = 1900, 2200
_MONTH_START = (np.arange(np.datetime64("1900-01"), np.datetime64("2201-02"), dtype="datetime64[M]")
                .astype("datetime64[D]").astype(np.int64))
_US_PER_DAY = 86_400_000_000


@numba.njit(cache=True, nogil=True)
def _days_from_civil(y, m, d):
    """Days since 1970-01-01 (H. Hinnant's ``days_from_civil``, as
    :func:`calib.io.ids._days_from_civil`; floor division as numpy's)."""
    y -= 1 if m <= 2 else 0
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@numba.njit(cache=True, nogil=True)
def id_cells(offsets, data, validity, bit0, as_of_y, as_of_m, as_of_d, code, born, age, male):
    """Per cell of a string column: reason code, birth date, age and sex digit parity.

    Parameters
    ----------
    offsets : int64 array (n + 1)
        The column's offsets, from its first cell (``arr.offset`` applied).
    data : uint8 array
        Its data buffer.
    validity : uint8 array
        Its validity bitmap (empty when it has no nulls), cell ``i`` at bit ``bit0 + i``.
    bit0 : int
        The column's offset (first cell's bit in ``validity``).
    as_of_y, as_of_m, as_of_d : int
        The reference date.
    code : int8 array (n), out
        :data:`FORMAT` for a cell that is not 17 ASCII digits and a digit or ``X`` (null, other
        length, other bytes: the slow path's), else :data:`DATE`, :data:`ZEROED`,
        :data:`CHECK` or :data:`OK` in the numpy path's order.
    born : int64 array (n), out
        Birth date in microseconds since 1970-01-01 (``datetime64[us]``), NaT unless OK.
    age : int64 array (n), out
        Whole years at the reference date, 0 unless OK.
    male : int8 array (n), out
        Sequence code odd (1) or even (0); 0 unless OK.
    """
    n = code.size
    as_of_ymd = as_of_y * 10_000 + as_of_m * 100 + as_of_d
    has_bits = validity.size > 0
    for i in range(n):
        code[i] = FORMAT
        born[i] = _NAT
        age[i] = 0
        male[i] = 0
        if has_bits:
            b = bit0 + i
            if (validity[b >> 3] >> (b & 7)) & 1 == 0:
                continue
        s = offsets[i]
        if offsets[i + 1] - s != 18:
            continue
        total = 0
        notdigit = False
        for j in range(17):
            dj = data[s + j] - np.uint8(48)  # wraps below "0": one comparison
            notdigit |= dj > 9
            total += np.int64(dj) * _WEIGHTS[j]
        last = data[s + 17]
        if notdigit or not (last - np.uint8(48) <= 9 or last == 88):
            continue
        year = ((np.int64(data[s + 6]) - 48) * 1000 + (np.int64(data[s + 7]) - 48) * 100
                + (np.int64(data[s + 8]) - 48) * 10 + np.int64(data[s + 9]) - 48)
        month = (np.int64(data[s + 10]) - 48) * 10 + np.int64(data[s + 11]) - 48
        day = (np.int64(data[s + 12]) - 48) * 10 + np.int64(data[s + 13]) - 48
        ymd = year * 10_000 + month * 100 + day
        if month < 1 or month > 12 or day < 1 or ymd < 1900_01_01 or ymd > as_of_ymd:
            code[i] = DATE
            continue
        if year <= _Y1:
            at = (year - _Y0) * 12 + month - 1
            days = _MONTH_START[at] + day - 1
            dim = _MONTH_START[at + 1] - _MONTH_START[at]
        else:
            leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
            days = _days_from_civil(year, month, day)
            dim = _DAYS_IN_MONTH[month - 1] + (1 if month == 2 and leap else 0)
        if day > dim:
            code[i] = DATE
        elif _CHECK_BYTES[total % 11] != last:
            zeroed = data[s + 15] == 48 and data[s + 16] == 48 and last == 48
            code[i] = ZEROED if zeroed else CHECK
        else:
            code[i] = OK
            born[i] = days * _US_PER_DAY
            before = month > as_of_m or (month == as_of_m and day > as_of_d)
            age[i] = as_of_y - year - (1 if before else 0)
            male[i] = (np.int64(data[s + 16]) - 48) % 2


@numba.njit(cache=True, nogil=True)
def sex_column(code, male, offsets, data, bits):
    """The Arrow buffers of the sex column (``M``/``F``, null unless ``code`` is OK):
    ``offsets`` (n + 1, int64), ``data`` (n bytes at most; returns how many are used) and the
    validity bitmap ``bits`` (zeroed, ``(n + 7) // 8`` bytes)."""
    at = 0
    offsets[0] = 0
    for i in range(code.size):
        if code[i] == OK:
            data[at] = 77 if male[i] else 70  # "M", "F"
            at += 1
            bits[i >> 3] |= np.uint8(1 << (i & 7))
        offsets[i + 1] = at
    return at


@numba.njit(cache=True, nogil=True, inline="always")
def _is_null(validity, bit0, i):
    if validity.size == 0:
        return False
    b = bit0 + i
    return (validity[b >> 3] >> (b & 7)) & 1 == 0


@numba.njit(cache=True, nogil=True, inline="always")
def _num(data, s, k):
    """The number written by the k ASCII digits at data[s:], or -1 if one is not a digit."""
    v = 0
    bad = False
    for j in range(k):
        dj = data[s + j] - np.uint8(48)  # wraps below "0": one comparison
        bad |= dj > 9
        v = v * 10 + np.int64(dj)
    return -1 if bad else v


# The two kernels below are not about ID numbers: they read the loader's dates and birth months
# (calib.io.parse) from the bytes the same way, and share this module's date arithmetic and
# its import (one module of small byte kernels for parse.py; a calib.io._dates_nb if they grew).


@numba.njit(cache=True, nogil=True)
def iso_dates(offsets, data, validity, bit0, out, ok):
    """Cells ``YYYY-MM-DD`` (10 ASCII bytes, a real date of the years 1900-2200) as
    nanoseconds since 1970 in ``out`` (NaT when null); ``ok[0]`` False, and ``out`` unfinished,
    at the first non-null cell that is not such a date (Arrow's strict ISO cast reads every
    such cell alike, and :func:`calib.io.parse.parse_dates` reads the column by its other rules
    then)."""
    ok[0] = False
    for i in range(out.size):
        if _is_null(validity, bit0, i):
            out[i] = _NAT
            continue
        s = offsets[i]
        if offsets[i + 1] - s != 10 or data[s + 4] != 45 or data[s + 7] != 45:
            return
        year, month, day = _num(data, s, 4), _num(data, s + 5, 2), _num(data, s + 8, 2)
        if year < _Y0 or year > _Y1 or month < 1 or month > 12 or day < 1:
            return
        at = (year - _Y0) * 12 + month - 1
        if day > _MONTH_START[at + 1] - _MONTH_START[at]:
            return
        out[i] = (_MONTH_START[at] + day - 1) * 86_400_000_000_000
    ok[0] = True


@numba.njit(cache=True, nogil=True)
def strict_months(offsets, data, validity, bit0, ok):
    """``ok[0]``: some cell is not null and every such cell is ``YYYY-MM`` (7 ASCII bytes),
    year 1900-2100, month 1-12 (:func:`calib.io.parse._strict_months`'s rule)."""
    ok[0] = False
    seen = False
    for i in range(offsets.size - 1):
        if _is_null(validity, bit0, i):
            continue
        s = offsets[i]
        if offsets[i + 1] - s != 7 or data[s + 4] != 45:
            return
        year, month = _num(data, s, 4), _num(data, s + 5, 2)
        if year < 1900 or year > 2100 or month < 1 or month > 12:
            return
        seen = True
    ok[0] = seen


@numba.njit(cache=True, nogil=True)
def plain_amounts(offsets, data, validity, bit0, num, plain):
    """Cells of 1-15 ASCII digits (``plain``) and their number (``num``; NaN for the others):
    an integer below 10**15 is exact as a float, as Arrow's cast reads it
    (:func:`calib.io.parse.parse_amounts` applies its rules to the other cells)."""
    for i in range(num.size):
        num[i] = np.nan
        plain[i] = False
        if _is_null(validity, bit0, i):
            continue
        s = offsets[i]
        k = offsets[i + 1] - s
        if k < 1 or k > 15:
            continue
        v = _num(data, s, k)
        if v >= 0:
            num[i] = np.float64(v)
            plain[i] = True


def warm() -> bool:
    """Compile every kernel on a tiny column (``make warm`` caches them)."""
    import pyarrow as pa

    from calib.io.ids import _id_kernels, _sex_column
    from calib.io.parse import _compiled_amounts, _compiled_dates, _compiled_months

    a = pa.array(["11010519491231002X", None, "110105194912310021"], pa.large_string())
    out = _id_kernels(a, 2026, 6, 30)
    if out is None or int(out[0][0]) != OK:
        return False
    _sex_column(out[0], out[3])
    amounts = _compiled_amounts(pa.chunked_array([pa.array(["12", None, "x"], pa.large_string())]))
    if amounts is None or amounts[0][0] != 12.0:
        return False
    dates = _compiled_dates(pa.chunked_array([pa.array(["2025-06-30", None], pa.large_string())]))
    return dates is not None and _compiled_months(pa.array(["2025-06", None], pa.large_string())) is True
