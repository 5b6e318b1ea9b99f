"""A class-data archive of the Spark driver's JVM: its start-up without loading Spark's classes again.

A Spark driver loads and verifies some twenty thousand classes from pyspark's jars before it runs
a job: on a 2-core machine about 6 of its 14 CPU seconds to start and run a small job, every
``calib run`` with ``engine: spark`` and every Spark session of the tests. Java's application
class-data sharing (AppCDS, JDK 13+) keeps those classes, parsed and verified, in an archive file
a later JVM maps instead (``-XX:SharedArchiveFile``). :func:`build` writes one by running a small
Spark workload in a JVM that dumps its classes at exit (``-XX:ArchiveClassesAtExit``);
:func:`driver_options` adds it to a driver's options when it fits.

The archive belongs to one Java runtime and one set of jars: its name holds a digest of the
``java`` executable and of pyspark's jars (path, size, modification time), so an upgrade of
either leaves it unused (a new one is built by ``make warm``). It lives beside the environment
that installed those jars (``<sys.prefix>/share/calib``, or :data:`DIR_ENV`). A JVM that cannot
use an archive (another classpath, a corrupted file) starts as it would without one: the option
only speeds up, never changes what a run computes.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["archive_path", "driver_options", "build", "DIR_ENV"]

#: Where the archives are kept, if not in ``<sys.prefix>/share/calib``.
DIR_ENV = "CALIB_SPARK_ARCHIVE_DIR"

#: JVM options that decide class-data sharing themselves: with any of them the driver's options
#: are left as given.
_OWN = ("SharedArchiveFile", "ArchiveClassesAtExit", "-Xshare:off", "DumpLoadedClassList")
#: Settings that put other classes on the driver's classpath, or the driver on another machine:
#: the archive (made with pyspark's jars, on this machine) would not fit.
_OTHER_CLASSPATH = ("spark.driver.extraClassPath", "spark.jars", "spark.jars.packages")
#: The JVM's own lines about an archive it cannot use, off (it then starts without one).
_QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"


def _java() -> Path | None:
    """The ``java`` spark-submit starts: ``$JAVA_HOME/bin/java``, else the one on ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    return Path(found).resolve() if found and Path(found).exists() else None


def _jars() -> list[Path]:
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted((Path(list(spec.submodule_search_locations)[0]) / "jars").glob("*.jar"))


def _folder() -> Path:
    own = os.environ.get(DIR_ENV)
    return Path(own) if own else Path(sys.prefix) / "share" / "calib"


def archive_path() -> Path | None:
    """Where the archive of this Java runtime and these pyspark jars is (or would be) kept.

    Returns
    -------
    pathlib.Path or None
        ``<folder>/spark-classes-<digest>.jsa``; None without pyspark's jars or a ``java``.
    """
    java, jars = _java(), _jars()
    if java is None or not jars:
        return None
    h = hashlib.sha256()
    for p in (java, *jars):
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return _folder() / f"spark-classes-{h.hexdigest()[:16]}.jsa"


def driver_options(conf: Mapping[str, str]) -> str:
    """The driver's ``spark.driver.extraJavaOptions`` with the class-data archive added, when one
    was built for this Java runtime and these jars and the session's settings let it fit.

    Parameters
    ----------
    conf : mapping of str to str
        The session's Spark configuration (:func:`calib.engine.spark.session_conf`).

    Returns
    -------
    str
        The options: as given when there is no archive, the driver runs elsewhere (cluster
        deploy mode), its classpath has other jars, or the options decide class-data sharing
        themselves; else with ``-XX:SharedArchiveFile=<archive>`` and the JVM's lines about an
        unusable archive turned off.
    """
    opts = str(conf.get("spark.driver.extraJavaOptions", ""))
    if (any(o in opts for o in _OWN) or any(conf.get(k) for k in _OTHER_CLASSPATH)
            or str(conf.get("spark.submit.deployMode", "client")) == "cluster"):
        return opts
    path = archive_path()
    if path is None or not path.is_file():
        return opts
    return f"{opts} -XX:SharedArchiveFile={path} {_QUIET}".strip()


def build(*, force: bool = False, timeout: float = 600.0) -> Path | None:
    """Build the archive of this Java runtime and these pyspark jars, unless it exists.

    A child process starts a ``local[2]`` driver as a ``calib run`` does (Spark Connect plugin,
    calib's settings), runs a small workload through what a run uses (pandas and Arrow in and
    out, grouping, a join, a window, a pandas UDF, Parquet written and read) and stops; its JVM
    writes the classes it loaded at exit. The file is written under a temporary name and moved
    into place, so a JVM never maps half an archive.

    Parameters
    ----------
    force : bool
        Build again even when the archive exists.
    timeout : float
        Seconds the child may take.

    Returns
    -------
    pathlib.Path or None
        The archive; None when it cannot be built here (no pyspark or Java, a folder that cannot
        be written, a child that failed).
    """
    path = archive_path()
    if path is None:
        return None
    if path.is_file() and not force:
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("CALIB_SPARK_REMOTE", None)
    try:
        done = subprocess.run([sys.executable, "-c", f"from calib.engine.class_archive import _dump; _dump({str(tmp)!r})"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        done = None
    if done is None or done.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        return None
    for old in path.parent.glob("spark-classes-*.jsa"):  # archives of jars or a Java no longer here
        if old != path:
            old.unlink(missing_ok=True)
    os.replace(tmp, path)
    return path


def _dump(target: str) -> None:
    """The workload whose classes the archive holds (run by :func:`build` in a child process)."""
    import tempfile

    import pandas as pd

    from calib.engine.spark import run_session

    conf = {"spark.driver.extraJavaOptions": f"-XX:ArchiveClassesAtExit={target} {_QUIET}"}
    with run_session({"master": "local[2]", "app_name": "calib-class-archive", "shuffle_partitions": 2,
                      "conf": conf}) as spark, tempfile.TemporaryDirectory() as tmp:
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        frame = pd.DataFrame({"village": [f"v{i % 7}" for i in range(2000)], "limit": range(2000),
                              "flag": [i % 3 == 0 for i in range(2000)]})
        df = spark.createDataFrame(frame)
        agg = df.groupBy("village").agg(F.count("*").alias("n"), F.sum("limit").alias("total"),
                                       F.expr("percentile_approx(limit, 0.5)").alias("median"))
        ranked = df.withColumn("rank", F.row_number().over(Window.partitionBy("village").orderBy("limit")))
        joined = ranked.join(agg, "village").filter(F.col("flag"))
        out = str(Path(tmp) / "t.parquet")
        joined.write.parquet(out)
        back = spark.read.parquet(out)
        back.groupBy("village").applyInPandas(lambda g: g.head(1), back.schema).toPandas()
        back.toPandas()
