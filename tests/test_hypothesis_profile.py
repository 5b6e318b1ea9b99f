"""The suite's Hypothesis profile (tests/conftest.py): property tests try the same examples on
every run, as a report run gives the same numbers."""
from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st


def _examples() -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []

    @settings(max_examples=25)
    @given(st.integers(), st.text(max_size=5))
    def prop(n, s):
        seen.append((n, s))

    prop()
    return seen


def test_property_tests_try_the_same_examples_on_every_run():
    if os.environ.get("CALIB_HYPOTHESIS_PROFILE", "ci") != "ci":
        assert not settings.default.derandomize  # nightly: at random
        return
    assert settings.default.derandomize and settings.default.database is None
    first, again = _examples(), _examples()
    assert len(first) >= 10 and first == again
