"""Plots of the pricing tables (they only draw tables computed elsewhere in the subpackage)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.pricing.inflation import with_groups
from calib.pricing.points import period_bounds

__all__ = ["plot_default_rate_by_band", "plot_points_by_village", "plot_discount_interval", "MIN_AXIS_LOANS"]

#: Fewest loans of a points band whose Jeffreys interval the default-rate chart's y axis makes
#: room for: a thinner band's interval runs off the top instead of flattening every other band
#: (report 05 fits the axis so and says so under the chart).
MIN_AXIS_LOANS = 20


def _rate_axis_top(t: pd.DataFrame, min_loans: int) -> float:
    """Top of the y axis: the data, not the open interval of a band with a handful of loans."""
    tops = [t["default_rate"].max()]
    if "pd" in t.columns:
        tops.append(t["pd"].max())
    big = t["loans"] >= min_loans if "loans" in t.columns else np.ones(len(t), bool)
    if np.any(big):
        tops.append(t.loc[big, "default_ci_high"].max())
    top = float(np.nanmax(np.asarray(tops, dtype=float)))
    return 1.15 * top if top > 0 else 0.05


def plot_default_rate_by_band(table: pd.DataFrame, *, ax: Any = None, show_pd: bool = True,
                              min_loans: int = MIN_AXIS_LOANS):
    """Observed default rate per band with its Jeffreys interval (and the modelled PD).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`default_rate_by_band` or :func:`evaluate_schedule` (``total`` row
        skipped).
    ax : matplotlib Axes, optional
    show_pd : bool
        Draw the modelled PD (when the table has it).
    min_loans : int
        Default :data:`MIN_AXIS_LOANS`. The y axis is fitted to the rates and to the intervals of bands with at least this many
        loans; a thinner band's interval runs off the top (the axis label says so) instead of
        stretching the axis to 0.85.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    t = table.loc[table["band"] != "total"]
    x = np.arange(len(t))
    rate = t["default_rate"].to_numpy(dtype=float)
    err = np.vstack([rate - t["default_ci_low"].to_numpy(dtype=float),
                     t["default_ci_high"].to_numpy(dtype=float) - rate])
    ax.errorbar(x, rate, yerr=err, fmt="o", capsize=3, label="observed (Jeffreys 95%)")
    if show_pd and "pd" in t.columns:
        ax.plot(x, t["pd"].to_numpy(dtype=float), "s--", label="modelled PD")
    ax.set_xticks(x, t["band"].tolist(), rotation=45, ha="right")
    ax.set_xlabel("points band")
    top = _rate_axis_top(t, min_loans)
    ax.set_ylim(0.0, top)
    from calib.report.style import percent_axis  # rates as the tables write them

    percent_axis(ax.yaxis)
    cut = bool(np.any(t["default_ci_high"].to_numpy(dtype=float) > top))
    ax.set_ylabel("default rate" + (f"\n(intervals of bands < {min_loans} loans cut)" if cut
                                    else ""))
    ax.legend()
    return ax


#: Most villages drawn as boxes by :func:`plot_points_by_village` (more: lines and dots).
MAX_BOXES = 300


def plot_points_by_village(
    points: pd.DataFrame,
    *,
    by: str = "village",
    groups: pd.DataFrame | pd.Series | None = None,
    period: str | None = None,
    flagged: Sequence[str] = (),
    labels: bool = False,
    ax: Any = None,
):
    """Box plot of points per village for one period (latest by default), flagged ones in red;
    beyond :data:`MAX_BOXES` villages, each village's interquartile range as a line and its
    median as a dot (unlabelled).

    Parameters
    ----------
    points, by, groups
        As in :func:`points_inflation`.
    period : str, optional
        Period to show (default the latest).
    flagged : sequence of str
        Groups drawn in red (e.g. the flagged rows of :func:`points_inflation`).
    labels : bool
        Write the group names under the boxes. Off by default: village names are usually
        Chinese and report machines have no CJK font; villages are then sorted by median and
        the names belong in a table.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    pts = with_groups(points, by, groups)
    if period is None:
        period = max(pd.unique(pts["period"]), key=lambda u: period_bounds(u)[1])
    cur = pts.loc[pts["period"] == period]
    grouped = cur.groupby(by)["points"]
    order = grouped.median().sort_values().index.tolist()
    flagged = set(flagged)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(max(6, 0.15 * len(order)), 13), 3.5))
    if len(order) > MAX_BOXES:
        # a province's thousands of boxes cannot be told apart (and took 44 s to draw for
        # 11,765 villages): each village's interquartile range as a line, its median a dot
        q = grouped.quantile([0.25, 0.5, 0.75]).unstack().reindex(order)
        x = np.arange(1, len(order) + 1)
        red = np.isin(np.asarray(order, dtype=object), list(flagged))
        lo, mid, hi = (q[k].to_numpy(float) for k in (0.25, 0.5, 0.75))
        ax.vlines(x[~red], lo[~red], hi[~red], colors="lightgrey", lw=0.5)
        ax.scatter(x[~red], mid[~red], c="dimgrey", s=1, lw=0, zorder=3)
        ax.vlines(x[red], lo[red], hi[red], colors="tab:red", lw=1.2, zorder=4)  # flagged on top
        ax.scatter(x[red], mid[red], c="tab:red", s=6, lw=0, zorder=5)
        ax.set_xlim(0, len(order) + 1)
        labels = False
    else:
        per_group = {k: v.to_numpy() for k, v in grouped}
        bp = ax.boxplot([per_group[v] for v in order], showfliers=False, patch_artist=True)
        for patch, v in zip(bp["boxes"], order):
            patch.set_facecolor("tab:red" if v in flagged else "lightgrey")
    if labels:
        ax.set_xticks(np.arange(1, len(order) + 1), [str(v) for v in order], rotation=90,
                      fontsize=6)
        ax.set_xlabel(by)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{by} (sorted by median points; red = flagged)")
    ax.set_ylabel(f"points ({period})")
    return ax


def plot_discount_interval(cal: pd.DataFrame, *, ax: Any = None):
    """Bootstrap distribution of the risk-justified discount, its interval and the policy.

    Parameters
    ----------
    cal : pandas.DataFrame
        Output of :func:`calibrate_points_discount` (uses ``attrs["boot"]``; the policy line
        when it was given a schedule).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Percentage points per 100 points on the x axis.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    r = cal.iloc[0]
    boot = np.asarray(cal.attrs.get("boot", []), dtype=float) * 100.0
    if boot.size:
        ax.hist(boot, bins=min(40, max(10, boot.size // 5)), color="lightgrey",
                label="bootstrap replicates")
    ax.axvspan(r["ci_low"] * 100, r["ci_high"] * 100, color="tab:blue", alpha=0.15,
               label="95% interval")
    ax.axvline(r["discount_per_100"] * 100, color="tab:blue", label="estimate")
    ax.axvline(0.0, color="black", lw=0.8, ls=":")
    if "policy_per_100" in cal.columns:
        ax.axvline(r["policy_per_100"] * 100, color="tab:red", ls="--", label="policy")
    ax.set_xlabel("risk-justified discount (percentage points per 100 points)")
    ax.set_ylabel("replicates")
    from calib.report.style import count_axis  # replicates are counted in whole numbers

    count_axis(ax.yaxis)
    ax.legend(fontsize=8)
    return ax
