"""The Spark driver's class-data archive (calib.engine.class_archive): used by the driver when it
fits, left out when it would not, and harmless when it cannot be mapped."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from calib.engine import class_archive
from calib.engine.spark import LOG4J_CONF, session_conf, validate_spark_settings


def test_the_test_runs_driver_maps_the_archive(spark):
    """The session's JVM (started by tests/engine/conftest.py as a run starts its own) has the
    archive mapped into its memory: not only asked for on its command line."""
    path = class_archive.archive_path()
    assert path is not None and path.is_file(), "the archive was not built (make warm-spark)"
    pid = int(spark._jvm.java.lang.ProcessHandle.current().pid())
    assert pid != os.getpid()
    assert str(path) in Path(f"/proc/{pid}/maps").read_text(), "the driver's JVM did not map the archive"
    assert f"-XX:SharedArchiveFile={path}" in spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")


@pytest.fixture
def archive(tmp_path, monkeypatch) -> Path:
    """A stand-in archive in a folder of its own (:data:`class_archive.DIR_ENV`)."""
    monkeypatch.setenv(class_archive.DIR_ENV, str(tmp_path))
    path = class_archive.archive_path()
    assert path is not None and path.parent == tmp_path
    path.write_bytes(b"not an archive")
    return path


def test_options_name_the_archive_only_where_it_fits(archive):
    conf = session_conf(validate_spark_settings({"conf": {"spark.driver.extraJavaOptions": "-Xss4m"}}))
    opts = conf["spark.driver.extraJavaOptions"]
    assert opts.startswith(f"-Xss4m -Dlog4j2.configurationFile={LOG4J_CONF.as_uri()} -XX:SharedArchiveFile={archive} ")
    for key, value in [("spark.driver.extraJavaOptions", "-Xshare:off"),
                       ("spark.driver.extraJavaOptions", "-XX:SharedArchiveFile=/elsewhere.jsa"),
                       ("spark.driver.extraJavaOptions", "-XX:ArchiveClassesAtExit=/x.jsa"),
                       ("spark.driver.extraClassPath", "/opt/extra.jar"), ("spark.jars", "/opt/udf.jar"),
                       ("spark.jars.packages", "org.example:udf:1.0"), ("spark.submit.deployMode", "cluster")]:
        given = {key: value}
        opts = session_conf(validate_spark_settings({"conf": given}))["spark.driver.extraJavaOptions"]
        assert str(archive) not in opts, given
        if key == "spark.driver.extraJavaOptions":
            assert opts.startswith(value), given
    archive.unlink()
    assert "SharedArchiveFile" not in session_conf(validate_spark_settings({}))["spark.driver.extraJavaOptions"]


def test_the_archive_belongs_to_one_java_and_one_set_of_jars(archive, tmp_path, monkeypatch):
    jars = [tmp_path / "a.jar", tmp_path / "b.jar"]
    for j in jars:
        j.write_bytes(b"jar")
    monkeypatch.setattr(class_archive, "_jars", lambda: jars)
    first = class_archive.archive_path()
    assert first != archive and first.name.startswith("spark-classes-") and first.suffix == ".jsa"
    os.utime(jars[1], ns=(0, 10**9))  # one jar replaced (same size, other time)
    assert class_archive.archive_path() not in (first, archive)
    monkeypatch.setattr(class_archive, "_jars", lambda: [])
    assert class_archive.archive_path() is None
    assert class_archive.driver_options({"spark.driver.extraJavaOptions": "-Xss4m"}) == "-Xss4m"


def test_a_jvm_given_an_archive_it_cannot_use_starts_as_without_it_and_says_nothing(spark, archive):
    """A corrupted archive, and a real one on another classpath (a JVM that is not the driver it
    was made for): the JVM maps neither, starts, and prints no line about them."""
    java = class_archive._java()
    assert java is not None
    opts = class_archive.driver_options({"spark.driver.extraJavaOptions": ""}).split()
    assert f"-XX:SharedArchiveFile={archive}" in opts
    used = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions").split()
    real = next(o.split("=", 1)[1] for o in used if o.startswith("-XX:SharedArchiveFile="))  # the driver's
    foreign = [o.replace(str(archive), real) for o in opts]
    for given in (opts, foreign):
        r = subprocess.run([str(java), *given, "-cp", str(archive.parent), "-version"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        said = (r.stdout + r.stderr).lower()
        assert "cds" not in said and "archive" not in said, said
    bare = subprocess.run([str(java), f"-XX:SharedArchiveFile={real}", "-cp", str(archive.parent), "-version"],
                          capture_output=True, text=True, timeout=60)
    assert "archive" in (bare.stdout + bare.stderr).lower()  # what the quiet options keep off a terminal
