"""Generated points-loan programmes with a known logit points effect (for tests and benchmarks).

The true model is ``logit PD = intercept + beta_per_100 * points/100 + grade effect
+ age_effect * (head_age - 45)/10 + u_village`` with ``u_village ~ N(0, village_sd²)``.
The true risk-justified discount per 100 points is computed from this model exactly as
:func:`calib.pricing.calibrate_points_discount` defines it: LGD x the mean over borrowers of
PD(points) - PD(points + 100), every other term (grade, age, village effect) at its value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

GRADES = ("AAA", "AA", "A", "B")
GRADE_EFFECT = {"AAA": -0.6, "AA": -0.3, "A": 0.0, "B": 0.5}


#: The reference schedule of seed 004 (5%, 0.1 pp per 100 points, in proportion).
REF = {
    "base_rate": 0.05,
    "step_points": 100,
    "step_discount": 0.001,
    "proportional": True,
    "max_discount": None,
    "floor_rate": None,
    "bands": None,
}


def hand_frame():
    """Four loans, PDs given by hand (column ``pd_given``), in bands 0-100 to 200-300."""
    loans = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4"],
            "loan_id": ["L1", "L2", "L3", "L4"],
            "start_date": pd.to_datetime(["2026-03-01"] * 4),
            "drawn_amount": [10000.0, 20000.0, 30000.0, 40000.0],
            "default": [1, 0, 0, 0],
            "village": ["V1", "V1", "V2", "V2"],
            "pd_given": [0.04, 0.03, 0.02, 0.01],
        }
    )
    points = pd.DataFrame(
        {"household_id": ["H1", "H2", "H3", "H4"], "period": "2025",
         "points": [0.0, 50.0, 150.0, 250.0]}
    )
    return loans, points



def flat_pd_frame():
    """Five households, 100..500 points, same PD: risk justifies no discount at all."""
    loans = pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(5)],
            "loan_id": [f"L{i}" for i in range(5)],
            "start_date": pd.to_datetime(["2026-03-01"] * 5),
            "drawn_amount": [10000.0] * 5,
            "default": [0, 0, 0, 0, 1],
            "village": ["V1"] * 5,
            "pd_given": [0.01] * 5,
        }
    )
    points = pd.DataFrame(
        {"household_id": loans["household_id"], "period": "2025",
         "points": [100.0, 200.0, 300.0, 400.0, 500.0]}
    )
    return loans, points



@dataclass
class SimProgramme:
    loans: pd.DataFrame
    points: pd.DataFrame
    true_discount_per_100: float
    true_pd: np.ndarray
    inflated_villages: list[str]


def simulate_points_programme(
    *,
    n_villages: int = 60,
    households_per_village: int = 80,
    beta_per_100: float = -0.30,
    intercept: float = -2.6,
    age_effect: float = 0.15,
    village_sd: float = 0.3,
    lgd: float = 0.45,
    inflated: int = 0,
    inflation: float = 400.0,
    seed: int = 0,
) -> SimProgramme:
    """One loan per household, points in two periods (2024, 2025), loans starting in 2026.

    ``inflated`` villages get ``inflation`` extra points in 2025 that carry no information about
    risk (the risk model uses the household's *genuine* points), and a cap of 1000 points.
    """
    rng = np.random.default_rng(seed)
    n = n_villages * households_per_village
    v_idx = np.repeat(np.arange(n_villages), households_per_village)
    villages = np.array([f"V{i:03d}" for i in range(n_villages)])
    township = np.array([f"T{i % 6}" for i in range(n_villages)])
    genuine = np.clip(rng.gamma(4.0, 110.0, size=n), 0, 1000).round()
    prev = np.clip(genuine * rng.uniform(0.8, 1.0, size=n), 0, 1000).round()
    infl_v = list(villages[:inflated])
    is_infl = np.isin(villages[v_idx], infl_v)
    shown = np.where(is_infl, np.clip(genuine + inflation, 0, 1000), genuine)
    # grade correlates with points (a confounder the controls take out)
    latent = 0.004 * (genuine - 440) + rng.normal(0, 1, size=n)
    grade = np.array(GRADES)[3 - np.digitize(latent, [-1.0, 0.0, 1.0])]
    head_age = rng.integers(22, 66, size=n)
    u = rng.normal(0, village_sd, size=n_villages)[v_idx]
    g_eff = np.vectorize(GRADE_EFFECT.get)(grade)
    eta = intercept + g_eff + age_effect * (head_age - 45) / 10 + u
    eta_p = eta + beta_per_100 * genuine / 100
    pd_true = expit(eta_p)
    default = rng.binomial(1, pd_true)
    # risk-justified discount as defined, on the points the model sees (genuine ones)
    true_disc = lgd * float(np.mean(expit(eta_p) - expit(eta_p + beta_per_100)))
    hh = np.array([f"H{i:06d}" for i in range(n)])
    start = pd.Timestamp("2026-01-15") + pd.to_timedelta(rng.integers(0, 300, size=n), unit="D")
    drawn = np.round(rng.lognormal(np.log(30000), 0.5, size=n), -2)
    loans = pd.DataFrame(
        {
            "household_id": hh,
            "loan_id": [f"L{i:06d}" for i in range(n)],
            "start_date": start,
            "granted_limit": np.round(drawn * 1.5, -3),
            "drawn_amount": drawn,
            "interest_rate": 0.05 - 0.001 * shown / 100,
            "default": pd.array(default, dtype="Int64"),
            "village": villages[v_idx],
            "township": township[v_idx],
            "grade": grade,
            "head_age": head_age,
        }
    )
    points = pd.concat(
        [
            pd.DataFrame({"household_id": hh, "period": "2024", "points": prev}),
            pd.DataFrame({"household_id": hh, "period": "2025", "points": shown}),
        ],
        ignore_index=True,
    )
    return SimProgramme(loans, points, true_disc, pd_true, infl_v)
