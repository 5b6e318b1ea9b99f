"""Loading a programme: from files (or already-read tables) to a validated :class:`Programme`."""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from calib._progress import step_extra
from calib.errors import CalibInputError
from calib.io.checks import (RULE_COLUMNS, WHOLE_ROW, Problems, check_table, clean_keys,
                              finish_quarantine, finish_table, places_ahead, range_flags, rule_keys,
                              not_data_rows)
from calib.io._text import arrow, nfkc_arrow, reasons, series
from calib.io._threads import SMALL_BYTES, SMALL_CELLS, is_small, later, ordered_map, read_ahead, small, workers
from calib.io.parse import parse_cells, parse_id_column
from calib.io.read import (PROBLEM, RESERVED, ROW, SHEET, find_files, input_sha256, table_files, note_load, per_table, read_raw, shown_headers,
                           text_table)
from calib.io.specs import (DIGIT_COLUMNS, FORM_HEADERS, KEY_COLUMNS, KNOWN_HEADERS, REASON_CONTROL,
                            REASON_EXCEL_NUMBER, SPECS, header_names)
from calib.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = ["load_programme", "validate_tables", "latest_model_run", "write_programme"]

#: Each table as it starts and ends, at INFO (shown by :func:`calib._progress.show_progress`).
_log = logging.getLogger("calib.io")


def _missing_column(df: pd.DataFrame, table: str, label: str, col) -> CalibInputError:
    found = [str(c) for c in df.columns if c not in RESERVED]
    if not set(found) & KNOWN_HEADERS and not {c.lower() for c in found} & KNOWN_HEADERS:
        examples = ", ".join(shown_headers(found)[:4])
        return CalibInputError(f"{label}: no header row: the first row looks like data (e.g. {examples}); "
                               f"add the header row ({', '.join(c.name for c in SPECS[table][:4])}, ...)")
    return CalibInputError(f"{label}: required column {col.name!r} ({' / '.join(col.zh)}) is missing; "
                           f"columns found: {', '.join(shown_headers(found))}")


#: A header with its unit in brackets, as forms write amounts: ``合理授信额度（万元）`` (NFKC has
#: made the brackets ASCII).
_UNIT = re.compile(r"(.+?)\s*[(\[]\s*(万元|万|元)\s*[)\]]")
#: Kinds whose values are yuan: a header in 万元 multiplies them.
_MONEY_KINDS = ("amount", "limit")
#: A cell already holding its unit, or not a plain number (a decline word): left as written.
_PLAIN_NUMBER = r"^[-+]?[0-9.,]+$"


def _in_wan(s: pd.Series) -> pd.Series:
    """Amounts of a column whose header says 万元, in the loader's yuan: each plain number
    written with its unit (``5`` -> ``5万``, read as 50,000); cells with their own unit (``5万``,
    ``50000元``) and words (``拒绝``) as written."""
    a = nfkc_arrow(s)
    plain = pc.fill_null(pc.match_substring_regex(a, _PLAIN_NUMBER), False)
    return series(pc.if_else(plain, pc.binary_join_element_wise(a, pa.scalar("万", a.type), pa.scalar("", a.type)), a), s.index)


def _map_headers(df: pd.DataFrame, table: str, label: str) -> tuple[pd.DataFrame, list[str]]:
    specs, lookup = SPECS[table], header_names(table)
    kinds = {c.name: c.kind for c in specs}
    rename, seen, ignored, wan = {}, {}, [], []
    for c in df.columns:
        key = lookup.get(c) or lookup.get(c.lower())
        unit = None
        if key is None and (m := _UNIT.fullmatch(c)):
            key, unit = lookup.get(m[1]) or lookup.get(m[1].lower()), m[2]
            if key is not None and kinds[key] not in _MONEY_KINDS:
                raise CalibInputError(f"{label}: the header {c!r} gives a unit in yuan to {key!r}, which is not an amount")
        if key is None:
            if c not in RESERVED:
                ignored.append(c)
            continue
        if key in seen:
            raise CalibInputError(f"{label}: columns {seen[key]!r} and {c!r} both map to {key!r}; keep one")
        seen[key] = c
        rename[c] = key
        if unit in ("万元", "万"):
            wan.append(key)
    out = df[list(rename)].rename(columns=rename)
    for key in wan:  # amounts in 万元 (the header says so): in yuan from here
        out[key] = _in_wan(out[key])
    for col in specs:
        if col.required and col.name not in out.columns:
            raise _missing_column(df, table, label, col)
        if col.name not in out.columns:
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out[[c.name for c in specs]], shown_headers(ignored)


class _Reasons:
    """One column's reasons, kept as a mask of the cells with one and an object array made only
    when a cell has one (most columns of a real file have none): one comparison of the parser's
    reasons with ``""``, then masks."""

    def __init__(self, n: int, reason: np.ndarray | None):
        self.n = n
        if reason is None:
            self.has, self.text = np.zeros(n, dtype=bool), None
        else:
            self.has = reason != ""
            self.text = reason if self.has.any() else None
        self._own = False

    def set(self, mask: np.ndarray, text: str | np.ndarray, *, override: bool) -> None:
        """Give ``text`` to the cells of ``mask`` (only to those without a reason unless
        ``override``)."""
        mask = np.asarray(mask, dtype=bool)
        if not override:
            mask = mask & ~self.has
        if not mask.any():
            return
        if self.text is None:
            self.text, self._own = np.full(self.n, "", dtype=object), True
        elif not self._own:
            self.text, self._own = np.array(self.text, dtype=object, copy=True), True
        self.text[mask] = text if isinstance(text, str) else np.asarray(text, dtype=object)[mask]
        self.has |= mask


def _parse_one(table: str, col, raw: pd.Series, bad_key: np.ndarray | None,
               numeric: np.ndarray | None, as_of: pd.Timestamp):
    """One column's per-row rules: its parsed values, its reasons (:class:`_Reasons`) and, for
    the ID column, the parsed IDs' birth date, sex and age. Touches nothing but its arguments
    (columns are parsed on several threads, :func:`calib.io._threads.ordered_map`)."""
    n, ids = len(raw), None
    if col.kind == "text":  # text is its own value: no parser, no reasons
        values, reason = raw, None
    elif col.kind == "id":
        values, reason, ids = parse_id_column(col, raw, as_of)
        ids = ids[["birth_date", "sex", "age"]]  # what the checks and derived columns use
    else:
        values, reason = parse_cells(col, raw, as_of)
    r = _Reasons(n, reason)
    del reason
    if col.required and col.kind != "id":
        r.set(raw.isna().to_numpy(), f"required value {col.name} is blank", override=False)
    if bad_key is not None:
        r.set(bad_key, REASON_CONTROL, override=True)
    for mask, text in range_flags(table, col, values, ~r.has, as_of):
        r.set(mask, text, override=False)
    if numeric is not None:
        r.set(numeric, REASON_EXCEL_NUMBER, override=True)
    values = values.reset_index(drop=True) if isinstance(values, pd.Series) else values
    return values, r, ids


def _parse_table(table: str, mapped: pd.DataFrame, numeric: dict[str, np.ndarray], probs: Problems,
                 as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    keys = [c.name for c in SPECS[table] if c.name in KEY_COLUMNS and c.kind == "text"]
    bad_keys = {}
    # keys cleaned first: a total row is recognised in clean text
    for name, (clean, bad) in zip(keys, ordered_map(clean_keys, [(mapped[k],) for k in keys])):
        mapped[name], bad_keys[name] = clean, bad
    not_data_rows(mapped, probs)  # total and empty rows
    out, ids = {}, None

    def work():  # drawn lazily: each column's text is taken from ``mapped`` when its work starts
        for col in SPECS[table]:
            yield (table, col, mapped[col.name], bad_keys.pop(col.name, None),
                   numeric.get(col.name) if col.name in DIGIT_COLUMNS else None, as_of)

    # the columns are parsed on several threads; their results are recorded in column order
    for col, (values, r, col_ids) in zip(SPECS[table], ordered_map(_parse_one, work())):
        if r.text is not None:
            probs.add(r.has, col.name, r.text)
        out[col.name] = values
        if col_ids is not None:
            ids = col_ids
        del values, r, col_ids
        if col.kind != "text" and col.name not in RULE_COLUMNS[table]:
            del mapped[col.name]  # its problems are recorded: the text can go (peak memory)
    return pd.DataFrame(out, copy=False), ids  # the parsed arrays are the frame's (no copy)


def _keep_rows(df: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``df.loc[keep]`` with a fresh RangeIndex. Arrow text columns are filtered by Arrow (pandas
    would take them row by row through an index array) into one contiguous buffer each, even
    when every row is kept: the read's many small blocks, shared with the columns already let
    go, can then be returned to the system (0.3 GB less peak RSS at 1M households). The text
    columns are copied on several threads (Arrow releases the GIL; results in column order).
    ``df`` is emptied (its columns are moved out one at a time)."""
    everything = bool(keep.all())
    mask = None if everything else pa.array(keep)
    columns, out = list(df.columns), {}
    text = {c for c in columns if isinstance(df[c].dtype, pd.StringDtype) and df[c].dtype.storage == "pyarrow"}

    def compact(a: pa.ChunkedArray) -> pa.ChunkedArray:
        kept = (a if everything else pc.filter(a, mask)).combine_chunks()
        return pa.chunked_array([kept], kept.type)

    def work():  # each source column is let go as soon as its work is drawn (peak memory)
        for c in columns:
            if c in text:
                yield (arrow(df.pop(c)),)

    texts = ordered_map(compact, work())
    for c in columns:
        if c not in text:
            s = df.pop(c)
            out[c] = pd.Series(s.array if everything else s.array[keep], copy=False)
            del s
        else:
            out[c] = series(next(texts))
            release_memory()
    return pd.DataFrame(out, columns=columns, copy=False)


def _text_view(table: str, raw, label: str, row0: int = 0):
    """The raw table's text view mapped to the contract's columns: ``mapped``, the ignored
    headers, the numeric masks by code name, the spreadsheet row numbers, the ``__problem``
    reasons (or None), each row's place (``label [sheet]`` when a workbook's sheets were
    stacked; or None)."""
    text, numeric = text_table(raw, label)
    del raw
    mapped, ignored = _map_headers(text, table, label)
    lookup = header_names(table)
    numeric = {lookup.get(h) or lookup.get(h.lower()): m for h, m in numeric.items() if m.any()}
    rows = (text[ROW].astype("int64").to_numpy() if ROW in text
            else np.arange(row0 + 2, row0 + len(mapped) + 2))
    problem = text[PROBLEM].to_numpy(dtype=object) if PROBLEM in text else None
    places = None
    if SHEET in text:
        places = np.char.add(np.char.add(f"{label} [", text[SHEET].to_numpy(dtype=str)), "]").astype(object)
    return mapped, ignored, numeric, rows, problem, places


def _folder_view(table: str, files: list[Path], label: str, encoding, sheet):
    """The text view (:func:`_text_view`) of a table given as a folder of files (one per
    village or township), the files' views one under the other in name order: each row keeps
    its row number in its file and its place (``roster/东村.csv``, with ``[sheet]`` when the
    file's sheets were stacked). Files may write the headers in other orders or languages."""
    views = []
    for f in files:
        name = f"{label}{f.name}"
        views.append(_text_view(table, read_raw(f, encoding=encoding, sheet=sheet), name))
    mapped = pd.concat([v[0] for v in views], ignore_index=True)
    ignored = list(dict.fromkeys(h for v in views for h in v[1]))
    numeric = {}
    for c in {c for v in views for c in v[2]}:
        numeric[c] = np.concatenate([v[2].get(c, np.zeros(len(v[0]), dtype=bool)) for v in views])
    rows = np.concatenate([v[3] for v in views])
    problem = None
    if any(v[4] is not None for v in views):
        problem = np.concatenate([v[4] if v[4] is not None else np.full(len(v[0]), None, dtype=object) for v in views])
    places = np.concatenate([v[5] if v[5] is not None else np.full(len(v[0]), f"{label}{f.name}", dtype=object)
                             for v, f in zip(views, files)])
    return mapped, ignored, numeric, rows, problem, places


#: Amounts in yuan that a credit programme never has mostly below :data:`YUAN_FLOOR`: limits
#: and incomes. Half of a column's amounts above 0 below it means the column was written in 万元
#: under a header without its unit (5 for 50,000 yuan): every figure would be 10,000 times too
#: small, and nothing per row would say so.
YUAN_COLUMNS = {"reviews": ("proposed_limit", "annual_income"), "model_runs": ("model_limit",),
                "loans": ("granted_limit",)}
YUAN_FLOOR = 100.0
#: Amounts above 0 a column needs before its unit is judged.
YUAN_MIN_VALUES = 20


def _check_yuan(table: str, parsed: pd.DataFrame, ok: np.ndarray, label: str) -> None:
    """Refuse a column of amounts that reads as 万元 under a yuan header (:data:`YUAN_COLUMNS`)."""
    for c in YUAN_COLUMNS.get(table, ()):
        s = parsed[c]
        # the parsed float64 column itself (no copy: the check runs at the table's peak memory)
        v = s.to_numpy(copy=False) if s.dtype == np.float64 else s.to_numpy(dtype=float, na_value=np.nan)
        pos = v > 0
        pos &= ok
        n = int(np.count_nonzero(pos))
        if n < YUAN_MIN_VALUES:
            continue
        pos &= v < YUAN_FLOOR
        small = int(np.count_nonzero(pos))
        if 2 * small > n:
            zh = FORM_HEADERS[c]
            raise CalibInputError(
                f"{label}: {c} ({zh}): {small:,} of its {n:,} amounts above 0 are "
                f"below {YUAN_FLOOR:,.0f} yuan: the column reads as 万元; write its header {zh}（万元） (the "
                "amounts are then read as 万元), or the amounts in yuan")


def _parse_whole(table: str, raw, label: str, as_of: pd.Timestamp, view: tuple | None = None):
    """The per-row rules (parsing, blanks, ranges, total rows) on the whole table at once
    (on its text view ``view`` when it was made ahead, :func:`_view_of`)."""
    # the raw table is fetched inside the call that makes its text view (not held outside), so
    # that nothing holds it once the text view replaces it
    mapped, ignored, numeric, rows, problem, places = view if view is not None else _text_view(table, raw, label)
    del raw, view  # ``mapped`` alone holds the text from here (its parsed columns are let go)
    probs = Problems(table, label, mapped, rows, places)
    if problem is not None:
        broken = pd.notna(problem)
        probs.add(broken, WHOLE_ROW, problem, value=pd.Series(pd.NA, index=mapped.index, dtype="string"))
    parsed, ids = _parse_table(table, mapped, numeric, probs, as_of)
    return mapped, ignored, rows, probs, parsed, ids


#: Tables whose CSV file (or folder of files, one per village or county) is read and parsed by
#: blocks of rows (:func:`_parse_by_blocks`): the roster, whose text (names, ID numbers, phones,
#: addresses, land) is the largest of a province.
BLOCK_TABLES = ("roster",)
#: Rows per block.
BLOCK_ROWS = 1 << 20
#: Every table given as a folder of files (the reviews as the villages' 背靠背评议/东村.csv, ...)
#: is read file by file, its CSV files by blocks, whatever :data:`BLOCK_TABLES` says: its files'
#: text is then never all in memory at once.
BLOCK_FOLDERS = True


def _block_parts(source: "_LazyFiles", table: str, label: str) -> list[tuple[Path, str | None]] | None:
    """The files of a table read by blocks, each with its place (None for a table's one file):
    a CSV file, or every file of the table's folder (``人员信息采集表/东村.csv``, ...; its CSV files by
    blocks, the others whole); None when the table is one file of another format."""
    path = source.files[table]
    if path.is_dir():
        return [(f, f"{label}{f.name}") for f in table_files(path)]
    return [(path, None)] if path.suffix.lower() == ".csv" else None


def _parse_by_blocks(table: str, source: "_LazyFiles", label: str, as_of: pd.Timestamp):
    """The per-row rules of a CSV table block by block (:func:`calib.io.read.csv_blocks`): at
    any time the text of one block is whole, and of the blocks before only the parsed columns
    and the text of :data:`RULE_COLUMNS` (what the table rules read) stay. Every per-row rule
    (parsing, blanks, ranges, control characters, total rows) looks at its own row only, so
    the values, reasons and records are those of the whole table; the records come in another
    order, which the quarantine's sort by table, row and column (stable) undoes. The table
    rules (repeats, one village, contradictions) then run on the whole as before.

    A table given as a folder of files (a province as its counties' or villages' files) goes
    file by file in name order, each CSV file by blocks and any other file (a workbook, a CSV
    that does not read by blocks from its first row) whole; each row keeps its row number in
    its file and its place, as :func:`_folder_view` gives them. Without this the folder was
    read whole, and a province sent as county files peaked above the same rows in one file.
    Consecutive small CSV files of one header (a village's few hundred rows each) are one block
    together, up to :data:`BLOCK_ROWS` rows: a block's fixed work is paid per block, not per
    file (1,001 villages' files took 29.5 s as a block each, 2.4-2.6 s so).

    Rows with the wrong number of fields come in their block with their reason (``__problem``)
    and are recorded as :func:`_parse_whole` records them.

    None when the table is not a CSV file or folder that reads by blocks (Excel, Parquet, rows
    with the wrong number of fields in a file with quotes, another encoding than UTF-8 unless
    named, any error): the caller then reads it whole, and reports any error as it does."""
    parts = _block_parts(source, table, label)
    if parts is None:
        return None
    from calib.io.read import BlockReadError, csv_blocks

    encoding, sheet = per_table(source.encoding, table), per_table(source.sheet, table)

    pending: list[tuple[str, pa.Table]] = []  # a folder's small CSV files of one header, read, not viewed
    held = 0  # their rows

    def batch():
        """The pending files as one block, each row numbered in its file and named by it: a
        province sent as its villages' files pays a block's fixed work per block, not per file."""
        nonlocal held
        raw = pa.concat_tables([r if ROW in r.column_names else
                                r.append_column(ROW, pa.array(np.arange(2, r.num_rows + 2, dtype=np.int64)))
                                for _, r in pending]).combine_chunks()  # one chunk: cleaned in one pass a column
        places = np.repeat(np.array([p for p, _ in pending], dtype=object), [r.num_rows for _, r in pending])
        first = pending[0][0]
        pending.clear()
        held = 0
        return first, None, (*view_of(raw, first, None)[:5], places)

    def view_of(raw, name: str, row0: int | None):
        with small(is_small() or _few_cells(raw)):  # a small block: no threads
            return _text_view(table, raw, name, row0 or 0)

    def views():  # each block read and cleaned on a background thread (read_ahead)
        nonlocal held
        for path, place in parts:
            name, row0 = place or label, 0
            if path.suffix.lower() == ".csv":
                try:
                    blocks = iter(csv_blocks(path, encoding, BLOCK_ROWS))
                    ahead = [next(blocks, None)]
                    if place is not None and ahead[0] is not None and _few_cells(ahead[0]):
                        ahead.append(next(blocks, None))  # a block of few cells is a file's last
                        if ahead[1] is None:  # a village's file: batched with the next of its header
                            if pending and pending[0][1].schema != ahead[0].schema:
                                yield batch()
                            pending.append((place, ahead.pop(0)))
                            held += pending[-1][1].num_rows
                            if held >= BLOCK_ROWS:
                                yield batch()
                            continue
                    if pending:
                        yield batch()

                    def rest():  # the file's blocks, those read ahead first; none held once given (no
                        # local names one while the block is parsed: peak memory)
                        while ahead:
                            if ahead[0] is None:
                                ahead.pop(0)
                            else:
                                yield ahead.pop(0)
                        yield from blocks

                    for raw in rest():
                        n = raw.num_rows
                        view = view_of(raw, name, row0)
                        del raw  # not held while the block is parsed (peak memory)
                        yield place, row0, view
                        del view
                        row0 += n
                except BlockReadError:
                    if place is None or row0:  # the table's one file, or blocks of this file given
                        raise
                if row0 or place is None:
                    continue
            if pending:
                yield batch()
            # a folder's workbook, a CSV file that reads only whole (its encoding detected) or
            # holds no row (its header is checked all the same)
            yield place, None, view_of(read_raw(path, encoding=encoding, sheet=sheet), name, None)
        if pending:
            yield batch()

    maps, parses, idss, records, rowss, placess = [], [], [], [], [], []
    ignored: list[str] = []
    try:
        # the next block is read and cleaned while this one is parsed (one block ahead)
        for place, row0, (mapped, seen, numeric, rows, problem, places) in read_ahead(views()):
            if row0 is not None and (places is not None or rows.size and rows[0] != row0 + 2):
                return None  # not numbered on from the block before
            if place is not None:  # a folder's file: its rows' places as codes (no strings a row)
                places = (pd.Categorical.from_codes(np.zeros(len(mapped), dtype=np.int8), [place])
                          if places is None else pd.Categorical(places, categories=pd.unique(places)))
            ignored = list(dict.fromkeys([*ignored, *seen]))
            probs = Problems(table, label, mapped, rows, places)
            if problem is not None:
                broken = pd.notna(problem)
                probs.add(broken, WHOLE_ROW, problem, value=pd.Series(pd.NA, index=mapped.index, dtype="string"))
            few = _few_cells(mapped)  # a village's file: parsed on this thread, its memory kept
            with small(is_small() or few):
                parsed, ids = _parse_table(table, mapped, numeric, probs, as_of)
            maps.append(mapped)
            parses.append(parsed)
            idss.append(ids)
            rowss.append(rows)
            placess.append(places)
            records.extend(probs.parts)
            del mapped, parsed, ids, probs, rows, places
            if not few:
                release_memory()
    except Exception:  # noqa: BLE001 (read whole: the error, if any, is reported as usual)
        return None
    if not maps:
        return None
    mapped = pd.concat(maps, ignore_index=True)
    del maps
    parsed = pd.concat(parses, ignore_index=True)
    del parses
    ids = pd.concat(idss, ignore_index=True) if idss[0] is not None else None
    del idss
    rows = np.concatenate(rowss)
    # the files' categories in file order: ascending codes, as the records' keys need
    places = union_categoricals(placess) if parts[0][1] is not None else None
    probs = Problems(table, label, mapped, rows, places)
    probs.parts = records
    return mapped, ignored, rows, probs, parsed, ids


#: Called with each table's name and accepted rows as soon as the table is validated; what it
#: returns (the frame, a part of it, or None) is what the :class:`Programme` holds.
OnTable = Callable[[str, pd.DataFrame], "pd.DataFrame | None"]


def _few_cells(frame) -> bool:
    """Whether a block (a pyarrow Table or a DataFrame) holds fewer than
    :data:`calib.io._threads.SMALL_CELLS` cells: a village's file among a province's thousands,
    whose work the threads' start-up and hand-overs would cost many times over (1,001 village
    files of 335 rows each took 29.5 s on threads against 1.6 s for the same rows in one file)."""
    rows, cols = frame.shape  # both have it
    return rows * cols < SMALL_CELLS


def _by_blocks(table: str, source: Mapping[str, object]) -> bool:
    if not isinstance(source, _LazyFiles):
        return False
    return table in BLOCK_TABLES or (BLOCK_FOLDERS and source.files[table].is_dir())


def _view_of(source: Mapping[str, object], table: str, label: str):
    """Table ``table`` read from ``source`` and turned into its text view (:func:`_text_view`;
    :func:`_folder_view` for a table given as a folder of files)."""
    if isinstance(source, _LazyFiles) and source.files[table].is_dir():
        return source.folder_view(table, label)
    return _text_view(table, source[table], label)


def _validate_one(table: str, source: Mapping[str, object], label: str, tables: dict,
                  as_of: pd.Timestamp, kept: dict, on_table: OnTable | None,
                  view: Callable[[], tuple] | None = None,
                  parsed_hook: Callable[[], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """Validate one table: per-row rules, table rules, accepted rows and quarantine records.
    ``view`` gives its text view when it was made ahead; ``parsed_hook`` is called once its
    per-row rules are done (the next table's view is then started, :func:`validate_tables`)."""
    by_blocks = None
    if _by_blocks(table, source):
        by_blocks = _parse_by_blocks(table, source, label, as_of)
    if by_blocks is not None:
        mapped, ignored, rows, probs, parsed, ids = by_blocks
        del by_blocks
    elif view is not None:
        mapped, ignored, rows, probs, parsed, ids = _parse_whole(table, None, label, as_of, view=view())
    else:  # read here (a file, or a table's folder of files)
        mapped, ignored, rows, probs, parsed, ids = _parse_whole(table, None, label, as_of,
                                                                 view=_view_of(source, table, label))
    del view
    if parsed_hook is not None:
        parsed_hook()
    release_memory()  # the text of the parsed columns
    hh_index = check_table(table, parsed, mapped, probs, tables, ids=ids, totals=False)
    bad = probs.bad_mask(len(mapped))
    _check_yuan(table, parsed, ~bad, label)
    count = {"table": table, "file": label, "rows_read": len(mapped),
             "rows_accepted": int((~bad).sum()), "rows_quarantined": int(bad.sum()),
             "ignored_columns": ", ".join(ignored)}
    quarantine = probs.frame()  # the records already hold their values: the text can go
    places = probs.places(~bad)  # a table read from several files or sheets: each row's
    del probs, mapped
    accepted = _keep_rows(parsed, ~bad)
    del parsed  # only the accepted rows from here on (peak memory)
    release_memory()
    accepted.insert(0, "row", rows[~bad])
    if places is not None:
        accepted.insert(1, "file", places)
    del places
    ids = _keep_rows(ids, ~bad) if ids is not None else None
    hh_index = hh_index[~bad] if hh_index is not None else None
    done = finish_table(table, accepted, tables, as_of, ids=ids, hh_index=hh_index)
    del accepted, ids, hh_index
    if on_table is None:
        tables[table] = kept[table] = done
        places_ahead(tables)  # once the roster is in: the later tables' household keys, meanwhile
    else:  # the later tables' rules keep only the keys they read; the table goes to on_table
        tables[table] = rule_keys(table, done, tables)
        kept[table] = on_table(table, done)
    del done
    release_memory()
    return quarantine, count


def _libc_function(name: str):
    """A function of glibc (``malloc_trim``, ``prctl``), or None elsewhere."""
    try:
        import ctypes

        return getattr(ctypes.CDLL("libc.so.6"), name)
    except (OSError, AttributeError):
        return None


_TRIM = _libc_function("malloc_trim")
_PRCTL = _libc_function("prctl")
#: ``prctl`` options (linux/prctl.h): turn a process's transparent huge pages off or on, read it.
_PR_SET_THP_DISABLE, _PR_GET_THP_DISABLE = 41, 42
#: Set (to anything) to keep transparent huge pages during a load (see :func:`small_pages`).
HUGE_PAGES_ENV = "CALIB_HUGE_PAGES"


@contextmanager
def small_pages() -> Iterator[None]:
    """No transparent huge pages for the process while a load runs (Linux), as before after.

    numpy and Arrow's allocator ask for huge pages for their large blocks, and every huge page
    the load touches is zeroed whole (2 MB) when first touched. The load allocates and frees
    several times its output (each table's text, parsed columns and masks, then the accepted
    copies), and on a virtual machine whose freed memory goes back to its host (free page
    reporting) such blocks are faulted in and zeroed again: a third of the load's CPU time at
    1M households (``perf``). With the process's ordinary 4 KB pages only the pages touched are
    zeroed and freed ones are reused hot: on the 2-core machine at 1M households, over 13
    alternated pairs of loads, the peak RSS was 56-82 MiB lower in every pair (about 3%, margin
    under the 2x memory goal) and the wall time 5% lower on average (lower in 10 pairs; it
    follows the host's state: in one batch of four, 2% higher). docs/performance.md, 2026-12-06.

    The setting is the process's (every thread's allocations meanwhile) and is put back as it
    was, also when the load fails; nested loads leave it to the outermost. Nothing happens off
    Linux, or with the environment variable ``CALIB_HUGE_PAGES`` set.
    """
    changed = False
    if _PRCTL is not None and not os.environ.get(HUGE_PAGES_ENV):
        try:
            changed = (_PRCTL(_PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0
                       and _PRCTL(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)
        except (OSError, ValueError):  # another C library's prctl: nothing changed
            changed = False
    try:
        yield
    finally:
        if changed:
            _PRCTL(_PR_SET_THP_DISABLE, 0, 0, 0, 0)


def release_memory() -> None:
    """Give memory freed by the last table back to the system: Arrow's pool keeps freed blocks
    for reuse, and glibc keeps freed numpy arrays below its mmap threshold in the heap. Without
    this, the text and temporaries of one table stay in the process's RSS while the next one is
    loaded (about 0.3 GB at 1M households). A few milliseconds; nothing for a small input
    (:func:`calib.io._threads.small`)."""
    if is_small():
        return
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


def _as_of(as_of) -> pd.Timestamp:
    ts = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    if not pd.Timestamp("2000-01-01") <= ts <= pd.Timestamp("2100-12-31"):
        raise CalibInputError(f"as_of must be a date from 2000-01-01 to 2100-12-31, got {ts.date()}")
    return ts


def validate_tables(raw: Mapping[str, object], *, as_of: str | pd.Timestamp | None = None,
                    source: Mapping[str, str] | None = None,
                    on_table: OnTable | None = None) -> Programme:
    """Validate already-read tables with the rules of the data contract.

    Parameters
    ----------
    raw : mapping of str to pyarrow.Table or pandas.DataFrame
        Table name (``roster``, ``reviews``, ...) to its rows, with code-name or Chinese headers
        and text or typed values, as a file or a database gives them. Floating-point values in
        ID and phone columns are quarantined (their digits are lost). Two reserved columns may
        be present: ``__row`` (spreadsheet row number) and ``__problem`` (why the row could
        not be split into fields; such a row is quarantined with that reason alone).
    as_of : str or Timestamp, optional
        Reference date for ages and eligibility (today if omitted), within 2000-2100.
    source : mapping of str to str, optional
        Table name to the label used in messages and in the quarantine's ``file`` column
        (a file name, or e.g. ``db:schema.table``); the table name when omitted.
    on_table : callable, optional
        ``on_table(name, accepted)`` is called once per table as soon as it is validated (in
        the order of ``calib.programme.TABLES``); the programme then holds what it returns
        (the frame, some of its columns, or None) instead of the whole table. The rules of
        the later tables keep only the keys they read (the roster's households, villages and
        townships; the register's reviewers), so at most one whole table is in memory: a
        province can be validated and written out table by table
        (:func:`calib.io.snapshot.load_to_snapshot`). Quarantine and counts are the same.

    Returns
    -------
    Programme
        As :func:`load_programme` (``path`` and ``files`` empty).

    Raises
    ------
    CalibInputError
        Unknown or missing required table, missing required column, duplicate headers, a table
        without a header row, ``as_of`` outside 2000-2100.
    """
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise CalibInputError(f"unknown table(s) {', '.join(map(repr, unknown))}; tables are {', '.join(TABLES)}")
    for t in REQUIRED_TABLES:
        if t not in raw:
            raise CalibInputError(f"required table {t!r} is missing")
    source = dict(source or {})
    as_of_ts = _as_of(as_of)
    tables: dict[str, pd.DataFrame | None] = {t: None for t in TABLES}
    kept: dict[str, pd.DataFrame | None] = {t: None for t in TABLES}
    quarantine, counts = [], []
    present = [t for t in TABLES if t in raw]
    ahead: dict[str, Callable[[], tuple]] = {}

    def start(nxt: str | None) -> Callable[[], None] | None:
        """The next table is read and turned into text on a background thread while this one's
        table rules run (they wait on the GIL less than on memory; one table ahead, no more).
        Its errors are raised in its turn, after this table's."""
        if nxt is None or _by_blocks(nxt, raw) or workers() <= 1:
            return None
        return lambda: ahead.__setitem__(nxt, later(_view_of, raw, nxt, source.get(nxt, nxt)))

    # a small input is validated on this thread alone; the load's memory is freed and used
    # again: hot 4 KB pages
    with small(is_small() or _small_input(raw)), small_pages():
        for i, table in enumerate(present):
            nxt = present[i + 1] if i + 1 < len(present) else None
            _log.info("%s: validating", table, extra=step_extra(i + 1, len(present), table, done=False))
            t0 = time.perf_counter()
            q, count = _validate_one(table, raw, source.get(table, table), tables, as_of_ts, kept, on_table,
                                     view=ahead.pop(table, None), parsed_hook=start(nxt))
            quarantine.append(q)
            counts.append(count)
            _log.info("%s: %s rows read, %s quarantined (%.1f s)", table, f"{count['rows_read']:,}",
                      f"{count['rows_quarantined']:,}", time.perf_counter() - t0,
                      extra=step_extra(i + 1, len(present), table, done=True))
    del tables
    return Programme(**{t: kept[t] for t in TABLES}, quarantine=finish_quarantine(quarantine),
                     counts=pd.DataFrame(counts), as_of=as_of_ts)


def _small_input(raw: Mapping[str, object]) -> bool:
    """Whether tables given in memory are a small input (fewer than
    :data:`calib.io._threads.SMALL_CELLS` cells). Files are judged by :func:`load_programme`,
    by their size, before they are read."""
    if isinstance(raw, _LazyFiles):
        return False
    cells = 0
    for t in raw.values():
        shape = getattr(t, "shape", None)
        if shape is None or len(shape) != 2:
            return False
        cells += int(shape[0]) * int(shape[1])
    return cells < SMALL_CELLS


def _nbytes(files: Mapping[str, Path]) -> int:
    return sum(sum(g.stat().st_size for g in table_files(f)) if f.is_dir() else f.stat().st_size
               for f in files.values())


def _from_database(url: str, *, as_of, tables, schema, queries, on_table=None) -> Programme:
    try:
        from calib.sources.sql import read_raw_tables
    except ImportError as exc:
        raise CalibInputError(f"reading a programme from a database needs calib.sources.sql ({exc})") from exc
    raw, source, digests = read_raw_tables(url, tables=tables, schema=schema, queries=queries)
    prog = validate_tables(raw, as_of=as_of, source=source, on_table=on_table)
    prog.digests = dict(digests)
    return prog


def load_programme(path: str | Path, *, as_of: str | pd.Timestamp | None = None,
                   encoding: str | Mapping[str, str] | None = None,
                   sheet: str | list[str] | Mapping[str, str | list[str]] | None = None,
                   cache_dir: str | Path | None = None,
                   tables: Mapping[str, str] | None = None, schema: str | None = None,
                   queries: Mapping[str, str] | None = None,
                   on_table: OnTable | None = None) -> Programme:
    """Load and validate a programme folder (or database).

    Parameters
    ----------
    path : str or Path
        Folder holding ``roster``, ``reviews``, ``model_runs`` and optionally ``reviewers``,
        ``relations``, ``points``, ``loans``, ``village_assessments`` (``.csv``, ``.xlsx``, ``.xls``
        or ``.parquet``, or a folder of such files per table; see ``data/README.md``), or a
        SQLAlchemy URL (text containing ``://``), read by :func:`calib.sources.sql.read_raw_tables`.
    as_of : str or Timestamp, optional
        Reference date for ages and eligibility (today if omitted; report runs always pass it).
    encoding : str or mapping, optional
        CSV encoding for every table, or per table name; detected when omitted.
    sheet : str, list of str, or mapping, optional
        Worksheet(s) to read, or to leave out (``"!填表说明"``), for every workbook or per table
        name. By default every sheet
        holding data: a workbook with one sheet per village or group is read as one table
        (the sheets must have the same headers), each quarantined row's ``file`` then naming
        its sheet (``roster.xlsx [东村]``) and its ``row`` the row on that sheet.
    cache_dir : str or Path, optional
        Folder of validated snapshots: when one was made from files with the same SHA-256 and
        the same ``as_of``, it is read instead of validating again; otherwise one is written.
    tables : mapping of str to str, optional
        Database URL only: contract table name to the bank's table or view holding it (the
        others are found by their contract names); passed to
        :func:`calib.sources.sql.read_raw_tables`.
    schema, queries : optional
        Passed to :func:`calib.sources.sql.read_raw_tables` when ``path`` is a database URL.
    on_table : callable, optional
        See :func:`validate_tables`: each table is handed over as soon as it is validated and
        the programme keeps what ``on_table`` returns (not with ``cache_dir``).

    Returns
    -------
    Programme
        Accepted rows per table with code-name columns and proper dtypes (and ``row``, the
        row in the input; with ``file`` when a table was read from several files or sheets), ``quarantine``
        (``table, file, row, column, value, reason``; personal data masked), ``counts``
        (``table, file, rows_read, rows_accepted, rows_quarantined, ignored_columns``) and
        ``digests`` (table to the SHA-256 of its input).

    Raises
    ------
    CalibInputError
        Unreadable file, unknown table, duplicated table, missing required table or column.
    """
    if isinstance(path, str) and "://" in path:
        return _from_database(path, as_of=as_of, tables=tables, schema=schema, queries=queries,
                              on_table=on_table)
    folder = Path(path)
    if not folder.is_dir():
        raise CalibInputError(f"{folder}: no such programme folder")
    files = find_files(folder)
    as_of_ts = _as_of(as_of)
    if cache_dir is not None and on_table is not None:
        raise ValueError("load_programme: on_table and cache_dir cannot be combined")
    if cache_dir is not None:
        from calib.io.snapshot import cached_programme

        digests = {t: input_sha256(f) for t, f in files.items()}
        return cached_programme(cache_dir, digests, as_of_ts, lambda: load_programme(
            folder, as_of=as_of_ts, encoding=encoding, sheet=sheet), folder=folder, files=files,
            options={"encoding": encoding, "sheet": sheet})
    # a province's per-cell rules run as compiled kernels: numba is imported on a background
    # thread while the first file is read (about 1 CPU s that then costs no wall time)
    from calib.io import _jit

    nbytes = _nbytes(files)
    _jit.preload(nbytes)
    source = {t: f.name + "/" if f.is_dir() else f.name for t, f in files.items()}
    if nbytes < SMALL_BYTES:  # a county or smaller: on this thread alone (calib.io._threads.small)
        with small():
            prog = validate_tables(_LazyFiles(files, encoding, sheet), as_of=as_of_ts, source=source,
                                   on_table=on_table)
            digests = {t: input_sha256(f) for t, f in files.items()}
    else:
        # the inputs' SHA-256 are computed on a second thread while the tables are validated
        # (hashlib and file reads release the GIL; 0.6 CPU s a GB with SHA-NI): they cost wall
        # time only where the validation keeps every core busy (the roster's blocks on two cores)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calib-sha256") as pool:
            pending = {t: pool.submit(input_sha256, f) for t, f in files.items()}
            try:
                prog = validate_tables(_LazyFiles(files, encoding, sheet), as_of=as_of_ts, source=source,
                                       on_table=on_table)
            except BaseException:
                for job in pending.values():
                    job.cancel()
                raise
            digests = {t: job.result() for t, job in pending.items()}
    prog.path, prog.files, prog.digests = folder, files, digests
    note_load("validate", folder, digests)
    return prog


class _LazyFiles(Mapping):
    """Table name to raw table, read from its file only when asked for (one table in memory)."""

    def __init__(self, files: Mapping[str, Path], encoding, sheet):
        self.files, self.encoding, self.sheet = files, encoding, sheet

    def __getitem__(self, table: str):
        return read_raw(self.files[table], encoding=per_table(self.encoding, table),
                        sheet=per_table(self.sheet, table))

    def folder_view(self, table: str, label: str):
        """The text view of a table given as a folder (:func:`_folder_view`)."""
        return _folder_view(table, table_files(self.files[table]), label,
                            per_table(self.encoding, table), per_table(self.sheet, table))

    def __contains__(self, table: object) -> bool:
        return table in self.files

    def __iter__(self):
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def latest_model_run(model_runs: pd.DataFrame) -> pd.DataFrame:
    """Each household's latest model run.

    Parameters
    ----------
    model_runs : pandas.DataFrame
        The loaded ``model_runs`` table (``household_id``, ``run_date``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per household, indexed by ``household_id``, with the columns of ``model_runs``.

    Notes
    -----
    Kept for older code: the one latest-run rule is
    :func:`calib.households.latest_model_runs` (which also drops runs after an ``as_of``).
    """
    from calib.households import latest_model_runs  # the household layer sits above io

    return latest_model_runs(model_runs)


def write_programme(tables: dict[str, pd.DataFrame], folder: str | Path, *,
                    fmt: str = "csv", encoding: str = "utf-8") -> dict[str, Path]:
    """Write tables as a programme folder (one file per table), deterministically.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Table name to frame, columns as they should appear in the file.
    folder : str or Path
        Destination; created if needed.
    fmt : {"csv", "xlsx", "parquet"}
        File format.
    encoding : str
        CSV encoding (``utf-8``, ``utf-8-sig`` or ``gb18030``).

    Returns
    -------
    dict
        Table name to written path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, df in tables.items():
        p = folder / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(p, index=False, encoding=encoding, lineterminator="\n")
        elif fmt == "xlsx":
            df.to_excel(p, index=False, engine="openpyxl")
        elif fmt == "parquet":
            df.to_parquet(p, index=False)
        else:
            raise ValueError(f"fmt must be csv, xlsx or parquet; got {fmt!r}")
        out[name] = p
    return out
