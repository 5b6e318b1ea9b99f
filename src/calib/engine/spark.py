"""The Spark session of ``engine: spark`` and the ``spark:`` params block.

``spark: {master, app_name, conf}`` takes any Spark master URL (``local[2]``, ``spark://host:7077``,
``yarn``, ``k8s://https://...``) and any Spark configuration key. :func:`spark_session` builds
(or reuses) the session; :func:`engine_info` is what a bundle's manifest records.

A ``calib run`` has ONE Spark application: the runner's driver (:func:`run_session`) validates and
snapshots the programme and also serves Spark Connect on the loopback interface, behind a random
token; the report kernels it starts connect to it (:data:`REMOTE_ENV`) instead of each starting a
driver JVM of its own.

pyspark is the optional extra ``spark`` (``pip install -e ".[spark]"``) and needs a Java 17+
runtime; nothing here imports pyspark before a session is asked for.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from calib.errors import CalibParamsError

__all__ = ["SparkSettings", "validate_spark_settings", "spark_session", "run_session", "stop_session",
           "engine_info", "is_remote", "ENGINES", "REMOTE_ENV"]

#: Values of the ``engine`` params key.
ENGINES: tuple[str, ...] = ("local", "spark")

#: The Spark Connect address (``sc://localhost:<port>``) of the run's driver, set by
#: :func:`run_session` for the report kernels: :func:`spark_session` then connects to it.
REMOTE_ENV = "CALIB_SPARK_REMOTE"
#: pyspark's own variable for the Spark Connect bearer token (read by its client).
TOKEN_ENV = "SPARK_CONNECT_AUTHENTICATE_TOKEN"
_CONNECT_PLUGIN = "org.apache.spark.sql.connect.SparkConnectPlugin"

#: Settings every calib session needs: Arrow transfer (pandas UDFs), UTC so dates do not shift,
#: and few shuffle partitions on small masters (Spark's default 200 is tuned for clusters).
_BASE_CONF: dict[str, str] = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
}


#: pyspark's Python worker daemon on a local master: its workers start with pandas, pyarrow and
#: calib's Spark steps imported (:mod:`calib.engine._spark_daemon`).
DAEMON_MODULE = "calib.engine._spark_daemon"

#: The driver's log4j2 configuration when the session's ``spark.driver.extraJavaOptions`` name
#: none: errors only, on stderr (a run under cron prints its own log lines, not the JVM's
#: start-up warnings). Give ``-Dlog4j2.configurationFile=...`` there to use another.
LOG4J_CONF = Path(__file__).with_name("log4j2.properties")


class SparkSettings(BaseModel):
    """The ``spark:`` block of params (used when ``engine: spark``): ``master`` (any Spark master
    URL), ``app_name``, ``conf`` (any Spark configuration key), ``shuffle_partitions``
    (default 2 x cores on a local master, else 200), ``pooling`` of the adjusted consensus,
    ``tables`` (where Spark reads the raw programme) and ``snapshot_dir`` (where the executors
    write the validated snapshot)."""

    model_config = ConfigDict(extra="forbid")
    master: str = Field("local[2]", min_length=1)
    app_name: str = Field("calib", min_length=1)
    conf: dict[str, str | int | float | bool] = Field(default_factory=dict)
    shuffle_partitions: int | None = Field(None, ge=1)
    #: ``programme``: the adjusted consensus is fitted on the driver, identical to ``engine:
    #: local``; ``group``: each village is fitted on the executors with its own robust scale.
    pooling: Literal["programme", "group"] = "programme"
    #: Raw tables Spark reads, table -> URI (``file://``, ``hdfs://``, ``s3a://``; Parquet, or CSV
    #: when the URI ends in ``.csv``) or ``catalog:db.table``; default: the ``data_dir`` folder's
    #: ``.csv`` and ``.parquet`` files. ``calib run`` validates and snapshots them on the executors.
    tables: dict[str, str] = Field(default_factory=dict)
    #: Where the executors write the validated snapshot's tables: a URI both the driver and the
    #: executors see (``hdfs://``, ``s3a://``, ``file://`` on a shared mount) or an absolute path;
    #: each run writes ``<snapshot_dir>/<run id>/``. Default: the bundle's ``snapshot/`` folder
    #: (right on a local master only).
    snapshot_dir: str | None = Field(None, min_length=1)

    @field_validator("snapshot_dir")
    @classmethod
    def _uri_or_absolute(cls, v: str | None) -> str | None:
        if v is not None and not (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v) or os.path.isabs(v)):
            raise ValueError("a URI (hdfs://, s3a://, file://) or an absolute path")
        return v


def validate_spark_settings(block: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``spark:`` params block.

    Parameters
    ----------
    block : mapping, optional
        ``{master, app_name, conf, shuffle_partitions, pooling, tables, snapshot_dir}``; ``None`` gives the defaults
        (``local[2]``).

    Returns
    -------
    dict
        The block with defaults filled in.

    Raises
    ------
    CalibParamsError
        Unknown key or bad value; the message names ``spark.<key>``.
    """
    try:
        return SparkSettings.model_validate(dict(block or {})).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise CalibParamsError(f"spark.{key}: {err['msg']}") from None


def _shuffle_default(master: str) -> int:
    """Shuffle partitions: 2 x cores on a local master, Spark's usual 200 elsewhere."""
    if master.startswith("local"):
        inside = master[master.find("[") + 1:master.find("]")] if "[" in master else "1"
        cores = (os.cpu_count() or 2) if inside == "*" else int(inside.split(",")[0])
        return max(2, 2 * cores)
    return 200


def spark_session(settings: Mapping[str, Any] | None = None):
    """Build, or reuse, the Spark session described by the ``spark:`` params block.

    The Python workers run this interpreter (``PYSPARK_PYTHON`` and ``PYSPARK_DRIVER_PYTHON`` are
    set to ``sys.executable`` unless already set), so they import the same ``calib`` and pandas.

    Parameters
    ----------
    settings : mapping, optional
        The ``spark:`` block (see :class:`SparkSettings`).

    Returns
    -------
    pyspark.sql.SparkSession
        In a report kernel of a ``calib run`` (:data:`REMOTE_ENV` set by :func:`run_session`), a
        Spark Connect session of the run's driver: same master, configuration and executors, no
        JVM of its own.

    Raises
    ------
    CalibParamsError
        pyspark missing (install the ``spark`` extra) or a bad block.
    """
    s = validate_spark_settings(settings)
    _quiet_pandas_warning()
    SparkSession = _pyspark_session_class()
    remote = os.environ.get(REMOTE_ENV)
    if remote:
        session = SparkSession.builder.remote(remote).getOrCreate()
        if not _RELEASE_AT_EXIT:
            import atexit

            atexit.register(_release_cached)  # the run's driver outlives this kernel
            _RELEASE_AT_EXIT.append(True)
        return session
    return _classic_session(s, {})


_RELEASE_AT_EXIT: list[bool] = []


def _release_cached() -> None:
    """At a Connect client's exit: unpersist what its steps cached on the run's driver."""
    steps = sys.modules.get("calib.engine.steps")
    if steps is not None:
        steps.release_cached()


def _pyspark_session_class():
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise CalibParamsError(
            "engine: spark needs pyspark; pip install -e '.[spark]' (and a Java 17 runtime)"
        ) from None
    return SparkSession


#: pyspark 4 warns on every import and in every Python worker that it "does not yet fully
#: support pandas >= 3"; the pandas-UDF paths calib uses are tested with pandas 3 (tests/engine),
#: so a run's terminal and log do not repeat it for each worker.
_PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def _quiet_pandas_warning() -> None:
    """Silence pyspark's pandas-version warning here and in the processes started from here
    (the driver's Python workers, the report kernels): ``PYTHONWARNINGS``."""
    import warnings

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    current = os.environ.get("PYTHONWARNINGS", "")
    if _PANDAS_WARNING not in current:
        os.environ["PYTHONWARNINGS"] = f"{current},{_PANDAS_WARNING}" if current else _PANDAS_WARNING


def _classic_session(s: Mapping[str, Any], extra: Mapping[str, str]):
    SparkSession = _pyspark_session_class()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    b = SparkSession.builder.master(s["master"]).appName(s["app_name"])
    for k, v in {**session_conf(s), **extra}.items():
        b = b.config(k, v)
    return b.getOrCreate()


@contextmanager
def run_session(settings: Mapping[str, Any] | None = None) -> Iterator[Any]:
    """The Spark session of a whole ``calib run``: a driver started here that also serves Spark
    Connect to the processes this one starts (the report kernels), so a run is one Spark
    application with one driver JVM, whatever the number of reports.

    The Connect server listens on the loopback interface only (``127.0.0.1``, a free port) and
    accepts only clients holding this run's random token; both are handed to child processes
    through the environment (:data:`REMOTE_ENV`, :data:`TOKEN_ENV`), never written to a file or
    a bundle; the server reads the token from its own environment, so it is no Spark setting (not
    in the event log) and on no command line. Leaving the block stops the driver and its JVM and
    restores the environment.

    Parameters
    ----------
    settings : mapping, optional
        The ``spark:`` block (see :class:`SparkSettings`); ``spark.plugins`` given in its
        ``conf`` are kept beside the Connect plugin.

    Yields
    ------
    pyspark.sql.SparkSession
        The driver's (classic) session.
    """
    s = validate_spark_settings(settings)
    _quiet_pandas_warning()
    token = secrets.token_urlsafe(32)
    plugins = [p for p in str(s["conf"].get("spark.plugins", "")).split(",") if p.strip()]
    extra = {"spark.plugins": ",".join([*plugins, _CONNECT_PLUGIN]) if _CONNECT_PLUGIN not in plugins
             else ",".join(plugins),
             "spark.connect.grpc.binding.address": "127.0.0.1",
             "spark.connect.grpc.binding.port": "0"}  # a free port, read back below
    old = {k: os.environ.get(k) for k in (REMOTE_ENV, TOKEN_ENV)}
    os.environ.pop(REMOTE_ENV, None)  # this process is the driver, not a client
    # the server reads the token from its environment: not on the JVM's command line (ps)
    os.environ[TOKEN_ENV] = token
    try:
        spark = _classic_session(s, extra)
    except BaseException:
        _restore(old)
        raise
    try:
        service = getattr(getattr(spark._jvm.org.apache.spark.sql.connect.service, "SparkConnectService$"), "MODULE$")
        port = int(service.localPort())  # the port the plugin's server bound
        os.environ[REMOTE_ENV] = f"sc://localhost:{port}"
        yield spark
    finally:
        _restore(old)
        stop_session(spark)


def _restore(old: Mapping[str, str | None]) -> None:
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def is_remote(spark: Any) -> bool:
    """Whether ``spark`` is a Spark Connect session (a client of a driver in another process)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def session_conf(settings: Mapping[str, Any]) -> dict[str, str]:
    """The Spark configuration :func:`spark_session` builds from a validated ``spark:`` block:
    calib's settings, the shuffle partitions, the block's ``conf`` (which wins), and the
    driver's log configuration (:data:`LOG4J_CONF`) unless ``spark.driver.extraJavaOptions``
    names a log4j configuration of its own, and the class-data archive of the driver's JVM when
    one was built for this Java runtime and pyspark's jars (:func:`calib.engine.class_archive.driver_options`);
    on a local master whose Python workers run this interpreter, the worker daemon
    :data:`DAEMON_MODULE` (unless the block names one)."""
    from calib.engine import class_archive

    parts = settings["shuffle_partitions"] or _shuffle_default(settings["master"])
    conf = {**_BASE_CONF, "spark.sql.shuffle.partitions": str(parts),
            **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings["conf"].items()}}
    opts = conf.get("spark.driver.extraJavaOptions", "")
    if "log4j" not in opts:
        conf["spark.driver.extraJavaOptions"] = f"{opts} -Dlog4j2.configurationFile={LOG4J_CONF.as_uri()}".strip()
    conf["spark.driver.extraJavaOptions"] = class_archive.driver_options(conf)
    if (settings["master"].startswith("local") and "spark.python.daemon.module" not in conf
            and os.environ.get("PYSPARK_PYTHON", sys.executable) == sys.executable):
        # the workers are this interpreter's: forked from a daemon that imported their modules once
        conf["spark.python.daemon.module"] = DAEMON_MODULE
    return conf


def engine_info(spark=None) -> dict[str, Any]:
    """What the manifest records about the engine.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession, optional
        The session of ``engine: spark``; ``None`` for the local engine.

    Returns
    -------
    dict
        ``{"engine": "local"}`` or ``{"engine": "spark", "spark_version", "master", "app_name",
        "default_parallelism"}``.
    """
    if spark is None:
        return {"engine": "local"}
    if is_remote(spark):  # a client of the run's driver: no SparkContext here
        conf = spark.conf
        return {"engine": "spark", "spark_version": spark.version, "master": conf.get("spark.master"),
                "app_name": conf.get("spark.app.name"),
                "default_parallelism": _int_or_none(conf.get("spark.default.parallelism", None))}
    sc = spark.sparkContext
    return {"engine": "spark", "spark_version": spark.version, "master": sc.master,
            "app_name": sc.appName, "default_parallelism": int(sc.defaultParallelism)}


def _int_or_none(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def stop_session(spark) -> None:
    """Stop the session and end its JVM (``spark.stop()`` alone keeps the driver's JVM, with its
    whole heap, alive until the Python process exits).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        A session built by :func:`spark_session` in this process.
    """
    from pyspark import SparkContext

    spark.stop()
    if is_remote(spark):  # a client: its server-side session is released, the driver stays
        return
    gw = SparkContext._gateway
    proc = getattr(gw, "proc", None)
    if gw is None or proc is None:  # a JVM this process did not start (e.g. spark-submit's)
        return
    try:
        gw.shutdown()
    except Exception:  # the JVM may already be gone
        pass
    if proc.stdin is not None:
        proc.stdin.close()  # the gateway server exits at EOF on its stdin
    try:
        proc.wait(timeout=60)
    except Exception:
        proc.kill()
    SparkContext._gateway = None
    SparkContext._jvm = None
