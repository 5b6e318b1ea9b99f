"""What a schedule costs and whether points predict lower risk, per points band."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.pricing._checks import _default_array
from calib._stats import jeffreys_interval
from calib.pricing.bands import _grouping, _loan_level
from calib.pricing.pd_model import PointsPD, _prepared
from calib.pricing.schedule import PointsLoan, Schedule, resolve_terms

__all__ = ["evaluate_schedule", "default_rate_by_band", "REASONS"]

_SPEC = dict(
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
    subsidy=("_sub_rate", "mean"),
    subsidy_amount=("_sub", "sum"),
    risk_justified_amount=("_paid", "sum"),
    interest_forgone=("_forgone", "sum"),
    cost_above_risk_price=("_net", "sum"),
)

_COLUMNS = [
    "band", "points_low", "points_high", "households", "loans", "drawn", "mean_points",
    "mean_discount", "mean_rate", "defaults", "default_rate", "default_ci_low", "default_ci_high",
    "pd", "pd_ref", "expected_loss_rate", "expected_loss", "justified_discount",
    "justified_reason", "subsidy", "interest_forgone", "risk_justified_amount", "subsidy_amount",
    "cost_above_risk_price", "required_rate", "rate_margin", "covers_cost", "below_cost_at_base",
]

#: What a ``justified_reason`` code in :func:`evaluate_schedule` means.
REASONS: dict[str, str] = {
    "none": "the risk-justified discount is not negative: nothing to explain",
    "pd_rises_with_points": (
        "negative: in the fitted PD model the default risk rises with points (points "
        "coefficient above 0, its interval excluding 0), so these loans carry more expected "
        "loss than at 0 points; risk would call for a surcharge and none of the discount is "
        "risk-justified"),
    "pd_rises_with_points_not_significant": (
        "negative: the fitted points coefficient is above 0 but its interval includes 0; the "
        "negative figure is within noise and reads as no risk-justified discount; none of the "
        "discount is counted as risk-justified"),
    "band_pd_above_reference": (
        "negative: the band's given PD is above the mean PD of the lowest band (the 0-point "
        "reference); none of the discount is risk-justified"),
}


def _per_band_and_total(lv: pd.DataFrame, key: np.ndarray, info: pd.DataFrame,
                        spec: dict) -> pd.DataFrame:
    """``spec`` aggregated per band (rows of ``info``), then one ``total`` row."""
    per = lv.assign(_k=key).groupby("_k", sort=True).agg(**spec)
    per = info.iloc[per.index.to_numpy()].reset_index(drop=True).join(per.reset_index(drop=True))
    tot = pd.DataFrame({k: [len(lv) if f == "size" else getattr(lv[c], f)()]
                        for k, (c, f) in spec.items()})
    tot.insert(0, "band", "total")
    tot.insert(1, "points_low", info["points_low"].min() if len(info) else np.nan)
    tot.insert(2, "points_high", np.inf if info["points_low"].notna().any() else np.nan)
    out = pd.concat([per, tot], ignore_index=True)
    out["households"] = out["households"].astype(int)
    out["loans"] = out["loans"].astype(int)
    return out


def _add_default_rates(out: pd.DataFrame, alpha: float) -> pd.DataFrame:
    out["defaults"] = out["defaults"].astype(int)
    out["default_rate"] = out["defaults"] / out["loans"]
    out["default_ci_low"], out["default_ci_high"] = jeffreys_interval(
        out["defaults"], out["loans"], alpha=alpha
    )
    return out


def _justified_reason(out: pd.DataFrame, model: PointsPD | None) -> np.ndarray:
    """Reason code (see :data:`REASONS`) for every band's risk-justified discount."""
    if model is None:
        code = "band_pd_above_reference"
    else:
        c = model.coefficients.loc["points_per_step"]
        code = ("pd_rises_with_points" if c["ci_low"] > 0
                else "pd_rises_with_points_not_significant")
    return np.where(out["justified_discount"] < -1e-15, code, "none")


def _aggregate(lv: pd.DataFrame, key: np.ndarray, info: pd.DataFrame, terms: PointsLoan,
               alpha: float, model: PointsPD | None = None) -> pd.DataFrame:
    paid = np.clip(lv["justified"], 0.0, lv["discount"])  # the part of the discount risk pays
    lv = lv.assign(
        _forgone=lv["drawn"] * lv["discount"],
        _el=lv["drawn"] * lv["pd"] * terms.lgd,
        _paid=lv["drawn"] * paid,
        _sub=lv["drawn"] * (lv["discount"] - paid),
        _sub_rate=lv["discount"] - paid,
        _net=lv["drawn"] * (lv["discount"] - lv["justified"]),
    )
    has_def = "default" in lv.columns
    spec = {**_SPEC, **({"defaults": ("default", "sum")} if has_def else {})}
    out = _per_band_and_total(lv, key, info, spec)
    if has_def:
        out = _add_default_rates(out, alpha)
    out["expected_loss_rate"] = terms.lgd * out["pd"]
    out["justified_reason"] = _justified_reason(out, model)
    out["required_rate"] = terms.funding_cost + terms.operating_cost + out["expected_loss_rate"]
    out["rate_margin"] = out["mean_rate"] - out["required_rate"]
    out["covers_cost"] = out["rate_margin"] >= -1e-12
    out["below_cost_at_base"] = terms.schedule.base_rate < out["required_rate"] - 1e-12
    out = out[[c for c in _COLUMNS if c in out.columns]]
    out.attrs["all_bands_cover"] = bool(out["covers_cost"].iloc[:-1].all())
    out.attrs["base_rate"] = terms.schedule.base_rate
    return out


def evaluate_schedule(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    schedule: Schedule | PointsLoan | dict | None = None,
    *,
    terms: PointsLoan | dict | None = None,
    lgd: float | None = None,
    funding_cost: float | None = None,
    operating_cost: float | None = None,
    pd: PointsPD | str | Any | None = None,
    by: str = "points_band",
    band_width: float | None = None,
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
    schedule : Schedule, dict or PointsLoan
        The schedule to evaluate, or the whole ``points_loan`` block (then ``terms`` is not
        needed).
    terms : PointsLoan or dict, optional
        The ``points_loan`` block (``P.points_loan``): LGD, costs and ``band_width`` come from
        it; its schedule is used when ``schedule`` is None.
    lgd, funding_cost, operating_cost : float, optional
        Loss given default; annual funding and operating cost as fractions of balance.
        Required without ``terms``; when given they override the block's values.
    pd : None, PointsPD, str or array-like
        Modelled PD per loan. ``None``: fit :func:`fit_points_pd` (points + ``controls``) on
        these loans; a :class:`PointsPD` (e.g. ``calibrate_points_discount(...).attrs["model"]``)
        is used as is. With a model the reference PD of each loan is the model's PD at 0 points,
        its other characteristics unchanged. A column name or an array gives PDs directly; the
        reference PD is then the mean PD of the lowest band (points below ``band_width``).
    by : str
        ``points_band`` (bands of ``band_width`` points), ``schedule_band`` (the schedule's own
        steps or bands) or any column of ``loans`` (e.g. ``village``).
    band_width : float, optional
        Points per band (``points_loan.band_width``; 100 by default).
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
        - ``justified_discount`` = LGD x (``pd_ref`` - ``pd``), the risk-justified discount
          (negative where the modelled risk is above the 0-point reference);
          ``justified_reason``: why it is negative, a code of :data:`REASONS` (``none`` when
          it is not);
        - ``interest_forgone`` (yuan/year: sum of drawn x discount), split into
          ``risk_justified_amount`` (sum of drawn x the risk-justified part of each loan's
          discount, clip(justified, 0, discount)) and ``subsidy_amount`` (sum of drawn x the
          rest): ``interest_forgone = risk_justified_amount + subsidy_amount`` and
          ``0 <= subsidy_amount <= interest_forgone``; ``subsidy`` is the same per loan as a
          fraction (mean over loans);
        - ``cost_above_risk_price`` (yuan/year: sum of drawn x (discount - justified), the
          cost against a fully risk-based price; it exceeds ``interest_forgone`` where the risk
          would call for a surcharge, i.e. negative justified discounts, and is below
          ``subsidy_amount`` where risk justifies more than the discount);
        - ``required_rate`` = funding + operating + ``expected_loss_rate``, ``rate_margin`` =
          ``mean_rate`` - ``required_rate``, ``covers_cost`` (bool: the floor rule),
          ``below_cost_at_base`` (bool: even the base rate is below ``required_rate``; see
          :func:`base_rate_finding`).

        ``attrs["all_bands_cover"]`` is True when every band (not the total) covers its cost;
        ``attrs["base_rate"]`` is the schedule's base rate.

    Notes
    -----
    Pricing build-up: rate >= funding (FTP) + operating cost + expected loss (PD x LGD), the
    capital charge being the same in every band under flat standardised risk weights, so it
    cancels out of discounts [1]_. The risk-justified discount of a band is the expected loss it
    saves against the reference (0 points, the point at which the schedule gives no discount):
    LGD x [PD(reference) - PD(band)] (research note ``methods.md`` §4). Means are over loans
    (each loan counts once); money columns are sums over loans of drawn balance x rate, i.e.
    annual amounts on the balance drawn. The subsidy is the part of the interest forgone that
    lower risk does not pay for, loan by loan; a loan whose risk justifies no discount (a
    negative justified discount) has all of its discount counted as subsidy, not more (the extra
    expected loss of such loans is not a cost of the discount: it is in
    ``cost_above_risk_price``). The default-rate interval is the Jeffreys interval
    (ECB validation instructions, 2019; Brown, Cai & DasGupta 2001).

    References
    ----------
    .. [1] Bluhm, C., Overbeck, L., Wagner, C. (2010). *Introduction to Credit Risk Modeling*,
       2nd ed., ch. 1 (expected loss and pricing). Chapman & Hall/CRC.
    """
    t = resolve_terms(schedule, terms, required=("lgd", "funding_cost", "operating_cost"),
                      lgd=lgd, funding_cost=funding_cost, operating_cost=operating_cost,
                      band_width=band_width)
    frame, lv, model = _loan_level(loans, points, t, pd_=pd, controls=controls, period=period,
                                   missing_points=missing_points, cluster=cluster)
    key, info = _grouping(frame, t.schedule, by, t.band_width, band_top)
    return _aggregate(lv, key, info, t, alpha, model)


def default_rate_by_band(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    terms: PointsLoan | dict | None = None,
    band_width: float | None = None,
    band_top: float | None = None,
    by: str = "points_band",
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Observed default rate per points band with Jeffreys intervals (no model needed).

    ``band_width`` comes from the keyword, else from ``terms`` (the ``points_loan`` block),
    else 100 points.

    Returns
    -------
    pandas.DataFrame
        One row per band then ``total``: ``band``, ``points_low``, ``points_high``,
        ``households``, ``loans``, ``mean_points``, ``defaults``, ``default_rate``,
        ``default_ci_low``, ``default_ci_high`` (see :func:`jeffreys_interval`).
    """
    frame = _prepared(loans, points, period, missing_points)
    lv = pd.DataFrame({"household_id": frame["household_id"].to_numpy(),
                       "points": frame["points"].to_numpy(dtype=float),
                       "default": _default_array(frame)})
    width = resolve_terms(Schedule(), terms, band_width=band_width).band_width
    key, info = _grouping(frame, Schedule(), by, width, band_top)
    spec = {k: _SPEC[k] for k in ("households", "loans", "mean_points")}
    out = _per_band_and_total(lv, key, info, {**spec, "defaults": ("default", "sum")})
    return _add_default_rates(out, alpha)
