"""Validated snapshots: a loaded programme written once, read back as it was.

A snapshot is a folder holding ``tables/<name>.parquet`` (accepted rows), ``quarantine.parquet``,
``counts.parquet`` and ``manifest.json`` (as_of, the SHA-256 of every input the programme was
made from, row counts, column dtypes, the SHA-256 of every file of the snapshot). A report run
writes one into its bundle and every notebook reads it instead of validating the inputs again;
:func:`calib.io.load_programme` keeps them in a cache folder.

Personal columns (ID numbers, names, phones, addresses) are masked in a snapshot written by
:func:`write_snapshot`, so a bundle never holds them raw; joins use ``household_id`` and the
derived columns (birth date, age, sex) are kept. Cache snapshots, on the user's own disk, keep
them raw.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from calib.errors import CalibInputError
from calib.io.masking import PII_COLUMNS, mask_frame
from calib.io.read import file_sha256, folder_sha256, note_load
from calib.programme import TABLES, Programme

__all__ = ["write_snapshot", "load_to_snapshot", "read_snapshot", "cached_programme", "path_sha256", "SNAPSHOT_FORMAT"]

SNAPSHOT_FORMAT = "calib-snapshot/1"
MANIFEST = "manifest.json"


def _write_frame(df: pd.DataFrame, path: Path) -> dict:
    df.to_parquet(path, index=False, compression="zstd")
    return {"file": path.name, "rows": len(df), "dtypes": {str(c): str(d) for c, d in df.dtypes.items()},
            "sha256": file_sha256(path)}


def spark_hidden(name: str) -> bool:
    """A file Spark's readers and writers keep beside a table's data files (``_SUCCESS``,
    ``.part-00000.crc``): never a part of the table."""
    return name.startswith(("_", "."))


def path_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a Parquet folder written by Spark (``engine: spark``): the SHA-256
    of its data files' sorted ``name sha256`` lines (``_SUCCESS``, ``.crc`` files left out)."""
    if not path.is_dir():
        return file_sha256(path)
    files = sorted(f for f in path.rglob("*") if f.is_file() and not spark_hidden(f.name))
    return folder_sha256([(f.relative_to(path).as_posix(), file_sha256(f)) for f in files])


def _read_frame(path: Path | str, dtypes: Mapping[str, str], filesystem=None) -> pd.DataFrame:
    df = pd.read_parquet(path, filesystem=filesystem)
    for c, d in dtypes.items():
        if str(df[c].dtype) != d:
            df[c] = df[c].astype(d)
    return df


def _write_table(t: str, df: pd.DataFrame, folder: Path, *, mask: bool) -> dict:
    """One accepted table as ``tables/<t>.parquet`` (personal columns masked when ``mask``)."""
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    df = mask_frame(df) if mask and set(df.columns) & set(PII_COLUMNS) else df
    entry = _write_frame(df, folder / "tables" / f"{t}.parquet")
    entry["file"] = f"tables/{t}.parquet"
    return entry


def _finish(prog: Programme, folder: Path, tables: dict, *, mask: bool) -> dict:
    """Quarantine, counts and the manifest, once every table is written."""
    manifest = {
        "format": SNAPSHOT_FORMAT,
        "as_of": prog.as_of.date().isoformat(),
        "source": str(prog.path) if prog.path is not None else None,
        "inputs": {t: {"file": str(Path(prog.files[t]).resolve()) if t in prog.files else None,
                       "sha256": prog.digests.get(t)} for t in sorted(set(prog.files) | set(prog.digests))},
        "personal_data": "masked" if mask else "raw",
        "tables": tables,
        "quarantine": _write_frame(prog.quarantine, folder / "quarantine.parquet"),
        "counts": _write_frame(prog.counts, folder / "counts.parquet"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return manifest


def _write(prog: Programme, folder: Path, *, mask: bool) -> dict:
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    tables = {t: _write_table(t, prog.table(t), folder, mask=mask) for t in TABLES if prog.table(t) is not None}
    return _finish(prog, folder, tables, mask=mask)


def write_snapshot(prog: Programme, folder: str | Path) -> dict:
    """Write a validated programme as a snapshot folder.

    Parameters
    ----------
    prog : Programme
        A loaded programme (from :func:`calib.io.load_programme` or :func:`calib.io.validate_tables`).
    folder : str or Path
        Destination (created; files of an earlier snapshot there are replaced).

    Returns
    -------
    dict
        The manifest also written to ``folder/manifest.json``: ``format``, ``as_of``, ``source``,
        ``inputs`` (table to input ``file`` and ``sha256``), ``personal_data`` (``masked``),
        ``tables`` (table to ``file``, ``rows``, ``dtypes``, ``sha256``), ``quarantine`` and
        ``counts`` (same keys).
    """
    return _write(prog, Path(folder), mask=True)


def load_to_snapshot(folder: str | Path, path: str | Path, *,
                     keep: Callable[[str, pd.DataFrame], pd.DataFrame | None] | None = None,
                     **options) -> tuple[dict, Programme]:
    """Load and validate a programme and write it as a snapshot, one table at a time.

    The same snapshot as ``write_snapshot(load_programme(path, **options), folder)``, file for
    file, but each table is written as soon as it is validated and then let go
    (:func:`calib.io.validate_tables`, ``on_table``): the whole programme is never in memory,
    only the table being validated and the keys the later tables' rules read.

    Parameters
    ----------
    folder : str or Path
        Destination of the snapshot (created; files of an earlier snapshot there are replaced).
    path : str or Path
        The programme folder or database URL, as for :func:`calib.io.load_programme`.
    keep : callable, optional
        ``keep(name, accepted)``: what the returned programme holds of each table (e.g. a few
        columns); nothing when omitted.
    **options
        Passed to :func:`calib.io.load_programme` (``as_of``, ``encoding``, ``sheet``,
        ``tables``, ``schema``, ``queries``).

    Returns
    -------
    manifest : dict
        As :func:`write_snapshot`.
    programme : Programme
        Quarantine, counts, digests and files as :func:`calib.io.load_programme` gives them;
        each table as ``keep`` returned it (None without ``keep``).
    """
    from calib.io.load import load_programme

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict] = {}

    def on_table(t: str, df: pd.DataFrame) -> pd.DataFrame | None:
        written[t] = _write_table(t, df, folder, mask=True)
        return keep(t, df) if keep is not None else None

    prog = load_programme(path, on_table=on_table, **options)
    return _finish(prog, folder, written, mask=True), prog


def read_snapshot(folder: str | Path) -> Programme:
    """Read a snapshot written by :func:`write_snapshot` back as a :class:`Programme`.

    Parameters
    ----------
    folder : str or Path
        The snapshot folder (holding ``manifest.json``).

    Returns
    -------
    Programme
        Tables, quarantine and counts with the dtypes they were written with; ``as_of``,
        ``path`` (the original source), ``files`` and ``digests`` from the manifest.

    Raises
    ------
    CalibInputError
        No manifest, another format, or a file whose SHA-256 differs from the manifest's.
    """
    folder = Path(folder)
    m = read_manifest(folder)

    def load(entry: dict) -> pd.DataFrame:
        path = folder / entry["file"]
        if not path.exists() or path_sha256(path) != entry["sha256"]:
            raise CalibInputError(f"{folder}: {entry['file']} is missing or was changed after the snapshot")
        return _read_frame(path, entry["dtypes"])

    return programme_from_manifest(folder, m, load)


def read_manifest(folder: Path) -> dict:
    """The snapshot's manifest (``manifest.json``), its format checked."""
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalibInputError(f"{folder}: not a calib snapshot (no readable {MANIFEST})") from exc
    if m.get("format") != SNAPSHOT_FORMAT:
        raise CalibInputError(f"{folder}: snapshot format {m.get('format')!r}, expected {SNAPSHOT_FORMAT!r}")
    return m


def programme_from_manifest(folder: Path, m: Mapping, load: Callable[[dict], pd.DataFrame]) -> Programme:
    """The :class:`Programme` a manifest describes, each of its entries (tables, quarantine,
    counts) read by ``load`` (which checks the entry's digest); the read is logged."""
    tables = {t: load(e) for t, e in m["tables"].items()}
    inputs = m.get("inputs", {})
    note_load("snapshot", folder, {t: v["sha256"] for t, v in inputs.items() if v.get("sha256")})
    return Programme(**{t: tables.get(t) for t in TABLES}, quarantine=load(m["quarantine"]),
                     counts=load(m["counts"]), as_of=pd.Timestamp(m["as_of"]),
                     path=Path(m["source"]) if m.get("source") else None,
                     files={t: Path(v["file"]) for t, v in inputs.items() if v.get("file")},
                     digests={t: v["sha256"] for t, v in inputs.items() if v.get("sha256")})


def _key(digests: Mapping[str, str], as_of: pd.Timestamp, options: Mapping) -> str:
    from calib import __version__

    blob = json.dumps({"format": SNAPSHOT_FORMAT, "calib": __version__, "digests": dict(sorted(digests.items())),
                       "as_of": as_of.date().isoformat(), "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def cached_programme(cache_dir: str | Path, digests: Mapping[str, str], as_of: pd.Timestamp,
                     load: Callable[[], Programme], *, folder: Path | None = None,
                     files: Mapping[str, Path] | None = None, options: Mapping | None = None) -> Programme:
    """The programme from a cache snapshot made from the same inputs (same SHA-256 digests),
    ``as_of`` and options; otherwise ``load()`` it and keep a snapshot for next time."""
    target = Path(cache_dir) / _key(digests, as_of, options or {})
    if (target / MANIFEST).is_file():
        try:
            prog = read_snapshot(target)
            if prog.digests == dict(digests) and prog.as_of == as_of:
                prog.path, prog.files = folder, dict(files or {})
                note_load("cache-hit", target, digests)
                return prog
        except CalibInputError:
            pass
        shutil.rmtree(target, ignore_errors=True)
    prog = load()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        _write(prog, tmp, mask=False)
        os.replace(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won the race, or a full disk
    return prog
