"""Report 06's tables as the villages package builds them (the notebook only shows them): the
figures, the verdict counts per criterion, the targets and the townships against the final
targets. Hand-built frames: each rule at and either side of where it turns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib import villages as cv
from calib.errors import CalibInputError
from calib.report import labels

CRITERIA = list(cv.VILLAGE_CRITERIA) + list(cv.QUALITATIVE_CRITERIA)


def _verdicts(**columns) -> pd.DataFrame:
    """Three villages, every criterion passed unless ``columns`` say otherwise."""
    v = pd.DataFrame({c: ["pass"] * 3 for c in CRITERIA})
    for c, codes in columns.items():
        v[c] = codes
    return v


def test_verdict_counts_count_each_criterion_in_rule_order():
    v = _verdicts(npl_ratio=["fail", "no data", "pass"], governance=["not assessed", "fail", np.nan])
    out = cv.verdict_counts(v)
    assert list(out.index) == CRITERIA and out.index.name == "criterion"
    # codes in a fixed order, named as the catalogue heads them (no space in a column name)
    assert list(out.columns) == ["fail", "no_data", "not_assessed", "pass"]
    assert out.loc["npl_ratio"].tolist() == [1, 1, 0, 1]
    assert out.loc["governance"].tolist() == [1, 0, 1, 0]  # a missing verdict is not counted
    assert out.loc["profiling_rate"].tolist() == [0, 0, 0, 3]
    assert (out.dtypes == "int64").all()
    labels.set_lang("zh-CN")
    assert all(labels.has(c) for c in out.columns)  # each header is the catalogue's, not a code


def test_verdict_counts_show_only_the_codes_that_occur():
    assert list(cv.verdict_counts(_verdicts()).columns) == ["pass"]
    assert list(cv.verdict_counts(_verdicts(no_disputes=["fail", "pass", "pass"])).columns) == ["fail", "pass"]


def test_verdict_counts_follow_the_township_rules_and_name_a_missing_criterion():
    tv = pd.DataFrame({"credit_village_share": ["fail", "fail"], "npl_vs_county": ["pass", "no data"]})
    out = cv.verdict_counts(tv, level="township")
    assert out.to_dict("index") == {"credit_village_share": {"fail": 2, "no_data": 0, "pass": 0},
                                    "npl_vs_county": {"fail": 0, "no_data": 1, "pass": 1}}
    with pytest.raises(CalibInputError, match="npl_vs_county"):
        cv.verdict_counts(tv.drop(columns="npl_vs_county"), level="township")


def _kpis(unit: str = "person") -> pd.DataFrame:
    """Two villages of one township, the township and the programme; the township's coverage
    exactly 80% (8 of 10), the programme's 79.9% (799 of 1000)."""
    return pd.DataFrame({
        "level": ["village", "village", "township", "programme"],
        "township": ["T1", "T1", "T1", pd.NA], "village": ["A", "B", pd.NA, pd.NA],
        "as_of": pd.Timestamp("2026-06-30"), "unit": unit,
        "n_households": [5, 5, 10, 1000], "n_eligible": [5, 5, 10, 1000], "n_credited": [4, 4, 8, 799],
        "n_drawing": [1, 2, 3, 240], "credit_coverage": [0.8, 0.8, 0.8, 0.799], "usage": [0.25, 0.5, 0.375, 240 / 799],
        "profiling_rate": 0.9, "credit_rate": 0.9, "npl_ratio": 0.0, "npl_ratio_count": 0.0,
        "a_or_better_share": 0.6, "loan_share": 0.3})


def test_township_targets_judge_townships_and_programme_exactly_in_their_unit():
    out = cv.township_targets(_kpis(), {"credit_coverage_final": 0.80, "usage_final": 0.30})
    assert list(out["level"]) == ["township", "programme"]  # no village row
    assert list(out.columns) == ["level", "township", "n_eligible_persons", "n_credited_persons", "n_drawing_persons",
                                 "credit_coverage_persons", "usage_persons", "coverage_met_persons", "usage_met_persons"]
    assert out["coverage_met_persons"].tolist() == [True, False]  # 80% meets at least 80%; 79.9% does not
    assert out["usage_met_persons"].tolist() == [True, True]  # 37.5% and 240 / 799 = 30.04%
    hh = cv.township_targets(_kpis("household"), {"credit_coverage_final": 0.80, "usage_final": None})
    assert "credit_coverage_households" in hh and hh["usage_met_households"].isna().all()  # no target: not judged
    with pytest.raises(CalibInputError, match="n_drawing"):
        cv.township_targets(_kpis().drop(columns="n_drawing"), None)


def test_kpi_figures_keep_the_rows_in_the_pages_order_and_name_the_unit():
    k = _kpis("household")
    out = cv.kpi_figures(k)
    assert list(out.columns) == ["level", "township", "village", "n_households", "n_eligible_households",
                                 "credit_coverage_households", "usage_households", "profiling_rate", "credit_rate",
                                 "npl_ratio", "npl_ratio_count", "a_or_better_share", "loan_share"]
    assert list(out["level"]) == list(k["level"]) and out.index.equals(k.index)
    # as the page's text says: each township's villages, then its row, the programme last, whatever the input's order
    shuffled = cv.kpi_figures(k.iloc[[3, 2, 1, 0]].reset_index(drop=True))
    assert list(shuffled["level"]) == list(k["level"]) and list(shuffled["village"].fillna("-")) == list(k["village"].fillna("-"))
    two = pd.concat([k.iloc[:3], k.iloc[:3].assign(township="T0", village=["a", "b", None]), k.iloc[3:]], ignore_index=True)
    assert list(cv.kpi_figures(two)["township"].iloc[:3]) == ["T0"] * 3  # T0's villages and row before T1's
    assert "credit_coverage_persons" in cv.kpi_figures(_kpis("person"))
    with pytest.raises(CalibInputError, match="loan_share"):
        cv.kpi_figures(k.drop(columns="loan_share"))
    with pytest.raises(CalibInputError, match="as_of"):
        cv.kpi_figures(k.assign(as_of=pd.to_datetime(["2026-06-30", "2026-06-30", "2026-03-31", "2026-06-30"])))


def test_target_table_names_the_unit_the_progress_counts():
    progress = pd.DataFrame({"milestone": ["2025-09-30", "final"], "villages_target": [60, np.nan],
                             "villages": [77, 77], "villages_unit": "person", "credit_coverage_target": [0.6, 0.8],
                             "credit_coverage": [0.905, 0.905], "usage_target": [np.nan, 0.3], "usage": [0.281, 0.281],
                             "status": ["met", "not met"], "due": [True, True]})
    out = cv.target_table(progress)
    assert list(out.columns) == ["milestone", "villages_target", "villages_persons", "credit_coverage_target",
                                 "credit_coverage_persons", "usage_target", "usage_persons", "status"]
    assert "villages_households" in cv.target_table(progress.assign(villages_unit="household"))
    with pytest.raises(CalibInputError, match="status"):
        cv.target_table(progress.drop(columns="status"))
