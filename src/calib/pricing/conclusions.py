"""The decisions report 05 supports, each with its figure, interval, threshold and verdict."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from calib.pricing.bands import _loan_level, _justified
from calib.pricing.pd_model import PointsPD, _prepared, _pd_of
from calib.pricing.recommend import (
    Recommendation, _bands_for, _floor_cap, _recommended, _search_step, schedule_form,
)
from calib.pricing.schedule import PointsLoan, discount_for_points, resolve_terms

__all__ = ["Finding", "base_rate_finding", "recommendation_interval", "conclusions"]


@dataclass(frozen=True)
class Finding:
    """A computed conclusion: a figure and the sentence that states it.

    Attributes
    ----------
    figure : int
        The count (bands below cost).
    of : int
        Out of how many (bands with loans).
    bands : tuple of str
        The bands concerned.
    sentence : str
        The conclusion in words (English; the figures are those of the table).
    required_total : float
        The rate covering cost over all loans (the table's ``total`` row): whether the book as
        a whole, without any discount, covers its cost at the base rate.

    Notes
    -----
    The counts rest on the modelled PD of :func:`evaluate_schedule`; with a model fitted on the
    same loans (``calibrate_points_discount(...).attrs["model"]``) they are in sample.
    """

    figure: int
    of: int
    bands: tuple[str, ...]
    sentence: str
    required_total: float = float("nan")


def base_rate_finding(table: pd.DataFrame) -> Finding:
    """In how many points bands the base rate itself is below cost.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`evaluate_schedule` (by points band), with ``below_cost_at_base``.

    Returns
    -------
    Finding
        ``figure`` = bands whose funding + operating cost + expected loss exceeds the base
        rate (no points discount can make them cover their cost), ``of`` = bands, a sentence
        and ``required_total``, the rate covering cost over all loans (the ``total`` row).
        It is the same count as ``Recommendation.summary["bands_below_cost_at_base"]``.

    Examples
    --------
    >>> t = pd.DataFrame({"band": ["0-100", "100-200", "total"],
    ...                   "required_rate": [0.052, 0.049, 0.0505],
    ...                   "below_cost_at_base": [True, False, True]})
    >>> t.attrs["base_rate"] = 0.05
    >>> f = base_rate_finding(t)
    >>> f.figure, f.of, f.required_total
    (1, 2, 0.0505)
    """
    bands = table.loc[table["band"] != "total"]
    below = bands.loc[bands["below_cost_at_base"].astype(bool)]
    base = table.attrs.get("base_rate", np.nan)
    total = table.loc[table["band"] == "total", "required_rate"]
    required = float(total.iloc[0]) if len(total) else np.nan
    n, m = len(below), len(bands)
    book = f"; over all loans the rate covering cost is {required:.2%}" if np.isfinite(required) else ""
    if n == 0:
        sentence = (f"The base rate ({base:.2%}) covers funding, operating cost and expected "
                    f"loss in all {m} points bands{book}.")
    else:
        worst = float((below["required_rate"] - base).max())
        sentence = (
            f"The base rate ({base:.2%}) is below funding + operating cost + expected loss in "
            f"{n} of {m} points bands ({', '.join(below['band'])}; by up to {worst:.2%}){book}: no "
            "points discount can make these bands cover their cost, so the base rate, not the "
            "discount, needs revising."
        )
    return Finding(n, m, tuple(below["band"]), sentence, required)


def recommendation_interval(
    loans: pd.DataFrame,
    cal: pd.DataFrame,
    rec: Recommendation,
    terms: PointsLoan | dict,
    *,
    mode: Literal["step", "band"] | None = None,
    band_top: float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Bootstrap interval of the recommended discount, of its yearly subsidy and of the
    current schedule's yearly subsidy.

    For every successful replicate of :func:`calibrate_points_discount` (its village bootstrap,
    ``cal.attrs["boot_coefs"]``) the PD model's coefficients are replaced by the replicate's,
    :func:`recommend_schedule` is re-run (same terms), and the subsidies of the recommended
    schedule (fixed) and of the current one are recomputed under the replicate's risk-justified
    discounts. The point estimates count the risk-justified part of a discount clipped to
    ``[0, discount]``: with a negative estimate the whole discount is subsidy, while the interval
    says how much of it the data cannot rule out as paid for by lower risk.

    Parameters
    ----------
    loans : pandas.DataFrame
        The loans the recommendation was made on (with ``points``, as from :func:`loan_frame`).
    cal : pandas.DataFrame
        Output of :func:`calibrate_points_discount` (``attrs["model"]``, ``attrs["boot_coefs"]``).
    rec : Recommendation
        The recommendation made with ``pd=cal.attrs["model"]``.
    terms : PointsLoan or dict
        The ``points_loan`` block it was made with.
    mode, band_top
        As given to :func:`recommend_schedule` (default: the current schedule's form).
    alpha : float
        1 - confidence of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        Three rows, ``quantity`` = ``recommended_discount_per_100`` (step mode; the top discount
        in band mode), ``recommended_subsidy_amount`` and ``current_subsidy_amount`` (yuan/year,
        the current schedule's as in :func:`evaluate_schedule`), with ``estimate``,
        ``ci_low``, ``ci_high`` (percentile), ``n_replicates``, and ``zero_width`` (True when
        every replicate gave the same value, e.g. when the floor rule forces a zero schedule
        whatever the risk estimate: then the interval says the constraint, not the estimate,
        decides).
    """
    t = resolve_terms(None, terms)
    model: PointsPD = cal.attrs["model"]
    coefs = np.asarray(cal.attrs.get("boot_coefs", np.empty((0, 0))))
    frame = _prepared(loans, None, None, "zero")
    p = frame["points"].to_numpy(dtype=float)
    fixed = np.asarray(discount_for_points(p, rec.schedule), dtype=float)  # the recommended schedule
    current = np.asarray(discount_for_points(p, t.schedule), dtype=float)
    change = fixed - current
    uptake = np.maximum(0.0, 1.0 + t.uptake_elasticity * 100.0 * change)
    size, cost, cost_now = [], [], []
    # What recommend_schedule(frame, None, terms=t, pd=<the replicate's model>) runs, with what
    # does not depend on the replicate made once: the loan-level table (points, discounts,
    # balances) and the PD model's two design matrices (at the loans' points and at none),
    # whose product with a replicate's coefficients is its PD (_pd_of, as PointsPD.predict), the
    # loans' points bands, and the step search's discounts of each size it tries with their band
    # means (kept for these bands).
    _, base, _ = _loan_level(frame, None, t, pd_=model, controls=(), period=None,
                             missing_points="zero", cluster="village")
    base = {c: base[c].to_numpy() for c in ("points", "discount", "drawn")}  # what the search reads
    x_at, x_none = model.design(frame), model.design(frame, points=0.0)
    drawn = base["drawn"]
    bands = _bands_for(base["points"], t, band_top)
    step = None
    if (mode or schedule_form(t.schedule)) == "step":
        step = _search_step(t.schedule, base["points"], _floor_cap(t.schedule), memo=True)
    for b in coefs:  # one refit-free recommendation per bootstrap replicate
        pdv, ref = _pd_of(x_at, b), _pd_of(x_none, b)
        just = _justified(pdv, ref, t.lgd)
        lv = {**base, "pd": pdv, "justified": just}  # the replicate's loan-level risk
        _, _, _, sched, disc, _ = _recommended(lv, t, mode, band_top, "strict", 1e-8, step_search=step,
                                                  bands=bands)
        per_100 = sched.per_100()
        size.append(float(per_100) if np.isfinite(per_100) else float(np.max(disc)) if disc.size else 0.0)
        # NaN-skipping sums, as pandas' (a loan without a risk estimate adds nothing)
        cost.append(float(np.nansum(uptake * drawn * (fixed - np.clip(just, 0.0, fixed)))))
        cost_now.append(float(np.nansum(drawn * (current - np.clip(just, 0.0, current)))))  # balances as drawn
    rows = []
    for name, est, arr in (("recommended_discount_per_100", _size(rec.summary.iloc[1]), size),
                           ("recommended_subsidy_amount", rec.summary["subsidy_amount"].iloc[1],
                            cost),
                           ("current_subsidy_amount", rec.summary["subsidy_amount"].iloc[0],
                            cost_now)):
        a = np.asarray(arr, dtype=float)
        lo, hi = np.quantile(a, [alpha / 2, 1 - alpha / 2]) if a.size else (np.nan, np.nan)
        rows.append({"quantity": name, "estimate": float(est), "ci_low": float(lo),
                     "ci_high": float(hi), "n_replicates": int(a.size),
                     "zero_width": bool(a.size and np.ptp(a) == 0)})
    return pd.DataFrame(rows)


def _size(summary_row: pd.Series) -> float:
    d = summary_row["discount_per_100"]
    return float(d) if np.isfinite(d) else float(summary_row["top_discount"])


_COLUMNS = ["decision", "figure", "ci_low", "ci_high", "threshold", "verdict", "unit", "note"]


#: The share of loans whose booked rate the parameters' schedule must reproduce, at the points of
#: the pricing period, for the report to take that schedule as the one the loans were priced with
#: (a workbench convention: below it every cost figure is of a schedule the bank did not apply).
MIN_RATES_REPRODUCED = 0.95


def _row(decision, figure, ci=(np.nan, np.nan), threshold=np.nan, verdict="", unit="",
         note="") -> dict:
    return dict(zip(_COLUMNS, (decision, float(figure), float(ci[0]), float(ci[1]),
                               float(threshold), verdict, unit, note)))


def _interval(interval: pd.DataFrame | None, quantity: str) -> tuple[float, float]:
    if interval is None:
        return np.nan, np.nan
    r = interval.set_index("quantity").loc[quantity]
    return r["ci_low"], r["ci_high"]


def _recommended_rows(rec: Recommendation, interval, budget: float) -> list[dict]:
    cur, new = rec.summary.iloc[0], rec.summary.iloc[1]
    size, now = _size(new), _size(cur)
    change = ("keep the discount" if abs(size - now) < 1e-9 else
              "lower the discount" if size < now else "raise the discount")
    ci = _interval(interval, "recommended_discount_per_100")
    fixed = bool(interval is not None and interval.set_index("quantity")
                 .loc["recommended_discount_per_100", "zero_width"])
    below = int(new["bands_below_cost_at_base"])
    note = (f"limited by: {new['binding']}"
            + (f" ({below} points bands are below cost already at the base rate)"
               if new["binding"] == "floor" and below else "")
            + ("; the same in every bootstrap replicate: the constraint, not the risk "
               "estimate, decides" if fixed else ""))
    cost = float(new["subsidy_amount"])
    cost_ci = _interval(interval, "recommended_subsidy_amount")
    within = "within budget" if cost <= budget + 1e-6 else "over budget"
    if np.isfinite(cost_ci[1]) and cost_ci[1] > budget + 1e-6 and within == "within budget":
        within = "within budget at the estimate; the interval reaches above it"
    return [
        _row("recommended_discount", size, ci, now, change, "fraction per 100 points", note),
        _row("recommended_yearly_cost", cost, cost_ci, budget, within, "yuan per year",
             f"interest forgone {new['interest_forgone']:,.0f} yuan per year, of which "
             f"subsidy {cost:,.0f}"),
    ]


def conclusions(
    cal: pd.DataFrame,
    table: pd.DataFrame,
    rec: Recommendation,
    *,
    interval: pd.DataFrame | None = None,
    period: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The decisions of report 05, conclusions first: one row per decision.

    Parameters
    ----------
    cal : pandas.DataFrame
        :func:`calibrate_points_discount` with a policy schedule.
    table : pandas.DataFrame
        :func:`evaluate_schedule` of the current schedule by points band.
    rec : Recommendation
        :func:`recommend_schedule`.
    interval : pandas.DataFrame, optional
        :func:`recommendation_interval` (without it the recommendation rows have no interval).
    period : pandas.DataFrame, optional
        :func:`match_pricing_period` (its first row is the period the report uses): adds the
        ``pricing_period`` row first.

    Returns
    -------
    pandas.DataFrame
        Columns ``decision``, ``figure``, ``ci_low``, ``ci_high`` (NaN where no interval
        applies), ``threshold``, ``verdict``, ``unit``, ``note``; rows (``decision``):

        - ``policy_discount``: the risk-justified discount per 100 points with its bootstrap
          interval against the policy's (threshold); verdict of :func:`policy_verdict`;
        - ``recommended_discount``: the recommended discount per 100 points (top discount for
          a banded schedule) with its interval, against the current one; verdict keep / lower /
          raise, the binding constraint in ``note``;
        - ``recommended_yearly_cost``: its subsidy (yuan/year) with its interval against the
          subsidy budget; verdict within / over budget;
        - ``current_yearly_cost``: the current schedule's subsidy against the budget, with its
          interval (``current_subsidy_amount`` of ``interval``), the interest forgone and its
          risk-justified part in ``note``;
        - ``current_rate``: bands whose current mean rate is below cost (threshold 0; verdict
          ``review`` or ``pass``), out of how many in ``unit``;
        - ``base_rate``: bands whose cost exceeds the base rate (threshold 0), the sentence of
          :func:`base_rate_finding` in ``note``;
        - ``pricing_period`` (first, with ``period``): the share of loans whose booked rate the
          schedule reproduces at the chosen period's points, against
          :data:`MIN_RATES_REPRODUCED`; verdict ``rates reproduced`` or ``rates not
          reproduced`` (the schedule in the parameters is then not the one the loans were
          priced with, and every cost figure is of a schedule the bank did not apply); the
          period in ``note``.
    """
    c = cal.iloc[0]
    tot = table.loc[table["band"] == "total"].iloc[0]
    budget = float(rec.summary["budget"].iloc[0])
    finding = base_rate_finding(table)
    rows = []
    if period is not None and len(period):
        best = period.iloc[0]
        share = float(best["share_matched"]) if pd.notna(best["share_matched"]) else np.nan
        rows.append(_row("pricing_period", share, threshold=MIN_RATES_REPRODUCED,
                         verdict="rates reproduced" if share >= MIN_RATES_REPRODUCED else "rates not reproduced",
                         unit="share of loans", note=f"points period {best['period']}"))
    rows += [_row("policy_discount", c["discount_per_100"], (c["ci_low"], c["ci_high"]),
                 c.get("policy_per_100", np.nan), str(c.get("policy_verdict", "no policy")),
                 "fraction per 100 points", c["interval_method"])]
    rows += _recommended_rows(rec, interval, budget)
    sub = float(tot["subsidy_amount"])
    sub_ci = (_interval(interval, "current_subsidy_amount")
              if interval is not None and "current_subsidy_amount" in set(interval["quantity"])
              else (np.nan, np.nan))
    rows.append(_row(
        "current_yearly_cost", sub, sub_ci, threshold=budget,
        verdict="within budget" if sub <= budget + 1e-6 else "over budget", unit="yuan per year",
        note=(f"interest forgone {tot['interest_forgone']:,.0f} yuan per year = risk-justified "
              f"{tot['risk_justified_amount']:,.0f} + subsidy {sub:,.0f}")))
    bands = table.loc[table["band"] != "total"]
    short = int((~bands["covers_cost"].astype(bool)).sum())
    rows.append(_row("current_rate", short, threshold=0, verdict="review" if short else "pass",
                     unit=f"points bands of {len(bands)}",
                     note="bands whose current mean rate is below funding + operating cost + "
                          "expected loss"))
    rows.append(_row("base_rate", finding.figure, threshold=0,
                     verdict="revise the base rate" if finding.figure else "base rate covers cost",
                     unit=f"points bands of {finding.of}", note=finding.sentence))
    return pd.DataFrame(rows, columns=_COLUMNS)
