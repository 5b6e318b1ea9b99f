"""Shared fixtures: generated programmes written to temporary folders, and ONE end-to-end report
bundle (session-scoped) that every end-to-end check reads, so the suite runs the notebooks once."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from calib import synth
from calib.io import load_programme

from _support import AS_OF, ROOT, SAMPLE, calib_cli, report_pages, write_params  # noqa: F401

#: Hypothesis's profiles: ``ci`` (the default) tries the same examples on every run (derandomised,
#: no example database: a test run is as deterministic as a report run, and a failure is met
#: again by the next run); ``nightly`` (``CALIB_HYPOTHESIS_PROFILE=nightly``) searches at random,
#: with the larger example counts the property modules give it. A failure found there becomes an
#: explicit ``@example``.
HYPOTHESIS_PROFILE = os.environ.get("CALIB_HYPOTHESIS_PROFILE", "ci")
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("nightly", deadline=None, print_blob=True)
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_configure(config):
    """One scratch folder per test run for every temporary file the run makes, removed when it
    ends: the notebooks' side outputs under nbval (``calib.report.record.output_dir`` without a
    bundle), the kernels' spec folders, the workers' and the background runs' temporary files
    (they inherit ``TMPDIR``). pytest's own ``tmp_path`` folders stay where pytest keeps them
    (its last three runs, for a look after a failure)."""
    if not hasattr(config, "workerinput"):  # an xdist worker inherits the controller's TMPDIR
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", tempfile.gettempdir())
        scratch = tempfile.mkdtemp(prefix="calib-tests-")
        os.chmod(scratch, 0o755)  # the PostgreSQL fixture's server runs as ``postgres`` inside it
        config._calib_scratch = (scratch, os.environ.get("TMPDIR"))
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = None  # recomputed from TMPDIR on next use
    _forked_nbval_kernels(config)


#: the kernel spec nbval's kernels start from: this environment's kernel, forked from the test
#: run's zygote (:mod:`calib.reporting.zygote`) as a report run's kernels are
NBVAL_KERNEL = "calib-forked"


def _forked_nbval_kernels(config) -> None:
    """Under ``--nbval-current-env``: nbval's kernels are this environment's ipykernel, launched
    through the zygote client, so each notebook's kernel is forked from one process of the test
    run that imported the libraries once (started when notebooks are collected:
    ``pytest_collection_finish``); while it is not there, the client starts the kernel the
    usual way. A kernel spec in the run's scratch folder (``JUPYTER_PATH``), named with
    ``--nbval-kernel-name``."""
    if not (config.pluginmanager.hasplugin("nbval") and getattr(config.option, "nbval_current_env", False)):
        return
    from calib.reporting.zygote import CLIENT, SOCKET_ENV

    scratch = Path(os.environ["TMPDIR"])
    spec = scratch / "jupyter" / "kernels" / NBVAL_KERNEL
    if not hasattr(config, "workerinput"):
        spec.mkdir(parents=True)
        (scratch / "zygote").mkdir(mode=0o700)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-I", "-S", str(CLIENT), sys.executable, "-m", "ipykernel_launcher",
                     "-f", "{connection_file}"],
            "display_name": "Python 3 (calib, forked)", "language": "python",
            "env": {SOCKET_ENV: str(zygote_socket(scratch))}}), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(scratch / "jupyter"),
                                                                   os.environ.get("JUPYTER_PATH")]))
    config.option.nbval_current_env = False
    config.option.nbval_kernel_name = NBVAL_KERNEL


def pytest_unconfigure(config):
    scratch, before = getattr(config, "_calib_scratch", (None, None))
    if scratch is None:
        return
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
    tempfile.tempdir = None
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(autouse=True)
def _report_language_put_back():
    """The report language as each test found it: a test that sets it (labels.set_lang) without
    putting it back changed the words of every later test on its worker (the English figures of
    test_params_table's banded case read by report 05's bundle checks, in whatever order the
    scheduler gave)."""
    labels = sys.modules.get("calib.report.labels")
    before = labels.get_lang() if labels is not None else None
    yield
    labels = sys.modules.get("calib.report.labels")
    if labels is not None:
        labels.set_lang(before or labels.DEFAULT_LANG)


@pytest.fixture(scope="session")
def sample_programme():
    """The bundled sample programme, loaded."""
    return load_programme(SAMPLE, as_of=AS_OF)


@pytest.fixture(scope="session")
def small_programme(tmp_path_factory):
    """A small generated programme (12 villages) with its truth: (folder, Programme, SynthResult)."""
    folder = tmp_path_factory.mktemp("small")
    prog, res = synth.build_programme(folder, seed=7, villages=12, households_per_village=40, as_of=AS_OF)
    return folder, prog, res


@dataclass
class RunBundle:
    """The shared end-to-end run: every sample notebook on the small programme, 2 jobs, signed,
    in English (``lang: en``)."""

    bundle: Path          # reports/<run-id> (resolved from reports/latest)
    out_root: Path        # the reports folder
    folder: Path          # the programme folder
    prog: object          # the loaded Programme
    params: Path          # the parameter file used
    key: Path             # Ed25519 private key that signed the manifest (public: key.pub)
    history: Path         # SQLite history file
    result: subprocess.CompletedProcess
    loads: Path           # $CALIB_LOAD_LOG of the run: each load by the runner and the kernels
    runner_pid: int       # the `calib run` process


from _runs import (FACTORY, _STARTED, zygote_socket, _build_adversarial, _start_reader_bundle,  # noqa: E402
                   _start_run_bundle, _start_spark_bundle, _start_zygote, start_once, stop_all)


def pytest_collection_finish(session):
    """Start the shared end-to-end runs the selected tests need, in the background, once per
    test run (under pytest-xdist by the first worker done collecting; every worker collects the
    same tests, so they need the same runs)."""
    if session.config.option.collectonly or not session.items:
        return
    names = set()
    for item in session.items:
        names |= set(getattr(item, "fixturenames", ()) or ())
    factory = session.config._tmp_path_factory
    FACTORY[:] = [factory]

    def start() -> dict:
        if "reader_bundle" in names and not os.environ.get("CALIB_TEST_BUNDLE"):
            _STARTED["reader_bundle"] = _start_reader_bundle(factory)
        if names & {"run_bundle", "hostile_bundle", "spark_bundle", "prog_url"}:
            _STARTED["run_bundle"] = _start_run_bundle(factory)
        if "spark_bundle" in names and _has_pyspark():
            _STARTED["spark_bundle"] = _start_spark_bundle(factory)
        notebooks = sorted({Path(str(i.fspath)) for i in session.items if str(i.fspath).endswith(".ipynb")})
        if getattr(session.config.option, "nbval_kernel_name", None) == NBVAL_KERNEL and notebooks:
            _STARTED["zygote"] = _start_zygote(Path(os.environ["TMPDIR"]), notebooks)
        return dict(_STARTED)

    _STARTED.update(start_once(session.config, start))


def _has_pyspark() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyspark") is not None


def pytest_sessionfinish(session, exitstatus):
    # the runs belong to the whole test run: an xdist worker leaves them to the controller
    if not hasattr(session.config, "workerinput"):
        stop_all(session.config)


@pytest.fixture(scope="session")
def adversarial(tmp_path_factory):
    """The small generated programme (12 villages of 40 households) with hostile text and
    planted personal values in every table (``tests/_hostile.py``): what ``run_bundle`` renders."""
    if "adversarial" not in _STARTED:
        _STARTED["adversarial"] = _build_adversarial(tmp_path_factory)
    return _STARTED["adversarial"]


@pytest.fixture(scope="session")
def run_bundle(adversarial, tmp_path_factory) -> RunBundle:
    """ONE `calib run` of every notebook of params/sample.yaml (shared by all end-to-end tests),
    on the adversarial programme (markup, formula prefixes and planted personal values: the
    hostile-input checks read it too), rendered in English (``lang: en``): the English checks
    read it, ``reader_bundle`` is zh-CN. Everything it writes is under ``out_root.parent``.
    Started in the background when the tests are collected."""
    started = _STARTED.get("run_bundle") or _start_run_bundle(tmp_path_factory)
    _STARTED["run_bundle"] = started
    r = started["run"].result()
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    latest = started["out"] / "latest"
    assert latest.is_symlink()
    prog = load_programme(adversarial.folder, as_of=AS_OF)
    return RunBundle(latest.resolve(), started["out"], adversarial.folder, prog, started["params"],
                     started["key"], started["history"], r, started["loads"], started["run"].pid)


@pytest.fixture(scope="session")
def reader_bundle(tmp_path_factory) -> Path:
    """The bundle the reader and browser tests read: the sample programme's (a reader's
    programme, not the small generated one of the end-to-end checks), or
    ``CALIB_TEST_BUNDLE=/path/to/reports/<run-id>`` to test an existing bundle instead.
    Started in the background when the tests are collected."""
    given = os.environ.get("CALIB_TEST_BUNDLE")
    if given:
        return Path(given)
    started = _STARTED.get("reader_bundle") or _start_reader_bundle(tmp_path_factory)
    _STARTED["reader_bundle"] = started
    r = started["run"].result()
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return (started["out"] / "latest").resolve()


# Tests that `make test-fast` leaves out, by where they live: simulations (``*_synth.py``),
# browsers, database servers, Spark. Each still runs in `make test`.
_SLOW_FILES = ("_synth.py",)
_SLOW_DIRS = ("browser", "sources", "engine")


#: modules among the last (they read the shared runs) that take longest, with their wall seconds
_LONG_LAST_MODULES = {"browser/test_render_chromium.py": 14.6, "report/test_runner.py": 12.9,
                      "report/test_hostile_bundle.py": 6.3, "report/test_bundle_06.py": 4.4}

_SHARED_RUNS = {"run_bundle", "reader_bundle", "hostile_bundle", "spark_bundle", "prog_url"}


def pytest_collection_modifyitems(config, items):
    # Order: unit tests, then the notebooks (nbval), then the modules that read the shared runs,
    # which by then have been rendering in the background (pytest_collection_finish); a module
    # keeps its tests together so its module-scoped fixtures are built once.
    # The last modules start longest first (their wall seconds on the 2-core machine, 2026-12-07),
    # so the two workers end together: the longest starting last left one core idle for ~14 s.
    # The unit modules go largest first (by their number of tests): a worker that takes the
    # last module then takes a small one, not a module of 40 tests while the other core idles.
    late = {str(i.fspath) for i in items if _SHARED_RUNS & set(getattr(i, "fixturenames", ()) or ())}
    sizes = Counter(str(i.fspath) for i in items)

    def order(i) -> tuple[int, float]:
        path = str(i.fspath)
        if path in late:
            return 2, -next((s for m, s in _LONG_LAST_MODULES.items() if path.endswith(m)), 0.0)
        if path.endswith(".ipynb"):
            return 1, 0.0
        return 0, -sizes[path]

    items.sort(key=order)
    for item in items:
        path = Path(str(item.fspath))
        if path.name.endswith(_SLOW_FILES) or any(d in path.parts for d in _SLOW_DIRS):
            item.add_marker(pytest.mark.slow)
        if "run_bundle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)



#: Folders whose modules share one session-scoped resource: they run on one pytest-xdist worker,
#: so the test run starts one Spark session and one PostgreSQL server.
_ONE_WORKER = {"tests/engine/": "spark", "tests/sources/": "postgres"}


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`make test`): a module (a notebook) runs on one worker, so its
    module-scoped fixtures are built once and a notebook's cells share a kernel; the modules of
    a folder in ``_ONE_WORKER`` run on one worker; modules are handed out in the suite's own
    order (units, notebooks, then the checks of the runs started in the background)."""
    from xdist.scheduler import LoadScopeScheduling

    class _Modules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return next((g for d, g in _ONE_WORKER.items() if module.startswith(d)), module)

    config.option.loadscopereorder = False
    return _Modules(config, log)
