"""`calib run ... -p engine=spark` (Spark ``local[2]``) renders the local engine's figures: every
figure of metrics.json and every table the consensus, comparison and village reports write, to
1e-9 relative, on the small programme of the shared end-to-end run (``run_bundle``, local engine).

The same run proves the programme never reaches the driver: it is given as raw Parquet tables
(``spark.tables``: the programme's CSV files as text, as a data platform would hold them); the
runner has Spark read, validate and snapshot them on the executors (``$CALIB_LOAD_LOG`` records
no load on any driver, only the executors' validation and the kernels' snapshot reads), the
snapshot equals the local loader's table by table, and the reports' per-village steps scan its
Parquet tables on Spark."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


from _runs import SPARK_NOTEBOOKS as NOTEBOOKS  # noqa: E402
#: the tables these three reports write (a missing one fails: the comparison must not be empty)
TABLES = ["consensus_by_village.xlsx", "flagged_reviewers.xlsx", "exposure_by_village.xlsx",
          "investigations.xlsx", "credit_villages.xlsx"]
RTOL = 1e-9


@pytest.fixture(scope="module")
def spark_bundle(run_bundle) -> Path:
    """The three reports of the shared run's programme (as Parquet URIs) and params, run with
    ``engine: spark``: started in the background when the tests are collected
    (``tests/_runs.py``), waited for here."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    import _runs

    started = _runs._STARTED.get("spark_bundle") or _runs._start_spark_bundle(_runs.FACTORY[0])
    _runs._STARTED["spark_bundle"] = started
    r = started["run"].result()
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return (started["out"] / "latest").resolve()


def _applications(spark_bundle: Path) -> dict[str, str]:
    """Each Spark application's event log as text."""
    out = {}
    for log in sorted((spark_bundle.parent.parent / "spark-events").iterdir()):
        files = sorted(p for p in log.rglob("*") if p.is_file()) if log.is_dir() else [log]
        out[log.name] = "".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    return out


def test_programme_validated_on_the_executors_not_the_driver(spark_bundle):
    """No process loaded the programme on a driver: the local loader (which records ``validate``)
    never ran in the runner or in a report's kernel; the runner recorded one validation on Spark
    and each report read the snapshot. The runner's application read the raw Parquet tables,
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
    runner = [t for t in _applications(spark_bundle).values() if "InsertIntoHadoopFsRelationCommand" in t]
    assert len(runner) == 1
    assert "FlatMapGroupsInPandas" in runner[0] and "roster.parquet" in runner[0]
    assert "snapshot/tables/roster.parquet" in runner[0]


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


def test_reports_ran_their_steps_per_village_on_spark(spark_bundle):
    """Each report started a Spark application that scanned the snapshot's Parquet tables and ran
    grouped pandas steps (applyInPandas): identical figures below are then not the local
    engine's by accident."""
    apps = _applications(spark_bundle)
    assert len(apps) == len(NOTEBOOKS) + 1  # the runner's and one per report
    reports = [t for t in apps.values() if "InsertIntoHadoopFsRelationCommand" not in t]
    assert len(reports) == len(NOTEBOOKS)
    for text in reports:
        assert '"spark.master":"local[2]"' in text.replace(" ", "")
        assert text.count("FlatMapGroupsInPandas") >= 3  # pack, consensus or comparison, KPIs
        assert "snapshot/tables/reviews.parquet" in text  # read by Spark, not sent from the driver


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
