"""Every figure of the index is found in its report, and a figure made of parts names them
(the auditor's reading of the sample bundle: one number, one value, traceable to its page)."""
from __future__ import annotations

import json
import re

from _support import visible_text


def _stands(value: str, page: str) -> bool:
    """``value`` written in ``page`` as a whole number (not inside a longer one)."""
    return re.search(r"(?<![\d.,])" + re.escape(value) + r"(?![\d])", page) is not None


def test_every_recorded_figure_is_found_in_its_report(reader_bundle):
    """The index gave report 04's out-of-sample KS 0.234 (printed only per fold in 04), report
    03's 828 households outside the band and its 34 villages where the model sits above the
    panel (counted nowhere in 03), and metrics.json report 02's leniency spread (on no page): a
    reader could not find them where the index or the file sends him. Every figure a report
    records (metrics.json, the index's key figures among them) stands on its page, written as
    the index writes it."""
    from calib.report import format_metric

    metrics = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    index = visible_text((reader_bundle / "index.html").read_text(encoding="utf-8"))
    missing, on_index, checked = [], 0, 0
    for nb, figs in metrics.items():
        page = visible_text((reader_bundle / f"{nb}.html").read_text(encoding="utf-8"))
        scalars = [(k, v) for k, v in (figs or {}).items() if not isinstance(v, (dict, list, bool))]
        for name, v in scalars:
            s = str(format_metric(name, v))
            checked += 1
            on_index += _stands(s, index)
            if not _stands(s, page):
                missing.append(f"{nb}: {name} = {s}")
    assert checked > 60 and on_index > 40, (checked, on_index)  # about 80 and 70 on the sample
    assert not missing, missing


def test_report_03_splits_the_fall_of_the_total_by_cause(reader_bundle):
    """The headline said "调解政策使授信总额减少 3,138.00 万元", of which 1,430.10 万元 was the
    consensus of households with no eligible member (the eligibility rules), and 713.40 万元 the
    provisional limits of households still to investigate. Now the headline gives the parts, and
    they add up to the fall."""
    page = visible_text((reader_bundle / "03_consensus_vs_model.html").read_text(encoding="utf-8"))
    m = re.search(r"最终额度为公议额度的 [\d.]+%（减少 ([\d,.]+) 万元：资格规则剔除 ([\d,.]+) 万元；调解政策减少 ([\d,.]+) 万元，"
                  r"其中核查期间的临时额度减少 ([\d,.]+) 万元，核查后可能调整）", page)
    assert m, page[:600]
    total, elig, policy, provisional = (float(x.replace(",", "")) for x in m.groups())
    assert elig > 0 and policy > 0 and abs(total - elig - policy) < 0.015
    assert 0 < provisional < policy  # the part not settled until the investigation, said in the headline
    assert "调解政策使授信总额减少" not in page
    index = visible_text((reader_bundle / "index.html").read_text(encoding="utf-8"))
    assert m.group(0) in index  # the index repeats the report's conclusion word for word


def test_investigation_workbook_gives_the_gap_in_the_pages_unit(reader_bundle):
    """investigations.xlsx read 敞口差额（万元） 13.1 where the page's list reads 敞口差额（元）
    131,000."""
    from openpyxl import load_workbook

    page = visible_text((reader_bundle / "03_consensus_vs_model.html").read_text(encoding="utf-8"))
    assert "敞口差额（元）" in page
    ws = load_workbook(reader_bundle / "investigations.xlsx", read_only=True).worksheets[0]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    money = [h for h in head if h and ("（元）" in h or "（万元）" in h)]
    assert "敞口差额（元）" in head and all(h.endswith("（元）") for h in money), head


def test_the_ineligible_households_consensus_is_one_figure_in_02_and_03(reader_bundle):
    """Report 02's total consensus limit (the index's 公议额度合计) includes the white-listed
    households with no eligible member; 02 now says how much, and it is the figure report 03
    removes by the eligibility rules."""
    p02 = visible_text((reader_bundle / "02_peer_consensus.html").read_text(encoding="utf-8"))
    p03 = visible_text((reader_bundle / "03_consensus_vs_model.html").read_text(encoding="utf-8"))
    m02 = re.search(r"这 ([\d,]+) 户占 ([\d,.]+) 万元", p02)
    m03 = re.search(r"按资格规则剔除 ([\d,.]+) 万元（([\d,]+) 户户内无合格成员", p03)
    assert m02 and m03
    assert m02.group(2) == m03.group(1)
    assert "评议员宽严倾向的离散度" in p02  # the index's leniency spread, stated on its page


def _table_after(html: str, header: str) -> list[list[str]]:
    """The rows (visible cell texts) of the first table of ``html`` with a header cell ``header``."""
    for table in re.findall(r"<table[^>]*>(.*?)</table>", html, flags=re.S):
        heads = [visible_text(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table, flags=re.S)]
        if header in heads:
            rows = [[visible_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)]
                    for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
            return [heads] + [r for r in rows if r]
    raise AssertionError(f"no table with {header}")


def test_report_04_says_how_the_pooled_figures_sit_among_the_folds(reader_bundle):
    """Report 04 said the pooled out-of-sample figure "can sit below most folds'": true of its KS
    (below 4 of 5), not of its AUC (below 2). The sentence now counts, and the counts are the
    fold table's."""
    html = (reader_bundle / "04_scorecard_calibration.html").read_text(encoding="utf-8")
    page = visible_text(html)
    m = re.search(r"AUC ([\d.]+)，KS ([\d.]+)，这是首页与报告 07 的样本外 AUC 与 KS。.*?合并 AUC 低于 (\d+) 个折中 (\d+) 个折的值，"
                  r"合并 KS 低于 (\d+) 个折的值", page)
    assert m, "the pooled sentence"
    auc, ks = float(m.group(1)), float(m.group(2))
    rows = _table_after(html, "检验折用信户数（有违约结果）")
    heads, body = rows[0], rows[1:]
    a, k = heads.index("AUC"), heads.index("KS")
    assert int(m.group(3)) == len(body) == 5
    assert int(m.group(4)) == sum(float(r[a]) > auc for r in body)
    assert int(m.group(5)) == sum(float(r[k]) > ks for r in body)


def test_the_investigation_workbook_gives_every_reason_in_words(reader_bundle):
    """investigations.xlsx's 原因代码 held "consensus_declined;off_white_list" (code names) and
    "模型高于区间、需重新评议户数" (a column's name as a reason); page 03 never said that 93
    households of the list also need re-review."""
    from openpyxl import load_workbook

    ws = load_workbook(reader_bundle / "investigations.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("全部原因")
    reasons = [r[col] for r in rows[1:]]
    assert reasons and not any(re.search(r"[a-z_]{4,}", x) or "户数" in x for x in reasons)
    again = sum("需重新评议" in x for x in reasons)
    page = visible_text((reader_bundle / "03_consensus_vs_model.html").read_text(encoding="utf-8"))
    m = re.search(r"名单上的 ([\d,]+) 户（[\d.]+%）同时需要评议小组重新评议", page)
    assert m and int(m.group(1).replace(",", "")) == again > 0


def test_every_shortened_table_names_the_workbook_that_holds_it_whole(reader_bundle):
    """Report 01's exclusions by village and report 02's comparison with the simple median and
    agreement by village showed their first 10 rows of 90 (of 1,000 on a 100k-household
    programme) and the rest nowhere: an auditor could not trace the other rows. Every table a
    page shortens names its workbook, which is in the bundle and holds every row."""
    import openpyxl

    from calib.report.labels import t

    pattern = re.compile(re.escape(t("note.truncated", "zh-CN", n="@", m="@")).replace("@", r"([\d,]+)"))
    shortened, unnamed = [], []
    for page in sorted(reader_bundle.glob("*.html")):
        text = visible_text(page.read_text(encoding="utf-8"))
        for m in pattern.finditer(text):
            rest = text[m.end():m.end() + 200]
            named = re.match(r"；完整表格见 (\S+\.xlsx)", rest)
            if not named:
                unnamed.append(f"{page.stem}: {m.group(0)}")
                continue
            wb = openpyxl.load_workbook(reader_bundle / named.group(1), read_only=True)
            rows = sum(ws.max_row - 1 for ws in wb.worksheets)
            wb.close()
            shortened.append((page.stem, named.group(1)))
            assert rows >= int(m.group(2).replace(",", "")), (page.stem, named.group(1), rows, m.group(0))
    assert not unnamed, unnamed
    assert len(shortened) >= 10, shortened  # 12 on the sample
