"""Loading a programme: from files (or already-read tables) to a validated :class:`Programme`."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.io.checks import Problems, check_table, finish_quarantine, finish_table
from calib.io.parse import parse_column
from calib.io.read import blank_to_na, find_files, norm_header, read_table
from calib.io.specs import SPECS
from calib.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = ["load_programme", "validate_tables", "latest_model_run", "write_programme"]


def _map_headers(df: pd.DataFrame, table: str, label: str) -> tuple[pd.DataFrame, list[str]]:
    specs = SPECS[table]
    lookup: dict[str, str] = {}
    for col in specs:
        lookup[col.name.lower()] = col.name
        for z in col.zh:
            lookup[z] = col.name
    rename, seen, ignored = {}, {}, []
    for c in df.columns:
        key = lookup.get(c) or lookup.get(c.lower())
        if key is None:
            ignored.append(c)
            continue
        if key in seen:
            raise CalibInputError(f"{label}: columns {seen[key]!r} and {c!r} both map to {key!r}; keep one")
        seen[key] = c
        rename[c] = key
    out = df[list(rename)].rename(columns=rename)
    for col in specs:
        if col.required and col.name not in out.columns:
            raise CalibInputError(
                f"{label}: required column {col.name!r} ({' / '.join(col.zh)}) is missing; "
                f"columns found: {', '.join(map(str, df.columns))}"
            )
        if col.name not in out.columns:
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out[[c.name for c in specs]], ignored


def _parse_table(table: str, mapped: pd.DataFrame, probs: Problems, as_of: pd.Timestamp) -> pd.DataFrame:
    out = {}
    for col in SPECS[table]:
        raw = mapped[col.name]
        values, reason = parse_column(col, raw, as_of)
        if col.required and col.kind != "id":
            reason = np.where(raw.isna().to_numpy() & (reason == ""), f"required value {col.name} is blank", reason)
        probs.add_reasons(col.name, np.asarray(reason, dtype=object))
        out[col.name] = values.reset_index(drop=True) if isinstance(values, pd.Series) else values
    return pd.DataFrame(out)


def _as_text(raw) -> pd.DataFrame:
    """Any raw table (Arrow or pandas, text or typed) as text cells with normalised headers."""
    df = raw.to_pandas() if hasattr(raw, "to_pandas") and not isinstance(raw, pd.DataFrame) else raw.copy()
    df.columns = [norm_header(c) for c in df.columns]
    return blank_to_na(df).reset_index(drop=True)


def _validate_one(table: str, raw: pd.DataFrame, label: str, tables: dict,
                  as_of: pd.Timestamp) -> tuple[pd.DataFrame, dict]:
    mapped, ignored = _map_headers(raw, table, label)
    rows = np.arange(2, len(mapped) + 2)
    probs = Problems(table, label, mapped, rows)
    parsed = _parse_table(table, mapped, probs, as_of)
    check_table(table, parsed, mapped, probs, tables)
    bad = probs.bad_mask(len(mapped))
    accepted = parsed.loc[~bad].copy()
    accepted.insert(0, "row", rows[~bad])
    tables[table] = finish_table(table, accepted.reset_index(drop=True), tables, as_of)
    count = {"table": table, "file": label, "rows_read": len(mapped),
             "rows_accepted": int((~bad).sum()), "rows_quarantined": int(bad.sum()),
             "ignored_columns": ", ".join(ignored)}
    return probs.frame(), count


def validate_tables(raw: Mapping[str, object], *, as_of: str | pd.Timestamp | None = None,
                    source: Mapping[str, str] | None = None) -> Programme:
    """Validate already-read tables with the rules of the data contract.

    Parameters
    ----------
    raw : mapping of str to pyarrow.Table or pandas.DataFrame
        Table name (``roster``, ``reviews``, ...) to its rows, with code-name or Chinese headers
        and text or typed values, as a file or a database would give them.
    as_of : str or Timestamp, optional
        Reference date for ages and eligibility (today if omitted).
    source : mapping of str to str, optional
        Table name to the label used in messages and in the quarantine's ``file`` column
        (a file name, or e.g. ``db:schema.table``); the table name when omitted.

    Returns
    -------
    Programme
        As :func:`load_programme` (``path`` and ``files`` empty).

    Raises
    ------
    CalibInputError
        Unknown or missing required table, missing required column.
    """
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise CalibInputError(f"unknown table(s) {', '.join(map(repr, unknown))}; tables are {', '.join(TABLES)}")
    for t in REQUIRED_TABLES:
        if t not in raw:
            raise CalibInputError(f"required table {t!r} is missing")
    source = dict(source or {})
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    tables: dict[str, pd.DataFrame | None] = {t: None for t in TABLES}
    quarantine, counts = [], []
    for table in TABLES:
        if table in raw:
            q, count = _validate_one(table, _as_text(raw[table]), source.get(table, table), tables, as_of_ts)
            quarantine.append(q)
            counts.append(count)
    return Programme(**{t: tables[t] for t in TABLES}, quarantine=finish_quarantine(quarantine),
                     counts=pd.DataFrame(counts), as_of=as_of_ts)


def load_programme(path: str | Path, *, as_of: str | pd.Timestamp | None = None) -> Programme:
    """Load and validate a programme folder.

    Parameters
    ----------
    path : str or Path
        Folder holding ``roster``, ``reviews``, ``model_runs`` and optionally ``reviewers``,
        ``relations``, ``points``, ``loans``, ``village_assessments`` (``.csv``, ``.xlsx`` or
        ``.parquet``). See ``data/README.md``.
    as_of : str or Timestamp, optional
        Reference date for ages and eligibility (today if omitted; report runs always pass it).

    Returns
    -------
    Programme
        Accepted rows per table with code-name columns and proper dtypes, ``quarantine``
        (``table, file, row, column, value, reason``; personal data masked) and ``counts``
        (``table, file, rows_read, rows_accepted, rows_quarantined, ignored_columns``).

    Raises
    ------
    CalibInputError
        Unreadable file, unknown table, duplicated table, missing required table or column.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CalibInputError(f"{folder}: no such programme folder")
    files = find_files(folder)
    raw = {t: read_table(f) for t, f in files.items()}
    prog = validate_tables(raw, as_of=as_of, source={t: f.name for t, f in files.items()})
    prog.path, prog.files = folder, files
    return prog


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
    """
    mr = model_runs.sort_values(["household_id", "run_date"], kind="stable")
    return mr.drop_duplicates("household_id", keep="last").set_index("household_id")


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
