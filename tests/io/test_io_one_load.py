"""One load per run (issue 14 item 2): the runner validates the programme once and every
notebook reads its snapshot; interactively the load cache answers for unchanged inputs.

Every load is recorded in ``$CALIB_LOAD_LOG`` (``calib.io.read.note_load``), which the notebook
kernels inherit, so the test sees what each process really did.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from calib.io import load_programme
from calib.io.read import LOAD_LOG

AS_OF = "2026-06-30"


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


@pytest.mark.e2e
def test_a_run_validates_once_and_every_notebook_reads_the_snapshot(monkeypatch, tmp_path, small_programme):
    import nbformat

    from calib.reporting import run_reports

    from _support import write_params

    log = tmp_path / "loads.jsonl"
    monkeypatch.setenv(LOAD_LOG, str(log))
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name in ("a_first", "b_second"):
        params = nbformat.v4.new_code_cell("params_file = None\nout_dir = None\nrun_id = None")
        params.metadata["tags"] = ["parameters"]
        body = nbformat.v4.new_code_cell(
            "from calib import report\nP, prog, out = report.open_run(params_file, out_dir)\n"
            "assert len(prog.roster) > 0 and len(prog.reviews) > 0")
        nb = nbformat.v4.new_notebook(cells=[params, body])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(nbs / f"{name}.ipynb"))
    folder, prog, _ = small_programme
    p = write_params(tmp_path, folder, nbs, notebooks=["a_first", "b_second"])
    res = run_reports(p, out_root=tmp_path / "reports", log=lambda s: None, jobs=1)
    assert res.ok
    ev = _events(log)
    validated = [e for e in ev if e["event"] == "validate"]
    read = [e for e in ev if e["event"] == "snapshot"]
    assert len(validated) == 1 and validated[0]["pid"] == os.getpid()  # the runner, once
    assert len(read) == 2 and {e["pid"] for e in read} != {os.getpid()}  # each notebook's kernel
    assert all(e["digests"] == prog.digests == validated[0]["digests"] for e in read)
    m = json.loads((res.bundle / "manifest.json").read_text(encoding="utf-8"))
    assert {t: v["sha256"] for t, v in m["snapshot"]["inputs"].items()} == prog.digests


def test_the_load_cache_answers_without_validating_again(monkeypatch, tmp_path, small_programme):
    log = tmp_path / "loads.jsonl"
    monkeypatch.setenv(LOAD_LOG, str(log))
    folder = small_programme[0]
    first = load_programme(folder, as_of=AS_OF, cache_dir=tmp_path / "cache")
    again = load_programme(folder, as_of=AS_OF, cache_dir=tmp_path / "cache")
    assert [e["event"] for e in _events(log)] == ["validate", "snapshot", "cache-hit"]
    assert again.digests == first.digests and len(again.roster) == len(first.roster)
