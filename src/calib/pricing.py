"""Points-loan (积分贷) pricing: apply, evaluate and calibrate the points discount schedule.

Villages score households' civic behaviour as points; the points loan lowers the interest rate by
a schedule (seed 004: from 5%, 0.1 percentage point off per 100 points, in proportion, so 583
points give 4.417%). This module answers three questions:

1. what rate a household gets (:class:`Schedule`, :func:`rate_for_points`);
2. what the schedule costs and whether points predict lower risk (:func:`evaluate_schedule`,
   :func:`default_rate_by_band`, :func:`points_inflation`);
3. what discount the risk would justify, and which schedule fits a subsidy budget
   (:func:`calibrate_points_discount`, :func:`recommend_schedule`, :func:`sensitivity`).

Which period's points apply to a loan
-------------------------------------
``points`` may hold several periods per household (``2024``, ``2025H1``, ``2025Q3``,
``2025-06`` ...). With ``period=None`` a loan takes the points of the **latest period that ended
on or before the loan's start date** (no look-ahead: those are the points the bank could see when
it priced the loan); when the household has no such period (or the start date is missing) it
takes the **latest period available**. ``period="2025"`` forces one period for every loan.
:func:`attach_points` records which rule applied in ``points_rule``. A loan whose household has
no points at all is priced at 0 points (the base rate) with ``missing_points="zero"`` (default),
or raises with ``missing_points="raise"``.

Notebook use is one line per question, e.g.::

    sched = pricing.load_schedule(params["points_loan"]["schedule"])
    table = pricing.evaluate_schedule(loans, points, sched, lgd=0.45, funding_cost=0.022,
                                      operating_cost=0.012)
    cal = pricing.calibrate_points_discount(loans, points, lgd=0.45, controls=("grade",))
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

_pd = pd  # functions with a ``pd`` (probability of default) argument use this name
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy import stats
from scipy.special import expit

from calib.errors import CalibInputError, CalibParamsError

__all__ = [
    "Band",
    "Schedule",
    "load_schedule",
    "discount_for_points",
    "rate_for_points",
    "period_bounds",
    "attach_points",
    "DEFAULT_CONTROLS",
    "match_pricing_period",
    "loan_frame",
    "policy_verdict",
    "jeffreys_interval",
    "PointsPD",
    "fit_points_pd",
    "evaluate_schedule",
    "default_rate_by_band",
    "calibrate_points_discount",
    "Recommendation",
    "recommend_schedule",
    "sensitivity",
    "points_inflation",
    "plot_default_rate_by_band",
    "plot_points_by_village",
    "plot_discount_interval",
]


# ---------------------------------------------------------------------------------------------
# The schedule
# ---------------------------------------------------------------------------------------------
def _fraction(name: str, v: float | None) -> float | None:
    if v is None:
        return v
    if not np.isfinite(v) or v < 0 or v >= 1:
        raise ValueError(
            f"{name} must be a fraction in [0, 1) (write 0.05 for 5%), got {v!r}"
        )
    return float(v)


class Band(BaseModel):
    """One tier of a banded schedule: households with at least ``points`` get ``discount``."""

    model_config = ConfigDict(extra="forbid")

    points: float = Field(description="threshold: the band starts at this many points (>= 0)")
    discount: float = Field(description="rate discount as a fraction (0.002 = 0.2 pp)")

    @field_validator("points")
    @classmethod
    def _points_ok(cls, v: float) -> float:
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"points (band threshold) must be >= 0, got {v!r}")
        return v

    @field_validator("discount")
    @classmethod
    def _discount_ok(cls, v: float) -> float:
        return _fraction("discount", v)  # type: ignore[return-value]


class Schedule(BaseModel):
    """A points discount schedule (the ``points_loan.schedule`` parameter block).

    Attributes
    ----------
    base_rate : float
        Rate at 0 points, a fraction in [0, 1) (0.05 = 5%).
    step_points : float
        Points per step (> 0); 100 in the reference schedule.
    step_discount : float
        Discount per step, a fraction (0.001 = 0.1 percentage point).
    proportional : bool
        ``True``: the discount is continuous (583 points = 5.83 steps); ``False``: whole steps
        only (583 points = 5 steps).
    max_discount : float or None
        Cap on the discount (fraction), ``None`` for no cap.
    floor_rate : float or None
        Lowest rate the schedule may give (fraction, <= base_rate), ``None`` for none.
    bands : list of Band or None
        Tiered schedule: thresholds strictly increasing, discounts non-decreasing. When given,
        the bands replace ``step_points``/``step_discount``/``proportional``; a household below
        the first threshold gets no discount. ``max_discount`` and ``floor_rate`` still apply.

    Examples
    --------
    >>> s = Schedule.model_validate({"base_rate": 0.05, "step_points": 100,
    ...                              "step_discount": 0.001, "proportional": True})
    >>> float(rate_for_points(583, s))
    0.04417
    """

    model_config = ConfigDict(extra="forbid")

    base_rate: float
    step_points: float = 100.0
    step_discount: float = 0.0
    proportional: bool = True
    max_discount: float | None = None
    floor_rate: float | None = None
    bands: list[Band] | None = None

    @field_validator("base_rate", "step_discount", "max_discount", "floor_rate")
    @classmethod
    def _rates(cls, v: float | None, info: Any) -> float | None:
        return _fraction(info.field_name, v)

    @field_validator("step_points")
    @classmethod
    def _step(cls, v: float) -> float:
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"step_points must be > 0, got {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if self.floor_rate is not None and self.floor_rate > self.base_rate:
            raise ValueError(
                f"floor_rate ({self.floor_rate}) must not exceed base_rate ({self.base_rate})"
            )
        if self.bands is not None:
            if len(self.bands) == 0:
                raise ValueError("bands must be null or a non-empty list")
            th = np.array([b.points for b in self.bands])
            dc = np.array([b.discount for b in self.bands])
            bad = np.flatnonzero(np.diff(th) <= 0)
            if bad.size:
                i = int(bad[0]) + 1
                raise ValueError(
                    f"bands thresholds must be strictly increasing: bands[{i}].points = "
                    f"{th[i]} after {th[i - 1]}"
                )
            bad = np.flatnonzero(np.diff(dc) < 0)
            if bad.size:
                i = int(bad[0]) + 1
                raise ValueError(
                    f"bands discounts must be non-decreasing: bands[{i}].discount = "
                    f"{dc[i]} after {dc[i - 1]}"
                )
        return self


def load_schedule(block: dict | Schedule, *, key: str = "points_loan.schedule") -> Schedule:
    """Validate a schedule parameter block, raising :class:`CalibParamsError` naming the key.

    Parameters
    ----------
    block : mapping, Schedule or pydantic model
        The ``points_loan.schedule`` mapping of the parameter file, e.g.
        ``P.block("points_loan")["schedule"]``; a pydantic model with the same fields (such as
        ``calib.params.Schedule``, i.e. ``P.points_loan.schedule``) is dumped and re-validated.
    key : str
        Dotted key used in error messages.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> load_schedule({"base_rate": 0.05, "step_points": 100, "step_discount": 0.001}).base_rate
    0.05
    """
    if isinstance(block, Schedule):
        return block
    if isinstance(block, BaseModel):
        block = block.model_dump(mode="python")
    if isinstance(block, Mapping):
        block = dict(block)
    else:
        raise CalibParamsError(f"{key} must be a mapping, got {type(block).__name__}")
    try:
        return Schedule.model_validate(block)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in (key, *err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            msgs.append(f"{loc}: {msg} (value {err.get('input')!r})")
        raise CalibParamsError("; ".join(msgs)) from None


def _as_points_array(points: Any) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    if np.any(arr[np.isfinite(arr)] < 0):
        raise CalibInputError(f"points must be >= 0, got min {np.nanmin(arr)}")
    return arr


def _wrap(values: np.ndarray, like: Any, name: str) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    if np.ndim(like) == 0:
        return np.float64(values)
    return values


def discount_for_points(points: Any, schedule: Schedule | dict) -> Any:
    """Discount (fraction) the schedule gives for ``points``, after the cap and the floor.

    Same conventions as :func:`rate_for_points`; ``discount = base_rate - rate``.
    """
    s = load_schedule(schedule)
    p = _as_points_array(points)
    if s.bands is not None:
        th = np.array([b.points for b in s.bands])
        dc = np.concatenate([[0.0], [b.discount for b in s.bands]])
        d = dc[np.searchsorted(th, np.nan_to_num(p, nan=-1.0), side="right")]
    else:
        units = p / s.step_points
        if not s.proportional:
            # whole steps; a tiny tolerance so that 300 points is 3 steps despite rounding
            units = np.floor(units + 1e-9)
        d = units * s.step_discount
    if s.max_discount is not None:
        d = np.minimum(d, s.max_discount)
    lowest = s.floor_rate if s.floor_rate is not None else 0.0
    d = np.minimum(d, s.base_rate - lowest)
    d = np.round(d, 12)
    d = np.where(np.isnan(p), np.nan, d)
    return _wrap(d, points, "discount")


def rate_for_points(points: Any, schedule: Schedule | dict) -> Any:
    """Interest rate (fraction) for households with ``points`` under ``schedule``.

    Parameters
    ----------
    points : scalar, array-like or pandas.Series
        Points (>= 0). NaN gives NaN.
    schedule : Schedule or dict
        The schedule (a dict is validated first).

    Returns
    -------
    numpy.ndarray, numpy.float64 or pandas.Series
        A Series (same index, name ``rate``) for a Series input, a scalar for a scalar, else an
        array. ``rate = base_rate - discount``; the discount is ``points / step_points *
        step_discount`` (whole steps when ``proportional`` is false) or the discount of the
        highest band reached; it is capped by ``max_discount`` and the rate never goes below
        ``floor_rate`` (nor below 0). Rates are rounded to 12 decimals.

    Examples
    --------
    >>> s = {"base_rate": 0.05, "step_points": 100, "step_discount": 0.001}
    >>> rate_for_points([0, 583], s)
    array([0.05   , 0.04417])
    >>> float(rate_for_points(583, {**s, "proportional": False}))
    0.045
    """
    s = load_schedule(schedule)
    d = np.asarray(discount_for_points(np.asarray(points, dtype=float), s), dtype=float)
    r = np.round(s.base_rate - d, 12)
    return _wrap(r, points, "rate")


# ---------------------------------------------------------------------------------------------
# Points per loan
# ---------------------------------------------------------------------------------------------
def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a points period.

    Understands ``2025`` (year), ``2025H1``/``2025-H2`` (half), ``2025Q3`` (quarter) and
    ``2025-06``/``202506``/``2025年6月`` (month).

    Raises
    ------
    CalibInputError
        For anything else (the message names the column ``period`` and the value).
    """
    s = str(period).strip().upper()
    m = re.fullmatch(r"(\d{4})\s*年?", s)
    if m:
        y = int(m.group(1))
        return pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31)
    m = re.fullmatch(r"(\d{4})[-_/ ]?H([12])", s)
    if m:
        y, h = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(y, 1 + 6 * (h - 1), 1)
        return start, start + pd.offsets.MonthEnd(6)
    m = re.fullmatch(r"(\d{4})[-_/ ]?Q([1-4])", s)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(y, 1 + 3 * (q - 1), 1)
        return start, start + pd.offsets.MonthEnd(3)
    m = re.fullmatch(r"(\d{4})(?:[-_/.]|年)?(\d{1,2})月?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        start = pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)
        return start, start + pd.offsets.MonthEnd(1)
    raise CalibInputError(
        f"points: column 'period' has a value that is not a year, half, quarter or month: "
        f"{period!r} (use e.g. 2025, 2025H1, 2025Q3, 2025-06)"
    )


def _check_columns(frame: pd.DataFrame, cols: Sequence[str], table: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise CalibInputError(f"{table}: missing column(s) {', '.join(missing)}")


def attach_points(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
) -> pd.DataFrame:
    """Join to every loan the points that price it.

    Parameters
    ----------
    loans : pandas.DataFrame
        Needs ``household_id`` and (for ``period=None``) ``start_date``.
    points : pandas.DataFrame or None
        ``household_id, period, points``. ``None`` when ``loans`` already has a ``points`` column
        (then only the missing-points rule is applied).
    period : str or None
        ``None``: the latest period ended on or before the loan's start, else the latest period
        available (see the module notes). A string: that period for every loan.
    missing_points : {"zero", "raise"}
        A loan whose household has no applicable points gets 0 points (the base rate), or
        raises :class:`CalibInputError`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``loans`` (same index and order) plus ``points`` (float), ``points_period``
        (str, missing when none) and ``points_rule``: ``before_start``, ``latest_available``,
        ``given`` (explicit ``period``), ``given_column`` (``loans`` already had points) or
        ``none`` (no points; priced at 0).
    """
    out = loans.copy()
    if points is None:
        _check_columns(loans, ["points"], "loans")
        p = pd.to_numeric(out["points"], errors="coerce").astype(float)
        out["points"] = p
        out["points_period"] = out.get("points_period", pd.Series(pd.NA, index=out.index))
        out["points_rule"] = np.where(p.isna(), "none", "given_column")
    else:
        _check_columns(loans, ["household_id"], "loans")
        _check_columns(points, ["household_id", "period", "points"], "points")
        pts = points[["household_id", "period", "points"]].copy()
        pts["points"] = pd.to_numeric(pts["points"], errors="coerce")
        if pts["points"].isna().any():
            bad = pts.loc[pts["points"].isna(), "household_id"].iloc[0]
            raise CalibInputError(
                f"points: column 'points' is blank or not a number (household_id {bad})"
            )
        if (pts["points"] < 0).any():
            bad = pts.loc[pts["points"] < 0].iloc[0]
            raise CalibInputError(
                f"points: column 'points' must be >= 0, got {bad['points']} "
                f"(household_id {bad['household_id']})"
            )
        pts["period"] = pts["period"].astype(str)
        dup = pts.duplicated(["household_id", "period"])
        if dup.any():
            bad = pts.loc[dup].iloc[0]
            raise CalibInputError(
                f"points: household_id {bad['household_id']} has period {bad['period']} twice"
            )
        uniq = pd.unique(pts["period"])
        ends = {u: period_bounds(u)[1] for u in uniq}
        pts["period_end"] = pts["period"].map(ends).astype("datetime64[ns]")
        hh = out["household_id"]
        if period is not None:
            period = str(period)
            if period not in ends:
                raise CalibInputError(
                    f"points: period {period!r} not found; periods are {', '.join(sorted(uniq))}"
                )
            sel = pts.loc[pts["period"] == period].set_index("household_id")["points"]
            p = hh.map(sel).astype(float)
            out["points"] = p.to_numpy()
            out["points_period"] = np.where(p.isna(), None, period)
            out["points_rule"] = np.where(p.isna(), "none", "given")
        else:
            _check_columns(loans, ["start_date"], "loans")
            left = pd.DataFrame(
                {
                    "_pos": np.arange(len(out)),
                    "household_id": hh.to_numpy(),
                    "start_date": pd.to_datetime(out["start_date"]).astype("datetime64[ns]"),
                }
            )
            left["household_id"] = left["household_id"].astype(object)
            has_date = left["start_date"].notna()
            right = pts.sort_values("period_end")[
                ["household_id", "period_end", "period", "points"]
            ]
            # merge_asof needs identical key dtypes (text columns may be str or object)
            right = right.assign(household_id=right["household_id"].astype(object))
            l2 = left.loc[has_date].sort_values("start_date")
            m = pd.merge_asof(
                l2,
                right,
                left_on="start_date",
                right_on="period_end",
                by="household_id",
                direction="backward",
                allow_exact_matches=True,
            ).set_index("_pos")
            pos_pts = pd.Series(np.nan, index=left["_pos"])
            pos_per = pd.Series(None, index=left["_pos"], dtype=object)
            pos_pts.loc[m.index] = m["points"].to_numpy()
            pos_per.loc[m.index] = m["period"].to_numpy()
            rule = np.where(pos_pts.notna().to_numpy(), "before_start", "none").astype(object)
            latest = right.drop_duplicates("household_id", keep="last").set_index("household_id")
            need = pos_pts.isna().to_numpy()
            fb_pts = hh.map(latest["points"]).to_numpy(dtype=float)
            fb_per = hh.map(latest["period"]).to_numpy(dtype=object)
            take = need & ~np.isnan(fb_pts)
            pts_arr = pos_pts.to_numpy(dtype=float, copy=True)
            per_arr = pos_per.to_numpy(dtype=object, copy=True)
            pts_arr[take] = fb_pts[take]
            per_arr[take] = fb_per[take]
            rule[take] = "latest_available"
            out["points"] = pts_arr
            out["points_period"] = per_arr
            out["points_rule"] = rule
    none = out["points"].isna().to_numpy()
    if none.any():
        if missing_points == "raise":
            bad = out.loc[none, "household_id"].iloc[0] if "household_id" in out else "?"
            raise CalibInputError(
                f"loans: {int(none.sum())} loan(s) have no points (first household_id {bad}); "
                "use missing_points='zero' to price them at 0 points"
            )
        if missing_points != "zero":
            raise CalibParamsError(
                f"missing_points must be 'zero' or 'raise', got {missing_points!r}"
            )
        out.loc[none, "points"] = 0.0
        out.loc[none, "points_rule"] = "none"
    return out


#: Controls of the PD model in the report: household characteristics that are **not** derived
#: from points (the bank's model score and grade may already use points; holding them fixed
#: would measure what points add beyond the score, not what they predict).
#: ``no_points`` keeps loans without a points record (priced at 0 points) from being read as
#: genuine 0-point borrowers.
DEFAULT_CONTROLS: tuple[str, ...] = ("no_points", "integrity_rating", "business_rating", "head_age")


def match_pricing_period(
    loans: pd.DataFrame,
    points: pd.DataFrame,
    schedule: Schedule | dict,
    *,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Which points period priced the loans: the recorded rate against each period's schedule rate.

    Parameters
    ----------
    loans : pandas.DataFrame
        ``household_id``, ``interest_rate`` (fraction, as booked).
    points : pandas.DataFrame
        ``household_id, period, points``.
    schedule : Schedule or dict
        The schedule in force.
    tol : float
        Absolute tolerance on the rate (1e-6 = 0.0001 percentage point).

    Returns
    -------
    pandas.DataFrame
        One row per period, best match first: ``period``, ``loans``, ``with_points`` (loans whose
        household has points in that period; the others are compared at 0 points, the base
        rate), ``rate_matches`` (loans whose booked rate equals the schedule's rate at that
        period's points within ``tol``), ``share_matched``.

    Notes
    -----
    A data check, not a model: the period whose points reproduce the booked rates is the one the
    bank priced with, and the one the schedule's cost must be evaluated on. A loan with a blank
    ``interest_rate`` never matches.

    Examples
    --------
    >>> loans = pd.DataFrame({"household_id": ["a", "b"], "interest_rate": [0.045, 0.048]})
    >>> pts = pd.DataFrame({"household_id": ["a", "b", "a", "b"],
    ...                     "period": ["2024", "2024", "2025", "2025"],
    ...                     "points": [400, 100, 500, 200]})
    >>> match_pricing_period(loans, pts, {"base_rate": 0.05, "step_discount": 0.001})[
    ...     ["period", "rate_matches"]].to_dict("list")
    {'period': ['2025', '2024'], 'rate_matches': [2, 0]}
    """
    _check_columns(loans, ["household_id", "interest_rate"], "loans")
    _check_columns(points, ["household_id", "period", "points"], "points")
    s = load_schedule(schedule)
    booked = pd.to_numeric(loans["interest_rate"], errors="coerce").to_numpy(dtype=float)
    periods = sorted(pd.unique(points["period"].astype(str)), key=lambda u: period_bounds(u)[1])
    rows = []
    for per in periods:  # a handful of periods
        a = attach_points(loans[["household_id"]], points, period=per)
        rate = np.asarray(rate_for_points(a["points"].to_numpy(dtype=float), s), dtype=float)
        ok = np.abs(rate - booked) <= tol
        rows.append({"period": per, "loans": len(loans),
                     "with_points": int((a["points_rule"] != "none").sum()),
                     "rate_matches": int(ok.sum())})
    out = pd.DataFrame(rows, columns=["period", "loans", "with_points", "rate_matches"])
    out["share_matched"] = out["rate_matches"] / out["loans"].where(out["loans"] > 0)
    return out.sort_values("rate_matches", ascending=False, kind="stable").reset_index(drop=True)


def loan_frame(
    programme: Any,
    *,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
) -> pd.DataFrame:
    """Loans with their pricing points and the household characteristics used as PD controls.

    Parameters
    ----------
    programme : calib.programme.Programme
        A loaded programme with ``loans`` and ``points`` (and ``model_runs``, ``reviews``,
        ``roster``).
    period : str or None
        Points period for every loan (e.g. the one :func:`match_pricing_period` finds), or
        ``None`` for the latest period ended before each loan's start (see :func:`attach_points`).
    missing_points : {"zero", "raise"}
        Loans whose household has no points: priced at 0 points, or raise.

    Returns
    -------
    pandas.DataFrame
        One row per loan, in the order of ``programme.loans``, with every column of ``loans``
        (``household_id, loan_id, start_date, granted_limit, drawn_amount, interest_rate,
        default, observed_until, village, township``) plus:

        - ``points`` (float), ``points_period``, ``points_rule`` (see :func:`attach_points`),
          ``no_points`` (1.0 when the household has no points record and the loan is priced at
          0 points, else 0.0: a PD control, so that missing records are not read as genuine
          0-point borrowers);
        - ``grade`` (latest model run; ``unrated`` when the household has no run),
          ``model_score``, ``model_pd`` (latest run; NaN when none);
        - ``n_reviews``, ``integrity_rating``, ``business_rating`` (mean of the household's
          panel ratings, 1-5; NaN when not reviewed or all blank);
        - ``head_age`` (age of the household head at the programme's ``as_of``), ``n_members``.

        ``attrs["missing"]`` counts the loans lacking each control (nothing is dropped: the
        PD functions raise on a blank control, so drop or fill explicitly).

    Raises
    ------
    CalibInputError
        When the programme has no ``loans`` or no ``points`` table.

    Notes
    -----
    Joins are by ``household_id`` (vectorised maps of per-household aggregates). The latest model
    run is :func:`calib.io.latest_model_run`. Controls are characteristics the bank observed
    when pricing; which of them enter the PD model is a choice of the caller
    (:data:`DEFAULT_CONTROLS` leaves out the model score and grade because they may already
    use points).
    """
    from calib.io import latest_model_run

    loans = getattr(programme, "loans", None)
    points = getattr(programme, "points", None)
    if loans is None:
        raise CalibInputError("programme has no loans table: nothing to price")
    if points is None:
        raise CalibInputError("programme has no points table: the points loan cannot be analysed")
    out = attach_points(loans, points, period=period, missing_points=missing_points)
    out["no_points"] = (out["points_rule"] == "none").astype(float)
    hid = out["household_id"]
    mr = getattr(programme, "model_runs", None)
    if mr is not None and len(mr):
        last = latest_model_run(mr)
        out["grade"] = hid.map(last["grade"]).astype(object).where(hid.isin(last.index), "unrated")
        out["grade"] = out["grade"].fillna("unrated").astype(str)
        out["model_score"] = hid.map(last["model_score"]).astype(float)
        out["model_pd"] = hid.map(last["model_pd"]).astype(float)
    else:
        out["grade"] = "unrated"
        out["model_score"] = np.nan
        out["model_pd"] = np.nan
    rv = getattr(programme, "reviews", None)
    if rv is not None and len(rv):
        g = rv.groupby("household_id", sort=False)
        out["n_reviews"] = hid.map(g.size()).fillna(0).astype(int)
        for c in ("integrity_rating", "business_rating"):
            out[c] = hid.map(pd.to_numeric(rv[c], errors="coerce").astype(float)
                             .groupby(rv["household_id"]).mean()).astype(float)
    else:
        out["n_reviews"] = 0
        out["integrity_rating"] = np.nan
        out["business_rating"] = np.nan
    hh = programme.households()
    out["head_age"] = hid.map(hh["head_age"]).astype(float)
    out["n_members"] = hid.map(hh["n_members"]).astype(float)
    ctl = ["model_score", "integrity_rating", "business_rating", "head_age"]
    out.attrs["missing"] = {c: int(out[c].isna().sum()) for c in ctl} | {
        "grade": int((out["grade"] == "unrated").sum())}
    return out


# ---------------------------------------------------------------------------------------------
# Intervals and the PD model
# ---------------------------------------------------------------------------------------------
def jeffreys_interval(
    defaults: Any, n: Any, *, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed Jeffreys interval for a default rate.

    Quantiles ``alpha/2`` and ``1 - alpha/2`` of Beta(D + 1/2, N - D + 1/2), with the lower end
    set to 0 when D = 0 and the upper end to 1 when D = N (Brown, Cai & DasGupta 2001). NaN when
    N = 0.

    References
    ----------
    Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101-133.
    """
    d = np.asarray(defaults, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = stats.beta.ppf(alpha / 2, d + 0.5, n - d + 0.5)
        hi = stats.beta.ppf(1 - alpha / 2, d + 0.5, n - d + 0.5)
    lo = np.where(d == 0, 0.0, lo)
    hi = np.where(d == n, 1.0, hi)
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


@dataclass
class PointsPD:
    """A fitted logistic PD model: ``logit PD = b0 + b1 * points/step + controls``.

    Attributes
    ----------
    result : statsmodels LogitResults
        Logistic regression fitted by Newton-Raphson, with village-clustered standard errors
        when a cluster column was available.
    controls : tuple of str
        Control columns of ``loans``.
    columns : list of str
        Design-matrix column names (``const``, ``points_per_step``, controls; categorical
        controls as ``name[level]`` dummies, first level dropped).
    levels : dict
        Levels of each categorical control seen at fit time.
    step : float
        Points per unit of the points coefficient (100).
    """

    result: Any
    controls: tuple[str, ...]
    columns: list[str]
    levels: dict[str, list] = field(default_factory=dict)
    step: float = 100.0

    def design(self, frame: pd.DataFrame, points: Any = None) -> np.ndarray:
        """Design matrix for ``frame`` (points from ``points`` when given, else the column)."""
        return _design(frame, self.controls, self.levels, self.step, points)[0]

    def predict(self, frame: pd.DataFrame, points: Any = None) -> np.ndarray:
        """PD for every row of ``frame``, optionally with ``points`` replaced (scalar/array)."""
        return expit(self.design(frame, points) @ np.asarray(self.result.params))

    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficients: ``coef, se, z, p_value, ci_low, ci_high`` indexed by term."""
        r = self.result
        ci = np.asarray(r.conf_int())
        return pd.DataFrame(
            {
                "coef": np.asarray(r.params),
                "se": np.asarray(r.bse),
                "z": np.asarray(r.tvalues),
                "p_value": np.asarray(r.pvalues),
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
            },
            index=pd.Index(self.columns, name="term"),
        )


def _design(
    frame: pd.DataFrame,
    controls: Sequence[str],
    levels: dict[str, list] | None,
    step: float,
    points: Any = None,
) -> tuple[np.ndarray, list[str], dict[str, list]]:
    n = len(frame)
    if points is None:
        p = frame["points"].to_numpy(dtype=float)
    else:
        p = np.broadcast_to(np.asarray(points, dtype=float), (n,))
    cols = [np.ones(n), p / step]
    names = ["const", "points_per_step"]
    new_levels: dict[str, list] = {} if levels is None else levels
    for c in controls:
        if c not in frame.columns:
            raise CalibInputError(
                f"loans: control column {c!r} not found; join it onto loans first"
            )
        s = frame[c]
        if s.isna().any():
            bad = frame.index[s.isna().to_numpy()][0]
            raise CalibInputError(
                f"loans: control column {c!r} is blank in {int(s.isna().sum())} row(s) "
                f"(first at index {bad!r}); fill or drop them explicitly"
            )
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric and c in new_levels.get(_CONSTANT, []):
            continue  # constant at fit time: collinear with the intercept, left out
        if numeric and (levels is None or c not in levels):
            v = s.to_numpy(dtype=float)
            if levels is None and n and np.ptp(v) == 0:
                new_levels.setdefault(_CONSTANT, []).append(c)
                continue
            cols.append(v)
            names.append(c)
        else:
            if levels is None:
                lv = sorted(pd.unique(s.astype(str)).tolist())
                new_levels[c] = lv
            else:
                lv = levels[c]
            sv = s.astype(str).to_numpy()
            for level in lv[1:]:
                cols.append((sv == level).astype(float))
                names.append(f"{c}[{level}]")
    return np.column_stack(cols), names, new_levels


_CONSTANT = "__constant__"  # key of PointsPD.levels listing numeric controls left out as constant


def _fit_logit_reduced(y: np.ndarray, X: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Refit on a bootstrap replicate, leaving out columns constant in it (their coefficient 0).

    A dummy or indicator absent from a replicate would make the Hessian singular; the intercept
    absorbs a constant column, so predictions (and the discount) are unchanged by leaving it out.
    """
    keep = np.ptp(X, axis=0) > 0
    keep[0] = True
    res = _fit_logit(y, X[:, keep], None, start=start[keep])
    beta = np.zeros(X.shape[1])
    beta[keep] = np.asarray(res.params)
    return beta


def _fit_logit(y: np.ndarray, X: np.ndarray, groups: np.ndarray | None = None, start=None):
    """Logistic regression by Newton-Raphson (statsmodels ``Logit``), clustered SEs by group."""
    import statsmodels.api as sm

    model = sm.Logit(y, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw: dict[str, Any] = {"start_params": start, "method": "newton", "disp": 0,
                              "maxiter": 100}
        if groups is not None and len(np.unique(groups)) > 1:
            kw.update(cov_type="cluster", cov_kwds={"groups": groups})
        return model.fit(**kw)


def _default_array(frame: pd.DataFrame) -> np.ndarray:
    _check_columns(frame, ["default"], "loans")
    d = pd.to_numeric(frame["default"], errors="coerce")
    bad = d.isna() | ~d.isin([0, 1])
    if bad.any():
        i = frame.index[bad.to_numpy()][0]
        raise CalibInputError(
            f"loans: column 'default' must be 0/1, got {frame['default'].loc[i]!r} at index {i!r}"
        )
    return d.to_numpy(dtype=float)


def _prepared(loans, points, period, missing_points):
    if points is None and "points" in loans.columns and "points_rule" in loans.columns:
        return loans
    return attach_points(loans, points, period=period, missing_points=missing_points)


def fit_points_pd(
    loans: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    step: float = 100.0,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
) -> PointsPD:
    """Fit the logistic PD model of default on points (per ``step`` points) plus controls.

    Parameters
    ----------
    loans : pandas.DataFrame
        ``household_id``, ``start_date``, ``default`` (0/1), the control columns, and the
        cluster column; or already carrying ``points`` (then pass ``points=None``).
    points : pandas.DataFrame or None
        The points table (see :func:`attach_points`).
    controls : sequence of str
        Columns of ``loans``; numeric ones enter linearly, text/category/bool ones as dummies.
        Blank controls raise (no silent dropping). A numeric control that is constant in the
        data (e.g. ``no_points`` when every loan has points) is collinear with the intercept
        and left out of the model (listed in ``PointsPD.levels["__constant__"]``).
    cluster : str or None
        Column for cluster-robust standard errors (default ``village``; ignored if absent).
    step : float
        Points per unit of the points coefficient.

    Returns
    -------
    PointsPD
    """
    frame = _prepared(loans, points, period, missing_points)
    y = _default_array(frame)
    X, names, levels = _design(frame, tuple(controls), None, step)
    groups = None
    if cluster is not None and cluster in frame.columns:
        groups = pd.factorize(frame[cluster])[0]
    res = _fit_logit(y, X, groups)
    return PointsPD(res, tuple(controls), names, levels, step)


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------
def _band_edges(points: np.ndarray, width: float, top: float | None) -> np.ndarray:
    """Lower edges of bands of ``width`` points from 0 (the last one open when ``top``)."""
    hi = float(np.nanmax(points)) if points.size else 0.0
    if top is not None:
        hi = min(hi, float(top))
    return np.arange(0.0, np.floor(hi / width + 1e-9) * width + 1e-9, width)


def _band_of(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the band (edges are lower bounds) each point falls into."""
    return np.searchsorted(edges, points + 1e-9, side="right") - 1


def _band_info(edges: np.ndarray, width: float | None, pooled_top: bool) -> pd.DataFrame:
    """``band`` label, ``points_low``, ``points_high`` for lower edges ``edges``."""
    highs = np.append(edges[1:], np.inf if (pooled_top or width is None) else edges[-1] + width)
    labels = [f"{lo:g}+" if np.isinf(hi) else f"{lo:g}-{hi:g}" for lo, hi in zip(edges, highs)]
    return pd.DataFrame({"band": labels, "points_low": edges, "points_high": highs})


def _grouping(frame: pd.DataFrame, schedule: Schedule, by: str, width: float, top: float | None):
    """Return (group key array, per-group info frame indexed by key)."""
    p = frame["points"].to_numpy(dtype=float)
    if by in ("points_band", "schedule_band"):
        if by == "schedule_band" and schedule.bands is not None:
            th = [b.points for b in schedule.bands]
            edges = np.unique(np.concatenate([[0.0], th]))
            info = _band_info(edges, None, True)
        else:
            w = width if by == "points_band" else schedule.step_points
            edges = _band_edges(p, w, top)
            info = _band_info(edges, w, top is not None)
        return _band_of(p, edges), info
    if by not in frame.columns:
        raise CalibInputError(f"loans: grouping column {by!r} not found")
    codes, uniq = pd.factorize(frame[by], sort=True)
    if (codes < 0).any():
        raise CalibInputError(f"loans: grouping column {by!r} has blanks")
    info = pd.DataFrame(
        {"band": [str(u) for u in uniq], "points_low": np.nan, "points_high": np.nan}
    )
    return codes, info


def _loan_level(
    loans, points, schedule, *, lgd, pd_, controls, period, missing_points, width, cluster
):
    s = load_schedule(schedule)
    _check_lgd(lgd)
    frame = _prepared(loans, points, period, missing_points)
    _check_columns(frame, ["household_id", "drawn_amount"], "loans")
    drawn = pd.to_numeric(frame["drawn_amount"], errors="coerce")
    if drawn.isna().any() or (drawn < 0).any():
        i = frame.index[(drawn.isna() | (drawn < 0)).to_numpy()][0]
        raise CalibInputError(
            f"loans: column 'drawn_amount' must be a number >= 0, got "
            f"{frame['drawn_amount'].loc[i]!r} at index {i!r}"
        )
    p = frame["points"].to_numpy(dtype=float)
    disc = np.asarray(discount_for_points(p, s), dtype=float)
    if pd_ is None or isinstance(pd_, PointsPD):
        model = pd_ if isinstance(pd_, PointsPD) else fit_points_pd(
            frame, None, controls=controls, cluster=cluster
        )
        pdv = model.predict(frame)
        ref = model.predict(frame, points=0.0)
        justified = lgd * (ref - pdv)
    else:
        if isinstance(pd_, str):
            _check_columns(frame, [pd_], "loans")
            pdv = pd.to_numeric(frame[pd_], errors="coerce").to_numpy(dtype=float)
        else:
            pdv = np.asarray(pd_, dtype=float)
            if pdv.shape != (len(frame),):
                raise CalibInputError(
                    f"pd must have one value per loan ({len(frame)}), got shape {pdv.shape}"
                )
        if np.isnan(pdv).any() or (pdv < 0).any() or (pdv > 1).any():
            raise CalibInputError("pd: every loan needs a PD in [0, 1]")
        lowest = _band_of(p, np.array([0.0, width])) == 0
        if not lowest.any():
            lowest = p <= np.min(p)
        ref = np.full_like(pdv, pdv[lowest].mean())
        justified = lgd * (ref - pdv)
        model = None
    lv = pd.DataFrame(
        {
            "household_id": frame["household_id"].to_numpy(),
            "points": p,
            "discount": disc,
            "rate": s.base_rate - disc,
            "drawn": drawn.to_numpy(dtype=float),
            "pd": pdv,
            "pd_ref": ref,
            "justified": justified,
        },
        index=frame.index,
    )
    if "default" in frame.columns:
        lv["default"] = _default_array(frame)
    return frame, lv, model


def _check_lgd(lgd: float) -> None:
    if not (0 <= lgd <= 1):
        raise CalibParamsError(f"points_loan.lgd must be in [0, 1], got {lgd!r}")


def _aggregate(lv: pd.DataFrame, key: np.ndarray, info: pd.DataFrame, *, lgd, funding_cost,
               operating_cost, alpha) -> pd.DataFrame:
    lv = lv.assign(
        _k=key,
        _forgone=lv["drawn"] * lv["discount"],
        _el=lv["drawn"] * lv["pd"] * lgd,
        _sub=lv["drawn"] * (lv["discount"] - lv["justified"]),
    )
    has_def = "default" in lv.columns

    def agg(g: pd.core.groupby.DataFrameGroupBy | pd.DataFrame, grouped: bool) -> pd.DataFrame:
        spec = dict(
            households=("household_id", "nunique"),
            loans=("points", "size"),
            drawn=("drawn", "sum"),
            mean_points=("points", "mean"),
            mean_discount=("discount", "mean"),
            mean_rate=("rate", "mean"),
            pd=("pd", "mean"),
            pd_ref=("pd_ref", "mean"),
            justified_discount=("justified", "mean"),
            expected_loss=("_el", "sum"),
            subsidy_amount=("_sub", "sum"),
            interest_forgone=("_forgone", "sum"),
        )
        if has_def:
            spec["defaults"] = ("default", "sum")
        if grouped:
            return g.agg(**spec)
        return pd.DataFrame({k: [getattr(g[c], f)() if f != "size" else len(g)]
                             for k, (c, f) in spec.items()})

    per = agg(lv.groupby("_k", sort=True), True)
    per = info.iloc[per.index.to_numpy()].reset_index(drop=True).join(per.reset_index(drop=True))
    tot = agg(lv, False)
    tot.insert(0, "band", "total")
    tot.insert(1, "points_low", info["points_low"].min() if len(info) else np.nan)
    tot.insert(2, "points_high", np.inf if info["points_low"].notna().any() else np.nan)
    out = pd.concat([per, tot], ignore_index=True)
    if has_def:
        out["defaults"] = out["defaults"].astype(int)
        out["default_rate"] = out["defaults"] / out["loans"]
        lo, hi = jeffreys_interval(out["defaults"], out["loans"], alpha=alpha)
        out["default_ci_low"], out["default_ci_high"] = lo, hi
    out["expected_loss_rate"] = lgd * out["pd"]
    out["subsidy"] = out["mean_discount"] - out["justified_discount"]
    out["required_rate"] = funding_cost + operating_cost + out["expected_loss_rate"]
    out["rate_margin"] = out["mean_rate"] - out["required_rate"]
    out["covers_cost"] = out["rate_margin"] >= -1e-12
    cols = [
        "band", "points_low", "points_high", "households", "loans", "drawn", "mean_points",
        "mean_discount", "mean_rate",
    ]
    if has_def:
        cols += ["defaults", "default_rate", "default_ci_low", "default_ci_high"]
    cols += [
        "pd", "pd_ref", "expected_loss_rate", "expected_loss", "justified_discount", "subsidy",
        "subsidy_amount", "interest_forgone", "required_rate", "rate_margin", "covers_cost",
    ]
    out = out[cols]
    out["households"] = out["households"].astype(int)
    out["loans"] = out["loans"].astype(int)
    out.attrs["all_bands_cover"] = bool(out["covers_cost"].iloc[:-1].all())
    return out


def evaluate_schedule(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    schedule: Schedule | dict,
    *,
    lgd: float,
    funding_cost: float,
    operating_cost: float,
    pd: PointsPD | str | Any | None = None,
    by: str = "points_band",
    band_width: float = 100.0,
    band_top: float | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """What the schedule costs and whether it is risk-justified, per points band.

    Parameters
    ----------
    loans, points : pandas.DataFrame
        See :func:`attach_points`; ``loans`` needs ``household_id``, ``start_date``,
        ``drawn_amount`` and ``default`` (0/1; the default columns are left out if absent and
        ``pd`` is given).
    schedule : Schedule or dict
        The schedule to evaluate.
    lgd, funding_cost, operating_cost : float
        Loss given default; annual funding and operating cost as fractions of balance.
    pd : None, PointsPD, str or array-like
        Modelled PD per loan. ``None``: fit :func:`fit_points_pd` (points + ``controls``) on
        these loans; a :class:`PointsPD` (e.g. ``calibrate_points_discount(...).attrs["model"]``)
        is used as is. With a model the reference PD of each loan is the model's PD at 0 points,
        its other characteristics unchanged. A column name or an array gives PDs directly; the
        reference PD is then the mean PD of the lowest band (points below ``band_width``).
    by : str
        ``points_band`` (bands of ``band_width`` points), ``schedule_band`` (the schedule's own
        steps or bands) or any column of ``loans`` (e.g. ``village``).
    band_width : float
        Points per band (``points_loan.band_width``).
    band_top : float or None
        Pool every loan with at least this many points into one top band.
    controls : sequence of str
        Controls for the fitted PD model when ``pd=None``.
    alpha : float
        1 - confidence of the Jeffreys intervals.

    Returns
    -------
    pandas.DataFrame
        One row per band, then a ``total`` row (over all loans). Columns:

        - ``band`` (label, e.g. ``100-200``; ``900+`` for the top band), ``points_low``,
          ``points_high`` (band bounds; NaN when grouping by a column);
        - ``households`` (distinct), ``loans``, ``drawn`` (sum of ``drawn_amount``, yuan);
        - ``mean_points``, ``mean_discount``, ``mean_rate`` (schedule discount and rate,
          fractions, mean over loans);
        - ``defaults``, ``default_rate``, ``default_ci_low``, ``default_ci_high`` (observed,
          Jeffreys interval);
        - ``pd`` (mean modelled PD), ``pd_ref`` (mean reference PD), ``expected_loss_rate``
          (LGD x ``pd``), ``expected_loss`` (yuan/year: sum of drawn x PD x LGD);
        - ``justified_discount`` = LGD x (``pd_ref`` - ``pd``), the risk-justified discount;
        - ``subsidy`` = ``mean_discount`` - ``justified_discount`` (fraction; positive = the
          bank gives more than the risk saves), ``subsidy_amount`` (yuan/year: sum of drawn x
          (discount - justified discount));
        - ``interest_forgone`` (yuan/year: sum of drawn x discount, annual);
        - ``required_rate`` = funding + operating + ``expected_loss_rate``, ``rate_margin`` =
          ``mean_rate`` - ``required_rate``, ``covers_cost`` (bool: the floor rule).

        ``attrs["all_bands_cover"]`` is True when every band (not the total) covers its cost.

    Notes
    -----
    Pricing build-up: rate >= funding (FTP) + operating cost + expected loss (PD x LGD), the
    capital charge being the same in every band under flat standardised risk weights, so it
    cancels out of discounts [1]_. The risk-justified discount of a band is the expected loss it
    saves against the reference (0 points, the point at which the schedule gives no discount):
    LGD x [PD(reference) - PD(band)] (research note ``methods.md`` §4). Means are over loans
    (each loan counts once); money columns are sums over loans of drawn balance x rate, i.e.
    annual amounts on the balance drawn. The default-rate interval is the Jeffreys interval
    (ECB validation instructions, 2019; Brown, Cai & DasGupta 2001).

    References
    ----------
    .. [1] Bluhm, C., Overbeck, L., Wagner, C. (2010). *Introduction to Credit Risk Modeling*,
       2nd ed., ch. 1 (expected loss and pricing). Chapman & Hall/CRC.
    """
    _check_rate_param("funding_cost", funding_cost)
    _check_rate_param("operating_cost", operating_cost)
    s = load_schedule(schedule)
    frame, lv, _ = _loan_level(
        loans, points, s, lgd=lgd, pd_=pd, controls=controls, period=period,
        missing_points=missing_points, width=band_width, cluster=cluster,
    )
    key, info = _grouping(frame, s, by, band_width, band_top)
    return _aggregate(lv, key, info, lgd=lgd, funding_cost=funding_cost,
                      operating_cost=operating_cost, alpha=alpha)


def _check_rate_param(name: str, v: float) -> None:
    if not (0 <= v < 1):
        raise CalibParamsError(f"points_loan.{name} must be a fraction in [0, 1), got {v!r}")


def default_rate_by_band(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    band_width: float = 100.0,
    band_top: float | None = None,
    by: str = "points_band",
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Observed default rate per points band with Jeffreys intervals (no model needed).

    Returns
    -------
    pandas.DataFrame
        One row per band then ``total``: ``band``, ``points_low``, ``points_high``,
        ``households``, ``loans``, ``mean_points``, ``defaults``, ``default_rate``,
        ``default_ci_low``, ``default_ci_high`` (see :func:`jeffreys_interval`).
    """
    frame = _prepared(loans, points, period, missing_points)
    y = _default_array(frame)
    dummy = Schedule(base_rate=0.0)
    key, info = _grouping(frame, dummy, by, band_width, band_top)
    lv = pd.DataFrame(
        {"household_id": frame["household_id"].to_numpy(), "points": frame["points"].to_numpy(),
         "default": y, "_k": key}
    )
    g = lv.groupby("_k", sort=True).agg(
        households=("household_id", "nunique"), loans=("points", "size"),
        mean_points=("points", "mean"), defaults=("default", "sum"),
    )
    per = info.iloc[g.index.to_numpy()].reset_index(drop=True).join(g.reset_index(drop=True))
    tot = pd.DataFrame({
        "band": ["total"], "points_low": [info["points_low"].min()],
        "points_high": [np.inf if info["points_low"].notna().any() else np.nan],
        "households": [lv["household_id"].nunique()], "loans": [len(lv)],
        "mean_points": [lv["points"].mean()], "defaults": [lv["default"].sum()],
    })
    out = pd.concat([per, tot], ignore_index=True)
    out["defaults"] = out["defaults"].astype(int)
    out["default_rate"] = out["defaults"] / out["loans"]
    out["default_ci_low"], out["default_ci_high"] = jeffreys_interval(
        out["defaults"], out["loans"], alpha=alpha
    )
    return out


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------
def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _ame_step(X: np.ndarray, beta: np.ndarray) -> float:
    """Average of PD(x) - PD(x with points + one step)."""
    eta = X @ beta
    return float(np.mean(expit(eta) - expit(eta + beta[1])))


def _cluster_rows(codes: np.ndarray, rng: np.random.Generator, n_boot: int):
    """Yield row indices of cluster-bootstrap replicates (clusters drawn with replacement)."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    g = len(counts)
    for _ in range(n_boot):
        pick = rng.integers(0, g, size=g)
        c = counts[pick]
        total = int(c.sum())
        offs = np.repeat(starts[pick] - np.concatenate([[0], np.cumsum(c)[:-1]]), c)
        yield order[np.arange(total) + offs]


def calibrate_points_discount(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    lgd: float,
    controls: Sequence[str] = (),
    n_boot: int = 200,
    random_state: int | np.random.Generator | None = 0,
    cluster: str | None = "village",
    alpha: float = 0.05,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    schedule: Schedule | dict | None = None,
) -> pd.DataFrame:
    """Risk-justified discount per 100 points, with a village-cluster bootstrap interval.

    Parameters
    ----------
    loans, points : pandas.DataFrame
        See :func:`attach_points`; ``loans`` needs ``default`` (0/1), the controls and the
        cluster column.
    lgd : float
        Loss given default.
    controls : sequence of str
        Columns of ``loans`` held at their observed values (e.g. ``grade``, ``model_score``,
        ``head_age``); text columns become dummies.
    n_boot : int
        Bootstrap replicates (``points_loan.n_boot``).
    random_state : int or numpy.random.Generator
        Seed of the bootstrap.
    cluster : str or None
        Resampling unit (``village``: defaults within a village move together); ``None``
        resamples loans.
    alpha : float
        1 - confidence of the interval.
    schedule : Schedule or dict, optional
        The policy schedule; adds ``policy_per_100`` (its discount per 100 points, e.g. 0.001;
        for a banded schedule the borrowers' total discount per 100 of their points),
        ``policy_in_ci`` (bool) and ``policy_verdict`` (see :func:`policy_verdict`).

    Returns
    -------
    pandas.DataFrame
        One row:

        - ``discount_per_100``: LGD x mean over borrowers of [PD(points) - PD(points + 100)],
          other characteristics at their observed values (a fraction: 0.001 = 0.1 pp);
        - ``ci_low``, ``ci_high``: percentile bootstrap interval; ``se_boot``: bootstrap SD;
        - ``n_loans``, ``n_defaults``, ``n_clusters``,
          ``n_boot`` (successful replicates), ``n_boot_failed``;
        - PD model summary: ``pd_model`` (formula), ``coef_points`` (log-odds per 100 points),
          ``coef_points_se`` (village-clustered), ``coef_points_p``, ``odds_ratio_per_100``,
          ``pseudo_r2`` (McFadden), ``aic``, ``mean_pd``.

        ``attrs``: ``model`` (:class:`PointsPD`), ``coefficients`` (all terms),
        ``boot`` (array of replicate discounts).

    Notes
    -----
    The PD model is a logistic regression of default on points (per 100) plus controls,
    fitted by statsmodels (``Logit``, Newton-Raphson; standard errors clustered by village). The estimand is an average marginal
    effect of +100 points on PD (a "finite difference" AME, see Williams 2012) times LGD, i.e.
    the average expected-loss saving per 100 points, which is the discount a risk-neutral
    price would give [1]_. Defaults within a village are correlated (shared shocks, shared
    panel), so the interval resamples whole villages with replacement (cluster / "pairs"
    bootstrap, [2]_), refitting the model each time; the interval is the percentile interval.
    With fewer than about 20 villages the cluster bootstrap is unreliable [2]_. Points may also
    *cause* better repayment or be granted to better households; this is a predictive
    (pricing) quantity, not a causal effect.

    References
    ----------
    .. [1] research note ``methods.md`` §4: Δr(p) = LGD·[PD(p0) - PD(p)].
    .. [2] Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements
       for inference with clustered errors. *Review of Economics and Statistics* 90(3),
       414-427.
    .. [3] Williams, R. (2012). Using the margins command to estimate and interpret adjusted
       predictions and marginal effects. *Stata Journal* 12(2), 308-331.
    """
    _check_lgd(lgd)
    if n_boot < 0:
        raise CalibParamsError(f"points_loan.n_boot must be >= 0, got {n_boot!r}")
    frame = _prepared(loans, points, period, missing_points)
    y = _default_array(frame)
    controls = tuple(controls)
    step = 100.0
    X, names, levels = _design(frame, controls, None, step)
    if cluster is not None and cluster in frame.columns:
        codes = pd.factorize(frame[cluster])[0]
        if (codes < 0).any():
            raise CalibInputError(f"loans: cluster column {cluster!r} has blanks")
    else:
        if cluster is not None:
            raise CalibInputError(f"loans: cluster column {cluster!r} not found (or use None)")
        codes = np.arange(len(frame))
    res = _fit_logit(y, X, codes if cluster is not None else None)
    beta = np.asarray(res.params)
    est = lgd * _ame_step(X, beta)
    rng = _rng(random_state)
    boot = []
    failed = 0
    for idx in _cluster_rows(codes, rng, n_boot):
        yb = y[idx]
        if yb.sum() == 0 or yb.sum() == len(yb):
            failed += 1
            continue
        try:
            bb = _fit_logit_reduced(yb, X[idx], beta)
            if not np.all(np.isfinite(bb)):
                raise FloatingPointError
        except Exception:  # noqa: BLE001 - a failed refit is counted, not hidden
            failed += 1
            continue
        boot.append(lgd * _ame_step(X[idx], bb))
    boot_arr = np.asarray(boot, dtype=float)
    if boot_arr.size:
        lo, hi = np.quantile(boot_arr, [alpha / 2, 1 - alpha / 2])
        se = float(boot_arr.std(ddof=1)) if boot_arr.size > 1 else np.nan
    else:
        lo = hi = se = np.nan
    model = PointsPD(res, controls, names, levels, step)
    coefs = model.coefficients
    formula = "logit PD ~ points/%g" % step + "".join(f" + {c}" for c in controls)
    out = pd.DataFrame(
        {
            "discount_per_100": [est],
            "ci_low": [lo],
            "ci_high": [hi],
            "se_boot": [se],
            "n_loans": [len(frame)],
            "n_defaults": [int(y.sum())],
            "n_clusters": [len(np.unique(codes))],
            "n_boot": [int(boot_arr.size)],
            "n_boot_failed": [failed],
            "pd_model": [formula],
            "coef_points": [coefs.loc["points_per_step", "coef"]],
            "coef_points_se": [coefs.loc["points_per_step", "se"]],
            "coef_points_p": [coefs.loc["points_per_step", "p_value"]],
            "odds_ratio_per_100": [float(np.exp(coefs.loc["points_per_step", "coef"]))],
            "pseudo_r2": [float(res.prsquared)],
            "aic": [float(res.aic)],
            "mean_pd": [float(y.mean())],
        }
    )
    if schedule is not None:
        sch = load_schedule(schedule)
        if sch.bands is None:
            pol = sch.step_discount * 100.0 / sch.step_points
        else:  # banded: average discount per 100 points over the borrowers' points
            pts = frame["points"].to_numpy(dtype=float)
            d = np.asarray(discount_for_points(pts, sch), dtype=float)
            pol = float(np.sum(d) / np.sum(pts) * 100.0) if np.sum(pts) > 0 else np.nan
        out["policy_per_100"] = pol
        out["policy_in_ci"] = bool(lo <= pol <= hi) if np.isfinite(lo) else False
        out["policy_verdict"] = policy_verdict(pol, lo, hi)
    n_clusters = int(out["n_clusters"].iloc[0])
    if cluster is not None and n_clusters < 20:
        warnings.warn(
            f"only {n_clusters} villages: the cluster bootstrap interval is unreliable below ~20",
            stacklevel=2,
        )
    if y.sum() < 30:
        warnings.warn(
            f"only {int(y.sum())} defaults: the PD model and its interval are very uncertain",
            stacklevel=2,
        )
    out.attrs["model"] = model
    out.attrs["coefficients"] = coefs
    out.attrs["boot"] = boot_arr
    return out


def policy_verdict(policy_per_100: float, ci_low: float, ci_high: float) -> str:
    """Plain-words comparison of the policy discount with the risk-justified interval.

    Parameters
    ----------
    policy_per_100 : float
        The policy's discount per 100 points (0.001 = 0.1 pp).
    ci_low, ci_high : float
        Interval of the risk-justified discount per 100 points
        (:func:`calibrate_points_discount`).

    Returns
    -------
    str
        ``subsidised`` (policy above the interval: the discount gives more than the expected
        loss it saves), ``below risk`` (policy below the interval: points predict more saving
        than the discount gives), ``risk-justified`` (policy inside an interval that excludes
        zero), ``cannot be told apart`` (policy inside an interval that also includes zero: the
        data cannot tell the policy from no risk-justified discount at all), or ``no interval``
        (NaN bounds).

    Examples
    --------
    >>> policy_verdict(0.001, 0.0004, 0.0021), policy_verdict(0.001, -0.0008, 0.0021)
    ('risk-justified', 'cannot be told apart')
    >>> policy_verdict(0.001, 0.0001, 0.0006)
    'subsidised'
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high) and np.isfinite(policy_per_100)):
        return "no interval"
    if policy_per_100 > ci_high:
        return "subsidised"
    if policy_per_100 < ci_low:
        return "below risk"
    return "risk-justified" if ci_low > 0 else "cannot be told apart"


# ---------------------------------------------------------------------------------------------
# Recommendation
# ---------------------------------------------------------------------------------------------
@dataclass
class Recommendation:
    """Result of :func:`recommend_schedule`.

    Attributes
    ----------
    schedule : Schedule
        The recommended schedule.
    current : Schedule
        The schedule in force.
    table : pandas.DataFrame
        Per band, current beside recommended: ``band``, ``points_low``, ``loans``, ``drawn``,
        ``pd``, ``justified_discount``, ``max_floor_discount`` (largest discount keeping the
        band's mean rate at or above funding + operating + EL; NaN where even the base rate does
        not cover the cost), ``current_discount``, ``current_rate``, ``recommended_discount``,
        ``recommended_rate``, ``current_subsidy_amount``, ``recommended_subsidy_amount``,
        ``recommended_drawn`` (after the uptake response), ``covers_cost_current``,
        ``covers_cost_recommended``.
    summary : pandas.DataFrame
        Two rows (``current``, ``recommended``): ``discount_per_100`` (step mode), ``top_discount``,
        ``interest_forgone``, ``subsidy_amount``, ``budget``, ``within_budget``,
        ``all_bands_cover``, ``binding`` (what stopped a larger schedule: ``budget``, ``floor``,
        ``cap`` (base rate, ``floor_rate`` or ``max_discount`` reached) or ``none``),
        ``bands_below_cost_at_base``.
    """

    schedule: Schedule
    current: Schedule
    table: pd.DataFrame
    summary: pd.DataFrame


def _bisect_max(feasible, hi: float, tol: float) -> float:
    if feasible(hi):
        return hi
    lo = 0.0
    if not feasible(lo):
        return 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if feasible(mid):
            lo = mid
        else:
            hi = mid
    return lo


def recommend_schedule(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    current: Schedule | dict,
    *,
    lgd: float,
    funding_cost: float,
    operating_cost: float,
    subsidy_budget: float,
    uptake_elasticity: float = 0.0,
    mode: Literal["step", "band"] = "step",
    pd: PointsPD | str | Any | None = None,
    band_width: float = 100.0,
    band_top: float | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    floor_at_base: Literal["strict", "exclude"] = "strict",
    tol: float = 1e-8,
) -> Recommendation:
    """The largest monotone schedule whose subsidy stays within the budget and the floor rule.

    Parameters
    ----------
    loans, points, current
        As in :func:`evaluate_schedule`; ``current`` is the schedule in force (its base rate,
        step size, rounding, ``max_discount`` and ``floor_rate`` are kept).
    lgd, funding_cost, operating_cost : float
        As in :func:`evaluate_schedule`.
    subsidy_budget : float
        Yuan per year the bank accepts to spend above the risk-justified discount
        (``points_loan.subsidy_budget``).
    uptake_elasticity : float
        Relative change in drawn balance per percentage point of rate cut versus the current
        schedule (``points_loan.uptake_elasticity``; 0 = balances do not respond). A loan's
        balance becomes ``drawn x max(0, 1 + e x 100 x (new discount - current discount))``.
    mode : {"step", "band"}
        ``step``: same form as ``current`` (discount per ``step_points``), the recommended
        ``step_discount`` is the largest one allowed. ``band``: a tiered schedule on bands of
        ``band_width`` points: each band gets its risk-justified discount (made non-decreasing
        by isotonic regression, weighted by loans) plus a flat policy add-on ``s`` for every
        band above the lowest, capped by the floor rule and kept monotone; ``s`` is the largest
        allowed.
    pd, controls, cluster
        PD model as in :func:`evaluate_schedule`.
    floor_at_base : {"strict", "exclude"}
        What to do with a band whose mean rate is below funding + operating + EL already at the
        base rate (no schedule can make it cover its cost). ``strict`` (default): it may get no
        discount at all (in step mode any such band holding points forces a zero schedule);
        ``exclude``: it is left out of the floor constraint. Either way it is counted in
        ``summary["bands_below_cost_at_base"]``: the base rate, not the discount, has to change.

    Returns
    -------
    Recommendation

    Notes
    -----
    Subsidy = sum over loans of balance x (discount - risk-justified discount), the net amount
    above the expected-loss saving (``methods.md`` §4: set the discount to ΔEL and show the rest
    as an explicit budgeted subsidy). Floor rule: in every band the mean rate stays at or above
    funding + operating cost + expected loss (see ``floor_at_base`` for bands that fail it at
    the base rate). Both the subsidy and
    the floor are monotone in the schedule's size, so the largest feasible schedule is found by
    bisection.
    """
    cur = load_schedule(current)
    _check_rate_param("funding_cost", funding_cost)
    _check_rate_param("operating_cost", operating_cost)
    if subsidy_budget < 0:
        raise CalibParamsError(f"points_loan.subsidy_budget must be >= 0, got {subsidy_budget!r}")
    if uptake_elasticity < 0:
        raise CalibParamsError(
            f"points_loan.uptake_elasticity must be >= 0 (usage rises when the rate falls), "
            f"got {uptake_elasticity!r}"
        )
    frame, lv, _ = _loan_level(
        loans, points, cur, lgd=lgd, pd_=pd, controls=controls, period=period,
        missing_points=missing_points, width=band_width, cluster=cluster,
    )
    p = lv["points"].to_numpy()
    edges = _band_edges(p, band_width, band_top)
    k = _band_of(p, edges)
    K = len(edges)
    n_k = np.bincount(k, minlength=K).astype(float)
    present = n_k > 0
    drawn = lv["drawn"].to_numpy()
    just = lv["justified"].to_numpy()
    cur_disc = lv["discount"].to_numpy()
    el_k = np.bincount(k, weights=lgd * lv["pd"].to_numpy(), minlength=K) / np.maximum(n_k, 1)
    cap_k = cur.base_rate - (funding_cost + operating_cost + el_k)
    below_at_base = present & (cap_k < 0)
    if floor_at_base not in ("strict", "exclude"):
        raise CalibParamsError(f"floor_at_base must be 'strict' or 'exclude', got {floor_at_base!r}")
    cap_k = np.where(below_at_base, 0.0 if floor_at_base == "strict" else np.inf, cap_k)
    floor_cap = (cur.base_rate - cur.floor_rate) if cur.floor_rate is not None else cur.base_rate

    def drawn_after(disc: np.ndarray) -> np.ndarray:
        if uptake_elasticity == 0:
            return drawn
        return drawn * np.maximum(0.0, 1.0 + uptake_elasticity * 100.0 * (disc - cur_disc))

    def band_mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(k, weights=x, minlength=K) / np.maximum(n_k, 1)

    if mode == "step":
        def schedule_for(d: float) -> Schedule:
            return cur.model_copy(update={"step_discount": float(d), "bands": None})

        def disc_for(d: float) -> np.ndarray:
            return np.asarray(discount_for_points(p, schedule_for(d)), dtype=float)

        hi = min(0.999999, floor_cap)
    elif mode == "band":
        from sklearn.isotonic import IsotonicRegression

        j_k = band_mean(just)
        iso = np.zeros(K)
        if present.any():
            ir = IsotonicRegression(increasing=True)
            iso[present] = ir.fit_transform(edges[present], j_k[present], sample_weight=n_k[present])
            # empty bands take the value of the band below (keeps monotone)
            iso = np.maximum.accumulate(np.where(present, iso, -np.inf))
            iso = np.where(np.isfinite(iso), iso, 0.0)
        iso = np.clip(iso, 0.0, None)
        limit = np.minimum(cap_k, floor_cap)
        if cur.max_discount is not None:
            limit = np.minimum(limit, cur.max_discount)

        def band_disc(s: float) -> np.ndarray:
            x = iso + np.where(np.arange(K) > 0, s, 0.0)
            x = np.minimum(x, limit)
            x = np.minimum.accumulate(x[::-1])[::-1]  # non-decreasing, still under the limits
            return np.round(np.clip(x, 0.0, None), 12)

        def schedule_for(s: float) -> Schedule:
            d = band_disc(s)
            keep = np.concatenate([[d[0] > 0], np.diff(d) > 0])
            bands = [Band(points=float(edges[i]), discount=float(d[i])) for i in np.flatnonzero(keep)]
            return cur.model_copy(update={"bands": bands or None, "step_discount": 0.0})

        def disc_for(s: float) -> np.ndarray:
            return band_disc(s)[k]

        hi = floor_cap
    else:
        raise CalibParamsError(f"mode must be 'step' or 'band', got {mode!r}")

    def subsidy(disc: np.ndarray) -> float:
        return float(np.sum(drawn_after(disc) * (disc - just)))

    def floor_ok(disc: np.ndarray) -> bool:
        m = band_mean(disc)
        return bool(np.all(m[present] <= cap_k[present] + 1e-12))

    def feasible(x: float) -> bool:
        d = disc_for(x)
        return subsidy(d) <= subsidy_budget + 1e-6 and floor_ok(d)

    best = _bisect_max(feasible, hi, tol)
    # snap down to a readable value (a 1e-6 grid), still feasible
    snapped = np.floor(best * 1e6) / 1e6
    if feasible(snapped):
        best = snapped
    rec = schedule_for(best)
    rec_disc = disc_for(best)
    eps = 2e-6  # above the snapping grid: one notch larger must break a constraint
    at_cap = band_mean(rec_disc)[present] >= cap_k[present] - 1e-9
    if best >= hi - eps:
        binding = "floor" if at_cap.any() else "cap"
    else:
        bigger = disc_for(best + eps)
        if subsidy(bigger) > subsidy_budget + 1e-6:
            binding = "budget"
        elif not floor_ok(bigger):
            binding = "floor"
        else:
            binding = "none"
    new_drawn = drawn_after(rec_disc)
    tab = _pd.DataFrame({"k": np.arange(K)})
    binfo = _band_info(edges, band_width, band_top is not None)
    tab["band"] = binfo["band"].to_numpy()
    tab["points_low"] = edges
    tab["loans"] = n_k.astype(int)
    tab["drawn"] = np.bincount(k, weights=drawn, minlength=K)
    tab["pd"] = band_mean(lv["pd"].to_numpy())
    tab["justified_discount"] = band_mean(just)
    tab["max_floor_discount"] = np.where(below_at_base | ~present, np.nan, cap_k)
    tab["current_discount"] = band_mean(cur_disc)
    tab["current_rate"] = cur.base_rate - tab["current_discount"]
    tab["recommended_discount"] = band_mean(rec_disc)
    tab["recommended_rate"] = cur.base_rate - tab["recommended_discount"]
    tab["current_subsidy_amount"] = np.bincount(k, weights=drawn * (cur_disc - just), minlength=K)
    tab["recommended_subsidy_amount"] = np.bincount(
        k, weights=new_drawn * (rec_disc - just), minlength=K
    )
    tab["recommended_drawn"] = np.bincount(k, weights=new_drawn, minlength=K)
    req = funding_cost + operating_cost + el_k
    tab["covers_cost_current"] = tab["current_rate"] >= req - 1e-12
    tab["covers_cost_recommended"] = tab["recommended_rate"] >= req - 1e-12
    tab = tab.loc[present].drop(columns="k").reset_index(drop=True)

    def summary_row(name, sched, disc, dr):
        sub = float(np.sum(dr * (disc - just)))
        return {
            "schedule": name,
            "discount_per_100": (sched.step_discount * 100.0 / sched.step_points
                                 if sched.bands is None else np.nan),
            "top_discount": float(np.max(disc)) if disc.size else 0.0,
            "interest_forgone": float(np.sum(dr * disc)),
            "subsidy_amount": sub,
            "budget": float(subsidy_budget),
            "within_budget": sub <= subsidy_budget + 1e-6,
            "all_bands_cover": floor_ok(disc),
        }

    summ = _pd.DataFrame(
        [summary_row("current", cur, cur_disc, drawn),
         summary_row("recommended", rec, rec_disc, new_drawn)]
    )
    summ["binding"] = ["", binding]
    summ["bands_below_cost_at_base"] = int(below_at_base.sum())
    return Recommendation(schedule=rec, current=cur, table=tab, summary=summ)


def sensitivity(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    current: Schedule | dict,
    *,
    lgd_values: Sequence[float] = (0.30, 0.45, 0.60),
    uptake_values: Sequence[float] = (0.0, 0.1, 0.3),
    funding_cost: float,
    operating_cost: float,
    subsidy_budget: float,
    mode: Literal["step", "band"] = "step",
    pd: PointsPD | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    band_width: float = 100.0,
    band_top: float | None = None,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
) -> pd.DataFrame:
    """How the recommendation moves with LGD and the uptake assumption.

    The PD model is fitted once (or ``pd`` is used) and :func:`recommend_schedule` is re-run for
    every pair (LGD, uptake elasticity).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``lgd``, ``uptake_elasticity``, ``discount_per_100`` (recommended,
        step mode; NaN in band mode), ``top_discount``, ``interest_forgone``, ``subsidy_amount``,
        ``within_budget``, ``all_bands_cover``, ``binding``, and ``current_subsidy_amount`` (the
        current schedule's subsidy under that LGD).
    """
    frame = _prepared(loans, points, period, missing_points)
    model = pd if pd is not None else fit_points_pd(frame, None, controls=controls, cluster=cluster)
    rows = []
    for lgd in lgd_values:
        for e in uptake_values:
            rec = recommend_schedule(
                frame, None, current, lgd=lgd, funding_cost=funding_cost,
                operating_cost=operating_cost, subsidy_budget=subsidy_budget,
                uptake_elasticity=e, mode=mode, pd=model, band_width=band_width,
                band_top=band_top, cluster=cluster,
            )
            r = rec.summary.iloc[1]
            rows.append({
                "lgd": float(lgd), "uptake_elasticity": float(e),
                "discount_per_100": r["discount_per_100"], "top_discount": r["top_discount"],
                "interest_forgone": r["interest_forgone"], "subsidy_amount": r["subsidy_amount"],
                "within_budget": r["within_budget"], "all_bands_cover": r["all_bands_cover"],
                "binding": r["binding"],
                "current_subsidy_amount": rec.summary.iloc[0]["subsidy_amount"],
            })
    return _pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Point inflation
# ---------------------------------------------------------------------------------------------
def points_inflation(
    points: pd.DataFrame,
    *,
    by: str = "village",
    groups: pd.DataFrame | pd.Series | None = None,
    max_points: float | None = None,
    z_threshold: float = 3.5,
) -> pd.DataFrame:
    """Signs of point inflation per village (or other group).

    Parameters
    ----------
    points : pandas.DataFrame
        ``household_id, period, points`` (may also carry the ``by`` column).
    by : str
        Grouping column (``village``).
    groups : pandas.DataFrame or Series, optional
        Where ``by`` comes from when ``points`` lacks it: a frame with ``household_id`` and
        ``by`` (e.g. ``roster`` or ``loans``) or indexed by household_id (e.g.
        ``Programme.households()``), or a Series household_id -> group.
    max_points : float, optional
        The scale's maximum (cap); default the highest points in the latest period.
    z_threshold : float
        Robust z above which a village is flagged (3.5, Iglewicz & Hoaglin).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by ``robust_z`` descending: ``<by>``, ``households``
        (latest period), ``mean_points``, ``median_points`` (latest period), ``programme_mean``,
        ``programme_median``, ``median_ratio`` (village median / programme median),
        ``previous_period``, ``latest_period``, ``growth`` (median over the village's
        households of the relative change in points between the two latest periods; NaN with
        one period), ``programme_growth``, ``share_at_max`` (share of households at
        ``max_points``), ``robust_z`` (of the village median), ``growth_z`` (of the growth),
        ``flag`` (either z above ``z_threshold``), ``reason``.

    Notes
    -----
    Robust z = (x - median of villages) / (1.4826 x MAD of villages), flagged when above
    ``z_threshold`` (only upward deviations count as inflation) [1]_. A high level alone can be
    a genuinely good village; fast growth and many households at the maximum are the more
    telling signs. A MAD of zero gives z = 0 (no spread to compare against).

    References
    ----------
    .. [1] Iglewicz, B., Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC.
    """
    _check_columns(points, ["household_id", "period", "points"], "points")
    pts = points.copy()
    if by not in pts.columns:
        if groups is None:
            raise CalibInputError(
                f"points: no column {by!r}; pass groups= (a frame with household_id and {by!r})"
            )
        if isinstance(groups, pd.Series):
            mapping = groups
        elif "household_id" in groups.columns:
            mapping = groups.drop_duplicates("household_id").set_index("household_id")[by]
        else:
            mapping = groups[by]
        pts[by] = pts["household_id"].map(mapping)
        if pts[by].isna().any():
            bad = pts.loc[pts[by].isna(), "household_id"].iloc[0]
            raise CalibInputError(f"points: household_id {bad} has no {by!r} in groups")
    pts["period"] = pts["period"].astype(str)
    ends = {u: period_bounds(u)[1] for u in pd.unique(pts["period"])}
    order = sorted(ends, key=lambda u: ends[u])
    latest = order[-1]
    prev = order[-2] if len(order) > 1 else None
    cur = pts.loc[pts["period"] == latest]
    top = float(cur["points"].max()) if max_points is None else float(max_points)
    cur = cur.assign(_at_max=cur["points"] >= top - 1e-9)
    g = cur.groupby(by, sort=True)
    out = g.agg(
        households=("household_id", "nunique"),
        mean_points=("points", "mean"),
        median_points=("points", "median"),
        share_at_max=("_at_max", "mean"),
    )
    out["programme_mean"] = float(cur["points"].mean())
    out["programme_median"] = float(cur["points"].median())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["median_ratio"] = out["median_points"] / out["programme_median"]
    out["previous_period"] = prev
    out["latest_period"] = latest
    if prev is not None:
        wide = pts.loc[pts["period"].isin([prev, latest])].pivot_table(
            index=["household_id", by], columns="period", values="points", aggfunc="first"
        ).dropna()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = (wide[latest] - wide[prev]) / wide[prev].where(wide[prev] > 0)
        rel = rel.replace([np.inf, -np.inf], np.nan)
        out["growth"] = rel.groupby(level=by).median().reindex(out.index)
        out["programme_growth"] = float(rel.median())
    else:
        out["growth"] = np.nan
        out["programme_growth"] = np.nan

    def robust_z(x: pd.Series) -> pd.Series:
        med = x.median()
        mad = 1.4826 * (x - med).abs().median()
        if not np.isfinite(mad) or mad == 0:
            return pd.Series(np.where(x.notna(), 0.0, np.nan), index=x.index)
        return (x - med) / mad

    out["robust_z"] = robust_z(out["median_points"])
    out["growth_z"] = robust_z(out["growth"])
    lvl = out["robust_z"] > z_threshold
    gro = out["growth_z"].fillna(0) > z_threshold
    out["flag"] = lvl | gro
    out["reason"] = np.select(
        [lvl & gro, lvl, gro], ["level and growth", "level", "growth"], default=""
    )
    return out.reset_index().sort_values("robust_z", ascending=False, kind="stable").reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------------------------
# Plots (compute and plot are separate: these only draw tables computed above)
# ---------------------------------------------------------------------------------------------
def plot_default_rate_by_band(table: pd.DataFrame, *, ax: Any = None, show_pd: bool = True):
    """Observed default rate per band with its Jeffreys interval (and the modelled PD).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`default_rate_by_band` or :func:`evaluate_schedule` (``total`` row
        skipped).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    t = table.loc[table["band"] != "total"]
    x = np.arange(len(t))
    rate = t["default_rate"].to_numpy(dtype=float)
    err = np.vstack([rate - t["default_ci_low"].to_numpy(dtype=float),
                     t["default_ci_high"].to_numpy(dtype=float) - rate])
    ax.errorbar(x, rate, yerr=err, fmt="o", capsize=3, label="observed (Jeffreys 95%)")
    if show_pd and "pd" in t.columns:
        ax.plot(x, t["pd"].to_numpy(dtype=float), "s--", label="modelled PD")
    ax.set_xticks(x, t["band"].tolist(), rotation=45, ha="right")
    ax.set_xlabel("points band")
    ax.set_ylabel("default rate")
    ax.legend()
    return ax


def plot_points_by_village(
    points: pd.DataFrame,
    *,
    by: str = "village",
    groups: pd.DataFrame | pd.Series | None = None,
    period: str | None = None,
    flagged: Sequence[str] = (),
    labels: bool = False,
    ax: Any = None,
):
    """Box plot of points per village for one period (latest by default), flagged ones in red.

    Parameters
    ----------
    points, by, groups
        As in :func:`points_inflation`.
    period : str, optional
        Period to show (default the latest).
    flagged : sequence of str
        Groups drawn in red (e.g. the flagged rows of :func:`points_inflation`).
    labels : bool
        Write the group names under the boxes. Off by default: village names are usually
        Chinese and report machines have no CJK font; villages are then sorted by median and
        the names belong in a table.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    pts = points.copy()
    if by not in pts.columns:
        if groups is None:
            raise CalibInputError(f"points: no column {by!r}; pass groups=")
        mapping = (groups if isinstance(groups, pd.Series) else
                   groups.drop_duplicates("household_id").set_index("household_id")[by]
                   if "household_id" in groups.columns else groups[by])
        pts[by] = pts["household_id"].map(mapping)
    pts["period"] = pts["period"].astype(str)
    if period is None:
        period = max(pd.unique(pts["period"]), key=lambda u: period_bounds(u)[1])
    cur = pts.loc[pts["period"] == period]
    order = cur.groupby(by)["points"].median().sort_values().index.tolist()
    data = [cur.loc[cur[by] == v, "points"].to_numpy() for v in order]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.15 * len(order)), 3.5))
    bp = ax.boxplot(data, showfliers=False, patch_artist=True)
    flagged = set(flagged)
    for patch, v in zip(bp["boxes"], order):
        patch.set_facecolor("tab:red" if v in flagged else "lightgrey")
    if labels:
        ax.set_xticks(np.arange(1, len(order) + 1), [str(v) for v in order], rotation=90,
                      fontsize=6)
        ax.set_xlabel(by)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{by} (sorted by median points; red = flagged)")
    ax.set_ylabel(f"points ({period})")
    return ax


def plot_discount_interval(cal: pd.DataFrame, *, ax: Any = None):
    """Bootstrap distribution of the risk-justified discount, its interval and the policy.

    Parameters
    ----------
    cal : pandas.DataFrame
        Output of :func:`calibrate_points_discount` (uses ``attrs["boot"]``; the policy line
        when it was given a schedule).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Percentage points per 100 points on the x axis.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    r = cal.iloc[0]
    boot = np.asarray(cal.attrs.get("boot", []), dtype=float) * 100.0
    if boot.size:
        ax.hist(boot, bins=min(40, max(10, boot.size // 5)), color="lightgrey",
                label="bootstrap replicates")
    ax.axvspan(r["ci_low"] * 100, r["ci_high"] * 100, color="tab:blue", alpha=0.15,
               label="95% interval")
    ax.axvline(r["discount_per_100"] * 100, color="tab:blue", label="estimate")
    ax.axvline(0.0, color="black", lw=0.8, ls=":")
    if "policy_per_100" in cal.columns:
        ax.axvline(r["policy_per_100"] * 100, color="tab:red", ls="--", label="policy")
    ax.set_xlabel("risk-justified discount (percentage points per 100 points)")
    ax.set_ylabel("replicates")
    ax.legend(fontsize=8)
    return ax
