"""Masking of personal data for anything shown or written under ``reports/``.

Rules (common practice under JR/T 0171-2020, which classes ID and mobile numbers as C2 data):

- ID numbers keep the first 6 and the last 4 characters: ``441821********123X``;
- phone numbers keep the first 3 and the last 4 digits: ``139****2541``;
- names keep the surname (a two-character compound surname for names of three or more
  characters): ``张*``, ``欧阳**``;
- addresses keep their first 6 characters: ``佛冈县石角镇…``.

Joins always use the raw values in memory; masked values are for display only.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

__all__ = [
    "mask_id",
    "mask_phone",
    "mask_name",
    "mask_address",
    "mask_frame",
    "mask_values",
    "mask_text",
    "mask_digit_runs",
    "mask_known",
    "round_figures",
    "FIGURE_DIGITS",
    "PII_COLUMNS",
]

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 "
    "西门 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 仲孙 钟离 闻人 赫连 呼延".split()
)

#: Column name -> masking function kind.
PII_COLUMNS: dict[str, str] = {
    "id_number": "id",
    "head_id_number": "id",
    "身份证": "id",
    "户主身份证": "id",
    "name": "name",
    "姓名": "name",
    "phone": "phone",
    "联系方式": "phone",
    "address": "address",
    "现居住地址": "address",
}


def _as_str(values: pd.Series | Iterable[str]) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(list(values))
    return s.astype("string")


def mask_id(values: pd.Series | Iterable[str]) -> pd.Series:
    """Mask ID numbers, keeping the first 6 and the last 4 characters.

    Values shorter than 11 characters keep only their first and last character, so that nothing
    of 7 or more characters ever survives whole.

    Examples
    --------
    >>> mask_id(["11010519491231002X"]).tolist()
    ['110105********002X']
    """
    s = _as_str(values).str.strip()
    n = s.str.len()
    long = s.str[:6] + s.str[6:].str.replace(r".", "*", regex=True).str[:-4] + s.str[-4:]
    short = s.str[:1] + s.str[1:-1].str.replace(r".", "*", regex=True) + s.str[-1:]
    return long.where(n >= 11, short.where(n >= 3, "*" * 3)).where(s.notna())


def mask_phone(values: pd.Series | Iterable[str]) -> pd.Series:
    """Mask phone numbers as ``139****2541`` (digits only; other characters dropped).

    Masking is idempotent: a value already masked this way is returned as it is.

    Examples
    --------
    >>> mask_phone(["139 0000 2541"]).tolist()
    ['139****2541']
    """
    raw = _as_str(values).str.normalize("NFKC").str.strip()
    done = raw.str.fullmatch(r"[0-9]{3}\*{4}[0-9]{4}").fillna(False)  # already masked: kept
    s = raw.str.replace(r"[^0-9]", "", regex=True)
    n = s.str.len()
    masked = s.str[:3] + "****" + s.str[-4:]
    return masked.where(n >= 8, "****").where(s.notna() & (n > 0)).where(~done, raw)


def mask_name(values: pd.Series | Iterable[str]) -> pd.Series:
    """Mask names, keeping the surname: ``张三`` -> ``张*``, ``欧阳明华`` -> ``欧阳**``.

    Examples
    --------
    >>> mask_name(["张三", "欧阳明华", "李"]).tolist()
    ['张*', '欧阳**', '*']
    """
    s = _as_str(values).str.strip()
    n = s.str.len()
    compound = s.str[:2].isin(COMPOUND_SURNAMES) & (n >= 3)
    keep = np.where(compound.fillna(False), 2, 1)
    keep = np.where(n.fillna(0).to_numpy() <= 1, 0, keep)
    out = [
        (v[:k] + "*" * max(len(v) - k, 1)) if isinstance(v, str) else pd.NA
        for v, k in zip(s.astype(object).where(s.notna(), None), keep)
    ]
    return pd.Series(out, index=s.index, dtype="string")


def mask_address(values: pd.Series | Iterable[str]) -> pd.Series:
    """Keep the first 6 characters of an address and replace the rest with ``…``."""
    s = _as_str(values).str.strip()
    return (s.str[:6] + "…").where(s.str.len() > 6, s.str[:2] + "…").where(s.notna())


_MASKERS = {"id": mask_id, "phone": mask_phone, "name": mask_name, "address": mask_address}


_DIGIT_RUNS = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[0-9]{10})(?![0-9Xx])")


def mask_digit_runs(text: str) -> str:
    """``text`` with every ID-number-like (18 or 15 digits) or mobile-phone-like (11 digits
    starting with 1) digit run masked; everything else kept. For free text that may quote a
    value typed into the wrong column (an error message, a quarantined key).

    Examples
    --------
    >>> mask_digit_runs("reviewer 13900002541 of household 44182119650424289X")
    'reviewer 139****2541 of household 441821********289X'
    """
    def one(m: re.Match) -> str:
        v = m.group()
        return str(mask_phone([v])[0] if len(v) == 11 else mask_id([v])[0])

    return _DIGIT_RUNS.sub(one, text)


_CJK_RUN = re.compile(r"[\u3400-\u9fff·]{2,}")


def mask_known(text: str, names: Collection[str]) -> str:
    """``text`` with ID- and phone-like digit runs masked (:func:`mask_digit_runs`) and every
    occurrence of one of ``names`` (a programme's raw names, say) masked by :func:`mask_name`.

    Linear in the text: each run of Chinese characters is looked up window by window (names of
    2 to 4 characters), so a roster of any size costs only a set lookup per window.

    Examples
    --------
    >>> mask_known("household of 张三丰 (13900002541) failed", {"张三丰"})
    'household of 张** (139****2541) failed'
    """
    text = mask_digit_runs(text)
    if not names:
        return text

    def run(m: re.Match) -> str:
        s, out, i = m.group(), [], 0
        while i < len(s):
            for n in (4, 3, 2):
                if s[i:i + n] in names and len(s[i:i + n]) == n:
                    out.append(str(mask_name([s[i:i + n]])[0]))
                    i += n
                    break
            else:
                out.append(s[i])
                i += 1
        return "".join(out)

    return _CJK_RUN.sub(run, text)


def mask_values(values: pd.Series, kinds: pd.Series) -> pd.Series:
    """Mask a column of mixed values, each according to its kind (``id``, ``phone``, ``name``,
    ``address``). Values of any other kind keep their text, except ID- and phone-like digit
    runs (a value typed into the wrong column), masked by :func:`mask_digit_runs`. Used for
    the quarantine's ``value`` column.
    """
    out = values.astype("string").copy()
    other = ~kinds.isin(list(_MASKERS)).to_numpy() & out.str.contains(r"[0-9]{11}", regex=True).fillna(False).to_numpy()
    if other.any():
        out[other] = [mask_digit_runs(v) for v in out[other]]
    for kind, fn in _MASKERS.items():
        sel = (kinds == kind).to_numpy()
        if sel.any():
            out[sel] = fn(values[sel]).to_numpy()
    return out


def mask_text(values: pd.Series | Iterable[str]) -> pd.Series:
    """Mask text of unknown kind (a header row that may be data, a cell in a message).

    A value that looks like an ID number (15 or more digits or ``X``) is masked as an ID, one
    holding 7 or more digits as a phone, 2 to 4 Chinese characters as a name, anything longer
    than 6 characters as an address; short other text is kept.

    Examples
    --------
    >>> mask_text(["44182119650424289X", "13900002541", "张三", "户号"]).tolist()
    ['441821********289X', '139****2541', '张*', '户*']
    """
    s = _as_str(values).str.strip()
    out = s.copy()
    idlike = s.str.fullmatch(r"[0-9Xx.Ee+]{15,}").fillna(False).to_numpy(dtype=bool)
    digits = (s.str.count(r"[0-9]") >= 7).fillna(False).to_numpy(dtype=bool) & ~idlike
    name = s.str.fullmatch(r"[\u3400-\u9fff·]{2,4}").fillna(False).to_numpy(dtype=bool)
    longer = (s.str.len() > 6).fillna(False).to_numpy(dtype=bool) & ~(idlike | digits | name)
    for sel, fn in ((idlike, mask_id), (digits, mask_phone), (name, mask_name), (longer, mask_address)):
        if sel.any():
            out[sel] = fn(s[sel]).to_numpy()
    return out


def mask_frame(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with every personal-data column masked.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; columns named in :data:`PII_COLUMNS` (code names or Chinese headers) are
        masked, as are those given in ``columns``.
    columns : dict, optional
        Extra ``column -> kind`` pairs (kinds: ``id``, ``phone``, ``name``, ``address``).

    Returns
    -------
    pandas.DataFrame
        A masked copy; the index is masked too when its name is a personal-data column.
    """
    kinds = {**PII_COLUMNS, **(columns or {})}
    out = frame.copy()
    for col in out.columns:
        kind = kinds.get(str(col))
        if kind:
            out[col] = _MASKERS[kind](out[col])
    if out.index.name in kinds:
        out.index = pd.Index(_MASKERS[kinds[out.index.name]](out.index.to_series()).to_numpy(),
                             name=out.index.name)
    return out


#: Significant digits a figure keeps wherever it is written (side workbooks and CSVs, recorded
#: headline figures): far beyond any estimate's precision, and short of the 11-digit runs a
#: data-leak scan (and a reader) takes for a mobile number or part of an ID number.
FIGURE_DIGITS = 10


def round_figures(values) -> np.ndarray:
    """Floating-point figures with at most :data:`FIGURE_DIGITS` significant digits.

    A full-precision float is written with 16 or 17 digits (``1.151251993476588``): a province's
    side workbooks carry millions of such runs, and some of their 11-digit windows equal a
    villager's phone number by chance (two in a 300k-household run's reviewer list), which a
    security review cannot tell from a leak. Values of 10⁹ or more keep their integer digits
    (a programme's total in yuan; their fraction is already shorter than 8 digits); NaN and
    infinities are kept.

    Parameters
    ----------
    values : array-like of float

    Returns
    -------
    numpy.ndarray of float64
        Each value rounded to :data:`FIGURE_DIGITS` significant digits (|x| < 10⁹), so that it is
        written with at most that many digits.

    Examples
    --------
    >>> round_figures([1.151251993476588, 0.000123456789012345, 7323566000.0, -2.5]).tolist()
    [1.151251993, 0.000123456789, 7323566000.0, -2.5]
    """
    x = np.array(values, dtype=float, copy=True)
    a = np.abs(x)
    sel = np.isfinite(x) & (a > 0) & (a < 1e9)
    if not sel.any():
        return x
    mag = np.floor(np.log10(a[sel]))
    dec = (FIGURE_DIGITS - 1 - mag).astype(int)  # 1 .. for |x| < 1e9
    exact = dec <= 22  # powers of ten up to 1e22 are exact doubles: one correctly rounded division
    idx = np.flatnonzero(sel)
    fast, slow = idx[exact], idx[~exact]
    if fast.size:
        scale = 10.0 ** dec[exact]
        x[fast] = np.round(x[fast] * scale) / scale
    for i in slow:  # |x| below 1e-13: rare (a p-value), by the decimal formatter
        x[i] = float(f"{x[i]:.{FIGURE_DIGITS}g}")
    return x
