"""SQL sources: a programme generated as the sample is (``_sqlfix.programme``) read from
PostgreSQL, SQLite and DuckDB validates exactly as the folder does (accepted tables, quarantine,
counts), with no password in any label."""
from __future__ import annotations

import os

import pandas as pd
import pytest

pytest.importorskip("sqlalchemy", reason="the sql extra is not installed: pip install -e '.[sql]'")
pytest.importorskip("psycopg", reason="the sql extra is not installed")

from calib.errors import CalibInputError, CalibParamsError
from calib.io import load_programme, read_table
from calib.programme import TABLES
from calib.sources.sql import (
    check_url_has_no_password,
    is_sql_url,
    load_sql_programme,
    read_raw_tables,
    redact_url,
)

from _sqlfix import AS_OF, PG_PASSWORD, chinese_names, programme, sample_frames, typed, write_tables, server_url

ZH_TABLES = {t: f"hz_{t}" for t in TABLES}


@pytest.fixture(scope="module")
def folder():
    return load_programme(programme(), as_of=AS_OF)


def assert_same_programme(db, folder) -> None:
    """Accepted tables, quarantine and counts equal; only the ``file`` labels differ."""
    for t in TABLES:
        a, b = db.table(t), folder.table(t)
        assert (a is None) == (b is None), t
        if a is not None:
            pd.testing.assert_frame_equal(a, b, obj=t)
    pd.testing.assert_frame_equal(db.quarantine.drop(columns="file"), folder.quarantine.drop(columns="file"))
    pd.testing.assert_frame_equal(db.counts.drop(columns="file"), folder.counts.drop(columns="file"))
    assert len(folder.quarantine) > 0  # the programme's injected bad rows are there to compare


def test_postgres_chinese_headers_text_columns_match_folder(pg_url, folder):
    prog, manifest = load_sql_programme(pg_url, as_of=AS_OF, schema="zh", tables=ZH_TABLES)
    assert_same_programme(prog, folder)
    assert manifest["tables"]["roster"]["source"] == "postgres:zh.hz_roster"
    assert set(prog.quarantine["file"]) <= {f"postgres:zh.hz_{t}" for t in TABLES}
    rows = {r.table: r.rows_read for r in folder.counts.itertuples()}
    assert {t: v["rows_read"] for t, v in manifest["tables"].items()} == rows


def test_postgres_code_names_typed_columns_match_folder(pg_url, folder):
    raw, labels, _ = read_raw_tables(pg_url, schema="code")
    assert str(raw["reviews"].schema.field("business_rating").type) == "int64"
    assert str(raw["loans"].schema.field("start_date").type).startswith("date")
    prog, _ = load_sql_programme(pg_url, as_of=AS_OF, schema="code")
    assert_same_programme(prog, folder)
    assert labels["reviews"] == "postgres:code.reviews"


def test_digest_independent_of_chunk_size_and_streams(pg_url):
    raw1, _, d1 = read_raw_tables(pg_url, schema="code", chunk_rows=997)
    raw2, _, d2 = read_raw_tables(pg_url, schema="code")
    assert d1 == d2
    assert raw1["reviews"].equals(raw2["reviews"])
    assert len(raw1["reviews"].to_batches()) >= raw1["reviews"].num_rows // 997  # read in chunks
    _, _, d3 = read_raw_tables(pg_url, schema="zh", tables=ZH_TABLES)
    assert d3["roster"] != d1["roster"]  # other headers, other rows read


def test_query_restricts_a_table(pg_url):
    town = sample_frames()["roster"]["乡镇"].iloc[0]
    q = f"SELECT * FROM code.roster WHERE township = '{town}'"
    raw, labels, _ = read_raw_tables(pg_url, schema="code", queries={"roster": q})
    roster = raw["roster"].to_pandas()
    assert set(roster["township"]) == {town}
    assert 0 < len(roster) < len(sample_frames()["roster"])
    assert labels["roster"] == "postgres:query(roster)"
    prog, _ = load_sql_programme(pg_url, as_of=AS_OF, schema="code", queries={"roster": q})
    c = prog.counts.set_index("table")
    assert c.loc["roster", "rows_read"] == len(roster)
    # reviews of the other townships' households are quarantined, none dropped
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    assert c.loc["reviews", "rows_quarantined"] > 0.5 * c.loc["reviews", "rows_read"]


def test_password_comes_from_environment_and_never_shows(pg_url, monkeypatch):
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", os.devnull)
    with pytest.raises(CalibInputError) as e:
        read_raw_tables(pg_url, schema="code")
    assert "password" in str(e.value).lower() and PG_PASSWORD not in str(e.value)
    with_pw = pg_url.replace("postgres@", f"postgres:{PG_PASSWORD}@")
    raw, labels, _ = read_raw_tables(with_pw, schema="code", tables={"points": "points"})
    assert PG_PASSWORD not in repr(labels) and "points" in raw
    with pytest.raises(CalibParamsError, match="PGPASSWORD"):
        check_url_has_no_password(with_pw)
    bad = with_pw.replace("/postgres?", "/nosuchdb?")
    with pytest.raises(CalibInputError) as e:
        read_raw_tables(bad)
    assert PG_PASSWORD not in str(e.value) and "nosuchdb" in str(e.value)


def test_missing_and_unknown_tables_are_named(pg_url):
    with pytest.raises(CalibInputError, match="required table 'roster' is missing"):
        read_raw_tables(pg_url, schema="zh")  # tables are called hz_*
    with pytest.raises(CalibInputError, match="'no_such_view'"):
        read_raw_tables(pg_url, schema="code", tables={"loans": "no_such_view"})
    with pytest.raises(CalibParamsError, match="unknown table 'reveiws'"):
        read_raw_tables(pg_url, schema="code", tables={"reveiws": "x"})


def test_sqlite_matches_folder(tmp_path, folder):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'programme.db'}"
    engine = sa.create_engine(url)
    write_tables(engine, sample_frames())
    engine.dispose()
    prog, manifest = load_sql_programme(url, as_of=AS_OF, chunk_rows=5000)
    assert_same_programme(prog, folder)
    assert manifest["tables"]["loans"]["source"] == "programme.db:loans"


def test_duckdb_typed_chinese_matches_folder(tmp_path, folder):
    sa = pytest.importorskip("sqlalchemy")
    pytest.importorskip("duckdb_engine")
    url = f"duckdb:///{tmp_path / 'programme.duckdb'}"
    engine = sa.create_engine(url)
    frames = sample_frames()
    write_tables(engine, {t: chinese_names(t, typed(t, df)) for t, df in frames.items()})
    engine.dispose()
    raw, _, _ = read_raw_tables(url, chunk_rows=4096)
    assert str(raw["reviews"].schema.field("经营情况").type) == "int64"
    assert str(raw["loans"].schema.field("放款日期").type).startswith(("date", "timestamp"))
    prog, _ = load_sql_programme(url, as_of=AS_OF)
    assert_same_programme(prog, folder)


def test_url_helpers():
    assert redact_url("mysql+pymysql://u:p%40ss@h/db?charset=utf8mb4") == "mysql+pymysql://u@h/db?charset=utf8mb4"
    assert redact_url("oracle+oracledb://u@h:1521/?service_name=x&password=y") == \
        "oracle+oracledb://u@h:1521/?service_name=x"
    assert is_sql_url("duckdb:///x.duckdb") and is_sql_url("oracle+oracledb://u@h/x")
    assert not is_sql_url("data/sample") and not is_sql_url("s3a://bucket/p")
    with pytest.raises(CalibParamsError, match="not a database URL"):
        read_raw_tables("ftp://x/y")
    check_url_has_no_password("sqlite:///x.db")  # nothing to complain about


def test_postgres_numeric_columns_quarantine_like_the_folder(pg_server, tmp_path):
    """NUMERIC(14,2) money columns (how a bank's credit system stores amounts) give the same
    accepted rows and the same quarantine values as the file they were staged from: an amount
    far over the cap is quarantined with the value written ``90000000``, not ``90000000.00``."""
    import shutil

    import sqlalchemy as sa

    folder = tmp_path / "prog"
    shutil.copytree(programme(), folder)
    runs = read_table(folder / "model_runs.csv")
    runs.loc[0, "model_limit"] = "90000000"
    runs.loc[1, "model_limit"] = "35000.5"
    runs.to_csv(folder / "model_runs.csv", index=False)
    url = server_url(pg_server)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA num"))
    frames = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
    write_tables(engine, {t: typed(t, df) for t, df in frames.items()}, "num")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE num.model_runs ALTER COLUMN model_limit TYPE NUMERIC(14,2)"))
    engine.dispose()
    raw, _, _ = read_raw_tables(url, schema="num")
    assert str(raw["model_runs"].schema.field("model_limit").type).startswith(("decimal", "double"))
    prog, _ = load_sql_programme(url, as_of=AS_OF, schema="num")
    ref = load_programme(folder, as_of=AS_OF)
    assert_same_programme(prog, ref)
    over = ref.quarantine[ref.quarantine["column"].astype(str).str.contains("model_limit")]
    assert "90000000" in set(over["value"].astype(str))
    assert "35000.5" not in set(ref.quarantine["value"].astype(str))
