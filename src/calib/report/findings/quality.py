"""Report 01's conclusions block and headline figures: is this period's data fit to use.

The figures come from what the notebook already computed: the tables' load summary
(:func:`calib.io.quality.load_summary`) and the eligibility and profiling of each village
(:func:`calib.io.quality.coverage_by_village`), judged against the credit-village standard's
profiling rule of the parameters (``credit_village.profiling_rate``: ``op`` and ``value``), in
integers (:func:`calib.io.quality.profiling_verdicts`).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from calib.io.quality import profiling_verdicts
from calib.report import fmt
from calib.report.labels import get_lang, names_in_words, t
from calib.report.record import Finding
from calib.report.words import rule_words

__all__ = ["MAX_QUARANTINE_SHARE", "quarantine_verdict", "threshold_words", "coverage_words", "ignored_words",
           "conclusions", "metrics"]

#: The largest share of rows quarantined (all tables together) at which the data are fit to use:
#: this workbench's fitness threshold, an internal convention, not a regulatory rule (methods
#: appendix of report 01, "隔离行占比"). Above it the quarantine finding warns and the summary
#: asks for correction at source first.
MAX_QUARANTINE_SHARE = 0.01


def _coverage(coverage: pd.DataFrame, op: str, value: float) -> dict[str, Any]:
    """The programme's eligibility and profiling figures and the villages below the rule: the
    section's summary, the conclusions and the headline figures state these, computed once."""
    village_verdicts, overall_verdict = profiling_verdicts(coverage, op, value)
    tot = coverage[["households", "eligible_households", "profiled"]].sum()
    return {
        "villages": len(coverage),
        "households": tot["households"],
        "eligible": tot["eligible_households"],
        "profiled": tot["profiled"],
        "rate": tot["profiled"] / tot["eligible_households"],
        "overall_verdict": overall_verdict,
        "below": int((village_verdicts == "fail").sum()),
    }


def _figures(summary: pd.DataFrame, coverage: pd.DataFrame, op: str, value: float) -> dict[str, Any]:
    """The figures both the conclusions and the headline figures rest on, computed once."""
    read = summary["rows_read"].sum()
    quarantined = summary["rows_quarantined"].sum()
    return {
        "read": read,
        "accepted": summary["rows_accepted"].sum(),
        "quarantined": quarantined,
        "balanced": bool(summary["balanced"].all()),
        "share": quarantined / read,
        **_coverage(coverage, op, value),
    }


def coverage_words(coverage: pd.DataFrame, op: str, value: float) -> dict[str, str]:
    """The figures of report 01's coverage section (``nb01.coverage.summary``), in words: the
    same figures its conclusions and headline figures state.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`calib.io.quality.coverage_by_village` (``households``, ``eligible_households``,
        ``profiled``, one row per village).
    op, value
        The profiling rule of the parameters (``credit_village.profiling_rate``).

    Returns
    -------
    dict of str
        ``villages``, ``households``, ``eligible``, ``profiled`` (counts), ``rate`` (the
        programme's profiling rate) and ``below`` (villages failing the rule, judged in integers).
    """
    c = _coverage(coverage, op, value)
    return {"villages": fmt.count(c["villages"]), "households": fmt.count(c["households"]),
            "eligible": fmt.count(c["eligible"]), "profiled": fmt.count(c["profiled"]),
            "rate": fmt.pct(c["rate"]), "below": fmt.count(c["below"])}


def ignored_words(ignored: pd.DataFrame, lang: str | None = None) -> str:
    """The sentence saying which columns of the sources were not read (none, or each table's).

    Parameters
    ----------
    ignored : pandas.DataFrame
        :func:`calib.io.quality.ignored_columns`: ``table`` and ``column``.

    Examples
    --------
    >>> import pandas as pd
    >>> ignored_words(pd.DataFrame({"table": ["roster", "roster"], "column": ["备注", "电话号码"]}), "zh-CN")
    '有 2 列不在数据约定之内，未读入，任何数字都不用它们：人员信息采集表：备注、电话号码。若其中有约定的字段（表头写法不同），请按数据约定改表头后重新读入。'
    """
    if ignored.empty:
        return t("nb01.check.ignored_none", lang)
    zh = (lang or get_lang()) == "zh-CN"
    names = names_in_words(ignored["table"], "table_name", lang)
    per = dict.fromkeys(names)
    parts = [f"{n}{'：' if zh else ': '}{('、' if zh else ', ').join(ignored.loc[(names == n).to_numpy(), 'column'])}"
             for n in per]
    return t("nb01.check.ignored", lang, n=fmt.count(len(ignored)), lists=("；" if zh else "; ").join(parts))


def threshold_words(lang: str | None = None) -> dict[str, str]:
    """Report 01's fixed thresholds as its pages write them, for the catalogue's placeholders
    (its conclusions and its methods appendix, :func:`calib.report.methods.fixed_words`).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    dict of str
        ``quarantine_max``: :data:`MAX_QUARANTINE_SHARE` as a percentage with two decimals, as
        the share quarantined is written (``1.00%``); ``profiling_default``: the default
        profiling rule of the credit-village standard (``credit_village.profiling_rate`` of
        :class:`calib.villages.rules.VillageRules`, the "9" of "952") in words (``不低于 90%``,
        ``at least 90%``), which the appendix states as the default beside this run's value.

    Examples
    --------
    >>> threshold_words("en")
    {'quarantine_max': '1.00%', 'profiling_default': 'at least 90%'}
    """
    from calib.villages.rules import VillageRules

    default = VillageRules().profiling_rate
    return {"quarantine_max": fmt.pct(MAX_QUARANTINE_SHARE, 2),
            "profiling_default": rule_words(default.op, default.value, lang)["meets"]}


def quarantine_verdict(share: float) -> str:
    """The verdict on the share of rows quarantined: ``pass`` at most :data:`MAX_QUARANTINE_SHARE`,
    else ``warn`` (an undefined share, no row read at all, warns).

    Parameters
    ----------
    share : float
        Rows quarantined / rows read, all tables together.

    Returns
    -------
    str
        ``"pass"`` or ``"warn"``.

    Examples
    --------
    >>> quarantine_verdict(0.01), quarantine_verdict(0.0101)
    ('pass', 'warn')
    """
    return "pass" if share <= MAX_QUARANTINE_SHARE else "warn"


def conclusions(summary: pd.DataFrame, coverage: pd.DataFrame, op: str, value: float) -> tuple[list[Finding], str]:
    """Report 01's conclusions block: the findings and the one-line summary for the index.

    Verdicts: every table balanced (``pass``, else ``fail``); the share of rows quarantined at
    most :data:`MAX_QUARANTINE_SHARE` (``pass``, else ``warn``); the programme's profiling rate
    meets the rule (``pass``, else ``fail``, also when no household is eligible); no village
    fails the rule (``pass``, else ``warn``). The data are fit to use when the tables balance and
    the quarantine share is within the threshold.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`calib.io.quality.load_summary`; reads ``rows_read``, ``rows_accepted``,
        ``rows_quarantined`` and ``balanced``.
    coverage : pandas.DataFrame
        :func:`calib.io.quality.coverage_by_village`, one row per village; reads ``households``,
        ``eligible_households`` and ``profiled``.
    op, value : str, float
        The credit-village standard's profiling rule of the parameters
        (``P.credit_village.profiling_rate.op`` and ``.value``).

    Returns
    -------
    (list of Finding, str)
        The findings and the summary, in the current language, for
        ``report.conclude(*conclusions(...))``.
    """
    f = _figures(summary, coverage, op, value)
    rw = rule_words(op, value)
    quarantine = quarantine_verdict(f["share"])
    share = fmt.pct(f["share"], 2)
    rate = fmt.pct(f["rate"])
    below = fmt.count(f["below"])
    findings = [
        Finding(t("nb01.c.balance"),
                t("nb01.c.balance_fig", read=fmt.count(f["read"]), accepted=fmt.count(f["accepted"]),
                  quarantined=fmt.count(f["quarantined"])),
                t("nb01.c.balance_rule"), "pass" if f["balanced"] else "fail"),
        Finding(t("nb01.c.quarantine"), share,
                t("nb01.c.quarantine_rule", **threshold_words()), quarantine),
        Finding(t("nb01.c.profiling"), rate, t("nb01.c.profiling_rule", **rw),
                "pass" if f["overall_verdict"] == "pass" else "fail"),
        Finding(t("nb01.c.villages_below", **rw),
                t("nb01.c.villages_below_fig", below=below, villages=fmt.count(f["villages"])),
                t("nb01.c.profiling_rule", **rw), "pass" if f["below"] == 0 else "warn"),
    ]
    fit = f["balanced"] and quarantine == "pass"
    text = t("nb01.summary_fit" if fit else "nb01.summary_unfit", quarantined=fmt.count(f["quarantined"]),
             share=share, rate=rate, below=below, **rw)
    return findings, text


def metrics(summary: pd.DataFrame, coverage: pd.DataFrame, op: str, value: float) -> dict[str, Any]:
    """Report 01's headline figures, in the order the index shows them (``report.record_all``).

    Parameters
    ----------
    summary, coverage, op, value
        As :func:`conclusions`: the load summary (``rows_read``, ``rows_quarantined``,
        ``balanced``), the coverage by village (``households``, ``eligible_households``,
        ``profiled``) and the profiling rule.

    Returns
    -------
    dict
        ``rows_read``, ``rows_quarantined``, ``tables_balanced``, ``villages``, ``households``,
        ``eligible_households``, ``profiling_rate`` (all villages together) and
        ``villages_below_90pct_profiling`` (villages failing the rule, whatever its value: the
        key keeps its name).
    """
    f = _figures(summary, coverage, op, value)
    return {
        "rows_read": int(f["read"]),
        "rows_quarantined": int(f["quarantined"]),
        "tables_balanced": f["balanced"],
        "villages": f["villages"],
        "households": int(f["households"]),
        "eligible_households": int(f["eligible"]),
        "profiling_rate": float(f["rate"]),
        "villages_below_90pct_profiling": f["below"],
    }
