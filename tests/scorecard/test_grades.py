"""The one grade definition: ordered grades and "A or better"."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibInputError
from calib.scorecard import A_OR_BETTER, GRADES, a_or_better
from calib.scorecard.grades import grade_rank


def test_a_or_better_by_hand():
    g = pd.Series(["AAA", "B", None, "A", "AA", np.nan])
    np.testing.assert_array_equal(a_or_better(g), [True, False, False, True, True, False])
    assert a_or_better(g).dtype == bool
    # the share is over all households: an unrated household counts in the denominator
    assert a_or_better(g).mean() == pytest.approx(3 / 6)
    assert GRADES == ("AAA", "AA", "A", "B") and A_OR_BETTER == ("AAA", "AA", "A")
    np.testing.assert_array_equal(a_or_better(["AAA", "AA", "A"], a_grade="AA"), [True, True, False])


def test_unknown_grade_is_an_error_not_a_silent_false():
    with pytest.raises(CalibInputError, match="AAAA"):
        a_or_better(["AAA", "AAAA"])


def test_grade_rank_orders_best_first():
    np.testing.assert_array_equal(grade_rank(["B", "AAA", None, "A"]), [3, 0, np.nan, 2])
