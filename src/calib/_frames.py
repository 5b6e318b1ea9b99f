"""Small helpers shared by the table-building modules: required columns, group levels, the grid.

:func:`levels` gives integer group codes for ``bincount``-style aggregation of an ``overall`` row
followed by one row per group (village, township, ...); :func:`stack_levels` assembles the rows.
:func:`require_columns` gives every missing-column error the same wording, and :func:`to_grid`
rounds amounts to the limit grid.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["levels", "stack_levels", "require_columns", "to_grid"]


def require_columns(frame: pd.DataFrame, columns: Iterable[str], table: str, hint: str = "") -> None:
    """Raise :class:`CalibInputError` ``"<table>: missing column(s) a, b"`` when any is absent.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to check.
    columns : iterable of str
        Required column names.
    table : str
        Name of the table for the message (``reviews``, ``comparison``, ...).
    hint : str
        Appended to the message in parentheses (e.g. ``"use compare_limits"``).
    """
    if not isinstance(frame, pd.DataFrame):
        raise CalibInputError(f"{table} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        tail = f" ({hint})" if hint else ""
        raise CalibInputError(f"{table}: missing column(s) {', '.join(map(str, missing))}{tail}")


def to_grid(x: np.ndarray, grid: float, cap: float | None) -> np.ndarray:
    """Cap, then round to the nearest multiple of ``grid``; a positive amount never rounds to 0.

    The result stays on the grid: with a cap that is not a multiple of ``grid`` the largest
    amount is the grid point below the cap (the cap itself when it is below one grid step).
    """
    x = np.asarray(x, float)
    if cap is not None:
        x = np.minimum(x, cap)
    out = np.round(x / grid) * grid
    out = np.where((x > 0) & (out <= 0), grid, out)
    if cap is not None:
        out = np.minimum(out, np.floor(cap / grid) * grid if cap >= grid else cap)
    return out


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
