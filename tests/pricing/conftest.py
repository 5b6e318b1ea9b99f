"""Fixtures of the pricing tests."""
from __future__ import annotations

import pytest

from _sim_pricing import simulate_points_programme


@pytest.fixture(scope="module")
def sim():
    return simulate_points_programme(
        n_villages=60, households_per_village=100, beta_per_100=-0.30, intercept=-2.3, seed=3
    )
