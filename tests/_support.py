"""Paths, dates and helpers shared by the tests (``from _support import ROOT, write_params``).

Kept out of ``conftest.py``: with conftest files in several test folders, ``from conftest
import ...`` resolves to whichever was imported first.
"""
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
AS_OF = "2026-06-30"


def sample_params() -> dict:
    """params/sample.yaml as a plain mapping (libyaml's loader when built, as calib.params reads it)."""
    return yaml.load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def write_params(folder: Path, data: Path, nb_dir: Path | None = None, **extra) -> Path:
    """A parameter file like params/sample.yaml for ``data`` (and ``nb_dir``), written into
    ``folder``; ``extra`` keys replace the sample's."""
    raw = sample_params()
    raw.update(data_dir=str(data), notebooks_dir=str(nb_dir or ROOT / "notebooks"), **extra)
    p = folder / f"params-{len(list(folder.glob('params-*')))}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def benchmark(name: str):
    """The module ``benchmarks/<name>.py`` (the benchmarks are scripts, not a package)."""
    import importlib

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def calib_cli(*args: str, timeout: int = 900, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m calib ARGS`` from the project root, capturing its output."""
    return subprocess.run([sys.executable, "-m", "calib", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


def report_pages(bundle: Path) -> list[Path]:
    """The rendered report pages of a bundle (every ``NN_*.html``)."""
    return sorted(bundle.glob("[0-9][0-9]_*.html"))


# --- a page read as a reader would (the reader tests of zh-CN and en bundles share these rules)

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?![.\w])")
SCI = re.compile(r"\b\d\.\d+e[+-]?\d+\b", re.I)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


class _Text(HTMLParser):
    """Visible text of a page, without <style>, <script>, <code> and <title> contents."""

    SKIP = {"style", "script", "code", "title"}

    def __init__(self):
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html_text: str) -> str:
    """What a reader sees of a page: its text outside style, script, code and title."""
    p = _Text()
    p.feed(html_text)
    return " ".join(p.parts)


def page_tables(page: Path) -> list[tuple[list[str], list[list[str]]]]:
    """A rendered page's tables as (headers, rows of visible cell texts), empty rows left out."""
    raw = page.read_text(encoding="utf-8")
    out = []
    for table in re.findall(r"<table[^>]*>(.*?)</table>", raw, flags=re.S):
        head = [visible_text(h).strip() for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table, flags=re.S)]
        rows = [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)]
        out.append((head, [r for r in rows if r]))
    return out


def page_problems(page: Path, kind: str) -> list[str]:
    """What a credit committee would object to on one rendered page.

    ``kind``: ``conclusions`` (the conclusions block is the first block after the title and is
    filled), ``words`` (no code names, dicts, NaN, None, tracebacks) or ``numbers`` (no
    scientific notation, no p-value printed as zero).
    """
    raw = page.read_text(encoding="utf-8")
    text = visible_text(raw)
    problems = []
    if kind == "conclusions":
        at = raw.find('id="conclusions"')
        first_h2 = raw.find("<h2", raw.find("</section>", at) if at >= 0 else 0)
        if at < 0 or "<h1" not in raw[:at] or (0 <= first_h2 < at):
            problems.append(f"{page.name}: conclusions are not the first block after the title")
        if "结论将在报告运行结束时填写" in raw or "filled in when the report has run" in raw:
            problems.append(f"{page.name}: conclusions never filled")
    elif kind == "words":
        snake = sorted(set(SNAKE.findall(text)))
        if snake:
            problems.append(f"{page.name}: code names on the page: {snake[:10]}")
        for bad in ("{'", "<NA>", "NaN", " None", "Traceback", "dtype:"):
            if bad in text:
                problems.append(f"{page.name}: {bad!r} on the page")
        # every "—" says why: the generic reason is for a column nothing is known about
        for generic in ("该项无数据（不适用或未记录）", "no value (not applicable or not recorded)"):
            if generic in text:
                at = text.find(generic)
                problems.append(f"{page.name}: a dash without its reason: {text[max(0, at - 60):at]!r}")
    else:
        if SCI.search(text):
            problems.append(f"{page.name}: scientific notation {SCI.search(text).group(0)}")
        if re.search(r"p[ =]*0\.0+\b(?!\d)", text):
            problems.append(f"{page.name}: a p-value printed as zero")
    return problems


def write_notebook(folder: Path, name: str, code: str) -> None:
    """A one-cell report notebook ``folder/name.ipynb`` with the runner's parameters cell."""
    import nbformat

    params = nbformat.v4.new_code_cell('params_file = "../params/sample.yaml"\nout_dir = None\nrun_id = None')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {name}"), params,
                                         nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


def crossed_programme(seed: int = 3, villages: int = 30, households: int = 40, panel: int = 6,
                      k: int = 3, outliers: float = 0.05):
    """Reviews ``y = level_h + b_r + e`` of ``villages`` panels (each household by ``k`` of the
    ``panel`` members), with gross errors (+-1 in log) on a share ``outliers`` of the reviews.

    Returns the household and rater codes per review, y, and the numbers of households and raters.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    H, R = villages * households, villages * panel
    v = np.repeat(np.arange(villages), households)
    level = np.log(50_000) + 0.5 * rng.standard_normal(H)
    b = 0.25 * rng.standard_normal(R)
    seats = np.argsort(rng.random((H, panel)), axis=1)[:, :k]
    h = np.repeat(np.arange(H), k)
    r = (v[:, None] * panel + seats).ravel()
    e = 0.15 * rng.standard_normal(h.size)
    out = rng.random(h.size) < outliers        # gross errors: many reviews get weight < 1
    e[out] += rng.choice([-1.0, 1.0], out.sum())
    return h, r, level[h] + b[r] + e, H, R

