"""Side files (xlsx, csv) that cannot be turned against the staff who open them.

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
neutralised as OWASP's CSV-injection guidance advises: a single quote is put in front, so that
Excel and LibreOffice show the text instead of evaluating a formula (in xlsx the cell is also
typed as a string). Numbers stay numeric; personal data is masked (:mod:`calib.masking`); the
row index is never written.
"""
from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.masking import mask_frame, round_figures

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


#: Excel number formats of the catalogue's display kinds (:data:`calib.report.fmt.KINDS`): a
#: workbook shows a figure as the page writes it (97.3%, 18,185.50, 7,077) and keeps its value.
NUMBER_FORMATS = {
    "int": "#,##0", "yuan": "#,##0", "yuan_year": "#,##0", "wan": "#,##0.00", "wan_year": "#,##0.00",
    "pct0": "0%", "pct1": "0.0%", "pct2": "0.00%", "pct3": "0.000%", "rate": "0.00%",
    "num1": "0.0", "num2": "0.00", "num3": "0.000", "num4": "0.0000",
    "p": '[<0.001]"< 0.001";0.000',  # as the pages: never 0.000 (nor 4.29E-06)
}
#: Kinds whose values are yuan that the pages (and the headers, ``（万元）``) give in 万元.
_IN_WAN = ("wan", "wan_year")


def _kinds(columns: list, given: Mapping[str, str] | None = None) -> list[str | None]:
    """Each column's display kind: ``given`` (a table's own, as ``calib.report.table``'s
    ``kinds``), else :func:`calib.report.labels.kind_of`, as on the pages."""
    from calib.report.labels import kind_of

    return [(given or {}).get(c) or kind_of(c) for c in map(str, columns)]


def _prepare(frame: pd.DataFrame, mask: dict[str, str] | None, labels: bool,
             kinds: list | None = None, given: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` masked, neutralised, figures rounded; with ``labels``, in the reader's words
    and units: headers and coded values as the pages give them, and money of the ``wan`` kinds
    in 万元 as their headers say (the pages' totals). ``kinds``, when given a list, receives
    each written column's display kind (None: none); ``given`` sets the kinds of some columns
    (the page's table of the same frame shows them so: one unit on the page and in the file)."""
    out = mask_frame(frame, mask)
    if out.index.nlevels == 1 and out.index.name is None and pd.api.types.is_integer_dtype(out.index):
        out = out.reset_index(drop=True)  # row positions (a sorted or filtered frame's): no column
    elif not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index()
    found = _kinds(list(out.columns), given) if labels else [None] * out.shape[1]
    if kinds is not None:
        kinds[:] = found
    if labels:
        from calib.report.display import headers
        from calib.report.labels import NAME_KINDS, coded_words, names_in_words

        # coded values (verdicts, statuses, reasons, total rows, bin bounds) in words, as the
        # pages show them (one rule: labels.coded_words); names of tables and columns as names
        for i in range(out.shape[1]):
            col = out.iloc[:, i]
            out.isetitem(i, names_in_words(col, found[i]) if found[i] in NAME_KINDS else coded_words(col))
            if found[i] in _IN_WAN and pd.api.types.is_numeric_dtype(out.iloc[:, i].dtype):
                out.isetitem(i, out.iloc[:, i] / 1e4)  # the header reads （万元）
        out.columns = headers(list(out.columns), given)
    out = neutralise_frame(out)
    for i in range(out.shape[1]):  # figures with at most 10 significant digits (round_figures)
        s = out.iloc[:, i]
        if pd.api.types.is_float_dtype(s.dtype):
            x = round_figures(s.to_numpy(dtype=float, na_value=np.nan))
            out.isetitem(i, pd.Series(x, index=s.index).astype(s.dtype))
        elif s.dtype == object:  # a mixed column (words and figures): its float cells alike
            cells = s.to_numpy(dtype=object, copy=True)
            floats = np.fromiter((isinstance(v, float | np.floating) for v in cells), bool, len(cells))
            if floats.any():
                cells[floats] = round_figures(cells[floats].astype(float)).tolist()
                out.isetitem(i, pd.Series(cells, index=s.index, dtype=object))
    return out


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
               mask: dict[str, str] | None = None, labels: bool = False,
               kinds: Mapping[str, str] | None = None) -> Path:
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
    kinds : dict, optional
        Display kinds of some columns (``column -> kind``), as ``calib.report.table``'s: give
        the same as the page's table of the frame, so that a figure has one unit in both
        (e.g. ``{"exposure_gap": "yuan"}`` for a per-household list).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import xlsxwriter

    from calib.report.labels import has, t

    path = Path(path)
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    # XlsxWriter streams the rows (constant memory) and types every cell explicitly: text is
    # written as a string, never read as a formula, a URL or a number
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
    used: set[str] = set()
    try:
        for name, frame in sheets.items():
            if labels and has(f"sheet.{name}"):
                name = t(f"sheet.{name}")
            found: list = []
            out = _prepare(frame, mask, labels, found, kinds)
            shown = [wb.add_format({"num_format": NUMBER_FORMATS[k]}) if k in NUMBER_FORMATS else None
                     for k in found]
            parts = max(1, -(-len(out) // SHEET_ROWS))
            for k in range(parts):
                ws = wb.add_worksheet(_sheet_title(str(name), k, used))
                for j, c in enumerate(out.columns):
                    ws.write_string(0, j, str(c))
                lo, hi = k * SHEET_ROWS, min((k + 1) * SHEET_ROWS, len(out))
                for b0 in range(lo, hi, _BLOCK_ROWS):  # Python values for one block of rows at a time
                    block = out.iloc[b0:min(b0 + _BLOCK_ROWS, hi)]
                    cells = [_column_cells(ws, block.iloc[:, i], formats, shown[i]) for i in range(block.shape[1])]
                    writers = [w for w, _ in cells]
                    # row by row (XlsxWriter's constant-memory mode writes each row once)
                    for r, row in enumerate(zip(*(v for _, v in cells)), start=b0 - lo + 1):
                        for j, v in enumerate(row):
                            if v is not None:
                                writers[j](r, j, v)
    finally:
        wb.close()
    return path


#: Characters a cell holds (Excel); a longer text is cut with a note saying so.
CELL_CHARS = 32_767

#: Rows turned into Python values at a time while a sheet is written.
_BLOCK_ROWS = 1 << 16

#: Characters a worksheet's name cannot hold (Excel).
_SHEET_BAD = str.maketrans({ch: "_" for ch in "[]:*?/\\"})


def _sheet_title(name: str, k: int, used: set[str]) -> str:
    """A valid, unique worksheet name: Excel's forbidden characters replaced, at most 31
    characters, no leading or trailing quote; ``name (k+1)`` for a continuation sheet."""
    base = name.translate(_SHEET_BAD).strip("'") or "data"
    tail = f" ({k + 1})" if k else ""
    title, n = base[:31 - len(tail)] + tail, 1
    while title.lower() in used:  # Excel compares names without case
        n += 1
        tail = f" ({k + 1}.{n})" if k else f" ({n})"
        title = base[:31 - len(tail)] + tail
    used.add(title.lower())
    return title


def _write(ws, r: int, c: int, v: Any, formats: dict) -> None:
    """One cell, typed by its Python value (missing values left blank)."""
    v = _cell(v)
    if v is None:
        return
    if isinstance(v, str):
        if len(v) > CELL_CHARS:  # Excel's limit: cut where the reader sees it, not silently
            note = f"…[{len(v):,} characters; cut to Excel's {CELL_CHARS:,}]"
            v = v[:CELL_CHARS - len(note)] + note
        ws.write_string(r, c, v)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v)
    elif isinstance(v, float):
        ws.write_number(r, c, _Figure(v))
    elif isinstance(v, int):
        ws.write_number(r, c, v)
    elif isinstance(v, _dt.datetime):
        ws.write_datetime(r, c, v.replace(tzinfo=None),
                          formats["date" if v.time() == _dt.time(0) else "datetime"])
    elif isinstance(v, _dt.date):
        ws.write_datetime(r, c, v, formats["date"])
    else:
        ws.write_string(r, c, str(neutralise(str(v))))


def _column_cells(ws, s: pd.Series, formats: dict, shown=None) -> tuple[Any, list]:
    """One column's writer and its cells as :func:`_write` would write them (None: blank).

    Columns whose dtype fixes the kind of every cell (numpy floats, integers and booleans,
    text) are turned into Python values at once and written by XlsxWriter's typed method,
    without :func:`_write`'s per-cell type dispatch (a third of the time of a province's
    200,000-row investigation list); other columns go cell by cell through :func:`_write`.
    ``shown``: the number format of the column's figures (:data:`NUMBER_FORMATS`)."""
    writer, cells = _typed_cells(ws, s, formats)
    if shown is None:
        return writer, cells
    if pd.api.types.is_integer_dtype(s.dtype) and isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        writer, cells = ws.write_number, s.astype(object).where(s.notna(), None).tolist()  # whole numbers
    if writer == ws.write_number:  # the figures of the column in the page's form
        return (lambda r, c, v: ws.write_number(r, c, v, shown)), cells
    return writer, cells


def _typed_cells(ws, s: pd.Series, formats: dict) -> tuple[Any, list]:
    """:func:`_column_cells` without a number format."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt) and not isinstance(dt, pd.api.extensions.ExtensionDtype):
        return ws.write_boolean, s.to_numpy().tolist()
    if pd.api.types.is_integer_dtype(dt) and not isinstance(dt, pd.api.extensions.ExtensionDtype):
        return ws.write_number, s.to_numpy().tolist()
    if pd.api.types.is_float_dtype(dt):
        x = s.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x)
        return ws.write_number, [_Figure(v) if f else None for v, f in zip(x.tolist(), ok.tolist())]
    if isinstance(dt, pd.StringDtype) and not bool((s.str.len() > CELL_CHARS).any()):
        return ws.write_string, s.to_numpy(dtype=object, na_value=None).tolist()
    return (lambda r, c, v: _write(ws, r, c, v, formats)), s.to_numpy(dtype=object).tolist()


class _Figure(float):
    """A float that XlsxWriter writes with its shortest exact digits (``repr``). XlsxWriter
    writes a number as ``f"{x:.16G}"``, which shows 16 digits of the binary value: 0.08132702392
    (a figure of :func:`calib.masking.round_figures`) would read ``0.08132702391999999``, a run
    of digits a data-leak scan takes for a phone number. The value is the same double."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return repr(float(self)) if spec in (".16G", ".16g") else float.__format__(self, spec)


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
