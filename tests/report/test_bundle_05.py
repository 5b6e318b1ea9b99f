"""Report 05 read under "one number, one value" (audit findings 2, 3, 15, 16 and 17): each count
of bands below cost names its rate and its denominator, each cost names its schedule, each
risk-justified quantity has its own name, the recommended discount reads one way, the gap to the
risk price adds up from a printed column, and figures resting on the PD model fitted on the same
loans say they are in sample.

``CALIB_TEST_BUNDLE=reports/latest`` reads an existing bundle instead of rendering one."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from _support import page_tables, visible_text
from calib.report import findings, fmt, format_metric

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

NB = "05_points_discount"
money = findings.pricing.money  # an amount as the page writes it: 万元, two decimals
#: An amount as the page writes it, the figure captured (``9.28`` of ``9.28 万元``).
WAN = r"([\d,]+\.\d\d) 万元"


def _wan(words: str) -> float:
    """An amount the page wrote in 万元 (``9.28``), in yuan."""
    return float(words.replace(",", "")) * 10_000


def _page(bundle, name: str) -> str:
    """A page's visible text, each run of white space one space."""
    return re.sub(r"\s+", " ", visible_text((bundle / name).read_text(encoding="utf-8")))


def _figures(bundle) -> dict:
    return json.loads((bundle / "metrics.json").read_text(encoding="utf-8"))[NB]


def _points_loan(bundle) -> dict:
    return yaml.safe_load((bundle / "params.yaml").read_text(encoding="utf-8"))["points_loan"]


def _base_rate(bundle) -> float:
    return float(_points_loan(bundle)["schedule"]["base_rate"])


def _stands(value: str, text: str) -> bool:
    """``value`` written in ``text`` as a whole number (not inside a longer one)."""
    return re.search(r"(?<![\d.,])" + re.escape(value) + r"(?![\d])", text) is not None


def _tables(bundle) -> list[tuple[list[str], list[list[str]]]]:
    """Report 05's tables as (headers, rows of visible cell texts)."""
    return page_tables(bundle / f"{NB}.html")


def _cost_table(bundle) -> tuple[list[str], list[list[str]]]:
    found = [(h, rows) for h, rows in _tables(bundle) if "较模型风险价格少收（万元/年）" in h]
    assert len(found) == 1, [h for h, _ in _tables(bundle)]
    return found[0]


def _index_row(bundle) -> str:
    """The index's row of report 05 (its key figures read "label : value"): from its title to
    the next report's number."""
    from calib.report import t

    index = _page(bundle, "index.html")
    start = index.index(t("nb05.title", "zh-CN"))
    nxt = re.search(r"报告编号 06", index[start:])
    return index[start:start + nxt.start()] if nxt else index[start:]


def test_every_count_of_bands_below_cost_names_its_rate_and_denominator(reader_bundle):
    """The index showed "基准利率在 7/9 个积分档不覆盖成本" beside the key figure "现行利率不覆盖成本的
    积分档: 8": two rates, one without its denominator, and the 7 not recorded at all."""
    m = _figures(reader_bundle)
    assert "bands_below_cost" not in m
    base, now, of = m["bands_below_cost_base_rate"], m["bands_below_cost_current_rate"], m["points_bands"]
    assert 0 < base <= of and 0 < now <= of and base != now  # the sample's two counts differ: the test can fail
    rate = fmt.rate(_base_rate(reader_bundle))
    page, row = _page(reader_bundle, f"{NB}.html"), _index_row(reader_bundle)
    said_base = f"基准利率 {rate} 下 {base} / {of} 个积分档不覆盖成本（样本内"
    assert said_base in row and said_base in page  # the conclusion, word for word on both
    assert f"基准利率 {rate} 下 {base} / {of} 个积分档不覆盖（样本内）" in page  # the decision's figure
    assert f"现行利率下 {now} / {of} 个积分档不覆盖（样本内）" in page
    assert f"现行利率下不覆盖成本的积分档 {now} / {of}（样本内）" in page
    # the key figures of the index name their rate; the denominator stands beside them
    assert f"基准利率下不覆盖成本的积分档（样本内） : {base} " in row
    assert f"现行利率下不覆盖成本的积分档（样本内） : {now} " in row
    assert f"有贷款的积分档 : {of} " in row
    assert not re.search(r"(?<![下])不覆盖成本的积分档 : ", row)
    assert not re.search(r"\d/\d", row)  # no "7/9" without the spaces of the page's "7 / 9"


def test_the_book_wide_rate_covering_cost_is_the_cost_tables_total(reader_bundle):
    """Where the base rate is judged, the rate that covers cost over all loans (the cost table's
    total row, 5.03% on the sample against a 5.00% base rate) is stated with it."""
    head, rows = _cost_table(reader_bundle)
    total = next(r for r in rows if r[0] == "合计")
    need = total[head.index("覆盖成本所需利率（样本内）")]
    page, row = _page(reader_bundle, f"{NB}.html"), _index_row(reader_bundle)
    assert f"全部贷款覆盖成本需 {need}" in row and f"全部贷款覆盖成本需 {need}" in page
    assert f"全部贷款合计的覆盖成本所需利率为 {need}（样本内，成本表合计行）" in page
    above = float(need.rstrip("%")) / 100 > _base_rate(reader_bundle)
    assert ("即使不给任何积分优惠，全部贷款合计也不覆盖成本" in page) == above


def test_every_cost_names_its_schedule(reader_bundle):
    """"无需补贴" (the recommended schedule) sat beside "每年补贴: 92,808 元" (the current one)."""
    m = _figures(reader_bundle)
    assert "subsidy_total" not in m and "interest_forgone_total" not in m
    row = _index_row(reader_bundle)
    sub = format_metric("subsidy_current_schedule", m["subsidy_current_schedule"])
    assert f"现行方案每年补贴（点估计） : {sub}" in row
    assert f"现行方案每年让利利息 : {format_metric('interest_forgone_current_schedule', m['interest_forgone_current_schedule'])}" in row
    for hit in re.finditer(r"每年补贴|无需补贴", row):  # every subsidy on the index says whose
        assert re.search(r"(现行方案|推荐方案)$", row[max(0, hit.start() - 4):hit.start()]), row[hit.start() - 20:hit.end()]
    if m["recommended_step_discount"] == 0:
        budget = money(_points_loan(reader_bundle)["subsidy_budget"])
        assert f"推荐方案无需补贴（预算 {budget}；现行方案每年补贴 {sub}，为点估计" in row


def test_point_estimate_and_interval_of_the_current_subsidy_are_reconciled(reader_bundle):
    """"无法区分" (the interval holds 0 and the policy) beside "风险可证明部分 0 元" (the point
    estimate clipped at 0): the page now says the amounts are point estimates and gives the
    current subsidy's bootstrap interval, in the decision and in the text."""
    m = _figures(reader_bundle)
    page = _page(reader_bundle, f"{NB}.html")
    sub = money(m["subsidy_current_schedule"])
    hit = re.search(r"补贴 " + re.escape(sub) + r"（点估计；让利利息 [\d,]+\.\d\d 万元 = 风险降低可支付的让利 " + WAN
                    + r" \+ 补贴） \[([\d,]+\.\d\d), ([\d,]+\.\d\d)\]", page)
    assert hit, page[:3000]
    lo, hi = (_wan(x) for x in hit.groups()[1:])
    assert lo <= m["subsidy_current_schedule"] <= hi + 50  # the ends written to 0.01 万元
    assert f"现行方案每年补贴的 95% 区间为 [{hit.group(2)}, {hit.group(3)}]" in page
    assert f"点估计把这一部分计为 {hit.group(1)} 万元" in page
    ci = fmt.ci(m["discount_ci_low"], m["discount_ci_high"], "pct3")
    assert f"每 100 分风险可证明的优惠的 95% 区间为 {ci}" in page


def test_each_risk_justified_quantity_has_its_own_name(reader_bundle):
    """One name covered four quantities: per 100 points, the mean over loans, per band (both
    against 0 points) and an amount in yuan."""
    m = _figures(reader_bundle)
    page, row = _page(reader_bundle, f"{NB}.html"), _index_row(reader_bundle)
    glossary = _page(reader_bundle, "glossary.html")
    assert "较 0 分的风险可证明优惠 = LGD × (0 分时的 PD − 该笔贷款的 PD)" in glossary
    assert "风险降低可支付的让利 = 用信余额 ×" in glossary
    for text in (page, row, glossary):
        for hit in re.finditer(r"风险可证明", text):
            before, after = text[max(0, hit.start() - 8):hit.start()], text[hit.end():hit.end() + 3]
            per_100 = before.endswith("每 100 分") and after.startswith("的优惠")
            vs_zero = before.endswith("较 0 分的") and after.startswith("优惠")
            assert per_100 or vs_zero, text[max(0, hit.start() - 30):hit.end() + 30]
        assert "风险可证明部分" not in text and "风险合理" not in text
    est = fmt.pct(m["discount_per_100"], 3)
    assert f"每 100 分风险可证明的优惠 {est}" in page and f"每 100 分风险可证明的优惠 : {est}" in row
    head, rows = _cost_table(reader_bundle)
    assert "较 0 分的风险可证明优惠" in head and "风险可证明的优惠" not in head
    mean = next(r for r in rows if r[0] == "合计")[head.index("较 0 分的风险可证明优惠")]
    assert f"较 0 分的风险可证明优惠在全部贷款上平均为 {mean}（上表合计行）" in page
    assert re.search(r"其中风险降低可支付的让利 " + WAN, page)


def test_the_recommended_discount_reads_one_way(reader_bundle):
    """0.00% in the decisions, 0.000% in the band table (audit 2), "0.10%/0.00%" in one table and
    "0.022%/0.000%" in the next (audit 4, finding 10): a points discount reads one way on the page
    and the index, with the three decimals its estimates need, never with two."""
    m = _figures(reader_bundle)
    v = m["recommended_step_discount"]
    page, row = _page(reader_bundle, f"{NB}.html"), _index_row(reader_bundle)
    assert f"推荐方案的每 100 分优惠 {fmt.pct(v, 3)}" in page
    assert f"推荐方案每 100 分优惠 : {fmt.pct(v, 3)}" in row
    assert f"政策每 100 分优惠（现行方案） : {fmt.pct(m['policy_discount_per_100'], 3)}" in row
    scheme = next((h, r) for h, r in _tables(reader_bundle) if "补贴预算（万元/年）" in h)
    rec = next(r for r in scheme[1] if r[0] == "推荐方案")
    assert rec[scheme[0].index("每 100 分优惠")] == fmt.pct(v, 3)
    other = {fmt.pct(v, d) for d in (2, 4)} - {fmt.pct(v, 3)}
    assert other and not [s for s in other if _stands(s, _prose(reader_bundle))], other


def test_every_points_discount_has_three_decimals(reader_bundle):
    """"每 100 分优惠 0.10%" in the scheme table above "0.022%" in the sensitivity table, and
    "推荐方案：最高优惠 0.00%" beside the table's "0.000%" (audit 4, finding 10)."""
    seen = 0
    for head, rows in _tables(reader_bundle):
        for j, h in enumerate(head):
            if "优惠" not in h or "元" in h or "最大的" in h:
                continue
            cells = [r[j] for r in rows if j < len(r) and re.fullmatch(r"-?\d[\d,]*\.\d+%", r[j])]
            if head[0] in ("项目", "决策事项"):  # a row of one quantity each: the discounts' rows
                cells = [r[1] for r in rows if "优惠" in r[0] and re.fullmatch(r"-?\d[\d,]*\.\d+%", r[1])]
            for c in cells:
                assert len(c.split(".")[1]) == 4, (h, c)  # three decimals and the % sign
                seen += 1
    prose = _prose(reader_bundle)
    stated = re.findall(r"(?:每 100 分(?:优惠)?|最高优惠) (-?\d+\.\d+)%", prose)
    assert stated and all(len(x.split(".")[1]) == 3 for x in stated), stated
    assert seen > 20  # the scheme, band and sensitivity tables: the test reads what it means to


def _prose(bundle) -> str:
    """Report 05's visible text without its tables."""
    raw = (bundle / f"{NB}.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", visible_text(re.sub(r"<table.*?</table>", " ", raw, flags=re.S)))


def test_a_column_of_rates_has_one_number_of_decimals(reader_bundle):
    """The sensitivity table wrote "0.022%" above "0.00%" in one column."""
    checked = 0
    for head, rows in _tables(reader_bundle):
        if head and head[0] in ("项目", "决策事项"):  # one quantity a row, not a column of one
            continue
        for j, h in enumerate(head):
            cells = [r[j] for r in rows if j < len(r) and re.fullmatch(r"-?\d[\d,]*\.\d+%", r[j])]
            if len(cells) < 2:
                continue
            places = {len(c.split(".")[1]) - 1 for c in cells}
            assert len(places) == 1, (h, cells)
            checked += any(re.fullmatch(r"0\.0+%", c) for c in cells) and places == {3}
    assert checked  # the sample's sensitivity table holds zeros beside 0.022%: the test can fail


def test_the_subsidy_rate_and_amount_have_two_names(reader_bundle):
    """"补贴（利率）" beside "补贴金额（元/年）" (now 万元/年)."""
    head, _ = _cost_table(reader_bundle)
    assert "补贴（利率）" not in head
    assert "平均优惠中的补贴部分" in head and "补贴金额（万元/年）" in head


def test_the_recommended_schedule_states_the_floor_rule_it_applies(reader_bundle):
    """The appendix said every band stays at or above the cost floor while 7 of 9 bands are
    below cost at the recommended rate: the rule applied is that no discount pushes a band
    below cost, and bands below cost at the base rate get no discount."""
    page = _page(reader_bundle, f"{NB}.html")
    appendix = page[page.index("方法附录"):]
    assert "且各积分档利率不低于成本底线" not in page and "且每档利率覆盖资金" not in page
    assert "优惠不使任何积分档的利率降到成本底线以下" in appendix
    assert "在基准利率下就已低于成本底线的积分档不得有任何优惠" in appendix
    assert "推荐方案因此不保证各档都覆盖成本" in appendix
    m = _figures(reader_bundle)
    band = next((h, r) for h, r in _tables(reader_bundle) if "推荐利率覆盖成本（样本内）" in h)
    col = band[0].index("推荐利率覆盖成本（样本内）")
    below = sum(r[col] == "否" for r in band[1] if r[0] != "合计")
    if m["recommended_step_discount"] == 0:  # the base rate everywhere: the bands below cost at it
        assert below == m["bands_below_cost_base_rate"] > 0
        assert m["recommendation_binding"] == "floor"


def test_the_current_subsidy_is_a_point_estimate_where_it_is_stated(reader_bundle):
    """"现行方案每年补贴 92,808 元" stood as settled on the index and in the conclusion, while it
    is the top of its own 95% interval [0, 92,808]; and "数据不能排除这一部分达到让利利息减去区间下端"
    did not parse."""
    m = _figures(reader_bundle)
    sub, lo, hi = (m[k] for k in ("subsidy_current_schedule", "subsidy_current_schedule_ci_low",
                                  "subsidy_current_schedule_ci_high"))
    assert lo <= sub <= hi + 0.5
    row, page = _index_row(reader_bundle), _page(reader_bundle, f"{NB}.html")
    # the key figure says it is a point estimate; its interval stands in the conclusion beside it
    # (the index shows a report's first 14 figures: the interval's ends come after 疑似积分虚高的村)
    assert f"现行方案每年补贴（点估计） : {money(sub)}" in row and "疑似积分虚高的村" in row
    ci = fmt.ci(lo, hi, findings.pricing.MONEY)
    at_top = money(sub) == money(hi)
    assert at_top  # the sample's estimate sits at the top of its interval: the test can fail
    said = f"现行方案每年补贴 {money(sub)}，为点估计，位于其 95% 区间 {ci} 的上端，数据不能排除补贴低至 {money(lo)}"
    assert said in row and said in page  # the conclusion, on both
    assert "减去区间下端" not in page
    forgone = m["interest_forgone_current_schedule"]
    assert f"按区间它可能多达 {money(forgone - lo)}，即补贴可能低至 {money(lo)}" in page


def test_the_gap_to_the_risk_price_adds_up_from_its_column(reader_bundle):
    """"现行利率比风险价格合计每年少收 152,338 元" could not be recomputed from any printed table
    (now in 万元, as the column)."""
    page = _page(reader_bundle, f"{NB}.html")
    said = re.search(r"现行利率比风险价格合计每年少收 " + WAN + r"（上表“较模型风险价格少收”列的合计", page)
    assert said, page
    head, rows = _cost_table(reader_bundle)
    col = head.index("较模型风险价格少收（万元/年）")
    total = next(r for r in rows if r[0] == "合计")[col]
    assert total == said.group(1)
    bands = [_wan(r[col]) for r in rows if r[0] != "合计"]
    assert len(bands) > 3 and abs(sum(bands) - _wan(total)) <= 50 * (len(bands) + 1)  # each written to 0.01 万元


def test_in_sample_figures_say_so(reader_bundle):
    """覆盖成本所需利率 and the bands-below-cost verdicts rest on the PD model fitted on the same
    loans; report 04 says 样本内 of such figures, report 05 did not."""
    head, _ = _cost_table(reader_bundle)
    for name in ("模型 PD", "覆盖成本所需利率"):
        assert f"{name}（样本内）" in head and name not in head, head
    page = _page(reader_bundle, f"{NB}.html")
    assert re.search(r"样本内\s*：模型 PD 来自在这 [\d,]+ 笔贷款上拟合的违约模型", page)
    for h, _ in _tables(reader_bundle):
        assert not [x for x in h if re.fullmatch(r"(模型 PD|覆盖成本所需利率|基准利率下不覆盖成本的档数)", x)], h


def test_the_subsidy_amounts_and_rates_are_related_as_the_page_says(reader_bundle):
    """"平均优惠中的补贴部分（利率…；乘以用信余额即补贴金额）" while 0.030% × 291.92 万 = 876 元
    stood beside 949 元 (audit 4, finding 12): the rates are plain means over loans and the
    amounts sums loan by loan, and the page says so."""
    head, rows = _cost_table(reader_bundle)
    rate, drawn, amount = (head.index(h) for h in ("平均优惠中的补贴部分", "用信余额（万元）", "补贴金额（万元/年）"))
    num = lambda s: float(s.replace(",", "").rstrip("%"))  # noqa: E731
    off = [r[0] for r in rows  # in 万元: the rate written to 0.0005 percentage point, the amount to 0.005 万元
           if abs(num(r[rate]) / 100 * num(r[drawn]) - num(r[amount])) > 0.0005 / 100 * num(r[drawn]) + 0.005 + 1e-4]
    page = _page(reader_bundle, f"{NB}.html")
    if off:  # the printed rate times the balance is not the amount: the page must not say it is
        assert "乘以用信余额即补贴金额" not in page, off
    assert "比率各列（优惠、利率、违约率、PD 等）是各笔贷款的简单平均" in page
    assert "补贴金额不等于平均优惠中的补贴部分乘以用信余额" in page
    assert "逐笔 用信余额" not in page  # the stray space of finding 17


#: Report 05's money columns as its tables head them: every one in 万元, as the other reports' totals.
MONEY_HEADS = {"用信余额（万元）", "让利利息（万元/年）", "补贴金额（万元/年）", "较模型风险价格少收（万元/年）",
               "补贴预算（万元/年）", "现行补贴金额（万元/年）", "推荐补贴金额（万元/年）"}
#: A figure in 元 (not 万元).
IN_YUAN = re.compile(r"\d ?元")


def test_every_amount_is_in_wan_as_the_other_reports(reader_bundle):
    """Report 05 said "补贴 92,808 元" and headed "让利利息（元/年）" beside "用信余额（万元）", where
    reports 02, 03 and 06 state totals in 万元: every amount of the page (prose, conclusions,
    tables) and of its index row is in 万元 with two decimals. Only the parameter table keeps
    the parameter file's own unit (补贴预算（元/年）, the value as params.yaml writes it), as on
    every page."""
    m = _figures(reader_bundle)
    prose, row = _prose(reader_bundle), _index_row(reader_bundle)
    for text in (prose, row):
        assert not IN_YUAN.search(text), [text[max(0, h.start() - 30):h.end()] for h in IN_YUAN.finditer(text)]
    assert len(re.findall(WAN, prose)) >= 12  # the summary, conclusions and sections: the test reads what it means to
    for name in ("interest_forgone_current_schedule", "subsidy_current_schedule"):
        assert format_metric(name, m[name]) == money(m[name]) and f" : {money(m[name])}" in row
    heads = set()
    for head, rows in _tables(reader_bundle):
        if "参数键（params.yaml）" in head:  # the parameter table: the file's keys and values as written
            continue
        heads |= set(head)
        assert not [h for h in head if "元" in h and "万元" not in h], head
        assert not [c for r in rows for c in r if IN_YUAN.search(c)], head
        for j, h in enumerate(head):
            if h in MONEY_HEADS:
                cells = [r[j] for r in rows if j < len(r)]
                assert cells and all(re.fullmatch(r"-?[\d,]+\.\d\d", c) for c in cells), (h, cells)
    assert MONEY_HEADS <= heads, MONEY_HEADS - heads
    # the cost table's total row is the figure the index and the conclusions state
    head, rows = _cost_table(reader_bundle)
    total = next(r for r in rows if r[0] == "合计")
    assert total[head.index("让利利息（万元/年）")] + " 万元" == money(m["interest_forgone_current_schedule"])
    assert total[head.index("补贴金额（万元/年）")] + " 万元" == money(m["subsidy_current_schedule"])
