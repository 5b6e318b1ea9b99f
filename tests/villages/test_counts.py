"""Counts that differ between reports (issue 11): each pair under its code, worded by one line, the
white list reconciled with the eligible households, milestones outside the data's period, and
the report's conclusions. Hand-built programmes with known answers, then the sample."""
from __future__ import annotations

import pathlib

import pandas as pd
import pytest

from calib import villages as cv
from calib.programme import Programme
from test_villages import AS_OF, RULES, TARGETS, TOWNSHIP_RULES, build, village

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _consensus(prog: Programme, declined: set[str]) -> pd.DataFrame:
    ids = sorted(prog.reviews["household_id"].unique())
    return pd.DataFrame({"white_list": [h not in declined for h in ids],
                         "consensus_granted": 10000.0}, index=pd.Index(ids, name="household_id"))


def test_white_list_larger_than_eligible_is_explained_household_by_household():
    # 10 eligible (aged 40), 3 aged 70; 12 reviewed (2 of the 70-year-olds), 1 eligible declined
    prog = build(village("A", n=10, inelig=3, profiled=12))
    st = cv.household_status(prog, as_of=AS_OF)
    cons = _consensus(prog, declined={"A-004"})
    c = cv.household_counts(st, cons, programme=prog).set_index("figure")["households"]
    assert c["eligible"] == 10 and c["reviewed"] == 12 and c["white_listed"] == 11
    assert c["white_listed"] > c["eligible"]
    assert c["white_listed_not_eligible"] == 2
    assert c["white_listed_not_eligible_no_member_in_age"] == 2
    assert c["white_listed_not_eligible_members_excluded"] == 0
    assert c["eligible_not_reviewed"] == 0 and c["eligible_reviewed_not_white_listed"] == 1
    # the identity the line states
    assert (c["eligible"] - c["eligible_not_reviewed"] - c["eligible_reviewed_not_white_listed"]
            + c["white_listed_not_eligible"]) == c["white_listed"]
    counts = cv.household_counts(st, cons, programme=prog)
    assert "10 - 0 - 1 + 2 = 11" in cv.white_list_line(counts, lang="en")
    assert "10 − 0 − 1 + 2 = 11" in cv.white_list_line(counts)


def test_excluded_members_are_told_apart_from_age():
    prog = build(village("A", n=4, profiled=4))
    prog.roster.loc[prog.roster["household_id"] == "A-003", "status"] = "deceased"
    st = cv.household_status(prog, as_of=AS_OF)
    c = cv.household_counts(st, _consensus(prog, set()), programme=prog).set_index("figure")
    assert c.loc["white_listed_not_eligible_members_excluded", "households"] == 1
    assert c.loc["white_listed_not_eligible_no_member_in_age", "households"] == 0


def _two_unit_programme() -> Programme:
    """Village V: 10 eligible households, 9 profiled (90% of households); the unprofiled one
    has 4 eligible members, so 9 of 13 eligible persons (69%) are in profiled households."""
    prog = build(village("V", n=10, profiled=9), village("W", n=10))
    extra = prog.roster.loc[prog.roster["household_id"] == "V-009"]
    prog.roster = pd.concat([prog.roster, extra, extra, extra], ignore_index=True)
    return prog


def test_profiled_villages_by_households_and_by_persons_are_named_apart():
    prog = _two_unit_programme()
    kh = cv.programme_kpis(prog, as_of=AS_OF)
    kp = cv.programme_kpis(prog, as_of=AS_OF, unit="person")
    assert int(cv.profiled_villages(kh).sum()) == 2
    assert int(cv.profiled_villages(kp).sum()) == 1
    vc = cv.village_counts(kh, kpis_persons=kp).set_index("figure")["villages"]
    assert vc["profiled_by_households"] == 2 and vc["profiled_by_persons"] == 1
    line = cv.village_counts_line(cv.village_counts(kh, kpis_persons=kp), lang="en")
    assert "2 are profiled" in line and "1 when it counts eligible persons" in line
    prog_p = cv.target_progress(kp, targets=TARGETS, as_of=AS_OF, measure="latest")
    assert (prog_p["villages_unit"] == "person").all() and prog_p["villages"].iloc[0] == 1
    with pytest.raises(Exception, match="unit='household'"):
        cv.village_counts(kp)
    # the credit-village count follows the parameters' profiling rule (V is at exactly 90% of
    # households: "> 90%" does not count it), the targets' count their own rate
    strict = cv.village_counts(kh, kpis_persons=kp, at=0.6, profiling_rule={"op": ">", "value": 0.9})
    vs = strict.set_index("figure")["villages"]
    assert vs["profiled_by_households"] == 1 and vs["profiled_by_persons"] == 2
    # codes and numbers: the words are the lines' (the catalogue's), not a frame's own
    assert list(strict.columns) == ["figure", "villages"]
    assert list(cv.household_counts(cv.household_status(prog, as_of=AS_OF),
                                    _consensus(prog, set())).columns) == ["figure", "households"]


def test_milestones_outside_the_data_period_are_flagged():
    prog = build(village("V", n=10))
    k = cv.programme_kpis(prog, as_of=AS_OF)
    period = cv.data_period(prog)
    assert period == (pd.Timestamp("2026-01-15"), AS_OF)
    p = cv.target_progress(k, targets=TARGETS, as_of=AS_OF, measure="latest", period=period)
    assert not p["in_data_period"].any() and (p.loc[p["milestone"] != "final", "date"] < period[0]).all()
    assert "period_note" not in p and "shortfall" not in p  # codes and numbers: the report words them
    inside = {**TARGETS, "milestones": [{"date": "2026-03-31", "villages": 1,
                                         "credit_coverage": 0.5, "usage": None}]}
    q = cv.target_progress(k, targets=inside, as_of=AS_OF, period=period)
    assert q["in_data_period"].all()
    later = {**TARGETS, "milestones": [{"date": "2027-06-30", "villages": 1,
                                        "credit_coverage": 0.5, "usage": None}]}
    r = cv.target_progress(k, targets=later, as_of=AS_OF, period=period)
    assert not r["in_data_period"].any() and (r["date"] > period[1]).all()
    m = cv.headline_metrics(k, progress=p)
    assert m["milestones_outside_data"] == 4


def test_conclusions_name_every_village_not_certified_and_each_township():
    prog = build(village("GOOD", n=20, loans=[(0, 1000, 0), (1, 1000, 0)]),
                 village("LOW", n=20, profiled=15, loans=[(0, 1000, 1)]),
                 village("OTHER", township="T2", n=10, a=3))
    k = cv.programme_kpis(prog, as_of=AS_OF)
    v = cv.certify_villages(k, rules=RULES)
    t = cv.certify_townships(v, k, rules=TOWNSHIP_RULES)
    for lang in ("zh-CN", "en"):
        c = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, lang=lang)
        assert list(c.columns) == ["decision", "figure", "threshold", "verdict", "topic"]
        assert len(c) == 1 + len(t) + int((~v["certified"]).sum())
        assert c["topic"].tolist() == ["villages"] + ["township"] * len(t) + ["village"] * int((~v["certified"]).sum())
        assert c.notna().all().all()
    c = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, lang="en")
    low = c.loc[c["decision"].str.contains("LOW")].iloc[0]
    assert "more profiled households" in low["verdict"]  # 15 of 20 profiled: 3 more to 90%
    assert "3 more profiled households" in low["verdict"]
    zh = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES)
    # in the page's words (calib.report.words.lacks, the catalogue's), in either language
    assert "需增加 3 户已建档农户" in zh.loc[zh["decision"].str.contains("LOW"), "verdict"].iloc[0]
    # a province's conclusions stay a page: the nearest villages, then one line for the others
    n_not = int((~v["certified"]).sum())
    capped = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, max_villages=1, full_list="x.xlsx")
    assert capped["topic"].tolist()[-2:] == ["village", "village_more"]
    assert capped.iloc[-2]["decision"] == zh[zh["topic"] == "village"].iloc[0]["decision"]  # the nearest kept
    assert capped.iloc[-1]["figure"] == f"{n_not - 1} 个" and capped.iloc[-1]["verdict"].endswith("x.xlsx")
    assert cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, max_villages=n_not)["topic"].eq("village").sum() == n_not
    # the committee's short list: the villages one change away, the others counted in one line
    near = cv.nearest_to_certification(v, k, rules=RULES, top=None)
    fewest = int(near["n_lacking"].min())
    one = int((near["n_lacking"] == fewest).sum())
    assert 0 < one < n_not
    short = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, max_lacking=fewest, full_list="x.xlsx")
    assert short["topic"].eq("village").sum() == one
    assert short.iloc[-1]["topic"] == "village_more" and short.iloc[-1]["figure"] == f"{n_not - one} 个"
    # the page's words for what each village lacks, said once
    said = near.assign(lacks=[f"words {i}" for i in range(len(near))])
    worded = cv.conclusions(v, t, k, rules=RULES, township_rules=TOWNSHIP_RULES, near=said)
    assert worded.loc[worded["topic"] == "village", "verdict"].str.split("：", n=1).str[1].tolist() == said["lacks"].tolist()
    assert said["lacks"].str.startswith("words").all()  # the caller's frame is not changed
    with pytest.raises(Exception, match="lang"):
        cv.conclusions(v, t, k, lang="fr")
    # thresholds written as the parameters and the other pages write them (">= 0.7" is "≥ 70%",
    # 72.5% keeps its decimal; a measured figure keeps one decimal)
    rules = {**TOWNSHIP_RULES, "credit_village_share": {"op": ">=", "value": 0.7}}
    t7 = cv.certify_townships(v, k, rules=rules)
    en = cv.conclusions(v, t7, k, rules=RULES, township_rules=rules, lang="en")
    assert en.loc[en["decision"].str.startswith("credit township"), "threshold"].str.startswith("credit villages ≥ 70%;").all()
    zh = cv.conclusions(v, cv.certify_townships(v, k, rules={**rules, "credit_village_share": {"op": ">", "value": 0.725}}), k,
                        rules=RULES, township_rules={**rules, "credit_village_share": {"op": ">", "value": 0.725}})
    assert zh.loc[zh["decision"].str.startswith("信用乡镇"), "threshold"].str.startswith("信用村占比 > 72.5%；").all()


def test_sample_counts_reconcile(sample_programme):
    """On the sample: 7,077 white-listed vs 7,038 eligible, 78 vs 77 profiled villages."""
    from calib import compare, consensus, params

    P = params.load(ROOT / "params" / "sample.yaml")
    prog = sample_programme
    cons = consensus.consensus_limits(prog.reviews, **P.block("consensus"),
                                      relations=prog.relations)
    st = cv.household_status(prog, eligibility=P.block("eligibility"))
    c = cv.household_counts(st, cons, programme=prog, eligibility=P.block("eligibility"))
    c = c.set_index("figure")["households"]
    assert (c["white_listed"], c["eligible"], c["reviewed"]) == (7077, 7038, 7273)
    assert c["white_listed_not_eligible"] == 555
    cmp = compare.compare_limits(cons, prog.model_runs, policy=P.block("reconciliation"))
    fl = cmp[["final_limit"]]
    kh = cv.programme_kpis(prog, final_limits=fl, eligibility=P.block("eligibility"))
    kp = cv.programme_kpis(prog, final_limits=fl, eligibility=P.block("eligibility"), unit="person")
    vc = cv.village_counts(kh, kpis_persons=kp).set_index("figure")["villages"]
    assert (vc["profiled_by_households"], vc["profiled_by_persons"]) == (78, 77)
