"""Every table rule's output (accepted tables, quarantine, counts) on a programme that breaks
each of them, pinned to what the loader gave before its rules were rewritten on integer codes
(``golden/edge_rules_2026-06-30.json``, recorded from commit 5a61067)."""
from pathlib import Path

from _edge_programme import write_edge_programme
from _io_golden import assert_matches_golden

from calib.io import load_programme

GOLDEN = Path(__file__).parent / "golden" / "edge_rules_2026-06-30.json"


def test_every_table_rule_gives_the_pinned_quarantine(tmp_path):
    prog = load_programme(write_edge_programme(tmp_path), as_of="2026-06-30")
    assert_matches_golden(prog, GOLDEN)


def test_a_household_is_placed_by_its_first_valid_row(tmp_path):
    """The contract's one-village rule is first-come, like every repeat rule (the first
    occurrence stays, the reason names it): a household number belongs to the village of its
    first row that passed the cell checks. A different (well-formed) village on that row is not
    second-guessed: the household is placed there and its other members are quarantined
    ("household number already used in another village"), and its reviews are checked against
    that village's panel. A first row whose village is itself invalid (blank) is quarantined
    alone and the next row places the household (Hypothesis found the first case; it is the
    contract, documented here, not a defect)."""
    prog = load_programme(write_edge_programme(tmp_path), as_of="2026-06-30")
    q, ro, rv = prog.quarantine, prog.roster, prog.reviews
    split = q[q["reason"].eq("household number already used in another village")]
    # HX1: rows 58 (大榕村), 59 and 60 (大溪村)
    assert ro.loc[ro["household_id"].eq("HX1"), ["row", "village"]].values.tolist() == [[58, "大榕村"]]
    assert split["row"].tolist() == [59, 60] and set(split["column"]) == {"village"}
    hx1 = rv[rv["household_id"].eq("HX1")]
    assert hx1["reviewer_id"].tolist() == ["RX8"] and hx1["village"].tolist() == ["大榕村"]
    assert q.loc[q["row"].eq(85) & q["table"].eq("reviews"), "reason"].tolist() == [
        "reviewer sits on another village's panel"]
    # HX2: rows 61 (village blank) and 62 (大溪村)
    assert q.loc[q["table"].eq("roster") & q["row"].eq(61), "reason"].tolist() == ["required value village is blank"]
    assert ro.loc[ro["household_id"].eq("HX2"), ["row", "village"]].values.tolist() == [[62, "大溪村"]]


def test_first_seen_against_numpy_unique():
    """calib.io.checks.first_seen (repeats by one stable sort) equals the brute force."""
    import numpy as np

    from calib.io.checks import first_seen

    rng = np.random.default_rng(1)
    for _ in range(300):
        x = rng.integers(0, rng.integers(1, 20), rng.integers(1, 60))
        is_first, first = first_seen(x)
        want = np.array([np.flatnonzero(x == v)[0] for v in x])
        assert (first == want).all() and (is_first == (want == np.arange(len(x)))).all()
