"""Benchmark of calib.consensus and calib.compare on a generated programme.

Usage::

    PYTHONPATH=src python benchmarks/bench_consensus.py --households 1000000
    PYTHONPATH=src python benchmarks/bench_consensus.py --sizes 100000,1000000   # memory growth

Generates N households in villages of ``--per-village`` households, each reviewed by ``--k`` of
the ``--panel`` members of its village (numpy only), a relations register and two model runs per
household, then times consensus_limits, reviewer_effects, agreement, compare_limits and the report
tables (consensus_shift, status_counts, exposure_by_group, compare_rules, investigation_list) and
prints CPU time, wall time and peak memory (resident set size of the process).

Goal (issue 14, item 5): the adjusted consensus (``consensus_limits``) and the comparison
(``compare_limits`` + ``compare_rules``) within about 5x a groupby median of the same reviews
(``reviews.groupby("household_id")["proposed_limit"].median()``), measured in the same run as CPU
time (the machine is shared: wall time varies with the load; both are printed), the fastest of
``--repeat`` runs of each stage (3) against the fastest of 3 medians, as ``bench_io.py`` compares
the fastest load with the fastest read (each stage's first call in the process is printed too:
on a machine where fresh memory is dear it costs more); memory linear in
the number of households (``--sizes`` runs each size in its own process and prints a table of
CPU, wall, ratio and peak RSS per size). ``--goal-only`` skips the other stages. From a
million reviews the consensus runs its compiled kernels (:mod:`calib.consensus._jit`); they are
loaded before the timings (about 1.3 CPU s once per process, printed); ``--numpy`` runs the numpy
paths instead, for comparison. ``system``: the part of a stage's CPU time spent in the
operating system's kernel, mostly page faults of fresh memory (``benchmarks/bench_memory.py``
measures what they cost on the machine).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from calib import compare, consensus


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # kB on Linux


def generate(n_households: int, per_village: int, panel: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    V = -(-n_households // per_village)
    H = n_households
    v_of_h = np.minimum(np.arange(H) // per_village, V - 1)
    level = np.log(50_000) + 0.3 * rng.standard_normal(V)[v_of_h] + 0.5 * rng.standard_normal(H)
    b = 0.25 * rng.standard_normal(V * panel)
    seats = np.argsort(rng.random((H, panel)), axis=1)[:, :k]
    h = np.repeat(np.arange(H), k)
    r = (v_of_h[:, None] * panel + seats).ravel()
    del seats
    y = level[h] + b[r] + 0.15 * rng.standard_normal(h.size)
    amt = np.maximum(np.round(np.exp(y) / 1000) * 1000, 1000)
    amt[rng.random(h.size) < 0.03] = 0.0
    hid = pd.Index(np.char.add("H", np.arange(H).astype(str)), dtype="str")
    rid = pd.Index(np.char.add("R", np.arange(V * panel).astype(str)), dtype="str")
    vid = pd.Index(np.char.add("V", np.arange(V).astype(str)), dtype="str")
    tid = pd.Index(np.char.add("T", (np.arange(V) // 15).astype(str)), dtype="str")
    reviews = pd.DataFrame({
        "household_id": hid.take(h), "reviewer_id": rid.take(r), "proposed_limit": amt,
        "village": vid.take(v_of_h[h]), "township": tid.take(v_of_h[h]),
    })
    # relations: 5 kin households per reviewer
    rel_r = np.repeat(np.arange(V * panel), 5)
    rel_h = np.minimum((rel_r // panel) * per_village + rng.integers(0, per_village, rel_r.size), H - 1)
    relations = pd.DataFrame({"reviewer_id": rid.take(rel_r), "household_id": hid.take(rel_h),
                              "relation": "kin"}).drop_duplicates(["reviewer_id", "household_id"])
    # two model runs per household, the later one counts
    m = np.exp(level + 0.1 + 0.3 * rng.standard_normal(H))
    m = np.where(rng.random(H) < 0.05, 0.0, np.round(m / 1000) * 1000)
    model_runs = pd.DataFrame({
        "household_id": hid.append(hid),
        "run_date": np.r_[np.full(H, np.datetime64("2025-01-31")), np.full(H, np.datetime64("2025-06-30"))],
        "model_limit": np.r_[m * 0.9, m],
    })
    return reviews, relations, model_runs


def _system_s() -> float:
    """System (kernel) CPU seconds of this process so far: mostly page faults of fresh memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def _baseline(reviews: pd.DataFrame, repeat: int = 3) -> tuple[float, float]:
    """CPU and wall seconds of a plain groupby median of the proposed limits by household (best of 3)."""
    best, wall = np.inf, np.inf
    for _ in range(repeat):
        t, w = time.process_time(), time.perf_counter()
        reviews.groupby("household_id")["proposed_limit"].median()
        best, wall = min(best, time.process_time() - t), min(wall, time.perf_counter() - w)
    return best, wall


#: The stages of the goal (issue 14, item 5): the adjusted consensus and the comparison.
GOAL = {"adjusted consensus": ("consensus_limits",), "comparison": ("compare_limits", "compare_rules")}


def run(a) -> dict:
    t0 = time.perf_counter()
    reviews, relations, model_runs = generate(a.households, a.per_village, a.panel, a.k, a.seed)
    print(f"generated {a.households:,} households, {len(reviews):,} reviews, "
          f"{reviews['village'].nunique():,} villages in {time.perf_counter() - t0:.1f} s "
          f"(peak RSS so far {peak_gb():.2f} GB)", flush=True)
    from calib.consensus import _jit

    t, w = time.process_time(), time.perf_counter()
    compiled = _jit.use(len(reviews)) and _jit.warm()   # numba and the cached kernels, once
    load = time.process_time() - t
    print("kernels: " + (f"compiled (numba; loaded in {load:.2f} CPU s, once per process, not in "
                         "the figures below)" if compiled else "numpy"), flush=True)
    base, base_wall = _baseline(reviews)
    print(f"{'groupby median':<18} {base:7.2f} CPU s {base_wall:7.2f} wall s (best of 3): the unit of "
          f"the ratios below", flush=True)
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}

    def timed(name, fn, repeat=1):
        runs, out = [], None
        for _ in range(repeat):
            out = None   # the last run's result let go first (peak RSS as of one run)
            t, w, k = time.process_time(), time.perf_counter(), _system_s()
            out = fn()
            runs.append((time.process_time() - t, time.perf_counter() - w, _system_s() - k))
        best = min(runs)
        cpu[name], wall[name] = best[0], min(r[1] for r in runs)
        first[name] = runs[0][0]
        more = (f"   best of {repeat}; first call {runs[0][0]:.2f} CPU s ({runs[0][0] / base:.1f}x, "
                f"system {runs[0][2]:.2f} s)") if repeat > 1 else ""
        print(f"{name:<18} {cpu[name]:7.2f} CPU s {wall[name]:7.2f} wall s "
              f"{cpu[name] / base:6.1f}x   peak RSS {peak_gb():.2f} GB   system {best[2]:.2f} s{more}",
              flush=True)
        return out

    first: dict[str, float] = {}
    c = timed("consensus_limits", lambda: consensus.consensus_limits(reviews), a.repeat)
    cmp_ = timed("compare_limits", lambda: compare.compare_limits(c, model_runs), a.repeat)
    timed("compare_rules", lambda: compare.compare_rules(c, model_runs), a.repeat)
    if not a.goal_only:
        timed("reviewer_effects", lambda: consensus.reviewer_effects(reviews, relations=relations))
        timed("agreement", lambda: consensus.agreement(reviews, by="village"))
        timed("agreement_summary", lambda: compare.agreement_summary(cmp_, n_boot=200))
        med = timed("median consensus", lambda: consensus.consensus_limits(reviews, method="median"))
        timed("consensus_shift", lambda: consensus.consensus_shift(c, med, by="village"))
        timed("status_counts", lambda: consensus.status_counts(c, by="village"))
        timed("exposure_by_group", lambda: compare.exposure_by_group(cmp_, by="village"))
        timed("investigation_list", lambda: compare.investigation_list(cmp_))
    total = sum(cpu.values())
    print(f"{'total':<18} {total:7.2f} CPU s   peak RSS {peak_gb():.2f} GB")
    goal = {k: (sum(cpu[s] for s in v), sum(wall[s] for s in v)) for k, v in GOAL.items()}
    print("ratios to the groupby median (goal <= 5), CPU (wall): " + ", ".join(
        f"{k} {c_ / base:.1f}x ({w_ / base_wall:.1f}x)" for k, (c_, w_) in goal.items())
        + (f"; best of {a.repeat} against the median's best of 3 (first calls: " + ", ".join(
            f"{k} {sum(first[s] for s in v) / base:.1f}x" for k, v in GOAL.items()) + ")"
           if a.repeat > 1 else ""))
    return {"households": a.households, "reviews": len(reviews), "baseline_cpu": base,
            "baseline_wall": base_wall, "cpu": cpu, "wall": wall, "first_cpu": first,
            "repeat": a.repeat, "peak_gb": peak_gb()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--sizes", type=str, default=None,
                    help="comma-separated sizes, each run in its own process (memory growth)")
    ap.add_argument("--k", type=int, default=5, help="reviews per household")
    ap.add_argument("--panel", type=int, default=7, help="panel members per village")
    ap.add_argument("--per-village", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each stage of the goal, the fastest counts (the median is the fastest of 3)")
    ap.add_argument("--goal-only", action="store_true",
                    help="time only the stages of the goal (consensus_limits, compare_limits, compare_rules)")
    ap.add_argument("--ambiguous", choices=("backfit", "midpoint"), default=None,
                    help="components whose root is not unique (calib.consensus.fit.AMBIGUOUS)")
    ap.add_argument("--numpy", action="store_true",
                    help="use the numpy paths instead of the compiled kernels (CALIB_NO_JIT=1)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.sizes:
        rows = []
        for n in (int(v) for v in a.sizes.split(",")):
            cmd = [sys.executable, __file__, "--households", str(n), "--k", str(a.k), "--panel",
                   str(a.panel), "--per-village", str(a.per_village), "--seed", str(a.seed), "--json"]
            cmd += ["--goal-only"] if a.goal_only else []
            cmd += ["--repeat", str(a.repeat)]
            cmd += ["--numpy"] if a.numpy else []
            cmd += ["--ambiguous", a.ambiguous] if a.ambiguous else []
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            print(out.rsplit("\n", 2)[0], flush=True)
            rows.append(json.loads(out.strip().splitlines()[-1]))
        print(f"\n{'households':>11} {'reviews':>11} {'median CPU/wall s':>18} "
              f"{'consensus CPU/wall s':>21} {'ratio':>6} {'comparison CPU/wall s':>22} {'ratio':>6} "
              f"{'peak RSS GB':>11} {'B/household':>11}")
        for r in rows:
            cc = r["cpu"]["consensus_limits"], r["wall"]["consensus_limits"]
            cm = [sum(r[k][s] for s in GOAL["comparison"]) for k in ("cpu", "wall")]
            print(f"{r['households']:>11,} {r['reviews']:>11,} {r['baseline_cpu']:8.2f}/{r['baseline_wall']:<9.2f} "
                  f"{cc[0]:10.2f}/{cc[1]:<10.2f} {cc[0] / r['baseline_cpu']:5.1f}x "
                  f"{cm[0]:10.2f}/{cm[1]:<11.2f} {cm[0] / r['baseline_cpu']:5.1f}x "
                  f"{r['peak_gb']:11.2f} {r['peak_gb'] * 2 ** 30 / r['households']:11,.0f}")
        return 0
    if a.numpy:
        import os
        os.environ["CALIB_NO_JIT"] = "1"
    if a.ambiguous:
        import calib.consensus.fit as fit_module
        fit_module.AMBIGUOUS = a.ambiguous
    res = run(a)
    if a.json:
        print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
