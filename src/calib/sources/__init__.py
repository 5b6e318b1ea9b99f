"""Programme sources other than a folder of files.

:mod:`calib.sources.sql` reads the data-contract tables from a database by SQLAlchemy URL
(PostgreSQL, MySQL, Oracle, SQLite, DuckDB), in Arrow chunks.
"""
from __future__ import annotations

from calib.sources.sql import (
    check_url_has_no_password,
    is_sql_url,
    load_sql_programme,
    read_raw_tables,
    redact_url,
    source_manifest,
)

__all__ = [
    "read_raw_tables",
    "load_sql_programme",
    "redact_url",
    "is_sql_url",
    "check_url_has_no_password",
    "source_manifest",
]
