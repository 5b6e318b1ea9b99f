"""Exposure under the consensus, the model and the final limits, and under each rule."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from calib._frames import levels, require_columns, stack_levels, to_grid
from calib._frames import require_columns as _require
from calib.compare.limits import COMPARED, REASON_ORDER, _latest_rows, classify, final_limits, ineligible_mask, policy_dict
from calib.errors import CalibInputError


def _rule_arrays(consensus: pd.DataFrame, model_runs: pd.DataFrame) -> dict:
    """The arrays :func:`compare_rules` needs, one entry per household of either input (in no
    particular order: only totals are taken), without building the comparison table.

    The household ids of both inputs are coded in one pass; each household's latest run is
    chosen as in :func:`calib.compare.latest_runs` (latest ``run_date``; ties and blanks: the
    later row).
    """
    cons = consensus.set_index("household_id") if "household_id" in consensus.columns else consensus
    _require(cons, ("consensus_limit",), "consensus")
    _require(model_runs, ("household_id", "model_limit"), "model_runs")
    if not cons.index.is_unique:
        raise CalibInputError("consensus: household_id must be unique")
    n_c = len(cons)
    codes, uniq = pd.factorize(pd.Index(cons.index).append(pd.Index(model_runs["household_id"])),
                               sort=False)
    n = len(uniq)
    codes_c, codes_r = codes[:n_c], codes[n_c:]
    last = _latest_rows(model_runs, codes_r)
    m_run = pd.to_numeric(model_runs["model_limit"]).to_numpy(dtype=float, na_value=np.nan)[last]
    if np.any(m_run < 0) or np.any(~np.isfinite(m_run)):
        raise CalibInputError("model_runs: column 'model_limit' must be a finite amount >= 0")
    c = np.full(n, np.nan)
    c[codes_c] = cons["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = np.full(n, np.nan)
    m[codes_r[last]] = m_run
    in_c = np.zeros(n, bool)
    in_c[codes_c] = True
    in_m = np.zeros(n, bool)
    in_m[codes_r] = True
    return {"ids": pd.Index(uniq), "in_c": in_c, "in_m": in_m, "c": c, "m": m, "cz": np.nan_to_num(c),
            "mz": np.nan_to_num(m)}


def exposure_by_group(comparison: pd.DataFrame, *, by: str | None = "village") -> pd.DataFrame:
    """Total exposure under the consensus, the model and the reconciled final limits.

    Each column counts the households its name says, so that the totals reconcile with
    :func:`limit_bridge` and with the agreement figures: ``households``, ``total_consensus`` and
    ``total_final`` count every household (the overall row is the bridge's: consensus total,
    then the eligibility rules and the reconciliation policy, then the final total; a household
    with no eligible member or one limit missing has a final limit of 0); ``n_compared_with_model``,
    ``total_model`` and ``exposure_gap_compared`` count the households compared, those the panel and the
    model could both grant (grant class in :data:`calib.compare.limits.COMPARED`: both limits,
    an eligible member), as :func:`calib.compare.grant_crosstab` and
    :func:`calib.compare.agreement_summary` do. A model limit of a household set apart (no
    eligible member; no consensus) enters no total: no credit follows from it.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits` after :func:`apply_eligibility` (columns
        ``grant_class``, ``consensus_limit``, ``model_limit``, ``final_limit``, ``gap_flag``,
        ``exposure_gap``).
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level``, ``group``, ``households`` (every household), ``n_compared_with_model``
        (households compared), ``total_consensus`` (yuan, every household; a missing limit
        counts 0), ``total_model`` (yuan, households compared), ``total_final`` (yuan, every
        household), ``final_vs_consensus`` (``total_final / total_consensus``), ``final_vs_model``
        (``total_final / total_model``: only households compared have a final limit),
        ``n_gap`` (households flagged), ``exposure_gap_compared`` (yuan, sum of
        ``|model - consensus|`` over the households compared, those inside the band included: not
        the investigation list's exposure gap, which counts the households flagged only).
    """
    require_columns(comparison, ("grant_class", "consensus_limit", "model_limit", "final_limit", "gap_flag",
                                 "exposure_gap"), "comparison", "use compare_limits")
    kept = comparison["grant_class"].astype("str").isin(COMPARED).to_numpy()
    c = comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = pd.to_numeric(comparison["model_limit"]).to_numpy(dtype=float, na_value=np.nan)
    f = comparison["final_limit"].to_numpy(dtype=float, na_value=np.nan)
    gap = comparison["gap_flag"].to_numpy(dtype=bool)
    eg = comparison["exposure_gap"].to_numpy(dtype=float, na_value=np.nan)
    groups = levels(comparison, by, name="comparison")
    rows = []
    for level, g, n, labels in groups:
        tc = np.bincount(g, np.nan_to_num(c), n)
        tm = np.bincount(g, np.nan_to_num(m) * kept, n)
        tf = np.bincount(g, np.nan_to_num(f), n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(pd.DataFrame({
                "level": level, "group": np.asarray(labels, dtype=object).astype(str),
                "households": np.bincount(g, minlength=n).astype(np.int64),
                "n_compared_with_model": np.bincount(g, kept.astype(float), n).astype(np.int64),
                "total_consensus": tc, "total_model": tm, "total_final": tf,
                "final_vs_consensus": tf / tc, "final_vs_model": tf / tm,
                "n_gap": np.bincount(g, gap.astype(float), n).astype(np.int64),
                "exposure_gap_compared": np.bincount(g, np.nan_to_num(eg) * kept, n),
            }))
    return stack_levels(rows)


#: What each reason of :func:`compare_limits` does to the total limit (:func:`limit_bridge`).
CAUSES: dict[str, str] = {
    "within_band": "cause_band_rule",          # the policy's rule inside the band
    "model_above_band": "cause_provisional",   # investigated: provisional limit meanwhile
    "model_below_band": "cause_provisional",
    "model_declined": "cause_provisional",
    "consensus_declined": "cause_provisional",
    "both_declined": "cause_none",
    "no_model_run": "cause_unconfirmed",       # one limit missing: not confirmed (final 0)
    "no_consensus": "cause_unconfirmed",
    "ineligible": "cause_eligibility",         # the eligibility rules, not the reconciliation
}


def limit_bridge(comparison: pd.DataFrame) -> pd.DataFrame:
    """From the total consensus limit to the total final limit, by reason of the reconciliation.

    The final total differs from the consensus total for different causes: households with no
    eligible member are removed by the eligibility rules (not by the reconciliation policy);
    inside the band the policy's rule fixes the limit; outside it, or where one side declines,
    the household holds a provisional limit while it is investigated; a household with one
    limit missing is not confirmed. The rows add up: ``change`` summed over the reasons is the
    overall row's ``total_final - total_consensus``.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits` (columns ``reason``, ``consensus_limit``,
        ``final_limit``).

    Returns
    -------
    DataFrame
        An ``overall`` row first, then one row per reason present (in the order of
        :data:`calib.compare.limits.REASON_ORDER`): ``reason``, ``cause`` (one of the values of
        :data:`CAUSES`; missing on the overall row), ``households``, ``total_consensus``,
        ``total_final`` (yuan; a missing limit counts 0) and ``limit_change``
        (``total_final - total_consensus``).
    """
    require_columns(comparison, ("reason", "consensus_limit", "final_limit"), "comparison", "use compare_limits")
    c = np.nan_to_num(comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan))
    f = np.nan_to_num(comparison["final_limit"].to_numpy(dtype=float, na_value=np.nan))
    codes, names = pd.factorize(comparison["reason"].astype("str"), sort=False)
    unknown = sorted(set(names) - set(CAUSES))
    if unknown or (codes < 0).any():
        raise CalibInputError(f"comparison: unknown or missing reason(s) {unknown}; use compare_limits")
    k = len(names)
    n = np.bincount(codes, minlength=k)
    tc, tf = np.bincount(codes, c, k), np.bincount(codes, f, k)
    pos = {str(r): i for i, r in enumerate(names)}
    order = [pos[r] for r in REASON_ORDER if r in pos]
    out = pd.DataFrame({
        "reason": ["overall", *[str(names[i]) for i in order]],
        "cause": [pd.NA, *[CAUSES[str(names[i])] for i in order]],
        "households": np.r_[len(comparison), n[order]].astype(np.int64),
        "total_consensus": np.r_[c.sum(), tc[order]],
        "total_final": np.r_[f.sum(), tf[order]],
    })
    out["limit_change"] = out["total_final"] - out["total_consensus"]
    out["reason"] = out["reason"].astype("str")
    out["cause"] = out["cause"].astype("str")
    return out


def bridge_totals(bridge: pd.DataFrame) -> dict[str, float | int]:
    """The figures a reader needs from :func:`limit_bridge`: the totals and the change by cause.

    Parameters
    ----------
    bridge : DataFrame
        Output of :func:`limit_bridge`.

    Returns
    -------
    dict
        ``total_consensus``, ``total_final``, ``limit_change`` (the overall row, yuan);
        ``eligibility``, ``band_rule``, ``provisional``, ``unconfirmed`` (the change each cause
        makes, yuan; 0 when absent); ``policy`` (all but the eligibility rules: the
        reconciliation policy's change); ``households_ineligible``; ``households_provisional``
        and ``provisional_total`` (the households investigated, with the final total their
        provisional limits make, yuan); ``households_above_band``, ``households_below_band``,
        ``households_outside_band`` and ``provisional_outside_band`` (those outside the band and
        their provisional total, yuan); ``households_declined_one_side`` and
        ``provisional_declined`` (one side declines: the households and their provisional total).
    """
    _require(bridge, ("reason", "cause", "households", "total_final", "limit_change"), "bridge", "use limit_bridge")
    rows = bridge.set_index("reason")
    by = bridge.iloc[1:].groupby("cause")["limit_change"].sum()

    def of(reason: str, col: str) -> float:
        return float(rows.at[reason, col]) if reason in rows.index else 0.0

    o = rows.loc["overall"]
    out = {"total_consensus": float(o["total_consensus"]), "total_final": float(o["total_final"]),
           "limit_change": float(o["limit_change"])}
    for cause in ("eligibility", "band_rule", "provisional", "unconfirmed"):
        out[cause] = float(by.get(f"cause_{cause}", 0.0))
    out["policy"] = out["limit_change"] - out["eligibility"]
    out["households_ineligible"] = of("ineligible", "households")
    prov = bridge.iloc[1:].loc[bridge["cause"].iloc[1:] == "cause_provisional"]
    out["households_provisional"] = float(prov["households"].sum())
    out["provisional_total"] = float(prov["total_final"].sum())
    out["households_declined_one_side"] = of("model_declined", "households") + of("consensus_declined", "households")
    out["provisional_declined"] = of("model_declined", "total_final") + of("consensus_declined", "total_final")
    out["households_above_band"] = of("model_above_band", "households")
    out["households_below_band"] = of("model_below_band", "households")
    out["households_outside_band"] = out["households_above_band"] + out["households_below_band"]
    out["provisional_outside_band"] = of("model_above_band", "total_final") + of("model_below_band", "total_final")
    return {k: int(v) if k.startswith("households_") else v for k, v in out.items()}


def compare_rules(
    consensus: pd.DataFrame,
    model_runs: pd.DataFrame,
    *,
    policy: Mapping | None = None,
    rules: tuple[str, ...] = ("min", "consensus", "model", "blend"),
    eligible: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Total exposure of the programme under each reconciliation rule, other keys as ``policy``.

    Parameters
    ----------
    consensus, model_runs : DataFrame
        As for :func:`compare_limits`.
    policy : mapping, optional
        ``params["reconciliation"]``; its ``rule`` is replaced in turn by each of ``rules``.
    rules : tuple of str
        Rules to compare (see :func:`compare_limits`).
    eligible : Series of bool or DataFrame, optional
        Household eligibility indexed by ``household_id``, as for :func:`apply_eligibility`
        (or, from a comparison it has been applied to, ``comparison["grant_class"] !=
        "ineligible"``): a household it marks False gets no credit under any rule, so that the
        current rule's total is the comparison's final total. ``None``: no household removed.

    Returns
    -------
    DataFrame
        One row per rule: ``rule``, ``current`` (bool: the policy's own rule),
        ``households_granted`` (final limit > 0), ``total_final`` (yuan), ``mean_final``
        (yuan per granted household), ``vs_current`` (``total_final`` relative to the current
        rule's), ``total_within_band`` (yuan reconciled by the rule; the rest is provisional).

    Notes
    -----
    The inputs are aligned and classified once (without building the comparison table); each
    rule then costs a few array operations, and the figures equal those of
    :func:`calib.compare.compare_limits` (then :func:`apply_eligibility` with ``eligible``) run
    with each rule (the final limits are on the grid, so their totals do not depend on the order
    of the households).
    """
    pol = policy_dict(policy)
    for rule in rules:
        policy_dict({**pol, "rule": rule})        # validate every rule first
    a = _rule_arrays(consensus, model_runs)       # align once; only the rule changes below
    cls = classify(a["in_c"], a["in_m"], a["c"], a["m"], pol["band_low"], pol["band_high"])
    flag = eligible["eligible"] if isinstance(eligible, pd.DataFrame) else eligible
    kept = ~ineligible_mask(a["ids"], flag)       # the eligibility rules, before any rule
    inside = cls["inside"] & kept
    rows = []
    for rule in rules:
        f = to_grid(final_limits({**pol, "rule": rule}, cls, a["in_c"], a["in_m"], a["cz"], a["mz"]),
                    pol["grid"], pol["cap"]) * kept
        g = int((f > 0).sum())
        rows.append({"rule": rule, "current": rule == pol["rule"], "households_granted": g,
                     "total_final": float(f.sum()), "mean_final": float(f.sum() / g) if g else np.nan,
                     "total_within_band": float(f[inside].sum())})
    out = pd.DataFrame(rows)
    cur = out.loc[out["current"], "total_final"]
    out["vs_current"] = out["total_final"] / float(cur.iloc[0]) if len(cur) and cur.iloc[0] > 0 else np.nan
    out["rule"] = out["rule"].astype("str")
    return out[["rule", "current", "households_granted", "total_final", "mean_final", "vs_current",
                "total_within_band"]]
