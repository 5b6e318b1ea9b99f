"""Column and value checks shared by the pricing modules (messages name table, column, row)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.errors import CalibInputError


def _check_columns(frame: pd.DataFrame, cols: Sequence[str], table: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise CalibInputError(f"{table}: missing column(s) {', '.join(missing)}")


def _default_array(frame: pd.DataFrame) -> np.ndarray:
    """The ``default`` column as 0.0/1.0, raising on anything else (naming the row)."""
    _check_columns(frame, ["default"], "loans")
    d = pd.to_numeric(frame["default"], errors="coerce")
    bad = d.isna() | ~d.isin([0, 1])
    if bad.any():
        i = frame.index[bad.to_numpy()][0]
        raise CalibInputError(
            f"loans: column 'default' must be 0/1, got {frame['default'].loc[i]!r} at index {i!r}"
        )
    return d.to_numpy(dtype=float)


def _drawn_array(frame: pd.DataFrame) -> np.ndarray:
    """The ``drawn_amount`` column (yuan, >= 0), raising on a blank or negative value."""
    _check_columns(frame, ["household_id", "drawn_amount"], "loans")
    drawn = pd.to_numeric(frame["drawn_amount"], errors="coerce")
    if drawn.isna().any() or (drawn < 0).any():
        i = frame.index[(drawn.isna() | (drawn < 0)).to_numpy()][0]
        raise CalibInputError(
            f"loans: column 'drawn_amount' must be a number >= 0, got "
            f"{frame['drawn_amount'].loc[i]!r} at index {i!r}"
        )
    return drawn.to_numpy(dtype=float)
