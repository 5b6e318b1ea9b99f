"""calib.households: the one definition of household characteristics."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibInputError
from calib.households import (HOUSEHOLD_COLUMNS, household_frame, latest_model_runs,
                              latest_period, panel_log_income, period_bounds, sort_periods)
from calib.programme import Programme


@pytest.fixture()
def tiny():
    roster = pd.DataFrame({
        "township": ["T1"] * 5, "village": ["V1", "V1", "V1", "V2", "V2"], "group": ["1"] * 5,
        "household_id": ["H1", "H1", "H2", "H3", "H4"],
        "relation_to_head": ["户主", "配偶", "户主", "户主", "户主"],
        "age": [50, 48, 33, 70, 41], "land_mu": [2.0, 1.0, 0.5, np.nan, 3.0], "forest_mu": [0.0] * 5})
    reviews = pd.DataFrame({
        "household_id": ["H1", "H1", "H2", "H2"], "reviewer_id": ["R1", "R2", "R1", "R2"],
        "business_rating": [4, 5, 2, 3], "integrity_rating": [5, 5, 3, 2],
        "annual_income": [40000.0, 90000.0, np.nan, 20000.0]})
    runs = pd.DataFrame({
        "household_id": ["H1", "H1", "H2", "H3"],
        "run_date": pd.to_datetime(["2024-09-30", "2025-09-30", "2027-01-31", "2025-09-30"]),
        "model_score": [610.0, 630.0, 580.0, 550.0], "model_pd": [0.02, 0.01, 0.04, 0.08],
        "model_limit": [1e4, 2e4, 3e4, 4e4], "grade": ["AA", "AAA", "B", "B"]})
    points = pd.DataFrame({"household_id": ["H1", "H1", "H1", "H2"],
                           "period": ["2025H1", "2025", "2025-06", "2025"],
                           "points": [100.0, 300.0, 50.0, 200.0]})
    loans = pd.DataFrame({"household_id": ["H1", "H2"], "loan_id": ["L1", "L2"],
                          "drawn_amount": [1000.0, 0.0], "default": [1, 0]})
    return Programme(roster=roster, reviews=reviews, model_runs=runs, points=points, loans=loans,
                     as_of=pd.Timestamp("2026-06-30"))


def test_household_frame_by_hand(tiny):
    f = household_frame(tiny)
    assert tuple(f.columns) == HOUSEHOLD_COLUMNS and list(f.index) == ["H1", "H2", "H3", "H4"]
    assert f.loc["H1", "n_reviews"] == 2 and f.loc["H4", "n_reviews"] == 0
    assert f.loc["H1", "log_income"] == pytest.approx((np.log(40000) + np.log(90000)) / 2)
    assert f.loc["H2", "n_income"] == 1 and f.loc["H2", "log_income"] == pytest.approx(np.log(20000))
    # H2's only run is dated after as_of: not known at the evaluation date
    assert f.loc["H1", "model_limit"] == 2e4 and np.isnan(f.loc["H2", "model_score"])
    # "2025" ends last in the calendar; as text "2025H1" would sort last
    assert f.attrs["points_period"] == "2025" and f.loc["H1", "points"] == 300.0
    assert f["drew"].tolist() == [True, False, False, False]
    assert f.loc["H1", "default"] == 1.0 and f[["default"]].iloc[1:].isna().all().all()
    assert f.loc["H1", "head_age"] == 50 and f.loc["H1", "land_mu"] == 3.0


def test_periods_sort_by_calendar_not_text():
    assert sorted(["2025", "2025-06", "2025H1"]) == ["2025", "2025-06", "2025H1"]  # text: wrong
    assert sort_periods(["2025H1", "2025", "2025-06", "2024Q4", "2025H1"]) == \
        ["2024Q4", "2025H1", "2025-06", "2025"]  # ties on the last day: the later start last
    assert latest_period(["2024", "2025Q1", "2024H2"]) == "2025Q1"
    assert latest_period([]) is None
    assert period_bounds("2025年6月") == (pd.Timestamp(2025, 6, 1), pd.Timestamp(2025, 6, 30))
    with pytest.raises(CalibInputError, match="period"):
        period_bounds("spring")


def test_latest_model_runs_as_of(tiny):
    last = latest_model_runs(tiny.model_runs)
    assert last.loc["H2", "model_score"] == 580.0
    assert "H2" not in latest_model_runs(tiny.model_runs, as_of="2026-06-30").index


def test_mean_of_logs_is_unbiased_for_log_income_under_multiplicative_errors():
    """Known truth: reviewers estimate income x exp(e), e ~ N(0, 0.6^2), three per household.
    The mean of the logs is unbiased for ln(income); the log of the mean is biased upwards by
    about sigma^2 / 2 (1 - 1/k) = 0.12 (the definition features.py used before)."""
    rng = np.random.default_rng(1)
    n, k, sigma = 20_000, 3, 0.6
    true_log = rng.normal(np.log(40_000), 0.7, n)
    est = np.exp(true_log[:, None] + rng.normal(0, sigma, (n, k)))
    reviews = pd.DataFrame({"household_id": np.repeat(np.arange(n).astype(str), k),
                            "annual_income": est.ravel()})
    got = panel_log_income(reviews).loc[np.arange(n).astype(str), "log_income"].to_numpy()
    bias_ours = float(np.mean(got - true_log))
    bias_log_of_mean = float(np.mean(np.log(est.mean(axis=1)) - true_log))
    assert abs(bias_ours) < 0.01
    assert bias_log_of_mean == pytest.approx(sigma**2 / 2 * (1 - 1 / k), abs=0.02)
    # and it is the more accurate estimate of each household's log income
    assert np.mean((got - true_log) ** 2) < np.mean((np.log(est.mean(axis=1)) - true_log) ** 2)


def test_a_period_not_in_the_points_is_named():
    """An explicit period the points table does not hold is an error naming the periods (the
    check reads the column in one comparison: a Python set of a province's periods cost 3 s)."""
    from calib.households import period_points
    from calib.pricing.points import attach_points

    pts = pd.DataFrame({"household_id": pd.array(["H1", "H2", "H1"], dtype="string[pyarrow]"),
                        "period": pd.array(["2024", "2024", "2025"], dtype="string[pyarrow]"),
                        "points": [10, 20, 30]})
    idx = pd.Index(["H1", "H2"], name="household_id")
    assert period_points(pts, "2025", idx)[0].tolist()[0] == 30
    with pytest.raises(CalibInputError, match="'2023' not among the points periods"):
        period_points(pts, "2023", idx)
    loans = pd.DataFrame({"household_id": ["H1", "H2"]})
    assert attach_points(loans, pts, period="2024")["points"].tolist() == [10.0, 20.0]
    with pytest.raises(CalibInputError, match="period '2023' not found; periods are 2024, 2025"):
        attach_points(loans, pts, period="2023")


def test_household_frame_equals_group_bys_on_the_household_numbers():
    """household_frame aligns every table on the roster's households by integer positions
    (calib._frames.positions); each figure is the one a group-by on the household numbers
    gives, exactly: panel means, log income, points, outcomes and the latest model run, on a
    generated programme with reviews, runs, points and loans of households not in the roster,
    repeated run dates and blank ratings."""
    import tempfile
    from pathlib import Path

    from calib import synth
    from calib.io import load_programme

    rng = np.random.default_rng(4)
    with tempfile.TemporaryDirectory() as d:
        synth.write(synth.generate(seed=4, villages=3, households_per_village=40, dirty=False), Path(d))
        prog = load_programme(d, as_of="2026-06-30")
    rv = prog.reviews.copy()
    rv.loc[rng.random(len(rv)) < 0.1, "business_rating"] = np.nan
    stray = rv.iloc[:5].assign(household_id="NOT-IN-ROSTER")  # no roster household: left out
    prog.reviews = pd.concat([rv, stray], ignore_index=True)
    mr = prog.model_runs.copy()
    tied = latest_model_runs(mr, as_of="2026-06-30").reset_index().iloc[:7][list(mr.columns)]
    prog.model_runs = pd.concat([mr, tied.assign(model_score=1.0)], ignore_index=True)  # the same date again
    f = household_frame(prog)

    idx = f.index
    ratings = ["business_rating", "integrity_rating"]
    rv = prog.reviews.assign(household_id=prog.reviews["household_id"].astype(str),
                             **{c: pd.to_numeric(prog.reviews[c]).astype(float) for c in ratings})
    g = rv.groupby("household_id")
    np.testing.assert_array_equal(f[ratings].to_numpy(), g[ratings].mean().reindex(idx).to_numpy(dtype=float))
    assert (f["n_reviews"] == g.size().reindex(idx).fillna(0).astype(int)).all()
    inc = panel_log_income(prog.reviews).reindex(idx)
    np.testing.assert_array_equal(f["log_income"].to_numpy(), inc["log_income"].to_numpy())
    last = latest_model_runs(prog.model_runs, as_of="2026-06-30").reindex(idx)
    for c in ("model_score", "model_pd", "model_limit"):
        np.testing.assert_array_equal(f[c].to_numpy(), pd.to_numeric(last[c]).to_numpy(dtype=float))
    assert (f["model_score"] == 1.0).sum() == 7  # a tie on the date: the last row won
    pts = prog.points.loc[prog.points["period"].astype(str) == f.attrs["points_period"]]
    np.testing.assert_array_equal(
        f["points"].to_numpy(),
        pd.to_numeric(pts["points"]).groupby(pts["household_id"].astype(str)).sum(min_count=1)
        .reindex(idx).to_numpy(dtype=float))
    drawn = prog.loans.loc[pd.to_numeric(prog.loans["drawn_amount"]) > 0]
    dflt = pd.to_numeric(drawn["default"]).astype(float).groupby(drawn["household_id"].astype(str)).max()
    np.testing.assert_array_equal(f["default"].to_numpy(), dflt.reindex(idx).to_numpy(dtype=float))
    assert (f["drew"].to_numpy() == idx.isin(dflt.index)).all() and f["drew"].any()
