"""One local[2] Spark driver for the whole test run (starting one takes about 10 s), started as a
``calib run`` starts its own (:func:`calib.engine.spark.run_session`): it also serves Spark Connect,
so the tests can connect clients to it from other processes."""
from __future__ import annotations

import os

import pytest

#: the Spark Connect address and token of the session's driver, for client processes
CONNECT: dict[str, str] = {}


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    from calib.engine import class_archive
    from calib.engine.spark import run_session

    class_archive.build()  # `make test` built it before (about 40 s when it is missing)
    with run_session({"master": "local[2]", "app_name": "calib-tests", "shuffle_partitions": 2,
                       # start-up tuned for short test jobs (figures do not depend on it)
                       "conf": {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                                "spark.sql.adaptive.enabled": False}}) as s:
        from calib.engine.spark import REMOTE_ENV, TOKEN_ENV

        # handed to client processes only: a Connect client in this process would switch
        # pyspark's functions to Spark Connect's for the classic session the tests use
        CONNECT.update({k: os.environ.pop(k) for k in (REMOTE_ENV, TOKEN_ENV)})
        yield s


@pytest.fixture(scope="session")
def connect_env(spark) -> dict[str, str]:
    """The environment of a process that connects to the ``spark`` driver as a report kernel of
    a ``calib run`` does (Spark Connect address and token)."""
    return {**os.environ, **CONNECT}
