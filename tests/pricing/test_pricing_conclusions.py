"""calib.pricing.conclusions: the decisions of report 05 as rows."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from calib import pricing as P

from _sim_pricing import REF


@pytest.fixture(scope="module")
def decided(sim):
    # a 7% base rate covers every band's expected loss, so the budget (not the floor) binds
    terms = P.PointsLoan(schedule={**REF, "base_rate": 0.07}, lgd=0.45, funding_cost=0.0,
                         operating_cost=0.0, subsidy_budget=20_000.0, n_boot=30)
    lf = P.attach_points(sim.loans, sim.points)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = P.calibrate_points_discount(lf, None, terms=terms, controls=("grade", "head_age"))
    ev = P.evaluate_schedule(lf, None, terms, pd=cal.attrs["model"])
    rec = P.recommend_schedule(lf, None, terms, pd=cal.attrs["model"])
    iv = P.recommendation_interval(lf, cal, rec, terms)
    return terms, lf, cal, ev, rec, iv


def test_recommendation_interval_brackets_the_estimate(decided):
    terms, lf, cal, ev, rec, iv = decided
    assert iv["quantity"].tolist() == ["recommended_discount_per_100",
                                       "recommended_subsidy_amount", "current_subsidy_amount"]
    assert (iv["n_replicates"] == cal["n_boot"].iloc[0]).all()
    assert rec.summary["binding"].iloc[1] == "budget"
    r = iv.iloc[0]
    assert r["ci_low"] < r["estimate"] < r["ci_high"] and not r["zero_width"]
    assert r["estimate"] == pytest.approx(rec.schedule.step_discount * 100 / 100)
    cost = iv.iloc[1]
    assert cost["estimate"] == pytest.approx(20_000.0, rel=5e-3)
    assert cost["ci_low"] < cost["estimate"] < cost["ci_high"]
    now = iv.iloc[2]  # the current schedule's subsidy: the point estimate of the cost table
    assert now["estimate"] == ev["subsidy_amount"].iloc[-1]
    assert now["ci_low"] < now["ci_high"] and not now["zero_width"]


class _Params:
    """A fit holding one replicate's coefficients (``params``: what PointsPD.predict reads)."""

    def __init__(self, params: np.ndarray) -> None:
        self.params = params


@pytest.mark.parametrize("mode", ["step", "band"])
def test_recommendation_interval_is_each_replicates_recommendation_and_subsidy(decided, mode):
    """Per replicate: the recommendation of recommend_schedule under the replicate's PD model,
    and the subsidy of the recommended (fixed) schedule under its risk, as defined; the interval
    shares one loan-level table between the two and makes the design matrices and the step
    search's discounts once, which must change no figure."""
    from calib.pricing.bands import _loan_level
    from calib.pricing.conclusions import _size
    from calib.pricing.pd_model import _prepared

    terms, lf, cal, ev, rec, iv = decided
    if mode == "band":  # a tiered recommendation (the search of another form) of the same loans
        rec = P.recommend_schedule(lf, None, terms, pd=cal.attrs["model"], mode="band")
        iv = P.recommendation_interval(lf, cal, rec, terms, mode="band")
    model, frame = cal.attrs["model"], _prepared(lf, None, None, "zero")
    fixed = terms.model_copy(update={"schedule": rec.schedule})
    p = frame["points"].to_numpy(dtype=float)
    change = (np.asarray(P.discount_for_points(p, rec.schedule), dtype=float)
              - np.asarray(P.discount_for_points(p, terms.schedule), dtype=float))
    uptake = np.maximum(0.0, 1.0 + terms.uptake_elasticity * 100.0 * change)
    size, cost, cost_now = [], [], []
    for b in np.asarray(cal.attrs["boot_coefs"]):
        mb = P.PointsPD(_Params(b), model.controls, model.columns, model.levels, model.step)
        size.append(_size(P.recommend_schedule(frame, None, terms=terms, pd=mb, mode=mode).summary.iloc[1]))
        _, lv, _ = _loan_level(frame, None, fixed, pd_=mb, controls=(), period=None,
                               missing_points="zero", cluster=None)
        paid = np.clip(lv["justified"], 0.0, lv["discount"])
        cost.append(float(np.sum(uptake * lv["drawn"] * (lv["discount"] - paid))))
        # the current schedule's subsidy under the replicate's risk, as evaluate_schedule counts
        # it: balance x (discount - the risk-justified part held in [0, discount])
        _, now, _ = _loan_level(frame, None, terms, pd_=mb, controls=(), period=None,
                                missing_points="zero", cluster=None)
        paid_now = np.clip(now["justified"], 0.0, now["discount"])
        cost_now.append(float(np.sum(now["drawn"] * (now["discount"] - paid_now))))
    assert len(iv) == 3
    for row, arr in zip(iv.itertuples(), (size, cost)):
        lo, hi = np.quantile(np.asarray(arr, dtype=float), [0.025, 0.975])
        assert (row.ci_low, row.ci_high) == (lo, hi), row.quantity  # bit for bit
    lo, hi = np.quantile(np.asarray(cost_now, dtype=float), [0.025, 0.975])
    assert (iv.iloc[2]["ci_low"], iv.iloc[2]["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    assert np.ptp(size) > 0 and np.ptp(cost) > 0 and np.ptp(cost_now) > 0  # the check can fail


def test_conclusions_rows_reuse_the_tables_figures(decided):
    terms, lf, cal, ev, rec, iv = decided
    c = P.conclusions(cal, ev, rec, interval=iv).set_index("decision")
    assert list(c.columns) == ["figure", "ci_low", "ci_high", "threshold", "verdict", "unit",
                               "note"]
    assert list(c.index) == ["policy_discount", "recommended_discount",
                             "recommended_yearly_cost", "current_yearly_cost", "current_rate",
                             "base_rate"]
    row = c.loc["policy_discount"]
    assert row["figure"] == cal["discount_per_100"].iloc[0]
    assert (row["ci_low"], row["ci_high"]) == (cal["ci_low"].iloc[0], cal["ci_high"].iloc[0])
    assert row["threshold"] == 0.001 and row["verdict"] == cal["policy_verdict"].iloc[0]
    cur = c.loc["current_yearly_cost"]
    assert cur["figure"] == ev["subsidy_amount"].iloc[-1] <= ev["interest_forgone"].iloc[-1]
    assert cur["threshold"] == 20_000.0
    assert cur["verdict"] == ("within budget" if cur["figure"] <= 20_000 else "over budget")
    # its interval is the current schedule's subsidy over the bootstrap replicates
    ci = iv.set_index("quantity").loc["current_subsidy_amount"]
    assert (cur["ci_low"], cur["ci_high"]) == (ci["ci_low"], ci["ci_high"])
    assert cur["ci_low"] < cur["figure"] or cur["figure"] < cur["ci_high"]
    # the current rate against cost: bands whose current mean rate does not cover it, of all bands
    now = c.loc["current_rate"]
    short = int((~ev["covers_cost"].iloc[:-1]).sum())
    assert now["figure"] == short and now["unit"] == f"points bands of {len(ev) - 1}"
    assert now["verdict"] == ("review" if short else "pass")
    new = c.loc["recommended_yearly_cost"]
    assert new["figure"] <= new["threshold"] and new["verdict"].startswith("within budget")
    assert c.loc["recommended_discount", "verdict"] in ("keep the discount", "lower the discount",
                                                        "raise the discount")
    base = c.loc["base_rate"]
    assert base["figure"] == P.base_rate_finding(ev).figure == 0
    # the book-wide rate covering cost is the cost table's total row
    assert P.base_rate_finding(ev).required_total == ev["required_rate"].iloc[-1]
    assert f"{ev['required_rate'].iloc[-1]:.2%}" in base["note"]
    assert base["verdict"] == "base rate covers cost"
    assert np.isnan(base["ci_low"])


def test_pricing_period_row_says_whether_the_schedule_priced_the_loans(decided, sim):
    """The premise of report 05 first: the parameters' schedule reproduces the booked rates
    (the simulation priced every loan at 5% less 0.1 pp per 100 of its 2025 points), or it does
    not and every cost figure is of a schedule the bank did not apply."""
    terms, lf, cal, ev, rec, iv = decided
    per = P.match_pricing_period(sim.loans, sim.points, REF)
    c = P.conclusions(cal, ev, rec, interval=iv, period=per).set_index("decision")
    assert c.index[0] == "pricing_period" and len(c) == 7
    row = c.loc["pricing_period"]
    assert row["figure"] == 1.0 and row["threshold"] == P.MIN_RATES_REPRODUCED
    assert row["verdict"] == "rates reproduced" and row["note"] == "points period 2025"
    other = P.match_pricing_period(sim.loans, sim.points, {**REF, "base_rate": 0.045})
    wrong = P.conclusions(cal, ev, rec, interval=iv, period=other).set_index("decision")
    assert wrong.loc["pricing_period", "figure"] < P.MIN_RATES_REPRODUCED
    assert wrong.loc["pricing_period", "verdict"] == "rates not reproduced"
    # the threshold the methods appendix states is the one applied
    from calib.report.methods import methods_appendix

    assert f"{P.MIN_RATES_REPRODUCED:.0%}" in methods_appendix("05", "en").plain
