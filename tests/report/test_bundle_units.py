"""The sample bundle read under "one number, one value" (audit findings 4, 5 and 11): report 06
and its workbook name households and persons apart wherever both are counted, two counts side by
side do not read as a fraction, report 01 says that its profiling figures count households, the
glossary defines every coverage and usage ratio with its denominator, and money totals read in
万元 on every page that states them (report 05 stated its own in 元).

``CALIB_TEST_BUNDLE=reports/latest`` reads an existing bundle instead of rendering one."""
from __future__ import annotations

import json
import re

import openpyxl
import pytest

from _support import visible_text
from calib.report import fmt, format_metric

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: Headers that would carry a household figure in one table and a person figure in another.
BARE = {"授信面", "用信面", "合格数", "授信面达标", "用信面达标"}
#: A figure in 元 (not 万元), and a total as the reports write it (two decimals, 万元).
IN_YUAN = re.compile(r"\d ?元")
IN_WAN = re.compile(r"[\d,]+\.\d\d 万元")


def _page(bundle, name: str) -> str:
    return visible_text((bundle / name).read_text(encoding="utf-8"))


def _metrics(bundle) -> dict:
    return json.loads((bundle / "metrics.json").read_text(encoding="utf-8"))


def test_credit_villages_workbook_names_households_and_persons_apart(reader_bundle):
    wb = openpyxl.load_workbook(reader_bundle / "credit_villages.xlsx", read_only=True)
    head = {ws.title: list(next(ws.iter_rows(max_row=1, values_only=True))) for ws in wb.worksheets}
    figures, towns = head["指标"], head["乡镇授信面与用信面"]
    assert {"合格农户数", "授信面（按户）", "用信面（按户）", "建档农户授信率"} <= set(figures)
    assert {"合格人数", "授信面（按人数）", "用信面（按人数）"} <= set(towns)
    assert not BARE & {h for hs in head.values() for h in hs}
    # the programme rows: the household figure under the household name, the persons' under theirs
    m = _metrics(reader_bundle)["06_credit_villages"]
    rows = {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in wb.worksheets}
    whole = next(r for r in rows["指标"] if r[0] == "全部")
    assert whole[figures.index("授信面（按户）")] == pytest.approx(m["programme_credit_coverage_households"])
    whole = next(r for r in rows["乡镇授信面与用信面"] if r[0] == "全部")
    assert whole[towns.index("授信面（按人数）")] == pytest.approx(m["programme_credit_coverage_persons"])
    assert whole[towns.index("用信面（按人数）")] == pytest.approx(m["programme_usage_persons"])


def test_report_06_names_the_unit_of_every_coverage_and_usage(reader_bundle):
    html = (reader_bundle / "06_credit_villages.html").read_text(encoding="utf-8")
    heads = {visible_text(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", html, flags=re.S)}
    assert {"授信面（按户）", "用信面（按户）", "合格农户数", "授信面（按人数）", "合格人数"} <= heads
    assert not BARE & heads
    page = visible_text(html)
    m = _metrics(reader_bundle)["06_credit_villages"]
    cov_p, use_p = fmt.pct(m["programme_credit_coverage_persons"]), fmt.pct(m["programme_usage_persons"])
    cov_h, use_h = fmt.pct(m["programme_credit_coverage_households"]), fmt.pct(m["programme_usage_households"])
    # the conclusion and the closing line state the persons' figures under the persons' names;
    # the closing line names the households' too
    assert f"授信面（按人数）{cov_p}、用信面（按人数）{use_p}" in page
    assert f"授信面（按人数）{cov_p}，用信面（按人数）{use_p}；授信面（按户）{cov_h}，用信面（按户）{use_h}" in page
    # no measured coverage or usage stands under a bare name (a source's targets, "授信面 80%", may)
    assert not re.search(r"(授信面|用信面) ?\d+\.\d%", page)


def test_counts_side_by_side_do_not_read_as_fractions(reader_bundle):
    page = _page(reader_bundle, "06_credit_villages.html")
    assert re.search(r"建档村口径\s*按户 \d+ 个；按人数 \d+ 个", page)
    assert re.search(r"白名单与合格农户\s*白名单 [\d,]+ 户；合格农户 [\d,]+ 户", page)
    assert not re.search(r"(建档村口径|白名单与合格农户)\s*[\d,]+ / [\d,]+", page)


def test_report_01_says_its_profiling_counts_households(reader_bundle):
    page = _page(reader_bundle, "01_data_quality.html")
    assert re.search(r"按户计，建档率 [\d.]+%，\d+ 个村低于", page)  # the conclusion
    assert "按户计建档率低于 90% 的村" in page
    assert "报告 06" in page and "按合格人数计建档村" in page
    index = _page(reader_bundle, "index.html")
    assert "按户计建档率低于信用村建档标准的村" in index


def test_glossary_defines_every_ratio_with_its_denominator(reader_bundle):
    page = _page(reader_bundle, "glossary.html")
    for words in ("授信面（按户）= 已授信农户 / 合格农户", "用信面（按户）= 有用信的已授信农户 / 已授信农户",
                  "已授信农户中的合格人数 / 合格人数", "已授信农户 / 已建档农户", "有贷款农户 / 全部农户",
                  "/ 模型已评分农户"):
        assert words in page, words


def test_money_totals_read_in_wan_on_the_index_and_on_every_page_that_states_them(reader_bundle):
    """Reports 02, 03 and 06 state totals in 万元 (``fmt.wan``); report 05 stated its subsidy,
    interest forgone and budget in 元 ("现行方案每年补贴 92,808 元"), on its page and on the index.
    Every money figure the index shows is in 万元, and pages 02, 03 and 05 state their totals in
    万元 and none in 元 (page 05 outside its parameter table, which writes the parameter file's
    own keys and values; report 03's per-household lists are in tables, headed （元）)."""
    from calib.report.labels import metric_kind

    index = re.sub(r"\s+", " ", _page(reader_bundle, "index.html"))
    assert not IN_YUAN.search(index), [index[max(0, m.start() - 30):m.end()] for m in IN_YUAN.finditer(index)]
    figures = _metrics(reader_bundle)
    money = [(nb, k) for nb, got in figures.items() for k in got if metric_kind(k) in ("wan", "yuan", "wan_year", "yuan_year")]
    assert {"02_peer_consensus", "03_consensus_vs_model", "05_points_discount"} <= {nb for nb, _ in money}
    for nb, k in money:
        assert IN_WAN.fullmatch(format_metric(k, figures[nb][k]).lstrip("-")), (nb, k)
    for name in ("02_peer_consensus", "03_consensus_vs_model", "05_points_discount"):
        raw = (reader_bundle / f"{name}.html").read_text(encoding="utf-8")
        prose = re.sub(r"\s+", " ", visible_text(re.sub(r"<table.*?</table>", " ", raw, flags=re.S)))
        assert len(IN_WAN.findall(prose)) >= 3, name  # the page states totals: the test reads what it means to
        assert not IN_YUAN.search(prose), (name, [prose[max(0, m.start() - 30):m.end()] for m in IN_YUAN.finditer(prose)])
    raw = (reader_bundle / "05_points_discount.html").read_text(encoding="utf-8")
    tables = [t for t in re.findall(r"<table.*?</table>", raw, flags=re.S) if "params.yaml" not in t]
    cells = [visible_text(c) for t in tables for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", t, flags=re.S)]
    assert not [c for c in cells if IN_YUAN.search(c) or "（元" in c]
    assert sum("万元" in c for c in cells) >= 8  # the money columns of the cost, scheme, band and sensitivity tables
