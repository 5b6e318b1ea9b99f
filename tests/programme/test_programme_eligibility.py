import pandas as pd

from calib.programme import Programme, eligible_households, person_eligibility


def _roster():
    return pd.DataFrame({
        "household_id": ["h1", "h1", "h2", "h3", "h3", "h4"],
        "township": "t", "village": ["v1", "v1", "v1", "v2", "v2", "v2"],
        "age": [17, 18, 65, 66, 40, 30],
        "status": ["alive", "alive", "alive", "alive", "deceased", "alive"],
        "bad_record": [False, False, False, False, False, True],
        "relation_to_head": ["子", "户主", "户主", "户主", "配偶", "户主"],
    })


def test_age_bounds_are_inclusive_and_each_exclusion_is_named():
    p = person_eligibility(_roster())
    assert p["eligible"].tolist() == [False, True, True, False, False, False]
    assert p["exclusion"].tolist() == ["age", "", "", "age", "deceased", "bad_record"]


def test_a_household_is_eligible_when_one_member_is():
    h = eligible_households(_roster())
    assert h["eligible"].to_dict() == {"h1": True, "h2": True, "h3": False, "h4": False}
    assert h.loc["h3", "n_excluded_members"] == 1
    relaxed = eligible_households(_roster(), exclude_bad_record=False, max_age=70)
    assert relaxed["eligible"].all()


def test_programme_households_head_age_and_sizes():
    ro = _roster().assign(group=None, land_mu=1.0, forest_mu=float("nan"))
    prog = Programme(roster=ro, reviews=pd.DataFrame(), model_runs=pd.DataFrame())
    h = prog.households()
    assert h.loc["h1", "head_age"] == 18 and h.loc["h1", "n_members"] == 2
    assert h.loc["h3", "head_age"] == 66
    assert h.loc["h1", "land_mu"] == 2.0
