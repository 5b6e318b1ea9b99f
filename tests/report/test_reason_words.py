"""Every reason the loader gives reads in Chinese (quarantine.xlsx is the village clerks' list,
report 01 the committee's page): a programme breaking every rule of the data contract is
loaded, and each reason it gets must be worded, not left in English. Before, only the reasons
the sample programme happens to hold were: an ID number of the wrong length, an unknown
status, a repeated loan number, a blank required cell... reached a Chinese page in English."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from calib import synth
from calib.io import load_programme
from calib.report.labels import value_label

from _support import AS_OF

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _csv(d: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _dup(df: pd.DataFrame, i: int) -> pd.DataFrame:
    return pd.concat([df, df.iloc[[i]]], ignore_index=True)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> pd.DataFrame:
    """The quarantine of a programme that breaks every rule at least once."""
    d = tmp_path_factory.mktemp("broken")
    synth.write(synth.generate(seed=5, villages=2, households_per_village=10, dirty=False, chinese_headers=True), d)
    ro = _csv(d, "roster")
    second = ro.index[ro["行政村名称"] == ro["行政村名称"].iloc[-1]]
    ident = ro.loc[1, "身份证"]
    for i, (col, value) in enumerate([
        ("身份证", ""), ("身份证", "12345"), ("身份证", ident[:10] + "1332" + ident[14:]), ("身份证", "4.41821E+17"),
        ("身份证", ident[:15] + "000"), ("身份证", ident[:17] + ("0" if ident[17] != "0" else "1")),
        ("身份证", ro.loc[20, "身份证"]), ("户主身份证", "12345"), ("出生年月", "1900-01"), ("性别", "未知"),
        ("状态", "迁出"), ("不良记录", "也许"), ("出生年月", "不详"), ("姓名", ""), ("户号", "H\x01X"),
    ], start=2):
        ro.loc[i, col] = value
    ro.loc[21, "性别"] = "女" if ro.loc[21, "性别"] == "男" else "男"  # against the ID number's sex digit
    ro.loc[second[1], "户号"] = ro.loc[0, "户号"]  # a household number of the other village
    header = ro.columns.tolist()
    text = ro.to_csv(index=False).splitlines()
    total = ["岭坑镇合计"] + [""] * (len(header) - 1)
    text += [",".join(header), ",".join(total), "," * (len(header) - 1), text[3] + ",多余"]
    total[0] = "合计"
    text.append(",".join(total))
    (d / "roster.csv").write_text("\n".join(text) + "\n", encoding="utf-8")

    rr = _csv(d, "reviewers")
    rr.loc[1, "role"] = "主任"
    rr.loc[2, "id_number"] = "12345"
    _dup(rr, 0).to_csv(d / "reviewers.csv", index=False)

    rv = _csv(d, "reviews")
    other = rr.loc[rr["village"] != rr.loc[0, "village"], "reviewer_id"].iloc[0]
    for i, (col, value) in enumerate([
        ("business_rating", "好"), ("integrity_rating", "7"), ("proposed_limit", "/"), ("proposed_limit", "-5"),
        ("proposed_limit", "60000000"), ("annual_income", "1e9"), ("annual_income", "inf"), ("review_date", "x"),
        ("review_date", "1800-01-01"), ("household_id", "H999"), ("reviewer_id", "R999"),
    ], start=1):
        rv.loc[i, col] = value
    # the first village's last household (its members are not among the broken rows above)
    rv.loc[rv.index[rv["household_id"] == ro.loc[second[0] - 1, "户号"]][0], "reviewer_id"] = other
    _dup(rv, 30).to_csv(d / "reviews.csv", index=False)

    rel = _csv(d, "relations")
    rel.loc[1, "relation"], rel.loc[2, "household_id"] = "同事", "H999"
    _dup(rel, 0).to_csv(d / "relations.csv", index=False)

    mr = _csv(d, "model_runs")
    for i, (col, value) in enumerate([("model_score", "abc"), ("model_score", "1500"), ("model_pd", "1.5"),
                                      ("grade", "E"), ("model_limit", "6e7")], start=1):
        mr.loc[i, col] = value
    _dup(mr, 10).to_csv(d / "model_runs.csv", index=False)

    pt = _csv(d, "points")
    pt.loc[1, "period"], pt.loc[2, "points"] = "上半年", "200000"
    _dup(pt, 5).to_csv(d / "points.csv", index=False)

    lo = _csv(d, "loans")
    lo.loc[0, "drawn_amount"] = str(int(lo.loc[0, "granted_limit"]) + 1)
    for i, (col, value) in enumerate([("interest_rate", "150%"), ("interest_rate", "高"), ("default", "2"),
                                      ("start_date", "2099-01-01"), ("granted_limit", "6e7")], start=1):
        lo.loc[i, col] = value
    _dup(lo, 6).to_csv(d / "loans.csv", index=False)

    va = _csv(d, "village_assessments")
    va.loc[1, "governance"] = "也许"
    va = _dup(va, 0)
    va.loc[len(va)] = ["不存在村", "是", "是", "是"]
    va.to_csv(d / "village_assessments.csv", index=False)
    return load_programme(d, as_of=AS_OF).quarantine


def test_the_programme_breaks_every_rule(broken):
    # the test below is only as good as this list: each rule the builder aims at is hit
    reasons = set(broken["reason"])
    for expected in ["ID number is missing", "ID number must be 18", "birth date inside the ID", "scientific notation",
                     "zeroed by Excel", "check character", "invalid household head's ID", "invalid reviewer's ID",
                     "duplicate person", "birth month contradicts", "sex contradicts", "unknown sex", "unknown status",
                     "unknown role", "unknown relation", "unknown grade", "expected yes/no", "cannot read the birth month",
                     "required value name is blank", "control or zero-width", "already used in another village",
                     "total row", "empty row", "header row again", "fields where the header has",
                     "reviewer listed twice", "cannot read the rating", "rating outside", "cannot read the amount",
                     "negative amount", "proposed_limit outside", "annual_income outside", "finite number",
                     "cannot read the date", "date outside", "reviews row for a household", "not in the panel register",
                     "another village's panel", "reviewed this household twice", "relation listed twice",
                     "relations row for a household", "cannot read the number", "model_score outside", "probability outside",
                     "model_limit outside", "second model run", "period is not", "points outside", "given twice",
                     "drawn amount exceeds", "interest rate outside", "cannot read the rate", "expected 1 (non-performing)",
                     "granted_limit outside", "loan number used twice", "village not in the roster", "village assessed twice"]:
        assert any(expected in r for r in reasons), expected


def test_every_reason_reads_in_chinese(broken):
    for reason in sorted(set(broken["reason"])):
        zh, en = value_label(reason, "zh-CN"), value_label(reason, "en")
        assert zh != reason and _CJK.search(zh), reason
        assert not re.search(r"[a-z]{3,}", zh.replace("Excel", "").replace("YYYY", "")), (reason, zh)
        assert not _CJK.search(en.replace("是/否", "")), (reason, en)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", en), (reason, en)  # no code names on an English page


@pytest.mark.parametrize("reason, zh", [
    ("duplicate person: same ID number as row 5 of roster.xlsx [东村]", "重复人员：与“roster.xlsx [东村]”第 5 行身份证号相同"),
    ("loan number used twice (first at row 12 of 贷款/2025年.csv)", "借据号重复（首次在“贷款/2025年.csv”第 12 行）"),
    ("stored as a number by Excel, digits lost; re-export the column formatted as text",
     "被 Excel 存为数字，位数已丢失；请将该列设为文本格式后重新导出"),
    ("invalid reviewer's ID: ID number is missing", "评议员身份证号无效：身份证号缺失"),
    ("row has 1 fields where the header has 7", "该行有 1 个字段，而表头有 7 个"),
])
def test_reasons_a_csv_programme_cannot_show(reason, zh):
    """A table read from several files or sheets; a workbook's numbers; a single reason's plural."""
    assert value_label(reason, "zh-CN") == zh
    assert value_label("row has 1 fields where the header has 7", "en") == "row has 1 field where the header has 7"


def test_the_words_a_reason_asks_for_are_read():
    """An unknown word's reason lists the words to write instead: each is one the loader reads."""
    from calib.io.specs import SPECS
    from calib.io.parse import parse_column

    cols = {c.kind: c for cols in SPECS.values() for c in cols}
    for kind, what in [("sex", "sex"), ("status", "status"), ("role", "role"), ("relation", "relation"), ("grade", "grade")]:
        reason = f"unknown {what}; expected one of x"
        zh = value_label(reason, "zh-CN").split("应为")[1].removesuffix("之一").replace("（不达标）", "").split("、")
        en = re.split(r", | or ", value_label(reason, "en").split("expected ")[1].replace(" (male)", "").replace(" (female)", ""))
        _, r = parse_column(cols[kind], pd.Series(zh + en, dtype="string"), pd.Timestamp(AS_OF))
        assert (r == "").all(), (kind, zh + en, r)


def test_the_summary_counts_a_reason_once_whatever_row_it_names(broken):
    """Report 01 lists the quarantine by table and reason, whole: every repeat's reason names
    its first row, so a province's hundreds of repeats were hundreds of lines. The summary
    counts by the reason without the row's particulars, and words it."""
    from calib.io.quality import quarantine_summary

    q = pd.DataFrame({"table": "loans", "file": "loans.csv", "row": [5, 6, 9], "column": "loan_id", "value": "x",
                      "reason": ["loan number used twice (first at row 2)", "loan number used twice (first at row 3)",
                                 "loan number used twice (first at row 2 of 贷款/东村.csv)"]})
    s = quarantine_summary(q)
    assert s[["reason", "problems", "rows", "example_row"]].values.tolist() == [
        ["loan number used twice (first at an earlier row)", 3, 3, 5]]
    assert value_label(s["reason"].iloc[0], "zh-CN") == "借据号重复（首次出现在前面的行）"
    for reason in quarantine_summary(broken)["reason"]:
        zh = value_label(reason, "zh-CN")
        assert zh != reason and _CJK.search(zh) and not re.search(r"\d{2,} 行", zh), reason


def test_a_problem_names_its_column_as_the_form_heads_it():
    """The quarantine's column read 结论 (conclusion) for the roster's 状态 and 范围 (scope) for
    its 组名, the report's own terms of those names; (whole row) stayed English. In Chinese a
    data-contract column is named by the collection form's header, where the clerk finds it."""
    from calib.report.labels import names_in_words

    cols = pd.Series(["status", "group", "proposed_limit", "(whole row)", "township"])
    assert names_in_words(cols, "column_name", "zh-CN").tolist() == ["状态", "组名", "合理授信额度", "（整行）", "乡镇"]
    assert names_in_words(cols, "column_name", "en").tolist() == ["Status", "Group", "Proposed limit", "(whole row)",
                                                                   "Township"]
    assert value_label("required value household_id is blank", "zh-CN") == "必填项“户号”为空"
    assert value_label("proposed_limit outside 0 to 50,000,000 yuan", "zh-CN") == "合理授信额度不在 0 至 50,000,000 元之间"
