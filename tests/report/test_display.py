"""The display layer: words, numbers, masking, escaping, truncation, no row index."""
from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

import pandas as pd
import pytest

from calib import report
from calib.report import display, fmt, labels

PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _zh():
    labels.set_lang("zh-CN")
    yield
    labels.set_lang("zh-CN")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [a for a, _ in attrs]


def _parse(html_text: str) -> _Tags:
    p = _Tags()
    p.feed(html_text)
    return p


def test_numbers_as_bankers_write_them():
    assert fmt.yuan(29000.4) == "29,000 元"
    assert fmt.wan(181_900_000) == "18,190.00 万元"
    assert fmt.pct(0.8301) == "83.0%" and fmt.pct(0.8301, 2) == "83.01%"
    # a share above 0 never reads as none: 17 rows of a province's 1,091,150 quarantined
    assert fmt.pct(17 / 1_091_150, 2) == "< 0.01%" and fmt.pct(0.00004) == "< 0.1%" and fmt.pct(0.00005, 2) == "0.01%"
    assert fmt.pct(0, 2) == "0.00%" and fmt.cell(17 / 1_091_150, "pct1") == "< 0.1%"
    assert fmt.pval(0.0004) == "< 0.001" and fmt.pval(0.0) == "< 0.001" and fmt.pval(0.0312) == "0.031"
    assert fmt.number(1e12, 2) == "1,000,000,000,000.00"  # never scientific notation
    assert fmt.number(-0.0001, 2) == "0.00"
    assert fmt.cell(float("nan"), "yuan") == fmt.MISSING == fmt.cell(pd.NA, None) == fmt.cell(None, "p")
    # a schedule's rates read as banks quote them, one way in texts, tables and the index
    assert [fmt.rate(x) for x in (0.05, 0.001, 0.00035, 0.0)] == ["5.00%", "0.10%", "0.035%", "0.00%"]
    assert fmt.cell(0.001, "rate") == "0.10%" and fmt.cell(None, "rate") == fmt.MISSING
    from calib.report.record import format_metric
    # report 05's points discounts, on its page and the index: three decimals (0.022% beside 0.000%)
    assert format_metric("policy_discount_per_100", 0.001) == "0.100%"
    assert format_metric("recommended_step_discount", 0.0) == "0.000%"
    labels.set_lang("en")
    assert fmt.wan(181_900_000) == "18,190.00 × 10,000 yuan" and fmt.cell(True, None) == "yes"


def test_language_switch_and_unknown_language():
    assert labels.t("verdict", "en") == "Verdict" and labels.t("verdict") == "结论"
    with pytest.raises(report.labels.CalibParamsError):
        labels.set_lang("fr")


def test_missing_label_warns():
    with pytest.warns(labels.MissingLabelWarning):
        assert labels.t("no_such_key_here") == "no such key here"


def test_table_escapes_masks_and_has_no_index():
    frame = pd.DataFrame({"decision": [PAYLOAD, "=HYPERLINK(\"http://x\")"], "figure": ["a", "b"],
                          "name": ["张三丰", "李四"]}, index=[7, 9])
    tab = display.table(frame)
    html_text = tab._repr_html_()
    parsed = _parse(html_text)
    assert "img" not in parsed.tags and not any(a.startswith("on") for a in parsed.attrs)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert "张三丰" not in html_text and "张**" in html_text
    assert ">7<" not in html_text and ">9<" not in html_text  # no row index
    assert "<th>决策事项</th>" in html_text and "calib-table-wrap" in html_text


def test_table_formats_by_kind_and_footnotes_missing():
    frame = pd.DataFrame({"figure": [1234567.0, None], "threshold": ["x", "y"]})
    tab = display.table(frame, kinds={"figure": "wan"}, missing={"figure": "该村无贷款"})
    assert list(tab.data.iloc[:, 0]) == ["123.46", "—"]
    assert any("该村无贷款" in n for n in tab.notes)
    assert "nan" not in tab._repr_html_().lower() and "<NA>" not in tab._repr_html_()
    # the "—" of a missing figure is aligned with the figures (right), text stays left
    assert '<td class="n">—</td>' in tab._repr_html_() and '<td class="n">y</td>' not in tab._repr_html_()


def test_table_truncation_says_so():
    frame = pd.DataFrame({"figure": range(50)})
    tab = display.table(frame, max_rows=10, file="quarantine.csv")
    assert len(tab.data) == 10
    assert tab.notes[-1] == "显示前 10 行，共 50 行；完整表格见 quarantine.csv"
    labels.set_lang("en")
    tab = display.table(frame, max_rows=10)
    assert tab.notes[-1] == "showing the first 10 of 50 rows"


def test_ranked_keeps_the_overall_row_first_above_the_rows_shown():
    """A table of the worst villages is read against the programme: sorting the overall row in
    among them would push it out of the rows shown (report 02's table of villages by ICC)."""
    frame = pd.DataFrame({"level": ["overall"] + ["village"] * 12,
                          "group": ["overall"] + [f"v{i}" for i in range(12)],
                          "icc_ak": [0.98] + [0.9, 0.5, float("nan"), 0.7, 0.99, 0.5, 0.8, 0.6, 0.97, 0.4, 0.85, 0.3]})
    assert frame.sort_values("icc_ak").head(10)["level"].eq("village").all()  # what it fixes
    out = display.ranked(frame, "icc_ak")
    assert out["group"].tolist()[:5] == ["overall", "v11", "v9", "v1", "v5"]  # ties in their order
    assert out["group"].iloc[-1] == "v2" and len(out) == len(frame)  # missing last, no row lost
    assert display.ranked(frame, "icc_ak", ascending=False)["group"].tolist()[:3] == ["overall", "v4", "v8"]
    tab = display.table(out, max_rows=10)
    assert tab.data.iloc[0, 0] == "全部" and len(tab.data) == 10


def test_coded_values_in_words_with_verdict_colour():
    tab = display.table(pd.DataFrame({"verdict": ["pass", "fail"]}))
    assert list(tab.data.iloc[:, 0]) == ["通过", "未通过"]
    assert 'class="pass"' in tab._repr_html_() and 'class="fail"' in tab._repr_html_()


def test_text_blocks_are_escaped():
    h = display.note(PAYLOAD)
    assert "<img" not in h._repr_html_()


def test_no_snake_case_header_reaches_a_table():
    frame = pd.DataFrame({"decision": [1], "AAA": [2]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", labels.MissingLabelWarning)
        heads = list(display.table(frame).data.columns)
    assert heads == ["决策事项", "AAA"]
    assert not any(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", h) for h in heads)


def test_repeated_labels_keep_every_column():
    frame = pd.DataFrame({"households": [1], "n_households": [2], "count": [3]})
    tab = display.table(frame)
    assert list(tab.data.columns) == ["户数", "户数 (2)", "户数 (3)"]
    assert list(tab.data.iloc[0]) == ["1", "2", "3"]


def test_row_labels_stay_on_one_line_and_short_words_do_not_wrap():
    frame = pd.DataFrame({"township": ["岭坑镇", "松塘镇"], "village": ["下蕉村", "圩榕村"],
                          "n_pairs": [1143, 1014], "role": ["村民小组长", "村干部"],
                          "reason": ["偏袒" * 12, "—"]})
    tab = display.table(frame)
    cls = tab.classes
    assert list(cls.iloc[0, :3]) == ["lbl", "lbl", "n"]  # labels stop at the first number
    assert cls.iloc[0, 3] == "lbl" and cls.iloc[0, 4] == ""  # a short word; a long text wraps
    html_text = tab._repr_html_()
    assert '<td class="lbl">岭坑镇</td>' in html_text and "td.lbl{white-space:nowrap" in html_text
    long = display.table(pd.DataFrame({"decision": ["授信面与用信面目标（最终）和其他很长的决策事项说明"], "figure": [1.0]}))
    assert long.classes.iloc[0, 0] == "lbl2"  # too long for one line: a minimum width instead


def test_intervals_join_bounds_and_wide_one_row_tables_turn_vertical():
    frame = pd.DataFrame({"group": ["overall", "岭坑镇"], "ccc": [0.894, 0.895], "ccc_low": [0.888, None],
                          "ccc_high": [0.901, None]})
    tab = display.table(frame, intervals={"ccc_ci": ("ccc_low", "ccc_high")}, missing={"ccc_ci": "无自助法"})
    assert list(tab.data.columns) == ["范围", "Lin CCC", "CCC 95% 区间"]
    assert list(tab.data.iloc[:, 2]) == ["[0.888, 0.901]", "—"] and any("无自助法" in n for n in tab.notes)
    one = pd.DataFrame([{c: 0.5 for c in ("ccc", "kappa", "bias_ratio", "sd_log", "bias_log", "prop_slope",
                                          "deming_slope", "pb_slope", "n_pairs")}])
    vert = display.table(one)
    assert list(vert.data.columns) == ["项目", "数值"] and len(vert.data) == 9
    assert vert.data.iloc[0, 0] == "Lin CCC" and vert.classes.iloc[0, 0] == "lbl"
    assert display.table(one, vertical=False).data.shape == (1, 9)


def test_agreement_summary_as_two_readable_tables():
    """Report 03's agreement table (26 columns, 1604 px at 1280 px) as tables of levels, of
    concordance and of slopes; every statistic of agreement_summary is in one of them (a new one
    must be placed)."""
    import numpy as np

    from calib import compare
    from calib.report.layouts import AGREEMENT_INTERVALS, AGREEMENT_PARTS

    rng = np.random.default_rng(1)
    c = rng.uniform(1e4, 5e4, 200)
    cmp = pd.DataFrame({"consensus_limit": c, "model_limit": c * np.exp(rng.normal(0, 0.2, 200)),
                        "grant_class": "both", "township": np.repeat(["岭坑镇", "松塘镇"], 100),
                        "village": np.repeat(list("abcdefgh"), 25)})
    summ = compare.agreement_summary(cmp, by="township", n_boot=0)
    placed = {c for cols in AGREEMENT_PARTS.values() for c in cols}
    placed |= {b for pair in AGREEMENT_INTERVALS.values() for b in pair} | {"level", "group"}
    assert set(summ.columns) <= placed, set(summ.columns) - placed
    levels, conc, slopes = report.agreement_tables(summ, by="township", missing={"ccc_ci": "仅全部行"})
    assert levels.caption.startswith("额度水平的一致") and slopes.caption.startswith("额度斜率的一致")
    assert list(levels.data.iloc[:, 0]) == ["全部", "岭坑镇", "松塘镇"] == list(slopes.data.iloc[:, 0])
    assert levels.data.columns[0] == "乡镇" and "95% 一致性界限（模型/公议）" in levels.data.columns
    assert levels.data["95% 一致性界限（模型/公议）"].str.fullmatch(r"\[[\d.]+, [\d.]+\]").all()
    assert slopes.data["Passing–Bablok 斜率 95% 区间"].str.fullmatch(r"\[[\d.]+, [\d.]+\]").all()
    assert max(t.data.shape[1] for t in (levels, conc, slopes)) <= 9  # was one table of 26 columns
    assert "CCC 95% 区间" in conc.data.columns and "Cohen κ" in conc.data.columns
    assert set(levels.classes.iloc[:, 0]) == {"lbl"} and any("仅全部行" in n for n in conc.notes)


def test_a_column_mixing_figures_and_text_has_one_alignment():
    # report 03's conclusions: 0.894 beside "1,700 户，敞口差额 3,141.30 万元" (figures with words)
    fig = display._format_column(pd.Series(["0.894", "1,700 户，敞口差额 3,141.30 万元", "91.2%"],
                                            dtype=object), "text")[1]
    assert list(fig) == ["n", "n", "n"]
    words = display._format_column(pd.Series(["0.5", "是", None], dtype=object), "text")[1]
    assert list(words) == ["", "", ""]
    plain = display._format_column(pd.Series(["1", "2", None], dtype=object), "text")[1]
    assert list(plain) == ["n", "n", "n"]


def test_a_figures_column_with_long_words_wraps_and_keeps_its_alignment():
    """Report 05's conclusions in English: "subsidy 0.00 × 10,000 yuan (point estimate; interest
    forgone ...)" kept on one line pushed the interval, threshold and verdict out of sight; a
    figures column whose widest cell is over LONG_FIGURE_EM wraps (still right-aligned), a
    column of short figures stays on one line."""
    long = "subsidy 0.00 × 10,000 yuan (point estimate; interest forgone 0.22 × 10,000 yuan = risk-paid interest)"
    assert display.width_em(long) > display.LONG_FIGURE_EM
    fig = display._format_column(pd.Series(["1.390%", long, None], dtype=object), "text")[1]
    assert list(fig) == ["n wrap"] * 3
    short = display._format_column(pd.Series(["1.390%", "4 of 8 bands", None], dtype=object), "text")[1]
    assert list(short) == ["n"] * 3
    assert "td.n.wrap{white-space:normal" in display.CSS


def test_every_dash_says_why_from_the_column_or_the_table():
    """A "—" is footnoted with its column's own reason (the wild bootstrap's p-value: computed
    with fewer villages than the clusters' t test needs), the table's ``missing=`` first, and
    the generic reason only for a column the catalogue says nothing about."""
    from calib._stats import FEW_CLUSTERS

    frame = pd.DataFrame({"term": ["points", "age"], "p_value_wild": [0.04, float("nan")],
                          "figure": [1.0, float("nan")]})
    notes = display.table(frame).notes
    assert f"2 至 {FEW_CLUSTERS - 1} 个" in notes[0] and f"不少于 {FEW_CLUSTERS} 个" in notes[0]
    assert notes[1].endswith(labels.t("note.missing_generic"))
    assert display.table(frame, missing={"p_value_wild": "只检验积分项"}).notes[0].endswith("只检验积分项")
    for key in ("missing.p_wild", "missing.p_value_wild", "missing.coef_points_p_wild", "nb05.missing_wild"):
        assert f"2 to {FEW_CLUSTERS - 1} villages" in labels.t(key, "en") and str(FEW_CLUSTERS) in labels.t(key, "zh-CN")


def test_thresholds_read_as_the_rules_write_them():
    """One rule, one way of writing it: a parameter's threshold reads "≥ 90%" in the rules
    table, the grid's headings and the conclusions alike; the county's measured figure keeps
    its decimal; a milestone's final targets are named in words."""
    from calib.report import words

    assert [words.share_words(v) for v in (0.9, 0.55, 0.025, 0.02, None)] == ["90%", "55%", "2.5%", "2%", None]
    v = pd.DataFrame({"township": ["东镇"], "village": ["东村"], "profiling_rate": ["pass"],
                      "profiling_rate_figure": [0.95], "profiling_rate_threshold": [0.9],
                      "npl_vs_county": ["fail"], "npl_vs_county_figure": [0.031], "npl_vs_county_threshold": [0.03],
                      "status": ["not certified"]})
    heads = list(words.verdict_grid(v, ["profiling_rate", "npl_vs_county"],
                                    {"profiling_rate": ">=", "npl_vs_county": "<"}).data.columns)
    assert heads[2].endswith(" ≥ 90%") and heads[3].endswith(" < 3.00%"), heads  # an NPL: two decimals
    assert words.rule_words(">=", 0.9)["rule"] == "≥ 90%"
    assert labels.coded_words(pd.Series(["2026-06-30", "final"])).tolist() == ["2026-06-30", "最终目标"]


def test_reason_counts_add_up_for_a_reader():
    """Counts by reason of flagged rows, with how many carry several: 38 + 24 for 61 reviewers
    reads as a mistake unless the page says one has both."""
    from calib.report import words

    r = pd.Series(["partial", "partial;self_review", "self_review", "severe", None])
    order = ["partial", "self_review", "lenient", "severe"]
    assert words.reason_counts(r, order) == "偏袒 2，评议本户 2，偏严 1；其中 1 人有多个原因"
    # the body's sentence and the recorded figures read the same tally (a blank code is none)
    assert words.reason_tally(pd.concat([r, pd.Series(["partial; "])])).to_dict() == {
        "partial": 3, "self_review": 2, "severe": 1}
    labels.set_lang("en")
    try:
        assert words.reason_counts(r, order) == "partial 2, own household 2, severe 1; 1 with more than one reason"
        assert words.reason_counts(r.iloc[[0, 2]], order) == "partial 1, own household 1"  # none with several
        assert words.reason_counts(pd.Series([], dtype="string"), order) == ""
    finally:
        labels.set_lang("zh-CN")


def test_exact_digits_is_the_fewest_that_lose_nothing():
    """One number of decimals for figures read together (an axis's ticks, a rule's thresholds):
    the fewest that write each exactly, so that 2.5% is never shown as 3%."""
    from calib.report.fmt import exact_digits

    assert exact_digits([0.0, 2.0, 4.0]) == 0
    assert exact_digits([2.0, 2.5, 3.0]) == 1
    assert exact_digits(0.7, least=2) == 2 and exact_digits(0.725, least=2) == 3
    assert exact_digits([1 / 3]) == 4 and exact_digits([1 / 3], most=2) == 2
    assert exact_digits([float("nan"), 5.0]) == 0 and exact_digits([]) == 0
    assert exact_digits([0.1 + 0.2]) == 1  # binary noise is not a decimal


def test_a_column_shown_in_another_unit_says_so_in_its_header():
    """Report 03's check list showed its exposure gaps in yuan (133,000) under the term's
    header 敞口差额（万元）: a table's kinds give the header its unit too."""
    from calib.report import display

    f = pd.DataFrame({"exposure_gap": [133_000.0]})
    shown = display.table(f, kinds={"exposure_gap": "yuan"})
    assert list(shown.data.columns) == ["敞口差额（元）"] and shown.data.iloc[0, 0] == "133,000"
    default = display.table(f)
    assert list(default.data.columns) == ["敞口差额（万元）"] and default.data.iloc[0, 0] == "13.30"


class _CountsCopies:
    """An ``attrs`` value that counts how often pandas deep-copies it."""

    copies = 0

    def __deepcopy__(self, memo):
        type(self).copies += 1
        return self


def test_a_table_shows_the_cells_without_copying_what_the_frame_carries():
    """A frame's ``attrs`` (report 05's calibration carries its PD model and 200 replicates)
    are not shown, and pandas deep-copies them at each step of formatting: the table leaves
    them behind once, the caller's frame keeps them, the page is the same."""
    _CountsCopies.copies = 0
    frame = pd.DataFrame({"village": ["甲村", "乙村"], "households": [120, 80], "share": [0.25, 0.5]})
    plain = report.table(frame)
    frame.attrs["model"] = _CountsCopies()
    carried = report.table(frame)
    assert _CountsCopies.copies <= 1  # one copy when it is left behind; one per column step before
    assert carried._repr_html_() == plain._repr_html_() and not carried.frame.attrs
    assert isinstance(frame.attrs["model"], _CountsCopies)


def test_columns_of_table_and_column_names_read_as_names():
    """Report 01's counts and quarantine in English: the table 'points' read 'Points' among
    'roster', 'loans' (worded as the points column), the column 'township' read 'township'
    among 'Drawn amount', 'Household' (worded as the level of a summary row). Names now read
    as names: tables as the programme calls them, columns as their headers; the page and the
    workbook alike."""
    from calib.report.excel import _prepare

    q = pd.DataFrame({"table": ["points", "roster", "loans"], "column": ["points", "township", "drawn_amount"],
                      "problems": [1, 2, 3]})
    labels.set_lang("en")
    try:
        shown = report.table(q, max_rows=None)
        book = _prepare(q, None, True)
    finally:
        labels.set_lang("zh-CN")
    html = shown._repr_html_()
    for words in ("<td class=\"lbl\">points</td>", ">Township<", ">Drawn amount<", ">Points<"):
        assert words in html, (words, html)
    assert book.iloc[:, 0].tolist() == ["points", "roster", "loans"]
    assert book.iloc[:, 1].tolist() == ["Points", "Township", "Drawn amount"]
    zh = _prepare(q, None, True)
    assert zh.iloc[:, 0].tolist() == ["积分表", "人员信息采集表", "贷款"] and zh.iloc[0, 1] == "积分"
