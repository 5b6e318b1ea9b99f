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
    assert prog == "PROG" and calls == [(P.data_dir, P.as_of, {"encoding": None, "sheet": None})]
    assert labels.get_lang() == "zh-CN"  # the default until params carry `lang`


def test_old_digits_keyword_still_works():
    with pytest.warns(labels.MissingLabelWarning):  # an uncatalogued column is shown, and flagged
        tab = report.table(pd.DataFrame({"x_unknown_ratio": [0.123456]}), digits=2)
    assert tab.data.iloc[0, 0] == "0.12"


def test_a_caution_is_a_note_in_the_reader_language_and_a_label_defect_stays_on_stderr(monkeypatch, capsys):
    """Warnings raised while a report runs reach the page as worded notes, without file paths or
    code; a missing label keeps its stderr warning (where the reader tests look for defects)."""
    import IPython.display

    from calib.report import labels, session
    from calib.report.labels import MissingLabelWarning

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    labels.set_lang("zh-CN")
    session._show_caution(UserWarning("only 5 defaults: the PD model and its interval are very uncertain"),
                          UserWarning, "/src/calib/pricing/calibration.py", 104)
    labels.set_lang("en")
    session._show_caution(UserWarning("only 12 villages: the cluster bootstrap interval is unreliable below ~20"),
                          UserWarning, "x.py", 1)
    labels.set_lang("zh-CN")
    assert shown[0].plain == "注意：只有 5 户违约：违约概率模型及其区间非常不确定"
    assert shown[1].plain.startswith("Caution: only 12 villages") and "calibration.py" not in shown[0].html
    session._show_caution(MissingLabelWarning("label catalogue: no entry for 'x'"), MissingLabelWarning, "y.py", 2)
    assert len(shown) == 2 and "no entry for 'x'" in capsys.readouterr().err
