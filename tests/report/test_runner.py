"""End to end: ONE `calib run` of every notebook on a generated programme (the session fixture
``run_bundle``, 2 jobs, signed), checked as a scheduler, an auditor and a security review would."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from calib.io import file_sha256
from calib.reporting.history import COLUMNS, read_history

from _support import ROOT, calib_cli, write_params

NET = re.compile(r"<(script|link|img)[^>]+(src|href)=[\"']https?://|@import\s+url|url\([\"']?https?://")
CHECK_BUNDLE = ROOT.parent / "shared" / "tools" / "check_bundle.py"
NOTEBOOKS = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))["notebooks"]


def test_bundle_has_every_report_rendered_and_indexed(run_bundle):
    b = run_bundle.bundle
    index = (b / "index.html").read_text(encoding="utf-8")
    for n in NOTEBOOKS:
        assert (b / f"{n}.ipynb").exists() and (b / f"{n}.html").exists()
        assert f"{n}.html" in index
        html = (b / f"{n}.html").read_text(encoding="utf-8")
        assert "import " not in html or "calib" not in html.split("import ", 1)[1][:40]  # no code cells
    assert '<html lang="en">' in index and ">OK<" in index  # run_bundle is the English run


def test_manifest_records_provenance_with_correct_digests(run_bundle):
    b, folder = run_bundle.bundle, run_bundle.folder
    m = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    for key in ("run_id", "started_utc", "ended_utc", "parameters", "parameters_sha256", "inputs_sha256",
                "notebooks", "versions", "git", "files_sha256", "status", "jobs"):
        assert key in m
    assert m["status"] == "ok" and b.name == m["run_id"] and m["jobs"] == 2
    assert m["inputs_sha256"]["roster.csv"] == file_sha256(folder / "roster.csv")
    assert set(m["files_sha256"]) == {f.relative_to(b).as_posix() for f in b.rglob("*") if f.is_file()} - {
        "manifest.json", "manifest.json.sig"}
    for name, digest in m["files_sha256"].items():
        assert file_sha256(b / name) == digest, name
    assert [nb["notebook"] for nb in m["notebooks"]] == NOTEBOOKS  # listed order, whatever finished first
    for nb in m["notebooks"]:
        assert nb["status"] == "ok" and nb["source"] == f"notebooks/{nb['notebook']}.ipynb"
        assert nb["source_sha256"] == file_sha256(ROOT / "notebooks" / f"{nb['notebook']}.ipynb")
    assert m["versions"]["pandas"] and m["versions"]["papermill"]
    assert m["parameters"]["as_of"] == "2026-06-30"


def test_no_absolute_machine_path_anywhere_in_the_bundle(run_bundle):
    b = run_bundle.bundle
    machine = {str(ROOT), str(run_bundle.out_root), str(run_bundle.folder), sys.prefix, "/tmp/", "/root/"}
    m = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert m["parameters_file"] == Path(os.path.relpath(run_bundle.params, ROOT)).as_posix()
    assert not Path(m["data_dir"]).is_absolute() and not m["parameters"]["data_dir"].startswith("/")
    for f in b.rglob("*"):
        if f.is_file() and f.suffix in {".html", ".ipynb", ".json", ".yaml", ".csv"}:
            text = f.read_text(encoding="utf-8", errors="ignore")
            found = [p for p in machine if re.search(r"(?<!\.\.)" + re.escape(p), text)]  # ../x is relative
            assert not found, (f.name, found)
    nb = nbformat.read(str(b / "01_data_quality.ipynb"), as_version=4)
    assert nb.metadata.papermill.parameters["params_file"] == "params.yaml"
    assert nb.metadata.papermill.input_path == "notebooks/01_data_quality.ipynb"


def test_kernels_run_over_ipc_not_tcp(run_bundle):
    log = run_bundle.result.stdout + run_bundle.result.stderr
    assert "running 01_data_quality" in log  # the log was captured
    assert "Kernel is running over TCP" not in log


def test_metrics_collected_from_notebooks(run_bundle):
    b, prog = run_bundle.bundle, run_bundle.prog
    metrics = json.loads((b / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics) == set(NOTEBOOKS)
    dq = metrics["01_data_quality"]
    assert dq["households"] == prog.roster["household_id"].nunique()
    assert dq["tables_balanced"] is True
    assert dq["rows_read"] == int(prog.counts["rows_read"].sum())


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href"]


def test_index_links_every_side_file_with_its_row_count(run_bundle):
    b = run_bundle.bundle
    index = (b / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index)
    side = [f for f in b.rglob("*") if f.is_file() and f.suffix in (".xlsx", ".csv")]
    assert side, "the sample notebooks write side files"
    for f in side:
        rel = f.relative_to(b).as_posix()
        assert rel in parser.hrefs, rel
        if f.suffix == ".csv":
            rows = len(pd.read_csv(f, dtype=str, encoding="utf-8-sig"))
            assert re.search(rf">{re.escape(rel)}</a></td><td>{rows:,}</td>", index), rel
    for href in parser.hrefs:
        assert (b / href).exists(), f"index links {href}, which the bundle does not hold"


_DIGITS = re.compile(r"[0-9]+[0-9Xx]?")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _windows(text: str) -> set[str]:
    """Every substring of a digit run or a run of Chinese characters, up to 18 long: a secret
    made only of digits (and a final X) or only of Chinese characters is in the text iff it is
    one of these (one pass over the text instead of a search per secret)."""
    out: set[str] = set()
    for rx in (re.compile(r"[0-9Xx]+"), _CJK):
        for m in rx.finditer(text):
            run = m.group()
            n = len(run)
            out.update(run[i:j] for i in range(n) for j in range(i + 2, min(n, i + 18) + 1))
    return out


def test_reports_open_offline_and_hold_no_raw_personal_data(run_bundle):
    b, prog, folder = run_bundle.bundle, run_bundle.prog, run_bundle.folder
    secrets = set(prog.roster["id_number"]) | set(prog.roster["name"]) | set(prog.roster["phone"].dropna())
    raw_roster = pd.read_csv(folder / "roster.csv", dtype=str)
    secrets |= {v for v in raw_roster.iloc[:, 3].dropna() if len(v) >= 7}  # raw 身份证 cells, incl. broken ones
    assert not (b / "snapshot").exists() or not list((b / "snapshot").glob("*.parquet"))  # raw data left out
    secrets = {s for s in secrets if s and len(s) >= 2}
    simple = {s for s in secrets if len(s) <= 18 and (_DIGITS.fullmatch(s) or _CJK.fullmatch(s))}
    for f in b.rglob("*"):
        if f.suffix in {".html", ".ipynb", ".json", ".csv", ".yaml"}:
            text = f.read_text(encoding="utf-8", errors="ignore")
            if f.suffix == ".html":
                assert not NET.search(text), f.name
            leaked = sorted(_windows(text) & simple) + [s for s in secrets - simple if s in text]
            assert not leaked, (f.name, leaked[:3])
    if CHECK_BUNDLE.exists():
        r = subprocess.run([sys.executable, str(CHECK_BUNDLE), str(b), str(folder)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout


def test_verify_passes_on_the_fresh_bundle_and_its_signature(run_bundle):
    r = calib_cli("verify", str(run_bundle.bundle), "--public-key", f"{run_bundle.key}.pub")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "intact" in r.stdout


def test_verify_names_each_changed_missing_and_extra_file(run_bundle, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_bundle.bundle, copy)
    html = copy / "01_data_quality.html"
    data = bytearray(html.read_bytes())
    data[len(data) // 2] ^= 1  # one byte
    html.write_bytes(bytes(data))
    (copy / "metrics.json").unlink()
    (copy / "extra.txt").write_text("added later")
    r = calib_cli("verify", str(copy))
    assert r.returncode == 1
    assert "changed: 01_data_quality.html" in r.stdout
    assert "missing: metrics.json" in r.stdout and "extra: extra.txt" in r.stdout
    assert "Traceback" not in r.stderr


def test_signature_tells_an_edited_manifest_and_a_foreign_key(run_bundle, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_bundle.bundle, copy)
    other = tmp_path / "other.key"
    assert calib_cli("keygen", str(other)).returncode == 0
    r = calib_cli("verify", str(copy), "--public-key", f"{other}.pub")
    assert r.returncode == 1 and "signature" in r.stdout
    m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    m["status"] = "ok "  # an edit that keeps every file digest right
    (copy / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    r = calib_cli("verify", str(copy), "--public-key", f"{run_bundle.key}.pub")
    assert r.returncode == 1 and "signature" in r.stdout
    sig = base64.b64decode((run_bundle.bundle / "manifest.json.sig").read_text().strip())
    assert len(sig) == 64  # Ed25519


def test_monitoring_report_concludes_on_its_own_run(run_bundle):
    """Report 07 (it reads the run history) runs after the other reports and is given their
    figures: with an empty history before the run, its one point is this run, at its as_of."""
    metrics = json.loads((run_bundle.bundle / "metrics.json").read_text(encoding="utf-8"))
    m = metrics["07_monitoring"]
    assert m["monitoring_points"] == 1 and m["monitoring_points_backfilled"] == 0
    page = (run_bundle.bundle / "07_monitoring.html").read_text(encoding="utf-8")
    assert "2026-06-30" in page and not os.environ.get("CALIB_RUN_FIGURES")


def test_summary_tables_show_the_overall_row_first(run_bundle):
    """Every table of villages with a row for the whole programme shows that row first, sorted
    or not (report 06's figures table says it puts the programme last, after its townships)."""
    seen = 0
    for page in sorted(run_bundle.bundle.glob("0[1-5]_*.html")):
        for table in re.findall(r"<table[^>]*>(.*?)</table>", page.read_text(encoding="utf-8"), flags=re.S):
            head = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table)
            cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
            cells = [c for c in cells if c]
            if head[:1] == ["Level"]:  # the shared run is in English
                assert cells[0][0] == "overall", (page.name, head[:3], [c[:2] for c in cells[:3]])
                seen += 1
    assert seen >= 4  # report 02's three tables of villages, report 03's exposure


def test_history_records_every_headline_figure(run_bundle):
    h = read_history(run_bundle.history)
    assert list(h.columns) == COLUMNS
    metrics = json.loads((run_bundle.bundle / "metrics.json").read_text(encoding="utf-8"))
    run = h[h["run_id"] == run_bundle.bundle.name]
    assert len(run) == sum(max(len(v), 1) for v in metrics.values())
    got = {(r.notebook, r.metric): r.value for r in run.itertuples()}
    assert got == {(nb, k): v for nb, figs in metrics.items() for k, v in figs.items()}
    assert set(run["status"]) == {"ok"} and set(run["as_of"]) == {"2026-06-30"}
    r = calib_cli("history", "--db", str(run_bundle.history), "--json")
    assert r.returncode == 0, r.stderr
    runs = json.loads(r.stdout)
    mine = [x for x in runs if x["run_id"] == run_bundle.bundle.name][0]
    assert mine["metrics"] == metrics and mine["status"] == "ok" and mine["as_of"] == "2026-06-30"


@pytest.mark.e2e
def test_validate_writes_quarantine_and_counts(small_programme, tmp_path):
    folder, prog, _ = small_programme
    r = calib_cli("validate", str(folder), "--out", str(tmp_path), "--as-of", "2026-06-30")
    assert r.returncode == 0, r.stderr
    q = pd.read_csv(tmp_path / "quarantine.csv")
    c = pd.read_csv(tmp_path / "counts.csv")
    assert len(q) == len(prog.quarantine)
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    assert "quarantined" in r.stdout
    # the clerks' workbook, as report 01 writes it: in Chinese, one row per problem, values masked
    wb = pd.read_excel(tmp_path / "quarantine.xlsx", sheet_name=None, dtype=str, engine="calamine")
    assert list(wb) == ["隔离清单"] and len(wb["隔离清单"]) == len(prog.quarantine)
    assert list(wb["隔离清单"].columns) == ["数据表", "文件", "行号", "字段", "原值（已脱敏）", "原因"]
    r = calib_cli("validate", str(folder), "--out", str(tmp_path / "en"), "--as-of", "2026-06-30", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "Reason" in pd.read_excel(tmp_path / "en" / "quarantine.xlsx", engine="calamine").columns
