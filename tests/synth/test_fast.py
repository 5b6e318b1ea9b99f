"""The vectorised generator (calib.synth.fast): deterministic, loads without quarantine, carries
its known truth, and streams chunks to the same tables as it builds in memory."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib import synth
from calib.ids import check_characters
from calib.io import load_programme

AS_OF = "2026-06-30"
KW = dict(seed=5, villages=40, households_per_village=60, chunk_villages=16)


@pytest.fixture(scope="module")
def fast():
    return synth.generate_fast(**KW)


def test_same_seed_same_tables_other_seed_other_tables(fast):
    again = synth.generate_fast(**KW)
    for k in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[k], again.tables[k])
    other = synth.generate_fast(**{**KW, "seed": 6})
    assert not other.tables["reviews"].equals(fast.tables["reviews"])
    assert fast.parameters["villages"] == 40 and fast.parameters["households"] == len(
        fast.truth["households"])


def test_ids_phones_and_keys_are_unique_and_valid(fast):
    ro = fast.tables["roster"]
    ids = ro["id_number"].astype(str).to_numpy()
    assert pd.Series(ids).is_unique
    assert (pd.Series(ids).str.len() == 18).all()
    assert (check_characters([s[:17] for s in ids]) == np.array([s[17] for s in ids])).all()
    phones = ro.loc[ro["phone"] != "", "phone"]
    assert phones.is_unique and (phones.str.len() == 11).all()
    assert fast.truth["households"]["household_id"].is_unique
    assert fast.tables["reviewers"]["reviewer_id"].is_unique
    assert fast.tables["loans"]["loan_id"].is_unique


def test_write_fast_streams_the_same_programme_and_it_loads_clean(tmp_path, fast):
    p = synth.write_fast(tmp_path, fmt="parquet", **KW)
    assert p["households"] == fast.parameters["households"]
    prog = load_programme(tmp_path, as_of=AS_OF)
    c = prog.counts.set_index("table")
    assert (c["rows_quarantined"] == 0).all(), prog.quarantine.head()
    assert (c["rows_read"] == c["rows_accepted"]).all()
    assert c.loc["roster", "rows_read"] == len(fast.tables["roster"])
    assert c.loc["reviews", "rows_read"] == len(fast.tables["reviews"])
    rv = pd.read_parquet(tmp_path / "reviews.parquet")
    pd.testing.assert_frame_equal(rv, fast.tables["reviews"], check_dtype=False)


def test_reviews_carry_the_true_leniency(fast):
    """Known truth: a reviewer's median log residual recovers the generator's leniency."""
    th = fast.truth["households"].set_index("household_id")["true_log_limit"]
    rv = fast.tables["reviews"]
    lim = pd.to_numeric(rv["proposed_limit"].str.replace("万", "0000"), errors="coerce")
    ok = lim > 0
    resid = np.log(lim[ok]) - rv.loc[ok, "household_id"].map(th)
    est = resid.groupby(rv.loc[ok, "reviewer_id"]).median()
    tr = fast.truth["reviewers"].set_index("reviewer_id")["true_leniency"]
    assert np.corrcoef(est, tr.loc[est.index])[0, 1] > 0.9


def test_defaults_follow_the_true_model(fast):
    """Observed default rate of the loans within 3 binomial SE of the mean true PD."""
    big = synth.generate_fast(seed=9, villages=200, households_per_village=85)
    th = big.truth["households"].set_index("household_id")
    ln = big.tables["loans"]
    p = th.loc[ln["household_id"], "true_pd"].to_numpy()
    se = np.sqrt((p * (1 - p)).sum()) / len(p)
    assert abs(ln["default"].mean() - p.mean()) < 3 * se
    credited = th["credited"].mean()
    assert 0.6 < credited < 0.95  # like the sample: about 6,000 of 7,600 households
    assert 0.2 < th.loc[th["credited"], "draws"].mean() < 0.4  # about 30% draw


@pytest.mark.parametrize("fast", [False, True], ids=["reference", "vectorised"])
def test_quarterly_snapshots_drift_and_move_their_dates(fast):
    snaps = synth.quarterly_snapshots(seed=3, quarters=3, villages=30, drift_per_quarter=0.2,
                                      fast=fast)
    assert [str(q.date()) for q, _ in snaps] == ["2025-09-30", "2025-12-31", "2026-03-31"]
    means = [r.truth["households"]["bureau"].mean() for _, r in snaps]
    # k quarters before the end the bureau factor's mean is 0.2 k (SE about 0.02 each)
    for (q, r), k, m in zip(snaps, (3, 2, 1), means):
        assert m == pytest.approx(0.2 * k, abs=0.08)
        assert r.parameters["drift"] == pytest.approx(0.2 * k)
        runs = pd.to_datetime(r.tables["model_runs"]["run_date"], errors="coerce")
        assert runs.max() <= q and r.tables["loans"]["observed_until"].eq(str(q.date())).all()
        # every date as far before the as-of date as in the sample (the latest model run 273
        # days before 2026-06-30, the reviews 305 to 364 days)
        assert (q - runs.max()).days == 273
        rd = pd.to_datetime(r.tables["reviews"]["review_date"], errors="coerce").dropna()
        assert 273 <= (q - rd.max()).days and (q - rd.min()).days <= 364


def test_reviewers_sit_out_their_own_household_as_in_the_sample(fast):
    """Recusal (回避) as the sample's generator draws it: of the reviews a villager reviewer
    could give their own household, about SELF_REVIEW_SHARE remain (a province run flagged
    70% of its reviewers for self-review when every one remained); no household is left
    unreviewed by it."""
    from calib.synth.tables import SELF_REVIEW_SHARE

    rel = fast.tables["relations"]
    own = rel.loc[rel["relation"] == "self", ["reviewer_id", "household_id"]]
    rv = fast.tables["reviews"][["reviewer_id", "household_id"]]
    selfs = rv.merge(own, on=["reviewer_id", "household_id"])
    share = len(selfs) / len(own)
    assert 0.02 < share < 0.15, share  # of own households (some are not profiled, or absent)
    assert share < 2.5 * SELF_REVIEW_SHARE
    reviewed = set(rv["household_id"])
    prof = fast.truth["households"]
    assert set(prof.loc[prof["profiled"], "household_id"]) <= reviewed
