"""`calib run ... -p engine=spark` (Spark ``local[2]``) renders the local engine's figures: every
figure of metrics.json and every table the consensus, comparison and village reports write, to
1e-9 relative, on the small programme of the shared end-to-end run (``run_bundle``, local engine)."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _support import calib_cli, write_params

NOTEBOOKS = ["02_peer_consensus", "03_consensus_vs_model", "06_credit_villages"]
#: the tables these three reports write (a missing one fails: the comparison must not be empty)
TABLES = ["consensus_by_village.xlsx", "flagged_reviewers.xlsx", "exposure_by_village.xlsx",
          "investigations.xlsx", "credit_villages.xlsx"]
RTOL = 1e-9


@pytest.fixture(scope="module")
def spark_bundle(run_bundle, tmp_path_factory) -> Path:
    """The three reports of the shared run's programme and params, run with ``engine: spark``."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    tmp = tmp_path_factory.mktemp("spark-run")
    events = tmp / "spark-events"  # Spark's event logs: what each report's application ran
    events.mkdir()
    params = write_params(tmp, run_bundle.folder, notebooks=NOTEBOOKS, lang="en",
                          spark={"shuffle_partitions": 2, "conf": {
                              # start-up tuned for seconds-long test jobs (a JVM per report):
                              # C1-only JIT and serial GC start faster; no adaptive re-planning
                              # of tiny shuffles. Figures do not depend on either.
                              "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                              "spark.sql.adaptive.enabled": False,
                              "spark.eventLog.enabled": True, "spark.eventLog.dir": events.as_uri(),
                              "spark.eventLog.compress": False, "spark.eventLog.rolling.enabled": False}})
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    t0 = time.perf_counter()
    r = calib_cli("run", str(params), "--out", str(tmp / "reports"), "--jobs", "3",  # one per report
                  "--history", str(tmp / "history.sqlite"),
                  "-p", "engine=spark", "-p", "spark.master=local[2]", env=env)
    print(f"calib run -p engine=spark: {time.perf_counter() - t0:.1f} s")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return (tmp / "reports" / "latest").resolve()


def test_reports_ran_their_steps_per_village_on_spark(spark_bundle):
    """Each report started a Spark application that ran grouped pandas steps (applyInPandas):
    identical figures below are then not the local engine's by accident."""
    apps = sorted((spark_bundle.parent.parent / "spark-events").iterdir())
    assert len(apps) == len(NOTEBOOKS)
    for log in apps:
        files = sorted(p for p in log.rglob("*") if p.is_file()) if log.is_dir() else [log]
        text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
        assert '"spark.master":"local[2]"' in text.replace(" ", "")
        assert text.count("FlatMapGroupsInPandas") >= 3, log.name  # pack, consensus or comparison, KPIs


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
