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
from __future__ import annotations

from calib.scorecard.binning import iv_reading
from calib.scorecard.comparison import (ScorecardComparison, compare_out_of_fold,
                                        compare_scorecards, keep_or_replace)
from calib.scorecard.crossval import CrossValidation, cross_validate
from calib.scorecard.grades import (A_OR_BETTER, GRADES, GradeCutoffs, a_or_better,
                                    assign_grades, cutoffs_from_shares, grade_cutoffs,
                                    score_current)
from calib.scorecard.model import Scorecard
from calib.scorecard.points import scaling_constants

__all__ = [
    "Scorecard",
    "score_current",
    "assign_grades",
    "grade_cutoffs",
    "GradeCutoffs",
    "compare_scorecards",
    "ScorecardComparison",
    "scaling_constants",
    "cross_validate",
    "CrossValidation",
    "cutoffs_from_shares",
    "iv_reading",
    "GRADES",
    "A_OR_BETTER",
    "a_or_better",
    "compare_out_of_fold",
    "keep_or_replace",
]
