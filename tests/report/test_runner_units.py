"""Units of the report runner (no notebook executed): the index's escaping and side files,
verify on a hand-made bundle, the history database, the snapshot seam."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from calib.reporting import history as H
from calib.reporting import index, manifest as mf
from calib.reporting.verify import verify_bundle

PAYLOAD = '<img src=x onerror="alert(1)">'


def _manifest(**kw):
    m = {"run_id": "r1", "title": f"Title {PAYLOAD}", "status": "failed", "started_utc": "2026-07-01T00:00:00+00:00",
         "ended_utc": "2026-07-01T00:01:00+00:00", "parameters": {"as_of": "2026-06-30", "seed": 1},
         "parameters_sha256": "ab" * 32, "git": {"commit": "c0ffee", "dirty": False}, "data_dir": "data/sample",
         "inputs_sha256": {"roster.csv": "cd" * 32}, "versions": {"python": "3.11"},
         "notebooks": [{"notebook": "nb1", "title": f"T {PAYLOAD}", "status": "failed", "message": f"E: {PAYLOAD}",
                        "seconds": 1.0, "html": "nb1.html", "ipynb": "nb1.ipynb", "conclusion": f"C {PAYLOAD}"}]}
    m.update(kw)
    return m


def test_index_escapes_every_text_it_shows():
    html = index.render_index(_manifest(), {"nb1": {"m": PAYLOAD}}, {"nb1": {"m": f"label {PAYLOAD}"}},
                              [{"path": "x.csv", "rows": 1234}], lang="en")
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert '<html lang="en">' in html and ">1,234<" in html and "FAILED" in html
    zh = index.render_index(_manifest(), {}, lang="zh-CN")
    assert '<html lang="zh-CN">' in zh and "失败" in zh and "结论" in zh
    shown = index.render_index(_manifest(), {"nb1": {"total": 181_900_000, "odd": 1}},
                               fmt=lambda k, v: f"{v / 1e4:,.2f} 万元" if k == "total" else 1 / 0)
    assert "18,190.00 万元" in shown and ">1<" in shown  # the display layer's form, else the plain one


def test_notebook_banner_is_escaped():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")])
    html = index.render_html(nb, banner=f"run 1 · {PAYLOAD}")
    assert "<img src=x" not in html and "&lt;img src=x" in html
    # the page's language and title are the report's, not nbconvert's lang="en" and "Notebook"
    assert '<html lang="zh-CN">' in html and "<title>Notebook</title>" in html
    titled = index.render_html(nb, banner="run 1", title=f"模型与授信监测 {PAYLOAD}", lang="zh-CN")
    assert '<html lang="zh-CN">' in titled and "<title>模型与授信监测 &lt;img src=x" in titled
    assert '<html lang="en">' in index.render_html(nb, banner="run 1", title="x", lang="en")


def test_side_files_listed_with_row_counts(tmp_path):
    pd.DataFrame({"a": range(5)}).to_csv(tmp_path / "q.csv", index=False)
    with pd.ExcelWriter(tmp_path / "w.xlsx") as xw:
        pd.DataFrame({"a": range(3)}).to_excel(xw, sheet_name="one", index=False)
        pd.DataFrame({"a": range(4)}).to_excel(xw, sheet_name="two", index=False)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "card.yaml").write_text("a: 1")
    for name in ("index.html", "metrics.json", "nb.html", "nb.ipynb", "params.yaml"):
        (tmp_path / name).write_text("x")
    got = {f["path"]: f["rows"] for f in index.side_files(tmp_path)}
    assert got == {"q.csv": 5, "w.xlsx": 7, "sub/card.yaml": None}
    got = {f["path"]: f["rows"] for f in index.side_files(tmp_path, count=lambda p: 99)}
    assert got == {"q.csv": 99, "w.xlsx": 99, "sub/card.yaml": None}


def _bundle(tmp_path: Path) -> Path:
    b = tmp_path / "b"
    (b / "sub").mkdir(parents=True)
    (b / "a.html").write_text("<p>a</p>")
    (b / "sub" / "t.csv").write_text("x\n1\n")
    mf.write_json(b / "manifest.json", {"files_sha256": mf.bundle_digests(b)})
    return b


def test_verify_finds_nothing_on_an_intact_bundle_and_every_kind_of_change(tmp_path):
    b = _bundle(tmp_path)
    assert verify_bundle(b).empty
    (b / "a.html").write_text("<p>b</p>")
    (b / "sub" / "t.csv").unlink()
    (b / "new.txt").write_text("n")
    got = verify_bundle(b)
    assert list(got.columns) == ["file", "problem"]
    assert set(map(tuple, got.values)) == {("a.html", "changed"), ("sub/t.csv", "missing"), ("new.txt", "extra")}


def test_verify_refuses_paths_outside_the_bundle(tmp_path):
    b = _bundle(tmp_path)
    m = json.loads((b / "manifest.json").read_text())
    m["files_sha256"]["../../etc/passwd"] = "00"
    mf.write_json(b / "manifest.json", m)
    got = verify_bundle(b)
    assert got.values.tolist() == [["../../etc/passwd", "not a path inside the bundle"]]


def test_unreadable_history_is_a_message(tmp_path):
    from calib.errors import CalibInputError

    bad = tmp_path / "h.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CalibInputError, match="history"):
        H.read_history(bad)


def test_signature_round_trip(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    b = _bundle(tmp_path)
    key = Ed25519PrivateKey.generate()
    (tmp_path / "k").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    (tmp_path / "k.pub").write_bytes(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                                   serialization.PublicFormat.Raw))
    mf.sign_manifest(b, tmp_path / "k")
    assert verify_bundle(b, tmp_path / "k.pub").empty
    (b / "manifest.json").write_text((b / "manifest.json").read_text() + " ")
    assert "signature" in verify_bundle(b, tmp_path / "k.pub")["problem"].iloc[0]


def _run(run_id: str, value: float, status: str = "ok") -> tuple[dict, dict]:
    m = {"run_id": run_id, "parameters": {"as_of": "2026-06-30"}, "started_utc": f"2026-07-01T00:00:0{run_id[-1]}",
         "status": status, "parameters_sha256": "ef" * 32,
         "notebooks": [{"notebook": "a", "status": "ok"}, {"notebook": "b", "status": status}]}
    return m, {"a": {"auc": value, "grades": {"A": 0.1}}, "b": {}}


def test_history_round_trip_and_concurrent_writers(tmp_path):
    db = tmp_path / "h.sqlite"
    url = H.history_url(db)
    assert H.read_history(db).columns.tolist() == H.COLUMNS and H.read_history(db).empty
    threads = [threading.Thread(target=H.record_run, args=(url, *_run(f"r{i}", i / 10))) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    H.record_run(url, *_run("r9", 0.9, status="failed"))
    h = H.read_history(db)
    assert h.columns.tolist() == H.COLUMNS and h["run_id"].nunique() == 5
    assert len(h) == 5 * 3  # auc, grades, and one row for the notebook without figures
    row = h[(h.run_id == "r9") & (h.metric == "grades")].iloc[0]
    assert row.value == {"A": 0.1} and row.status == "ok"
    assert h[(h.run_id == "r9") & (h.notebook == "b")]["status"].tolist() == ["failed"]
    runs = H.runs_as_json(h)
    assert [r["run_id"] for r in runs][-1] == "r9" and runs[-1]["status"] == "failed"
    assert runs[0]["metrics"] == {"a": {"auc": 0.0, "grades": {"A": 0.1}}, "b": {}}


def test_history_url_forms(tmp_path):
    assert H.history_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert H.history_url(None, default_folder=tmp_path) == f"sqlite:///{tmp_path.resolve()}/history.sqlite"
    with pytest.raises(Exception, match="history"):
        H.record_run("nosuchdialect://x", *_run("r1", 0.1))


@pytest.mark.e2e
def test_runner_writes_the_snapshot_once_and_keeps_raw_data_out(monkeypatch, tmp_path, small_programme):
    """The seam to calib.io.load_to_snapshot (validate and write table by table): called once
    per run, recorded, removed unless kept."""
    import nbformat

    from calib import io
    from calib.reporting import run_reports

    from _support import write_params

    calls = []

    def fake_load_to_snapshot(folder, path, *, keep=None, **options):
        prog = io.load_programme(path, **options)
        calls.append(len(prog.roster))
        Path(folder).mkdir(parents=True)
        prog.roster.head(3).to_parquet(Path(folder) / "roster.parquet")
        return {"tables": {"roster": len(prog.roster)}}, prog

    monkeypatch.setattr(io, "load_to_snapshot", fake_load_to_snapshot)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    cell = nbformat.v4.new_code_cell("params_file = None\nout_dir = None\nrun_id = None")
    cell.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell("import os\nassert os.path.exists('snapshot/roster.parquet')")
    nb = nbformat.v4.new_notebook(cells=[cell, check])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(nbs / "reads.ipynb"))
    folder = small_programme[0]
    for keep in (False, True):
        p = write_params(tmp_path, folder, nbs, notebooks=["reads"], keep_snapshot=keep)
        res = run_reports(p, out_root=tmp_path / "reports", log=lambda s: None)
        assert res.ok
        m = json.loads((res.bundle / "manifest.json").read_text())
        assert m["snapshot"] == {"tables": {"roster": len(small_programme[1].roster)}}
        assert (res.bundle / "snapshot" / "roster.parquet").exists() is keep
        assert ("snapshot/roster.parquet" in m["files_sha256"]) is keep
    assert len(calls) == 2


def test_error_messages_lose_id_and_phone_numbers():
    from calib.reporting.execute import mask_message as _mask_message

    got = _mask_message("bad row 110105194912310021 / 11010519491231002X / 13900002541 / 123456")
    assert "110105194912310021" not in got and "11010519491231002X" not in got and "13900002541" not in got
    assert "110105********0021" in got and "139****2541" in got and "123456" in got


def test_history_backfill_command(monkeypatch, tmp_path, capsys):
    """`calib history backfill` hands the parameter file, quarters, database and folder to
    calib.monitoring's backfill (a stand-in here; its own tests run the real one)."""
    import sys
    import types

    from calib import cli

    calls = []
    fake = types.ModuleType("calib.monitoring.backfill")
    fake.backfill = lambda params, **kw: calls.append((params, kw)) or ["r1", "r2"]
    monkeypatch.setitem(sys.modules, "calib.monitoring.backfill", fake)
    db = str(tmp_path / "h.sqlite")
    assert cli.main(["history", "backfill", "params/sample.yaml", "--quarters", "2", "--db", db]) == 0
    assert calls[0][0] == "params/sample.yaml"
    assert {k: calls[0][1][k] for k in ("quarters", "db", "out_root")} == {"quarters": 2, "db": db, "out_root": None}
    assert "2 earlier evaluation(s) recorded" in capsys.readouterr().out
    assert cli.main(["history", "backfill", "--quarters", "0"]) == 2
    assert cli.main(["history", "--db", db]) == 0 and "no runs recorded yet" in capsys.readouterr().out


def test_one_html_exporter_renders_every_page_as_a_new_one_would():
    """The runner renders every page with one nbconvert exporter (its templates compiled once):
    a page is the same whether rendered first, after another page, or by a fresh exporter."""
    import nbformat

    from calib.reporting import index

    def nb(text: str, tag: str) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output(
            "display_data", {"text/html": f"<p>{text}</p>", "text/plain": text})])
        hidden = nbformat.v4.new_code_cell("params_file = 'p.yaml'", metadata={"tags": [tag]})
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {text}"), hidden, cell])

    a, b = nb("第一页", "parameters"), nb("第二页", "injected-parameters")
    first = index.render_html(a, banner="run A")
    other = index.render_html(b, banner="run B")
    again = index.render_html(a, banner="run A")
    index._html_exporter.cache_clear()
    fresh = index.render_html(a, banner="run A")
    assert first == again == fresh and "第一页" in first and "run A" in first
    assert "第二页" in other and "第一页" not in other and "run A" not in other
    assert "params_file" not in first + other  # parameter cells removed on every page


def test_parallel_notebooks_log_whole_lines(monkeypatch, tmp_path):
    """Two workers' progress lines do not run together (cron's log read
    'running 03 ...[run] running 04 ...' on one line): the log is called one line at a time."""
    import threading
    import time

    from calib.reporting import execute

    def fake(src, out, parameters, bundle, timeout, private, zygote=None):
        time.sleep(0.01)
        return "ok", ""

    monkeypatch.setattr(execute, "execute_notebook", fake)
    pieces, active, overlaps = [], [0], []
    guard = threading.Lock()

    def slow_print(line: str) -> None:  # print's two writes, with room for another thread between
        with guard:
            active[0] += 1
            overlaps.append(active[0])
        pieces.append(line)
        time.sleep(0.005)
        pieces.append("\n")
        with guard:
            active[0] -= 1

    names = {f"n{i}": tmp_path / f"n{i}.ipynb" for i in range(6)}
    out = execute.execute_all(names, tmp_path, {}, timeout=10, jobs=3, log=slow_print, run_id="r")
    assert [o.status for o in out] == ["ok"] * 6
    lines = "".join(pieces).splitlines()
    assert len(lines) == 12 and all(line.startswith("[r] ") and line.count("[r]") == 1 for line in lines)
    assert max(overlaps) == 1  # never two lines at once


def test_index_counts_the_figures_past_its_share():
    """The index shows a report's first fourteen scalar figures; report 04 recorded 23, and nine
    (its verdict among them) left the index without a word. The cell now says how many more."""
    figs = {f"m{i:02d}": float(i) for i in range(20)} | {"dist": {"a": 0.5}}  # a distribution: not counted
    zh = index.render_index(_manifest(), {"nb1": figs}, lang="zh-CN")
    assert "m13" in zh and "m14" not in zh and "另有 6 项指标见报告正文与 metrics.json" in zh
    en = index.render_index(_manifest(), {"nb1": dict(list(figs.items())[:14])}, lang="en")
    assert "more figures" not in en  # exactly fourteen: nothing to count


def test_a_chart_has_alternative_text_in_the_pages_language():
    """nbconvert gave every chart the alternative text "No description has been provided for this
    image": English on a Chinese page (read aloud, or printed without images)."""
    import base64

    import nbformat

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
    out = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=[out])])
    zh = index.render_html(nb, lang="zh-CN")
    assert "No description" not in zh and 'alt="图表：标题与读法见图中及上下文"' in zh
    en = index.render_html(nb, lang="en")
    assert "No description" not in en and 'alt="Chart: its title' in en


def test_index_figures_carry_no_code_name():
    """Each key figure's label had its metrics.json key as a tooltip (title="rows_read"): a code
    name on the page, shown on hover."""
    html = index.render_index(_manifest(), {"nb1": {"rows_read": 82817}}, {"nb1": {"rows_read": "读入行数"}},
                              lang="zh-CN")
    assert "读入行数" in html and "rows_read" not in html


def test_history_listing_says_its_counts_in_the_right_form(tmp_path, capsys):
    """`calib history` on a terminal: '1 notebook, 1 figure', not '1 notebooks, 1 figures'."""
    from calib import cli

    db = tmp_path / "h.sqlite"
    one = {"run_id": "r1", "parameters": {"as_of": "2026-06-30"}, "started_utc": "2026-07-01T00:00:01",
           "status": "ok", "parameters_sha256": "ef" * 32, "notebooks": [{"notebook": "a", "status": "ok"}]}
    H.record_run(H.history_url(db), one, {"a": {"auc": 0.7}})
    H.record_run(H.history_url(db), *_run("r2", 0.5))
    assert cli.main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "1 notebook, 1 figure\n" in out and "2 notebooks, 2 figures\n" in out


def test_kernels_side_by_side_share_the_cores_and_a_users_thread_setting_stands(monkeypatch):
    """Each of the kernels running at once gets the cores shared out for its numerical
    libraries (OpenBLAS spins a thread per core in every process); a count the user set is kept,
    and nothing is left set after the run."""
    import os

    from calib.reporting import execute
    from calib.reporting.zygote import THREAD_VARIABLES

    assert [execute.kernel_threads(k, 2) for k in (1, 2, 3)] == [2, 1, 1]
    assert execute.kernel_threads(2, 8) == 4 and execute.kernel_threads(0, 4) == 4
    for var in THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    with execute._thread_variables(2):
        seen = {v: os.environ.get(v) for v in THREAD_VARIABLES}
    assert seen == {"OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OMP_NUM_THREADS": "3"}
    assert {v: os.environ.get(v) for v in THREAD_VARIABLES} == {
        "OPENBLAS_NUM_THREADS": None, "MKL_NUM_THREADS": None, "OMP_NUM_THREADS": "3"}


def test_the_manifest_lists_each_file_of_a_table_given_as_a_folder(tmp_path):
    from calib.io import file_sha256
    from calib.reporting.manifest import input_digests

    (tmp_path / "reviews.csv").write_text("a\n")
    (tmp_path / "人员信息采集表").mkdir()
    (tmp_path / "人员信息采集表" / "东村.csv").write_text("b\n")
    (tmp_path / "人员信息采集表" / "说明.txt").write_text("c\n")
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "x.csv").write_text("d\n")
    assert input_digests(tmp_path) == {"reviews.csv": file_sha256(tmp_path / "reviews.csv"),
                                       "人员信息采集表/东村.csv": file_sha256(tmp_path / "人员信息采集表" / "东村.csv")}
