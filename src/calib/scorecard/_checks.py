"""Input checks shared by the validation tests (outcomes, scores, PDs)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError


def _as_binary(y: Any, name: str = "y") -> np.ndarray:
    arr = pd.Series(y).to_numpy(dtype=float, na_value=np.nan) if not isinstance(y, np.ndarray) \
        else np.asarray(y, dtype=float)
    arr = np.ravel(arr)
    if np.isnan(arr).any():
        raise CalibInputError(
            f"{name}: {int(np.isnan(arr).sum())} missing outcome(s); pass only households with "
            "an observed outcome (0/1)"
        )
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        raise CalibInputError(f"{name}: values must be 0/1, got {arr[bad][0]!r}")
    return arr


def _as_float(x: Any, name: str, n: int | None = None) -> np.ndarray:
    try:
        arr = np.ravel(pd.Series(x).to_numpy(dtype=float, na_value=np.nan)
                       if not isinstance(x, np.ndarray) else np.asarray(x, dtype=float))
    except (TypeError, ValueError) as exc:
        raise CalibInputError(f"{name}: not numeric ({exc})") from None
    if np.isnan(arr).any():
        raise CalibInputError(f"{name}: {int(np.isnan(arr).sum())} missing value(s)")
    if n is not None and arr.shape[0] != n:
        raise CalibInputError(f"{name}: length {arr.shape[0]} differs from y's length {n}")
    return arr


def _check_pd(p: np.ndarray, name: str = "pd") -> None:
    if ((p < 0) | (p > 1)).any():
        raise CalibInputError(f"{name}: probabilities must lie in [0, 1], got "
                              f"{p[(p < 0) | (p > 1)][0]!r}")
