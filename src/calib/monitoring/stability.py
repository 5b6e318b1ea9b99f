"""Population and characteristic stability indices (PSI, CSI)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["psi", "csi"]


def psi(base: Mapping[str, float] | pd.Series, current: Mapping[str, float] | pd.Series, *,
        floor: float = 1e-4) -> float:
    """Population stability index of two distributions over the same bins.

    ``PSI = sum_i (c_i - b_i) * ln(c_i / b_i)`` over the bins' shares (each distribution is
    normalised to sum 1; a bin missing from one side has share 0 there). Shares below
    ``floor`` are raised to it so that an empty bin gives a large but finite term.

    Parameters
    ----------
    base, current : mapping or Series
        Bin label to count or share.
    floor : float
        Smallest share used in the logarithm.

    Returns
    -------
    float
        0 for identical distributions; usual reading: below 0.10 stable, 0.10-0.25 some
        shift, above 0.25 a major shift.
    """
    b = pd.Series(dict(base), dtype=float)
    c = pd.Series(dict(current), dtype=float)
    if (b < 0).any() or (c < 0).any():
        raise CalibInputError("psi: negative count or share")
    if b.sum() <= 0 or c.sum() <= 0:
        raise CalibInputError("psi: an empty distribution")
    bins = b.index.union(c.index)
    b = (b.reindex(bins, fill_value=0) / b.sum()).clip(lower=floor).to_numpy()
    c = (c.reindex(bins, fill_value=0) / c.sum()).clip(lower=floor).to_numpy()
    return float(np.sum((c - b) * np.log(c / b)))


def csi(base: Mapping[str, Mapping[str, float]],
        current: Mapping[str, Mapping[str, float]]) -> pd.Series:
    """Characteristic stability index: :func:`psi` of each characteristic's bins.

    Parameters
    ----------
    base, current : mapping
        Characteristic -> (bin -> count or share).

    Returns
    -------
    pandas.Series
        Index: the characteristics present in both; values: their PSI.
    """
    common = [k for k in base if k in current]
    return pd.Series({k: psi(base[k], current[k]) for k in common}, dtype=float, name="csi")
