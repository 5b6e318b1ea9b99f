"""End to end: `calib run` on a generated programme into a temporary folder, as a scheduler would."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from calib.io import file_sha256

from conftest import ROOT

NET = re.compile(r"<(script|link|img)[^>]+(src|href)=[\"']https?://|@import\s+url|url\([\"']?https?://")
CHECK_BUNDLE = ROOT.parent / "shared" / "tools" / "check_bundle.py"


def _params(tmp: Path, data: Path, nb_dir: Path | None = None, **extra) -> Path:
    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw.update(data_dir=str(data), notebooks_dir=str(nb_dir or ROOT / "notebooks"), **extra)
    p = tmp / f"params-{len(list(tmp.glob('params-*')))}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def _calib(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calib", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def bundle(small_programme, tmp_path_factory):
    folder, prog, _ = small_programme
    tmp = tmp_path_factory.mktemp("run")
    p = _params(tmp, folder)
    r = _calib("run", str(p), "--out", str(tmp / "reports"))
    assert r.returncode == 0, r.stderr[-3000:]
    latest = tmp / "reports" / "latest"
    assert latest.is_symlink()
    return latest.resolve(), prog, folder


def test_bundle_has_every_report_rendered_and_indexed(bundle):
    b, _, _ = bundle
    names = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))["notebooks"]
    index = (b / "index.html").read_text(encoding="utf-8")
    for n in names:
        assert (b / f"{n}.ipynb").exists() and (b / f"{n}.html").exists()
        assert f"{n}.html" in index
        html = (b / f"{n}.html").read_text(encoding="utf-8")
        assert "import " not in html or "calib" not in html.split("import ", 1)[1][:40]  # no code cells
    assert "OK" in index


def test_manifest_records_provenance_with_correct_digests(bundle):
    b, _, folder = bundle
    m = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    for key in ("run_id", "started_utc", "ended_utc", "parameters", "parameters_sha256", "inputs_sha256",
                "notebooks", "versions", "git", "files_sha256", "status"):
        assert key in m
    assert m["status"] == "ok" and b.name == m["run_id"]
    assert m["inputs_sha256"]["roster.csv"] == file_sha256(folder / "roster.csv")
    for name, digest in m["files_sha256"].items():
        assert file_sha256(b / name) == digest, name
    for nb in m["notebooks"]:
        assert nb["status"] == "ok"
        assert nb["source_sha256"] == file_sha256(ROOT / "notebooks" / f"{nb['notebook']}.ipynb")
    assert m["versions"]["pandas"] and m["versions"]["papermill"]
    assert m["parameters"]["as_of"] == "2026-06-30"


def test_metrics_collected_from_notebooks(bundle):
    b, prog, _ = bundle
    metrics = json.loads((b / "metrics.json").read_text(encoding="utf-8"))
    dq = metrics["01_data_quality"]
    assert dq["households"] == prog.roster["household_id"].nunique()
    assert dq["tables_balanced"] is True
    assert dq["rows_read"] == int(prog.counts["rows_read"].sum())


def test_reports_open_offline_and_hold_no_raw_personal_data(bundle):
    b, prog, folder = bundle
    secrets = set(prog.roster["id_number"]) | set(prog.roster["name"]) | set(prog.roster["phone"].dropna())
    raw_roster = pd.read_csv(folder / "roster.csv", dtype=str)
    secrets |= {v for v in raw_roster.iloc[:, 3].dropna() if len(v) >= 7}  # raw 身份证 cells, incl. broken ones
    for f in b.rglob("*"):
        if f.suffix in {".html", ".ipynb", ".json", ".csv", ".yaml"}:
            text = f.read_text(encoding="utf-8", errors="ignore")
            if f.suffix == ".html":
                assert not NET.search(text), f.name
            leaked = [s for s in secrets if s and len(s) >= 2 and s in text]
            assert not leaked, (f.name, leaked[:3])
    if CHECK_BUNDLE.exists():
        r = subprocess.run([sys.executable, str(CHECK_BUNDLE), str(b), str(folder)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout


def test_failed_notebook_is_rendered_marked_and_exits_non_zero(small_programme, tmp_path):
    folder, _, _ = small_programme
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = nbformat.read(str(ROOT / "notebooks" / "01_data_quality.ipynb"), as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(nb, str(nbs / "01_data_quality.ipynb"))
    p = _params(tmp_path, folder, nbs, notebooks=["01_data_quality"])
    r = _calib("run", str(p), "--out", str(tmp_path / "reports"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "failed" in r.stderr
    b = (tmp_path / "reports" / "latest").resolve()
    m = json.loads((b / "manifest.json").read_text())
    assert m["status"] == "failed" and m["notebooks"][0]["status"] == "failed"
    assert "deliberate failure" in m["notebooks"][0]["message"]
    assert "deliberate failure" in (b / "01_data_quality.html").read_text()
    assert "FAILED" in (b / "index.html").read_text()


def test_two_runs_at_once_do_not_collide(small_programme, tmp_path):
    folder, _, _ = small_programme
    p = _params(tmp_path, folder, notebooks=["01_data_quality"])
    out = tmp_path / "reports"
    procs = [subprocess.Popen([sys.executable, "-m", "calib", "run", str(p), "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) for _ in range(2)]
    codes = [pr.wait(timeout=600) for pr in procs]
    assert codes == [0, 0]
    bundles = sorted(d for d in out.iterdir() if d.is_dir() and not d.is_symlink() and not d.name.startswith("."))
    assert len(bundles) == 2
    for d in bundles:
        m = json.loads((d / "manifest.json").read_text())
        assert m["status"] == "ok" and m["run_id"] == d.name
    assert (out / "latest").resolve() == bundles[-1]
    assert not list(out.glob(".tmp-*"))


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    r = _calib("validate", str(tmp_path / "missing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("data_dir: x\nas_of: 2026-13-40\nnotebooks: [01_data_quality]\n")
    r = _calib("run", str(bad))
    assert r.returncode == 2 and "as_of" in r.stderr and "Traceback" not in r.stderr
    r = _calib("run", "params/sample.yaml", "-p", "consensus.method=mean")
    assert r.returncode == 2 and "consensus.method" in r.stderr


def test_validate_writes_quarantine_and_counts(small_programme, tmp_path):
    folder, prog, _ = small_programme
    r = _calib("validate", str(folder), "--out", str(tmp_path), "--as-of", "2026-06-30")
    assert r.returncode == 0, r.stderr
    q = pd.read_csv(tmp_path / "quarantine.csv")
    c = pd.read_csv(tmp_path / "counts.csv")
    assert len(q) == len(prog.quarantine)
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    assert "quarantined" in r.stdout
