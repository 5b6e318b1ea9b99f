"""Points per loan: which period's points price a loan, and the loan frame of the PD model.

``points`` may hold several periods per household (``2024``, ``2025H1``, ``2025Q3``,
``2025-06`` ...). With ``period=None`` a loan takes the points of the **latest period that ended
on or before the loan's start date** (no look-ahead: those are the points the bank could see when
it priced the loan); when the household has no such period (or the start date is missing) it
takes the **latest period available**. ``period="2025"`` forces one period for every loan.
:func:`attach_points` records which rule applied in ``points_rule``. A loan whose household has
no points at all is priced at 0 points (the base rate) with ``missing_points="zero"`` (default),
or raises with ``missing_points="raise"``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib._frames import positions
from calib.households import household_frame, period_bounds
from calib.errors import CalibInputError, CalibParamsError
from calib.pricing._checks import _check_columns
from calib.pricing.schedule import Schedule, load_schedule, rate_for_points

__all__ = [
    "period_bounds",
    "attach_points",
    "DEFAULT_CONTROLS",
    "match_pricing_period",
    "RATE_TOLERANCE",
    "loan_frame",
]

#: Controls of the PD model in the report: household characteristics that are **not** derived
#: from points (the bank's model score and grade may already use points; holding them fixed
#: would measure what points add beyond the score, not what they predict).
#: ``no_points`` keeps loans without a points record (priced at 0 points) from being read as
#: genuine 0-point borrowers.
DEFAULT_CONTROLS: tuple[str, ...] = ("no_points", "integrity_rating", "business_rating", "head_age")


def _clean_points(points: pd.DataFrame) -> pd.DataFrame:
    """Validated ``household_id, period, points, period_end`` (raising on bad rows)."""
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
    # a household's period twice: on integer codes of the two keys (text keys hashed once each)
    hh, _ = pd.factorize(pts["household_id"])
    per, names = pd.factorize(pts["period"], use_na_sentinel=False)  # a blank period: its own code
    dup = pd.Series((hh.astype(np.int64) + 1) * (int(per.max(initial=0)) + 2) + per + 1,
                    index=pts.index).duplicated()
    if dup.any():
        bad = pts.loc[dup].iloc[0]
        raise CalibInputError(
            f"points: household_id {bad['household_id']} has period {bad['period']} twice"
        )
    # each distinct period read once, its end put on the rows by code (not a map of the text)
    ends = np.array([period_bounds(u)[1] for u in names], dtype="datetime64[ns]")
    pts["period_end"] = ends[per]
    return pts


def _points_of_period(hh: pd.Series, pts: pd.DataFrame, period: str):
    """(points, period, rule) arrays when one period prices every loan."""
    if not (pts["period"] == period).any():
        raise CalibInputError(
            f"points: period {period!r} not found; periods are "
            f"{', '.join(sorted(pd.unique(pts['period'])))}"
        )
    sel = pts.loc[(pts["period"] == period).to_numpy(), ["household_id", "points"]]
    pos = positions(hh, pd.Index(sel["household_id"]), unique=True)  # unique in a period (_clean_points)
    p = np.where(pos >= 0, sel["points"].to_numpy(dtype=float)[np.maximum(pos, 0)], np.nan)
    none = np.isnan(p)
    return p, np.where(none, None, period).astype(object), np.where(none, "none", "given").astype(object)


def _points_before_start(hh: pd.Series, start: pd.Series, pts: pd.DataFrame):
    """(points, period, rule) arrays: latest period ended by the start, else latest available."""
    left = pd.DataFrame({"_pos": np.arange(len(hh)),
                         "start_date": pd.to_datetime(start).astype("datetime64[ns]").to_numpy()})
    left["household_id"] = hh.astype(object).to_numpy()
    left["household_id"] = left["household_id"].astype(object)
    right = pts.sort_values("period_end")[["household_id", "period_end", "period", "points"]]
    # merge_asof needs identical key dtypes (text columns may be str or object)
    right = right.assign(household_id=right["household_id"].astype(object))
    m = pd.merge_asof(
        left.loc[left["start_date"].notna()].sort_values("start_date"), right,
        left_on="start_date", right_on="period_end", by="household_id",
        direction="backward", allow_exact_matches=True,
    )
    pts_arr = np.full(len(hh), np.nan)
    per_arr = np.full(len(hh), None, dtype=object)
    pos = m["_pos"].to_numpy()
    pts_arr[pos] = m["points"].to_numpy(dtype=float)
    per_arr[pos] = m["period"].to_numpy(dtype=object)
    rule = np.where(np.isnan(pts_arr), "none", "before_start").astype(object)
    latest = right.drop_duplicates("household_id", keep="last").set_index("household_id")
    fb_pts = hh.map(latest["points"]).to_numpy(dtype=float)
    take = np.isnan(pts_arr) & ~np.isnan(fb_pts)
    pts_arr[take] = fb_pts[take]
    per_arr[take] = hh.map(latest["period"]).to_numpy(dtype=object)[take]
    rule[take] = "latest_available"
    return pts_arr, per_arr, rule


def _apply_missing(out: pd.DataFrame, missing_points: str) -> pd.DataFrame:
    none = out["points"].isna().to_numpy()
    if missing_points not in ("zero", "raise"):
        raise CalibParamsError(f"missing_points must be 'zero' or 'raise', got {missing_points!r}")
    if none.any():
        if missing_points == "raise":
            bad = out.loc[none, "household_id"].iloc[0] if "household_id" in out else "?"
            raise CalibInputError(
                f"loans: {int(none.sum())} loan(s) have no points (first household_id {bad}); "
                "use missing_points='zero' to price them at 0 points"
            )
        out.loc[none, "points"] = 0.0
        out.loc[none, "points_rule"] = "none"
    return out


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
        return _apply_missing(out, missing_points)
    _check_columns(loans, ["household_id"], "loans")
    pts = _clean_points(points)
    if period is not None:
        arrs = _points_of_period(out["household_id"], pts, str(period))
    else:
        _check_columns(loans, ["start_date"], "loans")
        arrs = _points_before_start(out["household_id"], out["start_date"], pts)
    out["points"], out["points_period"], out["points_rule"] = arrs
    return _apply_missing(out, missing_points)


#: Absolute tolerance within which a booked rate counts as reproduced by the schedule: 1e-6, i.e.
#: 0.0001 percentage point, below any rate a contract states (report 05's methods appendix states
#: it).
RATE_TOLERANCE = 1e-6


def match_pricing_period(
    loans: pd.DataFrame,
    points: pd.DataFrame,
    schedule: Schedule | Mapping,
    *,
    tol: float = RATE_TOLERANCE,
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
        Absolute tolerance on the rate (default :data:`RATE_TOLERANCE`, 1e-6 = 0.0001
        percentage point).

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
    pts = _clean_points(points)  # validated once for every period
    rows = []
    for per in periods:  # a handful of periods
        # as attach_points(period=per) prices them: a loan without points at 0 points
        got = _points_of_period(loans["household_id"], pts, per)[0]
        rate = np.asarray(rate_for_points(np.where(np.isnan(got), 0.0, got), s), dtype=float)
        ok = np.abs(rate - booked) <= tol
        rows.append({"period": per, "loans": len(loans), "with_points": int((~np.isnan(got)).sum()),
                     "rate_matches": int(ok.sum())})
    out = pd.DataFrame(rows, columns=["period", "loans", "with_points", "rate_matches"])
    out["share_matched"] = out["rate_matches"] / out["loans"].where(out["loans"] > 0)
    return out.sort_values("rate_matches", ascending=False, kind="stable").reset_index(drop=True)


def household_controls(programme: Any, household_id: pd.Series) -> pd.DataFrame:
    """Household characteristics used as PD controls, one row per element of ``household_id``.

    Taken from the one shared definition, :func:`calib.households.household_frame` (latest model
    run at the programme's ``as_of``, panel means of the ratings).

    Returns
    -------
    pandas.DataFrame
        Same index as ``household_id``: ``grade`` (latest model run; ``unrated`` when none),
        ``model_score``, ``model_pd`` (latest run; NaN when none), ``n_reviews``,
        ``integrity_rating``, ``business_rating`` (mean of the household's panel ratings, 1-5;
        NaN when not reviewed or all blank), ``head_age`` (at the programme's ``as_of``),
        ``n_members``.
    """
    cols = ["grade", "model_score", "model_pd", "n_reviews", "integrity_rating", "business_rating",
            "head_age", "n_members"]
    hf = household_frame(programme, columns=cols)  # not the points nor the outcomes: unused here
    pos = positions(household_id.astype(str), hf.index, unique=True)  # -1: not a roster household
    out = hf[cols].reset_index(drop=True).reindex(pos).set_axis(household_id.index)
    out["grade"] = out["grade"].astype(object).where(out["grade"].notna(), "unrated").astype(str)
    out["n_reviews"] = out["n_reviews"].fillna(0).astype(int)
    for c in ("model_score", "model_pd", "integrity_rating", "business_rating", "head_age", "n_members"):
        out[c] = out[c].astype(float)
    return out


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
        - the columns of :func:`household_controls` (``grade``, ``model_score``, ``model_pd``,
          ``n_reviews``, ``integrity_rating``, ``business_rating``, ``head_age``,
          ``n_members``).

        ``attrs["missing"]`` counts the loans lacking each control (nothing is dropped: the
        PD functions raise on a blank control, so drop or fill explicitly).

    Raises
    ------
    CalibInputError
        When the programme has no ``loans`` or no ``points`` table.

    Notes
    -----
    Controls are characteristics the bank observed when pricing; which of them enter the PD
    model is a choice of the caller (:data:`DEFAULT_CONTROLS` leaves out the model score and
    grade because they may already use points).
    """
    loans = getattr(programme, "loans", None)
    points = getattr(programme, "points", None)
    if loans is None:
        raise CalibInputError("programme has no loans table: nothing to price")
    if points is None:
        raise CalibInputError("programme has no points table: the points loan cannot be analysed")
    out = attach_points(loans, points, period=period, missing_points=missing_points)
    out["no_points"] = (out["points_rule"] == "none").astype(float)
    ctl = household_controls(programme, out["household_id"])
    for c in ctl.columns:
        out[c] = ctl[c]
    counted = ["model_score", "integrity_rating", "business_rating", "head_age"]
    out.attrs["missing"] = {c: int(out[c].isna().sum()) for c in counted} | {
        "grade": int((out["grade"] == "unrated").sum())}
    return out
