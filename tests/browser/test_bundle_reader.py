"""The rendered bundle read as a credit committee would: one number one value, conclusions
first, words instead of code names, numbers as bankers write them (issue 11 items 3-6)."""
from __future__ import annotations

import json
import math

import pytest

from _support import SCI, SNAKE, page_problems, report_pages, visible_text  # noqa: F401


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_one_figure_one_value(reader_bundle):
    """Every metric name recorded by more than one report has one value across the bundle."""
    metrics = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    seen: dict[str, list[tuple[str, object]]] = {}
    for nb, figs in metrics.items():
        for name, value in (figs or {}).items():
            seen.setdefault(name, []).append((nb, value))
    shared = {k: v for k, v in seen.items() if len(v) > 1}
    assert shared, "no figure appears in two reports: the test would not catch a contradiction"
    bad = {k: v for k, v in shared.items() if not all(_same(v[0][1], x) for _, x in v[1:])}
    assert not bad, f"one name, several values: {bad}"


def _percent_spellings(page: str, value: float) -> set[str]:
    """The spellings of ``value`` as a percentage with 1 to 4 decimals that stand in ``page``
    as whole numbers (not inside a longer one)."""
    import re

    from calib.report import fmt

    found = set()
    for d in range(1, 5):
        s = fmt.pct(value, d)
        if re.search(r"(?<![\d.,])" + re.escape(s) + r"(?![\d])", page):
            found.add(s)
    return found


def test_a_page_writes_each_of_its_figures_one_way(reader_bundle):
    """A share a report records is written with one number of decimals wherever its page and
    the index state it: report 05's check line gave the discount per 100 points as -0.0795%
    under a conclusion that reads -0.080%, report 06's the household coverage as 90.31% where
    the index reads 90.3%."""
    metrics = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    index = visible_text((reader_bundle / "index.html").read_text(encoding="utf-8"))
    twice, checked = {}, 0
    for nb, figs in metrics.items():  # the page and the index's key figures, read together
        page = visible_text((reader_bundle / f"{nb}.html").read_text(encoding="utf-8")) + "\n" + index
        for name, v in (figs or {}).items():
            if not isinstance(v, float) or not math.isfinite(v) or abs(v) < 5e-4:
                continue  # a share that reads 0.0% is not told apart from others at any decimal
            found = _percent_spellings(page, v)
            checked += bool(found)
            if len(found) > 1:
                twice[f"{nb}: {name}"] = sorted(found)
    assert checked > 10  # the test reads the figures it means to (15 shares on the sample)
    assert not twice, twice


def test_one_heading_one_overall_value(reader_bundle):
    """Two tables whose columns read the same (公议额度合计, 户数) give the programme's row one
    value: report 02 showed the white list's total and, under the same heading, the total over
    the households the two methods both granted."""
    import re

    values: dict[str, set[tuple[str, str]]] = {}
    for page in report_pages(reader_bundle):
        for table in re.findall(r"<table[^>]*>(.*?)</table>", page.read_text(encoding="utf-8"), flags=re.S):
            head = [visible_text(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
                cells = re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row, flags=re.S)
                if not cells or visible_text(cells[0][1]) != "全部":
                    continue
                for h, (cls, v) in zip(head, cells):
                    if "lbl" not in cls:  # figures, not the row's labels
                        values.setdefault(h, set()).add((visible_text(v), page.name))
    assert len(values) > 10  # the test reads the tables it means to
    twice = {h: sorted(v) for h, v in values.items() if len({x for x, _ in v}) > 1}
    assert not twice, twice


def test_a_zero_recommendation_reads_as_none(reader_bundle):
    """Report 05's conclusion says in words that no discount is recommended when the
    recommended step is zero (the sample's cost floor allows none), not "优惠 0.00%"."""
    metrics = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    nb05 = next(k for k in metrics if k.startswith("05"))
    page = visible_text((reader_bundle / f"{nb05}.html").read_text(encoding="utf-8"))
    zero = metrics[nb05]["recommended_step_discount"] == 0
    assert ("不推荐积分优惠" in page) == zero and ("推荐每 100 分优惠 0.00%" not in page)


def test_a_or_better_definitions_stated_with_both_numbers(reader_bundle):
    """04 and 06 measure A-or-better differently: 04's page states both numbers and why."""
    from calib.report import fmt, labels

    metrics = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    labels.set_lang("zh-CN")
    nb04 = next(k for k in metrics if k.startswith("04"))
    page = visible_text((reader_bundle / f"{nb04}.html").read_text(encoding="utf-8"))
    assert fmt.pct(metrics[nb04]["a_or_better_share_scored_calibrated"]) in page
    assert "报告 06" in page and "口径不同" in page


@pytest.mark.parametrize("kind", ["conclusions", "words", "numbers"])
def test_every_report_reads_as_a_report(reader_bundle, kind):
    pages = report_pages(reader_bundle)
    assert len(pages) >= 7
    problems = [p for page in pages for p in page_problems(page, kind)]
    assert not problems, "\n".join(problems)


def test_no_warning_reaches_a_report(reader_bundle):
    """No "Glyph missing" (CJK font), no missing label, no other warning in any executed report."""
    import nbformat

    found = []
    for nb_file in sorted(reader_bundle.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(nb_file), as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if o.get("name") == "stderr" and ("Warning" in o.get("text", "") or "Glyph" in o.get("text", "")):
                    found.append(f"{nb_file.name}: {o['text'][:200]}")
    assert not found, "\n".join(found)


def test_the_clerks_quarantine_list_is_in_chinese(reader_bundle):
    """The quarantine goes to the village clerks in their words (quarantine.xlsx: Chinese headers,
    table names and reasons), row for row the contract's quarantine.csv (code names, for programs)."""
    import re

    import pandas as pd

    csv = pd.read_csv(reader_bundle / "quarantine.csv", dtype=str, encoding="utf-8-sig")
    book = pd.read_excel(reader_bundle / "quarantine.xlsx", sheet_name=None, engine="openpyxl", dtype=str)
    assert list(book) == ["隔离清单"]
    sheet = book["隔离清单"]
    assert len(sheet) == len(csv) > 0 and sheet.iloc[:, 2].tolist() == csv["row"].tolist()
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in sheet.columns)
    assert all(re.search(r"[\u4e00-\u9fff]", r) for r in sheet.iloc[:, 5]), sheet.iloc[:, 5].tolist()
