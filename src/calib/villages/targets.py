"""Programme targets (seed 001): coverage, usage and profiled villages against dated milestones;
and the headline figures of the villages report."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.errors import CalibInputError, CalibParamsError
from calib.programme import Programme
from calib.villages._exact import compare, frac, ints
from calib.villages.rules import QUALITATIVE_CRITERIA, validate_targets

__all__ = ["target_progress", "final_targets_met", "headline_metrics", "data_period", "profiled_villages"]


def data_period(programme: Programme) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First dated record (review, model run or loan start) and the programme's ``as_of``.

    Returns
    -------
    (Timestamp, Timestamp)
        The period the programme's data cover; milestones outside it cannot be measured.
    """
    dates = []
    for table, col in (("reviews", "review_date"), ("model_runs", "run_date"),
                       ("loans", "start_date")):
        df = getattr(programme, table, None)
        if df is not None and col in df and len(df):
            dates.append(pd.to_datetime(df[col]).min())
    last = pd.Timestamp(programme.as_of).normalize()
    first = min([d for d in dates if pd.notna(d)], default=last)
    return pd.Timestamp(first).normalize(), last


def profiled_villages(kpis: pd.DataFrame, at: float = 0.90) -> pd.Series:
    """Per ``as_of``: villages whose profiling rate is at least ``at`` (exact), 建档村.

    The unit of the count follows ``kpis["unit"]``: with ``unit="person"`` a village counts
    when ``at`` of its eligible **persons** are in profiled households, with ``"household"``
    when ``at`` of its eligible **households** are profiled; the two counts can differ by a
    village or two (the sample: 77 by persons, 78 by households).
    """
    vil = kpis.loc[kpis["level"] == "village"]
    f = frac(at)
    ok = compare(ints(vil["n_profiled"]), ints(vil["n_eligible"]), ">=",
                 f.numerator, f.denominator) == "pass"
    return pd.Series(ok.astype(np.int64), index=vil.index).groupby(
        vil["as_of"].to_numpy()).sum()


def _judge(m: dict, s: pd.Series, n_vill: int) -> dict:
    """Met (True/False/NA) per target of milestone ``m`` on the programme row ``s``."""
    met: dict[str, Any] = {}
    for name, num, den in (("credit_coverage", "n_credited", "n_eligible"),
                           ("usage", "n_drawing", "n_credited")):
        t = m[name]
        if t is None:
            met[name] = pd.NA
            continue
        f = frac(t)
        vd = compare(np.array([int(s[num])], dtype=object), np.array([int(s[den])], dtype=object),
                     ">=", f.numerator, f.denominator)[0]
        met[name] = vd == "pass"
    met["villages"] = pd.NA if m["villages"] is None else n_vill >= m["villages"]
    return met


def _missed(met: dict) -> bool:
    """Whether a target of the row is missed (False; NA, no target or no figure, is not)."""
    return any(x is not pd.NA and x is not None and not bool(x) for x in met.values())


def _in_period(d: pd.Timestamp, period) -> bool:
    """Whether a milestone dated ``d`` lies within the data's ``period`` (True without one)."""
    return period is None or period[0] <= d <= period[1]


def _milestone_row(m: dict, *, snaps, pr, n_vill, as_of_ts, measure, period) -> dict:
    d = pd.Timestamp(m["date"])
    due = d <= as_of_ts
    cut = d if (due and measure == "at_milestone") else as_of_ts
    avail = snaps[snaps <= cut]
    row = {"milestone": "final" if m.get("_final") else str(d.date()), "date": d,
           "villages_target": m["villages"], "credit_coverage_target": m["credit_coverage"],
           "usage_target": m["usage"], "measured_at": avail[-1] if len(avail) else pd.NaT,
           "due": bool(due)}
    if len(avail):
        s = pr.loc[pr["as_of"] == avail[-1]].iloc[0]
        row.update(villages=int(n_vill.get(avail[-1], 0)), credit_coverage=s["credit_coverage"],
                   usage=s["usage"])
        met = _judge(m, s, row["villages"])
    else:
        row.update(villages=pd.NA, credit_coverage=np.nan, usage=np.nan)
        met = {"villages": pd.NA, "credit_coverage": pd.NA, "usage": pd.NA}
    for k in ("villages", "credit_coverage", "usage"):
        row[f"{k}_met"] = met[k]
    missed = _missed(met)
    if all(m[k] is None for k in ("villages", "credit_coverage", "usage")):
        status = "not set"  # nothing to meet: neither met nor missed
    elif not len(avail):
        status = "not measured"
    elif measure == "latest":
        status = "not met" if missed else "met"
    elif not due:
        status = "upcoming"
    else:
        status = "behind" if missed else "on track"
    row["in_data_period"] = _in_period(d, period)
    row["status"] = status
    return row


def target_progress(
    kpis: pd.DataFrame,
    *,
    targets: Mapping[str, Any] | None,
    as_of: Any,
    village_profiled_at: float | None = None,
    measure: Literal["at_milestone", "latest"] = "at_milestone",
    period: tuple[Any, Any] | None = None,
) -> pd.DataFrame:
    """Programme credit coverage and usage against the dated milestones (seed 001).

    Parameters
    ----------
    kpis : pandas.DataFrame
        :func:`programme_kpis` output, one snapshot or several stacked (:func:`kpi_history`).
        Seed 001 states its targets in persons: use ``unit="person"`` to follow it.
    targets : mapping
        ``params["targets"]``: ``credit_coverage_final``, ``usage_final`` and ``milestones``
        (``date``, ``villages``, ``credit_coverage``, ``usage``; null = no target).
    as_of : date-like
        Evaluation date: milestones on or before it are judged, later ones are upcoming.
    village_profiled_at : float, optional
        A village counts towards the ``villages`` target (建档村, "profiled village") when its
        profiling rate is at least this (exact comparison; see :func:`profiled_villages`).
        Default: the optional key ``targets.village_profiled_at``, else 0.90.
    measure : {"at_milestone", "latest"}
        ``"at_milestone"``: each milestone due by ``as_of`` is judged on the latest snapshot on
        or before its date (was the programme on track *then*?). ``"latest"``: every milestone
        and the final targets are judged on the latest snapshot on or before ``as_of`` (where
        does the programme stand *now* against each step of the path?); use it when the data
        hold no snapshot at the milestone dates, e.g. a programme evaluated after its
        milestones passed.
    period : (date-like, date-like), optional
        The period the data cover (:func:`data_period` of the programme). Milestones outside
        it are flagged (``in_data_period`` False; ``measured_at`` says which figures judged
        them). Default: the range of ``kpis["as_of"]``.

    Returns
    -------
    pandas.DataFrame
        One row per milestone, then a ``final`` row (the final targets, dated at the last
        milestone): ``milestone`` (date text or ``"final"``), ``date``, ``villages_target``,
        ``credit_coverage_target``, ``usage_target``, ``measured_at`` (the snapshot used),
        ``due`` (bool: dated on or before ``as_of``), ``villages`` (profiled villages, in the
        unit of ``villages_unit``), ``villages_unit`` ("household" or "person": what the
        profiling rate of a village counts), ``credit_coverage``, ``usage``,
        ``villages_met``, ``credit_coverage_met``, ``usage_met`` (bool, NA without a target or
        a figure), ``in_data_period`` (bool), ``status`` (``"on track"``, ``"behind"``,
        ``"not measured"``, ``"upcoming"``; with ``measure="latest"``: ``"met"``, ``"not met"``
        or ``"not measured"``; ``"not set"`` for a row with no target at all, e.g. the final
        row when ``credit_coverage_final`` and ``usage_final`` are null). Codes and numbers
        only: a row's shortfall is its targets against its figures where ``..._met`` is False,
        worded by the report (:func:`calib.villages.conclusions`, the catalogue's
        ``nb06.line.short``).

    Notes
    -----
    Coverage and usage are the programme row's pooled figures; ``credit_coverage >= target`` is
    decided exactly in integers (credited * q >= p * eligible).
    """
    if measure not in ("at_milestone", "latest"):
        raise CalibParamsError(f"measure: expected 'at_milestone' or 'latest', got {measure!r}")
    tg = validate_targets(targets)
    as_of_ts = pd.Timestamp(as_of).normalize()
    if "as_of" not in kpis:
        raise CalibInputError("kpis: missing column 'as_of'")
    pr = kpis.loc[kpis["level"] == "programme"].sort_values("as_of")
    snaps = pd.DatetimeIndex(pr["as_of"].unique()).sort_values()
    at = tg["village_profiled_at"] if village_profiled_at is None else village_profiled_at
    n_vill = profiled_villages(kpis, at)
    if period is None and len(snaps):
        period = (snaps[0], snaps[-1])
    period = None if period is None else tuple(pd.Timestamp(x).normalize() for x in period)
    ms = list(tg["milestones"])
    last = ms[-1]["date"] if ms else as_of_ts
    ms.append({"date": last, "villages": None, "credit_coverage": tg["credit_coverage_final"],
               "usage": tg["usage_final"], "_final": True})
    rows = [_milestone_row(m, snaps=snaps, pr=pr, n_vill=n_vill, as_of_ts=as_of_ts,
                           measure=measure, period=period) for m in ms]  # a handful
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("villages") + 1, "villages_unit",
               str(kpis["unit"].iloc[0]) if "unit" in kpis and len(kpis) else "household")
    for c in ("villages_met", "credit_coverage_met", "usage_met"):
        out[c] = out[c].astype("boolean")
    for c in ("villages_target", "villages"):
        out[c] = out[c].astype("Int64")
    for c in ("credit_coverage_target", "usage_target"):
        out[c] = out[c].astype(float)
    out["in_data_period"] = out["in_data_period"].astype(bool)
    for c in ("milestone", "status", "villages_unit"):
        out[c] = out[c].astype("string")
    return out


def final_targets_met(kpis: pd.DataFrame, targets: Mapping[str, Any] | None) -> pd.DataFrame:
    """Each row of ``kpis`` judged against the final coverage and usage targets, as
    :func:`target_progress` judges the programme's (exactly, in integers).

    Parameters
    ----------
    kpis : pandas.DataFrame
        Rows of :func:`programme_kpis` (any level; ``n_eligible``, ``n_credited``,
        ``n_drawing``).
    targets : mapping
        ``params["targets"]`` (``credit_coverage_final``, ``usage_final``; null = no target).

    Returns
    -------
    pandas.DataFrame
        ``kpis`` with ``coverage_met`` and ``usage_met`` (boolean; NA where the target is not
        set or the row has no figure: no eligible, no credited persons).
    """
    tg = validate_targets(targets)
    missing = {"n_eligible", "n_credited", "n_drawing"} - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    out = kpis.copy()
    for col, target, num, den in (("coverage_met", tg["credit_coverage_final"], "n_credited", "n_eligible"),
                                  ("usage_met", tg["usage_final"], "n_drawing", "n_credited")):
        if target is None:
            out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
            continue
        f = frac(target)
        vd = compare(ints(out[num]), ints(out[den]), ">=", f.numerator, f.denominator)
        out[col] = pd.array(np.where(vd == "no data", None, vd == "pass"), dtype="boolean")
    return out


def _num(x):
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return None
    return float(x) if isinstance(x, (float, np.floating)) else int(x)


def _verdict_metrics(verdicts: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"credit_villages": int(verdicts["certified"].sum())}
    out["credit_village_share"] = out["credit_villages"] / len(verdicts) if len(verdicts) else None
    out["villages_pending_assessment"] = int((verdicts["status"] == "pending assessment").sum())
    na = np.zeros(len(verdicts), dtype=bool)
    for c in QUALITATIVE_CRITERIA:
        if c in verdicts:
            na |= (verdicts[c] == "not assessed").to_numpy(dtype=bool, na_value=False)
    out["villages_not_assessed"] = int(na.sum())
    return out


def headline_metrics(
    kpis: pd.DataFrame,
    verdicts: pd.DataFrame | None = None,
    township_verdicts: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (plain Python numbers, NaN as None).

    Keys: ``as_of``, ``unit``, ``n_villages``, ``n_households``, ``n_eligible`` and the
    programme row's rates (``credit_coverage``, ``usage``, ``profiling_rate``,
    ``credit_rate``, ``npl_ratio``, ``npl_ratio_count``, ``a_or_better_share``,
    ``loan_share``, ``total_limit``, ``total_balance``); with ``verdicts``:
    ``credit_villages``, ``credit_village_share`` (of all villages),
    ``villages_pending_assessment``, ``villages_not_assessed`` (at least one qualitative
    criterion not assessed); with ``township_verdicts``: ``credit_townships``; with
    ``progress``: ``milestones_behind``, ``milestones_on_track``,
    ``milestones_outside_data`` and, for ``measure="latest"``, ``milestones_met_now``,
    ``milestones_not_met_now``.
    """
    pr = kpis.loc[kpis["level"] == "programme"]
    if "as_of" in pr and pr["as_of"].nunique() > 1:
        pr = pr.loc[pr["as_of"] == pr["as_of"].max()]
    s = pr.iloc[0]
    out: dict[str, Any] = {"as_of": str(pd.Timestamp(s["as_of"]).date()), "unit": str(s["unit"])}
    for c in ("n_villages", "n_households", "n_eligible", "credit_coverage", "usage",
              "profiling_rate", "credit_rate", "npl_ratio", "npl_ratio_count",
              "a_or_better_share", "loan_share", "total_limit", "total_balance"):
        out[c] = _num(s[c])
    if verdicts is not None:
        out.update(_verdict_metrics(verdicts))
    if township_verdicts is not None:
        out["credit_townships"] = int(township_verdicts["certified"].sum())
    if progress is not None:
        due = progress.loc[progress["status"].isin(["on track", "behind"])]
        out["milestones_behind"] = int((due["status"] == "behind").sum())
        out["milestones_on_track"] = int((due["status"] == "on track").sum())
        if "in_data_period" in progress:
            ms = progress.loc[progress["milestone"] != "final"]
            out["milestones_outside_data"] = int((~ms["in_data_period"]).sum())
        now = progress.loc[progress["status"].isin(["met", "not met"])]
        if len(now):
            out["milestones_met_now"] = int((now["status"] == "met").sum())
            out["milestones_not_met_now"] = int((now["status"] == "not met").sum())
    return out
