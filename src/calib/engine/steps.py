"""The consensus, comparison and village steps of the pipeline on Spark.

Each step runs the very same pure function as the local engine
(:func:`calib.consensus.consensus_limits`, :func:`calib.compare.compare_limits`,
:func:`calib.villages.programme_kpis`) once per independent group with
``groupBy(group).applyInPandas`` (:mod:`calib.engine.grouped`). The group is the village: the
loader quarantines a review by a reviewer of another village's panel, so every connected
component of the household-reviewer graph lies inside one village, and every table of the
contract carries the village (relations get it from the roster). Villages are packed in
buckets (:func:`default_buckets`; ``crc32(village) mod buckets``), and each step runs once per
bucket on all its villages: the functions compute each household (or village) from its own
village's rows, so that gives the rows of one call per village, without a Python call and an
Arrow batch per village (thousands of them in a province).

What is not per group runs on the driver, on small tables:

* the ``adjusted`` consensus pools its robust scale and the variance of the reviewer effects over
  the whole programme (one crossed random-effects fit), so with ``pooling="programme"`` (default,
  identical to the local engine) it runs on the driver on the slim review table (household,
  reviewer, proposed limit, village: four columns); ``pooling="group"`` fits each village on its
  own executor (scales to any size; each village then has its own scale and variance, so the
  limits differ slightly from the local engine's);
* township and programme rows of the KPIs are sums of the village rows; certification compares
  villages with the county average, on the village table;
* the scorecard and points fits need every household at once and run on the per-household
  feature table collected to the driver (one row per household: a province of 1M households is
  a few hundred MB), where the local code's exact small-cluster statistics apply unchanged.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from calib import compare as _compare
from calib import consensus as _consensus
from calib import villages as _villages
from calib.villages import status as _villages_status
from calib.engine.grouped import apply_by_group, collect, pack, pack_pandas
from calib.errors import CalibParamsError
from calib.programme import TABLES, Programme
from calib.programme.eligibility import eligible_households

__all__ = ["SparkProgramme", "from_programme", "read_programme", "assemble", "consensus_limits", "compare_limits", "programme_kpis",
           "POOLINGS", "default_buckets"]

GROUP = "village"
POOLINGS = ("programme", "group")
_KPI_TABLES = ("roster", "reviews", "model_runs", "loans")


@dataclass
class SparkProgramme:
    """A validated programme held as Spark DataFrames.

    Attributes
    ----------
    spark : pyspark.sql.SparkSession
    tables : dict
        Table name -> Spark DataFrame with the columns of the loaded table (``data/README.md``);
        every table has ``village`` (relations: joined from the roster).
    dtypes : dict
        Table name -> {column: pandas dtype of the local engine}, so that per-group steps see the
        same frames as the local engine.
    as_of : pandas.Timestamp
    """

    spark: Any
    tables: dict[str, Any]
    dtypes: dict[str, dict[str, str]]
    as_of: pd.Timestamp
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Villages are packed into this many buckets, one task and one Python call per bucket
    #: (:func:`calib.engine.grouped.pack`); ``None``: one per village.
    buckets: int | None = None
    _packs: dict[str, Any] = field(default_factory=dict, repr=False)

    def packed(self, name: str):
        """The table packed by bucket of villages (computed once, then cached on the executors)."""
        if name not in self._packs:
            self._packs[name] = _cache(pack(self.tables[name], name, GROUP, self.dtypes[name], buckets=self.buckets))
        return self._packs[name]

    def table(self, name: str):
        """The Spark DataFrame of a table (``None`` when the programme has none)."""
        return self.tables.get(name)


def from_programme(spark, programme: Programme, *, partitions: int | None = None) -> SparkProgramme:
    """Distribute a loaded programme's tables to Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    programme : Programme
        As loaded by :func:`calib.io.load_programme`.
    partitions : int, optional
        Repartition every table by village into this many partitions.

    Returns
    -------
    SparkProgramme
    """
    tables, dtypes = {}, {}
    for name in TABLES:
        df = programme.table(name)
        if df is None:
            continue
        if name == "relations":
            where = programme.roster.groupby("household_id", sort=False)["village"].first()
            df = df.join(where, on="household_id")
        sdf = spark.createDataFrame(pa.Table.from_pandas(df, preserve_index=False))
        tables[name] = sdf.repartition(partitions, GROUP) if partitions else sdf
        dtypes[name] = {c: str(t) for c, t in df.dtypes.items()}
    return SparkProgramme(spark, tables, dtypes, pd.Timestamp(programme.as_of),
                          programme.quarantine, programme.counts, buckets=default_buckets(spark))


def _pandas_dtype(spark_type: str, column: str) -> str:
    """The local engine's pandas dtype for a Spark column type."""
    if spark_type == "string":
        return "str"
    if spark_type in ("bigint", "int", "smallint", "tinyint"):
        return "int64" if column == "row" else "Int64"
    if spark_type in ("double", "float") or spark_type.startswith("decimal"):
        return "float64"
    if spark_type == "boolean":
        return "boolean"
    if spark_type.startswith("timestamp") or spark_type == "date":
        return "datetime64[ns]"
    return "object"


def read_programme(spark, sources: Mapping[str, str], *, as_of: Any) -> SparkProgramme:
    """Open validated programme tables where Spark reads them, without bringing them to the driver.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    sources : mapping
        Table name -> a Parquet file or folder URI (``file://``, ``hdfs://``, ``s3a://``, or a
        path) or a catalog table (``catalog:db.table``). Columns as the loaded tables
        (``data/README.md``), typed; ``reviews`` must carry ``village`` (the loader adds it).
    as_of : date-like
        Reference date of the programme.

    Returns
    -------
    SparkProgramme
        ``relations`` gets ``village`` from the roster, or from the reviews when there is no roster.
    """
    unknown = sorted(set(sources) - set(TABLES))
    if unknown:
        raise CalibParamsError(f"tables: unknown table {unknown[0]!r}; tables are {', '.join(TABLES)}")
    tables = {}
    for name, uri in sources.items():
        uri = str(uri)
        tables[name] = spark.table(uri[len("catalog:"):]) if uri.startswith("catalog:") else spark.read.parquet(uri)
    return assemble(spark, tables, as_of=as_of)


def assemble(spark, tables: Mapping[str, Any], *, as_of: Any, quarantine: pd.DataFrame | None = None,
             counts: pd.DataFrame | None = None) -> SparkProgramme:
    """A :class:`SparkProgramme` from validated Spark tables (``relations`` gets ``village``).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    tables : mapping
        Table name -> Spark DataFrame of accepted rows (``None`` entries are left out).
    as_of : date-like
    quarantine, counts : pandas.DataFrame, optional
        From the validation.
    """
    tables = {n: t for n, t in tables.items() if t is not None}
    if "relations" in tables and GROUP not in tables["relations"].columns:
        src = tables.get("roster", tables.get("reviews"))
        where = src.select("household_id", GROUP).dropDuplicates(["household_id"])
        tables["relations"] = tables["relations"].join(where, on="household_id", how="left")
    dtypes = {n: {f.name: _pandas_dtype(f.dataType.simpleString(), f.name) for f in t.schema.fields}
              for n, t in tables.items()}
    return SparkProgramme(spark, tables, dtypes, pd.Timestamp(as_of),
                          quarantine if quarantine is not None else pd.DataFrame(),
                          counts if counts is not None else pd.DataFrame(), buckets=default_buckets(spark))


#: Reviews per bucket of villages at most (about 60,000 households).
REVIEWS_PER_BUCKET = 250_000


def default_buckets(spark, reviews: int = 0) -> int:
    """Buckets of villages: twice the shuffle partitions (8 on ``local[2]``, 400 with Spark's
    default 200 on a cluster), so every core gets a few tasks, and more when the programme has
    more than :data:`REVIEWS_PER_BUCKET` reviews per bucket (``reviews``: its review count, when
    known), so that no bucket's payload strains an executor's heap."""
    return max(2 * int(spark.conf.get("spark.sql.shuffle.partitions")), -(-int(reviews) // REVIEWS_PER_BUCKET))


def _packed(sp: SparkProgramme, names) -> Any:
    parts = [sp.packed(n) for n in names if n in sp.tables]
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out


def consensus_packed(sp: SparkProgramme, *, pooling: str = "programme", **params: Any):
    """Consensus per household, packed by village (see :func:`consensus_limits`)."""
    if pooling not in POOLINGS:
        raise CalibParamsError(f"spark.pooling: expected one of {', '.join(POOLINGS)}, got {pooling!r}")
    if params.get("method", "adjusted") == "adjusted" and pooling == "programme":
        cols = [c for c in ("household_id", "reviewer_id", "proposed_limit", "village", "township")
                if c in sp.tables["reviews"].columns]
        reviews = _to_pandas(sp, "reviews", cols)
        rel = _to_pandas(sp, "relations") if "relations" in sp.tables else None
        cons = _consensus.consensus_limits(reviews, relations=rel, **params)
        return _cache(pack_pandas(sp.spark, cons, "consensus", GROUP, index=True, buckets=sp.buckets))
    per_village = params.get("method", "adjusted") == "adjusted" and sp.buckets  # group pooling

    def _one(t: dict[str, pd.DataFrame], group: str) -> pd.DataFrame:
        rv, rel = t["reviews"], t.get("relations")
        if not per_village:  # per household: the bucket's villages in one call
            return _consensus.consensus_limits(rv, relations=rel, **params)
        parts = []  # the adjusted fit of each village of the bucket on its own
        for v, r in rv.groupby(GROUP, sort=True):
            rl = rel.loc[(rel[GROUP] == v).to_numpy()] if rel is not None else None
            parts.append(_consensus.consensus_limits(r, relations=rl, **params))
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    return _cache(apply_by_group(_packed(sp, ["reviews", "relations"]), _one, "consensus"))


#: The DataFrames this process cached on Spark. A report kernel of a run is a Spark Connect client
#: of the run's one driver, whose cache outlives the kernel's session: the kernel unpersists what
#: it cached when it ends (:func:`release_cached`, registered by ``spark_session``), so the driver
#: does not hold every finished report's data until the run ends.
_CACHED: list = []


def _cache(sdf):
    """``sdf.cache()``, recorded for :func:`release_cached`."""
    sdf = sdf.cache()
    _CACHED.append(sdf)
    return sdf


def release_cached() -> int:
    """Unpersist every DataFrame this process cached through these steps; returns how many.

    Errors are ignored (the driver may already be gone at exit)."""
    n = 0
    while _CACHED:
        sdf = _CACHED.pop()
        try:
            sdf.unpersist(blocking=True)
            n += 1
        except Exception:  # a driver that ended first holds nothing any more
            pass
    return n


def _to_pandas(sp: SparkProgramme, name: str, cols: list[str] | None = None) -> pd.DataFrame:
    """A (slim) table collected to the driver with the local engine's dtypes."""
    from calib.engine.grouped import _coerce

    sdf = sp.tables[name]
    sdf = sdf.select(*cols) if cols else sdf
    pdf = sdf.toArrow().to_pandas()  # Arrow batches from the executors (a Connect session too)
    return _coerce(pdf, sp.dtypes[name])


def consensus_limits(sp: SparkProgramme, *, pooling: str = "programme", **params: Any) -> pd.DataFrame:
    """:func:`calib.consensus.consensus_limits` of the programme's reviews, on Spark.

    Parameters
    ----------
    sp : SparkProgramme
    pooling : {"programme", "group"}
        For ``method="adjusted"``: ``programme`` fits on the driver (identical to the local
        engine), ``group`` fits each village on the executors. Other methods are per household
        and always run per village (identical).
    **params
        The ``consensus`` params block.

    Returns
    -------
    pandas.DataFrame
        As :func:`calib.consensus.consensus_limits`, rows in village order.
    """
    return collect(consensus_packed(sp, pooling=pooling, **params))


def comparison_packed(sp: SparkProgramme, consensus_packed_, *, policy: Mapping | None = None,
                      eligibility: Mapping | None = None):
    """Comparison per household, packed by village (see :func:`compare_limits`)."""
    empty = pd.DataFrame({"consensus_limit": pd.Series(dtype=float)}, index=pd.Index([], name="household_id"))

    def _one(t: dict[str, pd.DataFrame], group: str) -> pd.DataFrame:
        runs = t.get("model_runs")
        if runs is None:  # a village reviewed but never run: no model-run row
            runs = pd.DataFrame({"household_id": pd.Series(dtype="str"),
                                 "run_date": pd.Series(dtype="datetime64[ns]"),
                                 "model_limit": pd.Series(dtype=float)})
        out = _compare.compare_limits(t.get("consensus", empty), runs, policy=policy)
        if eligibility is not None and t.get("roster") is not None:  # a village's households
            out = _compare.apply_eligibility(out, eligible_households(t["roster"], **eligibility))
        return out

    names = ["model_runs", "roster"] if eligibility is not None else ["model_runs"]
    return _cache(apply_by_group(_packed(sp, names).unionByName(consensus_packed_), _one, "comparison"))


def compare_limits(sp: SparkProgramme, consensus_packed_, *, policy: Mapping | None = None,
                   eligibility: Mapping | None = None) -> pd.DataFrame:
    """:func:`calib.compare.compare_limits` on Spark, per village (and, with ``eligibility``,
    :func:`calib.compare.apply_eligibility` of each village's households).

    Parameters
    ----------
    sp : SparkProgramme
    consensus_packed_ : pyspark.sql.DataFrame
        From :func:`consensus_packed`.
    policy : mapping, optional
        The ``reconciliation`` params block.
    eligibility : mapping, optional
        The ``eligibility`` params block.

    Returns
    -------
    pandas.DataFrame
        As :func:`calib.compare.compare_limits`, rows in village order.
    """
    return collect(comparison_packed(sp, consensus_packed_, policy=policy, eligibility=eligibility))


def programme_kpis(sp: SparkProgramme, comparison_packed_=None, *, eligibility: Mapping | None = None,
                   unit: str = "household", as_of: Any = None) -> pd.DataFrame:
    """:func:`calib.villages.programme_kpis` on Spark: village rows per village on the executors,
    township and programme rows summed from them on the driver.

    Parameters
    ----------
    sp : SparkProgramme
    comparison_packed_ : pyspark.sql.DataFrame, optional
        From :func:`comparison_packed`; its ``final_limit`` is each household's limit (else the
        latest model limit, as locally).
    eligibility, unit, as_of
        As :func:`calib.villages.programme_kpis`.

    Returns
    -------
    pandas.DataFrame
        As :func:`calib.villages.programme_kpis`.
    """
    as_of_ts = pd.Timestamp(as_of if as_of is not None else sp.as_of).normalize()
    prog_as_of, empty = sp.as_of, {n: _empty_like(sp, n) for n in ("reviews", "model_runs")}

    def _one(t: dict[str, pd.DataFrame], group: str) -> pd.DataFrame:  # runs on the executors
        prog = Programme(roster=t["roster"], reviews=t.get("reviews", empty["reviews"]),
                         model_runs=t.get("model_runs", empty["model_runs"]),
                         loans=t.get("loans"), as_of=prog_as_of)
        fl = t.get("comparison")
        k = _villages.programme_kpis(prog, as_of=as_of_ts, eligibility=eligibility, unit=unit,
                                     final_limits=fl[["final_limit"]] if fl is not None else None)
        return k.loc[k["level"] == "village"]

    packed = _packed(sp, [n for n in _KPI_TABLES if n in sp.tables])
    if comparison_packed_ is not None:
        packed = packed.unionByName(comparison_packed_)
    vil = collect(apply_by_group(packed, _one, "kpis"))
    vil = vil.sort_values(["township", "village"], kind="stable").reset_index(drop=True)
    return _roll_up(vil)


def _empty_like(sp: SparkProgramme, name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in sp.dtypes[name].items()})


#: Rates of the KPI table: rate -> (numerator, denominator) columns, as calib.villages defines them.
_RATES = {
    "credit_coverage": ("n_credited", "n_eligible"), "usage": ("n_drawing", "n_credited"),
    "profiling_rate": ("n_profiled", "n_eligible"), "credit_rate": ("n_credited", "n_profiled"),
    "npl_ratio": ("defaulted_balance", "total_balance"), "npl_ratio_count": ("n_loans_defaulted", "n_loans"),
    "a_or_better_share": ("n_a_or_better", "n_households"), "loan_share": ("n_borrowers", "n_households"),
}


def _roll_up(vil: pd.DataFrame) -> pd.DataFrame:
    """Township and programme rows from the village rows (sums, rates recomputed from the sums)."""
    sums = ["n_villages", *_villages_status.COUNT_COLUMNS, "total_limit", "total_balance", "defaulted_balance"]
    tw = vil.groupby("township", sort=True)[sums].sum().reset_index().assign(level="township", village=pd.NA)
    pr = vil[sums].sum().to_frame().T.assign(level="programme", township=pd.NA, village=pd.NA)
    up = pd.concat([tw, pr], ignore_index=True)
    for c in sums:
        up[c] = up[c].astype(vil[c].dtype)
    cents = {c: np.rint(up[c].to_numpy(float) * 100.0) for c in ("total_balance", "defaulted_balance")}
    for rate, (num, den) in _RATES.items():
        n, d = (cents[num], cents[den]) if num in cents else (up[num].to_numpy(float), up[den].to_numpy(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            up[rate] = np.where(d > 0, n / d, np.nan)
    up["as_of"], up["unit"] = vil["as_of"].iloc[0], vil["unit"].iloc[0]
    out = pd.concat([vil, up[vil.columns]], ignore_index=True)
    for c in ("township", "village"):
        out[c] = out[c].astype(vil[c].dtype)
    return out
