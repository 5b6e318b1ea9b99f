"""Grant against decline: the panel's decisions beside the model's, the households set apart from
that comparison, and the declined households counted as report 02 counts them.

Report 03's grants table (:func:`grant_crosstab`) counts the households the panel and the model are
compared on: both limits present and an eligible member (:data:`calib.compare.limits.COMPARED`).
:func:`set_apart_counts` counts every household of the comparison as compared or set apart, and
why (no eligible member; one limit missing), so that the households in make the households used
plus those set apart. Report 02 counts every reviewed household the panel declined;
:func:`declined_counts` gives the figures that reconcile the two and the split of the households
with no eligible member into white-listed, declined by the panel and not reviewed, which the
limit bridge's words state too (:func:`calib.report.words.bridge_words`).
"""
from __future__ import annotations

import pandas as pd

from calib._frames import require_columns
from calib.compare.limits import COMPARED

__all__ = ["grant_crosstab", "declined_counts", "set_apart_counts"]

#: The grant classes of :func:`calib.compare.compare_limits` with one limit missing: not in the table.
_ONE_MISSING = ("no_model_run", "no_consensus")


def grant_crosstab(comparison: pd.DataFrame) -> pd.DataFrame:
    """The panel's grant or decline against the model's, for the households both could grant:
    both limits present and an eligible member.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` (columns ``grant_class``,
        ``consensus_limit``, ``model_limit``), after :func:`calib.compare.apply_eligibility`;
        only the households of a grant class in :data:`calib.compare.limits.COMPARED` are
        counted: one whose class is ``no_model_run`` or ``no_consensus`` (one limit missing) or
        ``ineligible`` (no eligible member) is set apart (:func:`set_apart_counts`).

    Returns
    -------
    DataFrame
        Household counts (int). Index ``panel_decision``: ``panel_declines``, ``panel_grants``
        (consensus limit 0 or above 0), ``total``; columns ``model_declines``, ``model_grants``
        (model limit 0 or above 0), ``total``. Both decisions of either side are rows and columns
        even when nobody took one (count 0).

    Examples
    --------
    >>> cmp = pd.DataFrame({"grant_class": ["both", "consensus_only", "no_model_run", "ineligible"],
    ...                     "consensus_limit": [5e4, 3e4, 2e4, 4e4], "model_limit": [6e4, 0.0, None, 5e4]})
    >>> grant_crosstab(cmp)  # doctest: +NORMALIZE_WHITESPACE
                    model_declines  model_grants  total
    panel_decision
    panel_declines               0             0      0
    panel_grants                 1             1      2
    total                        1             1      2
    """
    require_columns(comparison, ("grant_class", "consensus_limit", "model_limit"), "comparison", "use compare_limits")
    present = comparison["grant_class"].isin(COMPARED).to_numpy(bool)
    panel = (comparison.loc[present, "consensus_limit"] > 0).map({True: "panel_grants", False: "panel_declines"})
    model = pd.to_numeric(comparison.loc[present, "model_limit"]) > 0
    model = model.map({True: "model_grants", False: "model_declines"})
    rows, cols = ["panel_declines", "panel_grants"], ["model_declines", "model_grants"]
    tab = pd.crosstab(panel.rename("panel_decision"), model).reindex(index=rows, columns=cols, fill_value=0)
    tab["total"] = tab.sum(axis=1)
    tab.loc["total"] = tab.sum(axis=0)
    tab.columns.name = None
    return tab.astype("int64")


def declined_counts(comparison: pd.DataFrame) -> pd.Series:
    """The households the panel declined, as report 02 counts them, and the households with no
    eligible member split by the panel's decision.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` after
        :func:`calib.compare.apply_eligibility` (columns ``consensus_limit``, NaN where the
        household was not reviewed, and ``reason``, ``"ineligible"`` for a household with no
        eligible member).

    Returns
    -------
    Series of int
        Named ``households``, index: ``declined`` (every reviewed household the panel declined:
        consensus limit 0, as report 02 counts them), ``ineligible`` (no eligible member),
        ``ineligible_white_listed`` (of these, a consensus limit above 0), ``ineligible_declined``
        (a consensus limit of 0: declined by the panel, counted in ``declined``),
        ``ineligible_not_reviewed`` (no consensus: a model run only) and
        ``declined_no_model_run`` (declined by the panel, an eligible member, no model run). The
        three ``ineligible_`` parts add up to ``ineligible``; ``declined`` is the grants table's
        panel declines plus ``ineligible_declined`` plus ``declined_no_model_run``.

    Examples
    --------
    >>> cmp = pd.DataFrame({"consensus_limit": [5e4, 0.0, 0.0, None, 0.0],
    ...                     "reason": ["ineligible", "ineligible", "both_declined", "ineligible",
    ...                                "no_model_run"]})
    >>> declined_counts(cmp).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'declined': 3, 'ineligible': 3, 'ineligible_white_listed': 1, 'ineligible_declined': 1,
     'ineligible_not_reviewed': 1, 'declined_no_model_run': 1}
    """
    require_columns(comparison, ("consensus_limit", "reason"), "comparison", "use compare_limits")
    c = pd.to_numeric(comparison["consensus_limit"])
    declined = c.eq(0).to_numpy(bool)
    inel = comparison["reason"].eq("ineligible").to_numpy(bool)
    out = {"declined": declined.sum(), "ineligible": inel.sum(),
           "ineligible_white_listed": (inel & c.gt(0).to_numpy(bool)).sum(),
           "ineligible_declined": (inel & declined).sum(),
           "ineligible_not_reviewed": (inel & c.isna().to_numpy(bool)).sum(),
           "declined_no_model_run": (declined & comparison["reason"].eq("no_model_run").to_numpy(bool)).sum()}
    return pd.Series(out, name="households", dtype="int64")


def set_apart_counts(comparison: pd.DataFrame) -> pd.Series:
    """Every household of the comparison, as compared or set apart, and why.

    The panel and the model are compared (the grants table, Cohen's kappa; the pairs of the limit
    statistics and of the gap drivers among them) on the households both could grant: both limits
    present and an eligible member. The others are set apart and counted here, never dropped
    silently: ``households = compared + ineligible + one_limit_missing``.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` after
        :func:`calib.compare.apply_eligibility` (columns ``grant_class``, ``consensus_limit``,
        ``model_limit``).

    Returns
    -------
    Series of int
        Named ``households``, index: ``households`` (every row), ``compared`` (a grant class of
        :data:`calib.compare.limits.COMPARED`: the grants table's total), ``paired`` (of these,
        both grant: ``grant_class`` ``both``), ``ineligible`` (set apart by the eligibility
        rules: no eligible member), ``ineligible_both_limits`` (of these, a consensus and a model
        limit both present: the households the eligibility rules take out of the table),
        ``one_limit_missing`` (an eligible member but no model run or no consensus).

    Examples
    --------
    >>> cmp = pd.DataFrame({"grant_class": ["both", "neither", "ineligible", "ineligible", "no_model_run"],
    ...                     "consensus_limit": [5e4, 0.0, 4e4, None, 3e4],
    ...                     "model_limit": [6e4, 0.0, 5e4, 2e4, None]})
    >>> set_apart_counts(cmp).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'households': 5, 'compared': 2, 'paired': 1, 'ineligible': 2, 'ineligible_both_limits': 1,
     'one_limit_missing': 1}
    """
    require_columns(comparison, ("grant_class", "consensus_limit", "model_limit"), "comparison",
                    "use compare_limits")
    gc = comparison["grant_class"]
    inel = gc.eq("ineligible").to_numpy(bool)
    both_limits = (comparison["consensus_limit"].notna() & comparison["model_limit"].notna()).to_numpy(bool)
    out = {"households": len(comparison), "compared": gc.isin(COMPARED).sum(), "paired": gc.eq("both").sum(),
           "ineligible": inel.sum(), "ineligible_both_limits": (inel & both_limits).sum(),
           "one_limit_missing": gc.isin(_ONE_MISSING).sum()}
    return pd.Series(out, name="households", dtype="int64")
