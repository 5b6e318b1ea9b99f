"""Verdict tables of the credit-village report in the reader's words.

:func:`verdict_grid` shows one row per village (or township) and one column per criterion,
each cell the verdict and the figure ("通过 68.8%"), coloured by verdict, the heading carrying
the rule. :func:`lacks` states what a village still lacks, from the ``<criterion>_needed``
columns of :func:`calib.villages.nearest_to_certification`, in words. :func:`reason_counts`
counts the reasons of flagged rows ("偏袒 38，评议本户 24；其中 1 人有多个原因") so that the
counts add up for a reader.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.report import fmt
from calib.report.display import VERDICT_CLASS, Table, _format_column, _header, mark_labels
from calib.report.labels import column_label, get_lang, t, value_label
from calib.villages.rules import figure_digits, rule_pct, validate_village_rules

__all__ = ["verdict_grid", "grid_words", "lacks", "reason_tally", "reason_counts", "OPS", "op_words", "rule_words", "share_words", "target_words", "param_words",
           "spaced", "bridge_words", "grants_words", "schedule_words"]

OPS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "yes": ""}

_NOUN = {"a_or_better_share": "noun.a_or_better", "profiling_rate": "noun.profiled",
         "credit_rate": "noun.credited", "loan_share_vs_county": "noun.with_loan"}
#: The criteria whose counts follow the kpis' unit (households or eligible persons); the others
#: always count households.
_PER_UNIT = ("profiling_rate", "credit_rate")


#: How a rule ``figure op value`` and its failure read, by language: (meets, fails). The one
#: table of these words: a threshold's rule and a county-relative one (``不良率低于全县``) alike,
#: and the parameter table's reading of an operator. Symmetric: a rule states a standard
#: (``不低于``, ``高于``), its failure the figure found. An inclusive rule fails by the strict
#: comparison the other way (``≥`` fails ``低于``, which is ``<``'s rule; ``≤`` fails ``高于``,
#: ``>``'s), a strict one fails by not reaching it (``未超过``, ``未低于``; ``not above``, ``not below``).
_RULE_WORDS = {"zh-CN": {">=": ("不低于", "低于"), ">": ("高于", "未超过"), "<=": ("不高于", "高于"),
                         "<": ("低于", "未低于")},
               "en": {">=": ("at least", "below"), ">": ("above", "not above"), "<=": ("at most", "above"),
                      "<": ("below", "not below")}}


def op_words(op: str, lang: str | None = None) -> tuple[str, str]:
    """An operator of the parameters in the reader's words, alone: (meets, fails), from the one
    table of these words (:func:`rule_words` joins them to the threshold).

    Parameters
    ----------
    op : {">", ">=", "<", "<="}
        The rule's operator.
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> op_words(">", "zh-CN"), op_words("<", "en")
    (('高于', '未超过'), ('below', 'not below'))
    """
    return _RULE_WORDS["en" if (lang or get_lang()) == "en" else "zh-CN"][op]


#: A Chinese character beside a Latin letter, a digit or a Greek letter, either way round.
_CJK_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9\u0391-\u03c9])|(?<=[A-Za-z0-9\u0391-\u03c9])(?=[\u4e00-\u9fff])")


def spaced(text: str) -> str:
    """``text`` with the house spacing where a placeholder joined a Chinese run to a Latin,
    number or Greek one: a space between them ("各村 ICC(A,k) 小组信度分布", "需增加 1 户 A 级及以上农户").
    Full-width punctuation keeps no space; English text is unchanged.

    >>> spaced("各村Krippendorff α分布"), spaced("需增加 1 户A 级及以上农户")
    ('各村 Krippendorff α 分布', '需增加 1 户 A 级及以上农户')
    """
    return _CJK_LATIN.sub(" ", text)


def share_words(value: float | None) -> str | None:
    """A threshold share of the parameters as every page writes it: whole percentages without
    decimals ("90%"), others with one ("2.5%"); None when there is no value (a qualitative rule).

    >>> share_words(0.9), share_words(0.025), share_words(None)
    ('90%', '2.5%', None)
    """
    if value is None or value != value:
        return None
    return rule_pct(value)  # the one rule (the villages' texts use it too)


def rule_words(op: str, value: float | None, lang: str | None = None) -> dict[str, str]:
    """A rule of the parameters in the reader's words, for the catalogue's placeholders: ``pct``
    (``90%``), ``rule`` (``≥ 90%``), ``meets`` (``不低于 90%``), ``fails`` (``低于 90%``).

    Parameters
    ----------
    op : {">", ">=", "<", "<="}
        The rule's operator, as the parameters give it.
    value : float or None
        The threshold share; None for a rule against the county's figure (the county-relative
        criteria ``loan_share_vs_county``, ``npl_vs_county``: the programme pooled, or the
        parameters' county figure), whose words name the county instead of a share
        (``pct`` ``全县``, ``rule`` ``< 全县``, ``meets`` ``低于全县``, ``fails`` ``未低于全县``).
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    dict of str

    Examples
    --------
    >>> rule_words(">=", 0.9, "zh-CN")["fails"]
    '低于 90%'
    >>> rule_words("<", None, "zh-CN")["meets"], rule_words("<", None, "en")["fails"]
    ('低于全县', "not below the county's")
    """
    lg = "en" if (lang or get_lang()) == "en" else "zh-CN"
    what = t("rule.county", lg) if value is None else share_words(value)
    meets, fails = op_words(op, lg)
    joined = (lambda w: f"{w} {what}") if lg == "en" else (lambda w: spaced(f"{w}{what}"))
    return {"pct": what, "rule": f"{OPS[op]} {what}", "meets": joined(meets), "fails": joined(fails)}


def target_words(value: float | None, lang: str | None = None) -> str:
    """A final target of the parameters (``targets.credit_coverage_final``, ``usage_final``) as
    the pages state it: ``≥ 80%``, or ``未设定`` (``not set``) when the parameters set none; a
    page then compares nothing with it.

    >>> target_words(0.8, "zh-CN"), target_words(None, "zh-CN"), target_words(None, "en")
    ('≥ 80%', '未设定', 'not set')
    """
    if value is None or value != value:
        return t("not set", lang or get_lang())
    return rule_words(">=", value, lang)["rule"]


def _num(x: float) -> str:
    """A ratio bound as the parameters write it (0.67, 1.5)."""
    return f"{float(x):g}"


def param_words(params=None, lang: str | None = None) -> dict[str, str]:
    """The run's rules and thresholds in the reader's words, for texts that state them (the
    methods appendices, the conclusions' rules): never a default written into a text.

    Parameters
    ----------
    params : calib.params.Params, optional
        The run's validated parameters; None uses every block's defaults.
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    dict of str
        ``min_age``, ``max_age``, ``excluded`` (the excluded statuses and bad record, joined),
        ``band`` (``[0.67, 1.5]``), ``a_share``, ``profiling``, ``credit_rate``, ``npl``
        (each credit-village rule as ``> 55%``), ``loan_share_vs_county``, ``npl_vs_county``
        (the credit village's county-relative rules, ``高于全县``, ``低于全县``: :func:`rule_words`'
        ``meets``), ``township_npl_vs_county`` (the credit township's), ``township_share``, ``coverage_target``,
        ``usage_target`` (``≥ 80%``, or ``未设定``: :func:`target_words`) and ``schedule`` (the
        points-loan schedule in a sentence).

    Examples
    --------
    >>> param_words(lang="zh-CN")["a_share"], param_words(lang="en")["band"]
    ('> 55%', '[0.67, 1.50]')
    """
    from calib.params.schema import Params

    en = (lang or get_lang()) == "en"
    lg = "en" if en else "zh-CN"
    if params is None:
        defaults = {k: f.get_default(call_default_factory=True) for k, f in Params.model_fields.items()
                    if not f.is_required()}
        params = Params.model_construct(**defaults)
    el, rec, cv, ct, tg = (params.eligibility, params.reconciliation, params.credit_village,
                           params.credit_township, params.targets)
    excluded = [value_label(s, lg) for s in el.exclude_status] + ([value_label("bad_record", lg)]
                                                                  if el.exclude_bad_record else [])
    excluded = [w.lower() for w in excluded] if en else excluded  # inside a sentence

    def rule(r) -> str:
        r = r if isinstance(r, Mapping) else r.model_dump()
        return rule_words(r["op"], r["value"], lg)["rule"]

    def county(r) -> str:  # against the county's figure, whether pooled or fixed by the parameters
        r = r if isinstance(r, Mapping) else r.model_dump()
        return rule_words(r["op"], None, lg)["meets"]

    out = {"min_age": str(el.min_age), "max_age": str(el.max_age),
           "excluded": fmt.join(excluded, lg) if excluded else ("none" if en else "无"),
           "band": fmt.ci(rec.band_low, rec.band_high, "num2"),  # as report 03's texts: [0.67, 1.50]
           "a_share": rule(cv.a_or_better_share), "profiling": rule(cv.profiling_rate),
           "credit_rate": rule(cv.credit_rate), "npl": rule(cv.npl_ratio),
           "loan_share_vs_county": county(cv.loan_share_vs_county), "npl_vs_county": county(cv.npl_vs_county),
           "township_npl_vs_county": county(ct.npl_vs_county),
           "township_share": rule(ct.credit_village_share),
           "coverage_target": target_words(tg.credit_coverage_final, lg),
           "usage_target": target_words(tg.usage_final, lg)}
    out["schedule"] = schedule_words(params.points_loan.schedule, lg)
    return out


def schedule_words(schedule, lang: str | None = None) -> str:
    """A points-loan schedule in one sentence, in the run's language (``lang``: default the
    catalogue's current one); see :func:`_schedule_words`.

    Parameters
    ----------
    schedule : calib.pricing.Schedule
        The schedule (``points_loan.schedule`` of the parameters, or a recommended one).
    lang : str, optional
        ``zh-CN`` or ``en``.

    Returns
    -------
    str
    """
    return _schedule_words(schedule, (lang or get_lang()) == "en")


def _schedule_words(s, en: bool) -> str:
    """A points-loan schedule in one sentence, its discounts as report 05 writes them (three
    decimals: 0.100%): base rate, discount per step or each band's, caps. Report 05's setup line
    and methods appendix say it in these words (a banded schedule with its bands listed).

    Examples
    --------
    >>> from calib.pricing import Schedule
    >>> _schedule_words(Schedule(base_rate=0.05, step_points=100, step_discount=0.001), False)
    '基准利率 5.00%，每 100 分优惠 0.100%（按比例）'
    >>> _schedule_words(Schedule(base_rate=0.05, bands=[{"points": 200, "discount": 0.002},
    ...                                                  {"points": 400, "discount": 0.004}]), True)
    'Base rate 5.00%, discounts by points band: 0.200% from 200 points, 0.400% from 400 points'
    """
    base = fmt.rate(s.base_rate)  # as the pages state it
    off = lambda x: fmt.pct(x, 3)  # noqa: E731  (a discount, as report 05 writes it)
    if s.bands:
        if en:
            text = f"Base rate {base}, discounts by points band: " + ", ".join(
                f"{off(b.discount)} from {t('word.points', 'en', n=fmt.points(b.points))}" for b in s.bands)
        else:
            text = f"基准利率 {base}，分档优惠：" + "，".join(f"{fmt.points(b.points)} 分起 {off(b.discount)}" for b in s.bands)
    else:
        how = ("proportional" if s.proportional else "by whole steps") if en else ("按比例" if s.proportional else "按整档")
        text = (f"Base rate {base}, {off(s.step_discount)} off per {t('word.points', 'en', n=fmt.points(s.step_points))} ({how})" if en
                else f"基准利率 {base}，每 {fmt.points(s.step_points)} 分优惠 {off(s.step_discount)}（{how}）")
    if s.max_discount is not None:
        text += f", at most {off(s.max_discount)} off" if en else f"，最多优惠 {off(s.max_discount)}"
    if s.floor_rate is not None:
        text += f", never below {fmt.rate(s.floor_rate)}" if en else f"，利率不低于 {fmt.rate(s.floor_rate)}"
    return text


def _figure_pct(criterion: str, x: float) -> str:
    """A criterion's measured figure: NPL ratios with two decimals, other shares with one."""
    return fmt.pct(x, figure_digits(criterion))


def _head(c: str, op: str | None, thr: pd.Series | None) -> str:
    """A criterion's heading with its rule: a threshold of the parameters as the rules write
    it (``≥ 90%``), the county's figure (a measured share) with one decimal, as the texts give it."""
    head = column_label(c)
    if op and OPS.get(op) and thr is not None and thr.notna().any() and thr.nunique() == 1:
        value = float(thr.dropna().iloc[0])
        # a county's figure is measured: written as the criterion's figures are
        shown = _figure_pct(c, value) if c.endswith("_vs_county") else share_words(value)
        head += f" {OPS[op]} {shown}"
    elif op and OPS.get(op):
        head += f" {OPS[op]} {t('word.county')}"
    return head


def _status_code(x: Any) -> Any:
    """A status cell's verdict code: a township's ``certified`` (True / False) as ``certified`` /
    ``not certified``, a village's ``status`` as it is."""
    if isinstance(x, (bool, np.bool_)):
        return "certified" if x else "not certified"
    return x


def _grid_layout(verdicts: pd.DataFrame, criteria: Sequence[str] | None, ops: Mapping[str, str] | None,
                 rules: Mapping[str, Any] | None, keys: Sequence[str] | None,
                 status: str | None) -> tuple[list[str], Mapping[str, str], list[str], str | None]:
    """The grid's criteria, operators, key columns and status column: from the validated rules
    block (:func:`calib.villages.criteria_table`) unless given, the keys and status by level."""
    from calib.villages.certify import criteria_table

    township = "village" not in verdicts
    if rules is not None or ops is None:
        if ops is not None:
            raise CalibInputError("verdict grid: give the rules block or the operators, not both")
        if rules is None and criteria is not None:
            raise CalibInputError("verdict grid: give the criteria's operators or the rules block")
        table = criteria_table(rules, level="township" if township else "village")
        ops = dict(zip(table["criterion"], table["op"]))
        unknown = [c for c in (criteria or ()) if c not in ops]
        if unknown:
            raise CalibInputError(f"verdict grid: no rule for {', '.join(unknown)}")
    criteria = [c for c in ops if c in verdicts] if criteria is None else list(criteria)
    if keys is None:
        keys = ("township", "n_villages", "n_credit_villages") if township else ("township", "village")
        keys = [k for k in keys if k in verdicts]
    if status is None:
        status = "certified" if township else "status"
        status = status if status in verdicts else None
    return criteria, ops, list(keys), status or None


def grid_words(verdicts: pd.DataFrame, criteria: Sequence[str] | None = None,
               ops: Mapping[str, str] | None = None, *, rules: Mapping[str, Any] | None = None,
               keys: Sequence[str] | None = None,
               status: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The verdict grid in the reader's words, worded here once for the report's
    :func:`verdict_grid` and the interactive :func:`calib.villages.verdict_grid`: the
    catalogue's words in the run's language.

    Parameters
    ----------
    verdicts : DataFrame
        From ``villages.certify_villages`` / ``certify_townships``: per criterion ``c`` the
        verdict column ``c`` (``pass``, ``fail``, ``no data``, ``not assessed``) and, for
        figures, ``c_figure`` and ``c_threshold``.
    criteria : sequence of str, optional
        The criteria, in order; default: every criterion of the rules the verdicts hold.
    ops : mapping, optional
        Criterion -> operator (``>``, ``>=``, ``<``, ``<=``, ``yes``) for a grid not made from
        a rules block; not with ``rules``.
    rules : mapping, optional
        The ``credit_village`` (or, for township verdicts, ``credit_township``) block the
        verdicts were made with (None: the defaults): the criteria and their operators, as the
        headings state them, come from it validated.
    keys : sequence of str, optional
        Columns shown first; default ``township``, ``village`` (townships: ``township``,
        ``n_villages``, ``n_credit_villages``), those the verdicts hold.
    status : str, optional
        Column shown last; default ``status`` (townships: ``certified``); ``""`` for none.

    Returns
    -------
    words : DataFrame
        The keys under the catalogue's headings; one column per criterion headed with its rule
        (``建档率 ≥ 90%``; a county-relative one with the county's figure, ``不良率（对比全县） <
        2.78%``), each cell the verdict in words and the figure (``通过 95.7%``, an NPL ratio
        with two decimals; a qualitative criterion the verdict alone); the status in words.
    codes : DataFrame
        Same index and columns: each criterion cell's verdict code, each status cell's
        (``certified``, ``not certified``, ``pending assessment``; a township's True / False as
        ``certified`` / ``not certified``), None in the keys. Colours follow these codes, never
        the words.
    """
    criteria, ops, keys, status = _grid_layout(verdicts, criteria, ops, rules, keys, status)
    v = verdicts.reset_index(drop=True)
    data, codes = {}, {}
    for k in keys:
        data[_header(k)], codes[_header(k)] = _format_column(v[k], "text")[0], pd.Series(None, index=v.index, dtype=object)
    for c in criteria:
        code = v[c].astype(object)
        cell = code.map(lambda x: str(value_label(x)))
        fig = v.get(f"{c}_figure")
        if fig is not None:
            cell = cell + " " + fig.map(lambda x, c=c: _figure_pct(c, x))
        head = _head(c, ops.get(c), v.get(f"{c}_threshold"))
        data[head], codes[head] = cell, code
    if status:
        data[_header(status)] = v[status].map(lambda x: fmt.cell(x, None))
        codes[_header(status)] = v[status].map(_status_code).astype(object)
    return pd.DataFrame(data, index=v.index), pd.DataFrame(codes, index=v.index)


def verdict_grid(verdicts: pd.DataFrame, criteria: Sequence[str] | None = None,
                 ops: Mapping[str, str] | None = None, *, rules: Mapping[str, Any] | None = None,
                 keys: Sequence[str] | None = None, status: str | None = None,
                 max_rows: int | None = None, file: str | None = None) -> Table:
    """One row per unit, one column per criterion: verdict and figure, coloured, escaped.

    Parameters
    ----------
    verdicts, criteria, ops, rules, keys, status
        As in :func:`grid_words` (the words and verdict codes of the cells): a report passes
        ``rules``, the block the verdicts were made with, so that no heading states another
        operator than the one applied.
    max_rows, file : as in :func:`calib.report.display.table`.

    Returns
    -------
    Table
        The cells coloured by their verdict codes (:data:`calib.report.display.VERDICT_CLASS`).
    """
    shown = verdicts if max_rows is None else verdicts.head(max_rows)
    criteria, ops, keys, status = _grid_layout(shown, criteria, ops, rules, keys, status)
    data, codes = grid_words(shown, criteria, ops, keys=keys, status=status or "")
    classes = [_format_column(shown[k].reset_index(drop=True), "text")[1] for k in keys]
    classes += [codes.iloc[:, i].map(lambda x: VERDICT_CLASS.get(x, "na"))
                for i in range(len(keys), len(keys) + len(criteria))]
    if status:
        classes.append(codes.iloc[:, -1].map(lambda x: VERDICT_CLASS.get(x, "")))
    classes = pd.DataFrame(dict(zip(data.columns, classes)), index=data.index)
    notes = []
    if max_rows is not None and len(verdicts) > max_rows:
        notes.append(t("note.truncated_file" if file else "note.truncated", n=fmt.count(max_rows),
                       m=fmt.count(len(verdicts)), file=file or ""))
    # the keys (township, village) are the rows' labels: kept on one line
    kinds = ["text"] * len(keys) + [None] * (data.shape[1] - len(keys))
    return Table(data, verdicts, mark_labels(data, classes, kinds), notes)


def lacks(near: pd.DataFrame, verdicts: pd.DataFrame, qualitative: Sequence[str],
          figures: Sequence[str], *, rules: Mapping[str, Any] | None = None, unit: str = "household",
          lang: str | None = None) -> pd.Series:
    """What each village lacks, in words, from the ``<criterion>_needed`` columns: the one
    wording (:func:`calib.villages.nearest_to_certification`'s ``lacks`` column is this).

    Parameters
    ----------
    near : DataFrame
        ``villages.nearest_to_certification`` (``township``, ``village``, ``<c>_needed``).
    verdicts : DataFrame
        ``villages.certify_villages`` (qualitative verdicts per village).
    qualitative, figures : sequence of str
        The qualitative and the figure criteria.
    rules : mapping, optional
        The ``credit_village`` block the verdicts were made with (None: the defaults): a
        county-relative rule is named as it reads (``不良率低于全县：需收回违约余额 …``); an NPL
        rule that asks the ratio up, which no recovery meets, is stated as the figure fails it
        (``不良率（余额）：未超过 2%``).
    unit : {"household", "person"}
        What the kpis of the verdicts count: the profiling and credit-rate changes are in
        households or in eligible persons (A-or-better and loan share always count households).
    lang : {"zh-CN", "en"}, optional
        Default: the current language (:func:`calib.villages.conclusions` asks for its own).

    Returns
    -------
    Series of str, aligned with ``near``.
    """
    if unit not in ("household", "person"):
        raise CalibInputError(f"lacks: unit must be 'household' or 'person', got {unit!r}")
    lang = lang or get_lang()
    r = validate_village_rules(rules)
    v = verdicts.set_index(["township", "village"])
    colon, semi = (": ", "; ") if lang == "en" else ("：", "；")
    out = []
    for row in near.itertuples(index=False):
        d = row._asdict()
        parts = []
        qv = v.loc[(d["township"], d["village"])] if (d["township"], d["village"]) in v.index else {}
        for c in figures:
            need = d.get(f"{c}_needed", 0) or 0
            if c in ("npl_ratio", "npl_vs_county") and need < 0:
                rule = rule_words(r[c]["op"], None, lang)["meets"] if c == "npl_vs_county" else ""
                parts.append(t(f"lack.{c}", lang, amount=fmt.number(abs(need), 2), rule=rule))
            elif c in ("npl_ratio", "npl_vs_county") and (need or (len(qv) and qv.get(c) == "fail")):
                # a rule that asks the ratio up (or that no recovery meets): the rule the figure fails
                value = None if c == "npl_vs_county" else r[c]["value"]
                parts.append(f"{column_label(c, lang)}{colon}{rule_words(r[c]['op'], value, lang)['fails']}")
            elif need:
                per, n = ("_persons" if unit == "person" and c in _PER_UNIT else ""), fmt.count(abs(need))
                parts.append(spaced(t(("lack.more" if need > 0 else "lack.fewer") + per, lang,  # the noun's form by n
                                      n=n, noun=t(_NOUN[c] + per, lang, n=n))))
        for c in list(figures) + list(qualitative):
            verdict = qv.get(c) if len(qv) else None
            if verdict in ("fail", "not assessed", "no data") and (c in qualitative or verdict == "no data"):
                parts.append(f"{column_label(c, lang)}{colon}{value_label(verdict, lang)}")
        out.append(semi.join(parts) if parts else fmt.MISSING)
    return pd.Series(out, index=near.index, name="lacks")


def reason_tally(reasons: pd.Series, *, sep: str = ";") -> pd.Series:
    """How many flagged rows carry each reason code (cells of codes joined by ``sep``, e.g.
    ``"partial;self_review"``), indexed by code: the one count a page's sentences, its
    conclusions (:func:`reason_counts`) and its recorded figures share."""
    codes = reasons.dropna().astype(str).str.split(sep).explode().str.strip()
    return codes[codes != ""].value_counts().sort_index()


def reason_counts(reasons: pd.Series, order: Sequence[str], *, sep: str = ";") -> str:
    """How many flagged rows carry each reason, in words, and how many carry several (a
    reader who adds the counts then finds the total).

    Parameters
    ----------
    reasons : Series of str
        One cell per flagged row: reason codes joined by ``sep`` (e.g. ``consensus``'s
        ``flag_reason``, ``"partial;self_review"``).
    order : sequence of str
        The codes in the order they are named; a code with no row is left out, a code not in
        ``order`` is named after them.

    Returns
    -------
    str
        E.g. ``"偏袒 38，评议本户 24；其中 1 人有多个原因"`` (``"partial 38, own household 24; 1 with
        more than one reason"`` in English); ``""`` when no row is flagged.
    """
    codes = reasons.dropna().astype(str).str.split(sep)
    counts = reason_tally(reasons, sep=sep)
    named = [c for c in order if counts.get(c, 0)] + sorted(c for c in counts.index if c not in order)
    comma = ", " if get_lang() == "en" else "，"
    text = comma.join(f"{value_label(c)} {fmt.count(counts[c])}" for c in named)
    several = int((codes.map(lambda cs: len({c.strip() for c in cs if c.strip()})) > 1).sum())
    if several:
        text += t("word.several_reasons", k=fmt.count(several))
    return text


def bridge_words(bridge: pd.DataFrame, comparison: pd.DataFrame) -> dict[str, str]:
    """Report 03's figures of the limit bridge as its texts state them.

    Parameters
    ----------
    bridge : DataFrame
        :func:`calib.compare.limit_bridge` of ``comparison``.
    comparison : DataFrame
        :func:`calib.compare.compare_limits` (for the ineligible households' split into
        white-listed, declined by the panel and not reviewed: :func:`calib.compare.declined_counts`).

    Returns
    -------
    dict
        The placeholders of ``nb03.reconcile.summary``, ``nb03.summary`` and the decision rows
        (``final``, ``consensus``, ``ratio``, ``change``, ``elig``, ``policy``, ``band``, ``prov``,
        ``n_prov``, ``prov_total``, ``n_out``, ``n_above``, ``n_below``, ``prov_total_out``,
        ``n_dec``, ``prov_total_dec``, ``eligible_who``, ``unconfirmed``), in words.
    """
    from calib.compare import bridge_totals, declined_counts

    b = bridge_totals(bridge)
    d = declined_counts(comparison)  # the ineligible households: white-listed, declined or not reviewed
    return dict(
        final=fmt.wan(b["total_final"]), consensus=fmt.wan(b["total_consensus"]),
        ratio=fmt.pct(b["total_final"] / b["total_consensus"]), change=fmt.change(b["limit_change"]),
        elig=fmt.wan(-b["eligibility"]), policy=fmt.change(b["policy"]), band=fmt.change(b["band_rule"]),
        prov=fmt.change(b["provisional"]), n_prov=fmt.count(b["households_provisional"]),
        prov_total=fmt.wan(b["provisional_total"]), n_out=fmt.count(b["households_outside_band"]),
        n_above=fmt.count(b["households_above_band"]), n_below=fmt.count(b["households_below_band"]),
        prov_total_out=fmt.wan(b["provisional_outside_band"]), n_dec=fmt.count(b["households_declined_one_side"]),
        prov_total_dec=fmt.wan(b["provisional_declined"]),
        eligible_who=t("nb03.eligible_who", n=fmt.count(b["households_ineligible"]),
                       n_wl=fmt.count(d["ineligible_white_listed"]), n_k=fmt.count(d["ineligible_declined"]),
                       not_reviewed=t("nb03.eligible_not_reviewed", n=fmt.count(d["ineligible_not_reviewed"]))
                       if d["ineligible_not_reviewed"] else ""),
        unconfirmed=t("nb03.reconcile.unconfirmed", amount=fmt.change(b["unconfirmed"])) if b["unconfirmed"] else "")


def grants_words(grants: pd.DataFrame, comparison: pd.DataFrame) -> dict[str, str]:
    """Report 03's note under its grants table: every household as in the table or set apart,
    and the table's declined households against report 02's.

    Parameters
    ----------
    grants : DataFrame
        :func:`calib.compare.grant_crosstab` of ``comparison`` (row ``panel_declines``, column
        ``total``).
    comparison : DataFrame
        :func:`calib.compare.compare_limits` after :func:`calib.compare.apply_eligibility` (for
        :func:`calib.compare.set_apart_counts` and :func:`calib.compare.declined_counts`).

    Returns
    -------
    dict
        The placeholders of ``nb03.grants.note``, in words: ``n_all`` (every household),
        ``n_table`` (in the table), ``n_inel`` (no eligible member, set apart), ``missing`` (a
        clause for the eligible households with one limit missing), ``n_wl`` and ``k`` (of the
        households with no eligible member, white-listed and declined by the panel),
        ``not_reviewed`` (a clause for those never reviewed), ``both_limits`` (a clause for those
        with both limits: taken out of the table by the eligibility rules), ``declined`` (the
        table's declined households against report 02's: the same count said so, else the
        difference named by its parts, those declined with no eligible member and those declined
        with an eligible member and no model run, each only when there are some). A clause is
        empty when its count is 0. ``n_all = n_table + n_inel + `` the households with one limit
        missing; report 02's declined = the table's ``+ k +`` those declined with no model run.
    """
    from calib.compare import declined_counts, set_apart_counts

    a, d = set_apart_counts(comparison), declined_counts(comparison)

    def clause(key: str, n: int) -> str:
        return t(key, n=fmt.count(n)) if n else ""

    n03, n02 = int(grants.loc["panel_declines", "total"]), int(d["declined"])
    parts = [p for p in (clause("nb03.grants.declined_ineligible", d["ineligible_declined"]),
                         clause("nb03.grants.declined_no_run", d["declined_no_model_run"])) if p]
    declined = (t("nb03.grants.declined_same", n03=fmt.count(n03)) if n03 == n02 else
                t("nb03.grants.declined_gap", n03=fmt.count(n03), n02=fmt.count(n02), parts=t("nb03.grants.and").join(parts)))
    return dict(n_all=fmt.count(a["households"]), n_table=fmt.count(grants.loc["total", "total"]),
                n_inel=fmt.count(a["ineligible"]), missing=clause("nb03.grants.missing", a["one_limit_missing"]),
                n_wl=fmt.count(d["ineligible_white_listed"]), k=fmt.count(d["ineligible_declined"]),
                not_reviewed=clause("nb03.grants.not_reviewed", d["ineligible_not_reviewed"]),
                both_limits=clause("nb03.grants.both_limits", a["ineligible_both_limits"]), declined=declined)
