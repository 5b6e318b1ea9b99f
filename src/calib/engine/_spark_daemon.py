"""pyspark's Python worker daemon with the modules calib's Spark steps run imported once, before it
forks its workers (``spark.python.daemon.module``, set on local masters by
:func:`calib.engine.spark.session_conf`).

pyspark's daemon (``pyspark.daemon``) forks one worker per task slot from a process that has
imported almost nothing, so each worker imports pandas, pyarrow and the calib modules its task's
functions live in again: 1.5 to 2.5 CPU seconds a worker, a dozen workers in a run. This module
imports them first and then becomes that daemon: a worker starts with them in place. pyspark keeps
its daemon free of pandas and pyarrow because a thread started before a fork is lost in the child;
importing these starts none (their pools start on first use, and numpy's OpenBLAS shuts its
threads down around a fork), which :func:`main` checks: with any thread running after the imports it
starts pyspark's own daemon instead, as if this module were not configured.
"""
from __future__ import annotations

import os
import sys
import threading
import warnings

#: What a worker of calib's steps imports: the validation's and the steps' per-group functions
#: (:mod:`calib.engine.validate`, :mod:`calib.engine.steps`) and what pyspark's worker loads for
#: Arrow-based pandas functions.
PRELOAD = ("numpy", "pandas", "pyarrow", "pyspark.worker", "pyspark.sql.pandas.serializers",
           "calib.engine.validate", "calib.engine.steps")


def main() -> None:
    """Import :data:`PRELOAD`, then run pyspark's daemon; pyspark's own daemon, in a fresh
    process, if an import failed or left a thread running."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in PRELOAD:
                __import__(name)
    except Exception:  # a worker would meet the same error and report it with its task
        _plain()
    if threading.active_count() != 1:
        _plain()
    import gc

    gc.freeze()  # what was imported stays shared with the workers (not copied by the collector)
    from pyspark.daemon import manager

    manager()


def _plain() -> None:
    os.execv(sys.executable, [sys.executable, "-m", "pyspark.daemon", *sys.argv[1:]])


if __name__ == "__main__":
    main()
