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

from calib.io._text import arrow, match, replace, series, valid

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


def _checked(norm: pa.ChunkedArray, shaped: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value: check character right (bool), sequence digit (float, NaN when not shaped) and
    the birth date written in the number (datetime64[us], NaT when not a real date)."""
    n = len(norm)
    check_ok, seq = np.zeros(n, dtype=bool), np.full(n, np.nan)
    birth = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    idx = np.flatnonzero(shaped)
    if idx.size:
        m = _ascii_matrix(pc.filter(norm, pa.chunked_array([shaped])), 18)
        digits = m[:, :17].astype(np.int64) - 48
        check_ok[idx] = _CHECK_BYTES[(digits @ _WEIGHTS) % 11] == m[:, 17]
        seq[idx] = digits[:, 16]
        year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
        month, day = digits[:, 10] * 10 + digits[:, 11], digits[:, 12] * 10 + digits[:, 13]
        months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
        date = months.astype("datetime64[D]") + (day - 1)
        real = (month >= 1) & (month <= 12) & (day >= 1) & (date.astype("datetime64[M]") == months)
        birth[idx[real]] = date[real]
    return check_ok, seq, birth


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
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    s = normalize_ids(values)
    a = arrow(s)
    n = len(a)
    reason = np.full(n, "", dtype=object)
    free = np.ones(n, dtype=bool)  # no reason yet

    def flag(mask: np.ndarray, text: str) -> None:
        hit = mask & free
        reason[hit] = text
        free[hit] = False

    flag(~valid(a), REASON_MISSING)
    flag(match(a, _SCI), REASON_SCIENTIFIC)
    upgraded = match(a, "^[0-9]{15}$") & free
    norm = s
    if upgraded.any():
        norm = s.copy()
        norm.iloc[np.flatnonzero(upgraded)] = upgrade_15(s[upgraded]).to_numpy()
    na = arrow(norm)
    shaped = match(na, "^[0-9]{17}[0-9X]$")
    flag(~shaped, REASON_FORMAT)
    check_ok, seq, born = _checked(na, shaped)
    with np.errstate(invalid="ignore"):
        flag(shaped & (np.isnat(born) | (born < np.datetime64("1900-01-01"))
                       | (born > np.datetime64(as_of.to_datetime64(), "us"))), REASON_DATE)
    flag(shaped & ~check_ok & match(na, "000$"), REASON_ZEROED)
    flag(shaped & ~check_ok, REASON_CHECK)
    ok = free
    born = np.where(ok, born, np.datetime64("NaT"))
    sex = pc.take(pa.array(["F", "M"], pa.large_string()),
                  pa.array(np.where(ok, seq, 0).astype(np.int64) % 2, mask=~ok))
    return pd.DataFrame({"id_number": norm.astype("string").where(ok), "valid": ok, "reason": reason,
                         "upgraded": upgraded & ok, "birth_date": pd.Series(born, index=s.index),
                         "sex": series(sex, s.index), "age": _ages(born, as_of, s.index)},
                        index=s.index)


def _ages(born: np.ndarray, as_of: pd.Timestamp, index: pd.Index) -> pd.Series:
    """Whole years from ``born`` (datetime64, NaT allowed) to ``as_of``, as Int64."""
    missing = np.isnat(born)
    day = born.astype("datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    before = (month > as_of.month) | ((month == as_of.month) & (dom > as_of.day))
    age = np.where(missing, 0, as_of.year - year - before)
    return pd.Series(pd.arrays.IntegerArray(age.astype(np.int64), missing), index=index)


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
