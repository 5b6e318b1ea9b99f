"""calib.pricing.calibration: the risk-justified discount and its village bootstrap."""
from __future__ import annotations

import numpy as np
import pytest

from calib import pricing as P
from calib.errors import CalibInputError, CalibParamsError

from _sim_pricing import hand_frame, simulate_points_programme
from calib.pricing.calibration import _cluster_rows


# --------------------------------------------------------------------------- calibration
def test_calibration_interval_covers_the_true_discount(sim):
    cal = P.calibrate_points_discount(
        sim.loans, sim.points, lgd=0.45, controls=("grade", "head_age"), n_boot=50,
        random_state=0,
    )
    row = cal.iloc[0]
    truth = sim.true_discount_per_100
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert row["ci_low"] > 0  # the effect is detected
    assert row["discount_per_100"] == pytest.approx(truth, rel=0.35)
    assert row["ci_high"] - row["ci_low"] < 1.5 * truth
    assert row["n_loans"] == 6000 and row["n_defaults"] == int(sim.loans["default"].sum())
    assert row["n_clusters"] == 60 and row["n_boot"] + row["n_boot_failed"] == 50
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
        null.loans, null.points, lgd=0.45, controls=("grade", "head_age"), n_boot=50,
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
    loans, points = hand_frame()
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
