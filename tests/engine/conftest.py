"""One local[2] Spark session for the whole test run (starting one takes about 10 s)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    from calib.engine import spark_session

    s = spark_session({"master": "local[2]", "app_name": "calib-tests", "shuffle_partitions": 2,
                       # start-up tuned for short test jobs (figures do not depend on it)
                       "conf": {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                                "spark.sql.adaptive.enabled": False}})
    yield s
    s.stop()
