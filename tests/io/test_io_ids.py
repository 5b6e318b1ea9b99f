import numpy as np
import pandas as pd
import pytest
from stdnum.cn import ric

from calib import ids


def _valid_ids(n, seed=0):
    rng = np.random.default_rng(seed)
    birth = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 30000, n), unit="D")
    return ids.make_ids(np.full(n, "110105"), birth, rng.choice(["M", "F"], n), rng)


def test_check_character_matches_python_stdnum_on_random_numbers():
    good = _valid_ids(2000)
    assert all(ric.is_valid(x) for x in good)
    rng = np.random.default_rng(1)
    bad = np.array([x[:-1] + "0123456789X"[(("0123456789X".index(x[-1])) + int(rng.integers(1, 11))) % 11]
                    for x in good[:500]])
    parsed = ids.parse_ids(pd.Series(np.concatenate([good, bad])), as_of="2026-06-30")
    expected = [ric.is_valid(x) for x in np.concatenate([good, bad])]
    assert parsed["valid"].tolist() == expected
    assert parsed["valid"].sum() == 2000


def test_reference_number_and_derived_fields():
    p = ids.parse_ids(pd.Series(["11010519491231002X"]), as_of="2026-06-30").iloc[0]
    assert p["valid"] and p["id_number"] == "11010519491231002X"
    assert p["birth_date"] == pd.Timestamp("1949-12-31")
    assert p["sex"] == "F"  # sequence 002 is even
    assert p["age"] == 76


@pytest.mark.parametrize("raw", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", " 110105 19491231 002X ",
                                 "110105491231002"])
def test_normalisation_and_15_digit_upgrade(raw):
    p = ids.parse_ids(pd.Series([raw]), as_of="2026-06-30").iloc[0]
    assert p["valid"], p["reason"]
    assert p["id_number"] == "11010519491231002X"
    assert p["upgraded"] == (raw == "110105491231002")


@pytest.mark.parametrize("raw,reason", [
    ("4.40524E+17", ids.REASON_SCIENTIFIC),
    ("110105194912310000", ids.REASON_ZEROED),
    ("11010519491231002Y", ids.REASON_FORMAT),
    ("1101051949123", ids.REASON_FORMAT),
    ("110105194913310024", ids.REASON_DATE),
    ("110105203012310024", ids.REASON_DATE),  # born after the reference date
    ("110105194912310021", ids.REASON_CHECK),
    (None, ids.REASON_MISSING),
])
def test_each_problem_gets_its_own_reason(raw, reason):
    p = ids.parse_ids(pd.Series([raw], dtype=object), as_of="2026-06-30").iloc[0]
    assert not p["valid"]
    assert p["reason"] == reason


def test_age_turns_on_the_birthday():
    birth = pd.DatetimeIndex(["1961-06-30", "1961-07-01"])
    x = ids.make_ids(np.array(["110105", "110105"]), birth, np.array(["M", "M"]), np.random.default_rng(0))
    ages = ids.parse_ids(pd.Series(x), as_of="2026-06-30")["age"].tolist()
    assert ages == [65, 64]
