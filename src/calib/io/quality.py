"""Data-quality summaries of a loaded programme (notebook ``01_data_quality``).

What was read, what was quarantined and why, and how far each village's profiling has come:
eligible households and people (18 to 65, not excluded), households reviewed by the panel,
households run through the model.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib._frames import isin
from calib.programme.eligibility import eligible_households, person_eligibility
from calib.programme import Programme

__all__ = ["load_summary", "ignored_columns", "quarantine_summary", "reason_kind", "coverage_by_village", "profiling_verdicts", "exclusions"]


def load_summary(programme: Programme) -> pd.DataFrame:
    """Rows read, accepted and quarantined per table, with the balance check.

    Returns
    -------
    pandas.DataFrame
        Index ``table``; columns ``file``, ``rows_read``, ``rows_accepted``,
        ``rows_quarantined``, ``balanced`` (read == accepted + quarantined),
        ``quarantined_share``.
    """
    c = programme.counts.set_index("table")[["file", "rows_read", "rows_accepted", "rows_quarantined"]].copy()
    c["balanced"] = c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]
    c["quarantined_share"] = c["rows_quarantined"] / c["rows_read"].where(c["rows_read"] > 0)
    return c


def ignored_columns(programme: Programme) -> pd.DataFrame:
    """The columns of the sources that are not in the data contract and were not read: no figure
    uses them (a contract column under a header the contract does not know would be one).

    Returns
    -------
    pandas.DataFrame
        One row per table and column, in the order of the tables and of their files: ``table``,
        ``file`` (the table's source), ``column`` (the header as it may be shown: a form's word
        such as 备注 as it is, other text masked, :func:`calib.io.read.shown_headers`). No rows
        when every column was read.
    """
    c = programme.counts
    rows = [(t, f, h) for t, f, cols in zip(c["table"], c["file"], c["ignored_columns"].fillna(""))
            for h in str(cols).split(", ") if h]
    return pd.DataFrame(rows, columns=["table", "file", "column"])


#: The part of a reason that names one row's particulars (the first of a repeat, the ID
#: number's birth month), worded once for the summary: a province's hundreds of repeats are
#: one line, not one line per first row.
_PARTICULARS = [
    (r" \(first at row \d+(?: of .+)?\)$", " (first at an earlier row)"),
    (r" as row \d+(?: of .+)?$", " as an earlier row"),
    (r"^(birth month contradicts the ID number's birth date) \([^()]*\)$", r"\1"),
]


def reason_kind(reasons: pd.Series) -> pd.Series:
    """Reasons without the particulars of their row (the row a repeat was first seen at, the
    ID number's birth month): what :func:`quarantine_summary` counts by."""
    out = reasons.astype(object)
    for pattern, repl in _PARTICULARS:
        out = out.str.replace(pattern, repl, regex=True)
    return out


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined problems counted by table and reason.

    Parameters
    ----------
    quarantine : pandas.DataFrame
        ``Programme.quarantine`` (``table, file, row, column, value, reason``).

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``reason`` (without a row's particulars: :func:`reason_kind`),
        ``column``, ``problems``, ``rows`` (distinct rows), ``example_row`` (first spreadsheet
        row), sorted by table then count.
    """
    if quarantine.empty:
        return pd.DataFrame(columns=["table", "reason", "column", "problems", "rows", "example_row"])
    quarantine = quarantine.assign(reason=reason_kind(quarantine["reason"]))
    g = quarantine.groupby(["table", "reason"], sort=False)
    # a row is a file's row: a stacked workbook's sheets (``FILE [SHEET]``) number theirs each from 2
    places = quarantine[["table", "reason", "file", "row"]].drop_duplicates()
    out = pd.DataFrame({
        "column": g["column"].first(),
        "problems": g.size(),
        "rows": places.groupby(["table", "reason"], sort=False).size(),
        "example_row": g["row"].min(),
    }).reset_index()
    return out.sort_values(["table", "problems"], ascending=[True, False], kind="stable").reset_index(drop=True)


def exclusions(roster: pd.DataFrame, **rules) -> pd.DataFrame:
    """People of working age who are excluded, by reason and village.

    Returns
    -------
    pandas.DataFrame
        Index ``village``; one column per exclusion reason (deceased, missing, absconded,
        bad_record) counting people aged within the bounds, plus ``out_of_age``.
    """
    p = person_eligibility(roster, **rules)
    ex = p.loc[p["excluded"]]
    table = pd.crosstab(ex["village"], ex["exclusion"]).reindex(sorted(p["village"].unique()), fill_value=0)
    table["out_of_age"] = (~p["in_age"]).groupby(p["village"]).sum().reindex(table.index).astype(int)
    table.columns.name = None
    return table


def profiling_verdicts(coverage: pd.DataFrame, op: str = ">=", value: float = 0.90) -> tuple[pd.Series, str]:
    """Each village's profiling rate, and the whole programme's, against the credit-village
    standard's profiling rule (``credit_village.profiling_rate`` of the parameters), decided in
    integers as the credit-village verdicts are (90.0% meets ">= 90%"; 89.99% does not).

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`coverage_by_village` (columns ``profiled`` and ``eligible_households``).
    op, value : str, float
        The rule: ``profiled / eligible households  op  value``.

    Returns
    -------
    (pandas.Series, str)
        Per village (the index of ``coverage``) and for all villages together: ``pass``,
        ``fail`` or ``no data`` (no eligible household).
    """
    from calib.villages import exact_verdicts

    num = np.append(coverage["profiled"].to_numpy(np.int64), coverage["profiled"].sum())
    den = np.append(coverage["eligible_households"].to_numpy(np.int64), coverage["eligible_households"].sum())
    v = exact_verdicts(num, den, op, value)
    return pd.Series(v[:-1], index=coverage.index, name="verdict"), str(v[-1])


def coverage_by_village(
    programme: Programme,
    *,
    min_age: int = 18,
    max_age: int = 65,
    exclude_status: Sequence[str] = ("deceased", "missing", "absconded"),
    exclude_bad_record: bool = True,
) -> pd.DataFrame:
    """Eligibility and profiling per village.

    A household is *profiled* when the panel reviewed it and the model scored it (both steps of
    the programme, DOMAIN.md); rates are over eligible households. The household counts read as
    a funnel, each within the one before: households, eligible households, eligible households
    reviewed, eligible households run through the model, profiled (the panel also reviews
    households that are not eligible; those count in none of the last three columns).

    Returns
    -------
    pandas.DataFrame
        Index ``village``; columns ``township``, ``households``, ``people``,
        ``eligible_people``, ``eligible_households``, ``eligible_reviewed`` (eligible households
        the panel reviewed), ``eligible_model_run`` (eligible households the model ran on),
        ``profiled`` (eligible households both reviewed and run), ``profiling_rate``
        (profiled / eligible households), ``median_age``.
    """
    rules = dict(min_age=min_age, max_age=max_age, exclude_status=exclude_status,
                 exclude_bad_record=exclude_bad_record)
    hh = eligible_households(programme.roster, **rules)
    people = person_eligibility(programme.roster, **rules)
    reviewed = isin(hh.index, programme.reviews["household_id"])
    run = isin(hh.index, programme.model_runs["household_id"])
    eligible = hh["eligible"].to_numpy(dtype=bool)
    hh = hh.assign(eligible_reviewed=reviewed & eligible, eligible_model_run=run & eligible,
                   profiled=reviewed & run & eligible)
    g = hh.groupby("village", sort=True)
    out = pd.DataFrame({
        "township": g["township"].first(),
        "households": g.size(),
        "people": people.groupby("village").size(),
        "eligible_people": people.groupby("village")["eligible"].sum(),
        "eligible_households": g["eligible"].sum(),
        "eligible_reviewed": g["eligible_reviewed"].sum(),
        "eligible_model_run": g["eligible_model_run"].sum(),
        "profiled": g["profiled"].sum(),
    })
    out["profiling_rate"] = out["profiled"] / out["eligible_households"].where(out["eligible_households"] > 0)
    out["median_age"] = programme.roster.groupby("village")["age"].median().astype(float)
    ints = ["households", "people", "eligible_people", "eligible_households", "eligible_reviewed",
            "eligible_model_run", "profiled"]
    out[ints] = out[ints].astype(np.int64)
    return out
