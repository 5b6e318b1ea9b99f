"""One Spark application per ``calib run``: the runner's driver (``run_session``) serves Spark
Connect to the report kernels it starts. The server listens on the loopback interface only,
refuses clients without the run's token, and the token is on no command line; a client gets the
driver's master and configuration."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from calib.engine.spark import REMOTE_ENV, TOKEN_ENV

#: a report kernel's use of the session, in a process of its own
CLIENT = """
import json, warnings
warnings.simplefilter("ignore")
from calib.engine.spark import spark_session, engine_info, is_remote
s = spark_session({"master": "local[2]"})
print(json.dumps({"remote": is_remote(s), "count": s.range(1000).count(), "info": engine_info(s),
                  "partitions": s.conf.get("spark.sql.shuffle.partitions")}))
"""


def _client(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLIENT], env=env, capture_output=True, text=True, timeout=120)


def test_a_kernel_connects_to_the_runs_driver(connect_env):
    import json

    r = _client(connect_env)
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["remote"] is True and got["count"] == 1000
    assert got["info"]["engine"] == "spark" and got["info"]["master"] == "local[2]"
    assert got["info"]["app_name"] == "calib-tests" and got["partitions"] == "2"  # the driver's settings


@pytest.mark.parametrize("token", [None, "not-the-runs-token"])
def test_clients_without_the_runs_token_are_refused(connect_env, token):
    env = {k: v for k, v in connect_env.items() if k != TOKEN_ENV}
    if token is not None:
        env[TOKEN_ENV] = token
    r = _client(env)
    assert r.returncode != 0 and "UNAUTHENTICATED" in r.stderr, r.stderr[-2000:]


def test_server_on_loopback_only_and_token_on_no_command_line(spark, connect_env):
    from pyspark import SparkContext

    port = int(connect_env[REMOTE_ENV].rsplit(":", 1)[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            for line in open(table).read().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # LISTEN
                    listening.append(local.rsplit(":", 1)[0])
    # 127.0.0.1 only (on an IPv6 socket: ::ffff:127.0.0.1)
    assert listening and all(a[-8:] == "0100007F" and a[:-8] in ("", "0000000000000000FFFF0000") for a in listening), listening
    token = connect_env[TOKEN_ENV].encode()
    assert len(token) >= 32
    jvm = SparkContext._gateway.proc.pid
    assert token not in open(f"/proc/{jvm}/cmdline", "rb").read()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            assert token not in open(f"/proc/{pid}/cmdline", "rb").read(), pid
        except OSError:
            continue


#: a report kernel that cached a step's result and ends normally; CONTROL caches without the steps
CACHING = """
import warnings
warnings.simplefilter("ignore")
from calib.engine import steps
from calib.engine.spark import spark_session
s = spark_session({"master": "local[2]"})
df = s.range(ROWS).selectExpr("id * 3 as y")
print((steps._cache(df) if STEPS else df.cache()).count())
"""


def _cached_rdds(spark) -> int:
    return len(spark.sparkContext._jsc.sc().getRDDStorageInfo())


def test_a_kernel_releases_what_it_cached_on_the_runs_driver(spark, connect_env):
    """The run's driver outlives each report kernel and its cache outlives a kernel's Connect
    session: a kernel unpersists what its steps cached when it ends (else a province run's driver
    would hold every finished report's data until the run ends)."""
    before = _cached_rdds(spark)
    for steps_, rows in ((True, 100_003), (False, 100_011)):
        code = CACHING.replace("STEPS", str(steps_)).replace("ROWS", str(rows))
        r = subprocess.run([sys.executable, "-c", code], env=connect_env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0 and r.stdout.split()[-1] == str(rows), r.stderr[-2000:]
        if steps_:
            assert _cached_rdds(spark) == before  # released at the kernel's exit
    assert _cached_rdds(spark) == before + 1  # a cache nobody releases stays: the check can fail


#: a kernel (a Spark Connect client) reading the first bytes of a source's files
HEADS = """
import json, sys, warnings
warnings.simplefilter("ignore")
from calib.engine import snapshot as S
from calib.engine.spark import spark_session
S.HEAD_BYTES, S.HEAD_FILES, S.MORE_BYTES = 5, 1, 4
s = spark_session({"master": "local[2]"})
print(json.dumps([[n, h.decode("latin-1"), k] for n, h, k in S._remote_heads(s, sys.argv[1])]
                 + [S._charset(sys.argv[1], None, s), S._label(sys.argv[1], s), S._label(sys.argv[1] + "/part-00000.csv", s)]))
"""


def test_a_connect_client_reads_the_first_bytes_of_a_sources_files(connect_env, tmp_path):
    """From a Spark Connect client (no JVM of its own) the heads that tell a remote CSV's
    encoding are read by one job on the executors, hidden files left out as Spark leaves them."""
    import json

    d = tmp_path / "roster.csv"
    d.mkdir()
    (d / "part-00001.csv").write_bytes("乡镇,村\n".encode("gb18030"))
    (d / "part-00000.csv").write_bytes("乡镇,村\n".encode("gb18030"))
    (d / "_SUCCESS").write_bytes(b"")
    (d / ".part-00000.csv.crc").write_bytes(b"x")
    r = subprocess.run([sys.executable, "-c", HEADS, str(d)], env=connect_env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    *heads, charset, folder, part = json.loads(r.stdout.strip().splitlines()[-1])
    assert (folder, part) == ("roster.csv/", "part-00000.csv")  # a folder named as one: its rows by file
    head = "乡镇,村\n".encode("gb18030")
    assert heads == [["part-00000.csv", head[:5].decode("latin-1"), 5],
                     ["part-00001.csv", head[:4].decode("latin-1"), 4]] and charset == "GB18030"
