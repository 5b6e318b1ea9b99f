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
from typing import TYPE_CHECKING

from calib._lazy import lazy_exports

if TYPE_CHECKING:
    from calib._stats import jeffreys_interval
    from calib.pricing.calibration import calibrate_points_discount, policy_verdict
    from calib.pricing.conclusions import MIN_RATES_REPRODUCED, Finding, base_rate_finding, conclusions, recommendation_interval
    from calib.pricing.evaluation import REASONS, default_rate_by_band, evaluate_schedule
    from calib.pricing.inflation import Z_THRESHOLD, points_inflation
    from calib.pricing.pd_model import PointsPD, fit_points_pd
    from calib.pricing.plots import MIN_AXIS_LOANS, plot_default_rate_by_band, plot_discount_interval, plot_points_by_village
    from calib.pricing.points import DEFAULT_CONTROLS, attach_points, household_controls, loan_frame, match_pricing_period, period_bounds
    from calib.pricing.recommend import Recommendation, recommend_schedule, schedule_form, sensitivity
    from calib.pricing.schedule import Band, PointsLoan, Schedule, discount_for_points, load_points_loan, load_schedule, rate_for_points, resolve_terms

#: each public name and its module, imported on first use (calib._lazy): reading the
#: points_loan block of a parameter file imports calib.pricing.schedule only
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    'calib._stats': ['jeffreys_interval'],
    'calib.pricing.calibration': ['calibrate_points_discount', 'policy_verdict'],
    'calib.pricing.conclusions': ['MIN_RATES_REPRODUCED', 'Finding', 'base_rate_finding', 'conclusions', 'recommendation_interval'],
    'calib.pricing.evaluation': ['REASONS', 'default_rate_by_band', 'evaluate_schedule'],
    'calib.pricing.inflation': ['Z_THRESHOLD', 'points_inflation'],
    'calib.pricing.pd_model': ['PointsPD', 'fit_points_pd'],
    'calib.pricing.plots': ['MIN_AXIS_LOANS', 'plot_default_rate_by_band', 'plot_discount_interval', 'plot_points_by_village'],
    'calib.pricing.points': ['DEFAULT_CONTROLS', 'attach_points', 'household_controls', 'loan_frame', 'match_pricing_period', 'period_bounds'],
    'calib.pricing.recommend': ['Recommendation', 'recommend_schedule', 'schedule_form', 'sensitivity'],
    'calib.pricing.schedule': ['Band', 'PointsLoan', 'Schedule', 'discount_for_points', 'load_points_loan', 'load_schedule', 'rate_for_points', 'resolve_terms'],
})
