"""calib.households.household_frame(columns=...): a subset of the full frame, computed alone."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibInputError
from calib.households import HOUSEHOLD_COLUMNS, household_frame
from calib.programme import Programme


@pytest.fixture()
def prog():
    roster = pd.DataFrame({
        "township": ["T1"] * 4, "village": ["V1", "V1", "V2", "V2"], "group": ["1"] * 4,
        "household_id": ["H1", "H1", "H2", "H3"], "relation_to_head": ["户主", "配偶", "户主", "户主"],
        "age": [50, 48, 33, 70], "land_mu": [2.0, 1.0, 0.5, np.nan], "forest_mu": [0.0] * 4})
    reviews = pd.DataFrame({"household_id": ["H1", "H2"], "business_rating": [4, 2],
                            "integrity_rating": [5, 3], "annual_income": [40000.0, 20000.0]})
    runs = pd.DataFrame({"household_id": ["H1", "H3"],
                         "run_date": pd.to_datetime(["2025-09-30", "2025-09-30"]),
                         "model_score": [630.0, 550.0], "model_pd": [0.01, 0.08],
                         "model_limit": [2e4, 4e4], "grade": ["AAA", "B"]})
    points = pd.DataFrame({"household_id": ["H1", "H2"], "period": ["2025", "2025"], "points": [300.0, 200.0]})
    loans = pd.DataFrame({"household_id": ["H1", "H2"], "drawn_amount": [1000.0, 0.0], "default": [1, 0]})
    return Programme(roster=roster, reviews=reviews, model_runs=runs, points=points, loans=loans,
                     as_of=pd.Timestamp("2026-06-30"))


@pytest.mark.parametrize("cols", [["grade", "n_members", "model_pd"], ["points", "village"], ["default"],
                                  list(HOUSEHOLD_COLUMNS)])
def test_columns_are_the_full_frames(prog, cols):
    full = household_frame(prog)
    pd.testing.assert_frame_equal(household_frame(prog, columns=cols), full[cols], check_exact=True)


def test_unknown_column_and_tables_still_checked(prog):
    with pytest.raises(ValueError, match="nope"):
        household_frame(prog, columns=["nope"])
    prog.loans = prog.loans.drop(columns="default")  # not computed, still a missing column
    with pytest.raises(CalibInputError, match="loans"):
        household_frame(prog, columns=["grade"])
