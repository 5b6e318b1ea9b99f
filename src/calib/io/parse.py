"""Column parsers: each turns text cells into typed values and a reason per cell ("" = fine)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from calib import _jit
from calib.io import _jit as _io_jit
from calib.io import ids as _ids
import pyarrow as pa
import pyarrow.compute as pc

from calib._frames import isin
from calib.io._text import arrow, match, nfkc_arrow, reasons, replace, series, text_buffers, to_float, valid
from calib.io.specs import (DECLINE_WORDS, FALSE_WORDS, GRADES, RELATIONS, ROLES, SEX, STATUS,
                            TRUE_WORDS, Col)

__all__ = ["parse_amounts", "parse_dates", "parse_column", "parse_cells", "parse_id_column"]

Parsed = tuple[pd.Series, np.ndarray]
#: A column's reasons inside this module: an object array (``""`` = fine) or None when no cell
#: has one (a clean column makes no object array, nor the loader's comparison of it with
#: ``""``: about 1 CPU s and 0.4 GB of fresh memory at 1M households); the public functions
#: fill it (:func:`_filled`).
Reasons = "np.ndarray | None"


def _filled(n: int, reason: np.ndarray | None) -> np.ndarray:
    """``reason`` as the public functions return it: an object array, ``""`` where fine."""
    if reason is not None:
        return reason
    out = np.empty(n, dtype=object)
    out.fill("")
    return out


def _reasons(n: int, *rules, base=None):
    return reasons(n, *rules, base=base, sparse=True)


def parse_amounts(values: pd.Series, *, declines: bool = False) -> Parsed:
    """Parse amounts in yuan; ``5万``/``5万元`` is 50,000, commas and full-width digits are read.

    Parameters
    ----------
    values : pandas.Series
        Text amounts.
    declines : bool
        When true, ``拒绝``/``不同意``/``不予授信`` (a panel's refusal) read as 0.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        Float yuan (``NaN`` when blank or unreadable) and a reason per value (empty when fine).

    Examples
    --------
    >>> v, r = parse_amounts(pd.Series(["5万", "1,200", "拒绝", "-3"]), declines=True)
    >>> v.tolist(), r.tolist()
    ([50000.0, 1200.0, 0.0, -3.0], ['', '', '', 'negative amount'])

    Notes
    -----
    With the loader's kernels, cells of 1-15 ASCII digits (nearly all) are read from their
    bytes (:func:`calib.io._ids_nb.plain_amounts`: the integer, exact as a float, as Arrow's
    cast reads it) and only the others go through the rules (:func:`_amount_rules`), without
    normalising or casting the whole column: the same numbers and reasons (such a cell is
    its own NFKC form and always casts, so the others' cast fails or not as the whole
    column's would). CPU s at 1M households: the reviews' proposed_limit and annual_income
    (4.2M cells each) 0.41 -> 0.23 and 0.135 -> 0.08, points (1.9M) 0.058 -> 0.035.
    """
    num, reason = _parse_amounts(values, declines)
    return num, _filled(len(num), reason)


def _parse_amounts(values: pd.Series, declines: bool = False):
    """:func:`parse_amounts` with its reasons as :data:`Reasons`."""
    a = arrow(values)
    compiled = _compiled_amounts(a)
    if compiled is None:
        num, reason = _amount_rules(a, declines)
    else:
        num, plain = compiled
        reason = None
        rest = np.flatnonzero(~plain & valid(a))
        if rest.size:
            num[rest], sub = _amount_rules(a.take(pa.array(rest)), declines)
            if sub is not None:
                reason = _filled(len(a), None)
                reason[rest] = sub
    return pd.Series(num, index=values.index, copy=False), reason


def _compiled_amounts(a: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """Per cell of the large_string column ``a``: its number when it is 1-15 ASCII digits (NaN
    otherwise) and whether it is, by :func:`calib.io._ids_nb.plain_amounts`; None when the
    kernels are not used for it."""
    if _io_jit.use(_ids._MODULE, len(a)) is None or len(a) == 0:
        return None
    num, plain = np.empty(len(a), dtype=np.float64), np.empty(len(a), dtype=bool)
    if not _jit.run(_ids._MODULE, "plain_amounts", *_ids._buffers(a.combine_chunks()), num, plain):
        return None
    return num, plain


def _amount_rules(values: pa.Array | pd.Series, declines: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_amounts`'s rules (NFKC, numbers, ``万``, separators, currency, refusals):
    float yuan and reasons."""
    raw = nfkc_arrow(values)
    num = _numbers(raw)
    has = valid(raw)
    rest = has & np.isnan(num)  # only cells that are not plain numbers need the slow rules
    if rest.any():
        # Arrow's numbers may be its read-only buffer (a column of one chunk, no nulls, that
        # casts whole with a "nan" cell raised here before)
        num = num if num.flags.writeable else num.copy()
        a = pc.filter(raw, pa.chunked_array([rest]))
        a = replace(replace(a, "[, \t\n\r\f\v¥￥]", ""), "(元|RMB|CNY)$", "")
        sub = to_float(replace(a, "[万萬]$", ""))  # 萬: as a traditional system writes 万
        sub = np.where(_np_mask(pc.match_substring_regex(a, "[万萬]$")), sub * 10_000.0, sub)
        if declines:
            sub = np.where(isin(pc.utf8_lower(a), DECLINE_WORDS), 0.0, sub)
        num[rest] = sub
    with np.errstate(invalid="ignore"):
        reason = _reasons(len(raw), (has & np.isnan(num), "cannot read the amount"), (num < 0, "negative amount"))
    return num, reason


def _numbers(a: pa.ChunkedArray) -> np.ndarray:
    """:func:`calib.io._text.to_float` of ``a``, with its regular expression run only on the
    cells that are not plain ASCII digits.

    A column with a word or ``万`` in a few cells (the panels' ``拒绝``, ``2万``) fails
    Arrow's cast as a whole, and ``to_float`` then matches every cell against its number
    pattern: 0.22 of its 0.36 CPU s on the reviews' proposed limits at 1M households (4.2M
    cells, 3% not plain). Digits only are numbers either way (the pattern matches them, the
    cast reads them), so they are cast apart and only the others go through ``to_float``: on
    them alone its cast fails too (a digit string always casts) and it matches them, as it
    would have in the whole column. Arrow's cast reads every cell before it fails (0.08 s
    there), so the whole column is tried only when its first cells cast (either way the same
    numbers). 0.36 -> 0.11 CPU s there."""
    try:  # the usual column: every cell a number Arrow reads
        if len(a) > _SAMPLE:
            pc.cast(a.slice(0, _SAMPLE), pa.float64())
        return pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    plain = _np_mask(pc.ascii_is_decimal(a))
    num = np.full(len(a), np.nan)
    num[plain] = pc.cast(pc.filter(a, pa.chunked_array([plain])), pa.float64()).to_numpy(zero_copy_only=False)
    other = valid(a) & ~plain
    if other.any():
        num[other] = to_float(pc.filter(a, pa.chunked_array([other])))
    return num


#: Cells :func:`_numbers` casts first, to tell a column that will not cast as a whole.
_SAMPLE = 4096


def _np_mask(mask) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


_NS_MIN, _NS_MAX = np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-11", "D")


def _iso_dates(a: pa.ChunkedArray) -> np.ndarray | None:
    """Dates as datetime64[ns] when every non-blank cell is a real ``YYYY-MM-DD`` date within
    the nanosecond range (Arrow's strict ISO cast); None when some cell needs the other rules."""
    try:
        d = pc.cast(a, pa.date32()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    d = d.astype("datetime64[D]")
    seen = d[~np.isnat(d)]
    if seen.size and (seen.min() < _NS_MIN or seen.max() > _NS_MAX):
        return None
    return d.astype("datetime64[ns]")


def _compiled_dates(a: pa.ChunkedArray) -> np.ndarray | None:
    """:func:`_iso_dates` of the large_string column ``a`` by one compiled pass over its bytes
    (:func:`calib.io._ids_nb.iso_dates`) when the kernels are used for it and every non-blank
    cell is a plain ``YYYY-MM-DD`` date (ASCII, no spaces: its own NFKC form) of 1900-2200;
    None otherwise. At 1M households, the reviews' review_date (4.2M cells): 0.16 -> 0.08
    CPU s (no normalisation, cast and datetime64 conversions)."""
    if _io_jit.use(_ids._MODULE, len(a)) is None or len(a) == 0:
        return None
    out, ok = np.empty(len(a), dtype=np.int64), np.zeros(1, dtype=bool)
    if not _jit.run(_ids._MODULE, "iso_dates", *_ids._buffers(a.combine_chunks()), out, ok) or not ok[0]:
        return None
    return out.view("datetime64[ns]")


def _compiled_months(a: pa.Array) -> bool | None:
    """:func:`_strict_months` of the large_string array ``a`` by a compiled pass over its bytes
    (:func:`calib.io._ids_nb.strict_months`); None when the kernels are not used for it. At 1M
    households, the roster's birth_month (3.3M cells): 0.128 -> 0.04 CPU s with
    :func:`_parse_month`."""
    if _io_jit.use(_ids._MODULE, len(a)) is None or len(a) == 0:
        return None
    ok = np.zeros(1, dtype=bool)
    if not _jit.run(_ids._MODULE, "strict_months", *_ids._buffers(a), ok):
        return None
    return bool(ok[0])


def parse_dates(values: pd.Series) -> Parsed:
    """Parse dates written ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``2025年6月30日``,
    ``20250630`` or as an Excel serial number, a time of day after the date ignored
    (``2025-06-30 10:00``, ``2025-06-30T10:00:00+08:00``).

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        ``datetime64`` values (``NaT`` when blank or unreadable) and a reason per value.
    """
    out, reason = _parse_dates(values)
    return out, _filled(len(out), reason)


def _parse_dates(values: pd.Series):
    """:func:`parse_dates` with its reasons as :data:`Reasons`."""
    fast = _compiled_dates(arrow(values))
    if fast is not None:  # every cell blank or a plain YYYY-MM-DD date: read from the bytes
        return pd.Series(fast, index=values.index, copy=False), None
    a = nfkc_arrow(values)
    fast = _iso_dates(a)
    if fast is not None:  # every cell blank or a real YYYY-MM-DD date: Arrow parses them
        return pd.Series(fast, index=values.index, copy=False), None
    # a time of day after the date (a ledger's "2025-06-30 10:00", a database's
    # "2025-06-30T10:00:00.000+08:00") is not part of it
    a = replace(a, "([ \t]+|T)[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$", "")
    iso = pc.replace_substring(replace(a, "[/.年月]", "-"), "日", "")
    out = pd.to_datetime(series(iso), format="%Y-%m-%d", errors="coerce")
    has = valid(a)
    rest = out.isna().to_numpy() & has
    if rest.any():
        compact = series(pc.if_else(pa.chunked_array([rest & match(a, "^[0-9]{8}$")]), a, pa.scalar(None, a.type)))
        out = out.fillna(pd.to_datetime(compact, format="%Y%m%d", errors="coerce"))
        rest = out.isna().to_numpy() & has
    if rest.any():
        serial = np.where(rest, to_float(a), np.nan)
        serial = np.where((serial > 1000) & (serial < 80000), serial, np.nan)
        out = out.fillna(pd.Series(pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce")))
    reason = _reasons(len(a), (out.isna().to_numpy() & has, "cannot read the date"))
    return pd.Series(_within_ns(out.to_numpy()), index=values.index, copy=False), reason


def _within_ns(d: np.ndarray) -> np.ndarray:
    """Dates as datetime64[ns], those outside its range (1677-09-22 to 2262-04-11: a typed
    ``1600-01-01``, a year ``9999``) put at its ends: the range rule then quarantines them with
    its reason (``date outside ...``) instead of the conversion failing for the whole load."""
    if d.dtype == np.dtype("datetime64[ns]"):
        return d
    day = d.astype("datetime64[D]")
    lo, hi = np.datetime64(_NS_MIN, "D"), np.datetime64(_NS_MAX, "D")
    with np.errstate(invalid="ignore"):
        out = np.where(day < lo, lo, np.where(day > hi, hi, d.astype("datetime64[us]")))
    return out.astype("datetime64[ns]")


def _strict_months(a: pa.ChunkedArray) -> bool:
    """Whether every non-blank cell is already ``YYYY-MM`` with a year 1900-2100 and a month
    1-12 (read from the bytes; then the text is its own parsed value)."""
    a = a.combine_chunks()
    compiled = _compiled_months(a)
    if compiled is not None:
        return compiled
    has = valid(a)
    if not has.any():
        return False
    lens = pc.fill_null(pc.binary_length(a), 0).to_numpy(zero_copy_only=False)
    if not (lens[has] == 7).all():
        return False
    m = _ids._ascii_matrix(a if has.all() else pc.filter(a, pa.array(has)), 7).astype(np.int16) - 48
    digits = m[:, [0, 1, 2, 3, 5, 6]]
    if not (((digits >= 0) & (digits <= 9)).all() and (m[:, 4] == ord("-") - 48).all()):
        return False
    year = m[:, 0] * 1000 + m[:, 1] * 100 + m[:, 2] * 10 + m[:, 3]
    month = m[:, 5] * 10 + m[:, 6]
    return bool(((year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12)).all())


def _parse_month(values: pd.Series) -> Parsed:
    if _strict_months(arrow(values)):  # already plain YYYY-MM (ASCII, no spaces): its own
        # NFKC form, and the parsed column shares the text's buffers (no copy)
        return series(arrow(values), values.index), None
    a = nfkc_arrow(values)
    if _strict_months(a):
        return series(a, values.index), None
    m = pc.extract_regex(a, "^(?P<y>[0-9]{4})[ ]*[-./年]?[ ]*(?P<m>[0-9]{1,2})[ ]*月?(?:[-./]?[0-9]{1,2}日?)?$")
    year = to_float(pc.struct_field(m, "y"))
    month = to_float(pc.struct_field(m, "m"))
    ok = (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12)
    mm = pc.utf8_lpad(pc.cast(pc.cast(pc.struct_field(m, "m"), pa.int64()), pa.large_string()), 2, "0")
    yy = pc.cast(pc.struct_field(m, "y"), pa.large_string())
    text = pc.binary_join_element_wise(yy, mm, pa.scalar("-", pa.large_string()))
    text = pc.if_else(pa.chunked_array([ok]), text, pa.scalar(None, pa.large_string()))
    reason = _reasons(len(a), (valid(a) & ~ok, "cannot read the birth month (use YYYY-MM)"))
    return series(text, values.index), reason


def _parse_map(values: pd.Series, mapping: dict[str, str], what: str,
               allowed: Sequence[str]) -> Parsed:
    """Cells read through ``mapping`` (keys compared NFKC-normalised, stripped, in lower case).

    Most cells are written as a key of ``mapping`` is (``男``, ``alive``, ``AAA``): looked up
    as they are, they give what their normalised form would, so only the others are normalised
    and lower-cased. At 1M households, CPU s: the roster's sex and status (3.3M cells each)
    0.21 -> 0.09 and 0.20 -> 0.10 (with :func:`_status`), the model runs' grades (1.1M)
    0.05 -> 0.03."""
    lower_map = {k.lower(): v for k, v in mapping.items()}
    keys = pa.array(list(lower_map), pa.large_string())
    a = arrow(values)
    written, at = _written_keys(tuple(mapping), keys)
    idx = pc.fill_null(pc.index_in(a, value_set=written), -1).to_numpy(zero_copy_only=False)
    idx = np.where(idx >= 0, at[np.maximum(idx, 0)], -1)
    has = valid(a)
    rest = np.flatnonzero(has & (idx < 0))
    if rest.size:
        sub = nfkc_arrow(a.take(pa.array(rest)))
        found = pc.index_in(pc.utf8_lower(sub).cast(pa.large_string()), value_set=keys)
        idx[rest] = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
    out = pc.take(pa.array(list(lower_map.values()), pa.large_string()), pa.array(idx, mask=idx < 0))
    reason = _reasons(len(a), (has & (idx < 0), f"unknown {what}; expected one of {', '.join(allowed)}"))
    return series(out, values.index), reason


def _written_keys(written: Sequence[str], keys: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The texts ``written`` (a mapping's keys as written, and in lower case) whose normalised
    form (NFKC, stripped, lower case, as :func:`_parse_map` compares) is one of ``keys``, and
    the position of that key for each."""
    cand = pa.array(sorted(set(written) | {w.lower() for w in written}), pa.large_string())
    norm = pc.utf8_lower(nfkc_arrow(cand)).cast(pa.large_string())
    pos = pc.fill_null(pc.index_in(norm, value_set=keys), -1).to_numpy(zero_copy_only=False)
    keep = np.flatnonzero(pos >= 0)
    return cand.take(pa.array(keep)), pos[keep]


def _parse_bool(values: pd.Series, *, allow_na: bool) -> Parsed:
    a = arrow(values).combine_chunks()
    one, byte = _one_byte(a)
    t, f = one & (byte == ord("1")), one & (byte == ord("0"))  # a 1 or 0 alone: its own form
    has = valid(a)
    rest = np.flatnonzero(has & ~(t | f))
    if rest.size:  # the other cells by the words (at 1M households, the roster's bad_record
        # column, 3.3M cells of 0 or 1: 0.117 -> 0.045 CPU s)
        t[rest], f[rest] = _bool_words(a.take(pa.array(rest)))
    out = pd.Series(pd.arrays.BooleanArray(t, ~(t | f)), index=values.index, copy=False)
    reason = _reasons(len(a), (has & ~(t | f), "expected yes/no (是/否, 1/0)"))
    if not allow_na:
        out = pd.Series(t, index=values.index, copy=False)
    return out, reason


def _bool_words(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Cells that read as yes and as no (NFKC-normalised, stripped, lower case)."""
    low = pc.utf8_lower(nfkc_arrow(a))
    return isin(low, TRUE_WORDS), isin(low, FALSE_WORDS)


def _one_byte(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of the large_string array ``a``: whether it is one byte long (not null), and
    that byte (0 otherwise), from the offsets and data buffers. A cell that is one ASCII
    digit is its own NFKC-normalised, stripped, lower-case form: the parsers of ratings and
    flags read such cells straight away and apply their rules to the others only."""
    n = len(a)
    one, byte = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.uint8)
    if n == 0 or a.null_count == n:
        return one, byte
    offsets, data, _ = text_buffers(a)
    one = np.diff(offsets) == 1
    if a.null_count:
        one &= valid(a)
    byte[one] = data[offsets[:-1][one]]
    return one, byte


def _unreadable(raw: pd.Series, v: np.ndarray, what: str) -> np.ndarray:
    return _reasons(len(v), (raw.notna().to_numpy() & np.isnan(v), f"cannot read the {what}"))


def parse_id_column(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> tuple[pd.Series, np.ndarray, pd.DataFrame]:
    """Parse an ID column once: values, reasons, and the full :func:`calib.io.ids.parse_ids`
    frame (birth date, sex, age) for the checks and derived columns."""
    p, reason = _parse_ids_once(raw, as_of)
    if col.kind == "id_optional":
        reason = _optional_reasons(col, reason)
        reason[raw.isna().to_numpy()] = ""
    return p["id_number"], reason, p


def _optional_reasons(col: Col, reason: np.ndarray) -> np.ndarray:
    """An optional ID column's reasons (a copy), each named for whose ID it is."""
    reason = reason.copy()
    who = "household head's" if col.name == "head_id_number" else "reviewer's"
    bad = np.flatnonzero(reason != "")
    reason[bad] = [f"invalid {who} ID: {r}" for r in reason[bad]]
    return reason


def _parse_ids_once(raw: pd.Series, as_of: pd.Timestamp) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`calib.io.ids.parse_ids` once per column (its checks run on the bytes, so the
    household heads' repeated IDs cost less than finding the distinct values would), with its
    reasons as an object array."""
    n = len(raw)
    if n <= _ID_BLOCK:
        return _ids._parse(raw, as_of)
    # by blocks of rows (every rule of parse_ids is within a row): the byte matrices and
    # temporaries of one block at a time, not of a province's roster
    parts = [_ids._parse(raw.iloc[i: i + _ID_BLOCK], as_of) for i in range(0, n, _ID_BLOCK)]
    return pd.concat([p for p, _ in parts], copy=False), np.concatenate([r for _, r in parts])


#: Rows per block of :func:`_parse_ids_once`.
_ID_BLOCK = 1 << 20


def _ids_col(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> Parsed:
    if col.kind == "id_optional":
        return _optional_ids(col, raw, as_of)
    values, reason, _ = parse_id_column(col, raw, as_of)
    return values, reason


def _optional_ids(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> Parsed:
    """An optional ID column (the household head's, a reviewer's) as :func:`parse_id_column`
    gives it, with each distinct number parsed once: the head's number repeats on every member's
    row, so a roster holds about a third as many distinct values as rows. With the compiled
    kernels (:mod:`calib.io._ids_nb`) every row is parsed instead: a pass over the column costs
    less than hashing it (at 1M households, 3.3M rows: 0.24 CPU s against 0.39 s, of which
    0.24 s is ``dictionary_encode``), and gives the same values and reasons."""
    if _io_jit.use(_ids._MODULE, len(raw)) is not None:
        values, reason, _ = parse_id_column(col, raw, as_of)
        return values.rename(None), reason
    d = pc.dictionary_encode(arrow(raw).combine_chunks())
    p, reason = _parse_ids_once(series(d.dictionary), as_of)
    reason = _optional_reasons(col, reason)
    codes = pc.fill_null(d.indices, -1).to_numpy(zero_copy_only=False)
    reason = np.append(reason, np.array([""], dtype=object))[codes]  # blank (code -1): no reason
    values = series(pc.take(arrow(p["id_number"]), d.indices), raw.index)
    return values, reason


def _float(raw: pd.Series) -> Parsed:
    v = to_float(pc.replace_substring(nfkc_arrow(raw), ",", ""))
    return pd.Series(v, index=raw.index, copy=False), _unreadable(raw, v, "number")


def _prob(raw: pd.Series) -> Parsed:
    v = to_float(nfkc_arrow(raw))
    with np.errstate(invalid="ignore"):
        r = _reasons(len(v), ((v < 0) | (v > 1), "probability outside 0-1"), base=_unreadable(raw, v, "number"))
    return pd.Series(v, index=raw.index, copy=False), r


def _rate(raw: pd.Series) -> Parsed:
    a = nfkc_arrow(raw)
    pct = _np_mask(pc.ends_with(a, "%"))
    v = to_float(pc.utf8_rtrim(a, characters="%"))
    with np.errstate(invalid="ignore"):
        v = np.where(pct | (v > 1), v / 100.0, v)
        r = _reasons(len(v), ((v < 0) | (v >= 1), "interest rate outside 0-100%"), base=_unreadable(raw, v, "rate"))
    return pd.Series(v, index=raw.index, copy=False), r


def _rating(raw: pd.Series) -> Parsed:
    """Ratings 1-5. A cell that is one digit 1-5 (nearly all) is read from its byte, the others
    by :func:`_rating_rule`: the same values and reasons (a digit always casts, so the others'
    cast fails or not as the whole column's would). CPU s at 1M households, each of the
    reviews' two ratings (4.2M cells): 0.13 -> 0.08."""
    a = arrow(raw).combine_chunks()
    one, byte = _one_byte(a)
    digit = one & (byte >= ord("1")) & (byte <= ord("5"))
    ints = np.where(digit, byte.astype(np.int64) - 48, 0)
    missing = ~digit
    reason = None
    rest = np.flatnonzero(~digit & valid(a))
    if rest.size:
        ints[rest], missing[rest], sub = _rating_rule(a.take(pa.array(rest)))
        if sub is not None:
            reason = _filled(len(a), None)
            reason[rest] = sub
    return pd.Series(pd.arrays.IntegerArray(ints, missing), index=raw.index, copy=False), reason


def _rating_rule(raw: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratings read as numbers: values (0 when missing), missing, reasons."""
    a = nfkc_arrow(raw)
    v = to_float(a)
    out_of = ~np.isin(v, [1, 2, 3, 4, 5]) & ~np.isnan(v)
    r = _reasons(len(v), (valid(a) & np.isnan(v), "cannot read the rating"), (out_of, "rating outside 1-5"))
    missing = out_of | np.isnan(v)
    return np.where(missing, 0, v).astype(np.int64), missing, r


def _flag01(raw: pd.Series) -> Parsed:
    v, r = _parse_bool(raw, allow_na=True)
    return v.astype("Int64"), None if r is None else reasons(len(r), (r != "", "expected 1 (non-performing) or 0"))


def _status(raw: pd.Series) -> Parsed:
    v, r = _parse_map(raw, STATUS, "status", ["alive", "deceased", "missing", "absconded"])
    # filled in Arrow (pandas' fillna takes 0.1 s on the roster's 3.3M cells at 1M households)
    return series(pc.fill_null(arrow(v), "alive"), v.index), r


def _vocab(mapping: dict[str, str], what: str, allowed: Sequence[str] | None = None):
    allowed = list(allowed) if allowed is not None else sorted(set(mapping.values()))
    return lambda raw: _parse_map(raw, mapping, what, allowed)


_PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    "text": lambda raw: (raw, np.full(len(raw), "", dtype=object)),
    "amount": _parse_amounts,
    "nonneg": _parse_amounts,
    "limit": lambda raw: _parse_amounts(raw, declines=True),
    "float": _float,
    "prob": _prob,
    "rate": _rate,
    "rating": _rating,
    "flag01": _flag01,
    "bool": lambda raw: _parse_bool(raw, allow_na=False),
    "bool_na": lambda raw: _parse_bool(raw, allow_na=True),
    "date": _parse_dates,
    "month": _parse_month,
    "sex": _vocab({**SEX, "M": "M", "F": "F"}, "sex", ["男", "女", "M", "F"]),
    "status": _status,
    "role": _vocab(ROLES, "role"),
    "relation": _vocab(RELATIONS, "relation"),
    "grade": _vocab(GRADES, "grade", ["AAA", "AA", "A", "B"]),
}


def parse_column(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> Parsed:
    """Parse one column of the contract.

    Parameters
    ----------
    col : Col
        The column's contract entry (its ``kind`` picks the parser).
    raw : pandas.Series
        Text cells (``<NA>`` when blank).
    as_of : pandas.Timestamp
        Reference date (ID birth dates after it are invalid).

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        Typed values and a reason per cell (empty when fine).
    """
    values, reason = parse_cells(col, raw, as_of)
    return values, _filled(len(values), reason)


def parse_cells(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> tuple[pd.Series, np.ndarray | None]:
    """:func:`parse_column` for the loader: the reasons are None when no cell has one (a clean
    column makes no object array of ``""``; :data:`Reasons`)."""
    if col.kind in ("id", "id_optional"):
        return _ids_col(col, raw, as_of)
    try:
        parser = _PARSERS[col.kind]
    except KeyError:
        raise AssertionError(f"unknown column kind {col.kind}") from None
    return parser(raw)
