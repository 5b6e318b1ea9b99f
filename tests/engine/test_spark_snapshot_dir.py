"""``spark.snapshot_dir``: the executors write the validated snapshot's tables to storage both the
driver and the executors see (here a ``file://`` folder outside the bundle, standing for
``hdfs://`` or ``s3a://``); the bundle keeps what an auditor needs (manifest with the tables' URIs
and digests, quarantine, counts) and no table; the report kernels read the tables from there
(pandas through pyarrow's filesystems, Spark through the URIs) and get the local loader's
programme; a table changed after the snapshot is refused."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from calib.errors import CalibInputError, CalibParamsError

AS_OF = "2026-06-30"


def test_snapshot_dir_must_be_a_uri_or_an_absolute_path():
    from calib.engine import validate_spark_settings
    from calib.engine.snapshot import run_snapshot_uri

    assert validate_spark_settings({"snapshot_dir": "hdfs:///calib/runs"})["snapshot_dir"] == "hdfs:///calib/runs"
    with pytest.raises(CalibParamsError, match="spark.snapshot_dir"):
        validate_spark_settings({"snapshot_dir": "runs/snapshots"})
    assert run_snapshot_uri("s3a://bank/calib/", "/r/.tmp-20261203T1200-ab12") == "s3a://bank/calib/20261203T1200-ab12"
    assert run_snapshot_uri("/mnt/shared", "/r/.tmp-x") == "file:///mnt/shared/x"
    assert run_snapshot_uri(None, "/r/.tmp-x") is None


@pytest.fixture(scope="module")
def written(spark, adversarial, tmp_path_factory):
    from calib.engine.snapshot import run_snapshot_uri, write_snapshot_on_spark

    tmp = tmp_path_factory.mktemp("snapdir")
    programme = tmp / "programme"  # the required tables only: fewer Spark jobs, same code paths
    programme.mkdir()
    for t in ("roster", "reviews", "model_runs"):
        shutil.copy(adversarial.folder / f"{t}.csv", programme / f"{t}.csv")
    bundle = tmp / "reports" / ".tmp-RUN1"
    shared = tmp / "shared"  # outside the bundle
    sources = {p.stem: p.resolve().as_uri() for p in sorted(programme.glob("*.csv"))}
    uri = run_snapshot_uri(shared.as_uri(), bundle)
    manifest, _ = write_snapshot_on_spark(spark, sources, bundle / "snapshot", as_of=AS_OF,
                                          buckets=2, tables_uri=uri)
    return {"bundle": bundle, "shared": shared / "RUN1", "uri": uri, "manifest": manifest, "programme": programme}


def test_tables_written_at_snapshot_dir_and_bundle_keeps_the_audit_files(written):
    bundle, shared, m = written["bundle"], written["shared"], written["manifest"]
    assert sorted(p.name for p in (bundle / "snapshot").iterdir()) == ["counts.parquet", "manifest.json",
                                                                       "quarantine.parquet"]
    assert m["snapshot_dir"] == written["uri"] and m["engine"] == "spark"
    assert json.loads((bundle / "snapshot" / "manifest.json").read_text(encoding="utf-8")) == m
    for t, e in m["tables"].items():
        assert e["uri"] == f"{written['uri']}/tables/{t}.parquet" and e["rows"] > 0
        assert list((shared / "tables" / f"{t}.parquet").glob("*.parquet")), t
    # the snapshot at snapshot_dir is complete by itself
    for name in ("manifest.json", "quarantine.parquet", "counts.parquet"):
        assert (shared / name).read_bytes() == (bundle / "snapshot" / name).read_bytes()


def test_kernels_read_the_local_loaders_programme_from_snapshot_dir(written, spark, tmp_path):
    """pandas (what report.open_run reads) and Spark (the per-village steps) both read the tables
    at snapshot_dir; the pandas read equals the local engine's snapshot table by table."""
    from calib.engine.dispatch import snapshot_programme
    from calib.engine.snapshot import is_spark_snapshot, read_spark_snapshot
    from calib.io import load_programme, read_snapshot, write_snapshot
    from calib.programme import TABLES

    snap = written["bundle"] / "snapshot"
    assert is_spark_snapshot(snap) and not is_spark_snapshot(tmp_path)
    got = read_spark_snapshot(snap)
    write_snapshot(load_programme(written["programme"], as_of=AS_OF), tmp_path / "local")
    want = read_snapshot(tmp_path / "local")
    for t in TABLES:
        if want.table(t) is None:
            assert got.table(t) is None, t
        else:
            pd.testing.assert_frame_equal(got.table(t), want.table(t), obj=t)
    assert len(want.quarantine) and len(want.roster)  # the hostile programme's planted values
    pd.testing.assert_frame_equal(got.quarantine, want.quarantine, check_dtype=False)
    pd.testing.assert_frame_equal(got.counts, want.counts, check_dtype=False)
    sp = snapshot_programme(spark, got, folder=str(snap))
    assert sp is not None
    files = sp.tables["reviews"].inputFiles()
    assert files and all(f.startswith(written["uri"] + "/tables/reviews.parquet") for f in files)
    assert sp.tables["reviews"].count() == len(want.reviews)


def test_a_table_changed_at_snapshot_dir_is_refused(written):
    from calib.engine.snapshot import read_spark_snapshot

    part = sorted((written["shared"] / "tables" / "reviews.parquet").glob("*.parquet"))[0]
    data = part.read_bytes()
    try:
        part.write_bytes(data + b"\0")
        with pytest.raises(CalibInputError, match="reviews.parquet is missing or was changed"):
            read_spark_snapshot(written["bundle"] / "snapshot")
    finally:
        part.write_bytes(data)
