"""Tables with an ``overall`` row followed by one row per group (village, township, ...).

Several summaries (consensus status, consensus shifts, exposure by village) report the same
figures for the whole programme and for each group. :func:`levels` gives the integer group codes
for ``bincount``-style aggregation; :func:`stack_levels` assembles the rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["levels", "stack_levels"]


def levels(frame: pd.DataFrame, by: str | None, *, name: str) -> list[tuple[str, np.ndarray, int, pd.Index]]:
    """Group codes for the ``overall`` level and, when ``by`` is given, for each value of ``by``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to aggregate.
    by : str, optional
        Column to group by.
    name : str
        Name of the input, for error messages.

    Returns
    -------
    list of (level, codes, n_groups, labels)
        ``codes`` is an int64 array (one per row) of group numbers ``0 .. n_groups-1``.

    Raises
    ------
    CalibInputError
        When ``by`` is not a column of ``frame`` or is blank for some rows.
    """
    out = [("overall", np.zeros(len(frame), np.int64), 1, pd.Index(["overall"]))]
    if by is not None:
        if by not in frame.columns:
            raise CalibInputError(f"{name}: no column {by!r} to group by")
        codes, labels = pd.factorize(frame[by], sort=True)
        if (codes < 0).any():
            raise CalibInputError(f"{name}: column {by!r} is blank for some households")
        out.append((by, codes.astype(np.int64), len(labels), pd.Index(labels)))
    return out


def stack_levels(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-level frames (each with ``level`` and ``group`` columns) into one table."""
    out = pd.concat(rows, ignore_index=True)
    out["level"] = out["level"].astype("str")
    out["group"] = out["group"].astype("str")
    return out
