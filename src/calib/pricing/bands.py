"""Points bands and loan-level pricing quantities shared by evaluation and recommendation."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.pricing._checks import _check_columns, _default_array, _drawn_array
from calib.pricing.pd_model import PointsPD, _prepared, fit_points_pd
from calib.pricing.schedule import PointsLoan, Schedule, discount_for_points


def _band_edges(points: np.ndarray, width: float, top: float | None) -> np.ndarray:
    """Lower edges of bands of ``width`` points from 0 (the last one open when ``top``)."""
    hi = float(np.nanmax(points)) if points.size else 0.0
    if top is not None:
        hi = min(hi, float(top))
    return np.arange(0.0, np.floor(hi / width + 1e-9) * width + 1e-9, width)


def _band_of(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the band (edges are lower bounds) each point falls into."""
    return np.searchsorted(edges, points + 1e-9, side="right") - 1


def _band_info(edges: np.ndarray, width: float | None, pooled_top: bool) -> pd.DataFrame:
    """``band`` label, ``points_low``, ``points_high`` for lower edges ``edges``."""
    highs = np.append(edges[1:], np.inf if (pooled_top or width is None) else edges[-1] + width)
    labels = [f"{lo:g}+" if np.isinf(hi) else f"{lo:g}-{hi:g}" for lo, hi in zip(edges, highs)]
    return pd.DataFrame({"band": labels, "points_low": edges, "points_high": highs})


def _grouping(frame: pd.DataFrame, schedule: Schedule, by: str, width: float, top: float | None):
    """Return (group key array, per-group info frame indexed by key)."""
    p = frame["points"].to_numpy(dtype=float)
    if by in ("points_band", "schedule_band"):
        if by == "schedule_band" and schedule.bands is not None:
            th = [b.points for b in schedule.bands]
            edges = np.unique(np.concatenate([[0.0], th]))
            info = _band_info(edges, None, True)
        else:
            w = width if by == "points_band" else schedule.step_points
            edges = _band_edges(p, w, top)
            info = _band_info(edges, w, top is not None)
        return _band_of(p, edges), info
    if by not in frame.columns:
        raise CalibInputError(f"loans: grouping column {by!r} not found")
    codes, uniq = pd.factorize(frame[by], sort=True)
    if (codes < 0).any():
        raise CalibInputError(f"loans: grouping column {by!r} has blanks")
    info = pd.DataFrame(
        {"band": [str(u) for u in uniq], "points_low": np.nan, "points_high": np.nan}
    )
    return codes, info


def _given_pd(frame: pd.DataFrame, pd_: Any) -> np.ndarray:
    if isinstance(pd_, str):
        _check_columns(frame, [pd_], "loans")
        pdv = pd.to_numeric(frame[pd_], errors="coerce").to_numpy(dtype=float)
    else:
        pdv = np.asarray(pd_, dtype=float)
        if pdv.shape != (len(frame),):
            raise CalibInputError(
                f"pd must have one value per loan ({len(frame)}), got shape {pdv.shape}"
            )
    if np.isnan(pdv).any() or (pdv < 0).any() or (pdv > 1).any():
        raise CalibInputError("pd: every loan needs a PD in [0, 1]")
    return pdv


def _pd_and_reference(frame, p, pd_, controls, cluster, width):
    """(PD, reference PD, model or None) per loan."""
    if pd_ is None or isinstance(pd_, PointsPD):
        model = pd_ if isinstance(pd_, PointsPD) else fit_points_pd(
            frame, None, controls=controls, cluster=cluster
        )
        return model.predict(frame), model.predict(frame, points=0.0), model
    pdv = _given_pd(frame, pd_)
    lowest = _band_of(p, np.array([0.0, width])) == 0
    if not lowest.any():
        lowest = p <= np.min(p)
    return pdv, np.full_like(pdv, pdv[lowest].mean()), None


def _justified(pd_at: np.ndarray, pd_ref: np.ndarray, lgd: float) -> np.ndarray:
    """The rate discount a loan's points justify: the expected loss they remove, ``lgd x
    (PD at no points - PD at its points)``."""
    return lgd * (pd_ref - pd_at)


def _loan_level(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    terms: PointsLoan,
    *,
    pd_: Any,
    controls: Sequence[str],
    period: str | None,
    missing_points: str,
    cluster: str | None,
):
    """(frame, loan-level table, model): points, discount, rate, drawn, PD, justified discount."""
    s = terms.schedule
    frame = _prepared(loans, points, period, missing_points)
    drawn = _drawn_array(frame)
    p = frame["points"].to_numpy(dtype=float)
    disc = np.asarray(discount_for_points(p, s), dtype=float)
    pdv, ref, model = _pd_and_reference(frame, p, pd_, controls, cluster, terms.band_width)
    lv = pd.DataFrame(
        {
            "household_id": frame["household_id"].to_numpy(),
            "points": p,
            "discount": disc,
            "rate": s.base_rate - disc,
            "drawn": drawn,
            "pd": pdv,
            "pd_ref": ref,
            "justified": _justified(pdv, ref, terms.lgd),
        },
        index=frame.index,
    )
    if "default" in frame.columns:
        lv["default"] = _default_array(frame)
    return frame, lv, model
