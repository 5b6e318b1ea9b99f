"""The monitoring page's tables and plots (Chinese by default), drawn from :func:`indicators`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib.monitoring.rules import INDICATORS, MonitoringRules, validate_monitoring

__all__ = ["INDICATOR_LABELS", "LIGHT_LABELS", "light_table", "style_lights", "plot_trends",
           "rules_table"]

#: Indicator names on the page: (zh-CN, en).
INDICATOR_LABELS = {
    "auc_oos": ("区分能力 AUC（样本外）", "AUC (out of sample)"),
    "ks": ("KS 统计量", "KS"),
    "psi": ("群体稳定性指数 PSI", "population stability (PSI)"),
    "csi_max": ("特征稳定性指数 CSI（最大）", "characteristic stability (largest CSI)"),
    "grade_calibration": ("等级违约率与校准 PD 最大差", "largest grade default-rate gap to PD"),
    "consensus_model_gap": ("公议与模型额度偏差", "consensus-model gap"),
    "investigations": ("需核查农户数（相对基期）", "households to investigate (vs base)"),
    "credit_villages": ("信用村数（相对基期）", "credit villages (vs base)"),
}
LIGHT_LABELS = {"green": ("绿", "green"), "amber": ("黄", "amber"), "red": ("红", "red"),
                "none": ("—", "—")}
_COLOURS = {"green": "#1b9e77", "amber": "#e6ab02", "red": "#d95f02", "none": "#bdbdbd"}
_BG = {"green": "#c8e6c9", "amber": "#fff9c4", "red": "#ffcdd2", "none": "#eeeeee"}


def _i(lang: str) -> int:
    return 1 if lang == "en" else 0


def _fmt(ind: str, v: float) -> str:
    if v != v:
        return "—"
    if ind in ("investigations", "credit_villages"):
        return f"{v:,.0f}"
    if ind in ("grade_calibration", "consensus_model_gap"):
        return f"{v:.1%}"
    return f"{v:.3f}"


def light_table(ind: pd.DataFrame, *, lang: str = "zh-CN") -> pd.DataFrame:
    """Indicator by as-of date: each cell the figure and its light, e.g. ``"0.712 绿"``.

    Parameters
    ----------
    ind : pandas.DataFrame
        :func:`calib.monitoring.indicators`.
    lang : {"zh-CN", "en"}

    Returns
    -------
    pandas.DataFrame
        First column the indicator's name, then one column per as-of date (headed
        ``YYYY-MM-DD``, with ``*`` when the point is backfilled).
    """
    li = _i(lang)
    head = "指标" if li == 0 else "indicator"
    if ind.empty:
        return pd.DataFrame(columns=[head])
    t = ind.assign(cell=[f"{_fmt(i, v)} {LIGHT_LABELS[c][li]}" for i, v, c in
                         zip(ind["indicator"], ind["value"], ind["light"])])
    t["date"] = [f"{pd.Timestamp(d).date()}{'*' if b else ''}"
                 for d, b in zip(t["as_of"], t["backfilled"])]
    dates = list(dict.fromkeys(t.sort_values("as_of")["date"]))
    wide = t.pivot(index="indicator", columns="date", values="cell").reindex(
        [i for i in INDICATORS if i in set(t["indicator"])])[dates]
    wide.insert(0, head, [INDICATOR_LABELS[i][li] for i in wide.index])
    return wide.reset_index(drop=True)


def style_lights(table: pd.DataFrame):
    """A Styler colouring each cell of :func:`light_table` by its light (no index)."""
    def colour(x):
        if not isinstance(x, str):
            return ""
        for key, (zh, en) in LIGHT_LABELS.items():
            if key != "none" and (x.endswith(" " + zh) or x.endswith(" " + en)):
                return f"background-color: {_BG[key]}"
        return ""

    return table.style.map(colour, subset=list(table.columns[1:])).hide(axis="index")


def _thresholds(ax, rule, relative: bool) -> None:
    for val, key in ((rule.green, "green"), (rule.amber, "amber")):
        ax.axhline(val, color=_COLOURS[key], lw=0.8, ls="--")


def plot_trends(ind: pd.DataFrame, *, rules: MonitoringRules | dict | None = None,
                lang: str = "zh-CN", ncols: int = 2):
    """Small multiples: each indicator over as-of dates, points coloured by their light.

    Backfilled points (generated snapshots) are drawn hollow; dashed lines are the green and
    amber thresholds (for relative indicators the ratio to the base run is drawn).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from calib.report import style

    style.use()  # the CJK font and palette of every report

    r = validate_monitoring(rules)
    li = _i(lang)
    inds = [i for i in INDICATORS if i in set(ind["indicator"])]
    nrows = max(1, -(-len(inds) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5 * ncols, 2.6 * nrows), squeeze=False)
    for ax, name in zip(axes.ravel(), inds):
        d = ind.loc[ind["indicator"] == name].sort_values("as_of")
        ax.plot(d["as_of"], d["judged"], color="#636363", lw=1)
        for bf in (True, False):
            s = d.loc[d["backfilled"] == bf]
            ax.scatter(s["as_of"], s["judged"], s=40, zorder=3,
                       c=["none" if bf else _COLOURS[c] for c in s["light"]],
                       edgecolors=[_COLOURS[c] for c in s["light"]], linewidths=1.5)
        _thresholds(ax, getattr(r, name), getattr(r, name).relative)
        ax.set_title(INDICATOR_LABELS[name][li], fontsize="medium")
        if d["judged"].notna().any():
            lo, hi = np.nanmin(d["judged"]), np.nanmax(d["judged"])
            rule = getattr(r, name)
            lo, hi = min(lo, rule.green, rule.amber), max(hi, rule.green, rule.amber)
            pad = 0.1 * (hi - lo or abs(hi) or 1)
            ax.set_ylim(lo - pad, hi + pad)
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
    for ax in axes.ravel()[len(inds):]:
        ax.set_visible(False)
    fig.supxlabel("评估基准日（空心点为回填）" if li == 0 else "as-of date (hollow: backfilled)")
    fig.tight_layout()
    return fig


def rules_table(rules: MonitoringRules | dict | None = None, *, lang: str = "zh-CN") -> pd.DataFrame:
    """The thresholds of the run as a table: indicator, green, amber, direction, relative."""
    r = validate_monitoring(rules)
    li = _i(lang)
    heads = (("指标", "绿灯", "黄灯", "方向", "判定口径") if li == 0
             else ("indicator", "green", "amber", "direction", "judged on"))
    rows = []
    for name in INDICATORS:
        x = getattr(r, name)
        d = ("越高越好", "higher is better") if x.higher_is_better else ("越低越好", "lower is better")
        j = ("相对基期比值", "ratio to the base run") if x.relative else ("指标值", "the value")
        rows.append((INDICATOR_LABELS[name][li], x.green, x.amber, d[li], j[li]))
    return pd.DataFrame(rows, columns=list(heads))
