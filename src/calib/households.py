"""One definition of a household's characteristics, used by the scorecard, the comparison's gap
drivers and the points pricing.

- :func:`household_frame` — one row per household of the roster: roster facts, the panel's
  mean ratings and income, the latest model run, the latest points and the loan outcome;
- :func:`latest_model_runs` — the one latest-model-run rule;
- :func:`period_bounds`, :func:`latest_period` — the one reading of a points period and the one
  latest-period rule (calendar order, not text order);
- :func:`panel_log_income` — the one log-income rule (mean of the reviewers' log incomes).

Everything is a vectorised group-by: the same code serves one village or a province.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

from calib._frames import positions
from calib.errors import CalibInputError

__all__ = ["household_frame", "latest_model_runs", "latest_period", "sort_periods", "period_bounds",
           "panel_log_income", "period_points", "HOUSEHOLD_COLUMNS"]

#: Columns of :func:`household_frame`, in order.
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "township", "village", "n_members", "head_age", "land_mu",
    "n_reviews", "business_rating", "integrity_rating", "n_income", "log_income",
    "model_score", "model_pd", "model_limit", "grade", "run_date",
    "points", "points_period", "drew", "default")


def _require(df: pd.DataFrame | None, table: str, cols: Sequence[str]) -> None:
    if df is None:
        return
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise CalibInputError(f"{table}: missing column(s) {miss}")


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------
_PATTERNS = (
    (re.compile(r"(\d{4})\s*年?"), lambda y: (pd.Timestamp(int(y), 1, 1), 12)),
    (re.compile(r"(\d{4})[-_/ ]?H([12])"),
     lambda y, h: (pd.Timestamp(int(y), 1 + 6 * (int(h) - 1), 1), 6)),
    (re.compile(r"(\d{4})[-_/ ]?Q([1-4])"),
     lambda y, q: (pd.Timestamp(int(y), 1 + 3 * (int(q) - 1), 1), 3)),
    (re.compile(r"(\d{4})(?:[-_/.]|年)?(\d{1,2})月?"),
     lambda y, m: (pd.Timestamp(int(y), int(m), 1), 1) if 1 <= int(m) <= 12 else None),
)


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
    for pat, make in _PATTERNS:  # four patterns
        m = pat.fullmatch(s)
        hit = make(*m.groups()) if m else None
        if hit is not None:
            start, months = hit
            return start, start + pd.offsets.MonthEnd(months)
    raise CalibInputError(
        f"points: column 'period' has a value that is not a year, half, quarter or month: "
        f"{period!r} (use e.g. 2025, 2025H1, 2025Q3, 2025-06)")


def sort_periods(periods: Any) -> list[str]:
    """Distinct periods in calendar order (by last day, then first day)."""
    # distinct values first, then their text: a points table has a handful of periods in
    # hundreds of thousands of rows (same periods, same first-seen order)
    seen = pd.unique(pd.Series(periods).dropna())
    uniq = pd.unique(pd.Series(seen, dtype=object).astype(str))
    return sorted(uniq.tolist(), key=lambda p: period_bounds(p)[::-1])


def latest_period(periods: Any) -> str | None:
    """The latest of some points periods in calendar order: the one that ends last (ties: the
    one that starts last, i.e. the shortest). ``"2025"`` ends after ``"2025H1"`` and
    ``"2025-06"``; text order would put ``"2025H1"`` last. None for no period."""
    order = sort_periods(periods)
    return order[-1] if order else None


# --------------------------------------------------------------------------------------------
# the pieces
# --------------------------------------------------------------------------------------------
def latest_model_runs(model_runs: pd.DataFrame, *, as_of: Any = None) -> pd.DataFrame:
    """Each household's latest model run, index ``household_id``.

    Runs dated after ``as_of`` (when given) are ignored: a run the bank did not have at the
    evaluation date cannot describe the household then. Among the rest, the one with the
    largest ``run_date`` (the last row of the table on a tie).
    """
    _require(model_runs, "model_runs", ["household_id", "run_date"])
    mr = model_runs.assign(household_id=model_runs["household_id"].astype(str))
    codes, _ = pd.factorize(mr["household_id"], sort=True)  # sorted: the index comes out sorted
    rows = _latest_rows(codes, mr["run_date"], as_of)
    return mr.iloc[rows].set_index("household_id")


def _latest_rows(keys: np.ndarray, run_date: pd.Series, as_of: Any = None) -> np.ndarray:
    """Row positions of the latest run of each key (``keys``: integer codes, -1 for none), in
    the order of the keys: the rule of :func:`latest_model_runs` (runs after ``as_of`` left out;
    the largest ``run_date``, a missing date after every date; the last row on a tie)."""
    dates = pd.to_datetime(run_date)
    stamp = dates.to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
    missing = np.asarray(dates.isna(), dtype=bool)
    keep = np.asarray(keys, dtype=np.int64) >= 0
    if as_of is not None:
        keep &= ~missing & (stamp <= pd.Timestamp(as_of).as_unit("ns").value)
    stamp[missing] = np.iinfo(np.int64).max  # a missing date sorts last, as sort_values puts it
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((rows, stamp[rows], keys[rows]))]
    k = keys[order]
    last = np.r_[k[1:] != k[:-1], True] if k.size else np.zeros(0, dtype=bool)
    return order[last]


def panel_log_income(reviews: pd.DataFrame) -> pd.DataFrame:
    """Each household's log income: the mean over its reviewers of ``ln(annual_income)``.

    Returns
    -------
    DataFrame, index ``household_id``
        ``n_income`` (reviewers who gave a positive income) and ``log_income`` (NaN when none
        did).

    Notes
    -----
    **Why the mean of the logs, not the log of the mean.** Each reviewer estimates the same
    quantity, the household's income, and such estimates err in proportion to it (one says
    30,000 where another says 60,000; nobody errs by a fixed 5,000 yuan for rich and poor
    alike): ``estimate = income x exp(e)``. Then ``mean(ln estimate)`` estimates
    ``ln income`` without bias, whereas ``ln(mean estimate)`` is biased upwards by about
    ``sigma^2 / 2 (1 - 1/k)`` with k reviewers and is pulled by the single largest estimate.
    The exponential of ``log_income`` is the geometric mean of the estimates. An income of 0 or
    a blank is read as "not given" (a household's yearly income is not zero; the log is
    undefined) and left out; ``n_income`` counts the estimates used. Checked by simulation in
    ``tests/scorecard/test_households.py``.
    """
    _require(reviews, "reviews", ["household_id", "annual_income"])
    ok, logs = _log_incomes(reviews)
    g = pd.DataFrame({"n_income": ok.astype(float), "log_income": logs}).groupby(
        reviews["household_id"].astype(str).to_numpy(), sort=False)
    return pd.DataFrame({"n_income": g["n_income"].sum().astype(int), "log_income": g["log_income"].mean()})


def _log_incomes(reviews: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each review's income read as :func:`panel_log_income` reads it: whether it counts
    (positive) and its natural log (NaN when it does not)."""
    inc = pd.to_numeric(reviews["annual_income"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = inc > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(ok, np.log(np.where(ok, inc, 1.0)), np.nan)
    return ok, logs


def _grouped(values: pd.DataFrame, pos: np.ndarray):
    """``values`` (one row per record) grouped by household position ``pos`` (-1: not a roster
    household, left out). pandas' group-by on integer keys, so every aggregate is the one a
    group-by on the household numbers gives; the keys are factorised once for every aggregate
    taken from the returned group-by."""
    keep = pos >= 0
    return values.loc[keep].groupby(pos[keep], sort=True)


def _placed(agg: pd.Series | pd.DataFrame, n: int, fill=np.nan):
    """An aggregate by household position, one row for each of ``n`` households (``fill`` for
    a household without a record)."""
    return agg.reindex(np.arange(n), fill_value=fill)


def _panel(reviews: pd.DataFrame, idx: pd.Index) -> pd.DataFrame:
    """Panel means of the ratings and log income, one row per household of ``idx``."""
    n = len(idx)
    ratings = ["business_rating", "integrity_rating"]
    rows = pd.DataFrame({c: pd.to_numeric(reviews[c], errors="coerce").astype(float).to_numpy() for c in ratings})
    income = "annual_income" in reviews.columns
    if income:
        ok, logs = _log_incomes(reviews)
        rows["n_income"], rows["log_income"] = ok.astype(float), logs
    g = _grouped(rows, positions(reviews["household_id"].astype(str), idx, unique=True))
    out = pd.DataFrame({"n_reviews": _placed(g.size(), n, 0).to_numpy()}, index=idx)
    for c, col in _placed(g[ratings].mean(), n).items():
        out[c] = col.to_numpy()
    if income:
        out["n_income"] = _placed(g["n_income"].sum(), n, 0).to_numpy()
        out["log_income"] = _placed(g["log_income"].mean(), n).to_numpy()
    else:
        out["n_income"], out["log_income"] = 0, np.nan
    out[["n_reviews", "n_income"]] = out[["n_reviews", "n_income"]].astype(int)  # 0 placed where none
    return out


def period_points(points: pd.DataFrame | None, period: str | None,
                  idx: pd.Index) -> tuple[pd.Series, str | None]:
    """Points of each household of ``idx`` (unique household numbers) in ``period`` (default:
    :func:`latest_period`), and the period used; NaN for households without a record."""
    if points is None or points.empty:
        if period is not None:
            raise CalibInputError(f"period: {period!r} given but the programme has no points table")
        return pd.Series(np.nan, index=idx, dtype=float), None
    _require(points, "points", ["household_id", "period", "points"])
    per = points["period"].astype(str)
    if period is None:
        period = latest_period(per)
    elif not (per == str(period)).any():
        raise CalibInputError(f"period: {period!r} not among the points periods "
                              f"{sort_periods(per)}")
    sel = points.loc[(per == str(period)).to_numpy()]
    # one value per household and period is the contract; sum if a household has several rows
    pts = pd.DataFrame({"points": pd.to_numeric(sel["points"], errors="coerce").astype(float).to_numpy()})
    g = _grouped(pts, positions(sel["household_id"].astype(str), idx, unique=True))
    s = _placed(g["points"].sum(min_count=1), len(idx))
    return s.set_axis(idx), str(period)


def _outcomes(loans: pd.DataFrame | None, idx: pd.Index) -> pd.DataFrame:
    if loans is None or loans.empty:
        return pd.DataFrame({"drew": False, "default": np.nan}, index=idx)
    _require(loans, "loans", ["household_id", "drawn_amount", "default"])
    drawn = loans.loc[(pd.to_numeric(loans["drawn_amount"], errors="coerce").astype(float) > 0).to_numpy()]
    pos = positions(drawn["household_id"].astype(str), idx, unique=True)
    d = pd.DataFrame({"default": pd.to_numeric(drawn["default"], errors="coerce").astype(float).to_numpy()})
    drew = np.bincount(pos[pos >= 0], minlength=len(idx)) > 0
    return pd.DataFrame({"drew": drew, "default": _placed(_grouped(d, pos)["default"].max(), len(idx)).to_numpy()},
                        index=idx)


# --------------------------------------------------------------------------------------------
# the frame
# --------------------------------------------------------------------------------------------
def household_frame(prog: Any, *, period: str | None = None,
                    columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per household: the single definition of its characteristics.

    Parameters
    ----------
    prog : calib.programme.Programme
        A loaded programme (``roster`` required; ``reviews``, ``model_runs``, ``points`` and
        ``loans`` used when present).
    period : str, optional
        Points period (e.g. ``"2025"``); default: the latest by calendar
        (:func:`latest_period`).
    columns : sequence of str, optional
        Only these of :data:`HOUSEHOLD_COLUMNS`, in this order (default: all). The points and
        the loan outcome are not computed when none of their columns is asked for (the tables'
        required columns are still checked): :func:`calib.pricing.loan_frame` takes the PD
        controls this way.

    Returns
    -------
    DataFrame
        Index ``household_id`` (text; every household of the roster, sorted), columns
        :data:`HOUSEHOLD_COLUMNS`:

        - ``township``, ``village`` (text), ``n_members``, ``head_age`` (age of the head at the
          programme's ``as_of``), ``land_mu`` (household total): from
          :meth:`Programme.households`;
        - ``n_reviews`` (int, 0 when not reviewed), ``business_rating``, ``integrity_rating``
          (mean of the panel's 1-5 ratings, NaN when none);
        - ``n_income`` (reviewers with a positive income) and ``log_income`` (mean of their
          ``ln(annual_income)``, :func:`panel_log_income`; NaN when none);
        - ``model_score``, ``model_pd``, ``model_limit``, ``grade``, ``run_date``: the latest
          model run at ``as_of`` (:func:`latest_model_runs`; NaN / missing when never scored);
        - ``points`` (float, NaN without a record) and ``points_period`` (text, the same for
          all rows; missing without a points table);
        - ``drew`` (bool: a loan with ``drawn_amount > 0``) and ``default`` (float 1/0, the
          maximum over drawn loans; NaN for non-drawers, who have no outcome).

        ``attrs["points_period"]`` repeats the period used (None when the points were not
        asked for).

    Raises
    ------
    CalibInputError
        Naming the table and column when a needed column is missing, or an unknown ``period``.
    """
    _require(prog.roster, "roster", ["household_id", "village", "township"])
    cols = list(HOUSEHOLD_COLUMNS if columns is None else columns)
    unknown = [c for c in cols if c not in HOUSEHOLD_COLUMNS]
    if unknown:
        raise ValueError(f"household_frame: unknown column(s) {unknown}; known: {list(HOUSEHOLD_COLUMNS)}")
    hh = prog.households()
    idx = pd.Index(hh.index.astype(str), name="household_id")
    hh = hh.set_axis(idx)
    out = pd.DataFrame({"township": hh["township"].astype(str), "village": hh["village"].astype(str),
                        "n_members": hh["n_members"].astype(int),
                        "head_age": pd.to_numeric(hh["head_age"]).astype(float),
                        "land_mu": pd.to_numeric(hh["land_mu"]).astype(float)}, index=idx)
    rv = prog.reviews
    if rv is not None:
        _require(rv, "reviews", ["household_id", "business_rating", "integrity_rating"])
        for c, col in _panel(rv, idx).items():  # same index: columns, not a join on the text keys
            out[c] = col.to_numpy()
    else:
        out = out.assign(n_reviews=0, business_rating=np.nan, integrity_rating=np.nan,
                         n_income=0, log_income=np.nan)
    mr = prog.model_runs
    if mr is not None:  # the latest run at as_of (latest_model_runs's rule) of each household
        _require(mr, "model_runs", ["household_id", "run_date"])
        pos = positions(mr["household_id"].astype(str), idx, unique=True)
        rows = _latest_rows(pos, mr["run_date"], getattr(prog, "as_of", None))
        at = pos[rows]
    for c in ("model_score", "model_pd", "model_limit"):
        col = np.full(len(idx), np.nan)
        if mr is not None and c in mr:
            col[at] = pd.to_numeric(mr[c].iloc[rows]).astype(float).to_numpy()
        out[c] = col
    if mr is not None and "grade" in mr:
        grade = np.full(len(idx), np.nan, dtype=object)
        grade[at] = mr["grade"].iloc[rows].astype(object).to_numpy()
        out["grade"] = pd.Series(grade, index=idx, dtype=object)
    else:
        out["grade"] = None
    run_date = np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[ns]")
    if mr is not None:
        run_date[at] = pd.to_datetime(mr["run_date"].iloc[rows]).to_numpy(dtype="datetime64[ns]")
    out["run_date"] = run_date
    used = None
    if {"points", "points_period"} & set(cols):
        out["points"], used = period_points(prog.points, period, idx)
        out["points_period"] = used
    elif prog.points is not None and not prog.points.empty:
        _require(prog.points, "points", ["household_id", "period", "points"])
    if {"drew", "default"} & set(cols):
        for c, col in _outcomes(prog.loans, idx).items():
            out[c] = col.to_numpy()
    elif prog.loans is not None and not prog.loans.empty:
        _require(prog.loans, "loans", ["household_id", "drawn_amount", "default"])
    out.attrs["points_period"] = used
    return out[cols]
