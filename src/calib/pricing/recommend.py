"""The largest schedule within the subsidy budget and the floor rule, and its sensitivity."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.errors import CalibParamsError
from calib.pricing.bands import _band_edges, _band_info, _band_of, _loan_level
from calib.pricing.pd_model import PointsPD, _prepared, fit_points_pd
from calib.pricing.schedule import (
    Band, PointsLoan, Schedule, discount_for_points, resolve_terms,
)

__all__ = ["Recommendation", "recommend_schedule", "sensitivity", "schedule_form", "SENSITIVITY_LGD",
           "SENSITIVITY_UPTAKE"]


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
        Two rows (``current``, ``recommended``): ``discount_per_100`` (a step schedule's; NaN for a
        banded one, a zero banded recommendation included), ``top_discount``,
        ``interest_forgone``, ``subsidy_amount``, ``budget``, ``within_budget``,
        ``within_floor`` (no band's mean rate pushed below funding + operating + EL by the
        discount; a band the base rate already leaves below it may get none: see
        ``bands_below_cost_at_base``), ``binding`` (what stopped a larger schedule: ``budget``, ``floor``,
        ``cap`` (base rate, ``floor_rate`` or ``max_discount`` reached) or ``none``),
        ``bands_below_cost_at_base``.
    """

    schedule: Schedule
    current: Schedule
    table: pd.DataFrame
    summary: pd.DataFrame


def _band_mean(k: np.ndarray, n_k: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mean of ``x`` over the loans of each band (``k``: band of each loan, ``n_k``: loans per
    band; 0 for an empty band)."""
    return np.bincount(k, weights=x, minlength=len(n_k)) / np.maximum(n_k, 1)


@dataclass
class _Budget:
    """Loan-level arrays of one search and its two constraints (budget and floor)."""

    k: np.ndarray  # band of each loan
    n_k: np.ndarray  # loans per band
    drawn: np.ndarray
    just: np.ndarray  # risk-justified discount per loan
    cur_disc: np.ndarray  # current discount per loan
    cap_k: np.ndarray  # largest mean discount per band under the floor rule
    budget: float
    elasticity: float
    _just_pos: np.ndarray | None = field(default=None, init=False, repr=False)  # max(just, 0)
    _scratch: np.ndarray | None = field(default=None, init=False, repr=False)  # one per loan

    @property
    def present(self) -> np.ndarray:
        return self.n_k > 0

    def band_mean(self, x: np.ndarray) -> np.ndarray:
        return _band_mean(self.k, self.n_k, x)

    def drawn_after(self, disc: np.ndarray) -> np.ndarray:
        if self.elasticity == 0:
            return self.drawn
        return self.drawn * np.maximum(0.0, 1.0 + self.elasticity * 100.0 * (disc - self.cur_disc))

    def subsidy_per_loan(self, disc: np.ndarray, drawn: np.ndarray | None = None) -> np.ndarray:
        """Yuan/year of each loan's discount that its risk does not justify (>= 0)."""
        dr = self.drawn_after(disc) if drawn is None else drawn
        return dr * (disc - np.clip(self.just, 0.0, disc))

    def subsidy(self, disc: np.ndarray) -> float:
        """Yuan/year of the whole discount ``disc`` that risk does not justify: the sum of
        :meth:`subsidy_per_loan`, made in one buffer kept across calls (a search makes dozens).

        ``min(max(just, 0), disc)`` is ``clip(just, 0, disc)`` but for the sign of a zero (a
        ``just`` of -0.0), which changes no loan's ``disc - that`` unless ``disc`` is -0.0 and
        then only the sign of a zero: the sum compares with the budget as the clipped one's.
        """
        if self._scratch is None:
            self._just_pos = np.maximum(self.just, 0.0)
            self._scratch = np.empty_like(self._just_pos)
        buf = self._scratch
        np.minimum(self._just_pos, disc, out=buf)
        np.subtract(disc, buf, out=buf)
        np.multiply(self.drawn_after(disc), buf, out=buf)
        return float(np.sum(buf))

    def floor_ok(self, disc: np.ndarray, mean: np.ndarray | None = None) -> bool:
        """No band's mean discount above its cap; ``mean``: the band means of ``disc``, when
        known (``_Search.mean_for``)."""
        m = self.band_mean(disc) if mean is None else mean
        return bool(np.all(m[self.present] <= self.cap_k[self.present] + 1e-12))

    def feasible(self, disc: np.ndarray, mean: np.ndarray | None = None) -> bool:
        """Within the budget and the floor rule; with ``mean`` known the floor, then a few
        numbers per band, is tested first (the same answer: it fails in most of a search where
        the floor binds, and the subsidy, a sum over loans, is then not made)."""
        if mean is not None:
            return self.floor_ok(disc, mean) and self.subsidy(disc) <= self.budget + 1e-6
        return self.subsidy(disc) <= self.budget + 1e-6 and self.floor_ok(disc)


def _no_means(x: float, b: _Budget) -> None:
    """A search that keeps no band means."""
    return None


@dataclass
class _Search:
    """A one-parameter family of schedules: the schedule and loan discounts for size ``x``."""

    schedule_for: Callable[[float], Schedule]
    disc_for: Callable[[float], np.ndarray]
    hi: float  # largest size worth trying
    lo: float = 0.0  # smallest size (a zero schedule)
    #: the band means of ``disc_for(x)`` for a budget's bands, when kept (else None)
    mean_for: Callable[[float, _Budget], np.ndarray | None] = _no_means


def schedule_form(schedule: Schedule) -> Literal["step", "band"]:
    """The form a recommendation keeps by default, hence the search it makes: ``band`` for a
    schedule with bands (a tiered schedule is answered with tiers), else ``step`` (a discount per
    ``step_points``). A banded recommendation has no discount per 100 points, whatever its size.

    Parameters
    ----------
    schedule : Schedule
        The schedule in force.

    Returns
    -------
    {"step", "band"}

    Examples
    --------
    >>> schedule_form(Schedule()), schedule_form(Schedule(bands=[{"points": 200, "discount": 0.002}]))
    ('step', 'band')
    """
    return "band" if schedule.bands is not None else "step"


#: How many sizes' discounts a memoised step search keeps (the first tried: the top of every
#: replicate's bisection; at most 64 arrays of one float per loan).
_MEMO_SIZES = 64


class _StepSizes:
    """Step schedules of the current form with ``step_discount`` = x on fixed loans, keeping
    the loans' discounts of the first :data:`_MEMO_SIZES` sizes asked for (read-only) and their
    band means.

    Parameters
    ----------
    cur : Schedule
        The schedule in force (its form, base rate, rounding and caps are kept).
    p : numpy.ndarray
        The loans' points.
    """

    def __init__(self, cur: Schedule, p: np.ndarray) -> None:
        self._cur, self._p = cur, p
        self._disc: dict[float, np.ndarray] = {}
        self._mean: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def schedule_for(self, d: float) -> Schedule:
        """The schedule of size ``d``."""
        return self._cur.model_copy(update={"step_discount": float(d), "bands": None})

    def disc_for(self, d: float) -> np.ndarray:
        """The loans' discounts under the schedule of size ``d`` (kept for the first sizes)."""
        got = self._disc.get(d)
        if got is None:
            got = np.asarray(discount_for_points(self._p, self.schedule_for(d)), dtype=float)
            if len(self._disc) < _MEMO_SIZES:
                got.flags.writeable = False
                self._disc[d] = got
        return got

    def mean_for(self, d: float, b: _Budget) -> np.ndarray | None:
        """``b.band_mean(disc_for(d))`` of a kept size, kept for the bands it was made on (the
        same ``k`` and ``n_k`` arrays: budgets of other bands compute their own); None for a
        size not kept."""
        disc = self._disc.get(d)
        if disc is None:
            return None
        got = self._mean.get(d)
        if got is None or got[0] is not b.k or got[1] is not b.n_k:
            got = (b.k, b.n_k, b.band_mean(disc))
            got[2].flags.writeable = False
            self._mean[d] = got
        return got[2]


def _search_step(cur: Schedule, p: np.ndarray, floor_cap: float, *, memo: bool = False) -> _Search:
    """Schedules of the current form with ``step_discount`` = x. With ``memo`` the loans'
    discounts of the first :data:`_MEMO_SIZES` sizes tried are kept (read-only), and their band
    means (:class:`_StepSizes`): searches on the same loans under other risk estimates
    (:func:`calib.pricing.recommendation_interval`'s replicates) try the same sizes first, as
    every bisection starts from the same ends; the sizes deeper in a search differ between
    replicates and are not kept (each would hold one discount per loan)."""
    if memo:
        sizes = _StepSizes(cur, p)
        return _Search(sizes.schedule_for, sizes.disc_for, min(0.999999, floor_cap),
                       mean_for=sizes.mean_for)

    def schedule_for(d: float) -> Schedule:
        return cur.model_copy(update={"step_discount": float(d), "bands": None})

    def disc_for(d: float) -> np.ndarray:
        return np.asarray(discount_for_points(p, schedule_for(d)), dtype=float)

    return _Search(schedule_for, disc_for, min(0.999999, floor_cap))


def _isotonic_justified(b: _Budget, edges: np.ndarray) -> np.ndarray:
    """Band-mean justified discounts made non-decreasing (loan-weighted), clipped at 0."""
    from sklearn.isotonic import IsotonicRegression

    iso = np.zeros(len(edges))
    present = b.present
    if present.any():
        ir = IsotonicRegression(increasing=True)
        iso[present] = ir.fit_transform(edges[present], b.band_mean(b.just)[present],
                                        sample_weight=b.n_k[present])
        # empty bands take the value of the band below (keeps monotone)
        iso = np.maximum.accumulate(np.where(present, iso, -np.inf))
        iso = np.where(np.isfinite(iso), iso, 0.0)
    return np.clip(iso, 0.0, None)


def _search_bands(b: _Budget, cur: Schedule, edges: np.ndarray, floor_cap: float) -> _Search:
    """Tiered schedules: isotonic justified discount per band plus a flat add-on x."""
    iso = _isotonic_justified(b, edges)
    limit = np.minimum(b.cap_k, floor_cap)
    if cur.max_discount is not None:
        limit = np.minimum(limit, cur.max_discount)
    above_lowest = np.arange(len(edges)) > 0

    def band_disc(s: float) -> np.ndarray:
        # s >= 0: a policy add-on above the lowest band; s < 0: every band lowered by -s (when
        # the budget cannot pay for the band means, whose loans differ in risk)
        x = np.minimum(iso + (np.where(above_lowest, s, 0.0) if s >= 0 else s), limit)
        x = np.minimum.accumulate(x[::-1])[::-1]  # non-decreasing, still under the limits
        return np.round(np.clip(x, 0.0, None), 12)

    def schedule_for(s: float) -> Schedule:
        d = band_disc(s)
        keep = np.concatenate([[d[0] > 0], np.diff(d) > 0])
        bands = [Band(points=float(edges[i]), discount=float(d[i])) for i in np.flatnonzero(keep)]
        # no band above zero: still a banded schedule (one band of no discount), never a step of
        # 0, so that it has no discount per 100 points, as a banded one of any size
        bands = bands or [Band(points=float(edges[0]) if edges.size else 0.0, discount=0.0)]
        return cur.model_copy(update={"bands": bands, "step_discount": 0.0})

    return _Search(schedule_for, lambda s: band_disc(s)[b.k], floor_cap,
                   lo=-float(iso.max()) if iso.size else 0.0)


def _bisect_max(feasible, lo: float, hi: float, tol: float) -> float:
    if feasible(hi):
        return hi
    if not feasible(lo):
        return lo
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if feasible(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _largest(b: _Budget, s: _Search, tol: float) -> tuple[float, str]:
    """Largest feasible size (snapped down to a 1e-6 grid) and what binds it."""
    def ok(x: float) -> bool:
        return b.feasible(s.disc_for(x), s.mean_for(x, b))

    best = _bisect_max(ok, s.lo, s.hi, tol)
    snapped = np.floor(best * 1e6) / 1e6
    if ok(snapped):
        best = snapped
    eps = 2e-6  # above the snapping grid: one notch larger must break a constraint
    if best >= s.hi - eps:
        mean = s.mean_for(best, b)
        mean = b.band_mean(s.disc_for(best)) if mean is None else mean
        at_cap = mean[b.present] >= b.cap_k[b.present] - 1e-9
        return best, "floor" if at_cap.any() else "cap"
    bigger = s.disc_for(best + eps)
    if b.subsidy(bigger) > b.budget + 1e-6:
        return best, "budget"
    return best, "none" if b.floor_ok(bigger, s.mean_for(best + eps, b)) else "floor"


def _band_table(b: _Budget, lv, edges, t: PointsLoan, rec_disc, pooled_top, below) -> pd.DataFrame:
    cur, K, k = t.schedule, len(edges), b.k
    new_drawn = b.drawn_after(rec_disc)
    el_k = b.band_mean(t.lgd * lv["pd"].to_numpy())
    tab = _band_info(edges, t.band_width, pooled_top).drop(columns="points_high")
    tab["loans"] = b.n_k.astype(int)
    tab["drawn"] = np.bincount(k, weights=b.drawn, minlength=K)
    tab["pd"] = b.band_mean(lv["pd"].to_numpy())
    tab["justified_discount"] = b.band_mean(b.just)
    tab["max_floor_discount"] = np.where(below | ~b.present, np.nan, b.cap_k)
    tab["current_discount"] = b.band_mean(b.cur_disc)
    tab["current_rate"] = cur.base_rate - tab["current_discount"]
    tab["recommended_discount"] = b.band_mean(rec_disc)
    tab["recommended_rate"] = cur.base_rate - tab["recommended_discount"]
    tab["current_subsidy_amount"] = np.bincount(
        k, weights=b.subsidy_per_loan(b.cur_disc, b.drawn), minlength=K)
    tab["recommended_subsidy_amount"] = np.bincount(
        k, weights=b.subsidy_per_loan(rec_disc), minlength=K)
    tab["recommended_drawn"] = np.bincount(k, weights=new_drawn, minlength=K)
    req = t.funding_cost + t.operating_cost + el_k
    tab["covers_cost_current"] = tab["current_rate"] >= req - 1e-12
    tab["covers_cost_recommended"] = tab["recommended_rate"] >= req - 1e-12
    return tab.loc[b.present].reset_index(drop=True)


def _summary(b: _Budget, t: PointsLoan, rec: Schedule, rec_disc, binding, below) -> pd.DataFrame:
    def row(name, sched, disc, dr):
        sub = float(np.sum(b.subsidy_per_loan(disc, dr)))
        return {"schedule": name, "discount_per_100": sched.per_100(),
                "top_discount": float(np.max(disc)) if disc.size else 0.0,
                "interest_forgone": float(np.sum(dr * disc)), "subsidy_amount": sub,
                "budget": float(b.budget), "within_budget": sub <= b.budget + 1e-6,
                "within_floor": b.floor_ok(disc)}

    summ = pd.DataFrame([row("current", t.schedule, b.cur_disc, b.drawn),
                         row("recommended", rec, rec_disc, b.drawn_after(rec_disc))])
    summ["binding"] = ["", binding]
    summ["bands_below_cost_at_base"] = int(below.sum())
    return summ


def _bands_for(p: np.ndarray, t: PointsLoan, band_top: float | None):
    """(band edges, band of each loan, loans per band) of the loans' points ``p``."""
    edges = _band_edges(p, t.band_width, band_top)
    k = _band_of(p, edges)
    return edges, k, np.bincount(k, minlength=len(edges)).astype(float)


def _budget_for(lv: pd.DataFrame | Mapping[str, np.ndarray], t: PointsLoan, band_top, floor_at_base,
                bands=None):
    """(_Budget, band edges, bands below cost at the base rate) for the loans in ``lv`` (the
    loan-level table, or its columns ``points``, ``pd``, ``drawn``, ``justified`` and
    ``discount`` as arrays); ``bands``: :func:`_bands_for` of its points, when the caller made
    it."""
    if floor_at_base not in ("strict", "exclude"):
        raise CalibParamsError(f"floor_at_base must be 'strict' or 'exclude', got {floor_at_base!r}")
    edges, k, n_k = bands if bands is not None else _bands_for(np.asarray(lv["points"]), t, band_top)
    el_k = np.bincount(k, weights=t.lgd * np.asarray(lv["pd"]), minlength=len(edges))
    cap_k = t.schedule.base_rate - (t.funding_cost + t.operating_cost + el_k / np.maximum(n_k, 1))
    below = (n_k > 0) & (cap_k < 0)
    cap_k = np.where(below, 0.0 if floor_at_base == "strict" else np.inf, cap_k)
    b = _Budget(k=k, n_k=n_k, drawn=np.asarray(lv["drawn"]), just=np.asarray(lv["justified"]),
                cur_disc=np.asarray(lv["discount"]), cap_k=cap_k, budget=t.subsidy_budget,
                elasticity=t.uptake_elasticity)
    return b, edges, below


def recommend_schedule(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    current: Schedule | PointsLoan | dict | None = None,
    *,
    terms: PointsLoan | dict | None = None,
    lgd: float | None = None,
    funding_cost: float | None = None,
    operating_cost: float | None = None,
    subsidy_budget: float | None = None,
    uptake_elasticity: float | None = None,
    mode: Literal["step", "band"] | None = None,
    pd: PointsPD | str | Any | None = None,
    band_width: float | None = None,
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
        step size, rounding, ``max_discount`` and ``floor_rate`` are kept), or the whole
        ``points_loan`` block.
    terms : PointsLoan or dict, optional
        The ``points_loan`` block: LGD, costs, ``subsidy_budget``, ``uptake_elasticity`` and
        ``band_width`` come from it (an explicit keyword wins).
    lgd, funding_cost, operating_cost : float, optional
        As in :func:`evaluate_schedule` (required without ``terms``).
    subsidy_budget : float, optional
        Yuan per year the bank accepts to spend above the risk-justified discount
        (``points_loan.subsidy_budget``; required without ``terms``).
    uptake_elasticity : float, optional
        Relative change in drawn balance per percentage point of rate cut versus the current
        schedule (``points_loan.uptake_elasticity``; 0 = balances do not respond). A loan's
        balance becomes ``drawn x max(0, 1 + e x 100 x (new discount - current discount))``.
    mode : {"step", "band"}, optional
        Default: the current schedule's form (``band`` when it has ``bands``, else ``step``).
        ``step``: same form as ``current`` (discount per ``step_points``), the recommended
        ``step_discount`` is the largest one allowed. ``band``: a tiered schedule on bands of
        ``band_width`` points: each band gets its risk-justified discount (made non-decreasing
        by isotonic regression, weighted by loans) plus a flat policy add-on ``s`` for every
        band above the lowest, capped by the floor rule and kept monotone; ``s`` is the largest
        allowed (no band above zero: one band of no discount, still banded). When even ``s = 0`` exceeds the budget (loans within a band differ in risk, so
        a band's mean justified discount is more than some of its loans' own), every band is
        lowered by the same amount instead (``s < 0``).
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
    Subsidy = sum over loans of balance x (discount - the risk-justified part of it), the
    risk-justified part being clip(LGD x [PD(0) - PD(points)], 0, discount): the amount above
    the expected-loss saving (``methods.md`` §4: set the discount to ΔEL and show the rest as an
    explicit budgeted subsidy), the same definition as ``subsidy_amount`` of
    :func:`evaluate_schedule`, so it is part of the interest forgone and zero for a zero
    schedule. It grows with the schedule (per loan it is the discount minus a part that cannot
    exceed it). Floor rule: in every band the mean rate stays at or above
    funding + operating cost + expected loss (see ``floor_at_base`` for bands that fail it at
    the base rate). Both the subsidy and the floor are monotone in the schedule's size, so the
    largest feasible schedule is found by bisection.
    """
    t = resolve_terms(current, terms,
                      required=("lgd", "funding_cost", "operating_cost", "subsidy_budget"),
                      lgd=lgd, funding_cost=funding_cost, operating_cost=operating_cost,
                      subsidy_budget=subsidy_budget, uptake_elasticity=uptake_elasticity,
                      band_width=band_width)
    cur = t.schedule
    _, lv, _ = _loan_level(loans, points, t, pd_=pd, controls=controls, period=period,
                           missing_points=missing_points, cluster=cluster)
    b, edges, below, rec, rec_disc, binding = _recommended(lv, t, mode, band_top, floor_at_base, tol)
    table = _band_table(b, lv, edges, t, rec_disc, band_top is not None, below)
    return Recommendation(schedule=rec, current=cur, table=table,
                          summary=_summary(b, t, rec, rec_disc, binding, below))


def _floor_cap(cur: Schedule) -> float:
    """The largest discount the floor rate (else the base rate) leaves room for."""
    return (cur.base_rate - cur.floor_rate) if cur.floor_rate is not None else cur.base_rate


def _recommended(lv: pd.DataFrame | Mapping[str, np.ndarray], t: PointsLoan, mode: str | None, band_top,
                 floor_at_base, tol: float, step_search: _Search | None = None, bands=None):
    """The search of :func:`recommend_schedule` on a loan-level table (or its columns, as
    :func:`_budget_for` reads them): (budget, band edges, bands below cost at base,
    recommended schedule, its discount per loan, what binds).
    ``step_search``: the step-mode search of these loans' points, when the caller made it (and
    keeps its sizes' discounts, and their band means on ``bands``, across calls); ``bands``:
    :func:`_bands_for` of these loans' points with ``band_top``, when the caller made it."""
    cur = t.schedule
    mode = mode or schedule_form(cur)
    b, edges, below = _budget_for(lv, t, band_top, floor_at_base, bands)
    floor_cap = _floor_cap(cur)
    if mode == "step":
        search = step_search or _search_step(cur, np.asarray(lv["points"]), floor_cap)
    elif mode == "band":
        search = _search_bands(b, cur, edges, floor_cap)
    else:
        raise CalibParamsError(f"mode must be 'step' or 'band', got {mode!r}")
    best, binding = _largest(b, search, tol)
    return b, edges, below, search.schedule_for(best), search.disc_for(best), binding


#: The scenarios of :func:`sensitivity`: LGD 30%, 45% (the Basel foundation-IRB LGD of senior
#: unsecured claims) and 60%, and uptake elasticities 0 (none), 0.1 and 0.3 (drawn balance up by
#: that share per percentage point off the rate). Report 05 states both grids.
SENSITIVITY_LGD: tuple[float, ...] = (0.30, 0.45, 0.60)
SENSITIVITY_UPTAKE: tuple[float, ...] = (0.0, 0.1, 0.3)


def sensitivity(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    current: Schedule | PointsLoan | dict | None = None,
    *,
    terms: PointsLoan | dict | None = None,
    lgd_values: Sequence[float] = SENSITIVITY_LGD,
    uptake_values: Sequence[float] = SENSITIVITY_UPTAKE,
    funding_cost: float | None = None,
    operating_cost: float | None = None,
    subsidy_budget: float | None = None,
    mode: Literal["step", "band"] | None = None,
    pd: PointsPD | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    band_width: float | None = None,
    band_top: float | None = None,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
) -> pd.DataFrame:
    """How the recommendation moves with LGD and the uptake assumption.

    The PD model is fitted once (or ``pd`` is used) and :func:`recommend_schedule` is re-run for
    every pair (LGD, uptake elasticity) of ``lgd_values`` and ``uptake_values`` (default
    :data:`SENSITIVITY_LGD` and :data:`SENSITIVITY_UPTAKE`); the other terms come from ``terms``
    or the keywords.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``lgd``, ``uptake_elasticity``, ``discount_per_100`` (recommended,
        step mode; NaN in band mode), ``top_discount``, ``interest_forgone``, ``subsidy_amount``,
        ``within_budget``, ``within_floor``, ``binding``, and ``current_subsidy_amount`` (the
        current schedule's subsidy under that LGD).
    """
    t = resolve_terms(current, terms, required=("funding_cost", "operating_cost",
                                                "subsidy_budget"),
                      funding_cost=funding_cost, operating_cost=operating_cost,
                      subsidy_budget=subsidy_budget, band_width=band_width)
    frame = _prepared(loans, points, period, missing_points)
    model = pd if pd is not None else fit_points_pd(frame, None, controls=controls, cluster=cluster)
    keep = ["discount_per_100", "top_discount", "interest_forgone", "subsidy_amount",
            "within_budget", "within_floor", "binding"]
    rows = []
    for lgd in lgd_values:  # a handful of scenarios
        for e in uptake_values:
            rec = recommend_schedule(frame, None, terms=t, lgd=lgd, uptake_elasticity=e,
                                     mode=mode, pd=model, band_top=band_top, cluster=cluster)
            r = rec.summary.iloc[1]
            rows.append({"lgd": float(lgd), "uptake_elasticity": float(e),
                         **{c: r[c] for c in keep},
                         "current_subsidy_amount": rec.summary.iloc[0]["subsidy_amount"]})
    return _frame(rows)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)
