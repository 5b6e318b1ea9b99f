"""Figures, conclusions and titles written into notebook outputs and read back."""
from __future__ import annotations

import importlib

import nbformat

from calib import report

record_module = importlib.import_module("calib.report.record")


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


def test_record_all_records_in_order(monkeypatch):
    seen = []
    monkeypatch.setattr(record_module, "record", lambda name, value, **kw: seen.append((name, value)))
    report.record_all({"b": 1, "a": 2.5})
    assert seen == [("b", 1), ("a", 2.5)]


def test_output_dir_is_temporary_without_bundle(tmp_path):
    assert report.output_dir(None).exists()
    assert report.output_dir(tmp_path / "b") == tmp_path / "b"


def test_every_recorded_metric_has_a_label_and_kind():
    """Every figure a sample run records (the golden ``metrics.json``, reports 01-07, wherever the
    notebook or the package records it) is in the catalogue: the index shows words."""
    import json
    from pathlib import Path

    from calib.report import labels

    golden = json.loads((Path(__file__).with_name("golden") / "sample_metrics.json").read_text(encoding="utf-8"))
    names = {n for figures in golden.values() for n in figures}
    assert len(names) > 60
    missing = sorted(n for n in names if labels.metric_kind(n) is None)
    assert not missing, missing
    labels.set_lang("zh-CN")
    assert report.format_metric("total_consensus_limit", 181_895_000.0) == "18,189.50 万元"
    assert report.format_metric("auc_diff_cv_p_value", 0.0004) == "< 0.001"
    assert report.format_metric("profiling_rate", 0.95268) == "95.3%"
