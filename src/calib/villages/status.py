"""Figures: each household's standing at a date, and the counts and rates per village,
township and programme (:func:`household_status`, :func:`programme_kpis`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.eligibility import eligible_households
from calib.errors import CalibInputError, CalibParamsError
from calib.programme import Programme
from calib.villages._exact import cents, ratio
from calib.villages.rules import validate_eligibility

__all__ = ["household_status", "programme_kpis", "kpi_history", "COUNT_COLUMNS",
           "RATE_COLUMNS"]

#: Count columns of :func:`programme_kpis`.
COUNT_COLUMNS = [
    "n_households", "n_eligible_households", "n_eligible_persons", "n_eligible", "n_profiled",
    "n_credited", "n_drawing", "n_a_or_better", "n_borrowers", "n_loans", "n_loans_defaulted",
]
#: Rate columns of :func:`programme_kpis`.
RATE_COLUMNS = ["credit_coverage", "usage", "profiling_rate", "credit_rate", "npl_ratio",
                "npl_ratio_count", "a_or_better_share", "loan_share"]
_LOAN_COLS = ["n_loans", "n_loans_defaulted", "_balance_cents", "_defaulted_cents"]


def _ages_at(roster: pd.DataFrame, as_of: pd.Timestamp, programme_as_of) -> pd.Series:
    if programme_as_of is not None and pd.Timestamp(programme_as_of) == as_of and "age" in roster:
        return roster["age"]
    if "birth_date" not in roster:
        if "age" in roster and programme_as_of is None:
            return roster["age"]
        raise CalibInputError(
            f"roster: column 'birth_date' is needed to compute ages at as_of={as_of.date()} "
            f"(the loaded ages are at {pd.Timestamp(programme_as_of).date()})"
        )
    b = pd.to_datetime(roster["birth_date"])
    before = (b.dt.month > as_of.month) | ((b.dt.month == as_of.month) & (b.dt.day > as_of.day))
    return (as_of.year - b.dt.year - before.astype("Int64")).astype("Int64")


def _member(idx: pd.Index, values) -> np.ndarray:
    """Boolean mask over the unique index ``idx``: which entries occur in ``values``.

    (``get_indexer`` instead of ``isin``: ``isin`` on pandas-3 string arrays with many values
    falls back to a Python loop.)
    """
    pos = idx.get_indexer(pd.Index(pd.unique(np.asarray(values, dtype=object))))
    mask = np.zeros(len(idx), dtype=bool)
    mask[pos[pos >= 0]] = True
    return mask


def _check_known(ids: pd.Series, known: pd.Index, table: str) -> None:
    unknown = pd.Series(known.get_indexer(pd.Index(ids.to_numpy(dtype=object))) < 0,
                        index=ids.index)
    if unknown.any():
        bad = ids[unknown].astype(str).unique()[:5]
        raise CalibInputError(
            f"{table}: {int(unknown.sum())} row(s) with household_id not in the roster "
            f"(e.g. {', '.join(bad)})"
        )


def _by_household(obj, column: str, name: str) -> pd.Series:
    if isinstance(obj, pd.DataFrame):
        if column not in obj:
            raise CalibInputError(f"{name}: missing column {column!r}")
        s = obj[column]
        if "household_id" in obj and obj.index.name != "household_id":
            s = obj.set_index("household_id")[column]
    elif isinstance(obj, pd.Series):
        s = obj
    else:
        raise CalibInputError(f"{name}: expected a DataFrame or Series, got {type(obj).__name__}")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()].astype(str)[:5]
        raise CalibInputError(f"{name}: duplicated household_id ({', '.join(dup)})")
    return s


def _reviewed(programme: Programme, idx: pd.Index, as_of: pd.Timestamp) -> np.ndarray:
    rv = programme.reviews
    if rv is None or "household_id" not in rv:
        raise CalibInputError("reviews: missing table or column 'household_id'")
    _check_known(rv["household_id"], idx, "reviews")
    if "review_date" in rv:
        d = pd.to_datetime(rv["review_date"])
        rv = rv.loc[d.isna() | (d <= as_of)]
    return _member(idx, rv["household_id"])


def _latest_runs(programme: Programme, idx: pd.Index, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each household's latest model run on or before ``as_of``, indexed by household_id."""
    mr = programme.model_runs
    if mr is None:
        raise CalibInputError("model_runs: the table is required")
    for col in ("household_id", "run_date", "model_limit"):
        if col not in mr:
            raise CalibInputError(f"model_runs: missing column {col!r}")
    _check_known(mr["household_id"], idx, "model_runs")
    mr = mr.loc[pd.to_datetime(mr["run_date"]) <= as_of]
    return (mr.assign(_d=pd.to_datetime(mr["run_date"]))
            .sort_values(["household_id", "_d"], kind="stable")
            .drop_duplicates("household_id", keep="last")
            .set_index("household_id"))


def _grades(latest: pd.DataFrame, grades, idx: pd.Index) -> pd.Series:
    if grades is None:
        grade = (latest["grade"].reindex(idx) if "grade" in latest
                 else pd.Series(pd.NA, index=idx, dtype="string"))
    else:
        g = _by_household(grades, "grade", "grades")
        _check_known(pd.Series(g.index), idx, "grades")
        grade = g.reindex(idx)
    return grade.astype("string")


def _limits(latest: pd.DataFrame, final_limits, idx: pd.Index) -> pd.Series:
    if final_limits is None:
        limit = latest["model_limit"].reindex(idx).astype(float)
    else:
        fl = _by_household(final_limits, "final_limit", "final_limits")
        _check_known(pd.Series(fl.index), idx, "final_limits")
        limit = pd.to_numeric(fl, errors="raise").reindex(idx).astype(float)
    if (limit < 0).any():
        raise CalibInputError("final limit: negative value(s)")
    return limit


def _loan_totals(programme: Programme, idx: pd.Index, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per household: live loans, defaulted loans, drawn and defaulted balance in cents."""
    ln = programme.loans
    if ln is None or not len(ln):
        return pd.DataFrame(0, index=idx, columns=_LOAN_COLS, dtype=np.int64)
    for col in ("household_id", "drawn_amount", "default"):
        if col not in ln:
            raise CalibInputError(f"loans: missing column {col!r}")
    _check_known(ln["household_id"], idx, "loans")
    if "start_date" in ln:
        ln = ln.loc[pd.to_datetime(ln["start_date"]) <= as_of]
    drawn = pd.to_numeric(ln["drawn_amount"], errors="raise").astype(float)
    if drawn.isna().any() or (drawn < 0).any():
        raise CalibInputError("loans: drawn_amount must be a non-negative amount")
    dflt = pd.to_numeric(ln["default"], errors="raise")
    if dflt.isna().any() or not dflt.isin([0, 1]).all():
        raise CalibInputError("loans: default must be 0 or 1 on every row")
    live = drawn > 0
    c = cents(drawn)
    frame = pd.DataFrame({
        "household_id": ln["household_id"].to_numpy(),
        "n_loans": live.to_numpy().astype(np.int64),
        "n_loans_defaulted": (live & (dflt == 1)).to_numpy().astype(np.int64),
        "_balance_cents": c.to_numpy(),
        "_defaulted_cents": c.where(dflt == 1, 0).to_numpy(),
    })
    return frame.groupby("household_id").sum().reindex(idx, fill_value=0)


def household_status(
    programme: Programme,
    *,
    as_of: Any = None,
    final_limits: pd.DataFrame | pd.Series | None = None,
    grades: pd.DataFrame | pd.Series | None = None,
    eligibility: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Standing of every household at ``as_of``: the building block of :func:`programme_kpis`.

    Parameters
    ----------
    programme : calib.programme.Programme
        Uses ``roster``, ``reviews``, ``model_runs`` and (optional) ``loans``.
    as_of : date-like, optional
        Reference date (default ``programme.as_of``). Ages are taken at this date (recomputed
        from ``birth_date`` when it differs from ``programme.as_of``); only reviews with
        ``review_date`` on or before it (or without a date), model runs with ``run_date`` on or
        before it and loans with ``start_date`` on or before it count.
    final_limits : DataFrame or Series, optional
        Indexed by ``household_id``, column ``final_limit`` (yuan), from the reconciliation.
        When absent the limit is ``model_limit`` of the household's latest model run. A
        profiled household missing from ``final_limits`` counts as not credited.
    grades : DataFrame or Series, optional
        Indexed by ``household_id``, column ``grade`` (AAA/AA/A/B). When absent the grade of the
        latest model run is used.
    eligibility : mapping, optional
        The ``eligibility`` block of params (default 18-65, exclusions of DOMAIN.md).

    Returns
    -------
    pandas.DataFrame
        Index ``household_id`` (sorted); columns ``township``, ``village``, ``n_members``,
        ``n_eligible_members``, ``eligible`` (bool), ``reviewed`` (at least one review),
        ``model_run`` (a model run), ``profiled`` (reviewed and model run), ``grade``,
        ``a_or_better`` (bool, :func:`calib.scorecard.a_or_better`), ``limit`` (final limit,
        else latest model limit; NaN when not run), ``credited`` (profiled and limit > 0), ``n_loans`` (loans with drawn > 0),
        ``n_loans_defaulted`` (of those, ``default == 1``), ``balance`` (drawn yuan),
        ``defaulted_balance`` (drawn yuan of defaulted loans), ``borrower`` (``n_loans > 0``).
    """
    as_of_ts = pd.Timestamp(as_of if as_of is not None else programme.as_of).normalize()
    elig = validate_eligibility(eligibility)
    ro = programme.roster
    for col in ("household_id", "township", "village"):
        if col not in ro:
            raise CalibInputError(f"roster: missing column {col!r}")
    ro = ro.assign(age=_ages_at(ro, as_of_ts, getattr(programme, "as_of", None)))
    hh = eligible_households(ro, **elig)
    idx = hh.index
    out = hh[["township", "village", "n_members", "n_eligible_members", "eligible"]].copy()
    out["reviewed"] = _reviewed(programme, idx, as_of_ts)
    latest = _latest_runs(programme, idx, as_of_ts)
    out["model_run"] = _member(idx, latest.index)
    out["profiled"] = out["reviewed"] & out["model_run"]
    grade = _grades(latest, grades, idx)
    out["grade"] = grade
    # the one rule (calib.scorecard.grades): unknown grade raises, ungraded is not A or better;
    # imported here so that calib.params (which reads this package's rules) stays light
    from calib.scorecard.grades import a_or_better

    out["a_or_better"] = a_or_better(grade)
    limit = _limits(latest, final_limits, idx)
    out["limit"] = limit.where(out["model_run"] | (final_limits is not None))
    out["credited"] = out["profiled"] & (out["limit"] > 0).fillna(False).astype(bool)
    agg = _loan_totals(programme, idx, as_of_ts)
    out["n_loans"] = agg["n_loans"].astype(np.int64)
    out["n_loans_defaulted"] = agg["n_loans_defaulted"].astype(np.int64)
    out["balance"] = agg["_balance_cents"].astype(np.int64) / 100.0
    out["defaulted_balance"] = agg["_defaulted_cents"].astype(np.int64) / 100.0
    out["borrower"] = out["n_loans"] > 0
    return out


def _household_counts(st: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One row per household of the counts that :func:`programme_kpis` sums."""
    e = st["eligible"]
    w = st["n_eligible_members"].astype(np.int64) if unit == "person" else e.astype(np.int64)
    cred = e & st["credited"]
    return pd.DataFrame({
        "township": st["township"],
        "village": st["village"],
        "n_households": np.int64(1),
        "n_eligible_households": e.astype(np.int64),
        "n_eligible_persons": st["n_eligible_members"].astype(np.int64),
        "n_eligible": w,
        "n_profiled": w * (e & st["profiled"]),
        "n_credited": w * cred,
        "n_drawing": w * (cred & st["borrower"]),
        "n_a_or_better": st["a_or_better"].astype(np.int64),
        "n_borrowers": st["borrower"].astype(np.int64),
        "n_loans": st["n_loans"],
        "n_loans_defaulted": st["n_loans_defaulted"],
        "_limit_cents": cents(st["limit"].where(cred, 0.0).fillna(0.0)),
        "_balance_cents": cents(st["balance"]),
        "_defaulted_cents": cents(st["defaulted_balance"]),
    })


def _rollup(base: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Village sums, township sums and the programme row, stacked."""
    sum_cols = [c for c in base.columns if c not in ("township", "village")]
    vil = base.groupby(["township", "village"], sort=True)[sum_cols].sum().reset_index()
    vil.insert(0, "level", "village")
    vil["n_villages"] = np.int64(1)
    tw = vil.groupby("township", sort=True)[sum_cols + ["n_villages"]].sum().reset_index()
    tw.insert(0, "level", "township")
    tw["village"] = pd.NA
    pr = vil[sum_cols + ["n_villages"]].sum().to_frame().T
    pr.insert(0, "level", "programme")
    pr["township"] = pd.NA
    pr["village"] = pd.NA
    return pd.concat([vil, tw, pr], ignore_index=True), sum_cols + ["n_villages"]


def _rates(k: pd.DataFrame) -> None:
    k["total_limit"] = k["_limit_cents"] / 100.0
    k["total_balance"] = k["_balance_cents"] / 100.0
    k["defaulted_balance"] = k["_defaulted_cents"] / 100.0
    k["credit_coverage"] = ratio(k["n_credited"], k["n_eligible"])
    k["usage"] = ratio(k["n_drawing"], k["n_credited"])
    k["profiling_rate"] = ratio(k["n_profiled"], k["n_eligible"])
    k["credit_rate"] = ratio(k["n_credited"], k["n_profiled"])
    k["npl_ratio"] = ratio(k["_defaulted_cents"], k["_balance_cents"])
    k["npl_ratio_count"] = ratio(k["n_loans_defaulted"], k["n_loans"])
    k["a_or_better_share"] = ratio(k["n_a_or_better"], k["n_households"])
    k["loan_share"] = ratio(k["n_borrowers"], k["n_households"])


def programme_kpis(
    programme: Programme,
    *,
    as_of: Any = None,
    final_limits: pd.DataFrame | pd.Series | None = None,
    grades: pd.DataFrame | pd.Series | None = None,
    eligibility: Mapping[str, Any] | None = None,
    unit: Literal["household", "person"] = "household",
) -> pd.DataFrame:
    """Programme figures per village, township and for the whole programme.

    Parameters
    ----------
    programme : calib.programme.Programme
        The loaded programme.
    as_of : date-like, optional
        Reference date (default ``programme.as_of``); see :func:`household_status`.
    final_limits, grades, eligibility
        See :func:`household_status`.
    unit : {"household", "person"}
        Unit of the eligibility-based counts ``n_eligible``, ``n_profiled``, ``n_credited``,
        ``n_drawing`` (and so of ``credit_coverage``, ``usage``, ``profiling_rate``,
        ``credit_rate``). ``"person"`` counts eligible persons, and eligible persons of
        profiled / credited / drawing households (seed 001 states its targets in persons).
        Shares of all households (A or better, with a loan) and NPL are unit-free.

    Returns
    -------
    pandas.DataFrame
        One row per village (``level == "village"``), then per township and one programme row.
        Columns:

        - ``level`` ("village", "township", "programme"), ``township`` (NA on the programme
          row), ``village`` (NA except on village rows), ``as_of``, ``unit``;
        - ``n_villages``; ``n_households`` (all roster households);
          ``n_eligible_households``, ``n_eligible_persons``;
        - ``n_eligible`` (eligible households or persons, per ``unit``);
        - ``n_profiled``: eligible and profiled (reviewed by the panel **and** run through the
          model);
        - ``n_credited``: eligible, profiled and final limit > 0;
        - ``n_drawing``: credited with drawn amount > 0;
        - ``n_a_or_better``: households graded AAA, AA or A (of all households);
        - ``n_borrowers``: households with a loan (drawn > 0; of all households);
        - ``n_loans``: loans with drawn > 0; ``n_loans_defaulted``: of which default == 1;
        - ``total_limit`` (sum of the final limits of credited households, yuan),
          ``total_balance`` (drawn amount of all loans, yuan), ``defaulted_balance``;
        - ``credit_coverage`` = credited / eligible; ``usage`` = drawing / credited;
          ``profiling_rate`` = profiled / eligible; ``credit_rate`` = credited / profiled;
          ``npl_ratio`` = defaulted balance / balance; ``npl_ratio_count`` = defaulted loans /
          loans; ``a_or_better_share`` = A-or-better / households; ``loan_share`` =
          borrowers / households. Each is NaN when its denominator is 0.

    Notes
    -----
    Numerators of the eligibility-based rates are restricted to eligible households, so the
    rates lie in [0, 1]. The outstanding balance is ``drawn_amount`` of ``loans``; NPL by
    count counts loans with drawn amount above 0. Township and programme rows are sums of the
    village counts with the rates recomputed from those sums (pooled, not averages of village
    rates). Each household's latest model run on or before ``as_of`` is used.

    ``a_or_better_share`` here is a share of **all roster households** (the credit-village
    rule of seed 003); the scorecard report's share of A or better is a share of **scored**
    households: two definitions, two names on the page.

    Examples
    --------
    >>> kpis = programme_kpis(prog, as_of="2026-06-30")  # doctest: +SKIP
    >>> kpis.query("level == 'village'")[["village", "credit_coverage"]]  # doctest: +SKIP
    """
    if unit not in ("household", "person"):
        raise CalibParamsError(f"unit: expected 'household' or 'person', got {unit!r}")
    as_of_ts = pd.Timestamp(as_of if as_of is not None else programme.as_of).normalize()
    st = household_status(programme, as_of=as_of_ts, final_limits=final_limits, grades=grades,
                          eligibility=eligibility)
    k, int_cols = _rollup(_household_counts(st, unit))
    for c in int_cols:
        k[c] = k[c].astype(np.int64)
    k["township"] = k["township"].astype("string")
    k["village"] = k["village"].astype("string")
    k["as_of"] = as_of_ts
    k["unit"] = unit
    _rates(k)
    cols = (["level", "township", "village", "as_of", "unit", "n_villages"] + COUNT_COLUMNS
            + ["total_limit", "total_balance", "defaulted_balance"] + RATE_COLUMNS)
    return k[cols]


def kpi_history(
    programme: Programme, dates: Sequence[Any], **kwargs: Any
) -> pd.DataFrame:
    """:func:`programme_kpis` at several dates, stacked (``as_of`` tells them apart).

    Parameters
    ----------
    programme : calib.programme.Programme
    dates : sequence of date-like
        Snapshot dates (e.g. the milestone dates of ``targets``).
    **kwargs
        Passed to :func:`programme_kpis` (``final_limits``, ``grades``, ``eligibility``,
        ``unit``).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`programme_kpis` for each date, concatenated.
    """
    frames = [programme_kpis(programme, as_of=d, **kwargs) for d in dates]
    return pd.concat(frames, ignore_index=True)
