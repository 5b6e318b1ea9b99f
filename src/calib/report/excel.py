"""Side files (xlsx, csv) that cannot be turned against the staff who open them.

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
neutralised as OWASP's CSV-injection guidance advises: a single quote is put in front, so that
Excel and LibreOffice show the text instead of evaluating a formula (in xlsx the cell is also
typed as a string). Numbers stay numeric; personal data is masked (:mod:`calib.masking`); the
row index is never written.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.masking import mask_frame

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_frame", "write_csv", "write_xlsx", "count_rows"]

#: Data rows one worksheet holds: Excel's 1,048,576 rows less the header. A longer table goes on
#: in continuation sheets (``数据 (2)``, ...), each with the header (a province's investigation
#: list can pass a million households; Excel would open the rest of one sheet truncated).
SHEET_ROWS = 1_048_575

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text starting with a formula character.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x")'), neutralise(-3.5), neutralise("张村")
    ('\\'=HYPERLINK("http://x")', -3.5, '张村')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and text header) neutralised; numbers untouched."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out.isetitem(i, s.astype(object).map(neutralise))
    return out


def _prepare(frame: pd.DataFrame, mask: dict[str, str] | None, labels: bool) -> pd.DataFrame:
    out = mask_frame(frame, mask)
    if not (isinstance(out.index, pd.RangeIndex) and out.index.name is None):
        out = out.reset_index()
    if labels:
        from calib.report.display import headers
        from calib.report.labels import coded_words

        # coded values (verdicts, statuses, reasons, total rows, bin bounds) in words, as the
        # pages show them (one rule: labels.coded_words)
        for i in range(out.shape[1]):
            out.isetitem(i, coded_words(out.iloc[:, i]))
        out.columns = headers(list(out.columns))
    return neutralise_frame(out)


def write_csv(frame: pd.DataFrame, path: str | Path, *, mask: dict[str, str] | None = None,
              labels: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM (opens in Excel), masked and neutralised.

    Every text field is quoted (OWASP), so a carriage return inside a cell cannot start a row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : path
        Destination file.
    mask : dict, optional
        Extra personal-data columns (``column -> kind``).
    labels : bool
        Headers, and coded values (verdicts, statuses, reasons), in the reader's words (catalogue)
        instead of code names.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    _prepare(frame, mask, labels).to_csv(path, index=False, encoding="utf-8-sig",
                                         quoting=csv.QUOTE_NONNUMERIC)
    return path


def write_xlsx(sheets: pd.DataFrame | dict[str, pd.DataFrame], path: str | Path, *,
               mask: dict[str, str] | None = None, labels: bool = False) -> Path:
    """Write one or more tables to an xlsx workbook, masked and neutralised.

    Parameters
    ----------
    sheets : DataFrame or dict of sheet name -> DataFrame
        The tables (a single frame goes to sheet ``data``); a table longer than
        :data:`SHEET_ROWS` goes on in continuation sheets named ``<name> (2)``, ``(3)``, ...
    path : path
        Destination file.
    mask : dict, optional
        Extra personal-data columns (``column -> kind``).
    labels : bool
        Headers, coded values (verdicts, statuses, reasons) and sheet names (``sheet.<name>``
        in the catalogue, when there is one) in the reader's words instead of code names.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from openpyxl import Workbook

    path = Path(path)
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        if labels:
            from calib.report.labels import has, t

            name = t(f"sheet.{name}") if has(f"sheet.{name}") else name
        out = _prepare(frame, mask, labels)
        parts = max(1, -(-len(out) // SHEET_ROWS))
        for k in range(parts):
            title = str(neutralise(str(name)))
            if k:  # a continuation sheet, within Excel's 31 characters
                title = title[:31 - len(f" ({k + 1})")] + f" ({k + 1})"
            ws = wb.create_sheet(title[:31])
            ws.append([str(c) for c in out.columns])
            for row in out.iloc[k * SHEET_ROWS:(k + 1) * SHEET_ROWS].itertuples(index=False):
                ws.append([_cell(v) for v in row])
            for col in ws.iter_cols(min_row=1):
                for c in col:
                    if isinstance(c.value, str):
                        c.data_type = "s"
    wb.save(path)
    return path


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def count_rows(path: str | Path) -> int:
    """Data rows of a side file (header excluded; all sheets of a workbook), for the index.

    Parameters
    ----------
    path : path
        An ``.xlsx`` or ``.csv`` file written by :func:`write_xlsx` / :func:`write_csv` (or any
        CSV with one header line).
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return sum(max(ws.max_row - 1, 0) for ws in wb.worksheets)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
