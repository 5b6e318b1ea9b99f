"""Report 02 read under "one number, one value" (audit 4, findings 4 and 17): the leniency chart's
words, the flagged-reviewer sentence and flagged_reviewers.xlsx say the same about what is
flagged, and the leniency of a reviewer has one name.

``CALIB_TEST_BUNDLE=reports/latest`` reads an existing bundle instead of rendering one."""
from __future__ import annotations

import re

import openpyxl
import pytest

from _support import visible_text
from calib.report import t, words

NB = "02_peer_consensus"


def _page(bundle) -> str:
    return re.sub(r"\s+", " ", visible_text((bundle / f"{NB}.html").read_text(encoding="utf-8")))


def _headers(bundle) -> list[str]:
    html = (bundle / f"{NB}.html").read_text(encoding="utf-8")
    return [visible_text(h).strip() for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", html, flags=re.S)]


def _reasons(bundle) -> list[str]:
    ws = openpyxl.load_workbook(bundle / "flagged_reviewers.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    j = list(rows[0]).index("标记原因")
    return [r[j] for r in rows[1:]]


@pytest.mark.slow
@pytest.mark.e2e
def test_the_chart_flags_what_the_workbook_and_the_text_flag(reader_bundle):
    """The caption said "因偏袒或宽严被标记的评议员为红色" and the legend "被标记：偏袒 / 宽严 (38)",
    while the text says "偏宽、偏严不作标记" and no reviewer in flagged_reviewers.xlsx is flagged
    for leniency."""
    page, reasons = _page(reader_bundle), _reasons(reader_bundle)
    assert reasons and not [r for r in reasons if re.search("宽|严", r)], set(reasons)
    assert "偏宽、偏严不作标记" in page
    assert "宽严倾向本身不作标记" in page and "因偏袒被标记的评议员为红色" in page
    assert not re.search(r"偏袒或宽严|宽严被标记|因宽严", page)
    # the chart's red entry in the reader's words (the plot names the reasons present: partial)
    assert t("nb02.plot.flag_partial", "zh-CN") == "被标记：偏袒"
    # the red entry counts the reviewers flagged for partiality, as the decision table does
    partial = sum("偏袒" in r for r in reasons)
    assert re.search(rf"偏袒 {partial}[，）]", page), partial


@pytest.mark.slow
@pytest.mark.e2e
def test_a_reviewers_leniency_has_one_name(reader_bundle):
    """"宽严倾向（倍）" in the table, "宽严系数" in the sentence below it."""
    page, heads = _page(reader_bundle), _headers(reader_bundle)
    assert "宽严倾向（倍）" in heads
    assert "上表列出被标记评议员的宽严倾向（倍）及其 95% 区间" in page
    assert "宽严系数" not in page


def test_the_agreement_chart_titles_have_the_house_spacing():
    """"各村ICC(A,k) 小组信度分布", "各村Krippendorff α分布": a space between a Chinese and a Latin
    run, as elsewhere."""
    got = [words.spaced(t("nb02.plot.agreement_title", "zh-CN", what=t(c, "zh-CN")))
           for c in ("icc_ak", "krippendorff_alpha")]
    assert got == ["各村 ICC(A,k) 小组信度分布（虚线：全部）", "各村 Krippendorff α 分布（虚线：全部）"]
    assert words.spaced("ICC(A,k) by village") == "ICC(A,k) by village"
