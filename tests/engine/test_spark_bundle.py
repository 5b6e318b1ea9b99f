"""`calib run ... -p engine=spark` (Spark ``local[2]``) renders the local engine's figures: every
figure of metrics.json and every table the consensus, comparison and village reports write, to
1e-9 relative, on the small programme of the shared end-to-end run (``run_bundle``, local engine).

The same run proves the programme never reaches the driver: it is given as raw Parquet tables
(``spark.tables``: the programme's CSV files as text, as a data platform would hold them); the
runner has Spark read, validate and snapshot them on the executors (``$CALIB_LOAD_LOG`` records
no load on any driver, only the executors' validation and the kernels' snapshot reads), the
snapshot equals the local loader's table by table, and the reports' per-village steps scan its
Parquet tables on Spark. The whole run is one Spark application: the report kernels are Spark
Connect clients of the runner's driver."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


from _runs import SPARK_NOTEBOOKS as NOTEBOOKS  # noqa: E402
#: the tables these reports write (a missing one fails: the comparison must not be empty)
TABLES = ["consensus_by_village.xlsx", "flagged_reviewers.xlsx", "credit_villages.xlsx"]
RTOL = 1e-9


@pytest.fixture(scope="module")
def spark_bundle(run_bundle) -> Path:
    """Reports 02 and 06 (every Spark step: consensus, comparison and reconciliation, village
    KPIs) of the shared run's programme (as Parquet URIs) and params, run with
    ``engine: spark``: started in the background when the tests are collected
    (``tests/_runs.py``), waited for here."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    import _runs

    started = _runs._STARTED.get("spark_bundle") or _runs._start_spark_bundle(_runs.FACTORY[0])
    _runs._STARTED["spark_bundle"] = started
    r = started["run"].result()
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return (started["out"] / "latest").resolve()


def _applications(spark_bundle: Path) -> dict[str, list[dict]]:
    """Each Spark application's event log, as its events."""
    out = {}
    for log in sorted((spark_bundle.parent.parent / "spark-events").iterdir()):
        files = sorted(p for p in log.rglob("*") if p.is_file()) if log.is_dir() else [log]
        out[log.name] = [json.loads(line) for p in files
                         for line in p.read_text(encoding="utf-8", errors="replace").splitlines() if line]
    return out


def _queries_by_session(events: list[dict]) -> dict[str, str]:
    """The SQL queries an application ran, as text, by Spark Connect session (``runner``: the
    driver's own, untagged)."""
    import re

    out: dict[str, str] = {}
    for e in events:
        if e["Event"].endswith("SparkListenerSQLExecutionStart"):
            tags = [m.group(1) for t in e.get("jobTags") or [] if (m := re.search(r"Session_([0-9a-f-]+)_", t))]
            key = tags[0] if tags else "runner"
            out[key] = out.get(key, "") + json.dumps(e)
    return out


def test_programme_validated_on_the_executors_not_the_driver(spark_bundle):
    """No process loaded the programme on a driver: the local loader (which records ``validate``)
    never ran in the runner or in a report's kernel; the runner recorded one validation on Spark
    and each report read the snapshot. The runner's driver read the raw Parquet tables,
    validated them per bucket (grouped pandas) and wrote the snapshot's tables from the executors."""
    events = [json.loads(line) for line in
              (spark_bundle.parent.parent / "loads.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    assert "validate" not in kinds and "cache-hit" not in kinds, kinds
    on_spark = [e for e in events if e["event"] == "spark-validate"]
    reads = [e for e in events if e["event"] == "snapshot"]
    assert len(on_spark) == 1 and len(reads) == len(NOTEBOOKS), kinds
    assert on_spark[0]["pid"] not in {e["pid"] for e in reads}
    m = json.loads((spark_bundle / "snapshot" / "manifest.json").read_text(encoding="utf-8"))
    assert m["engine"] == "spark" and (spark_bundle / "snapshot" / "tables" / "reviews.parquet").is_dir()
    (app,) = _applications(spark_bundle).values()
    runner = _queries_by_session(app)["runner"]
    assert "InsertIntoHadoopFsRelationCommand" in runner
    assert "FlatMapGroupsInPandas" in runner and "roster.parquet" in runner
    assert "snapshot/tables/roster.parquet" in runner


def test_snapshot_written_on_spark_equals_the_local_loaders(spark_bundle, run_bundle, tmp_path):
    """Same accepted rows, dtypes, quarantine (reasons, rows) and counts as the local loader's
    snapshot of the same programme; the inputs' digests are the Parquet files' SHA-256."""
    from calib.io import read_snapshot, write_snapshot
    from calib.io.read import file_sha256
    from calib.programme import TABLES

    got = read_snapshot(spark_bundle / "snapshot")
    write_snapshot(run_bundle.prog, tmp_path / "local")
    want = read_snapshot(tmp_path / "local")
    for t in TABLES:
        if want.table(t) is None:
            assert got.table(t) is None, t
            continue
        assert len(want.table(t)), t
        pd.testing.assert_frame_equal(got.table(t), want.table(t), obj=t)
    assert len(want.quarantine) > 0  # the hostile programme's planted values are quarantined
    for name in ("quarantine", "counts"):
        a, b = getattr(got, name), getattr(want, name).copy()
        b["file"] = b["file"].str.replace(".csv", ".parquet", regex=False)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)
    parquet = spark_bundle.parent.parent / "parquet"
    assert got.digests == {t: file_sha256(parquet / f"{t}.parquet") for t in want.digests}


def test_one_spark_application_whose_connect_clients_ran_each_reports_steps(spark_bundle):
    """The run is one Spark application: the runner's driver, which validated the programme and
    served each report's kernel as a Spark Connect client (one session per report, no driver JVM
    of their own). Each report's session scanned the snapshot's Parquet tables and ran grouped
    pandas steps (applyInPandas) on the executors: identical figures below are then not the
    local engine's by accident."""
    apps = _applications(spark_bundle)
    assert len(apps) == 1, list(apps)  # no report started an application of its own
    (app,) = apps.values()
    start = next(e for e in app if e["Event"] == "SparkListenerEnvironmentUpdate")
    assert start["Spark Properties"]["spark.master"] == "local[2]"
    sessions = [e["sessionId"] for e in app if e["Event"].endswith("SparkListenerConnectSessionStarted")]
    assert len(set(sessions)) == len(NOTEBOOKS)
    queries = _queries_by_session(app)
    assert set(queries) == {"runner", *sessions}
    # the driver serves the reports after the validation: its cached results are released first,
    # and each report's kernel releases what it cached when it ends
    kinds = [e["Event"] for e in app]
    first = next(i for i, k in enumerate(kinds) if k.endswith("SparkListenerConnectSessionStarted"))
    assert "SparkListenerUnpersistRDD" in kinds[:first]
    assert kinds[first:].count("SparkListenerUnpersistRDD") >= len(NOTEBOOKS)
    for sid in sessions:
        assert "FlatMapGroupsInPandas" in queries[sid], sid  # consensus, comparison or KPIs per village
        assert "snapshot/tables/reviews.parquet" in queries[sid], sid  # read by Spark, not sent from a driver
        assert "InsertIntoHadoopFsRelationCommand" not in queries[sid], sid


def _same_value(a, b, where: str) -> None:
    if isinstance(b, float) and isinstance(a, (int, float)) and not isinstance(a, bool):
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, rel=RTOL, abs=0.0), where
    else:
        assert a == b, where


def test_manifest_records_the_spark_engine(spark_bundle):
    manifest = json.loads((spark_bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["engine"] == "spark"
    assert manifest["engine"]["master"] == "local[2]"


def test_metrics_identical_to_local_engine(spark_bundle, run_bundle):
    spark = json.loads((spark_bundle / "metrics.json").read_text(encoding="utf-8"))
    local = json.loads((run_bundle.bundle / "metrics.json").read_text(encoding="utf-8"))
    assert sorted(spark) == NOTEBOOKS
    for nb in NOTEBOOKS:
        assert spark[nb].keys() == local[nb].keys() and spark[nb], nb
        for key, val in local[nb].items():
            _same_value(spark[nb][key], val, f"{nb}: {key}")


@pytest.mark.parametrize("name", TABLES)
def test_tables_identical_to_local_engine(spark_bundle, run_bundle, name):
    spark = pd.read_excel(spark_bundle / name, sheet_name=None, engine="openpyxl")
    local = pd.read_excel(run_bundle.bundle / name, sheet_name=None, engine="openpyxl")
    assert spark.keys() == local.keys()
    for sheet, frame in local.items():
        assert len(frame), f"{name}/{sheet} is empty: nothing compared"
        pd.testing.assert_frame_equal(spark[sheet], frame, rtol=RTOL, check_exact=False, obj=f"{name}/{sheet}")


def test_the_runs_terminal_holds_its_own_lines_not_sparks(spark_bundle):
    """Under cron or on a terminal the run prints its own log lines: not the driver's log banner,
    pyspark's pandas-version warning from each Python worker, or a grouped function's repr."""
    err = (spark_bundle.parent.parent / "cli.stderr").read_text(encoding="utf-8", errors="replace")
    for noise in ("Setting default log level", "FutureWarning", "Cannot infer the eval type", " WARN "):
        assert noise not in err, (noise, err[-2000:])
