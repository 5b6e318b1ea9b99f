"""engine: spark gives the local engine's consensus, comparison and village tables and headline
figures on the sample programme (Spark local[2], one session per test run)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib import compare, consensus, params, villages
from calib.errors import CalibParamsError

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-9


@pytest.fixture(scope="module")
def P():
    return params.load(ROOT / "params" / "sample.yaml")


@pytest.fixture(scope="module")
def prog(small_programme):
    """The small generated programme (12 villages of 40 households): every per-village step and
    its Spark twin run on it (the sample's 90 villages cost Spark time, not coverage; the report
    run of test_spark_bundle covers the adversarial programme)."""
    return small_programme[1]


@pytest.fixture(scope="module")
def local(prog, P):
    cons = consensus.consensus_limits(prog.reviews, **P.block("consensus"), relations=prog.relations)
    cmp = compare.compare_limits(cons, prog.model_runs, policy=P.block("reconciliation"))
    kpis = villages.programme_kpis(prog, final_limits=cmp[["final_limit"]], eligibility=P.block("eligibility"))
    return {"consensus": cons, "comparison": cmp, "kpis": kpis}


@pytest.fixture(scope="module")
def on_spark(spark, prog, P):
    from calib.engine import steps

    sp = steps.from_programme(spark, prog)
    cp = steps.consensus_packed(sp, **P.block("consensus"))
    cmpp = steps.comparison_packed(sp, cp, policy=P.block("reconciliation"))
    return {"sp": sp, "consensus": steps.collect(cp), "comparison": steps.collect(cmpp),
            "kpis": steps.programme_kpis(sp, cmpp, eligibility=P.block("eligibility"))}


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index(), rtol=RTOL, check_exact=False)


def test_consensus_identical(on_spark, local):
    same(on_spark["consensus"], local["consensus"])
    for by in (None, "village"):
        same(consensus.status_counts(on_spark["consensus"], by=by), consensus.status_counts(local["consensus"], by=by))


def test_comparison_identical(on_spark, local):
    same(on_spark["comparison"], local["comparison"])
    for by in (None, "village"):
        same(compare.exposure_by_group(on_spark["comparison"], by=by),
             compare.exposure_by_group(local["comparison"], by=by))
    a = compare.agreement_summary(on_spark["comparison"].sort_index(), by="township", n_boot=0)
    b = compare.agreement_summary(local["comparison"].sort_index(), by="township", n_boot=0)
    same(a, b)


def test_village_tables_and_headlines_identical(on_spark, local, prog, P):
    k_s, k_l = on_spark["kpis"], local["kpis"]
    pd.testing.assert_frame_equal(k_s, k_l, rtol=RTOL)
    rules, trules = P.block("credit_village"), P.block("credit_township")
    v_s = villages.certify_villages(k_s, rules=rules, assessments=prog.village_assessments)
    v_l = villages.certify_villages(k_l, rules=rules, assessments=prog.village_assessments)
    pd.testing.assert_frame_equal(v_s, v_l, rtol=RTOL)
    t_s, t_l = (villages.certify_townships(v, k, rules=trules) for v, k in ((v_s, k_s), (v_l, k_l)))
    pd.testing.assert_frame_equal(t_s, t_l, rtol=RTOL)
    m_s, m_l = villages.headline_metrics(k_s, v_s, t_s), villages.headline_metrics(k_l, v_l, t_l)
    assert m_s.keys() == m_l.keys()
    for key, val in m_l.items():
        if isinstance(val, float):
            assert m_s[key] == pytest.approx(val, rel=RTOL), key
        else:
            assert m_s[key] == val, key
    assert m_l["credit_villages"] > 0 and m_l["n_villages"] == 12  # the figures compared are real


def test_per_household_method_runs_per_village(spark, on_spark, prog, P):
    from calib.engine import steps

    block = {**P.block("consensus"), "method": "median"}
    cs = steps.consensus_limits(on_spark["sp"], **block)
    same(cs, consensus.consensus_limits(prog.reviews, **block, relations=prog.relations))


def test_group_pooling_equals_the_programme_fit(on_spark, local, P):
    """The adjusted fit is estimated within each connected component of the review graph (its own
    robust scale and reviewer variance), and a component lies inside one village: fitting each
    village on the executors gives the programme-wide fit's limits exactly."""
    from calib.engine import steps

    cg = steps.consensus_limits(on_spark["sp"], pooling="group", **P.block("consensus")).sort_index()
    cl = local["consensus"].sort_index()
    assert cg.index.equals(cl.index)
    np.testing.assert_allclose(cg["consensus_granted"].fillna(-1), cl["consensus_granted"].fillna(-1), rtol=RTOL)
    np.testing.assert_allclose(cg["dispersion"].fillna(0), cl["dispersion"].fillna(0), rtol=1e-6)
    with pytest.raises(CalibParamsError, match="pooling"):
        steps.consensus_limits(on_spark["sp"], pooling="village", **P.block("consensus"))


def test_engine_info_and_settings(spark):
    from calib.engine import engine_info, validate_spark_settings

    info = engine_info(spark)
    assert info["engine"] == "spark" and info["master"] == "local[2]"
    assert info["spark_version"].split(".")[0] in {"3", "4"}
    assert engine_info() == {"engine": "local"}
    assert validate_spark_settings(None)["master"] == "local[2]"
    with pytest.raises(CalibParamsError, match="spark.mastr"):
        validate_spark_settings({"mastr": "yarn"})


def test_dispatch_local_and_spark(spark, prog, P, local):
    """The notebook-facing calls: spark=None is the local function, a session gives the same table."""
    from calib import engine

    assert engine.session_for({"engine": "local"}) is None
    with pytest.raises(CalibParamsError, match="engine"):
        engine.session_for({"engine": "dask"})
    same(engine.consensus_limits(prog, **P.block("consensus")), local["consensus"])
    cons = engine.consensus_limits(prog, spark=spark, **P.block("consensus"))
    cmp = engine.compare_limits(prog, local["consensus"], spark=spark, policy=P.block("reconciliation"))
    same(cmp, local["comparison"])
    # households with no eligible member: no credit on either engine (each village's roster on Spark)
    rules = dict(P.block("eligibility"), max_age=40)  # more ineligible households than the sample has
    cmp_e = engine.compare_limits(prog, local["consensus"], spark=spark, policy=P.block("reconciliation"),
                                  eligibility=rules)
    want = engine.compare_limits(prog, local["consensus"], policy=P.block("reconciliation"), eligibility=rules)
    same(cmp_e, want)
    assert cmp_e["reason"].eq("ineligible").sum() > 0 and cmp_e.index.equals(want.index)
    # the local engine's row order (bootstraps and plots' random subsets depend on it)
    assert cons.index.equals(local["consensus"].index) and cmp.index.equals(local["comparison"].index)
    kpis = engine.programme_kpis(prog, spark=spark, final_limits=cmp[["final_limit"]],
                                 eligibility=P.block("eligibility"), unit="person")
    expected = villages.programme_kpis(prog, final_limits=local["comparison"][["final_limit"]],
                                       eligibility=P.block("eligibility"), unit="person")
    pd.testing.assert_frame_equal(kpis, expected, rtol=RTOL)
    assert engine.distributed(prog, spark) is engine.distributed(prog, spark)  # distributed once


def test_parquet_tables_read_by_spark(spark, prog, P, tmp_path):
    """A validated programme kept as Parquet (as a data platform holds it) is opened where Spark
    reads it: relations get their village on Spark, every row is there. (The report run on
    Spark, ``test_spark_bundle.py``, takes Parquet tables read this way through the per-village
    steps to the local engine's figures.)"""
    from calib.engine import steps

    sources = {}
    for name in ("roster", "reviews", "relations", "model_runs"):
        path = tmp_path / f"{name}.parquet"
        prog.table(name).to_parquet(path, index=False, coerce_timestamps="us")  # Spark reads no ns
        sources[name] = f"file://{path}"
    sp = steps.read_programme(spark, sources, as_of=P.as_of)
    rel = sp.tables["relations"].select("household_id", "village").toPandas()  # joined from the roster on Spark
    want = prog.relations.join(prog.roster.drop_duplicates("household_id").set_index("household_id")["village"],
                               on="household_id")
    assert sorted(zip(rel["household_id"], rel["village"])) == sorted(zip(want["household_id"], want["village"]))
    assert sp.dtypes["reviews"]["proposed_limit"] == "float64" and sp.dtypes["reviews"]["household_id"] == "str"
    with pytest.raises(CalibParamsError, match="unknown table 'loan'"):
        steps.read_programme(spark, {"loan": "x"}, as_of=P.as_of)


def test_buckets_of_villages_are_the_same_on_spark_and_pandas(spark):
    """Steps run once per bucket of villages: a result computed on the driver (packed in pandas)
    must land in the bucket where Spark put the same villages' tables, or the union that feeds
    the next step would pair a village's reviews with nothing."""
    from calib.engine.grouped import bucket_column, bucket_of

    names = pd.Series(["村一", "Village 7", "乡镇-03村", "x" * 40, None], dtype=object)
    sdf = spark.createDataFrame(pd.DataFrame({"village": names}))
    on_spark = [r[0] for r in sdf.select(bucket_column("village", 8)).collect()]
    assert on_spark == list(bucket_of(names, 8))
    assert len(set(on_spark[:4])) > 1 and on_spark[4] == "-1"


def test_driver_logs_errors_only_unless_told_otherwise(spark, tmp_path, monkeypatch):
    # a run under cron prints its own log lines, not the JVM's start-up warnings
    from calib.engine.class_archive import DIR_ENV
    from calib.engine.spark import LOG4J_CONF, session_conf, validate_spark_settings

    monkeypatch.setenv(DIR_ENV, str(tmp_path))  # no class-data archive (tests/engine/test_class_archive.py)
    assert spark._jvm.org.apache.logging.log4j.LogManager.getRootLogger().getLevel().toString() == "ERROR"
    conf = session_conf(validate_spark_settings({"conf": {"spark.driver.extraJavaOptions": "-Xss4m"}}))
    assert conf["spark.driver.extraJavaOptions"] == f"-Xss4m -Dlog4j2.configurationFile={LOG4J_CONF.as_uri()}"
    own = "-Dlog4j2.configurationFile=file:///etc/spark/log4j2.properties"
    assert session_conf(validate_spark_settings({"conf": {"spark.driver.extraJavaOptions": own}})
                        )["spark.driver.extraJavaOptions"] == own
    assert LOG4J_CONF.is_file()
