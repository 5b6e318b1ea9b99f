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

__all__ = ["levels", "stack_levels", "require_columns", "to_grid", "isin", "positions"]


def _arrow_text(x):
    """The text of a pandas Series or Index as one Arrow array: its own buffers when it is
    stored in Arrow, else converted from its Python strings (missing values null)."""
    import pyarrow as pa

    if isinstance(x.dtype, pd.StringDtype) and x.dtype.storage == "pyarrow":
        a = pa.array(x.array)
    else:
        a = pa.array(np.asarray(x, dtype=object), type=pa.large_string(), from_pandas=True)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def isin(values, allowed) -> np.ndarray:
    """``values.isin(allowed)`` as a numpy bool array, vectorised for text keys.

    pandas 3 builds one Arrow scalar in Python for every element of ``allowed`` when ``values``
    holds Arrow strings (about 10 us each: 41 s for a 1M-household programme's 4.2M reviews'
    household numbers); here Arrow's ``is_in`` gets the distinct values of ``allowed`` at once.
    Same answer as pandas: a missing value is in ``allowed`` when ``allowed`` holds one. The one
    membership test of the package: the loader's word lists (yes/no words, total rows) call it
    on its Arrow text directly.

    Parameters
    ----------
    values : pandas.Series, pandas.Index, pyarrow string array or array-like
    allowed : pandas.Series, pandas.Index or array-like (a set of words, a list, ...)

    Returns
    -------
    numpy.ndarray of bool, one per element of ``values``
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.Array | pa.ChunkedArray):  # the loader's text, already Arrow
        a, key_dtype = values, pd.StringDtype("pyarrow")
        if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)):
            raise TypeError(f"isin: Arrow values must be text, not {a.type}")
    else:
        v = values if isinstance(values, pd.Series | pd.Index) else pd.Series(values)
        if not (isinstance(v.dtype, pd.StringDtype) and v.dtype.storage == "pyarrow"):
            return np.asarray(v.isin(allowed), dtype=bool)
        a, key_dtype = _arrow_text(v), v.dtype
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    if not isinstance(allowed, pd.Series | pd.Index):
        allowed = pd.Series(list(allowed) if not isinstance(allowed, np.ndarray) else allowed, dtype=object)
    if pd.api.types.infer_dtype(allowed, skipna=True) not in ("string", "empty"):
        if isinstance(values, pa.Array | pa.ChunkedArray):  # numbers are not text: pandas decides
            return np.asarray(pd.Series(pd.arrays.ArrowStringArray(a.cast(pa.large_string()))).isin(allowed),
                              dtype=bool)
        return np.asarray(v.isin(allowed), dtype=bool)
    keys = pc.unique(_arrow_text(pd.Series(allowed, copy=False).astype(key_dtype))).cast(a.type)
    has_na = keys.null_count > 0
    found = pc.is_in(a, value_set=keys.drop_null(), skip_nulls=True)
    out = np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
    if has_na and a.null_count:
        out |= ~np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return out


def positions(values, index: pd.Index, *, unique: bool = False) -> np.ndarray:
    """The position in ``index`` of each of ``values``, -1 where it is not there (a missing
    value included): ``index.get_indexer(values)``, vectorised for text keys.

    pandas hashes text keys as Python objects (about 1 us a key: seconds for a province's
    reviews and loans against its households, every time a table is aligned); here Arrow's
    ``index_in`` matches the Arrow text of both at once. Keys that are not all text are left
    to pandas. The one way household-keyed tables are aligned on the roster's households
    (:func:`calib.households.household_frame`).

    Parameters
    ----------
    values : pandas.Series, pandas.Index or array-like
        Keys to look up (household numbers of reviews, loans, ...).
    index : pandas.Index
        Unique keys (the roster's households); ValueError when a key repeats.
    unique : bool
        True when the caller made ``index`` unique (a group-by's keys): not checked then (the
        check costs about half the lookup of a province's households).

    Returns
    -------
    numpy.ndarray of int64, one per element of ``values``
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    v = values if isinstance(values, pd.Series | pd.Index) else pd.Series(values)
    text = {"string", "empty"}
    if (pd.api.types.infer_dtype(v, skipna=True) not in text
            or pd.api.types.infer_dtype(index, skipna=True) not in text):
        return np.asarray(index.get_indexer(v), dtype=np.int64)  # raises on a repeated key

    keys = _arrow_text(index).cast(pa.large_string()).drop_null()
    if not unique and pc.count_distinct(keys).as_py() != len(keys):
        raise ValueError("positions: the index must be unique")
    found = pc.index_in(_arrow_text(v).cast(pa.large_string()), value_set=keys, skip_nulls=True)
    return np.asarray(pc.fill_null(found.cast(pa.int64()), -1).to_numpy(zero_copy_only=False), dtype=np.int64)


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
