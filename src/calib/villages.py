"""Credit villages (信用村), credit townships (信用乡镇) and programme targets.

Figures per village, township and programme (:func:`programme_kpis`), verdicts criterion by
criterion with the figure, the threshold and the verdict side by side
(:func:`certify_villages`, :func:`certify_townships`), what each village still lacks
(:func:`nearest_to_certification`) and progress against the dated milestones
(:func:`target_progress`). Rules and thresholds come from ``params`` (blocks ``eligibility``,
``credit_village``, ``credit_township``, ``targets``); see ``DOMAIN.md`` for their origin
(seed 001 targets, seed 003 credit-village and credit-township rules).

Exactness
---------
Every rate is a ratio of integer counts (households, persons, loans) or of amounts in integer
cents. Verdicts never compare floating-point rates: a rule ``a / n  op  p / q`` (threshold
``p / q`` read exactly from its decimal text, e.g. ``0.55`` -> ``11/20``) is decided as
``a * q  op  p * n`` in arbitrary-precision Python integers, so boundary cases follow the rule
exactly (55.0% is not above 55%; 90.0% is at least 90%). A criterion whose denominator is zero
has no figure (NaN) and **fails** with the reason ``no data``.
"""
from __future__ import annotations

import datetime
import operator
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from calib.eligibility import EligibilityRules, eligible_households
from calib.errors import CalibInputError, CalibParamsError
from calib.programme import Programme

__all__ = [
    "GRADES",
    "A_OR_BETTER",
    "VILLAGE_CRITERIA",
    "QUALITATIVE_CRITERIA",
    "TOWNSHIP_CRITERIA",
    "validate_village_rules",
    "validate_township_rules",
    "validate_targets",
    "validate_eligibility",
    "household_status",
    "programme_kpis",
    "kpi_history",
    "criteria_table",
    "certify_villages",
    "certify_townships",
    "nearest_to_certification",
    "target_progress",
    "headline_metrics",
    "kpi_table",
    "verdict_grid",
    "style_verdicts",
    "plot_verdict_table",
    "plot_target_progress",
]

#: Grades of the model run, best first (B = below A).
GRADES: tuple[str, ...] = ("AAA", "AA", "A", "B")
#: Grades counted as "A or better".
A_OR_BETTER: tuple[str, ...] = ("AAA", "AA", "A")

#: Quantitative credit-village criteria, in report order.
VILLAGE_CRITERIA: tuple[str, ...] = (
    "a_or_better_share",
    "profiling_rate",
    "credit_rate",
    "npl_ratio",
    "loan_share_vs_county",
    "npl_vs_county",
)
#: Qualitative credit-village criteria (from the ``village_assessments`` table).
QUALITATIVE_CRITERIA: tuple[str, ...] = ("collective_finances", "governance", "no_disputes")
#: Credit-township criteria.
TOWNSHIP_CRITERIA: tuple[str, ...] = ("credit_village_share", "npl_vs_county")

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_Op = Literal[">", ">=", "<", "<="]

# criterion -> (numerator column, denominator column, description). Money in cents.
_RATIO = {
    "a_or_better_share": ("n_a_or_better", "n_households"),
    "profiling_rate": ("n_profiled", "n_eligible"),
    "credit_rate": ("n_credited", "n_profiled"),
    "npl_ratio": ("_defaulted_cents", "_balance_cents"),
    "loan_share_vs_county": ("n_borrowers", "n_households"),
    "npl_vs_county": ("_defaulted_cents", "_balance_cents"),
}
_DESCRIPTION = {
    "a_or_better_share": "households rated A or better / all households",
    "profiling_rate": "profiled / eligible",
    "credit_rate": "credited / profiled",
    "npl_ratio": "defaulted drawn balance / drawn balance",
    "loan_share_vs_county": "households with a loan / all households, against the county",
    "npl_vs_county": "NPL ratio by balance against the county",
    "collective_finances": "collective finances sound (assessment)",
    "governance": "village governance sound (assessment)",
    "no_disputes": "no major disputes (assessment)",
    "credit_village_share": "credit villages / villages of the township",
}


# --------------------------------------------------------------------------------------------
# Parameter validation
# --------------------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(_Strict):
    op: _Op
    value: float = Field(ge=0, le=1)


class Relative(_Strict):
    op: _Op
    # ``calib.params.Criterion`` always carries ``value`` (None for the county-relative
    # criteria); a number here fixes the county figure, like ``county_*``.
    value: float | None = Field(default=None, ge=0, le=1)


class VillageRules(_Strict):
    a_or_better_share: Threshold = Threshold(op=">", value=0.55)
    profiling_rate: Threshold = Threshold(op=">=", value=0.90)
    credit_rate: Threshold = Threshold(op=">=", value=0.50)
    npl_ratio: Threshold = Threshold(op="<=", value=0.02)
    loan_share_vs_county: Relative = Relative(op=">")
    npl_vs_county: Relative = Relative(op="<")
    county_loan_share: float | None = Field(default=None, ge=0, le=1)
    county_npl_ratio: float | None = Field(default=None, ge=0, le=1)


class TownshipRules(_Strict):
    credit_village_share: Threshold = Threshold(op=">", value=0.75)
    npl_vs_county: Relative = Relative(op="<")
    county_npl_ratio: float | None = Field(default=None, ge=0, le=1)


class Milestone(_Strict):
    date: datetime.date
    villages: int | None = Field(default=None, ge=0)
    credit_coverage: float | None = Field(default=None, ge=0, le=1)
    usage: float | None = Field(default=None, ge=0, le=1)


class Targets(_Strict):
    credit_coverage_final: float | None = Field(default=0.80, ge=0, le=1)
    usage_final: float | None = Field(default=0.30, ge=0, le=1)
    village_profiled_at: float = Field(default=0.90, ge=0, le=1)
    milestones: list[Milestone] = []


def _validate(model: type[BaseModel], data: Any, block: str) -> BaseModel:
    if data is None:
        return model()
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if not isinstance(data, Mapping):
        raise CalibParamsError(f"{block}: expected a mapping, got {type(data).__name__}")
    try:
        return model(**dict(data))
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in (block, *err["loc"]))
            msgs.append(f"{loc}: {err['msg']} (got {err.get('input')!r})")
        raise CalibParamsError("; ".join(msgs)) from None


def validate_village_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``credit_village`` block of params (``None``: the defaults of DOMAIN.md).

    Raises
    ------
    CalibParamsError
        Naming the bad key, e.g. ``credit_village.profiling_rate.op``.
    """
    out = _validate(VillageRules, rules, "credit_village").model_dump()
    _sync_county(out, "loan_share_vs_county", "county_loan_share", "credit_village")
    _sync_county(out, "npl_vs_county", "county_npl_ratio", "credit_village")
    return out


def validate_township_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``credit_township`` block (``county_npl_ratio`` is an optional extra key).

    The county NPL may also be fixed as ``npl_vs_county.value`` (the shape
    ``calib.params.Params.block("credit_township")`` gives).
    """
    out = _validate(TownshipRules, rules, "credit_township").model_dump()
    _sync_county(out, "npl_vs_county", "county_npl_ratio", "credit_township")
    return out


def _sync_county(out: dict[str, Any], crit: str, key: str, block: str) -> None:
    """Make ``out[crit]["value"]`` and ``out[key]`` the same county figure (or both None)."""
    a, b = out[crit].get("value"), out[key]
    if a is not None and b is not None and float(a) != float(b):
        raise CalibParamsError(
            f"{block}.{crit}.value: {a!r} contradicts {block}.{key} {b!r} (give one of them)"
        )
    fixed = a if a is not None else b
    out[crit]["value"] = fixed
    out[key] = fixed


def validate_targets(targets: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``targets`` block; milestones are returned sorted by date."""
    out = _validate(Targets, targets, "targets").model_dump()
    for m in out["milestones"]:
        m["date"] = pd.Timestamp(m["date"])
    out["milestones"] = sorted(out["milestones"], key=lambda m: m["date"])
    return out


def validate_eligibility(eligibility: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``eligibility`` block."""
    return _validate(EligibilityRules, eligibility, "eligibility").model_dump()


# --------------------------------------------------------------------------------------------
# Exact arithmetic helpers
# --------------------------------------------------------------------------------------------
def _frac(x: float) -> Fraction:
    """Exact fraction of a threshold as written in decimal (0.55 -> 11/20)."""
    return Fraction(repr(float(x)))


def _ints(s: pd.Series | np.ndarray) -> np.ndarray:
    """Object array of Python ints (arbitrary precision)."""
    a = np.asarray(s, dtype=np.int64)
    return np.array([int(v) for v in a], dtype=object) if a.size else np.array([], dtype=object)


def _cents(amount: pd.Series) -> pd.Series:
    return pd.Series(np.rint(amount.to_numpy(dtype=float) * 100.0), index=amount.index).astype(
        np.int64
    )


def _compare(num, den, op: str, p, q) -> np.ndarray:
    """Verdict strings for ``num/den  op  p/q`` decided in integers; den == 0 -> 'no data'."""
    num = np.asarray(num, dtype=object)
    den = np.asarray(den, dtype=object)
    valid = np.array([d > 0 for d in den], dtype=bool)
    ok = np.asarray(_OPS[op](num * q, p * den), dtype=bool)
    return np.where(~valid, "no data", np.where(ok, "pass", "fail"))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den_f = den.astype(float)
    return (num.astype(float) / den_f).where(den_f > 0)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
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
        ``a_or_better`` (bool), ``limit`` (final limit, else latest model limit; NaN when not
        run), ``credited`` (profiled and limit > 0), ``n_loans`` (loans with drawn > 0),
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

    rv = programme.reviews
    if rv is None or "household_id" not in rv:
        raise CalibInputError("reviews: missing table or column 'household_id'")
    _check_known(rv["household_id"], idx, "reviews")
    if "review_date" in rv:
        d = pd.to_datetime(rv["review_date"])
        rv = rv.loc[d.isna() | (d <= as_of_ts)]
    out["reviewed"] = _member(idx, rv["household_id"])

    mr = programme.model_runs
    if mr is None:
        raise CalibInputError("model_runs: the table is required")
    for col in ("household_id", "run_date", "model_limit"):
        if col not in mr:
            raise CalibInputError(f"model_runs: missing column {col!r}")
    _check_known(mr["household_id"], idx, "model_runs")
    mr = mr.loc[pd.to_datetime(mr["run_date"]) <= as_of_ts]
    latest = (
        mr.assign(_d=pd.to_datetime(mr["run_date"]))
        .sort_values(["household_id", "_d"], kind="stable")
        .drop_duplicates("household_id", keep="last")
        .set_index("household_id")
    )
    out["model_run"] = _member(idx, latest.index)
    out["profiled"] = out["reviewed"] & out["model_run"]

    if grades is None:
        grade = (
            latest["grade"].reindex(idx)
            if "grade" in latest
            else pd.Series(pd.NA, index=idx, dtype="string")
        )
    else:
        g = _by_household(grades, "grade", "grades")
        _check_known(pd.Series(g.index), idx, "grades")
        grade = g.reindex(idx)
    grade = grade.astype("string")
    bad = grade.notna() & ~grade.isin(list(GRADES))
    if bad.any():
        raise CalibInputError(
            f"grade: unknown value(s) {sorted(grade[bad].unique().tolist())[:5]}; "
            f"expected one of {', '.join(GRADES)}"
        )
    out["grade"] = grade
    out["a_or_better"] = grade.isin(list(A_OR_BETTER)).fillna(False).astype(bool)

    if final_limits is None:
        limit = latest["model_limit"].reindex(idx).astype(float)
    else:
        fl = _by_household(final_limits, "final_limit", "final_limits")
        _check_known(pd.Series(fl.index), idx, "final_limits")
        limit = pd.to_numeric(fl, errors="raise").reindex(idx).astype(float)
    if (limit < 0).any():
        raise CalibInputError("final limit: negative value(s)")
    out["limit"] = limit.where(out["model_run"] | (final_limits is not None))
    out["credited"] = out["profiled"] & (out["limit"] > 0).fillna(False).astype(bool)

    ln = programme.loans
    if ln is not None and len(ln):
        for col in ("household_id", "drawn_amount", "default"):
            if col not in ln:
                raise CalibInputError(f"loans: missing column {col!r}")
        _check_known(ln["household_id"], idx, "loans")
        if "start_date" in ln:
            ln = ln.loc[pd.to_datetime(ln["start_date"]) <= as_of_ts]
        drawn = pd.to_numeric(ln["drawn_amount"], errors="raise").astype(float)
        if drawn.isna().any() or (drawn < 0).any():
            raise CalibInputError("loans: drawn_amount must be a non-negative amount")
        dflt = pd.to_numeric(ln["default"], errors="raise")
        if dflt.isna().any() or not dflt.isin([0, 1]).all():
            raise CalibInputError("loans: default must be 0 or 1 on every row")
        live = drawn > 0
        cents = _cents(drawn)
        frame = pd.DataFrame(
            {
                "household_id": ln["household_id"].to_numpy(),
                "n_loans": live.to_numpy().astype(np.int64),
                "n_loans_defaulted": (live & (dflt == 1)).to_numpy().astype(np.int64),
                "_balance_cents": cents.to_numpy(),
                "_defaulted_cents": cents.where(dflt == 1, 0).to_numpy(),
            }
        )
        agg = frame.groupby("household_id").sum().reindex(idx, fill_value=0)
    else:
        agg = pd.DataFrame(
            0,
            index=idx,
            columns=["n_loans", "n_loans_defaulted", "_balance_cents", "_defaulted_cents"],
            dtype=np.int64,
        )
    out["n_loans"] = agg["n_loans"].astype(np.int64)
    out["n_loans_defaulted"] = agg["n_loans_defaulted"].astype(np.int64)
    out["balance"] = agg["_balance_cents"].astype(np.int64) / 100.0
    out["defaulted_balance"] = agg["_defaulted_cents"].astype(np.int64) / 100.0
    out["borrower"] = out["n_loans"] > 0
    return out


_COUNT_COLS = [
    "n_households",
    "n_eligible_households",
    "n_eligible_persons",
    "n_eligible",
    "n_profiled",
    "n_credited",
    "n_drawing",
    "n_a_or_better",
    "n_borrowers",
    "n_loans",
    "n_loans_defaulted",
]


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

    Examples
    --------
    >>> kpis = programme_kpis(prog, as_of="2026-06-30")  # doctest: +SKIP
    >>> kpis.query("level == 'village'")[["village", "credit_coverage"]]  # doctest: +SKIP
    """
    if unit not in ("household", "person"):
        raise CalibParamsError(f"unit: expected 'household' or 'person', got {unit!r}")
    as_of_ts = pd.Timestamp(as_of if as_of is not None else programme.as_of).normalize()
    st = household_status(
        programme, as_of=as_of_ts, final_limits=final_limits, grades=grades,
        eligibility=eligibility,
    )
    e = st["eligible"]
    w = st["n_eligible_members"].astype(np.int64) if unit == "person" else e.astype(np.int64)
    prof = e & st["profiled"]
    cred = e & st["credited"]
    draw = cred & st["borrower"]
    base = pd.DataFrame(
        {
            "township": st["township"],
            "village": st["village"],
            "n_households": np.int64(1),
            "n_eligible_households": e.astype(np.int64),
            "n_eligible_persons": st["n_eligible_members"].astype(np.int64),
            "n_eligible": w,
            "n_profiled": w * prof,
            "n_credited": w * cred,
            "n_drawing": w * draw,
            "n_a_or_better": st["a_or_better"].astype(np.int64),
            "n_borrowers": st["borrower"].astype(np.int64),
            "n_loans": st["n_loans"],
            "n_loans_defaulted": st["n_loans_defaulted"],
            "_limit_cents": _cents(st["limit"].where(cred, 0.0).fillna(0.0)),
            "_balance_cents": _cents(st["balance"]),
            "_defaulted_cents": _cents(st["defaulted_balance"]),
        }
    )
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
    k = pd.concat([vil, tw, pr], ignore_index=True)
    for c in sum_cols + ["n_villages"]:
        k[c] = k[c].astype(np.int64)
    k["township"] = k["township"].astype("string")
    k["village"] = k["village"].astype("string")
    k["as_of"] = as_of_ts
    k["unit"] = unit
    k["total_limit"] = k["_limit_cents"] / 100.0
    k["total_balance"] = k["_balance_cents"] / 100.0
    k["defaulted_balance"] = k["_defaulted_cents"] / 100.0
    k["credit_coverage"] = _ratio(k["n_credited"], k["n_eligible"])
    k["usage"] = _ratio(k["n_drawing"], k["n_credited"])
    k["profiling_rate"] = _ratio(k["n_profiled"], k["n_eligible"])
    k["credit_rate"] = _ratio(k["n_credited"], k["n_profiled"])
    k["npl_ratio"] = _ratio(k["_defaulted_cents"], k["_balance_cents"])
    k["npl_ratio_count"] = _ratio(k["n_loans_defaulted"], k["n_loans"])
    k["a_or_better_share"] = _ratio(k["n_a_or_better"], k["n_households"])
    k["loan_share"] = _ratio(k["n_borrowers"], k["n_households"])
    cols = (
        ["level", "township", "village", "as_of", "unit", "n_villages"]
        + _COUNT_COLS
        + ["total_limit", "total_balance", "defaulted_balance"]
        + [
            "credit_coverage", "usage", "profiling_rate", "credit_rate", "npl_ratio",
            "npl_ratio_count", "a_or_better_share", "loan_share",
        ]
    )
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


# --------------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------------
def _village_rows(kpis: pd.DataFrame) -> pd.DataFrame:
    need = {"level", "township", "village", "n_households", "n_eligible", "n_profiled",
            "n_credited", "n_a_or_better", "n_borrowers", "total_balance", "defaulted_balance"}
    missing = need - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    if "as_of" in kpis and kpis["as_of"].nunique() > 1:
        raise CalibInputError(
            "kpis: several as_of snapshots; select one (kpis[kpis.as_of == date])"
        )
    v = kpis.loc[kpis["level"] == "village"].copy()
    if v.empty:
        raise CalibInputError("kpis: no village rows (level == 'village')")
    v["_balance_cents"] = _cents(v["total_balance"])
    v["_defaulted_cents"] = _cents(v["defaulted_balance"])
    return v.reset_index(drop=True)


def _county(v: pd.DataFrame, rules: dict) -> dict[str, tuple[Any, Any, float]]:
    """County loan share and NPL as exact (p, q, float)."""
    out = {}
    if rules.get("county_loan_share") is not None:
        f = _frac(rules["county_loan_share"])
        out["loan_share"] = (f.numerator, f.denominator, float(f))
    else:
        p, q = int(v["n_borrowers"].sum()), int(v["n_households"].sum())
        out["loan_share"] = (p, q, p / q if q else np.nan)
    if rules.get("county_npl_ratio") is not None:
        f = _frac(rules["county_npl_ratio"])
        out["npl"] = (f.numerator, f.denominator, float(f))
    else:
        p, q = int(v["_defaulted_cents"].sum()), int(v["_balance_cents"].sum())
        out["npl"] = (p, q, p / q if q else np.nan)
    return out


def _threshold(crit: str, rules: dict, county: dict) -> tuple[str, Any, Any, float]:
    """(op, p, q, float threshold) of a village criterion."""
    op = rules[crit]["op"]
    if crit == "loan_share_vs_county":
        return (op, *county["loan_share"])
    if crit == "npl_vs_county":
        return (op, *county["npl"])
    f = _frac(rules[crit]["value"])
    return op, f.numerator, f.denominator, float(f)


def criteria_table(
    rules: Mapping[str, Any] | None = None, *, level: Literal["village", "township"] = "village"
) -> pd.DataFrame:
    """The rules as a table for reports: ``criterion``, ``description``, ``op``, ``value``.

    ``value`` is NaN for the county-relative criteria unless params fix the county figure, and
    for the qualitative ones (``op`` is ``"yes"``).
    """
    if level == "village":
        r = validate_village_rules(rules)
        rows = []
        for c in VILLAGE_CRITERIA:
            val = r[c].get("value")
            val = np.nan if val is None else val
            if c == "loan_share_vs_county" and r["county_loan_share"] is not None:
                val = r["county_loan_share"]
            if c == "npl_vs_county" and r["county_npl_ratio"] is not None:
                val = r["county_npl_ratio"]
            rows.append((c, _DESCRIPTION[c], r[c]["op"], val))
        rows += [(c, _DESCRIPTION[c], "yes", np.nan) for c in QUALITATIVE_CRITERIA]
    else:
        r = validate_township_rules(rules)
        rows = [
            ("credit_village_share", _DESCRIPTION["credit_village_share"],
             r["credit_village_share"]["op"], r["credit_village_share"]["value"]),
            ("npl_vs_county", _DESCRIPTION["npl_vs_county"], r["npl_vs_county"]["op"],
             r["county_npl_ratio"] if r["county_npl_ratio"] is not None else np.nan),
        ]
    return pd.DataFrame(rows, columns=["criterion", "description", "op", "value"])


def _join_names(flags: dict[str, np.ndarray], n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for name, f in flags.items():
        sep = np.where(out == "", "", ", ")
        out = np.where(f, out + sep + name, out)
    return out


def _assessment_verdicts(v: pd.DataFrame, assessments: pd.DataFrame | None) -> pd.DataFrame:
    n = len(v)
    res = pd.DataFrame({c: np.full(n, "not assessed", dtype=object) for c in QUALITATIVE_CRITERIA})
    if assessments is None:
        return res
    if "village" not in assessments:
        raise CalibInputError("village_assessments: missing column 'village'")
    keys = ["township", "village"] if "township" in assessments else ["village"]
    if assessments.duplicated(keys).any():
        dup = assessments.loc[assessments.duplicated(keys), "village"].astype(str).iloc[:5]
        raise CalibInputError(f"village_assessments: duplicated village(s) {', '.join(dup)}")
    if keys == ["village"] and v["village"].duplicated().any():
        raise CalibInputError(
            "village_assessments: village names repeat across townships; add a 'township' column"
        )
    known = pd.MultiIndex.from_frame(v[keys].astype(str))
    given = pd.MultiIndex.from_frame(assessments[keys].astype(str))
    extra = given.difference(known)
    if len(extra):
        raise CalibInputError(
            f"village_assessments: village(s) not in the figures: "
            f"{', '.join('/'.join(x) if isinstance(x, tuple) else str(x) for x in extra[:5])}"
        )
    a = assessments.copy()
    a.index = given
    for c in QUALITATIVE_CRITERIA:
        if c not in a:
            continue
        col = a[c]
        try:
            col = col.astype("boolean")
        except (TypeError, ValueError):
            raise CalibInputError(
                f"village_assessments: column {c!r} must be yes/no (bool) or blank"
            ) from None
        col = col.reindex(known)
        res[c] = np.where(col.isna().to_numpy(), "not assessed",
                          np.where(col.fillna(False).to_numpy(dtype=bool), "pass", "fail"))
    return res


def certify_villages(
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    assessments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Credit-village verdicts (信用村, seed 003), criterion by criterion.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``); its village rows are judged.
    rules : mapping, optional
        ``params["credit_village"]``; ``None`` uses DOMAIN.md (A or better > 55%, profiling
        >= 90%, credit rate >= 50%, NPL <= 2%, loan share > county, NPL < county).
    assessments : pandas.DataFrame, optional
        ``programme.village_assessments``: ``village`` (and optionally ``township``),
        ``collective_finances``, ``governance``, ``no_disputes`` as bool or NA.

    Returns
    -------
    pandas.DataFrame
        One row per village: ``township``, ``village``; for each criterion ``c`` of
        :data:`VILLAGE_CRITERIA` the columns ``c_figure`` (the village rate, NaN when no
        data), ``c_threshold`` (the value it is compared with: the params value or the county
        figure) and ``c`` (``"pass"``, ``"fail"`` or ``"no data"``); for each criterion of
        :data:`QUALITATIVE_CRITERIA` the column ``c`` (``"pass"``, ``"fail"`` or ``"not
        assessed"``); ``n_failed`` (criteria failed, "no data" counts as failed),
        ``failed`` (their names, ``"(no data)"`` marked), ``not_assessed`` (names),
        ``certified`` (bool: every criterion passes) and ``status`` (``"certified"``,
        ``"not certified"``, or ``"pending assessment"`` when every quantitative criterion
        passes and no qualitative one fails but some are not assessed).

    Notes
    -----
    Comparisons are exact in integers (see the module docstring). The county is the whole
    programme (pooled over the village rows of ``kpis``) unless ``county_loan_share`` /
    ``county_npl_ratio`` are given. A village equal to the county average fails both
    county-relative criteria ("above" and "below" are strict by default).
    """
    r = validate_village_rules(rules)
    v = _village_rows(kpis)
    county = _county(v, r)
    n = len(v)
    out = pd.DataFrame({"township": v["township"], "village": v["village"]})
    failed: dict[str, np.ndarray] = {}
    for c in VILLAGE_CRITERIA:
        num_col, den_col = _RATIO[c]
        op, p, q, thr = _threshold(c, r, county)
        num, den = _ints(v[num_col]), _ints(v[den_col])
        if q == 0:  # county figure undefined
            verdict = np.full(n, "no data", dtype=object)
        else:
            verdict = _compare(num, den, op, p, q).astype(object)
        out[f"{c}_figure"] = _ratio(v[num_col], v[den_col]).to_numpy()
        out[f"{c}_threshold"] = thr
        out[c] = verdict
        failed[c] = verdict == "fail"
        failed[f"{c} (no data)"] = verdict == "no data"
    qual = _assessment_verdicts(v, assessments)
    for c in QUALITATIVE_CRITERIA:
        out[c] = qual[c].to_numpy()
        failed[c] = out[c].to_numpy() == "fail"
    not_assessed = {c: out[c].to_numpy() == "not assessed" for c in QUALITATIVE_CRITERIA}
    n_failed = np.sum([f for f in failed.values()], axis=0).astype(np.int64)
    n_na = np.sum([f for f in not_assessed.values()], axis=0).astype(np.int64)
    out["n_failed"] = n_failed
    out["failed"] = _join_names(failed, n)
    out["not_assessed"] = _join_names(not_assessed, n)
    out["certified"] = (n_failed == 0) & (n_na == 0)
    out["status"] = np.where(
        out["certified"], "certified",
        np.where((n_failed == 0) & (n_na > 0), "pending assessment", "not certified"),
    )
    for c in ("failed", "not_assessed", "status") + VILLAGE_CRITERIA + QUALITATIVE_CRITERIA:
        out[c] = out[c].astype("string")
    return out


def certify_townships(
    village_verdicts: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Credit-township verdicts (信用乡镇, seed 003).

    Parameters
    ----------
    village_verdicts : pandas.DataFrame
        Output of :func:`certify_villages`.
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (the same snapshot).
    rules : mapping, optional
        ``params["credit_township"]``; default: credit villages > 75% of the township's villages
        and NPL < the county average (the whole programme unless ``county_npl_ratio`` is given).

    Returns
    -------
    pandas.DataFrame
        One row per township: ``township``, ``n_villages``, ``n_credit_villages``,
        ``n_pending_assessment``, ``credit_village_share_figure``,
        ``credit_village_share_threshold``, ``credit_village_share`` (pass/fail/no data),
        ``npl_vs_county_figure`` (township NPL by balance), ``npl_vs_county_threshold``
        (county NPL), ``npl_vs_county``, ``n_failed``, ``failed``, ``certified`` (bool).
    """
    r = validate_township_rules(rules)
    v = _village_rows(kpis)
    vv = village_verdicts
    for col in ("township", "village", "certified"):
        if col not in vv:
            raise CalibInputError(f"village_verdicts: missing column {col!r}")
    key = pd.MultiIndex.from_frame(v[["township", "village"]].astype(str))
    vkey = pd.MultiIndex.from_frame(vv[["township", "village"]].astype(str))
    if not vkey.isin(key).all() or not key.isin(vkey).all():
        raise CalibInputError("village_verdicts and kpis do not cover the same villages")
    cert = pd.Series(vv["certified"].to_numpy(dtype=bool), index=vkey).reindex(key)
    pend = pd.Series(
        (vv["status"] == "pending assessment").to_numpy(dtype=bool) if "status" in vv
        else np.zeros(len(vv), dtype=bool),
        index=vkey,
    ).reindex(key)
    v = v.assign(_cert=cert.to_numpy().astype(np.int64), _pend=pend.to_numpy().astype(np.int64),
                 _one=np.int64(1))
    t = v.groupby("township", sort=True)[
        ["_one", "_cert", "_pend", "_balance_cents", "_defaulted_cents"]
    ].sum()
    out = pd.DataFrame({"township": t.index.astype("string")})
    out["n_villages"] = t["_one"].to_numpy()
    out["n_credit_villages"] = t["_cert"].to_numpy()
    out["n_pending_assessment"] = t["_pend"].to_numpy()
    f = _frac(r["credit_village_share"]["value"])
    out["credit_village_share_figure"] = _ratio(t["_cert"], t["_one"]).to_numpy()
    out["credit_village_share_threshold"] = float(f)
    out["credit_village_share"] = _compare(
        _ints(t["_cert"]), _ints(t["_one"]), r["credit_village_share"]["op"],
        f.numerator, f.denominator,
    )
    if r["county_npl_ratio"] is not None:
        g = _frac(r["county_npl_ratio"])
        p, q = g.numerator, g.denominator
    else:
        p, q = int(v["_defaulted_cents"].sum()), int(v["_balance_cents"].sum())
    out["npl_vs_county_figure"] = _ratio(t["_defaulted_cents"], t["_balance_cents"]).to_numpy()
    out["npl_vs_county_threshold"] = p / q if q else np.nan
    out["npl_vs_county"] = (
        _compare(_ints(t["_defaulted_cents"]), _ints(t["_balance_cents"]),
                 r["npl_vs_county"]["op"], p, q)
        if q else "no data"
    )
    flags = {}
    for c in TOWNSHIP_CRITERIA:
        flags[c] = out[c].to_numpy() == "fail"
        flags[f"{c} (no data)"] = out[c].to_numpy() == "no data"
    out["n_failed"] = np.sum(list(flags.values()), axis=0).astype(np.int64)
    out["failed"] = pd.Series(_join_names(flags, len(out))).astype("string")
    out["certified"] = out["n_failed"] == 0
    for c in TOWNSHIP_CRITERIA:
        out[c] = out[c].astype("string")
    return out


# --------------------------------------------------------------------------------------------
# What each village lacks
# --------------------------------------------------------------------------------------------
def _needed_change(num, den, op: str, p, q) -> np.ndarray:
    """Smallest integer change of ``num`` (den fixed) that makes ``num/den op p/q`` true.

    Positive: increase needed (ops > / >=); negative: decrease needed (ops < / <=); 0 when met.
    """
    num = np.asarray(num, dtype=object)
    den = np.asarray(den, dtype=object)
    pn = p * den
    if op == ">":
        need = pn // q + 1 - num
    elif op == ">=":
        need = -((-pn) // q) - num
    elif op == "<=":
        need = pn // q - num
    else:  # "<"
        need = -((-pn) // q) - 1 - num
    if op in (">", ">="):
        return np.array([max(int(x), 0) for x in need], dtype=object)
    return np.array([min(int(x), 0) for x in need], dtype=object)


def _needed_recovery(d, t, op: str, p, q) -> np.ndarray:
    """Smallest defaulted amount ``x`` (cents) to recover or write off so that
    ``(d - x) / (t - x)  op  p / q`` (both balances fall by ``x``); 0 when met.

    ``(d - x) q <= p (t - x)``  iff  ``x >= (d q - p t) / (q - p)`` (``p < q``).
    """
    d = np.asarray(d, dtype=object)
    t = np.asarray(t, dtype=object)
    if op in (">", ">=") or p >= q:
        return np.zeros(len(d), dtype=object)
    excess = d * q - p * t
    gap = q - p
    if op == "<=":
        x = -((-excess) // gap)
    else:  # "<"
        x = excess // gap + 1
    return np.array([max(int(v), 0) for v in x], dtype=object)


def _singular(noun: str, n: int) -> str:
    """``"households with a loan"`` -> ``"household with a loan"`` when ``n == 1``."""
    if n != 1:
        return noun
    for plural, one in (("households", "household"), ("persons", "person")):
        if plural in noun:
            return noun.replace(plural, one, 1)
    return noun


def _fmt_int(x) -> str:
    return f"{int(x):,}"


def nearest_to_certification(
    verdicts: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    top: int | None = 10,
) -> pd.DataFrame:
    """Villages not (yet) certified, nearest first, with what each lacks in plain language.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages`.
    kpis : pandas.DataFrame
        The same snapshot of :func:`programme_kpis`.
    rules : mapping, optional
        ``params["credit_village"]`` (the rules the verdicts were made with).
    top : int or None
        How many villages to return (``None``: all not certified).

    Returns
    -------
    pandas.DataFrame
        Columns ``township``, ``village``, ``status``, ``n_lacking`` (criteria failed, without
        data or not assessed), ``gap`` (sum over failed quantitative criteria of the distance
        between figure and threshold in rate points; 1 for each criterion without data or
        qualitative one not passed), ``lacks`` (e.g. ``"3 more profiled households; NPL must
        fall by 12,000.00 yuan of defaulted balance"``), and for each quantitative criterion
        ``c`` the column ``c_needed`` (signed change of the numerator: households or persons,
        or yuan of defaulted balance; 0 when met).

    Notes
    -----
    Each change is the smallest one that meets the criterion, computed exactly in integers with
    the other counts held fixed: more profiled households with the eligible households
    unchanged; more credited households with the profiled ones unchanged; more A-or-better
    households or households with a loan with the village's households unchanged. NPL falls by
    recovery or write-off of defaulted balance, which lowers the defaulted and the total drawn
    balance alike: the amount ``x`` solves ``(d - x) / (t - x) <= p / q``. County averages are
    held at their current value (one village's change moves them only slightly). Villages are
    ordered by ``n_lacking`` then ``gap``.
    """
    r = validate_village_rules(rules)
    v = _village_rows(kpis)
    county = _county(v, r)
    key = pd.MultiIndex.from_frame(v[["township", "village"]].astype(str))
    vv = verdicts.copy()
    vv.index = pd.MultiIndex.from_frame(vv[["township", "village"]].astype(str))
    vv = vv.reindex(key)
    if vv["certified"].isna().any():
        raise CalibInputError("verdicts and kpis do not cover the same villages")
    unit = str(kpis["unit"].iloc[0]) if "unit" in kpis else "household"
    who = "persons" if unit == "person" else "households"
    n = len(v)
    lacks = np.full(n, "", dtype=object)
    gap = np.zeros(n)
    n_lacking = np.zeros(n, dtype=np.int64)
    res = pd.DataFrame({"township": v["township"], "village": v["village"],
                        "status": vv["status"].to_numpy()})

    def add(mask, text):
        nonlocal lacks
        sep = np.where(lacks == "", "", "; ")
        lacks = np.where(mask, lacks + sep + text, lacks)

    noun = {
        "a_or_better_share": "households rated A or better",
        "profiling_rate": f"profiled {who}",
        "credit_rate": f"credited {who}",
        "loan_share_vs_county": "households with a loan",
    }
    for c in VILLAGE_CRITERIA:
        num_col, den_col = _RATIO[c]
        op, p, q, thr = _threshold(c, r, county)
        verdict = vv[c].to_numpy(dtype=object)
        fail = verdict == "fail"
        nodata = verdict == "no data"
        npl = c in ("npl_ratio", "npl_vs_county")
        if not q:
            need = np.zeros(n, dtype=object)
        elif npl:
            need = -_needed_recovery(_ints(v[num_col]), _ints(v[den_col]), op, p, q)
        else:
            need = _needed_change(_ints(v[num_col]), _ints(v[den_col]), op, p, q)
        need = np.where(fail, need, 0)
        if npl:
            res[f"{c}_needed"] = need.astype(float) / 100.0
            amount = np.array([f"{abs(int(x)) / 100:,.2f}" for x in need], dtype=object)
            what = "NPL" if c == "npl_ratio" else "NPL (to go below the county average)"
            text = np.array(
                [f"{what} must fall by {a} yuan of defaulted balance" for a in amount],
                dtype=object,
            )
        else:
            res[f"{c}_needed"] = need.astype(np.int64)
            more = "more" if op in (">", ">=") else "fewer"
            text = np.array([f"{abs(int(x)):,} {more} {_singular(noun[c], abs(int(x)))}"
                             for x in need], dtype=object)
        add(fail, text)
        add(nodata, f"{c}: no data")
        fig = _ratio(v[num_col], v[den_col]).to_numpy()
        gap += np.where(fail, np.abs(fig - thr), 0.0) + np.where(nodata, 1.0, 0.0)
        n_lacking += (fail | nodata).astype(np.int64)
    for c in QUALITATIVE_CRITERIA:
        verdict = vv[c].to_numpy(dtype=object)
        add(verdict == "fail", f"{c.replace('_', ' ')}: fails")
        add(verdict == "not assessed", f"{c.replace('_', ' ')}: not assessed")
        bad = verdict != "pass"
        gap += bad.astype(float)
        n_lacking += bad.astype(np.int64)
    res["n_lacking"] = n_lacking
    res["gap"] = gap
    res["lacks"] = pd.Series(lacks).astype("string").to_numpy()
    res = res.loc[~vv["certified"].to_numpy(dtype=bool)]
    res = res.sort_values(["n_lacking", "gap", "township", "village"], kind="stable")
    cols = ["township", "village", "status", "n_lacking", "gap", "lacks"] + [
        f"{c}_needed" for c in VILLAGE_CRITERIA
    ]
    res = res[cols].reset_index(drop=True)
    return res if top is None else res.head(top)


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------
def target_progress(
    kpis: pd.DataFrame,
    *,
    targets: Mapping[str, Any] | None,
    as_of: Any,
    village_profiled_at: float | None = None,
    measure: Literal["at_milestone", "latest"] = "at_milestone",
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
        profiling rate is at least this (exact comparison). Default: the optional key
        ``targets.village_profiled_at``, else 0.90.
    measure : {"at_milestone", "latest"}
        ``"at_milestone"``: each milestone due by ``as_of`` is judged on the latest snapshot on
        or before its date (was the programme on track *then*?). ``"latest"``: every milestone
        and the final targets are judged on the latest snapshot on or before ``as_of`` (where
        does the programme stand *now* against each step of the path?); use it when the data
        hold no snapshot at the milestone dates, e.g. a programme evaluated after its
        milestones passed.

    Returns
    -------
    pandas.DataFrame
        One row per milestone, then a ``final`` row (the final targets, dated at the last
        milestone): ``milestone`` (date text or ``"final"``), ``date``, ``villages_target``,
        ``credit_coverage_target``, ``usage_target``, ``measured_at`` (the snapshot used: the
        latest on or before the milestone date for milestones due by ``as_of``, else the latest
        on or before ``as_of``; with ``measure="latest"`` always the latest on or before
        ``as_of``; NaT when none), ``due`` (bool: dated on or before ``as_of``),
        ``villages`` (profiled villages),
        ``credit_coverage``, ``usage``, ``villages_met``, ``credit_coverage_met``,
        ``usage_met`` (bool, NA without a target or a figure), ``status`` (``"on track"``:
        every target met; ``"behind"``: one missed; ``"not measured"``: no snapshot at the
        milestone; ``"upcoming"``: due after ``as_of``; with ``measure="latest"``: ``"met"``
        or ``"not met"`` by the current figures, or ``"not measured"``), ``shortfall`` (text).

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
    vil = kpis.loc[kpis["level"] == "village"]
    snaps = pd.DatetimeIndex(pr["as_of"].unique()).sort_values()
    fp = _frac(tg["village_profiled_at"] if village_profiled_at is None else village_profiled_at)
    vok = _compare(_ints(vil["n_profiled"]), _ints(vil["n_eligible"]), ">=",
                   fp.numerator, fp.denominator) == "pass"
    n_vill = pd.Series(vok.astype(np.int64), index=vil.index).groupby(
        vil["as_of"].to_numpy()).sum()

    ms = list(tg["milestones"])
    last = ms[-1]["date"] if ms else as_of_ts
    ms.append({"date": last, "villages": None, "credit_coverage": tg["credit_coverage_final"],
               "usage": tg["usage_final"], "_final": True})
    rows = []
    for m in ms:  # a handful of milestones
        d = pd.Timestamp(m["date"])
        due = d <= as_of_ts
        cut = d if (due and measure == "at_milestone") else as_of_ts
        avail = snaps[snaps <= cut]
        row = {
            "milestone": "final" if m.get("_final") else str(d.date()),
            "date": d,
            "villages_target": m["villages"],
            "credit_coverage_target": m["credit_coverage"],
            "usage_target": m["usage"],
            "measured_at": avail[-1] if len(avail) else pd.NaT,
            "due": bool(due),
        }
        if len(avail):
            s = pr.loc[pr["as_of"] == avail[-1]].iloc[0]
            row["villages"] = int(n_vill.get(avail[-1], 0))
            row["credit_coverage"] = s["credit_coverage"]
            row["usage"] = s["usage"]
            met = {}
            for name, num, den in (("credit_coverage", "n_credited", "n_eligible"),
                                   ("usage", "n_drawing", "n_credited")):
                t = m[name]
                if t is None:
                    met[name] = pd.NA
                    continue
                f = _frac(t)
                vd = _compare(np.array([int(s[num])], dtype=object),
                              np.array([int(s[den])], dtype=object), ">=",
                              f.numerator, f.denominator)[0]
                met[name] = vd == "pass"
            met["villages"] = pd.NA if m["villages"] is None else row["villages"] >= m["villages"]
        else:
            row.update(villages=pd.NA, credit_coverage=np.nan, usage=np.nan)
            met = {"villages": pd.NA, "credit_coverage": pd.NA, "usage": pd.NA}
        for k2 in ("villages", "credit_coverage", "usage"):
            row[f"{k2}_met"] = met[k2]
        short = []
        if len(avail):
            if met["villages"] is False:
                short.append(f"{m['villages'] - row['villages']} more profiled villages")
            if met["credit_coverage"] is False:
                short.append(f"coverage {row['credit_coverage']:.1%} < "
                             f"{m['credit_coverage']:.0%}" if row["credit_coverage"] == row[
                                 "credit_coverage"] else "coverage: no data")
            if met["usage"] is False:
                short.append(f"usage {row['usage']:.1%} < {m['usage']:.0%}"
                             if row["usage"] == row["usage"] else "usage: no data")
        if not len(avail):
            status = "not measured"
        elif measure == "latest":
            status = "not met" if short else "met"
        elif not due:
            status = "upcoming"
        else:
            status = "behind" if short else "on track"
        row["status"] = status
        row["shortfall"] = "; ".join(short)
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("villages_met", "credit_coverage_met", "usage_met"):
        out[c] = out[c].astype("boolean")
    out["villages_target"] = out["villages_target"].astype("Int64")
    out["villages"] = out["villages"].astype("Int64")
    out["credit_coverage_target"] = out["credit_coverage_target"].astype(float)
    out["usage_target"] = out["usage_target"].astype(float)
    for c in ("milestone", "status", "shortfall"):
        out[c] = out[c].astype("string")
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
    ``progress``: ``milestones_behind``, ``milestones_on_track`` and, for
    ``measure="latest"``, ``milestones_met_now``, ``milestones_not_met_now``.
    """
    pr = kpis.loc[kpis["level"] == "programme"]
    if "as_of" in pr and pr["as_of"].nunique() > 1:
        pr = pr.loc[pr["as_of"] == pr["as_of"].max()]
    s = pr.iloc[0]

    def num(x):
        if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
            return None
        return float(x) if isinstance(x, (float, np.floating)) else int(x)

    out: dict[str, Any] = {
        "as_of": str(pd.Timestamp(s["as_of"]).date()),
        "unit": str(s["unit"]),
        "n_villages": num(s["n_villages"]),
        "n_households": num(s["n_households"]),
        "n_eligible": num(s["n_eligible"]),
    }
    for c in ("credit_coverage", "usage", "profiling_rate", "credit_rate", "npl_ratio",
              "npl_ratio_count", "a_or_better_share", "loan_share", "total_limit",
              "total_balance"):
        out[c] = num(s[c])
    if verdicts is not None:
        out["credit_villages"] = int(verdicts["certified"].sum())
        out["credit_village_share"] = (
            out["credit_villages"] / len(verdicts) if len(verdicts) else None
        )
        out["villages_pending_assessment"] = int((verdicts["status"] == "pending assessment").sum())
        na = np.zeros(len(verdicts), dtype=bool)
        for c in QUALITATIVE_CRITERIA:
            if c in verdicts:
                na |= (verdicts[c] == "not assessed").to_numpy(dtype=bool, na_value=False)
        out["villages_not_assessed"] = int(na.sum())
    if township_verdicts is not None:
        out["credit_townships"] = int(township_verdicts["certified"].sum())
    if progress is not None:
        due = progress.loc[progress["status"].isin(["on track", "behind"])]
        out["milestones_behind"] = int((due["status"] == "behind").sum())
        out["milestones_on_track"] = int((due["status"] == "on track").sum())
        now = progress.loc[progress["status"].isin(["met", "not met"])]
        if len(now):
            out["milestones_met_now"] = int((now["status"] == "met").sum())
            out["milestones_not_met_now"] = int((now["status"] == "not met").sum())
    return out


# --------------------------------------------------------------------------------------------
# Presentation
# --------------------------------------------------------------------------------------------
_COLOURS = {
    "pass": "#c8e6c9",
    "fail": "#ffcdd2",
    "no data": "#ffe0b2",
    "not assessed": "#e0e0e0",
    "certified": "#c8e6c9",
    "not certified": "#ffcdd2",
    "pending assessment": "#fff9c4",
}


_KPI_COLUMNS = {
    "n_households": "households",
    "n_eligible": "eligible",
    "credit_coverage": "coverage",
    "usage": "usage",
    "profiling_rate": "profiling rate",
    "credit_rate": "credit rate",
    "npl_ratio": "NPL (balance)",
    "npl_ratio_count": "NPL (count)",
    "a_or_better_share": "A or better",
    "loan_share": "loan share",
}


def kpi_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """Reader's table of :func:`programme_kpis`: each township's villages, then the township
    row, and the programme row last.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``).

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``township``, ``village`` (``"(township)"`` / ``"(programme)"`` on
        the summary rows, ``township`` ``"(all)"`` on the programme row), ``households``,
        ``eligible`` (households or persons, per ``unit``), ``coverage``, ``usage``,
        ``profiling rate``, ``credit rate``, ``NPL (balance)``, ``NPL (count)``,
        ``A or better``, ``loan share`` (fractions; NaN when the denominator is 0).
    """
    if "as_of" in kpis and kpis["as_of"].nunique() > 1:
        raise CalibInputError("kpis: several as_of snapshots; select one")
    missing = {"level", "township", "village", *_KPI_COLUMNS} - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    k = kpis.copy()
    order = k["level"].map({"village": 0, "township": 1, "programme": 2})
    k["_prog"] = (k["level"] == "programme").astype(int)
    k["_order"] = order
    k = k.sort_values(["_prog", "township", "_order", "village"], kind="stable")
    town = k["township"].astype(object).where(k["level"] != "programme", "(all)")
    vill = k["village"].astype(object).where(
        k["level"] == "village", k["level"].map({"township": "(township)",
                                                 "programme": "(programme)"}))
    out = pd.DataFrame({"level": k["level"].astype("string"),
                        "township": town.astype("string"), "village": vill.astype("string")})
    for c, label in _KPI_COLUMNS.items():
        out[label] = k[c].to_numpy()
    return out.reset_index(drop=True)


_GRID_NAMES = {
    "a_or_better_share": "A-or-better share",
    "npl_ratio": "NPL ratio",
    "loan_share_vs_county": "loan share",
    "npl_vs_county": "NPL",
}


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.1%}"


def verdict_grid(verdicts: pd.DataFrame, *, rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Village-by-criterion table for reading: each cell the figure and its verdict.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages` or :func:`certify_townships`.
    rules : mapping, optional
        The ``credit_village`` (or ``credit_township``) block the verdicts were made with; only
        its operators are used, for the column headings.

    Returns
    -------
    pandas.DataFrame
        ``township`` (and ``village``), one column per criterion headed with its rule (e.g.
        ``"profiling rate >= 90.0%"``; the county-relative ones with the county figure) whose
        cells read ``"pass 95.7%"``, ``"fail 48.0%"``, ``"no data"``, and for the qualitative
        criteria ``"pass"``, ``"fail"`` or ``"not assessed"``; then ``status`` (villages) or
        ``certified`` (townships). :func:`style_verdicts` colours it.
    """
    township_level = "village" not in verdicts
    r = validate_township_rules(rules) if township_level else validate_village_rules(rules)
    crits = TOWNSHIP_CRITERIA if township_level else VILLAGE_CRITERIA
    crits = [c for c in crits if c in verdicts]
    keys = [c for c in ("township", "village") if c in verdicts]
    out = verdicts[keys].copy()
    for c in crits:
        thr = verdicts[f"{c}_threshold"] if f"{c}_threshold" in verdicts else None
        t = float(thr.iloc[0]) if thr is not None and len(thr) else float("nan")
        name = _GRID_NAMES.get(c, c.replace("_", " "))
        where = "county " if "county" in c else ""
        head = f"{name} {r[c]['op']} {where}{_pct(t)}"
        fig = verdicts[f"{c}_figure"].to_numpy(dtype=float)
        vd = verdicts[c].astype(object).to_numpy()
        out[head] = [v if v == "no data" else f"{v} {_pct(f)}" for v, f in zip(vd, fig)]
    for c in QUALITATIVE_CRITERIA:
        if c in verdicts:
            out[c.replace("_", " ")] = verdicts[c].astype(object).to_numpy()
    if "status" in verdicts:
        out["status"] = verdicts["status"].astype(object).to_numpy()
    elif "certified" in verdicts:
        out["certified"] = np.where(verdicts["certified"].to_numpy(dtype=bool),
                                    "certified", "not certified")
    return out.reset_index(drop=True)


def style_verdicts(verdicts: pd.DataFrame, *, figures: bool = True):
    """A pandas Styler of verdicts with pass/fail cells coloured (no index, no scripts).

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages`, :func:`certify_townships` or :func:`verdict_grid`.
    figures : bool
        Keep the ``_figure`` / ``_threshold`` columns (formatted as percentages).

    Returns
    -------
    pandas.io.formats.style.Styler
        Cells whose text is (or starts with) a verdict are coloured: pass / certified green,
        fail / not certified red, no data orange, not assessed grey, pending assessment yellow.
    """
    df = verdicts
    if not figures:
        df = df[[c for c in df.columns if not c.endswith(("_figure", "_threshold"))]]
    pct = [c for c in df.columns if c.endswith(("_figure", "_threshold"))]
    skip = set(pct) | {"township", "village", "failed", "not_assessed"}
    verdict_cols = [c for c in df.columns if c not in skip and (
        df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))]

    def colour(x):
        if not isinstance(x, str):
            return ""
        for key in sorted(_COLOURS, key=len, reverse=True):
            if x == key or x.startswith(key + " "):
                return f"background-color: {_COLOURS[key]}"
        return ""

    sty = df.style.map(colour, subset=verdict_cols)
    if "certified" in df and pd.api.types.is_bool_dtype(df["certified"]):
        sty = sty.map(lambda b: colour("pass" if b else "fail"), subset=["certified"])
    if pct:
        sty = sty.format("{:.1%}", subset=pct, na_rep="–")
    return sty.hide(axis="index")


def plot_verdict_table(verdicts: pd.DataFrame, ax=None, *, max_rows: int = 60):
    """Village-by-criterion grid coloured pass (green) / fail (red) / no data / not assessed.

    Returns the Axes. At most ``max_rows`` villages are drawn (not certified first).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    crits = [c for c in VILLAGE_CRITERIA + QUALITATIVE_CRITERIA if c in verdicts]
    df = verdicts.sort_values(["certified", "n_failed"], ascending=[True, False]).head(max_rows)
    code = {"pass": 0, "fail": 1, "no data": 2, "not assessed": 3}
    grid = np.vectorize(lambda x: code.get(x, 3))(df[crits].astype(object).to_numpy())
    if ax is None:
        _, ax = plt.subplots(figsize=(1 + 0.8 * len(crits), 1 + 0.25 * len(df)))
    cmap = ListedColormap([_COLOURS["pass"], _COLOURS["fail"], _COLOURS["no data"],
                           _COLOURS["not assessed"]])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(crits)), [c.replace("_", " ") for c in crits], rotation=45,
                  ha="right")
    ax.set_yticks(range(len(df)), [f"{t} / {v}" for t, v in zip(df["township"], df["village"])])
    ax.set_title("Credit-village criteria (green pass, red fail, orange no data, grey not assessed)")
    return ax


def plot_target_progress(progress: pd.DataFrame, ax=None, *, history: pd.DataFrame | None = None):
    """Milestone path of coverage and usage targets (lines) with the measured figures.

    Parameters
    ----------
    progress : pandas.DataFrame
        Output of :func:`target_progress`.
    ax : matplotlib Axes, optional
    history : pandas.DataFrame, optional
        :func:`kpi_history` output (its programme rows are drawn as the measured path). Without
        it the figures of ``progress`` are drawn at their ``measured_at`` dates.

    Returns
    -------
    matplotlib.axes.Axes
        Four lines: coverage target, usage target, coverage measured, usage measured. The
        target lines run through the milestones and hold the final targets on to the last
        measured date.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    p = progress.loc[progress["milestone"] != "final"].sort_values("date")
    fin = progress.loc[progress["milestone"] == "final"]
    if history is not None:
        h = history.loc[history["level"] == "programme"].sort_values("as_of")
        mx, mc, mu = h["as_of"], h["credit_coverage"], h["usage"]
    else:
        m = progress.loc[progress["measured_at"].notna()].drop_duplicates("measured_at")
        mx, mc, mu = m["measured_at"], m["credit_coverage"], m["usage"]
    tx = list(p["date"])
    tc = list(p["credit_coverage_target"])
    tu = list(p["usage_target"])
    if len(fin):
        f = fin.iloc[0]
        ends = [pd.Timestamp(f["date"])] + [pd.Timestamp(x) for x in mx]
        end = max(ends)
        if not tx or end > tx[-1]:
            tx.append(end)
            tc.append(f["credit_coverage_target"])
            tu.append(f["usage_target"])
    ax.plot(tx, tc, "-", color="C0", label="coverage target")
    ax.plot(tx, tu, "--", color="C1", label="usage target")
    ax.plot(mx, mc, "o-", color="C0", label="coverage measured")
    ax.plot(mx, mu, "s-", color="C1", label="usage measured")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_ylabel("share")
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title("Programme progress against milestones")
    return ax
