"""The command line and a report run reading the programme from a real PostgreSQL server give
the results of the folder; the run history can live in that server too."""
from __future__ import annotations

import json

import nbformat
import pytest
import sqlalchemy as sa

from calib.io import read_table

from _sqlfix import write_tables, server_url
from _support import AS_OF, calib_cli, write_params

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(scope="module")
def prog_url(pg_server, run_bundle):
    """The programme of the shared end-to-end run staged into schema ``prog`` under the bank's
    own names (``t_<table>``), all columns text as a CSV staged by the bank's ETL."""
    folder = run_bundle.folder
    url = server_url(pg_server)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA prog"))
    frames = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
    assert frames, folder
    write_tables(engine, frames, "prog", names={t: f"t_{t}" for t in frames})
    engine.dispose()
    return url, sorted(frames)


def _counts_lines(out: str) -> list[str]:
    """The per-table lines and the quarantine reasons of ``calib validate``, without file labels."""
    lines = []
    for line in out.splitlines()[1:]:
        if line.startswith("wrote "):
            continue
        parts = line.split()
        lines.append(" ".join(p for p in parts if not (p.endswith(".csv") or p.startswith("postgres:"))))
    return lines


def test_validate_from_postgres_matches_folder(prog_url, run_bundle, tmp_path):
    url, names = prog_url
    folder = run_bundle.folder
    tables = [a for t in names for a in ("--table", f"{t}=t_{t}")]
    db = calib_cli("validate", url, "--schema", "prog", *tables, "--as-of", AS_OF, "--out", str(tmp_path / "db"))
    fs = calib_cli("validate", str(folder), "--as-of", AS_OF, "--out", str(tmp_path / "fs"))
    assert db.returncode == 0, db.stderr[-2000:]
    assert fs.returncode == 0, fs.stderr[-2000:]
    assert db.stdout.splitlines()[0].startswith("programme postgresql+psycopg://postgres@")
    assert _counts_lines(db.stdout) == _counts_lines(fs.stdout)
    q_db = (tmp_path / "db" / "quarantine.csv").read_text(encoding="utf-8-sig").splitlines()
    q_fs = (tmp_path / "fs" / "quarantine.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(q_db) == len(q_fs) > 1
    bad = calib_cli("validate", str(folder), "--schema", "prog")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "URL" in bad.stderr


def _pngs(nb_path) -> list[str]:
    nb = nbformat.read(str(nb_path), as_version=4)
    return [o["data"]["image/png"] for c in nb.cells for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]


def test_report_run_from_postgres_matches_folder_and_history_in_postgres(prog_url, run_bundle, tmp_path):
    """Notebooks 01 and 06 rendered from the database, one at a time, give the figures, plots
    and manifest entries of the same programme rendered from its folder two at a time (the
    shared end-to-end run): the source and the number of jobs change nothing. The run is
    recorded in a history table in the same server and listed by ``calib history --db URL --json``."""
    url, names = prog_url
    params = write_params(tmp_path, url, schema="prog", tables={t: f"t_{t}" for t in names},
                          notebooks=["01_data_quality", "06_credit_villages"], history=url, lang="en")
    r = calib_cli("run", str(params), "--out", str(tmp_path / "reports"), "--jobs", "1")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    bundle = (tmp_path / "reports" / "latest").resolve()
    db_metrics = json.loads((bundle / "metrics.json").read_text(encoding="utf-8"))
    fs_metrics = json.loads((run_bundle.bundle / "metrics.json").read_text(encoding="utf-8"))
    compared = 0
    for nb in ("01_data_quality", "06_credit_villages"):
        a, b = db_metrics[nb], fs_metrics[nb]
        assert a.keys() == b.keys(), nb
        for k in a:
            if isinstance(a[k], str) and ("csv" in a[k] or "postgres" in a[k]):
                continue  # where the rows came from: a file name or a database table
            assert a[k] == b[k], (nb, k)
            compared += 1
    assert compared >= 10
    for nb in ("01_data_quality", "06_credit_villages"):
        assert _pngs(bundle / f"{nb}.ipynb") == _pngs(run_bundle.bundle / f"{nb}.ipynb"), nb
    entries = [[{k: v for k, v in e.items() if k != "seconds"}
                for e in json.loads((d / "manifest.json").read_text(encoding="utf-8"))["notebooks"]
                if e["notebook"] in ("01_data_quality", "06_credit_villages")]
               for d in (bundle, run_bundle.bundle)]
    assert entries[0] == entries[1]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert "calib-test-pw" not in json.dumps(manifest)
    read = manifest["snapshot"]["database"]
    assert read["url"].startswith("postgresql+psycopg://postgres@")
    fs_counts = dict(zip(run_bundle.prog.counts["table"], run_bundle.prog.counts["rows_read"]))
    assert {t: v["rows_read"] for t, v in read["tables"].items()} == fs_counts
    assert read["tables"]["roster"]["source"] == "postgres:prog.t_roster"
    assert all(len(v["sha256"]) == 64 for v in read["tables"].values())
    h = calib_cli("history", "--db", url, "--json")
    assert h.returncode == 0, h.stderr[-2000:]
    runs = json.loads(h.stdout)
    assert [x["run_id"] for x in runs] == [bundle.name]
    assert runs[0]["metrics"]["06_credit_villages"] == db_metrics["06_credit_villages"]
