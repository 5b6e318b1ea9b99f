"""The scorecard: binning, WoE logit, points, grades, comparison, validation, out-of-sample
evidence.

Modules follow the data: :mod:`~calib.scorecard.features` (household characteristics for
scoring) -> :mod:`~calib.scorecard.binning` -> :mod:`~calib.scorecard.model` (the
:class:`Scorecard` estimator) with :mod:`~calib.scorecard.points` and
:mod:`~calib.scorecard.persist` -> :mod:`~calib.scorecard.grades` ->
:mod:`~calib.scorecard.crossval` (village-grouped out-of-fold predictions) ->
:mod:`~calib.scorecard.comparison` (current against calibrated, the keep-or-replace verdict) and
the validation tests :mod:`~calib.scorecard.discrimination`, :mod:`~calib.scorecard.calibration`,
:mod:`~calib.scorecard.stability`; plots in :mod:`~calib.scorecard.plots`.
"""
from typing import TYPE_CHECKING

from calib._lazy import lazy_exports

if TYPE_CHECKING:
    from calib.scorecard.binning import iv_reading
    from calib.scorecard.comparison import (ScorecardComparison, compare_out_of_fold,
                                            compare_scorecards, keep_or_replace)
    from calib.scorecard.crossval import CrossValidation, cross_validate
    from calib.scorecard.grades import (A_OR_BETTER, GRADES, GradeCutoffs, a_or_better,
                                        assign_grades, cutoffs_from_shares, grade_cutoffs,
                                        score_current)
    from calib.scorecard.model import Scorecard
    from calib.scorecard.points import scaling_constants

#: each public name and its module, imported on first use (calib._lazy): the grades a village
#: verdict reads (calib.scorecard.grades) cost that module, not the binning, the model and
#: scipy.stats
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "calib.scorecard.model": ["Scorecard"],
    "calib.scorecard.grades": ["score_current", "assign_grades", "grade_cutoffs", "GradeCutoffs",
                               "cutoffs_from_shares", "GRADES", "A_OR_BETTER", "a_or_better"],
    "calib.scorecard.comparison": ["compare_scorecards", "ScorecardComparison", "compare_out_of_fold",
                                   "keep_or_replace"],
    "calib.scorecard.points": ["scaling_constants"],
    "calib.scorecard.crossval": ["cross_validate", "CrossValidation"],
    "calib.scorecard.binning": ["iv_reading"],
})
