"""Plots of the peer consensus: reviewer leniency and agreement by village.

Every function draws on ``ax`` (a new figure when ``None``) and returns the Axes; nothing is
shown and nothing is fitted: each takes the finished table of the computation it shows. Labels are
English and reviewers appear by ``reviewer_id`` only (no names, no CJK glyphs).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import require_columns

__all__ = ["caterpillar", "agreement_by_group"]

BLUE, RED, GREY, GREEN = "#4c72b0", "#c44e52", "#8c8c8c", "#55a868"


def axes(ax, figsize=(8, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def ratio_axis(axis) -> None:
    """Plain ratio tick labels (0.8, 1, 1.25) on a log-scaled axis."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    # 0.5 is 5 of the decade below: listed twice, it was drawn twice (a blurred "0.5")
    axis.set_major_locator(LogLocator(base=10, subs=(0.6, 0.7, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)))
    axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))


def caterpillar(effects: pd.DataFrame, *, ax=None, label_ids: int | None = None):
    """Reviewer leniency with 95% intervals, sorted, flagged reviewers highlighted.

    Parameters
    ----------
    effects : DataFrame
        Output of :func:`calib.consensus.reviewer_effects` (index ``reviewer_id``; ``leniency``,
        ``leniency_low``, ``leniency_high``; ``flagged`` and ``flag_reason`` when present).
    ax : matplotlib Axes, optional
    label_ids : int, optional
        Label the x axis with the ``reviewer_id`` when there are at most this many reviewers
        (default 40); larger programmes show no labels (the ids are in the flagged table).

    Returns
    -------
    matplotlib Axes
        Log-scaled y axis (leniency as a ratio, 1 = the panel's level). Colours: red for
        reviewers flagged as partial or for their leniency, orange for those flagged only because
        they reviewed their own household, blue for the rest. The red legend entry names only the
        reasons present: ``flagged: partial``, ``flagged: leniency`` or ``flagged: partial /
        leniency`` (leniency is flagged only when :func:`reviewer_effects` had a
        ``leniency_band``).
    """
    require_columns(effects, ("leniency", "leniency_low", "leniency_high"), "effects")
    ax = axes(ax, (10, 4))
    e = effects.sort_values("leniency", kind="stable")
    x = np.arange(len(e))
    flag = e["flagged"].to_numpy(bool) if "flagged" in e.columns else np.zeros(len(e), bool)
    reason = e["flag_reason"].astype(str) if "flag_reason" in e.columns else pd.Series("", index=e.index)
    only_self = flag & (reason == "self_review").to_numpy()
    strong = flag & ~only_self
    # the red entry names the reasons that put reviewers there: leniency only when it was flagged
    # (reviewer_effects flags it only with a leniency_band)
    codes = {c for r in reason[strong] for c in r.split(";")}
    named = [w for w, cs in (("partial", {"partial"}), ("leniency", {"lenient", "severe"})) if codes & cs]
    strong_label = "flagged: " + " / ".join(named or ["other"])
    lo, hi = e["leniency_low"].to_numpy(float), e["leniency_high"].to_numpy(float)
    y = e["leniency"].to_numpy(float)
    ms = 2.5 if len(e) > 100 else 4
    for sel, col, lab in ((~flag, BLUE, "not flagged"), (only_self, "#dd8452", "flagged: own household only"),
                          (strong, RED, strong_label)):
        if sel.any():
            ax.vlines(x[sel], lo[sel], hi[sel], color=col, alpha=0.5, lw=1)
            ax.plot(x[sel], y[sel], "o", ms=ms, color=col, label=f"{lab} ({int(sel.sum())})")
    ax.axhline(1.0, color=GREY, ls="--", lw=1)
    ax.set_yscale("log")
    ratio_axis(ax.yaxis)
    if len(e) <= (40 if label_ids is None else label_ids):
        ax.set_xticks(x, e.index.astype(str).to_list(), rotation=90, fontsize=7)
    else:
        ax.set_xticks([])
    ax.set(title="Reviewer leniency (95% interval)", xlabel="reviewers, sorted by leniency",
           ylabel="proposals / panel level")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def agreement_by_group(agreement: pd.DataFrame, *, column: str = "icc_ak", ax=None):
    """Histogram of an agreement statistic across villages, with the overall value marked.

    Parameters
    ----------
    agreement : DataFrame
        Output of :func:`calib.consensus.agreement` (``level``, ``group`` and ``column``).
    column : str
        Statistic to show (``icc_ak``, ``icc_a1``, ``krippendorff_alpha``, ``kendall_w``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    require_columns(agreement, ("level", column), "agreement")
    ax = axes(ax, (6, 3.5))
    groups = agreement[agreement["level"] != "overall"]
    vals = groups[column].to_numpy(dtype=float, na_value=np.nan)
    vals = vals[np.isfinite(vals)]
    if vals.size:
        ax.hist(vals, bins=min(20, max(5, vals.size // 3)), color=BLUE)
        from calib.report.style import count_axis  # groups are counted in whole numbers

        count_axis(ax.yaxis)
    ov = agreement.loc[agreement["level"] == "overall", column]
    if len(ov) and np.isfinite(ov.iloc[0]):
        ax.axvline(float(ov.iloc[0]), color=RED, ls="--", label=f"overall {float(ov.iloc[0]):.2f}")
        ax.legend(fontsize=8)
    level = groups["level"].iloc[0] if len(groups) else "group"
    ax.set(title=f"{column} by {level}", xlabel=column, ylabel=f"{level}s")
    return ax
