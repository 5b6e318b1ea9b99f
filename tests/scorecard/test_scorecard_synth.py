"""End to end on a generated programme: loader -> household_features -> Scorecard.

The generator's true default model (calib.synth.TRUE_COEF) has business, integrity, bureau and
points all reducing risk; the bank's model score is built from the same factors. The intercept
is raised (monkeypatched, synth.py untouched) so that ~60 x 120 households give a few hundred
defaults. The card is fitted with **no** imposed direction (every trend "auto"), so the
directions it finds come from the data.
"""
from __future__ import annotations

import numpy as np
import pytest

from calib import features as F
from calib import synth
from calib.scorecard import Scorecard, cross_validate

PROTECTIVE = ["model_score", "business_rating", "integrity_rating", "points"]


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setitem(synth.TRUE_COEF, "intercept", -2.0)
    mp.setitem(synth.TRUE_COEF, "points_per_100", -0.5)
    try:
        prog, res = synth.build_programme(tmp_path_factory.mktemp("sc"), seed=11, villages=60,
                                          households_per_village=120, dirty=False)
    finally:
        mp.undo()
    return prog, res


def test_calibrated_card_recovers_true_directions(programme):
    prog, res = programme
    hh = F.household_features(prog)
    dr = hh[hh["drew"] & hh["model_score"].notna()]
    assert dr["default"].sum() > 200  # enough outcomes for the check to have power
    card = Scorecard(default_trend="auto", max_bins=6).fit(dr[list(F.CHARACTERISTICS)], dr["default"],
                                                            groups=dr["village"])
    ct = card.coef_table_.set_index("characteristic")
    for name in PROTECTIVE:
        spec = card.binning_[name]
        assert spec["fitted_trend"] == "decreasing", name          # data-chosen direction
        assert name not in card.excluded_, name
        assert ct.loc[name, "coef"] < 0, name                       # WoE works the expected way
        pts = card.points_table().query("characteristic == @name")["points"].to_numpy()
        assert pts[-1] > pts[0], name                               # higher value, more points
    # the strongest single characteristic is the bank's model score (it combines all factors)
    assert card.iv_.idxmax() == "model_score"
    # the card's scores agree with the true PD of the drawers
    truth = res.truth["households"].set_index("household_id").loc[dr.index, "true_pd"].to_numpy()
    rho = np.corrcoef(card.predict_proba(dr[list(F.CHARACTERISTICS)])[:, 1], truth)[0, 1]
    assert rho > 0.5


def test_cross_validated_auc_close_to_true_pd_auc(programme):
    from sklearn.metrics import roc_auc_score
    prog, res = programme
    hh = F.household_features(prog)
    dr = hh[hh["drew"] & hh["model_score"].notna()]
    cv = cross_validate(Scorecard(monotone_trend=F.EXPECTED_TRENDS), dr[list(F.CHARACTERISTICS)],
                        dr["default"], n_splits=5, random_state=1)
    truth = res.truth["households"].set_index("household_id").loc[dr.index, "true_pd"]
    auc_true = roc_auc_score(dr["default"], truth)
    # out of sample the card cannot beat the true PD by more than noise, and should come close
    assert auc_true - 0.08 < cv.auc_pooled < auc_true + 0.02
