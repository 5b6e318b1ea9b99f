"""Execution engines: ``engine: local`` (pandas on one machine, the default) or ``engine: spark``.

:mod:`calib.engine.spark` builds the Spark session from the ``spark:`` params block;
:mod:`calib.engine.steps` runs the consensus, comparison and village steps per village with
``groupBy(...).applyInPandas``, calling the same pure functions as the local engine;
:mod:`calib.engine.validate` applies the data contract on Spark (the local loader per bucket of
households, row numbers and reasons identical); :mod:`calib.engine.dispatch` has one call per step for notebooks (local or Spark alike);
:mod:`calib.engine.grouped` is the packing that carries each group's tables to one executor;
:mod:`calib.engine.snapshot` is what ``calib run`` does with ``engine: spark``: the raw tables read,
validated and written as the run's snapshot by the executors.
Nothing here imports pyspark until a Spark session is built.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from calib._lazy import lazy_exports

if TYPE_CHECKING:
    from calib.engine.dispatch import compare_limits, consensus_limits, distributed, programme_kpis, session_for
    from calib.engine.spark import ENGINES, SparkSettings, engine_info, spark_session, validate_spark_settings

#: each public name and its module, imported on first use (calib._lazy): reading a parameter
#: file (its ``spark`` block is :class:`SparkSettings`) imports calib.engine.spark only, not the
#: consensus, the comparison and scipy.stats behind calib.engine.dispatch
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "calib.engine.spark": ["ENGINES", "SparkSettings", "engine_info", "spark_session", "validate_spark_settings"],
    "calib.engine.dispatch": ["session_for", "distributed", "consensus_limits", "compare_limits", "programme_kpis"],
})
