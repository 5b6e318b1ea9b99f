"""calib.features on a tiny hand-built programme, checked against direct pandas counts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib import features as F
from calib.errors import CalibInputError
from calib.programme import Programme


@pytest.fixture()
def tiny():
    roster = pd.DataFrame({
        "township": ["T1"] * 6, "village": ["V1", "V1", "V1", "V2", "V2", "V2"],
        "group": ["1"] * 6, "household_id": ["H1", "H1", "H2", "H3", "H4", "H5"],
        "relation_to_head": ["户主", "配偶", "户主", "户主", "户主", "户主"],
        "age": [50, 48, 33, 70, 41, 29], "land_mu": [2.0, 1.0, 0.5, np.nan, 3.0, 0.0],
        "forest_mu": [0.0] * 6})
    reviews = pd.DataFrame({
        "household_id": ["H1", "H1", "H2", "H2", "H2", "H3", "H4"],
        "reviewer_id": ["R1", "R2", "R1", "R2", "R3", "R4", "R4"],
        "business_rating": pd.array([4, 5, 2, 3, 3, 1, 5], dtype="Int64"),
        "integrity_rating": pd.array([5, 5, 3, 2, 4, 2, 4], dtype="Int64"),
        "annual_income": [40000.0, 60000.0, 10000.0, 20000.0, 30000.0, 0.0, 80000.0]})
    runs = pd.DataFrame({
        "household_id": ["H1", "H1", "H2", "H3", "H4"],
        "run_date": pd.to_datetime(["2024-09-30", "2025-09-30", "2025-09-30", "2025-09-30", "2024-09-30"]),
        "model_score": [610.0, 630.0, 580.0, 550.0, 640.0], "model_pd": [0.02, 0.01, 0.04, 0.08, 0.005],
        "model_limit": [1e4] * 5, "grade": ["AA", "AAA", "B", "B", "AAA"]})
    points = pd.DataFrame({"household_id": ["H1", "H2", "H1", "H2", "H3"],
                           "period": ["2024", "2024", "2025", "2025", "2025"],
                           "points": [100.0, 200.0, 150.0, 250.0, 50.0]})
    loans = pd.DataFrame({"household_id": ["H1", "H1", "H2", "H3"], "loan_id": ["L1", "L2", "L3", "L4"],
                          "drawn_amount": [1000.0, 500.0, 2000.0, 0.0],
                          "default": pd.array([0, 1, 0, 1], dtype="Int64")})
    return Programme(roster=roster, reviews=reviews, model_runs=runs, points=points, loans=loans)


def test_household_features_against_direct_counts(tiny):
    hh = F.household_features(tiny)
    assert list(hh.index) == ["H1", "H2", "H3", "H4", "H5"]
    # latest run: H1's 2025 run, H4's only (2024) run, H5 none
    assert hh.loc["H1", "model_score"] == 630.0 and hh.loc["H4", "model_score"] == 640.0
    assert np.isnan(hh.loc["H5", "model_score"]) and hh.loc["H2", "grade"] == "B"
    direct = tiny.reviews.groupby("household_id")[["business_rating", "integrity_rating"]].mean()
    np.testing.assert_allclose(hh.loc[direct.index, "business_rating"], direct["business_rating"].astype(float))
    np.testing.assert_allclose(hh.loc[direct.index, "integrity_rating"], direct["integrity_rating"].astype(float))
    # mean of the reviewers' log incomes (calib.households.panel_log_income)
    assert hh.loc["H1", "log_income"] == pytest.approx(np.log([40000.0, 60000.0]).mean())
    assert hh.loc["H2", "log_income"] == pytest.approx(np.log([10000.0, 20000.0, 30000.0]).mean())
    assert np.isnan(hh.loc["H3", "log_income"])  # the only income given is 0: not given
    # points: latest period 2025 by default, or the one asked for
    assert hh.attrs["points_period"] == "2025"
    assert hh.loc[["H1", "H2", "H3"], "points"].tolist() == [150.0, 250.0, 50.0]
    assert np.isnan(hh.loc["H4", "points"])
    assert F.household_features(tiny, period="2024").loc[["H1", "H2"], "points"].tolist() == [100.0, 200.0]
    # roster facts: head's age, summed land
    assert hh.loc["H1", "head_age"] == 50 and hh.loc["H1", "land_mu"] == 3.0
    assert hh["village"].tolist() == ["V1", "V1", "V2", "V2", "V2"]
    # outcomes: H3's loan has nothing drawn -> not a drawer, no outcome; H1 max over loans
    assert hh["drew"].tolist() == [True, True, False, False, False]
    assert hh.loc["H1", "default"] == 1.0 and hh.loc["H2", "default"] == 0.0
    assert hh.loc[["H3", "H4", "H5"], "default"].isna().all()
    assert int(hh["drew"].sum()) == tiny.loans.loc[tiny.loans["drawn_amount"] > 0, "household_id"].nunique()


def test_bad_period_and_missing_column(tiny):
    with pytest.raises(CalibInputError, match="period"):
        F.household_features(tiny, period="2023")
    bad = Programme(roster=tiny.roster, reviews=tiny.reviews.drop(columns="integrity_rating"),
                    model_runs=tiny.model_runs)
    with pytest.raises(CalibInputError, match="integrity_rating"):
        F.household_features(bad)


def test_selection_table_hand_values(tiny):
    hh = F.household_features(tiny)
    t = F.selection_table(hh, columns=["model_score", "business_rating"]).set_index("characteristic")
    assert t.loc["model_score", "mean_drew"] == pytest.approx((630 + 580) / 2)
    assert t.loc["model_score", "mean_other"] == pytest.approx((550 + 640) / 2)
    assert t.loc["model_score", "missing_other"] == pytest.approx(1 / 3)
    sd = np.sqrt(np.var([630, 580], ddof=1) / 2 + np.var([550, 640], ddof=1) / 2)
    assert t.loc["model_score", "std_diff"] == pytest.approx((605 - 595) / sd)


def test_stability_features_periods(tiny):
    st = F.stability_features(tiny)
    assert str(pd.Timestamp(st.previous_run).date()) == "2024-09-30"
    assert (st.previous_period, st.current_period) == ("2024", "2025")
    assert sorted(st.previous.index) == ["H1", "H4"] and sorted(st.current.index) == ["H1", "H2", "H3"]
    assert st.previous.loc["H1", "model_score"] == 610.0 and st.current.loc["H1", "model_score"] == 630.0
    assert st.previous.loc["H1", "points"] == 100.0 and st.current.loc["H1", "points"] == 150.0
    # panel ratings are from one round: the same in both frames
    assert st.previous.loc["H1", "business_rating"] == st.current.loc["H1", "business_rating"]
    with pytest.raises(CalibInputError, match="run_dates"):
        F.stability_features(tiny, run_dates=("2023-01-01", "2025-09-30"))
    # the household features computed once (as report 04 does) give the same frames
    hf = F.household_features(tiny)
    again = F.stability_features(tiny, features=hf)
    pd.testing.assert_frame_equal(again.previous, st.previous)
    pd.testing.assert_frame_equal(again.current, st.current)
    with pytest.raises(CalibInputError, match="unfiltered"):
        F.stability_features(tiny, features=hf.iloc[1:])
