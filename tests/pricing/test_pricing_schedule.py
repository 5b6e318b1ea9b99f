"""calib.pricing.schedule and .points: rates, the parameter block, which points price a loan."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib import pricing as P
from calib.errors import CalibInputError, CalibParamsError

from _sim_pricing import REF, hand_frame


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


def test_points_loan_block_replaces_the_loose_keywords():
    loans, points = hand_frame()
    block = {"schedule": REF, "lgd": 0.5, "funding_cost": 0.022, "operating_cost": 0.012,
             "band_width": 100}
    loose = P.evaluate_schedule(loans, points, REF, lgd=0.5, funding_cost=0.022,
                                operating_cost=0.012, pd="pd_given")
    for call in (lambda: P.evaluate_schedule(loans, points, block, pd="pd_given"),
                 lambda: P.evaluate_schedule(loans, points, terms=block, pd="pd_given"),
                 lambda: P.evaluate_schedule(loans, points, P.load_points_loan(block),
                                             pd="pd_given")):
        pd.testing.assert_frame_equal(call(), loose)
    # a keyword overrides the block
    other = P.evaluate_schedule(loans, points, block, lgd=0.3, pd="pd_given")
    assert other["expected_loss_rate"].iloc[0] == pytest.approx(0.3 * other["pd"].iloc[0])
    # without a block the terms are required, not silently defaulted
    with pytest.raises(CalibParamsError, match="lgd"):
        P.evaluate_schedule(loans, points, REF, funding_cost=0.022, operating_cost=0.012,
                            pd="pd_given")
    with pytest.raises(CalibParamsError, match=r"points_loan\.lgd"):
        P.load_points_loan({"lgd": 1.5})
    # the parameter file's block is accepted as is
    from calib import params

    Pm = params.load(params.project_root(__file__) / "params" / "sample.yaml")
    t = P.load_points_loan(Pm.points_loan)
    assert t.schedule.step_discount == 0.001 and t.lgd == 0.45
    assert P.load_points_loan(Pm.block("points_loan")) == t
    # the one schema's defaults are seed 004's reference schedule
    assert P.Schedule() == P.load_schedule(REF)


def test_a_schedule_as_a_parameter_block():
    """``Schedule.block``: a step schedule gives every field; a banded one leaves out the step
    fields its bands replace and writes whole thresholds as integers; both read back the same."""
    step = P.Schedule(base_rate=0.05, step_points=100, step_discount=0.001)
    assert step.block() == step.model_dump()
    banded = P.Schedule(base_rate=0.06, floor_rate=0.03,
                              bands=[{"points": 200.0, "discount": 0.001}, {"points": 450.5, "discount": 0.0025}])
    block = banded.block()
    assert block == {"base_rate": 0.06, "max_discount": None, "floor_rate": 0.03,
                     "bands": [{"points": 200, "discount": 0.001}, {"points": 450.5, "discount": 0.0025}]}
    assert type(block["bands"][0]["points"]) is int
    assert P.load_schedule(block) == banded and P.load_schedule(step.block()) == step
