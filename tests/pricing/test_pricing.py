"""Tests of calib.pricing: the points-loan schedule, its evaluation, calibration and redesign."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from calib import pricing as P
from calib.errors import CalibInputError, CalibParamsError
from calib.pricing.calibration import _cluster_rows

from _sim_pricing import simulate_points_programme

REF = {
    "base_rate": 0.05,
    "step_points": 100,
    "step_discount": 0.001,
    "proportional": True,
    "max_discount": None,
    "floor_rate": None,
    "bands": None,
}


# --------------------------------------------------------------------------- schedule
def test_reference_schedule_examples():
    s = P.Schedule.model_validate(REF)
    assert float(P.rate_for_points(583, s)) == pytest.approx(0.04417, abs=1e-12)
    assert float(P.rate_for_points(0, s)) == pytest.approx(0.05, abs=1e-12)
    assert float(P.discount_for_points(583, s)) == pytest.approx(0.00583, abs=1e-12)
    whole = s.model_copy(update={"proportional": False})
    assert float(P.rate_for_points(583, whole)) == pytest.approx(0.045, abs=1e-12)
    assert float(P.rate_for_points(300, whole)) == pytest.approx(0.047, abs=1e-12)
    assert float(P.rate_for_points(299.9, whole)) == pytest.approx(0.048, abs=1e-12)


def test_cap_floor_and_bands():
    capped = P.Schedule.model_validate({**REF, "max_discount": 0.003})
    np.testing.assert_allclose(P.rate_for_points([200, 300, 1000], capped), [0.048, 0.047, 0.047])
    floored = P.Schedule.model_validate({**REF, "floor_rate": 0.046})
    np.testing.assert_allclose(P.rate_for_points([300, 400, 2000], floored), [0.047, 0.046, 0.046])
    # without a floor the rate stops at zero
    assert float(P.rate_for_points(10_000, REF)) == 0.0
    banded = P.Schedule.model_validate(
        {**REF, "bands": [{"points": 300, "discount": 0.002}, {"points": 600, "discount": 0.005}]}
    )
    np.testing.assert_allclose(
        P.rate_for_points([0, 299, 300, 583, 600, 5000], banded),
        [0.05, 0.05, 0.048, 0.048, 0.045, 0.045],
    )


def test_rate_for_points_types_and_bad_points():
    s = P.Schedule.model_validate(REF)
    ser = pd.Series([0.0, 583.0, np.nan], index=["a", "b", "c"])
    out = P.rate_for_points(ser, s)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c"]
    assert out["b"] == pytest.approx(0.04417) and np.isnan(out["c"])
    assert isinstance(P.rate_for_points([1.0, 2.0], s), np.ndarray)
    with pytest.raises(CalibInputError, match="points must be >= 0"):
        P.rate_for_points([-1.0], s)


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"base_rate": 5.0}, "base_rate"),
        ({"step_points": 0}, "step_points"),
        ({"step_discount": -0.001}, "step_discount"),
        ({"floor_rate": 0.06}, "floor_rate"),
        ({"max_discount": 1.5}, "max_discount"),
        ({"bands": [{"points": 300, "discount": 0.002}, {"points": 300, "discount": 0.003}]},
         "strictly increasing"),
        ({"bands": [{"points": 300, "discount": 0.004}, {"points": 600, "discount": 0.003}]},
         "non-decreasing"),
        ({"bands": [{"points": -5, "discount": 0.004}]}, "bands.0.points"),
        ({"step_discunt": 0.001}, "step_discunt"),
    ],
)
def test_schedule_validation_names_the_key(patch, key):
    with pytest.raises(CalibParamsError, match=key) as err:
        P.load_schedule({**REF, **patch})
    assert "points_loan.schedule" in str(err.value)
    # the pydantic model itself raises a ValueError too
    with pytest.raises(ValueError):
        P.Schedule.model_validate({**REF, **patch})


# --------------------------------------------------------------------------- points per loan
def test_period_bounds():
    assert P.period_bounds("2025") == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    assert P.period_bounds("2025H1")[1] == pd.Timestamp("2025-06-30")
    assert P.period_bounds("2025-h2")[0] == pd.Timestamp("2025-07-01")
    assert P.period_bounds("2025Q3") == (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    assert P.period_bounds("2025-06")[1] == pd.Timestamp("2025-06-30")
    assert P.period_bounds("202602")[1] == pd.Timestamp("2026-02-28")
    with pytest.raises(CalibInputError, match="period"):
        P.period_bounds("last year")


def _tiny_points():
    points = pd.DataFrame(
        {
            "household_id": ["A", "A", "B", "C"],
            "period": ["2024", "2025", "2025H1", "2024"],
            "points": [200.0, 500.0, 300.0, 50.0],
        }
    )
    loans = pd.DataFrame(
        {
            "household_id": ["A", "A", "A", "B", "D", "C"],
            "loan_id": list("123456"),
            "start_date": pd.to_datetime(
                ["2025-06-01", "2026-02-01", "2023-05-01", "2025-06-30", "2025-01-01", None]
            ),
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    return loans, points


def test_attach_points_period_rule():
    loans, points = _tiny_points()
    out = P.attach_points(loans, points)
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert out["points"].tolist() == [200.0, 500.0, 500.0, 300.0, 0.0, 50.0]
    assert out["points_period"].tolist()[:4] == ["2024", "2025", "2025", "2025H1"]
    assert out["points_rule"].tolist() == [
        "before_start", "before_start", "latest_available", "before_start", "none",
        "latest_available",
    ]
    given = P.attach_points(loans, points, period="2024")
    assert given["points"].tolist() == [200.0, 200.0, 200.0, 0.0, 0.0, 50.0]
    with pytest.raises(CalibInputError, match="no points"):
        P.attach_points(loans, points, missing_points="raise")
    with pytest.raises(CalibInputError, match="twice"):
        P.attach_points(loans, pd.concat([points, points.iloc[[0]]]))
    with pytest.raises(CalibInputError, match="period '1999' not found"):
        P.attach_points(loans, points, period="1999")


# --------------------------------------------------------------------------- evaluation
def test_jeffreys_interval_matches_statsmodels_and_boundaries():
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = P.jeffreys_interval([3, 7, 0, 10], [10, 50, 10, 10])
    slo, shi = proportion_confint([3, 7], [10, 50], method="jeffreys")
    np.testing.assert_allclose(lo[:2], slo, rtol=1e-10)
    np.testing.assert_allclose(hi[:2], shi, rtol=1e-10)
    assert lo[2] == 0.0 and hi[3] == 1.0
    assert hi[2] == pytest.approx(stats.beta.ppf(0.975, 0.5, 10.5))


def _hand_frame():
    loans = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4"],
            "loan_id": ["L1", "L2", "L3", "L4"],
            "start_date": pd.to_datetime(["2026-03-01"] * 4),
            "drawn_amount": [10000.0, 20000.0, 30000.0, 40000.0],
            "default": [1, 0, 0, 0],
            "village": ["V1", "V1", "V2", "V2"],
            "pd_given": [0.04, 0.03, 0.02, 0.01],
        }
    )
    points = pd.DataFrame(
        {"household_id": ["H1", "H2", "H3", "H4"], "period": "2025",
         "points": [0.0, 50.0, 150.0, 250.0]}
    )
    return loans, points


def test_evaluate_schedule_against_hand_computation():
    loans, points = _hand_frame()
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
    np.testing.assert_allclose(t["subsidy"], [0.00025, -0.006, -0.01, 0.001125 - 0.005])
    # subsidy amount: 10000*(0+.0025) + 20000*(.0005-.0025) = -15; 30000*-.006; 40000*-.01
    np.testing.assert_allclose(t["subsidy_amount"], [-15.0, -180.0, -400.0, -595.0])
    np.testing.assert_allclose(t["interest_forgone"], [10.0, 45.0, 100.0, 155.0])
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


@pytest.fixture(scope="module")
def sim():
    return simulate_points_programme(
        n_villages=60, households_per_village=100, beta_per_100=-0.30, intercept=-2.3, seed=3
    )


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


# --------------------------------------------------------------------------- calibration
def test_calibration_interval_covers_the_true_discount(sim):
    cal = P.calibrate_points_discount(
        sim.loans, sim.points, lgd=0.45, controls=("grade", "head_age"), n_boot=100,
        random_state=0,
    )
    row = cal.iloc[0]
    truth = sim.true_discount_per_100
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert row["ci_low"] > 0  # the effect is detected
    assert row["discount_per_100"] == pytest.approx(truth, rel=0.35)
    assert row["ci_high"] - row["ci_low"] < 1.5 * truth
    assert row["n_loans"] == 6000 and row["n_defaults"] == int(sim.loans["default"].sum())
    assert row["n_clusters"] == 60 and row["n_boot"] + row["n_boot_failed"] == 100
    # the point estimate equals the definition computed from an independent statsmodels fit
    import statsmodels.formula.api as smf

    d = P.attach_points(sim.loans, sim.points)
    d = d.assign(default=d["default"].astype(int), p100=d["points"] / 100)
    fit = smf.logit("default ~ p100 + C(grade) + head_age", data=d).fit(disp=0)
    ame = np.mean(fit.predict(d) - fit.predict(d.assign(p100=d["p100"] + 1)))
    assert row["discount_per_100"] == pytest.approx(0.45 * ame, rel=1e-6)
    assert row["coef_points"] == pytest.approx(fit.params["p100"], rel=1e-6)
    # same seed, same interval
    one = P.calibrate_points_discount(sim.loans, sim.points, lgd=0.45, n_boot=5, random_state=4)
    two = P.calibrate_points_discount(sim.loans, sim.points, lgd=0.45, n_boot=5, random_state=4)
    np.testing.assert_array_equal(one.attrs["boot"], two.attrs["boot"])


def test_calibration_null_effect_interval_includes_zero():
    null = simulate_points_programme(
        n_villages=60, households_per_village=100, beta_per_100=0.0, intercept=-2.3, seed=1
    )
    assert null.true_discount_per_100 == 0.0
    cal = P.calibrate_points_discount(
        null.loans, null.points, lgd=0.45, controls=("grade", "head_age"), n_boot=100,
        random_state=0,
    )
    assert cal["ci_low"].iloc[0] < 0 < cal["ci_high"].iloc[0]


def test_cluster_bootstrap_draws_whole_villages():
    codes = np.repeat([0, 1, 2, 3], [3, 1, 4, 2])
    rng = np.random.default_rng(5)
    for idx in _cluster_rows(codes, rng, 20):
        drawn = codes[idx]
        # each drawn village appears with all its rows, in multiples of its size
        counts = np.bincount(drawn, minlength=4)
        assert np.all(counts % np.bincount(codes) == 0)
        assert counts.sum() // 1 == len(idx)
        assert (counts // np.bincount(codes)).sum() == 4


def test_calibration_bad_input():
    loans, points = _hand_frame()
    with pytest.raises(CalibInputError, match="control column 'grade'"):
        P.calibrate_points_discount(loans, points, lgd=0.45, controls=("grade",), n_boot=0)
    bad = loans.assign(default=[1, 0, 2, 0])
    with pytest.raises(CalibInputError, match="'default' must be 0/1"):
        P.calibrate_points_discount(bad, points, lgd=0.45, n_boot=0)
    blank = loans.assign(age=[30.0, np.nan, 40.0, 50.0])
    with pytest.raises(CalibInputError, match="'age' is blank"):
        P.calibrate_points_discount(blank, points, lgd=0.45, controls=("age",), n_boot=0)
    with pytest.raises(CalibParamsError, match="lgd"):
        P.calibrate_points_discount(loans, points, lgd=45, n_boot=0)


# --------------------------------------------------------------------------- recommendation
def _flat_pd_frame():
    """Five households, 100..500 points, same PD: risk justifies no discount at all."""
    loans = pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(5)],
            "loan_id": [f"L{i}" for i in range(5)],
            "start_date": pd.to_datetime(["2026-03-01"] * 5),
            "drawn_amount": [10000.0] * 5,
            "default": [0, 0, 0, 0, 1],
            "village": ["V1"] * 5,
            "pd_given": [0.01] * 5,
        }
    )
    points = pd.DataFrame(
        {"household_id": loans["household_id"], "period": "2025",
         "points": [100.0, 200.0, 300.0, 400.0, 500.0]}
    )
    return loans, points


@pytest.mark.parametrize(
    "budget, expected, binding",
    [(150.0, 0.001, "budget"), (300.0, 0.002, "budget"), (600.0, 0.0023, "floor")],
)
def test_recommend_step_closed_form(budget, expected, binding):
    # subsidy = d * sum(drawn * points/100) = d * 150000; the floor allows a discount of
    # .05 - (.022 + .012 + .45*.01) = .0115 in the 500-point band, i.e. d <= .0023
    loans, points = _flat_pd_frame()
    rec = P.recommend_schedule(
        loans, points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=budget, pd="pd_given",
    )
    assert rec.schedule.step_discount == pytest.approx(expected, abs=2e-6)
    summ = rec.summary.set_index("schedule")
    assert summ.loc["recommended", "binding"] == binding
    assert summ.loc["recommended", "subsidy_amount"] <= budget + 1e-6
    assert summ.loc["recommended", "all_bands_cover"]
    assert rec.table["covers_cost_recommended"].all()
    assert summ.loc["current", "subsidy_amount"] == pytest.approx(150.0)
    # one step further breaks a constraint
    bigger = rec.schedule.model_copy(update={"step_discount": rec.schedule.step_discount + 1e-5})
    t = P.evaluate_schedule(loans, points, bigger, lgd=0.45, funding_cost=0.022,
                            operating_cost=0.012, pd="pd_given")
    assert t["subsidy_amount"].iloc[-1] > budget or not t.attrs["all_bands_cover"]


def test_recommend_strict_floor_and_uptake():
    loans, points = _flat_pd_frame()
    # a high-PD band that does not cover cost even at the base rate
    loans = loans.assign(pd_given=[0.05, 0.01, 0.01, 0.01, 0.01])
    strict = P.recommend_schedule(
        loans, points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=300.0, pd="pd_given",
    )
    assert strict.schedule.step_discount == 0.0
    assert strict.summary["bands_below_cost_at_base"].iloc[1] == 1
    loose = P.recommend_schedule(
        loans, points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=300.0, pd="pd_given", floor_at_base="exclude",
    )
    assert loose.schedule.step_discount > 0.0
    # usage that responds to the cut makes the same budget buy a smaller schedule
    base = P.recommend_schedule(
        *_flat_pd_frame(), REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=300.0, pd="pd_given",
    )
    resp = P.recommend_schedule(
        *_flat_pd_frame(), REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=300.0, pd="pd_given", uptake_elasticity=0.5,
    )
    assert resp.schedule.step_discount < base.schedule.step_discount - 1e-5
    assert resp.summary["subsidy_amount"].iloc[1] <= 300.0 + 1e-6


def test_recommend_band_mode_is_monotone_within_budget_and_floor(sim):
    model = P.fit_points_pd(sim.loans, sim.points, controls=("grade", "head_age"))
    for budget in (0.0, 200_000.0, 5_000_000.0):
        rec = P.recommend_schedule(
            sim.loans, sim.points, REF, lgd=0.45, funding_cost=0.015, operating_cost=0.008,
            subsidy_budget=budget, pd=model, mode="band", band_top=900,
        )
        d = rec.table["recommended_discount"].to_numpy()
        assert np.all(np.diff(d) >= -1e-12)
        assert rec.summary["subsidy_amount"].iloc[1] <= budget + 1e-6
        tab = rec.table
        below = tab["max_floor_discount"].isna()  # below cost even at the base rate
        assert below.any() and (tab.loc[below, "recommended_discount"] == 0).all()
        assert tab.loc[~below, "covers_cost_recommended"].all()
        # the recommended Schedule reproduces the table's discounts
        t = P.evaluate_schedule(
            sim.loans, sim.points, rec.schedule, lgd=0.45, funding_cost=0.015,
            operating_cost=0.008, pd=model, band_top=900,
        )
        np.testing.assert_allclose(t["mean_discount"].iloc[:-1], d, atol=1e-12)
    sens = P.sensitivity(
        sim.loans, sim.points, REF, lgd_values=(0.3, 0.6), uptake_values=(0.0, 0.5),
        funding_cost=0.015, operating_cost=0.008, subsidy_budget=200_000.0, pd=model,
    )
    assert len(sens) == 4 and set(sens.columns) >= {"lgd", "uptake_elasticity",
                                                    "discount_per_100", "binding"}
    assert (sens["subsidy_amount"] <= 200_000.0 + 1e-6).all()


# --------------------------------------------------------------------------- inflation
def test_points_inflation_flags_inflated_villages():
    s = simulate_points_programme(
        n_villages=40, households_per_village=60, inflated=3, inflation=400.0, seed=7
    )
    t = P.points_inflation(s.points, groups=s.loans[["household_id", "village"]])
    flagged = set(t.loc[t["flag"], "village"])
    assert flagged == set(s.inflated_villages)
    top = t.set_index("village").loc[s.inflated_villages]
    assert (top["growth"] > 3 * t["programme_growth"].iloc[0]).all()
    assert t["latest_period"].iloc[0] == "2025" and t["previous_period"].iloc[0] == "2024"
    assert t["households"].sum() == 40 * 60
    with pytest.raises(CalibInputError, match="village"):
        P.points_inflation(s.points)


def test_policy_comparison_warnings_and_plots(sim):
    import matplotlib

    matplotlib.use("Agg")
    small = sim.loans.loc[sim.loans["village"].isin(sim.loans["village"].unique()[:8])]
    with pytest.warns(UserWarning) as caught:
        cal = P.calibrate_points_discount(small, sim.points, lgd=0.45, n_boot=5, schedule=REF)
    msgs = " | ".join(str(w.message) for w in caught)
    assert "only 8 villages" in msgs and "defaults" in msgs
    assert cal["policy_per_100"].iloc[0] == pytest.approx(0.001)
    assert cal["policy_in_ci"].iloc[0] == (cal["ci_low"].iloc[0] <= 0.001 <= cal["ci_high"].iloc[0])
    ax = P.plot_default_rate_by_band(P.default_rate_by_band(sim.loans, sim.points, band_top=900))
    assert len(ax.get_xticklabels()) == 10
    ax = P.plot_points_by_village(sim.points, groups=sim.loans[["household_id", "village"]],
                                  flagged=["V000"], labels=True)
    assert len(ax.get_xticklabels()) == 60
    ax = P.plot_points_by_village(sim.points, groups=sim.loans[["household_id", "village"]])
    assert len(ax.get_xticklabels()) == 0  # no names (no CJK glyphs in report plots)


def test_recommend_band_mode_keeps_monotone_under_a_non_monotone_floor():
    # the 200-300 band is riskier, so its floor allows only .05 - (.034 + .45*.03) = .0025;
    # the band below it must not get more than that (schedule monotone in points)
    loans = pd.DataFrame(
        {
            "household_id": ["A", "B", "C", "D"],
            "loan_id": ["1", "2", "3", "4"],
            "start_date": pd.to_datetime(["2026-03-01"] * 4),
            "drawn_amount": [10000.0] * 4,
            "default": [0, 0, 1, 0],
            "village": ["V"] * 4,
            "pd_given": [0.01, 0.01, 0.03, 0.01],
        }
    )
    points = pd.DataFrame({"household_id": list("ABCD"), "period": "2025",
                           "points": [50.0, 150.0, 250.0, 350.0]})
    rec = P.recommend_schedule(
        loans, points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=1e6, pd="pd_given", mode="band",
    )
    np.testing.assert_allclose(rec.table["recommended_discount"], [0.0, 0.0025, 0.0025, 0.0115],
                               atol=1e-9)
    np.testing.assert_allclose(P.discount_for_points([50, 150, 250, 350], rec.schedule),
                               [0.0, 0.0025, 0.0025, 0.0115], atol=1e-9)
    assert rec.summary["binding"].iloc[1] == "floor"
