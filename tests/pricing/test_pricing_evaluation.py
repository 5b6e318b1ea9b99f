"""calib.pricing.evaluation: cost per points band, against hand computation and simulation."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from calib import pricing as P

from _sim_pricing import REF, hand_frame, simulate_points_programme


# --------------------------------------------------------------------------- evaluation
def test_jeffreys_interval_matches_statsmodels_and_boundaries():
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = P.jeffreys_interval([3, 7, 0, 10], [10, 50, 10, 10])
    slo, shi = proportion_confint([3, 7], [10, 50], method="jeffreys")
    np.testing.assert_allclose(lo[:2], slo, rtol=1e-10)
    np.testing.assert_allclose(hi[:2], shi, rtol=1e-10)
    assert lo[2] == 0.0 and hi[3] == 1.0
    assert hi[2] == pytest.approx(stats.beta.ppf(0.975, 0.5, 10.5))


def test_evaluate_schedule_against_hand_computation():
    loans, points = hand_frame()
    t = P.evaluate_schedule(
        loans, points, REF, lgd=0.5, funding_cost=0.022, operating_cost=0.012, pd="pd_given"
    )
    assert t["band"].tolist() == ["0-100", "100-200", "200-300", "total"]
    # by hand: discounts 0, .0005, .0015, .0025; reference PD = mean PD of band 0-100 = .035;
    # justified = .5 * (.035 - pd) = -.0025, .0025, .0075, .0125
    np.testing.assert_allclose(t["loans"], [2, 1, 1, 4])
    np.testing.assert_allclose(t["drawn"], [30000, 30000, 40000, 100000])
    np.testing.assert_allclose(t["mean_discount"], [0.00025, 0.0015, 0.0025, 0.001125])
    np.testing.assert_allclose(t["justified_discount"], [0.0, 0.0075, 0.0125, 0.005], atol=1e-15)
    # risk justifies at least the discount of every loan: no subsidy, all forgone interest is
    # paid for by lower risk (H1 gets no discount, so its negative figure costs nothing)
    np.testing.assert_allclose(t["subsidy"], [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(t["subsidy_amount"], [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(t["interest_forgone"], [10.0, 45.0, 100.0, 155.0])
    np.testing.assert_allclose(t["risk_justified_amount"], t["interest_forgone"])
    # against a risk-based price: 10000*(0+.0025) + 20000*(.0005-.0025) = -15; 30000*-.006 ...
    np.testing.assert_allclose(t["cost_above_risk_price"], [-15.0, -180.0, -400.0, -595.0])
    assert t["justified_reason"].tolist() == ["none"] * 4
    np.testing.assert_allclose(t["expected_loss"], [500.0, 300.0, 200.0, 1000.0])
    np.testing.assert_allclose(t["expected_loss_rate"], [0.0175, 0.01, 0.005, 0.0125])
    np.testing.assert_allclose(t["required_rate"], [0.0515, 0.044, 0.039, 0.0465])
    np.testing.assert_allclose(t["mean_rate"], [0.04975, 0.0485, 0.0475, 0.048875])
    assert t["covers_cost"].tolist() == [False, True, True, True]
    assert t.attrs["all_bands_cover"] is False
    np.testing.assert_allclose(t["default_rate"], [0.5, 0.0, 0.0, 0.25])
    assert t["default_ci_low"].iloc[-1] == pytest.approx(stats.beta.ppf(0.025, 1.5, 3.5))
    assert t["households"].tolist() == [2, 1, 1, 4]
    # grouping by a column of loans
    by_v = P.evaluate_schedule(
        loans, points, REF, lgd=0.5, funding_cost=0.022, operating_cost=0.012, pd="pd_given",
        by="village",
    )
    np.testing.assert_allclose(by_v["interest_forgone"], [10.0, 145.0, 155.0])


def test_evaluate_schedule_fitted_pd_is_calibrated_in_the_large(sim):
    t = P.evaluate_schedule(
        sim.loans, sim.points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        controls=("grade", "head_age"), band_top=900,
    )
    total = t.iloc[-1]
    # a logistic MLE with an intercept reproduces the observed default rate exactly
    assert total["pd"] == pytest.approx(total["default_rate"], rel=1e-6)
    assert total["interest_forgone"] == pytest.approx(
        float((sim.loans["drawn_amount"] * 0.001 * sim.points.query("period == '2025'")
               ["points"].to_numpy() / 100).sum()), rel=1e-9
    )
    # points are informative here: the modelled PD falls across bands
    assert t["pd"].iloc[0] > 2 * t["pd"].iloc[-2]
    dr = P.default_rate_by_band(sim.loans, sim.points, band_top=900)
    np.testing.assert_allclose(dr["default_rate"], t["default_rate"])
    np.testing.assert_allclose(dr["default_ci_high"], t["default_ci_high"])
    wide = P.default_rate_by_band(sim.loans, sim.points, terms={"band_width": 200})
    assert wide["band"].iloc[0] == "0-200"


def _riskier_with_points():
    """Three loans; the 200-300 band's PD is above the 0-100 reference: risk justifies a
    surcharge there, yet the schedule gives it the largest discount."""
    loans = pd.DataFrame({
        "household_id": ["A", "B", "C"], "loan_id": ["1", "2", "3"],
        "start_date": pd.to_datetime(["2026-03-01"] * 3), "drawn_amount": [10000.0] * 3,
        "default": [0, 0, 1], "village": ["V1", "V1", "V2"], "pd_given": [0.02, 0.01, 0.05],
    })
    points = pd.DataFrame({"household_id": ["A", "B", "C"], "period": "2025",
                           "points": [50.0, 150.0, 250.0]})
    return loans, points


def test_subsidy_is_the_part_of_forgone_interest_that_risk_does_not_pay_for():
    # by hand (LGD .5, reference PD .02): justified 0, .005, -.015; discounts .0005, .0015, .0025
    # forgone 5, 15, 25; risk-justified part clip(j, 0, d): 0, 15, 0; subsidy 5, 0, 25 = 30;
    # against a risk-based price: 5, -35, 175 = 145 (more than the 45 forgone: the old
    # "of which subsidy" figure)
    t = P.evaluate_schedule(*_riskier_with_points(), REF, lgd=0.5, funding_cost=0.022,
                            operating_cost=0.012, pd="pd_given")
    np.testing.assert_allclose(t["interest_forgone"], [5.0, 15.0, 25.0, 45.0])
    np.testing.assert_allclose(t["risk_justified_amount"], [0.0, 15.0, 0.0, 15.0])
    np.testing.assert_allclose(t["subsidy_amount"], [5.0, 0.0, 25.0, 30.0])
    np.testing.assert_allclose(t["cost_above_risk_price"], [5.0, -35.0, 175.0, 145.0])
    np.testing.assert_allclose(t["subsidy"], [0.0005, 0.0, 0.0025, 0.001])
    assert (t["subsidy_amount"] <= t["interest_forgone"] + 1e-9).all()
    np.testing.assert_allclose(t["risk_justified_amount"] + t["subsidy_amount"],
                               t["interest_forgone"])
    # the negative figure comes with its reason
    assert t["justified_reason"].tolist() == ["none", "none", "band_pd_above_reference",
                                              "band_pd_above_reference"]
    assert set(t["justified_reason"]) <= set(P.REASONS)
    # a zero schedule costs nothing, whatever the risk says
    zero = P.evaluate_schedule(*_riskier_with_points(), {**REF, "step_discount": 0.0}, lgd=0.5,
                               funding_cost=0.022, operating_cost=0.012, pd="pd_given")
    assert zero["subsidy_amount"].iloc[-1] == 0.0 and zero["interest_forgone"].iloc[-1] == 0.0
    rec = P.recommend_schedule(*_riskier_with_points(), {**REF, "step_discount": 0.0}, lgd=0.5,
                               funding_cost=0.022, operating_cost=0.012, subsidy_budget=1.0,
                               pd="pd_given")
    assert rec.summary["subsidy_amount"].tolist()[0] == 0.0


def test_negative_justified_discount_from_the_model_says_why():
    riskier = simulate_points_programme(n_villages=30, households_per_village=60,
                                        beta_per_100=0.5, intercept=-2.5, seed=2)
    t = P.evaluate_schedule(riskier.loans, riskier.points, REF, lgd=0.45, funding_cost=0.022,
                            operating_cost=0.012, band_top=700)
    neg = t["justified_discount"] < 0
    assert neg.iloc[1:-1].all()  # every band above the lowest
    assert set(t.loc[neg, "justified_reason"]) == {"pd_rises_with_points"}
    assert (t["subsidy_amount"] == t["interest_forgone"]).iloc[1:].all()
    assert (t["cost_above_risk_price"] > t["interest_forgone"]).iloc[-1]


def test_base_rate_finding_is_computed_and_matches_the_recommendation(sim):
    model = P.fit_points_pd(sim.loans, sim.points, controls=("grade", "head_age"))
    kw = dict(lgd=0.45, funding_cost=0.015, operating_cost=0.008, pd=model, band_top=900)
    t = P.evaluate_schedule(sim.loans, sim.points, REF, **kw)
    f = P.base_rate_finding(t)
    bands = t.iloc[:-1]
    expected = bands.loc[bands["required_rate"] > 0.05, "band"].tolist()
    assert f.figure == len(expected) > 0 and f.of == len(bands)
    assert list(f.bands) == expected
    assert f"in {f.figure} of {f.of} points bands" in f.sentence
    rec = P.recommend_schedule(sim.loans, sim.points, REF, subsidy_budget=1e5, **kw)
    assert rec.summary["bands_below_cost_at_base"].iloc[1] == f.figure
    ok = P.evaluate_schedule(sim.loans, sim.points, {**REF, "base_rate": 0.09}, **kw)
    assert P.base_rate_finding(ok).figure == 0
    assert "covers" in P.base_rate_finding(ok).sentence
