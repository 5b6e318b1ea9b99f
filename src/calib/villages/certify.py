"""Verdicts: credit villages (信用村) and credit townships (信用乡镇), criterion by criterion.

Comparisons are exact in integers (see :mod:`calib.villages`); a criterion without data fails.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.errors import CalibInputError
from calib.villages._exact import cents, compare, exact_verdicts, frac, ints, ratio
from calib.villages.rules import (
    QUALITATIVE_CRITERIA,
    RATIO,
    TOWNSHIP_CRITERIA,
    VILLAGE_CRITERIA,
    validate_township_rules,
    validate_village_rules,
)

__all__ = ["criteria_table", "certify_villages", "certify_townships", "programme_verdicts"]


def village_rows(kpis: pd.DataFrame) -> pd.DataFrame:
    """The village rows of one snapshot of :func:`programme_kpis`, with balances in cents."""
    need = {"level", "township", "village", "n_households", "n_eligible", "n_profiled",
            "n_credited", "n_a_or_better", "n_borrowers", "total_balance", "defaulted_balance"}
    missing = need - set(kpis.columns)
    if missing:
        raise CalibInputError(f"kpis: missing column(s) {', '.join(sorted(missing))}")
    if "as_of" in kpis and kpis["as_of"].nunique() > 1:
        raise CalibInputError(
            "kpis: several as_of snapshots; select one (kpis[kpis.as_of == date])"
        )
    v = kpis.loc[kpis["level"] == "village"].copy()
    if v.empty:
        raise CalibInputError("kpis: no village rows (level == 'village')")
    v["_balance_cents"] = cents(v["total_balance"])
    v["_defaulted_cents"] = cents(v["defaulted_balance"])
    return v.reset_index(drop=True)


def _county_ratio(v: pd.DataFrame, given: Any, num: str, den: str) -> tuple[Any, Any, float]:
    """The county figure given in the rules, else the sum of ``num`` over that of ``den``."""
    if given is not None:
        f = frac(given)
        return f.numerator, f.denominator, float(f)
    p, q = int(v[num].sum()), int(v[den].sum())
    return p, q, p / q if q else np.nan


def county(v: pd.DataFrame, rules: dict) -> dict[str, tuple[Any, Any, float]]:
    """County loan share and NPL as exact (p, q, float)."""
    return {"loan_share": _county_ratio(v, rules.get("county_loan_share"), "n_borrowers",
                                        "n_households"),
            "npl": _county_ratio(v, rules.get("county_npl_ratio"), "_defaulted_cents",
                                 "_balance_cents")}


def threshold(crit: str, rules: dict, cty: dict) -> tuple[str, Any, Any, float]:
    """(op, p, q, float threshold) of a village criterion."""
    op = rules[crit]["op"]
    if crit == "loan_share_vs_county":
        return (op, *cty["loan_share"])
    if crit == "npl_vs_county":
        return (op, *cty["npl"])
    f = frac(rules[crit]["value"])
    return op, f.numerator, f.denominator, float(f)


def criteria_table(
    rules: Mapping[str, Any] | None = None, *, level: Literal["village", "township"] = "village"
) -> pd.DataFrame:
    """The rules as a table of codes and numbers: ``criterion``, ``op``, ``value``.

    The criterion is a code (``profiling_rate``): the pages and the workbooks word it from the
    catalogue (:func:`calib.report.labels.column_label`), in the run's language. ``value`` is
    NaN for the county-relative criteria unless params fix the county figure, and for the
    qualitative ones (``op`` is ``"yes"``).

    Parameters
    ----------
    rules : mapping, optional
        The ``credit_village`` (or ``credit_township``) parameter block; None: the defaults.
    level : {"village", "township"}
        Whose rules.

    Returns
    -------
    pandas.DataFrame
        One row per criterion, in report order.
    """
    if level == "village":
        r = validate_village_rules(rules)
        rows = []
        for c in VILLAGE_CRITERIA:
            val = r[c].get("value")
            val = np.nan if val is None else val
            if c == "loan_share_vs_county" and r["county_loan_share"] is not None:
                val = r["county_loan_share"]
            if c == "npl_vs_county" and r["county_npl_ratio"] is not None:
                val = r["county_npl_ratio"]
            rows.append((c, r[c]["op"], val))
        rows += [(c, "yes", np.nan) for c in QUALITATIVE_CRITERIA]
    else:
        r = validate_township_rules(rules)
        rows = [
            ("credit_village_share", r["credit_village_share"]["op"], r["credit_village_share"]["value"]),
            ("npl_vs_county", r["npl_vs_county"]["op"],
             r["county_npl_ratio"] if r["county_npl_ratio"] is not None else np.nan),
        ]
    return pd.DataFrame(rows, columns=["criterion", "op", "value"])


def join_names(flags: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Per row, the comma-separated names of the flags that are set."""
    out = np.full(n, "", dtype=object)
    for name, f in flags.items():
        sep = np.where(out == "", "", ", ")
        out = np.where(f, out + sep + name, out)
    return out


def _assessment_index(v: pd.DataFrame, assessments: pd.DataFrame) -> tuple:
    if "village" not in assessments:
        raise CalibInputError("village_assessments: missing column 'village'")
    keys = ["township", "village"] if "township" in assessments else ["village"]
    if assessments.duplicated(keys).any():
        dup = assessments.loc[assessments.duplicated(keys), "village"].astype(str).iloc[:5]
        raise CalibInputError(f"village_assessments: duplicated village(s) {', '.join(dup)}")
    if keys == ["village"] and v["village"].duplicated().any():
        raise CalibInputError(
            "village_assessments: village names repeat across townships; add a 'township' column"
        )
    known = pd.MultiIndex.from_frame(v[keys].astype(str))
    given = pd.MultiIndex.from_frame(assessments[keys].astype(str))
    extra = given.difference(known)
    if len(extra):
        raise CalibInputError(
            f"village_assessments: village(s) not in the figures: "
            f"{', '.join('/'.join(x) if isinstance(x, tuple) else str(x) for x in extra[:5])}"
        )
    return known, given


def _assessment_verdicts(v: pd.DataFrame, assessments: pd.DataFrame | None) -> pd.DataFrame:
    n = len(v)
    res = pd.DataFrame({c: np.full(n, "not assessed", dtype=object) for c in QUALITATIVE_CRITERIA})
    if assessments is None:
        return res
    known, given = _assessment_index(v, assessments)
    a = assessments.copy()
    a.index = given
    for c in QUALITATIVE_CRITERIA:
        if c not in a:
            continue
        try:
            col = a[c].astype("boolean")
        except (TypeError, ValueError):
            raise CalibInputError(
                f"village_assessments: column {c!r} must be yes/no (bool) or blank"
            ) from None
        col = col.reindex(known)
        res[c] = np.where(col.isna().to_numpy(), "not assessed",
                          np.where(col.fillna(False).to_numpy(dtype=bool), "pass", "fail"))
    return res


def _quantitative(v: pd.DataFrame, r: dict, out: pd.DataFrame) -> dict[str, np.ndarray]:
    """Fill ``c_figure``, ``c_threshold``, ``c`` for each village criterion; return failures."""
    cty = county(v, r)
    failed: dict[str, np.ndarray] = {}
    for c in VILLAGE_CRITERIA:
        num_col, den_col = RATIO[c]
        op, p, q, thr = threshold(c, r, cty)
        if q == 0:  # county figure undefined
            verdict = np.full(len(v), "no data", dtype=object)
        else:
            verdict = compare(v[num_col].to_numpy(np.int64), v[den_col].to_numpy(np.int64), op, p, q).astype(object)
        out[f"{c}_figure"] = ratio(v[num_col], v[den_col]).to_numpy()
        out[f"{c}_threshold"] = thr
        out[c] = verdict
        failed[c] = verdict == "fail"
        failed[f"{c} (no data)"] = verdict == "no data"
    return failed


def certify_villages(
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    assessments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Credit-village verdicts (信用村, seed 003), criterion by criterion.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``); its village rows are judged.
    rules : mapping, optional
        ``params["credit_village"]``; ``None`` uses DOMAIN.md (A or better > 55%, profiling
        >= 90%, credit rate >= 50%, NPL <= 2%, loan share > county, NPL < county).
    assessments : pandas.DataFrame, optional
        ``programme.village_assessments``: ``village`` (and optionally ``township``),
        ``collective_finances``, ``governance``, ``no_disputes`` as bool or NA.

    Returns
    -------
    pandas.DataFrame
        One row per village: ``township``, ``village``; for each criterion ``c`` of
        :data:`VILLAGE_CRITERIA` the columns ``c_figure`` (the village rate, NaN when no
        data), ``c_threshold`` (the value it is compared with: the params value or the county
        figure) and ``c`` (``"pass"``, ``"fail"`` or ``"no data"``); for each criterion of
        :data:`QUALITATIVE_CRITERIA` the column ``c`` (``"pass"``, ``"fail"`` or ``"not
        assessed"``); ``n_failed`` (criteria failed, "no data" counts as failed),
        ``failed`` (their names, ``"(no data)"`` marked), ``not_assessed`` (names),
        ``certified`` (bool: every criterion passes) and ``status`` (``"certified"``,
        ``"not certified"``, or ``"pending assessment"`` when every quantitative criterion
        passes and no qualitative one fails but some are not assessed).

    Notes
    -----
    Comparisons are exact in integers (see the module docstring). The county is the whole
    programme (pooled over the village rows of ``kpis``) unless ``county_loan_share`` /
    ``county_npl_ratio`` are given. A village equal to the county average fails both
    county-relative criteria ("above" and "below" are strict by default).
    """
    r = validate_village_rules(rules)
    v = village_rows(kpis)
    n = len(v)
    out = pd.DataFrame({"township": v["township"], "village": v["village"]})
    failed = _quantitative(v, r, out)
    qual = _assessment_verdicts(v, assessments)
    for c in QUALITATIVE_CRITERIA:
        out[c] = qual[c].to_numpy()
        failed[c] = out[c].to_numpy() == "fail"
    not_assessed = {c: out[c].to_numpy() == "not assessed" for c in QUALITATIVE_CRITERIA}
    n_failed = np.sum(list(failed.values()), axis=0).astype(np.int64)
    n_na = np.sum(list(not_assessed.values()), axis=0).astype(np.int64)
    out["n_failed"] = n_failed
    out["failed"] = join_names(failed, n)
    out["not_assessed"] = join_names(not_assessed, n)
    out["certified"] = (n_failed == 0) & (n_na == 0)
    out["status"] = np.where(
        out["certified"], "certified",
        np.where((n_failed == 0) & (n_na > 0), "pending assessment", "not certified"),
    )
    for c in ("failed", "not_assessed", "status") + VILLAGE_CRITERIA + QUALITATIVE_CRITERIA:
        out[c] = out[c].astype("string")
    return out


#: The criteria a whole programme is judged by against a fixed threshold of the parameters.
PROGRAMME_CRITERIA = ("a_or_better_share", "profiling_rate", "credit_rate", "npl_ratio")


def programme_verdicts(kpis: pd.DataFrame, *, rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The programme as a whole against the credit-village thresholds (the "952" standard and
    the A-or-better share), exactly as a village is judged.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (one ``as_of``); its ``programme`` row is judged.
    rules : mapping, optional
        ``params["credit_village"]`` (``None``: the defaults of :class:`VillageRules`).

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion (``a_or_better_share``, ``profiling_rate``, ``credit_rate``,
        ``npl_ratio``): ``figure`` (the programme's rate, NaN without data), ``op``,
        ``threshold`` (the parameter's value) and ``verdict`` (``"pass"``, ``"fail"`` or
        ``"no data"``), decided in integers (55.0% is not above 55%).
    """
    r = validate_village_rules(rules)
    pr = kpis.loc[kpis["level"] == "programme"]
    if "as_of" in pr and pr["as_of"].nunique() > 1:
        raise CalibInputError("kpis: several as_of snapshots; select one (kpis[kpis.as_of == date])")
    if len(pr) != 1:
        raise CalibInputError(f"kpis: expected one programme row (level == 'programme'), found {len(pr)}")
    pr = pr.assign(_balance_cents=cents(pr["total_balance"]), _defaulted_cents=cents(pr["defaulted_balance"]))
    rows = []
    for c in PROGRAMME_CRITERIA:
        num_col, den_col = RATIO[c]
        op, value = r[c]["op"], r[c]["value"]
        num, den = pr[num_col].to_numpy(np.int64), pr[den_col].to_numpy(np.int64)
        rows.append({"criterion": c, "figure": float(ratio(pr[num_col], pr[den_col]).iloc[0]), "op": op,
                     "threshold": float(value), "verdict": str(exact_verdicts(num, den, op, value)[0])})
    return pd.DataFrame(rows).set_index("criterion")


def _township_sums(village_verdicts: pd.DataFrame, v: pd.DataFrame) -> pd.DataFrame:
    """Per township: villages, credit villages, pending ones (only an assessment missing), ones
    with any criterion not assessed, balances in cents."""
    vv = village_verdicts
    for col in ("township", "village", "certified"):
        if col not in vv:
            raise CalibInputError(f"village_verdicts: missing column {col!r}")
    key = pd.MultiIndex.from_frame(v[["township", "village"]].astype(str))
    vkey = pd.MultiIndex.from_frame(vv[["township", "village"]].astype(str))
    if not vkey.isin(key).all() or not key.isin(vkey).all():
        raise CalibInputError("village_verdicts and kpis do not cover the same villages")
    cert = pd.Series(vv["certified"].to_numpy(dtype=bool), index=vkey).reindex(key)
    pend = pd.Series(
        (vv["status"] == "pending assessment").to_numpy(dtype=bool) if "status" in vv
        else np.zeros(len(vv), dtype=bool),
        index=vkey,
    ).reindex(key)
    na = np.zeros(len(vv), dtype=bool)
    for c in QUALITATIVE_CRITERIA:
        if c in vv:
            na |= (vv[c] == "not assessed").to_numpy(dtype=bool, na_value=False)
    na = pd.Series(na, index=vkey).reindex(key)
    v = v.assign(_cert=cert.to_numpy().astype(np.int64), _pend=pend.to_numpy().astype(np.int64),
                 _na=na.to_numpy().astype(np.int64), _one=np.int64(1))
    return v.groupby("township", sort=True)[
        ["_one", "_cert", "_pend", "_na", "_balance_cents", "_defaulted_cents"]].sum()


def certify_townships(
    village_verdicts: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Credit-township verdicts (信用乡镇, seed 003).

    Parameters
    ----------
    village_verdicts : pandas.DataFrame
        Output of :func:`certify_villages`.
    kpis : pandas.DataFrame
        Output of :func:`programme_kpis` (the same snapshot).
    rules : mapping, optional
        ``params["credit_township"]``; default: credit villages > 75% of the township's villages
        and NPL < the county average (the whole programme unless ``county_npl_ratio`` is given).

    Returns
    -------
    pandas.DataFrame
        One row per township: ``township``, ``n_villages``, ``n_credit_villages``,
        ``n_pending_assessment`` (villages whose every other criterion passes and that wait
        for the assessment only), ``n_not_assessed`` (villages with at least one qualitative
        criterion not assessed, whatever else they fail), ``credit_village_share_figure``,
        ``credit_village_share_threshold``, ``credit_village_share`` (pass/fail/no data),
        ``npl_vs_county_figure`` (township NPL by balance), ``npl_vs_county_threshold``
        (county NPL), ``npl_vs_county``, ``n_failed``, ``failed``, ``certified`` (bool).
    """
    r = validate_township_rules(rules)
    v = village_rows(kpis)
    t = _township_sums(village_verdicts, v)
    out = pd.DataFrame({"township": t.index.astype("string")})
    out["n_villages"] = t["_one"].to_numpy()
    out["n_credit_villages"] = t["_cert"].to_numpy()
    out["n_pending_assessment"] = t["_pend"].to_numpy()
    out["n_not_assessed"] = t["_na"].to_numpy()
    f = frac(r["credit_village_share"]["value"])
    out["credit_village_share_figure"] = ratio(t["_cert"], t["_one"]).to_numpy()
    out["credit_village_share_threshold"] = float(f)
    out["credit_village_share"] = compare(ints(t["_cert"]), ints(t["_one"]),
                                          r["credit_village_share"]["op"],
                                          f.numerator, f.denominator)
    if r["county_npl_ratio"] is not None:
        g = frac(r["county_npl_ratio"])
        p, q = g.numerator, g.denominator
    else:
        p, q = int(v["_defaulted_cents"].sum()), int(v["_balance_cents"].sum())
    out["npl_vs_county_figure"] = ratio(t["_defaulted_cents"], t["_balance_cents"]).to_numpy()
    out["npl_vs_county_threshold"] = p / q if q else np.nan
    out["npl_vs_county"] = (
        compare(ints(t["_defaulted_cents"]), ints(t["_balance_cents"]),
                r["npl_vs_county"]["op"], p, q) if q else "no data")
    flags = {}
    for c in TOWNSHIP_CRITERIA:
        flags[c] = out[c].to_numpy() == "fail"
        flags[f"{c} (no data)"] = out[c].to_numpy() == "no data"
    out["n_failed"] = np.sum(list(flags.values()), axis=0).astype(np.int64)
    out["failed"] = pd.Series(join_names(flags, len(out))).astype("string")
    out["certified"] = out["n_failed"] == 0
    for c in TOWNSHIP_CRITERIA:
        out[c] = out[c].astype("string")
    return out
