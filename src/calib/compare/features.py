"""Household features for :func:`calib.compare.gap_drivers`.

Kept small and separate: the one shared household-feature definition (``calib.households``) will
replace the body of :func:`household_features`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import require_columns


def household_features(programme) -> pd.DataFrame:
    """Numeric household features for :func:`gap_drivers`, built from the loaded tables.

    Parameters
    ----------
    programme : calib.programme.Programme
        A loaded programme (``reviews`` and ``roster`` needed; ``points`` optional).

    Returns
    -------
    DataFrame
        Index ``household_id`` (every household of the roster), float columns:

        - ``business_rating``: mean business rating (1-5) over the household's reviews;
        - ``integrity_rating``: mean integrity rating (1-5) over its reviews;
        - ``log_income``: mean of ``log(annual_income)`` over reviews with a positive income;
        - ``land_mu``: contracted land of the household (mu), from ``Programme.households()``;
        - ``head_age``: age of the household head at ``as_of``;
        - ``points_100``: the latest period's points / 100 (only when the programme has a
          ``points`` table).

        A household without reviews (or points) has NaN there; :func:`gap_drivers` counts such
        households in ``n_dropped`` and leaves them out.
    """
    rv = programme.reviews
    require_columns(rv, ("household_id", "business_rating", "integrity_rating", "annual_income"), "reviews")
    hh = programme.households()
    inc = pd.to_numeric(rv["annual_income"]).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        loginc = np.where(inc > 0, np.log(np.where(inc > 0, inc, 1.0)), np.nan)
    per = pd.DataFrame({
        "household_id": rv["household_id"].to_numpy(),
        "business_rating": pd.to_numeric(rv["business_rating"]).to_numpy(dtype=float, na_value=np.nan),
        "integrity_rating": pd.to_numeric(rv["integrity_rating"]).to_numpy(dtype=float, na_value=np.nan),
        "log_income": loginc,
    }).groupby("household_id", sort=False).mean()
    out = pd.DataFrame(index=pd.Index(hh.index, name="household_id"))
    out = out.join(per, how="left")
    out["land_mu"] = pd.to_numeric(hh["land_mu"]).to_numpy(dtype=float, na_value=np.nan)
    out["head_age"] = pd.to_numeric(hh["head_age"]).to_numpy(dtype=float, na_value=np.nan)
    pts = programme.points
    if pts is not None and len(pts) > 0:
        require_columns(pts, ("household_id", "period", "points"), "points")
        latest = pts.sort_values(["household_id", "period"], kind="stable").drop_duplicates(
            "household_id", keep="last").set_index("household_id")["points"]
        out["points_100"] = pd.to_numeric(latest).reindex(out.index).to_numpy(dtype=float, na_value=np.nan) / 100
    return out.astype(float)
