"""The villages report's conclusions: villages and townships certified, what each of the others
lacks, where the programme stands against its targets, and why two counts differ.

One table, one row per decision, with its figure, threshold and verdict side by side
(:func:`conclusions`), Chinese by default (``lang="en"`` for English). Every phrase is the label
catalogue's (``nb06.line.*`` in :mod:`calib.report._texts_06`; what a village lacks in the words
of :func:`calib.report.words.lacks`), read on use: importing :mod:`calib.villages` stays light.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibParamsError
from calib.villages.counts import village_counts_line, white_list_line
from calib.villages.lacks import _needed_change, nearest_to_certification
from calib.villages.rules import (
    QUALITATIVE_CRITERIA,
    VILLAGE_CRITERIA,
    figure_digits,
    rule_pct,
    validate_township_rules,
)

__all__ = ["conclusions"]

_COLS = ["decision", "figure", "threshold", "verdict"]
#: How the parts of one cell are joined, and the items of a list (punctuation, by language).
_SEMI = {"zh-CN": "；", "en": "; "}
_LIST = {"zh-CN": "、", "en": "; "}


def _t(key: str, lang: str, **values: Any) -> str:
    """The catalogue's text of ``key`` in ``lang``."""
    from calib.report.labels import t  # on use: importing calib.villages stays light

    return t(key, lang, **values)


def _status(code: str, lang: str) -> str:
    """A verdict or status code in the catalogue's words (``not certified`` -> 未认定)."""
    from calib.report.labels import value_label

    return str(value_label(code, lang))


def _pct(x: float, criterion: str | None = None) -> str:
    """A share with one decimal; a criterion's figure with its own (:func:`figure_digits`: an
    NPL ratio with two, 2.78%, as every page gives it)."""
    d = 1 if criterion is None else figure_digits(criterion)
    return "—" if x is None or x != x else f"{x:.{d}%}"


def _village_rows(verdicts, kpis, rules, lang, near: pd.DataFrame | None = None,
                  max_lacking: int | None = None) -> tuple[list[tuple], int]:
    """One row per village not certified (nearest first), with what it lacks (``near``'s
    ``lacks`` when the caller gives its frame, else :func:`nearest_to_certification`'s in
    ``lang``: the words of :func:`calib.report.words.lacks`), and how many more villages were
    left out by ``max_lacking``."""
    near = (nearest_to_certification(verdicts, kpis, rules=rules, top=None, lang=lang) if near is None
            else near.copy())
    left = 0
    if max_lacking is not None:
        within = near["n_lacking"].to_numpy() <= max_lacking
        left = int((~within).sum())
        near = near.loc[within]
    if "lacks" not in near:  # a caller's frame without its words
        from calib.report.words import lacks  # on use: importing calib.villages stays light

        unit = str(kpis["unit"].iloc[0]) if "unit" in kpis and len(kpis) else "household"
        near["lacks"] = lacks(near, verdicts, QUALITATIVE_CRITERIA, VILLAGE_CRITERIA, rules=rules, unit=unit,
                              lang=lang)
    rows = []
    for r in near.to_dict("records"):  # one row per village not certified (a report table)
        rows.append((_t("nb06.line.village", lang, tw=r["township"], v=r["village"]),
                     _t("nb06.line.village_fig", lang, n=int(r["n_lacking"])),  # its noun by the count
                     _t("nb06.line.standard", lang),
                     _t("nb06.line.lacks", lang, status=_status(r["status"], lang), lack=r["lacks"])))
    return rows, left


def _more_villages_needed(t: pd.Series, r: dict) -> int:
    op, f = r["credit_village_share"]["op"], r["credit_village_share"]["value"]
    from calib.villages._exact import frac

    q = frac(f)
    need = _needed_change(np.array([int(t["n_credit_villages"])], dtype=object),
                          np.array([int(t["n_villages"])], dtype=object), op,
                          q.numerator, q.denominator)
    return int(need[0])


def _township_rows(tverdicts, rules, lang) -> list[tuple]:
    from calib.report.words import rule_words  # the rules as the pages word them

    r = validate_township_rules(rules)
    op, npl = r["credit_village_share"]["op"], rule_words(r["npl_vs_county"]["op"], None, lang)
    rows = []
    for _, t in tverdicts.iterrows():  # a handful of townships
        share, county = t["credit_village_share_figure"], t["npl_vs_county_threshold"]
        lack = []
        if t["credit_village_share"] != "pass":
            lack.append(_t("nb06.line.more_villages", lang, k=_more_villages_needed(t, r)))
        if t["npl_vs_county"] != "pass":
            lack.append(_t("nb06.line.npl_fails", lang, fails=npl["fails"]))
        words = dict(tw=t["township"], n=t["n_credit_villages"], of=t["n_villages"],
                     share=_pct(share), npl=_pct(t["npl_vs_county_figure"], "npl_vs_county"),
                     county=_pct(county, "npl_vs_county"), npl_rule=npl["meets"],
                     share_rule=rule_words(op, t["credit_village_share_threshold"], lang)["rule"])
        verdict = (_status("certified", lang) if t["certified"] else
                   _t("nb06.line.lacks", lang, status=_status("not certified", lang), lack=_SEMI[lang].join(lack)))
        rows.append((_t("nb06.line.township", lang, **words), _t("nb06.line.township_fig", lang, **words),
                     _t("nb06.line.township_rule", lang, **words), verdict))
    return rows


def _shortfall(fin: pd.Series, lang: str) -> str:
    """What the final row misses, in words: each target not met with its figure
    (``授信面 75.0% < 80%``), or that the figure is missing."""
    short = []
    for name in ("credit_coverage", "usage"):
        met = fin[f"{name}_met"]
        if pd.notna(met) and not bool(met):
            what = _t("nb06.line.coverage" if name == "credit_coverage" else "nb06.line.usage", lang)
            x = fin[name]
            short.append(_t("nb06.line.short", lang, what=what, x=_pct(x), target=rule_pct(fin[f"{name}_target"]))
                         if x == x else _t("nb06.line.short_no_data", lang, what=what))
    return _SEMI[lang].join(short)


def _target_rows(progress: pd.DataFrame, lang: str) -> list[tuple]:
    from calib.report.words import target_words  # on use: importing calib.villages stays light

    fin = progress.loc[progress["milestone"] == "final"].iloc[0]
    unit = str(fin["villages_unit"]) if "villages_unit" in progress else ""
    u = _t(f"nb06.line.unit_{unit}", lang) if unit in ("person", "household") else ""
    if fin["status"] == "not set":  # no final target: nothing compared
        verdict = _status("not set", lang)
    elif fin["status"] in ("met", "on track"):
        verdict = _status("met", lang)
    else:
        verdict = _t("nb06.line.lacks", lang, status=_status("not met", lang), lack=_shortfall(fin, lang))
    rows = [(_t("nb06.line.targets", lang),
             _t("nb06.line.targets_fig", lang, unit=u, coverage=_pct(fin["credit_coverage"]), usage=_pct(fin["usage"])),
             _t("nb06.line.targets_rule", lang, coverage=target_words(_target(fin["credit_coverage_target"]), lang),
                usage=target_words(_target(fin["usage_target"]), lang)),
             verdict)]
    ms = progress.loc[progress["milestone"] != "final"]
    outside = ms.loc[~ms["in_data_period"].astype(bool)] if "in_data_period" in ms else ms.iloc[:0]
    if len(outside):
        # the figures are measured once, at the reference date: a milestone outside that is
        # before or after it (not outside the data: the data hold earlier model runs and points)
        ref = (pd.to_datetime(outside["measured_at"]) if "measured_at" in outside
               else pd.Series(pd.NaT, index=outside.index))
        early = int((pd.to_datetime(outside["date"]) < ref).sum()) if "date" in outside else len(outside)
        late = len(outside) - early
        when = _LIST[lang].join(
            _t(key, lang, k=k) for key, k in (("nb06.line.milestones_early", early),
                                              ("nb06.line.milestones_late", late)) if k)
        rows.append((_t("nb06.line.milestones", lang),
                     _t("nb06.line.milestones_fig", lang, n=len(ms), when=when),
                     _t("nb06.line.milestones_rule", lang), _t("nb06.line.milestones_verdict", lang)))
    return rows


def _target(x: Any) -> float | None:
    """A target of :func:`target_progress`'s row (NaN when the parameters set none) or None."""
    return None if x is None or x != x else float(x)


def conclusions(
    verdicts: pd.DataFrame,
    township_verdicts: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    township_rules: Mapping[str, Any] | None = None,
    progress: pd.DataFrame | None = None,
    household_counts: pd.DataFrame | None = None,
    village_counts: pd.DataFrame | None = None,
    lang: str = "zh-CN",
    max_villages: int | None = None,
    max_lacking: int | None = None,
    full_list: str = "",
    near: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The decisions of the villages report, each with its figure, threshold and verdict.

    Parameters
    ----------
    verdicts, township_verdicts : pandas.DataFrame
        :func:`certify_villages`, :func:`certify_townships`.
    kpis : pandas.DataFrame
        The snapshot of :func:`programme_kpis` the verdicts were made on.
    rules, township_rules : mapping, optional
        ``params["credit_village"]``, ``params["credit_township"]``.
    progress : pandas.DataFrame, optional
        :func:`target_progress` (adds the targets and, when milestones lie outside the data's
        period, a line saying so).
    household_counts, village_counts : pandas.DataFrame, optional
        :func:`household_counts`, :func:`village_counts` (add the lines reconciling the white
        list with the eligible households, and the two profiled-village counts).
    lang : {"zh-CN", "en"}
    max_villages : int, optional
        At most this many ``village`` lines (the nearest to certification); the others are
        counted in one ``village_more`` line that sends the reader to the full list (a province
        has thousands of villages; the conclusions stay a page). None: every village.
    max_lacking : int, optional
        ``village`` lines only for the villages that lack at most this many criteria (1: the
        villages one change away, the committee's short list); the others are counted in the
        ``village_more`` line too.
    full_list : str, optional
        Where that line sends the reader (e.g. a workbook's name).
    near : pandas.DataFrame, optional
        The caller's :func:`nearest_to_certification` of these verdicts (``top=None``: every
        village not certified), its ``lacks`` column in the words the rest of the report uses:
        a page then says each lack once, one way, and the villages are ranked once (a frame
        without ``lacks`` is worded by :func:`calib.report.words.lacks` in ``lang``). Default:
        computed here, in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Columns ``decision``, ``figure``, ``threshold``, ``verdict`` (text) and ``topic``:
        ``villages`` (the credit villages overall), ``township`` (each township), ``targets``
        (the final coverage and usage targets), ``milestones`` (when some lie outside the data's
        period), ``white_list`` and ``profiled_villages`` (the count reconciliations), then
        ``village`` (each village not certified, nearest to certification first, with what it
        lacks) and, for those past ``max_villages`` or ``max_lacking``, one ``village_more``
        line, in that order. A report that states some of these decisions in its own words
        selects the others by ``topic``.
    """
    if lang not in ("zh-CN", "en"):
        raise CalibParamsError(f"lang: expected 'zh-CN' or 'en', got {lang!r}")
    n, k = len(verdicts), int(verdicts["certified"].sum())
    pend = int((verdicts["status"] == "pending assessment").sum())
    rows = [(_t("nb06.line.villages", lang),
             _t("nb06.line.villages_fig", lang, k=f"{k:,}", n=f"{n:,}", share=_pct(k / n if n else np.nan)),
             _t("nb06.line.standard", lang),
             _t("nb06.line.villages_verdict", lang, k=f"{k:,}", not_k=f"{n - k:,}", pend=f"{pend:,}"))]
    topics = ["villages"]
    more = _township_rows(township_verdicts, township_rules, lang)
    rows += more
    topics += ["township"] * len(more)
    if progress is not None:
        more = _target_rows(progress, lang)  # the final targets, then the milestones' line
        rows += more
        topics += ["targets", "milestones"][:len(more)]
    if household_counts is not None:
        c = household_counts.set_index("figure")["households"]
        w, e = int(c["white_listed"]), int(c["eligible"])  # two counts side by side, not a fraction
        rows.append((_t("nb06.line.white_list", lang), _t("nb06.line.white_list_fig", lang, w=f"{w:,}", e=f"{e:,}"),
                     "—", white_list_line(household_counts, lang=lang)))
        topics.append("white_list")
    if village_counts is not None:
        vc = village_counts.set_index("figure")["villages"]
        figure = _SEMI[lang].join(  # each count with its unit, not a fraction
            _t(f"nb06.line.{f}", lang, n=f"{int(vc[f]):,}")
            for f in ("profiled_by_households", "profiled_by_persons") if f in vc)
        rows.append((_t("nb06.line.profiled", lang), figure, "—", village_counts_line(village_counts, lang=lang)))
        topics.append("profiled_villages")
    more, left = _village_rows(verdicts, kpis, rules, lang, near, max_lacking)
    n_rest = left + (max(len(more) - max_villages, 0) if max_villages is not None else 0)
    more = more[:max_villages] if max_villages is not None else more
    rows += more
    topics += ["village"] * len(more)
    if n_rest:
        rows.append((_t("nb06.line.village_more", lang, n=f"{n_rest:,}"),
                     _t("nb06.line.village_more_fig", lang, n=f"{n_rest:,}"), _t("nb06.line.standard", lang),
                     _t("nb06.line.village_more_where", lang, where=full_list) if full_list
                     else _t("nb06.line.village_more_list", lang)))
        topics.append("village_more")
    out = pd.DataFrame(rows, columns=_COLS).astype("string")
    out["topic"] = pd.array(topics, dtype="string")
    return out
