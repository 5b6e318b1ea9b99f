"""pyspark's Python workers forked from calib's daemon (calib.engine._spark_daemon): they start
with the steps' modules imported; the daemon falls back to pyspark's own when it cannot preload
safely; only local masters running this interpreter use it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from calib.engine import _spark_daemon
from calib.engine.spark import DAEMON_MODULE, session_conf, validate_spark_settings


def test_workers_start_with_the_steps_modules_imported(spark):
    def worker_state(_):  # run in a worker (a local function: pickled by value, not by module)
        import os
        import sys

        parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        return os.getpid(), tuple(m for m in ("pandas", "pyarrow", "calib.engine.steps", "calib.engine.validate")
                                  if m in sys.modules), parent

    assert spark.sparkContext.getConf().get("spark.python.daemon.module") == DAEMON_MODULE
    # a plain RDD map imports none of these itself: they are there because the daemon preloaded them
    seen = spark.sparkContext.parallelize(range(4), 2).map(worker_state).collect()
    assert {pid for pid, _, _ in seen} and all(pid != os.getpid() for pid, _, _ in seen)
    for _, mods, parent in seen:
        assert mods == ("pandas", "pyarrow", "calib.engine.steps", "calib.engine.validate"), mods
        assert f"-m {DAEMON_MODULE}" in parent, parent


def _main_with(setup: str) -> str:
    """What ``_spark_daemon.main`` does after ``setup``: 'plain' (pyspark's own daemon) or 'manager'."""
    code = (f"import sys, threading, time\n{setup}\nimport calib.engine._spark_daemon as d, pyspark.daemon as pd_\n"
            "d.PRELOAD = PRELOAD if 'PRELOAD' in dir() else d.PRELOAD\n"
            "d._plain = lambda: (print('plain'), sys.exit(0))\n"
            "pd_.manager = lambda: print('manager')\nd.main()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_the_daemon_preloads_only_when_it_is_safe():
    assert _main_with("") == "manager"
    assert _main_with("PRELOAD = ('numpy', 'no_such_module_here')") == "plain"
    assert _main_with("threading.Thread(target=time.sleep, args=(30,), daemon=True).start()") == "plain"


def test_only_local_masters_running_this_interpreter_use_it(monkeypatch):
    def conf(**block):
        return session_conf(validate_spark_settings(block))

    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    assert conf()["spark.python.daemon.module"] == DAEMON_MODULE
    assert "spark.python.daemon.module" not in conf(master="yarn")
    assert conf(conf={"spark.python.daemon.module": "pyspark.daemon"})["spark.python.daemon.module"] == "pyspark.daemon"
    monkeypatch.setenv("PYSPARK_PYTHON", "/usr/bin/python3")
    assert "spark.python.daemon.module" not in conf()
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    assert conf()["spark.python.daemon.module"] == DAEMON_MODULE
    assert Path(_spark_daemon.__file__).stem == DAEMON_MODULE.rsplit(".", 1)[1]
