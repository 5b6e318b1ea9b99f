"""Fixtures of the SQL-source tests (defined in ``_sqlfix``)."""
from _sqlfix import pg_server, pg_url  # noqa: F401
