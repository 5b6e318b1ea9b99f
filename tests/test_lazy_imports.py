"""Packages import their modules on first use (calib._lazy): a `calib` command, a report kernel
or a Spark worker that reads a parameter file does not pay for scipy.stats, the pricing
statistics or the consensus (about 1.5 s each), and every public name still resolves."""
from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("statement", ["import calib.params", "import calib.reporting.runner",
                                       "import calib.engine.spark", "from calib.pricing import Schedule",
                                       "from calib.scorecard.grades import a_or_better"])
def test_reading_parameters_does_not_import_the_statistics(statement):
    loaded = _modules_after(statement)
    assert not loaded & {"scipy.stats", "calib.pricing.calibration", "calib.consensus", "calib.compare",
                         "calib.engine.dispatch", "matplotlib.pyplot"}


def test_every_public_name_resolves_and_star_import_works():
    import calib.engine
    import calib.pricing
    import calib.scorecard

    for pkg in (calib.pricing, calib.engine, calib.scorecard):
        assert set(pkg.__all__) <= set(dir(pkg))
        for name in pkg.__all__:
            assert getattr(pkg, name) is not None, name
    ns: dict = {}
    exec("from calib.pricing import *", ns)
    exec("from calib.scorecard import *", ns)
    assert set(calib.pricing.__all__) | set(calib.scorecard.__all__) <= set(ns)


def test_a_name_shared_with_its_submodule_stays_the_function():
    # calib.pricing.conclusions is the function of calib/pricing/conclusions.py, as an eager
    # __init__ made it, even after the submodule is imported by name
    code = ("import calib.pricing.conclusions, calib.pricing as p, inspect\n"
            "print(inspect.isfunction(p.conclusions), p.conclusions.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "calib.pricing.conclusions"]
