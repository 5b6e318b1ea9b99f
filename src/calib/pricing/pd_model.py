"""The PD model of the points loan: ``logit PD = b0 + b1 * points/step + controls``."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import expit

from calib import _stats
from calib.errors import CalibInputError, CalibParamsError
from calib.pricing._checks import _default_array
from calib.pricing.points import attach_points

__all__ = ["PointsPD", "fit_points_pd"]

_CONSTANT = "__constant__"  # key of PointsPD.levels listing numeric controls left out as constant


def _pd_of(design: np.ndarray, params: Any) -> np.ndarray:
    """The PD of the rows of a design matrix (:meth:`PointsPD.design`) under coefficients
    ``params``: what :meth:`PointsPD.predict` gives, for coefficients other than the fit's (a
    bootstrap replicate's) on a design made once."""
    return expit(design @ np.asarray(params))


@dataclass
class PointsPD:
    """A fitted logistic PD model: ``logit PD = b0 + b1 * points/step + controls``.

    Attributes
    ----------
    result : calib._stats.LogitFit
        Logistic regression fitted by Newton-Raphson (:func:`calib._stats.fit_logit`); with a
        cluster column, village-clustered (CR1) standard errors and t(G-1) inference. Its
        ``result`` is the statsmodels results object, its ``note`` any fallback taken.
    controls : tuple of str
        Control columns of ``loans``.
    columns : list of str
        Design-matrix column names (``const``, ``points_per_step``, controls; categorical
        controls as ``name[level]`` dummies, first level dropped).
    levels : dict
        Levels of each categorical control seen at fit time.
    step : float
        Points per unit of the points coefficient (100).
    se_method : str
        How the standard errors were computed, in words.
    p_value_wild : float
        Wild cluster bootstrap p-value of the points coefficient (NaN when not computed).
    """

    result: Any
    controls: tuple[str, ...]
    columns: list[str]
    levels: dict[str, list] = field(default_factory=dict)
    step: float = 100.0
    se_method: str = ""
    p_value_wild: float = np.nan

    def design(self, frame: pd.DataFrame, points: Any = None) -> np.ndarray:
        """Design matrix for ``frame`` (points from ``points`` when given, else the column)."""
        return _design(frame, self.controls, self.levels, self.step, points)[0]

    def predict(self, frame: pd.DataFrame, points: Any = None) -> np.ndarray:
        """PD for every row of ``frame``, optionally with ``points`` replaced (scalar/array)."""
        return _pd_of(self.design(frame, points), self.result.params)

    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficients: ``coef, se, t, df, p_value, ci_low, ci_high, p_value_wild`` by term.

        ``t`` is coef / se; ``df`` its degrees of freedom (G - 1 with clustered errors,
        infinite, i.e. normal, without); ``p_value`` and the interval use that distribution.
        ``p_value_wild`` (points term only; NaN elsewhere or when not computed) is the wild
        cluster bootstrap p-value.
        """
        r = self.result
        ci = r.conf_int()
        wild = np.where(np.asarray(self.columns) == "points_per_step", self.p_value_wild, np.nan)
        return pd.DataFrame(
            {"coef": r.params, "se": r.se, "t": r.tvalues, "df": r.df, "p_value": r.pvalues,
             "ci_low": ci[:, 0], "ci_high": ci[:, 1], "p_value_wild": wild},
            index=pd.Index(self.columns, name="term"),
        )


def _control_column(frame: pd.DataFrame, c: str) -> pd.Series:
    if c not in frame.columns:
        raise CalibInputError(f"loans: control column {c!r} not found; join it onto loans first")
    s = frame[c]
    if s.isna().any():
        bad = frame.index[s.isna().to_numpy()][0]
        raise CalibInputError(
            f"loans: control column {c!r} is blank in {int(s.isna().sum())} row(s) "
            f"(first at index {bad!r}); fill or drop them explicitly"
        )
    return s


def _design(
    frame: pd.DataFrame,
    controls: Sequence[str],
    levels: dict[str, list] | None,
    step: float,
    points: Any = None,
) -> tuple[np.ndarray, list[str], dict[str, list]]:
    n = len(frame)
    if points is None:
        p = frame["points"].to_numpy(dtype=float)
    else:
        p = np.broadcast_to(np.asarray(points, dtype=float), (n,))
    cols = [np.ones(n), p / step]
    names = ["const", "points_per_step"]
    new_levels: dict[str, list] = {} if levels is None else levels
    for c in controls:
        s = _control_column(frame, c)
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric and c in new_levels.get(_CONSTANT, []):
            continue  # constant at fit time: collinear with the intercept, left out
        if numeric and (levels is None or c not in levels):
            v = s.to_numpy(dtype=float)
            if levels is None and n and np.ptp(v) == 0:
                new_levels.setdefault(_CONSTANT, []).append(c)
                continue
            cols.append(v)
            names.append(c)
            continue
        lv = new_levels.setdefault(c, sorted(pd.unique(s.astype(str)).tolist()))
        sv = s.astype(str).to_numpy()
        for level in lv[1:]:
            cols.append((sv == level).astype(float))
            names.append(f"{c}[{level}]")
    return np.column_stack(cols), names, new_levels


def _prepared(loans, points, period, missing_points):
    if points is None and "points" in loans.columns and "points_rule" in loans.columns:
        return loans
    return attach_points(loans, points, period=period, missing_points=missing_points)


def _wild_p(fit: Any, y: np.ndarray, X: np.ndarray, groups: np.ndarray | None,
            wild_bootstrap: Literal["auto"] | bool, n_wild: int,
            random_state: int | np.random.Generator | None) -> float:
    """Wild cluster bootstrap p-value of the points coefficient (column 1), or NaN when not
    run: no clusters, a penalised fit, or ``"auto"`` with at least ``FEW_CLUSTERS`` villages."""
    if wild_bootstrap not in ("auto", True, False):
        raise CalibParamsError(f"wild_bootstrap: expected 'auto', True or False, got "
                               f"{wild_bootstrap!r}")
    few = (fit.n_clusters or 0) < _stats.FEW_CLUSTERS
    if groups is None or fit.cov_type != "cluster" or not (wild_bootstrap is True or
                                                            (wild_bootstrap == "auto" and few)):
        return np.nan
    return _stats.wild_cluster_score_test(y, X, groups, 1, n_boot=n_wild,
                                          random_state=random_state)[1]


def _fit_model(frame: pd.DataFrame, controls: tuple[str, ...], cluster: str | None,
               step: float) -> tuple[PointsPD, np.ndarray, np.ndarray, np.ndarray | None]:
    """The fitted :class:`PointsPD` (no wild p-value yet), with ``y``, ``X`` and the codes."""
    y = _default_array(frame)
    X, names, levels = _design(frame, controls, None, step)
    groups = _stats.cluster_codes(frame, cluster, table="loans", unit="loan")
    fit = _stats.fit_logit(y, X, groups=groups)
    model = PointsPD(fit, controls, names, levels, step, _stats.se_method(fit, unit="loans"))
    return model, y, X, groups


def fit_points_pd(
    loans: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    controls: Sequence[str] = (),
    cluster: str | None = "village",
    step: float = 100.0,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    wild_bootstrap: Literal["auto"] | bool = "auto",
    n_wild: int = 9999,
    random_state: int | np.random.Generator | None = 0,
) -> PointsPD:
    """Fit the logistic PD model of default on points (per ``step`` points) plus controls.

    Parameters
    ----------
    loans : pandas.DataFrame
        ``household_id``, ``start_date``, ``default`` (0/1), the control columns, and the
        cluster column; or already carrying ``points`` (then pass ``points=None``).
    points : pandas.DataFrame or None
        The points table (see :func:`attach_points`).
    controls : sequence of str
        Columns of ``loans``; numeric ones enter linearly, text/category/bool ones as dummies.
        Blank controls raise (no silent dropping). A numeric control that is constant in the
        data (e.g. ``no_points`` when every loan has points) is collinear with the intercept
        and left out of the model (listed in ``PointsPD.levels["__constant__"]``).
    cluster : str or None
        Column for cluster-robust standard errors (default ``village``; when the column is
        absent the fit falls back to model-based errors, stated in ``PointsPD.se_method``).
        Inference uses t(G - 1) with the CR1 small-sample factor G/(G-1) x (N-1)/(N-K).
    step : float
        Points per unit of the points coefficient.
    wild_bootstrap : {"auto", True, False}
        Add the wild cluster bootstrap p-value of the points coefficient
        (``PointsPD.p_value_wild``, column ``p_value_wild`` of ``coefficients``):
        ``"auto"`` when clustered with fewer than :data:`calib._stats.FEW_CLUSTERS` (30)
        villages, where t(G - 1) can still over-reject.
    n_wild : int
        Draws of the wild bootstrap (Webb six-point weights with at most 12 villages,
        Rademacher above; every weight vector when there are at most ``n_wild``).
    random_state : int or numpy.random.Generator
        Seed of the wild bootstrap.

    Returns
    -------
    PointsPD

    Raises
    ------
    CalibInputError
        When the cluster column has a blank or only one distinct value (one village: a
        village-clustered error cannot be estimated; pass ``cluster=None`` for loan-level
        errors).

    Notes
    -----
    The wild bootstrap is the restricted score bootstrap of
    :func:`calib._stats.wild_cluster_score_test` (Kline & Santos 2012; Cameron, Gelbach &
    Miller 2008; Webb 2023).
    """
    frame = _prepared(loans, points, period, missing_points)
    use = cluster if cluster is not None and cluster in frame.columns else None
    model, y, X, groups = _fit_model(frame, tuple(controls), use, step)
    model.p_value_wild = _wild_p(model.result, y, X, groups, wild_bootstrap, n_wild,
                                 random_state)
    return model
