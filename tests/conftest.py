"""Shared fixtures: generated programmes written to temporary folders, and ONE end-to-end report
bundle (session-scoped) that every end-to-end check reads, so the suite runs the notebooks once."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import os

import pytest

from calib import synth
from calib.io import load_programme

from _support import AS_OF, ROOT, SAMPLE, calib_cli, report_pages, write_params  # noqa: F401


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


@pytest.fixture(scope="session")
def adversarial(tmp_path_factory):
    """The small generated programme (12 villages of 40 households) with hostile text and
    planted personal values in every table (``tests/_hostile.py``): what ``run_bundle`` renders."""
    import _hostile as H

    return H.build(tmp_path_factory.mktemp("adversarial") / "programme", seed=7, villages=12,
                   households_per_village=40)


@pytest.fixture(scope="session")
def run_bundle(adversarial, tmp_path_factory) -> RunBundle:
    """ONE `calib run` of every notebook of params/sample.yaml (shared by all end-to-end tests),
    on the adversarial programme (markup, formula prefixes and planted personal values: the
    hostile-input checks read it too), rendered in English (``lang: en``): the English checks
    read it, ``reader_bundle`` is zh-CN. Everything it writes is under ``out_root.parent``."""
    import _hostile as H

    folder = adversarial.folder
    prog = load_programme(folder, as_of=AS_OF)
    tmp = tmp_path_factory.mktemp("run")
    key = tmp / "bank.key"
    r = calib_cli("keygen", str(key))
    assert r.returncode == 0, r.stderr
    title = f"{H.MARKUP}{H.HYPERLINK}"
    params = write_params(tmp, folder, lang="en", title=title, title_en=title)
    out, history = tmp / "reports", tmp / "history.sqlite"
    r = calib_cli("run", str(params), "--out", str(out), "--jobs", "2", "--sign-key", str(key),
                  "--history", str(history))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    latest = out / "latest"
    assert latest.is_symlink()
    return RunBundle(latest.resolve(), out, folder, prog, params, key, history, r)


@pytest.fixture(scope="session")
def reader_bundle(request) -> Path:
    """The bundle the reader and browser tests read: the sample programme's (a reader's
    programme, not the small generated one of the end-to-end checks), or
    ``CALIB_TEST_BUNDLE=/path/to/reports/<run-id>`` to test an existing bundle instead."""
    given = os.environ.get("CALIB_TEST_BUNDLE")
    if given:
        return Path(given)
    tmp = request.getfixturevalue("tmp_path_factory").mktemp("reader")
    out = tmp / "reports"
    r = calib_cli("run", str(ROOT / "params" / "sample.yaml"), "--out", str(out), "--jobs", "2",
                  "--history", str(tmp / "history.sqlite"))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return (out / "latest").resolve()


# Tests that `make test-fast` leaves out, by where they live: simulations (``*_synth.py``),
# browsers, database servers, Spark. Each still runs in `make test`.
_SLOW_FILES = ("_synth.py",)
_SLOW_DIRS = ("browser", "sources", "engine")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if path.name.endswith(_SLOW_FILES) or any(d in path.parts for d in _SLOW_DIRS):
            item.add_marker(pytest.mark.slow)
        if "run_bundle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
