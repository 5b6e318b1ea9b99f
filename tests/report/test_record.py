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


def test_every_recorded_metric_has_a_label_and_kind():
    """Every report.record name in notebooks 01-06 is in the catalogue (the index shows words)."""
    import json
    import re
    from pathlib import Path

    from calib.report import labels

    root = Path(__file__).resolve().parents[2]
    names = set()
    for nb in sorted((root / "notebooks").glob("0[1-6]_*.ipynb")):
        src = " ".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        names |= set(re.findall(r"report\.record\(\"([a-z0-9_]+)\"", src))
    assert len(names) > 60
    missing = sorted(n for n in names if labels.metric_kind(n) is None)
    assert not missing, missing
    labels.set_lang("zh-CN")
    assert report.format_metric("total_consensus_limit", 181_895_000.0) == "18,189.50 万元"
    assert report.format_metric("auc_diff_cv_p_value", 0.0004) == "< 0.001"
    assert report.format_metric("profiling_rate", 0.95268) == "95.3%"
