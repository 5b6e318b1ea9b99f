"""Why two counts differ: the household and village counts that reports quote, each under its
code (``figure``), and the line that reconciles them in the catalogue's words
(:func:`white_list_line`, :func:`village_counts_line`).

On the sample: the white list holds 7,077 households and 7,038 are eligible, because 555
white-listed households have **no eligible member** (the panel reviews every household of the
village; eligibility, 18-65 and no exclusion, is a roster rule) while 333 eligible households
were not reviewed and 183 reviewed were not white-listed: 7,038 - 333 - 183 + 555 = 7,077.
Villages "profiled" are 78 when a village's profiling rate counts eligible **households** (the
952 clause of the credit-village rule) and 77 when it counts eligible **persons** (seed 001's
targets are in persons).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calib.eligibility import person_eligibility
from calib.errors import CalibInputError
from calib.programme import Programme
from calib.villages.rules import validate_eligibility
from calib.villages.status import _ages_at, _member
from calib.villages.targets import profiled_villages

__all__ = ["household_counts", "white_list_line", "village_counts", "village_counts_line"]


def _not_eligible_reason(programme: Programme, idx: pd.Index, as_of, eligibility) -> pd.Series:
    """Per household: 'no member in age' or 'members in age all excluded' ('' if eligible)."""
    ro = programme.roster
    ro = ro.assign(age=_ages_at(ro, as_of, getattr(programme, "as_of", None)))
    p = person_eligibility(ro, **validate_eligibility(eligibility))
    g = p.groupby("household_id", sort=True)
    in_age = g["in_age"].any().reindex(idx, fill_value=False)
    elig = g["eligible"].any().reindex(idx, fill_value=False)
    return pd.Series(np.where(elig, "", np.where(in_age, "excluded", "age")), index=idx)


def household_counts(
    status: pd.DataFrame,
    consensus: pd.DataFrame,
    *,
    programme: Programme | None = None,
    eligibility: Mapping[str, Any] | None = None,
    baseline: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The household counts the reports quote, each under its code.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`household_status` (index ``household_id``; ``eligible``, ``reviewed``).
    consensus : pandas.DataFrame
        :func:`calib.consensus.consensus_limits` (index ``household_id``; ``white_list``).
    programme : Programme, optional
        With it, the white-listed households without an eligible member are split by reason
        (no member aged within the rule, or every member of age excluded).
    eligibility : mapping, optional
        The ``eligibility`` block (with ``programme``).
    baseline : pandas.DataFrame, optional
        A second consensus (e.g. the plain median) whose households with a granted limit are
        the denominator of "moved by more than 10%" in the review report.

    Returns
    -------
    pandas.DataFrame
        Columns ``figure`` (code) and ``households`` (int). Rows: ``roster`` (households on
        the roster), ``eligible`` (with at least one eligible member), ``reviewed`` (by the
        panel), ``white_listed`` (reviewed, not declined by the panel: 白名单),
        ``white_listed_eligible``, ``white_listed_not_eligible`` (white-listed without an
        eligible member; with ``programme`` split into ``..._no_member_in_age``, no member
        within the age rule, and ``..._members_excluded``, every member of age excluded by
        status or bad record), ``eligible_not_reviewed``,
        ``eligible_reviewed_not_white_listed``, and with ``baseline`` ``granted_by_both``
        (both consensus limits above 0). :func:`white_list_line` words the reconciliation.
    """
    for col in ("eligible", "reviewed"):
        if col not in status:
            raise CalibInputError(f"status: missing column {col!r}")
    if "white_list" not in consensus:
        raise CalibInputError("consensus: missing column 'white_list'")
    idx = status.index
    e = status["eligible"].to_numpy(dtype=bool)
    r = status["reviewed"].to_numpy(dtype=bool)
    w = _member(idx, consensus.index[consensus["white_list"].to_numpy(dtype=bool)])
    rows = [
        ("roster", len(idx)),
        ("eligible", e.sum()),
        ("reviewed", r.sum()),
        ("white_listed", w.sum()),
        ("white_listed_eligible", (w & e).sum()),
        ("white_listed_not_eligible", (w & ~e).sum()),
    ]
    if programme is not None:
        why = _not_eligible_reason(programme, idx, pd.Timestamp(programme.as_of), eligibility)
        why = why.to_numpy()
        rows += [("white_listed_not_eligible_no_member_in_age", (w & (why == "age")).sum()),
                 ("white_listed_not_eligible_members_excluded", (w & (why == "excluded")).sum())]
    rows += [("eligible_not_reviewed", (e & ~r).sum()),
             ("eligible_reviewed_not_white_listed", (e & r & ~w).sum())]
    if baseline is not None:
        both = (consensus["consensus_granted"].reindex(idx).fillna(0).to_numpy() > 0) & (
            baseline["consensus_granted"].reindex(idx).fillna(0).to_numpy() > 0)
        rows.append(("granted_by_both", both.sum()))
    out = pd.DataFrame(rows, columns=["figure", "households"])
    out["households"] = out["households"].astype(np.int64)
    return out


def white_list_line(counts: pd.DataFrame, *, lang: str = "zh-CN") -> str:
    """One line saying why the white list and the eligible households differ.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`household_counts`.
    lang : {"zh-CN", "en"}
    """
    from calib.report.labels import t  # on use: importing calib.villages stays light

    c = counts.set_index("figure")["households"]
    return t("nb06.line.white_list_why", lang, w=f"{int(c['white_listed']):,}", e=f"{int(c['eligible']):,}",
             ne=f"{int(c['white_listed_not_eligible']):,}", nr=f"{int(c['eligible_not_reviewed']):,}",
             nw=f"{int(c['eligible_reviewed_not_white_listed']):,}")


def village_counts(
    kpis: pd.DataFrame,
    *,
    kpis_persons: pd.DataFrame | None = None,
    verdicts: pd.DataFrame | None = None,
    at: float = 0.90,
    profiling_rule: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The village counts the reports quote, each under its code.

    Parameters
    ----------
    kpis : pandas.DataFrame
        :func:`programme_kpis` with ``unit="household"`` (one ``as_of``).
    kpis_persons : pandas.DataFrame, optional
        The same with ``unit="person"`` (the unit of seed 001's targets).
    verdicts : pandas.DataFrame, optional
        :func:`certify_villages`.
    at : float
        Profiling rate from which a village counts as profiled (建档村) for the programme
        targets (params ``targets.village_profiled_at``; persons).
    profiling_rule : mapping, optional
        The credit-village profiling rule ``{"op", "value"}`` (params
        ``credit_village["profiling_rate"]``) for the count by households; default ``>= at``.

    Returns
    -------
    pandas.DataFrame
        Columns ``figure`` (code) and ``villages`` (int). Rows ``villages`` (on the roster),
        ``profiled_by_households`` (profiling rate over eligible households meeting
        ``profiling_rule``: the credit-village clause), ``profiled_by_persons`` (over eligible
        persons at least ``at``: the targets' count), ``credit_villages`` (every criterion
        met). :func:`village_counts_line` words the two profiled counts.
    """
    if "unit" in kpis and (kpis["unit"] != "household").any():
        raise CalibInputError("kpis: expected unit='household' (pass the persons' as kpis_persons)")
    from calib.villages._exact import exact_verdicts

    rule = dict(profiling_rule) if profiling_rule is not None else {"op": ">=", "value": at}
    vil = kpis.loc[kpis["level"] == "village"]
    by_households = int((exact_verdicts(vil["n_profiled"].to_numpy(np.int64), vil["n_eligible"].to_numpy(np.int64),
                                        rule["op"], rule["value"]) == "pass").sum())
    rows = [("villages", int((kpis["level"] == "village").sum())), ("profiled_by_households", by_households)]
    if kpis_persons is not None:
        rows.append(("profiled_by_persons", int(profiled_villages(kpis_persons, at).sum())))
    if verdicts is not None:
        rows.append(("credit_villages", int(verdicts["certified"].sum())))
    return pd.DataFrame(rows, columns=["figure", "villages"])


def village_counts_line(counts: pd.DataFrame, *, lang: str = "zh-CN") -> str:
    """One line naming the two profiled-village counts and why they differ."""
    from calib.report.labels import t  # on use: importing calib.villages stays light

    c = counts.set_index("figure")["villages"]
    tail = (t("nb06.line.profiled_why_persons", lang, p=f"{int(c['profiled_by_persons']):,}")
            if "profiled_by_persons" in c else "")
    return t("nb06.line.profiled_why", lang, n=f"{int(c['villages']):,}", h=f"{int(c['profiled_by_households']):,}",
             tail=tail)
