"""Plots of the consensus-versus-model comparison: Bland-Altman, scatter, village effects.

Every function draws on ``ax`` (a new figure when ``None``) and returns the Axes; nothing is
shown and nothing is fitted: the lines come from the finished tables of
:func:`calib.compare.agreement_summary` and :func:`calib.compare.gap_drivers`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import require_columns
from calib.consensus.plots import BLUE, GREEN, GREY, RED, axes, ratio_axis

__all__ = ["bland_altman", "consensus_vs_model", "village_effects"]


#: Most villages a plot names on its axis (more are unlabelled: their names are in the tables).
MAX_NAMED = 120


def _both(comparison: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    require_columns(comparison, ("consensus_limit", "model_limit", "grant_class"), "comparison")
    both = comparison["grant_class"].to_numpy() == "both"
    c = comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)[both]
    m = pd.to_numeric(comparison["model_limit"]).to_numpy(dtype=float, na_value=np.nan)[both]
    return c, m


def _overall(summary: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    require_columns(summary, ("level", *cols), "summary", "use agreement_summary")
    ov = summary[summary["level"] == "overall"]
    return ov.iloc[0] if len(ov) else pd.Series(np.nan, index=list(cols))


def bland_altman(comparison: pd.DataFrame, summary: pd.DataFrame | None = None, *, ax=None,
                 max_points: int = 20_000, random_state: int = 0):
    """Bland-Altman plot on the log scale: model / consensus against the geometric mean.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` (households where both grant are drawn).
    summary : DataFrame, optional
        Output of :func:`calib.compare.agreement_summary`; its ``overall`` row gives the bias and
        limits of agreement lines (without it only the points are drawn: plots never fit).
    ax : matplotlib Axes, optional
    max_points : int
        At most this many points are drawn (a seeded random subset); the lines use all pairs.
    random_state : int
        Seed of the subset.

    Returns
    -------
    matplotlib Axes
        Both axes logarithmic: x the geometric mean of the two limits (yuan), y the ratio model /
        consensus with lines at the bias and the limits of agreement of ``summary`` (as ratios).
    """
    c, m = _both(comparison)
    ax = axes(ax, (7, 4.5))
    if c.size == 0:
        ax.text(0.5, 0.5, "no household granted by both", ha="center", transform=ax.transAxes)
        return ax
    bias = lo = hi = np.nan
    if summary is not None:
        ov = _overall(summary, ("bias_ratio", "loa_low_ratio", "loa_high_ratio"))
        bias, lo, hi = ov["bias_ratio"], ov["loa_low_ratio"], ov["loa_high_ratio"]
    idx = np.arange(c.size)
    if c.size > max_points:
        idx = np.sort(np.random.default_rng(random_state).choice(c.size, max_points, replace=False))
    gm, r = np.sqrt(c * m)[idx], (m / c)[idx]
    ax.scatter(gm, r, s=4, alpha=0.35, color=BLUE, lw=0)
    ax.axhline(1.0, color=GREY, lw=1)
    # one legend entry for the two limits (the reports word "95% limits" and "bias")
    for val, lab, ls in ((bias, f"bias {bias:.2f}", "-"), (lo, f"95% limits {lo:.2f} – {hi:.2f}", "--"),
                         (hi, "_nolegend_", "--")):
        if np.isfinite(val):
            ax.axhline(val, color=RED, ls=ls, lw=1.2, label=lab)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ratio_axis(ax.yaxis)
    from calib.report.style import amount_axis  # yuan as the tables write them, not 10^4

    amount_axis(ax.xaxis)
    ax.set(title="Bland-Altman (log scale)", xlabel="geometric mean of the two limits (yuan)",
           ylabel="model / consensus")
    if np.isfinite(bias):
        ax.legend(fontsize=8, loc="upper right")
    return ax


def consensus_vs_model(comparison: pd.DataFrame, summary: pd.DataFrame | None = None, *, ax=None,
                       max_points: int = 20_000, random_state: int = 0):
    """Scatter of model against consensus limits (log axes) with the identity and Deming lines.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits`.
    summary : DataFrame, optional
        Output of :func:`calib.compare.agreement_summary` (its ``overall`` Deming slope and
        intercept, on the logs); without it only the points and the identity are drawn (plots
        never refit).
    ax : matplotlib Axes, optional
    max_points, random_state
        As for :func:`bland_altman`.

    Returns
    -------
    matplotlib Axes
    """
    c, m = _both(comparison)
    ax = axes(ax, (5.5, 5.5))
    if c.size == 0:
        ax.text(0.5, 0.5, "no household granted by both", ha="center", transform=ax.transAxes)
        return ax
    slope = icpt = np.nan
    if summary is not None:
        ov = _overall(summary, ("deming_slope", "deming_intercept"))
        slope, icpt = float(ov["deming_slope"]), float(ov["deming_intercept"])
    idx = np.arange(c.size)
    if c.size > max_points:
        idx = np.sort(np.random.default_rng(random_state).choice(c.size, max_points, replace=False))
    ax.scatter(c[idx], m[idx], s=4, alpha=0.35, color=BLUE, lw=0)
    lo, hi = float(min(c.min(), m.min())), float(max(c.max(), m.max()))
    xs = np.geomspace(lo, hi, 50)
    ax.plot(xs, xs, color=GREY, lw=1, label="identity")
    if np.isfinite(slope):
        ax.plot(xs, np.exp(icpt + slope * np.log(xs)), color=RED, lw=1.5,
                label=f"Deming (log slope {slope:.2f})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from calib.report.style import amount_axis  # yuan as the tables write them, not 10^4

    amount_axis(ax.xaxis)
    amount_axis(ax.yaxis)
    ax.set(title="Model against consensus limit", xlabel="consensus limit (yuan)",
           ylabel="model limit (yuan)")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def village_effects(villages: pd.DataFrame, *, names: str | None = None, max_names: int = MAX_NAMED, ax=None):
    """Forest plot of the village component of the model / consensus gap.

    Parameters
    ----------
    villages : DataFrame
        ``GapDrivers.villages`` of :func:`calib.compare.gap_drivers` (``effect``, ``ci_low``,
        ``ci_high``, ``direction``; log scale).
    names : str, optional
        Column of ``villages`` holding the names written under the points (``group``), when
        there are at most ``max_names`` villages; more (a province's thousands) stay unlabelled,
        their names in the tables (thousands of labels cannot be read, and took two minutes to
        lay out for 11,765 villages).
    max_names : int
        Most villages named on the axis.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Villages sorted by effect on the x axis, the effect as a ratio model / consensus with
        its interval; red where the model is above the panel, green where below.
    """
    require_columns(villages, ("effect", "ci_low", "ci_high", "direction"), "villages")
    ax = axes(ax, (9, 3.5))
    v = villages.sort_values("effect", kind="stable")
    x = np.arange(len(v))
    colours = np.where(v["direction"] == "model_above", RED,
                       np.where(v["direction"] == "model_below", GREEN, GREY))
    ax.vlines(x, np.exp(v["ci_low"].to_numpy(float)), np.exp(v["ci_high"].to_numpy(float)),
              colors=colours, lw=1)
    ax.scatter(x, np.exp(v["effect"].to_numpy(float)), c=colours, s=10, zorder=3)
    ax.axhline(1.0, color=GREY, ls="--", lw=1)
    ax.set_yscale("log")
    ratio_axis(ax.yaxis)
    if names is not None and len(v) <= max_names:
        ax.set_xticks(x, v[names].astype(str).tolist(), rotation=90, fontsize=6)
    else:
        ax.set_xticks([])
    ax.set(title="Village component of the gap (red: model above panel, green: below)",
           xlabel="villages, sorted", ylabel="model / consensus (log)")
    return ax
