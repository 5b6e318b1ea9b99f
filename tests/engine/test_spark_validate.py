"""The data contract on Spark: the small adversarial programme of the shared run (hostile text,
planted personal values), plus an ID number and a loan number shared across households of
different villages (the checks that cross buckets), validated bucket by bucket on Spark gives
exactly the local loader's quarantine, counts and accepted rows. (The report run on Spark,
``test_spark_bundle.py``, checks its snapshot against the local loader's too, and takes the
validated tables through the per-village steps.)"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib.io import load_programme, read_table

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def folder(tmp_path_factory, adversarial) -> Path:
    out = tmp_path_factory.mktemp("dup-programme")
    for p in adversarial.folder.glob("*.csv"):
        shutil.copy(p, out / p.name)
    ro = read_table(out / "roster.csv")
    far = len(ro) - 5  # a person in another township takes the ID number of row 2's person
    ro.loc[far, "身份证"] = ro.loc[0, "身份证"]
    ro.to_csv(out / "roster.csv", index=False)
    ln = read_table(out / "loans.csv")
    ln.loc[len(ln) - 3, "loan_id"] = ln.loc[1, "loan_id"]
    ln.to_csv(out / "loans.csv", index=False)
    return out


def test_validation_on_spark_equals_local_loader(spark, folder):
    from calib.engine.validate import validate_on_spark

    raw = {p.stem: spark.read.option("header", True).option("multiLine", True).option("escape", '"')
           .csv(str(p)) for p in sorted(folder.glob("*.csv"))}
    accepted, q, counts = validate_on_spark(spark, raw, as_of=AS_OF, buckets=4,
                                            labels={t: f"{t}.csv" for t in raw})
    local = load_programme(folder, as_of=AS_OF)
    pd.testing.assert_frame_equal(q, local.quarantine)
    pd.testing.assert_frame_equal(counts, local.counts, check_dtype=False)
    reasons = " ".join(q["reason"])
    assert "duplicate person: same ID number as row 2" in reasons and "loan number used twice" in reasons
    c = counts.set_index("table")
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    for t in ("roster", "reviews", "loans", "reviewers", "village_assessments"):
        got = accepted[t].toPandas().sort_values("row").reset_index(drop=True)
        want = local.table(t).sort_values("row").reset_index(drop=True)
        assert got["row"].tolist() == want["row"].tolist(), t
        for col in want.columns:
            if pd.api.types.is_numeric_dtype(want[col]) and not pd.api.types.is_bool_dtype(want[col]):
                np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-12, err_msg=col)
            else:
                assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), (t, col)


def test_an_input_error_found_in_a_bucket_is_told_on_the_driver(spark, folder, tmp_path):
    """A rule over a whole column (limits written in 万元 under a yuan header) breaks inside
    the buckets, on the executors: the driver raises the loader's own error, no executor
    traceback."""
    from calib.engine.validate import validate_on_spark
    from calib.errors import CalibInputError

    rv = read_table(folder / "reviews.csv")
    v = pd.to_numeric(rv["proposed_limit"], errors="coerce")
    rv["proposed_limit"] = rv["proposed_limit"].where(v.isna(), (v / 10000).map(lambda x: f"{x:g}"))
    rv.to_csv(tmp_path / "reviews.csv", index=False)
    raw = {p.stem: spark.read.option("header", True).option("multiLine", True).option("escape", '"')
           .csv(str(tmp_path / "reviews.csv" if p.stem == "reviews" else p)) for p in sorted(folder.glob("*.csv"))}
    with pytest.raises(CalibInputError, match=r"^reviews.csv: proposed_limit \(合理授信额度\): .* the column reads as 万元"):
        validate_on_spark(spark, raw, as_of=AS_OF, buckets=1, labels={t: f"{t}.csv" for t in raw})


def _without_roster(folder: Path, tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A copy of the programme without its roster file, and the roster's rows (to be given
    another way)."""
    d = tmp_path / "programme"
    d.mkdir()
    for p in folder.glob("*.csv"):
        if p.stem != "roster":
            shutil.copy(p, d / p.name)
    return d, read_table(folder / "roster.csv")


def _same_by_file(accepted, q, counts, local) -> None:
    """Spark's validation of a roster given as a folder equals the local loader's: quarantine,
    counts, and each accepted row's file and row in it."""
    pd.testing.assert_frame_equal(q, local.quarantine)
    pd.testing.assert_frame_equal(counts, local.counts, check_dtype=False)
    got = accepted["roster"].toPandas().sort_values(["file", "row"]).reset_index(drop=True)
    want = local.roster.sort_values(["file", "row"]).reset_index(drop=True)
    assert got[["file", "row", "id_number"]].values.tolist() == want[["file", "row", "id_number"]].values.tolist()


def test_a_table_given_as_a_folder_of_part_files_is_numbered_by_file_as_locally(spark, folder, tmp_path):
    """``roster.csv/`` as Spark writes a table (part files): Spark numbered its rows across the
    parts and named the folder; the local loader numbers them in each part and names the part.
    Both now give the same quarantine, counts and accepted rows (with their ``file``)."""
    from calib.engine.validate import validate_on_spark

    d, ro = _without_roster(folder, tmp_path)
    parts = d / "roster.csv"
    parts.mkdir()
    cut = len(ro) // 3
    ro.iloc[:cut].to_csv(parts / "part-00000-c000.csv", index=False)
    ro.iloc[cut:].to_csv(parts / "part-00001-c000.csv", index=False)
    (parts / "_SUCCESS").write_text("")
    local = load_programme(d, as_of=AS_OF)
    assert set(local.quarantine.loc[local.quarantine["table"] == "roster", "file"]) >= {
        "roster.csv/part-00001-c000.csv"}
    raw = {p.stem if p.is_file() else "roster": spark.read.option("header", True).option("multiLine", True)
           .option("escape", '"').csv(str(p)) for p in sorted(d.iterdir())}
    accepted, q, counts = validate_on_spark(spark, raw, as_of=AS_OF, buckets=3,
                                            labels={t: "roster.csv/" if t == "roster" else f"{t}.csv" for t in raw})
    _same_by_file(accepted, q, counts, local)


def test_a_table_given_as_a_folder_of_parquet_parts_is_numbered_by_file_as_locally(spark, folder, tmp_path):
    """``roster.parquet/`` as Spark writes a table: the local loader numbers the rows in each
    part and names the part; Spark numbered them across the parts (a Parquet file may be split
    between partitions) and named the folder. Spark now numbers each row by its file's row
    index: the same quarantine, counts and accepted rows (with their ``file``)."""
    from calib.engine.snapshot import _label, read_raw_tables
    from calib.engine.validate import validate_on_spark

    d, ro = _without_roster(folder, tmp_path)
    parts = d / "roster.parquet"
    parts.mkdir()
    cut = len(ro) // 3
    ro.iloc[:cut].astype(str).to_parquet(parts / "part-00000-c000.parquet", index=False, row_group_size=97)
    ro.iloc[cut:].astype(str).to_parquet(parts / "part-00001-c000.parquet", index=False, row_group_size=97)
    (parts / "_SUCCESS").write_text("")
    local = load_programme(d, as_of=AS_OF)
    lq = local.quarantine
    assert set(lq.loc[lq["table"] == "roster", "file"]) >= {"roster.parquet/part-00001-c000.parquet"}
    sources = {p.stem: p.resolve().as_uri() for p in sorted(d.iterdir())}
    labels = {t: _label(u) for t, u in sources.items()}
    assert labels["roster"] == "roster.parquet/"
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")  # each part split between partitions
    try:
        raw = read_raw_tables(spark, sources)
        assert raw["roster"].rdd.getNumPartitions() > 2
        accepted, q, counts = validate_on_spark(spark, raw, as_of=AS_OF, buckets=3, labels=labels)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    _same_by_file(accepted, q, counts, local)


def test_a_gb18030_file_is_read_by_spark_in_its_encoding(spark, folder, tmp_path):
    """A CSV that Excel on a Chinese Windows saved (GB18030) was read by Spark as UTF-8: its
    Chinese values (villages, names, statuses) became U+FFFD without an error when the headers
    were code names. Spark now reads a local file in the encoding the local loader detects, and
    gives the local loader's figures."""
    from calib.engine.snapshot import read_raw_tables
    from calib.engine.validate import validate_on_spark

    d = tmp_path / "gb"
    d.mkdir()
    for p in folder.glob("*.csv"):
        text = p.read_text(encoding="utf-8-sig")
        if p.stem in ("roster", "reviewers"):
            (d / p.name).write_bytes(text.encode("gb18030"))
        else:
            (d / p.name).write_text(text, encoding="utf-8")
    local = load_programme(d, as_of=AS_OF)
    sources = {p.stem: p.resolve().as_uri() for p in sorted(d.glob("*.csv"))}
    for given in (None, {"roster": "gb18030", "reviewers": "GBK"}):  # detected, or the run's `encoding`
        raw = read_raw_tables(spark, sources, given)
        accepted, q, counts = validate_on_spark(spark, raw, as_of=AS_OF, buckets=2, labels={t: f"{t}.csv" for t in raw})
        pd.testing.assert_frame_equal(q, local.quarantine)
        pd.testing.assert_frame_equal(counts, local.counts, check_dtype=False)
        got = accepted["roster"].toPandas().sort_values("row")
        assert got["village"].tolist() == local.roster.sort_values("row")["village"].tolist()
        assert not got["name"].str.contains("\ufffd").any()


def test_a_gb18030_file_elsewhere_than_this_machine_is_read_in_its_encoding(spark, folder, tmp_path, monkeypatch):
    """A source given as a path of the cluster's file system (``/data/...``, ``hdfs://...``) was
    read as UTF-8 with no look at its bytes: a GB18030 roster's Chinese became U+FFFD. Its
    encoding is now told from the first bytes of each file, read through the session's Hadoop
    file system (here the local one, Spark's default file system in local mode), cut to whole
    lines (a head cut inside a two-byte character still reads)."""
    from calib.engine import snapshot as S
    from calib.engine.validate import validate_on_spark
    from calib.errors import CalibInputError

    d = tmp_path / "gb"
    d.mkdir()
    for p in folder.glob("*.csv"):
        text = p.read_text(encoding="utf-8-sig")
        if p.stem == "reviewers":
            (d / p.name).write_bytes(text.encode("gb18030"))
        elif p.stem == "roster":  # as Spark writes a table: part files beside _SUCCESS
            (d / "roster.csv").mkdir()
            lines = text.splitlines(keepends=True)
            half = len(lines) // 2
            (d / "roster.csv" / "part-00000.csv").write_bytes("".join(lines[:half]).encode("gb18030"))
            (d / "roster.csv" / "part-00001.csv").write_bytes("".join(lines[:1] + lines[half:]).encode("gb18030"))
            (d / "roster.csv" / "_SUCCESS").write_bytes(b"")
        else:
            (d / p.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(S, "HEAD_BYTES", 999)  # an odd cut: inside a character of the first lines
    sources = {p.stem: str(p) for p in sorted(d.glob("*.csv"))}  # no scheme: the cluster's default
    heads = S._remote_heads(spark, sources["roster"])
    assert [n for n, *_ in heads] == ["part-00000.csv", "part-00001.csv"]
    assert heads[0][1:] == ((d / "roster.csv" / "part-00000.csv").read_bytes()[:999], 999)
    assert S._charset(sources["roster"], None, spark) == "GB18030"
    assert S._charset(sources["reviewers"], None, spark) == "GB18030"
    assert S._charset(sources["reviews"], None, spark) == "UTF-8"
    labels = {t: S._label(u, spark) for t, u in sources.items()}
    assert labels["roster"] == "roster.csv/" and labels["reviews"] == "reviews.csv"  # a folder: rows named by file
    accepted, q, counts = validate_on_spark(spark, S.read_raw_tables(spark, sources), as_of=AS_OF, buckets=2,
                                            labels=labels)
    local = load_programme(d, as_of=AS_OF)
    assert set(local.quarantine.loc[local.quarantine["table"] == "roster", "file"]) >= {"roster.csv/part-00001.csv"}
    pd.testing.assert_frame_equal(q, local.quarantine)
    pd.testing.assert_frame_equal(counts, local.counts, check_dtype=False)
    got = accepted["roster"].toPandas()
    assert not got["name"].str.contains("\ufffd").any() and not got["village"].str.contains("\ufffd").any()
    assert sorted(got["name"]) == sorted(local.roster["name"])
    (d / "roster.csv" / "part-00001.csv").write_text((d / "roster.csv" / "part-00001.csv").read_bytes()
                                                     .decode("gb18030"), encoding="utf-8")
    with pytest.raises(CalibInputError, match=r"roster.csv: its files are in different encodings "
                       r"\(part-00000.csv GB18030, part-00001.csv UTF-8\)"):
        S._charset(sources["roster"], None, spark)
    monkeypatch.setattr(S, "HEAD_FILES", 1)  # a file past the first ones: fewer bytes, looked at all the same
    monkeypatch.setattr(S, "MORE_BYTES", 700)
    assert [h[2] for h in S._remote_heads(spark, sources["roster"])] == [999, 700]
    with pytest.raises(CalibInputError, match="part-00001.csv UTF-8"):
        S._charset(sources["roster"], None, spark)


def test_bytes_spark_cannot_read_in_the_charset_are_an_error_naming_file_row_and_column(spark, folder, tmp_path,
                                                                                         monkeypatch):
    """Spark's CSV reader puts U+FFFD for bytes not valid in its charset, without an error: a
    roster whose first bytes are UTF-8 and whose later lines are GB18030 (two exports joined)
    was validated with those villagers' names and villages as U+FFFD, where the local loader
    stops on the file. The bucket holding such a row now stops the validation, naming the file,
    the row and the column; a header read in a wrong charset (the run's ``encoding``) too."""
    import csv
    import io

    from calib.engine import snapshot as S
    from calib.engine.validate import validate_on_spark
    from calib.errors import CalibInputError

    d = tmp_path / "mixed"
    d.mkdir()
    for p in folder.glob("*.csv"):
        shutil.copy(p, d / p.name)
    text = (folder / "roster.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    cut = next(i for i in range(1, len(lines)) if len("".join(lines[:i]).encode()) > 4000)
    data = "".join(lines[:cut]).encode("utf-8") + "".join(lines[cut:]).encode("gb18030")
    (d / "roster.csv").write_bytes(data)
    with pytest.raises(CalibInputError, match="roster.csv: lines 1 to"):  # the local loader stops on it
        load_programme(d, as_of=AS_OF)
    monkeypatch.setattr(S, "HEAD_BYTES", 3000)  # the first bytes, all UTF-8
    sources = {p.stem: str(p) for p in sorted(d.glob("*.csv"))}  # no scheme: the cluster's default
    charsets: dict[str, str] = {}
    raw = S.read_raw_tables(spark, sources, None, charsets)
    assert charsets["roster"] == "UTF-8"
    # the oracle: the file read as Spark reads it, the first row and column holding U+FFFD
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))))
    row, column = next((i + 1, rows[0][j]) for i, r in enumerate(rows) if i for j, v in enumerate(r) if "\ufffd" in v)
    assert row > cut // 2
    with pytest.raises(CalibInputError) as err:  # the first such row of all the buckets' (with 4, not in the
        # lowest bucket with one)
        validate_on_spark(spark, raw, as_of=AS_OF, buckets=4, labels={t: f"{t}.csv" for t in raw}, charsets=charsets)
    assert str(err.value) == (f"roster.csv: row {row:,}, column {column}: bytes that are not valid UTF-8 (Spark "
                              "reads them as U+FFFD); save the file as UTF-8 CSV or name its encoding (the run's "
                              "`encoding`)")
    (d / "roster.csv").write_bytes(text.encode("gb18030"))  # GB18030 throughout, named UTF-8 by the run
    charsets = {}
    raw = S.read_raw_tables(spark, sources, {"roster": "utf-8"}, charsets)
    with pytest.raises(CalibInputError, match=r"^roster.csv: the header row has bytes that are not valid UTF-8"):
        validate_on_spark(spark, raw, as_of=AS_OF, buckets=1, labels={t: f"{t}.csv" for t in raw}, charsets=charsets)


def test_a_folder_of_village_csv_files_is_read_by_spark_as_locally(spark, folder, tmp_path):
    """人员信息采集表/ holding a CSV per village (and a 说明.txt) was loaded on the driver; Spark
    now reads it (only its CSV files), numbers and names its rows by file, and digests it as
    the local loader does."""
    from types import SimpleNamespace

    from calib.engine.snapshot import _label, input_digests, programme_sources, write_snapshot_on_spark
    from calib.io import read_snapshot, write_snapshot

    d, ro = _without_roster(folder, tmp_path)
    villages = d / "人员信息采集表"
    villages.mkdir()
    first = ro["行政村名称"] == ro["行政村名称"].iloc[0]
    ro[first].to_csv(villages / "1-东村.csv", index=False)
    ro[~first].to_csv(villages / "2-西村.csv", index=False)
    (villages / "说明.txt").write_text("各村报送", encoding="utf-8")
    local = load_programme(d, as_of=AS_OF)
    sources = programme_sources(SimpleNamespace(spark=SimpleNamespace(tables={}), data_dir=d))
    assert sources is not None and sources["roster"] == "file://" + str(villages.resolve())
    labels = {t: _label(u) for t, u in sources.items()}
    assert labels["roster"] == "人员信息采集表/"
    # validated on Spark into a snapshot (read back as a report kernel reads it)
    write_snapshot_on_spark(spark, sources, tmp_path / "snap", as_of=AS_OF, buckets=2)
    back = read_snapshot(tmp_path / "snap")
    pd.testing.assert_frame_equal(back.quarantine, local.quarantine)
    pd.testing.assert_frame_equal(back.counts, local.counts, check_dtype=False)
    assert input_digests(spark, sources) == local.digests
    # the accepted rows' dtypes as the local loader's snapshot gives them (the file: categorical)
    write_snapshot(local, tmp_path / "local-snap")
    here = read_snapshot(tmp_path / "local-snap").roster
    assert back.roster.dtypes.to_dict() == here.dtypes.to_dict()
    assert isinstance(back.roster["file"].dtype, pd.CategoricalDtype)
    assert back.roster.sort_values(["file", "row"])[["file", "row", "village"]].values.tolist() == \
        here.sort_values(["file", "row"])[["file", "row", "village"]].values.tolist()
    (villages / "3-北村.xlsx").write_bytes(b"")  # a workbook among them: loaded on the driver
    assert programme_sources(SimpleNamespace(spark=SimpleNamespace(tables={}), data_dir=d)) is None
