"""Reading and validating a programme without losing a row.

:func:`load_programme` reads every table of the data contract (``data/README.md``), maps Chinese
form headers to code names, parses and checks each column, and quarantines every row that breaks
a rule with a reason a bank clerk understands. For every table
``rows_read == rows_accepted + rows_quarantined``. :func:`validate_tables` applies the same rules
to tables already read (from a database, say).

A file that cannot be read, a table the contract does not know, or a missing required column
raises :class:`calib.errors.CalibInputError` naming the file and the column.

Modules: ``specs`` (the contract), ``read`` (files, encodings), ``parse`` (column parsers),
``checks`` (table rules, quarantine), ``load`` (the loader), ``snapshot`` (validated
snapshots and the load cache), ``ids`` (resident ID numbers),
``masking`` (personal data for display), ``quality`` (data-quality summaries).
"""
from __future__ import annotations

from calib.errors import CalibInputError
from calib.io.checks import default_strings as _default_strings
from calib.io.load import latest_model_run, load_programme, validate_tables, write_programme
from calib.io.masking import PII_COLUMNS, mask_values
from calib.io.parse import parse_amounts, parse_dates
from calib.io.read import file_sha256, read_table
from calib.io.snapshot import load_to_snapshot, read_snapshot, write_snapshot
from calib.io.specs import (BLANKS, DECLINE_WORDS, QUARANTINE_COLUMNS, REASON_TOTAL, SPECS,
                            SUFFIXES, Col)
from calib.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = [
    "load_programme",
    "validate_tables",
    "write_snapshot",
    "load_to_snapshot",
    "read_snapshot",
    "read_table",
    "latest_model_run",
    "parse_amounts",
    "parse_dates",
    "file_sha256",
    "write_programme",
    "SPECS",
    "SUFFIXES",
    "QUARANTINE_COLUMNS",
    "DECLINE_WORDS",
    "REASON_TOTAL",
    "BLANKS",
    "Col",
    "Programme",
    "TABLES",
    "REQUIRED_TABLES",
    "CalibInputError",
    "PII_COLUMNS",
    "mask_values",
]

# Private helpers of the former single-module calib.io, kept importable for existing code.
_LEGACY = {"_isin": ("calib._frames", "isin"), "_nfkc": ("calib.io._text", "nfkc"),
           "_decode": ("calib.io.read", "_decode"), "_norm_header": ("calib.io.read", "norm_header"),
           "_find_files": ("calib.io.read", "find_files"), "_Problems": ("calib.io.checks", "Problems"),
           "_parse_column": ("calib.io.parse", "parse_column")}


def __getattr__(name: str):
    if name in _LEGACY:
        import importlib

        mod, attr = _LEGACY[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'calib.io' has no attribute {name!r}")
