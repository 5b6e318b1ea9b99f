"""The display layer of the reports: figures, conclusions, tables, words, numbers, side files, plots.

- :mod:`~calib.report.record`: headline figures (``metrics.json``), the conclusions block and
  the title read back by the runner and the index;
- :mod:`~calib.report.labels`: the one catalogue of labels (zh-CN by default, en on request);
- :mod:`~calib.report.fmt`: numbers as bankers write them (Babel);
- :mod:`~calib.report.display`: the one table function family and text blocks (escaped);
- :mod:`~calib.report.layouts`: wide analysis tables split into readable ones (agreement);
- :mod:`~calib.report.excel`: formula-neutralised xlsx/csv writers;
- :mod:`~calib.report.style`: matplotlib style (CJK font, colour-blind-safe palette, fitted axes);
- :mod:`~calib.report.methods`: each report's methods appendix and the bundle's glossary;
- :func:`open_run`: the setup cell every report shares.
"""
from __future__ import annotations

from calib.report import fmt, labels, style, words
from calib.report.display import begin, heading, note, params_table, ranked, section, table, table_parts, text
from calib.report.excel import count_rows, neutralise, write_csv, write_xlsx
from calib.report.labels import get_lang, set_lang, t
from calib.report.layouts import agreement_tables
from calib.report.methods import glossary_page, methods_appendix
from calib.report.record import (
    CONCLUSION_MIME,
    METRIC_MIME,
    TITLE_MIME,
    Finding,
    conclude,
    format_metric,
    output_dir,
    read_conclusion,
    read_conclusion_status,
    read_metrics,
    read_title,
    record,
    record_all,
)
from calib.report.session import cautions_as_notes, open_run

__all__ = [
    "record", "record_all", "read_metrics", "table", "ranked", "output_dir", "METRIC_MIME", "CONCLUSION_MIME", "TITLE_MIME",
    "Finding", "conclude", "format_metric", "read_conclusion", "read_conclusion_status", "read_title",
    "begin", "params_table", "agreement_tables", "table_parts", "heading", "text", "section", "note", "write_csv", "write_xlsx", "neutralise",
    "t", "set_lang", "get_lang", "open_run", "fmt", "labels", "style", "words", "count_rows",
    "methods_appendix", "glossary_page", "cautions_as_notes",
]
