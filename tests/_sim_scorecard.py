"""Simulated households with a known logit of default, for the scorecard tests.

True model (log-odds of default):
    eta = a + b_ms * z(model_score) + b_br * (business_rating - 3) + b_ir * (integrity_rating - 3)
          + b_pt * (points - 300) / 100 + u_village,     u_village ~ N(0, sigma_v^2)
All true effects are protective (negative on default). The model score has a village
component so that clustering by village matters. About 30 % of households draw a loan, more
often the better ones (selection on the score).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TRUE_COEF = {"model_score": -0.9, "business_rating": -0.3, "integrity_rating": -0.6,
             "points": -0.15}


def simulate(n: int = 20_000, *, n_villages: int = 100, sigma_v: float = 0.5, intercept: float = -2.6,
             coef: dict | None = None, draw_share: float = 0.30, random_state: int = 0,
             with_text: bool = False) -> dict:
    """Return dict(X=DataFrame of characteristics, y=default Series (NaN for non-drawers),
    y_full=defaults of everybody, drawn=bool Series, village=Series, eta=true log-odds,
    pd=true PD, coef=true coefficients per unit of each characteristic)."""
    rng = np.random.default_rng(random_state)
    coef = dict(TRUE_COEF if coef is None else coef)
    village = rng.integers(0, n_villages, n)
    v_score = rng.normal(0, 0.6, n_villages)[village]
    ms_z = v_score + rng.normal(0, 0.8, n)
    model_score = 600 + 50 * ms_z
    br = np.clip(np.rint(3 + 0.4 * ms_z + rng.normal(0, 1.0, n)), 1, 5)
    ir = np.clip(np.rint(3.3 + 0.3 * ms_z + rng.normal(0, 1.0, n)), 1, 5)
    pts = np.maximum(rng.gamma(4.0, 75.0, n) + 20 * ms_z, 0)
    u = rng.normal(0, sigma_v, n_villages)[village]
    z_ms = (model_score - 600) / 50
    eta = (intercept + coef["model_score"] * z_ms + coef["business_rating"] * (br - 3)
           + coef["integrity_rating"] * (ir - 3) + coef["points"] * (pts - 300) / 100 + u)
    p = 1 / (1 + np.exp(-eta))
    y = (rng.random(n) < p).astype(float)
    # drawing: more likely for better model scores; about draw_share overall
    sel_eta = np.log(draw_share / (1 - draw_share)) + 0.5 * ms_z
    drawn = rng.random(n) < 1 / (1 + np.exp(-sel_eta))
    idx = pd.RangeIndex(n, name="household_id")
    X = pd.DataFrame({"model_score": model_score, "business_rating": br,
                      "integrity_rating": ir, "points": pts}, index=idx)
    if with_text:
        occ = rng.choice(["farming", "trade", "transport", "migrant_work", "fishing", "crafts"],
                         n, p=[0.5, 0.2, 0.15, 0.1, 0.03, 0.02])
        X["occupation"] = pd.Series(occ, index=idx, dtype="str")
    per_unit = {"model_score": coef["model_score"] / 50, "business_rating": coef["business_rating"],
                "integrity_rating": coef["integrity_rating"], "points": coef["points"] / 100}
    return {"X": X, "y_full": pd.Series(y, index=idx, name="default"),
            "y": pd.Series(np.where(drawn, y, np.nan), index=idx, name="default"),
            "drawn": pd.Series(drawn, index=idx), "village": pd.Series(village, index=idx),
            "eta": eta, "pd": p, "coef": per_unit}
