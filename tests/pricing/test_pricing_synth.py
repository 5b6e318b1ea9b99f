"""calib.pricing end to end on generated programmes (calib.synth), through the loader.

The generator's default model is ``logit PD = ... + points_per_100 * (true_points - 300)/100``
with business, integrity and bureau factors and a village shock; its
``discount_per_100_true`` is LGD x the mean over borrowers of PD(points) - PD(points + 100),
every other factor held at its value. The report's estimate is the same quantity from a logistic
model on the *reported* points with the controls of :data:`calib.pricing.DEFAULT_CONTROLS`.

The tests build one programme of 120 villages x 80 households (about 2,200 loans and 85
defaults; seed 1: truth 0.00251, estimate 0.00278, interval 0.00094-0.00498, 1.6 x the truth
wide), small enough to build and fit in a few seconds and still large enough that an estimate off
by more than 60% of the truth, or an interval more than twice the truth wide, fails them. The null
case shuffles the points among the loans of each village (true discount 0) instead of building
a second programme.

Choices, measured on seeds 1-8 with 150 villages x 100 households (benchmarks/bench_pricing.py
``--synth`` repeats this over many seeds):

- points period: the loans here take the default rule (the latest period ended before the loan
  started, i.e. ``2024``). The generator inflates the reported ``2025`` points x1.35 in a few
  villages (points that carry no risk information), which pulls the estimate down by about 10%;
  the 2024 points are the genuine ones (x0.95 on average, a 5% scale change).
- ``no_points``: about 5% of households have no points record; their loans are priced at 0
  points. Read as genuine 0-point borrowers they flatten the slope (the estimate fell by half);
  the indicator control removes that.
- controls: the panel's integrity and business ratings stand in for the generator's latent
  factors (with points only, the finite-difference effect came out ~17% below the truth; with
  the true points and every latent factor a logistic fit recovers it). The model score and grade
  are not used: the generator's score contains the true points, so holding it fixed removes most
  of the points effect.

Measured with ``bench_pricing.py --synth --seeds 40 --n-boot 200 --villages 150``: coverage of
the true discount 0.950 (Wilson 0.835-0.986), mean bias -0.0001 (truth 0.0026); null programme:
0 inside the interval in 40/40 seeds.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from calib import pricing, synth

AS_OF = "2026-06-30"
SIZE = {"villages": 120, "households_per_village": 80}  # ~2,200 loans, ~85 defaults
N_BOOT = 60


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One generated programme, loaded, with its truth and loan frame (built once)."""
    prog, res = synth.build_programme(tmp_path_factory.mktemp("pricing"), seed=1, as_of=AS_OF,
                                      **SIZE)
    return prog, res, pricing.loan_frame(prog)


def _calibrate(lf, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few-defaults warnings are not under test here
        cal = pricing.calibrate_points_discount(
            lf, None, lgd=0.45, controls=pricing.DEFAULT_CONTROLS, n_boot=N_BOOT,
            random_state=seed, schedule={"base_rate": 0.05, "step_discount": 0.001},
        )
    return cal.iloc[0]


def test_loan_frame_joins_controls(small_programme):
    _, prog, res = small_programme
    lf = pricing.loan_frame(prog)
    assert len(lf) == len(prog.loans)
    assert (lf["loan_id"].to_numpy() == prog.loans["loan_id"].to_numpy()).all()
    for c in ("points", "points_rule", "no_points", "grade", "model_score", "model_pd",
              "n_reviews", "integrity_rating", "business_rating", "head_age", "n_members"):
        assert c in lf.columns, c
    # hand check of one household: mean integrity rating, latest grade, head age
    h = lf["household_id"].iloc[0]
    rv = prog.reviews.loc[prog.reviews["household_id"] == h, "integrity_rating"].astype(float)
    assert lf["integrity_rating"].iloc[0] == pytest.approx(rv.mean())
    runs = prog.model_runs.loc[prog.model_runs["household_id"] == h].sort_values("run_date")
    if len(runs):
        assert lf["grade"].iloc[0] == runs["grade"].iloc[-1]
    assert lf["head_age"].iloc[0] == prog.households().loc[h, "head_age"]
    # loans without points: priced at 0 and flagged
    none = lf["points_rule"] == "none"
    assert (lf.loc[none, "points"] == 0).all() and (lf["no_points"] == none.astype(float)).all()
    assert set(lf.attrs["missing"]) >= {"model_score", "integrity_rating", "head_age", "grade"}
    # the generator priced loans on the 2025 points: the booked rates say so
    m = pricing.match_pricing_period(prog.loans, prog.points,
                                     {"base_rate": 0.05, "step_discount": 0.001})
    assert m["period"].iloc[0] == "2025"
    assert m["share_matched"].iloc[0] > 0.9 > m["share_matched"].iloc[1]
    # the params block is accepted as is
    from calib import params

    P = params.load(params.project_root(__file__) / "params" / "sample.yaml")
    assert pricing.load_schedule(P.block("points_loan")["schedule"]).step_discount == 0.001
    assert pricing.load_schedule(P.points_loan.schedule).base_rate == 0.05


def test_interval_covers_the_generators_true_discount(generated):
    prog, res, lf = generated
    truth = res.parameters["discount_per_100_true"]
    cal = _calibrate(lf, seed=1)
    # the genuine 2024 points price the risk model (a stray loan without a usable start date
    # falls back to the latest period)
    assert (lf["points_period"] == "2024").mean() > 0.9
    assert (lf["points_rule"] == "latest_available").sum() <= 5
    assert cal["n_boot"] >= N_BOOT - 3
    assert cal["ci_low"] <= truth <= cal["ci_high"], (cal["ci_low"], truth, cal["ci_high"])
    # the point estimate is of the right size, and not the policy's 0.001 by construction
    assert 0.4 * truth < cal["discount_per_100"] < 1.6 * truth
    assert cal["ci_high"] - cal["ci_low"] < 2 * truth


def test_interval_includes_zero_when_points_carry_no_information(generated):
    # points shuffled among the loans of each village: independent of default and of every
    # control, so the true discount is 0 (same loans, same villages, same controls)
    _, _, lf = generated
    rng = np.random.default_rng(5)
    village = lf["village"].factorize()[0]
    by_village = np.lexsort((np.arange(len(lf)), village))
    shuffled = np.lexsort((rng.random(len(lf)), village))
    pts = lf["points"].to_numpy(copy=True)
    pts[by_village] = pts[shuffled]
    null = lf.assign(points=pts)
    assert sorted(null["points"]) == sorted(lf["points"])
    cal = _calibrate(null, seed=1)
    assert cal["ci_low"] <= 0.0 <= cal["ci_high"], (cal["ci_low"], cal["ci_high"])
    assert abs(cal["discount_per_100"]) < 2.5 * cal["se_boot"]
    assert cal["policy_verdict"] in ("cannot be told apart", "subsidised")
    assert np.isfinite(cal["se_boot"])
