"""The validated snapshot of ``engine: spark``: raw tables read, validated and written by the executors.

:func:`write_snapshot_on_spark` is what ``calib run`` does with ``engine: spark`` instead of
:func:`calib.io.load_programme` + :func:`calib.io.write_snapshot` on the driver:

1. the raw tables are opened where Spark reads them (:func:`programme_sources`: the data folder's
   ``.csv`` / ``.parquet`` files, or the ``spark.tables`` URIs and catalog tables);
2. the inputs' SHA-256 are computed on the executors (``binaryFile`` + ``sha2``): a file's digest
   is the one the local loader records; a folder's is the SHA-256 of its files' ``name sha256``
   lines (:func:`calib.io.snapshot.path_sha256` computes the same);
3. the data contract runs bucket by bucket on the executors (:func:`calib.engine.validate.validate_on_spark`:
   the local loader's code, same quarantine and reasons, rows conserved);
4. every accepted table is masked (:func:`calib.io.masking.mask_frame`, per batch on the
   executors), put in source-row order and written by the executors as
   ``tables/<table>.parquet/`` (a Parquet folder); quarantine and counts (small) are written by
   the driver; ``manifest.json`` has the local snapshot's keys, so :func:`calib.io.read_snapshot`
   reads it back unchanged.

What reaches the driver: the quarantine and counts, the households sharing an ID or loan number
(pairs), the distinct personal names (to mask them in error messages), the digests and one
sample batch per table (its dtypes). Never a raw table.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from calib.errors import CalibParamsError
from calib.programme import REQUIRED_TABLES, TABLES

__all__ = ["programme_sources", "read_raw_tables", "input_digests", "write_snapshot_on_spark",
           "SNAPSHOT_ENV"]

#: The runner tells the report kernels of a Spark run where the run's snapshot is, so the
#: per-village steps read its Parquet tables on Spark (:func:`calib.engine.dispatch.distributed`).
SNAPSHOT_ENV = "CALIB_SPARK_SNAPSHOT"
_SUFFIXES = (".csv", ".parquet")


def programme_sources(params: Any) -> dict[str, str] | None:
    """Table -> URI (or ``catalog:db.table``) Spark reads the raw programme from.

    Parameters
    ----------
    params : calib.params.Params
        ``spark.tables`` when given (any URI Spark reads: ``file://``, ``hdfs://``, ``s3a://``,
        Parquet or CSV, or ``catalog:db.table``); else the ``.csv`` and ``.parquet`` files of the
        ``data_dir`` folder.

    Returns
    -------
    dict or None
        ``None`` when Spark cannot read the programme itself: a database URL without
        ``spark.tables``, or a folder holding workbooks (``.xlsx``); the runner then loads it on
        the driver as the local engine does.
    """
    from calib.params import is_url

    given = dict(getattr(params.spark, "tables", None) or {})
    if given:
        unknown = sorted(set(given) - set(TABLES))
        if unknown:
            raise CalibParamsError(f"spark.tables: unknown table {unknown[0]!r}; tables are {', '.join(TABLES)}")
        missing = [t for t in REQUIRED_TABLES if t not in given]
        if missing:
            raise CalibParamsError(f"spark.tables: required table {missing[0]!r} is missing")
        return {t: str(given[t]) for t in TABLES if t in given}
    if is_url(params.data_dir):
        return None
    files = {}
    for f in sorted(Path(params.data_dir).iterdir()):
        if f.name.startswith((".", "~$")) or f.stem not in TABLES:
            continue
        if f.suffix.lower() not in _SUFFIXES:
            return None  # a workbook: Spark reads no .xlsx
        files[f.stem] = f.resolve().as_uri()
    return files if all(t in files for t in REQUIRED_TABLES) else None


def _is_csv(uri: str) -> bool:
    return uri.rstrip("/").lower().endswith(".csv")


def read_raw_tables(spark, sources: Mapping[str, str]) -> dict[str, Any]:
    """The raw tables as lazy Spark DataFrames (nothing is read yet).

    CSV: header row, RFC 4180 quoting (``multiLine``, quotes doubled), UTF-8 (a byte-order
    mark is dropped from the first header); Parquet as stored; ``catalog:db.table`` from the
    session's catalog.
    """
    out = {}
    for t, uri in sources.items():
        if uri.startswith("catalog:"):
            sdf = spark.table(uri[len("catalog:"):])
        elif _is_csv(uri):
            sdf = (spark.read.option("header", True).option("multiLine", True).option("escape", '"')
                   .option("encoding", "UTF-8").csv(uri))
        else:
            sdf = spark.read.parquet(uri)
        clean = [c.replace("\ufeff", "") for c in sdf.columns]
        out[t] = sdf.toDF(*clean) if clean != sdf.columns else sdf
    return out


def _local_path(uri: str) -> str:
    return re.sub(r"^file:/+", "/", uri.rstrip("/"))


def _combine(parts: list[tuple[str, str]]) -> str:
    """One digest for a folder of files: SHA-256 of its sorted ``name sha256`` lines."""
    lines = "".join(f"{name} {h}\n" for name, h in sorted(parts))
    return hashlib.sha256(lines.encode()).hexdigest()


def input_digests(spark, uris: Mapping[str, str]) -> dict[str, str]:
    """SHA-256 of every file-backed input, computed on the executors (one Spark job).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    uris : mapping
        Key -> file or folder URI (catalog tables are skipped).

    Returns
    -------
    dict
        Key -> the file's SHA-256 (as :func:`calib.io.read.file_sha256`), or for a folder the
        SHA-256 of its files' sorted ``name sha256`` lines (as :func:`calib.io.snapshot.path_sha256`).
    """
    from pyspark.sql import functions as F

    files = {k: u for k, u in uris.items() if not str(u).startswith("catalog:")}
    if not files:
        return {}
    rows = (spark.read.format("binaryFile").load(list(files.values()))
            .select("path", F.sha2("content", 256).alias("h")).collect())
    by_key: dict[str, list[tuple[str, str, str]]] = {k: [] for k in files}
    roots = {k: _local_path(u) for k, u in files.items()}
    for r in rows:
        p = _local_path(r["path"])
        for k, root in roots.items():
            if p == root or p.startswith(root + "/"):
                by_key[k].append((p, p[len(root) + 1:], r["h"]))
    out = {}
    for k, got in by_key.items():
        if len(got) == 1 and got[0][0] == roots[k]:
            out[k] = got[0][2]
        elif got:
            out[k] = _combine([(name, h) for _, name, h in got])
    return out


def _masked(sdf, dtypes: Mapping[str, str]):
    """The table with personal-data columns masked, batch by batch on the executors."""
    from calib.io.masking import PII_COLUMNS, mask_frame

    if not set(sdf.columns) & set(PII_COLUMNS):
        return sdf
    pii = [c for c in sdf.columns if c in PII_COLUMNS]

    def mask(batches):
        for pdf in batches:
            pdf[pii] = mask_frame(pdf[pii].astype(object))
            yield pdf

    return sdf.mapInPandas(mask, sdf.schema)


def _rows(path: Path) -> int:
    """Rows of a Parquet folder, from its files' footers."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in sorted(path.glob("*.parquet")))


def _masked_dtypes(dtypes: Mapping[str, str]) -> dict[str, str]:
    """The dtypes of a table once masked (as :func:`calib.io.write_snapshot` records them)."""
    from calib.io.masking import PII_COLUMNS, mask_frame

    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    if set(empty.columns) & set(PII_COLUMNS):
        empty = mask_frame(empty)
    return {str(c): str(d) for c, d in empty.dtypes.items()}


def _write_table(sdf, path: str, rows_hint: int) -> None:
    """Source-row order, one Parquet file per 2M rows, written by the executors."""
    parts = max(1, -(-rows_hint // 2_000_000))
    ordered = (sdf.coalesce(1) if parts == 1 else sdf.repartitionByRange(parts, "row")).sortWithinPartitions("row")
    ordered.write.mode("overwrite").option("compression", "zstd").parquet(path)


def write_snapshot_on_spark(spark, sources: Mapping[str, str], folder: str | Path, *, as_of: Any,
                            source: str | None = None, buckets: int | None = None) -> tuple[dict, frozenset[str]]:
    """Validate a raw programme on Spark and write its snapshot from the executors.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    sources : mapping
        Table -> URI or ``catalog:db.table`` (:func:`programme_sources`).
    folder : str or Path
        The snapshot folder (a path the executors can write and the driver can read: the bundle's
        ``snapshot/`` on a local master).
    as_of : date-like
    source : str, optional
        What the manifest names as the programme's source (the data folder).
    buckets : int, optional
        Buckets of households for the validation (default: the shuffle partitions).

    Returns
    -------
    (dict, frozenset)
        The manifest written to ``folder/manifest.json`` (keys of :func:`calib.io.write_snapshot`
        plus ``engine: spark``), and the programme's personal names of two characters or more
        (to mask them in error messages).
    """
    from calib.engine.validate import validate_on_spark
    from calib.io.read import note_load
    from calib.io.snapshot import MANIFEST, SNAPSHOT_FORMAT, _write_frame

    folder = Path(folder)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    labels = {t: (u[len("catalog:"):] if u.startswith("catalog:") else u.rstrip("/").rsplit("/", 1)[-1])
              for t, u in sources.items()}
    raw = read_raw_tables(spark, sources)
    digests = input_digests(spark, sources)
    buckets = buckets or int(spark.conf.get("spark.sql.shuffle.partitions"))
    accepted, quarantine, counts, dtypes = validate_on_spark(spark, raw, as_of=as_of, buckets=buckets,
                                                             labels=labels, with_dtypes=True)
    names = _names(accepted)
    rows = dict(zip(counts["table"], counts["rows_accepted"].astype(int)))
    tables = {}
    for t in TABLES:
        sdf = accepted.get(t)
        if sdf is None:
            continue
        _write_table(_masked(sdf, dtypes[t]), str(folder / "tables" / f"{t}.parquet"), rows.get(t, 0))
    written = {t: (folder / "tables" / f"{t}.parquet").resolve().as_uri() for t in TABLES if accepted.get(t) is not None}
    sha = input_digests(spark, written)
    for t in written:
        tables[t] = {"file": f"tables/{t}.parquet", "rows": _rows(folder / "tables" / f"{t}.parquet"),
                     "dtypes": _masked_dtypes(dtypes[t]),
                     "sha256": sha[t]}
    as_of_ts = pd.Timestamp(as_of)
    manifest = {
        "format": SNAPSHOT_FORMAT,
        "as_of": as_of_ts.date().isoformat(),
        "source": source,
        "inputs": {t: {"file": _local_path(u) if u.startswith("file:") else u, "sha256": digests.get(t)}
                   for t, u in sorted(sources.items())},
        "personal_data": "masked",
        "engine": "spark",
        "tables": tables,
        "quarantine": _write_frame(quarantine, folder / "quarantine.parquet"),
        "counts": _write_frame(counts, folder / "counts.parquet"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    note_load("spark-validate", source, {t: h for t, h in digests.items() if h})
    return manifest, names


def _names(accepted: Mapping[str, Any]) -> frozenset[str]:
    """Distinct personal names (two characters or more) of the roster and the reviewers register."""
    from pyspark.sql import functions as F

    out: set[str] = set()
    for t in ("roster", "reviewers"):
        sdf = accepted.get(t)
        if sdf is None or "name" not in sdf.columns:
            continue
        s = F.trim(F.col("name").cast("string"))
        out.update(r[0] for r in sdf.select(s.alias("n")).where(F.length("n") >= 2).distinct().collect())
    return frozenset(out)
