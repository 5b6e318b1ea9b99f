"""The layout keeps every public name where users import it from, with one error wording."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibInputError

NAMES = {
    "calib.consensus": ["consensus_limits", "reviewer_effects", "agreement", "krippendorff_alpha_ratio",
                        "consensus_shift", "status_counts", "flagged_reviewers", "METHODS",
                        "DECLINE_RULES", "review_components", "identifiability", "refresh_flags"],
    "calib.compare": ["compare_limits", "agreement_summary", "gap_drivers", "investigation_list",
                      "exposure_by_group", "compare_rules", "household_features", "GapDrivers",
                      "latest_runs", "deming_slope", "DEFAULT_POLICY", "REASONS", "passing_bablok"],
    "calib.plots_consensus": ["caterpillar", "agreement_by_group", "bland_altman",
                              "consensus_vs_model", "village_effects"],
    "calib.grouping": ["levels", "stack_levels"],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_public_names_importable(module):
    mod = importlib.import_module(module)
    for name in NAMES[module]:
        assert hasattr(mod, name), f"{module}.{name}"
        assert name in mod.__all__, f"{name} not in {module}.__all__"


def test_missing_columns_one_wording():
    from calib import compare, consensus

    with pytest.raises(CalibInputError, match=r"^reviews: missing column\(s\) proposed_limit, village$"):
        consensus.consensus_limits(pd.DataFrame({"household_id": ["h"], "reviewer_id": ["r"]}))
    with pytest.raises(CalibInputError, match=r"^comparison: missing column\(s\) gap_flag"):
        compare.investigation_list(pd.DataFrame({"exposure_gap": [1.0]}))


def test_to_grid_stays_on_grid_under_odd_cap():
    from calib._frames import to_grid

    out = to_grid(np.array([0.0, 1.0, 499.0, 1_234_567.0]), 1000, 500_500)
    assert out.tolist() == [0.0, 1000.0, 1000.0, 500_000.0]
