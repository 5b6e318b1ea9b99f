"""Re-export of the scorecard's validation tests, kept so that ``calib.validation.psi`` etc.
still import: discrimination (:mod:`calib.scorecard.discrimination`), calibration
(:mod:`calib.scorecard.calibration`) and stability (:mod:`calib.scorecard.stability`)."""
from __future__ import annotations

from calib.scorecard.calibration import (calibration_by_grade, hosmer_lemeshow, spiegelhalter,
                                         traffic_light)
from calib.scorecard.discrimination import delong_auc_cov, delong_roc_test, discrimination
from calib.scorecard.stability import PSI_MODERATE, PSI_SIGNIFICANT, csi, psi, psi_reading

__all__ = [
    "delong_auc_cov",
    "delong_roc_test",
    "discrimination",
    "calibration_by_grade",
    "hosmer_lemeshow",
    "spiegelhalter",
    "psi",
    "csi",
    "psi_reading",
    "traffic_light",
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
]
