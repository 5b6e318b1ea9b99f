"""Shared fixtures: generated programmes written to temporary folders (session-scoped)."""
from __future__ import annotations

from pathlib import Path

import pytest

from calib import synth
from calib.io import load_programme

from _paths import AS_OF, ROOT, SAMPLE  # noqa: F401  (re-exported for older imports)


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


# Tests that `make test-fast` leaves out, by where they live: simulations (``*_synth.py``),
# browsers, database servers, Spark. Each still runs in `make test`.
_SLOW_FILES = ("_synth.py",)
_SLOW_DIRS = ("browser", "sources", "engine")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if path.name.endswith(_SLOW_FILES) or any(d in path.parts for d in _SLOW_DIRS):
            item.add_marker(pytest.mark.slow)
