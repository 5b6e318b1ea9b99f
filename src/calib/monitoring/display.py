"""The monitoring page's tables, plots and conclusions, drawn from :func:`indicators`.

Every word comes from the label catalogue of :mod:`calib.report` (``mon.<indicator>`` and the
``nb07.*`` texts) in the run's language; numbers are formatted by :mod:`calib.report.fmt`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from calib.monitoring.rules import INDICATORS, MonitoringRules, validate_monitoring
from calib.report import fmt
from calib.report.labels import get_lang, t

__all__ = ["INDICATOR_LABELS", "LIGHT_LABELS", "light_table", "light_display", "style_lights",
           "plot_trends", "rules_table", "latest_lights", "conclusions", "threshold_words",
           "default_words", "MIN_TREND_POINTS"]

#: Fewest as-of dates that show a trend: 2 (one evaluation is a level, not a trend). Below it the
#: conclusions warn; the page states it beside the history.
MIN_TREND_POINTS = 2


class _Labels(dict):
    """Indicator -> (zh-CN, en), read from the catalogue (``mon.<indicator>``)."""

    def __missing__(self, key: str) -> tuple[str, str]:
        return (t(f"mon.{key}", "zh-CN"), t(f"mon.{key}", "en"))


#: Indicator names on the page: (zh-CN, en), from the catalogue.
INDICATOR_LABELS = _Labels({i: (t(f"mon.{i}", "zh-CN"), t(f"mon.{i}", "en")) for i in INDICATORS})
#: Light words: (zh-CN, en), from the catalogue.
LIGHT_LABELS = {"green": (t("green", "zh-CN"), t("green", "en")),
                "amber": (t("amber", "zh-CN"), t("amber", "en")),
                "red": (t("red", "zh-CN"), t("red", "en")), "none": (fmt.MISSING, fmt.MISSING),
                "base": (t("light_base", "zh-CN"), t("light_base", "en"))}
_COLOURS = {"green": "#1b9e77", "amber": "#e6ab02", "red": "#d95f02", "none": "#bdbdbd", "base": "#636363"}
_BG = {"green": "#c8e6c9", "amber": "#fff9c4", "red": "#ffcdd2", "none": "#eeeeee", "base": "#eeeeee"}
_CLASS = {"green": "pass", "amber": "warn", "red": "fail", "none": "na", "base": "na"}
_RELATIVE_COUNT = ("investigations", "credit_villages")
#: Indicators that are shares (written as percentages in the tables and on the plots' axes).
_PERCENT = ("grade_backtest", "consensus_model_gap")


def _i(lang: str | None) -> int:
    return 1 if (lang or get_lang()) == "en" else 0


def _fmt(ind: str, v: float) -> str:
    """An indicator's figure as the page shows it (Babel, never scientific notation)."""
    if v is None or v != v:
        return fmt.MISSING
    if ind in _RELATIVE_COUNT:
        return fmt.count(v)
    if ind == "grade_backtest":  # a confidence: 99.95% is not 100.0%
        return fmt.pct(v, 2)
    if ind in _PERCENT:
        return fmt.pct(v, 1)
    return fmt.number(v, 3)


def _date(d: Any, backfilled: bool = False) -> str:
    return f"{pd.Timestamp(d).date()}{'*' if backfilled else ''}"


def light_table(ind: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Indicator by as-of date: each cell the figure and its light, e.g. ``"0.712 绿灯"``.

    Parameters
    ----------
    ind : pandas.DataFrame
        :func:`calib.monitoring.indicators`.
    lang : {"zh-CN", "en"}, optional
        Default: the run's language.

    Returns
    -------
    pandas.DataFrame
        First column ``indicator`` (its name in words), then one column per as-of date (headed
        ``YYYY-MM-DD``, with ``*`` when the point is backfilled).
    """
    li = _i(lang)
    if ind.empty:
        return pd.DataFrame(columns=["indicator"])
    tab = ind.assign(cell=[fmt.MISSING if c == "none" else LIGHT_LABELS[c][li] if c == "base"
                           else f"{_fmt(i, v)} {LIGHT_LABELS[c][li]}"
                           for i, v, c in zip(ind["indicator"], ind["value"], ind["light"])])
    tab["date"] = [_date(d, b) for d, b in zip(tab["as_of"], tab["backfilled"])]
    dates = list(dict.fromkeys(tab.sort_values("as_of")["date"]))
    wide = tab.pivot(index="indicator", columns="date", values="cell").reindex(
        [i for i in INDICATORS if i in set(tab["indicator"])])[dates]
    wide.insert(0, "indicator", [INDICATOR_LABELS[i][li] for i in wide.index])
    return wide.reset_index(drop=True).rename_axis(columns=None)


def light_display(ind: pd.DataFrame):
    """:func:`light_table` through the display layer, each cell coloured by its light.

    Returns
    -------
    calib.report.display.Table
    """
    from calib.report.display import table

    wide = light_table(ind)
    shown = table(wide, max_rows=None, kinds={c: "raw" for c in wide.columns})
    if ind.empty:
        return shown
    lights = ind.assign(date=[_date(d, b) for d, b in zip(ind["as_of"], ind["backfilled"])])
    lights = lights.pivot(index="indicator", columns="date", values="light").reindex(
        [i for i in INDICATORS if i in set(ind["indicator"])])[list(wide.columns[1:])]
    classes = shown.classes.copy()
    for j, col in enumerate(wide.columns[1:], start=1):
        classes.iloc[:, j] = [_CLASS.get(c, "") for c in lights[col].fillna("none")]
    shown.classes = classes
    return shown


def style_lights(table: pd.DataFrame):
    """A Styler colouring each cell of :func:`light_table` by its light (no index); kept for
    interactive use, the report page uses :func:`light_display`."""
    def colour(x):
        if not isinstance(x, str):
            return ""
        for key, (zh, en) in LIGHT_LABELS.items():
            if key != "none" and (x.endswith(" " + zh) or x.endswith(" " + en)):
                return f"background-color: {_BG[key]}"
        return ""

    return table.style.map(colour, subset=list(table.columns[1:])).hide(axis="index")


def _thresholds(ax, rule) -> None:
    for val, key in ((rule.green, "green"), (rule.amber, "amber")):
        ax.axhline(val, color=_COLOURS[key], lw=0.8, ls="--")


def plot_trends(ind: pd.DataFrame, *, rules: MonitoringRules | dict | None = None,
                lang: str | None = None, ncols: int = 2):
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
        _thresholds(ax, getattr(r, name))
        ax.set_title(INDICATOR_LABELS[name][li], fontsize="medium")
        if d["judged"].notna().any():
            lo, hi = np.nanmin(d["judged"]), np.nanmax(d["judged"])
            rule = getattr(r, name)
            lo, hi = min(lo, rule.green, rule.amber), max(hi, rule.green, rule.amber)
            pad = 0.1 * (hi - lo or abs(hi) or 1)
            ax.set_ylim(lo - pad, hi + pad)
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
        if name in _PERCENT:  # shares, as the light table writes them
            style.percent_axis(ax.yaxis)
    for ax in axes.ravel()[len(inds):]:
        ax.set_visible(False)
    fig.supxlabel(t("nb07.plot.x", "en" if li else "zh-CN"))
    fig.tight_layout()
    return fig


def threshold_words(name: str, value: float, relative: bool = False) -> str:
    """A light's threshold as the page writes it, the same in the conclusions and the table of
    thresholds: a share as a percentage with the decimals it has (``2%``, ``2.5%``), any other
    figure or ratio with two decimals or the ones it has (``0.70``, ``1.25``, ``0.125``)."""
    if not relative and name in _PERCENT:
        return fmt.pct(value, fmt.exact_digits(value * 100))
    return fmt.number(value, fmt.exact_digits(value, least=2))


#: Small counts in words, as report 07's methods appendix writes them ("各六段", "six bands").
_COUNT_WORDS = {"zh-CN": "零一二三四五六七八九十", "en": ("zero", "one", "two", "three", "four", "five", "six", "seven",
                                                       "eight", "nine", "ten")}


def default_words(lang: str | None = None) -> dict[str, str]:
    """The default thresholds of the ``monitoring`` block and the report's fixed figures, as
    report 07's methods appendix states them (the appendix says they are defaults; the run's own
    thresholds are in the page's table).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the run's language.

    Returns
    -------
    dict of str
        ``mon_<indicator>_green`` and ``mon_<indicator>_amber`` for every indicator of
        :data:`calib.monitoring.INDICATORS` (the defaults of :class:`MonitoringRules`, written as
        :func:`threshold_words` writes them in the conclusions and the table: ``0.70``, ``95%``,
        ``1.50``); ``min_trend_points`` (:data:`MIN_TREND_POINTS`); ``score_steps`` (the
        half-bands beyond the current card's cutoffs, :data:`calib.monitoring.figures.CURRENT_SCORE_STEPS`,
        in words: ``六``, ``six``).

    Examples
    --------
    >>> w = default_words("en")
    >>> w["mon_auc_oos_green"], w["mon_grade_backtest_amber"], w["score_steps"]
    ('0.70', '99.9%', 'six')
    """
    from calib.monitoring.figures import CURRENT_SCORE_STEPS

    lg = "en" if _i(lang) else "zh-CN"
    r = MonitoringRules()
    out = {}
    for name in INDICATORS:
        x = getattr(r, name)
        out[f"mon_{name}_green"] = threshold_words(name, x.green, x.relative)
        out[f"mon_{name}_amber"] = threshold_words(name, x.amber, x.relative)
    words = _COUNT_WORDS[lg]
    steps = CURRENT_SCORE_STEPS
    out["score_steps"] = words[steps] if 0 <= steps < len(words) else fmt.count(steps)
    out["min_trend_points"] = fmt.count(MIN_TREND_POINTS)
    return out


def rules_table(rules: MonitoringRules | dict | None = None, *, lang: str | None = None) -> pd.DataFrame:
    """The thresholds of the run as a table.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (in words), ``light_green``, ``light_amber`` (the thresholds as the page
        writes them, :func:`threshold_words`: ``0.70``, ``2%``), ``direction``
        (``higher_better`` / ``lower_better``), ``judged_on`` (``judged_value`` /
        ``judged_ratio``): coded values the display layer puts in words.
    """
    r = validate_monitoring(rules)
    li = _i(lang)
    rows = []
    for name in INDICATORS:
        x = getattr(r, name)
        rows.append((INDICATOR_LABELS[name][li], threshold_words(name, x.green, x.relative),
                     threshold_words(name, x.amber, x.relative),
                     "higher_better" if x.higher_is_better else "lower_better",
                     "judged_ratio" if x.relative else "judged_value"))
    return pd.DataFrame(rows, columns=["indicator", "light_green", "light_amber", "direction", "judged_on"])


def latest_lights(ind: pd.DataFrame) -> pd.DataFrame:
    """The indicators at the latest as-of date, in the order of :data:`INDICATORS`.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`indicators` at the latest ``as_of`` (empty when ``ind`` is).
    """
    if ind.empty:
        return ind.copy()
    last = ind.loc[ind["as_of"] == ind["as_of"].max()]
    order = {n: k for k, n in enumerate(INDICATORS)}
    return last.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)


def _rule_text(name: str, rule, lang: str | None) -> str:
    key = "nb07.c.rule_" + ("high" if rule.higher_is_better else "low") + ("_rel" if rule.relative else "")
    return t(key, lang, green=threshold_words(name, rule.green, rule.relative),
             amber=threshold_words(name, rule.amber, rule.relative))


def conclusions(ind: pd.DataFrame, rules: MonitoringRules | dict | None = None, *,
                lang: str | None = None) -> tuple[list, str]:
    """The monitoring report's conclusions: how many evaluations there are to compare, and each
    indicator at the latest as-of date with its figure, threshold and light.

    Parameters
    ----------
    ind : pandas.DataFrame
        :func:`calib.monitoring.indicators`.
    rules : MonitoringRules or dict, optional
        The ``monitoring`` block (the thresholds stated beside each figure).
    lang : {"zh-CN", "en"}, optional
        Default: the run's language.

    Returns
    -------
    (findings, summary)
        A list of :class:`calib.report.Finding` (verdicts ``green``, ``amber``, ``red``,
        ``not_recorded``, ``info``) and the one-line summary for the index; pass both to
        :func:`calib.report.conclude`.
    """
    from calib.monitoring.trends import _compared_with_base, headline
    from calib.report.words import spaced
    from calib.report.record import Finding

    r = validate_monitoring(rules)
    li = _i(lang)
    lang = "en" if li else "zh-CN"
    m = headline(ind)
    if ind.empty:
        return ([Finding(t("nb07.c.history", lang), t("nb07.c.history_none", lang),
                         t("nb07.c.history_rule", lang, min_trend_points=fmt.count(MIN_TREND_POINTS)),
                         "info")],
                t("nb07.summary_empty", lang))
    last = latest_lights(ind)
    date = str(pd.Timestamp(last["as_of"].iloc[0]).date())
    findings = [Finding(t("nb07.c.history", lang),
                        t("nb07.c.history_fig", lang, points=fmt.count(m["points"]),
                          backfilled=fmt.count(m["points_backfilled"]), date=date),
                        t("nb07.c.history_rule", lang, min_trend_points=fmt.count(MIN_TREND_POINTS)),
                        "pass" if m["points"] >= MIN_TREND_POINTS else "warn")]
    for row in last.itertuples(index=False):  # one row per indicator (eight at most)
        rule = getattr(r, row.indicator)
        fig = _fmt(row.indicator, row.value)
        if getattr(row, "detail", "") and row.value == row.value:  # which characteristic, which grade
            what = (t("nb07.c.grade", lang, grade=row.detail) if row.indicator == "grade_backtest"
                    else t(row.detail, lang))
            fig = t("nb07.c.detail_fig", lang, value=fig, detail=what)
        if rule.relative and row.judged == row.judged and row.value == row.value:
            fig = t("nb07.c.relative_fig", lang, value=fig, ratio=fmt.number(row.judged, 2))
        if row.light == "base":  # the latest run is the base: nothing to compare yet
            fig = t("nb07.c.is_base", lang)
        verdict = {"none": "not_recorded", "base": "info"}.get(row.light, row.light)
        findings.append(Finding(INDICATOR_LABELS[row.indicator][li], fig, _rule_text(row.indicator, rule, lang),
                                verdict))
    names = {c: fmt.join([INDICATOR_LABELS[i][li] for i in last.loc[last["light"] == c, "indicator"]], lang)
             for c in ("red", "amber")}
    worst = (t("nb07.summary_red", lang, names=names["red"]) if m["latest_red"]
             else t("nb07.summary_amber", lang, names=names["amber"]) if m["latest_amber"]
             else t("nb07.summary_green", lang))
    summary = t("nb07.summary", lang, date=date, red=fmt.count(m["latest_red"]),
                amber=fmt.count(m["latest_amber"]), n=fmt.count(len(last)), worst=worst)
    # the figures judged against the base run say when that base is a generated snapshot, and the
    # red or amber ones among them are to be compared again with an evaluation as the base
    on_base = last.loc[last["indicator"].isin(_compared_with_base(r)) & ~last["light"].isin(["none", "base"])]
    if len(on_base) and bool(last["base_backfilled"].iloc[0]) and last["as_of"].iloc[0] != last["base_as_of"].iloc[0]:
        lit = on_base.loc[on_base["light"].isin(["red", "amber"]), "indicator"]
        summary += t("nb07.summary_base_backfilled", lang, n_names=len(on_base),  # "X is", "X and Y are"
                     names=fmt.join([INDICATOR_LABELS[i][li] for i in on_base["indicator"]], lang),
                     base=str(pd.Timestamp(last["base_as_of"].iloc[0]).date()),
                     then=t("nb07.summary_base_lit", lang, names=fmt.join([INDICATOR_LABELS[i][li] for i in lit], lang))
                     if len(lit) else "")
    return findings, spaced(summary)  # "其中 CSI（…）": names joined to Chinese words keep the house spacing

