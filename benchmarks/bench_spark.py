"""Benchmark: consensus and comparison of a province-sized programme, local engine vs Spark.

Usage::

    PYTHONPATH=src python benchmarks/bench_spark.py --households 1000000 --master 'local[2]'

Generates N households (reviews, relations, two model runs each; the generator of
``bench_consensus.py``), writes them as Parquet, then times

* ``local``: :func:`calib.consensus.consensus_limits` + :func:`calib.compare.compare_limits` in
  pandas on the whole programme;
* ``spark programme``: Spark reads the Parquet files, the adjusted consensus is fitted on the
  driver from the slim review table (identical to local), the comparison runs per bucket of
  villages with ``groupBy(bucket).applyInPandas`` (:func:`calib.engine.steps.default_buckets`);
* ``spark group``: the same with ``pooling="group"``: every village fitted on the executors (no
  table on the driver until the results are collected).

and prints wall times, the session start-up separately, and whether the Spark results equal the
local ones (programme pooling) or how far they are (group pooling). Needs ``pip install -e
".[spark]"`` and Java 17.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from calib import compare, consensus

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_consensus import generate  # noqa: E402  (one generator for the consensus benchmarks)

POLICY = {"rule": "min", "band_low": 0.67, "band_high": 1.5}


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<34} {time.perf_counter() - t:8.2f} s", flush=True)
    return out


def write_parquet(folder: Path, reviews, relations, model_runs) -> dict[str, str]:
    where = reviews.drop_duplicates("household_id").set_index("household_id")[["village", "township"]]
    model_runs = model_runs.join(where, on="household_id")
    out = {}
    for name, df in (("reviews", reviews), ("relations", relations), ("model_runs", model_runs)):
        p = folder / f"{name}.parquet"
        df.to_parquet(p, index=False, row_group_size=200_000)
        out[name] = str(p)
    return out


def run_spark(spark, sources: dict[str, str], pooling: str):
    from calib.engine import steps

    sp = steps.read_programme(spark, sources, as_of="2025-06-30")
    cp = steps.consensus_packed(sp, pooling=pooling, method="adjusted")
    cmp = steps.compare_limits(sp, cp, policy=POLICY)
    return steps.collect(cp), cmp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--per-village", type=int, default=100)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=None, help="shuffle partitions (default 2 x cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--driver-memory", default="4g",
                    help="JVM heap of the driver (Spark's 1g default runs out at 1M households: the "
                         "programme-pooled consensus is sent from the driver)")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3
    reviews, relations, model_runs = timed(
        f"generate {a.households:,} households", lambda: generate(a.households, a.per_village, 7, 5, a.seed))
    cons = timed("local consensus", lambda: consensus.consensus_limits(reviews, method="adjusted", relations=relations))
    cmp = timed("local comparison", lambda: compare.compare_limits(cons, model_runs, policy=POLICY))
    from calib.engine import engine_info, spark_session

    with tempfile.TemporaryDirectory(prefix="calib-bench-spark-") as tmp:
        sources = timed("write Parquet", lambda: write_parquet(Path(tmp), reviews, relations, model_runs))
        del reviews, relations, model_runs
        spark = timed(f"spark session ({a.master})", lambda: spark_session(
            {"master": a.master, "app_name": "calib-bench", "shuffle_partitions": a.partitions,
             "conf": {"spark.driver.memory": a.driver_memory}}))
        print(engine_info(spark), flush=True)
        s_cons, s_cmp = timed("spark, programme pooling", lambda: run_spark(spark, sources, "programme"))
        ok = np.allclose(s_cmp.sort_index()["final_limit"], cmp.sort_index()["final_limit"], rtol=1e-9)
        print(f"  final limits identical to local: {ok}", flush=True)
        g_cons, _ = timed("spark, group pooling", lambda: run_spark(spark, sources, "group"))
        a_, b_ = g_cons.sort_index()["consensus_granted"], cons.sort_index()["consensus_granted"]
        rel = (a_ / b_ - 1).abs()
        print(f"  group vs programme pooling: median |rel diff| {rel.median():.2e}, "
              f"share identical {(a_ == b_).mean():.3f}", flush=True)
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
