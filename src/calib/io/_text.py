"""Small vectorised text helpers shared by the reader, the parsers and the checks."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["isin", "nfkc"]


def isin(values: pd.Series, allowed) -> np.ndarray:
    """Vectorised membership (pandas 3's ``isin`` on Arrow strings loops in Python)."""
    if isinstance(allowed, (set, frozenset)):
        allowed = sorted(allowed)
    if not isinstance(allowed, (pd.Series, pd.Index)):
        allowed = list(allowed)
    idx = pd.Index(pd.unique(pd.Series(allowed, dtype=object).dropna()))
    return idx.get_indexer(values.astype(object)) >= 0


def nfkc(values: pd.Series) -> pd.Series:
    """NFKC-normalise and strip text; only non-ASCII cells need the (per-element) normalisation."""
    s = values.astype("string")
    wide = (~s.str.isascii()).fillna(False).to_numpy()
    if wide.any():
        s = s.copy()
        s[wide] = s[wide].str.normalize("NFKC")
    return s.str.strip()
