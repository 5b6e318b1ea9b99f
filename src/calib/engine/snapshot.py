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
from calib.io.snapshot import spark_hidden
from calib.io.specs import SUFFIXES
from calib.programme import REQUIRED_TABLES, TABLES

__all__ = ["programme_sources", "read_raw_tables", "input_digests", "write_snapshot_on_spark",
           "read_spark_snapshot", "is_spark_snapshot", "run_snapshot_uri", "as_uri", "filesystem",
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
    from calib.io.specs import table_of_file
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
        suffixed = f.suffix.lower() in SUFFIXES
        table = table_of_file(f.stem if suffixed or not f.is_dir() else f.name)
        if f.name.startswith((".", "~$")) or table is None:
            continue
        if f.is_dir() and not suffixed:  # a table's folder of the villages' files: CSV only
            if not _csv_folder(f):
                return None
        elif f.suffix.lower() not in _SUFFIXES:
            return None  # a workbook: Spark reads no .xlsx
        files[table] = file_uri(f)
    return files if all(t in files for t in REQUIRED_TABLES) else None


def file_uri(path: str | Path) -> str:
    """A local path as the ``file:`` URI Spark reads: the path as it is, not escaped (Hadoop
    does not undo ``Path.as_uri``'s escapes: a Chinese file name, ``%E4%BA%BA...``, or a space
    was a path that does not exist)."""
    return "file://" + Path(path).resolve().as_posix()


def _csv_folder(path: Path) -> bool:
    """Whether a table's folder holds CSV files only (:func:`calib.io.read.table_files`)."""
    from calib.io.read import table_files

    return all(f.suffix.lower() == ".csv" for f in table_files(path))


def _is_csv(uri: str) -> bool:
    """A CSV source: a ``.csv`` file or folder (Spark's part files), or a table's folder of CSV
    files on this machine (``人员信息采集表/东村.csv``, ...)."""
    if uri.rstrip("/").lower().endswith(".csv"):
        return True
    if uri.startswith("file:") and Path(_local_path(uri)).is_dir():
        return _csv_folder(Path(_local_path(uri)))
    return False


def read_raw_tables(spark, sources: Mapping[str, str], encoding: str | Mapping[str, str] | None = None,
                    charsets: dict[str, str] | None = None) -> dict[str, Any]:
    """The raw tables as lazy Spark DataFrames (nothing is read yet).

    CSV: header row, RFC 4180 quoting (``multiLine``, quotes doubled), in ``encoding`` (for
    every table or per table) or else the encoding detected on this machine's files
    (:func:`_charset`; a byte-order mark is dropped from the first header); Parquet as stored;
    ``catalog:db.table`` from the session's catalog. ``charsets``, when given, is filled with
    each CSV table's charset (for :func:`calib.engine.validate.validate_on_spark`, which tells
    bytes Spark could not read in it).
    """
    out = {}
    for t, uri in sources.items():
        if uri.startswith("catalog:"):
            sdf = spark.table(uri[len("catalog:"):])
        elif _is_csv(uri):
            given = encoding.get(t) if isinstance(encoding, Mapping) else encoding
            charset = _charset(uri, given, spark)
            if charsets is not None:
                charsets[t] = charset
            if charset not in ("UTF-8", "UTF-16"):  # Spark 4 reads other charsets behind this flag
                spark.conf.set("spark.sql.legacy.javaCharsets", "true")
            reader = (spark.read.option("header", True).option("multiLine", True).option("escape", '"')
                      .option("encoding", charset))
            if uri.startswith("file:") and Path(_local_path(uri)).is_dir():
                reader = reader.option("pathGlobFilter", "*.csv")  # a 说明.txt beside the files: not data
            sdf = reader.csv(uri)
        else:
            sdf = spark.read.parquet(uri)
        clean = [c.replace("\ufeff", "") for c in sdf.columns]
        out[t] = sdf.toDF(*clean) if clean != sdf.columns else sdf
    return out


#: Python's codec names of the loader's encodings (calib.io.read.detect_encoding) as Java names them.
_JAVA_CHARSETS = {"utf8": "UTF-8", "utf_8": "UTF-8", "utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030",
                  "gbk": "GBK", "big5": "Big5", "utf-16": "UTF-16"}
#: Bytes read from the start of a file of a CSV source elsewhere than on this machine (HDFS, an
#: object store) to tell its encoding: :data:`HEAD_BYTES` of the first :data:`HEAD_FILES` files
#: of a folder (in name order), :data:`MORE_BYTES` of each of the others (a folder of the
#: villages' files may mix the encodings of the clerks' machines: every file is looked at).
HEAD_BYTES = 1 << 20
HEAD_FILES = 16
MORE_BYTES = 1 << 16


def _charset(uri: str, given: str | None = None, spark=None) -> str:
    """The charset Spark reads a CSV source in: for a file (or a folder of part files) on this
    machine, the encoding the local loader detects (GB18030, what Excel on a Chinese Windows
    saves; Big5; UTF-8), so that Spark does not turn its Chinese into U+FFFD without a word;
    elsewhere (HDFS, an object store) the encoding detected the same way on the first bytes of
    each file (:func:`_remote_heads`), UTF-8 without ``spark``. Files of one source in different encodings
    are an error naming the first that differs. ``given`` (the run's ``encoding`` parameter)
    decides instead."""
    from calib.io.read import detect_encoding, table_files

    if given:
        import codecs

        name = codecs.lookup(given).name
        return _JAVA_CHARSETS.get(name, name.upper().replace("_", "-"))
    java = lambda f: _JAVA_CHARSETS.get(detect_encoding(f).lower(), "UTF-8")  # noqa: E731
    found: dict[str, str] = {}
    if uri.startswith("file:"):
        path = Path(_local_path(uri))
        for f in table_files(path) if path.is_dir() else [path]:
            found.setdefault(java(f), f.name)
    elif spark is not None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="calib-head-") as tmp:
            for name, head, asked in _remote_heads(spark, uri):
                if len(head) == asked and b"\n" in head:  # whole lines: no character cut in two
                    head = head[:head.rfind(b"\n") + 1]
                f = Path(tmp) / name  # named as the file: a message names it, with the line
                f.write_bytes(head)
                found.setdefault(java(f), name)
                f.unlink()
    if len(found) > 1:
        (a, fa), (b, fb) = list(found.items())[:2]
        from calib.errors import CalibInputError

        raise CalibInputError(f"{_uri_path(uri).rsplit('/', 1)[-1]}: its files are in different encodings "
                              f"({fa} {a}, {fb} {b}); save them in one")
    return next(iter(found), "UTF-8")


def _remote_heads(spark, uri: str) -> list[tuple[str, bytes, int]]:
    """The first bytes of a source's file, or of each data file of its folder (in name order;
    hidden files left out as Spark leaves them), as ``(file name, bytes, bytes asked)``:
    :data:`HEAD_BYTES` of the first :data:`HEAD_FILES` files, :data:`MORE_BYTES` of the others.
    Read by the driver through the session's Hadoop file system (the cluster's configuration
    and credentials, no more than the bytes asked for); from a Spark Connect client by a
    ``binaryFile`` job (each file read by an executor, its first bytes sent back)."""
    from calib.engine.spark import is_remote

    if is_remote(spark):
        from pyspark.sql import functions as F

        files = spark.read.format("binaryFile").load(uri)
        rows = files.select("path", F.substring("content", 1, MORE_BYTES).alias("head")).orderBy("path").collect()
        first = {r["path"]: bytes(r["head"]) for r in files.select("path", F.substring("content", 1, HEAD_BYTES)
                                                                    .alias("head")).orderBy("path")
                 .limit(HEAD_FILES).collect()} if len(rows) else {}
        return [(_uri_path(r["path"]).rsplit("/", 1)[-1], *((first[r["path"]], HEAD_BYTES) if r["path"] in first
                                                            else (bytes(r["head"]), MORE_BYTES))) for r in rows]
    fs, path = _hadoop(spark, uri)
    if fs.getFileStatus(path).isDirectory():
        files = sorted((st.getPath() for st in fs.listStatus(path)
                        if st.isFile() and not spark_hidden(st.getPath().getName())), key=lambda p: p.getName())
    else:
        files = [path]
    out = []
    for i, p in enumerate(files):
        asked = HEAD_BYTES if i < HEAD_FILES else MORE_BYTES
        stream = fs.open(p)
        try:
            out.append((p.getName(), bytes(stream.readNBytes(asked)), asked))
        finally:
            stream.close()
    return out


def _hadoop(spark, uri: str):
    """``(org.apache.hadoop.fs.FileSystem, Path)`` of a URI through a classic session's JVM: the
    file system Spark reads it with (a path without a scheme is on the cluster's default one)."""
    path = spark._jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark._jsc.hadoopConfiguration()), path


def _label(uri: str, spark=None) -> str:
    """A source's label in the quarantine and counts: the catalog table, or the file's name; a
    folder of files (CSV files, Parquet parts) ends in "/" (its rows then named by file, as the
    local loader names a table's folder: :func:`calib.engine.validate.validate_on_spark`). A
    folder elsewhere than on this machine (HDFS, an object store) is told as one through
    ``spark``'s file system (the run's driver), or from a Spark Connect client by the files
    Spark lists there."""
    from calib.engine.spark import is_remote

    if uri.startswith("catalog:"):
        return uri[len("catalog:"):]
    name = _uri_path(uri).rsplit("/", 1)[-1]
    if uri.startswith("file:"):
        folder = Path(_local_path(uri)).is_dir()
    elif spark is None:
        folder = False
    elif is_remote(spark):  # a Spark Connect client: the files Spark lists there (paths only, no content)
        listed = spark.read.format("binaryFile").load(uri).select("path").limit(2).collect()
        folder = any(_uri_path(r["path"]) != _uri_path(uri) for r in listed)
    else:
        fs, path = _hadoop(spark, uri)
        folder = bool(fs.getFileStatus(path).isDirectory())
    return name + "/" if folder else name


def _local_path(uri: str) -> str:
    """The path of a ``file:`` URI, its escapes undone (a Chinese file name is escaped in a URI:
    ``%E4%BA%BA...``)."""
    from urllib.parse import unquote

    return unquote(re.sub(r"^file:/+", "/", uri.rstrip("/")))


def _uri_path(uri: str) -> str:
    """The path part of a URI (scheme and authority dropped, escapes undone): ``hdfs://nn:8020/a``
    and ``hdfs:///a`` are both ``/a``, as Spark may name one file either way, and a Chinese name
    the same escaped or not."""
    from urllib.parse import unquote

    return unquote(re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:(//[^/]*)?", "", uri.rstrip("/"))) or "/"


def as_uri(location: str | Path) -> str:
    """A location as a URI: a URI is kept (without a trailing slash), a path becomes ``file://``."""
    loc = str(location)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", loc) and not re.match(r"^[A-Za-z]:[\\/]", loc):
        return loc.rstrip("/")
    return file_uri(loc)


def filesystem(uri: str):
    """``(pyarrow.fs.FileSystem, path)`` of a URI, for the driver's small reads and writes
    (``file://``; ``hdfs://`` through libhdfs; ``s3a://`` as pyarrow's ``s3://``)."""
    import pyarrow.fs as pafs

    u = re.sub(r"^s3a://", "s3://", uri)
    u = re.sub(r"^file:/+", "file:///", u)
    return pafs.FileSystem.from_uri(u)


def run_snapshot_uri(snapshot_dir: str | None, bundle: Path) -> str | None:
    """Where a run writes its snapshot's tables: ``<snapshot_dir>/<run id>`` (the bundle's staging
    folder is ``.tmp-<run id>``), or ``None`` for the bundle's own ``snapshot/`` folder."""
    if not snapshot_dir:
        return None
    return f"{as_uri(snapshot_dir)}/{Path(bundle).name.removeprefix('.tmp-')}"


def _combine(parts: list[tuple[str, str]]) -> str:
    """One digest for a folder of files: :func:`calib.io.read.folder_sha256` of its sorted
    ``name sha256`` lines."""
    from calib.io.read import folder_sha256

    return folder_sha256(sorted(parts))


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
    roots = {k: _uri_path(u) for k, u in files.items()}
    for r in rows:
        p = _uri_path(r["path"])
        for k, root in roots.items():
            if p == root or p.startswith(root + "/"):
                by_key[k].append((p, p[len(root) + 1:], r["h"]))
    out = {}
    for k, got in by_key.items():
        if len(got) == 1 and got[0][0] == roots[k]:
            out[k] = got[0][2]
        elif got:  # a folder: its table files, as calib.io.read.input_sha256 digests a table's folder
            out[k] = _combine([(name, h) for _, name, h in got if Path(name).suffix.lower() in SUFFIXES])
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


def _data_files(fs, path: str) -> list[str]:
    """The data files of a Parquet folder written by Spark, sorted (``_SUCCESS``, ``.crc``
    and other hidden files left out, as :func:`calib.io.snapshot.path_sha256` does)."""
    import pyarrow.fs as pafs

    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File and not spark_hidden(i.base_name))


def _rows(uri: str) -> int:
    """Rows of a Parquet folder, from its files' footers (read by the driver)."""
    import pyarrow.parquet as pq

    fs, path = filesystem(uri)
    total = 0
    for f in _data_files(fs, path):
        if f.endswith(".parquet"):
            with fs.open_input_file(f) as fh:
                total += pq.ParquetFile(fh).metadata.num_rows
    return total


def _sha256(fs, path: str) -> str:
    """As :func:`calib.io.snapshot.path_sha256`, on any pyarrow filesystem."""
    import pyarrow.fs as pafs

    def one(f: str) -> str:
        h = hashlib.sha256()
        with fs.open_input_stream(f) as fh:
            while chunk := fh.read(1 << 22):
                h.update(chunk)
        return h.hexdigest()

    if fs.get_file_info(path).type != pafs.FileType.Directory:
        return one(path)
    files = _data_files(fs, path)
    base = path.rstrip("/") + "/"
    return _combine([(f[len(base):], one(f)) for f in files])


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
                            source: str | None = None, buckets: int | None = None,
                            tables_uri: str | None = None,
                            encoding: str | Mapping[str, str] | None = None) -> tuple[dict, frozenset[str]]:
    """Validate a raw programme on Spark and write its snapshot from the executors.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    sources : mapping
        Table -> URI or ``catalog:db.table`` (:func:`programme_sources`).
    folder : str or Path
        The snapshot folder on the driver (the bundle's ``snapshot/``): ``manifest.json``,
        ``quarantine.parquet`` and ``counts.parquet``, and the tables when ``tables_uri`` is not
        given (then the executors must see it: a local master or a shared mount).
    as_of : date-like
    source : str, optional
        What the manifest names as the programme's source (the data folder).
    buckets : int, optional
        Buckets of households for the validation (default :func:`validation_buckets`).
    tables_uri : str, optional
        Where the executors write the tables instead (``spark.snapshot_dir`` of the run,
        :func:`run_snapshot_uri`): ``<tables_uri>/tables/<table>.parquet/``, on storage both the
        driver and the executors see; the manifest, quarantine and counts are copied there too,
        so that folder is a complete snapshot, while ``folder`` keeps what a bundle holds.
    encoding : str or mapping, optional
        The CSV files' encoding (the run's ``encoding``), for every table or per table;
        detected per file when omitted (:func:`read_raw_tables`).

    Returns
    -------
    (dict, frozenset)
        The manifest written to ``folder/manifest.json`` (keys of :func:`calib.io.write_snapshot`
        plus ``engine: spark``; with ``tables_uri`` also ``snapshot_dir`` and each table's
        ``uri``), and the programme's personal names of two characters or more (to mask them in
        error messages).
    """
    from calib.engine.validate import validate_on_spark
    from calib.io.read import note_load
    from calib.io.snapshot import MANIFEST, SNAPSHOT_FORMAT, _write_frame

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = as_uri(tables_uri) if tables_uri else None
    if base is None:
        (folder / "tables").mkdir(exist_ok=True)

    def where(t: str) -> str:
        return f"{base}/tables/{t}.parquet" if base else file_uri(folder / "tables" / f"{t}.parquet")

    labels = {t: _label(u, spark) for t, u in sources.items()}
    charsets: dict[str, str] = {}
    raw = read_raw_tables(spark, sources, encoding, charsets)
    digests = input_digests(spark, sources)
    buckets = buckets or validation_buckets(spark, raw)
    accepted, quarantine, counts, dtypes = validate_on_spark(spark, raw, as_of=as_of, buckets=buckets,
                                                             labels=labels, with_dtypes=True, charsets=charsets)
    names = _names(accepted)
    rows = dict(zip(counts["table"], counts["rows_accepted"].astype(int)))
    for t in TABLES:
        sdf = accepted.get(t)
        if sdf is not None:
            _write_table(_masked(sdf, dtypes[t]), where(t), rows.get(t, 0))
    written = {t: where(t) for t in TABLES if accepted.get(t) is not None}
    sha = input_digests(spark, written)
    tables = {}
    for t, uri in written.items():
        tables[t] = {"file": uri if base else f"tables/{t}.parquet", "rows": _rows(uri),
                     "dtypes": _masked_dtypes(dtypes[t]), "sha256": sha[t]}
        if base:
            tables[t]["uri"] = uri
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
    if base:
        manifest["snapshot_dir"] = base
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    if base:  # the snapshot at snapshot_dir is complete by itself
        fs, path = filesystem(base)
        for name in ("quarantine.parquet", "counts.parquet", MANIFEST):
            with fs.open_output_stream(f"{path}/{name}") as out:
                out.write((folder / name).read_bytes())
    note_load("spark-validate", source, {t: h for t, h in digests.items() if h})
    return manifest, names


#: Persons per bucket of the validation at most (about 30,000 households): a bucket's tables go
#: through one Python worker and come back as a few Arrow payloads held by the JVM; 4 buckets of
#: 250,000 households each ran a 4 GB driver heap out of memory (1M households, local[2]).
PERSONS_PER_BUCKET = 100_000


def validation_buckets(spark, raw: Mapping[str, Any]) -> int:
    """Buckets of households for the validation: the shuffle partitions, or more for a large
    roster (at most :data:`PERSONS_PER_BUCKET` persons each; the roster's rows are counted, from
    the Parquet footers when the roster is Parquet)."""
    parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    roster = raw.get("roster")
    n = roster.count() if roster is not None else 0
    return max(parts, -(-n // PERSONS_PER_BUCKET))


def is_spark_snapshot(folder: str | Path) -> bool:
    """True when ``folder`` holds a snapshot whose tables live outside it (``spark.snapshot_dir``)."""
    from calib.io.snapshot import MANIFEST

    try:
        m = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return m.get("engine") == "spark" and bool(m.get("snapshot_dir"))


def read_spark_snapshot(folder: str | Path):
    """Read a snapshot written by :func:`write_snapshot_on_spark` whose tables live at
    ``spark.snapshot_dir`` (any URI pyarrow reads: ``file://``, ``hdfs://``, ``s3a://``).

    The same as :func:`calib.io.read_snapshot` (same dtypes, the same digest check of every
    table before it is read, the same ``snapshot`` record in ``$CALIB_LOAD_LOG``), for a
    manifest whose tables are URIs; quarantine and counts are read from ``folder``.

    Parameters
    ----------
    folder : str or Path
        The snapshot folder holding ``manifest.json`` (the bundle's ``snapshot/``).

    Returns
    -------
    calib.programme.Programme
        Every validated table on the driver (what a report kernel reads, see the README).

    Raises
    ------
    CalibInputError
        No manifest, or a table missing or changed after the snapshot.
    """
    from calib.errors import CalibInputError
    from calib.io.snapshot import _read_frame, path_sha256, programme_from_manifest, read_manifest

    folder = Path(folder)
    m = read_manifest(folder)

    def load(entry: dict) -> pd.DataFrame:
        if "uri" in entry:  # a table at snapshot_dir
            fs, path = filesystem(entry["uri"])
            ok = _sha256(fs, path) if fs.get_file_info(path).type.name != "NotFound" else None
        else:  # quarantine and counts, beside the manifest
            fs, path = None, str(folder / entry["file"])
            ok = path_sha256(Path(path)) if Path(path).exists() else None
        if ok != entry["sha256"]:
            raise CalibInputError(f"{folder}: {entry['file']} is missing or was changed after the snapshot")
        return _read_frame(path, entry["dtypes"], filesystem=fs)

    return programme_from_manifest(folder, m, load)


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
