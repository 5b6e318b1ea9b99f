"""Report 04's conclusions and headline figures (calib.report.findings.scorecard) on hand-made
inputs: each verdict rule at and either side of its threshold, the catalogue's words in both
languages, and the headline figures' keys in the golden metrics' order."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from calib.params import load
from calib.params.schema import Scorecard as ScorecardParams
from calib.report import labels
from calib.report.findings import scorecard as fs
from calib.scorecard import keep_or_replace
from calib.scorecard.comparison import OUT_OF_FOLD
from calib.scorecard.crossval import CrossValidation

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "sample_metrics.json"
GRADES = ["AAA", "AA", "A", "B"]


@pytest.fixture(scope="module")
def params():
    return load(ROOT / "params" / "sample.yaml")


pytestmark = pytest.mark.usefixtures("zh_strict")


def _out_of_fold(ci_low: float = -0.01, ci_high: float = 0.05, diff: float = 0.02, p: float = 0.2) -> pd.DataFrame:
    """The ``auc`` table of compare_out_of_fold, one row (no village bootstrap: DeLong's interval)."""
    return pd.DataFrame({"auc_current": [0.70], "auc_calibrated": [0.70 + diff], "auc_diff": [diff],
                         "ci_low": [ci_low], "ci_high": [ci_high], "p_value": [p], "evidence": [OUT_OF_FOLD],
                         "n": [400], "n_defaults": [40]})


def _in_sample() -> pd.DataFrame:
    return pd.DataFrame({"auc_current": [0.70], "auc_calibrated": [0.75], "auc_diff": [0.05], "ci_low": [0.01],
                         "ci_high": [0.09], "p_value": [0.012], "evidence": ["in-sample"]})


def _by_grade(lights=("green", "green", "green", "green"), jeffreys=(0.5, 0.5, 0.5, 0.5)) -> pd.DataFrame:
    return pd.DataFrame({"grade": GRADES, "n": [100] * 4, "defaults": [1, 2, 5, 10],
                         "observed_dr": [0.01, 0.02, 0.05, 0.10], "predicted_pd": [0.012, 0.02, 0.04, 0.09],
                         "jeffreys_p": list(jeffreys), "binomial_p": [0.6, 0.5, 0.2, 0.3],
                         "confidence": [0.4, 0.5, 0.8, 0.7], "traffic_light": list(lights)})


def _p(value: float) -> pd.DataFrame:
    return pd.DataFrame({"p_value": [value]})


def _status(share: float = 0.6, n: int = 10) -> pd.DataFrame:
    k = round(share * n)
    return pd.DataFrame({"a_or_better": [True] * k + [False] * (n - k)})


def _conclude(params, *, oof=None, min_gain: float = 0.0, by_grade=None, hl: float = 0.4, sp: float = 0.6):
    oof = _out_of_fold() if oof is None else oof
    return fs.conclusions(keep_or_replace(oof, min_gain=min_gain), out_of_fold=oof, in_sample=_in_sample(),
                          by_grade=_by_grade() if by_grade is None else by_grade, hosmer_lemeshow=_p(hl),
                          spiegelhalter=_p(sp), a_or_better_share=0.625, status=_status(0.6), params=params)


# -- keep or replace: the decision's interval against its threshold (lower bound > 0) --------------

@pytest.mark.parametrize("ci_low, verdict", [(-0.001, "keep"), (0.0, "keep"), (0.001, "replace")])
def test_replace_only_when_the_lower_bound_is_above_zero(params, ci_low, verdict):
    findings, summary = _conclude(params, oof=_out_of_fold(ci_low=ci_low))
    assert findings[0].verdict == verdict
    assert findings[0].ci == f"[{ci_low:.3f}, 0.050]"
    assert summary.startswith("建议更换为校准评分卡：" if verdict == "replace" else "保留现行评分权重："), summary
    assert "DeLong 区间" in summary  # the interval the decision used, in words


def test_the_keep_rule_states_the_threshold_the_decision_applies(params):
    """One number, one value: the rule's text states keep_or_replace's threshold."""
    findings, _ = _conclude(params)
    assert findings[0].threshold == "AUC 差 95% 区间（DeLong 与按村自助法中较宽者）下限 > 0 才更换（按村分组的折外预测，DeLong 1988）"
    findings, _ = _conclude(params, oof=_out_of_fold(ci_low=0.005), min_gain=0.01)
    assert "下限 > 0.01 才更换" in findings[0].threshold and findings[0].verdict == "keep"
    findings, _ = _conclude(params, oof=_out_of_fold(ci_low=0.015), min_gain=0.01)
    assert findings[0].verdict == "replace"


# -- overall calibration: Hosmer-Lemeshow and Spiegelhalter p against ALPHA (0.05) -----------------

@pytest.mark.parametrize("hl, sp, verdict", [
    (0.0499, 0.6, "review"), (0.05, 0.6, "pass"), (0.0501, 0.6, "pass"),
    (0.6, 0.0499, "review"), (0.6, 0.05, "pass"), (0.6, 0.0501, "pass"),
    (0.01, 0.01, "review"),
])
def test_calibration_is_reviewed_when_either_test_rejects_it(params, hl, sp, verdict):
    assert fs.ALPHA == 0.05
    assert fs.calibration_verdict(hl, sp) == verdict
    findings, _ = _conclude(params, hl=hl, sp=sp)
    assert findings[3].verdict == verdict
    assert findings[3].figure == f"Hosmer-Lemeshow p {hl:.3f}；Spiegelhalter p {sp:.3f}"


@pytest.mark.parametrize("hl, sp", [(math.nan, 0.6), (0.6, math.nan)])
def test_an_undefined_test_does_not_pass(hl, sp):
    assert fs.calibration_verdict(hl, sp) == "review"


def test_the_calibration_rule_states_alpha(params, monkeypatch):
    findings, _ = _conclude(params, hl=0.02)
    assert findings[3].threshold == "p ≥ 0.05 不拒绝 PD 校准（折外预测；同村违约相关使检验偏于拒绝）"
    assert findings[3].verdict == "review"
    monkeypatch.setattr(fs, "ALPHA", 0.01)
    findings, _ = _conclude(params, hl=0.02)
    assert findings[3].threshold.startswith("p ≥ 0.01 不拒绝 PD 校准")
    assert findings[3].verdict == "pass"


# -- the traffic light: red when a grade is red, else yellow when one is yellow, else green -------

@pytest.mark.parametrize("lights, verdict, figure, word", [
    (("green", "green", "green", "green"), "green", "红灯 0 个、黄灯 0 个（共 4 个等级）", "绿灯"),
    (("green", "yellow", "green", "green"), "yellow", "红灯 0 个、黄灯 1 个（共 4 个等级）", "黄灯"),
    (("red", "yellow", "yellow", "green"), "red", "红灯 1 个、黄灯 2 个（共 4 个等级）", "红灯"),
])
def test_the_cards_light_is_its_worst_grades(params, lights, verdict, figure, word):
    findings, summary = _conclude(params, by_grade=_by_grade(lights))
    assert (findings[2].verdict, findings[2].figure) == (verdict, figure)
    assert summary.endswith(f"等级校准交通灯：{word}。"), summary
    assert fs.light_verdict(*fs.lights(_by_grade(lights))) == verdict


def test_in_sample_and_share_are_information_only(params):
    findings, _ = _conclude(params)
    assert [f.verdict for f in findings][1::3] == ["info", "info"]
    assert findings[1].figure == "校准 0.750，较现行高 0.050（p 0.012），样本内"
    assert findings[1].ci == "[0.010, 0.090]"
    assert findings[4].figure == "62.5%"
    assert findings[4].threshold == "信用村标准 > 55%；报告 06 按模型跑批等级、全部农户计为 60.0%"


# -- the catalogue's words, in both languages ------------------------------------------------------

def test_findings_and_summary_in_chinese(params):
    findings, summary = _conclude(params)
    assert [f.decision for f in findings] == [
        "保留还是更换现行评分权重（交叉验证）", "样本内 AUC（仅供参考）", "等级校准交通灯", "整体校准（折外）",
        "A 级及以上农户占比（已评分农户，校准等级，样本内）"]
    assert findings[0].figure == "校准评分卡 AUC 0.720，现行权重 AUC 0.700，差 0.020（DeLong p 0.200）"
    assert summary == ("保留现行评分权重：交叉验证下校准评分卡的 AUC 优势为 0.020，95% 区间 [-0.010, 0.050]（DeLong 区间；"
                       "DeLong p 0.200），不能排除没有改进；等级校准交通灯：绿灯。")


def test_findings_and_summary_in_english(params):
    labels.set_lang("en")
    try:
        findings, summary = _conclude(params, oof=_out_of_fold(ci_low=0.004, p=0.0004))
    finally:
        labels.set_lang("zh-CN")
    assert [f.decision for f in findings] == [
        "Keep or replace the current weights (cross-validated)", "In-sample AUC (reference only)",
        "Grade calibration traffic light", "Overall calibration (out of fold)",
        "A-or-better share (scored households, calibrated grades, in sample)"]
    assert findings[0].threshold.startswith("replace only if the lower 95% bound") and "> 0 (" in findings[0].threshold
    assert findings[3].threshold.startswith("p ≥ 0.05: PD calibration not rejected")
    assert findings[4].threshold == "credit village > 55%; report 06 (model-run grades, all households): 60.0%"
    assert summary == ("Replace with the calibrated card: out of sample the AUC improves by 0.020, 95% CI [0.004, 0.050] "
                       "(DeLong's interval; DeLong p < 0.001); grade calibration light: green.")


# -- the headline figures ---------------------------------------------------------------------------

def _metrics():
    cv = CrossValidation(folds=pd.DataFrame(), auc_mean=0.71, auc_pooled=0.72, ks_pooled=0.33, oof_pd=pd.Series(dtype=float),
                         oof=pd.DataFrame(), grouped=True)
    decision = keep_or_replace(_out_of_fold())
    return fs.metrics(_in_sample(), cv, decision, pd.DataFrame({"ks": [0.41]}), 0.625,
                      pd.DataFrame({"characteristic": ["points", "land_mu"]}))


def _calibration_metrics(jeffreys=(0.5, 0.5, 0.5, 0.5), lights=("green", "green", "green", "green")):
    cur = pd.DataFrame({"score": [60.0, 70.0, 80.0, 90.0], "grade": ["B", "A", "AA", "AAA"]})
    cal = pd.DataFrame({"score": [570.0, 590.0, 610.0, 650.0], "grade": ["B", "A", "AA", "AAA"]})
    chars = pd.DataFrame({"points": [50.0, 150.0, 250.0, 550.0], "land_mu": [0.5, 1.5, 3.0, 9.0]})
    settings = ScorecardParams(current_cutoffs={"AAA": 85, "AA": 75, "A": 65})
    return fs.calibration_metrics(_by_grade(lights, jeffreys), _p(0.4), _p(0.6), current=cur, calibrated=cal,
                                  characteristics=chars, settings=settings)


def test_the_figures_keep_the_golden_order():
    """The two runs of figures sit, in order, where the notebook records them: after the selection's
    five figures (recorded beside their computation), before the stability's PSI."""
    golden = list(json.loads(GOLDEN.read_text(encoding="utf-8"))["04_scorecard_calibration"])
    m, c = list(_metrics()), list(_calibration_metrics())
    assert golden == ["households_scored", "drawers", "draw_share", "defaults", "default_rate_drawers"] + m + c + ["psi_score"]


def test_the_figures_values():
    m = _metrics()
    assert m["auc_current"] == 0.70 and m["auc_calibrated"] == 0.75 and m["auc_diff_p_value"] == 0.012
    assert (m["auc_calibrated_cv"], m["ks_calibrated_cv"], m["ks_calibrated"]) == (0.72, 0.33, 0.41)
    assert (m["auc_diff_cv"], m["auc_diff_cv_ci_low"], m["auc_diff_cv_ci_high"]) == (0.02, -0.01, 0.05)
    assert (m["scorecard_verdict"], m["sign_warnings"], m["a_or_better_share_scored_calibrated"]) == ("keep", 2, 0.625)
    c = _calibration_metrics(lights=("red", "red", "yellow", "green"))
    assert (c["grades_red"], c["hosmer_lemeshow_p"], c["spiegelhalter_p"]) == (2, 0.4, 0.6)
    assert c["grade_distribution"] == {"A": 0.25, "AA": 0.25, "AAA": 0.25, "B": 0.25}
    # the current card on the bands of its cutoffs (halved: 5 points), the calibrated one on base ± k pdo
    cur = c["current_score_distribution"]
    assert (cur["60-65"], cur["70-75"], cur["80-85"], cur["90-95"], cur["<35"], cur[">=115"]) == (0.25, 0.25, 0.25, 0.25, 0, 0)
    assert list(c["score_distribution"])[0::11] == ["<500", ">=700"] and c["score_distribution"]["640-660"] == 0.25
    assert c["grade_pds"] == {"AAA": 0.012, "AA": 0.02, "A": 0.04, "B": 0.09}
    assert c["grade_confidence"] == {"AAA": 0.4, "AA": 0.5, "A": 0.8, "B": 0.7}
    assert set(c["characteristic_distributions"]) == {"points", "land_mu"}


@pytest.mark.parametrize("p, rejected", [(0.0499, 1), (0.05, 0), (0.0501, 0)])
def test_a_grade_is_rejected_below_alpha(p, rejected):
    """grades_jeffreys_rejected counts the grades with Jeffreys p < ALPHA, the level of the
    overall tests too."""
    assert _calibration_metrics(jeffreys=(0.5, p, 0.5, 0.5))["grades_jeffreys_rejected"] == rejected
