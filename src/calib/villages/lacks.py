"""What each village still lacks: the smallest change that meets each failed criterion."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.villages._exact import ints, ratio
from calib.villages.certify import county, threshold, village_rows
from calib.villages.rules import (
    QUALITATIVE_CRITERIA,
    RATIO,
    VILLAGE_CRITERIA,
    validate_village_rules,
)

__all__ = ["nearest_to_certification"]


def _needed_change(num, den, op: str, p, q) -> np.ndarray:
    """Smallest integer change of ``num`` (den fixed) that makes ``num/den op p/q`` true.

    Positive: increase needed (ops > / >=); negative: decrease needed (ops < / <=); 0 when met.
    """
    num = np.asarray(num, dtype=object)
    den = np.asarray(den, dtype=object)
    pn = p * den
    if op == ">":
        need = pn // q + 1 - num
    elif op == ">=":
        need = -((-pn) // q) - num
    elif op == "<=":
        need = pn // q - num
    else:  # "<"
        need = -((-pn) // q) - 1 - num
    if op in (">", ">="):
        return np.array([max(int(x), 0) for x in need], dtype=object)
    return np.array([min(int(x), 0) for x in need], dtype=object)


def _needed_default_change(d, t, op: str, p, q) -> np.ndarray:
    """Smallest signed change ``y`` (cents) of the defaulted balance, the total drawn balance
    moving with it, so that ``(d + y) / (t + y)  op  p / q``; 0 when met.

    Negative for a rule that asks the NPL ratio down (``<``, ``<=``): ``-y`` of defaulted balance
    recovered or written off, which lowers both balances. Positive for one that asks it up
    (``>``, ``>=``, a bank's choice or a mistake of the parameters): ``y`` more defaulted balance
    lent, the mirror of a recovery. With ``(d + y) q  vs  p (t + y)``, i.e. ``y (q - p)  vs
    p t - d q``, and ``p < q``. 0 when no finite change meets the rule (a threshold of 100% or
    more: the ratio never exceeds 1).
    """
    d = np.asarray(d, dtype=object)
    t = np.asarray(t, dtype=object)
    if p >= q:
        return np.zeros(len(d), dtype=object)
    gap = q - p
    short = p * t - d * q  # y (q - p) must reach it (ops > / >=) or stay under it (ops < / <=)
    if op == ">=":
        return np.array([max(int(-((-v) // gap)), 0) for v in short], dtype=object)
    if op == ">":
        return np.array([max(int(v // gap + 1), 0) for v in short], dtype=object)
    if op == "<=":
        return np.array([min(int(v // gap), 0) for v in short], dtype=object)
    return np.array([min(int(-((-v) // gap) - 1), 0) for v in short], dtype=object)  # "<"


def _lack_of(c: str, v: pd.DataFrame, r: dict, cty: dict, fail: np.ndarray) -> tuple[np.ndarray, float]:
    """(signed needed change, threshold) of quantitative criterion ``c``: households or persons
    (an int), or for the NPL criteria yuan of defaulted balance (a float)."""
    num_col, den_col = RATIO[c]
    op, p, q, thr = threshold(c, r, cty)
    npl = c in ("npl_ratio", "npl_vs_county")
    if not q:
        need = np.zeros(len(v), dtype=object)
    elif npl:
        need = _needed_default_change(ints(v[num_col]), ints(v[den_col]), op, p, q)
    else:
        need = _needed_change(ints(v[num_col]), ints(v[den_col]), op, p, q)
    need = np.where(fail, need, 0)
    return (need.astype(float) / 100.0 if npl else need.astype(np.int64)), thr


def nearest_to_certification(
    verdicts: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    top: int | None = 10,
    lang: str | None = None,
) -> pd.DataFrame:
    """Villages not (yet) certified, nearest first, with what each lacks in the reader's words.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Output of :func:`certify_villages`.
    kpis : pandas.DataFrame
        The same snapshot of :func:`programme_kpis`.
    rules : mapping, optional
        ``params["credit_village"]`` (the rules the verdicts were made with).
    top : int or None
        How many villages to return (``None``: all not certified).
    lang : {"zh-CN", "en"}, optional
        The language of ``lacks``; default: the run's (the catalogue's current language).

    Returns
    -------
    pandas.DataFrame
        Columns ``township``, ``village``, ``status``, ``n_lacking`` (criteria failed, without
        data or not assessed), ``n_unmeasured`` (of those, the criteria without a figure to
        compare: without data, or qualitative and not passed), ``gap_figures`` (sum over the
        failed quantitative criteria of the distance between figure and threshold, a
        difference of ratios: 0.01 is one percentage point), ``lacks`` (what the village lacks,
        in the words the report's pages use, :func:`calib.report.words.lacks`: ``"需增加 3 户已建档农户；
        不良率：需收回违约余额 12,000.00 元"``), and for each quantitative criterion ``c`` the
        column ``c_needed`` (signed change of the numerator: households or persons, or yuan of
        defaulted balance, negative to recover; 0 when met).

    Notes
    -----
    Each change is the smallest one that meets the criterion, computed exactly in integers with
    the other counts held fixed: more profiled households with the eligible households
    unchanged; more credited households with the profiled ones unchanged; more A-or-better
    households or households with a loan with the village's households unchanged; fewer of them
    under a rule that asks a share down (``<``, ``<=``). NPL falls by recovery or write-off of
    defaulted balance, which lowers the defaulted and the total drawn balance alike: the amount
    ``x`` solves ``(d - x) / (t - x) <= p / q``. Under a rule that asks the NPL ratio up (``>``,
    ``>=``) the change is the mirror, more defaulted balance (``npl_ratio_needed`` positive), and the
    words state the rule the figure fails (``不良率（余额）：未超过 2%``). County averages are
    held at their current value (one village's change moves them only slightly). Villages are
    ordered by ``n_lacking``, then ``n_unmeasured``, then ``gap_figures`` (a count of criteria
    and a distance between ratios are kept apart, never added).
    """
    r = validate_village_rules(rules)
    v = village_rows(kpis)
    cty = county(v, r)
    key = pd.MultiIndex.from_frame(v[["township", "village"]].astype(str))
    vv = verdicts.copy()
    vv.index = pd.MultiIndex.from_frame(vv[["township", "village"]].astype(str))
    vv = vv.reindex(key)
    if vv["certified"].isna().any():
        raise CalibInputError("verdicts and kpis do not cover the same villages")
    unit = str(kpis["unit"].iloc[0]) if "unit" in kpis else "household"
    n = len(v)
    gap = np.zeros(n)
    n_unmeasured = np.zeros(n, dtype=np.int64)
    n_lacking = np.zeros(n, dtype=np.int64)
    res = pd.DataFrame({"township": v["township"], "village": v["village"],
                        "status": vv["status"].to_numpy()})

    for c in VILLAGE_CRITERIA:
        verdict = vv[c].to_numpy(dtype=object)
        fail, nodata = verdict == "fail", verdict == "no data"
        res[f"{c}_needed"], thr = _lack_of(c, v, r, cty, fail)
        fig = ratio(v[RATIO[c][0]], v[RATIO[c][1]]).to_numpy()
        gap += np.where(fail, np.abs(fig - thr), 0.0)
        n_unmeasured += nodata.astype(np.int64)
        n_lacking += (fail | nodata).astype(np.int64)
    for c in QUALITATIVE_CRITERIA:
        bad = vv[c].to_numpy(dtype=object) != "pass"
        n_unmeasured += bad.astype(np.int64)
        n_lacking += bad.astype(np.int64)
    res["n_lacking"] = n_lacking
    res["n_unmeasured"] = n_unmeasured
    res["gap_figures"] = gap
    res = res.loc[~vv["certified"].to_numpy(dtype=bool)]
    res = res.sort_values(["n_lacking", "n_unmeasured", "gap_figures", "township", "village"], kind="stable")
    cols = ["township", "village", "status", "n_lacking", "n_unmeasured", "gap_figures"] + [
        f"{c}_needed" for c in VILLAGE_CRITERIA]
    res = res[cols].reset_index(drop=True)
    res = res if top is None else res.head(top)
    from calib.report.words import lacks  # the one wording; on use: importing calib.villages stays light

    res.insert(res.columns.get_loc("gap_figures") + 1, "lacks",
               lacks(res, verdicts, QUALITATIVE_CRITERIA, VILLAGE_CRITERIA, rules=r, unit=unit,
                     lang=lang).astype("string"))
    return res
