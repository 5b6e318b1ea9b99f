"""Column parsers: each turns text cells into typed values and a reason per cell ("" = fine)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from calib.io import ids as _ids
from calib.io._text import isin, nfkc
from calib.io.specs import (DECLINE_WORDS, FALSE_WORDS, GRADES, RELATIONS, ROLES, SEX, STATUS,
                            TRUE_WORDS, Col)

__all__ = ["parse_amounts", "parse_dates", "parse_column"]

Parsed = tuple[pd.Series, np.ndarray]


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
    """
    s = nfkc(values)
    s = s.str.replace(r"[,\s¥￥]", "", regex=True).str.replace(r"(元|RMB|CNY)$", "", regex=True)
    wan = s.str.endswith("万").fillna(False)
    num = pd.to_numeric(s.str.replace(r"万$", "", regex=True), errors="coerce").astype(float)
    num = num.where(~wan.to_numpy(), num * 10_000.0)
    if declines:
        dec = isin(s.str.lower(), DECLINE_WORDS)
        num = num.where(~dec, 0.0)
    reason = np.full(len(s), "", dtype=object)
    unreadable = s.notna().to_numpy() & num.isna().to_numpy()
    reason[unreadable] = "cannot read the amount"
    reason[(num < 0).fillna(False).to_numpy()] = "negative amount"
    return num, reason


def parse_dates(values: pd.Series) -> Parsed:
    """Parse dates written ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``2025年6月30日``,
    ``20250630`` or as an Excel serial number.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        ``datetime64`` values (``NaT`` when blank or unreadable) and a reason per value.
    """
    s = nfkc(values)
    s = s.str.replace(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", regex=True)
    iso = s.str.replace(r"[/.年月]", "-", regex=True).str.replace("日", "", regex=False)
    out = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    rest = out.isna() & s.notna()
    if rest.any():
        compact = pd.to_datetime(s.where(rest & s.str.fullmatch(r"\d{8}").fillna(False)),
                                 format="%Y%m%d", errors="coerce")
        out = out.fillna(compact)
        rest = out.isna() & s.notna()
    if rest.any():
        serial = pd.to_numeric(s.where(rest), errors="coerce")
        serial = serial.where((serial > 1000) & (serial < 80000))
        out = out.fillna(pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce"))
    reason = np.where(out.isna().to_numpy() & s.notna().to_numpy(), "cannot read the date", "")
    return out.astype("datetime64[ns]"), reason.astype(object)


def _parse_month(values: pd.Series) -> Parsed:
    s = nfkc(values)
    m = s.str.extract(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*月?(?:[-./]?\d{1,2}日?)?$")
    year = pd.to_numeric(m[0], errors="coerce")
    month = pd.to_numeric(m[1], errors="coerce")
    ok = year.between(1900, 2100) & month.between(1, 12)
    text = (year.astype("Int64").astype("string") + "-"
            + month.astype("Int64").astype("string").str.zfill(2)).where(ok)
    reason = np.where(s.notna().to_numpy() & ~ok.fillna(False).to_numpy(),
                      "cannot read the birth month (use YYYY-MM)", "")
    return text.astype("string"), reason.astype(object)


def _parse_map(values: pd.Series, mapping: dict[str, str], what: str,
               allowed: Sequence[str]) -> Parsed:
    s = nfkc(values)
    low = s.str.lower()
    lower_map = {k.lower(): v for k, v in mapping.items()}
    out = low.map(lower_map).astype("string")
    bad = s.notna().to_numpy() & out.isna().to_numpy()
    reason = np.where(bad, f"unknown {what}; expected one of {', '.join(allowed)}", "")
    return out, reason.astype(object)


def _parse_bool(values: pd.Series, *, allow_na: bool) -> Parsed:
    s = nfkc(values).str.lower()
    t = pd.Series(isin(s, TRUE_WORDS), index=s.index)
    f = pd.Series(isin(s, FALSE_WORDS), index=s.index)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[t.to_numpy()] = True
    out[f.to_numpy()] = False
    bad = s.notna().to_numpy() & ~(t | f).to_numpy()
    reason = np.where(bad, "expected yes/no (是/否, 1/0)", "").astype(object)
    if not allow_na:
        out = out.fillna(False).astype(bool)
    return out, reason


def _unreadable(raw: pd.Series, v: pd.Series, what: str) -> np.ndarray:
    return np.where(raw.notna().to_numpy() & v.isna().to_numpy(), f"cannot read the {what}", "")


def _ids_col(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> Parsed:
    p = _ids.parse_ids(raw, as_of=as_of)
    reason = p["reason"].to_numpy(dtype=object).copy()
    if col.kind == "id_optional":
        reason[raw.isna().to_numpy()] = ""
        who = "household head's" if col.name == "head_id_number" else "reviewer's"
        reason = np.where(reason != "", f"invalid {who} ID: " + reason.astype(str), "").astype(object)
    return p["id_number"], reason


def _float(raw: pd.Series) -> Parsed:
    v = pd.to_numeric(nfkc(raw).str.replace(",", "", regex=False), errors="coerce").astype(float)
    return v, _unreadable(raw, v, "number").astype(object)


def _prob(raw: pd.Series) -> Parsed:
    v = pd.to_numeric(nfkc(raw), errors="coerce").astype(float)
    r = np.where(((v < 0) | (v > 1)).fillna(False).to_numpy(), "probability outside 0-1",
                 _unreadable(raw, v, "number"))
    return v, r.astype(object)


def _rate(raw: pd.Series) -> Parsed:
    s = nfkc(raw)
    pct = s.str.endswith("%").fillna(False).to_numpy()
    v = pd.to_numeric(s.str.rstrip("%"), errors="coerce").astype(float)
    v = v.where(~(pct | (v > 1).fillna(False).to_numpy()), v / 100.0)
    r = np.where(((v < 0) | (v >= 1)).fillna(False).to_numpy(), "interest rate outside 0-100%",
                 _unreadable(raw, v, "rate"))
    return v, r.astype(object)


def _rating(raw: pd.Series) -> Parsed:
    s = nfkc(raw)
    v = pd.to_numeric(s, errors="coerce")
    out_of = ~v.isin([1, 2, 3, 4, 5]).to_numpy() & v.notna().to_numpy()
    r = np.where(out_of, "rating outside 1-5", _unreadable(s, v, "rating"))
    return v.where(~out_of).astype("Int64"), r.astype(object)


def _flag01(raw: pd.Series) -> Parsed:
    v, r = _parse_bool(raw, allow_na=True)
    return v.astype("Int64"), np.where(r != "", "expected 1 (non-performing) or 0", "").astype(object)


def _status(raw: pd.Series) -> Parsed:
    v, r = _parse_map(raw, STATUS, "status", ["alive", "deceased", "missing", "absconded"])
    return v.fillna("alive"), r


def _vocab(mapping: dict[str, str], what: str, allowed: Sequence[str] | None = None):
    allowed = list(allowed) if allowed is not None else sorted(set(mapping.values()))
    return lambda raw: _parse_map(raw, mapping, what, allowed)


_PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    "text": lambda raw: (raw.astype("string"), np.full(len(raw), "", dtype=object)),
    "amount": parse_amounts,
    "nonneg": parse_amounts,
    "limit": lambda raw: parse_amounts(raw, declines=True),
    "float": _float,
    "prob": _prob,
    "rate": _rate,
    "rating": _rating,
    "flag01": _flag01,
    "bool": lambda raw: _parse_bool(raw, allow_na=False),
    "bool_na": lambda raw: _parse_bool(raw, allow_na=True),
    "date": parse_dates,
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
    if col.kind in ("id", "id_optional"):
        return _ids_col(col, raw, as_of)
    try:
        parser = _PARSERS[col.kind]
    except KeyError:
        raise AssertionError(f"unknown column kind {col.kind}") from None
    return parser(raw)
