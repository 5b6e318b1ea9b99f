"""Plots of the data-quality tables (report 01); they only draw what :mod:`calib.io.quality`
computes. Texts (title, axis labels) are put into the reader's words by the caller
(:func:`calib.report.style.words`)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["plot_profiling_rates", "plot_ages"]


def plot_profiling_rates(coverage: pd.DataFrame, threshold: float, *, label: str | None = None,
                         lowest: int = 3, ax: Any = None):
    """Histogram of the villages' profiling rates (in %), the credit-village rule's threshold as
    a dashed line, and the ``lowest`` villages named at their rate (on a white ground: the names
    stand over the bars).

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`calib.io.quality.coverage_by_village` (column ``profiling_rate``, a share; index
        the village).
    threshold : float
        The rule's profiling rate (a share, e.g. 0.9).
    label : str, optional
        Legend entry of the threshold line (in the reader's words); no legend without it.
    lowest : int
        How many of the lowest villages are named.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from calib.report.style import FAIL, PALETTE, count_axis

    ax = ax if ax is not None else plt.subplots(figsize=(5.5, 3.8))[1]
    ax.hist(coverage["profiling_rate"] * 100, bins=20, color=PALETTE[0])
    ax.axvline(threshold * 100, color=FAIL, ls="--", label=label)
    if label is not None:
        ax.legend()
    count_axis(ax.yaxis)  # villages, in whole numbers
    _name_lowest(ax, coverage.nsmallest(lowest, "profiling_rate")["profiling_rate"])
    return ax


#: Size (points) of the names :func:`plot_profiling_rates` writes, and the room one name takes
#: across (its height, rotated, with the white ground's padding).
_NAME_SIZE, _NAME_ACROSS = 8, 11


def _name_lowest(ax: Any, rates: pd.Series) -> None:
    """Write each village of ``rates`` (a share, index the village) upright at its rate, from the
    foot of the axis; a name that would overlap the one before (two villages a fraction of a
    point apart: a province's 72.8% and 73.7%) stands on top of it instead of across it."""
    from matplotlib.textpath import TextPath

    fig = ax.figure
    lo, hi = ax.get_xlim()
    width = ax.get_position().width * fig.get_size_inches()[0] * 72  # the axis, in points
    per_point = width / (hi - lo) if hi > lo else 0.0
    prev_x, lift = None, 0.0
    for village, rate in rates.sort_values().items():
        x = float(rate) * 100
        if prev_x is not None and (x - prev_x) * per_point < _NAME_ACROSS:
            lift += prev_len + 4
        else:
            lift = 0.0
        ax.annotate(village, (x, 0), xytext=(0, 3 + lift), textcoords="offset points", rotation=90,
                    fontsize=_NAME_SIZE, va="bottom", ha="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        prev_x, prev_len = x, TextPath((0, 0), str(village), size=_NAME_SIZE).get_extents().width


def plot_ages(ages: pd.Series, bounds: Sequence[float], *, ax: Any = None):
    """Histogram of the roster's ages in five-year bins, the eligibility bounds as dashed lines.

    Parameters
    ----------
    ages : pandas.Series
        The roster's ``age`` (blanks left out).
    bounds : sequence of float
        The eligible ages' bounds (``eligibility.min_age``, ``max_age``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from calib.report.style import FAIL, PALETTE, count_axis

    ax = ax if ax is not None else plt.subplots(figsize=(5.5, 3.8))[1]
    ax.hist(ages.dropna(), bins=range(0, 100, 5), color=PALETTE[5])
    for a in bounds:
        ax.axvline(a, color=FAIL, ls="--")
    count_axis(ax.yaxis)  # persons: 2,000
    return ax
