"""Loader speed and memory at province scale.

usage: python benchmarks/bench_io.py [--villages N] [--households-per-village N] [--seed N]

Generates a programme with `calib.synth` (default 1,000 villages x 100 households, about
100,000 households and 330,000 people), writes it as CSV, then times `load_programme` and
prints wall time, rows per second and the process's peak resident memory. Target on the 2-core machine:
a province of 1,000,000 households loads in well under 5 minutes; this script prints the
figures so the trend can be extrapolated (loading is linear in rows).
"""
from __future__ import annotations

import argparse
import tempfile
import time
import resource

from calib import synth
from calib.io import load_programme


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=1000)
    ap.add_argument("--households-per-village", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = synth.generate(seed=a.seed, villages=a.villages, households_per_village=a.households_per_village,
                             townships=6)
        synth.write(res, d)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        prog = load_programme(d, as_of="2026-06-30")
        t_load = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    rows = int(prog.counts["rows_read"].sum())
    print(f"households {res.parameters['households']:,}  people {res.parameters['people']:,}  rows in all tables {rows:,}")
    print(f"generate+write {t_gen:.1f} s")
    print(f"load_programme {t_load:.1f} s  ({rows / t_load:,.0f} rows/s)  peak RSS of the process {peak / 2**20:,.0f} MiB")
    print(prog.counts[["table", "rows_read", "rows_accepted", "rows_quarantined"]].to_string(index=False))


if __name__ == "__main__":
    main()
