"""Report 06's conclusions block and headline figures: credit villages and townships certified,
what the other villages lack, coverage and usage against the final targets, the programme's NPL.

:func:`conclusions` words the block (:func:`calib.report.record.conclude`), :func:`metrics`
gives the figures the notebook records (:func:`calib.report.record.record_all`), both from the
frames the notebook computed; :func:`targets_missing` says why a target of the targets table is
missing; every threshold is the run's parameter, judged by the domain
package (:mod:`calib.villages`): nothing here compares a figure with a number of its own. The
verdict rules are :func:`certified_verdict` (every village, every township) and
:func:`target_verdict` (the final coverage and usage targets); the programme's NPL ratio is
judged by :func:`calib.villages.programme_verdicts`, as a village's is.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from calib import villages
from calib.report import fmt, words
from calib.report.labels import get_lang, t
from calib.report.record import Finding
from calib.villages.rules import figure_digits

if TYPE_CHECKING:
    from calib.params.schema import Params

__all__ = ["MAX_LACKING", "MAX_LISTED", "certified_verdict", "target_verdict", "targets_missing", "conclusions", "metrics",
           "rules_table", "final_words", "milestone_words", "profiled_words", "check_words"]

#: The villages the conclusions list one by one: those lacking at most this many criteria (the
#: committee's short list, the villages one change away; the others are counted in one line that
#: sends the reader to the section What villages lack). The catalogue's ``nb06.c.lacking_fig``
#: says it in words ("只差一项", "lack one criterion only"): change both together.
MAX_LACKING = 1

#: At most this many of those villages are listed in the conclusions, nearest to certification
#: first (and no more than the parameters' ``page_rows``): the block stays one screen. The rest
#: are counted in one line that sends the reader to the section What villages lack and the
#: workbook, which list them all. A 100k-household programme had 270 villages one criterion
#: away: 200 lines (``page_rows``) in the conclusions, eight screens before the first section.
MAX_LISTED = 25

#: The conclusions' own lines for these topics of :func:`calib.villages.conclusions` (the
#: credit villages overall and the final targets); its other lines follow as they are.
_OWN_TOPICS = ("villages", "targets")


def certified_verdict(certified: int, total: int) -> str:
    """``"pass"`` when every village (township) is certified, else ``"warn"``: a programme is
    not failed by a village short of the standard, but the committee looks at it.

    >>> certified_verdict(90, 90), certified_verdict(15, 90)
    ('pass', 'warn')
    """
    return "pass" if certified == total else "warn"


def target_verdict(met: Any, target: float | None = 0.0) -> str:
    """A final target's verdict from :func:`calib.villages.target_progress`'s ``..._met``
    (decided there exactly, in integers): ``"pass"``, ``"fail"``, ``"no data"`` when it is
    missing (no figure), ``"not set"`` when the parameters set no ``target`` (nothing is
    compared: neither met nor missed).

    >>> target_verdict(True), target_verdict(False), target_verdict(pd.NA), target_verdict(pd.NA, None)
    ('pass', 'fail', 'no data', 'not set')
    """
    if target is None:
        return "not set"
    if met is None or met is pd.NA or (isinstance(met, float) and met != met):
        return "no data"
    return "pass" if bool(met) else "fail"


#: The targets table's columns whose "—" a note explains: each with its words for a milestone
#: that sets no such target and for the final row (the final targets: not a milestone).
_TARGET_MISSING = {"villages_target": ("nb06.missing_village_target", "nb06.missing_final_village_target"),
                   "credit_coverage_target": ("nb06.missing_coverage_target", "nb06.missing_final_coverage_target"),
                   "usage_target": ("nb06.missing_usage_target", "nb06.missing_final_usage_target")}


def targets_missing(progress: pd.DataFrame) -> dict[str, str]:
    """Why a target of the targets table is "—", for :func:`calib.report.display.table`'s
    ``missing``: a milestone that sets no such target, the final row (which is not a milestone)
    for which the parameters set none, or both, in the catalogue's words.

    Parameters
    ----------
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress` (``milestone``: a date or ``final``; the
        ``villages_target``, ``credit_coverage_target``, ``usage_target`` columns).

    Returns
    -------
    dict of str
        Column -> the note, for each target column with a "—".
    """
    final = (progress["milestone"] == "final").to_numpy()
    semi = "; " if get_lang() == "en" else "；"
    out = {}
    for col, (milestone, last) in _TARGET_MISSING.items():
        if col not in progress:
            continue
        gone = progress[col].isna().to_numpy()
        said = [t(milestone)] * bool((gone & ~final).any()) + [t(last)] * bool((gone & final).any())
        if said:
            out[col] = semi.join(said)
    return out


#: How the rules table writes the comparison of a qualitative criterion (``op`` "yes": the
#: village's assessment must say yes), which the grid's headers leave out (:data:`words.OPS`).
_QUALITATIVE_OP = "="


def rules_table(rules: Any = None, *, level: str = "village") -> pd.DataFrame:
    """The run's rules as the section Credit villages lists them: each criterion, its comparison
    as the pages write it (``≥``; ``=`` for a qualitative criterion) and its threshold
    (``90%``; missing where the county figure or an assessment decides: the page's "—").

    Parameters
    ----------
    rules : mapping, optional
        The ``credit_village`` (or ``credit_township``) block; None: the defaults.
    level : {"village", "township"}
        Whose rules (:func:`calib.villages.criteria_table`).

    Returns
    -------
    pandas.DataFrame
        ``criterion`` (a code, headed and worded by the catalogue), ``op``, ``threshold_value``
        (text; missing: the table's note says why), one row per criterion in report order.

    Examples
    --------
    >>> rules_table()["op"].tolist()
    ['>', '≥', '≥', '≤', '>', '<', '=', '=', '=']
    """
    crit = villages.criteria_table(rules, level=level)
    return pd.DataFrame({"criterion": crit["criterion"],
                         "op": [words.OPS[op] or _QUALITATIVE_OP for op in crit["op"]],
                         "threshold_value": crit["value"].map(words.share_words)})


def final_words(final_limits: pd.DataFrame) -> dict[str, str]:
    """The section Final limits' figures (``nb06.final.summary``): the households with a final
    limit (``n``) and those whose final limit is above 0 (``positive``: credited, as the
    figures count them), as the pages write counts."""
    return {"positive": fmt.count(int((final_limits["final_limit"] > 0).sum())), "n": fmt.count(len(final_limits))}


def milestone_words(progress: pd.DataFrame, as_of: Any) -> dict[str, str]:
    """The section Targets' words on the milestones (``nb06.targets``): how many the parameters
    set (``n``), the first and last date, the reference date and how many fall before it.

    Parameters
    ----------
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress` (one row per milestone, then ``final``).
    as_of : date-like
        The run's reference date.
    """
    dates = pd.to_datetime(progress.loc[progress["milestone"] != "final", "date"])
    return {"n": fmt.count(len(dates)), "first": fmt.cell(dates.min(), "date"), "last": fmt.cell(dates.max(), "date"),
            "as_of": fmt.cell(as_of, "date"), "before": fmt.count(int((dates < pd.Timestamp(as_of)).sum()))}


def profiled_words(progress: pd.DataFrame, kpis: pd.DataFrame, village_counts: pd.DataFrame,
                   at: float) -> dict[str, str]:
    """The profiled villages in the two counts (``nb06.targets.villages``): in persons, as the
    targets count them (``profiled``: the final row of ``progress``), of all villages, and in
    households, as the credit-village rule counts them (``by_households``), with the rate a
    village must reach in words (:func:`calib.report.words.rule_words` of ``>= at``).

    Parameters
    ----------
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress` in persons.
    kpis : pandas.DataFrame
        :func:`calib.villages.programme_kpis` (its village rows are counted).
    village_counts : pandas.DataFrame
        :func:`calib.villages.village_counts` (row ``profiled_by_households``).
    at : float
        The profiling rate from which a village counts as profiled (``targets.village_profiled_at``).
    """
    by_households = village_counts.set_index("figure").loc["profiled_by_households", "villages"]
    return {"profiled": fmt.count(progress["villages"].iloc[-1]), "villages": fmt.count(kpis["level"].eq("village").sum()),
            "by_households": fmt.count(by_households), **words.rule_words(">=", at)}


def check_words(m: dict[str, Any], progress: pd.DataFrame) -> dict[str, str]:
    """The headline figures in words for the report's check line (``nb06.check``).

    Parameters
    ----------
    m : dict
        :func:`metrics`.
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress`: each milestone (and the final targets) with its
        status in words.
    """
    targets = fmt.join(f"{t(a) if a == 'final' else a} {t(b)}" for a, b in zip(progress["milestone"], progress["status"]))
    return {"cv": fmt.count(m["credit_villages"]), "n": fmt.count(m["villages"]), "ct": fmt.count(m["credit_townships"]),
            "coverage_p": fmt.pct(m["programme_credit_coverage_persons"]), "usage_p": fmt.pct(m["programme_usage_persons"]),
            "coverage": fmt.pct(m["programme_credit_coverage_households"]), "usage": fmt.pct(m["programme_usage_households"]),
            "npl": fmt.pct(m["programme_npl_ratio"], figure_digits("npl_ratio")), "na": fmt.count(m["villages_not_assessed"]),
            "targets": targets}


def _target_finding(name: str, figure: float, target: float | None, met: Any) -> Finding:
    """A final target's line: the figure, the target as the pages state it (``≥ 80%``) or that
    none is set, and :func:`target_verdict`."""
    rule = (t("nb06.c.target_not_set") if target is None
            else t("nb06.c.target_rule", rule=words.target_words(target)))
    return Finding(t(name), fmt.pct(figure), rule, target_verdict(met, target))


def metrics(
    kpis: pd.DataFrame,
    verdicts: pd.DataFrame,
    township_verdicts: pd.DataFrame,
    progress: pd.DataFrame,
) -> dict[str, Any]:
    """Report 06's headline figures, in the order the index shows them.

    Parameters
    ----------
    kpis : pandas.DataFrame
        :func:`calib.villages.programme_kpis` in households (one ``as_of``); its ``programme``
        row's ``n_villages``, ``credit_coverage``, ``usage``, ``npl_ratio`` are read.
    verdicts : pandas.DataFrame
        :func:`calib.villages.certify_villages` (``certified``, ``status`` and the qualitative
        criteria).
    township_verdicts : pandas.DataFrame
        :func:`calib.villages.certify_townships` (``certified``).
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress` in persons; its last row (the final targets)
        gives ``credit_coverage`` and ``usage``.

    Returns
    -------
    dict
        ``credit_villages``, ``villages``, ``credit_village_share``, ``credit_townships``,
        ``programme_credit_coverage_households``, ``programme_usage_households``,
        ``programme_npl_ratio``, ``villages_not_assessed``,
        ``programme_credit_coverage_persons``, ``programme_usage_persons``, in this order (the
        index shows a report's first figures); rates as fractions, None without data.
    """
    m = villages.headline_metrics(kpis, verdicts, township_verdicts, progress)
    final = progress.iloc[-1]
    return {
        "credit_villages": m["credit_villages"],
        "villages": m["n_villages"],
        "credit_village_share": m["credit_village_share"],
        "credit_townships": m["credit_townships"],
        "programme_credit_coverage_households": m["credit_coverage"],
        "programme_usage_households": m["usage"],
        "programme_npl_ratio": m["npl_ratio"],
        "villages_not_assessed": m["villages_not_assessed"],
        "programme_credit_coverage_persons": float(final["credit_coverage"]),
        "programme_usage_persons": float(final["usage"]),
    }


def conclusions(
    kpis: pd.DataFrame,
    verdicts: pd.DataFrame,
    township_verdicts: pd.DataFrame,
    progress: pd.DataFrame,
    near: pd.DataFrame,
    *,
    household_counts: pd.DataFrame,
    village_counts: pd.DataFrame,
    params: Params,
) -> tuple[list[Finding], str]:
    """Report 06's conclusions: its findings and the one-line summary, in the run's language.

    Six lines of the report's own (credit villages, credit townships, what the others lack,
    coverage and usage against the final targets, the programme's NPL ratio), then the other
    lines of :func:`calib.villages.conclusions` (each township, the milestones, the two count
    reconciliations, each village one change away and one line for the rest).

    Parameters
    ----------
    kpis : pandas.DataFrame
        :func:`calib.villages.programme_kpis` in households (one ``as_of``): its ``programme``
        row (``n_villages``, ``npl_ratio`` and the counts :func:`calib.villages.programme_verdicts`
        judges the NPL ratio on).
    verdicts : pandas.DataFrame
        :func:`calib.villages.certify_villages` of ``kpis``.
    township_verdicts : pandas.DataFrame
        :func:`calib.villages.certify_townships` (one row per township, ``certified``).
    progress : pandas.DataFrame
        :func:`calib.villages.target_progress` in persons; its last row, the final targets:
        ``credit_coverage``, ``usage``, ``credit_coverage_met``, ``usage_met``.
    near : pandas.DataFrame
        :func:`calib.villages.nearest_to_certification` with ``top=None`` (every village not
        certified; ``n_lacking`` and ``lacks``, the page's words for what each lacks).
    household_counts, village_counts : pandas.DataFrame
        :func:`calib.villages.household_counts`, :func:`calib.villages.village_counts` (the
        lines reconciling the white list and the profiled villages).
    params : calib.params.Params
        The run's parameters: blocks ``credit_village``, ``credit_township`` and ``targets``
        (``credit_coverage_final``, ``usage_final``), and ``page_rows`` (at most this many
        villages listed, and never more than :data:`MAX_LISTED`).

    Returns
    -------
    findings : list of Finding
        Verdicts: ``pass`` when every village (township) is certified, else ``warn``; ``review``
        for what the others lack; each final target ``pass`` or ``fail`` (``no data`` without
        a figure, ``not set`` without a target: no comparison); the NPL ratio as :func:`calib.villages.programme_verdicts` judges it; the
        other lines with :func:`calib.villages.conclusions`'s verdict words.
    summary : str
        The index's line (``nb06.summary``).
    """
    m = metrics(kpis, verdicts, township_verdicts, progress)
    final = progress.iloc[-1]
    rules = params.block("credit_village")
    pw = words.param_words(params)
    cv, n, ct, nt = m["credit_villages"], m["villages"], m["credit_townships"], len(township_verdicts)
    npl = villages.programme_verdicts(kpis, rules=rules).loc["npl_ratio", "verdict"]
    cap = min(params.page_rows, MAX_LISTED)
    rest = villages.conclusions(verdicts, township_verdicts, kpis, rules=rules,
                                township_rules=params.block("credit_township"), progress=progress,
                                household_counts=household_counts, village_counts=village_counts,
                                lang=get_lang(), max_villages=cap, max_lacking=MAX_LACKING,
                                full_list=t("nb06.full_list"), near=near)  # ranked once, in the body table's words
    one = int((near["n_lacking"] <= MAX_LACKING).sum())
    listed = t("nb06.c.listed_all") if one <= cap else t("nb06.c.listed_first", k=fmt.count(cap))
    findings = [
        Finding(t("nb06.c.villages"), t("nb06.c.villages_fig", cv=fmt.count(cv), n=fmt.count(n),
                                        share=fmt.pct(m["credit_village_share"])),
                t("nb06.c.villages_rule", a_share=pw["a_share"]), certified_verdict(cv, n)),
        Finding(t("nb06.c.townships"), t("nb06.c.townships_fig", ct=fmt.count(ct), n=fmt.count(nt)),
                t("nb06.c.townships_rule", township_share=pw["township_share"],
                  township_npl_vs_county=pw["township_npl_vs_county"]), certified_verdict(ct, nt)),
        Finding(t("nb06.c.lacking"), t("nb06.c.lacking_fig", one=fmt.count(one), listed=listed,
                                       n=fmt.count(len(near)), na=fmt.count(m["villages_not_assessed"])),
                t("nb06.c.lacking_rule"), "review"),
        _target_finding("nb06.c.coverage", final["credit_coverage"], params.targets.credit_coverage_final,
                        final["credit_coverage_met"]),
        _target_finding("nb06.c.usage", final["usage"], params.targets.usage_final, final["usage_met"]),
        Finding(t("nb06.c.npl"), fmt.pct(m["programme_npl_ratio"], figure_digits("npl_ratio")),
                t("nb06.c.npl_rule", npl=pw["npl"]), npl),
    ] + [Finding(r.decision, r.figure, r.threshold, r.verdict)
         for r in rest.itertuples() if r.topic not in _OWN_TOPICS]
    summary = t("nb06.summary", cv=fmt.count(cv), n=fmt.count(n), ct=fmt.count(ct), nt=fmt.count(nt),
                coverage=fmt.pct(final["credit_coverage"]), usage=fmt.pct(final["usage"]))
    return findings, summary
