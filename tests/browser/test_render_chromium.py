"""The index and every report in headless Debian Chromium at 1280 px (issue 11 item 9).

No horizontal overflow, no console error, every image loads; screenshots go to the test's
temporary folder (the window, not the full page). Uses Playwright driving /usr/bin/chromium (no
browser download); each page is loaded once for all the checks.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _support import report_pages

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists(),
                                reason="Debian chromium not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


#: Per table of a page: its width against the page's content box, the horizontally scrolling box
#: it sits in (if any), and the tallest text of a first-column cell and of a header, in lines.
_TABLES_JS = r"""() => {
  const page = document.querySelector('main') || document.body;
  const right = page.getBoundingClientRect().right;
  const lines = (cell) => {
    const r = document.createRange(); r.selectNodeContents(cell);
    const cs = getComputedStyle(cell);
    const lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
    return r.getBoundingClientRect().height / lh;
  };
  return Array.from(document.querySelectorAll('table')).map((t) => {
    let box = null;
    for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === 'auto' || ox === 'scroll') { box = e; break; }
    }
    const first = Array.from(t.rows).map((r) => r.cells[0]).filter((c) => c && c.tagName === 'TD');
    const tallest = first.reduce((a, c) => (lines(c) > a.n ? {n: lines(c), text: c.innerText} : a), {n: 0, text: ''});
    // a short name (a township, a village, a verdict: up to 6 characters, no space) broken across lines
    const broken = Array.from(t.querySelectorAll('td')).filter(
      (c) => /^\S{2,6}$/.test(c.innerText.trim()) && lines(c) > 1.5).map((c) => c.innerText.trim());
    const head = Array.from(t.querySelectorAll('th')).reduce(
      (a, c) => (lines(c) > a.n ? {n: lines(c), text: c.innerText} : a), {n: 0, text: ''});
    return {name: (t.querySelector('caption, th') || t).innerText.slice(0, 40),
            overflows: t.getBoundingClientRect().right > right + 1,
            conclusions: t.closest('#conclusions') !== null,
            boxed: box !== null && box.getBoundingClientRect().right <= right + 1,
            first_lines: tallest.n, first_text: tallest.text.slice(0, 40),
            head_lines: head.n, head_text: head.text.slice(0, 40), broken: broken.slice(0, 5)};
  });
}"""


#: What each page is checked for, gathered in one visit (a report page loads once for every test)
_PAGE_JS = r"""() => ({
  width: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
  broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
  images: document.images.length,
  text: document.documentElement.innerText,
})"""


@pytest.fixture(scope="module")
def visited(reader_bundle, browser, tmp_path_factory) -> dict[str, dict]:
    """Each page of the bundle (index and reports) visited once at 1280 px: its console errors,
    width, images, text, tables (``_TABLES_JS``; reports only) and a screenshot of the window."""
    shots = tmp_path_factory.mktemp("screenshots")
    out = {}
    for f in [reader_bundle / "index.html", *report_pages(reader_bundle)]:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f.resolve().as_uri())
        page.wait_for_load_state("load")
        seen = page.evaluate(_PAGE_JS)
        seen["tables"] = page.evaluate(_TABLES_JS) if f.name != "index.html" else []
        seen["shot"] = shots / f"{f.stem}.png"
        page.screenshot(path=str(seen["shot"]))
        page.close()
        out[f.name] = {**seen, "errors": errors}
    return out


def test_index_and_reports_render_at_1280(visited):
    assert len(visited) >= 8 and "index.html" in visited
    problems = []
    for name, seen in visited.items():
        problems += [f"{name}: console error {e}" for e in seen["errors"]]
        if seen["width"] > 1280:
            problems.append(f"{name}: page is {seen['width']} px wide at a 1280 px window")
        if seen["broken"]:
            problems.append(f"{name}: {seen['broken']} image(s) did not load")
    assert all(seen["shot"].stat().st_size > 10_000 for seen in visited.values())  # painted
    assert not problems, "\n".join(problems)


def test_chinese_is_rendered_with_a_cjk_font(visited):
    """A plot image and the page text both carry Chinese (the report language by default)."""
    first = visited[sorted(n for n in visited if n != "index.html")[0]]
    assert first["text"].count("数据") > 3
    assert first["images"] >= 1


def test_tables_fit_the_page_and_row_labels_do_not_wrap(visited):
    """At 1280 px no table of a report runs past the page unless it scrolls in its own box (a
    conclusions table never: its verdicts would be out of sight), no
    row label (first-column cell: township, village, decision) takes more than two lines, no
    short name (township, village, verdict) breaks across lines and no header takes more than
    four: report 03's 27-column agreement table squeezed township names to one character a line
    and its headers to six lines."""
    problems, n_tables = [], 0
    for name, seen in visited.items():
        n_tables += len(seen["tables"])
        for t in seen["tables"]:
            where = f"{name}, table {t['name']!r}"
            if t["overflows"] and (t["conclusions"] or not t["boxed"]):
                problems.append(f"{where}: wider than the page" + (
                    " (its verdicts scroll out of sight)" if t["conclusions"] else " and not in a scrolling box"))
            if t["first_lines"] > 2.5:
                problems.append(f"{where}: row label {t['first_text']!r} on {t['first_lines']:.1f} lines")
            if t["broken"]:
                problems.append(f"{where}: short names broken across lines: {t['broken']}")
            if t["head_lines"] > 4.5:
                problems.append(f"{where}: header {t['head_text']!r} on {t['head_lines']:.1f} lines")
    assert n_tables >= 40  # every report shows tables (the sample has about 70)
    assert not problems, "\n".join(problems)


def test_english_conclusions_fit_the_page(run_bundle, browser):
    """The English pages' conclusions tables fit the page at 1280 px: figures said with their
    words ("subsidy 0.00 × 10,000 yuan (point estimate; interest forgone ...)") wrap instead of
    pushing the interval, threshold and verdict columns into a scroll (report 05's did)."""
    problems, n = [], 0
    for f in report_pages(run_bundle.bundle):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f.resolve().as_uri())
        page.wait_for_load_state("load")
        tables = [t for t in page.evaluate(_TABLES_JS) if t["conclusions"]]
        page.close()
        n += len(tables)
        problems += [f"{f.name}: conclusions table {t['name']!r} wider than the page" for t in tables if t["overflows"]]
    assert n >= 5  # the reports that conclude with a table
    assert not problems, "\n".join(problems)
