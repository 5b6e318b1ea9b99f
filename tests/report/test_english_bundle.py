"""The sample suite in English (``lang: en``), read as an English-reading committee would.

The session bundle ``run_bundle`` is rendered with ``lang: en`` (``reader_bundle`` stays
zh-CN), so these checks cost no extra run: every page says ``<html lang="en">``, opens with its
conclusions, shows words instead of code names, numbers as bankers write them, and no Chinese
text other than data (township, village and group names, masked person names, raw values the
quarantine quotes); the run's title is its English one (``title_en``).
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from markupsafe import escape

from _support import CJK, page_problems, page_tables, report_pages, visible_text


def _data_words(run_bundle) -> list[str]:
    """Chinese strings that are data, longest first: place names and the values the quarantine quotes."""
    roster = run_bundle.prog.roster
    words = set()
    for col in ("township", "village", "group"):
        words |= set(roster[col].dropna().astype(str))
    q = run_bundle.bundle / "quarantine.csv"
    if q.exists():
        words |= set(pd.read_csv(q, dtype=str, encoding="utf-8-sig").iloc[:, 4].dropna())
    # the collection form's own vocabulary, which the quarantine reasons quote as the clerk
    # wrote it: its Chinese column headers and the yes/no words it accepts
    from calib.io.specs import FALSE_WORDS, SPECS, TRUE_WORDS

    words |= {z for cols in SPECS.values() for c in cols for z in c.zh} | set(TRUE_WORDS) | set(FALSE_WORDS)
    return sorted((w for w in words if CJK.search(w)), key=len, reverse=True)


def _chinese_left(text: str, data: list[str]) -> list[str]:
    for w in data:
        text = text.replace(w, " ")
    text = re.sub(r"[\u3400-\u9fff]\*+", " ", text)  # masked person names (王**)
    return sorted(set(CJK.findall(text)))


def test_english_pages_declare_english_and_hold_no_chinese_words(run_bundle):
    b = run_bundle.bundle
    data = _data_words(run_bundle)
    pages = [b / "index.html", *report_pages(b)]
    assert len(pages) >= 8
    problems = []
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        if '<html lang="en">' not in raw:
            problems.append(f"{page.name}: not <html lang=\"en\">")
        left = _chinese_left(visible_text(raw), data)
        if left:
            problems.append(f"{page.name}: Chinese text on an English page: {left[:12]}")
    assert not problems, "\n".join(problems)
    index = (b / "index.html").read_text(encoding="utf-8")
    assert ">OK<" in index and "Headline figures" in index
    title_en = yaml.safe_load(run_bundle.params.read_text(encoding="utf-8"))["title_en"]
    assert f"<h1>{escape(title_en)}</h1>" in index  # the title, escaped (it holds markup)


def test_the_english_check_would_catch_chinese_words(run_bundle):
    """The filter of data words leaves a catalogue word in place (a test that cannot fail is a defect)."""
    data = _data_words(run_bundle)
    assert data, "the programme's place names are data words"
    assert _chinese_left(f"{data[0]} 结论 {data[-1]}", data) == ["结论"]
    assert _chinese_left("王** approved", data) == []


@pytest.mark.parametrize("kind", ["conclusions", "words", "numbers"])
def test_every_english_report_reads_as_a_report(run_bundle, kind):
    pages = report_pages(run_bundle.bundle)
    assert len(pages) >= 7
    problems = [p for page in pages for p in page_problems(page, kind)]
    assert not problems, "\n".join(problems)


#: Columns of names, each read in one case down the column (a header's own case: row labels,
#: terms of a model, data-contract columns, programme tables).
_NAME_COLUMNS = ("Decision", "Characteristic", "Feature", "Column", "Table")


def test_a_column_of_names_reads_in_one_case(run_bundle):
    """Read down a column of names (decisions, a model's terms, columns, tables), the English
    pages wrote 'Model score' above 'business rating', 'Points' among 'roster' and 'loans',
    'credit township …' below 'Credit villages certified': every such column is now in one case
    (a cell that starts with a letter other than a capital or two, "ID number", "AUC ...")."""
    mixed = []
    for page in report_pages(run_bundle.bundle):
        for head, rows in page_tables(page):
            rows = [r for r in rows if len(r) == len(head)]
            for name in _NAME_COLUMNS:
                if name not in head:
                    continue
                i = head.index(name)
                words = [r[i] for r in rows if re.match(r"[A-Za-z][a-z]", r[i])]
                cases = {w[0].isupper() for w in words}
                if len(cases) > 1:
                    mixed.append(f"{page.name}, column {name!r}: {sorted(set(words))[:6]}")
    assert not mixed, "\n".join(mixed)
