"""The villages report's conclusions: villages and townships certified, what each of the others
lacks, where the programme stands against its targets, and why two counts differ.

One table, one row per decision, with its figure, threshold and verdict side by side
(:func:`conclusions`), Chinese by default (``lang="en"`` for English).
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
    RULE_OPS,
    VILLAGE_CRITERIA,
    figure_digits,
    rule_pct,
    validate_township_rules,
)

__all__ = ["conclusions"]

_COLS = ["decision", "figure", "threshold", "verdict"]


def _pct(x: float, criterion: str | None = None) -> str:
    """A share with one decimal; a criterion's figure with its own (:func:`figure_digits`: an
    NPL ratio with two, 2.78%, as every page gives it)."""
    d = 1 if criterion is None else figure_digits(criterion)
    return "—" if x is None or x != x else f"{x:.{d}%}"


def _lacks_zh(row: dict, unit: str) -> str:
    """Chinese text of what one village lacks, from :func:`nearest_to_certification`'s row;
    each criterion named as the one catalogue names it (:func:`calib.report.labels.column_label`,
    as the pages' headers and :func:`calib.report.words.lacks` do)."""
    from calib.report.labels import column_label  # on use: importing calib.villages stays light

    who = "人" if unit == "person" else "户"
    parts = []
    for c in VILLAGE_CRITERIA:
        x = row[f"{c}_needed"]
        if row["_v_" + c] == "no data":
            parts.append(f"{column_label(c, 'zh-CN')}：无数据")
        elif row["_v_" + c] != "fail":
            continue
        elif c in ("npl_ratio", "npl_vs_county"):
            parts.append(f"不良贷款余额需减少 {abs(float(x)):,.2f} 元"
                         + ("（以低于全县）" if c == "npl_vs_county" else ""))
        else:
            what = {"a_or_better_share": "户评为A级及以上", "profiling_rate": f"{who}建档",
                    "credit_rate": f"{who}授信", "loan_share_vs_county": "户获得贷款"}[c]
            parts.append(f"还需 {abs(int(x)):,} {what}")
    for c in QUALITATIVE_CRITERIA:
        if row["_v_" + c] == "fail":
            parts.append(f"{column_label(c, 'zh-CN')}：未达标")
        elif row["_v_" + c] == "not assessed":
            parts.append(f"{column_label(c, 'zh-CN')}：未评定")
    return "；".join(parts)


def _village_rows(verdicts, kpis, rules, lang, near: pd.DataFrame | None = None,
                  max_lacking: int | None = None) -> tuple[list[tuple], int]:
    """One row per village not certified (nearest first), with what it lacks (in the words of
    ``near``'s ``lacks`` when the caller gives its frame), and how many more villages were left
    out by ``max_lacking``."""
    worded = near is not None
    near = (nearest_to_certification(verdicts, kpis, rules=rules, top=None) if near is None
            else near.copy())
    left = 0
    if max_lacking is not None:
        within = near["n_lacking"].to_numpy() <= max_lacking
        left = int((~within).sum())
        near = near.loc[within]
    v = verdicts.set_index(["township", "village"])
    key = pd.MultiIndex.from_frame(near[["township", "village"]])
    for c in VILLAGE_CRITERIA + QUALITATIVE_CRITERIA:
        near["_v_" + c] = v[c].reindex(key).astype(object).to_numpy()
    unit = str(kpis["unit"].iloc[0]) if "unit" in kpis else "household"
    rows = []
    for r in near.to_dict("records"):  # one row per village not certified (a report table)
        if lang == "en":
            rows.append((f"credit village {r['township']} / {r['village']}",
                         f"{r['n_lacking']} criteria not met" if r["n_lacking"] != 1 else "1 criterion not met", "every criterion (credit-village standard)",
                         f"{r['status']}: {r['lacks']}"))
        else:
            status = "待评定" if r["status"] == "pending assessment" else "未认定"
            said = r["lacks"] if worded else _lacks_zh(r, unit)
            rows.append((f"信用村：{r['township']} {r['village']}", f"{r['n_lacking']} 项未达标",
                         "全部标准（信用村标准）", f"{status}：{said}"))
    return rows, left


def _more_villages_needed(t: pd.Series, r: dict) -> int:
    op, f = r["credit_village_share"]["op"], r["credit_village_share"]["value"]
    from calib.villages._exact import frac

    q = frac(f)
    need = _needed_change(np.array([int(t["n_credit_villages"])], dtype=object),
                          np.array([int(t["n_villages"])], dtype=object), op,
                          q.numerator, q.denominator)
    return int(need[0])


#: A township's conclusion row: decision, figure, threshold templates, the two verdicts and the
#: separator of what it lacks, per language.
_TOWNSHIP_TEXT = {
    "en": ("credit township {tw}", "credit villages {n} of {of} ({share}); NPL {npl}",
           "credit villages {op} {threshold}; NPL below county {county}", "certified",
           "not certified: ", "; "),
    "zh-CN": ("信用乡镇：{tw}", "信用村 {n} / {of} 个（{share}），不良率 {npl}",
              "信用村占比 {op} {threshold}；不良率低于全县 {county}", "认定", "未认定：", "；"),
}


def _township_rows(tverdicts, rules, lang) -> list[tuple]:
    r = validate_township_rules(rules)
    op = r["credit_village_share"]["op"]
    rows = []
    for _, t in tverdicts.iterrows():  # a handful of townships
        share, npl, county = (t["credit_village_share_figure"], t["npl_vs_county_figure"],
                              t["npl_vs_county_threshold"])
        lack = []
        if t["credit_village_share"] != "pass":
            k = _more_villages_needed(t, r)
            lack.append(f"{k} more credit villages" if lang == "en" else f"还需 {k} 个信用村")
        if t["npl_vs_county"] != "pass":
            lack.append("NPL not below the county" if lang == "en" else "不良率未低于全县")
        words = dict(tw=t["township"], n=t["n_credit_villages"], of=t["n_villages"],
                     share=_pct(share), npl=_pct(npl, "npl_vs_county"), op=RULE_OPS[op],
                     county=_pct(county, "npl_vs_county"),
                     threshold=rule_pct(t["credit_village_share_threshold"]))
        decision, figure, threshold, yes, no, sep = _TOWNSHIP_TEXT[lang]
        rows.append((decision.format(**words), figure.format(**words),
                     threshold.format(**words), yes if t["certified"] else no + sep.join(lack)))
    return rows


def _target_rows(progress: pd.DataFrame, lang: str) -> list[tuple]:
    fin = progress.loc[progress["milestone"] == "final"].iloc[0]
    cov, use = fin["credit_coverage"], fin["usage"]
    short = str(fin["shortfall"]) if pd.notna(fin["shortfall"]) else ""
    met = fin["status"] in ("met", "on track")
    ms = progress.loc[progress["milestone"] != "final"]
    outside = ms.loc[~ms["in_data_period"].astype(bool)] if "in_data_period" in ms else ms.iloc[:0]
    # the figures are measured once, at the reference date: a milestone outside that is before
    # or after it (not outside the data: the data hold earlier model runs and points)
    ref = pd.to_datetime(outside["measured_at"]) if "measured_at" in outside else pd.Series(pd.NaT, index=outside.index)
    early = int((pd.to_datetime(outside["date"]) < ref).sum()) if "date" in outside else len(outside)
    late = len(outside) - early
    unit = str(progress["villages_unit"].iloc[0]) if "villages_unit" in progress else ""
    if lang == "en":
        u = {"person": " (persons)", "household": " (households)"}.get(unit, "")
        rows = [("programme targets (final)", f"coverage{u} {_pct(cov)}, usage{u} {_pct(use)}",
                 f"coverage ≥ {rule_pct(fin['credit_coverage_target'])}, usage ≥ "
                 f"{rule_pct(fin['usage_target'])}", "met" if met else f"not met: {short}")]
        if len(outside):
            when = "; ".join(x for x in (f"{early} before the reference date" if early else "",
                                          f"{late} after it" if late else "") if x)
            rows.append(("programme milestones", f"{len(outside)} of {len(ms)} milestones are not at "
                         f"the reference date ({when})", "dated milestones",
                         "the figures are measured at the reference date only: not judged on time, "
                         "compared with the current figures"))
        return rows
    short_zh = short.replace("coverage", "授信面").replace("usage", "用信面").replace(
        "more profiled villages", "个建档村待完成")
    u = {"person": "（按人数）", "household": "（按户）"}.get(unit, " ")
    rows = [("授信面与用信面目标（最终）", f"授信面{u}{_pct(cov)}，用信面{u}{_pct(use)}",
             f"授信面 ≥ {rule_pct(fin['credit_coverage_target'])}，用信面 ≥ {rule_pct(fin['usage_target'])}",
             "达标" if met else f"未达标：{short_zh}")]
    if len(outside):
        when = "、".join(x for x in (f"{early} 个早于本次基准日" if early else "",
                                    f"{late} 个晚于本次基准日" if late else "") if x)
        rows.append(("阶段性目标（里程碑）", f"{len(ms)} 个里程碑中 {when}",
                     "按日期的阶段目标", "各项数字只在基准日测量：无法按期考核，仅与当前数字对照"))
    return rows


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
        village not certified), its ``lacks`` column in the words the rest of the report uses
        (e.g. :func:`calib.report.words.lacks`): a page then says each lack once, one way, and
        the villages are ranked once. Default: computed here, with the words of
        :func:`nearest_to_certification` (English) or their Chinese here.

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
    if lang == "en":
        rows = [("credit villages", f"{k} of {n} ({_pct(k / n if n else np.nan)})",
                 "every criterion (credit-village standard)",
                 f"{k} certified, {n - k} not ({pend} pending assessment)")]
    else:
        rows = [("信用村认定", f"{k} / {n} 个村（{_pct(k / n if n else np.nan)}）", "全部标准（信用村标准）",
                 f"认定 {k} 个，未认定 {n - k} 个（其中待评定 {pend} 个）")]
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
        rows.append(("白名单与合格农户" if lang != "en" else "white list and eligible households",
                     f"白名单 {w:,} 户；合格农户 {e:,} 户" if lang != "en"
                     else f"white list {w:,} households; eligible {e:,} households", "—",
                     white_list_line(household_counts, lang=lang)))
        topics.append("white_list")
    if village_counts is not None:
        vc = village_counts.set_index("figure")["villages"]
        said = {"profiled_by_households": ("按户 {:,} 个", "households {:,}"),
                "profiled_by_persons": ("按人数 {:,} 个", "persons {:,}")}
        figure = ("；" if lang != "en" else "; ").join(  # each count with its unit, not a fraction
            said[k][lang == "en"].format(int(vc[k])) for k in said if k in vc)
        rows.append(("建档村口径" if lang != "en" else "profiled villages", figure, "—",
                     village_counts_line(village_counts, lang=lang)))
        topics.append("profiled_villages")
    more, left = _village_rows(verdicts, kpis, rules, lang, near, max_lacking)
    n_rest = left + (max(len(more) - max_villages, 0) if max_villages is not None else 0)
    more = more[:max_villages] if max_villages is not None else more
    rows += more
    topics += ["village"] * len(more)
    if n_rest:
        rows.append((f"other villages not certified ({n_rest:,})", f"{n_rest:,}",
                     "every criterion (credit-village standard)",
                     f"what each lacks: see {full_list}" if full_list else "what each lacks: the full list")
                    if lang == "en" else
                    (f"其余未认定村（{n_rest:,} 个）", f"{n_rest:,} 个", "全部标准（信用村标准）",
                     f"各村欠缺项见{full_list}" if full_list else "各村欠缺项见完整清单"))
        topics.append("village_more")
    out = pd.DataFrame(rows, columns=_COLS).astype("string")
    out["topic"] = pd.array(topics, dtype="string")
    return out
