"""Grant against decline: the panel's decisions beside the model's, and the declined households
counted as report 02 counts them.

Report 03's grants table (:func:`grant_crosstab`) counts only the households with both limits;
report 02 counts every reviewed household the panel declined. :func:`declined_counts` gives the
figures that reconcile the two (the declined households with no eligible member) and the split
of the households with no eligible member into white-listed and declined by the panel, which the
limit bridge's words state too (:func:`calib.report.words.bridge_words`).
"""
from __future__ import annotations

import pandas as pd

from calib._frames import require_columns

__all__ = ["grant_crosstab", "declined_counts"]

#: The grant classes of :func:`calib.compare.compare_limits` with one limit missing: not in the table.
_ONE_MISSING = ("no_model_run", "no_consensus")


def grant_crosstab(comparison: pd.DataFrame) -> pd.DataFrame:
    """The panel's grant or decline against the model's, for the households with both limits.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`calib.compare.compare_limits` (columns ``grant_class``,
        ``consensus_limit``, ``model_limit``); a household whose ``grant_class`` is
        ``no_model_run`` or ``no_consensus`` (one limit missing) is left out.

    Returns
    -------
    DataFrame
        Household counts (int). Index ``panel_decision``: ``panel_declines``, ``panel_grants``
        (consensus limit 0 or above 0), ``total``; columns ``model_declines``, ``model_grants``
        (model limit 0 or above 0), ``total``. Both decisions of either side are rows and columns
        even when nobody took one (count 0).

    Examples
    --------
    >>> cmp = pd.DataFrame({"grant_class": ["both", "consensus_only", "no_model_run"],
    ...                     "consensus_limit": [5e4, 3e4, 2e4], "model_limit": [6e4, 0.0, None]})
    >>> grant_crosstab(cmp)  # doctest: +NORMALIZE_WHITESPACE
                    model_declines  model_grants  total
    panel_decision
    panel_declines               0             0      0
    panel_grants                 1             1      2
    total                        1             1      2
    """
    require_columns(comparison, ("grant_class", "consensus_limit", "model_limit"), "comparison", "use compare_limits")
    present = ~comparison["grant_class"].isin(_ONE_MISSING)
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
        (a consensus limit of 0: declined by the panel, counted in ``declined``) and
        ``ineligible_not_reviewed`` (no consensus: a model run only). The three parts add up to
        ``ineligible``.

    Examples
    --------
    >>> cmp = pd.DataFrame({"consensus_limit": [5e4, 0.0, 0.0, None],
    ...                     "reason": ["ineligible", "ineligible", "both_declined", "ineligible"]})
    >>> declined_counts(cmp).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'declined': 2, 'ineligible': 3, 'ineligible_white_listed': 1, 'ineligible_declined': 1,
     'ineligible_not_reviewed': 1}
    """
    require_columns(comparison, ("consensus_limit", "reason"), "comparison", "use compare_limits")
    c = pd.to_numeric(comparison["consensus_limit"])
    declined = c.eq(0).to_numpy(bool)
    inel = comparison["reason"].eq("ineligible").to_numpy(bool)
    out = {"declined": declined.sum(), "ineligible": inel.sum(),
           "ineligible_white_listed": (inel & c.gt(0).to_numpy(bool)).sum(),
           "ineligible_declined": (inel & declined).sum(),
           "ineligible_not_reviewed": (inel & c.isna().to_numpy(bool)).sum()}
    return pd.Series(out, name="households", dtype="int64")
