"""Tests of calib.compare: reconciliation, agreement statistics, gap drivers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from calib import compare
from calib.errors import CalibInputError, CalibParamsError

POLICY = {"rule": "min", "blend_weight": 0.5, "band_low": 0.67, "band_high": 1.5,
          "provisional": "min", "cap": 500000, "grid": 1000}


def _cons(limits: dict) -> pd.DataFrame:
    df = pd.DataFrame({"consensus_limit": pd.Series(limits, dtype=float)})
    df.index.name = "household_id"
    df["village"] = "v1"
    return df


def test_compare_limits_classes_rules_and_missing():
    cons = _cons({"a": 50000, "b": 50000, "c": 50000, "d": 0, "e": 40000, "f": 0, "g": 400000, "x": 30000})
    runs = pd.DataFrame({
        "household_id": ["a", "a", "b", "c", "d", "e", "f", "g", "y"],
        "run_date": pd.to_datetime(["2025-06-30", "2025-01-31", "2025-06-30", "2025-06-30",
                                    "2025-06-30", "2025-06-30", "2025-06-30", "2025-06-30", "2025-06-30"]),
        "model_limit": [60000, 999999, 100000, 20000, 30000, 0, 0, 700000, 10000],
    })
    out = compare.compare_limits(cons, runs, policy=POLICY)
    assert set(out.index) == set("abcdefgxy")  # nothing dropped
    assert out.loc["a", "model_limit"] == 60000  # latest run, not the first row
    assert out.loc["a", "ratio"] == pytest.approx(1.2) and out.loc["a", "reason"] == "within_band"
    assert out.loc["a", "final_limit"] == 50000 and not out.loc["a", "gap_flag"]
    assert out.loc["b", "reason"] == "model_above_band" and out.loc["b", "gap_flag"]
    assert out.loc["b", "final_limit"] == 50000  # provisional min
    assert out.loc["c", "reason"] == "model_below_band" and out.loc["c", "final_limit"] == 20000
    assert out.loc["d", "grant_class"] == "model_only" and out.loc["d", "final_limit"] == 0
    assert out.loc["e", "grant_class"] == "consensus_only" and out.loc["e", "reason"] == "model_declined"
    assert out.loc["f", "grant_class"] == "neither" and not out.loc["f", "gap_flag"]
    assert out.loc["g", "final_limit"] == 400000 and out.loc["g", "reason"] == "model_above_band"
    assert out.loc["x", "grant_class"] == "no_model_run" and out.loc["x", "final_limit"] == 0
    assert out.loc["y", "grant_class"] == "no_consensus" and out.loc["y", "gap_flag"]
    assert out.loc["b", "exposure_gap"] == 50000
    # other rules inside the band, cap and grid
    blend = compare.compare_limits(cons, runs, policy={**POLICY, "rule": "blend"})
    assert blend.loc["a", "final_limit"] == np.round(np.sqrt(50000 * 60000) / 1000) * 1000
    model = compare.compare_limits(cons, runs, policy={**POLICY, "rule": "model", "provisional": "model"})
    assert model.loc["a", "final_limit"] == 60000
    assert model.loc["g", "final_limit"] == 500000 and model.loc["g", "capped"]
    zero = compare.compare_limits(cons, runs, policy={**POLICY, "provisional": "zero"})
    assert zero.loc["b", "final_limit"] == 0
    assert (out["final_limit"] % 1000 == 0).all() and (out["final_limit"] <= 500000).all()


def test_policy_errors():
    cons = _cons({"a": 1000})
    runs = pd.DataFrame({"household_id": ["a"], "run_date": pd.to_datetime(["2025-01-01"]), "model_limit": [1000]})
    with pytest.raises(CalibParamsError, match="rule"):
        compare.compare_limits(cons, runs, policy={"rule": "max"})
    with pytest.raises(CalibParamsError, match="unknown"):
        compare.compare_limits(cons, runs, policy={"band": 1})
    with pytest.raises(CalibParamsError, match="band_low"):
        compare.compare_limits(cons, runs, policy={"band_low": 1.2})
    with pytest.raises(CalibInputError, match="model_limit"):
        compare.compare_limits(cons, runs.drop(columns="model_limit"))


def _programme(n_v=40, n=60, seed=0, beta=0.3):
    rng = np.random.default_rng(seed)
    H = n_v * n
    village = np.repeat([f"v{i:02d}" for i in range(n_v)], n)
    v_eff = np.repeat(rng.normal(0, 0.15, n_v), n)
    x1 = rng.normal(size=H) + np.repeat(rng.normal(0, 1, n_v), n)  # correlated with villages
    x2 = rng.normal(size=H)
    lc = np.log(50000) + 0.5 * rng.normal(size=H)
    lr = 0.05 + v_eff + beta * x1 + 0.2 * rng.normal(size=H)
    hid = pd.Index([f"h{i}" for i in range(H)], name="household_id")
    cons = pd.DataFrame({"village": village, "consensus_limit": np.exp(lc)}, index=hid)
    cons.loc[hid[:50], "consensus_limit"] = 0.0
    runs = pd.DataFrame({"household_id": hid, "run_date": pd.Timestamp("2025-06-30"),
                         "model_limit": np.exp(lc + lr)})
    runs.loc[100:130, "model_limit"] = 0.0
    feats = pd.DataFrame({"x1": x1, "x2": x2}, index=hid)
    return cons, runs, feats, v_eff


def test_agreement_summary_matches_hand_computation():
    from sklearn.metrics import cohen_kappa_score

    cons, runs, _, _ = _programme()
    cmp_ = compare.compare_limits(cons, runs, policy={**POLICY, "cap": None})
    s = compare.agreement_summary(cmp_, by="village", n_boot=300, random_state=1, pb_max_n=0)
    ov = s.iloc[0]
    both = cmp_[cmp_["grant_class"] == "both"]
    d = np.log(both["model_limit"]) - np.log(both["consensus_limit"])
    assert ov["n_pairs"] == len(both)
    assert ov["bias_ratio"] == pytest.approx(np.exp(d.mean()), rel=1e-12)
    assert ov["loa_low_ratio"] == pytest.approx(np.exp(d.mean() - stats.norm.ppf(0.975) * d.std(ddof=1)), rel=1e-12)
    assert ov["loa_high_ratio"] == pytest.approx(np.exp(d.mean() + stats.norm.ppf(0.975) * d.std(ddof=1)), rel=1e-12)
    x, y = np.log(both["consensus_limit"]).to_numpy(), np.log(both["model_limit"]).to_numpy()
    ccc = 2 * np.cov(x, y, ddof=0)[0, 1] / (x.var() + y.var() + (x.mean() - y.mean()) ** 2)
    assert ov["ccc"] == pytest.approx(ccc, rel=1e-12)
    assert ov["ccc_low"] < ov["ccc"] < ov["ccc_high"]
    lr = stats.linregress((x + y) / 2, y - x)
    assert ov["prop_slope"] == pytest.approx(lr.slope) and ov["prop_p"] == pytest.approx(lr.pvalue)
    k = cohen_kappa_score(cmp_["consensus_limit"] > 0, cmp_["model_limit"] > 0)
    assert ov["kappa"] == pytest.approx(k)
    assert (s["level"] == "village").sum() == 40
    again = compare.agreement_summary(cmp_, n_boot=300, random_state=1, pb_max_n=0)
    assert again.iloc[0]["ccc_low"] == ov["ccc_low"]  # seeded


def test_group_rows_alone_are_the_group_rows_of_the_whole_summary():
    """``overall=False`` leaves the overall row out (report 03 has it already, with its
    bootstrap interval) and the group rows are those of the whole summary; their Passing-Bablok
    subsample (above ``pb_max_n`` pairs) follows ``random_state``."""
    cons, runs, _, _ = _programme(n_v=4, n=60)
    cmp_ = compare.compare_limits(cons, runs, policy={**POLICY, "cap": None})
    cmp_["township"] = np.where(cmp_["village"] < "v02", "t1", "t2")
    whole = compare.agreement_summary(cmp_, by="township", n_boot=0)
    groups = compare.agreement_summary(cmp_, by="township", n_boot=0, overall=False)
    assert list(groups["group"]) == ["t1", "t2"] and list(whole["group"]) == ["overall", "t1", "t2"]
    pd.testing.assert_frame_equal(groups, whole.iloc[1:].reset_index(drop=True))
    sub = {s: compare.agreement_summary(cmp_, by="township", n_boot=0, overall=False, pb_max_n=40, random_state=s)
           for s in (1, 2)}
    pd.testing.assert_frame_equal(sub[1], compare.agreement_summary(
        cmp_, by="township", n_boot=0, overall=False, pb_max_n=40, random_state=1))
    assert not np.allclose(sub[1]["pb_slope"], sub[2]["pb_slope"])  # a subsample, seeded
    with pytest.raises(CalibParamsError, match="overall=False needs by"):
        compare.agreement_summary(cmp_, n_boot=0, overall=False)
    empty = compare.agreement_summary(cmp_.iloc[:0], by="township", n_boot=0, overall=False)
    assert len(empty) == 0 and list(empty.columns) == list(whole.columns)


def test_deming_recovers_slope():
    rng = np.random.default_rng(3)
    t = rng.normal(0, 1, 5000)
    x = t + rng.normal(0, 0.3, t.size)
    y = 0.5 + 1.3 * t + rng.normal(0, 0.6, t.size)
    slope, icpt = compare.deming_slope(x, y, lam=(0.6 / 0.3) ** 2)
    assert slope == pytest.approx(1.3, abs=0.05) and icpt == pytest.approx(0.5, abs=0.05)
    ols = np.polyfit(x, y, 1)[0]
    assert ols < 1.25  # attenuated; Deming is not


def test_gap_drivers_recovers_coefficient_and_village_effects():
    import statsmodels.formula.api as smf

    cons, runs, feats, v_eff = _programme(beta=0.3)
    cmp_ = compare.compare_limits(cons, runs)
    gd = compare.gap_drivers(cmp_, feats)
    coef, villages = gd.coefficients, gd.villages
    c = coef.set_index("term")
    assert c.loc["x1", "coef"] == pytest.approx(0.3, abs=0.03)
    assert c.loc["x1", "ci_low"] < 0.3 < c.loc["x1", "ci_high"]
    assert abs(c.loc["x2", "coef"]) < 0.03
    assert gd.n_dropped == 0 and gd.n_clusters == 40
    # same slopes as the dummy-variable regression with cluster-robust SE
    df = cmp_[np.isfinite(cmp_["log_ratio"])].join(feats)
    ref = smf.ols("log_ratio ~ x1 + x2 + C(village)", df).fit(cov_type="cluster",
                                                              cov_kwds={"groups": pd.factorize(df["village"])[0]})
    assert c.loc["x1", "coef"] == pytest.approx(ref.params["x1"], rel=1e-8)
    assert c.loc["x1", "std_err"] == pytest.approx(ref.bse["x1"], rel=0.1)
    # village effects track the injected ones
    true_v = pd.Series(v_eff[::60], index=[f"v{i:02d}" for i in range(40)])
    est = villages.set_index("group")["effect"]
    assert np.corrcoef(est.reindex(true_v.index), true_v)[0, 1] > 0.9
    assert set(villages["direction"]) <= {"model_above", "model_below", "in_line"}
    strong = true_v[true_v > 0.25].index
    assert (villages.set_index("group").loc[strong, "direction"] == "model_above").all()


def test_investigation_list_sorted_with_codes():
    cons, runs, _, _ = _programme()
    cons["needs_rereview"] = False
    cons.iloc[0, cons.columns.get_loc("needs_rereview")] = True
    cmp_ = compare.compare_limits(cons, runs)
    inv = compare.investigation_list(cmp_)
    assert len(inv) == int(cmp_["gap_flag"].sum())
    assert inv["exposure_gap"].is_monotonic_decreasing
    assert inv["reason_codes"].str.split(";").str[0].isin(list(compare.REASONS)).all()
    assert "household_id" in inv.columns and "reason" in inv.columns


# ------------------------------------------------------------------------------- features, lists, exposure
def _tiny_programme():
    from calib.programme import Programme

    roster = pd.DataFrame({
        "household_id": ["A", "A", "B", "B", "C"],
        "township": "t1", "village": ["v1", "v1", "v1", "v1", "v2"], "group": "1组",
        "name": ["张三丰", "李四", "欧阳明华", "王五", "赵六"],
        "id_number": ["441821197606052215", "441821197306262135", "44182119460520696X",
                      "441802198209166884", "441821197406161235"],
        "phone": ["13912345678", "13800001111", "15712347218", "13500002222", "18600003333"],
        "relation_to_head": ["配偶", "户主", "户主", "子", "户主"],
        "age": [60, 58, 44, 20, 70], "land_mu": [1.0, 2.5, 3.0, np.nan, 0.5],
    })
    reviews = pd.DataFrame({
        "household_id": ["A", "A", "B", "B", "B"], "reviewer_id": ["r1", "r2", "r1", "r2", "r3"],
        "business_rating": pd.array([3, 4, 5, 5, 2], dtype="Int64"),
        "integrity_rating": pd.array([4, 4, 1, 2, 3], dtype="Int64"),
        "annual_income": [10_000.0, 40_000.0, 20_000.0, 0.0, 20_000.0],
        "proposed_limit": [10_000.0] * 5, "village": ["v1"] * 5, "township": "t1",
    })
    points = pd.DataFrame({"household_id": ["A", "A", "B"], "period": ["2025", "2024", "2024"],
                           "points": [300.0, 100.0, 250.0]})
    runs = pd.DataFrame({"household_id": ["A", "B"], "run_date": pd.Timestamp("2025-06-30"),
                         "model_limit": [10_000.0, 10_000.0]})
    return Programme(roster=roster, reviews=reviews, model_runs=runs, points=points)


def test_household_features_by_hand():
    prog = _tiny_programme()
    f = compare.household_features(prog)
    assert list(f.columns) == ["business_rating", "integrity_rating", "log_income", "land_mu", "head_age", "points_100"]
    assert list(f.index) == ["A", "B", "C"] and (f.dtypes == float).all()
    assert f.loc["A", "business_rating"] == 3.5 and f.loc["B", "integrity_rating"] == pytest.approx(2.0)
    assert f.loc["A", "log_income"] == pytest.approx((np.log(10_000) + np.log(40_000)) / 2)
    assert f.loc["B", "log_income"] == pytest.approx(np.log(20_000))  # zero income left out
    assert f.loc["A", "land_mu"] == 3.5 and f.loc["B", "land_mu"] == 3.0
    assert f.loc["A", "head_age"] == 58 and f.loc["B", "head_age"] == 44  # the 户主, not the oldest
    # one period for every household (the programme's latest, as in calib.households): B has no
    # 2025 record, so no points there, rather than its own older 2024 figure
    assert f.loc["A", "points_100"] == 3.0 and np.isnan(f.loc["B", "points_100"])
    assert np.isnan(f.loc["C", "business_rating"]) and np.isnan(f.loc["C", "points_100"])
    prog.points = None
    assert "points_100" not in compare.household_features(prog).columns


def test_investigation_list_masks_personal_data():
    prog = _tiny_programme()
    cons = _cons({"A": 50_000, "B": 50_000, "C": 30_000})
    cons["village"] = ["v1", "v1", "v2"]
    runs = pd.DataFrame({"household_id": ["A", "B", "C"], "run_date": pd.Timestamp("2025-06-30"),
                         "model_limit": [200_000.0, 55_000.0, 0.0]})
    cmp_ = compare.compare_limits(cons, runs, policy=POLICY)
    inv = compare.investigation_list(cmp_, households=prog.households(), roster=prog.roster)
    assert list(inv["household_id"]) == ["A", "C"]  # B is inside the band; largest gap first
    assert list(inv["head_name"]) == ["李*", "赵*"]  # the 户主, surname only
    assert list(inv["head_phone"]) == ["138****1111", "186****3333"]
    assert list(inv["provisional_limit"]) == [50_000.0, 0.0]
    assert list(inv["reason"]) == ["model_above_band", "model_declined"]
    # the households' 村民小组, named apart from the scope column (group) of the tables by level
    assert list(inv["village_group"]) == ["1组", "1组"] and "group" not in inv.columns
    text = inv.to_csv()
    for col in ("name", "id_number", "phone"):
        for raw in prog.roster[col]:
            assert raw not in text, (col, raw)
    # the compound surname keeps two characters
    cons2 = _cons({"B": 50_000})
    cmp2 = compare.compare_limits(cons2, runs[runs["household_id"] == "B"].assign(model_limit=1e6), policy=POLICY)
    assert compare.investigation_list(cmp2, roster=prog.roster)["head_name"].tolist() == ["欧阳**"]


def test_exposure_by_group_and_compare_rules():
    cons, runs, _, _ = _programme(n_v=5, n=40)
    cmp_ = compare.compare_limits(cons, runs, policy=POLICY)
    e = compare.exposure_by_group(cmp_, by="village")
    ov = e.iloc[0]
    assert ov["total_consensus"] == pytest.approx(cmp_["consensus_limit"].sum())
    assert ov["total_model"] == pytest.approx(cmp_["model_limit"].fillna(0).sum())
    assert ov["total_final"] == pytest.approx(cmp_["final_limit"].sum())
    assert ov["n_gap"] == int(cmp_["gap_flag"].sum())
    byv = e[e["level"] == "village"].set_index("group")
    assert byv["total_final"].sum() == pytest.approx(ov["total_final"])
    assert byv.loc["v00", "total_model"] == pytest.approx(cmp_.loc[cmp_["village"] == "v00", "model_limit"].sum())
    rules = compare.compare_rules(cons, runs, policy=POLICY).set_index("rule")
    assert list(rules.index) == ["min", "consensus", "model", "blend"]
    assert rules["current"].tolist() == [True, False, False, False]
    for rule in rules.index:
        ref = compare.compare_limits(cons, runs, policy={**POLICY, "rule": rule})["final_limit"]
        assert rules.loc[rule, "total_final"] == pytest.approx(ref.sum())
        assert rules.loc[rule, "households_granted"] == int((ref > 0).sum())
    # min never grants more than the consensus or the model rule
    assert rules.loc["min", "total_final"] <= min(rules.loc["consensus", "total_final"], rules.loc["model", "total_final"])
    assert rules.loc["consensus", "vs_current"] == pytest.approx(rules.loc["consensus", "total_final"] / rules.loc["min", "total_final"])


def test_ineligible_households_get_no_credit_and_no_investigation(sample_programme):
    """Report 03 sent 568 households with no eligible member to the account managers as "no
    model run" (555 of them with a consensus limit: 1,430 万元 of the exposure gap). The truth
    of the sample: the model is run for eligible, profiled households only."""
    from calib.consensus import consensus_limits
    from calib.programme.eligibility import eligible_households

    prog = sample_programme
    cons = consensus_limits(prog.reviews, relations=prog.relations)
    cmp_ = compare.compare_limits(cons, prog.model_runs, policy=POLICY)
    elig = eligible_households(prog.roster)
    out = compare.apply_eligibility(cmp_, elig)
    gone = elig.index[~elig["eligible"]].intersection(out.index)
    assert len(gone) > 100 and (out.loc[gone, "reason"] == "ineligible").all()
    assert (out.loc[gone, "final_limit"] == 0).all() and not out.loc[gone, "gap_flag"].any()
    # no ineligible household has a model run: before, each was a "no model run" to investigate
    assert cmp_.loc[gone, "reason"].eq("no_model_run").all()
    inv = compare.investigation_list(out)
    assert not inv.index.isin(gone).any() and "ineligible" not in set(inv["reason"])
    kept = out.index.difference(gone)
    pd.testing.assert_frame_equal(out.loc[kept], cmp_.loc[kept])  # the others untouched
    assert out["final_limit"].sum() == cmp_["final_limit"].sum()  # they had no final limit anyway


def test_limit_bridge_adds_up_and_tells_the_eligibility_rules_from_the_policy():
    """Report 03 called the whole fall from the consensus total to the final total "the
    policy's" change, though almost half of it was the consensus of households with no eligible
    member. The bridge gives each reason its change; the changes add up to the overall row."""
    cons = _cons({"a": 50000, "b": 50000, "c": 50000, "d": 0, "e": 40000, "f": 0, "g": 80000, "x": 30000,
                  "z": 20000})
    runs = pd.DataFrame({"household_id": list("abcdefgy"),
                         "model_limit": [60000, 100000, 20000, 30000, 0, 0, 70000, 10000]})
    cmp_ = compare.compare_limits(cons, runs, policy=POLICY)
    elig = pd.DataFrame({"eligible": [True] * 8 + [False]}, index=pd.Index(list("abcdefgxz"), name="household_id"))
    cmp_ = compare.apply_eligibility(cmp_, elig)
    b = compare.limit_bridge(cmp_).set_index("reason")
    assert b.index[0] == "overall" and b.loc["overall", "households"] == len(cmp_) == 10
    assert b.loc["overall", "total_consensus"] == 50000 * 3 + 40000 + 80000 + 30000 + 20000
    assert b.loc["overall", "total_final"] == pytest.approx(cmp_["final_limit"].sum())
    assert b.iloc[1:]["limit_change"].sum() == pytest.approx(b.loc["overall", "limit_change"])
    assert b.iloc[1:]["households"].sum() == 10
    assert b.loc["ineligible", "limit_change"] == -20000 and b.loc["ineligible", "cause"] == "cause_eligibility"
    assert b.loc["within_band", "households"] == 2  # a (1.2) and g (0.875): the smaller of the two
    assert b.loc["within_band", "limit_change"] == -10000 and b.loc["within_band", "cause"] == "cause_band_rule"
    assert b.loc["model_below_band", "limit_change"] == -30000  # c: provisional min 20,000
    assert b.loc["model_declined", "limit_change"] == -40000    # e: the model declines, provisional 0
    assert b.loc["no_model_run", "cause"] == "cause_unconfirmed" and b.loc["no_model_run", "limit_change"] == -30000
    tot = compare.bridge_totals(compare.limit_bridge(cmp_))
    assert tot["eligibility"] == -20000 and tot["band_rule"] == -10000 and tot["unconfirmed"] == -30000
    assert tot["provisional"] == -30000 - 40000 and tot["policy"] == tot["limit_change"] + 20000
    assert tot["households_outside_band"] == 2 and tot["provisional_outside_band"] == 50000 + 20000  # b, c
    assert tot["households_ineligible"] == 1 and isinstance(tot["households_ineligible"], int)
    # investigated: b, c (outside the band), d, e (one side declines); their provisional limits 50,000 + 20,000
    assert tot["households_provisional"] == 4 and tot["provisional_total"] == 70000
    assert tot["households_declined_one_side"] == 2 and tot["provisional_declined"] == 0
    with pytest.raises(CalibInputError, match="reason"):
        compare.limit_bridge(cmp_.assign(reason="made_up"))


def _with_ineligible(n_inel: int = 300):
    """The test programme with ``n_inel`` households (spread over the villages) that have no
    eligible member although the panel and the model both gave them a limit: their model limit
    is ten times the consensus, so that they would pull every agreement figure if counted."""
    cons, runs, feats, _ = _programme(n_v=10, n=80)
    inel = cons.index[100::(len(cons) - 100) // n_inel][:n_inel]
    runs = runs.copy()
    pos = runs["household_id"].isin(inel).to_numpy()
    runs.loc[pos, "model_limit"] = cons.loc[runs.loc[pos, "household_id"], "consensus_limit"].to_numpy() * 10
    elig = pd.Series(~cons.index.isin(inel), index=cons.index, name="eligible")
    cmp_ = compare.apply_eligibility(compare.compare_limits(cons, runs, policy=POLICY), elig)
    return cons, runs, feats, cmp_, elig, inel


def test_ineligible_households_enter_no_agreement_figure():
    """Households with no eligible member are set apart from the comparison: the agreement
    statistics, the grants table and the gap drivers equal those of the eligible households
    alone, and the rows in are the rows used plus the rows set apart. Before, an ineligible
    household with both limits was a pair like any other."""
    cons, runs, feats, cmp_, elig, inel = _with_ineligible()
    assert len(inel) == 300 and (cmp_.loc[inel, "consensus_limit"] > 0).sum() > 250
    kept = cmp_.drop(index=inel)
    got = compare.agreement_summary(cmp_, by="village", n_boot=0, pb_max_n=0)
    want = compare.agreement_summary(kept, by="village", n_boot=0, pb_max_n=0)
    pd.testing.assert_frame_equal(got, want)
    a = compare.set_apart_counts(cmp_)
    assert a["ineligible"] == 300 and a["ineligible_both_limits"] == 300
    assert a["households"] == len(cmp_) == a["compared"] + a["ineligible"] + a["one_limit_missing"]
    assert got["n_kappa"].iloc[0] == a["compared"] == len(cmp_) - 300
    assert got["n_pairs"].iloc[0] == a["paired"] == int((kept["grant_class"] == "both").sum())
    gd, gd_kept = compare.gap_drivers(cmp_, feats), compare.gap_drivers(kept, feats)
    assert gd.n_obs + gd.n_dropped == a["paired"] and gd.n_obs == gd_kept.n_obs
    pd.testing.assert_frame_equal(gd.coefficients, gd_kept.coefficients)
    from calib.compare.plots import _both

    assert len(_both(cmp_)[0]) == a["paired"]  # the plots draw the pairs only
    assert not compare.investigation_list(cmp_)["household_id"].isin(inel).any()


def test_exposure_table_reconciles_with_the_bridge_and_the_households_compared():
    """The exposure table's programme row is the limit bridge's (households, consensus total,
    final total) and its model total, gap and households compared are those of the households
    the agreement sections compare. Before, a household with no eligible member (here 300, the
    model ten times the consensus) or one limit missing added its model limit to the model
    total and its |model - consensus| to the gap, which the comparison leaves out."""
    cons, runs, _, cmp_, elig, inel = _with_ineligible()
    gone = cons.index[-7:]                        # no model run: one limit missing
    cmp_ = compare.apply_eligibility(compare.compare_limits(cons, runs[~runs["household_id"].isin(gone)],
                                                            policy=POLICY), elig)
    e = compare.exposure_by_group(cmp_, by="village")
    ov, tot = e.iloc[0], compare.bridge_totals(compare.limit_bridge(cmp_))
    bridge = compare.limit_bridge(cmp_).iloc[0]
    assert ov["households"] == bridge["households"] == len(cmp_)
    assert ov["total_consensus"] == pytest.approx(tot["total_consensus"])
    assert ov["total_final"] == pytest.approx(tot["total_final"])
    assert ov["total_final"] - ov["total_consensus"] == pytest.approx(tot["eligibility"] + tot["policy"])
    a = compare.set_apart_counts(cmp_)
    assert a["one_limit_missing"] == 7 and a["ineligible"] == 300
    assert ov["n_compared_with_model"] == a["compared"] == compare.grant_crosstab(cmp_).loc["total", "total"]
    pairs = cmp_["grant_class"].isin(compare.COMPARED)
    assert ov["total_model"] == pytest.approx(cmp_.loc[pairs, "model_limit"].sum())
    assert ov["exposure_gap_compared"] == pytest.approx(cmp_.loc[pairs, "exposure_gap"].sum())
    # without the households set apart, the same figures but the bridge's eligibility removal
    alone = compare.exposure_by_group(cmp_[pairs], by="village").iloc[0]
    for col in ("n_compared_with_model", "total_model", "total_final", "exposure_gap_compared"):
        assert ov[col] == pytest.approx(alone[col])
    assert ov["n_gap"] == len(compare.investigation_list(cmp_))   # a missing limit is investigated
    byv = e[e["level"] == "village"]
    for col in ("households", "n_compared_with_model", "total_consensus", "total_model", "total_final", "exposure_gap_compared"):
        assert byv[col].sum() == pytest.approx(ov[col])


def test_compare_rules_remove_the_ineligible_households_under_every_rule():
    """The rules table's current rule totals what the comparison grants. Before, compare_rules
    ignored eligibility: a household with no eligible member and both limits was granted under
    every rule, and the current rule's row exceeded the report's final total."""
    cons, runs, _, cmp_, elig, inel = _with_ineligible()
    rules = compare.compare_rules(cons, runs, policy=POLICY, eligible=elig).set_index("rule")
    assert rules.loc["min", "total_final"] == pytest.approx(cmp_["final_limit"].sum())
    assert rules.loc["min", "households_granted"] == int((cmp_["final_limit"] > 0).sum())
    for rule in rules.index:
        ref = compare.apply_eligibility(compare.compare_limits(cons, runs, policy={**POLICY, "rule": rule}), elig)
        assert rules.loc[rule, "total_final"] == pytest.approx(ref["final_limit"].sum())
        assert rules.loc[rule, "households_granted"] == int((ref["final_limit"] > 0).sum())
        within = ref["reason"].eq("within_band")
        assert rules.loc[rule, "total_within_band"] == pytest.approx(ref.loc[within, "final_limit"].sum())
    # the eligibility of a comparison it was applied to gives the same table (report 03's cell)
    from_cmp = compare.compare_rules(cons, runs, policy=POLICY, eligible=cmp_["grant_class"].ne("ineligible"))
    pd.testing.assert_frame_equal(from_cmp, rules.reset_index())
    everyone = compare.compare_rules(cons, runs, policy=POLICY).set_index("rule")
    assert everyone.loc["min", "total_final"] > rules.loc["min", "total_final"]  # what eligible= takes away


def test_direction_counts_count_every_direction_once():
    v = pd.DataFrame({"direction": ["model_above", "in_line", "model_above", "in_line", "in_line"]})
    d = compare.direction_counts(v)
    assert d.to_dict() == {"model_above": 2, "model_below": 0, "in_line": 3} and d.dtype == "int64"
    assert tuple(d.index) == compare.DIRECTIONS and d.sum() == len(v)
    assert compare.direction_counts(v.iloc[:0]).sum() == 0
    with pytest.raises(CalibInputError, match="direction"):
        compare.direction_counts(v.assign(direction="up"))
    with pytest.raises(CalibInputError, match="direction"):
        compare.direction_counts(pd.DataFrame({"effect": [0.1]}))
