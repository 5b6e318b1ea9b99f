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


def compare(num, den, op: str, p, q) -> np.ndarray:
    """Verdict strings for ``num/den  op  p/q`` decided in integers; den == 0 -> 'no data'."""
    num = np.asarray(num, dtype=object)
    den = np.asarray(den, dtype=object)
    valid = np.array([d > 0 for d in den], dtype=bool)
    ok = np.asarray(OPS[op](num * q, p * den), dtype=bool)
    return np.where(~valid, "no data", np.where(ok, "pass", "fail"))


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` as floats, NaN where ``den`` is 0."""
    den_f = den.astype(float)
    return (num.astype(float) / den_f).where(den_f > 0)
