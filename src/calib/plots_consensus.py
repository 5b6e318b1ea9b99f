"""Plots for the peer-consensus and consensus-versus-model reports.

Every function draws on ``ax`` (a new figure when ``None``) and returns the Axes; nothing is
shown. Labels are English and reviewers appear by ``reviewer_id`` only (no names, no CJK glyphs).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib.errors import CalibInputError

__all__ = [
    "caterpillar",
    "agreement_by_group",
    "bland_altman",
    "consensus_vs_model",
    "village_effects",
]

_BLUE, _RED, _GREY, _GREEN = "#4c72b0", "#c44e52", "#8c8c8c", "#55a868"


def _axes(ax, figsize=(8, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _need(frame: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise CalibInputError(f"{what}: missing required column(s) {missing}")


def _ratio_axis(axis) -> None:
    """Plain ratio tick labels (0.8, 1, 1.25) on a log-scaled axis."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    axis.set_major_locator(LogLocator(base=10, subs=(0.5, 0.6, 0.7, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)))
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
        they reviewed their own household, blue for the rest.
    """
    _need(effects, ("leniency", "leniency_low", "leniency_high"), "effects")
    ax = _axes(ax, (10, 4))
    e = effects.sort_values("leniency", kind="stable")
    x = np.arange(len(e))
    flag = e["flagged"].to_numpy(bool) if "flagged" in e.columns else np.zeros(len(e), bool)
    reason = e["flag_reason"].astype(str) if "flag_reason" in e.columns else pd.Series("", index=e.index)
    only_self = flag & (reason == "self_review").to_numpy()
    strong = flag & ~only_self
    lo, hi = e["leniency_low"].to_numpy(float), e["leniency_high"].to_numpy(float)
    y = e["leniency"].to_numpy(float)
    ms = 2.5 if len(e) > 100 else 4
    for sel, col, lab in ((~flag, _BLUE, "not flagged"), (only_self, "#dd8452", "flagged: own household only"),
                          (strong, _RED, "flagged: partial / leniency")):
        if sel.any():
            ax.vlines(x[sel], lo[sel], hi[sel], color=col, alpha=0.5, lw=1)
            ax.plot(x[sel], y[sel], "o", ms=ms, color=col, label=f"{lab} ({int(sel.sum())})")
    ax.axhline(1.0, color=_GREY, ls="--", lw=1)
    ax.set_yscale("log")
    _ratio_axis(ax.yaxis)
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
    _need(agreement, ("level", column), "agreement")
    ax = _axes(ax, (6, 3.5))
    groups = agreement[agreement["level"] != "overall"]
    vals = groups[column].to_numpy(dtype=float, na_value=np.nan)
    vals = vals[np.isfinite(vals)]
    if vals.size:
        ax.hist(vals, bins=min(20, max(5, vals.size // 3)), color=_BLUE)
    ov = agreement.loc[agreement["level"] == "overall", column]
    if len(ov) and np.isfinite(ov.iloc[0]):
        ax.axvline(float(ov.iloc[0]), color=_RED, ls="--", label=f"overall {float(ov.iloc[0]):.2f}")
        ax.legend(fontsize=8)
    level = groups["level"].iloc[0] if len(groups) else "group"
    ax.set(title=f"{column} by {level}", xlabel=column, ylabel=f"{level}s")
    return ax


def _both(comparison: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    _need(comparison, ("consensus_limit", "model_limit", "grant_class"), "comparison")
    both = comparison["grant_class"].to_numpy() == "both"
    c = comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)[both]
    m = pd.to_numeric(comparison["model_limit"]).to_numpy(dtype=float, na_value=np.nan)[both]
    return c, m


def bland_altman(comparison: pd.DataFrame, summary: pd.DataFrame | None = None, *, ax=None,
                 max_points: int = 20_000, random_state: int = 0):
    """Bland-Altman plot on the log scale: model / consensus against the geometric mean.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` (households where both grant are drawn).
    summary : DataFrame, optional
        Output of :func:`calib.compare.agreement_summary`; its ``overall`` row gives the bias and
        limits of agreement lines (computed here from the same pairs when omitted).
    ax : matplotlib Axes, optional
    max_points : int
        At most this many points are drawn (a seeded random subset); the lines use all pairs.
    random_state : int
        Seed of the subset.

    Returns
    -------
    matplotlib Axes
        Both axes logarithmic: x the geometric mean of the two limits (yuan), y the ratio model /
        consensus with lines at the bias and the 95% limits of agreement (as ratios).
    """
    c, m = _both(comparison)
    ax = _axes(ax, (7, 4.5))
    if c.size == 0:
        ax.text(0.5, 0.5, "no household granted by both", ha="center", transform=ax.transAxes)
        return ax
    if summary is not None:
        ov = summary[summary["level"] == "overall"].iloc[0]
        bias, lo, hi = ov["bias_ratio"], ov["loa_low_ratio"], ov["loa_high_ratio"]
    else:
        d = np.log(m / c)
        sd = d.std(ddof=1) if d.size > 1 else np.nan
        bias, lo, hi = np.exp(d.mean()), np.exp(d.mean() - 1.96 * sd), np.exp(d.mean() + 1.96 * sd)
    idx = np.arange(c.size)
    if c.size > max_points:
        idx = np.sort(np.random.default_rng(random_state).choice(c.size, max_points, replace=False))
    gm, r = np.sqrt(c * m)[idx], (m / c)[idx]
    ax.scatter(gm, r, s=4, alpha=0.35, color=_BLUE, lw=0)
    ax.axhline(1.0, color=_GREY, lw=1)
    for val, lab, ls in ((bias, "bias", "-"), (lo, "95% limits", "--"), (hi, None, "--")):
        if np.isfinite(val):
            ax.axhline(val, color=_RED, ls=ls, lw=1.2, label=f"{lab} {val:.2f}" if lab else f"{val:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _ratio_axis(ax.yaxis)
    ax.set(title="Bland-Altman (log scale)", xlabel="geometric mean of the two limits (yuan)",
           ylabel="model / consensus")
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
        intercept, on the logs); computed here with error ratio 1 when omitted.
    ax : matplotlib Axes, optional
    max_points, random_state
        As for :func:`bland_altman`.

    Returns
    -------
    matplotlib Axes
    """
    from calib.compare import deming_slope

    c, m = _both(comparison)
    ax = _axes(ax, (5.5, 5.5))
    if c.size == 0:
        ax.text(0.5, 0.5, "no household granted by both", ha="center", transform=ax.transAxes)
        return ax
    if summary is not None:
        ov = summary[summary["level"] == "overall"].iloc[0]
        slope, icpt = float(ov["deming_slope"]), float(ov["deming_intercept"])
    else:
        slope, icpt = deming_slope(np.log(c), np.log(m))
    idx = np.arange(c.size)
    if c.size > max_points:
        idx = np.sort(np.random.default_rng(random_state).choice(c.size, max_points, replace=False))
    ax.scatter(c[idx], m[idx], s=4, alpha=0.35, color=_BLUE, lw=0)
    lo, hi = float(min(c.min(), m.min())), float(max(c.max(), m.max()))
    xs = np.geomspace(lo, hi, 50)
    ax.plot(xs, xs, color=_GREY, lw=1, label="identity")
    if np.isfinite(slope):
        ax.plot(xs, np.exp(icpt + slope * np.log(xs)), color=_RED, lw=1.5,
                label=f"Deming (log slope {slope:.2f})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(title="Model against consensus limit", xlabel="consensus limit (yuan)",
           ylabel="model limit (yuan)")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def village_effects(villages: pd.DataFrame, *, ax=None):
    """Forest plot of the village component of the model / consensus gap.

    Parameters
    ----------
    villages : DataFrame
        ``GapDrivers.villages`` of :func:`calib.compare.gap_drivers` (``effect``, ``ci_low``,
        ``ci_high``, ``direction``; log scale).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Villages sorted by effect on the x axis (unlabelled: village names belong in tables),
        the effect as a ratio model / consensus with its interval; red where the model is above
        the panel, green where below.
    """
    _need(villages, ("effect", "ci_low", "ci_high", "direction"), "villages")
    ax = _axes(ax, (9, 3.5))
    v = villages.sort_values("effect", kind="stable")
    x = np.arange(len(v))
    colours = np.where(v["direction"] == "model_above", _RED,
                       np.where(v["direction"] == "model_below", _GREEN, _GREY))
    ax.vlines(x, np.exp(v["ci_low"].to_numpy(float)), np.exp(v["ci_high"].to_numpy(float)),
              colors=colours, lw=1)
    ax.scatter(x, np.exp(v["effect"].to_numpy(float)), c=colours, s=10, zorder=3)
    ax.axhline(1.0, color=_GREY, ls="--", lw=1)
    ax.set_yscale("log")
    _ratio_axis(ax.yaxis)
    ax.set_xticks([])
    ax.set(title="Village component of the gap (red: model above panel, green: below)",
           xlabel="villages, sorted", ylabel="model / consensus (log)")
    return ax
