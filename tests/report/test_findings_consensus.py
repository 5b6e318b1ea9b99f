"""Report 02's conclusions and headline figures (calib.report.findings.consensus) on hand-made
inputs: each verdict rule at and either side of its threshold, the catalogue's words in both
languages, and the headline figures' keys in the golden metrics' order."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from calib.report import labels
from calib.report._texts_02 import TEXTS_02
from calib.report.findings import consensus as fc

GOLDEN = Path(__file__).with_name("golden") / "sample_metrics.json"
BELOW, ABOVE = fc.ICC_GOOD - 1e-4, fc.ICC_GOOD + 1e-4


def _status(rereview: int = 6, households: int = 100) -> pd.DataFrame:
    """Status counts: the overall row first, then one village holding every household."""
    row = {"households": households, "white_listed": 90, "declined": households - 90, "needs_rereview": rereview,
           "share_needs_rereview": rereview / households, "total_consensus": 1_234_000.0}
    return pd.DataFrame([{"level": "overall", "group": "overall", **row}, {"level": "village", "group": "V1", **row}])


def _agreement(*villages: float, overall: float = 0.80) -> pd.DataFrame:
    """Agreement by village from the villages' ICC(A,k), the overall row last (as agreement() gives)."""
    rows = [{"level": "village", "group": f"V{i}", "icc_ak": v} for i, v in enumerate(villages)]
    rows.append({"level": "overall", "group": "overall", "icc_ak": overall})
    out = pd.DataFrame(rows)
    return out.assign(icc_a1=out["icc_ak"] - 0.1, krippendorff_alpha=0.7, kendall_w=0.85)


def _flagged(*reasons: str) -> pd.DataFrame:
    return pd.DataFrame({"reviewer_id": [f"R{i}" for i in range(len(reasons))], "flag_reason": list(reasons)})


def _effects(*leniency: float) -> pd.DataFrame:
    return pd.DataFrame({"leniency": list(leniency)}, index=pd.Index([f"R{i}" for i in range(len(leniency))],
                                                                     name="reviewer_id"))


def _conclude(status=None, flagged=None, agreement=None):
    return fc.conclusions(_status() if status is None else status, _flagged("partial") if flagged is None else flagged,
                          _agreement(0.9) if agreement is None else agreement, min_reviews=3, max_dispersion=0.5)


pytestmark = pytest.mark.usefixtures("zh_strict")


# -- households to re-review and reviewers flagged: any is a review --------------------------------

@pytest.mark.parametrize("rereview, verdict", [(0, "pass"), (1, "review"), (6, "review")])
def test_households_to_rereview(rereview, verdict):
    findings, _ = _conclude(status=_status(rereview))
    assert findings[0].verdict == verdict
    assert findings[0].figure == f"{rereview} 户（{rereview:.1f}%）"


@pytest.mark.parametrize("reasons, verdict", [((), "pass"), (("self_review",), "review"),
                                              (("partial", "partial;self_review"), "review")])
def test_reviewers_flagged(reasons, verdict):
    findings, _ = _conclude(flagged=_flagged(*reasons))
    assert findings[1].verdict == verdict


# -- village panels and the overall reliability against ICC_GOOD (0.75, Koo & Li 2016) -------------

def test_the_threshold_is_koo_and_lis_good_reliability():
    assert fc.ICC_GOOD == 0.75
    assert fc.icc_good_words() == "0.75"


@pytest.mark.parametrize("icc, weak", [(BELOW, True), (fc.ICC_GOOD, False), (ABOVE, False), (math.nan, False)])
def test_weak_panels_at_and_either_side_of_the_threshold(icc, weak):
    agr = _agreement(icc, 0.95, overall=0.5)  # the overall row, below the bound, is no panel
    got = fc.weak_panels(agr)
    assert list(got["group"]) == (["V0"] if weak else [])
    findings, _ = _conclude(agreement=agr)
    assert findings[2].verdict == ("review" if weak else "pass")
    assert findings[2].figure == f"{int(weak)} / 2 个村"


@pytest.mark.parametrize("icc, verdict", [(BELOW, "fail"), (fc.ICC_GOOD, "pass"), (ABOVE, "pass"), (math.nan, "fail")])
def test_overall_reliability_at_and_either_side_of_the_threshold(icc, verdict):
    findings, _ = _conclude(agreement=_agreement(0.9, overall=icc))
    assert findings[3].verdict == verdict
    assert findings[3].figure == ("—" if math.isnan(icc) else f"{icc:.3f}")


def test_the_rule_text_states_the_constant_the_verdict_applies(monkeypatch):
    """One number, one value: the bound on the page is the constant the rules apply, and the
    catalogue of report 02 no longer types it."""
    assert not [k for k, v in TEXTS_02.items() if any("0.75" in s for s in v)]
    agr = _agreement(0.78, overall=0.79)
    findings, summary = _conclude(agreement=agr)
    assert [f.verdict for f in findings[2:]] == ["pass", "pass"]
    assert findings[2].threshold == findings[3].threshold == "ICC(A,k) ≥ 0.75（Koo & Li 2016）"
    monkeypatch.setattr(fc, "ICC_GOOD", 0.80)
    findings, summary = _conclude(agreement=agr)
    assert [f.verdict for f in findings[2:]] == ["review", "fail"]
    assert findings[2].threshold == "ICC(A,k) ≥ 0.80（Koo & Li 2016）"
    assert "1 个村的评议小组信度低于 0.80" in summary
    assert fc.metrics(_status(), agr, _effects(1.0), _flagged())["villages_icc_ak_below_0_75"] == 1


# -- the catalogue's words ----------------------------------------------------------------------

def _sample():
    return _conclude(status=_status(6), flagged=_flagged("partial", "partial;self_review", "self_review"),
                     agreement=_agreement(BELOW, 0.9, overall=0.8))


def test_summary_and_findings_in_chinese():
    findings, summary = _sample()
    assert summary == "需重新评议 6 户；3 名评议员需约谈或再培训；1 个村的评议小组信度低于 0.75，需再培训（全部 ICC(A,k) 0.800）。"
    assert [f.decision for f in findings] == ["需重新评议的农户", "需约谈或再培训的评议员", "需再培训的评议小组（村）",
                                              "全部小组平均额度的信度 ICC(A,k)"]
    assert [f.figure for f in findings] == ["6 户（6.0%）", "3 人（偏袒 2，评议本户 2；其中 1 人有多个原因）", "1 / 2 个村", "0.800"]
    assert findings[0].threshold == "评议少于 3 人或分歧（对数额度稳健离散度）大于 0.50（参数：公议额度）"
    assert findings[1].threshold == "偏袒：BH 校正 q < 5%；评议本户：一律标记"
    assert [f.verdict for f in findings] == ["review", "review", "review", "pass"]


def test_summary_and_findings_in_english():
    labels.set_lang("en")
    findings, summary = _sample()
    assert summary == ("6 households to re-review; 3 reviewers to interview or retrain; 1 village panel below 0.75 "
                       "reliability to retrain (overall ICC(A,k) 0.800).")
    assert [f.decision for f in findings] == ["Households to re-review", "Reviewers to interview or retrain",
                                              "Village panels to retrain",
                                              "Reliability of the panel average, ICC(A,k), overall"]
    assert [f.figure for f in findings] == ["6 (6.0%)", "3 (partial 2, own household 2; 1 with more than one reason)",
                                            "1 of 2 villages", "0.800"]
    assert findings[2].threshold == findings[3].threshold == "ICC(A,k) ≥ 0.75 (Koo & Li 2016)"


def test_the_agreement_texts_take_the_bound():
    """The section's narrative and its summary state the bound the notebook passes them."""
    for lang in labels.LANGS:
        text = labels.t("nb02.agreement.text", lang, **fc.threshold_words(lang))
        summ = labels.t("nb02.agreement.summary", lang, icc1="0.853", icck="0.961", k="3.00", alpha="0.751",
                        w="0.898", weak="0", icc_good=fc.icc_good_words())
        assert "0.75" in text and "0.75" in summ and "{" not in text + summ


# -- the headline figures -----------------------------------------------------------------------

def test_metrics_keys_in_the_golden_order():
    golden = list(json.loads(GOLDEN.read_text(encoding="utf-8"))["02_peer_consensus"])
    ident = pd.DataFrame({"identified": [True, False, True], "n_households": [40, 3, 57]})
    shift = pd.DataFrame({"level": ["overall", "village"], "group": ["overall", "V1"], "n_up": [7, 7], "n_down": [4, 4]})
    got = fc.metrics(_status(), _agreement(BELOW, 0.9), _effects(0.8, 1.0, 1.1, 1.3, math.nan),
                     _flagged("partial", "partial;self_review", "self_review", "partial"), components=ident, shift=shift)
    assert list(got) == golden
    assert got["households_white_listed"] == 90 and got["households_declined"] == 10
    assert got["share_needs_rereview"] == 0.06 and got["total_consensus_limit"] == 1_234_000.0
    assert got["components_not_identified"] == 1 and got["households_moved_10pct_vs_median"] == 11
    assert got["icc_ak_overall"] == 0.80 and got["icc_a1_overall"] == pytest.approx(0.70)
    assert got["villages_icc_ak_below_0_75"] == 1
    assert got["reviewers"] == 5 and got["reviewers_flagged"] == 4 and got["reviewers_flagged_partial"] == 3
    q1, q3 = fc.leniency_quartiles(_effects(0.8, 1.0, 1.1, 1.3, math.nan))
    assert (q1, q3) == pytest.approx((0.95, 1.15))
    assert got["leniency_iqr_ratio"] == pytest.approx(1.15 / 0.95)


def test_metrics_without_an_adjusting_method_leave_out_its_two_figures():
    """A consensus method that does not adjust has no components nor shift: the rest in order."""
    golden = list(json.loads(GOLDEN.read_text(encoding="utf-8"))["02_peer_consensus"])
    got = fc.metrics(_status(), _agreement(0.9), _effects(1.0, 1.2), _flagged())
    assert list(got) == [k for k in golden if k not in ("components_not_identified", "households_moved_10pct_vs_median")]
    assert got["reviewers_flagged"] == 0 and got["reviewers_flagged_partial"] == 0
