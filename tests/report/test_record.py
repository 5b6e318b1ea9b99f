"""Figures, conclusions and titles written into notebook outputs and read back."""
from __future__ import annotations

import nbformat

from calib import report


def _nb(*datas):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=d) for d in datas]
    nb.cells.append(cell)
    return nb


def test_read_metrics_conclusion_and_title():
    nb = _nb({report.METRIC_MIME: {"name": "a", "value": 1, "label": "A"}, "text/html": ""},
             {report.METRIC_MIME: {"name": "a", "value": 2, "label": "A"}, "text/html": ""},
             {report.CONCLUSION_MIME: {"summary": "数据可用", "status": "pass"}, "text/html": "<section/>"},
             {report.TITLE_MIME: {"title": "数据质量"}, "text/plain": "t"})
    assert report.read_metrics(nb) == {"a": 2}
    assert report.read_metrics(nb, labels=True) == {"a": "A"}
    assert report.read_conclusion(nb) == "数据可用"
    assert report.read_conclusion_status(nb) == "pass"
    assert report.read_title(nb) == "数据质量"
    assert report.read_conclusion(_nb({"text/plain": "x"})) is None


def test_output_dir_is_temporary_without_bundle(tmp_path):
    assert report.output_dir(None).exists()
    assert report.output_dir(tmp_path / "b") == tmp_path / "b"
