"""A report bundle built from an adversarial programme (issue 12, "Done when"): the real runner
(``calib run``, every notebook of params/sample.yaml) on a small generated programme carrying
markup, spreadsheet formulas and planted personal values (``tests/_hostile.py``), run once.

- ``check_bundle.py`` (the security review's own tool) finds nothing;
- no raw personal value in anything the command printed or any file under the reports folder
  (HTML, notebooks, JSON, CSV, YAML, xlsx unzipped, the run history);
- the HTML pages are parsed: no element or attribute from the data is live, and the planted
  markup is on the pages, escaped (so the check can fail);
- the xlsx and CSV side files are parsed: no formula, no text cell starting with a formula
  character, the planted formula present as text, numbers numeric.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

import _hostile as H
from _support import ROOT, calib_cli, report_pages, write_params
from calib.masking import mask_id, mask_phone
from calib.report.excel import FORMULA_PREFIXES

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def check_bundle_tool() -> Path | None:
    """The security review's ``check_bundle.py``: ``$CALIB_CHECK_BUNDLE``, else the shared copy
    beside the project (``../shared/tools/``, as the README runs it), else the one vendored in
    ``tools/``."""
    given = os.environ.get("CALIB_CHECK_BUNDLE")
    for p in ([Path(given)] if given else []) + [ROOT.parent / "shared" / "tools" / "check_bundle.py",
                                                   ROOT / "tools" / "check_bundle.py"]:
        if p.is_file():
            return p
    return None


@pytest.fixture(scope="module")
def hostile_bundle(adversarial, run_bundle):
    """The shared end-to-end run (``run_bundle``) is of the adversarial programme: (what was
    planted, the folder holding everything the run wrote, the bundle, the CLI's result)."""
    return adversarial, run_bundle.out_root.parent, run_bundle.bundle, run_bundle.result


def test_check_bundle_finds_nothing(hostile_bundle):
    tool = check_bundle_tool()
    if tool is None:
        pytest.skip("check_bundle.py not found (../shared/tools/ or tools/; or set CALIB_CHECK_BUNDLE)")
    adv, _, bundle, _ = hostile_bundle
    r = subprocess.run([sys.executable, str(tool), str(bundle), str(adv.folder)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith(": 0 findings"), r.stdout + r.stderr


def test_check_bundle_would_see_a_leak(hostile_bundle, tmp_path):
    """The tool and its roster reading work on this programme: one raw ID in a copy is a finding."""
    tool = check_bundle_tool()
    if tool is None:
        pytest.skip("check_bundle.py not found (../shared/tools/ or tools/; or set CALIB_CHECK_BUNDLE)")
    adv, _, bundle, _ = hostile_bundle
    for name in ("index.html", "manifest.json"):
        (tmp_path / name).write_bytes((bundle / name).read_bytes())
    (tmp_path / "extra.csv").write_text(f"phone\n{H.PHONES[0]}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(tool), str(tmp_path), str(adv.folder)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1 and "extra.csv: 1 raw roster values" in r.stdout, r.stdout


def test_no_raw_personal_value_printed_or_written(hostile_bundle):
    adv, out, bundle, r = hostile_bundle
    assert H.leaks(adv.secrets, r.stdout + r.stderr, out) == []
    # the planted values did reach the outputs, masked: the search above looked where they are
    q = (bundle / "quarantine.csv").read_text(encoding="utf-8-sig")
    for v in (H.STRAY_IDS[0], H.STRAY_IDS[1]):
        assert str(mask_id([v])[0]) in q
    for v in (H.PHONES[4], H.PHONES[5]):
        assert str(mask_phone([v])[0]) in q


class _Live(HTMLParser):
    """Elements and attributes on a page that would run something the data put there."""

    def __init__(self):
        super().__init__()
        self.live: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "svg") and (a.get("src") == "x" or "onload" in a):
            self.live.append(f"<{tag} {a}>")

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.live.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag):
        self._script = False


def test_no_live_markup_on_any_page(hostile_bundle):
    _, _, bundle, _ = hostile_bundle
    pages = [bundle / "index.html", *report_pages(bundle)]
    assert len(pages) == 8
    shown = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        p = _Live()
        p.feed(html)
        assert not p.live, f"{page.name}: live markup from the data: {p.live[:3]}"
        assert H.MARKUP not in html and H.SCRIPT not in html and "<svg onload" not in html
        shown += html.count("&lt;img src=x onerror=alert(1)&gt;")
    index = (bundle / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in index  # the title, escaped
    for page in ("01_data_quality.html", "06_credit_villages.html"):  # the villages, escaped
        html = (bundle / page).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(2)&lt;/script&gt;村" in html, page
    assert shown >= 8


def test_side_files_hold_no_live_formula(hostile_bundle):
    _, _, bundle, _ = hostile_bundle
    books, sheets = sorted(bundle.glob("*.xlsx")), sorted(bundle.glob("*.csv"))
    assert len(books) >= 5 and sheets
    text_cells, seen, numbers = 0, set(), 0
    for book in books:
        for ws in load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{book.name}!{c.coordinate} is a formula: {c.value!r}"
                    if isinstance(c.value, str):
                        text_cells += 1
                        assert not c.value.startswith(FORMULA_PREFIXES), f"{book.name}!{c.coordinate}: {c.value!r}"
                        seen.update(v for v in H.VILLAGES if c.value == "'" + v)
                    elif isinstance(c.value, (int, float)):
                        numbers += 1
    assert {H.HYPERLINK, "+1+1村", "-2+3村", "@SUM(1)村"} <= seen, "planted formulas not found as text"
    assert numbers > text_cells / 4  # numbers stay numbers
    for f in sheets:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_PREFIXES), f"{f.name}: {cell!r}"


def test_the_run_manifest_is_complete(hostile_bundle):
    _, _, bundle, _ = hostile_bundle
    m = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and all(n["status"] == "ok" for n in m["notebooks"])
    assert calib_cli("verify", str(bundle)).returncode == 0
