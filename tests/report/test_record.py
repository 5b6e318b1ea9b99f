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


def test_a_recorded_figure_s_label_states_the_threshold_of_the_day(monkeypatch):
    """The index's name of a figure is worded when the figure is recorded: a threshold it states
    comes from the threshold's home, the key stays as the golden file and the run history know it."""
    import IPython.display

    from calib.report import labels
    from calib.report.findings import consensus

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    labels.set_lang("zh-CN")
    report.record("villages_icc_ak_below_0_75", 0)
    monkeypatch.setattr(consensus, "ICC_GOOD", 0.66)
    report.record("villages_icc_ak_below_0_75", 1)
    assert [d[report.METRIC_MIME]["label"] for d in shown] == ["ICC(A,k) 低于 0.75 的村", "ICC(A,k) 低于 0.66 的村"]
    assert {d[report.METRIC_MIME]["name"] for d in shown} == {"villages_icc_ak_below_0_75"}
    nb = _nb(*shown)
    assert report.read_metrics(nb, labels=True) == {"villages_icc_ak_below_0_75": "ICC(A,k) 低于 0.66 的村"}
