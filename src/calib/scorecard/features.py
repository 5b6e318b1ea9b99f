"""Household characteristics for scoring, the drawers/non-drawers selection, and the two-period
samples for stability (PSI/CSI).

- :func:`household_features` — one row per household: the bank's model run, the panel's mean
  ratings, income, governance points, roster facts, and whether the household drew a loan and
  defaulted (outcomes exist only for drawers).
- :func:`selection_table` — how the households with an outcome (drawers) differ from the rest,
  characteristic by characteristic.
- :func:`stability_features` — the previous and the current period's characteristics, for
  :func:`calib.validation.psi` / :func:`calib.validation.csi`.

``CHARACTERISTICS`` lists the characteristics a scorecard is fitted on and ``EXPECTED_TRENDS``
the policy's expected direction of the default rate for each (pass it as ``monotone_trend`` to
:class:`calib.scorecard.Scorecard`).
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib._frames import isin
from calib.errors import CalibInputError
from calib.households import household_frame, period_points, sort_periods
from calib.programme import Programme

__all__ = [
    "household_features",
    "selection_table",
    "stability_features",
    "StabilitySamples",
    "CHARACTERISTICS",
    "EXPECTED_TRENDS",
]

#: Characteristics a calibrated scorecard uses (numeric columns of :func:`household_features`).
CHARACTERISTICS: tuple[str, ...] = ("model_score", "business_rating", "integrity_rating",
                                    "log_income", "points", "head_age", "land_mu")

#: Expected trend of the default rate as each characteristic increases (policy view): better
#: model score, ratings and points mean fewer defaults; the others are left to the data.
EXPECTED_TRENDS: dict[str, str] = {"model_score": "decreasing", "business_rating": "decreasing",
                                   "integrity_rating": "decreasing", "points": "decreasing",
                                   "log_income": "auto", "head_age": "auto", "land_mu": "auto"}

_COLUMNS = ["model_score", "model_pd", "grade", "run_date", "business_rating", "integrity_rating",
            "log_income", "points", "head_age", "land_mu", "village", "township", "drew", "default"]


def household_features(programme: Programme, *, period: str | None = None) -> pd.DataFrame:
    """Characteristics and outcome of every household, for scoring.

    Parameters
    ----------
    programme : Programme
        A loaded programme (roster, reviews and model_runs required; points and loans optional).
    period : str, optional
        Points period to use (e.g. ``"2025"``); default: the latest period in calendar order
        (:func:`calib.households.latest_period`).

    Returns
    -------
    DataFrame
        Index ``household_id`` (every household of the roster), columns:

        - ``model_score``, ``model_pd``, ``grade``, ``run_date``: the household's latest model
          run (NaN / missing when the model never scored it);
        - ``business_rating``, ``integrity_rating``: mean of the panel's 1-5 ratings (float);
        - ``log_income``: mean over the reviewers of ``ln(annual_income)`` (positive incomes
          only; NaN when none): see :func:`calib.households.panel_log_income` for why the mean
          of the logs;
        - ``points``: governance points of ``period`` (NaN for households without points);
        - ``head_age``, ``land_mu``: from :meth:`Programme.households`;
        - ``village``, ``township``: text;
        - ``drew``: bool, the household has a loan with ``drawn_amount > 0``;
        - ``default``: float 1/0, the maximum of ``default`` over the household's drawn loans;
          NaN for households that did not draw (no outcome).

        ``attrs["points_period"]`` holds the points period used.

    Notes
    -----
    A selection of the columns of :func:`calib.households.household_frame`, the one
    definition of household characteristics. Outcomes exist only for drawers (about 30 % of the
    households in whole-village credit), a selected group: compare them with
    :func:`selection_table` before reading a default rate as the programme's.

    Examples
    --------
    >>> hh = household_features(prog)            # doctest: +SKIP
    >>> hh.loc[hh["drew"], "default"].mean()     # default rate among drawers  # doctest: +SKIP
    """
    if not isinstance(programme, Programme):
        raise CalibInputError(f"programme: expected a calib Programme, got {type(programme).__name__}")
    for table in ("model_runs", "reviews"):
        if getattr(programme, table) is None:
            raise CalibInputError(f"{table}: table required for scoring, not in the programme")
    if "model_score" not in programme.model_runs.columns:
        raise CalibInputError("model_runs: missing column(s) ['model_score']")
    frame = household_frame(programme, period=period)
    out = frame[_COLUMNS].copy()
    out.attrs["points_period"] = frame.attrs["points_period"]
    return out


def selection_table(features: pd.DataFrame, *, by: str = "drew",
                    columns: Sequence[str] | None = None) -> pd.DataFrame:
    """How the households with an outcome differ from the others, per characteristic.

    Parameters
    ----------
    features : DataFrame
        E.g. :func:`household_features` (restricted to the scored households).
    by : str, default "drew"
        Boolean column splitting the households (True: with an outcome).
    columns : sequence of str, optional
        Numeric characteristics to compare (default :data:`CHARACTERISTICS` present).

    Returns
    -------
    DataFrame, one row per characteristic
        ``characteristic``, ``n_drew``, ``n_other``, ``mean_drew``, ``mean_other``,
        ``difference`` (drew - other), ``std_diff`` (standardised mean difference, pooled SD),
        ``p_value`` (Mann-Whitney U, two-sided), ``missing_drew``, ``missing_other`` (shares).

    Notes
    -----
    A standardised difference above 0.1 in absolute value is the usual mark of an imbalance
    worth reporting (Austin 2009). Missing values are left out of means and tests, and their
    shares reported.

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. *Statistics in
    Medicine* 28(25), 3083-3107.
    """
    if by not in features.columns:
        raise CalibInputError(f"selection_table: missing column {by!r}")
    cols = (list(columns) if columns is not None
            else [c for c in CHARACTERISTICS if c in features.columns])
    miss = [c for c in cols if c not in features.columns]
    if miss:
        raise CalibInputError(f"selection_table: missing column(s) {miss}")
    g = features[by].astype(bool).to_numpy()
    rows = []
    for c in cols:  # loop over a handful of characteristics
        v = pd.to_numeric(features[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        a, b = v[g], v[~g]
        fa, fb = a[~np.isnan(a)], b[~np.isnan(b)]
        ma = fa.mean() if fa.size else np.nan
        mb = fb.mean() if fb.size else np.nan
        sd = np.sqrt((np.var(fa, ddof=1) if fa.size > 1 else np.nan) / 2
                     + (np.var(fb, ddof=1) if fb.size > 1 else np.nan) / 2)
        p = (stats.mannwhitneyu(fa, fb, alternative="two-sided").pvalue
             if fa.size and fb.size and np.ptp(np.concatenate([fa, fb])) > 0 else np.nan)
        rows.append((c, int(fa.size), int(fb.size), ma, mb, ma - mb,
                     (ma - mb) / sd if sd and sd > 0 else np.nan, float(p),
                     float(np.isnan(a).mean()) if a.size else np.nan,
                     float(np.isnan(b).mean()) if b.size else np.nan))
    return pd.DataFrame(rows, columns=["characteristic", "n_drew", "n_other", "mean_drew",
                                       "mean_other", "difference", "std_diff", "p_value",
                                       "missing_drew", "missing_other"])


class StabilitySamples(NamedTuple):
    """Result of :func:`stability_features`."""

    previous: pd.DataFrame
    """Characteristics of the previous period (households with a model run at ``previous_run``)."""
    current: pd.DataFrame
    """Characteristics of the current period (households with a model run at ``current_run``)."""
    previous_run: Any
    current_run: Any
    previous_period: str | None
    current_period: str | None
    note: str


def stability_features(programme: Programme, *, run_dates: Sequence[Any] | None = None,
                       periods: Sequence[str] | None = None,
                       features: pd.DataFrame | None = None) -> StabilitySamples:
    """The previous and current period's characteristics, for PSI and CSI.

    Parameters
    ----------
    programme : Programme
        A loaded programme.
    run_dates : (previous, current), optional
        Model run dates to compare; default: the last two distinct run dates.
    periods : (previous, current), optional
        Points periods to compare; default: the last two periods.
    features : DataFrame, optional
        ``household_features(programme)`` when already computed (every household, default
        period): not computed again (12 s at 1M households).

    Returns
    -------
    StabilitySamples
        ``previous`` and ``current``: frames with the columns of :func:`household_features`
        where ``model_score``, ``model_pd``, ``grade``, ``run_date`` come from the given run and
        ``points`` from the given period; ``previous`` holds the households with a model run at
        the previous date, ``current`` those with one at the current date. ``note`` says what
        was available. With a single run date, ``previous`` is empty.

    Notes
    -----
    What changes between the frames is what the data has per period: the model run (the
    sample has a 2024-09-30 run for about 20 % of the households and a 2025-09-30 run for all)
    and the points (periods 2024 and 2025). Panel ratings, income and roster facts come from a
    single review round, so their CSI only reflects the change in the scored population.
    """
    if features is None:
        base = household_features(programme)
    else:
        n = programme.roster["household_id"].nunique()
        if len(features) != n or not features.index.is_unique:
            raise CalibInputError(f"features: {len(features)} rows for the programme's {n} households; "
                                  "pass household_features(programme) unfiltered")
        base = features
    mr = programme.model_runs
    dates = sorted(pd.to_datetime(mr["run_date"]).dropna().unique())
    if run_dates is None:
        prev_d, cur_d = (dates[-2], dates[-1]) if len(dates) >= 2 else (None, dates[-1] if dates else None)
    else:
        prev_d, cur_d = (pd.Timestamp(run_dates[0]), pd.Timestamp(run_dates[1]))
        for d in (prev_d, cur_d):
            if d not in set(pd.to_datetime(dates)):
                raise CalibInputError(f"run_dates: {d.date()} not among the model run dates "
                                      f"{[str(pd.Timestamp(x).date()) for x in dates]}")
    pts = programme.points
    pers = sort_periods(pts["period"]) if pts is not None and not pts.empty else []
    if periods is None:
        prev_p, cur_p = (pers[-2], pers[-1]) if len(pers) >= 2 else (None, pers[-1] if pers else None)
    else:
        prev_p, cur_p = str(periods[0]), str(periods[1])

    def frame(d: Any, per: str | None) -> pd.DataFrame:
        if d is None:
            return base.iloc[:0].copy()
        run = mr.loc[pd.to_datetime(mr["run_date"]) == pd.Timestamp(d)]
        run = run.drop_duplicates("household_id", keep="last").set_index("household_id")
        f = base.loc[isin(base.index, run.index)].copy()
        for c in ("model_score", "model_pd", "grade", "run_date"):
            if c in run:
                f[c] = run[c].reindex(f.index)
        if per is not None:
            f["points"] = period_points(pts, per, f.index)[0]
        else:
            f["points"] = np.nan
        return f

    prev, cur = frame(prev_d, prev_p), frame(cur_d, cur_p)
    fmt = (lambda d: str(pd.Timestamp(d).date()) if d is not None else "none")
    note = (f"model runs: previous {fmt(prev_d)} ({len(prev)} households), current {fmt(cur_d)} "
            f"({len(cur)} households); points periods: previous {prev_p}, current {cur_p}; "
            "ratings, income and roster facts come from one review round")
    return StabilitySamples(prev, cur, prev_d, cur_d, prev_p, cur_p, note)
