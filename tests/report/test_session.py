"""open_run: the one setup every report shares (parameters, language, style, programme, outputs)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from calib import io, report
from calib.report import labels

ROOT = Path(__file__).resolve().parents[2]


def test_open_run_reads_the_snapshot_when_the_runner_left_one(tmp_path, monkeypatch):
    (tmp_path / "snapshot").mkdir()
    seen = []
    monkeypatch.setattr(io, "read_snapshot", lambda p: seen.append(Path(p)) or "PROG", raising=False)
    monkeypatch.setattr(io, "load_programme", lambda *a, **k: (_ for _ in ()).throw(AssertionError("reloaded")))
    P, prog, out = report.open_run(ROOT / "params" / "sample.yaml", tmp_path, lang="en")
    assert prog == "PROG" and seen == [tmp_path / "snapshot"] and out == tmp_path
    assert labels.get_lang() == "en"
    labels.set_lang("zh-CN")


def test_open_run_loads_the_programme_without_snapshot(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(io, "load_programme", lambda path, as_of=None, **src: calls.append((path, as_of, src)) or "PROG")
    P, prog, out = report.open_run(ROOT / "params" / "sample.yaml", tmp_path)
    assert prog == "PROG" and calls == [(P.data_dir, P.as_of, {"tables": None, "schema": None, "queries": None})]
    assert labels.get_lang() == "zh-CN"  # the default until params carry `lang`


def test_old_digits_keyword_still_works():
    with pytest.warns(labels.MissingLabelWarning):  # an uncatalogued column is shown, and flagged
        tab = report.table(pd.DataFrame({"x_unknown_ratio": [0.123456]}), digits=2)
    assert tab.data.iloc[0, 0] == "0.12"
