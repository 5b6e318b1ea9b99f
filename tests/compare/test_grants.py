"""Grant against decline (calib.compare.grant_crosstab) and the declined households as report 02
counts them (calib.compare.declined_counts), by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from calib import compare
from calib.errors import CalibInputError

POLICY = {"rule": "min", "blend_weight": 0.5, "band_low": 0.67, "band_high": 1.5, "provisional": "min",
          "cap": 500000, "grid": 1000}


def _cmp() -> pd.DataFrame:
    """a, b both grant; c the panel declines, the model grants; d the reverse; f both decline;
    x no model run, y no consensus; x, z (declined by the panel) and y have no eligible member."""
    cons = pd.DataFrame({"consensus_limit": pd.Series({"a": 5e4, "b": 5e4, "c": 0, "d": 4e4, "f": 0, "x": 3e4, "z": 0},
                                                      dtype=float)})
    cons.index.name = "household_id"
    runs = pd.DataFrame({"household_id": list("abcdfy"), "model_limit": [6e4, 1e5, 3e4, 0, 0, 1e4]})
    out = compare.compare_limits(cons, runs, policy=POLICY)
    elig = pd.Series([True] * 5 + [False] * 3, index=pd.Index(list("abcdfxzy"), name="household_id"), name="eligible")
    return compare.apply_eligibility(out, elig)


def test_grant_crosstab_counts_the_households_with_both_limits():
    tab = compare.grant_crosstab(_cmp())
    expected = pd.DataFrame({"model_declines": [1, 1, 2], "model_grants": [1, 2, 3], "total": [2, 3, 5]},
                            index=pd.Index(["panel_declines", "panel_grants", "total"], name="panel_decision"))
    pd.testing.assert_frame_equal(tab, expected)  # x (no model run), y and z (one limit missing) left out


def test_grant_crosstab_keeps_a_decision_nobody_took():
    """With no decline on either side the rows and columns are still there (0): the grants note
    reads the panel's declines."""
    cmp = _cmp().loc[["a", "b"]]
    tab = compare.grant_crosstab(cmp)
    assert tab.loc["panel_declines", "total"] == 0 and tab.loc["total", "model_declines"] == 0
    assert tab.loc["total", "total"] == 2 and list(tab.columns) == ["model_declines", "model_grants", "total"]


def test_grant_crosstab_matches_pandas_crosstab_with_margins():
    """The table the notebook built by hand before (pd.crosstab with margins)."""
    cmp = _cmp()
    present = ~cmp["grant_class"].isin(["no_model_run", "no_consensus"])
    hand = pd.crosstab((cmp.loc[present, "consensus_limit"] > 0).map({True: "panel_grants", False: "panel_declines"})
                       .rename("panel_decision"),
                       (cmp.loc[present, "model_limit"] > 0).map({True: "model_grants", False: "model_declines"}),
                       margins=True, margins_name="total")
    hand.columns.name = None
    pd.testing.assert_frame_equal(compare.grant_crosstab(cmp), hand)


def test_declined_counts_split_the_ineligible_households():
    d = compare.declined_counts(_cmp())
    assert d.name == "households" and d.dtype == "int64"
    # c, f, z declined by the panel; x white-listed, z declined, y never reviewed: none eligible
    assert d.to_dict() == {"declined": 3, "ineligible": 3, "ineligible_white_listed": 1, "ineligible_declined": 1,
                           "ineligible_not_reviewed": 1}
    assert d["ineligible"] == d[["ineligible_white_listed", "ineligible_declined", "ineligible_not_reviewed"]].sum()


def test_declined_counts_and_crosstab_need_a_comparison():
    with pytest.raises(CalibInputError, match="reason"):
        compare.declined_counts(pd.DataFrame({"consensus_limit": [1.0]}))
    with pytest.raises(CalibInputError, match="grant_class"):
        compare.grant_crosstab(pd.DataFrame({"consensus_limit": [1.0], "model_limit": [1.0]}))
