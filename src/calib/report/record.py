"""Headline figures, conclusions and titles a notebook leaves in its outputs.

A notebook records each headline figure with :func:`record`; the report runner collects them
from the executed notebook into the bundle's ``metrics.json`` (:func:`read_metrics`). The
conclusions block (:func:`calib.report.display.begin` shows a placeholder, :func:`conclude`
fills it) carries a one-line summary for the index (:func:`read_conclusion`), and the title
block carries the report's title in the run's language (:func:`read_title`).
"""
from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.masking import round_figures

__all__ = ["record", "record_all", "read_metrics", "format_metric", "conclude", "Finding", "read_conclusion", "read_conclusion_status",
           "read_title", "output_dir",
           "METRIC_MIME", "CONCLUSION_MIME", "TITLE_MIME"]

METRIC_MIME = "application/vnd.calib.metric+json"
CONCLUSION_MIME = "application/vnd.calib.conclusion+json"
TITLE_MIME = "application/vnd.calib.title+json"


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
        # at most 10 significant digits: a 16-digit fraction can read as a phone number to a
        # data-leak scan (calib.masking.round_figures)
        return None if math.isnan(v) or math.isinf(v) else float(round_figures([v])[0])
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is pd.NA or value is None:
        return None
    return value


def record(name: str, value: Any, *, label: str | None = None) -> None:
    """Record a headline figure in the notebook's output (collected into ``metrics.json``).

    Nothing is shown on the page: headline figures reach the reader through the conclusions
    block and the index, worded from the label catalogue (:mod:`calib.report.labels`).

    Parameters
    ----------
    name : str
        Metric key, snake_case (e.g. ``"rows_quarantined"``).
    value : JSON-friendly value
        Number, text, bool, or a small list/dict of them.
    label : str, optional
        Wording for the index; by default the catalogue's name of the figure in the run's
        language (:func:`calib.report.labels.metric_label`: a threshold it states is worded now,
        from the threshold's home), else ``name``.
    """
    from IPython.display import display

    from calib.report.labels import metric_label

    v = _plain(value)
    lab = label or metric_label(name)
    display({METRIC_MIME: {"name": name, "value": v, "label": lab}, "text/html": ""}, raw=True,
            metadata={"calib": {"name": name}})


def record_all(metrics: Mapping[str, Any]) -> None:
    """Record several headline figures, in the mapping's order (:func:`record` each).

    Parameters
    ----------
    metrics : mapping
        Metric key -> value; the order is the index's (it shows a report's first figures).
    """
    for name, value in metrics.items():
        record(name, value)


@dataclass
class Finding:
    """One decision of the conclusions block (all texts already in the reader's language).

    Attributes
    ----------
    decision : str
        The question decided ("数据是否可用").
    figure : str
        The figure it rests on, formatted (``fmt``).
    threshold : str
        The rule or threshold applied, with its source.
    verdict : str
        A coded verdict (``pass``, ``fail``, ``warn``, ``keep``, ``replace``, ...; shown in words).
    ci : str, optional
        The confidence interval of the figure, formatted; "—" where none applies.
    """

    decision: str
    figure: str
    threshold: str
    verdict: str
    ci: str | None = None


_RANK = {"fail": 3, "warn": 2, "na": 1, "info": 0, "pass": 0, "": 0}


def conclude(findings: list[Finding], summary: str) -> None:
    """Fill the conclusions block that :func:`calib.report.display.begin` placed under the title.

    Parameters
    ----------
    findings : list of Finding
        The decisions the report supports, each with figure, CI, threshold and verdict.
    summary : str
        One line for the index (the report's conclusion in the reader's language).
    """
    from IPython.display import display, update_display

    from calib.report import display as D
    from calib.report.labels import t, value_label

    frame = pd.DataFrame({
        "decision": [f.decision for f in findings], "figure": [f.figure for f in findings],
        "ci": [f.ci or D.fmt.MISSING for f in findings], "threshold": [f.threshold for f in findings],
        "verdict": [f.verdict for f in findings]})
    tab = D.table(frame, max_rows=None, missing={"ci": t("note.no_ci")})
    status = max((D.VERDICT_CLASS.get(f.verdict, "info") for f in findings), key=_RANK.get, default="info")
    import html as _html

    body = (f"<section id=\"{D.CONCLUSIONS_ID}\"><h2>{_html.escape(t('conclusions.title'))}</h2>"
            f"<p><b>{_html.escape(summary)}</b></p>{tab._repr_html_()}</section>")
    plain = "\n".join([summary] + [f"{f.decision}: {f.figure} ({value_label(f.verdict)})" for f in findings])
    data = {"text/html": body, "text/plain": plain,
            CONCLUSION_MIME: {"summary": summary, "status": status, "findings": [vars(f) for f in findings]}}
    if D._STATE["begun"]:
        update_display(data, raw=True, display_id=D._DISPLAY_ID)
    else:  # no placeholder under the title (begin was not called): show the block here
        display(data, raw=True)


def _read(notebook: str | Path | Any) -> Any:
    import nbformat

    return nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook


def _payloads(notebook: str | Path | Any, mime: str) -> list[dict[str, Any]]:
    out = []
    for cell in _read(notebook).cells:
        for o in cell.get("outputs", []):
            d = o.get("data", {}).get(mime)
            if d is not None:
                out.append(json.loads(d) if isinstance(d, str) else dict(d))
    return out


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
    out: dict[str, Any] = {}
    for d in _payloads(notebook, METRIC_MIME):
        out[d["name"]] = d.get("label", d["name"]) if labels else d["value"]
    return out


def read_conclusion(notebook: str | Path | Any) -> str | None:
    """The one-line conclusion of an executed report, for the index (``None`` when absent).

    Parameters
    ----------
    notebook : path or nbformat.NotebookNode
        An executed notebook whose conclusions block was filled by :func:`conclude`.
    """
    found = [d for d in _payloads(notebook, CONCLUSION_MIME) if d.get("summary")]
    return str(found[-1]["summary"]) if found else None


def read_conclusion_status(notebook: str | Path | Any) -> str | None:
    """The worst verdict class of the conclusions (``"pass"``, ``"warn"``, ``"fail"``, ``"info"``)."""
    found = [d for d in _payloads(notebook, CONCLUSION_MIME) if d.get("summary")]
    return str(found[-1].get("status")) if found else None


def format_metric(name: str, value: Any) -> str:
    """A recorded figure as the index shows it: by the metric's kind in the catalogue, in the
    run's language (``18,189.50 万元``, ``83.0%``, ``< 0.001``; never scientific notation)."""
    from calib.report import fmt
    from calib.report.labels import metric_kind

    kind = metric_kind(name)
    if kind == "text":
        return fmt.cell(value, None)
    if kind == "wan":
        return fmt.wan(value)
    if kind == "yuan":
        return fmt.yuan(value)
    return fmt.cell(value, kind)


def read_title(notebook: str | Path | Any) -> str | None:
    """The report's title in the run's language, as shown by :func:`calib.report.display.begin`."""
    found = _payloads(notebook, TITLE_MIME)
    return str(found[-1]["title"]) if found else None


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
