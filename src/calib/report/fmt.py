"""Numbers as bankers write them, in the run's language (Babel's locale-aware formatting).

- money in 元 with thousands separators at household level (:func:`yuan`), in 万元 for totals
  (:func:`wan`);
- shares and rates as percentages with a stated number of decimals (:func:`pct`);
- p-values with three decimals, ``< 0.001`` below that (:func:`pval`);
- never scientific notation; a missing value is :data:`MISSING` ("—"), and the page says why
  in a footnote (see :func:`calib.report.display.table`).

:func:`cell` formats one value by its display *kind* (the catalogue gives each column one).
"""
from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from calib.report.labels import get_lang, t

__all__ = ["MISSING", "is_missing", "number", "count", "yuan", "wan", "pct", "rate", "change", "pval", "ci", "cell",
           "join", "exact_digits", "KINDS"]

MISSING = "—"
_LOCALE = {"zh-CN": "zh_Hans_CN", "en": "en_US"}
#: Display kinds and what they mean.
KINDS = {
    "int": "count, thousands separators", "yuan": "money in yuan, no decimals",
    "wan": "money in 10,000 yuan, two decimals", "yuan_year": "yuan per year",
    "wan_year": "10,000 yuan per year", "pct0": "percent, 0 decimals", "pct1": "percent, 1 decimal",
    "pct2": "percent, 2 decimals", "pct3": "percent, 3 decimals",
    "rate": "a schedule's rate or discount: percent, 2 decimals (3 when it has a third)", "p": "p-value",
    "num1": "1 decimal", "num2": "2 decimals", "num3": "3 decimals", "num4": "4 decimals",
    "bool": "yes / no", "date": "ISO date", "text": "text (coded values in words)",
    "table_name": "a programme table's name in words", "column_name": "a data-contract column's name, as its header",
}


def _loc() -> str:
    return _LOCALE[get_lang()]


def is_missing(x: Any) -> bool:
    """Whether ``x`` is None, NaN, NaT or pd.NA (infinity is a value: shown as ∞)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, (float, np.floating)) and math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def number(x: Any, digits: int = 2) -> str:
    """``x`` with thousands separators and exactly ``digits`` decimals (never scientific)."""
    if is_missing(x):
        return MISSING
    if math.isinf(float(x)):
        return "∞" if float(x) > 0 else "−∞"
    if abs(float(x)) >= 1e15:  # beyond Babel's decimal precision (e.g. a test statistic of 1e30)
        return f"{float(x):,.{max(digits, 0)}f}"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(round(float(x), digits) + 0.0, format=pattern, locale=_loc())


def count(x: Any) -> str:
    """A count with thousands separators: ``7,077``."""
    return number(x, 0)


def points(x: Any) -> str:
    """Points of a schedule or a band width as the parameters set them: whole points without
    decimals, a fraction with its own (a band width of 37.5 is not "38").

    >>> points(100), points(37.5), points(1250), points(0.25)
    ('100', '37.5', '1,250', '0.25')
    """
    if is_missing(x):
        return MISSING
    return number(x, exact_digits(float(x), most=2))


def yuan(x: Any, *, unit: bool = True) -> str:
    """Household-level money: ``29,000 元`` (en ``29,000 yuan``)."""
    s = number(x, 0)
    return f"{s} {t('unit.yuan')}" if unit and s != MISSING else s


def wan(x: Any, *, unit: bool = True, digits: int = 2) -> str:
    """A total in 万元 (10,000 yuan): ``18,190.00 万元`` (en ``18,190.00 × 10,000 yuan``)."""
    s = number(None if is_missing(x) else float(x) / 1e4, digits)
    return f"{s} {t('unit.wan')}" if unit and s != MISSING else s


def change(x: Any, amount: Any = None) -> str:
    """A signed change in words, as a committee reads it: ``减少 3,138.00 万元``, ``增加 ...``,
    ``不变`` (en ``down ...``, ``up ...``, ``unchanged``); ``amount`` formats its size (default
    :func:`wan`). Unchanged when the size shows as zero.

    >>> from calib.report.labels import set_lang
    >>> _ = set_lang("zh-CN"); change(-31_380_000), change(5_000), change(1)
    ('减少 3,138.00 万元', '增加 0.50 万元', '不变')
    """
    if is_missing(x):
        return MISSING
    amount = amount or wan
    size = amount(abs(float(x)))
    if size == amount(0.0):
        return t("change.none")
    return t("change.down" if float(x) < 0 else "change.up", amount=size)


def exact_digits(values: Any, least: int = 0, most: int = 4) -> int:
    """The fewest decimals, from ``least`` to ``most``, that write every finite value of
    ``values`` exactly (``most`` when none does): one number of decimals for figures read
    together, an axis's ticks or a rule's thresholds, without rounding one of them away.

    >>> exact_digits([2.0, 4.0]), exact_digits([2.5, 5.0]), exact_digits(0.7, least=2)
    (0, 1, 2)
    """
    v = np.atleast_1d(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    for d in range(least, most + 1):
        if np.allclose(np.round(v, d), v, rtol=0, atol=1e-9):
            return d
    return most


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage with ``digits`` decimals: ``83.0%``. A share above 0 that would
    round to 0 reads ``< 0.01%`` (17 rows quarantined of a province's 1,091,150 are not
    "0.00%", which a reader takes for none), as :func:`pval` never writes ``0.000``.

    >>> pct(0.83), pct(17 / 1_091_150, 2), pct(0, 2), pct(0.00004)
    ('83.0%', '< 0.01%', '0.00%', '< 0.1%')
    """
    if is_missing(x):
        return MISSING
    v = float(x) * 100
    if 0 < v and round(v, digits) == 0:
        return "< " + number(10.0 ** -digits, digits) + "%"
    return number(v, digits) + "%"


def rate(x: Any) -> str:
    """An interest rate or a rate discount of a schedule as banks quote them: two decimals, a
    third only when the value has one (``5.00%``, ``0.10%``, ``0.035%``). One value reads one
    way wherever a page states it (the schedule in force, a recommended one); statistical
    estimates of a discount keep :func:`pct` with the decimals their precision warrants.

    >>> rate(0.001), rate(0.00035), rate(0.05), rate(0)
    ('0.10%', '0.035%', '5.00%', '0.00%')
    """
    if is_missing(x):
        return MISSING
    return pct(x, exact_digits(float(x) * 100, least=2, most=3))


def pval(p: Any) -> str:
    """A p-value: three decimals, ``< 0.001`` below that, never ``0.000``."""
    if is_missing(p):
        return MISSING
    return "< 0.001" if float(p) < 0.001 else number(p, 3)


def ci(low: Any, high: Any, kind: str = "num3") -> str:
    """A confidence interval ``[low, high]`` in the given kind."""
    return f"[{cell(low, kind)}, {cell(high, kind)}]"


def join(items: Any, lang: str | None = None, *, limit: int | None = None) -> str:
    """Items as a list in the run's language: ``坳榕村、寨竹村`` in Chinese, ``a, b`` in English;
    with ``limit``, the first ``limit`` and how many more (a province flags hundreds of villages
    where a sample flags three: the sentence names the first and counts the rest).

    Examples
    --------
    >>> join(["0-100", "300-400"], "en")
    '0-100, 300-400'
    >>> join(["甲村", "乙村", "丙村"], "zh-CN", limit=2), join(["a", "b", "c"], "en", limit=2)
    ('甲村、乙村等 3 个', 'a, b and 1 more')
    """
    items = [str(i) for i in items]
    en = (lang or get_lang()) == "en"
    sep = ", " if en else "、"
    if limit is None or len(items) <= limit:
        return sep.join(items)
    head = sep.join(items[:limit])
    return f"{head} and {count(len(items) - limit)} more" if en else f"{head}等 {count(len(items))} 个"


def _date(x: Any) -> str:
    if isinstance(x, (pd.Timestamp, _dt.date)):
        return pd.Timestamp(x).strftime("%Y-%m-%d")
    return str(x)


def cell(x: Any, kind: str | None) -> str:
    """One value formatted by its display kind (see :data:`KINDS`); unknown kinds by type."""
    if is_missing(x):
        return MISSING
    if kind in ("yuan", "yuan_year"):
        return yuan(x, unit=False)
    if kind in ("wan", "wan_year"):
        return wan(x, unit=False)
    if kind == "rate":
        return rate(x)
    if kind and kind.startswith("pct"):
        return pct(x, int(kind[3:]))
    if kind and kind.startswith("num"):
        return number(x, int(kind[3:]))
    if kind == "p":
        return pval(x)
    if kind == "int":
        return count(x)
    if kind == "bool" or isinstance(x, (bool, np.bool_)):
        return t("value.yes") if bool(x) else t("value.no")
    if kind == "date":
        return _date(x)
    if isinstance(x, (int, np.integer)):
        return count(x)
    if isinstance(x, (float, np.floating)):
        return count(x) if math.isfinite(x) and float(x).is_integer() and abs(x) >= 1000 else number(x, 3)
    if isinstance(x, (pd.Timestamp, _dt.date)):
        return _date(x)
    from calib.report.labels import value_label

    return str(value_label(x))
