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
    for village, rate in coverage.nsmallest(lowest, "profiling_rate")["profiling_rate"].items():
        ax.annotate(village, (rate * 100, 0.5), rotation=90, fontsize=8, va="bottom", ha="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    return ax


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
