"""Plots for the scorecard report: WoE by bin, information values, ROC, calibration.

Each function draws on ``ax`` (a new figure when None) and returns the Axes; nothing is shown.
Labels are in English (no CJK glyphs on report machines).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["plot_woe", "plot_iv", "plot_roc", "plot_calibration", "plot_grade_calibration",
           "plot_auc_gain"]

_LIGHT = {"green": "#55a868", "yellow": "#dd8452", "red": "#c44e52"}


def _percent(axis: Any) -> None:
    from calib.report.style import percent_axis  # rates and PDs as percentages, as the tables

    percent_axis(axis)


def _ax(ax: Any, figsize: tuple[float, float] = (5, 3.5)) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_woe(card: Any, characteristic: str, *, ax: Any = None) -> Any:
    """WoE of each bin of one characteristic (bars) and its default rate (line, right axis)."""
    ax = _ax(ax)
    bins = card.binning_[characteristic]["bins"]
    lab = [b["bin"] for b in bins]
    woe = np.array([b["woe"] for b in bins])
    x = np.arange(len(lab))
    ax.bar(x, woe, color=np.where(woe >= 0, "#4c72b0", "#c44e52"))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(x, lab, rotation=30, ha="right", fontsize=7)
    ax.set(title=f"{characteristic} (IV {card.binning_[characteristic]['iv']:.3f})", ylabel="WoE")
    ax2 = ax.twinx()
    ax2.plot(x, [b["event_rate"] for b in bins], "k.-", lw=1)
    ax2.set_ylabel("default rate", fontsize=8)
    _percent(ax2.yaxis)
    return ax


def plot_iv(card: Any, *, ax: Any = None) -> Any:
    """Information value per characteristic (horizontal bars) with the weak, medium and strong
    marks (:data:`calib.scorecard.binning.IV_WEAK`, ``IV_MEDIUM``, ``IV_STRONG``)."""
    from calib.scorecard.binning import IV_MEDIUM, IV_STRONG, IV_WEAK

    ax = _ax(ax)
    t = card.iv_table().sort_values("iv")
    ax.barh(t["characteristic"], t["iv"], color="#4c72b0")
    for v in (IV_WEAK, IV_MEDIUM, IV_STRONG):
        ax.axvline(v, color="grey", ls=":", lw=0.8)
    ax.set(title="Information value", xlabel=f"IV ({IV_WEAK:g} weak, {IV_MEDIUM:g} medium, {IV_STRONG:g} strong)")
    return ax


def plot_roc(y: Any, risk: Mapping[str, Any], *, ax: Any = None) -> Any:
    """ROC curves of several risk scores (higher = riskier) on the same households."""
    from sklearn.metrics import RocCurveDisplay
    ax = _ax(ax, (4.5, 4.5))
    for name, r in risk.items():
        RocCurveDisplay.from_predictions(np.asarray(y), np.asarray(r, dtype=float), name=name, ax=ax)
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=0.8)
    ax.set(title="ROC (households with an outcome)")
    return ax


def plot_calibration(y: Any, pd_: Mapping[str, Any], *, n_bins: int = 10, ax: Any = None) -> Any:
    """Reliability curves (observed default rate against mean PD in quantile bins)."""
    from sklearn.calibration import CalibrationDisplay
    ax = _ax(ax, (4.5, 4.5))
    for name, p in pd_.items():
        CalibrationDisplay.from_predictions(np.asarray(y), np.asarray(p, dtype=float), n_bins=n_bins,
                                            strategy="quantile", name=name, ax=ax)
    ax.set(title="Calibration curve", xlabel="mean predicted PD", ylabel="observed default rate")
    _percent(ax.xaxis)
    _percent(ax.yaxis)
    return ax


def plot_grade_calibration(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Observed default rate (bars coloured by traffic light) and predicted PD (dots) per grade,
    from :func:`calib.validation.calibration_by_grade`."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.bar(x, table["observed_dr"], color=[_LIGHT.get(c, "grey") for c in table["traffic_light"]],
           label="observed (traffic light)")
    ax.plot(x, table["predicted_pd"], "ko", label="predicted PD")
    ax.set_xticks(x, table["grade"].astype(str))
    ax.set(title="Default rate by grade", ylabel="default rate")
    _percent(ax.yaxis)
    ax.legend(fontsize=8)
    return ax


def plot_auc_gain(verdict: pd.DataFrame, *, ax: Any = None) -> Any:
    """The keep-or-replace evidence: the out-of-fold AUC gain with its interval against the
    threshold, from :func:`calib.scorecard.comparison.keep_or_replace`."""
    ax = _ax(ax, (5, 1.8))
    r = verdict.iloc[0]
    colour = "#55a868" if r["verdict"] == "replace" else "#4c72b0"
    ax.errorbar([r["value"]], [0], xerr=[[r["value"] - r["ci_low"]], [r["ci_high"] - r["value"]]],
                fmt="o", color=colour, capsize=4)
    ax.axvline(r["threshold"], color="grey", ls=":", lw=1, label=f"threshold {r['threshold']:g}")
    ax.axvline(0, color="black", lw=0.6)
    pad = 0.1 * max(abs(r["ci_low"]), abs(r["ci_high"]), 0.01)
    ax.set(xlim=(min(r["ci_low"], r["threshold"], 0) - pad, max(r["ci_high"], r["threshold"], 0) + pad),
           yticks=[], xlabel="AUC gain, calibrated - current (out of fold)",
           title=f"verdict: {r['verdict']}")
    ax.legend(fontsize=8, loc="upper right")
    return ax
