"""One name, one value (audit of the sample bundle, findings 4, 5 and 11): report 06 counts
coverage and usage both in households (the credit-village rules) and in persons (the programme
targets), so every header says which (授信面（按户） / 授信面（按人数）, 合格农户数 / 合格人数);
two counts side by side read as two counts, not as a fraction ("按户 78 个；按人数 77 个");
the glossary defines every ratio the reports name with its own denominator. Hand-built
programmes; the sample bundle's pages and workbook are read in tests/report/test_bundle_units.py."""
from __future__ import annotations

import re

import openpyxl
import pytest

from calib import report
from calib import villages as cv
from calib.errors import CalibInputError
from calib.report import labels
from calib.report.display import headers
from calib.report.methods import glossary_page
from test_counts import _consensus, _two_unit_programme
from test_villages import AS_OF, RULES, TARGETS, TOWNSHIP_RULES, build, village

#: Headers that carry a household figure in one table and a person figure in another.
BARE = {"授信面", "用信面", "合格数", "授信面达标", "用信面达标"}


@pytest.fixture(autouse=True)
def _zh():
    labels.set_lang("zh-CN")
    yield
    labels.set_lang("zh-CN")


def _kpis():
    prog = _two_unit_programme()
    return (cv.programme_kpis(prog, as_of=AS_OF),
            cv.programme_kpis(prog, as_of=AS_OF, unit="person"))


def test_headers_name_the_unit_of_each_figure():
    kh, kp = _kpis()
    hh = headers(list(cv.kpi_figures(kh).columns))  # the report's figures table
    assert {"合格农户数", "授信面（按户）", "用信面（按户）", "建档农户授信率"} <= set(hh)
    tw = cv.township_targets(kp, TARGETS)  # the report's townships table
    hp = headers(list(tw.columns))
    assert {"合格人数", "已授信农户中的合格人数", "有用信农户中的合格人数", "授信面（按人数）", "用信面（按人数）",
            "授信面（按人数）达标", "用信面（按人数）达标"} <= set(hp)
    assert not BARE & (set(hh) | set(hp))
    labels.set_lang("en")
    assert "Credit coverage (households)" in headers(list(cv.kpi_figures(kh).columns))
    assert "Usage (persons)" in headers(list(tw.columns))


def test_unit_is_read_from_the_frame_and_the_counts_are_not_doubled():
    kh, kp = _kpis()
    named = cv.unit_columns(kp)  # the frame's unit column says persons
    assert "credit_coverage_persons" in named and "credit_coverage" not in named
    assert list(named.columns).count("n_eligible_persons") == 1  # n_eligible dropped, not doubled
    assert named["n_eligible_persons"].tolist() == kp["n_eligible_persons"].tolist()
    p = cv.target_progress(kp, targets=TARGETS, as_of=AS_OF)
    assert {"villages_persons", "credit_coverage_persons", "usage_persons"} <= set(cv.unit_columns(p))
    assert "credit_coverage_target" in cv.unit_columns(p)  # a target is not a measured figure
    with pytest.raises(CalibInputError, match="unit"):
        cv.unit_columns(kh[["credit_coverage"]])
    with pytest.raises(CalibInputError, match="unit"):
        cv.unit_columns(kh, "village")


def test_workbook_sheets_name_households_and_persons_apart(tmp_path):
    """credit_villages.xlsx: the figures sheet (households) and the townships' sheet (persons)
    no longer share the headers 授信面, 用信面, 合格数 with different values."""
    kh, kp = _kpis()
    tw = cv.township_targets(kp, TARGETS)
    path = report.write_xlsx({"figures": cv.kpi_figures(kh), "townships": tw},
                             tmp_path / "credit_villages.xlsx", labels=True)
    wb = openpyxl.load_workbook(path, read_only=True)
    head = {ws.title: [c for c in next(ws.iter_rows(max_row=1, values_only=True))] for ws in wb.worksheets}
    assert set(head) == {"指标", "乡镇授信面与用信面"}
    assert {"合格农户数", "授信面（按户）", "用信面（按户）"} <= set(head["指标"])
    assert {"合格人数", "授信面（按人数）", "用信面（按人数）"} <= set(head["乡镇授信面与用信面"])
    assert not BARE & (set(head["指标"]) | set(head["乡镇授信面与用信面"]))
    # the values under the two names differ: 19 of 20 households, 19 of 23 persons (V-009 has 4)
    rows = {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in wb.worksheets}
    i = head["指标"].index("授信面（按户）")
    j = head["乡镇授信面与用信面"].index("授信面（按人数）")
    prog_h = [r[i] for r in rows["指标"] if r[0] == "全部"]
    prog_p = [r[j] for r in rows["乡镇授信面与用信面"] if r[0] == "全部"]
    assert prog_h == [pytest.approx(19 / 20)] and prog_p == [pytest.approx(19 / 23)]


def test_two_counts_side_by_side_do_not_read_as_a_fraction():
    prog = _two_unit_programme()
    kh, kp = _kpis()
    v = cv.certify_villages(kh, rules=RULES)
    t = cv.certify_townships(v, kh, rules=TOWNSHIP_RULES)
    st = cv.household_status(prog, as_of=AS_OF)
    hc = cv.household_counts(st, _consensus(prog, declined={"V-001"}), programme=prog)
    vc = cv.village_counts(kh, kpis_persons=kp)
    zh = cv.conclusions(v, t, kh, rules=RULES, township_rules=TOWNSHIP_RULES, household_counts=hc,
                        village_counts=vc).set_index("topic")
    assert zh.loc["profiled_villages", "figure"] == "按户 2 个；按人数 1 个"
    assert zh.loc["white_list", "figure"] == "白名单 18 户；合格农户 20 户"
    for topic in ("profiled_villages", "white_list"):
        assert not re.search(r"\d\s*/\s*\d", zh.loc[topic, "figure"])
    en = cv.conclusions(v, t, kh, rules=RULES, township_rules=TOWNSHIP_RULES, household_counts=hc,
                        village_counts=vc, lang="en").set_index("topic")
    assert en.loc["profiled_villages", "figure"] == "households 2; persons 1"
    assert en.loc["white_list", "figure"] == "white list 18 households; eligible 20 households"


def test_target_row_names_its_unit():
    kh, kp = _kpis()
    v = cv.certify_villages(kh, rules=RULES)
    t = cv.certify_townships(v, kh, rules=TOWNSHIP_RULES)
    p = cv.target_progress(kp, targets=TARGETS, as_of=AS_OF, measure="latest")
    c = cv.conclusions(v, t, kh, rules=RULES, township_rules=TOWNSHIP_RULES, progress=p).set_index("topic")
    assert c.loc["targets", "figure"].startswith("授信面（按人数）82.6%，用信面（按人数）")  # 19 of 23 persons
    ph = cv.target_progress(kh, targets=TARGETS, as_of=AS_OF, measure="latest")
    c = cv.conclusions(v, t, kh, rules=RULES, township_rules=TOWNSHIP_RULES, progress=ph, lang="en").set_index("topic")
    assert c.loc["targets", "figure"].startswith("coverage (households) 95.0%, usage (households)")


def test_report_06_texts_say_their_basis():
    assert "授信面（按人数）90.5%、用信面（按人数）28.1%" in labels.t(
        "nb06.summary", cv="15", n="90", ct="0", nt="6", coverage="90.5%", usage="28.1%")
    check = labels.t("nb06.check", cv="15", n="90", ct="0", coverage_p="90.5%", usage_p="28.1%",
                     coverage="90.3%", usage="28.3%", npl="2.78%", na="5", targets="")
    assert "授信面（按人数）90.5%" in check and "授信面（按户）90.3%" in check  # both bases, both named
    fig = labels.t("nb06.figures.text")
    assert "授信面（按户）= 已授信农户 / 合格农户" in fig and "建档农户授信率 = 已授信农户 / 已建档农户" in fig


@pytest.mark.parametrize("term, denominator", [
    ("授信面 / 用信面", "授信面（按户）= 已授信农户 / 合格农户"),
    ("授信面 / 用信面", "授信面 = 已授信农户中的合格人数 / 合格人数"),
    ("授信面 / 用信面", "用信面（按户）= 有用信的已授信农户 / 已授信农户"),
    ("建档农户授信率", "已授信农户 / 已建档农户"),
    ("有贷款农户占比（对比全县）", "有贷款农户 / 全部农户"),
    ("已评分农户中的用信户占比", "/ 模型已评分农户"),
    ("建档率 / 建档村", "已建档农户中的合格人数 / 合格人数"),
])
def test_glossary_defines_each_ratio_with_its_denominator(term, denominator):
    page = glossary_page("zh-CN")
    rows = dict(re.findall(r"<tr><td>(.*?)</td><td>.*?</td><td>(.*?)</td></tr>", page))
    assert term in rows and denominator in rows[term]


def test_glossary_english_pairs():
    en = glossary_page("en")
    for words in ("credit rate of profiled households", "loan share (against the county)",
                  "share of scored households that drew", "Marked &quot;households&quot;"):
        assert words in en


def test_report_01_says_its_profiling_counts_households():
    """Report 01's profiling rate and villages below the rule count households; report 06 also
    counts profiled villages in persons (78 and 77 on the sample): 01 says which it gives."""
    assert "按户" in labels.metric_label("villages_below_90pct_profiling")
    assert labels.t("nb01.c.villages_below", fails="低于 90%") == "按户计建档率低于 90% 的村"
    assert "按户计，建档率 95.3%" in labels.t("nb01.summary_fit", quarantined="17", share="0.02%", rate="95.3%",
                                           below="12", fails="低于 90%")
    assert "按合格人数计建档村" in labels.t("nb01.coverage.text", excluded="", meets="不低于 90%")
    assert "按户计建档率低于 90% 的村 12 个" in labels.t(
        "nb01.check.coverage", villages="90", households="7,637", eligible="7,038", profiled="6,705",
        rate="95.3%", below="12", fails="低于 90%")
