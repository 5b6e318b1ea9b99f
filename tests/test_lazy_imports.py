"""Packages import their modules on first use (calib._lazy): a `calib` command, a report kernel
or a Spark worker that reads a parameter file does not pay for scipy.stats, the pricing
statistics or the consensus (about 1.5 s each), and every public name still resolves."""
from __future__ import annotations

import subprocess
import sys

import pytest

#: each test starts Python processes to see what they import: left out of `make test-fast`
pytestmark = pytest.mark.slow


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


#: IRIs and IRI references, valid and not (RFC 3987), for jsonschema's format checker
_IRIS = ["http://例子.测试/路径?查询#片段", "https://example.org/a b", "not an iri", "a/b", "",
         "mailto:张三@例子.cn", "http://[::1]:80/", "http://x/%zz"]
_CHECK = ("import json, sys\n{pre}import nbformat\n"
          "from jsonschema import Draft7Validator\n"
          "loaded = 'rfc3987_syntax.syntax_helpers' in sys.modules\n"
          "fc = Draft7Validator.FORMAT_CHECKER\n"
          "print(json.dumps([loaded, [[fc.conforms(v, f) for f in ('iri', 'iri-reference')] for v in json.loads(sys.argv[1])]]))")


def _iri_check(pre: str) -> tuple[bool, list]:
    import json

    out = subprocess.run([sys.executable, "-c", _CHECK.format(pre=pre), json.dumps(_IRIS)],
                         capture_output=True, text=True, check=True)
    return tuple(json.loads(out.stdout))


def test_nbformat_does_not_build_the_iri_grammar_and_iri_checks_keep_their_answers():
    """calib._iri: importing nbformat (each `calib run`, each test worker) does not build
    rfc3987_syntax's parsers (about 2 CPU s); an IRI format check still gives the real answers."""
    deferred_loaded, deferred = _iri_check("import calib._iri\n")
    eager_loaded, eager = _iri_check("")
    assert eager_loaded and not deferred_loaded
    assert deferred == eager
    assert [True, True] in eager and [False, False] in eager  # the checks tell valid from invalid


def test_the_calib_command_and_the_test_run_defer_the_iri_grammar():
    code = ("import sys\nfrom calib import cli\n"
            "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "import nbformat\nprint('rfc3987_syntax.syntax_helpers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "False"
    assert "rfc3987_syntax.syntax_helpers" not in sys.modules  # this test process (-p calib._iri)
