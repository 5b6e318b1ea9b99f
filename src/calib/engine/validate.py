"""The data contract applied on Spark: the local loader run once per bucket of households.

Every rule of the contract looks at one household's rows (its members, reviews, relations, model
runs, points, loans), at the small registers (reviewers, village assessments) or at a key that
must be unique across households (resident ID numbers, loan numbers). So:

1. every raw table gets its row number (``_row``: the spreadsheet row, header = 1) in source order;
2. households sharing an ID number or a loan number (compared loosely: any two that the loader
   could find equal) are put together; every household goes to bucket
   ``hash(household) mod buckets``; the registers go to every bucket;
3. each bucket runs :func:`calib.io.load_programme` (the very same parsing, checks and reasons as
   locally) on the executors; its row numbers are mapped back to the source's;
4. the quarantine and the counts (small) come to the driver; the accepted tables stay on Spark.

A village assessment is quarantined for "village not in the roster" only when no bucket's roster
has the village; the registers' own problems are taken from one bucket.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from calib.engine.grouped import from_bytes, to_bytes
from calib.errors import CalibInputError
from calib.io import SPECS
from calib.programme import TABLES

__all__ = ["validate_on_spark", "REGISTERS"]

#: Tables without a household column: copied to every bucket.
REGISTERS = ("reviewers", "village_assessments")
_NOT_IN_ROSTER = "village not in the roster"
_SCHEMA = ":schema"
#: A bucket's payload naming the input error that stopped its validation.
_ERROR = ":error"


def _norm(header: str) -> str:
    from calib.io.script import simplified

    return simplified(unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "").strip().lower())


def _column(columns, table: str, code: str) -> str | None:
    """The raw header of contract column ``code`` in ``table`` (code name or a Chinese header)."""
    spec = next(c for c in SPECS[table] if c.name == code)
    names = {_norm(code), *(_norm(z) for z in spec.zh)}
    return next((c for c in columns if _norm(c) in names), None)


def _with_rows(sdf, per_file: bool = False):
    """All columns as text plus ``_row`` (source order: header is row 1). ``per_file`` (a table
    given as a folder of files, Spark's part files among them): ``_file`` is each row's file
    name and ``_row`` its row in that file, as the local loader numbers a table's folder (a CSV
    read with ``multiLine`` is never split, so a file's rows are one run of the source order; a
    Parquet file may be split, and its rows carry their index in the file)."""
    from pyspark.sql import functions as F

    cols = [F.col(f"`{c}`").cast("string").alias(c) for c in sdf.columns]
    if per_file and _row_index(sdf):  # Parquet: each row's index in its file, whatever the split
        return sdf.select(*cols, F.col("_metadata.file_name").alias("_file"),
                          (F.col("_metadata.row_index") + 2).cast("long").alias("_row"))
    extra = [F.element_at(F.split(F.input_file_name(), "/"), -1).alias("_file")] if per_file else []
    # row number = rows of the partitions before + position inside the partition (the source's
    # order), computed in the JVM: monotonically_increasing_id is partition << 33 | position
    text = sdf.select(*cols, *extra, F.spark_partition_id().alias("_pid"), F.monotonically_increasing_id().alias("_mid"))
    if text.rdd.getNumPartitions() == 1 and not per_file:  # one file read whole (a CSV, a small Parquet): no job
        return text.withColumn("_row", F.col("_mid") + 2).drop("_pid", "_mid")
    sizes = sorted((r["_pid"], r["count"]) for r in text.groupBy("_pid").count().collect())
    offsets, before = [], 0
    for pid, n in sizes:
        offsets += [F.lit(pid), F.lit(before)]
        before += n
    start = F.create_map(*offsets)[F.col("_pid")] if offsets else F.lit(0)
    pos = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
    out = text.withColumn("_row", (start + pos + 2).cast("long")).drop("_pid", "_mid")
    if per_file:  # from the source's row to the row in its file
        firsts = [(r["_file"], r["first"]) for r in out.groupBy("_file").agg(F.min("_row").alias("first")).collect()]
        first = F.create_map(*[F.lit(x) for f, r in firsts for x in (f, r)])[F.col("_file")] if firsts else F.lit(2)
        out = out.withColumn("_row", (F.col("_row") - first + 2).cast("long"))
    return out


def _row_index(sdf) -> bool:
    """Whether the files ``sdf`` reads give each row's index in its file (``_metadata.row_index``:
    Parquet, whose files Spark splits between partitions by row groups)."""
    try:
        meta = sdf.select("_metadata").schema["_metadata"].dataType
    except Exception:  # noqa: BLE001 (not read from files: no _metadata)
        return False
    return "row_index" in meta.fieldNames()


def _loose_id(col):
    """A key equal for any two ID numbers the loader may find equal (15- and 18-digit forms)."""
    from pyspark.sql import functions as F

    s = F.upper(F.regexp_replace(F.coalesce(col, F.lit("")), r"\s", ""))
    return (F.when(F.length(s) == 18, F.concat(F.substring(s, 1, 6), F.substring(s, 9, 9)))
            .when(F.length(s) == 15, s).otherwise(s))


def _merged_households(tables: Mapping[str, Any], hh: Mapping[str, str]) -> dict[str, str]:
    """household -> representative, for households tied by a shared ID or loan number."""
    from pyspark.sql import functions as F

    groups = []
    for table, code in (("roster", "id_number"), ("loans", "loan_id")):
        if table not in tables:
            continue
        key = _column(tables[table].columns, table, code)
        if key is None or hh.get(table) is None:
            continue
        k = _loose_id(F.col(f"`{key}`")) if code == "id_number" else F.col(f"`{key}`")
        groups.append(tables[table].select(F.lit(code).alias("key"), k.alias("k"),
                                           F.col(f"`{hh[table]}`").alias("h")).dropna())
    pairs = []
    if groups:  # one job for both keys
        both = groups[0] if len(groups) == 1 else groups[0].unionByName(groups[1])
        g = both.groupBy("key", "k").agg(F.collect_set("h").alias("hs")).filter(F.size("hs") > 1)
        pairs = [r["hs"] for r in g.collect()]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for hs in pairs:
        root = find(hs[0])
        for h in hs[1:]:
            parent[find(h)] = root
    return {h: find(h) for h in parent} | {find(h): find(h) for h in parent}


def _bucketed(spark, tables: Mapping[str, Any], buckets: int):
    """Every table with a ``bucket`` column (registers repeated in every bucket)."""
    from pyspark.sql import functions as F

    hh = {t: _column(s.columns, t, "household_id") for t, s in tables.items() if t not in REGISTERS}
    reps = _merged_households(tables, hh)
    rep_df = spark.createDataFrame(list(reps.items()) or [("", "")], "h string, rep string")
    all_b = spark.range(buckets).select(F.col("id").cast("int").alias("bucket"))
    out = {}
    for t, sdf in tables.items():
        if t in REGISTERS:
            out[t] = sdf.crossJoin(F.broadcast(all_b))
            continue
        h = F.coalesce(F.col(f"`{hh[t]}`"), F.lit("")) if hh[t] else F.lit("")
        joined = sdf.withColumn("_h", h).join(F.broadcast(rep_df), F.col("_h") == F.col("h"), "left")
        key = F.coalesce(F.col("rep"), F.col("_h"))
        out[t] = joined.withColumn("bucket", F.pmod(F.hash(key), F.lit(buckets))).drop("_h", "h", "rep")
    return out


def _split_by_bucket(sdf, name: str):
    """A table packed by bucket without a shuffle of its own: each batch of each partition is cut
    into one Arrow payload per bucket (``group, name, payload``); the bucket step, which groups
    by bucket, puts a table's pieces together again."""
    from calib.engine.grouped import PACKED_SCHEMA

    def split(batches):
        for pdf in batches:
            for b, part in pdf.groupby("bucket", sort=True):
                yield pd.DataFrame({"group": [str(b)], "name": [name],
                                    "payload": [to_bytes(part.reset_index(drop=True))]})

    return sdf.mapInPandas(split, PACKED_SCHEMA)


def _map_rows(reasons: pd.Series, rows: np.ndarray, places: np.ndarray | None = None) -> pd.Series:
    """Rewrite "row N" inside reasons from bucket rows to source rows (and their file, for a
    table read from several: "row 5 of roster.csv/part-00001.csv", as the local loader says)."""
    if places is None:
        return reasons.astype(str).str.replace(r"row (\d+)", lambda m: f"row {rows[int(m.group(1)) - 2]}",
                                               regex=True)
    return reasons.astype(str).str.replace(
        r"row (\d+)", lambda m: f"row {rows[int(m.group(1)) - 2]} of {places[int(m.group(1)) - 2]}", regex=True)


def _error(bucket: str, message: str, where: tuple[str, int] | None = None) -> pd.DataFrame:
    """A bucket's result naming the input error that stopped it (told on the driver); ``where``
    (file, row) of a row's error, so that the driver tells the first of all buckets'."""
    detail = {"message": [message]} | ({"file": [where[0]], "row": [where[1]]} if where else {})
    return pd.DataFrame({"group": bucket, "name": [_ERROR], "payload": [to_bytes(pd.DataFrame(detail))]})


def _undecoded(table: pa.Table, charset: str, rows: np.ndarray, places: np.ndarray | None,
               label: str) -> tuple[str, tuple[str, int]] | None:
    """The error for a cell holding U+FFFD in a table Spark read from CSV in ``charset``: its
    reader puts U+FFFD for bytes that are not valid in the charset, without an error (a file
    whose first bytes were UTF-8 and whose later lines are GB18030, two exports joined, a wrong
    ``encoding``), where the local loader stops on them, and its (file, row); ``None`` when no
    cell holds one."""
    import pyarrow.compute as pc

    first, column = None, None
    for name, col in zip(table.column_names, table.columns):
        if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
            continue
        hit = pc.fill_null(pc.match_substring(col, "\ufffd"), False)
        if pc.any(hit).as_py():
            i = int(np.flatnonzero(hit.to_numpy(zero_copy_only=False))[0])
            if first is None or i < first:
                first, column = i, name
    if first is None:
        return None
    from calib.io.read import shown_headers

    place, row = str(places[first] if places is not None else label), int(rows[first])
    return (f"{place}: row {row:,}, column {shown_headers([str(column)])[0]}: bytes that are not valid "
            f"{charset} (Spark reads them as U+FFFD); save the file as UTF-8 CSV or name its encoding "
            "(the run's `encoding`)"), (place, row)


def _run_bucket(pdf: pd.DataFrame, *, as_of, labels: Mapping[str, str], headers: Mapping[str, list[str]],
                charsets: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One bucket: the local loader on its rows, row numbers mapped back (runs on an executor)."""
    from calib.sources.sql import validate_raw

    b = str(pdf["group"].iloc[0])
    pieces: dict[str, list[pd.DataFrame]] = {}
    for n, p in zip(pdf["name"], pdf["payload"]):  # a table may come in several pieces
        pieces.setdefault(str(n), []).append(from_bytes(p))
    got = {n: ps[0] if len(ps) == 1 else pd.concat(ps, ignore_index=True) for n, ps in pieces.items()}
    raw, rows, places = {}, {}, {}
    for t in TABLES:
        if t not in got and t not in ("roster", "reviews", "model_runs"):
            continue
        df = got.get(t, pd.DataFrame({c: pd.Series(dtype="str") for c in [*headers[t], "_row"]}))
        df = df.sort_values(["_file", "_row"] if "_file" in df else "_row", kind="stable")
        rows[t] = df["_row"].to_numpy(np.int64)
        places[t] = (labels.get(t, t) + df["_file"].astype(str)).to_numpy(dtype=object) if "_file" in df else None
        raw[t] = pa.Table.from_pandas(df.drop(columns=["_row", "_file", "bucket"], errors="ignore").astype(object),
                                      preserve_index=False)
        bad = _undecoded(raw[t], charsets[t], rows[t], places[t], labels.get(t, t)) if t in (charsets or {}) else None
        if bad:
            return _error(b, *bad)
    try:
        prog = validate_raw(raw, as_of=as_of, labels={t: labels.get(t, t) for t in raw})
    except CalibInputError as exc:  # told on the driver as the local loader tells it (no traceback)
        return _error(b, str(exc))
    out = []
    for t in raw:
        acc = prog.table(t)
        if acc is not None and places[t] is not None:  # the local loader's file column
            acc = acc.copy()
            acc.insert(1, "file", pd.Series(pd.Categorical(places[t][acc["row"].to_numpy() - 2]), index=acc.index))
        if acc is not None and len(acc):
            acc = acc.assign(row=rows[t][acc["row"].to_numpy() - 2])
        out.append((t, acc if acc is not None else pd.DataFrame()))
        if acc is not None:  # the table's columns and dtypes, without rows: for the driver
            out.append((f"{t}{_SCHEMA}", acc.iloc[:0]))
    q = prog.quarantine.copy()
    for t in raw:
        m = (q["table"] == t).to_numpy()
        if m.any():
            q.loc[m, "reason"] = _map_rows(q.loc[m, "reason"], rows[t], places[t]).to_numpy()
            if places[t] is not None:
                q.loc[m, "file"] = places[t][q.loc[m, "row"].to_numpy(np.int64) - 2]
            q.loc[m, "row"] = rows[t][q.loc[m, "row"].to_numpy(np.int64) - 2]
    out += [("quarantine", q), ("counts", prog.counts)]
    return pd.DataFrame({"group": b, "name": [n for n, _ in out], "payload": [to_bytes(d) for _, d in out]})


def _combine_quarantine(parts: list[tuple[str, pd.DataFrame]], accepted_va_rows: set[int]) -> pd.DataFrame:
    """All buckets' problems; registers' from bucket 0, a village assessment "not in the roster"
    only when no bucket accepted it."""
    keep = []
    for b, q in parts:
        reg = q["table"].isin(REGISTERS).to_numpy()
        keep.append(q.loc[~reg])
        if b == "0":
            va_nir = (q["table"].eq("village_assessments") & q["reason"].eq(_NOT_IN_ROSTER)).to_numpy()
            in_any = pd.Series(list(zip(q["file"], q["row"]))).isin(accepted_va_rows).to_numpy()
            keep.append(q.loc[reg & ~(va_nir & in_any)])
    q = pd.concat(keep, ignore_index=True)
    # by file too: a table read from several files in their order (names: the local loader's order)
    q = q.sort_values(["table", "file", "row", "column"], kind="stable").reset_index(drop=True)
    q["row"] = q["row"].astype(int)
    return q


def _combine_counts(parts: list[tuple[str, pd.DataFrame]], q: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    allc = pd.concat([c.assign(_b=b) for b, c in parts], ignore_index=True)
    rows = []
    for t in TABLES:
        c = allc.loc[allc["table"] == t]
        if c.empty:
            continue
        first = c.loc[c["_b"] == "0"].iloc[0] if (c["_b"] == "0").any() else c.iloc[0]
        read = int(first["rows_read"]) if t in REGISTERS else int(c["rows_read"].sum())
        bad = len(q.loc[q["table"] == t, ["file", "row"]].drop_duplicates())
        rows.append({"table": t, "file": labels.get(t, t), "rows_read": read, "rows_accepted": read - bad,
                     "rows_quarantined": bad, "ignored_columns": first["ignored_columns"]})
    return pd.DataFrame(rows)


def validate_on_spark(spark, raw: Mapping[str, Any], *, as_of: Any, buckets: int = 8,
                      labels: Mapping[str, str] | None = None, with_dtypes: bool = False,
                      charsets: Mapping[str, str] | None = None):
    """Apply the data contract to raw Spark tables, bucket by bucket on the executors.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    raw : mapping
        Table name -> Spark DataFrame as read from the source (any headers the contract
        accepts, every cell as text or castable to text), in source order (CSV read with
        ``multiLine`` keeps the file order).
    as_of : date-like
        Reference date.
    buckets : int
        Buckets of households (parallel tasks).
    labels : mapping, optional
        Table -> source label for the quarantine's and counts' ``file``.
    with_dtypes : bool
        Also return each accepted table's pandas dtypes (as the local loader gives them).
    charsets : mapping, optional
        Table -> the charset Spark read its CSV in (:func:`calib.engine.snapshot.read_raw_tables`
        fills it): a header or cell holding U+FFFD there is bytes that are not valid in it, an
        error naming the file, row and column, as the local loader stops on them.

    Returns
    -------
    (dict, pandas.DataFrame, pandas.DataFrame[, dict])
        Accepted tables (Spark DataFrames, as :func:`calib.io.load_programme` would give them,
        with the source's row numbers), quarantine and counts exactly as the local loader
        (and table -> {column: pandas dtype}). Only the quarantine, the counts and each table's
        columns (no rows) come to the driver.
    """
    from calib.engine.grouped import PACKED_SCHEMA

    labels = {t: (labels or {}).get(t, f"{t}") for t in raw}
    # a label ending in "/" is a table given as a folder: rows numbered and named by file
    tables = {t: _with_rows(s, per_file=labels[t].endswith("/")) for t, s in raw.items()}
    headers = {t: [c for c in s.columns if c not in ("_row", "_file")] for t, s in tables.items()}
    charsets = {t: c for t, c in (charsets or {}).items() if t in raw}
    for t in charsets:
        if any("\ufffd" in h for h in headers[t]):
            raise CalibInputError(f"{labels[t]}: the header row has bytes that are not valid {charsets[t]}; save the "
                                  "file as UTF-8 CSV or name its encoding (the run's `encoding`)")
    for t in ("roster", "reviews", "model_runs"):
        headers.setdefault(t, [])
    parts = None
    for t, s in _bucketed(spark, tables, buckets).items():
        p = _split_by_bucket(s, t)
        parts = p if parts is None else parts.unionByName(p)
    stamp = pd.Timestamp(as_of)

    def run(pdf: pd.DataFrame) -> pd.DataFrame:  # a function, not a partial: pyspark reads its hints
        return _run_bucket(pdf, as_of=stamp, labels=labels, headers=headers, charsets=charsets)

    res = parts.groupBy("group").applyInPandas(run, schema=PACKED_SCHEMA).cache()
    from pyspark.sql import functions as F

    small = res.filter(res["name"].isin("quarantine", "counts", "village_assessments", _ERROR)
                       | F.col("name").endswith(_SCHEMA)).collect()
    got = {(r["group"], r["name"]): from_bytes(r["payload"]) for r in small}
    errors = sorted((b, d) for (b, n), d in got.items() if n == _ERROR)
    if errors:  # a bucket's data broke a rule of a whole column (amounts in 万元 under a yuan header), bad bytes
        res.unpersist()
        placed = [d for _, d in errors if "row" in d]  # rows with bad bytes: the first of all buckets'
        first = min(placed, key=lambda d: (str(d["file"].iloc[0]), int(d["row"].iloc[0]))) if placed else errors[0][1]
        raise CalibInputError(first["message"].iloc[0])
    va_rows = {(f, int(x)) for (b, n), d in got.items() if n == "village_assessments"
               for f, x in zip(d["file"] if "file" in d else [labels["village_assessments"]] * len(d), d.get("row", []))}
    q = _combine_quarantine([(b, d) for (b, n), d in got.items() if n == "quarantine"], va_rows)
    counts = _combine_counts([(b, d) for (b, n), d in got.items() if n == "counts"], q, labels)
    empty = {n[:-len(_SCHEMA)]: d for (b, n), d in sorted(got.items()) if n.endswith(_SCHEMA)}
    accepted = {t: _accepted(spark, res, t, empty.get(t)) for t in raw}
    if with_dtypes:
        return accepted, q, counts, {t: {str(c): str(d) for c, d in e.dtypes.items()} for t, e in empty.items()}
    return accepted, q, counts


def _accepted(spark, res, table: str, sample: pd.DataFrame | None):
    """A table's accepted rows from all buckets as one Spark DataFrame (registers once);
    ``sample``: its columns and dtypes (no rows), ``None`` when no bucket has the table."""
    sel = res.filter(res["name"] == table)
    if table == "reviewers":
        sel = sel.filter(sel["group"] == "0")
    if sample is None:
        return None
    arrow = pa.Table.from_pandas(sample.reset_index(drop=True), preserve_index=False).schema
    arrow = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in arrow])
    arrow = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in arrow])
    schema = spark.createDataFrame(arrow.empty_table()).schema
    coded = [str(c) for c, d in sample.dtypes.items() if isinstance(d, pd.CategoricalDtype)]  # the file: text on Spark

    def explode(batches):
        for pdf in batches:
            for p in pdf["payload"]:
                part = from_bytes(p).reset_index(drop=True)
                yield part.astype({c: object for c in coded}) if coded else part

    out = sel.select("payload").mapInPandas(explode, schema)
    if table == "village_assessments":  # in every bucket: once
        return out.dropDuplicates(["file", "row"] if "file" in sample.columns else ["row"])
    return out
