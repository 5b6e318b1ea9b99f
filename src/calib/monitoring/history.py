"""The run history as the monitoring report reads it: one row per run and figure.

The history is written by ``calib run`` (``calib.report.history``); this module only reads it
through the seam ``read_history(db) -> DataFrame`` with columns ``run_id, as_of, started_utc,
status, params_sha256, notebook, metric, value`` and arranges it per run.
"""
from __future__ import annotations

import os

import pandas as pd

from calib.errors import CalibInputError

__all__ = ["COLUMNS", "BACKFILL_NOTEBOOK", "read_history", "run_figures", "history_module"]

COLUMNS = ["run_id", "as_of", "started_utc", "status", "params_sha256", "notebook", "metric",
           "value"]
#: Pseudo-notebook whose rows mark a run as backfilled (generated snapshot), not a figure.
BACKFILL_NOTEBOOK = "backfill"


def history_module():
    """The module that writes and reads the run history, or None when it is not installed."""
    for name in ("calib.report.history", "calib.reporting.history"):
        try:
            return __import__(name, fromlist=["read_history"])
        except ImportError:
            continue
    return None


def read_history(db: str | None = None, *, missing_ok: bool = True) -> pd.DataFrame:
    """Every recorded run's figures (the seam ``calib.report.history.read_history``).

    Parameters
    ----------
    db : str, optional
        SQLAlchemy URL or SQLite file (default ``reports/history.sqlite`` of the project).
        Inside ``calib run`` the history the run records to wins (``CALIB_HISTORY``, set by
        the runner), so report 07 shows the same history as ``calib history``.
    missing_ok : bool
        When the history module is not installed, return an empty frame instead of raising.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`.
    """
    mod = history_module()
    if mod is None:
        if missing_ok:
            return pd.DataFrame(columns=COLUMNS)
        raise CalibInputError("run history: calib.report.history is not installed")
    run_db = os.environ.get(getattr(mod, "HISTORY_ENV", "CALIB_HISTORY"))
    frame = mod.read_history(run_db or db)
    current = _current_run(getattr(mod, "RUN_FIGURES_ENV", "CALIB_RUN_FIGURES"))
    if current is None:
        return frame
    frame = frame.loc[~frame["run_id"].isin(current["run_id"].unique())]
    out = pd.concat([frame, current], ignore_index=True) if len(frame) else current
    out["metric"] = out["metric"].astype(object).where(out["metric"].notna(), None)  # as the history gives it
    return out


def _current_run(env: str) -> pd.DataFrame | None:
    """Inside ``calib run``: this run's figures so far (the other reports of the run, which
    ran first), from the file the runner names in the variable ``env``; None elsewhere."""
    import json

    path = os.environ.get(env)
    if not path or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        rows = json.load(fh)
    return pd.DataFrame(rows, columns=COLUMNS) if rows else None


def run_figures(history: pd.DataFrame) -> pd.DataFrame:
    """One row per as_of date: the latest run recorded for it, its figures as columns.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`read_history`.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``as_of``; columns ``as_of`` (Timestamp), ``run_id``, ``started_utc``,
        ``backfilled`` (bool: the run evaluated a generated snapshot) and one column
        ``"<notebook>.<metric>"`` per figure (object: numbers, text, dicts as recorded; None
        when a run did not record it). When an ``as_of`` was evaluated more than once, the run
        started last stands for it.
    """
    missing = set(COLUMNS) - set(history.columns)
    if missing:
        raise CalibInputError(f"history: missing column(s) {', '.join(sorted(missing))}")
    h = history.loc[history["metric"].notna()].copy()
    if h.empty:
        return pd.DataFrame(columns=["as_of", "run_id", "started_utc", "backfilled"])
    runs = (h.sort_values(["started_utc", "run_id"], kind="stable")
            .drop_duplicates("run_id", keep="last")[["run_id", "as_of", "started_utc"]])
    runs = runs.drop_duplicates("as_of", keep="last")
    h = h.loc[h["run_id"].isin(runs["run_id"])]
    marked = set(h.loc[h["notebook"] == BACKFILL_NOTEBOOK, "run_id"])
    figs = h.loc[h["notebook"] != BACKFILL_NOTEBOOK]
    key = figs["notebook"].astype(str) + "." + figs["metric"].astype(str)
    wide = pd.DataFrame({"run_id": figs["run_id"].to_numpy(), "key": key.to_numpy(),
                         "value": figs["value"].to_numpy()})
    wide = wide.drop_duplicates(["run_id", "key"], keep="last").pivot(
        index="run_id", columns="key", values="value")
    out = runs.set_index("run_id").join(wide).reset_index()
    out["as_of"] = pd.to_datetime(out["as_of"])
    out["backfilled"] = out["run_id"].isin(marked)
    front = ["as_of", "run_id", "started_utc", "backfilled"]
    out = out[front + [c for c in out.columns if c not in front]]
    return out.sort_values("as_of", kind="stable").reset_index(drop=True)
