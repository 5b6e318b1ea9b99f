"""Re-export of :mod:`calib.scorecard.features` (household characteristics for scoring), kept so
that ``from calib import features`` and ``calib.features.household_features`` still work."""
from __future__ import annotations

from calib.scorecard.features import (CHARACTERISTICS, EXPECTED_TRENDS, StabilitySamples,
                                      household_features, selection_table, stability_features)

__all__ = ["household_features", "selection_table", "stability_features", "StabilitySamples",
           "CHARACTERISTICS", "EXPECTED_TRENDS"]
