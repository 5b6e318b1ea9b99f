"""One load per run (issue 14 item 2): the runner validates the programme once and every
notebook reads its snapshot; interactively the load cache answers for unchanged inputs.

Every load is recorded in ``$CALIB_LOAD_LOG`` (``calib.io.read.note_load``), which the notebook
kernels inherit, so the test sees what each process really did.
"""
from __future__ import annotations

import json
from pathlib import Path

from _support import ROOT
from calib.io import load_programme
from calib.io.read import LOAD_LOG

AS_OF = "2026-06-30"


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_a_run_validates_once_and_every_notebook_reads_the_snapshot(run_bundle):
    """The shared run (every report, two at a time) ran with ``$CALIB_LOAD_LOG`` set."""
    ev = _events(run_bundle.loads)
    validated = [e for e in ev if e["event"] == "validate"]
    read = [e for e in ev if e["event"] == "snapshot"]
    m = json.loads((run_bundle.bundle / "manifest.json").read_text(encoding="utf-8"))
    assert len(validated) == 1 and validated[0]["pid"] == run_bundle.runner_pid  # the runner, once
    # each notebook's kernel that opens the programme, once (07 reads the run history instead)
    opening = [n["notebook"] for n in m["notebooks"]
               if "open_run(" in (ROOT / "notebooks" / f"{n['notebook']}.ipynb").read_text(encoding="utf-8")]
    assert len(read) == len(opening) >= 6
    assert run_bundle.runner_pid not in {e["pid"] for e in read}
    assert len({e["pid"] for e in read}) == len(read)
    assert all(e["digests"] == run_bundle.prog.digests == validated[0]["digests"] for e in read)
    assert {t: v["sha256"] for t, v in m["snapshot"]["inputs"].items()} == run_bundle.prog.digests


def test_the_load_cache_answers_without_validating_again(monkeypatch, tmp_path, small_programme):
    log = tmp_path / "loads.jsonl"
    monkeypatch.setenv(LOAD_LOG, str(log))
    folder = small_programme[0]
    first = load_programme(folder, as_of=AS_OF, cache_dir=tmp_path / "cache")
    again = load_programme(folder, as_of=AS_OF, cache_dir=tmp_path / "cache")
    assert [e["event"] for e in _events(log)] == ["validate", "snapshot", "cache-hit"]
    assert again.digests == first.digests and len(again.roster) == len(first.roster)
