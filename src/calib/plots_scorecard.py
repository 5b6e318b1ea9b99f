"""Re-export of :mod:`calib.scorecard.plots`, kept so that ``from calib import plots_scorecard``
still works."""
from __future__ import annotations

from calib.scorecard.plots import (plot_auc_gain, plot_calibration, plot_grade_calibration,
                                   plot_iv, plot_roc, plot_woe)

__all__ = ["plot_woe", "plot_iv", "plot_roc", "plot_calibration", "plot_grade_calibration",
           "plot_auc_gain"]
