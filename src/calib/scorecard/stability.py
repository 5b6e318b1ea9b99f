"""Stability of a rating model: population and characteristic stability indices (PSI, CSI)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["psi", "csi", "psi_reading", "PSI_MODERATE", "PSI_SIGNIFICANT"]

PSI_MODERATE = 0.10
PSI_SIGNIFICANT = 0.25


def psi_reading(value: Any) -> np.ndarray:
    """Practitioner reading of a PSI/CSI value: below 0.10 ``stable``, 0.10 to below 0.25
    ``moderate shift``, 0.25 or more ``significant shift`` (Siddiqi 2006)."""
    v = np.asarray(value, dtype=float)
    return np.where(v >= PSI_SIGNIFICANT, "significant shift",
                    np.where(v >= PSI_MODERATE, "moderate shift", "stable"))


def _bin_labels(expected: pd.Series, actual: pd.Series, bins: int | Sequence[float],
                categorical: bool | None) -> tuple[pd.Series, pd.Series]:
    """Common bin labels for both samples: quantile bins of ``expected`` (numeric) or the
    categories (text); missing values get their own bin ``"Missing"``."""
    if categorical is None:
        categorical = not (pd.api.types.is_numeric_dtype(expected)
                           and not pd.api.types.is_bool_dtype(expected))
    if categorical:
        e = expected.astype(object).where(expected.notna(), "Missing").astype(str)
        a = actual.astype(object).where(actual.notna(), "Missing").astype(str)
        return e, a
    ev = expected.to_numpy(dtype=float, na_value=np.nan)
    av = actual.to_numpy(dtype=float, na_value=np.nan)
    if np.isscalar(bins) or isinstance(bins, (int, np.integer)):
        fin = ev[~np.isnan(ev)]
        if fin.size == 0:
            raise CalibInputError("psi: expected sample has no non-missing value")
        splits = np.unique(np.quantile(fin, np.linspace(0, 1, int(bins) + 1)[1:-1]))
    else:
        splits = np.unique(np.asarray(bins, dtype=float))
        splits = splits[np.isfinite(splits)]

    def lab(v: np.ndarray) -> pd.Series:
        idx = np.searchsorted(splits, v, side="right").astype(object)
        idx[np.isnan(v)] = "Missing"
        return pd.Series(idx).astype(str)
    return lab(ev), lab(av)


def _psi_from_labels(e: pd.Series, a: pd.Series, eps: float) -> pd.DataFrame:
    ec = e.value_counts()
    ac = a.value_counts()
    t = pd.concat([ec.rename("expected_n"), ac.rename("actual_n")], axis=1).fillna(0)
    t.index.name = "bin"
    es = t["expected_n"] / t["expected_n"].sum()
    as_ = t["actual_n"] / t["actual_n"].sum()
    es_c, as_c = np.maximum(es, eps), np.maximum(as_, eps)
    t["expected_share"] = es
    t["actual_share"] = as_
    t["contribution"] = (as_c - es_c) * np.log(as_c / es_c)
    return t.reset_index()


def psi(expected: Any, actual: Any, *, bins: int | Sequence[float] = 10,
        categorical: bool | None = None, eps: float = 1e-4,
        by_bin: bool = False) -> pd.DataFrame:
    """Population stability index between a reference sample and a new one.

    Parameters
    ----------
    expected : array-like
        Reference sample (development sample, earlier period).
    actual : array-like
        New sample (later period, new model run).
    bins : int or sequence of float, default 10
        Number of equal-count bins formed on ``expected`` (quantiles), or explicit split points.
        Text values are compared category by category.
    categorical : bool, optional
        Force categorical (True) or numeric (False) treatment; default: numeric dtypes numeric.
    eps : float, default 1e-4
        Floor for empty bin shares (the log is undefined at 0).
    by_bin : bool, default False
        Return one row per bin instead of the summary.

    Returns
    -------
    DataFrame
        Summary (one row): ``psi``, ``reading`` (stable < 0.10 <= moderate shift < 0.25 <=
        significant shift), ``n_bins``, ``n_expected``, ``n_actual``. Per bin: ``bin``,
        ``expected_n``, ``actual_n``, ``expected_share``, ``actual_share``, ``contribution``.

    Notes
    -----
    ``PSI = sum_i (a_i - e_i) ln(a_i / e_i)`` over bins with shares ``e_i`` (expected) and
    ``a_i`` (actual); it is the symmetrised Kullback-Leibler divergence. Missing values are a bin
    of their own. The 0.10 / 0.25 reading is a rule of thumb that depends on the sample sizes and
    the number of bins.

    References
    ----------
    Siddiqi, N. (2006). *Credit Risk Scorecards*. Wiley, ch. 8. Yurdakul, B. (2018). Statistical
    properties of the population stability index. PhD thesis, Western Michigan University.

    Examples
    --------
    >>> psi(["a"] * 50 + ["b"] * 50, ["a"] * 70 + ["b"] * 30)["psi"].round(4).item()
    0.1695
    """
    e = pd.Series(np.ravel(np.asarray(expected, dtype=object)) if not isinstance(expected, pd.Series)
                  else expected.to_numpy(), copy=False)
    a = pd.Series(np.ravel(np.asarray(actual, dtype=object)) if not isinstance(actual, pd.Series)
                  else actual.to_numpy(), copy=False)
    if e.size == 0 or a.size == 0:
        raise CalibInputError("psi: expected and actual must be non-empty")
    e = e.infer_objects()
    a = a.infer_objects()
    el, al = _bin_labels(e, a, bins, categorical)
    t = _psi_from_labels(el, al, eps)
    if by_bin:
        return t
    val = float(t["contribution"].sum())
    return pd.DataFrame({"psi": [val], "reading": [str(psi_reading(val))],
                         "n_bins": [len(t)], "n_expected": [e.size], "n_actual": [a.size]})


def csi(frame_expected: pd.DataFrame, frame_actual: pd.DataFrame, *,
        columns: Sequence[str] | None = None, bins: int = 10, scorecard: Any = None,
        eps: float = 1e-4) -> pd.DataFrame:
    """Characteristic stability index: the PSI of each characteristic.

    Parameters
    ----------
    frame_expected, frame_actual : DataFrame
        Reference and new samples with the characteristics as columns.
    columns : sequence of str, optional
        Characteristics to compare; default: the columns common to both frames (or the
        scorecard's characteristics).
    bins : int, default 10
        Equal-count bins on the reference sample for numeric characteristics.
    scorecard : calib.scorecard.Scorecard, optional
        A fitted scorecard: compare on its bins (the WoE classes the points are attached to)
        instead of quantile bins.
    eps : float
        Floor for empty shares.

    Returns
    -------
    DataFrame, one row per characteristic
        ``characteristic``, ``csi``, ``reading``, ``n_bins``.

    Notes
    -----
    Same formula as :func:`psi`, one characteristic at a time (Siddiqi 2006, ch. 8).
    """
    if scorecard is not None:
        cols = list(columns) if columns is not None else list(scorecard.feature_names_in_)
        be = scorecard.transform_bins(frame_expected)
        ba = scorecard.transform_bins(frame_actual)
    else:
        cols = list(columns) if columns is not None else \
            [c for c in frame_expected.columns if c in frame_actual.columns]
        be = ba = None
    rows = []
    for c in cols:  # loop over characteristics
        for fr, name in ((frame_expected, "frame_expected"), (frame_actual, "frame_actual")):
            if c not in fr.columns:
                raise CalibInputError(f"csi: column {c!r} missing from {name}")
        if be is not None:
            t = _psi_from_labels(be[c].astype(str), ba[c].astype(str), eps)
        else:
            el, al = _bin_labels(frame_expected[c], frame_actual[c], bins, None)
            t = _psi_from_labels(el, al, eps)
        v = float(t["contribution"].sum())
        rows.append((c, v, str(psi_reading(v)), len(t)))
    return pd.DataFrame(rows, columns=["characteristic", "csi", "reading", "n_bins"])
