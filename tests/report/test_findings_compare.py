"""Report 03's conclusions and headline figures (calib.report.findings.compare) on hand-made inputs:
the verdict rules either side of their thresholds, the words of the catalogue in both languages,
the thresholds stated from the constants the rules apply, the figures in the index's order."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from calib import compare
from calib.params.schema import Reconciliation
from calib.report import findings, labels, words

F = findings.compare
POLICY = {"rule": "min", "blend_weight": 0.5, "band_low": 0.67, "band_high": 1.5, "provisional": "min",
          "cap": 500000, "grid": 1000}


pytestmark = pytest.mark.usefixtures("zh_strict")


@pytest.fixture
def cmp() -> pd.DataFrame:
    """Seven households: a inside the band, b above it, c and d one side declines, x white-listed
    and z declined by the panel with no eligible member, y with no eligible member and no review."""
    cons = pd.DataFrame({"consensus_limit": pd.Series({"a": 50000, "b": 50000, "c": 0, "d": 40000, "x": 30000, "z": 0},
                                                      dtype=float)})
    cons.index.name = "household_id"
    cons["village"] = "v1"
    runs = pd.DataFrame({"household_id": list("abcdy"), "model_limit": [60000, 100000, 30000, 0, 10000]})
    out = compare.compare_limits(cons, runs, policy=POLICY)
    elig = pd.DataFrame({"eligible": [True] * 4 + [False] * 3}, index=pd.Index(list("abcdxzy"), name="household_id"))
    return compare.apply_eligibility(out, elig)


def _agreement(ccc_low: float = 0.95, kappa: float = 0.8) -> pd.DataFrame:
    """An agreement_summary's first (overall) row with the columns the conclusions read."""
    return pd.DataFrame({"level": ["overall"], "ccc": [0.96], "ccc_low": [ccc_low], "ccc_high": [0.97],
                         "kappa": [kappa]})


def _conclude(cmp: pd.DataFrame, *, ccc_low: float = 0.95, kappa: float = 0.8, inv: pd.DataFrame | None = None):
    inv = compare.investigation_list(cmp) if inv is None else inv
    bw = words.bridge_words(compare.limit_bridge(cmp), cmp)
    return F.conclusions(_agreement(ccc_low, kappa), inv, bw, Reconciliation())


# --- the verdict rules, at and either side of each threshold --------------------------------------

@pytest.mark.parametrize("ccc_low, verdict", [(0.90, "pass"), (0.8999, "warn"), (0.9001, "pass"), (0.50, "warn"),
                                              (1.0, "pass"), (math.nan, "warn")])
def test_ccc_verdict(ccc_low, verdict):
    assert F.CCC_LOW_MIN == 0.90
    assert F.ccc_verdict(ccc_low) == verdict


@pytest.mark.parametrize("kappa, verdict", [(0.60, "pass"), (0.5999, "warn"), (0.6001, "pass"), (-0.2, "warn"),
                                            (math.nan, "warn")])
def test_kappa_verdict(kappa, verdict):
    assert F.KAPPA_MIN == 0.60
    assert F.kappa_verdict(kappa) == verdict


@pytest.mark.parametrize("n, verdict", [(0, "pass"), (1, "review"), (1132, "review")])
def test_investigate_verdict(n, verdict):
    assert F.investigate_verdict(n) == verdict


@pytest.mark.parametrize("ccc_low, kappa, ccc_v, kappa_v", [(0.90, 0.60, "pass", "pass"), (0.89, 0.59, "warn", "warn"),
                                                            (0.91, 0.59, "pass", "warn"), (0.89, 0.61, "warn", "pass")])
def test_conclusions_apply_the_rules(cmp, ccc_low, kappa, ccc_v, kappa_v):
    rows, _ = _conclude(cmp, ccc_low=ccc_low, kappa=kappa)
    assert [f.verdict for f in rows] == ["review", "info", "info", "info", ccc_v, kappa_v]


def test_no_household_to_investigate_passes(cmp):
    inv = compare.investigation_list(cmp).iloc[:0]
    rows, summary = _conclude(cmp, inv=inv)
    assert rows[0].verdict == "pass" and rows[0].figure == "0 户，敞口差额 0.00 万元"
    assert summary.startswith("需核查 0 户（敞口差额 0.00 万元）")


# --- the words: the catalogue's, in both languages -----------------------------------------------

def test_conclusions_in_chinese(cmp):
    rows, summary = _conclude(cmp, ccc_low=0.90, kappa=0.6)
    assert summary == ("需核查 3 户（敞口差额 12.00 万元）；最终额度为公议额度的 58.8%（减少 7.00 万元：资格规则剔除 3.00 万元；"
                       "调解政策减少 4.00 万元，其中核查期间的临时额度减少 4.00 万元，核查后可能调整）。")
    inv, final, elig, policy, ccc, kappa = rows
    assert (inv.decision, inv.figure) == ("需客户经理核查的农户", "3 户，敞口差额 12.00 万元")  # b 50,000 + d 40,000 + c 30,000
    assert inv.threshold == "模型/公议比值超出 [0.67, 1.50]、一方拒绝或缺少输入（参数：额度调解）"
    assert final.figure == "10.00 万元，为公议额度的 58.8%（减少 7.00 万元）"
    assert final.threshold == "含需核查的 3 户核查期间的临时额度 5.00 万元，核查后可能调整"
    assert elig.figure == ("3.00 万元（3 户户内无合格成员：白名单中 1 户，另 1 户评议已拒绝、公议额度为 0，"
                           "1 户未经评议、只有模型额度）")
    assert policy.threshold == "调解区间内规则：取两者较小值（参数：额度调解）"
    assert (ccc.figure, ccc.ci) == ("0.960", "[0.900, 0.970]")
    assert ccc.threshold == "CCC 95% 下限 ≥ 0.90（McBride 2005：低于 0.90 为差）"
    assert (kappa.decision, kappa.figure, kappa.ci) == ("授信/拒绝的一致性（Cohen κ）", "0.600", None)
    assert kappa.threshold == "κ ≥ 0.60（Landis & Koch 1977：高度一致）"


def test_conclusions_in_english(cmp):
    labels.set_lang("en")
    rows, summary = _conclude(cmp)
    assert summary.startswith("3 households to investigate (exposure gap 12.00 × 10,000 yuan); the final total is 58.8%")
    assert rows[0].decision == "Households to investigate"
    assert rows[2].figure.endswith("1 white-listed, 1 declined by the panel with a consensus of 0, 1 not reviewed "
                                   "(a model limit only))")
    assert rows[4].threshold == "lower 95% bound ≥ 0.90 (McBride 2005: below 0.90 poor)"
    assert rows[5].threshold == "kappa ≥ 0.60 (Landis & Koch 1977: substantial)"
    cjk = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
    assert not [t for f in rows for t in (f.decision, f.figure, f.threshold) if cjk.search(t)] and not cjk.search(summary)


def test_the_rules_state_the_thresholds_they_apply(cmp, monkeypatch):
    """One number, one value: the texts state the module's constants, not a copy of them."""
    monkeypatch.setattr(F, "CCC_LOW_MIN", 0.95)
    monkeypatch.setattr(F, "KAPPA_MIN", 0.40)
    rows, _ = _conclude(cmp, ccc_low=0.93, kappa=0.45)
    assert rows[4].threshold == "CCC 95% 下限 ≥ 0.95（McBride 2005：低于 0.95 为差）" and rows[4].verdict == "warn"
    assert rows[5].threshold == "κ ≥ 0.40（Landis & Koch 1977：高度一致）" and rows[5].verdict == "pass"
    from calib.report._texts import TEXTS

    for key in ("nb03.c.ccc_rule", "nb03.c.kappa_rule"):  # no threshold typed into the rule's text
        assert not [w for w in TEXTS[key] if re.search(r"\d\.\d", w)], key


def test_the_split_of_the_ineligible_households_is_stated_once_and_adds_up(cmp):
    """The bridge's words and the grants note state the same split (one count, compare.declined_counts)."""
    bw = words.bridge_words(compare.limit_bridge(cmp), cmp)
    gw = words.grants_words(compare.grant_crosstab(cmp), cmp)
    assert gw == {"n_all": "7", "n_table": "4", "n_inel": "3", "missing": "", "n_wl": "1", "k": "1",
                  "not_reviewed": " + 未经评议的 1 户", "both_limits": "",
                  "declined": "上表评议拒绝 1 户，报告 02 为 2 户，相差的是评议已拒绝、户内无合格成员的这 1 户。"}
    assert "白名单中 1 户，另 1 户评议已拒绝" in bw["eligible_who"]
    note = labels.t("nb03.grants.note", **gw)
    assert note.startswith("全部 7 户 = 上表 4 户（两方均有额度、户内有合格成员）+ 户内无合格成员的 3 户。")
    assert "（3 户 = 白名单中的 1 户 + 评议已拒绝的 1 户 + 未经评议的 1 户）" in note
    assert note.endswith("上表评议拒绝 1 户，报告 02 为 2 户，相差的是评议已拒绝、户内无合格成员的这 1 户。")
    # every household with no eligible member reviewed (the sample): no clause
    reviewed = cmp.drop(index="y")
    assert words.grants_words(compare.grant_crosstab(reviewed), reviewed)["not_reviewed"] == ""
    # nothing declined set apart (no household with no eligible member declined): the counts agree, said so
    agree = cmp.drop(index="z")
    assert words.grants_words(compare.grant_crosstab(agree), agree)["declined"] == "上表评议拒绝 1 户，与报告 02 相同。"
    assert words.bridge_words(compare.limit_bridge(reviewed), reviewed)["eligible_who"].endswith("公议额度为 0")


def _mixed() -> pd.DataFrame:
    """The fixture's households plus p and q with no eligible member and both limits, v with an
    eligible member and no model run, w the same, declined by the panel."""
    cons = pd.DataFrame({"consensus_limit": pd.Series({"a": 50000, "b": 50000, "c": 0, "d": 40000, "x": 30000, "z": 0,
                                                       "p": 50000, "q": 0, "v": 20000, "w": 0}, dtype=float)})
    cons.index.name = "household_id"
    cons["village"] = "v1"
    runs = pd.DataFrame({"household_id": list("abcdypq"), "model_limit": [60000, 100000, 30000, 0, 10000, 200000, 30000]})
    out = compare.compare_limits(cons, runs, policy=POLICY)
    ok = dict.fromkeys("abcdvw", True) | dict.fromkeys("xzypq", False)
    return compare.apply_eligibility(out, pd.Series(ok, name="eligible").rename_axis("household_id"))


def test_the_grants_note_is_true_of_any_data():
    """The note said that households with no eligible member have no model run: true of the sample
    only. It now states the counts: every household is in the table or set apart (and why), and
    report 02's declines are the table's plus those set apart, whatever the data."""
    cmp = _mixed()
    gw = words.grants_words(compare.grant_crosstab(cmp), cmp)
    note = labels.t("nb03.grants.note", **gw)
    assert "没有模型跑批，不在上表" not in note
    assert note.startswith("全部 11 户 = 上表 4 户（两方均有额度、户内有合格成员）+ 户内无合格成员的 5 户 + 缺少一方额度的 2 户。")
    assert "（5 户 = 白名单中的 2 户 + 评议已拒绝的 2 户 + 未经评议的 1 户；其中两方均有额度的 2 户）" in note  # x, p; z, q; y
    assert note.endswith("上表评议拒绝 1 户，报告 02 为 4 户，相差的是评议已拒绝、户内无合格成员的这 2 户"
                         "与户内有合格成员但没有模型跑批的 1 户。")  # c; c, z, q, w
    figures = [int(n) for n in re.findall(r"\d+", note)]
    assert figures[0] == figures[1] + figures[2] + figures[3]  # 11 = 4 + 5 + 2: in = used + set apart
    labels.set_lang("en")
    note = labels.t("nb03.grants.note", **words.grants_words(compare.grant_crosstab(cmp), cmp))
    assert note.startswith("All 11 households = the table's 4 (both limits, an eligible member) + 5 with no eligible "
                           "member + 2 with one limit missing.")
    assert "(5 = 2 white-listed + 2 declined by the panel + 1 not reviewed; 2 of them with both limits)" in note
    assert note.endswith("the difference is these 2 declined with no eligible member and 1 with an eligible member "
                         "but no model run.")


# --- the headline figures --------------------------------------------------------------------------

def test_metrics_in_the_golden_order(cmp):
    golden = json.loads((Path(__file__).with_name("golden") / "sample_metrics.json").read_text(encoding="utf-8"))
    agr = _agreement().assign(bias_ratio=1.01, loa_low_ratio=0.6, loa_high_ratio=1.7, deming_slope=1.09)
    villages = pd.DataFrame({"direction": ["model_above", "in_line", "model_above", "in_line"]})
    expo = compare.exposure_by_group(cmp, by=None)  # the overall row first, as by village
    inv = compare.investigation_list(cmp)
    m = F.metrics(agr, compare.direction_counts(villages), expo, cmp, inv)
    assert list(m) == list(golden["03_consensus_vs_model"])
    assert m["ba_bias_ratio"] == 1.01 and m["ccc"] == 0.96 and m["kappa"] == 0.8
    assert m["villages_model_above_panel"] == 2 and m["villages_model_below_panel"] == 0  # none below: 0
    # the model total counts the households compared: not y's 10,000 (no eligible member, no consensus)
    assert (m["total_consensus_limit"], m["total_model_limit"], m["total_final_limit"]) == (170000, 190000, 100000)
    assert m["households_outside_band"] == 1 and m["households_to_investigate"] == 3
    assert m["exposure_gap_total"] == 120000
    assert all(type(v) in (int, float) for v in m.values())


def test_the_village_directions_are_counted_once():
    """The drivers' text and the headline figures state the counts of compare.direction_counts:
    the figures follow the counts they are given, not a count of their own."""
    import inspect

    agr = _agreement().assign(bias_ratio=1.0, loa_low_ratio=0.6, loa_high_ratio=1.7, deming_slope=1.0)
    cmp = _mixed()
    expo, inv = compare.exposure_by_group(cmp, by=None), compare.investigation_list(cmp)
    d = pd.Series({"model_above": 7, "model_below": 3, "in_line": 0})
    m = F.metrics(agr, d, expo, cmp, inv)
    assert (m["villages_model_above_panel"], m["villages_model_below_panel"]) == (7, 3)
    assert "value_counts" not in inspect.getsource(F.metrics)
