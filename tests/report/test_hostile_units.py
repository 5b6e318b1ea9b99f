"""Fast checks of the masking the runner and the CLI apply to what code printed or raised
(issue 12 item 1); end to end in ``test_hostile_leaks.py``."""
from __future__ import annotations

import functools

import nbformat

from calib import cli
from calib.masking import mask_known
from calib.reporting.runner import _mask_outputs, _names

from _support import ROOT


def test_error_and_stream_outputs_are_masked_display_outputs_kept():
    cell = nbformat.v4.new_code_cell("raise ValueError(...)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="checking 欧阳翠萍 13900002541\n"),
        nbformat.v4.new_output("error", ename="ValueError", evalue="ID 44182119650424289X of 欧阳翠萍",
                               traceback=["\x1b[0;31mValueError\x1b[0m: ID 44182119650424289X of 欧阳翠萍"]),
        nbformat.v4.new_output("display_data", data={"text/plain": "张三丰"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    out = _mask_outputs(nb, functools.partial(mask_known, names={"欧阳翠萍", "张三丰"})).cells[0].outputs
    assert out[0]["text"] == "checking 欧阳** 139****2541\n"
    assert out[1]["evalue"] == "ID 441821********289X of 欧阳**"
    assert out[1]["traceback"] == ["\x1b[0;31mValueError\x1b[0m: ID 441821********289X of 欧阳**"]
    assert out[2]["data"]["text/plain"] == "张三丰"  # tables are the display layer's to mask


def test_names_of_a_programme(sample_programme):
    p = sample_programme
    raw = {str(n).strip() for t in (p.roster, p.reviewers) for n in t["name"].dropna()}
    assert _names(p) == {n for n in raw if len(n) >= 2} and len(raw) > 100


def test_exit_2_messages_quote_no_id_or_phone(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.main(["run", "params/sample.yaml", "-p", "title=[44182119650424289X, 13900002541]"]) == 2
    err = capsys.readouterr().err
    assert "title" in err and "441821********289X" in err and "139****2541" in err
    assert "44182119650424289X" not in err and "13900002541" not in err


def test_validate_writes_a_quarantine_without_live_formula_or_raw_value(tmp_path, capsys):
    import csv

    import _hostile as H
    from _support import AS_OF
    from calib.report.excel import FORMULA_PREFIXES

    adv = H.build(tmp_path / "programme", villages=3, households_per_village=12)
    out = tmp_path / "out"
    assert cli.main(["validate", str(adv.folder), "--out", str(out), "--as-of", AS_OF]) == 0
    printed = capsys.readouterr()
    assert H.leaks(adv.secrets, printed.out + printed.err, out) == []
    with open(out / "quarantine.csv", encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert "'" + H.HYPERLINK in cells and "'@SUM(1)" in cells and "'-1+1" in cells  # there, as text
