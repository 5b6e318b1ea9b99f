"""Coverage of the points-discount calibration interval over many generated programmes.

For each seed a programme is simulated with a known logit points effect (tests/_sim_pricing.py),
``calib.pricing.calibrate_points_discount`` is run with the village-cluster bootstrap, and we
record whether the interval covers the true risk-justified discount per 100 points. A second run
uses a programme where points carry no information (true discount 0).

    PYTHONPATH=src python benchmarks/bench_pricing.py --seeds 100 --n-boot 200

Prints the coverage rates (nominal 95%) with a Wilson interval, mean estimate and bias, mean
interval width, and seconds per calibration.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _sim_pricing import simulate_points_programme  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

from calib.pricing import calibrate_points_discount  # noqa: E402


def run(beta: float, seeds: int, n_boot: int, first_seed: int, **sim_kw) -> dict:
    hits, est, truth, width, secs = [], [], [], [], []
    for seed in range(first_seed, first_seed + seeds):
        sim = simulate_points_programme(beta_per_100=beta, seed=seed, **sim_kw)
        t0 = time.perf_counter()
        cal = calibrate_points_discount(
            sim.loans, sim.points, lgd=0.45, controls=("grade", "head_age"), n_boot=n_boot,
            random_state=seed,
        ).iloc[0]
        secs.append(time.perf_counter() - t0)
        tr = sim.true_discount_per_100
        hits.append(cal["ci_low"] <= tr <= cal["ci_high"])
        est.append(cal["discount_per_100"])
        truth.append(tr)
        width.append(cal["ci_high"] - cal["ci_low"])
    k, n = int(np.sum(hits)), len(hits)
    lo, hi = proportion_confint(k, n, method="wilson")
    return {
        "beta_per_100": beta,
        "seeds": n,
        "coverage": k / n,
        "coverage_ci": (lo, hi),
        "mean_truth": float(np.mean(truth)),
        "mean_estimate": float(np.mean(est)),
        "bias": float(np.mean(np.array(est) - np.array(truth))),
        "mean_width": float(np.mean(width)),
        "sec_per_calibration": float(np.mean(secs)),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--villages", type=int, default=60)
    ap.add_argument("--per-village", type=int, default=100)
    a = ap.parse_args(argv)
    sim_kw = dict(n_villages=a.villages, households_per_village=a.per_village, intercept=-2.3)
    print(f"{a.seeds} seeds, n_boot={a.n_boot}, {a.villages} villages x {a.per_village} loans, "
          "controls grade + head_age, village sd 0.3, nominal 95%")
    for beta in (-0.30, 0.0):
        r = run(beta, a.seeds, a.n_boot, a.first_seed, **sim_kw)
        print(
            f"beta/100pts={r['beta_per_100']:+.2f}: coverage {r['coverage']:.3f} "
            f"(Wilson 95% {r['coverage_ci'][0]:.3f}-{r['coverage_ci'][1]:.3f}); "
            f"truth {r['mean_truth']:.5f}, estimate {r['mean_estimate']:.5f}, "
            f"bias {r['bias']:+.5f}, width {r['mean_width']:.5f}, "
            f"{r['sec_per_calibration']:.2f} s/calibration",
            flush=True,
        )


if __name__ == "__main__":
    main()
