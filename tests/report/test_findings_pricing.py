"""Report 05's conclusions block, headline figures and cost summary (calib.report.findings.pricing)
on small hand-made inputs: each verdict and each choice of wording at and either side of its
threshold, the words the catalogue's in both languages, the figures in the golden file's order."""
from __future__ import annotations

import inspect
import json
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib import pricing
from calib.pricing.recommend import Recommendation
from calib.report import findings, fmt, set_lang, t
from calib.report._texts import TEXTS

F = findings.pricing
GOLDEN = Path(__file__).with_name("golden") / "sample_metrics.json"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


pytestmark = pytest.mark.usefixtures("zh_strict")


def _decisions(*, share=1.0, policy_verdict="cannot be told apart", below_now=2, below_base=1,
               sub=90_000.0, sub_low=10_000.0, sub_high=120_000.0) -> pd.DataFrame:
    """The decision rows of calib.pricing.conclusions, as the notebook indexes them."""
    rows = [
        ("pricing_period", share, np.nan, np.nan, pricing.MIN_RATES_REPRODUCED,
         "rates reproduced" if share >= pricing.MIN_RATES_REPRODUCED else "rates not reproduced"),
        ("policy_discount", 0.0005, -0.0002, 0.0012, 0.001, policy_verdict),
        ("recommended_discount", 0.0004, 0.0003, 0.0006, 0.001, "lower the discount"),
        ("recommended_yearly_cost", 50_000.0, 40_000.0, 60_000.0, 200_000.0, "within budget"),
        ("current_yearly_cost", sub, sub_low, sub_high, 200_000.0, "within budget"),
        ("current_rate", below_now, np.nan, np.nan, 0.0, "review" if below_now else "pass"),
        ("base_rate", below_base, np.nan, np.nan, 0.0,
         "revise the base rate" if below_base else "base rate covers cost"),
    ]
    return pd.DataFrame(rows, columns=["decision", "figure", "ci_low", "ci_high", "threshold", "verdict"]).set_index("decision")


def _table(*, below_base=1, sub=90_000.0) -> pd.DataFrame:
    """evaluate_schedule's cost by points band: three bands and the total row."""
    out = pd.DataFrame({
        "band": ["0-100", "100-200", "200-300", "total"],
        "required_rate": [0.052, 0.049, 0.047, 0.0495],
        "below_cost_at_base": [i < below_base for i in range(3)] + [False],
        "interest_forgone": [0.0, 60_000.0, 70_000.0, 130_000.0],
        "subsidy_amount": [0.0, sub / 2, sub / 2, sub],
        "risk_justified_amount": [0.0, 20_000.0, 20_000.0, 130_000.0 - sub],
        "cost_above_risk_price": [1_000.0, 50_000.0, 60_000.0, 111_000.0],
        "justified_discount": [0.0, 0.0002, 0.0004, 0.00021],
    })
    out.attrs["base_rate"] = 0.05
    return out


def _rec(*, per_100=0.0004, binding="budget", bands=None, top=0.0012, current_bands=None) -> Recommendation:
    current = (pricing.Schedule(base_rate=0.05, bands=current_bands) if current_bands is not None else
               pricing.Schedule(base_rate=0.05, step_points=100, step_discount=0.001))
    new = (pricing.Schedule(base_rate=0.05, bands=bands) if bands is not None else
           pricing.Schedule(base_rate=0.05, step_points=100, step_discount=per_100))
    summary = pd.DataFrame({"schedule": ["current", "recommended"],
                            "discount_per_100": [0.001, new.per_100()],
                            "top_discount": [0.003, top], "subsidy_amount": [90_000.0, 50_000.0],
                            "budget": [200_000.0, 200_000.0], "binding": [None, binding]})
    return Recommendation(schedule=new, current=current, table=pd.DataFrame(), summary=summary)


def _inflation(flags=(True, False, False)) -> pd.DataFrame:
    names = ["甲村", "乙村", "丙村", "丁村"][:len(flags)]
    return pd.DataFrame({"village": names, "flag": list(flags)})


def _cal() -> pd.DataFrame:
    return pd.DataFrame([{"discount_per_100": 0.0005, "ci_low": -0.0002, "ci_high": 0.0012, "policy_per_100": 0.001,
                          "policy_in_ci": True, "policy_verdict": "cannot be told apart"}])


def _conclude(**kw):
    dec = {k: kw.pop(k) for k in list(kw) if k in ("share", "policy_verdict", "below_now", "sub", "sub_low", "sub_high")}
    below_base = kw.pop("below_base", 1)
    rec = kw.pop("rec", None) or _rec()
    return F.conclusions(_decisions(below_base=below_base, **dec), _table(below_base=below_base, sub=dec.get("sub", 90_000.0)),
                         rec, kw.pop("inflation", _inflation()), period="2025")


# --- the verdicts ------------------------------------------------------------------------------

@pytest.mark.parametrize("flags, verdict", [((False, False, False), "pass"), ((True, False, False), "review"),
                                            ((True, True, True), "review"), ((), "pass")])
def test_a_flagged_village_asks_for_a_review(flags, verdict):
    infl = _inflation(flags)
    assert F.inflation_verdict(infl) == verdict
    if flags:
        found, _ = _conclude(inflation=infl)
        assert found[-1].verdict == verdict
        assert found[-1].figure == t("nb05.c.inflation_fig", n=str(sum(flags)), names=F.flagged_names(infl))


def test_the_flag_uses_the_threshold_the_rule_text_states(monkeypatch):
    """3.5 is typed once: the inflation rule's default, and the texts read it from there."""
    from calib.pricing import inflation

    default = inspect.signature(pricing.points_inflation).parameters["z_threshold"].default
    assert default == pricing.Z_THRESHOLD == inflation.Z_THRESHOLD
    found, _ = _conclude()
    assert found[-1].threshold == "稳健 z 分数 > 3.5（Iglewicz & Hoaglin 1993）"
    monkeypatch.setattr(inflation, "Z_THRESHOLD", 4.25)
    assert _conclude()[0][-1].threshold == "稳健 z 分数 > 4.25（Iglewicz & Hoaglin 1993）"
    monkeypatch.setattr(inflation, "Z_THRESHOLD", 3.0)
    assert F.inflation_z() == "3" == F.threshold_words()["inflation_z"]
    assert "大于 3 标记" in t("nb05.inflation.text", **F.threshold_words())


def test_the_points_inflation_flags_above_the_threshold_not_at_it():
    """The rule the text states, applied: a robust z above Z_THRESHOLD flags, at it does not."""
    at = pd.DataFrame({"household_id": range(3), "village": ["a", "b", "c"], "period": "2025", "points": [1.0, 2.0, 3.0]})
    zs = pricing.points_inflation(at)["robust_z"]
    for thr, any_flag in ((zs.max(), False), (zs.max() - 1e-9, True)):
        assert pricing.points_inflation(at, z_threshold=thr)["flag"].any() == any_flag


def test_each_decision_keeps_its_verdict_and_threshold():
    found, _ = _conclude()
    assert [f.verdict for f in found] == ["rates reproduced", "cannot be told apart", "lower the discount", "within budget",
                                          "within budget", "review", "revise the base rate", "review"]
    assert found[0].threshold == "按参数方案复现合同利率的贷款 ≥ 95%；否则下文成本按银行未采用的方案计算"
    assert found[1].threshold == "与政策每 100 分 0.100% 比较" and found[1].ci == "[-0.020%, 0.120%]"
    assert found[2].figure == "0.040%" and found[2].threshold == "与现行每 100 分 0.100% 比较；约束：补贴预算"
    assert found[3].threshold == found[4].threshold == "补贴 ≤ 预算 20.00 万元/年（参数：积分贷补贴预算）"


@pytest.mark.parametrize("low, high, pinned", [(0.0, 0.0, True), (0.0004, 0.0004, True), (0.0, 1e-07, False),
                                               (0.0003, 0.0006, False), (np.nan, np.nan, False)])
def test_an_interval_with_both_ends_equal_says_the_constraint_decides(low, high, pinned):
    """[0.000%, 0.000%] when the cost floor binds in the replicates too: a committee reads why the
    interval has no width (the reference's and the interval's values at one point)."""
    dec = _decisions()
    dec.loc["recommended_discount", ["ci_low", "ci_high"]] = [low, high]
    found, _ = F.conclusions(dec, _table(), _rec(binding="floor"), _inflation(), period="2025")
    rule = "与现行每 100 分 0.100% 比较；约束：成本底线"
    assert found[2].threshold == (rule + "；区间两端相同：重抽样的推荐都在此值，由约束（成本底线）而非风险估计决定"
                                  if pinned else rule)
    set_lang("en")
    try:
        found, _ = F.conclusions(dec, _table(), _rec(binding="floor"), _inflation(), period="2025")
    finally:
        set_lang("zh-CN")
    assert ("both ends of the interval equal" in found[2].threshold) == pinned


@pytest.mark.parametrize("share, verdict", [(0.9499, "rates not reproduced"), (0.95, "rates reproduced"), (0.9501, "rates reproduced")])
def test_the_pricing_period_row_either_side_of_its_threshold(share, verdict):
    found, _ = _conclude(share=share)
    assert found[0].verdict == verdict
    assert found[0].figure == t("nb05.c.period_fig", share=f"{share:.1%}", period="2025")


@pytest.mark.parametrize("below_now, verdict", [(0, "pass"), (1, "review")])
def test_bands_below_cost_at_the_current_rates(below_now, verdict):
    found, _ = _conclude(below_now=below_now)
    assert found[5].verdict == verdict
    assert found[5].figure == f"现行利率下 {below_now} / 3 个积分档不覆盖（样本内）"


# --- the summary's choices ---------------------------------------------------------------------

@pytest.mark.parametrize("per_100, key", [(0.0, "nb05.summary_none"), (1e-6, "nb05.summary"), (0.0004, "nb05.summary")])
def test_a_discount_is_recommended_only_above_zero(per_100, key):
    _, summary = _conclude(rec=_rec(per_100=per_100, binding="floor" if per_100 == 0 else "budget"))
    none = key == "nb05.summary_none"
    assert summary.startswith("不推荐积分优惠（约束：成本底线）" if none else f"推荐每 100 分优惠 {F.discount(per_100)}，")


def test_a_banded_recommendation_has_no_discount_per_100_points():
    rec = _rec(bands=[{"points": 100, "discount": 0.0005}, {"points": 300, "discount": 0.0012}], binding="cap")
    assert F.metrics(_cal(), _table(), _decisions(), rec, _inflation())["recommended_step_discount"] is None


BANDS = [{"points": 200, "discount": 0.002}, {"points": 400, "discount": 0.004}]


@pytest.mark.parametrize("top, start", [(0.0012, "推荐分档优惠，最高档 0.120%，推荐方案每年补贴 5.00 万元"),
                                        (0.0, "不推荐积分优惠（约束：成本底线），")])
def test_a_banded_schedule_is_answered_and_said_in_bands(top, start):
    """A banded schedule has no step: the recommendation (in its form) is said by its top band,
    against the current top band, the policy per 100 of the borrowers' points said to be that."""
    rec = _rec(bands=[{"points": 100, "discount": top}] if top else None, per_100=0.0, top=top,
               current_bands=BANDS, binding="budget" if top else "floor")
    found, summary = _conclude(rec=rec)
    assert summary.startswith(start)
    assert found[2].decision == "推荐方案的最高档优惠"
    assert found[2].threshold.startswith("与现行最高档 0.100% 比较")  # the decision row's threshold, as written
    assert found[1].threshold == "与政策每 100 分 0.100%（分档方案按借款人积分折合） 比较"
    assert F.policy_words(0.00068, rec.current) == "0.068%（分档方案按借款人积分折合）"
    assert F.policy_words(0.001, _rec().current) == "0.100%"
    set_lang("en")
    assert _conclude(rec=rec)[0][2].decision == "Recommended schedule's top-band discount"


def test_a_step_schedule_keeps_its_per_100_points_words():
    found, _ = _conclude()
    assert found[2].decision == "推荐方案的每 100 分优惠" and found[2].threshold.startswith("与现行每 100 分 0.100% 比较")


def test_the_schedule_is_said_in_one_sentence_with_its_bands():
    from calib.report.words import schedule_words

    step = pricing.Schedule(base_rate=0.05, step_points=100, step_discount=0.001, max_discount=0.005)
    assert schedule_words(step) == "基准利率 5.00%，每 100 分优惠 0.100%（按比例），最多优惠 0.500%"
    banded = pricing.Schedule(base_rate=0.05, bands=BANDS, floor_rate=0.04)
    assert schedule_words(banded) == "基准利率 5.00%，分档优惠：200 分起 0.200%，400 分起 0.400%，利率不低于 4.00%"
    assert schedule_words(banded, "en") == ("Base rate 5.00%, discounts by points band: 0.200% from 200 points, "
                                            "0.400% from 400 points, never below 4.00%")


@pytest.mark.parametrize("below_base, words", [
    (0, "基准利率 5.00% 在全部 3 个积分档覆盖成本（样本内）。"),
    (1, "基准利率 5.00% 下 1 / 3 个积分档不覆盖成本（样本内；全部贷款覆盖成本需 4.95%），需复核基准利率。"),
    (3, "基准利率 5.00% 下 3 / 3 个积分档不覆盖成本（样本内；全部贷款覆盖成本需 4.95%），需复核基准利率。")])
def test_the_base_rate_either_covers_every_band_or_asks_for_a_review(below_base, words):
    found, summary = _conclude(below_base=below_base)
    assert summary.endswith("；" + words)
    assert found[6].verdict == ("revise the base rate" if below_base else "base rate covers cost")
    assert found[6].figure == f"基准利率 5.00% 下 {below_base} / 3 个积分档不覆盖（样本内）；全部贷款覆盖成本需 4.95%"


@pytest.mark.parametrize("high, top", [(90_049.0, True), (90_000.0, True), (90_051.0, False), (120_000.0, False)])
def test_the_current_subsidy_is_said_at_its_intervals_top_as_written(high, top):
    """At the top as the page writes both (万元, two decimals: 9.00 up to 90,049 元, 9.01 from
    90,051 元): the interval's low end said too."""
    _, summary = _conclude(sub_high=high)
    words = F.cost_summary(_table(), _decisions(sub_high=high))
    if top:
        assert "现行方案每年补贴 9.00 万元，为点估计，位于其 95% 区间 [1.00, 9.00] 的上端，数据不能排除补贴低至 1.00 万元）" in summary
        assert words["at_top"] == t("nb05.at_top")
    else:
        assert "现行方案每年补贴 9.00 万元，为点估计，95% 区间 [1.00, " in summary and "上端" not in summary
        assert words["at_top"] == ""


# --- the words ---------------------------------------------------------------------------------

def test_the_summary_and_findings_in_chinese():
    found, summary = _conclude()
    assert summary == (
        "推荐每 100 分优惠 0.040%，推荐方案每年补贴 5.00 万元（预算 20.00 万元；现行方案每年补贴 9.00 万元，为点估计，"
        "95% 区间 [1.00, 12.00]）；现行优惠的风险依据：无法区分（每 100 分风险可证明的优惠的 95% 区间 [-0.020%, 0.120%]）；"
        "基准利率 5.00% 下 1 / 3 个积分档不覆盖成本（样本内；全部贷款覆盖成本需 4.95%），需复核基准利率。")
    assert [f.decision for f in found] == [t(f"nb05.c.{k}") for k in ("period", "justified", "recommend", "recommend_cost",
                                                                       "current", "current_rate", "base", "inflation")]
    assert found[4].figure == "补贴 9.00 万元（点估计；让利利息 13.00 万元 = 风险降低可支付的让利 4.00 万元 + 补贴）"
    assert found[7].figure == "1 个：甲村"


def test_the_summary_and_findings_in_english():
    set_lang("en")
    try:
        found, summary = _conclude()
        words = F.cost_summary(_table(), _decisions())
    finally:
        set_lang("zh-CN")
    assert summary.startswith("Recommended 0.040% per 100 points, the recommended schedule's subsidy 5.00 × 10,000 yuan "
                              "a year (budget 20.00 × 10,000 yuan; the current schedule's subsidy 9.00 × 10,000 yuan, a "
                              "point estimate")
    assert summary.endswith("at the base rate 5.00% 1 of 3 bands is below cost (in sample; all loans need 4.95% to cover "
                            "cost): revise the base rate.")
    assert found[0].decision == "The parameters' schedule against the booked rates"
    assert found[7].threshold == "robust z > 3.5 (Iglewicz & Hoaglin 1993)"
    assert found[7].figure == "1: 甲村"  # a village's name is data
    texts = [summary, *words.values()] + [x for f in found for x in (f.decision, f.figure, f.threshold, f.ci or "")]
    assert not [s for s in texts if CJK.search(s.replace("甲村", ""))]


def test_the_flagged_villages_are_named_up_to_the_limit_and_counted_beyond():
    many = pd.DataFrame({"village": [f"村{i:02d}" for i in range(F.NAMES_LISTED + 2)], "flag": True})
    assert F.flagged_names(many).endswith(f"村{F.NAMES_LISTED - 1:02d}等 {F.NAMES_LISTED + 2} 个")
    exact = many.head(F.NAMES_LISTED)
    assert F.flagged_names(exact) == "、".join(exact["village"])
    assert F.flagged_names(_inflation((False, False))) == t("value.none")


def test_the_cost_summary_fills_every_placeholder_of_its_text():
    words = F.cost_summary(_table(), _decisions())
    fields = {f for _, f, _, _ in string.Formatter().parse(TEXTS["nb05.cost.summary"][0]) if f}
    assert set(words) == fields
    assert words["below"] == "2" and words["bands"] == "3" and words["justified"] == "0.021%"
    assert words["paid_high"] == "12.00 万元" and words["sub_low"] == "1.00 万元" and words["verdict"] == "无法区分"
    assert (words["forgone"], words["subsidy"], words["paid"], words["gap"], words["gap_sign"]) == (
        "13.00 万元", "9.00 万元", "4.00 万元", "少收 11.10 万元", "")
    assert words["sub_ci"] == "[1.00, 12.00]"  # the interval's ends in the unit of its estimate


@pytest.mark.parametrize("lang, short, over", [
    ("zh-CN", "现行利率比风险价格合计每年少收 11.10 万元（上表“较模型风险价格少收”列的合计；",
     "现行利率比风险价格合计每年多收 8.46 万元（上表“较模型风险价格少收”列的合计，为负：现行利率高于风险价格；"),
    ("en", "the current rates collect 11.10 × 10,000 yuan a year less than the risk price (the total of the column "
           "short of the modelled risk price; ",
     "the current rates collect 8.46 × 10,000 yuan a year more than the risk price (the total of the column short "
     "of the modelled risk price, negative: the current rates are above the risk price; ")])
def test_the_gap_to_the_risk_price_is_said_by_its_sign(lang, short, over):
    """A schedule that gives less discount than the risk justifies collects more than the risk
    price: the column's total is negative, and the summary says "more than" its size, not
    "less than" a negative amount; a total that shows as 0.00 reads as before."""
    set_lang(lang)
    try:
        said = {}
        for key, total in (("short", 111_000.0), ("over", -84_600.0), ("zero", -0.4)):
            table = _table()
            table.loc[3, "cost_above_risk_price"] = total
            said[key] = t("nb05.cost.summary", **F.cost_summary(table, _decisions()))
    finally:
        set_lang("zh-CN")
    assert short in said["short"] and over in said["over"]
    assert "-8.46" not in said["over"]
    assert ("少收 0.00 万元" if lang == "zh-CN" else "collect 0.00 × 10,000 yuan a year less than") in said["zero"]


# --- the unit of money -------------------------------------------------------------------------

#: Report 05's columns of money (every one a sum over loans: a band's, all loans', a schedule's)
#: and its recorded figures of money: in 万元 as reports 02, 03 and 06 give their totals.
MONEY_COLUMNS = {"drawn": "wan", "recommended_drawn": "wan", "interest_forgone": "wan_year", "subsidy_amount": "wan_year",
                 "cost_above_risk_price": "wan_year", "budget": "wan_year", "current_subsidy_amount": "wan_year",
                 "recommended_subsidy_amount": "wan_year"}
MONEY_METRICS = ("interest_forgone_current_schedule", "subsidy_current_schedule", "subsidy_current_schedule_ci_low",
                 "subsidy_current_schedule_ci_high")
#: A figure in 元 or in yuan (read where "× 10,000 yuan", the English 万元, is taken out).
IN_YUAN = re.compile(r"\d (元|yuan)")
IN_WAN = {"zh-CN": re.compile(r"\d\.\d\d 万元"), "en": re.compile(r"\d\.\d\d × 10,000 yuan")}


def _said(lang: str) -> str:
    """Every word of report 05's conclusions block and cost summary, in ``lang``."""
    set_lang(lang)
    try:
        found, summary = _conclude()
        words = F.cost_summary(_table(), _decisions())
        return " | ".join([summary, *words.values(), *(x for f in found for x in (f.decision, f.figure, f.threshold, f.ci or ""))])
    finally:
        set_lang("zh-CN")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_amount_of_the_conclusions_is_in_wan(lang):
    """The conclusions said "补贴 92,808 元" where reports 02, 03 and 06 say "1,711.20 万元": every
    amount report 05 words (the subsidies, the interest forgone, the budget, the intervals' ends)
    is in 万元 with two decimals, in both languages."""
    said = _said(lang)
    bare = said.replace("× 10,000 yuan", "")
    assert not IN_YUAN.search(bare), [bare[m.start() - 20:m.end()] for m in IN_YUAN.finditer(bare)]
    assert len(IN_WAN[lang].findall(said)) >= 10  # the amounts are there: the test reads what it means to
    assert "[1.00, 12.00]" in said and "[4.00, 6.00]" in said  # the intervals' ends as their estimates


def test_money_is_the_other_reports_formatter_of_totals():
    """One formatter for report 05's amounts: fmt.wan, as reports 02, 03 and 06 (no amount of the
    page is one loan's: 210 元, the sample's smallest band total, reads 0.02 万元, not 0.00)."""
    for x in (0.0, 210.0, 92_808.0, 200_000.0, 31_380_000.0, float("nan")):
        assert F.money(x) == fmt.wan(x)
    assert F.money(210.0) == "0.02 万元" and F.money(92_808.0) == "9.28 万元"
    assert fmt.ci(10_000.0, 120_000.0, F.MONEY) == "[1.00, 12.00]"


@pytest.mark.parametrize("lang, unit, unit_year", [("zh-CN", "（万元）", "（万元/年）"),
                                                   ("en", " (× 10,000 yuan)", " (× 10,000 yuan/year)")])
def test_every_money_column_and_figure_is_headed_in_wan(lang, unit, unit_year):
    """Report 05's tables headed 让利利息（元/年） beside 用信余额（万元）: every money column is in
    万元 (a year, for the yearly amounts), on the page and in a workbook; the index's figures too."""
    from calib.report import format_metric
    from calib.report.labels import column_label, kind_of

    for column, kind in MONEY_COLUMNS.items():
        assert kind_of(column) == kind, column
        assert column_label(column, lang).endswith(unit_year if kind == "wan_year" else unit), column
    set_lang(lang)
    try:
        shown = {m: format_metric(m, 92_808.0) for m in MONEY_METRICS}
    finally:
        set_lang("zh-CN")
    assert set(shown.values()) == {"9.28" + (" 万元" if lang == "zh-CN" else " × 10,000 yuan")}, shown


def test_a_money_column_is_written_in_wan_in_a_workbook(tmp_path):
    """A workbook states a money column as the page: its header says 万元/年 and its values are
    in 万元 (a total of 92,808 元 is 9.2808 in the cell)."""
    import openpyxl

    from calib.report import write_xlsx

    path = write_xlsx(_table()[["band", "interest_forgone", "subsidy_amount", "cost_above_risk_price"]], tmp_path / "cost.xlsx",
                      labels=True)
    rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][1:] == ("让利利息（万元/年）", "补贴金额（万元/年）", "较模型风险价格少收（万元/年）")
    assert rows[-1][1:] == (13.0, 9.0, 11.1)


# --- the headline figures ----------------------------------------------------------------------

def test_metrics_are_the_golden_files_keys_in_its_order():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["05_points_discount"]
    got = F.metrics(_cal(), _table(), _decisions(), _rec(), _inflation())
    assert list(got) == list(golden)
    assert got["bands_below_cost_current_rate"] == 2 and got["bands_below_cost_base_rate"] == 1
    assert got["points_bands"] == 3 and got["villages_flagged_inflation"] == 1
    assert got["recommended_step_discount"] == pytest.approx(0.0004) and got["recommendation_binding"] == "budget"
    assert (got["subsidy_current_schedule_ci_low"], got["subsidy_current_schedule_ci_high"]) == (10_000.0, 120_000.0)
    assert got["policy_in_ci"] is True and got["policy_verdict"] == "cannot be told apart"
    assert all(type(v) in (float, int, bool, str) for v in got.values())


def test_a_banded_schedule_is_said_in_its_own_form_once():
    """One choice (calib.pricing.schedule_form) words what differs for a banded schedule: the
    recommended schedule's search, the plot's policy line, what to check, why "per 100 points"
    is "—"; a step schedule keeps its words and has no such note."""
    step, banded = pricing.Schedule(), pricing.Schedule(base_rate=0.05, bands=BANDS)
    s, b = F.form_words(step), F.form_words(banded)
    assert (s["search"], s["policy"], s["check"], s["missing"]) == (
        "nb05.recommend.step", "政策", "基准利率、每档优惠、是否按比例", {})
    assert b["search"] == "nb05.recommend.bands" and b["policy"] == "政策（分档方案按借款人积分折合）"
    assert b["missing"] == {"discount_per_100": "分档方案没有每 100 分优惠，见“最高优惠”"}
    # each search said once, in its own words: neither text refers to the other
    step_text, band_text = t(s["search"]), t(b["search"], width="100")
    assert "每 100 分优惠对全部积分档同时适用" in step_text and "每 100 分一档" in band_text
    assert "不适用" not in band_text and "每 100 分优惠对全部积分档同时适用" not in band_text


def test_a_banded_policy_per_100_says_what_it_is_in_its_reading_and_its_row():
    """On a banded run the calibration table's row read 政策每 100 分优惠 and the discount section's
    reading compared with "政策的每 100 分优惠" in general terms, while the other lines said it is the
    bands converted per 100 of the borrowers' points: the reading says so once and the row is named
    so, in the words policy_words puts beside the figure; a step run's words are unchanged."""
    from calib.report.labels import column_label

    for lang in ("zh-CN", "en"):
        set_lang(lang)
        step, banded = F.form_words(pricing.Schedule()), F.form_words(pricing.Schedule(base_rate=0.05, bands=BANDS))
        said = F.policy_words(0.00068, pricing.Schedule(bands=BANDS)).removeprefix("0.068%")  # （分档方案按借款人积分折合）
        reading = t("nb05.discount.text", policy_is=banded["policy_is"])
        assert banded["policy_is"] == said and reading.count(said) == 1
        assert t("nb05.discount.text", policy_is=step["policy_is"]) == reading.replace(said, "")
        assert step["policy_column"] == "policy_per_100"
        assert column_label(banded["policy_column"]) == column_label("policy_per_100") + said


def test_the_methods_appendix_describes_the_search_the_run_made():
    from calib.params.schema import Params
    from calib.report.methods import methods_appendix

    step = methods_appendix("05", "zh-CN").plain
    assert "取每 100 分优惠最大的单调方案" in step and "分档方案" not in step.split("推荐方案: ")[1].split("\n")[0]
    params = Params.model_construct(**{k: f.get_default(call_default_factory=True)
                                       for k, f in Params.model_fields.items() if not f.is_required()})
    pl = params.points_loan.model_copy(update={"schedule": pricing.Schedule(base_rate=0.05, bands=BANDS),
                                               "band_width": 50})
    banded = methods_appendix("05", "zh-CN", params.model_copy(update={"points_loan": pl})).plain
    entry = banded.split("推荐方案: ")[1].split("\n")[0]
    assert entry.startswith("现行方案为分档方案，推荐方案也分档") and "每 50 分一档" in entry
    assert "每 100 分优惠对全部积分档同时适用" not in entry
