"""Grant against decline (calib.compare.grant_crosstab), the households set apart from it
(calib.compare.set_apart_counts) and the declined households as report 02 counts them
(calib.compare.declined_counts), by hand."""
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
    present = cmp["grant_class"].isin(["both", "consensus_only", "model_only", "neither"])
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
                           "ineligible_not_reviewed": 1, "declined_no_model_run": 0}
    assert d["ineligible"] == d[["ineligible_white_listed", "ineligible_declined", "ineligible_not_reviewed"]].sum()


def test_declined_counts_and_crosstab_need_a_comparison():
    with pytest.raises(CalibInputError, match="reason"):
        compare.declined_counts(pd.DataFrame({"consensus_limit": [1.0]}))
    with pytest.raises(CalibInputError, match="grant_class"):
        compare.grant_crosstab(pd.DataFrame({"consensus_limit": [1.0], "model_limit": [1.0]}))


def _mixed() -> pd.DataFrame:
    """_cmp's households plus p, q, r with no eligible member and both limits (p both grant, far
    apart; q the panel declines, the model grants; r both grant, close), v eligible with a
    consensus and no model run, w eligible, declined by the panel, no model run."""
    cons = pd.DataFrame({"consensus_limit": pd.Series({"a": 5e4, "b": 5e4, "c": 0, "d": 4e4, "f": 0, "x": 3e4, "z": 0,
                                                       "p": 5e4, "q": 0, "r": 4e4, "v": 2e4, "w": 0}, dtype=float)})
    cons.index.name = "household_id"
    runs = pd.DataFrame({"household_id": list("abcdfypqr"), "model_limit": [6e4, 1e5, 3e4, 0, 0, 1e4, 2e5, 3e4, 4.2e4]})
    out = compare.compare_limits(cons, runs, policy=POLICY)
    ok = dict.fromkeys("abcdfvw", True) | dict.fromkeys("xzypqr", False)
    return compare.apply_eligibility(out, pd.Series(ok, name="eligible").rename_axis("household_id"))


def test_an_ineligible_household_with_both_limits_is_set_apart_from_the_table():
    """Before, apply_eligibility left grant_class as the inputs made it: p, q and r, with no
    eligible member but both limits, were counted in the grants table (and in kappa) although
    their final limit is 0 by the eligibility rules."""
    cmp = _mixed()
    assert set(cmp.loc[list("pqr"), "grant_class"]) == {"ineligible"}
    assert cmp.loc[list("pqr"), "ratio"].isna().all() and cmp.loc[list("pqr"), "log_ratio"].isna().all()
    assert (cmp.loc[list("pqr"), "consensus_limit"] == [5e4, 0, 4e4]).all()  # what the inputs say, kept
    tab = compare.grant_crosstab(cmp)
    pd.testing.assert_frame_equal(tab, compare.grant_crosstab(_cmp()))  # a, b, c, d, f only
    assert tab.loc["total", "total"] == 5


def test_set_apart_counts_every_household_once():
    cmp = _mixed()
    a = compare.set_apart_counts(cmp)
    assert a.name == "households" and a.dtype == "int64"
    assert a.to_dict() == {"households": 13, "compared": 5, "paired": 2, "ineligible": 6, "ineligible_both_limits": 3,
                           "one_limit_missing": 2}  # v, w: an eligible member, no model run
    assert a["households"] == a["compared"] + a["ineligible"] + a["one_limit_missing"]  # in = used + set apart
    assert a["compared"] == compare.grant_crosstab(cmp).loc["total", "total"]
    assert a["paired"] == compare.agreement_summary(cmp, n_boot=0)["n_pairs"].iloc[0]


def test_declined_counts_reconcile_the_table_with_report_02():
    """Report 02's declines = the table's + those with no eligible member + those with an eligible
    member and no model run (w): true of any data, not only of the sample's."""
    cmp = _mixed()
    d, tab = compare.declined_counts(cmp), compare.grant_crosstab(cmp)
    assert (d["declined"], tab.loc["panel_declines", "total"]) == (5, 2)   # c, f, z, q, w; c, f
    assert (d["ineligible_declined"], d["declined_no_model_run"]) == (2, 1)  # z, q; w
    assert d["declined"] == tab.loc["panel_declines", "total"] + d["ineligible_declined"] + d["declined_no_model_run"]
