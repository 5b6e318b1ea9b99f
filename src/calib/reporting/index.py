"""HTML of a bundle: the index page, each notebook's page, the page of a notebook that died.

Everything goes through Jinja2 with autoescape on, so a title, a village name or an exception
message holding markup is shown as text, never run. Pages load nothing from the network.
"""
from __future__ import annotations

import functools
import html
import json
import re
import threading
from pathlib import Path
from typing import Any, Callable

import jinja2

__all__ = ["render_index", "render_html", "render_error", "side_files", "TEMPLATE_DIR", "UI", "UI_KEYS", "ui_words"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
STANDARD = {"index.html", "metrics.json", "manifest.json", "manifest.json.sig", "params.yaml"}

#: The words of the index page and the report banners, by the key the templates use; each
#: comes from the label catalogue of :mod:`calib.report` (``index.<key>``, ``status.<ok|failed>``).
UI_KEYS = {"run": "index.run", "status": "index.status", "ok": "status.ok", "failed": "status.failed",
           "started": "index.started", "ended": "index.ended", "as_of": "index.data_as_of",
           "seed": "index.seed", "params_digest": "index.params_digest", "commit": "index.commit",
           "dirty": "index.dirty", "reports": "index.reports", "report": "index.report",
           "conclusion": "index.conclusion", "time": "index.time", "figures": "index.figures",
           "notebook": "index.notebook", "report_no": "index.report_no", "side_files": "index.side_files", "file": "index.file",
           "rows": "index.rows", "inputs": "index.inputs", "data_dir": "index.data_dir",
           "provenance": "index.provenance", "software": "index.software", "glossary": "index.glossary",
           "glossary_text": "index.glossary_text", "provenance_text": "index.provenance_text"}


def ui_words(lang: str | None = None) -> dict[str, str]:
    """The index page's words in ``lang`` (``zh-CN`` or ``en``; another value: English), from
    the label catalogue."""
    from calib.report.labels import LANGS, t

    lang = lang if lang in LANGS else "en"
    return {k: t(key, lang) for k, key in UI_KEYS.items()}


#: Headline figures the index shows per report (the first recorded; the rest are counted).
INDEX_FIGURES = 14

#: The index's words per language (built from the catalogue; kept for callers of the old dict).
UI: dict[str, dict[str, str]] = {"zh-CN": ui_words("zh-CN"), "en": ui_words("en")}


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, dict)):
        s = json.dumps(v, ensure_ascii=False)
        return s if len(s) < 80 else s[:77] + "..."
    return "—" if v is None else str(v)


def _rows(path: Path) -> int | None:
    """Data rows of a CSV or of every sheet of an xlsx (headers excluded); ``None`` otherwise."""
    try:
        if path.suffix.lower() == ".csv":
            import pandas as pd

            return len(pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                return sum(max(ws.max_row - 1, 0) for ws in wb.worksheets if ws.max_row)
            finally:
                wb.close()
    except Exception:  # an unreadable side file is listed without a count
        return None
    return None


def side_files(bundle: Path, count: Callable[[Path], int] | None = None) -> list[dict[str, Any]]:
    """Every file of the bundle that is not a report page, the index or provenance, with its
    row count (CSV, xlsx; ``count`` counts them when given, e.g. the display layer's
    ``calib.report.count_rows``). Keys of each entry: ``path`` (POSIX, relative), ``rows``."""
    out = []
    for f in sorted(bundle.rglob("*")):
        rel = f.relative_to(bundle).as_posix()
        if (not f.is_file() or rel in STANDARD or f.suffix in (".ipynb", ".html")
                or rel.startswith(("snapshot/", ".")) or "/." in rel):
            continue
        rows = None
        if count is not None and f.suffix.lower() in (".csv", ".xlsx"):
            try:
                rows = int(count(f))
            except Exception:  # an unreadable side file is listed without a count
                rows = None
        out.append({"path": rel, "rows": rows if rows is not None else _rows(f)})
    return out


def render_index(manifest: dict[str, Any], metrics: dict[str, dict[str, Any]],
                 labels: dict[str, dict[str, str]] | None = None,
                 files: list[dict[str, Any]] | None = None, lang: str = "zh-CN",
                 fmt: Callable[[str, Any], str] | None = None, glossary: bool = False) -> str:
    """The bundle's ``index.html``: each report with its status, one-line conclusion and
    headline figures (formatted by ``fmt(name, value)`` when given, e.g. the display layer's
    ``calib.report.format_metric``), the side files with their row counts, inputs and
    provenance; a link to ``glossary.html`` when ``glossary``."""
    labels = labels or {}

    def shown(k: str, v: Any) -> str:
        if fmt is not None:
            try:
                return str(fmt(k, v))
            except Exception:  # a figure the catalogue does not know: the plain form
                pass
        return _fmt(v)

    from calib.report.labels import LANGS, t

    scalars = {n["notebook"]: [(k, v) for k, v in metrics.get(n["notebook"], {}).items()
                               if not isinstance(v, (dict, list))]  # distributions: for monitoring
               for n in manifest["notebooks"]}
    figures = {nb: [{"name": k, "label": labels.get(nb, {}).get(k, k), "value": shown(k, v)}
                    for k, v in figs[:INDEX_FIGURES]] for nb, figs in scalars.items()}
    # the figures past the index's share are not lost from sight: the cell says how many more
    more = {nb: t("index.more", lang if lang in LANGS else "en", n=len(figs) - INDEX_FIGURES)
            if len(figs) > INDEX_FIGURES else "" for nb, figs in scalars.items()}
    # a report is named by its number (the notebook file's leading digits), not its file name
    numbers = {n["notebook"]: re.match(r"\d*", str(n["notebook"])).group(0) for n in manifest["notebooks"]}
    return _env().get_template("index.html.j2").render(
        m=manifest, figures=figures, more=more, numbers=numbers, side_files=files or [], t=ui_words(lang), lang=lang,
        has_glossary=glossary)


def render_error(name: str, message: str, lang: str = "zh-CN") -> str:
    """The page of a notebook that produced no output notebook at all."""
    return _env().get_template("error.html.j2").render(name=name, message=message,
                                                       t=ui_words(lang), lang=lang)


def render_html(notebook: Any, *, banner: str | None = None, title: str | None = None,
                lang: str = "zh-CN") -> str:
    """Render an executed notebook as offline HTML without code cells.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    banner : str, optional
        Plain text shown at the top of the page (run id, status); escaped by the template.
    title : str, optional
        The page's title (the browser tab, a bookmark, a printed page's header); escaped.
        Default: nbconvert's, ``Notebook``.
    lang : {"zh-CN", "en"}
        The page's language (``<html lang>``: a browser picks Chinese glyphs and a screen
        reader its voice by it).

    Returns
    -------
    str
        A self-contained HTML page: CSS inline, images as data URIs, no network loads.
    """
    resources: dict[str, Any] = {"calib_banner": banner}
    if title:
        resources["metadata"] = {"name": title}
    with _EXPORTER_LOCK:
        exp = _html_exporter()
        exp.language_code = "en" if lang == "en" else "zh"  # ISO 639-1, as nbconvert takes it
        body, _ = exp.from_notebook_node(notebook, resources=resources)
    if lang == "zh-CN":  # the tag the index and glossary carry (BCP 47: simplified Chinese glyphs)
        body = body.replace('<html lang="zh">', '<html lang="zh-CN">', 1)
    # nbconvert gives an image without alternative text an English sentence of its own: the
    # page's language instead (a screen reader, a page printed without images)
    from calib.report.labels import t

    alt = html.escape(t("page.chart_alt", "en" if lang == "en" else "zh-CN"), quote=True)
    return body.replace(f'alt="{_NBCONVERT_ALT}"', f'alt="{alt}"')


#: The alternative text nbconvert writes for an image that has none.
_NBCONVERT_ALT = "No description has been provided for this image"


_EXPORTER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _html_exporter() -> Any:
    """One nbconvert exporter per process: building one compiles its ~70 Jinja templates
    (about 0.2 s of CPU a report when each page had its own)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("parameters", "injected-parameters", "remove_cell")
    c.TagRemovePreprocessor.enabled = True
    exp = HTMLExporter(config=c, template_name="calib_report",
                       extra_template_basedirs=[str(TEMPLATE_DIR)])
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exp
