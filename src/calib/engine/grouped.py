"""Run a pure pandas function once per independent group of households on Spark.

A *packed* frame is a Spark DataFrame ``[group string, name string, payload binary]``: for each
group, one row per table holding that group's rows of the table as an Arrow IPC stream (pandas
index and dtypes kept). :func:`pack` builds one from a Spark table, :func:`apply_by_group` runs a
function on every group's tables (``groupBy(group).applyInPandas``) and returns its result packed
again, so steps chain on the executors; :func:`collect` brings a result table to the driver.

Packing keeps the exact pandas dtypes of the local engine (Spark's own pandas conversion turns
``str`` columns into ``object`` and nullable integers into floats), so a step run per group gets
the very input it would get locally.
"""
from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["PACKED_SCHEMA", "pack", "pack_pandas", "bucket_column", "bucket_of", "apply_by_group", "collect", "to_bytes", "from_bytes"]

PACKED_SCHEMA = "group string, name string, payload binary"


_OBJ = b"calib_object_columns"


def to_bytes(df: pd.DataFrame) -> bytes:
    """A pandas frame as Arrow IPC stream bytes (index and dtypes kept, ``object`` text too)."""
    table = pa.Table.from_pandas(df, preserve_index=True)
    obj = [str(c) for c, t in df.dtypes.items() if t == object]
    obj += ["\x00index"] if df.index.dtype == object and not isinstance(df.index, pd.MultiIndex) else []
    table = table.replace_schema_metadata({**table.schema.metadata, _OBJ: json.dumps(obj).encode()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def from_bytes(payload: bytes) -> pd.DataFrame:
    """Inverse of :func:`to_bytes`."""
    table = pa.ipc.open_stream(pa.py_buffer(payload)).read_all()
    df = table.to_pandas()
    obj = json.loads((table.schema.metadata or {}).get(_OBJ, b"[]"))
    for c in obj:
        if c == "\x00index":
            df.index = df.index.astype(object)
        elif c in df.columns:
            df[c] = df[c].astype(object)
    return df


def _coerce(pdf: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Give a frame from Spark the local engine's dtypes (text as ``str``, nullable ints, ...)."""
    out = {}
    for c in pdf.columns:
        want = dtypes.get(c)
        s = pdf[c]
        if want is None or str(s.dtype) == want:
            out[c] = s
        elif want.startswith("datetime64"):
            out[c] = pd.to_datetime(s).astype(want)
        elif want in ("str", "string", "object") and s.dtype == object:
            out[c] = s.astype(want) if want != "object" else s
        else:
            out[c] = s.astype(want)
    return pd.DataFrame(out, index=pdf.index)


def pack(sdf, name: str, group: str, dtypes: Mapping[str, str], *, buckets: int | None = None):
    """Pack a Spark table by group.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        A table with a column ``group`` (text).
    name : str
        Name the table is known by inside the step functions.
    group : str
        Column holding the group of each row (a village, a connected component).
    dtypes : mapping
        Column -> pandas dtype the local engine has for it (see :func:`local_dtypes`).
    buckets : int, optional
        Put the groups in this many buckets (:func:`bucket_column`) and pack one payload per
        bucket (rows sorted by group): a step then runs once per bucket on all its groups, which
        for a step computed group by group gives the same rows as one call per group, without a
        Python call and an Arrow batch per group (thousands of villages). ``None``: one per group.

    Returns
    -------
    pyspark.sql.DataFrame
        ``group, name, payload``: one row per group (per bucket with ``buckets``).
    """
    cols = list(sdf.columns)
    want = {c: str(dtypes[c]) for c in cols if c in dtypes}
    if buckets:
        def _many(pdf: pd.DataFrame) -> pd.DataFrame:
            key = str(pdf[_BUCKET].iloc[0])
            pdf = _coerce(pdf[cols].sort_values(group, kind="stable").reset_index(drop=True), want)
            return pd.DataFrame({"group": [key], "name": [name], "payload": [to_bytes(pdf)]})

        return sdf.withColumn(_BUCKET, bucket_column(group, buckets)).groupBy(_BUCKET).applyInPandas(
            _many, schema=PACKED_SCHEMA)

    def _one(pdf: pd.DataFrame) -> pd.DataFrame:
        pdf = _coerce(pdf[cols].reset_index(drop=True), want)
        return pd.DataFrame({"group": [str(pdf[group].iloc[0])], "name": [name], "payload": [to_bytes(pdf)]})

    return sdf.groupBy(group).applyInPandas(_one, schema=PACKED_SCHEMA)


_BUCKET = "_calib_bucket"


def bucket_column(group: str, buckets: int):
    """Spark column: the bucket of each row's group, ``crc32(utf-8 of the group) mod buckets``
    as text (``-1`` for a missing group); :func:`bucket_of` computes the same in pandas."""
    from pyspark.sql import functions as F

    b = F.pmod(F.crc32(F.col(group).cast("string").cast("binary")), F.lit(buckets))
    return F.coalesce(b, F.lit(-1)).cast("string")


def bucket_of(values: pd.Series, buckets: int) -> np.ndarray:
    """The bucket (text) of each value, as :func:`bucket_column` computes it on Spark."""
    uniq = pd.unique(values)
    code = {v: str(zlib.crc32(str(v).encode("utf-8")) % buckets) if not pd.isna(v) else "-1" for v in uniq}
    return values.map(code).to_numpy(object)


def pack_pandas(spark, df: pd.DataFrame, name: str, group: str, *, index: bool = False,
                buckets: int | None = None):
    """Pack a frame held on the driver (a result computed there) by group.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    df : pandas.DataFrame
        Frame with a column ``group``.
    name, group : str
        As for :func:`pack`.
    index : bool
        Keep the frame's index (as a result table's ``household_id`` index).
    buckets : int, optional
        As for :func:`pack` (the same bucket of each group).

    Returns
    -------
    pyspark.sql.DataFrame
        ``group, name, payload``.
    """
    body = df if index else df.reset_index(drop=True)
    key = bucket_of(body[group], buckets) if buckets else body[group]
    rows = [(str(g), name, to_bytes(part)) for g, part in body.groupby(key, sort=True, dropna=False)]
    return spark.createDataFrame(rows, schema=PACKED_SCHEMA)


def apply_by_group(packed, func: Callable[[dict[str, pd.DataFrame], str], pd.DataFrame], name: str):
    """Run ``func`` on every group's tables, in parallel on the executors.

    Parameters
    ----------
    packed : pyspark.sql.DataFrame
        Union of packed tables (``group, name, payload``).
    func : callable
        ``func(tables, group) -> pandas.DataFrame``; ``tables`` maps each name to the group's
        rows (a name without rows in this group is absent).
    name : str
        Name of the result.

    Returns
    -------
    pyspark.sql.DataFrame
        The results packed (``group, name, payload``).
    """
    def _run(pdf: pd.DataFrame) -> pd.DataFrame:
        g = str(pdf["group"].iloc[0])
        tables = {str(n): from_bytes(p) for n, p in zip(pdf["name"], pdf["payload"])}
        res = func(tables, g)
        return pd.DataFrame({"group": [g], "name": [name], "payload": [to_bytes(res)]})

    return packed.groupBy("group").applyInPandas(_run, schema=PACKED_SCHEMA)


def collect(packed, name: str | None = None) -> pd.DataFrame:
    """Bring a packed result table to the driver as one pandas frame (groups in sorted order).

    Parameters
    ----------
    packed : pyspark.sql.DataFrame
        Packed frame.
    name : str, optional
        Keep only this table.

    Returns
    -------
    pandas.DataFrame
    """
    if name is not None:
        packed = packed.filter(packed["name"] == name)
    rows = sorted(packed.select("group", "payload").collect(), key=lambda r: r["group"])
    parts = [from_bytes(r["payload"]) for r in rows]
    parts = [p for p in parts if len(p)] or parts[:1]
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts)
    first = parts[0]
    if first.index.dtype == object:  # pandas 3's concat infers ``str`` for object text
        out.index = out.index.astype(object)
    for c in first.columns[(first.dtypes == object).to_numpy()]:
        out[c] = out[c].astype(object)
    return out
