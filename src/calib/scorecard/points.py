"""Points: the scaling of log-odds to points and the card's points and information-value tables.

:class:`PointsMixin` gives a fitted :class:`calib.scorecard.Scorecard` its points methods
(``score_points``, ``points_table``, ``iv_table``, ``pd_to_score``, ``score_to_pd``); it needs
the fitted attributes ``binning_``, ``coef_``, ``intercept_``, ``excluded_``, ``factor_`` and
``offset_``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibParamsError
from calib.scorecard.binning import _bin_index, iv_reading

__all__ = ["scaling_constants", "PointsMixin"]


def scaling_constants(base_score: float, base_odds: float, pdo: float) -> tuple[float, float]:
    """Factor and offset of the points scale.

    ``Factor = pdo / ln 2`` and ``Offset = base_score - Factor ln(base_odds)`` with the odds as
    good:bad, so that ``score = Offset + Factor ln(odds)``: ``base_score`` points at odds
    ``base_odds``, and ``pdo`` more points double the odds (Siddiqi 2006, ch. 6).
    """
    if not (pdo > 0 and base_odds > 0):
        raise CalibParamsError(f"scorecard.pdo and scorecard.base_odds must be > 0, got pdo={pdo!r}, "
                               f"base_odds={base_odds!r}")
    factor = pdo / math.log(2.0)
    return factor, base_score - factor * math.log(base_odds)



class PointsMixin:
    """Points methods of a fitted scorecard (see the module docstring)."""

    binning_: dict
    coef_: pd.Series
    intercept_: float
    excluded_: dict
    factor_: float
    offset_: float

    def _bin_points(self) -> dict[str, np.ndarray]:
        k = len(self.binning_) - len(self.excluded_)
        base = (self.offset_ - self.factor_ * self.intercept_) / max(k, 1)
        pts = {}
        for name, spec in self.binning_.items():
            woe = np.array([b["woe"] for b in spec["bins"]] + [0.0])
            b = float(self.coef_[name])
            share = 0.0 if name in self.excluded_ else base
            pts[name] = -self.factor_ * b * woe + share
        return pts

    def score_points(self, X: pd.DataFrame, *, by_characteristic: bool = False) -> pd.Series | pd.DataFrame:
        """Points per household (higher = safer).

        Returns
        -------
        Series ``score`` indexed like X, or with ``by_characteristic=True`` a DataFrame with the
        points of each characteristic and the total in column ``score``. The score equals
        ``Offset + Factor ln(good:bad odds)`` of :meth:`predict_proba`.
        """
        self._check_fitted()
        X = self._check_X(X)
        pts = self._bin_points()
        if not pts:
            base = pd.Series(self.offset_ - self.factor_ * self.intercept_, index=X.index, name="score")
            return base.to_frame() if by_characteristic else base
        cols = {name: pts[name][_bin_index(spec, X[name])] for name, spec in self.binning_.items()}
        df = pd.DataFrame(cols, index=X.index)
        total = df.sum(axis=1)
        if len(self.excluded_) == len(self.binning_):
            total = total + (self.offset_ - self.factor_ * self.intercept_)
        if by_characteristic:
            return df.assign(score=total)
        return total.rename("score")

    def pd_to_score(self, pd_: Any) -> np.ndarray:
        """Points of a PD on this card's scale: ``Offset + Factor ln((1 - pd) / pd)``."""
        p = np.asarray(pd_, dtype=float)
        return self.offset_ + self.factor_ * np.log((1 - p) / p)

    def score_to_pd(self, score: Any) -> np.ndarray:
        """PD of a score on this card's scale."""
        s = np.asarray(score, dtype=float)
        return 1.0 / (1.0 + np.exp((s - self.offset_) / self.factor_))

    def iv_table(self) -> pd.DataFrame:
        """Information value of each characteristic with its reading.

        Returns
        -------
        DataFrame, one row per characteristic, highest IV first
            ``characteristic, iv, reading`` (:func:`iv_reading`), ``n_bins``, ``trend``
            (expected), ``fitted_trend``, ``coefficient``, ``excluded`` (bool).
        """
        self._check_fitted()
        rows = [(n, s["iv"], str(iv_reading(s["iv"])), len(s["bins"]), s.get("trend"),
                 s.get("fitted_trend"), float(self.coef_[n]), n in self.excluded_)
                for n, s in self.binning_.items()]
        t = pd.DataFrame(rows, columns=["characteristic", "iv", "reading", "n_bins", "trend",
                                        "fitted_trend", "coefficient", "excluded"])
        return t.sort_values("iv", ascending=False, kind="stable").reset_index(drop=True)

    def points_table(self) -> pd.DataFrame:
        """One row per characteristic and bin.

        Returns
        -------
        DataFrame
            ``characteristic, bin, count, event_rate, woe, iv, coefficient, points``; ``count``
            and ``event_rate`` are those of the fitting sample, ``iv`` the bin's contribution
            to the information value.
        """
        self._check_fitted()
        pts = self._bin_points()
        rows = []
        for name, spec in self.binning_.items():
            for i, b in enumerate(spec["bins"]):
                rows.append((name, b["bin"], b["count"], b["event_rate"], b["woe"], b["iv"],
                             float(self.coef_[name]), float(pts[name][i])))
        return pd.DataFrame(rows, columns=["characteristic", "bin", "count", "event_rate", "woe",
                                           "iv", "coefficient", "points"])

