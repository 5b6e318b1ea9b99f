"""HTML of a bundle: the index page, each notebook's page, the page of a notebook that died.

Everything goes through Jinja2 with autoescape on, so a title, a village name or an exception
message holding markup is shown as text, never run. Pages load nothing from the network.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import jinja2

__all__ = ["render_index", "render_html", "render_error", "side_files", "TEMPLATE_DIR", "UI"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
STANDARD = {"index.html", "metrics.json", "manifest.json", "manifest.json.sig", "params.yaml"}

# The index's own wording. TODO(lead): move into calib.report's label catalogue when it lands.
UI: dict[str, dict[str, str]] = {
    "zh-CN": {"run": "运行", "status": "状态", "ok": "成功", "failed": "失败", "started": "开始",
              "ended": "结束", "as_of": "数据截至", "seed": "随机种子", "params_digest": "参数 SHA-256",
              "commit": "代码版本", "dirty": "含未提交修改", "reports": "报告", "report": "报告",
              "conclusion": "结论", "time": "用时", "figures": "关键指标", "notebook": "笔记本",
              "side_files": "附属文件", "file": "文件", "rows": "行数", "inputs": "输入数据",
              "data_dir": "项目数据", "provenance": "来源与校验", "software": "软件版本",
              "glossary": "术语表", "glossary_text": "报告所用术语的中英文释义",
              "provenance_text": "本报告包中每个文件的 SHA-256 均记录在清单中（可用 calib verify 核验）；"
                                 "个人信息（身份证号、姓名、电话、地址）均已脱敏。"},
    "en": {"run": "Run", "status": "status", "ok": "OK", "failed": "FAILED", "started": "started",
           "ended": "ended", "as_of": "Data as of", "seed": "seed", "params_digest": "parameters SHA-256",
           "commit": "code commit", "dirty": "uncommitted changes", "reports": "Reports", "report": "Report",
           "conclusion": "Conclusion", "time": "Time", "figures": "Headline figures", "notebook": "notebook",
           "side_files": "Side files", "file": "File", "rows": "Rows", "inputs": "Inputs",
           "data_dir": "Programme data", "provenance": "Provenance", "software": "Software",
           "glossary": "Glossary", "glossary_text": "the terms of the reports, in Chinese and English",
           "provenance_text": "Every file of this bundle is listed with its SHA-256 in the manifest "
                              "(check it with calib verify); personal data (ID numbers, names, phones, "
                              "addresses) is masked everywhere in this bundle."},
}


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

    figures = {
        n["notebook"]: [{"name": k, "label": labels.get(n["notebook"], {}).get(k, k), "value": shown(k, v)}
                        for k, v in list(metrics.get(n["notebook"], {}).items())[:14]]
        for n in manifest["notebooks"]}
    return _env().get_template("index.html.j2").render(
        m=manifest, figures=figures, side_files=files or [], t=UI.get(lang, UI["en"]), lang=lang,
        has_glossary=glossary)


def render_error(name: str, message: str, lang: str = "zh-CN") -> str:
    """The page of a notebook that produced no output notebook at all."""
    return _env().get_template("error.html.j2").render(name=name, message=message,
                                                       t=UI.get(lang, UI["en"]), lang=lang)


def render_html(notebook: Any, *, banner: str | None = None) -> str:
    """Render an executed notebook as offline HTML without code cells.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    banner : str, optional
        Plain text shown at the top of the page (run id, status); escaped by the template.

    Returns
    -------
    str
        A self-contained HTML page: CSS inline, images as data URIs, no network loads.
    """
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
    body, _ = exp.from_notebook_node(notebook, resources={"calib_banner": banner})
    return body
