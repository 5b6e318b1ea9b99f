"""Helpers for report notebooks: headline figures, masked tables, side outputs.

A notebook records each headline figure with :func:`record`; the report runner collects them
from the executed notebook into the bundle's ``metrics.json`` (:func:`read_metrics`). Tables
shown to readers go through :func:`table`, which masks personal data and rounds for display.
"""
from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.masking import mask_frame

__all__ = ["record", "read_metrics", "table", "output_dir", "METRIC_MIME"]

METRIC_MIME = "application/vnd.calib.metric+json"


def _plain(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is pd.NA or value is None:
        return None
    return value


def record(name: str, value: Any, *, label: str | None = None) -> None:
    """Record a headline figure in the notebook's output (collected into ``metrics.json``).

    Parameters
    ----------
    name : str
        Metric key, snake_case (e.g. ``"rows_quarantined"``).
    value : JSON-friendly value
        Number, text, bool, or a small list/dict of them.
    label : str, optional
        Human wording shown in the report instead of the key.
    """
    from IPython.display import display

    v = _plain(value)
    shown = f"{label or name}: {v:,.4g}" if isinstance(v, float) else f"{label or name}: {v}"
    display({METRIC_MIME: {"name": name, "value": v, "label": label or name}, "text/plain": shown}, raw=True,
            metadata={"calib": {"name": name}})


def read_metrics(notebook: str | Path | Any, *, labels: bool = False) -> dict[str, Any]:
    """Collect the figures a notebook recorded with :func:`record`.

    Parameters
    ----------
    notebook : path or nbformat.NotebookNode
        An executed notebook.

    labels : bool
        Return the human label of each metric instead of its value.

    Returns
    -------
    dict
        Metric name to value (or label), in recording order (a later record of the same name
        wins).
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    out: dict[str, Any] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if METRIC_MIME in data:
                d = data[METRIC_MIME]
                if isinstance(d, str):
                    d = json.loads(d)
                out[d["name"]] = d.get("label", d["name"]) if labels else d["value"]
    return out


def table(frame: pd.DataFrame, *, digits: int = 3, max_rows: int | None = 30) -> pd.DataFrame:
    """A display copy of ``frame``: personal data masked, floats rounded, rows limited.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table.
    digits : int
        Decimal places kept for float columns.
    max_rows : int, optional
        Keep only the first ``max_rows`` rows (``None`` keeps all).

    Returns
    -------
    pandas.DataFrame
    """
    out = mask_frame(frame)
    if max_rows is not None:
        out = out.head(max_rows)
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(digits)
    return out


def output_dir(out_dir: str | Path | None) -> Path:
    """The folder for a notebook's side outputs (Excel lists, YAML files).

    In a report run this is the bundle; run interactively or under nbval (``out_dir=None``)
    it is a fresh temporary folder, so nothing is written into the repository.
    """
    if out_dir:
        p = Path(out_dir)
        p.mkdir(parents=True, exist_ok=True)
        return p
    return Path(tempfile.mkdtemp(prefix="calib-"))
