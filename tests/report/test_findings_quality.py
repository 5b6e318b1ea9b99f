"""Report 01's conclusions and headline figures (calib.report.findings.quality) on hand-made inputs:
each verdict rule at and either side of its threshold, the catalogue's words in both languages,
and the headline figures' keys in the golden metrics' order."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from calib.report import labels
from calib.report.findings import quality as fq

GOLDEN = Path(__file__).with_name("golden") / "sample_metrics.json"


def _summary(read: int = 10_000, quarantined: int = 17, balanced: bool = True) -> pd.DataFrame:
    """A load summary of two tables (the first holds every quarantined row)."""
    accepted = [read - quarantined - 100 if balanced else read - quarantined - 101, 100]
    return pd.DataFrame({
        "file": ["roster.csv", "reviews.csv"], "rows_read": [read - 100, 100], "rows_accepted": accepted,
        "rows_quarantined": [quarantined, 0], "balanced": [balanced, True],
    }, index=pd.Index(["roster", "reviews"], name="table"))


def _coverage(*villages: tuple[int, int]) -> pd.DataFrame:
    """Coverage by village from (profiled, eligible households) pairs; households = eligible + 5."""
    prof = [p for p, _ in villages]
    elig = [e for _, e in villages]
    return pd.DataFrame({"households": [e + 5 for e in elig], "eligible_households": elig, "profiled": prof},
                        index=pd.Index([f"V{i}" for i in range(len(villages))], name="village"))


def _verdicts(findings):
    return [f.verdict for f in findings]


pytestmark = pytest.mark.usefixtures("zh_strict")


# -- the quarantine share against MAX_QUARANTINE_SHARE (1%) --------------------------------------

@pytest.mark.parametrize("quarantined, verdict", [(99, "pass"), (100, "pass"), (101, "warn")])
def test_quarantine_share_at_and_either_side_of_one_percent(quarantined, verdict):
    assert fq.MAX_QUARANTINE_SHARE == 0.01
    findings, summary = fq.conclusions(_summary(10_000, quarantined), _coverage((95, 100)), ">=", 0.90)
    assert findings[1].verdict == verdict
    assert findings[1].figure == f"{quarantined / 100:.2f}%"
    fit = verdict == "pass"
    assert summary.startswith("数据可用：" if fit else "数据暂不可用："), summary


def test_quarantine_verdict_and_undefined_share():
    assert fq.quarantine_verdict(0.0) == "pass"
    assert fq.quarantine_verdict(0.01) == "pass"
    assert fq.quarantine_verdict(0.010001) == "warn"
    assert fq.quarantine_verdict(float("nan")) == "warn"  # no row read: not fit


def test_the_rule_text_states_the_constant_the_verdict_applies(monkeypatch):
    """One number, one value: the threshold on the page is the constant the rule applies."""
    findings, _ = fq.conclusions(_summary(10_000, 150), _coverage((95, 100)), ">=", 0.90)
    assert findings[1].threshold == "≤ 1.00%（本报告的可用性门槛）"
    assert findings[1].verdict == "warn"
    monkeypatch.setattr(fq, "MAX_QUARANTINE_SHARE", 0.02)
    findings, summary = fq.conclusions(_summary(10_000, 150), _coverage((95, 100)), ">=", 0.90)
    assert findings[1].threshold == "≤ 2.00%（本报告的可用性门槛）"
    assert findings[1].verdict == "pass" and summary.startswith("数据可用：")


# -- the balance of the tables ----------------------------------------------------------------------

def test_unbalanced_table_fails_and_makes_the_data_unfit():
    findings, summary = fq.conclusions(_summary(balanced=False), _coverage((95, 100)), ">=", 0.90)
    assert findings[0].verdict == "fail"
    assert findings[1].verdict == "pass"  # 0.17% quarantined: within the threshold
    assert summary.startswith("数据暂不可用：")
    findings, summary = fq.conclusions(_summary(balanced=True), _coverage((95, 100)), ">=", 0.90)
    assert findings[0].verdict == "pass" and summary.startswith("数据可用：")


# -- the profiling rule (the parameters' op and value), overall and per village --------------------

@pytest.mark.parametrize("profiled, overall, below", [(899, "fail", "warn"), (900, "pass", "pass"),
                                                      (901, "pass", "pass")])
def test_profiling_rate_at_and_either_side_of_the_rule(profiled, overall, below):
    findings, _ = fq.conclusions(_summary(), _coverage((profiled, 1000)), ">=", 0.90)
    assert _verdicts(findings)[2:] == [overall, below]
    assert findings[2].figure == f"{profiled / 10:.1f}%"
    assert findings[3].figure == f"{0 if below == 'pass' else 1} / 1 个村"


def test_one_village_below_warns_while_the_programme_passes():
    cov = _coverage((899, 1000), (1000, 1000))  # 94.95% overall, one village at 89.9%
    findings, summary = fq.conclusions(_summary(), cov, ">=", 0.90)
    assert _verdicts(findings) == ["pass", "pass", "pass", "warn"]
    assert findings[3].figure == "1 / 2 个村"
    assert summary == "数据可用：各表行数平衡，隔离 17 行（0.17%）；按户计，建档率 95.0%，1 个村低于 90%。"


def test_the_rule_of_the_parameters_decides_and_is_stated():
    """A strict rule (> 90%) fails a village at exactly 90%; the texts state the rule given."""
    findings, summary = fq.conclusions(_summary(), _coverage((900, 1000)), ">", 0.90)
    assert _verdicts(findings)[2:] == ["fail", "warn"]
    assert findings[2].threshold == "> 90%（信用村“952”标准第一款）"
    findings, _ = fq.conclusions(_summary(), _coverage((850, 1000)), ">=", 0.85)
    assert _verdicts(findings)[2:] == ["pass", "pass"]
    assert findings[3].decision == "按户计建档率低于 85% 的村"


def test_no_eligible_household_fails_the_profiling_rate():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 / 0 households: the rate is undefined
        findings, _ = fq.conclusions(_summary(), _coverage((0, 0)), ">=", 0.90)
    assert findings[2].verdict == "fail" and findings[2].figure == "—"
    assert findings[3].verdict == "pass"  # a village without eligible households is "no data", not below


# -- the words: the catalogue's, in both languages ------------------------------------------------

def test_findings_and_summary_in_chinese_by_default():
    findings, summary = fq.conclusions(_summary(82_817, 17), _coverage((95, 100), (85, 100)), ">=", 0.90)
    assert [f.decision for f in findings] == ["各表行数是否平衡（不丢行）", "隔离行占比", "合格农户建档率",
                                              "按户计建档率低于 90% 的村"]
    assert findings[0].figure == "读入 82,817 = 接受 82,800 + 隔离 17"
    assert findings[0].threshold == "读入 = 接受 + 隔离（数据契约，见方法附录）"
    assert findings[2].threshold == findings[3].threshold == "≥ 90%（信用村“952”标准第一款）"
    assert all(f.ci is None for f in findings)
    assert summary == "数据可用：各表行数平衡，隔离 17 行（0.02%）；按户计，建档率 90.0%，1 个村低于 90%。"
    _, unfit = fq.conclusions(_summary(10_000, 200), _coverage((95, 100)), ">=", 0.90)
    assert unfit == "数据暂不可用：隔离 200 行（2.00%）或行数不平衡，请先更正源数据；按户计建档率 95.0%。"


def test_findings_and_summary_in_english():
    try:
        labels.set_lang("en")
        findings, summary = fq.conclusions(_summary(82_817, 17), _coverage((95, 100), (85, 100)), ">=", 0.90)
        _, unfit = fq.conclusions(_summary(10_000, 200), _coverage((95, 100)), ">=", 0.90)
    finally:
        labels.set_lang("zh-CN")
    assert [f.decision for f in findings] == ["Every table balanced (no row lost)", "Share of rows quarantined",
                                              "Profiling rate of eligible households",
                                              "Villages below 90% profiling (households)"]
    assert findings[0].figure == "read 82,817 = accepted 82,800 + quarantined 17"
    assert findings[1].threshold == "≤ 1.00% (this report's fitness threshold)"
    assert findings[3].figure == "1 of 2 villages"
    assert summary == ("Data fit to use: every table balanced, 17 rows quarantined (0.02%); in households, "
                       "profiling 90.0%, 1 village below 90%.")
    assert unfit.startswith("Data not yet fit to use: 200 rows quarantined (2.00%)")
    # and back in Chinese after the reset
    assert fq.conclusions(_summary(), _coverage((95, 100)), ">=", 0.90)[1].startswith("数据可用")


# -- the headline figures ---------------------------------------------------------------------------

def test_metrics_keys_are_the_golden_ones_in_order():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["01_data_quality"]
    got = fq.metrics(_summary(), _coverage((95, 100)), ">=", 0.90)
    assert list(got) == list(golden)


def test_metrics_values_and_types():
    got = fq.metrics(_summary(10_000, 17, balanced=False), _coverage((899, 1000), (1000, 1000), (50, 60)),
                     ">=", 0.90)
    assert got == {"rows_read": 10_000, "rows_quarantined": 17, "tables_balanced": False, "villages": 3,
                   "households": 2075, "eligible_households": 2060,
                   "profiling_rate": pytest.approx(1949 / 2060), "villages_below_90pct_profiling": 2}
    assert [type(v) for v in got.values()] == [int, int, bool, int, int, int, float, int]


def test_the_coverage_section_states_the_figures_the_conclusions_state():
    """The section's summary and the conclusions rest on one computation: the same rate and the
    same count of villages below the rule, judged in integers (9 of 10 meets >= 90%)."""
    cov = _coverage((9, 10), (89, 100), (1_000, 1_000))
    words = fq.coverage_words(cov, ">=", 0.90)
    assert words == {"villages": "3", "households": "1,125", "eligible": "1,110", "profiled": "1,098",
                     "rate": "98.9%", "below": "1"}
    findings, _ = fq.conclusions(_summary(), cov, ">=", 0.90)
    assert words["rate"] in findings[2].figure and f"{words['below']} " in findings[3].figure
    assert fq.metrics(_summary(), cov, ">=", 0.90)["villages_below_90pct_profiling"] == int(words["below"])
