"""Presentation of the villages figures and verdicts: reader's tables, a coloured Styler, plots.

Compute and draw apart: every function here takes the outputs of :mod:`calib.villages`'
computations and returns a table, a Styler or matplotlib Axes.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.villages.certify import criteria_table
from calib.villages.rules import QUALITATIVE_CRITERIA, TOWNSHIP_CRITERIA, VILLAGE_CRITERIA
from calib.villages.targets import final_targets_met

__all__ = ["kpi_figures", "kpi_table", "UNIT_COLUMNS", "unit_columns", "lack_columns", "verdict_counts",
           "township_targets", "target_table", "verdict_grid", "style_verdicts", "plot_verdict_table", "plot_target_progress"]

_COLOURS = {
    "pass": "#c8e6c9",
    "fail": "#ffcdd2",
    "no data": "#ffe0b2",
    "not assessed": "#e0e0e0",
    "certified": "#c8e6c9",
    "not certified": "#ffcdd2",
    "pending assessment": "#fff9c4",
}


#: The figures of :func:`kpi_table`, in its order (headed from the catalogue, the counts
#: that depend on the unit by :func:`unit_columns`).
_KPI_COLUMNS = ("n_households", "n_eligible", "credit_coverage", "usage", "profiling_rate", "credit_rate",
                "npl_ratio", "npl_ratio_count", "a_or_better_share", "loan_share")


def kpi_figures(kpis: pd.DataFrame) -> pd.DataFrame:
    """The figures of :func:`programme_kpis` the report shows, in codes: ``level``,
    ``township``, ``village`` and the figures of :func:`kpi_table`, the counts that depend on the
    unit named with it (:func:`unit_columns`: ``n_eligible_households``,
    ``credit_coverage_households``), one row per row of ``kpis``, as the page reads them: each
    township's villages, then the township's row, the programme's row last.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``; its ``unit`` column says what it
        counts, households when it has none).

    Returns
    -------
    pandas.DataFrame
        The columns above, for the page's table and the workbook (worded there).

    Raises
    ------
    CalibInputError
        When a column is missing or ``kpis`` holds several ``as_of``.
    """
    if "as_of" in kpis and kpis["as_of"].nunique() > 1:
        raise CalibInputError("kpis: several as_of snapshots; select one")
    missing = {"level", "township", "village", *_KPI_COLUMNS} - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    unit = str(kpis["unit"].iloc[0]) if "unit" in kpis and len(kpis) else "household"
    k = kpis[["level", "township", "village", *_KPI_COLUMNS]]
    k = k.assign(_prog=(k["level"] == "programme").astype(int),
                 _order=k["level"].map({"village": 0, "township": 1, "programme": 2}))
    k = k.sort_values(["_prog", "township", "_order", "village"], kind="stable").drop(columns=["_prog", "_order"])
    return unit_columns(k.reset_index(drop=True), unit)


def kpi_table(kpis: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Reader's table of :func:`programme_kpis`: each township's villages, then the township
    row, and the programme row last, in the catalogue's words (the run's language unless
    ``lang``), as the report's figures table heads them.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``).
    lang : {"zh-CN", "en"}, optional
        The catalogue's language; default: the current one (:func:`calib.report.labels.get_lang`).

    Returns
    -------
    pandas.DataFrame
        The level in words (村, 乡镇, 全部), the township and the village (empty on the rows
        that sum them: the village on a township row, both on the programme row), then the
        figures (fractions; NaN when the denominator is 0) headed by
        :func:`calib.report.labels.column_label`, the counts that depend on the unit with it
        (合格农户数, 授信面（按户）; :func:`unit_columns`).
    """
    from calib.report.labels import coded_words, column_label  # on use: importing calib.villages stays light

    k = kpi_figures(kpis)  # the columns checked, the unit named, the rows in the page's order
    out = k.assign(level=coded_words(k["level"].astype(object), lang),
                   township=k["township"].astype(object).where(k["level"] != "programme"),
                   village=k["village"].astype(object).where(k["level"] == "village"))
    return out.rename(columns={c: column_label(c, lang) for c in out.columns}).reset_index(drop=True)


#: Columns whose figure depends on what is counted, households or persons (the credit-village
#: rules count households, the programme targets persons): the report shows both, so each of its
#: tables names the unit in these columns' headers (授信面（按户）, 授信面（按人数）, 合格农户数,
#: 合格人数) and one name never carries two values.
UNIT_COLUMNS = ("n_eligible", "n_credited", "n_drawing", "credit_coverage", "usage", "coverage_met",
                "usage_met", "villages")
_UNIT_SUFFIX = {"household": "households", "person": "persons"}


#: The NPL criteria: what they lack is defaulted balance to recover, in yuan, not a count.
_RECOVERY = ("npl_ratio", "npl_vs_county")


def lack_columns(near: pd.DataFrame, unit: str = "household") -> pd.DataFrame:
    """:func:`nearest_to_certification` with each needed change in a column named by its unit,
    as the page's words state it ("需增加 1 户有贷款农户", "需收回违约余额 124.49 元").

    ``<c>_needed`` becomes ``<c>_needed_households`` (or ``_persons``: the change of the count
    a criterion's share is made of) and, for the NPL criteria, ``<c>_recovery`` (yuan of
    defaulted balance to recover, positive, as the page writes it); ``gap_figures`` (a
    distance between ratios) and ``n_unmeasured`` (a count of criteria) stay apart.

    Parameters
    ----------
    near : pandas.DataFrame
        :func:`nearest_to_certification`.
    unit : {"household", "person"}
        What the kpis the verdicts were made on count (the profiling and credit-rate changes
        are in that unit; A-or-better and loan share always count households).
    """
    if unit not in _UNIT_SUFFIX:
        raise CalibInputError(f"lack_columns: unit must be 'household' or 'person', got {unit!r}")
    out = near.copy()
    named = {}
    for c in VILLAGE_CRITERIA:
        col = f"{c}_needed"
        if col not in out:
            continue
        if c in _RECOVERY:
            out[col] = -out[col].astype(float)  # signed change of the defaulted balance -> amount to recover
            named[col] = f"{c}_recovery"
        else:
            per = _UNIT_SUFFIX[unit] if c in ("profiling_rate", "credit_rate") else "households"
            named[col] = f"{c}_needed_{per}"
    return out.rename(columns=named)


def unit_columns(frame: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """``frame`` with each column of :data:`UNIT_COLUMNS` renamed ``<column>_households`` or
    ``<column>_persons``, the names the label catalogue words with their unit (a column whose
    new name the frame already has, ``n_eligible`` beside ``n_eligible_households``, is dropped:
    the two hold the same counts).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`programme_kpis`, :func:`target_progress` or a selection of their columns.
    unit : {"household", "person"}, optional
        What the frame counts; default: its ``unit`` column (``villages_unit`` for
        :func:`target_progress`).

    Raises
    ------
    CalibInputError
        When the unit is neither given nor in the frame, is not one value, or is unknown.
    """
    if unit is None:
        col = "unit" if "unit" in frame else ("villages_unit" if "villages_unit" in frame else None)
        units = set(frame[col].astype(str)) if col is not None else set()
        if len(units) != 1:
            raise CalibInputError("unit_columns: give unit='household' or 'person' (the frame "
                                  "does not say one unit)")
        unit = units.pop()
    if unit not in _UNIT_SUFFIX:
        raise CalibInputError(f"unit_columns: unit must be 'household' or 'person', got {unit!r}")
    named = {c: f"{c}_{_UNIT_SUFFIX[unit]}" for c in UNIT_COLUMNS if c in frame}
    same = [c for c, to in named.items() if to in frame]  # n_eligible beside its own n_eligible_<unit>s
    return frame.drop(columns=same).rename(columns={c: to for c, to in named.items() if c not in same})


#: The verdict codes :func:`verdict_counts` counts, in its column order; a code outside these
#: follows them, in the order of its name.
_VERDICT_ORDER = ("fail", "no data", "not assessed", "pass")


def verdict_counts(verdicts: pd.DataFrame, *, rules: Mapping[str, Any] | None = None,
                   level: str = "village") -> pd.DataFrame:
    """How many villages (townships) each verdict holds, criterion by criterion.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages` (``level="village"``) or :func:`certify_townships`
        (``level="township"``): one verdict code per criterion column.
    rules : mapping, optional
        The ``credit_village`` (or ``credit_township``) block the verdicts were made with (None:
        the defaults): its criteria are the rows, in the order of :func:`criteria_table`.
    level : {"village", "township"}
        Whose verdicts.

    Returns
    -------
    pandas.DataFrame
        One row per criterion (index ``criterion``), one integer column per verdict code that
        occurs in any criterion (``fail``, ``no data``, ``not assessed``, ``pass``, in this
        order), named as the label catalogue heads it: the code with ``_`` for its spaces
        (``no_data``, ``not_assessed``). A missing verdict is not counted.

    Examples
    --------
    >>> v = pd.DataFrame({"credit_village_share": ["pass", "fail"], "npl_vs_county": ["no data", "pass"]})
    >>> verdict_counts(v, level="township").to_dict("index")
    {'credit_village_share': {'fail': 1, 'no_data': 0, 'pass': 1}, 'npl_vs_county': {'fail': 0, 'no_data': 1, 'pass': 1}}
    """
    crit = list(criteria_table(rules, level=level)["criterion"])
    missing = set(crit) - set(verdicts.columns)
    if missing:
        raise CalibInputError(f"verdicts: missing criterion column(s) {', '.join(sorted(missing))}")
    tallies = {c: verdicts[c].value_counts() for c in crit}
    seen = set().union(*(set(s.index) for s in tallies.values()))
    codes = [c for c in _VERDICT_ORDER if c in seen] + sorted(map(str, seen - set(_VERDICT_ORDER)))
    out = pd.DataFrame([[int(tallies[c].get(code, 0)) for code in codes] for c in crit],
                       index=pd.Index(crit, name="criterion"),
                       columns=[code.replace(" ", "_") for code in codes], dtype="int64")
    return out


#: The columns of :func:`township_targets`, before :func:`final_targets_met` and :func:`unit_columns`.
_TOWNSHIP_TARGET_COLUMNS = ("level", "township", "n_eligible", "n_credited", "n_drawing", "credit_coverage", "usage")


def township_targets(kpis: pd.DataFrame, targets: Mapping[str, Any] | None) -> pd.DataFrame:
    """Each township's and the programme's coverage and usage against the final targets.

    Parameters
    ----------
    kpis : pandas.DataFrame
        :func:`programme_kpis` (the targets count persons: ``unit="person"``); its township and
        programme rows are read.
    targets : mapping
        ``params["targets"]`` (``credit_coverage_final``, ``usage_final``; null: no target).

    Returns
    -------
    pandas.DataFrame
        ``level``, ``township``, the counts and rates, ``coverage_met`` and ``usage_met``
        (:func:`final_targets_met`: exactly, as the programme's), each column that depends on
        the unit named with it (:func:`unit_columns`: ``credit_coverage_persons``).
    """
    missing = set(_TOWNSHIP_TARGET_COLUMNS) - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    unit = str(kpis["unit"].iloc[0]) if "unit" in kpis and len(kpis) else "household"
    rows = kpis.loc[kpis["level"] != "village", list(_TOWNSHIP_TARGET_COLUMNS)]
    return unit_columns(final_targets_met(rows, targets), unit)


#: The columns of :func:`target_table`, before :func:`unit_columns` names the unit.
_TARGET_TABLE_COLUMNS = ("milestone", "villages_target", "villages", "credit_coverage_target", "credit_coverage",
                         "usage_target", "usage", "status")


def target_table(progress: pd.DataFrame) -> pd.DataFrame:
    """The targets table of the report: each milestone, then the final targets, the target beside
    the figure measured, and the status.

    Parameters
    ----------
    progress : pandas.DataFrame
        :func:`target_progress` (its ``villages_unit`` says what the figures count).

    Returns
    -------
    pandas.DataFrame
        ``milestone``, ``villages_target``, ``villages_<unit>s``, ``credit_coverage_target``,
        ``credit_coverage_<unit>s``, ``usage_target``, ``usage_<unit>s``, ``status``
        (:func:`unit_columns`).
    """
    missing = set(_TARGET_TABLE_COLUMNS) - set(progress.columns)
    if missing:
        raise CalibInputError(f"progress: missing column(s) {', '.join(sorted(missing))}")
    named = unit_columns(progress[[*_TARGET_TABLE_COLUMNS, "villages_unit"]])
    return named.drop(columns="villages_unit")


def verdict_grid(verdicts: pd.DataFrame, *, rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Village-by-criterion table for reading: each cell the figure and its verdict, in the words
    of the report's grid (:func:`calib.report.words.grid_words`, the catalogue in the current
    language).

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages` or :func:`certify_townships`.
    rules : mapping, optional
        The ``credit_village`` (or ``credit_township``) block the verdicts were made with
        (None: the defaults): its criteria and operators head the columns.

    Returns
    -------
    pandas.DataFrame
        ``township`` and ``village`` (townships: ``township``, the villages and the credit
        villages) under their headings, one column per criterion headed with its rule as the
        pages write it (``建档率 ≥ 90%``; the county-relative ones with the county figure) whose
        cells read ``通过 95.7%``, ``未通过 48.0%``, ``无数据 —`` (qualitative criteria: the
        verdict alone); then the status. ``style_verdicts(verdicts, grid=True, rules=...)``
        shows it coloured.
    """
    from calib.report.words import grid_words  # on use: importing calib.villages stays light

    return grid_words(verdicts, rules=rules)[0]


def _colour(code: Any) -> str:
    """The background of a cell whose verdict code is ``code`` (none for other values)."""
    return f"background-color: {_COLOURS[code]}" if isinstance(code, str) and code in _COLOURS else ""


def style_verdicts(verdicts: pd.DataFrame, *, grid: bool = False, rules: Mapping[str, Any] | None = None,
                   figures: bool = True):
    """A pandas Styler of verdicts with each cell coloured by its verdict code (no index, no
    scripts).

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages` or :func:`certify_townships` (its cells are the
        codes: ``pass``, ``fail``, ...).
    grid : bool
        Show :func:`verdict_grid` of the verdicts (the report's words) instead of the codes,
        each cell coloured by the code it words.
    rules : mapping, optional
        With ``grid``: the rules block the verdicts were made with (see :func:`verdict_grid`).
    figures : bool
        Without ``grid``: keep the ``_figure`` / ``_threshold`` columns (as percentages).

    Returns
    -------
    pandas.io.formats.style.Styler
        pass / certified green, fail / not certified red, no data orange, not assessed grey,
        pending assessment yellow.

    Raises
    ------
    CalibInputError
        When ``verdicts`` holds no criterion (e.g. a grid already worded: its cells are words,
        not codes; give the verdicts and ``grid=True``).
    """
    known = set(VILLAGE_CRITERIA + QUALITATIVE_CRITERIA + TOWNSHIP_CRITERIA)
    if not known & set(verdicts.columns):
        raise CalibInputError("style_verdicts: give the verdicts of certify_villages or certify_townships "
                              "(grid=True shows them in words)")
    if grid:
        from calib.report.words import grid_words  # on use: importing calib.villages stays light

        df, codes = grid_words(verdicts, rules=rules)
        styles = codes.map(_colour)
    else:
        df = verdicts
        if not figures:
            df = df[[c for c in df.columns if not c.endswith(("_figure", "_threshold"))]]
        pct = [c for c in df.columns if c.endswith(("_figure", "_threshold"))]
        skip = set(pct) | {"township", "village", "failed", "not_assessed"}
        styles = pd.DataFrame("", index=df.index, columns=df.columns)
        for c in df.columns:
            if c in skip:
                continue
            if pd.api.types.is_bool_dtype(df[c]) and c == "certified":
                styles[c] = df[c].map(lambda b: _colour("certified" if b else "not certified"))
            elif df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                styles[c] = df[c].map(_colour)
    sty = df.style.apply(lambda d: pd.DataFrame(styles.to_numpy(), index=d.index, columns=d.columns), axis=None)
    if not grid:
        pct = [c for c in df.columns if c.endswith(("_figure", "_threshold"))]
        if pct:
            sty = sty.format("{:.1%}", subset=pct, na_rep="–")
    return sty.hide(axis="index")


def plot_verdict_table(verdicts: pd.DataFrame, ax=None, *, max_rows: int = 60, lang: str | None = None):
    """Village-by-criterion grid coloured pass (green) / fail (red) / no data / not assessed.

    The criteria are named and the title worded as the report's grid
    (:func:`calib.report.words.grid_words`): the catalogue's words in the run's language
    (``lang``, default the current one).

    Returns the Axes. At most ``max_rows`` villages are drawn (not certified first).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from calib.report.labels import column_label, t  # on use: importing calib.villages stays light

    crits = [c for c in VILLAGE_CRITERIA + QUALITATIVE_CRITERIA if c in verdicts]
    df = verdicts.sort_values(["certified", "n_failed"], ascending=[True, False]).head(max_rows)
    code = {"pass": 0, "fail": 1, "no data": 2, "not assessed": 3}
    grid = np.vectorize(lambda x: code.get(x, 3))(df[crits].astype(object).to_numpy())
    if ax is None:
        _, ax = plt.subplots(figsize=(1 + 0.8 * len(crits), 1 + 0.25 * len(df)))
    cmap = ListedColormap([_COLOURS["pass"], _COLOURS["fail"], _COLOURS["no data"],
                           _COLOURS["not assessed"]])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(crits)), [column_label(c, lang) for c in crits], rotation=45, ha="right")
    ax.set_yticks(range(len(df)), [f"{tw} / {vi}" for tw, vi in zip(df["township"], df["village"])])
    ax.set_title(t("nb06.plot.verdicts_title", lang))
    return ax


def plot_target_progress(progress: pd.DataFrame, ax=None, *, history: pd.DataFrame | None = None,
                         lang: str | None = None):
    """Milestone path of coverage and usage targets (lines) with the measured figures, worded
    from the catalogue (``nb06.plot.*``) in the run's language.

    Parameters
    ----------
    progress : pandas.DataFrame
        Output of :func:`target_progress`.
    ax : matplotlib Axes, optional
    history : pandas.DataFrame, optional
        :func:`kpi_history` output (its programme rows are drawn as the measured path). Without
        it the figures of ``progress`` are drawn at their ``measured_at`` dates (report 06:
        once, at the reference date).
    lang : {"zh-CN", "en"}, optional
        The catalogue's language; default: the current one.

    Returns
    -------
    matplotlib.axes.Axes
        Four lines: coverage target, usage target, coverage measured, usage measured. The
        target lines run through the milestones and hold the final targets on to the last
        measured date. The title names the unit of ``progress`` (``villages_unit``: 按人数 /
        按户); the measured lines are "at the reference date" without a history, a path with
        one.
    """
    import matplotlib.pyplot as plt

    from calib.report.labels import t  # on use: importing calib.villages stays light
    from calib.report.style import percent_axis

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    p = progress.loc[progress["milestone"] != "final"].sort_values("date")
    fin = progress.loc[progress["milestone"] == "final"]
    if history is not None:
        h = history.loc[history["level"] == "programme"].sort_values("as_of")
        mx, mc, mu = h["as_of"], h["credit_coverage"], h["usage"]
        measured, title = ("nb06.plot.coverage_path", "nb06.plot.usage_path"), "nb06.plot.targets_path_title"
    else:
        m = progress.loc[progress["measured_at"].notna()].drop_duplicates("measured_at")
        mx, mc, mu = m["measured_at"], m["credit_coverage"], m["usage"]
        measured, title = ("nb06.plot.coverage_measured", "nb06.plot.usage_measured"), "nb06.plot.targets_title"
    tx = list(p["date"])
    tc = list(p["credit_coverage_target"])
    tu = list(p["usage_target"])
    if len(fin):
        f = fin.iloc[0]
        ends = [pd.Timestamp(f["date"])] + [pd.Timestamp(x) for x in mx]
        end = max(ends)
        if not tx or end > tx[-1]:
            tx.append(end)
            tc.append(f["credit_coverage_target"])
            tu.append(f["usage_target"])
    ax.plot(tx, tc, "-", color="C0", label=t("nb06.plot.coverage_target", lang))
    ax.plot(tx, tu, "--", color="C1", label=t("nb06.plot.usage_target", lang))
    ax.plot(mx, mc, "o-", color="C0", label=t(measured[0], lang))
    ax.plot(mx, mu, "s-", color="C1", label=t(measured[1], lang))
    ax.set_ylim(0, 1)
    percent_axis(ax.yaxis)
    ax.set_xlabel(t("nb06.plot.date", lang))
    ax.set_ylabel(t("nb06.plot.share", lang))
    ax.legend(loc="upper left", fontsize="small")
    unit = str(progress["villages_unit"].iloc[0]) if "villages_unit" in progress and len(progress) else ""
    u = t(f"nb06.line.unit_{unit}", lang) if unit in ("person", "household") else ""
    ax.set_title(t(title, lang, unit=u))
    return ax
