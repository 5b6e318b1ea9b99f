"""Household features for :func:`calib.compare.gap_drivers`.

The characteristics come from the one shared definition, :func:`calib.households.household_frame`;
this function only picks the numeric columns the gap regression uses.
"""
from __future__ import annotations

import pandas as pd

from calib.households import household_frame


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
        - ``log_income``: mean of ``log(annual_income)`` over reviews with a positive income
          (:func:`calib.households.panel_log_income`);
        - ``land_mu``: contracted land of the household (mu), from ``Programme.households()``;
        - ``head_age``: age of the household head at ``as_of``;
        - ``points_100``: the latest period's points / 100 (calendar order of periods;
          only when the programme has a ``points`` table).

        A household without reviews (or points) has NaN there; :func:`gap_drivers` counts such
        households in ``n_dropped`` and leaves them out.
    """
    hf = household_frame(programme)
    out = hf[["business_rating", "integrity_rating", "log_income", "land_mu", "head_age"]].astype(float)
    if programme.points is not None and len(programme.points) > 0:
        out["points_100"] = hf["points"].astype(float) / 100
    return out
