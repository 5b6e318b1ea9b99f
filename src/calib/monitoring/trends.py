"""Trends over as-of dates with a traffic light per indicator and date."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibParamsError
from calib.monitoring.history import run_figures
from calib.monitoring.rules import INDICATORS, Light, MonitoringRules, validate_monitoring
from calib.monitoring.stability import csi, psi

__all__ = ["indicators", "grade_calibration_table", "SOURCES", "light", "points_table", "headline"]

SC, CM, VI = "04_scorecard_calibration", "03_consensus_vs_model", "06_credit_villages"
#: Figures of metrics.json each indicator is computed from (distribution figures first; the
#: recorded fallback after it).
SOURCES = {
    "auc_oos": [f"{SC}.auc_calibrated_cv"],
    "ks": [f"{SC}.ks_calibrated_cv"],  # out of fold, as the AUC: a light is a decision
    # the card in use (fixed weights and cutoffs) first: its PSI compares populations; the
    # recalibrated card's (refitted by every run) only for histories recorded before it
    "psi": [f"{SC}.current_score_distribution", f"{SC}.current_grade_distribution",
            f"{SC}.score_distribution", f"{SC}.grade_distribution", f"{SC}.psi_score"],
    "csi_max": [f"{SC}.characteristic_distributions"],
    # report 04's per-grade traffic light: the binomial confidence that a grade's PD is too low
    "grade_backtest": [f"{SC}.grade_confidence"],
    "consensus_model_gap": [f"{CM}.ba_bias_ratio"],
    "investigations": [f"{CM}.households_to_investigate"],
    "credit_villages": [f"{VI}.credit_villages"],
}


def light(value: float, rule: Light) -> str:
    """``"green"``, ``"amber"``, ``"red"`` (or ``"none"`` without a value) for ``value``.

    A threshold belongs to the better light when higher is better (green from ``green`` up) and
    to the worse one when lower is better (green below ``green``): report 04's grade traffic light
    (green below 95% confidence, red from 99.9%) and the usual PSI bands (stable below 0.10,
    shifted from 0.25) read so, and the monitoring lights agree with them at the boundary."""
    if value is None or not np.isfinite(value):
        return "none"
    if rule.higher_is_better:
        return "green" if value >= rule.green else ("amber" if value >= rule.amber else "red")
    return "green" if value < rule.green else ("amber" if value < rule.amber else "red")


def _get(row: pd.Series, key: str):
    v = row.get(key) if key in row.index else None
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


#: Per-grade figures of report 04 (observed default rate, calibrated PD).
GRADE_FIGURES = (f"{SC}.grade_default_rates", f"{SC}.grade_pds")


def _grade_confidence(row: pd.Series) -> tuple[float, str]:
    """The largest confidence over the grades, and its grade."""
    conf = _get(row, SOURCES["grade_backtest"][0])
    if not isinstance(conf, Mapping):
        return float("nan"), ""
    got = [(float(v), str(g)) for g, v in conf.items() if v is not None]
    return max(got) if got else (float("nan"), "")


def _value(ind: str, row: pd.Series, base: pd.Series) -> tuple[float, str, str]:
    """(value, source figure, detail: the characteristic or grade a largest-of indicator is
    taken from, else "") of one indicator for one run."""
    if ind == "psi":
        *dists, rec = SOURCES["psi"]
        for dist in dists:
            if isinstance(_get(row, dist), Mapping) and isinstance(_get(base, dist), Mapping):
                return psi(_get(base, dist), _get(row, dist)), f"{dist} (against the base run)", ""
        return _num(_get(row, rec)), f"{rec} (as recorded by the run)", ""
    if ind == "csi_max":
        key = SOURCES["csi_max"][0]
        b, c = _get(base, key), _get(row, key)
        if isinstance(b, Mapping) and isinstance(c, Mapping):
            s = csi(b, c)
            if not len(s):
                return float("nan"), f"{key} (against the base run)", ""
            return float(s.max()), f"{key} (against the base run)", str(s.idxmax())
        return float("nan"), f"{key} (not recorded)", ""
    if ind == "grade_backtest":
        v, grade = _grade_confidence(row)
        return v, SOURCES[ind][0] + ("" if v == v else " (not recorded)"), grade
    if ind == "consensus_model_gap":
        return abs(_num(_get(row, SOURCES[ind][0])) - 1.0), f"|{SOURCES[ind][0]} - 1|", ""
    return _num(_get(row, SOURCES[ind][0])), SOURCES[ind][0], ""


def _base_row(runs: pd.DataFrame, base: str) -> pd.Series:
    if base == "first":
        return runs.iloc[0]
    hit = runs.loc[(runs["run_id"] == base) | (runs["as_of"].astype(str).str[:10] == base)]
    if hit.empty:
        raise CalibParamsError(f"monitoring.base: no recorded run with id or as_of {base!r}")
    return hit.iloc[-1]


def _compared_with_base(rules: MonitoringRules) -> tuple[str, ...]:
    """The indicators judged against the base run: PSI, CSI and the relative rules."""
    return ("psi", "csi_max", *(n for n in INDICATORS if getattr(rules, n).relative))


def indicators(history: pd.DataFrame,
               rules: Mapping[str, Any] | MonitoringRules | None = None) -> pd.DataFrame:
    """Every indicator at every as-of date, with its traffic light.

    Parameters
    ----------
    history : pandas.DataFrame
        The run history (:func:`calib.monitoring.read_history`).
    rules : mapping or MonitoringRules, optional
        The ``monitoring`` block (thresholds and the base run).

    Returns
    -------
    pandas.DataFrame
        One row per as_of and indicator (:data:`~calib.monitoring.rules.INDICATORS` order):
        ``as_of``, ``run_id``, ``backfilled`` (bool), ``indicator``, ``value`` (the figure),
        ``base_value`` (the base run's), ``judged`` (what the light judges: ``value``, or
        ``value / base_value`` for relative rules), ``light`` (green / amber / red / none, or
        ``base`` for a figure judged against the base run on the base run itself),
        ``source`` (the metrics.json figures used), ``detail`` (what a largest-of indicator is
        the largest of: the characteristic of ``csi_max``, the grade of ``grade_backtest``; ""
        otherwise), ``base_as_of`` and ``base_backfilled`` (the base run's as-of date and
        whether it is a backfilled snapshot rather than an evaluation: what PSI, CSI and the
        relative indicators are compared with). Empty when no run was recorded.

    Notes
    -----
    PSI and CSI compare a run's recorded score and characteristic distributions with the
    base run's (:func:`~calib.monitoring.psi`). The PSI is that of the bank's current card
    (``current_score_distribution``: fixed weights, fixed bands, so it compares populations);
    when the run or the base recorded none, that of the recalibrated card's scores, which
    every run refits; runs that recorded no distribution show the PSI they recorded
    themselves (``psi_score``) and no CSI.
    """
    r = validate_monitoring(rules)
    runs = run_figures(history)
    cols = ["as_of", "run_id", "backfilled", "indicator", "value", "base_value", "judged",
            "light", "source", "detail", "base_as_of", "base_backfilled"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    base = _base_row(runs, r.base)
    on_base = _compared_with_base(r)
    rows = []
    for _, row in runs.iterrows():  # one row per as-of date: a handful
        for ind in INDICATORS:
            rule: Light = getattr(r, ind)
            v, src, detail = _value(ind, row, base)
            b, _, _ = _value(ind, base, base)
            judged = (v / b if b and np.isfinite(b) else float("nan")) if rule.relative else v
            # the base run against itself is no comparison: its light says "base", not green
            lit = "base" if ind in on_base and row["run_id"] == base["run_id"] and np.isfinite(v) else light(judged, rule)
            rows.append((row["as_of"], row["run_id"], bool(row["backfilled"]), ind, v, b, judged,
                         lit, src, detail, base["as_of"], bool(base["backfilled"])))
    out = pd.DataFrame(rows, columns=cols)
    for c in ("value", "base_value", "judged"):
        out[c] = out[c].astype(float)
    return out


def grade_calibration_table(history: pd.DataFrame) -> pd.DataFrame:
    """Observed default rate and calibrated PD by grade at every as-of date.

    Returns
    -------
    pandas.DataFrame
        ``as_of``, ``backfilled``, ``grade``, ``observed_default_rate``, ``calibrated_pd``,
        ``grade_gap`` (observed - PD), ``pd_too_low_confidence`` (the binomial confidence that
        the PD is too low, NaN when the run did not record it); empty when the runs recorded no
        grade figures (``04_scorecard_calibration.grade_default_rates`` and ``.grade_pds``).
    """
    runs = run_figures(history)
    rows = []
    for _, row in runs.iterrows():
        obs, pds = (_get(row, k) for k in GRADE_FIGURES)
        conf = _get(row, SOURCES["grade_backtest"][0])
        conf = conf if isinstance(conf, Mapping) else {}
        if isinstance(obs, Mapping) and isinstance(pds, Mapping):
            for g in obs:
                o, p = _num(obs[g]), _num(pds.get(g))
                rows.append((row["as_of"], bool(row["backfilled"]), g, o, p, o - p,
                             _num(conf.get(g))))
    return pd.DataFrame(rows, columns=["as_of", "backfilled", "grade", "observed_default_rate",
                                       "calibrated_pd", "grade_gap", "pd_too_low_confidence"])


def points_table(history: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """The as-of dates on the page and where each comes from (backfilled or a real run).

    Returns
    -------
    pandas.DataFrame
        ``as_of`` (date text), ``run_id``, ``source`` (``backfilled_snapshot`` or
        ``evaluation_run``: coded values the display layer puts in words). ``lang`` is
        accepted for compatibility and unused.
    """
    runs = run_figures(history)
    return pd.DataFrame({"as_of": [str(pd.Timestamp(d).date()) for d in runs["as_of"]],
                         "run_id": runs["run_id"].astype(str).to_numpy(),
                         "source": ["backfilled_snapshot" if b else "evaluation_run" for b in runs["backfilled"]]})


def headline(ind: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of the monitoring report (for ``metrics.json``).

    Keys: ``points`` (as-of dates), ``points_backfilled``, ``latest_as_of``, ``latest_red``,
    ``latest_amber`` (indicators with that light at the latest date), ``latest_red_indicators``
    (their names, comma-separated).
    """
    if ind.empty:
        return {"points": 0, "points_backfilled": 0, "latest_as_of": None, "latest_red": 0,
                "latest_amber": 0, "latest_red_indicators": ""}
    pts = ind.drop_duplicates("as_of")
    last = ind.loc[ind["as_of"] == ind["as_of"].max()]
    return {"points": int(len(pts)), "points_backfilled": int(pts["backfilled"].sum()),
            "latest_as_of": str(pd.Timestamp(last["as_of"].iloc[0]).date()),
            "latest_red": int((last["light"] == "red").sum()),
            "latest_amber": int((last["light"] == "amber").sum()),
            "latest_red_indicators": ", ".join(last.loc[last["light"] == "red", "indicator"])}
