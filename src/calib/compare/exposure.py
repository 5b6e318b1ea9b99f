"""Exposure under the consensus, the model and the final limits, and under each rule."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from calib._frames import levels, require_columns, stack_levels, to_grid
from calib._frames import require_columns as _require
from calib.compare.limits import _latest_rows, classify, final_limits, policy_dict
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
    return {"in_c": in_c, "in_m": in_m, "c": c, "m": m, "cz": np.nan_to_num(c), "mz": np.nan_to_num(m)}


def exposure_by_group(comparison: pd.DataFrame, *, by: str | None = "village") -> pd.DataFrame:
    """Total exposure under the consensus, the model and the reconciled final limits.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level``, ``group``, ``households``, ``total_consensus``, ``total_model``,
        ``total_final`` (yuan; a missing limit counts 0), ``final_vs_consensus``
        (``total_final / total_consensus``), ``final_vs_model``, ``n_gap`` (households flagged),
        ``exposure_gap`` (yuan, sum of ``|model - consensus|``).
    """
    require_columns(comparison, ("consensus_limit", "model_limit", "final_limit", "gap_flag", "exposure_gap"),
                    "comparison", "use compare_limits")
    c = comparison["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = pd.to_numeric(comparison["model_limit"]).to_numpy(dtype=float, na_value=np.nan)
    f = comparison["final_limit"].to_numpy(dtype=float, na_value=np.nan)
    gap = comparison["gap_flag"].to_numpy(dtype=bool)
    eg = comparison["exposure_gap"].to_numpy(dtype=float, na_value=np.nan)
    groups = levels(comparison, by, name="comparison")
    rows = []
    for level, g, n, labels in groups:
        tc = np.bincount(g, np.nan_to_num(c), n)
        tm = np.bincount(g, np.nan_to_num(m), n)
        tf = np.bincount(g, np.nan_to_num(f), n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(pd.DataFrame({
                "level": level, "group": np.asarray(labels, dtype=object).astype(str),
                "households": np.bincount(g, minlength=n).astype(np.int64),
                "total_consensus": tc, "total_model": tm, "total_final": tf,
                "final_vs_consensus": tf / tc, "final_vs_model": tf / tm,
                "n_gap": np.bincount(g, gap.astype(float), n).astype(np.int64),
                "exposure_gap": np.bincount(g, np.nan_to_num(eg), n),
            }))
    return stack_levels(rows)


def compare_rules(
    consensus: pd.DataFrame,
    model_runs: pd.DataFrame,
    *,
    policy: Mapping | None = None,
    rules: tuple[str, ...] = ("min", "consensus", "model", "blend"),
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
    :func:`calib.compare.compare_limits` run with each rule (the final limits are on the grid, so
    their totals do not depend on the order of the households).
    """
    pol = policy_dict(policy)
    for rule in rules:
        policy_dict({**pol, "rule": rule})        # validate every rule first
    a = _rule_arrays(consensus, model_runs)       # align once; only the rule changes below
    cls = classify(a["in_c"], a["in_m"], a["c"], a["m"], pol["band_low"], pol["band_high"])
    inside = cls["inside"]
    rows = []
    for rule in rules:
        f = to_grid(final_limits({**pol, "rule": rule}, cls, a["in_c"], a["in_m"], a["cz"], a["mz"]),
                    pol["grid"], pol["cap"])
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
