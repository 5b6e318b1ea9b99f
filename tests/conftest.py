"""Shared fixtures: generated programmes written to temporary folders, and ONE end-to-end report
bundle (session-scoped) that every end-to-end check reads, so the suite runs the notebooks once."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

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


def write_params(folder: Path, data: Path, nb_dir: Path | None = None, **extra) -> Path:
    """A parameter file like params/sample.yaml for ``data`` (and ``nb_dir``), written into
    ``folder``; ``extra`` keys replace the sample's."""
    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw.update(data_dir=str(data), notebooks_dir=str(nb_dir or ROOT / "notebooks"), **extra)
    p = folder / f"params-{len(list(folder.glob('params-*')))}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def calib_cli(*args: str, timeout: int = 900, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m calib ARGS`` from the project root, capturing its output."""
    return subprocess.run([sys.executable, "-m", "calib", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


@dataclass
class RunBundle:
    """The shared end-to-end run: every sample notebook on the small programme, 2 jobs, signed."""

    bundle: Path          # reports/<run-id> (resolved from reports/latest)
    out_root: Path        # the reports folder
    folder: Path          # the programme folder
    prog: object          # the loaded Programme
    params: Path          # the parameter file used
    key: Path             # Ed25519 private key that signed the manifest (public: key.pub)
    history: Path         # SQLite history file
    result: subprocess.CompletedProcess


@pytest.fixture(scope="session")
def run_bundle(small_programme, tmp_path_factory) -> RunBundle:
    """ONE `calib run` of every notebook of params/sample.yaml (shared by all end-to-end tests)."""
    folder, prog, _ = small_programme
    tmp = tmp_path_factory.mktemp("run")
    key = tmp / "bank.key"
    r = calib_cli("keygen", str(key))
    assert r.returncode == 0, r.stderr
    params = write_params(tmp, folder)
    out, history = tmp / "reports", tmp / "history.sqlite"
    r = calib_cli("run", str(params), "--out", str(out), "--jobs", "2", "--sign-key", str(key),
                  "--history", str(history))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    latest = out / "latest"
    assert latest.is_symlink()
    return RunBundle(latest.resolve(), out, folder, prog, params, key, history, r)


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
