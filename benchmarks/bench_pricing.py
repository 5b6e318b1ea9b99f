"""Coverage of the points-discount calibration interval over many generated programmes.

For each seed a programme is simulated with a known logit points effect (tests/_sim_pricing.py),
``calib.pricing.calibrate_points_discount`` is run with the village-cluster bootstrap, and we
record whether the interval covers the true risk-justified discount per 100 points. A second run
uses a programme where points carry no information (true discount 0).

    PYTHONPATH=src python benchmarks/bench_pricing.py --seeds 100 --n-boot 200

Prints the coverage rates (nominal 95%) with a Wilson interval, mean estimate and bias, mean
interval width, and seconds per calibration.

``--synth`` does the same end to end on programmes of the project's generator (calib.synth),
written and re-loaded through the loader, with the report's estimator
(``loan_frame`` + ``DEFAULT_CONTROLS``, default points rule), against the generator's
``discount_per_100_true``; and on the null programme (``points_effect=0``):

    PYTHONPATH=src python benchmarks/bench_pricing.py --synth --seeds 40 --n-boot 200 --villages 150
    PYTHONPATH=src python benchmarks/bench_pricing.py --coef-coverage --villages 8 --per-village 150 --seeds 400
    PYTHONPATH=src python benchmarks/bench_pricing.py --wild-size --villages 8 --per-village 150 --seeds 400 --n-boot 999
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


def _summary(rows: list[tuple]) -> dict:
    """Coverage, bias, width and speed from ``(calibration row, truth, seconds)`` per seed."""
    cal = [r[0] for r in rows]
    truth = np.array([r[1] for r in rows])
    lo_, hi_ = np.array([c["ci_low"] for c in cal]), np.array([c["ci_high"] for c in cal])
    est = np.array([c["discount_per_100"] for c in cal])
    k, n = int(np.sum((lo_ <= truth) & (truth <= hi_))), len(rows)
    lo, hi = proportion_confint(k, n, method="wilson")
    return {
        "seeds": n, "coverage": k / n, "coverage_ci": (lo, hi),
        "zero_in_ci": float(np.mean((lo_ <= 0.0) & (0.0 <= hi_))),
        "mean_truth": float(np.mean(truth)), "mean_estimate": float(np.mean(est)),
        "bias": float(np.mean(est - truth)), "mean_width": float(np.mean(hi_ - lo_)),
        "sec_per_calibration": float(np.mean([r[2] for r in rows])),
    }


def run(beta: float, seeds: int, n_boot: int, first_seed: int, **sim_kw) -> dict:
    rows = []
    for seed in range(first_seed, first_seed + seeds):
        sim = simulate_points_programme(beta_per_100=beta, seed=seed, **sim_kw)
        t0 = time.perf_counter()
        cal = calibrate_points_discount(
            sim.loans, sim.points, lgd=0.45, controls=("grade", "head_age"), n_boot=n_boot,
            random_state=seed,
        ).iloc[0]
        rows.append((cal, sim.true_discount_per_100, time.perf_counter() - t0))
    return {"beta_per_100": beta, **_summary(rows)}


def run_synth(points_effect: float | None, seeds: int, n_boot: int, first_seed: int,
              villages: int, per_village: int, period: str | None) -> dict:
    import tempfile
    import warnings

    from calib import pricing, synth

    rows = []
    for seed in range(first_seed, first_seed + seeds):
        with tempfile.TemporaryDirectory() as tmp:
            prog, res = synth.build_programme(tmp, seed=seed, villages=villages,
                                              households_per_village=per_village,
                                              points_effect=points_effect)
        lf = pricing.loan_frame(prog, period=period)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = pricing.calibrate_points_discount(
                lf, None, lgd=0.45, controls=pricing.DEFAULT_CONTROLS, n_boot=n_boot,
                random_state=seed,
            ).iloc[0]
        rows.append((cal, res.parameters["discount_per_100_true"], time.perf_counter() - t0))
    return {"beta_per_100": points_effect if points_effect is not None else -0.18,
            **_summary(rows)}


def run_coef_coverage(villages: int, per_village: int, seeds: int, first_seed: int) -> dict:
    """Coverage of the points coefficient's 95% interval: t(G-1) (calib) against 1.96."""
    from scipy import stats

    from calib.pricing import fit_points_pd

    beta, hit_t, hit_z = -0.30, [], []
    z = stats.norm.ppf(0.975)
    for seed in range(first_seed, first_seed + seeds):
        sim = simulate_points_programme(n_villages=villages, households_per_village=per_village,
                                        beta_per_100=beta, intercept=-2.0, seed=seed)
        co = fit_points_pd(sim.loans, sim.points, controls=("grade", "head_age")).coefficients
        r = co.loc["points_per_step"]
        hit_t.append(r["ci_low"] <= beta <= r["ci_high"])
        hit_z.append(abs(r["coef"] - beta) <= z * r["se"])
    return {"t": float(np.mean(hit_t)), "z": float(np.mean(hit_z)), "seeds": seeds}


def run_wild_size(villages: int, per_village: int, seeds: int, first_seed: int,
                  n_wild: int) -> dict:
    """Rejection rate at 5% of "no points effect" when it is true: t(G-1) against the wild
    cluster bootstrap (``p_value_wild``)."""
    from calib.pricing import fit_points_pd

    rej_t, rej_w = [], []
    for seed in range(first_seed, first_seed + seeds):
        sim = simulate_points_programme(n_villages=villages, households_per_village=per_village,
                                        beta_per_100=0.0, intercept=-2.0, seed=seed)
        m = fit_points_pd(sim.loans, sim.points, controls=("grade", "head_age"),
                          wild_bootstrap=True, n_wild=n_wild, random_state=seed)
        rej_t.append(m.coefficients.loc["points_per_step", "p_value"] < 0.05)
        rej_w.append(m.p_value_wild < 0.05)
    return {"t": float(np.mean(rej_t)), "wild": float(np.mean(rej_w)), "seeds": seeds}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--villages", type=int, default=60)
    ap.add_argument("--per-village", type=int, default=100)
    ap.add_argument("--synth", action="store_true",
                    help="programmes of calib.synth through the loader (report's estimator)")
    ap.add_argument("--period", default=None,
                    help="--synth: points period (default: latest ended before the loan start)")
    ap.add_argument("--coef-coverage", action="store_true",
                    help="coverage of the points coefficient's interval with few villages "
                         "(use --villages 8 --per-village 150)")
    ap.add_argument("--wild-size", action="store_true",
                    help="size at 5%% of t(G-1) and of the wild cluster bootstrap under no "
                         "points effect (use --villages 8 --per-village 150)")
    a = ap.parse_args(argv)
    if a.wild_size:
        r = run_wild_size(a.villages, a.per_village, a.seeds, a.first_seed, max(a.n_boot, 199))
        print(f"{a.villages} villages x {a.per_village} loans, {r['seeds']} seeds, no points "
              f"effect: rejected at 5% by t({a.villages - 1}) {r['t']:.3f}, by the wild cluster "
              f"bootstrap {r['wild']:.3f}")
        return
    if a.coef_coverage:
        r = run_coef_coverage(a.villages, a.per_village, a.seeds, a.first_seed)
        print(f"{a.villages} villages x {a.per_village} loans, {r['seeds']} seeds: coverage of "
              f"the points coefficient's 95% interval {r['t']:.3f} with t({a.villages - 1}), "
              f"{r['z']:.3f} with 1.96 (same CR1 standard errors)")
        return
    if a.synth:
        print(f"synth: {a.seeds} seeds from {a.first_seed}, n_boot={a.n_boot}, {a.villages} villages x "
              f"~{a.per_village} households, controls {', '.join(_controls())}, "
              f"period {a.period or 'before start'}, nominal 95%")
        for eff in (None, 0.0):
            r = run_synth(eff, a.seeds, a.n_boot, a.first_seed, a.villages, a.per_village, a.period)
            print(
                f"points effect {r['beta_per_100']:+.2f}/100: coverage {r['coverage']:.3f} "
                f"(Wilson 95% {r['coverage_ci'][0]:.3f}-{r['coverage_ci'][1]:.3f}); "
                f"0 inside {r['zero_in_ci']:.3f}; truth {r['mean_truth']:.5f}, "
                f"estimate {r['mean_estimate']:.5f}, bias {r['bias']:+.5f}, "
                f"width {r['mean_width']:.5f}, {r['sec_per_calibration']:.2f} s/calibration",
                flush=True,
            )
        return
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


def _controls() -> tuple[str, ...]:
    from calib.pricing import DEFAULT_CONTROLS

    return DEFAULT_CONTROLS


if __name__ == "__main__":
    main()
