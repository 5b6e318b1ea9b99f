"""Figures a report records so that later runs can be compared with it: distributions over
fixed bins (for PSI/CSI across runs) and grade default rates against PDs.

They are plain dicts (JSON in ``metrics.json`` and the run history). The scorecard report
records them with (one line each)::

    report.record("current_score_distribution", monitoring.distribution(
        cur["score"], edges=monitoring.current_score_edges(S.current_cutoffs)), label=...)
    report.record("current_grade_distribution", monitoring.distribution(cur["grade"]), label=...)
    report.record("score_distribution", monitoring.distribution(
        score, edges=monitoring.score_edges(**P.block("scorecard"))), label=...)
    report.record("grade_distribution", monitoring.distribution(cal["grade"]), label=...)
    report.record("characteristic_distributions", monitoring.distributions(hh[C]), label=...)
    obs, pds = monitoring.grade_figures(byg)
    report.record("grade_default_rates", obs, label=...)
    report.record("grade_pds", pds, label=...)
    report.record("grade_confidence", monitoring.grade_confidence(byg), label=...)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = ["distribution", "distributions", "score_edges", "current_score_edges", "grade_figures",
           "grade_confidence", "CURRENT_SCORE_STEPS",
           "CHARACTERISTIC_EDGES"]

#: Fixed split points of the scorecard's characteristics (the same in every run, so that the
#: CSI compares like with like; a characteristic not listed is taken category by category).
CHARACTERISTIC_EDGES: dict[str, list[float]] = {
    "model_score": [500.0, 540.0, 570.0, 590.0, 600.0, 610.0, 630.0, 660.0, 700.0],
    "business_rating": [1.5, 2.5, 3.5, 4.5],
    "integrity_rating": [1.5, 2.5, 3.5, 4.5],
    "log_income": [9.5, 10.0, 10.5, 11.0, 11.5],
    "points": [100.0, 200.0, 300.0, 400.0, 500.0],
    "head_age": [30.0, 40.0, 50.0, 60.0, 65.0],
    "land_mu": [1.0, 2.0, 4.0, 8.0],
}


def score_edges(base_score: float = 600, pdo: float = 20, *, steps: int = 5,
                **_: Any) -> list[float]:
    """Fixed score band edges ``base_score + k * pdo`` for ``k = -steps .. steps``: the same
    bands in every run whatever the data (extra keyword arguments, e.g. the rest of the
    ``scorecard`` block, are ignored)."""
    return [float(base_score + k * pdo) for k in range(-steps, steps + 1)]


#: Half-bands added below the lowest and above the highest grade cutoff of the current card's
#: fixed PSI bands (:func:`current_score_edges`): 6, so that a population drifting by up to three
#: grade widths beyond the scale stays in bands of its own (report 07's methods appendix states it).
CURRENT_SCORE_STEPS = 6


def current_score_edges(cutoffs: Mapping[str, float], *, steps: int = CURRENT_SCORE_STEPS) -> list[float]:
    """Fixed band edges on the scale of the bank's current points formula: its grade cutoffs,
    the bands between them halved, and ``steps`` more half-bands below the lowest cutoff and
    above the highest.

    The current card is the card in use: its weights and cutoffs stay the same from run to run
    (until the parameters change them), so the population stability of its scores compares
    populations, not refits. The recalibrated card of :func:`score_edges` is refitted by every
    run.

    Parameters
    ----------
    cutoffs : mapping
        ``{grade: minimum score}`` (params ``scorecard.current_cutoffs``), at least one.
    steps : int
        Half-bands added on each side (default :data:`CURRENT_SCORE_STEPS`).

    Examples
    --------
    >>> current_score_edges({"AAA": 85, "AA": 75, "A": 65}, steps=2)
    [55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0]
    """
    c = sorted({float(v) for v in dict(cutoffs).values()})
    if not c or not all(np.isfinite(c)):
        raise CalibInputError("current_score_edges: the grade cutoffs must be finite numbers")
    half = float(min(np.diff(c))) / 2 if len(c) > 1 else 5.0
    inner = sorted({v for a, b in zip(c, c[1:]) for v in (a, (a + b) / 2)} | {c[-1]})
    return ([c[0] - k * half for k in range(steps, 0, -1)] + inner
            + [c[-1] + k * half for k in range(1, steps + 1)])


def distribution(values: Any, *, edges: Sequence[float] | None = None) -> dict[str, float]:
    """Shares of ``values`` per bin, as a dict ready to record.

    Parameters
    ----------
    values : array-like
        Scores (with ``edges``) or labels (grades, ratings; without ``edges``).
    edges : sequence of float, optional
        Inner split points; bins are ``(-inf, e0)``, ``[e0, e1)``, ..., ``[ek, inf)`` labelled
        ``"<e0"``, ``"e0-e1"``, ..., ``">=ek"``. Missing values are a bin ``"missing"``.

    Returns
    -------
    dict
        Bin label -> share (sums to 1); empty bins are included with 0 when ``edges`` given.
    """
    s = pd.Series(np.asarray(values, dtype=object) if edges is None else values)
    if len(s) == 0:
        raise CalibInputError("distribution: no values")
    if edges is None:
        lab = s.astype("string").fillna("missing")
        shares = lab.value_counts(normalize=True, sort=False)
        return {str(k): float(v) for k, v in sorted(shares.items())}
    e = [float(x) for x in edges]
    if any(b <= a for a, b in zip(e, e[1:])):
        raise CalibInputError("distribution: edges must increase")
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    names = [f"<{e[0]:g}"] + [f"{a:g}-{b:g}" for a, b in zip(e, e[1:])] + [f">={e[-1]:g}"]
    idx = np.searchsorted(e, x, side="right")
    counts = np.bincount(idx[~np.isnan(x)], minlength=len(names)).astype(float)
    out = dict(zip(names, counts / len(x)))
    if np.isnan(x).any():
        out["missing"] = float(np.isnan(x).mean())
    return {k: float(v) for k, v in out.items()}


def distributions(frame: pd.DataFrame,
                  edges: dict[str, Sequence[float]] | None = None) -> dict[str, dict[str, float]]:
    """:func:`distribution` of every column of ``frame`` (characteristic -> bin -> share),
    with the split points of ``edges`` (default :data:`CHARACTERISTIC_EDGES`)."""
    e = CHARACTERISTIC_EDGES if edges is None else edges
    return {str(c): distribution(frame[c], edges=e.get(c)) for c in frame.columns}


def grade_figures(by_grade: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """Observed default rate and calibrated PD per grade from
    :func:`calib.validation.calibration_by_grade` (columns ``grade``, ``observed_dr``,
    ``predicted_pd``), as two dicts to record."""
    for c in ("grade", "observed_dr", "predicted_pd"):
        if c not in by_grade:
            raise CalibInputError(f"by_grade: missing column {c!r}")
    g = by_grade["grade"].astype(str)
    obs = {k: (None if v != v else float(v)) for k, v in zip(g, by_grade["observed_dr"])}
    pds = {k: (None if v != v else float(v)) for k, v in zip(g, by_grade["predicted_pd"])}
    return obs, pds


def grade_confidence(by_grade: pd.DataFrame) -> dict[str, float]:
    """The binomial confidence that each grade's PD is too low (``confidence`` of
    :func:`calib.validation.calibration_by_grade`: 1 - the one-sided exact binomial p-value,
    the traffic light's figure), as a dict to record."""
    for c in ("grade", "confidence"):
        if c not in by_grade:
            raise CalibInputError(f"by_grade: missing column {c!r}")
    return {str(k): (None if v != v else float(v))
            for k, v in zip(by_grade["grade"], by_grade["confidence"])}
