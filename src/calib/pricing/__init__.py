"""Points-loan (积分贷) pricing: apply, evaluate and calibrate the points discount schedule.

Villages score households' civic behaviour as points; the points loan lowers the interest rate by
a schedule (seed 004: from 5%, 0.1 percentage point off per 100 points, in proportion, so 583
points give 4.417%). This subpackage answers three questions:

1. what rate a household gets (:class:`Schedule`, :func:`rate_for_points`);
2. what the schedule costs and whether points predict lower risk (:func:`evaluate_schedule`,
   :func:`default_rate_by_band`, :func:`points_inflation`);
3. what discount the risk would justify, and which schedule fits a subsidy budget
   (:func:`calibrate_points_discount`, :func:`recommend_schedule`, :func:`sensitivity`).

Modules, in the order the data flow through them: ``schedule`` (the ``points_loan`` parameter
block: :class:`Schedule`, :class:`Band`, :class:`PointsLoan`), ``points`` (which period's points
price a loan, the loan frame), ``pd_model`` (the logistic PD model; its statistics are the
package's shared ``calib._stats``), ``bands`` and ``evaluation`` (cost per points band),
``conclusions`` (the report's decisions as rows), ``calibration`` (the risk-justified discount
and its village bootstrap), ``recommend`` (the largest schedule within budget and floor),
``inflation`` (point inflation by village), ``plots`` (drawing only).

Notebook use is one line per question, e.g.::

    terms = pricing.load_points_loan(P.block("points_loan"))
    cal = pricing.calibrate_points_discount(lf, None, terms=terms, controls=pricing.DEFAULT_CONTROLS)
    table = pricing.evaluate_schedule(lf, None, terms, pd=cal.attrs["model"])
"""
from calib._stats import jeffreys_interval
from calib.pricing.calibration import calibrate_points_discount, policy_verdict
from calib.pricing.conclusions import (
    Finding,
    base_rate_finding,
    conclusions,
    recommendation_interval,
)
from calib.pricing.evaluation import REASONS, default_rate_by_band, evaluate_schedule
from calib.pricing.inflation import points_inflation
from calib.pricing.pd_model import PointsPD, fit_points_pd
from calib.pricing.plots import (
    plot_default_rate_by_band,
    plot_discount_interval,
    plot_points_by_village,
)
from calib.pricing.points import (
    DEFAULT_CONTROLS,
    attach_points,
    household_controls,
    loan_frame,
    match_pricing_period,
    period_bounds,
)
from calib.pricing.recommend import Recommendation, recommend_schedule, sensitivity
from calib.pricing.schedule import (
    Band,
    PointsLoan,
    Schedule,
    discount_for_points,
    load_points_loan,
    load_schedule,
    rate_for_points,
    resolve_terms,
)

__all__ = [
    "Band",
    "Schedule",
    "PointsLoan",
    "load_schedule",
    "load_points_loan",
    "resolve_terms",
    "discount_for_points",
    "rate_for_points",
    "period_bounds",
    "attach_points",
    "DEFAULT_CONTROLS",
    "match_pricing_period",
    "household_controls",
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
    "REASONS",
    "Finding",
    "base_rate_finding",
    "recommendation_interval",
    "conclusions",
]
