"""The index and every report in headless Debian Chromium at 1280 px (issue 11 item 9).

No horizontal overflow, no console error, every image loads; screenshots go to the test's
temporary folder. Uses Playwright driving /usr/bin/chromium (no browser download).
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


def _check(browser, page_file: Path, shot: Path) -> list[str]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.resolve().as_uri())
    page.wait_for_load_state("load")
    problems = [f"{page_file.name}: console error {e}" for e in errors]
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    if width > 1280:
        problems.append(f"{page_file.name}: page is {width} px wide at a 1280 px window")
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length")
    if broken:
        problems.append(f"{page_file.name}: {broken} image(s) did not load")
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return problems


def test_index_and_reports_render_at_1280(reader_bundle, browser, tmp_path):
    pages = [reader_bundle / "index.html", *report_pages(reader_bundle)]
    assert len(pages) >= 7
    problems = []
    for f in pages:
        problems += _check(browser, f, tmp_path / f"{f.stem}.png")
    assert all((tmp_path / f"{f.stem}.png").stat().st_size > 10_000 for f in pages)
    assert not problems, "\n".join(problems)


def test_chinese_is_rendered_with_a_cjk_font(reader_bundle, browser):
    """A plot image and the page text both carry Chinese (the report language by default)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report_pages(reader_bundle)[0].resolve().as_uri())
    assert page.evaluate("document.documentElement.innerText").count("数据") > 3
    assert page.evaluate("document.images.length") >= 1
    page.close()
