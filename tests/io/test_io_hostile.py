"""Hostile and careless input (issue 12): nothing leaks, nothing is lost silently."""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from calib import synth
from calib.errors import CalibInputError
from calib.io import load_programme, read_table, validate_tables
from calib.io.specs import REASON_EXCEL_NUMBER

from _support import AS_OF, write_params


@pytest.fixture(scope="module")
def tiny_src(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tiny")
    res = synth.generate(seed=5, villages=2, households_per_village=10, dirty=False, chinese_headers=True)
    synth.write(res, d)
    return d


@pytest.fixture
def tiny(tiny_src, tmp_path) -> Path:
    for f in tiny_src.iterdir():
        if f.is_file():
            (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def _csv(d: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _balanced(prog) -> None:
    c = prog.counts
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()


def test_roster_without_header_row_says_so_and_leaks_nothing(tiny):
    ro = _csv(tiny, "roster")
    (tiny / "roster.csv").write_text(ro.to_csv(index=False, header=False), encoding="utf-8")
    with pytest.raises(CalibInputError, match="roster.csv: no header row") as e:
        load_programme(tiny, as_of=AS_OF)
    msg = str(e.value)
    first = ro.iloc[0]
    for secret in (first["身份证"], first["姓名"], first["联系方式"], first["现居住地址"]):
        assert secret not in msg
    assert first["身份证"][:6] + "****" in msg  # masked examples


def test_missing_column_lists_unknown_headers_masked(tiny):
    rv = _csv(tiny, "reviews").drop(columns="proposed_limit")
    rv.columns = [*rv.columns[:-1], "13900002541"]
    rv.to_csv(tiny / "reviews.csv", index=False)
    with pytest.raises(CalibInputError, match="required column 'proposed_limit'") as e:
        load_programme(tiny, as_of=AS_OF)
    assert "13900002541" not in str(e.value) and "139****2541" in str(e.value)


def test_a_workbook_with_a_sheet_per_group_is_read_as_one_table(tiny):
    """A collection workbook keeps one sheet per village or group: the sheets are stacked, each
    row counted, its problems told with its sheet and its row on that sheet; a repeat across
    sheets names the sheet of the first. ``sheet=`` still reads one sheet, or some."""
    rv = _csv(tiny, "reviews")
    want = load_programme(tiny, as_of=AS_OF)
    rv.loc[12, "business_rating"] = "9"  # the 3rd data row of 二组 (row 4 on that sheet)
    rv.loc[15] = rv.loc[3]  # a repeat of the 4th row of 一组 (row 5), on 二组's row 7
    with pd.ExcelWriter(tiny / "reviews.xlsx") as w:
        rv.iloc[:10].to_excel(w, sheet_name="一组", index=False)
        rv.iloc[10:, ::-1].to_excel(w, sheet_name="二组", index=False)  # the same headers in another order
        pd.DataFrame().to_excel(w, sheet_name="空", index=False)
    (tiny / "reviews.csv").unlink()
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    c = prog.counts.set_index("table").loc["reviews"]
    assert c["rows_read"] == len(rv) and c["rows_quarantined"] == 2 and c["file"] == "reviews.xlsx"
    q = prog.quarantine[prog.quarantine["table"] == "reviews"]
    assert q["file"].tolist() == ["reviews.xlsx [二组]"] * 2 and q["row"].tolist() == [4, 7]
    assert q["reason"].iloc[1].endswith("(first at row 5 of reviews.xlsx [一组])")
    kept = want.reviews.drop(index=[12, 15]).drop(columns="row").reset_index(drop=True)
    pd.testing.assert_frame_equal(prog.reviews.drop(columns=["row", "file"]), kept)
    # each accepted row says where it was read
    assert prog.reviews[["row", "file"]].iloc[[0, 10]].values.tolist() == [[2, "reviews.xlsx [一组]"], [2, "reviews.xlsx [二组]"]]
    assert "file" not in want.reviews  # one file: its name is the counts'

    one = load_programme(tiny, as_of=AS_OF, sheet={"reviews": "二组"})
    assert one.counts.set_index("table").at["reviews", "rows_read"] == len(rv) - 10
    assert one.quarantine.loc[one.quarantine["table"] == "reviews", "file"].tolist() == ["reviews.xlsx"]
    both = load_programme(tiny, as_of=AS_OF, sheet={"reviews": ["一组", "二组"]})
    pd.testing.assert_frame_equal(both.quarantine, prog.quarantine)
    with pytest.raises(CalibInputError, match="reviews.xlsx: no sheet '三组'; sheets are '一组', '二组', '空'"):
        load_programme(tiny, as_of=AS_OF, sheet={"reviews": ["一组", "三组"]})


def test_sheets_that_do_not_hold_the_table_are_not_stacked(tiny):
    """A summary sheet, or a sheet whose headers differ, is not stacked with the others: the
    message names it and says how to choose; no header or value is shown raw."""
    ro = _csv(tiny, "roster")
    (tiny / "roster.csv").unlink()
    with pd.ExcelWriter(tiny / "roster.xlsx") as w:
        ro.iloc[:20].to_excel(w, sheet_name="东村", index=False)
        ro.iloc[20:].to_excel(w, sheet_name="西村", index=False)
        pd.DataFrame({"村": ["东村", "西村"], "人数": [20, len(ro) - 20]}).to_excel(w, sheet_name="汇总", index=False)
    with pytest.raises(CalibInputError, match=r"roster.xlsx: 3 sheets hold data and '汇总' has no header of the table; "
                                              r"name the sheets to read \(sheet=\[...\]\), or to leave out "
                                              r"\(sheet=\['!汇总'\]\)"):
        load_programme(tiny, as_of=AS_OF)
    prog = load_programme(tiny, as_of=AS_OF, sheet=["东村", "西村"])
    assert prog.counts.set_index("table").at["roster", "rows_read"] == len(ro)
    _balanced(prog)
    # or every sheet but the summary (a workbook of 90 village sheets and a 填表说明)
    left = load_programme(tiny, as_of=AS_OF, sheet={"roster": "!汇总"})
    pd.testing.assert_frame_equal(left.roster, prog.roster)
    for bad, says in [(["!汇总", "东村"], "name the sheets to read, or the sheets to leave out"),
                      ("!总表", "no sheet '总表'")]:
        with pytest.raises(CalibInputError, match=says):
            load_programme(tiny, as_of=AS_OF, sheet=bad)

    phone = ro["联系方式"].iloc[0]
    other = ro.iloc[20:].rename(columns={"联系方式": phone})  # a header that is personal data
    with pd.ExcelWriter(tiny / "roster.xlsx") as w:
        ro.iloc[:20].to_excel(w, sheet_name="东村", index=False)
        other.to_excel(w, sheet_name="西村", index=False)
    with pytest.raises(CalibInputError, match=r"roster.xlsx: sheet '西村' has other headers than sheet '东村' "
                                              r"\(it has .*; it lacks 联系方式\)") as e:
        load_programme(tiny, as_of=AS_OF)
    assert phone not in str(e.value)


def test_excel_numbers_in_id_and_phone_columns_are_quarantined(tiny):
    ro = _csv(tiny, "roster").astype(object)
    ro.loc[1, "身份证"] = float(ro.loc[1, "身份证"][:17] + "0")
    ro.loc[2, "联系方式"] = float(ro.loc[2, "联系方式"])
    ro.to_excel(tiny / "roster.xlsx", index=False)
    (tiny / "roster.csv").unlink()
    prog = load_programme(tiny, as_of=AS_OF)
    q = prog.quarantine.set_index("row")
    assert q.at[3, "reason"] == REASON_EXCEL_NUMBER and q.at[3, "column"] == "id_number"
    assert q.at[4, "reason"] == REASON_EXCEL_NUMBER and q.at[4, "column"] == "phone"
    assert q.at[4, "value"].count("*") == 4  # masked
    assert not set(prog.roster["row"]) & {3, 4}
    _balanced(prog)


@pytest.mark.parametrize("enc", ["gb18030", "big5"])
def test_gb18030_and_big5_are_told_apart(tmp_path, enc):
    df = pd.DataFrame({"户号": ["H1", "H2"], "姓名": ["陳大文", "黃國強"], "现居住地址": ["龍山鎮東村", "鳳凰鎮黃村"]})
    if enc == "big5":
        df.columns = ["戶號", "姓名", "地址"]
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False, encoding=enc)
    got = read_table(p)
    assert got.iloc[:, 1].tolist() == ["陳大文", "黃國強"]
    assert read_table(p, encoding=enc).iloc[:, 2].tolist() == df.iloc[:, 2].tolist()


def test_undecodable_bytes_name_file_and_line(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_bytes("户号,姓名\nH1,张伟\n".encode() + b"H2,\xff\xfe\xfa\n")
    with pytest.raises(CalibInputError, match=r"roster.csv: line 3: bytes that are not"):
        read_table(p, encoding="utf-8")


def test_duplicate_headers_are_an_error_naming_them(tiny):
    rv = _csv(tiny, "reviews")
    text = (tiny / "reviews.csv").read_text(encoding="utf-8-sig").splitlines()
    text[0] = text[0] + ",户号,household_id"
    text[1:] = [t + ",X,Y" for t in text[1:]]
    (tiny / "reviews.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(CalibInputError, match="reviews.csv: the header 'household_id' appears more than once"):
        load_programme(tiny, as_of=AS_OF)
    assert len(rv)


@pytest.mark.parametrize("quoted", [False, True])
def test_a_row_with_too_many_or_too_few_fields_is_quarantined_alone(tiny, quoted):
    lines = (tiny / "reviews.csv").read_text(encoding="utf-8-sig").splitlines()
    n = len(lines) - 1
    lines[3] = lines[3] + ",extra"
    lines[5] = ",".join(lines[5].split(",")[:2])
    if quoted:  # a quoted cell with a line break forces the exact (slow) reader
        head = lines[0].split(",")
        cells = lines[7].split(",")
        cells[head.index("review_date")] = '"2025-06-30\n"'
        lines[7] = ",".join(cells)
    (tiny / "reviews.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    prog = load_programme(tiny, as_of=AS_OF)
    q = prog.quarantine.query("table == 'reviews'")
    assert set(q["row"]) == {4, 6}
    assert q.set_index("row").at[4, "reason"].startswith("row has 8 fields where the header has 7")
    assert q["column"].eq("(whole row)").all()
    c = prog.counts.set_index("table").loc["reviews"]
    assert c["rows_read"] == n and c["rows_quarantined"] == 2
    assert 8 in set(prog.reviews["row"]) and 5 in set(prog.reviews["row"])
    _balanced(prog)


def test_invisible_characters_in_keys(tiny):
    rv = _csv(tiny, "reviews")
    hh = rv.loc[0, "household_id"]
    rv.loc[0, "household_id"] = hh[:2] + "\u200b" + hh[2:]  # zero-width space: removed, still matches
    rv.loc[1, "household_id"] = hh[:2] + "\x00" + hh[2:]  # NUL: quarantined
    rv.loc[2, "reviewer_id"] = rv.loc[2, "reviewer_id"] + "\x07"
    rv.to_csv(tiny / "reviews.csv", index=False)
    prog = load_programme(tiny, as_of=AS_OF)
    q = prog.quarantine.set_index("row")
    assert 2 in set(prog.reviews["row"])
    assert prog.reviews.set_index("row").at[2, "household_id"] == hh
    assert "control or zero-width" in q.at[3, "reason"] and "control" in q.at[4, "reason"]


def test_symlinked_table_is_followed_and_a_broken_link_named(tiny, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "points.csv"
    (tiny / "points.csv").rename(elsewhere)
    os.symlink(elsewhere, tiny / "points.csv")
    prog = load_programme(tiny, as_of=AS_OF)
    assert prog.points is not None and len(prog.points) > 0
    elsewhere.unlink()
    with pytest.raises(CalibInputError, match="points.csv: symbolic link to a file that does not exist"):
        load_programme(tiny, as_of=AS_OF)


def test_a_folder_named_like_a_table_file_is_read_as_its_parts_or_told(tiny):
    """``points.csv/`` as Spark writes a table (part files, ``_SUCCESS``, hidden checksums) is
    the table's folder; empty, or named like no table, it is an error, never skipped."""
    want = load_programme(tiny, as_of=AS_OF)
    pt = _csv(tiny, "points")
    (tiny / "points.csv").unlink()
    (tiny / "points.csv").mkdir()
    with pytest.raises(CalibInputError, match="points.csv: the table's folder holds no .csv"):
        load_programme(tiny, as_of=AS_OF)
    pt.iloc[:20].to_csv(tiny / "points.csv" / "part-00000-c000.csv", index=False)
    pt.iloc[20:].to_csv(tiny / "points.csv" / "part-00001-c000.csv", index=False)
    (tiny / "points.csv" / "_SUCCESS").write_text("")
    (tiny / "points.csv" / ".part-00000-c000.csv.crc").write_text("x")
    got = load_programme(tiny, as_of=AS_OF)
    pd.testing.assert_frame_equal(got.points.drop(columns=["row", "file"]), want.points.drop(columns="row"))
    assert got.points["file"].iloc[-1] == "points.csv/part-00001-c000.csv"
    (tiny / "points.csv").rename(tiny / "pionts.csv")
    with pytest.raises(CalibInputError, match="pionts.csv: unknown table 'pionts' \\(a folder\\)"):
        load_programme(tiny, as_of=AS_OF)


@pytest.mark.parametrize("column,value,phrase", [
    ("proposed_limit", "inf", "finite"),
    ("proposed_limit", "1e309", "finite"),
    ("proposed_limit", "1000000000000", "outside 0 to 50,000,000 yuan"),
    ("annual_income", "-inf", "negative"),
    ("review_date", "2099-01-01", "date outside 1900-01-01 to 2027-06-30"),
    ("review_date", "1800-01-01", "date outside 1900-01-01"),
    # outside datetime64[ns] (1677-2262): once a crash of the whole load
    ("review_date", "1600-01-01", "date outside 1900-01-01 to 2027-06-30"),
    ("review_date", "1600/1/1", "date outside 1900-01-01 to 2027-06-30"),
    ("review_date", "99991231", "date outside 1900-01-01 to 2027-06-30"),
    ("review_date", "2300-01-01", "date outside 1900-01-01 to 2027-06-30"),
])
@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
def test_impossible_values_are_quarantined_with_the_range(tiny, column, value, phrase, kernels, monkeypatch):
    import calib.io._jit as io_jit

    monkeypatch.delenv("CALIB_NO_JIT", raising=False)
    monkeypatch.setattr(io_jit, "MIN_ROWS", 0 if kernels else 10**12)
    rv = _csv(tiny, "reviews")
    rv.loc[0, column] = value
    rv.to_csv(tiny / "reviews.csv", index=False)
    q = load_programme(tiny, as_of=AS_OF).quarantine.set_index("row")
    assert phrase in q.at[2, "reason"]


def test_infinite_scores_and_points(tiny):
    mr, pt = _csv(tiny, "model_runs"), _csv(tiny, "points")
    mr.iloc[0, mr.columns.get_loc("model_score")] = "inf"
    pt.iloc[0, pt.columns.get_loc("points")] = "1e9"
    pt.iloc[1, pt.columns.get_loc("points")] = "inf"
    mr.to_csv(tiny / "model_runs.csv", index=False)
    pt.to_csv(tiny / "points.csv", index=False)
    q = load_programme(tiny, as_of=AS_OF).quarantine
    assert q.query("table == 'model_runs' and row == 2")["reason"].str.contains("finite").any()
    assert q.query("table == 'points' and row == 2")["reason"].str.contains("outside 0 to 100,000").any()
    assert q.query("table == 'points' and row == 3")["reason"].str.contains("finite").any()


def test_as_of_must_be_plausible(tiny):
    with pytest.raises(CalibInputError, match="as_of must be a date from 2000-01-01"):
        load_programme(tiny, as_of="9999-12-31")


@pytest.mark.parametrize("table", ["reviews", "points", "roster"])
def test_header_only_file(tiny, table):
    text = (tiny / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (tiny / f"{table}.csv").write_text(text + "\n", encoding="utf-8")
    prog = load_programme(tiny, as_of=AS_OF)
    assert prog.counts.set_index("table").at[table, "rows_read"] == 0
    _balanced(prog)
    (tiny / f"{table}.csv").write_bytes(b"")
    with pytest.raises(CalibInputError, match=f"{table}.csv: the file is empty"):
        load_programme(tiny, as_of=AS_OF)


def test_validate_tables_takes_typed_arrow_tables_and_labels_them(tiny):
    raw = {t: pd.read_csv(tiny / f"{t}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
           for t in ("roster", "reviews", "model_runs")}
    typed = raw["model_runs"].copy()
    typed["model_score"] = typed["model_score"].astype(float)
    typed["run_date"] = pd.to_datetime(typed["run_date"])
    raw["model_runs"] = pa.Table.from_pandas(typed, preserve_index=False)
    prog = validate_tables(raw, as_of=AS_OF, source={"roster": "db:crm.roster"})
    files = dict(zip(prog.counts["table"], prog.counts["file"]))
    assert files == {"roster": "db:crm.roster", "reviews": "reviews", "model_runs": "model_runs"}
    base = load_programme(tiny, as_of=AS_OF)
    pd.testing.assert_frame_equal(prog.model_runs, base.model_runs)
    assert prog.quarantine.empty
    ro = raw["roster"].astype(object)
    ro.loc[:2, "联系方式"] = pd.to_numeric(ro.loc[:2, "联系方式"]).astype(float)
    q = validate_tables({**raw, "roster": ro}, as_of=AS_OF).quarantine.query("table == 'roster'")
    assert q["row"].tolist() == [2, 3, 4] and q["reason"].eq(REASON_EXCEL_NUMBER).all()


def test_database_url_without_sources_is_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "calib.sources.sql", None)
    with pytest.raises(CalibInputError, match="needs calib.sources.sql"):
        load_programme("sqlite:///nowhere.db", as_of=AS_OF)


def test_a_points_period_that_is_no_period_is_quarantined_not_fatal(tiny):
    from calib.households import sort_periods
    from calib.io.checks import REASON_PERIOD

    pt = _csv(tiny, "points")
    pt.loc[0, "period"] = "441821197703161231"
    pt.loc[1, "period"] = "2025-13"
    pt.loc[2, "period"] = "2025q3"
    pt.loc[3, "period"] = "2025年6月"
    pt.to_csv(tiny / "points.csv", index=False)
    prog = load_programme(tiny, as_of=AS_OF)
    q = prog.quarantine.query("table == 'points'").set_index("row")
    assert q.loc[[2, 3], "reason"].eq(REASON_PERIOD).all() and q.at[2, "value"] == "441821********1231"
    assert {4, 5} <= set(prog.points["row"])
    sort_periods(prog.points["period"])  # every accepted period is one the reports understand
    _balanced(prog)


@pytest.mark.parametrize("enc", ["gb18030", "big5"])
def test_a_large_file_is_told_apart_wherever_its_sample_ends(tmp_path, enc):
    """A GB18030 roster of a province was refused as "not UTF-8, GB18030 or Big5": the 64 KiB
    the encoding is judged on cut a two-byte character in two, and no encoding decodes half a
    character. The sample is now whole lines: any cut of a large file is told apart."""
    from calib.io.read import _SAMPLE, detect_encoding

    rows = ["户号,姓名,现居住地址" if enc == "gb18030" else "戶號,姓名,地址"]
    rows += [f"H{i:06d},{'陳大文黃國強'[i % 3: i % 3 + 3]},{'龍山鎮東村' * (1 + i % 4)}" for i in range(20_000)]
    for lead in ("", "x", "xy"):  # the sample's end falls at each place of a character
        p = tmp_path / f"t{len(lead)}.csv"
        p.write_bytes(lead.encode() + "\n".join(rows).encode(enc))
        assert detect_encoding(p) == enc
    cut = [len(lead) for lead in ("", "x", "xy")
           if not _decodes((tmp_path / f"t{len(lead)}.csv").read_bytes()[:_SAMPLE], enc)]
    assert cut  # at least one of the three samples of 64 KiB ended mid-character


def _decodes(b: bytes, enc: str) -> bool:
    try:
        b.decode(enc)
        return True
    except UnicodeDecodeError:
        return False


def test_a_gb18030_file_whose_only_chinese_is_a_decline_word_is_read_as_gb18030(tmp_path):
    """A province's reviews saved in GB18030 hold one Chinese word, the decline 拒绝, in 2% of
    their rows: charset-normalizer took them for Big5 (擇橈) and 134,652 declines were
    quarantined as amounts that cannot be read. The words of the data contract decide; the
    loader then reads every decline as one."""
    import random

    from calib.io.read import detect_encoding, read_table

    rnd = random.Random(1)
    rows = ["household_id,reviewer_id,business_rating,annual_income,integrity_rating,proposed_limit,review_date"]
    rows += [f"H{i:07d},R{i % 97:05d},{rnd.randint(1, 5)},{rnd.randrange(20, 90) * 1000},{rnd.randint(1, 5)},"
             f"{'拒绝' if rnd.random() < 0.02 else rnd.randrange(5, 60) * 1000},2025-07-{rnd.randint(1, 28):02d}"
             for i in range(5000)]
    p = tmp_path / "reviews.csv"
    p.write_bytes("\n".join(rows).encode("gb18030"))
    assert detect_encoding(p) == "gb18030"
    limits = read_table(p)["proposed_limit"]
    assert limits.eq("拒绝").sum() == sum("拒绝" in r for r in rows) > 50


@pytest.mark.parametrize(("sep", "word", "enc"), [("\t", "tabs", "utf-16"), (";", "semicolons", "utf-8")])
def test_a_file_separated_otherwise_than_by_commas_is_told_so(tmp_path, sep, word, enc):
    """Excel's "Unicode text" is tab-separated UTF-16; a file so saved and named .csv was told
    "no header row: the first row looks like data (乡镇行政村名…)", sending the clerk to add a
    header the file has. The message now names the separator and what to save instead."""
    from calib.errors import CalibInputError
    from calib.io.read import read_raw, text_table

    rows = ["乡镇,行政村名称,户号,姓名,身份证", "岭坑镇,寨井角村,H0010001,邓丽,441821199902092573"]
    p = tmp_path / "roster.csv"
    p.write_text("\n".join(r.replace(",", sep) for r in rows), encoding=enc)
    with pytest.raises(CalibInputError) as err:
        text_table(read_raw(p), "roster.csv")
    msg = str(err.value)
    assert f"separated by {word}, not commas" in msg and "乡镇, 行政村名称" in msg
    assert "441821199902092573" not in msg and "邓丽" not in msg


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_of_two_encodings_is_told_so(tmp_path, bom):
    """Two villages' exports joined, one in UTF-8 and one in GB18030: the file was read as
    GB18030 and refused at line 1, where nothing is wrong (with a BOM), or could have been
    read as GB18030 whole, its UTF-8 half garbled. It is told as two encodings, at the line
    where the second begins."""
    from calib.io.read import detect_encoding

    first = "户号,姓名,现居住地址\nH1,张伟,岭坑镇寨井角村\nH2,李娜,岭坑镇寨井角村\n"
    second = "H3,王芳,松塘镇沥禾村\nH4,刘洋,松塘镇沥禾村\n"
    p = tmp_path / "roster.csv"
    p.write_bytes(bom + first.encode() + second.encode("gb18030"))
    with pytest.raises(CalibInputError, match=r"roster.csv: lines 1 to 3 are UTF-8 text and line 4 is not") as err:
        detect_encoding(p)
    assert "王芳" not in str(err.value)
    with pytest.raises(CalibInputError, match="line 4 is not"):
        read_table(p)
    # one encoding whose first character's bytes happen to be UTF-8 (说 is CB B5 in GB18030)
    p.write_bytes("household_id,proposed_limit\nH1,说\nH2,拒绝\n".encode("gb18030"))
    assert detect_encoding(p) == "gb18030"


@pytest.mark.parametrize("above", [[], [["岭坑镇整村授信人员信息采集表"]], [[], ["人员信息采集表"], ["填报单位：岭坑镇", "", "日期：2025-06"]]])
def test_a_form_title_above_the_header_of_a_sheet_is_not_data(tiny, above):
    """A collection form printed from Excel has a title (and a 填报单位 line) above its header:
    the workbook was refused as "no header row: the first row looks like data". The header is
    found among the first rows; the rows are numbered as Excel numbers them (the quarantine's
    rows too), and nothing else changes. Empty rows on top (which the reader skips) counted."""
    import xlsxwriter

    ro = _csv(tiny, "roster")
    ro.loc[3, "性别"] = "不详"  # one row quarantined, its row number checked
    (tiny / "roster.csv").unlink()
    wb = xlsxwriter.Workbook(str(tiny / "roster.xlsx"))
    ws = wb.add_worksheet()
    for i, cells in enumerate(above):
        for j, v in enumerate(cells):
            ws.write_string(i, j, v)
    top = len(above)
    for j, c in enumerate(ro.columns):
        ws.write_string(top, j, c)
    for i, row in enumerate(ro.itertuples(index=False), start=top + 1):
        for j, v in enumerate(row):
            ws.write_string(i, j, v)
    wb.close()
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    assert prog.counts.set_index("table").at["roster", "rows_read"] == len(ro)
    q = prog.quarantine
    assert q.loc[q["table"] == "roster", "row"].tolist() == [top + 5]  # the sheet's row of ro.loc[3]
    assert prog.roster["row"].iloc[0] == top + 2


def test_a_title_above_the_header_of_a_csv_is_told_where_the_header_is(tiny):
    ro = _csv(tiny, "roster")
    text = "岭坑镇整村授信人员信息采集表" + "," * (ro.shape[1] - 1) + "\n" + ro.to_csv(index=False)
    (tiny / "roster.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CalibInputError, match=r"roster.csv: the header is on line 2 \(乡镇, .*below 1 line of title") as e:
        load_programme(tiny, as_of=AS_OF)
    assert ro.iloc[0]["身份证"] not in str(e.value)


def test_merged_cells_of_a_form_give_their_value_to_every_row(tiny):
    """A collection form merges the 乡镇 and 村 cells over a village's households and the 户号
    over a household's members; the reader gave the value to the first row only, and every
    other row was quarantined as blank (the whole programme, so saved). Each merged cell's
    value now fills its range, as Excel shows it: the workbook loads as the CSV does."""
    import xlsxwriter

    ro = _csv(tiny, "roster")
    want = load_programme(tiny, as_of=AS_OF)
    (tiny / "roster.csv").unlink()
    wb = xlsxwriter.Workbook(str(tiny / "roster.xlsx"))
    ws = wb.add_worksheet()
    ws.merge_range(0, 0, 0, ro.shape[1] - 1, "人员信息采集表")  # a merged title too
    for j, c in enumerate(ro.columns):
        ws.write_string(1, j, c)
    merged = 0
    for j, col in enumerate(ro.columns):
        vals, i = ro[col].tolist(), 0
        while i < len(vals):
            k = i
            while col in ("乡镇", "行政村名称", "户号") and k + 1 < len(vals) and vals[k + 1] == vals[i]:
                k += 1
            if k > i:
                ws.merge_range(i + 2, j, k + 2, j, vals[i])
                merged += 1
            else:
                ws.write_string(i + 2, j, vals[i])
            i = k + 1
    wb.close()
    assert merged > 10
    got = load_programme(tiny, as_of=AS_OF)
    pd.testing.assert_frame_equal(got.roster.drop(columns="row"), want.roster.drop(columns="row"))
    assert (got.roster["row"] == want.roster["row"] + 1).all()  # the title's row above
    assert got.counts.set_index("table").at["roster", "rows_quarantined"] == 0


def test_blank_columns_and_rows_excel_writes_after_a_table_are_not_data(tiny):
    """Excel writes ",,," after the last column and ",,,,,," lines after the last row it
    formatted: the roster was refused ("the header '' appears more than once"). A column with
    no header and no value is not a column of the table; an empty line is quarantined once, as
    an empty row, not once per required column."""
    from calib.io.specs import REASON_EMPTY

    text = (tiny / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    n = len(text) - 1
    width = text[0].count(",") + 3  # the fields of a line, less one
    (tiny / "roster.csv").write_text("\n".join(t + ",,," for t in text) + "\n" + ("," * width + "\n") * 2,
                                     encoding="utf-8-sig")
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    c = prog.counts.set_index("table").loc["roster"]
    assert c["rows_read"] == n + 2 and c["rows_quarantined"] == 2 and c["ignored_columns"] == ""
    q = prog.quarantine[prog.quarantine["table"] == "roster"]
    assert q["reason"].tolist() == [REASON_EMPTY] * 2 and q["row"].tolist() == [n + 2, n + 3]
    # a column without a header that holds values is still told
    (tiny / "roster.csv").write_text("\n".join([text[0] + ",,"] + [t + ",x,y" for t in text[1:]]), encoding="utf-8-sig")
    with pytest.raises(CalibInputError, match="appears more than once"):
        load_programme(tiny, as_of=AS_OF)


def test_tables_may_be_named_as_the_banks_forms_name_them(tiny):
    """A clerk sends 人员信息采集表.xlsx, 背靠背评议.csv...: they were refused as unknown tables.
    Each table's file may bear its Chinese name (calib.io.specs.TABLE_FILE_NAMES); the same
    table given twice, under either name, is still an error, and an unknown name lists both."""
    from calib.io.specs import TABLE_FILE_NAMES, table_of_file

    want = load_programme(tiny, as_of=AS_OF)
    for f in list(tiny.glob("*.csv")):
        f.rename(tiny / f"{TABLE_FILE_NAMES[f.stem][0]}.csv")
    got = load_programme(tiny, as_of=AS_OF)
    pd.testing.assert_frame_equal(got.roster, want.roster)
    assert got.counts.set_index("table").at["roster", "file"] == "人员信息采集表.csv"
    assert table_of_file("贷款 台账") == "loans" and table_of_file("ＲＯＳＴＥＲ".lower()) == "roster"
    (tiny / "roster.csv").write_bytes((tiny / "人员信息采集表.csv").read_bytes())
    with pytest.raises(CalibInputError, match="table 'roster' is given twice"):
        load_programme(tiny, as_of=AS_OF)
    (tiny / "roster.csv").rename(tiny / "花名册备份.csv")
    with pytest.raises(CalibInputError, match=r"unknown table '花名册备份'.*roster \(人员信息采集表\)"):
        load_programme(tiny, as_of=AS_OF)


def test_a_row_of_one_sheet_is_not_the_same_row_of_another():
    """The quarantine's summary counts rows by file and row: row 4 of 东村 and row 4 of 西村
    are two rows."""
    from calib.io.quality import quarantine_summary

    q = pd.DataFrame({"table": "roster", "file": ["r.xlsx [东村]", "r.xlsx [西村]", "r.xlsx [西村]"],
                      "row": [4, 4, 4], "column": ["sex", "sex", "status"], "value": "x", "reason": "bad"})
    s = quarantine_summary(q)
    assert s[["problems", "rows", "example_row"]].values.tolist() == [[3, 2, 4]]


def _write_xls(df: pd.DataFrame, path: Path, *, title: str | None = None, sheet: str = "Sheet1") -> None:
    """``df`` as an Excel 97-2003 workbook (every cell text, but floats), a title row on top."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    top = 0
    if title is not None:
        ws.write_merge(0, 0, 0, df.shape[1] - 1, title)
        top = 1
    for j, c in enumerate(df.columns):
        ws.write(top, j, c)
    for i, row in enumerate(df.itertuples(index=False), start=top + 1):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    wb.save(str(path))


@pytest.mark.parametrize("name", ["roster.xls", "人员信息采集表.xls", "roster.xlsx"])
def test_an_excel_97_2003_workbook_loads_as_the_csv_does(tiny, name):
    """Legacy core systems and WPS still write .xls (Excel 97-2003): it is read as a workbook
    (title row, Excel row numbers, numbers in ID columns quarantined), also when it was renamed
    .xlsx (the bytes tell the format, not the suffix)."""
    ro = _csv(tiny, "roster").astype(object)
    want = load_programme(tiny, as_of=AS_OF)
    ro.loc[2, "身份证"] = float(ro.loc[2, "身份证"][:15] + "000")
    _write_xls(ro, tiny / name, title="人员信息采集表")
    (tiny / "roster.csv").unlink()
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    q = prog.quarantine[prog.quarantine["table"] == "roster"]
    assert q["row"].tolist() == [5] and q["reason"].tolist() == [REASON_EXCEL_NUMBER] and q["file"].iloc[0] == name
    got = prog.roster.drop(columns="row").reset_index(drop=True)
    kept = want.roster[want.roster["row"] != 4].drop(columns="row").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, kept)


@pytest.mark.parametrize("content, says", [
    (b"<html><body><table><tr><td>\xe4\xb9\xa1\xe9\x95\x87</td></tr></table></body></html>", "this is a web page \\(HTML\\), not a workbook"),
    ("乡镇,户号\n岭坑镇,H1\n".encode("utf-8-sig"), "this is a text file, not a workbook, though named .xls; if it is comma-separated, name it .csv"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504, "cannot read the workbook .*protected by a password"),
    (b"\x00\x01\x02\x03" * 16, "not an Excel workbook"),
    (b"", "the file is empty"),
])
def test_a_file_named_xls_that_is_no_workbook_is_told_what_it_is(tiny, content, says):
    """Core systems "export to Excel" as an HTML table or as CSV under the name .xls; a
    password-protected workbook is an OLE2 container no reader opens."""
    (tiny / "roster.xls").write_bytes(content)
    (tiny / "roster.csv").unlink()
    with pytest.raises(CalibInputError, match="roster.xls: " + says):
        load_programme(tiny, as_of=AS_OF)


def _workbook_bytes(d: Path) -> bytes:
    _csv(d, "roster").to_excel(d / "w.xlsx", index=False)
    out = (d / "w.xlsx").read_bytes()
    (d / "w.xlsx").unlink()
    return out


@pytest.mark.parametrize("make, says", [
    (_workbook_bytes, "this is an Excel workbook \\(.xlsx\\) or another zip archive, not a CSV, though named .csv; if "
                      "it is a workbook, name it .xlsx"),
    (lambda d: bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504, "this is an Excel 97-2003 workbook, not a CSV"),
    (lambda d: gzip.compress((d / "roster.csv").read_bytes()), "this is a gzip archive, not a CSV, though named .csv; "
                                                               "unpack it first"),
    (lambda d: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"x" * 100, "this is a PDF document, not a CSV"),
    (lambda d: (d / "roster.csv").read_text(encoding="utf-8-sig").encode("utf-16-le"),
     "this is UTF-16 text without a byte-order mark; save the file as UTF-8 CSV"),
    (lambda d: (d / "roster.csv").read_text(encoding="utf-8-sig").encode("utf-16-be"), "this is UTF-16 text"),
])
def test_a_file_named_csv_that_is_no_text_is_told_what_it_is(tiny, make, says):
    """A workbook renamed ``.csv``, an export left compressed, a PDF or UTF-16 text without
    its byte-order mark were "line 1: bytes that are not UTF-8, GB18030 or Big5; save the file
    as UTF-8 CSV", which the clerk who saved a workbook could not act on. The file is now told
    as what it is, with what to do."""
    (tiny / "roster.csv").write_bytes(make(tiny))
    with pytest.raises(CalibInputError, match="^roster.csv: " + says):
        load_programme(tiny, as_of=AS_OF)


def test_a_stray_zero_byte_in_a_csv_is_a_cell_quarantined_not_utf16(tiny):
    """The UTF-16 sniff counts zero bytes: one in a cell (a damaged export) is a control
    character in that row, as before, not a file told to be UTF-16."""
    raw = (tiny / "reviewers.csv").read_bytes().split(b"\n")
    raw[3] = raw[3][:4] + b"\x00" + raw[3][4:]
    (tiny / "reviewers.csv").write_bytes(b"\n".join(raw))
    q = load_programme(tiny, as_of=AS_OF).quarantine
    assert q.loc[q["table"] == "reviewers", "row"].tolist() == [4]


def test_a_csv_whose_codes_are_excel_text_formulas_loads_as_the_plain_one(tiny):
    """Core systems export ID numbers, phones and household numbers as ``="..."`` so that
    Excel keeps their digits; every one was quarantined ("ID number must be 18 characters")
    and the households lost. The cells are read as the text Excel shows."""
    want = load_programme(tiny, as_of=AS_OF)
    ro, rv = _csv(tiny, "roster"), _csv(tiny, "reviews")
    for c in ("身份证", "户主身份证", "联系方式", "户号"):
        ro[c] = ro[c].map(lambda v: f'="{v}"' if v else v)
    rv["household_id"] = '="' + rv["household_id"] + '"'
    ro.to_csv(tiny / "roster.csv", index=False)
    rv.to_csv(tiny / "reviews.csv", index=False)
    got = load_programme(tiny, as_of=AS_OF)
    _balanced(got)
    pd.testing.assert_frame_equal(got.counts, want.counts)
    pd.testing.assert_frame_equal(got.roster, want.roster)
    pd.testing.assert_frame_equal(got.reviews, want.reviews)


def test_a_header_row_again_is_one_record_not_a_row_of_errors(tiny):
    """Two exports joined (each with its header) or a form printed page by page: the second
    header line was quarantined once per column it could not read (six reasons for the roster's,
    five for the reviews'). It is one record, as a total row is; a row that only has a header
    word in one column is data as before."""
    from calib.io.specs import REASON_HEADER

    text = (tiny / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    n = len(text) - 1
    text.insert(6, text[0])
    (tiny / "roster.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    rv = _csv(tiny, "reviews")
    rv.loc[3, "household_id"] = "household_id"  # a header word in one column only: an unknown household
    head = pd.DataFrame([rv.columns], columns=rv.columns)
    pd.concat([rv.iloc[:10], head, rv.iloc[10:]], ignore_index=True).to_csv(tiny / "reviews.csv", index=False)
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    q = prog.quarantine
    assert q.loc[q["reason"] == REASON_HEADER, ["table", "row", "column"]].values.tolist() == [
        ["reviews", 12, "household_id"], ["roster", 7, "township"]]
    assert q.loc[q["row"].eq(12) & q["table"].eq("reviews")].shape[0] == 1
    assert "not in the roster" in q.loc[q["row"].eq(5) & q["table"].eq("reviews"), "reason"].iloc[0]
    c = prog.counts.set_index("table")
    assert c.at["roster", "rows_read"] == n + 1 and c.at["roster", "rows_quarantined"] == 1


def test_a_table_given_as_a_folder_of_village_files_loads_as_one(tiny):
    """Each village's clerk sends the roster as a file: a folder named as the table
    (人员信息采集表/) holds them, in any format and header order; they are read one after
    another, each row counted, told by its file and its row in that file; the digest is over
    the files, so a change in one is a new input."""
    from calib.io.read import input_sha256

    want = load_programme(tiny, as_of=AS_OF)
    ro = _csv(tiny, "roster")
    first = ro["行政村名称"].iloc[0]
    ro.loc[ro.index[ro["行政村名称"] != first][2], "性别"] = "不详"  # the 3rd row of the second village's file
    (tiny / "roster.csv").unlink()
    d = tiny / "人员信息采集表"
    d.mkdir()
    ro[ro["行政村名称"] == first].to_excel(d / "1-东村.xlsx", index=False)
    ro[ro["行政村名称"] != first].iloc[:, ::-1].to_csv(d / "2-西村.csv", index=False, encoding="gb18030")
    (d / "说明.txt").write_text("各村报送", encoding="utf-8")  # not a table file: left alone
    (d / "~$1-东村.xlsx").write_bytes(b"lock")
    prog = load_programme(tiny, as_of=AS_OF)
    _balanced(prog)
    c = prog.counts.set_index("table").loc["roster"]
    assert c["file"] == "人员信息采集表/" and c["rows_read"] == len(ro) and c["rows_quarantined"] == 1
    q = prog.quarantine[prog.quarantine["table"] == "roster"]
    assert q[["file", "row", "column"]].values.tolist() == [["人员信息采集表/2-西村.csv", 4, "sex"]]
    assert prog.roster["file"].iloc[0] == "人员信息采集表/1-东村.xlsx"
    pd.testing.assert_frame_equal(prog.roster.drop(columns=["row", "file"]).reset_index(drop=True),
                                  want.roster[want.roster["row"] != 2 + ro.index[ro["行政村名称"] != first][2]]
                                  .drop(columns="row").reset_index(drop=True))
    digest = prog.digests["roster"]
    assert digest == input_sha256(d)
    (d / "2-西村.csv").write_bytes((d / "2-西村.csv").read_bytes() + b"\n")
    assert input_sha256(d) != digest


@pytest.mark.parametrize("make, says", [
    (lambda d: None, "人员信息采集表: the table's folder holds no .csv"),
    (lambda d: (d / "东村").mkdir(), "人员信息采集表/东村: a folder inside a table's folder"),
    (lambda d: [(d / "东村.csv").write_text("x"), (d.parent / "roster.csv").write_text("x")], "table 'roster' is given twice"),
])
def test_a_table_folder_that_cannot_be_read_is_told(tiny, make, says):
    (tiny / "roster.csv").rename(tiny / "roster.keep")
    d = tiny / "人员信息采集表"
    d.mkdir()
    make(d)
    with pytest.raises(CalibInputError, match=says):
        load_programme(tiny, as_of=AS_OF)


def test_amounts_whose_header_says_wan_are_read_in_wan(tiny):
    """Forms write amounts in 万元 and say so in the header (合理授信额度（万元）): the column was
    refused as missing, and a clerk who cut the unit from the header made every limit 10,000
    times too small (5 read as 5 yuan, inside the range). The unit is read from the header: a
    plain number is 万元, a cell with its own unit (5万, 50000元) and a decline as written."""
    want = load_programme(tiny, as_of=AS_OF)
    rv = _csv(tiny, "reviews")
    for c in ("proposed_limit", "annual_income"):
        v = pd.to_numeric(rv[c], errors="coerce")
        rv[c] = rv[c].where(v.isna(), (v / 10000).map(lambda x: f"{x:g}"))
    rv.loc[0, "proposed_limit"] = str(int(want.reviews.loc[0, "proposed_limit"])) + "元"
    rv.loc[1, "proposed_limit"] = f"{want.reviews.loc[1, 'proposed_limit'] / 10000:g}万"
    rv.loc[2, "proposed_limit"] = "拒绝"
    rv = rv.rename(columns={"proposed_limit": "合理授信额度（万元）", "annual_income": "年收入(元)"})
    rv["年收入(元)"] = (pd.to_numeric(rv["年收入(元)"], errors="coerce") * 10000).map(lambda x: f"{x:.0f}")
    rv.to_csv(tiny / "reviews.csv", index=False)
    got = load_programme(tiny, as_of=AS_OF)
    _balanced(got)
    expected = want.reviews.copy()
    expected.loc[2, "proposed_limit"] = 0.0
    pd.testing.assert_frame_equal(got.reviews, expected)
    assert got.counts.set_index("table").at["reviews", "ignored_columns"] == ""


def test_amounts_in_wan_under_a_yuan_header_are_refused(tiny):
    kept = (tiny / "reviews.csv").read_bytes()
    rv = _csv(tiny, "reviews")
    v = pd.to_numeric(rv["proposed_limit"], errors="coerce")
    rv["proposed_limit"] = (v / 10000).map(lambda x: f"{x:g}")
    rv.to_csv(tiny / "reviews.csv", index=False)
    with pytest.raises(CalibInputError, match=r"reviews.csv: proposed_limit \(合理授信额度\): \d+ of its \d+ amounts above "
                                              r"0 are below 100 yuan: the column reads as 万元; write its header 合理授信额度（万元）"):
        load_programme(tiny, as_of=AS_OF)
    (tiny / "reviews.csv").write_bytes(kept)
    _csv(tiny, "points").rename(columns={"points": "积分(万元)"}).to_csv(tiny / "points.csv", index=False)
    with pytest.raises(CalibInputError, match=r"points.csv: the header '积分\(万元\)' gives a unit in yuan to 'points'"):
        load_programme(tiny, as_of=AS_OF)


def test_calib_validate_lines_up_chinese_file_names(tiny, capsys):
    """A terminal gives a Chinese character two columns: the counts lined up by characters
    were pushed right on the roster's line (人员信息采集表/)."""
    import unicodedata

    from calib import cli

    (tiny / "人员信息采集表").mkdir()
    (tiny / "roster.csv").rename(tiny / "人员信息采集表" / "东村.csv")
    assert cli.main(["validate", str(tiny), "--as-of", AS_OF]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if " read " in ln]
    cols = {sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in ln[:ln.index(" read ")]) for ln in lines}
    assert len(lines) == 8 and len(cols) == 1


def test_calib_validate_is_a_gate_on_the_share_quarantined(tiny, capsys):
    """A nightly chain wants to stop before the reports when the data are unfit: ``calib
    validate --max-quarantined`` exits 1 above the share (report 01's 1% when given alone)."""
    from calib import cli

    rv = _csv(tiny, "reviews")
    n_rows = sum(len(_csv(tiny, t)) for t in ("roster", "reviewers", "reviews", "relations", "model_runs", "points",
                                                "loans", "village_assessments") if (tiny / f"{t}.csv").exists())
    bad = n_rows // 50 + 1  # just above 2% of the rows read
    rv.loc[: bad - 1, "proposed_limit"] = "很多"  # an amount no one can read
    rv.to_csv(tiny / "reviews.csv", index=False, encoding="utf-8-sig")
    share = f"{bad / n_rows:.2%}"
    assert cli.main(["validate", str(tiny), "--as-of", AS_OF, "--max-quarantined"]) == 1
    assert f"quarantined {bad:,} of {n_rows:,} rows ({share}): above the limit of 1.00%" in capsys.readouterr().out
    assert cli.main(["validate", str(tiny), "--as-of", AS_OF, "--max-quarantined", "5%"]) == 0
    assert "within the limit of 5.00%" in capsys.readouterr().out
    assert cli.main(["validate", str(tiny), "--as-of", AS_OF, "--max-quarantined", "0.02"]) == 1
    with pytest.raises(SystemExit):  # argparse: exit 2 with the usage
        cli.main(["validate", str(tiny), "--max-quarantined", "lots"])
    assert "expected a share such as 0.01 or 1%" in capsys.readouterr().err
    # the gate of a scheduled run checks what the run loads: its parameter file's programme and date
    params = write_params(tiny.parent, tiny, as_of="2026-03-31", encoding={"reviews": "utf-8"})
    assert cli.main(["validate", "--params", str(params), "--max-quarantined"]) == 1
    out = capsys.readouterr().out
    assert f"programme {tiny} (as of 2026-03-31)" in out and "above the limit of 1.00%" in out
    params = write_params(tiny.parent, tiny, encoding={"reviews": "big5"})  # as the run would read it
    (tiny / "reviews.csv").write_bytes((tiny / "reviews.csv").read_text(encoding="utf-8-sig").replace(
        "很多", "很多萬").encode("utf-8"))
    assert cli.main(["validate", "--params", str(params)]) == 2
    assert "reviews.csv" in capsys.readouterr().err
    assert cli.main(["validate", str(tiny), "--as-of", AS_OF]) == 0  # detected, as UTF-8
    assert cli.main(["validate", str(tiny), "--params", str(params)]) == 2


def test_an_encoding_is_told_by_its_common_characters(adversarial, tmp_path):
    """A register whose only Chinese is names (欧阳振华, 慕容晓晓) and a village among ASCII (codes,
    ID numbers, markup): charset-normalizer read its GB18030 bytes as Cyrillic and the file was
    refused ("bytes that are not UTF-8, GB18030 or Big5"). The decoding that gives common
    characters wins; a Big5 file of names stays Big5."""
    from calib.io.read import detect_encoding

    text = (adversarial.folder / "reviewers.csv").read_text(encoding="utf-8-sig")
    p = tmp_path / "reviewers.csv"
    p.write_bytes(text.encode("gb18030"))
    assert detect_encoding(p) == "gb18030"
    assert read_table(p).equals(read_table(adversarial.folder / "reviewers.csv"))
    names = ["陳大文", "黃國強", "歐陽振華"] * 3
    lines = ["reviewer_id,village,role,name"] + [f'R{i:05d},"<b>莊</b>",cadre,{n}' for i, n in enumerate(names)]
    p.write_bytes(("\n".join(lines) + "\n").encode("big5"))
    assert detect_encoding(p) == "big5" and read_table(p)["name"].tolist() == names
