from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib import synth
from calib.errors import CalibInputError
from calib.io import load_programme, parse_amounts, parse_dates, read_table

from _support import AS_OF, SAMPLE

KIND_COLUMN = {"scientific": "id_number", "zeroed": "id_number", "checksum": "id_number",
               "duplicate_person": "id_number", "birth_month": "birth_month", "sex": "sex",
               "total_row": "township"}


def test_every_table_balances_and_every_broken_row_is_quarantined(sample_programme):
    prog = sample_programme
    c = prog.counts
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    for t in c["table"]:
        assert len(prog.table(t)) == c.set_index("table").at[t, "rows_accepted"]
    dirty = pd.read_csv(SAMPLE / "truth" / "dirty_rows.csv")
    q = prog.quarantine
    got = set(zip(q["table"], q["row"]))
    want = set(zip(dirty["table"], dirty["row"]))
    assert got == want  # exactly the injected rows, nothing else
    for r in dirty.itertuples():
        cols = set(q.loc[(q["table"] == r.table) & (q["row"] == r.row), "column"])
        assert r.column in cols, (r, cols)
    assert c["rows_quarantined"].sum() == len(dirty)


def test_quarantine_reasons_speak_to_a_clerk(sample_programme):
    reasons = " | ".join(sample_programme.quarantine["reason"])
    for phrase in ["scientific notation", "zeroed by Excel", "check character", "duplicate person",
                   "birth month contradicts", "rating outside 1-5", "negative amount",
                   "cannot read the amount", "reviewed this household twice", "not in the roster",
                   "total row"]:
        assert phrase in reasons


def test_quarantine_values_are_masked(sample_programme):
    q = sample_programme.quarantine
    roster_ids = set(sample_programme.roster["id_number"])
    ids_shown = q.loc[q["column"] == "id_number", "value"]
    assert ids_shown.str.contains(r"\*").all()
    assert not set(ids_shown) & roster_ids


def test_loaded_types_and_joins(sample_programme):
    ro, rv = sample_programme.roster, sample_programme.reviews
    assert ro["id_number"].str.fullmatch(r"[0-9]{17}[0-9X]").all()
    assert ro["id_number"].is_unique
    assert {"birth_date", "age", "id_sex", "land_mu"} <= set(ro.columns)
    assert rv["business_rating"].between(1, 5).all()
    assert rv["proposed_limit"].ge(0).all()
    assert rv["village"].notna().all() and rv["township"].notna().all()
    # 5万 was read as 50,000 and 拒绝 as a decline
    raw = pd.read_csv(SAMPLE / "reviews.csv", dtype=str)
    wan = raw.index[raw["proposed_limit"].str.endswith("万", na=False)][:5]
    for i in wan:
        row = i + 2
        got = rv.loc[rv["row"] == row, "proposed_limit"].iloc[0]
        assert got == float(raw.at[i, "proposed_limit"][:-1]) * 10_000
    refuse_rows = raw.index[raw["proposed_limit"].eq("拒绝")] + 2
    assert (rv.set_index("row").loc[refuse_rows.intersection(rv["row"]), "proposed_limit"] == 0).all()


def test_code_name_headers_gb18030_excel_and_parquet_load_the_same(tmp_path):
    res = synth.generate(seed=3, villages=3, households_per_village=15, dirty=False, chinese_headers=False)
    a = tmp_path / "a"
    synth.write(res, a)
    base = load_programme(a, as_of=AS_OF)
    # Chinese headers in GB18030 (what Excel saves as "CSV" on a Chinese Windows)
    b = tmp_path / "b"
    synth.write(res, b)
    ro = pd.read_csv(b / "roster.csv", dtype=str, keep_default_na=False).rename(columns=synth.ROSTER_FORM_HEADERS)
    ro.to_csv(b / "roster.csv", index=False, encoding="gb18030")
    gb = load_programme(b, as_of=AS_OF)
    pd.testing.assert_frame_equal(base.roster, gb.roster)
    # Excel and Parquet
    c = tmp_path / "c"
    synth.write(res, c)
    pd.read_csv(c / "reviews.csv", dtype=str).to_excel(c / "reviews.xlsx", index=False)
    (c / "reviews.csv").unlink()
    pd.read_csv(c / "model_runs.csv", dtype=str).to_parquet(c / "model_runs.parquet")
    (c / "model_runs.csv").unlink()
    other = load_programme(c, as_of=AS_OF)
    pd.testing.assert_frame_equal(base.reviews, other.reviews)
    pd.testing.assert_frame_equal(base.model_runs, other.model_runs)


def _tiny(tmp_path: Path) -> Path:
    res = synth.generate(seed=5, villages=2, households_per_village=10, dirty=False, chinese_headers=False)
    synth.write(res, tmp_path)
    return tmp_path


def test_missing_required_column_names_file_and_column(tmp_path):
    d = _tiny(tmp_path)
    rv = pd.read_csv(d / "reviews.csv", dtype=str).drop(columns="proposed_limit")
    rv.to_csv(d / "reviews.csv", index=False)
    with pytest.raises(CalibInputError, match=r"reviews\.csv: required column 'proposed_limit'"):
        load_programme(d, as_of=AS_OF)


def test_columns_not_in_the_contract_are_listed_form_words_as_they_are_other_text_masked(tmp_path):
    """A file's columns outside the contract were counted in ``ignored_columns`` and shown to
    nobody (report 01 did not list them), and a form's word such as 备注 was masked as a name
    (备*). Report 01 now says which columns were not read, a form's words as they are, a header
    that may be a person's name or phone masked."""
    from calib.io.quality import ignored_columns
    from calib.report.findings.quality import ignored_words

    d = _tiny(tmp_path)
    ro = pd.read_csv(d / "roster.csv", dtype=str)
    ro.insert(3, "备注", "")
    ro["电话号码"] = ""
    ro["张三"] = ""  # a header row that may be a row of data: a name
    ro["13900002541"] = ""
    ro.to_csv(d / "roster.csv", index=False)
    prog = load_programme(d, as_of=AS_OF)
    got = ignored_columns(prog)
    assert got.to_dict("list") == {"table": ["roster"] * 4, "file": ["roster.csv"] * 4,
                                   "column": ["备注", "电话号码", "张*", "139****2541"]}
    assert ignored_words(got, "zh-CN").startswith("有 4 列不在数据约定之内，未读入，任何数字都不用它们：人员信息采集表：备注、电话号码、张*、139****2541。")
    plain = ignored_columns(load_programme(_tiny(tmp_path / "plain"), as_of=AS_OF))
    assert plain.empty and list(plain.columns) == ["table", "file", "column"]
    assert ignored_words(plain, "en") == "Every column of every file is in the data contract: none was left unread."


def test_unknown_table_missing_table_and_unreadable_file(tmp_path):
    d = _tiny(tmp_path)
    (d / "reveiws.csv").write_text("a,b\n1,2\n")
    with pytest.raises(CalibInputError, match="reveiws.csv: unknown table"):
        load_programme(d, as_of=AS_OF)
    (d / "reveiws.csv").unlink()
    (d / "model_runs.csv").unlink()
    with pytest.raises(CalibInputError, match="required table 'model_runs'"):
        load_programme(d, as_of=AS_OF)
    (d / "model_runs.xlsx").write_bytes(b"this is not a workbook")
    with pytest.raises(CalibInputError, match="model_runs.xlsx: this is a text file, not a workbook"):
        load_programme(d, as_of=AS_OF)
    (d / "model_runs.xlsx").write_bytes(b"PK\x03\x04 a broken zip archive")
    with pytest.raises(CalibInputError, match="model_runs.xlsx: cannot read the file"):
        load_programme(d, as_of=AS_OF)


def test_row_numbers_are_spreadsheet_rows_and_duplicates_keep_the_first(tmp_path):
    d = _tiny(tmp_path)
    rv = pd.read_csv(d / "reviews.csv", dtype=str)
    rv = pd.concat([rv, rv.iloc[[3]]], ignore_index=True)
    rv.loc[0, "integrity_rating"] = "6"
    rv.loc[1, "household_id"] = "NOPE"
    rv.to_csv(d / "reviews.csv", index=False)
    prog = load_programme(d, as_of=AS_OF)
    q = prog.quarantine.set_index("row")
    assert q.at[2, "reason"] == "rating outside 1-5"
    assert "not in the roster" in q.at[3, "reason"]
    last = len(rv) + 1
    assert q.at[last, "reason"] == "the same reviewer reviewed this household twice (first at row 5)"
    assert 5 in set(prog.reviews["row"])


def test_parsers():
    v, r = parse_amounts(pd.Series(["5万元", "１２００", "3.5 万", "拒绝", "不同意", "/", None]), declines=True)
    assert v.tolist()[:5] == [50000.0, 1200.0, 35000.0, 0.0, 0.0]
    assert r.tolist()[5] == "cannot read the amount" and r.tolist()[6] == ""
    d, r = parse_dates(pd.Series(["2025-06-30", "2025/6/30", "20250630", "2025年6月30日", "45838", "x"]))
    assert d.iloc[:4].eq(pd.Timestamp("2025-06-30")).all()
    assert d.iloc[4] == pd.Timestamp("2025-06-30")  # Excel serial 45838
    assert r[-1] == "cannot read the date"
    # a time of day after the date, as ledgers and databases write it, is not part of it
    times = ["2025-06-30 10:00", "2025-06-30T10:00:00", "2025-06-30T10:00:00.123+08:00", "2025/6/30 8:05:01",
             "2025-06-30T10:00:00Z", "2025-06-30T25", "2025-06-30 T10:00"]
    d, r = parse_dates(pd.Series(times))
    assert d.iloc[:5].eq(pd.Timestamp("2025-06-30")).all() and d.iloc[5:].isna().all()
    assert r.tolist() == [""] * 5 + ["cannot read the date"] * 2


def test_sex_as_forms_and_core_systems_write_it():
    from calib.io.parse import parse_column
    from calib.io.specs import SPECS

    col = next(c for c in SPECS["roster"] if c.name == "sex")
    v, r = parse_column(col, pd.Series(["男", "女性", "男性", "1", "2", "F", "0", "3"], dtype="string"), pd.Timestamp(AS_OF))
    assert v.tolist()[:6] == ["M", "F", "M", "M", "F", "F"]
    assert r.tolist() == [""] * 6 + ["unknown sex; expected one of 男, 女, M, F"] * 2


def test_read_table_detects_encodings(tmp_path):
    df = pd.DataFrame({"姓名": ["张伟"], "户号": ["H1"]})
    for enc in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        p = tmp_path / f"x_{enc}.csv"
        df.to_csv(p, index=False, encoding=enc)
        assert read_table(p).columns.tolist() == ["姓名", "户号"], enc
        assert read_table(p).iloc[0, 0] == "张伟"


def test_total_rows_found_in_any_column_and_chunk():
    """Total words (合计, 总计, 小计, with or without a colon) in any column, in any chunk of
    it, are found; text that holds 计 (会计) or 合计 within longer text is not a total row. The
    byte pre-search that skips most columns gives the answer of testing every cell."""
    import pyarrow as pa

    from calib.io._text import series
    from calib.io.checks import _TOTAL_WORDS, Problems, total_rows

    cells = {
        "a": ["户1", "会计", None, "合计额", "x", "合计", "会计：", "总计"],
        "b": ["1", "2", "小计：", "3", "4", "5", "6", "7"],
        "c": ["", "", "", "", "合计:", "", "", ""],
    }
    # two chunks per column, as the CSV reader gives them
    raw = pd.DataFrame({k: series(pa.chunked_array([pa.array(v[:3], pa.large_string()),
                                                    pa.array(v[3:], pa.large_string())]))
                        for k, v in cells.items()})
    probs = Problems("roster", "roster.csv", raw, np.arange(2, 10))
    total_rows(raw, probs)
    got = sorted(probs.frame()["row"].tolist())
    want = sorted(i + 2 for i in range(8) if any(cells[k][i] in _TOTAL_WORDS for k in cells))
    assert want == [4, 6, 7, 9]
    assert got == want
    assert (probs.frame()["column"] == "a").all()


def test_land_written_in_full_width_reads_as_in_ascii(tmp_path):
    """The land text is NFKC-normalised before its areas are read (only when some character
    may change): full-width digits, a full-width semicolon and spaces give the ASCII areas."""
    import shutil

    from calib.io import load_programme

    for f in SAMPLE.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    roster = (tmp_path / "roster.csv").read_text(encoding="utf-8")
    assert "耕地4.7亩;林地9亩" in roster
    (tmp_path / "roster.csv").write_text(roster.replace("耕地4.7亩;林地9亩", "耕地４.７ 亩；林地９亩", 1), encoding="utf-8")
    before = load_programme(SAMPLE, as_of=AS_OF).roster
    after = load_programme(tmp_path, as_of=AS_OF).roster
    pd.testing.assert_series_equal(after["land_mu"], before["land_mu"])
    pd.testing.assert_series_equal(after["forest_mu"], before["forest_mu"])
    assert before["land_mu"].iloc[0] == 4.7 and before["forest_mu"].iloc[0] == 9
