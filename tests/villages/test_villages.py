"""Tests of calib.villages: hand-built programmes with known verdicts (every boundary case) and
the figures of a random programme checked against direct pandas counts."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibInputError, CalibParamsError
from calib.programme import Programme
from calib import villages as cv
from calib.villages._exact import compare
from calib.villages.lacks import _needed_change, _needed_default_change

AS_OF = pd.Timestamp("2026-06-30")
RULES = {  # params/sample.yaml, credit_village
    "a_or_better_share": {"op": ">", "value": 0.55},
    "profiling_rate": {"op": ">=", "value": 0.90},
    "credit_rate": {"op": ">=", "value": 0.50},
    "npl_ratio": {"op": "<=", "value": 0.02},
    "loan_share_vs_county": {"op": ">"},
    "npl_vs_county": {"op": "<"},
    "county_loan_share": None,
    "county_npl_ratio": None,
}
TOWNSHIP_RULES = {"credit_village_share": {"op": ">", "value": 0.75}, "npl_vs_county": {"op": "<"}}
TARGETS = {
    "credit_coverage_final": 0.80,
    "usage_final": 0.30,
    "milestones": [
        {"date": "2019-12-31", "villages": 2, "credit_coverage": 0.10, "usage": 0.20},
        {"date": "2020-12-31", "villages": 10, "credit_coverage": 0.40, "usage": 0.25},
        {"date": "2021-12-31", "villages": 17, "credit_coverage": 0.70, "usage": 0.30},
        {"date": "2022-06-30", "villages": None, "credit_coverage": 0.80, "usage": 0.30},
    ],
}


# ------------------------------------------------------------------------------------------
# Hand-built programmes
# ------------------------------------------------------------------------------------------
def village(
    name: str,
    *,
    township: str = "T1",
    n: int = 10,
    inelig: int = 0,
    profiled: int | None = None,
    credited: int | None = None,
    a: int | None = None,
    loans: list[tuple[int, float, int]] | None = None,
) -> dict:
    """A village spec: ``n`` eligible households (one member aged 40) and ``inelig`` households
    whose only member is 70; the first ``profiled`` eligible ones are reviewed (every household
    has a model run), the first ``credited`` get a model limit of 10,000; the first ``a``
    households are graded A (others B); ``loans``: (household index, drawn, default)."""
    return dict(name=name, township=township, n=n, inelig=inelig,
                profiled=n if profiled is None else profiled,
                credited=(n if profiled is None else profiled) if credited is None else credited,
                a=n + inelig if a is None else a, loans=loans or [])


def build(*specs: dict, as_of=AS_OF) -> Programme:
    ro, rv, mr, ln = [], [], [], []
    for s in specs:
        for i in range(s["n"] + s["inelig"]):
            h = f"{s['name']}-{i:03d}"
            ro.append(dict(township=s["township"], village=s["name"], household_id=h,
                           age=40 if i < s["n"] else 70, status="alive", bad_record=False))
            if i < s["profiled"]:
                rv.append(dict(household_id=h, reviewer_id="r1", proposed_limit=10000.0))
            mr.append(dict(household_id=h, run_date=pd.Timestamp("2026-01-15"), model_score=1.0,
                           model_limit=10000.0 if i < s["credited"] else 0.0,
                           grade="A" if i < s["a"] else "B"))
        for j, (i, drawn, d) in enumerate(s["loans"]):
            ln.append(dict(household_id=f"{s['name']}-{i:03d}", loan_id=f"{s['name']}-L{j}",
                           start_date=pd.Timestamp("2026-02-01"), granted_limit=10000.0,
                           drawn_amount=float(drawn), default=d))
    loans = pd.DataFrame(ln) if ln else None
    if loans is not None:
        loans["default"] = loans["default"].astype("Int64")
    return Programme(roster=pd.DataFrame(ro), reviews=pd.DataFrame(rv),
                     model_runs=pd.DataFrame(mr), loans=loans, as_of=as_of)


def verdicts_of(prog: Programme, rules=RULES, **kw) -> pd.DataFrame:
    k = cv.programme_kpis(prog, as_of=AS_OF)
    return cv.certify_villages(k, rules=rules, **kw).set_index("village")


# ------------------------------------------------------------------------------------------
# Boundary cases, criterion by criterion
# ------------------------------------------------------------------------------------------
def test_a_or_better_boundary_55_is_not_above_55():
    # 11 of 20 households (2 of them ineligible: the share is of ALL households) = 55.0% fails
    v = verdicts_of(build(village("V55", n=18, inelig=2, a=11), village("V60", n=20, a=12)))
    assert v.loc["V55", "a_or_better_share_figure"] == pytest.approx(0.55)
    assert v.loc["V55", "a_or_better_share_threshold"] == 0.55
    assert v.loc["V55", "a_or_better_share"] == "fail"
    assert v.loc["V60", "a_or_better_share"] == "pass"
    assert "a_or_better_share" in v.loc["V55", "failed"]


def test_a_or_better_at_least_when_params_say_so():
    rules = {**RULES, "a_or_better_share": {"op": ">=", "value": 0.55}}
    v = verdicts_of(build(village("V55", n=20, a=11)), rules=rules)
    assert v.loc["V55", "a_or_better_share"] == "pass"


def test_profiling_boundary_90_is_at_least_90():
    v = verdicts_of(build(village("V90", n=10, profiled=9),
                          village("V89", n=100, profiled=89),
                          village("V85", n=20, profiled=17)))
    assert v.loc["V90", "profiling_rate"] == "pass"
    assert v.loc["V90", "profiling_rate_figure"] == pytest.approx(0.9)
    assert v.loc["V89", "profiling_rate"] == "fail"
    assert v.loc["V85", "profiling_rate"] == "fail"


def test_credit_rate_boundary_50_is_at_least_50():
    v = verdicts_of(build(village("V50", n=10, profiled=10, credited=5),
                          village("V40", n=10, profiled=10, credited=4)))
    assert v.loc["V50", "credit_rate"] == "pass"
    assert v.loc["V40", "credit_rate"] == "fail"
    assert v.loc["V40", "credit_rate_figure"] == pytest.approx(0.4)


def test_npl_boundary_2_percent_passes_at_most_in_exact_cents():
    # defaulted 1000.10 + 2000.20 = 3000.30 of 150,015.00 drawn = 2.0% exactly (float sums of
    # these amounts are not exact; the verdict must still be "pass")
    loans2 = [(0, 1000.10, 1), (1, 2000.20, 1), (2, 147014.70, 0)]
    loans3 = [(0, 3000.31, 1), (2, 147014.70, 0)]  # 3000.31 / 150015.01 > 2%
    v = verdicts_of(build(village("V2", loans=loans2), village("V2x", loans=loans3)))
    assert v.loc["V2", "npl_ratio"] == "pass"
    assert v.loc["V2", "npl_ratio_figure"] == pytest.approx(0.02)
    assert v.loc["V2x", "npl_ratio"] == "fail"


def test_npl_strict_below_when_params_say_so():
    rules = {**RULES, "npl_ratio": {"op": "<", "value": 0.02}}
    v = verdicts_of(build(village("V2", loans=[(0, 2000, 1), (1, 98000, 0)])), rules=rules)
    assert v.loc["V2", "npl_ratio"] == "fail"


def test_equal_to_county_average_fails_above_and_below():
    # a single village is the whole county: loan share and NPL equal the county's -> both fail
    v = verdicts_of(build(village("V", loans=[(0, 1000, 1), (1, 99000, 0)])))
    assert v.loc["V", "loan_share_vs_county_figure"] == v.loc["V", "loan_share_vs_county_threshold"]
    assert v.loc["V", "loan_share_vs_county"] == "fail"
    assert v.loc["V", "npl_vs_county"] == "fail"
    # two villages with identical figures: still equal to the county
    v2 = verdicts_of(build(village("A", loans=[(0, 1000, 1), (1, 99000, 0)]),
                           village("B", loans=[(0, 1000, 1), (1, 99000, 0)])))
    assert (v2["loan_share_vs_county"] == "fail").all()
    assert (v2["npl_vs_county"] == "fail").all()


def test_county_relative_above_and_below():
    # A: 3 of 10 households borrow, NPL 1%; B: 1 of 10, NPL 5% -> county 20%, NPL (1000+5000)/
    # (100000+100000) = 3%
    v = verdicts_of(build(
        village("A", loans=[(0, 1000, 1), (1, 49000, 0), (2, 50000, 0)]),
        village("B", loans=[(0, 5000, 1), (0, 95000, 0)]),
    ))
    assert v.loc["A", "loan_share_vs_county_threshold"] == pytest.approx(0.2)
    assert v.loc["A", "npl_vs_county_threshold"] == pytest.approx(0.03)
    assert v.loc["A", "loan_share_vs_county"] == "pass"
    assert v.loc["A", "npl_vs_county"] == "pass"
    assert v.loc["B", "loan_share_vs_county"] == "fail"
    assert v.loc["B", "npl_vs_county"] == "fail"
    assert v.loc["B", "npl_ratio"] == "fail"  # 5% > 2%


def test_county_figures_from_params():
    rules = {**RULES, "county_loan_share": 0.3, "county_npl_ratio": 0.01}
    v = verdicts_of(build(village("A", loans=[(0, 1000, 1), (1, 49000, 0), (2, 50000, 0)])),
                    rules=rules)
    # 3/10 is not above 30%; NPL 1% is not below 1%
    assert v.loc["A", "loan_share_vs_county_threshold"] == 0.3
    assert v.loc["A", "loan_share_vs_county"] == "fail"
    assert v.loc["A", "npl_vs_county"] == "fail"
    rules = {**RULES, "county_loan_share": 0.29, "county_npl_ratio": 0.011}
    v = verdicts_of(build(village("A", loans=[(0, 1000, 1), (1, 49000, 0), (2, 50000, 0)])),
                    rules=rules)
    assert v.loc["A", "loan_share_vs_county"] == "pass"
    assert v.loc["A", "npl_vs_county"] == "pass"


def test_no_data_fails_never_passes():
    # village without loans: NPL has no figure; village without eligible households: profiling
    # and credit rate have no figure
    v = verdicts_of(build(village("NL"), village("NE", n=0, inelig=5),
                          village("L", loans=[(0, 100, 0)])))
    assert np.isnan(v.loc["NL", "npl_ratio_figure"])
    assert v.loc["NL", "npl_ratio"] == "no data"
    assert v.loc["NL", "npl_vs_county"] == "no data"
    assert "npl_ratio (no data)" in v.loc["NL", "failed"]
    assert v.loc["NE", "profiling_rate"] == "no data"
    assert v.loc["NE", "credit_rate"] == "no data"
    assert not v["certified"].any()


def test_qualitative_not_assessed_is_never_a_pass():
    # A is good on every quantitative criterion; B drags the county average
    spec = [village("A", n=10, a=10, loans=[(i, 10000, 0) for i in range(5)]),
            village("B", n=10, a=3, loans=[(0, 10000, 1), (1, 10000, 0)])]
    v = verdicts_of(build(*spec))
    assert v.loc["A", "n_failed"] == 0
    assert (v.loc["A", list(cv.QUALITATIVE_CRITERIA)] == "not assessed").all()
    assert not v.loc["A", "certified"]
    assert v.loc["A", "status"] == "pending assessment"
    assert v.loc["A", "not_assessed"] == "collective_finances, governance, no_disputes"

    ass = pd.DataFrame({"village": ["A", "B"], "collective_finances": [True, True],
                        "governance": [True, False], "no_disputes": [True, pd.NA]})
    v = verdicts_of(build(*spec), assessments=ass)
    assert v.loc["A", "certified"] and v.loc["A", "status"] == "certified"
    assert v.loc["A", "failed"] == ""
    assert v.loc["B", "governance"] == "fail"
    assert v.loc["B", "no_disputes"] == "not assessed"
    assert not v.loc["B", "certified"]
    # partial assessment: A certified only when all three are yes
    ass2 = ass.assign(no_disputes=[pd.NA, True])
    v = verdicts_of(build(*spec), assessments=ass2)
    assert v.loc["A", "status"] == "pending assessment"


def test_assessments_of_unknown_village_raise():
    ass = pd.DataFrame({"village": ["Z"], "governance": [True]})
    with pytest.raises(CalibInputError, match="not in the figures"):
        verdicts_of(build(village("A")), assessments=ass)


# ------------------------------------------------------------------------------------------
# Townships
# ------------------------------------------------------------------------------------------
def _township_case():
    specs = [village(f"T1V{i}", township="T1", loans=[(0, 10000, 0)]) for i in range(4)]
    specs += [village(f"T2V{i}", township="T2", loans=[(0, 10000, int(i == 0))])
              for i in range(5)]
    prog = build(*specs)
    k = cv.programme_kpis(prog, as_of=AS_OF)
    v = cv.certify_villages(k, rules=RULES)
    # certify by hand: T1 3 of 4 (75.0%), T2 4 of 5 (80%)
    v["certified"] = ~v["village"].isin(["T1V0", "T2V0"])
    v["status"] = np.where(v["certified"], "certified", "not certified")
    return k, v


def test_township_75_percent_is_not_above_75():
    k, v = _township_case()
    t = cv.certify_townships(v, k, rules=TOWNSHIP_RULES).set_index("township")
    assert t.loc["T1", "n_villages"] == 4 and t.loc["T1", "n_credit_villages"] == 3
    assert t.loc["T1", "credit_village_share_figure"] == 0.75
    assert t.loc["T1", "credit_village_share"] == "fail"
    assert t.loc["T2", "credit_village_share"] == "pass"
    # NPL: T1 0 of 40,000; T2 10,000 of 50,000; county 10,000 / 90,000
    assert t.loc["T1", "npl_vs_county"] == "pass"
    assert t.loc["T2", "npl_vs_county"] == "fail"
    assert t.loc["T2", "npl_vs_county_threshold"] == pytest.approx(1 / 9)
    assert not t["certified"].any()
    assert t.loc["T2", "failed"] == "npl_vs_county"
    # villages with any qualitative criterion not assessed, whatever else they fail (audit 3, A12)
    na = v.assign(_na=v[list(cv.QUALITATIVE_CRITERIA)].eq("not assessed").any(axis=1)).groupby("township")["_na"].sum()
    assert t["n_not_assessed"].to_dict() == na.to_dict()
    assert (t["n_not_assessed"] >= t["n_pending_assessment"]).all()


def test_township_certified_when_both_pass_and_npl_equal_fails():
    k, v = _township_case()
    v["certified"] = True
    t = cv.certify_townships(v, k, rules=TOWNSHIP_RULES).set_index("township")
    assert t.loc["T1", "certified"]
    assert not t.loc["T2", "certified"]
    # a single township is the county: NPL equal to the county's fails "<"
    one = build(*[village(f"V{i}", loans=[(0, 1000, int(i == 0)), (1, 9000, 0)])
                  for i in range(2)])
    k1 = cv.programme_kpis(one, as_of=AS_OF)
    v1 = cv.certify_villages(k1, rules=RULES).assign(certified=True)
    t1 = cv.certify_townships(v1, k1, rules=TOWNSHIP_RULES)
    assert t1.loc[0, "credit_village_share"] == "pass"
    assert t1.loc[0, "npl_vs_county"] == "fail"


# ------------------------------------------------------------------------------------------
# What each village lacks
# ------------------------------------------------------------------------------------------
def test_nearest_to_certification_says_what_is_lacking():
    specs = [
        # 100 eligible, 87 profiled (need 90: 3 more); NPL 31,760 of 1,000,000: recovering
        # 12,000 gives 19,760 / 988,000 = 2.0% exactly
        village("P", n=100, profiled=87, credited=87, a=100,
                loans=[(0, 31760, 1), (1, 930240, 0)] + [(i, 1000, 0) for i in range(2, 40)]),
        # almost there: only the A-or-better share, 11/20 (need 12)
        village("Q", n=20, a=11, loans=[(i, 1000, 0) for i in range(10)]),
        # far: nothing profiled
        village("R", n=20, profiled=0, a=0),
    ]
    k = cv.programme_kpis(build(*specs), as_of=AS_OF)
    v = cv.certify_villages(k, rules=RULES)
    near = cv.nearest_to_certification(v, k, rules=RULES, top=None, lang="zh-CN").set_index("village")
    assert list(near.index) == ["Q", "P", "R"]
    # what each lacks in the report's words (calib.report.words.lacks, the catalogue's): one wording
    assert "需增加 1 户 A 级及以上农户" in near.loc["Q", "lacks"]
    assert "需增加 3 户已建档农户" in near.loc["P", "lacks"]
    assert "不良率：需收回违约余额 12,000.00 元" in near.loc["P", "lacks"]
    assert near.loc["P", "profiling_rate_needed"] == 3
    assert near.loc["P", "npl_ratio_needed"] == pytest.approx(-12000.0)
    assert "村级治理良好：未评估" in near.loc["Q", "lacks"]
    assert near.loc["R", "credit_rate_needed"] == 0  # no data, not a count
    assert "建档农户授信率：无数据" in near.loc["R", "lacks"]
    from calib.report import words

    flat = near.reset_index()
    assert flat["lacks"].tolist() == words.lacks(flat, v, cv.QUALITATIVE_CRITERIA, cv.VILLAGE_CRITERIA,
                                                 rules=RULES, lang="zh-CN").tolist()
    en = cv.nearest_to_certification(v, k, rules=RULES, top=None, lang="en").set_index("village")
    assert "NPL: recover 12,000.00 yuan of defaulted balance" in en.loc["P", "lacks"]
    assert "3 more profiled households" in en.loc["P", "lacks"]
    assert "1 more household rated A or better" in en.loc["Q", "lacks"]  # its noun's form by the count
    # verdicts on kpis in persons: the profiling change is in eligible persons, not households
    kp = cv.programme_kpis(build(*specs), as_of=AS_OF, unit="person")
    np_ = cv.nearest_to_certification(cv.certify_villages(kp, rules=RULES), kp, rules=RULES, top=None,
                                      lang="zh-CN").set_index("village")
    assert "需增加 3 名已建档农户中的合格人员" in np_.loc["P", "lacks"] and "户已建档" not in np_.loc["P", "lacks"]
    assert len(cv.nearest_to_certification(v, k, rules=RULES, top=2)) == 2
    # a count of criteria and a distance between ratios are kept apart (audit 3, A4): the
    # criteria without data or qualitative and not passed are counted, not added as 1.0 each
    vv = v.set_index("village")
    crit = list(cv.VILLAGE_CRITERIA) + list(cv.QUALITATIVE_CRITERIA)
    for name in "PQR":
        unmeasured = int(vv.loc[name, list(cv.VILLAGE_CRITERIA)].eq("no data").sum()
                         + vv.loc[name, list(cv.QUALITATIVE_CRITERIA)].ne("pass").sum())
        assert near.loc[name, "n_unmeasured"] == unmeasured
        assert near.loc[name, "n_lacking"] == int(vv.loc[name, crit].ne("pass").sum())
    assert near.loc["Q", "gap_figures"] == pytest.approx(0.0)  # 11 / 20 against "> 55%": a distance of 0
    assert 0 < near.loc["P", "gap_figures"] < 0.05
    # the workbook's columns: each change in its unit, the recovery as the page writes it
    named = cv.lack_columns(near.reset_index())
    assert named["profiling_rate_needed_households"].tolist()[1] == 3
    assert named["npl_ratio_recovery"].tolist()[1] == pytest.approx(12000.0)
    assert not [c for c in named if c.endswith("_needed")]
    assert "profiling_rate_needed_persons" in cv.lack_columns(near.reset_index(), "person")
    with pytest.raises(CalibInputError, match="unit"):
        cv.lack_columns(near, "village")

    # the stated changes are exactly sufficient: apply them and the criteria pass; one less fails
    def p_village(profiled, defaulted):
        return village("P", n=100, profiled=profiled, credited=profiled, a=100,
                       loans=[(0, defaulted, 1), (1, 930240, 0)]
                       + [(i, 1000, 0) for i in range(2, 40)])

    vf = verdicts_of(build(p_village(90, 19760)))
    assert vf.loc["P", "profiling_rate"] == "pass" and vf.loc["P", "npl_ratio"] == "pass"
    vf = verdicts_of(build(p_village(89, 19760.01)))
    assert vf.loc["P", "profiling_rate"] == "fail" and vf.loc["P", "npl_ratio"] == "fail"


@pytest.mark.parametrize("op,value,fails", [
    ("<=", 0.02, None), ("<", 0.02, None),
    (">", 0.05, ("不良率（余额）：未超过 5%", "NPL ratio (balance): not above 5%")),
    (">=", 0.05, ("不良率（余额）：低于 5%", "NPL ratio (balance): below 5%"))])
def test_what_a_village_lacks_follows_any_npl_operator(op, value, fails):
    """A bank may set the NPL rule the other way (by mistake or design): a village failing it
    still lacks something, in the direction the rule asks. NPL 31,760 / 1,000,000 = 3.18%."""
    spec = village("P", n=100, profiled=100, credited=100, a=100,
                   loans=[(0, 31760, 1), (1, 930240, 0)] + [(i, 1000, 0) for i in range(2, 40)])
    rules = {**RULES, "npl_ratio": {"op": op, "value": value}}
    k = cv.programme_kpis(build(spec), as_of=AS_OF)
    v = cv.certify_villages(k, rules=rules)
    assert v.set_index("village").loc["P", "npl_ratio"] == "fail"
    for i, lang in enumerate(("zh-CN", "en")):
        near = cv.nearest_to_certification(v, k, rules=rules, top=None, lang=lang).set_index("village")
        need, lack = near.loc["P", "npl_ratio_needed"], near.loc["P", "lacks"]
        if fails is None:  # asked down: recovered or written off (12,000 for <= 2%; one cent more for <)
            assert need == pytest.approx(-12000.0 if op == "<=" else -12000.01)
            assert ("不良率：需收回违约余额 " if i == 0 else "NPL: recover ") + f"{-need:,.2f}" in lack
        else:  # asked up: more defaulted balance, and the words state the rule the figure fails
            assert need > 0
            assert lack.split("；" if i == 0 else "; ")[0] == fails[i]


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
def test_what_a_village_lacks_against_the_county_follows_its_operator(op):
    """The county-relative NPL rule with each operator: a failing village lacks a recovery (the
    rule asks the ratio down) or states the rule it fails (asks it up)."""
    from calib.report.words import rule_words

    low = village("L", n=20, profiled=20, credited=20, a=20,
                  loans=[(0, 1000, 1)] + [(i, 1000, 0) for i in range(1, 20)])   # 5%
    high = village("H", n=20, profiled=20, credited=20, a=20,
                   loans=[(0, 4000, 1)] + [(i, 1000, 0) for i in range(1, 20)])  # 17.4%
    rules = {**RULES, "npl_vs_county": {"op": op}, "npl_ratio": {"op": "<=", "value": 0.99},
             "loan_share_vs_county": {"op": ">="}}
    k = cv.programme_kpis(build(low, high), as_of=AS_OF)
    v = cv.certify_villages(k, rules=rules)
    failing = "H" if op in ("<", "<=") else "L"
    assert v.set_index("village").loc[failing, "npl_vs_county"] == "fail"
    for lang in ("zh-CN", "en"):
        near = cv.nearest_to_certification(v, k, rules=rules, top=None, lang=lang).set_index("village")
        need, lack = near.loc[failing, "npl_vs_county_needed"], near.loc[failing, "lacks"]
        rw = rule_words(op, None, lang)
        if op in ("<", "<="):
            assert need < 0 and rw["meets"] in lack
        else:
            assert need > 0 and rw["fails"] in lack


def test_needed_change_is_minimal_for_every_operator():
    num = np.array([0, 5, 11, 30], dtype=object)
    den = np.array([10, 10, 20, 100], dtype=object)
    for op in (">", ">=", "<", "<="):
        for p, q in ((1, 2), (11, 20), (3, 10)):
            need = _needed_change(num, den, op, p, q)
            after = compare(num + need, den, op, p, q)
            assert (after == "pass").all()
            step = np.array([1 if x > 0 else (-1 if x < 0 else 0) for x in need], dtype=object)
            moved = need != 0
            before = compare(num + need - step, den, op, p, q)
            assert (before[moved] == "fail").all()
    d = np.array([0, 100, 3176000, 500, 10**20], dtype=object)
    t = np.array([10, 1000, 100000000, 10**9, 3 * 10**21], dtype=object)
    for op in (">", ">=", "<", "<="):  # a bank may ask the NPL ratio up: the mirror of a recovery
        any_moved = False
        for p, q in ((1, 50), (3, 100), (1, 9), (1, 10)):
            y = _needed_default_change(d, t, op, p, q)
            # down for a rule that asks it down (recovered or written off), up for one that asks it up
            assert all(x <= 0 for x in y) if op in ("<", "<=") else all(x >= 0 for x in y)
            assert (compare(d + y, t + y, op, p, q) == "pass").all(), (op, p, q)
            moved = y != 0
            step = np.array([1 if x > 0 else (-1 if x < 0 else 0) for x in y], dtype=object)
            assert (compare(d + y - step, t + y - step, op, p, q)[moved] == "fail").all(), (op, p, q)
            any_moved |= bool(moved.any())
        assert any_moved, op
    # the threshold exactly met (100 / 1,000 = 10%): met by >= and <=, one cent away for > and <
    def at(op):
        return _needed_default_change(np.array([100], dtype=object), np.array([1000], dtype=object), op, 1, 10)
    assert [at(op).tolist() for op in (">", ">=", "<", "<=")] == [[1], [0], [-1], [0]]


# ------------------------------------------------------------------------------------------
# Figures against direct pandas counts on a random programme
# ------------------------------------------------------------------------------------------
def random_programme(seed: int = 7, n_hh: int = 1500):
    rng = np.random.default_rng(seed)
    towns = np.array(["T1", "T2", "T3"])
    vill_of_hh = rng.integers(0, 12, n_hh)
    hh = pd.DataFrame({"household_id": [f"H{i:05d}" for i in range(n_hh)],
                       "village": [f"V{j:02d}" for j in vill_of_hh],
                       "township": towns[vill_of_hh % 3]})
    size = rng.integers(1, 6, n_hh)
    ro = hh.loc[hh.index.repeat(size)].reset_index(drop=True)
    m = len(ro)
    ro["age"] = rng.integers(0, 90, m)
    ro["status"] = rng.choice(["alive", "deceased", "missing", "absconded"], m,
                              p=[0.9, 0.04, 0.03, 0.03])
    ro["bad_record"] = rng.random(m) < 0.05
    as_of = pd.Timestamp("2026-06-30")
    ro["birth_date"] = as_of - pd.to_timedelta(ro["age"] * 365.25 + 30, unit="D")
    ids = hh["household_id"].to_numpy()
    rv_ids = ids[rng.random(n_hh) < 0.8]
    rv = pd.DataFrame({"household_id": np.repeat(rv_ids, 3), "reviewer_id": "r",
                       "review_date": as_of - pd.Timedelta(days=100)})
    rv.loc[rv.sample(frac=0.05, random_state=1).index, "review_date"] = as_of + pd.Timedelta(
        days=10)  # after as_of: ignored
    mr_ids = ids[rng.random(n_hh) < 0.85]
    k = rng.integers(1, 4, len(mr_ids))
    mr = pd.DataFrame({"household_id": np.repeat(mr_ids, k)})
    mr["run_date"] = as_of - pd.to_timedelta(rng.integers(-30, 700, len(mr)), unit="D")
    mr = mr.drop_duplicates(["household_id", "run_date"]).reset_index(drop=True)
    mr["model_score"] = rng.normal(size=len(mr))
    mr["model_limit"] = np.where(rng.random(len(mr)) < 0.3, 0.0,
                                 rng.integers(1, 50, len(mr)) * 1000.0)
    mr["grade"] = rng.choice(list(cv.GRADES), len(mr))
    ln_ids = ids[rng.random(n_hh) < 0.4]
    nl = rng.integers(1, 3, len(ln_ids))
    ln = pd.DataFrame({"household_id": np.repeat(ln_ids, nl)})
    ln["loan_id"] = [f"L{i}" for i in range(len(ln))]
    ln["start_date"] = as_of - pd.to_timedelta(rng.integers(-60, 700, len(ln)), unit="D")
    ln["granted_limit"] = 50000.0
    ln["drawn_amount"] = np.where(rng.random(len(ln)) < 0.2, 0.0,
                                  np.round(rng.uniform(100, 50000, len(ln)), 2))
    ln["default"] = pd.array((rng.random(len(ln)) < 0.08).astype(int), dtype="Int64")
    prog = Programme(roster=ro, reviews=rv, model_runs=mr, loans=ln, as_of=as_of)
    return prog


def direct_counts(prog: Programme, as_of, final_limits=None, grades=None, unit="household"):
    """The same figures counted directly, by a different route (merges, no shared code)."""
    ro = prog.roster.copy()
    b = ro["birth_date"]
    ro["age_at"] = [as_of.year - d.year - ((d.month, d.day) > (as_of.month, as_of.day))
                    for d in b]
    ro["ok"] = (ro["age_at"].between(18, 65) & ~ro["status"].isin(["deceased", "missing",
                                                                     "absconded"])
                & ~ro["bad_record"])
    per_hh = ro.groupby("household_id").agg(village=("village", "first"),
                                            township=("township", "first"),
                                            n_ok=("ok", "sum"))
    rv = prog.reviews[prog.reviews["review_date"] <= as_of]
    mr = prog.model_runs[prog.model_runs["run_date"] <= as_of]
    last = mr.loc[mr.groupby("household_id")["run_date"].idxmax()].set_index("household_id")
    per_hh["elig"] = per_hh["n_ok"] > 0
    per_hh["prof"] = per_hh.index.isin(rv["household_id"]) & per_hh.index.isin(last.index)
    lim = (final_limits["final_limit"] if final_limits is not None else last["model_limit"])
    per_hh["lim"] = lim.reindex(per_hh.index).fillna(0)
    g = grades["grade"] if grades is not None else last["grade"]
    per_hh["aob"] = g.reindex(per_hh.index).isin(["AAA", "AA", "A"])
    per_hh["cred"] = per_hh["prof"] & (per_hh["lim"] > 0)
    ln = prog.loans[(prog.loans["start_date"] <= as_of) & (prog.loans["drawn_amount"] > 0)]
    per_hh["borrower"] = per_hh.index.isin(ln["household_id"])
    w = per_hh["n_ok"] if unit == "person" else per_hh["elig"].astype(int)
    e = per_hh["elig"]
    per_hh["c_elig"] = w
    per_hh["c_prof"] = w * (e & per_hh["prof"])
    per_hh["c_cred"] = w * (e & per_hh["cred"])
    per_hh["c_draw"] = w * (e & per_hh["cred"] & per_hh["borrower"])
    per_hh["c_lim"] = np.where(e & per_hh["cred"], per_hh["lim"], 0.0)
    out = per_hh.groupby("village").agg(
        n_households=("elig", "size"), n_eligible=("c_elig", "sum"),
        n_profiled=("c_prof", "sum"), n_credited=("c_cred", "sum"), n_drawing=("c_draw", "sum"),
        n_a_or_better=("aob", "sum"), n_borrowers=("borrower", "sum"),
        total_limit=("c_lim", "sum"))
    ln = ln.merge(per_hh[["village"]], left_on="household_id", right_index=True)
    lv = ln.groupby("village").agg(
        n_loans=("loan_id", "size"), n_loans_defaulted=("default", "sum"),
        total_balance=("drawn_amount", "sum"))
    lv["defaulted_balance"] = ln[ln["default"] == 1].groupby("village")["drawn_amount"].sum()
    out = out.join(lv).fillna(0)
    return out


COUNT_COLS = ["n_households", "n_eligible", "n_profiled", "n_credited", "n_drawing",
              "n_a_or_better", "n_borrowers", "n_loans", "n_loans_defaulted"]


@pytest.mark.parametrize("unit", ["household", "person"])
def test_kpis_match_direct_pandas_counts(unit):
    prog = random_programme()
    k = cv.programme_kpis(prog, as_of=prog.as_of, unit=unit)
    d = direct_counts(prog, prog.as_of, unit=unit)
    vil = k[k["level"] == "village"].set_index("village").sort_index()
    d = d.sort_index()
    assert list(vil.index) == list(d.index)
    for c in COUNT_COLS:
        np.testing.assert_array_equal(vil[c].to_numpy(), d[c].to_numpy().astype(np.int64),
                                      err_msg=c)
    for c in ("total_limit", "total_balance", "defaulted_balance"):
        np.testing.assert_allclose(vil[c].to_numpy(), d[c].to_numpy(), rtol=0, atol=0.005)
    np.testing.assert_allclose(vil["credit_coverage"], d["n_credited"] / d["n_eligible"])
    np.testing.assert_allclose(vil["usage"], d["n_drawing"] / d["n_credited"])
    np.testing.assert_allclose(vil["profiling_rate"], d["n_profiled"] / d["n_eligible"])
    np.testing.assert_allclose(vil["credit_rate"], d["n_credited"] / d["n_profiled"])
    np.testing.assert_allclose(vil["npl_ratio"], d["defaulted_balance"] / d["total_balance"])
    np.testing.assert_allclose(vil["npl_ratio_count"], d["n_loans_defaulted"] / d["n_loans"])
    np.testing.assert_allclose(vil["a_or_better_share"], d["n_a_or_better"] / d["n_households"])
    np.testing.assert_allclose(vil["loan_share"], d["n_borrowers"] / d["n_households"])
    # township and programme rows are sums of the village rows, rates pooled
    tw = k[k["level"] == "township"].set_index("township")
    by_t = vil.groupby("township")[COUNT_COLS].sum()
    np.testing.assert_array_equal(tw.loc[by_t.index, COUNT_COLS].to_numpy(), by_t.to_numpy())
    pr = k[k["level"] == "programme"].iloc[0]
    assert pr["n_villages"] == 12 and pr["n_households"] == 1500
    assert pr["credit_coverage"] == pytest.approx(d["n_credited"].sum() / d["n_eligible"].sum())
    assert pr["npl_ratio"] == pytest.approx(d["defaulted_balance"].sum()
                                            / d["total_balance"].sum())
    # sanity: the random programme is not degenerate
    assert 0 < pr["credit_coverage"] < 1 and 0 < pr["usage"] < 1 and 0 < pr["npl_ratio"] < 1
    if unit == "person":
        assert pr["n_eligible"] > pr["n_eligible_households"]


def test_kpis_with_final_limits_grades_and_earlier_as_of():
    prog = random_programme(seed=11, n_hh=600)
    rng = np.random.default_rng(3)
    ids = prog.roster["household_id"].unique()
    fl = pd.DataFrame({"final_limit": np.where(rng.random(len(ids)) < 0.5, 0.0, 20000.0)},
                      index=pd.Index(ids, name="household_id"))
    gr = pd.Series(rng.choice(list(cv.GRADES), len(ids)), index=pd.Index(ids, name="household_id"),
                   name="grade")
    as_of = pd.Timestamp("2025-09-30")  # ages recomputed from birth_date, later rows ignored
    k = cv.programme_kpis(prog, as_of=as_of, final_limits=fl, grades=gr)
    d = direct_counts(prog, as_of, final_limits=fl, grades=gr.to_frame())
    vil = k[k["level"] == "village"].set_index("village").sort_index()
    for c in COUNT_COLS:
        np.testing.assert_array_equal(vil[c].to_numpy(), d.sort_index()[c].to_numpy(), err_msg=c)
    assert (k["as_of"] == as_of).all()


def test_household_status_uses_latest_model_run():
    prog = build(village("V", n=2))
    prog.roster["birth_date"] = pd.Timestamp("1986-01-01")
    extra = pd.DataFrame({"household_id": ["V-000"], "run_date": [pd.Timestamp("2026-03-01")],
                          "model_score": [0.0], "model_limit": [0.0], "grade": ["B"]})
    prog.model_runs = pd.concat([prog.model_runs, extra], ignore_index=True)
    st = cv.household_status(prog, as_of=AS_OF)
    assert st.loc["V-000", "grade"] == "B" and not st.loc["V-000", "credited"]
    st = cv.household_status(prog, as_of="2026-02-01")  # before the second run
    assert st.loc["V-000", "grade"] == "A" and st.loc["V-000", "credited"]


def test_a_or_better_is_the_scorecard_rule():
    """One definition (calib.scorecard.grades): the same grades, unknown grade raises, an
    ungraded household counts in the denominator but not as A or better."""
    from calib.scorecard import grades as sg

    assert cv.GRADES is sg.GRADES and cv.A_OR_BETTER is sg.A_OR_BETTER
    prog = build(village("V", n=4))
    prog.roster["birth_date"] = pd.Timestamp("1986-01-01")
    gr = pd.Series(["AAA", "B", "A", None], index=pd.Index(["V-000", "V-001", "V-002", "V-003"],
                   name="household_id"), name="grade")
    st = cv.household_status(prog, as_of=AS_OF, grades=gr)
    assert st["a_or_better"].tolist() == [True, False, True, False]
    k = cv.programme_kpis(prog, as_of=AS_OF, grades=gr)
    vil = k.loc[k["level"] == "village"].iloc[0]
    assert (vil["n_a_or_better"], vil["n_households"]) == (2, 4)
    with pytest.raises(CalibInputError, match=r"grade: unknown value.*'BB'.*one of AAA, AA, A, B"):
        cv.household_status(prog, as_of=AS_OF, grades=gr.replace("B", "BB"))


# ------------------------------------------------------------------------------------------
# Targets
# ------------------------------------------------------------------------------------------
def _snapshot(date, eligible, credited, drawing, profiled_villages, n_villages=20):
    rows = [dict(level="programme", as_of=pd.Timestamp(date), n_eligible=eligible,
                 n_credited=credited, n_drawing=drawing, n_profiled=0,
                 credit_coverage=credited / eligible, usage=drawing / credited if credited else
                 np.nan)]
    for i in range(n_villages):
        rows.append(dict(level="village", as_of=pd.Timestamp(date), n_eligible=10,
                         n_profiled=9 if i < profiled_villages else 8))
    return pd.DataFrame(rows)


def test_target_progress_boundaries_and_status():
    k = pd.concat([
        _snapshot("2019-12-31", 1000, 100, 20, 2),     # 10.0% / 20.0% / 2 villages: on track
        _snapshot("2020-12-31", 1000, 400, 99, 10),    # 40% ok, usage 24.75% < 25%: behind
        _snapshot("2021-06-30", 1000, 600, 200, 12),   # latest snapshot before as_of
    ], ignore_index=True)
    p = cv.target_progress(k, targets=TARGETS, as_of="2021-07-31").set_index("milestone")
    assert p.loc["2019-12-31", "status"] == "on track"
    assert p.loc["2019-12-31", "credit_coverage_met"] and p.loc["2019-12-31", "usage_met"]
    assert p.loc["2020-12-31", "status"] == "behind"
    assert p.loc["2020-12-31", "credit_coverage_met"]
    assert not p.loc["2020-12-31", "usage_met"]
    assert p.loc["2020-12-31", "usage"] == pytest.approx(0.2475)  # 99 of 400: 24.75% < 25%
    assert p.loc["2021-12-31", "status"] == "upcoming"
    assert p.loc["2021-12-31", "measured_at"] == pd.Timestamp("2021-06-30")
    assert p.loc["final", "credit_coverage_target"] == 0.80
    assert pd.isna(p.loc["2022-06-30", "villages_met"])
    # a milestone due before the first snapshot is not measured
    p2 = cv.target_progress(k.loc[k["as_of"] > "2020-01-01"], targets=TARGETS,
                            as_of="2021-07-31").set_index("milestone")
    assert p2.loc["2019-12-31", "status"] == "not measured"
    # villages: 9 of 10 profiled counts (>= 90%); one village short -> behind
    k3 = _snapshot("2019-12-31", 1000, 100, 20, 1)
    p3 = cv.target_progress(k3, targets=TARGETS, as_of="2019-12-31").set_index("milestone")
    assert p3.loc["2019-12-31", "villages"] == 1
    assert p3.loc["2019-12-31", "status"] == "behind"
    assert not p3.loc["2019-12-31", "villages_met"] and p3.loc["2019-12-31", "villages_target"] == 2
    p4 = cv.target_progress(k3, targets={**TARGETS, "village_profiled_at": 0.8},
                            as_of="2019-12-31").set_index("milestone")
    assert p4.loc["2019-12-31", "villages"] == 20


def test_target_progress_on_a_real_kpi_history():
    prog = random_programme(seed=5, n_hh=400)
    hist = cv.kpi_history(prog, ["2026-04-30", "2026-06-30"], unit="person")
    t = {"milestones": [{"date": "2026-04-30", "credit_coverage": 0.0, "usage": 0.0},
                        {"date": "2026-06-30", "credit_coverage": 0.99, "usage": None}]}
    p = cv.target_progress(hist, targets=t, as_of="2026-06-30")
    assert list(p["status"]) == ["on track", "behind", "behind"]
    assert p.loc[1, "credit_coverage"] == pytest.approx(
        hist.loc[(hist["level"] == "programme")
                 & (hist["as_of"] == pd.Timestamp("2026-06-30")), "credit_coverage"].iloc[0])


# ------------------------------------------------------------------------------------------
# Parameters, bad input, presentation
# ------------------------------------------------------------------------------------------
def test_params_validation_names_the_bad_key():
    with pytest.raises(CalibParamsError, match=r"credit_village\.profiling_rate\.op"):
        cv.validate_village_rules({**RULES, "profiling_rate": {"op": "=>", "value": 0.9}})
    with pytest.raises(CalibParamsError, match=r"credit_village\.npl_ratio\.value"):
        cv.validate_village_rules({**RULES, "npl_ratio": {"op": "<=", "value": 2}})
    with pytest.raises(CalibParamsError, match=r"credit_village\.credit_rat"):
        cv.validate_village_rules({"credit_rat": {"op": ">=", "value": 0.5}})
    with pytest.raises(CalibParamsError, match=r"credit_township\.credit_village_share"):
        cv.validate_township_rules({"credit_village_share": {"op": ">"}})
    with pytest.raises(CalibParamsError, match=r"targets\.milestones\.0\.date"):
        cv.validate_targets({"milestones": [{"date": "end of 2019"}]})
    with pytest.raises(CalibParamsError, match=r"eligibility.*min_age"):
        cv.validate_eligibility({"min_age": 70, "max_age": 65})
    assert cv.validate_village_rules(None) == cv.validate_village_rules(RULES)


def test_sample_params_file_validates():
    import pathlib

    import yaml

    path = pathlib.Path(__file__).resolve().parents[2] / "params" / "sample.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert cv.validate_village_rules(params["credit_village"]) == cv.validate_village_rules(RULES)
    cv.validate_township_rules(params["credit_township"])
    assert len(cv.validate_targets(params["targets"])["milestones"]) == 3
    cv.validate_eligibility(params["eligibility"])


def test_bad_input_raises():
    prog = build(village("V", loans=[(0, 100, 0)]))
    prog.loans.loc[0, "household_id"] = "nobody"
    with pytest.raises(CalibInputError, match="loans.*not in the roster"):
        cv.programme_kpis(prog, as_of=AS_OF)
    prog = build(village("V"))
    prog.model_runs.loc[0, "grade"] = "C"
    with pytest.raises(CalibInputError, match="grade"):
        cv.programme_kpis(prog, as_of=AS_OF)
    prog = build(village("V"))
    with pytest.raises(CalibParamsError, match="unit"):
        cv.programme_kpis(prog, as_of=AS_OF, unit="people")
    prog.roster = prog.roster.drop(columns=[])
    with pytest.raises(CalibInputError, match="birth_date"):
        cv.programme_kpis(prog, as_of="2020-01-01")


def test_presentation_helpers():
    import matplotlib.pyplot as plt

    k = cv.programme_kpis(build(village("A", loans=[(0, 100, 0)]), village("B")), as_of=AS_OF)
    v = cv.certify_villages(k, rules=RULES)
    html = cv.style_verdicts(v).to_html()
    assert "#ffcdd2" in html and "#c8e6c9" in html
    ax = cv.plot_verdict_table(v)
    assert len(ax.get_yticklabels()) == 2
    # the criteria named and the title worded as the report's grid: the catalogue's, in the run's language
    from calib.report.labels import column_label, t

    assert [x.get_text() for x in ax.get_xticklabels()] == [
        column_label(c) for c in cv.VILLAGE_CRITERIA + cv.QUALITATIVE_CRITERIA]
    assert ax.get_title() == t("nb06.plot.verdicts_title") and "_" not in ax.get_xticklabels()[0].get_text()
    p = cv.target_progress(k, targets=TARGETS, as_of=AS_OF)
    ax2 = cv.plot_target_progress(p)
    assert len(ax2.lines) == 4
    # without a history the measured lines are the figures of progress, at their one date (report
    # 06 measures once: no past points built from today's limits)
    latest = cv.target_progress(k, targets=TARGETS, as_of=AS_OF, measure="latest")
    ax3 = cv.plot_target_progress(latest)
    measured = [ln for ln in ax3.lines if ln.get_label() in (t("nb06.plot.coverage_measured"), t("nb06.plot.usage_measured"))]
    assert len(measured) == 2 and all(list(ln.get_xdata()) == [AS_OF] for ln in measured)
    # worded from the catalogue in the run's language: the notebook translates nothing
    assert [ln.get_label() for ln in ax3.lines] == [t(f"nb06.plot.{x}") for x in (
        "coverage_target", "usage_target", "coverage_measured", "usage_measured")]
    assert [x.get_text() for x in ax3.get_legend().get_texts()] == [ln.get_label() for ln in ax3.lines]
    assert ax3.get_title() == t("nb06.plot.targets_title", unit=t("nb06.line.unit_household"))
    assert (ax3.get_xlabel(), ax3.get_ylabel()) == (t("nb06.plot.date"), t("nb06.plot.share"))
    en = cv.plot_target_progress(latest, lang="en")
    assert en.get_title() == "Coverage and usage: target path and the reference-date figures (households)"
    assert en.lines[2].get_label() == "coverage measured (reference date)"
    hist = k.assign(as_of=pd.Timestamp(AS_OF))
    path = cv.plot_target_progress(latest, history=hist)
    assert path.lines[2].get_label() == t("nb06.plot.coverage_path") and "（" not in path.lines[2].get_label()
    assert path.get_title() == t("nb06.plot.targets_path_title", unit=t("nb06.line.unit_household"))
    plt.close("all")
    m = cv.headline_metrics(k, v, cv.certify_townships(v, k), p)
    assert m["n_villages"] == 2 and m["credit_villages"] == 0
    import json

    assert json.loads(json.dumps(m))["credit_coverage"] == pytest.approx(1.0)
    crit = cv.criteria_table(RULES)
    assert list(crit["criterion"][:6]) == list(cv.VILLAGE_CRITERIA)
    # codes and numbers: the criteria are worded from the catalogue, no English of its own
    assert list(crit.columns) == ["criterion", "op", "value"]
    assert list(cv.criteria_table(TOWNSHIP_RULES, level="township").columns) == ["criterion", "op", "value"]


# ------------------------------------------------------------------------------------------
# Parameters as the notebook passes them, "now" against past milestones, reader's tables
# ------------------------------------------------------------------------------------------
def test_params_blocks_are_accepted_and_county_value_is_the_county_figure():
    import pathlib

    from calib import params

    P = params.load(pathlib.Path(__file__).resolve().parents[2] / "params" / "sample.yaml")
    assert cv.validate_village_rules(P.block("credit_village")) == cv.validate_village_rules(RULES)
    assert cv.validate_township_rules(P.block("credit_township")) == \
        cv.validate_township_rules(TOWNSHIP_RULES)
    tg = cv.validate_targets(P.block("targets"))  # milestone dates come as datetime.date
    assert [m["date"] for m in tg["milestones"]][0] == pd.Timestamp("2025-09-30")
    assert cv.validate_eligibility(P.block("eligibility"))["max_age"] == 65

    # a value on a county-relative criterion fixes the county figure, like county_*
    r1 = cv.validate_village_rules({**RULES, "loan_share_vs_county": {"op": ">", "value": 0.3}})
    assert r1["county_loan_share"] == 0.3
    assert r1 == cv.validate_village_rules({**RULES, "county_loan_share": 0.3})
    with pytest.raises(CalibParamsError, match=r"loan_share_vs_county\.value.*county_loan_share"):
        cv.validate_village_rules({**RULES, "loan_share_vs_county": {"op": ">", "value": 0.3},
                                   "county_loan_share": 0.2})
    t1 = cv.validate_township_rules({**TOWNSHIP_RULES, "npl_vs_county": {"op": "<", "value": 0.02}})
    assert t1["county_npl_ratio"] == 0.02
    # the fixed county figure decides: 3 of 10 households with a loan is not above 30%
    k = cv.programme_kpis(build(village("A", loans=[(i, 100, 0) for i in range(3)]),
                                village("B")), as_of=AS_OF)
    v = cv.certify_villages(k, rules={**RULES, "loan_share_vs_county": {"op": ">", "value": 0.3}})
    assert v.set_index("village").loc["A", "loan_share_vs_county"] == "fail"
    v = cv.certify_villages(k, rules={**RULES, "loan_share_vs_county": {"op": ">", "value": 0.29}})
    assert v.set_index("village").loc["A", "loan_share_vs_county"] == "pass"
    # a township with NPL 0 < fixed county 2% passes; with the pooled county (0 = 0) it fails
    tv = cv.certify_townships(v, k, rules=t1)
    assert tv.loc[0, "npl_vs_county"] == "pass"
    assert cv.certify_townships(v, k, rules=TOWNSHIP_RULES).loc[0, "npl_vs_county"] == "fail"


def test_target_progress_latest_judges_every_past_milestone_on_the_current_figures():
    # programme active only in 2025: no snapshot at the 2019-2022 milestones
    k = _snapshot("2025-12-31", 1000, 800, 240, 16)  # 80.0% coverage, 30.0% usage, 16 villages
    p = cv.target_progress(k, targets=TARGETS, as_of="2026-06-30").set_index("milestone")
    assert (p["status"] == "not measured").all()
    q = cv.target_progress(k, targets=TARGETS, as_of="2026-06-30",
                           measure="latest").set_index("milestone")
    assert (q["measured_at"] == pd.Timestamp("2025-12-31")).all() and q["due"].all()
    assert list(q["status"]) == ["met", "met", "not met", "met", "met"]
    assert not q.loc["2021-12-31", "villages_met"]  # 16 profiled villages of 17
    assert q.loc["2021-12-31", ["credit_coverage_met", "usage_met"]].all()
    assert q.loc["final", "credit_coverage_met"] and q.loc["final", "usage_met"]  # 80% >= 80%
    k2 = _snapshot("2025-12-31", 1000, 799, 240, 17)  # 79.9%: final coverage missed
    q2 = cv.target_progress(k2, targets=TARGETS, as_of="2026-06-30",
                            measure="latest").set_index("milestone")
    assert not q2.loc["final", "credit_coverage_met"] and q2.loc["final", "status"] == "not met"
    assert q2.loc["2021-12-31", "status"] == "met"
    with pytest.raises(CalibParamsError, match="measure"):
        cv.target_progress(k, targets=TARGETS, as_of="2026-06-30", measure="now")


def test_reader_tables_and_html():
    k = cv.programme_kpis(build(village("A", township="T1", loans=[(0, 100, 0)]),
                                village("B", township="T1", a=5),
                                village("C", township="T2", n=20, profiled=17)), as_of=AS_OF)
    t = cv.kpi_table(k)  # the catalogue's words in the run's language (Chinese), as the page heads them
    assert list(t.columns[:6]) == ["层级", "乡镇", "行政村", "户数", "合格农户数", "授信面（按户）"]
    assert list(t["行政村"].fillna("")) == ["A", "B", "", "C", "", ""]
    assert list(t["乡镇"].fillna("")) == ["T1", "T1", "T1", "T2", "T2", ""]
    assert list(t["层级"]) == ["村", "村", "乡镇", "村", "乡镇", "全部"]
    assert t.loc[5, "建档率"] == pytest.approx(37 / 40)
    assert t.loc[1, "A 级及以上占比"] == pytest.approx(0.5)
    en = cv.kpi_table(k.assign(unit="person"), lang="en")
    assert "Eligible persons" in en.columns and "Credit coverage (persons)" in en.columns
    assert en.loc[5, "Level"] == "programme" and en.loc[5, "Profiling rate"] == pytest.approx(37 / 40)
    v = cv.certify_villages(k, rules=RULES)
    g = cv.verdict_grid(v, rules=RULES)  # the report's words (calib.report.words.grid_words), in Chinese
    assert "建档率 ≥ 90%" in g.columns and "A 级及以上占比 > 55%" in g.columns
    assert "有贷款农户占比（对比全县） > 2.5%" in g.columns  # 1 borrower of 40 households
    cell = g.set_index("行政村").loc["C", "建档率 ≥ 90%"]
    assert cell == "未通过 85.0%"
    assert g.set_index("行政村").loc["B", "A 级及以上占比 > 55%"] == "未通过 50.0%"
    assert (g["村级治理良好"] == "未评估").all()
    npl = [c for c in g.columns if c.startswith("不良率（余额）")]
    assert g.set_index("行政村").loc["A", npl[0]] == "通过 0.00%"
    html = cv.style_verdicts(v, grid=True, rules=RULES).to_html()
    import re

    def colours(html):
        rules = dict(re.findall(r"([^{}]+)\{\s*background-color: (#[0-9a-f]{6});\s*\}", html))
        out = {}
        for sel, col in rules.items():
            for cell in re.findall(r"row(\d+)_col(\d+)", sel):
                out[tuple(map(int, cell))] = col
        return out

    colour_of = colours(html)
    prof = list(g.columns).index("建档率 ≥ 90%")
    assert colour_of[(2, prof)] == "#ffcdd2"  # C fails profiling: red (its cell reads 未通过: by the code)
    assert colour_of[(0, prof)] == "#c8e6c9"  # A passes: green
    assert colour_of[(0, list(g.columns).index("村级治理良好"))] == "#e0e0e0"  # grey
    assert colour_of[(1, list(g.columns).index(npl[0]))] == "#ffe0b2"  # B: no loans, no data: orange
    assert (0, 0) not in colour_of  # township names are not coloured
    assert "<script" not in html and "http" not in html
    with pytest.raises(CalibInputError, match="grid=True"):
        cv.style_verdicts(g)  # a worded grid has no codes to colour by
    # in English the same cells in the catalogue's English words, coloured alike
    from calib.report import get_lang, set_lang

    before = get_lang()
    set_lang("en")
    try:
        ge = cv.verdict_grid(v, rules=RULES)
        assert ge.iloc[2, prof] == "fail 85.0%" and ge.columns[prof].endswith(" ≥ 90%")
        assert colours(cv.style_verdicts(v, grid=True, rules=RULES).to_html()) == colour_of
    finally:
        set_lang(before)
    tv = cv.certify_townships(v, k, rules=TOWNSHIP_RULES)
    gt = cv.verdict_grid(tv, rules=TOWNSHIP_RULES)
    # an NPL ratio (and the county's, in the heading) with two decimals, as the pages give it
    assert list(gt.columns) == ["乡镇", "村数", "信用村数", "信用村占比 > 75%", "不良率（对比全县） < 0.00%", "已认定"]
    assert (gt["已认定"] == "否").all()
    tcolours = colours(cv.style_verdicts(tv, grid=True, rules=TOWNSHIP_RULES).to_html())
    assert tcolours[(0, 5)] == "#ffcdd2"  # not certified: red, from the boolean, not its word
    m = cv.headline_metrics(k, v, tv)
    assert m["credit_villages"] == 0 and m["villages_not_assessed"] == 3
    assert m["credit_village_share"] == 0.0


def test_grid_headings_follow_the_rules_applied():
    """The grid's criteria and operators are the validated rules' (no literal in a notebook): a
    bank that changes an operator reads it in the heading; the interactive grid and the report's
    are worded by one function, cell for cell."""
    from calib.report import words

    k = cv.programme_kpis(build(village("A", township="T1", loans=[(0, 100, 0)]),
                                village("C", township="T2", n=20, profiled=17)), as_of=AS_OF)
    rules = {**RULES, "profiling_rate": {"op": ">", "value": 0.85}}
    v = cv.certify_villages(k, rules=rules)
    g = cv.verdict_grid(v, rules=rules)
    page = words.verdict_grid(v, rules=rules)
    pd.testing.assert_frame_equal(g, page.data)
    assert "建档率 > 85%" in g.columns and g.set_index("行政村").loc["C", "建档率 > 85%"] == "未通过 85.0%"
    assert page.classes.iloc[1, list(g.columns).index("建档率 > 85%")].split()[0] == "fail"
    # every criterion of the rules, in their order, then the status
    assert all(h.startswith(words.column_label(c)) for h, c in
               zip(g.columns[2:-1], cv.VILLAGE_CRITERIA + cv.QUALITATIVE_CRITERIA, strict=True))
    trules = {"credit_village_share": {"op": ">=", "value": 0.5}, "npl_vs_county": {"op": "<="}}
    tv = cv.certify_townships(v, k, rules=trules)
    assert list(words.verdict_grid(tv, rules=trules).data.columns) == [
        "乡镇", "村数", "信用村数", "信用村占比 ≥ 50%", "不良率（对比全县） ≤ 0.00%", "已认定"]
    with pytest.raises(CalibInputError, match="not both"):
        words.verdict_grid(v, ops={"profiling_rate": ">="}, rules=rules)
    with pytest.raises(CalibInputError, match="no rule for"):
        words.verdict_grid(v, ["credit_village_share"], rules=rules)


def test_final_targets_met_exactly_and_not_judged_without_a_target():
    # A: 10 of 10 credited, C: 17 of 20 (85%); one loan drawn in A: usage 1 of 10
    k = cv.programme_kpis(build(village("A", township="T1", loans=[(0, 100, 0)]),
                                village("C", township="T2", n=20, profiled=17)), as_of=AS_OF)
    met = cv.final_targets_met(k, {"credit_coverage_final": 0.85, "usage_final": 0.10}).set_index("village")
    assert met.loc["C", "coverage_met"] and met.loc["A", "usage_met"]  # 85% is at least 85%, exactly
    assert not met.loc["C", "usage_met"]  # no loan in C
    unset = cv.final_targets_met(k, {"credit_coverage_final": None, "usage_final": None})
    assert unset["coverage_met"].isna().all() and unset["usage_met"].isna().all()
    p = cv.target_progress(k, targets={"credit_coverage_final": None, "usage_final": None}, as_of=AS_OF,
                           measure="latest")
    assert p["status"].tolist() == ["not set"]  # the final row: nothing to meet, not "met"
    p = cv.target_progress(k, targets={"credit_coverage_final": 0.9, "usage_final": None}, as_of=AS_OF,
                           measure="latest")
    assert p["status"].tolist() == ["met"]  # 27 of 30 credited: 90% is at least 90%; usage not judged
    assert p["credit_coverage_met"].tolist() == [True] and p["usage_met"].isna().all()


def test_exact_compare_same_verdicts_in_int64_and_in_python_integers():
    """The int64 fast path and the arbitrary-precision path decide every case alike, at the
    boundary and where the products would overflow int64 (there the Python path is taken)."""
    rng = np.random.default_rng(5)
    den = rng.integers(0, 200, 2000)
    num = (den * rng.random(2000)).round().astype(np.int64)
    big = np.array([2**61, 2**61 - 1, 11 * 2**58], dtype=np.int64)
    for op in (">", ">=", "<", "<="):
        for p, q in ((11, 20), (9, 10), (1, 2), (1, 50)):
            fast = compare(num, den, op, p, q)
            slow = compare(num.astype(object), den.astype(object), op, p, q)
            np.testing.assert_array_equal(fast, slow)
            want = np.array(["no data" if d == 0 else
                             ("pass" if {">": n * q > p * d, ">=": n * q >= p * d,
                                         "<": n * q < p * d, "<=": n * q <= p * d}[op] else "fail")
                             for n, d in zip(num.tolist(), den.tolist())])
            np.testing.assert_array_equal(fast, want)
        # overflow scale: 2**61 * 20 does not fit in int64; 11 * 2**58 / 2**61 = 11/8
        got = compare(big, np.array([2**61, 2**61, 2**61], dtype=np.int64), op, 11, 20)
        exp = [{">": a * 20 > 11 * 2**61, ">=": a * 20 >= 11 * 2**61, "<": a * 20 < 11 * 2**61,
                "<=": a * 20 <= 11 * 2**61}[op] for a in big.tolist()]
        np.testing.assert_array_equal(got == "pass", exp)


@pytest.mark.parametrize("ids", ["str", "object", "int"])
def test_household_status_same_for_every_kind_of_household_id(ids):
    """Arrow text ids (hashed with Arrow), object ids and integer ids (pandas lookup) give the
    same standing; an unknown or duplicated final limit raises."""
    prog = random_programme(seed=4, n_hh=300)
    want = cv.household_status(prog)
    codes, uniq = pd.factorize(prog.roster["household_id"], sort=True)
    conv = {"str": lambda s: s.astype("str"), "object": lambda s: s.astype(object),
            "int": lambda s: pd.Series(uniq.get_indexer(s.astype(object)), index=s.index)}[ids]
    for name in ("roster", "reviews", "model_runs", "loans"):
        t = getattr(prog, name).copy()
        t["household_id"] = conv(t["household_id"])
        setattr(prog, name, t)
    got = cv.household_status(prog)
    assert got.index.is_monotonic_increasing and len(got) == len(want) == 300
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    fl = pd.DataFrame({"final_limit": 1000.0}, index=got.index[:10])
    cv.household_status(prog, final_limits=fl)
    with pytest.raises(CalibInputError, match="duplicated"):
        cv.household_status(prog, final_limits=pd.concat([fl, fl.iloc[:1]]))
    bad = fl.copy()
    bad.index = pd.Index(list(bad.index[:-1]) + [-5 if ids == "int" else "nobody"])
    with pytest.raises(CalibInputError, match="not in the roster"):
        cv.household_status(prog, final_limits=bad)


def test_programme_verdicts_are_exact_and_follow_the_rules():
    # the whole programme is the two villages pooled: NPL 3000.30 / 150,015.00 = 2.0% exactly
    # (pass "at most 2%", fail "below 2%"); 11 of 20 households A or better = 55% (not above 55%)
    loans = [(0, 1000.10, 1), (1, 2000.20, 1), (2, 147014.70, 0)]
    k = cv.programme_kpis(build(village("V1", loans=loans, a=6), village("V2", a=5)), as_of=AS_OF)
    pv = cv.programme_verdicts(k, rules=RULES)
    assert list(pv.index) == ["a_or_better_share", "profiling_rate", "credit_rate", "npl_ratio"]
    assert pv.loc["npl_ratio", "verdict"] == "pass" and pv.loc["npl_ratio", "figure"] == pytest.approx(0.02)
    assert pv.loc["a_or_better_share", "verdict"] == "fail"
    assert (pv.loc["a_or_better_share", "op"], pv.loc["a_or_better_share", "threshold"]) == (">", 0.55)
    strict = cv.programme_verdicts(k, rules={**RULES, "npl_ratio": {"op": "<", "value": 0.02},
                                            "a_or_better_share": {"op": ">=", "value": 0.55}})
    assert strict.loc["npl_ratio", "verdict"] == "fail" and strict.loc["a_or_better_share", "verdict"] == "pass"
    assert cv.exact_verdicts([11, 3], [20, 0], ">=", 0.55).tolist() == ["pass", "no data"]
