"""One call per pipeline step, whichever the engine: what notebooks and the runner use.

With ``spark=None`` each function is exactly the local function it names; with a Spark session
(``session_for(P)`` when ``P.engine == "spark"``) it runs the step per village on Spark
(:mod:`calib.engine.steps`) and returns the same pandas table::

    spark = engine.session_for(P)
    cons = engine.consensus_limits(prog, spark=spark, **P.block("consensus"))
    cmp = engine.compare_limits(prog, cons, spark=spark, policy=P.block("reconciliation"))
    kpis = engine.programme_kpis(prog, spark=spark, final_limits=cmp[["final_limit"]],
                                 eligibility=P.block("eligibility"))
"""
from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import pandas as pd

from calib import compare as _compare
from calib import consensus as _consensus
from calib import villages as _villages
from calib._frames import isin
from calib.engine.spark import ENGINES, spark_session
from calib.errors import CalibParamsError
from calib.programme import Programme

__all__ = ["session_for", "distributed", "consensus_limits", "compare_limits", "programme_kpis"]

_DISTRIBUTED: dict[int, tuple[Any, Any]] = {}


def session_for(params: Any):
    """The Spark session the params ask for, or ``None`` for ``engine: local``.

    Parameters
    ----------
    params : calib.params.Params or mapping
        Reads ``engine`` (default ``local``) and the ``spark`` block.
    """
    get = params.get if isinstance(params, Mapping) else lambda k, d=None: getattr(params, k, d)
    engine = get("engine", "local") or "local"
    if engine not in ENGINES:
        raise CalibParamsError(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "local":
        return None
    block = get("spark", None)
    block = block.model_dump() if hasattr(block, "model_dump") else block
    return spark_session(block)


def distributed(programme, spark):
    """The programme's tables on Spark (a :class:`~calib.engine.steps.SparkProgramme`), built once
    per programme object and session.

    In a report of a ``calib run`` with ``engine: spark`` the tables are the run's snapshot,
    written by the executors and read by them as Parquet (:func:`snapshot_programme`); otherwise
    the programme's pandas tables are sent from the driver."""
    from calib.engine.steps import SparkProgramme, from_programme

    if isinstance(programme, SparkProgramme):
        return programme
    hit = _DISTRIBUTED.get(id(programme))
    if hit is not None and hit[0]() is programme and hit[1].spark is spark:
        return hit[1]
    sp = snapshot_programme(spark, programme) or from_programme(spark, programme)
    _DISTRIBUTED[id(programme)] = (weakref.ref(programme), sp)
    weakref.finalize(programme, _DISTRIBUTED.pop, id(programme), None)
    return sp


def snapshot_programme(spark, programme=None, folder: str | None = None):
    """The run's validated snapshot read by Spark as Parquet, when it is the programme's.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    programme : Programme, optional
        The programme the report read (:func:`calib.report.open_run`); the snapshot is used only
        when its inputs' digests, ``as_of`` and row counts are this programme's.
    folder : str, optional
        The snapshot folder holding the manifest (default ``$CALIB_SPARK_SNAPSHOT``, set by
        ``calib run`` for the report kernels of a Spark run); the tables are read where the
        manifest says the executors wrote them (``spark.snapshot_dir`` or the folder itself).

    Returns
    -------
    SparkProgramme or None
        Tables read by the executors with the dtypes the snapshot's manifest records (the local
        engine's); ``None`` without a matching snapshot written by Spark.
    """
    import json
    import os
    from pathlib import Path

    from calib.engine.snapshot import SNAPSHOT_ENV, file_uri
    from calib.engine.steps import assemble, default_buckets

    folder = folder or os.environ.get(SNAPSHOT_ENV)
    if not folder or not (Path(folder) / "manifest.json").is_file():
        return None
    m = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    if m.get("engine") != "spark":
        return None
    if programme is not None:
        inputs = {t: v["sha256"] for t, v in m.get("inputs", {}).items() if v.get("sha256")}
        same = (inputs == dict(programme.digests) and pd.Timestamp(m["as_of"]) == pd.Timestamp(programme.as_of)
                and all(programme.table(t) is not None and len(programme.table(t)) == e["rows"]
                        for t, e in m["tables"].items()))
        if not same:
            return None
    # the tables where the executors wrote them: spark.snapshot_dir (``uri``) or beside the manifest
    tables = {t: spark.read.parquet(e.get("uri") or file_uri(Path(folder) / e["file"]))
              for t, e in m["tables"].items()}
    sp = assemble(spark, tables, as_of=m["as_of"])
    sp.buckets = default_buckets(spark, m["tables"].get("reviews", {}).get("rows", 0))
    for t, e in m["tables"].items():  # the local engine's dtypes (relations: + village)
        sp.dtypes[t] = {**sp.dtypes[t], **e["dtypes"]}
    if "relations" in sp.dtypes and "roster" in m["tables"]:
        sp.dtypes["relations"]["village"] = m["tables"]["roster"]["dtypes"]["village"]
    return sp


def _is_local(programme, spark) -> bool:
    return spark is None and isinstance(programme, Programme)


def consensus_limits(programme, *, spark=None, pooling: str = "programme", **params: Any) -> pd.DataFrame:
    """:func:`calib.consensus.consensus_limits` of ``programme.reviews`` (with its relations).

    Parameters
    ----------
    programme : Programme or SparkProgramme
    spark : pyspark.sql.SparkSession, optional
        ``None``: the local engine.
    pooling : {"programme", "group"}
        Spark only; see :func:`calib.engine.steps.consensus_limits`.
    **params
        The ``consensus`` params block.

    Returns
    -------
    pandas.DataFrame
        The local function's table; on Spark, for a programme held locally, in the same row order
        as the local engine (a programme read only on Spark: village order).
    """
    if _is_local(programme, spark):
        return _consensus.consensus_limits(programme.reviews, relations=programme.relations, **params)
    from calib.engine import steps

    sp = distributed(programme, spark or programme.spark)
    return _local_order(steps.consensus_limits(sp, pooling=pooling, **params), programme)


def compare_limits(programme, consensus: pd.DataFrame, *, spark=None,
                   policy: Mapping | None = None,
                   eligibility: Mapping | None = None) -> pd.DataFrame:
    """:func:`calib.compare.compare_limits` of a consensus table and ``programme.model_runs``
    (rows sorted by household on either engine, as the local function sorts them); with the
    ``eligibility`` params block, the households no member of which is eligible get no credit
    and no investigation (:func:`calib.compare.apply_eligibility`)."""
    if _is_local(programme, spark):
        out = _compare.compare_limits(consensus, programme.model_runs, policy=policy)
        if eligibility is None:
            return out
        from calib.programme.eligibility import eligible_households

        return _compare.apply_eligibility(out, eligible_households(programme.roster, **eligibility))
    from calib.engine import steps
    from calib.engine.grouped import pack_pandas

    sp = distributed(programme, spark or programme.spark)
    packed = pack_pandas(sp.spark, consensus, "consensus", steps.GROUP, index=True, buckets=sp.buckets)
    return steps.compare_limits(sp, packed, policy=policy, eligibility=eligibility).sort_index(kind="stable")


def programme_kpis(programme, *, spark=None, final_limits: pd.DataFrame | None = None,
                   eligibility: Mapping | None = None, unit: str = "household", as_of: Any = None) -> pd.DataFrame:
    """:func:`calib.villages.programme_kpis`; ``final_limits`` indexed by ``household_id``."""
    if _is_local(programme, spark):
        return _villages.programme_kpis(programme, final_limits=final_limits, eligibility=eligibility,
                                        unit=unit, as_of=as_of)
    from calib.engine import steps
    from calib.engine.grouped import pack_pandas

    sp = distributed(programme, spark or programme.spark)
    packed = None
    if final_limits is not None:
        fl = final_limits[["final_limit"]]
        villages = _household_villages(sp)
        fl = fl.join(villages, how="inner")
        packed = pack_pandas(sp.spark, fl, "comparison", steps.GROUP, index=True, buckets=sp.buckets)
    return steps.programme_kpis(sp, packed, eligibility=eligibility, unit=unit, as_of=as_of)


def _local_order(cons: pd.DataFrame, programme) -> pd.DataFrame:
    """The consensus rows in the local engine's order (households in order of first appearance in
    the reviews) when the programme is held locally, so that what depends on row order (bootstrap
    resamples, plots' random subsets, ties in sorted tables) is the same on both engines; a
    programme read only on Spark keeps the village order."""
    if not isinstance(programme, Programme):
        return cons
    order = pd.unique(programme.reviews["household_id"].to_numpy())
    if len(order) != len(cons) or not isin(cons.index, order).all():
        return cons
    return cons.loc[order]


def _household_villages(sp) -> pd.DataFrame:
    """household_id -> village of every household of the roster (small: one row per household)."""
    from calib.engine.steps import _to_pandas

    ro = _to_pandas(sp, "roster", ["household_id", "village"])
    return ro.drop_duplicates("household_id").set_index("household_id")
