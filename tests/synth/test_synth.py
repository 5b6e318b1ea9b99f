import numpy as np
import pandas as pd
import pytest

from calib import synth
from calib.io import latest_model_run


def test_same_seed_same_programme_other_seed_other_programme():
    a = synth.generate(seed=11, villages=4, households_per_village=20)
    b = synth.generate(seed=11, villages=4, households_per_village=20)
    c = synth.generate(seed=12, villages=4, households_per_village=20)
    for k in a.tables:
        pd.testing.assert_frame_equal(a.tables[k], b.tables[k])
    assert not a.tables["reviews"].equals(c.tables["reviews"])
    assert a.parameters == b.parameters


def test_sample_follows_the_fogang_figures(sample_programme):
    prog = sample_programme
    assert prog.roster["township"].nunique() == 6
    assert prog.roster["village"].nunique() == 90
    truth = pd.read_csv("data/sample/truth/households.csv")
    credited = int(truth["credited"].sum())
    assert 5000 <= credited <= 7000  # about 6,000 credit households (seed 000: 6,184)
    mr = latest_model_run(prog.model_runs)
    lim = mr.loc[mr["model_limit"] > 0, "model_limit"]
    assert 22_000 <= lim.mean() <= 36_000  # about 29,000 yuan each
    assert lim.max() <= 500_000
    usage = truth["draws"].sum() / credited
    assert 0.25 <= usage <= 0.35  # about 30% of credited households draw
    panel = prog.reviews.groupby("village")["reviewer_id"].nunique()
    assert panel.between(3, 7).all()


def test_reviews_carry_the_true_leniency_and_favour(small_programme):
    _, prog, res = small_programme
    th = res.truth["households"].set_index("household_id")
    tr = res.truth["reviewers"].set_index("reviewer_id")
    rv = prog.reviews.loc[prog.reviews["proposed_limit"] > 0]
    resid = np.log(rv["proposed_limit"]) - rv["household_id"].map(th["true_log_limit"])
    est = resid.groupby(rv["reviewer_id"]).median()
    r = np.corrcoef(est, tr.loc[est.index, "true_leniency"])[0, 1]
    assert r > 0.9
    # relations list every reviewer who sits in the roster as 'self'
    rel = prog.relations
    own = tr.loc[tr["own_household"].fillna("") != "", "own_household"]
    selfs = rel.loc[rel["relation"] == "self"].set_index("reviewer_id")["household_id"]
    assert own.sort_index().equals(selfs.sort_index().rename("own_household"))


def test_points_effect_is_a_parameter():
    none = synth.generate(seed=2, villages=6, households_per_village=30, points_effect=0.0)
    assert none.parameters["discount_per_100_true"] == 0.0
    some = synth.generate(seed=2, villages=6, households_per_village=30)
    assert some.parameters["discount_per_100_true"] > 0


def test_generator_rebuilds_the_committed_sample_byte_identically(tmp_path):
    from _support import SAMPLE

    synth.write(synth.generate(), tmp_path)
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    rebuilt = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == rebuilt
    for rel in committed:
        assert (SAMPLE / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_loans_are_priced_with_the_schedule_given():
    """``schedule=`` prices each loan at its household's latest points (0 without a record) by
    that schedule; the default is the sample's proportional step."""
    from calib.pricing import rate_for_points

    bands = {"base_rate": 0.05, "bands": [{"points": 200, "discount": 0.001}, {"points": 500, "discount": 0.004}]}
    step = synth.generate(seed=2, villages=6, households_per_village=30, dirty=False)
    banded = synth.generate(seed=2, villages=6, households_per_village=30, dirty=False, schedule=bands)
    pts = banded.tables["points"]
    latest = pts.loc[pts["period"] == "2025"].set_index("household_id")["points"].astype(float)
    loans = banded.tables["loans"]
    held = loans["household_id"].map(latest).fillna(0.0)  # no points record: priced at 0 points
    rate = loans["interest_rate"].astype(float)
    assert held.gt(500).any() and held.between(200, 500).any() and held.lt(200).any()
    np.testing.assert_allclose(rate, np.round(rate_for_points(held.to_numpy(), bands), 5), atol=0)
    assert set(np.round(0.05 - rate, 5)) == {0.0, 0.001, 0.004}
    assert not np.allclose(step.tables["loans"]["interest_rate"].astype(float), rate)
    assert banded.parameters["schedule"] == bands and "schedule" not in step.parameters


@pytest.mark.parametrize("fast", [False, True])
def test_an_earlier_quarters_points_keep_two_distinct_completed_years(fast, tmp_path):
    """The points years were the sample's year ends moved by days: a year back (as of
    2025-06-30) across the leap day of 2024 put both in 2024, and the backfilled programme's
    loader quarantined every second points row as a repeat (7,324 of 14,648); as of 2025-09-30
    the second year was 2025, not yet over. Each programme now holds the last two years over by
    its evaluation date, and loads without a repeated points row."""
    from calib.io import load_programme
    from calib.synth import write_snapshot

    for as_of, years in (("2025-06-30", {"2023", "2024"}), ("2025-09-30", {"2023", "2024"}),
                         ("2025-12-31", {"2024", "2025"}), ("2026-06-30", {"2024", "2025"})):
        d = tmp_path / f"{as_of}-{fast}"
        write_snapshot(d, as_of, seed=3, villages=4, households_per_village=12, fast=fast)
        prog = load_programme(d, as_of=as_of)
        assert set(prog.points["period"].astype(str)) == years, as_of
        q = prog.quarantine
        assert not q.loc[q["table"] == "points", "reason"].str.contains("given twice").any(), as_of
