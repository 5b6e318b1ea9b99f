"""Benchmark of calib.consensus and calib.compare on a generated programme.

Usage::

    PYTHONPATH=src python benchmarks/bench_consensus.py --households 1000000

Generates N households in villages of ``--per-village`` households, each reviewed by ``--k`` of
the ``--panel`` members of its village (numpy only), a relations register and two model runs per
household, then times consensus_limits, reviewer_effects, agreement, compare_limits and the report tables
(consensus_shift, status_counts, exposure_by_group, compare_rules, investigation_list) and prints
wall time and peak memory (resident set size of the process, from ``resource.getrusage``).
Target (2-core machine): 1,000,000 households x 5 reviews in under 60 s and 4 GB in all.
"""
from __future__ import annotations

import argparse
import resource
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=5, help="reviews per household")
    ap.add_argument("--panel", type=int, default=7, help="panel members per village")
    ap.add_argument("--per-village", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    reviews, relations, model_runs = generate(a.households, a.per_village, a.panel, a.k, a.seed)
    print(f"generated {a.households:,} households, {len(reviews):,} reviews, "
          f"{reviews['village'].nunique():,} villages in {time.perf_counter() - t0:.1f} s "
          f"(peak RSS so far {peak_gb():.2f} GB)", flush=True)
    timings = {}

    def timed(name, fn):
        t = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t
        print(f"{name:<18} {timings[name]:7.2f} s   peak RSS {peak_gb():.2f} GB", flush=True)
        return out

    c = timed("consensus_limits", lambda: consensus.consensus_limits(reviews))
    timed("reviewer_effects", lambda: consensus.reviewer_effects(reviews, relations=relations))
    timed("agreement", lambda: consensus.agreement(reviews, by="village"))
    cmp_ = timed("compare_limits", lambda: compare.compare_limits(c, model_runs))
    timed("agreement_summary", lambda: compare.agreement_summary(cmp_, n_boot=200))
    med = timed("median consensus", lambda: consensus.consensus_limits(reviews, method="median"))
    timed("consensus_shift", lambda: consensus.consensus_shift(c, med, by="village"))
    timed("status_counts", lambda: consensus.status_counts(c, by="village"))
    timed("exposure_by_group", lambda: compare.exposure_by_group(cmp_, by="village"))
    timed("compare_rules", lambda: compare.compare_rules(c, model_runs))
    timed("investigation_list", lambda: compare.investigation_list(cmp_))
    total = sum(timings.values())
    print(f"{'total':<18} {total:7.2f} s   peak RSS {peak_gb():.2f} GB "
          f"(target: < 60 s and < 4 GB for 1,000,000 households)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
