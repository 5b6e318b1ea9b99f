"""Signs of point inflation per village: level and growth against the other villages."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.pricing._checks import _check_columns
from calib.pricing.points import period_bounds

__all__ = ["Z_THRESHOLD", "points_inflation"]

#: Robust z above which a village's points level or growth is flagged as possible inflation:
#: the modified z-score cut-off of Iglewicz & Hoaglin (1993), *How to Detect and Handle
#: Outliers* (ASQC). Report 05 writes it in its rule text from here.
Z_THRESHOLD = 3.5


def points_inflation(
    points: pd.DataFrame,
    *,
    by: str = "village",
    groups: pd.DataFrame | pd.Series | None = None,
    max_points: float | None = None,
    z_threshold: float = Z_THRESHOLD,
) -> pd.DataFrame:
    """Signs of point inflation per village (or other group).

    Parameters
    ----------
    points : pandas.DataFrame
        ``household_id, period, points`` (may also carry the ``by`` column).
    by : str
        Grouping column (``village``).
    groups : pandas.DataFrame or Series, optional
        Where ``by`` comes from when ``points`` lacks it: a frame with ``household_id`` and
        ``by`` (e.g. ``roster`` or ``loans``) or indexed by household_id (e.g.
        ``Programme.households()``), or a Series household_id -> group.
    max_points : float, optional
        The scale's maximum (cap); default the highest points in the latest period.
    z_threshold : float
        Robust z above which a village is flagged (:data:`Z_THRESHOLD`, Iglewicz & Hoaglin).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by ``robust_z`` descending: ``<by>``, ``households``
        (latest period), ``mean_points``, ``median_points`` (latest period), ``programme_mean``,
        ``programme_median``, ``median_ratio`` (village median / programme median),
        ``previous_period``, ``latest_period``, ``growth`` (median over the village's
        households of the relative change in points between the two latest periods; NaN with
        one period), ``programme_growth``, ``share_at_max`` (share of households at
        ``max_points``), ``robust_z`` (of the village median), ``growth_z`` (of the growth),
        ``flag`` (either z above ``z_threshold``), ``reason``.

    Notes
    -----
    Robust z = (x - median of villages) / (1.4826 x MAD of villages), flagged when above
    ``z_threshold`` (only upward deviations count as inflation) [1]_. A high level alone can be
    a genuinely good village; fast growth and many households at the maximum are the more
    telling signs. A MAD of zero gives z = 0 (no spread to compare against).

    References
    ----------
    .. [1] Iglewicz, B., Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC.
    """
    _check_columns(points, ["household_id", "period", "points"], "points")
    pts = with_groups(points, by, groups)
    ends = {u: period_bounds(u)[1] for u in pd.unique(pts["period"])}
    order = sorted(ends, key=lambda u: ends[u])
    latest = order[-1]
    prev = order[-2] if len(order) > 1 else None
    cur = pts.loc[pts["period"] == latest]
    top = float(cur["points"].max()) if max_points is None else float(max_points)
    cur = cur.assign(_at_max=cur["points"] >= top - 1e-9)
    out = cur.groupby(by, sort=True).agg(
        households=("household_id", "nunique"),
        mean_points=("points", "mean"),
        median_points=("points", "median"),
        share_at_max=("_at_max", "mean"),
    )
    out["programme_mean"] = float(cur["points"].mean())
    out["programme_median"] = float(cur["points"].median())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["median_ratio"] = out["median_points"] / out["programme_median"]
    out["previous_period"] = prev
    out["latest_period"] = latest
    out["growth"], out["programme_growth"] = _growth(pts, by, prev, latest, out.index)
    out["robust_z"] = _robust_z(out["median_points"])
    out["growth_z"] = _robust_z(out["growth"])
    lvl = out["robust_z"] > z_threshold
    gro = out["growth_z"].fillna(0) > z_threshold
    out["flag"] = lvl | gro
    out["reason"] = np.select(
        [lvl & gro, lvl, gro], ["level and growth", "level", "growth"], default=""
    )
    return out.reset_index().sort_values("robust_z", ascending=False, kind="stable").reset_index(
        drop=True
    )


def with_groups(points: pd.DataFrame, by: str, groups) -> pd.DataFrame:
    """A copy of ``points`` with the ``by`` column (from ``groups`` when missing), text periods."""
    pts = points.copy()
    if by not in pts.columns:
        if groups is None:
            raise CalibInputError(
                f"points: no column {by!r}; pass groups= (a frame with household_id and {by!r})"
            )
        if isinstance(groups, pd.Series):
            mapping = groups
        elif "household_id" in groups.columns:
            mapping = groups.drop_duplicates("household_id").set_index("household_id")[by]
        else:
            mapping = groups[by]
        pts[by] = pts["household_id"].map(mapping)
        if pts[by].isna().any():
            bad = pts.loc[pts[by].isna(), "household_id"].iloc[0]
            raise CalibInputError(f"points: household_id {bad} has no {by!r} in groups")
    pts["period"] = pts["period"].astype(str)
    return pts


def _growth(pts, by, prev, latest, index):
    """(median relative growth per group, programme median growth) between two periods."""
    if prev is None:
        return np.nan, np.nan
    wide = pts.loc[pts["period"].isin([prev, latest])].pivot_table(
        index=["household_id", by], columns="period", values="points", aggfunc="first"
    ).dropna()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (wide[latest] - wide[prev]) / wide[prev].where(wide[prev] > 0)
    rel = rel.replace([np.inf, -np.inf], np.nan)
    return rel.groupby(level=by).median().reindex(index), float(rel.median())


def _robust_z(x: pd.Series) -> pd.Series:
    med = x.median()
    mad = 1.4826 * (x - med).abs().median()
    if not np.isfinite(mad) or mad == 0:
        return pd.Series(np.where(x.notna(), 0.0, np.nan), index=x.index)
    return (x - med) / mad
