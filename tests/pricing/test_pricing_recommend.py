"""calib.pricing.recommend: the largest schedule within budget and floor."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib import pricing as P

from _sim_pricing import REF, flat_pd_frame


# --------------------------------------------------------------------------- recommendation
@pytest.mark.parametrize(
    "budget, expected, binding",
    [(150.0, 0.001, "budget"), (300.0, 0.002, "budget"), (600.0, 0.0023, "floor")],
)
def test_recommend_step_closed_form(budget, expected, binding):
    # subsidy = d * sum(drawn * points/100) = d * 150000; the floor allows a discount of
    # .05 - (.022 + .012 + .45*.01) = .0115 in the 500-point band, i.e. d <= .0023
    loans, points = flat_pd_frame()
    rec = P.recommend_schedule(
        loans, points, REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=budget, pd="pd_given",
    )
    assert rec.schedule.step_discount == pytest.approx(expected, abs=2e-6)
    summ = rec.summary.set_index("schedule")
    assert summ.loc["recommended", "binding"] == binding
    assert summ.loc["recommended", "subsidy_amount"] <= budget + 1e-6
    assert summ.loc["recommended", "within_floor"]
    assert rec.table["covers_cost_recommended"].all()
    assert summ.loc["current", "subsidy_amount"] == pytest.approx(150.0)
    # one step further breaks a constraint
    bigger = rec.schedule.model_copy(update={"step_discount": rec.schedule.step_discount + 1e-5})
    t = P.evaluate_schedule(loans, points, bigger, lgd=0.45, funding_cost=0.022,
                            operating_cost=0.012, pd="pd_given")
    assert t["subsidy_amount"].iloc[-1] > budget or not t.attrs["all_bands_cover"]


def test_recommend_strict_floor_and_uptake():
    loans, points = flat_pd_frame()
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
        *flat_pd_frame(), REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
        subsidy_budget=300.0, pd="pd_given",
    )
    resp = P.recommend_schedule(
        *flat_pd_frame(), REF, lgd=0.45, funding_cost=0.022, operating_cost=0.012,
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


def test_a_banded_schedule_is_answered_in_bands_by_default():
    """Without a mode the recommendation keeps the current schedule's form: tiers for tiers (the
    same as mode="band"), a step for a step."""
    loans = pd.DataFrame({"household_id": list("ABCD"), "loan_id": list("1234"),
                          "start_date": pd.to_datetime(["2026-03-01"] * 4), "drawn_amount": [10000.0] * 4,
                          "default": [0, 0, 1, 0], "village": ["V"] * 4, "pd_given": [0.01, 0.01, 0.03, 0.01]})
    points = pd.DataFrame({"household_id": list("ABCD"), "period": "2025", "points": [50.0, 150.0, 250.0, 350.0]})
    terms = dict(lgd=0.45, funding_cost=0.022, operating_cost=0.012, subsidy_budget=1e6, pd="pd_given")
    banded = P.Schedule(base_rate=0.05, bands=[{"points": 100, "discount": 0.001}, {"points": 300, "discount": 0.003}])
    default = P.recommend_schedule(loans, points, banded, **terms)
    band = P.recommend_schedule(loans, points, banded, mode="band", **terms)
    assert default.schedule.bands is not None and default.schedule == band.schedule
    assert P.recommend_schedule(loans, points, banded, mode="step", **terms).schedule.bands is None
    assert P.recommend_schedule(loans, points, REF, **terms).schedule.bands is None


def test_a_zero_banded_recommendation_stays_banded_without_a_discount_per_100_points():
    """Whatever its size, a banded recommendation has no discount per 100 points: a floor that
    binds at every band gives one band of no discount (not a step of 0), NaN per 100 points in the
    summary and in every sensitivity row, as a banded recommendation above zero."""
    loans = pd.DataFrame({"household_id": list("ABCD"), "loan_id": list("1234"),
                          "start_date": pd.to_datetime(["2026-03-01"] * 4), "drawn_amount": [10000.0] * 4,
                          "default": [0, 0, 1, 0], "village": ["V"] * 4, "pd_given": [0.01, 0.01, 0.03, 0.01]})
    points = pd.DataFrame({"household_id": list("ABCD"), "period": "2025", "points": [50.0, 150.0, 250.0, 350.0]})
    banded = P.Schedule(base_rate=0.05, bands=[{"points": 100, "discount": 0.001}, {"points": 300, "discount": 0.003}])
    terms = dict(lgd=0.45, funding_cost=0.022, subsidy_budget=1e6, pd="pd_given")
    # operating cost 0.03: every band is below cost at the base rate, so nothing can be offered
    zero = P.recommend_schedule(loans, points, banded, operating_cost=0.03, **terms)
    assert zero.schedule.bands is not None and zero.summary["top_discount"].iloc[1] == 0.0
    np.testing.assert_allclose(P.discount_for_points([50, 150, 250, 350], zero.schedule), 0.0)
    some = P.recommend_schedule(loans, points, banded, operating_cost=0.012, **terms)
    assert some.summary["top_discount"].iloc[1] > 0
    for rec in (zero, some):
        assert np.isnan(rec.summary["discount_per_100"]).all()
    assert P.schedule_form(banded) == "band" and P.schedule_form(P.Schedule()) == "step"


def test_a_banded_sensitivity_has_no_discount_per_100_points_in_any_row(sim):
    """The sensitivity table of a banded schedule: "per 100 points" NaN in every row, the rows
    recommending nothing (every band below cost at the base rate) as the others."""
    model = P.fit_points_pd(sim.loans, sim.points, controls=("grade", "head_age"))
    banded = P.Schedule(base_rate=0.05, bands=[{"points": 200, "discount": 0.002}, {"points": 400, "discount": 0.004}])
    for operating, some in ((0.008, True), (0.2, False)):
        sens = P.sensitivity(sim.loans, sim.points, banded, lgd_values=(0.3,), uptake_values=(0.0,),
                             funding_cost=0.015, operating_cost=operating, subsidy_budget=200_000.0, pd=model)
        assert sens["discount_per_100"].isna().all()
        assert (sens["top_discount"] > 0).all() == some


def test_a_memoised_step_search_keeps_the_first_sizes_only():
    """recommendation_interval's step search keeps the discounts of the sizes its replicates
    all try first (read-only, the same array again), not of every size one of them tries: each
    kept size holds one discount per loan."""
    from calib.pricing.recommend import _MEMO_SIZES, _search_step

    points = np.arange(0.0, 2000.0, 3.0)
    plain = _search_step(P.load_schedule(REF), points, 0.05)
    kept = _search_step(P.load_schedule(REF), points, 0.05, memo=True)
    sizes = np.linspace(0.0, 0.004, _MEMO_SIZES + 10)
    first = [kept.disc_for(d) for d in sizes]
    for d, got in zip(sizes, first):
        np.testing.assert_array_equal(got, plain.disc_for(d))
    again = [kept.disc_for(d) for d in sizes]
    assert all(a is b and not a.flags.writeable for a, b in zip(first[:_MEMO_SIZES], again))
    assert not any(a is b for a, b in zip(first[_MEMO_SIZES:], again[_MEMO_SIZES:]))


def test_a_memoised_step_search_keeps_band_means_for_the_bands_they_were_made_on():
    """The band means a memoised step search keeps (so that a replicate tests the floor without
    a sum over loans) are those of its kept discounts, bit for bit, and only for the same bands:
    a budget on other bands gets its own, a size not kept none."""
    from calib.pricing.recommend import _MEMO_SIZES, _Budget, _search_step

    points = np.arange(0.0, 2000.0, 3.0)
    kept = _search_step(P.load_schedule(REF), points, 0.05, memo=True)

    def budget(k):
        n_k = np.bincount(k).astype(float)
        z = np.zeros(points.size)
        return _Budget(k=k, n_k=n_k, drawn=z + 1.0, just=z, cur_disc=z, cap_k=np.zeros(n_k.size),
                       budget=0.0, elasticity=0.0)

    by_100, by_500 = budget((points // 100).astype(int)), budget((points // 500).astype(int))
    sizes = np.linspace(0.0, 0.004, _MEMO_SIZES + 2)
    for d in sizes[:_MEMO_SIZES]:
        kept.disc_for(d)
    for b in (by_100, by_500, by_100):
        for d in sizes[:_MEMO_SIZES]:
            got = kept.mean_for(d, b)
            assert np.array_equal(got, b.band_mean(kept.disc_for(d))) and not got.flags.writeable
    assert kept.mean_for(sizes[-1], by_100) is None  # beyond the kept sizes
    assert _search_step(P.load_schedule(REF), points, 0.05).mean_for(0.001, by_100) is None


@pytest.mark.parametrize("elasticity", [0.0, 0.2])
def test_a_budgets_subsidy_is_the_sum_of_its_loans_subsidies_bit_for_bit(elasticity):
    """_Budget.subsidy (in a buffer, max(just, 0) made once) is the sum of subsidy_per_loan
    (clip(just, 0, disc)) to the bit, justified discounts of either sign, -0.0 and NaN included."""
    from calib.pricing.recommend import _Budget

    rng = np.random.default_rng(5)
    n = 5000
    just = rng.normal(0.0, 0.002, n)
    just[:50], just[50:60] = -0.0, np.nan
    disc = np.round(rng.uniform(0.0, 0.004, n), 6)
    disc[::7] = 0.0
    drawn = rng.uniform(1e3, 5e4, n)

    def budget(j):
        return _Budget(k=np.zeros(n, dtype=int), n_k=np.array([float(n)]), drawn=drawn, just=j,
                       cur_disc=np.full(n, 0.001), cap_k=np.array([1.0]), budget=1e6,
                       elasticity=elasticity)

    with_nan, finite = budget(just), budget(np.where(np.isnan(just), 0.0, just))
    for x in (disc, disc * 2.0, np.zeros(n)):
        assert np.isnan(with_nan.subsidy(x)) == np.isnan(np.sum(with_nan.subsidy_per_loan(x)))
        want = float(np.sum(finite.subsidy_per_loan(x)))
        assert np.float64(finite.subsidy(x)).tobytes() == np.float64(want).tobytes()
