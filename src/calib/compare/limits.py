"""Reconciliation of consensus and model limits (授信额度确认) and the investigation list."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from calib._frames import require_columns, to_grid
from calib.errors import CalibInputError, CalibParamsError

#: Reconciliation policy defaults (keys of ``params["reconciliation"]``).
DEFAULT_POLICY: dict = {
    "rule": "min",
    "blend_weight": 0.5,
    "band_low": 0.67,
    "band_high": 1.5,
    "provisional": "min",
    "cap": 500_000,
    "grid": 1000,
}

#: Reason codes of :func:`compare_limits` (column ``reason``).
REASONS: dict[str, str] = {
    "within_band": "both grant and model / consensus is inside the band: reconciled by the rule",
    "model_above_band": "model limit above the band: provisional limit while investigated",
    "model_below_band": "model limit below the band: provisional limit while investigated",
    "model_declined": "the panel grants, the model declines",
    "consensus_declined": "the model grants, the panel declines",
    "both_declined": "both decline",
    "no_model_run": "household has a consensus but no model run: not confirmed (final 0)",
    "no_consensus": "household has a model run but no peer review: not confirmed (final 0)",
    "ineligible": "no member meets the eligibility rules (age, status, bad record): removed before "
                  "credit (final 0), not investigated and set apart from the comparison",
}


def policy_dict(policy: Mapping | None) -> dict:
    pol = dict(DEFAULT_POLICY)
    if policy is not None:
        unknown = set(policy) - set(DEFAULT_POLICY)
        if unknown:
            raise CalibParamsError(f"reconciliation: unknown key(s) {sorted(unknown)}")
        pol.update(policy)
    if pol["rule"] not in ("min", "consensus", "model", "blend"):
        raise CalibParamsError(f"reconciliation.rule must be min|consensus|model|blend, got {pol['rule']!r}")
    if pol["provisional"] not in ("min", "zero", "consensus", "model"):
        raise CalibParamsError(
            f"reconciliation.provisional must be min|zero|consensus|model, got {pol['provisional']!r}")
    w = pol["blend_weight"]
    if not (isinstance(w, (int, float)) and 0 <= w <= 1):
        raise CalibParamsError(f"reconciliation.blend_weight must be in [0, 1], got {w!r}")
    lo, hi = pol["band_low"], pol["band_high"]
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 < lo <= 1 <= hi):
        raise CalibParamsError(
            f"reconciliation.band_low / band_high must satisfy 0 < band_low <= 1 <= band_high, got {lo!r}, {hi!r}")
    if pol["cap"] is not None and not pol["cap"] > 0:
        raise CalibParamsError(f"reconciliation.cap must be positive or null, got {pol['cap']!r}")
    if not (pol["grid"] and pol["grid"] > 0):
        raise CalibParamsError(f"reconciliation.grid must be positive, got {pol['grid']!r}")
    return pol


def latest_runs(model_runs: pd.DataFrame) -> pd.DataFrame:
    """Each household's latest model run (by ``run_date``; ties and blanks: the later row), index
    ``household_id`` in order of first appearance."""
    require_columns(model_runs, ("household_id", "model_limit"), "model_runs")
    codes, _ = pd.factorize(model_runs["household_id"], sort=False)
    return model_runs.iloc[_latest_rows(model_runs, codes)].set_index("household_id")


def _take(frame: pd.DataFrame, pos: np.ndarray) -> dict:
    """Columns of ``frame`` at rows ``pos`` (-1: missing)."""
    return {c: pd.api.extensions.take(frame[c].array, pos, allow_fill=True) for c in frame.columns}


def _latest_rows(model_runs: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Row of each household's latest run (as :func:`latest_runs`), households in code order."""
    if "run_date" in model_runs.columns:
        rd, _ = pd.factorize(model_runs["run_date"], sort=True)
        rd = np.where(rd < 0, rd.max(initial=-1) + 1, rd)   # a blank date sorts last, as before
        order = np.lexsort((rd, codes))                     # stable: ties keep the row order
    else:
        order = np.argsort(codes, kind="stable")
    cs = codes[order]
    return order[np.r_[cs[1:] != cs[:-1], True]] if cs.size else order


def _joined(cons: pd.DataFrame, model_runs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Outer join of the consensus and the latest model runs (location filled from the runs),
    sorted by household, with each row's position in the consensus and in the runs (-1).

    The household ids of both inputs are coded once (sorted); each household's latest run is
    chosen on those codes as :func:`latest_runs` does.
    """
    require_columns(model_runs, ("household_id", "model_limit"), "model_runs")
    n_c = len(cons)
    codes, uniq = pd.factorize(cons.index.append(pd.Index(model_runs["household_id"])), sort=True)
    index = pd.Index(uniq, name="household_id")
    codes_r = codes[n_c:]
    last = _latest_rows(model_runs, codes_r)
    last = last[codes_r[last] >= 0]
    all_runs = model_runs.iloc[last]                        # one row per household, sorted
    ic = np.full(len(uniq), -1, np.int64)
    ic[codes[:n_c]] = np.arange(n_c)
    im = np.full(len(uniq), -1, np.int64)
    im[codes_r[last]] = np.arange(last.size)
    keep_runs = [c for c in ("run_date", "model_limit", "model_score", "grade") if c in all_runs.columns]
    runs = all_runs[keep_runs].rename(columns={"run_date": "model_run_date"})
    carry = [c for c in ("village", "township", "consensus_limit", "white_list", "needs_rereview",
                         "dispersion") if c in cons.columns]
    out = pd.DataFrame({**_take(cons[carry], ic), **_take(runs, im)}, index=index)
    # households the model ran but no panel reviewed take their location from the model run
    for col in ("village", "township"):
        if col in all_runs.columns:
            loc = pd.Series(pd.api.extensions.take(all_runs[col].array, im, allow_fill=True), index=index)
            out[col] = out[col].fillna(loc) if col in out.columns else loc
    return out, ic, im


GRANT_CLASSES = ("no_model_run", "no_consensus", "both", "consensus_only", "model_only", "neither")
#: The grant classes of the households the panel and the model are compared on (the grants table,
#: Cohen's kappa): both inputs present and an eligible member. Of these, ``both`` (both grant) are
#: the pairs of the limit statistics. The rest are set apart, each with its count: ``ineligible``
#: (:func:`apply_eligibility`: no eligible member, whatever the inputs say) and ``no_model_run`` /
#: ``no_consensus`` (one limit missing).
COMPARED = ("both", "consensus_only", "model_only", "neither")
REASON_ORDER = ("no_model_run", "no_consensus", "within_band", "model_above_band", "model_below_band",
                "model_declined", "consensus_declined", "both_declined", "ineligible")


def labels(codes: np.ndarray, names: tuple[str, ...]) -> pd.api.extensions.ExtensionArray:
    """String column (dtype ``str``) of ``names[codes]``, built as an Arrow dictionary cast."""
    import pyarrow as pa

    arr = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(names)))
    return pd.array(pd.arrays.ArrowExtensionArray(arr.cast(pa.string()))).astype("str")


def classify(in_c, in_m, c, m, lo, hi) -> dict[str, np.ndarray]:
    """Grant classes, reason codes (integer codes into :data:`GRANT_CLASSES` and
    :data:`REASON_ORDER`) and the in-band mask per household."""
    cg = in_c & (np.nan_to_num(c) > 0)
    mg = in_m & (np.nan_to_num(m) > 0)
    both = cg & mg
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(both, m / c, np.nan)
    inside = both & (ratio >= lo) & (ratio <= hi)
    grant_code = np.select([~in_m, ~in_c, both, cg & ~mg, mg & ~cg], [0, 1, 2, 3, 4], 5)
    reason_code = np.select(
        [~in_m, ~in_c, inside, both & (ratio > hi), both & (ratio < lo), cg & ~mg, mg & ~cg],
        [0, 1, 2, 3, 4, 5, 6], 7)
    return {"cg": cg, "mg": mg, "both": both, "ratio": ratio, "inside": inside,
            "grant_code": grant_code, "reason_code": reason_code}


def _reconciled(rule: str, w: float, cz: np.ndarray, mz: np.ndarray, both: np.ndarray) -> np.ndarray:
    """The limit inside the band under ``rule`` (min | consensus | model | blend)."""
    if rule == "min":
        return np.minimum(cz, mz)
    if rule == "consensus":
        return cz
    if rule == "model":
        return mz
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(both, np.exp(w * np.log(np.where(both, cz, 1.0))
                                     + (1 - w) * np.log(np.where(both, mz, 1.0))), 0.0)


def final_limits(pol: dict, cls: dict, in_c, in_m, cz, mz) -> np.ndarray:
    """Final limit before the cap and grid: reconciled inside the band, provisional outside."""
    reconciled = _reconciled(pol["rule"], float(pol["blend_weight"]), cz, mz, cls["both"])
    prov = {"min": np.minimum(cz, mz), "zero": np.zeros_like(cz), "consensus": cz, "model": mz}[pol["provisional"]]
    final = np.where(cls["inside"], reconciled, prov)
    final = np.where(in_c & in_m, final, 0.0)
    return np.where(cls["cg"] | cls["mg"], final, 0.0)


def prepare(consensus: pd.DataFrame, model_runs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Checked, joined inputs of :func:`compare_limits` and the arrays it needs."""
    cons = consensus
    if "household_id" in cons.columns:
        cons = cons.set_index("household_id")
    require_columns(cons, ("consensus_limit",), "consensus")
    if not cons.index.is_unique:
        raise CalibInputError("consensus: household_id must be unique")
    out, ic, im = _joined(cons, model_runs)
    in_c, in_m = ic >= 0, im >= 0
    c = out["consensus_limit"].to_numpy(dtype=float, na_value=np.nan)
    m = pd.to_numeric(out["model_limit"]).to_numpy(dtype=float, na_value=np.nan)
    if np.any(m[in_m] < 0) or np.any(~np.isfinite(m[in_m])):
        raise CalibInputError("model_runs: column 'model_limit' must be a finite amount >= 0")
    return out, {"in_c": in_c, "in_m": in_m, "c": c, "m": m,
                 "cz": np.nan_to_num(c), "mz": np.nan_to_num(m)}


def compare_limits(
    consensus: pd.DataFrame,
    model_runs: pd.DataFrame,
    *,
    policy: Mapping | None = None,
) -> pd.DataFrame:
    """Compare consensus and model limits per household and fix the final limit.

    Parameters
    ----------
    consensus : DataFrame
        Output of :func:`calib.consensus.consensus_limits` (index ``household_id``; needs
        ``consensus_limit``; ``village``, ``township``, ``white_list``, ``needs_rereview``,
        ``dispersion`` are carried when present). A ``household_id`` column is also accepted.
    model_runs : DataFrame
        ``household_id, run_date, model_limit`` (and optionally ``model_score, grade``); several
        runs per household are allowed, the latest ``run_date`` is used.
    policy : mapping, optional
        ``params["reconciliation"]``: ``rule`` (min | consensus | model | blend), ``blend_weight``
        (weight of the consensus in the geometric blend), ``band_low``, ``band_high`` (band of
        model / consensus inside which limits are reconciled by ``rule``), ``provisional`` (limit
        while a gap is investigated: min | zero | consensus | model), ``cap``, ``grid``. Missing
        keys take :data:`DEFAULT_POLICY`.

    Returns
    -------
    DataFrame
        Index ``household_id``: every household of either input (nothing dropped). Columns
        ``village``/``township`` (when the consensus has them), ``consensus_limit``,
        ``model_limit`` (NaN when absent), ``model_run_date`` (when given), ``ratio`` (model /
        consensus when both grant, else NaN), ``log_ratio``, ``grant_class`` (``both``,
        ``consensus_only``, ``model_only``, ``neither``, ``no_model_run``, ``no_consensus``;
        :func:`apply_eligibility` adds ``ineligible``),
        ``gap_flag`` (bool: outside the band, grant disagreement or a missing input),
        ``exposure_gap`` (yuan, |model - consensus|, the present limit when one is missing),
        ``final_limit`` (yuan, capped and on the grid), ``capped`` (bool: the cap bound the final
        limit), ``reason`` (a code of :data:`REASONS`), plus ``white_list``,
        ``needs_rereview``, ``dispersion``, ``model_score``, ``grade`` when present.

    Notes
    -----
    Inside the band the final limit is ``min(c, m)``, ``c``, ``m`` or ``exp(w ln c + (1 - w) ln m)``;
    outside the band and on grant disagreements it is the provisional limit (``min`` gives 0 when
    one side declines). A household missing from one input is not confirmed (final limit 0).
    The final limit is capped at ``cap`` and rounded to the nearest multiple of ``grid``.
    """
    pol = policy_dict(policy)
    out, a = prepare(consensus, model_runs)
    cls = classify(a["in_c"], a["in_m"], a["c"], a["m"], pol["band_low"], pol["band_high"])
    final = final_limits(pol, cls, a["in_c"], a["in_m"], a["cz"], a["mz"])
    cap = pol["cap"]
    out["ratio"] = cls["ratio"]
    out["log_ratio"] = np.log(cls["ratio"])
    out["grant_class"] = labels(cls["grant_code"], GRANT_CLASSES)
    out["gap_flag"] = ~cls["inside"] & (cls["grant_code"] != GRANT_CLASSES.index("neither"))
    out["exposure_gap"] = np.abs(a["cz"] - a["mz"])
    out["final_limit"] = to_grid(final, pol["grid"], cap)
    out["capped"] = (final > cap) if cap is not None else np.zeros(len(out), bool)
    out["reason"] = labels(cls["reason_code"], REASON_ORDER)
    first = [c for c in ("village", "township", "consensus_limit", "model_limit", "model_run_date",
                         "ratio", "log_ratio", "grant_class", "gap_flag", "exposure_gap",
                         "final_limit", "capped", "reason") if c in out.columns]
    return out[first + [c for c in out.columns if c not in first]]


def apply_eligibility(comparison: pd.DataFrame, eligible: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Remove the households no member of which is eligible before credit is fixed, and set them
    apart from the comparison of the two limits.

    A panel may review, and a model may score, a household whose members are all outside the
    eligibility rules (age, deceased / absconded, bad record): it gets no credit whatever the
    two limits say, and its gap is no account manager's question. Nor is it a case of the
    panel's and the model's agreement, which is measured on the households both could grant:
    its ``grant_class`` becomes ``"ineligible"`` (not one of :data:`COMPARED`), so that the
    grants table, the agreement statistics, their plots and the gap drivers leave it out, and
    the reports count it apart (:func:`calib.compare.set_apart_counts`).

    Parameters
    ----------
    comparison : DataFrame
        :func:`compare_limits` (index ``household_id``).
    eligible : Series of bool or DataFrame
        Household eligibility indexed by ``household_id``
        (:func:`calib.programme.eligibility.eligible_households`, or its ``eligible`` column).
        A household of the comparison that it does not list (no roster row) is kept as it is.

    Returns
    -------
    DataFrame
        ``comparison`` with, for every ineligible household, ``final_limit`` 0, ``capped`` and
        ``gap_flag`` False, ``reason`` and ``grant_class`` ``"ineligible"``, ``ratio`` and
        ``log_ratio`` NaN (no pair to compare); the two limits and ``exposure_gap`` (what the
        inputs say) unchanged. A new frame; rows and order as given.
    """
    require_columns(comparison, ("final_limit", "reason", "gap_flag", "grant_class"), "comparison",
                    "use compare_limits")
    flag = eligible["eligible"] if isinstance(eligible, pd.DataFrame) else eligible
    out = comparison.copy()
    drop = ineligible_mask(comparison.index, flag)
    out.loc[drop, "final_limit"] = 0
    out.loc[drop, "gap_flag"] = False
    if "capped" in out.columns:
        out.loc[drop, "capped"] = False
    for col in ("ratio", "log_ratio"):
        if col in out.columns:
            out.loc[drop, col] = np.nan
    for col in ("reason", "grant_class"):
        codes = out[col].to_numpy(dtype=object, copy=True)
        codes[drop] = "ineligible"
        out[col] = pd.array(codes.astype(str), dtype=comparison[col].dtype)
    return out


def ineligible_mask(households: pd.Index, eligible: pd.Series | None) -> np.ndarray:
    """True for each of ``households`` that ``eligible`` (bool, indexed by ``household_id``)
    marks False; a household it does not list is not ineligible. ``None``: nobody."""
    if eligible is None:
        return np.zeros(len(households), bool)
    return eligible.reindex(households).eq(False).fillna(False).to_numpy(bool)


def _heads(roster: pd.DataFrame) -> pd.DataFrame:
    """One roster row per household: the head (户主 / head / 本人), else the oldest member."""
    from calib.io.specs import HEAD_WORDS

    require_columns(roster, ("household_id",), "roster")
    rel = roster["relation_to_head"].astype("string") if "relation_to_head" in roster.columns \
        else pd.Series(pd.NA, index=roster.index, dtype="string")
    is_head = rel.isin(list(HEAD_WORDS)).fillna(False).to_numpy(bool)
    age = pd.to_numeric(roster["age"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) \
        if "age" in roster.columns else np.zeros(len(roster))
    order = pd.DataFrame({"household_id": roster["household_id"].to_numpy(), "_h": ~is_head,
                          "_a": -np.nan_to_num(age, nan=-1.0), "_i": np.arange(len(roster))})
    order = order.sort_values(["household_id", "_h", "_a", "_i"], kind="stable")
    first = order.drop_duplicates("household_id", keep="first")
    return roster.iloc[first["_i"].to_numpy()].set_index("household_id")


def investigation_list(
    comparison: pd.DataFrame,
    *,
    households: pd.DataFrame | None = None,
    roster: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Households to investigate (查找差额原因), largest exposure gap first, personal data masked.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_limits`.
    households : DataFrame, optional
        ``Programme.households()`` (index ``household_id``); its ``group`` (village group) and
        missing location columns are joined for the account managers.
    roster : DataFrame, optional
        The ``roster`` table. When given, the household head's name and phone are added
        **masked** (``张*``, ``139****2541``) so that the account manager can find the household;
        the head is the member whose ``relation_to_head`` is 户主 / head / 本人, else the oldest.
        Raw names, ID numbers and phones never leave this function.

    Returns
    -------
    DataFrame
        Rows with ``gap_flag``, sorted by ``exposure_gap`` descending (ties by household_id):
        ``household_id``, location columns (``township``, ``village``, ``village_group``: the
        households table's ``group``, named apart from the ``group`` of the tables by level),
        ``head_name``, ``head_phone`` (masked; with ``roster``), ``consensus_limit``,
        ``model_limit``, ``ratio`` (model / consensus), ``exposure_gap`` (yuan),
        ``provisional_limit`` (the limit while the gap is investigated: ``final_limit`` of
        :func:`compare_limits`), ``reason`` (primary code, see :data:`REASONS`),
        ``reason_codes`` (``;``-joined: the primary code plus ``capped``, ``needs_rereview`` and
        ``off_white_list`` when they apply).
    """
    from calib.masking import mask_name, mask_phone

    require_columns(comparison, ("gap_flag", "exposure_gap", "reason"), "comparison", "use compare_limits")
    sub = comparison[comparison["gap_flag"].to_numpy(dtype=bool)].copy()
    if households is not None:
        hh = households.set_index("household_id") if "household_id" in households.columns else households
        add = [c for c in ("township", "village", "group") if c in hh.columns and c not in sub.columns]
        sub = sub.join(hh[add], how="left")
    if roster is not None:
        heads = _heads(roster)
        idx = heads.index.get_indexer(sub.index)
        found = idx >= 0
        for src, dst, fn in (("name", "head_name", mask_name), ("phone", "head_phone", mask_phone)):
            vals = pd.Series(pd.NA, index=sub.index, dtype="string")
            if src in heads.columns and found.any():
                masked = fn(heads[src].iloc[idx[found]].reset_index(drop=True))
                vals[found] = masked.to_numpy()
            sub[dst] = vals
    codes = sub["reason"].astype(str).to_numpy().astype(object)
    extra = {
        "capped": sub["capped"].to_numpy(bool) if "capped" in sub else None,
        "needs_rereview": sub["needs_rereview"].fillna(False).to_numpy(bool) if "needs_rereview" in sub else None,
        "off_white_list": (~sub["white_list"].fillna(True).to_numpy(bool)) if "white_list" in sub else None,
    }
    for name, mask in extra.items():
        if mask is not None:
            codes = np.where(mask, codes + ";" + name, codes)
    sub["reason_codes"] = pd.array(codes.astype(str), dtype="str")
    if "final_limit" in sub.columns:
        sub = sub.rename(columns={"final_limit": "provisional_limit"})
    sub = sub.reset_index().rename(columns={"group": "village_group"})
    sub = sub.sort_values(["exposure_gap", "household_id"], ascending=[False, True], kind="stable")
    cols = [c for c in ("household_id", "township", "village", "village_group", "head_name", "head_phone",
                        "consensus_limit", "model_limit", "ratio", "exposure_gap",
                        "provisional_limit", "reason", "reason_codes") if c in sub.columns]
    return sub[cols].reset_index(drop=True)
