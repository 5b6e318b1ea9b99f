"""The shared end-to-end runs of the test session, started in the background as soon as the
tests are collected (``conftest.pytest_collection_finish``) and waited for by their fixtures:
``run_bundle`` (every report on the adversarial programme), ``reader_bundle`` (the sample, zh-CN)
and ``spark_bundle`` (reports 02 and 06 with ``engine: spark`` from the adversarial programme as
raw Parquet URIs)."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

from _support import ROOT, calib_cli, sample_params, write_params


#: the launchers this process started (kept so none is collected while it runs)
_LAUNCHED: list[subprocess.Popen] = []


class _Background:
    """A ``calib`` command started in the background (output to files, so no pipe fills up,
    through ``tests/_bg.py``, which records its pid and exit code in files). Any process of the
    test run can wait for it with :meth:`result` (an xdist worker that did not start it too: the
    object pickles to its paths), which returns it as a ``CompletedProcess``."""

    def __init__(self, args: list[str], folder: Path, env: dict[str, str] | None = None):
        self.args, self.out, self.err = args, folder / "cli.stdout", folder / "cli.stderr"
        self.rc = folder / "cli.rc"
        # its own session: the run and every kernel it starts can be stopped as one group
        launcher = [sys.executable, str(Path(__file__).with_name("_bg.py")), str(self.rc), str(self.out),
                    str(self.err), sys.executable, "-m", "calib", *args]
        _LAUNCHED.append(subprocess.Popen(launcher, cwd=ROOT, env=env, start_new_session=True,
                                          stdin=subprocess.DEVNULL))

    @property
    def pid(self) -> int:
        """The ``calib`` process's pid."""
        pid = Path(f"{self.rc}.pid")
        for _ in range(600):
            if pid.exists():
                return int(pid.read_text())
            time.sleep(0.05)
        raise TimeoutError(f"{self.args[:2]} did not start")

    def done(self) -> bool:
        return self.rc.exists()

    def stop(self) -> None:
        """Stop the run and its kernels if it is still running."""
        if not self.done():
            try:
                os.killpg(os.getpgid(self.pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, TimeoutError):
                pass

    def result(self, timeout: int = 900) -> subprocess.CompletedProcess:
        end = time.monotonic() + timeout
        while not self.done():
            if time.monotonic() > end:
                raise TimeoutError(f"{self.args[:2]} still running after {timeout} s")
            time.sleep(0.2)
        code = int(self.rc.read_text())
        return subprocess.CompletedProcess(self.args, code, self.out.read_text(encoding="utf-8", errors="replace"),
                                           self.err.read_text(encoding="utf-8", errors="replace"))


def shared_dir(config) -> Path:
    """A folder of this test run that every process of it sees: the session's base temporary
    folder, or, under pytest-xdist, the controller's (the parent of each worker's)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def start_once(config, start) -> dict:
    """The shared runs of this test run, started by ``start()`` in the first process that gets
    here (under pytest-xdist: the first worker to finish collecting; the others read what it
    started from ``shared_dir/runs.pkl``)."""
    from filelock import FileLock

    shared = shared_dir(config)
    state = shared / "runs.pkl"
    with FileLock(str(shared / "runs.lock")):
        if state.exists():
            return pickle.loads(state.read_bytes())
        started = start()
        state.write_bytes(pickle.dumps(started))
        return started


def stop_all(config) -> None:
    """Stop the shared runs still running (at the end of the session, by the process that owns
    it: the only one, or the xdist controller)."""
    state = shared_dir(config) / "runs.pkl"
    if state.exists():
        for started in pickle.loads(state.read_bytes()).values():
            if isinstance(started, dict) and isinstance(started.get("run"), _Background):
                started["run"].stop()


#: The shared runs, started as soon as the tests are collected (see pytest_collection_finish):
#: they run on the second core while the unit tests run on the first.
_STARTED: dict[str, object] = {}
#: the session's tmp_path_factory (set at collection), for fixtures that start a run late
FACTORY: list = []


def zygote_socket(scratch: Path) -> Path:
    """Where the test run's zygote for nbval's kernels listens (``conftest._forked_nbval_kernels``)."""
    return scratch / "zygote" / "zygote.sock"


def _start_zygote(scratch: Path, notebooks: list[Path]) -> str:
    """The test run's zygote for nbval's kernels of ``notebooks`` (:mod:`calib.reporting.zygote`),
    started by the process that collected first; it dies with that process (its kernels with it,
    and clients then start their kernels the usual way)."""
    from calib.reporting import zygote

    sock = zygote_socket(scratch)
    _LAUNCHED.append(zygote.start(sock, notebooks))
    return str(sock)


def _build_adversarial(factory):
    import _hostile as H

    return H.build(factory.mktemp("adversarial") / "programme", seed=7, villages=12,
                   households_per_village=40, schedule=banded_points_loan()["schedule"])


#: The points schedule of the shared end-to-end run: in bands (a discount from each threshold on,
#: not a step per 100 points), so that report 05's banded wording and tables are rendered end to
#: end on every test run; the adversarial programme's loans are priced with it. The sample
#: (``reader_bundle``) keeps its proportional step.
BANDS = [{"points": 200, "discount": 0.001}, {"points": 400, "discount": 0.002},
         {"points": 600, "discount": 0.003}, {"points": 800, "discount": 0.004}]


def banded_points_loan() -> dict:
    """The sample's ``points_loan`` block with its schedule in :data:`BANDS` (same base rate)."""
    block = sample_params()["points_loan"]
    block["schedule"] = {"base_rate": block["schedule"]["base_rate"], "bands": BANDS}
    return block


def _start_run_bundle(factory) -> dict:
    import _hostile as H

    adv = _STARTED.get("adversarial") or _build_adversarial(factory)
    _STARTED["adversarial"] = adv
    tmp = factory.mktemp("run")
    key = tmp / "bank.key"
    r = calib_cli("keygen", str(key))
    assert r.returncode == 0, r.stderr
    title = f"{H.MARKUP}{H.HYPERLINK}"
    params = write_params(tmp, adv.folder, lang="en", title=title, title_en=title, points_loan=banded_points_loan())
    out, history = tmp / "reports", tmp / "history.sqlite"
    from calib.io.read import LOAD_LOG

    loads = tmp / "loads.jsonl"  # every load of the run's processes (runner and kernels)
    run = _Background(["run", str(params), "--out", str(out), "--jobs", "2", "--sign-key", str(key),
                       "--history", str(history)], tmp, env={**os.environ, LOAD_LOG: str(loads)})
    return {"run": run, "out": out, "params": params, "key": key, "history": history, "loads": loads}


def _start_reader_bundle(factory) -> dict:
    tmp = factory.mktemp("reader")
    out = tmp / "reports"
    run = _Background(["run", str(ROOT / "params" / "sample.yaml"), "--out", str(out), "--jobs", "2",
                       "--history", str(tmp / "history.sqlite")], tmp)
    return {"run": run, "out": out}



def _as_parquet(folder: Path, out: Path) -> dict[str, str]:
    """Every table of a programme folder as a raw Parquet file (text cells, headers as given)."""
    import pyarrow.parquet as pq

    from calib.io.read import read_raw

    out.mkdir()
    uris = {}
    for f in sorted(folder.glob("*.csv")):
        raw = read_raw(f)
        assert not [c for c in raw.column_names if c.startswith("__")], f.name  # no malformed rows
        pq.write_table(raw, out / f"{f.stem}.parquet")
        uris[f.stem] = (out / f"{f.stem}.parquet").as_uri()
    return uris


#: the two reports that run every Spark step (report 03 runs the consensus and comparison steps of
#: 06 again; rendered with engine: spark and compared by hand, not in every test run)
SPARK_NOTEBOOKS = ["02_peer_consensus", "06_credit_villages"]


def _start_spark_bundle(factory) -> dict:
    """Reports 02 and 06 of the adversarial programme, given as raw Parquet tables
    (``spark.tables``), with ``engine: spark`` on ``local[2]``; Spark's event logs in
    ``spark-events`` and the loads in ``loads.jsonl`` next to the reports."""
    from calib.io.read import LOAD_LOG

    adv = _STARTED.get("adversarial") or _build_adversarial(factory)
    _STARTED["adversarial"] = adv
    tmp = factory.mktemp("spark-run")
    events = tmp / "spark-events"  # Spark's event logs: what each application (runner, reports) ran
    events.mkdir()
    uris = _as_parquet(adv.folder, tmp / "parquet")
    params = write_params(tmp, tmp / "parquet", notebooks=SPARK_NOTEBOOKS, lang="en", keep_snapshot=True,
                          spark={"shuffle_partitions": 2, "tables": uris, "conf": {
                              # start-up tuned for seconds-long test jobs (the run's one JVM):
                              # C1-only JIT and serial GC start faster; no adaptive re-planning
                              # of tiny shuffles. Figures do not depend on either.
                              "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                              "spark.sql.adaptive.enabled": False,
                              "spark.eventLog.enabled": True, "spark.eventLog.dir": events.as_uri(),
                              "spark.eventLog.compress": False, "spark.eventLog.rolling.enabled": False}})
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           LOAD_LOG: str(tmp / "loads.jsonl")}
    run = _Background(["run", str(params), "--out", str(tmp / "reports"), "--jobs", "2",  # one per report
                       "--history", str(tmp / "history.sqlite"),
                       "-p", "engine=spark", "-p", "spark.master=local[2]"], tmp, env=env)
    return {"run": run, "out": tmp / "reports"}
