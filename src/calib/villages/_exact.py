"""Exact arithmetic of verdicts: rates as ratios of integers, thresholds as fractions."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from calib.villages.rules import OPS


def frac(x: float) -> Fraction:
    """Exact fraction of a threshold as written in decimal (0.55 -> 11/20)."""
    return Fraction(repr(float(x)))


def ints(s: pd.Series | np.ndarray) -> np.ndarray:
    """Object array of Python ints (arbitrary precision)."""
    a = np.asarray(s, dtype=np.int64)
    return np.array([int(v) for v in a], dtype=object) if a.size else np.array([], dtype=object)


def cents(amount: pd.Series) -> pd.Series:
    """Amounts in yuan as integer cents."""
    return pd.Series(np.rint(amount.to_numpy(dtype=float) * 100.0),
                     index=amount.index).astype(np.int64)


_SAFE = 2 ** 62


def _as_int64(x: np.ndarray) -> np.ndarray | None:
    """``x`` (integers) as int64 when every value fits, else None."""
    if x.dtype.kind in "iu":
        return x.astype(np.int64, copy=False) if (x.dtype.kind == "i" or not x.size
                                                   or int(x.max()) < _SAFE) else None
    try:
        return x.astype(np.int64) if all(abs(int(v)) < _SAFE for v in (x.min(), x.max())) \
            else None
    except (TypeError, ValueError, OverflowError):
        return None


def compare(num, den, op: str, p, q) -> np.ndarray:
    """Verdict strings for ``num/den  op  p/q`` decided in integers; den == 0 -> 'no data'.

    In int64 when no product can overflow (``|num| * q`` and ``|p| * den`` below 2**62),
    else in Python integers (arbitrary precision): exact either way.
    """
    num, den = np.asarray(num), np.asarray(den)
    n64, d64 = (_as_int64(num), _as_int64(den)) if num.size else (None, None)
    p, q = int(p), int(q)
    if n64 is not None and d64 is not None and (
            max(abs(int(n64.min())), abs(int(n64.max()))) * abs(q) < _SAFE
            and abs(p) * max(abs(int(d64.min())), abs(int(d64.max()))) < _SAFE):
        valid = d64 > 0
        ok = np.asarray(OPS[op](n64 * np.int64(q), np.int64(p) * d64), dtype=bool)
    else:
        num, den = num.astype(object), den.astype(object)
        valid = np.array([d > 0 for d in den], dtype=bool)
        ok = np.asarray(OPS[op](num * q, p * den), dtype=bool)
    return np.where(~valid, "no data", np.where(ok, "pass", "fail"))


def exact_verdicts(num, den, op: str, value: float) -> np.ndarray:
    """Verdicts of the rule ``num / den  op  value`` decided exactly in integers.

    Parameters
    ----------
    num, den : array-like of int
        Counts, or amounts in integer cents (:func:`cents`).
    op : {">", ">=", "<", "<="}
        The rule's operator.
    value : float
        The threshold as the parameters write it (``0.55`` is read as 11/20, :func:`frac`).

    Returns
    -------
    numpy.ndarray of str
        ``"pass"``, ``"fail"``, or ``"no data"`` where ``den`` is 0.

    Examples
    --------
    >>> exact_verdicts([11, 110, 3], [20, 200, 0], ">", 0.55).tolist()
    ['fail', 'fail', 'no data']
    """
    f = frac(value)
    return compare(num, den, op, f.numerator, f.denominator)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` as floats, NaN where ``den`` is 0."""
    den_f = den.astype(float)
    return (num.astype(float) / den_f).where(den_f > 0)
