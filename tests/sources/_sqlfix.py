"""Helpers and fixtures of the SQL-source tests: a real PostgreSQL 15 server for the SQL-source tests (Debian's binaries, Unix socket only).

The server runs as the ``postgres`` system user when the tests run as root (PostgreSQL refuses
root), in a temporary folder, with password authentication: the tests reach it through
``PGPASSWORD`` like a bank's deployment would, never with a password in the URL.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from calib.io import SPECS, read_table

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-06-30"
PG_BIN = Path(os.environ.get("CALIB_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PASSWORD = "calib-test-pw"
NUMERIC = {"amount", "limit", "nonneg", "float", "prob", "rate"}
INTEGER = {"rating", "flag01"}


def server_url(pg_server) -> str:
    """The SQLAlchemy URL of the test server (Unix socket, password from ``PGPASSWORD``)."""
    sock, db = pg_server
    return f"postgresql+psycopg://postgres@/{db}?host={sock}"


def _as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@functools.cache
def programme() -> Path:
    """The programme the SQL sources are staged from, in the test run's scratch folder: generated
    as ``data/sample`` is (same generator, Chinese headers, the injected bad rows of every kind),
    at a twelfth of its size (12 villages of 25 households in 3 townships): each test stages it
    into a database and validates it twice."""
    from calib import synth

    folder = Path(tempfile.mkdtemp(prefix="sql-programme-"))
    synth.write(synth.generate(seed=20, villages=12, households_per_village=25, townships=3), folder)
    return folder


def sample_frames() -> dict[str, pd.DataFrame]:
    """The programme's tables as text, exactly as the folder loader reads them."""
    return {p.stem: read_table(p) for p in sorted(programme().glob("*.csv"))}


def code_names(table: str, df: pd.DataFrame) -> pd.DataFrame:
    lookup = {z: c.name for c in SPECS[table] for z in c.zh}
    return df.rename(columns=lambda c: lookup.get(c, c))


def chinese_names(table: str, df: pd.DataFrame) -> pd.DataFrame:
    return code_names(table, df).rename(columns={c.name: c.zh[0] for c in SPECS[table]})


def typed(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give numbers and dates their SQL types where every value converts (else leave text)."""
    df = code_names(table, df).copy()
    for col in SPECS[table]:
        s = df.get(col.name)
        if s is None:
            continue
        if col.kind in NUMERIC | INTEGER:
            v = pd.to_numeric(s, errors="coerce")
            if not (v.isna() & s.notna()).any():
                df[col.name] = v.astype("Int64") if col.kind in INTEGER else v.astype(float)
        elif col.kind == "date":
            v = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
            if not (v.isna() & s.notna()).any():
                df[col.name] = v.dt.date
    return df


def write_tables(engine, frames: dict[str, pd.DataFrame], schema: str | None = None,
                 names: dict[str, str] | None = None) -> None:
    """Create and fill one table per frame (PostgreSQL: with COPY, as a bank stages a file)."""
    names = names or {}
    with engine.begin() as conn:
        for t, df in frames.items():
            name = names.get(t, t)
            if engine.dialect.name == "duckdb":  # DuckDB reads the frame itself (fast)
                raw = conn.connection.driver_connection
                raw.register("_frame", df.astype(object).where(df.notna(), None))
                raw.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
                raw.unregister("_frame")
                continue
            if engine.dialect.name != "postgresql":
                df.to_sql(name, conn, schema=schema, index=False, chunksize=5000)
                continue
            target = f'"{schema}"."{name}"' if schema else f'"{name}"'
            df.head(1).to_sql(name, conn, schema=schema, index=False)  # one row: column types inferred
            conn.exec_driver_sql(f"TRUNCATE {target}")
            _copy(conn, df, target)


def _copy(conn, df: pd.DataFrame, target: str) -> None:
    cols = ", ".join(f'"{c}"' for c in df.columns)
    rows = df.astype(object).where(df.notna(), None).itertuples(index=False, name=None)
    with conn.connection.cursor() as cur, cur.copy(f"COPY {target} ({cols}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


@pytest.fixture(scope="session")
def pg_server():
    """Start PostgreSQL 15 on a Unix socket; yields (socket folder, database name)."""
    if not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="calib-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    pwfile = base / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        for p in (sock, pwfile):
            shutil.chown(p, "postgres")
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                "--auth=scram-sha-256", f"--pwfile={pwfile}", "--encoding=UTF8",
                                "--locale=C.UTF-8"]), **run)
    opts = f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
    subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts,
                                "-l", str(base / "log"), "-w", "start"]), **run)
    old = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = PG_PASSWORD
    try:
        yield sock, "postgres"
    finally:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        if old is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = old
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """URL of the loaded database: schema ``zh`` (Chinese headers, all text, bank's own table
    names ``hz_<table>``) and schema ``code`` (code names, typed numbers and dates)."""
    import sqlalchemy as sa

    url = server_url(pg_server)
    frames = sample_frames()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE SCHEMA zh'))
        conn.execute(sa.text('CREATE SCHEMA code'))
    write_tables(engine, {t: chinese_names(t, df) for t, df in frames.items()}, "zh",
                 names={t: f"hz_{t}" for t in frames})
    write_tables(engine, {t: typed(t, df) for t, df in frames.items()}, "code")
    engine.dispose()
    return url
