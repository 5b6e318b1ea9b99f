"""Verdict tables of the credit-village report in the reader's words.

:func:`verdict_grid` shows one row per village (or township) and one column per criterion,
each cell the verdict and the figure ("通过 68.8%"), coloured by verdict, the heading carrying
the rule. :func:`lacks` states what a village still lacks, from the ``<criterion>_needed``
columns of :func:`calib.villages.nearest_to_certification`, in words.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from calib.report import fmt
from calib.report.display import VERDICT_CLASS, Table, _format_column, _header, mark_labels
from calib.report.labels import column_label, get_lang, t, value_label

__all__ = ["verdict_grid", "lacks", "OPS", "rule_words"]

OPS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "yes": ""}
_NOUN = {"a_or_better_share": "noun.a_or_better", "profiling_rate": "noun.profiled",
         "credit_rate": "noun.credited", "loan_share_vs_county": "noun.with_loan"}


#: How a rule ``figure op value`` and its failure read, by language: (meets, fails).
_RULE_WORDS = {"zh-CN": {">=": ("不低于", "低于"), ">": ("高于", "不高于"), "<=": ("不高于", "高于"),
                         "<": ("低于", "不低于")},
               "en": {">=": ("at least", "below"), ">": ("above", "at most"), "<=": ("at most", "above"),
                      "<": ("below", "at least")}}


def rule_words(op: str, value: float, lang: str | None = None) -> dict[str, str]:
    """A share rule of the parameters in the reader's words, for the catalogue's placeholders:
    ``pct`` ("90%"), ``rule`` ("≥ 90%"), ``meets`` ("不低于 90%"), ``fails`` ("低于 90%").

    >>> rule_words(">=", 0.9, "zh-CN")["fails"]
    '低于 90%'
    """
    pct = fmt.pct(value, 0 if round(value * 100, 6) == round(value * 100) else 1)
    meets, fails = _RULE_WORDS["en" if (lang or get_lang()) == "en" else "zh-CN"][op]
    return {"pct": pct, "rule": f"{OPS[op]} {pct}", "meets": f"{meets} {pct}", "fails": f"{fails} {pct}"}


def _head(c: str, op: str | None, thr: pd.Series | None) -> str:
    head = column_label(c)
    if op and OPS.get(op) and thr is not None and thr.notna().any() and thr.nunique() == 1:
        head += f" {OPS[op]} {fmt.pct(thr.dropna().iloc[0])}"
    elif op and OPS.get(op):
        head += f" {OPS[op]} {t('word.county')}"
    return head


def verdict_grid(verdicts: pd.DataFrame, criteria: Sequence[str], ops: Mapping[str, str], *,
                 keys: Sequence[str] = ("township", "village"), status: str | None = "status",
                 max_rows: int | None = None, file: str | None = None) -> Table:
    """One row per unit, one column per criterion: verdict and figure, coloured, escaped.

    Parameters
    ----------
    verdicts : DataFrame
        From ``villages.certify_villages`` / ``certify_townships``: per criterion ``c`` the
        verdict column ``c`` (``pass``, ``fail``, ``no data``, ``not assessed``) and, for
        figures, ``c_figure`` and ``c_threshold``.
    criteria : sequence of str
        The criteria, in order.
    ops : mapping
        Criterion -> operator (``>``, ``>=``, ``<``, ``<=``, ``yes``), shown in the heading.
    keys, status : column names shown first / last.
    max_rows, file : as in :func:`calib.report.display.table`.

    Returns
    -------
    Table
    """
    shown = verdicts if max_rows is None else verdicts.head(max_rows)
    data, classes = {}, {}
    for k in keys:
        data[_header(k)], classes[_header(k)] = _format_column(shown[k].reset_index(drop=True), "text")
    for c in criteria:
        v = shown[c].reset_index(drop=True)
        fig = shown.get(f"{c}_figure")
        cell = v.map(lambda x: str(value_label(x)))
        if fig is not None:
            cell = cell + " " + fig.reset_index(drop=True).map(lambda x: fmt.pct(x))
        head = _head(c, ops.get(c), shown.get(f"{c}_threshold"))
        data[head], classes[head] = cell, v.map(lambda x: VERDICT_CLASS.get(x, "na"))
    if status:
        s = shown[status].reset_index(drop=True)
        data[_header(status)] = s.map(lambda x: fmt.cell(x, None))
        classes[_header(status)] = s.map(lambda x: VERDICT_CLASS.get("pass" if x is True else ("fail" if x is False else x), ""))
    notes = []
    if max_rows is not None and len(verdicts) > max_rows:
        notes.append(t("note.truncated_file" if file else "note.truncated", n=fmt.count(max_rows),
                       m=fmt.count(len(verdicts)), file=file or ""))
    frame = pd.DataFrame(data)
    # the keys (township, village) are the rows' labels: kept on one line
    kinds = ["text"] * len(keys) + [None] * (frame.shape[1] - len(keys))
    return Table(frame, verdicts, mark_labels(frame, pd.DataFrame(classes), kinds), notes)


def lacks(near: pd.DataFrame, verdicts: pd.DataFrame, qualitative: Sequence[str],
          figures: Sequence[str]) -> pd.Series:
    """What each village lacks, in words, from the ``<criterion>_needed`` columns.

    Parameters
    ----------
    near : DataFrame
        ``villages.nearest_to_certification`` (``township``, ``village``, ``<c>_needed``).
    verdicts : DataFrame
        ``villages.certify_villages`` (qualitative verdicts per village).
    qualitative, figures : sequence of str
        The qualitative and the figure criteria.

    Returns
    -------
    Series of str, aligned with ``near``.
    """
    v = verdicts.set_index(["township", "village"])
    colon, semi = (": ", "; ") if get_lang() == "en" else ("：", "；")
    out = []
    for row in near.itertuples(index=False):
        r = row._asdict()
        parts = []
        for c in figures:
            need = r.get(f"{c}_needed", 0) or 0
            if c in ("npl_ratio", "npl_vs_county") and need:
                parts.append(t(f"lack.{c}", amount=fmt.number(abs(need), 2)))
            elif need:
                parts.append(t("lack.more" if need > 0 else "lack.fewer", n=fmt.count(abs(need)), noun=t(_NOUN[c])))
        qv = v.loc[(r["township"], r["village"])] if (r["township"], r["village"]) in v.index else {}
        for c in list(figures) + list(qualitative):
            verdict = qv.get(c) if len(qv) else None
            if verdict in ("fail", "not assessed", "no data") and (c in qualitative or verdict == "no data"):
                parts.append(f"{column_label(c)}{colon}{value_label(verdict)}")
        out.append(semi.join(parts) if parts else fmt.MISSING)
    return pd.Series(out, index=near.index, name="lacks")
