"""Programme tables read from a database by SQLAlchemy URL, streamed in Arrow chunks.

:func:`read_raw_tables` finds the tables of the data contract (``data/README.md``) in a database
(by their contract names, or through a ``tables`` mapping to the bank's own table or view names,
in an optional ``schema``; a ``queries`` entry may replace a table by any ``SELECT``), reads each
in chunks of ``chunk_rows`` rows and returns one :class:`pyarrow.Table` per contract table, a
source label per table (``database:schema.table``, never a password) and a SHA-256 digest of the
rows read. Columns may be typed (numbers, dates) or all text: the data contract parses both.

Credentials never sit in the URL of a params file: PostgreSQL's driver reads ``PGPASSWORD`` or
``~/.pgpass``; for other drivers :func:`read_raw_tables` takes the password from the environment
variable ``CALIB_DB_PASSWORD`` when the URL has none. :func:`redact_url` gives the URL to record.

:func:`load_sql_programme` validates the tables with the same contract as a folder
(``calib.io.validate_tables`` when it exists, else through today's folder loader).
"""
from __future__ import annotations

import hashlib
import io as _stdio
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from calib.errors import CalibInputError, CalibParamsError
from calib.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = [
    "read_raw_tables",
    "load_sql_programme",
    "redact_url",
    "is_sql_url",
    "check_url_has_no_password",
    "source_manifest",
    "as_text_table",
    "SQL_SCHEMES",
]

#: URL schemes (SQLAlchemy dialect names) accepted as programme sources, with the pip package
#: that provides the default driver of each.
SQL_SCHEMES: dict[str, str] = {
    "postgresql": "psycopg[binary]",
    "postgres": "psycopg[binary]",
    "mysql": "pymysql",
    "mariadb": "pymysql",
    "oracle": "oracledb",
    "mssql": "pyodbc",
    "sqlite": "(built in)",
    "duckdb": "duckdb-engine",
}
PASSWORD_ENV = "CALIB_DB_PASSWORD"
_SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "sslpassword", "secret", "token")


def is_sql_url(source: object) -> bool:
    """True when ``source`` is a SQLAlchemy URL of an accepted scheme (not a folder path).

    Examples
    --------
    >>> is_sql_url("postgresql+psycopg://bank@db/credit"), is_sql_url("data/sample")
    (True, False)
    """
    m = re.match(r"^([A-Za-z][A-Za-z0-9]*)(\+[A-Za-z0-9_]+)?://", str(source))
    return bool(m) and m.group(1).lower() in SQL_SCHEMES


def _url(url: str):
    import sqlalchemy as sa

    if not is_sql_url(url):
        raise CalibParamsError(
            f"data_dir: {redact_url(url)!r} is not a database URL; accepted schemes are "
            f"{', '.join(sorted(SQL_SCHEMES))} (for example postgresql+psycopg://user@host/db)"
        )
    try:
        return sa.engine.make_url(str(url))
    except Exception as exc:  # sqlalchemy raises ArgumentError and ValueError
        raise CalibParamsError(f"data_dir: cannot read the database URL {redact_url(url)!r} ({exc})") from None


def redact_url(url: str) -> str:
    """The URL without its password (or password-like query arguments), for manifests and messages.

    Examples
    --------
    >>> redact_url("postgresql+psycopg://bank:s3cret@db:5432/credit?sslmode=require&password=x")
    'postgresql+psycopg://bank@db:5432/credit?sslmode=require'
    """
    text = str(url)
    text = re.sub(r"^([^:/]+://[^:@/]*):[^@/]*@", r"\1@", text)
    text = re.sub(rf"([?&])(?:{'|'.join(_SECRET_QUERY_KEYS)})=[^&]*&?", r"\1", text, flags=re.I)
    return re.sub(r"[?&]$", "", text)


def check_url_has_no_password(url: str, *, key: str = "data_dir") -> None:
    """Raise :class:`CalibParamsError` when a URL written in a params file carries a password.

    Parameters
    ----------
    url : str
        The URL as written in the params file.
    key : str
        The params key, named in the message.
    """
    if is_sql_url(url) and redact_url(url) != str(url):
        raise CalibParamsError(
            f"{key}: the database URL carries a password; remove it and set PGPASSWORD (or use "
            f"~/.pgpass) for PostgreSQL, or {PASSWORD_ENV} for other databases: {redact_url(url)}"
        )


def _engine(url: str):
    import sqlalchemy as sa

    u = _url(url)
    if u.password is None and os.environ.get(PASSWORD_ENV) and not u.drivername.startswith(("sqlite", "duckdb")):
        u = u.set(password=os.environ[PASSWORD_ENV])
    try:
        return sa.create_engine(u)
    except ModuleNotFoundError as exc:
        pkg = SQL_SCHEMES.get(u.get_backend_name(), exc.name)
        raise CalibInputError(
            f"{redact_url(url)}: the database driver is not installed ({exc.name}); "
            f"pip install {pkg!r} (or the project's extra: pip install 'calib[sql]')"
        ) from None
    except Exception as exc:
        raise CalibInputError(f"{redact_url(url)}: cannot open the database ({type(exc).__name__}: {exc})") from None


def _scrub(message: str, url: str) -> str:
    """An error message with the URL's password (and the environment's) removed."""
    secrets = [os.environ.get(PASSWORD_ENV), os.environ.get("PGPASSWORD")]
    m = re.match(r"^[^:/]+://[^:@/]*:([^@/]*)@", str(url))
    secrets.append(m.group(1) if m else None)
    for s in filter(None, secrets):
        message = message.replace(s, "***")
    return message.replace(str(url), redact_url(url))


def _label(url, schema: str | None, name: str) -> str:
    db = url.database or url.host or url.get_backend_name()
    if url.get_backend_name() in ("sqlite", "duckdb") and db:
        db = Path(db).name or db
    return f"{db}:{schema + '.' if schema else ''}{name}"


def _find_names(conn, schema: str | None, url: str) -> dict[str, str]:
    """Lower-cased name -> actual name of every table and view in ``schema``."""
    import sqlalchemy as sa

    insp = sa.inspect(conn)
    try:
        names = list(insp.get_table_names(schema=schema)) + list(insp.get_view_names(schema=schema))
    except Exception as exc:
        raise CalibInputError(
            f"{redact_url(url)}: cannot list the tables of schema {schema or '(default)'!r} "
            f"({type(exc).__name__}: {_scrub(str(exc), url)})"
        ) from None
    return {n.lower(): n for n in names}


def _resolve(conn, url: str, tables: Mapping[str, str], schema: str | None,
             queries: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Contract name -> ("table", db name) or ("query", sql) for every table to read."""
    for what, m in (("tables", tables), ("queries", queries)):
        unknown = sorted(set(m) - set(TABLES))
        if unknown:
            raise CalibParamsError(
                f"{what}: unknown table {unknown[0]!r}; the data contract's tables are {', '.join(TABLES)}"
            )
    found = _find_names(conn, schema, url)
    where = f"{redact_url(url)} (schema {schema!r})" if schema else redact_url(url)
    out: dict[str, tuple[str, str]] = {}
    for t in TABLES:
        if t in queries:
            out[t] = ("query", str(queries[t]))
            continue
        want = tables.get(t, t)
        name = found.get(str(want).lower())
        if name is not None:
            out[t] = ("table", name)
        elif t in tables:
            raise CalibInputError(
                f"{where}: table or view {want!r} (mapped to {t!r} in tables:) does not exist; "
                f"found: {', '.join(sorted(found.values())) or 'no tables'}"
            )
        elif t in REQUIRED_TABLES:
            raise CalibInputError(
                f"{where}: required table {t!r} is missing (name it {t!r}, map it in tables:, or give "
                f"a query); found: {', '.join(sorted(found.values())) or 'no tables'}"
            )
    return out


def _chunks(conn, kind: str, target: str, schema: str | None, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import sqlalchemy as sa

    if kind == "table":
        stmt = sa.select(sa.text("*")).select_from(sa.table(target, schema=schema))  # quoted, no reflection
    else:
        stmt = sa.text(target)
    yield from pd.read_sql(stmt, conn, chunksize=chunk_rows, coerce_float=False)


def _arrow_chunk(df: pd.DataFrame) -> pa.Table:
    """A chunk as Arrow, columns as the database typed them (objects of mixed type as text,
    decimals as float64)."""
    arrays = {}
    for c in df.columns:
        s = df[c]
        try:
            arr = pa.array(s, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array(s.astype("string"), from_pandas=True)
        if pa.types.is_decimal(arr.type):
            # NUMERIC(p,s) money columns: read as the number they hold, so a quarantined value is
            # written as the file would write it (``90000000``, not ``90000000.00``)
            arr = arr.cast(pa.float64(), safe=False)
        arrays[str(c)] = arr
    return pa.table(arrays)


def as_text_table(table: pa.Table) -> pa.Table:
    """Every column of an Arrow table as text, written the way the data contract reads it.

    Dates become ``YYYY-MM-DD``, timestamps ``YYYY-MM-DD HH:MM:SS``, booleans ``true``/``false``,
    numbers their shortest decimal form; nulls stay null.

    Parameters
    ----------
    table : pyarrow.Table
        Typed or text columns.

    Returns
    -------
    pyarrow.Table
        Same column names and rows, every column ``string``.
    """
    cols = []
    for col in table.columns:
        t = col.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            cols.append(col.cast(pa.string()))
        elif pa.types.is_date(t):
            cols.append(pc.strftime(col.cast(pa.timestamp("s")), format="%Y-%m-%d"))
        elif pa.types.is_timestamp(t):
            cols.append(pc.strftime(col.cast(pa.timestamp("s", tz=t.tz)), format="%Y-%m-%d %H:%M:%S"))
        elif pa.types.is_null(t):
            cols.append(pa.nulls(len(col), pa.string()))
        else:
            cols.append(col.cast(pa.string()))
    return pa.Table.from_arrays(cols, names=table.column_names)


def _read_one(conn, kind: str, target: str, schema: str | None, chunk_rows: int,
              where: str) -> tuple[pa.Table, str]:
    h = hashlib.sha256()
    parts: list[pa.Table] = []
    try:
        for i, df in enumerate(_chunks(conn, kind, target, schema, chunk_rows)):
            part = _arrow_chunk(df)
            if i == 0:
                h.update("\x1f".join(part.column_names).encode("utf-8") + b"\n")
            if part.num_rows:
                buf = _stdio.BytesIO()
                pacsv.write_csv(as_text_table(part), buf, pacsv.WriteOptions(include_header=False))
                h.update(buf.getvalue())
            parts.append(part)
    except CalibInputError:
        raise
    except Exception as exc:
        raise CalibInputError(f"{where}: cannot read ({type(exc).__name__}: {exc})") from None
    return _concat(parts), h.hexdigest()


def _concat(parts: list[pa.Table]) -> pa.Table:
    if len(parts) == 1:
        return parts[0]
    try:
        return pa.concat_tables(parts, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column typed differently chunk to chunk
        return pa.concat_tables([as_text_table(p) for p in parts])


def read_raw_tables(
    url: str,
    *,
    tables: Mapping[str, str] | None = None,
    schema: str | None = None,
    queries: Mapping[str, str] | None = None,
    chunk_rows: int = 200_000,
) -> tuple[dict[str, pa.Table], dict[str, str], dict[str, str]]:
    """Read the programme tables from a database, chunk by chunk, into Arrow tables.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``postgresql+psycopg://user@host:5432/db``, ``mysql+pymysql://...``,
        ``oracle+oracledb://...``, ``sqlite:///path.db``, ``duckdb:///path.duckdb``. Without a
        password: PostgreSQL reads ``PGPASSWORD``/``~/.pgpass``, others ``CALIB_DB_PASSWORD``.
    tables : mapping, optional
        Contract table name -> the bank's table or view name (the others are found by their
        contract names, case-insensitively).
    schema : str, optional
        Schema holding the tables (the connection's default when omitted).
    queries : mapping, optional
        Contract table name -> a ``SELECT`` read instead of the table (for example one county or
        one as-of date). Rows keep the query's order; add ``ORDER BY`` for a stable row number.
    chunk_rows : int
        Rows fetched per chunk (server-side cursor where the driver has one).

    Returns
    -------
    (dict, dict, dict)
        Contract name -> :class:`pyarrow.Table` (columns as in the database, typed or text);
        contract name -> source label ``database:schema.table`` (or ``database:query(name)``);
        contract name -> SHA-256 of the rows read (header, then rows as CSV text; independent of
        ``chunk_rows``).

    Raises
    ------
    CalibParamsError
        Bad URL, unknown table name in ``tables``/``queries``, ``chunk_rows`` < 1.
    CalibInputError
        Database unreachable, a required or mapped table missing, a query failing. Messages
        carry the URL without its password.
    """
    tables, queries = dict(tables or {}), dict(queries or {})
    if int(chunk_rows) < 1:
        raise CalibParamsError(f"chunk_rows: must be at least 1, got {chunk_rows}")
    u = _url(url)
    engine = _engine(url)
    raw: dict[str, pa.Table] = {}
    labels: dict[str, str] = {}
    digests: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(stream_results=True, max_row_buffer=int(chunk_rows))
            for t, (kind, target) in _resolve(conn, url, tables, schema, queries).items():
                labels[t] = _label(u, schema, target) if kind == "table" else _label(u, None, f"query({t})")
                raw[t], digests[t] = _read_one(conn, kind, target, schema, int(chunk_rows),
                                               f"{redact_url(url)}: table {t} ({labels[t]})")
    except (CalibInputError, CalibParamsError) as exc:
        raise type(exc)(_scrub(str(exc), url)) from None
    except Exception as exc:  # driver errors: connection refused, authentication failed, ...
        raise CalibInputError(
            f"{redact_url(url)}: cannot read the database ({type(exc).__name__}: {_scrub(str(exc), url)})"
        ) from None
    finally:
        engine.dispose()
    return raw, labels, digests


def source_manifest(url: str, labels: Mapping[str, str], digests: Mapping[str, str],
                    rows: Mapping[str, int]) -> dict[str, Any]:
    """What a bundle's manifest records about a database source (no password).

    Parameters
    ----------
    url : str
        The database URL.
    labels, digests : mapping
        As returned by :func:`read_raw_tables`.
    rows : mapping
        Contract name -> rows read.

    Returns
    -------
    dict
        ``{"url": redacted URL, "tables": {name: {"source", "rows_read", "sha256"}}}``.
    """
    return {
        "url": redact_url(url),
        "tables": {t: {"source": labels[t], "rows_read": int(rows[t]), "sha256": digests[t]} for t in labels},
    }


def load_sql_programme(
    url: str,
    *,
    as_of: str | pd.Timestamp | None = None,
    tables: Mapping[str, str] | None = None,
    schema: str | None = None,
    queries: Mapping[str, str] | None = None,
    chunk_rows: int = 200_000,
) -> tuple[Programme, dict[str, Any]]:
    """Read a programme from a database and validate it with the data contract.

    Parameters
    ----------
    url, tables, schema, queries, chunk_rows
        As for :func:`read_raw_tables`.
    as_of : str or Timestamp, optional
        Reference date, as for :func:`calib.io.load_programme`.

    Returns
    -------
    (Programme, dict)
        The validated programme (quarantine ``file`` and counts ``file`` are the source labels)
        and :func:`source_manifest` of what was read.
    """
    raw, labels, digests = read_raw_tables(url, tables=tables, schema=schema, queries=queries,
                                           chunk_rows=chunk_rows)
    prog = validate_raw(raw, as_of=as_of, labels=labels)
    return prog, source_manifest(url, labels, digests, {t: raw[t].num_rows for t in raw})


def validate_raw(raw: Mapping[str, pa.Table], *, as_of, labels: Mapping[str, str]) -> Programme:
    """The data contract on raw Arrow tables: ``calib.io.validate_tables`` when it exists, else
    the folder loader on the tables staged as text CSV (same parsing, checks and reasons)."""
    import calib.io as cio

    validate = getattr(cio, "validate_tables", None)
    return validate(raw, as_of=as_of, source=labels) if validate else _validate_via_folder(raw, as_of, labels)


def _validate_via_folder(raw: Mapping[str, pa.Table], as_of, labels: Mapping[str, str]) -> Programme:
    """Stand-in until ``calib.io.validate_tables`` exists: stage the tables as text CSV files in a
    temporary folder and run the folder loader on it, then name the sources instead of the files."""
    from calib.io import load_programme

    with tempfile.TemporaryDirectory(prefix="calib-sql-") as tmp:
        for t, table in raw.items():
            pacsv.write_csv(as_text_table(table), Path(tmp) / f"{t}.csv",
                            pacsv.WriteOptions(quoting_style="needed"))
        try:
            prog = load_programme(tmp, as_of=as_of)
        except CalibInputError as exc:
            msg = str(exc)
            for t, lab in labels.items():
                msg = msg.replace(f"{t}.csv", lab)
            raise CalibInputError(msg.replace(tmp, "database")) from None
    by_file = {f"{t}.csv": labels[t] for t in labels}
    prog.quarantine["file"] = prog.quarantine["file"].map(by_file).fillna(prog.quarantine["file"])
    prog.counts["file"] = prog.counts["file"].map(by_file)
    prog.path, prog.files = None, dict(labels)
    return prog
