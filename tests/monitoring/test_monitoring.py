"""calib.monitoring: PSI/CSI against hand computation, lights at their boundaries, trends from
a history frame of the seam's shape, and the backfill (with the runner replaced)."""
from __future__ import annotations

import math
import pathlib

import numpy as np
import pandas as pd
import pytest

from calib import monitoring as mon
from calib.errors import CalibInputError, CalibParamsError

ROOT = pathlib.Path(__file__).resolve().parents[2]
SC, CM, VI = "04_scorecard_calibration", "03_consensus_vs_model", "06_credit_villages"


def test_psi_matches_hand_computation_and_is_zero_for_equal_shares():
    assert mon.psi({"a": 0.5, "b": 0.5}, {"a": 0.5, "b": 0.5}) == 0.0
    want = 0.1 * math.log(0.6 / 0.5) + (-0.1) * math.log(0.4 / 0.5)
    assert mon.psi({"a": 0.5, "b": 0.5}, {"a": 0.6, "b": 0.4}) == pytest.approx(want)
    # counts are normalised; a bin missing on one side is floored, not dropped
    assert mon.psi({"a": 50, "b": 50}, {"a": 60, "b": 40}) == pytest.approx(want)
    big = mon.psi({"a": 1, "b": 1}, {"a": 1})
    assert big > 3 and np.isfinite(big)


def test_psi_of_shifted_normal_matches_its_large_sample_value():
    """Brute force: PSI of N(0,1) against N(0.5,1) over deciles of the base, by simulation
    and by the exact bin probabilities."""
    from scipy.stats import norm

    edges = norm.ppf(np.linspace(0, 1, 11))
    exact_b = np.diff(norm.cdf(edges))
    exact_c = np.diff(norm.cdf(edges, loc=0.5))
    exact = float(np.sum((exact_c - exact_b) * np.log(exact_c / exact_b)))
    rng = np.random.default_rng(3)
    x = rng.normal(0.5, 1, 400_000)
    counts = np.histogram(x, bins=edges)[0]
    got = mon.psi(dict(enumerate(exact_b)), dict(enumerate(counts)))
    assert got == pytest.approx(exact, rel=0.03)


def test_csi_is_psi_per_characteristic():
    b = {"age": {"<30": 1, "30+": 1}, "income": {"low": 3, "high": 1}}
    c = {"age": {"<30": 1, "30+": 1}, "income": {"low": 1, "high": 3}, "new": {"x": 1}}
    s = mon.csi(b, c)
    assert list(s.index) == ["age", "income"] and s["age"] == 0
    assert s["income"] == pytest.approx(mon.psi(b["income"], c["income"]))


def test_lights_at_their_boundaries_and_rules_checked():
    r = mon.MonitoringRules()
    assert mon.light(0.70, r.auc_oos) == "green" and mon.light(0.6999, r.auc_oos) == "amber"
    assert mon.light(0.65, r.auc_oos) == "amber" and mon.light(0.64, r.auc_oos) == "red"
    # lower is better: a threshold belongs to the worse light (PSI stable below 0.10, shifted from
    # 0.25; report 04's grade light green below 95%, red from 99.9%): the two reports agree
    assert mon.light(0.0999, r.psi) == "green" and mon.light(0.10, r.psi) == "amber"
    assert mon.light(0.2499, r.psi) == "amber" and mon.light(0.25, r.psi) == "red"
    assert mon.light(0.26, r.psi) == "red" and mon.light(float("nan"), r.psi) == "none"
    from calib.scorecard.calibration import traffic_light

    for c in (0.5, 0.95, 0.97, 0.999, 0.9999):
        want = {"yellow": "amber"}.get(str(traffic_light(c)), str(traffic_light(c)))
        assert mon.light(c, r.grade_backtest) == want, c
    with pytest.raises(CalibParamsError, match="monitoring.psi"):
        mon.validate_monitoring({"psi": {"green": 0.3, "amber": 0.1, "higher_is_better": False}})
    with pytest.raises(CalibParamsError, match="monitoring.nonsense"):
        mon.validate_monitoring({"nonsense": 1})


def _history(backfilled=("r1", "r2")) -> pd.DataFrame:
    """Four quarterly runs: AUC falling, the score distribution drifting, villages falling."""
    rows = []
    dates = ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"]
    auc = [0.74, 0.71, 0.67, 0.62]
    shift = [0.0, 0.05, 0.15, 0.3]
    for i, d in enumerate(dates):
        rid = f"r{i + 1}"
        figs = {
            (SC, "auc_calibrated_cv"): auc[i], (SC, "ks_calibrated_cv"): 0.35 - 0.05 * i,
            (SC, "ks_calibrated"): 0.9,  # in sample: never the light's
            (SC, "psi_score"): 0.01,
            (SC, "score_distribution"): {"low": 0.3 + shift[i], "mid": 0.4, "high": 0.3 - shift[i]},
            (SC, "grade_default_rates"): {"AAA": 0.01, "A": 0.03 + 0.02 * i},
            (SC, "grade_pds"): {"AAA": 0.012, "A": 0.03},
            # B's PD far above its rate (conservative) never lights; A's too low, more each run
            (SC, "grade_confidence"): {"AAA": 0.30, "A": [0.5, 0.96, 0.9995, 0.99999][i], "B": 0.0},
            (CM, "ba_bias_ratio"): 1.05 + 0.05 * i, (CM, "households_to_investigate"): 100 + 20 * i,
            (VI, "credit_villages"): 20 - 3 * i,
        }
        started = f"2026-07-0{i + 1}T00:00:00Z"
        rows += [(rid, d, started, "ok", "x", nb, m, v) for (nb, m), v in figs.items()]
        if rid in backfilled:
            rows.append((rid, d, started, "ok", "", mon.BACKFILL_NOTEBOOK, "seed", 1))
    return pd.DataFrame(rows, columns=mon.COLUMNS)


def test_indicators_follow_the_history_with_lights():
    ind = mon.indicators(_history())
    auc = ind.loc[ind["indicator"] == "auc_oos"].set_index("run_id")
    assert list(auc["light"]) == ["green", "green", "amber", "red"]
    assert list(auc["backfilled"]) == [True, True, False, False]
    psi = ind.loc[ind["indicator"] == "psi"].set_index("run_id")
    assert psi.loc["r1", "value"] == 0.0  # the base run against itself
    want = mon.psi({"low": 0.3, "mid": 0.4, "high": 0.3}, {"low": 0.6, "mid": 0.4, "high": 0.0})
    assert psi.loc["r4", "value"] == pytest.approx(want) and psi.loc["r4", "light"] == "red"
    assert "against the base run" in psi.loc["r4", "source"]
    grade = ind.loc[ind["indicator"] == "grade_backtest"].set_index("run_id")
    assert grade["value"].tolist() == [0.5, 0.96, 0.9995, 0.99999]  # report 04's traffic light:
    assert grade["light"].tolist() == ["green", "amber", "red", "red"]  # <95%, 95-99.9%, >=99.9%
    gap = ind.loc[ind["indicator"] == "consensus_model_gap"].set_index("run_id")["value"]
    assert gap["r1"] == pytest.approx(0.05)
    inv = ind.loc[ind["indicator"] == "investigations"].set_index("run_id")
    assert inv.loc["r4", "judged"] == pytest.approx(160 / 100) and inv.loc["r4", "light"] == "red"
    vil = ind.loc[ind["indicator"] == "credit_villages"].set_index("run_id")
    assert list(vil["light"]) == ["base", "amber", "red", "red"]  # 20 (the base itself), 17, 14, 11 of base 20
    assert psi.loc["r1", "light"] == "base" and inv.loc["r1", "light"] == "base"  # no comparison with itself
    assert auc.loc["r1", "light"] == "green"  # an absolute figure is judged on the base run too
    assert ind.loc[ind["indicator"] == "csi_max", "light"].eq("none").all()
    ks = ind.loc[ind["indicator"] == "ks"].set_index("run_id")["value"]  # out of fold, not the in-sample 0.9
    assert ks.tolist() == pytest.approx([0.35, 0.30, 0.25, 0.20])


def test_base_run_by_as_of_and_fallback_to_recorded_psi():
    ind = mon.indicators(_history(), rules={"base": "2026-03-31"})
    psi = ind.loc[ind["indicator"] == "psi"].set_index("run_id")["value"]
    assert psi["r3"] == 0.0 and psi["r1"] > 0
    h = _history()
    h = h.loc[h["metric"] != "score_distribution"]
    ind = mon.indicators(h)
    psi = ind.loc[ind["indicator"] == "psi"]
    assert (psi["value"] == 0.01).all() and psi["source"].str.contains("as recorded").all()
    with pytest.raises(CalibParamsError, match="monitoring.base"):
        mon.indicators(_history(), rules={"base": "1999-01-01"})


def test_one_point_per_as_of_the_latest_run_standing():
    h = _history()
    again = h.loc[h["run_id"] == "r4"].assign(run_id="r4b", started_utc="2026-08-01T00:00:00Z")
    again.loc[again["metric"] == "auc_calibrated_cv", "value"] = 0.9
    ind = mon.indicators(pd.concat([h, again], ignore_index=True))
    auc = ind.loc[ind["indicator"] == "auc_oos"]
    assert len(auc) == 4 and auc["value"].iloc[-1] == 0.9
    assert mon.indicators(pd.DataFrame(columns=mon.COLUMNS)).empty


@pytest.mark.filterwarnings("ignore:Glyph")
def test_light_table_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    ind = mon.indicators(_history())
    t = mon.light_table(ind, lang="zh-CN")
    assert list(t.columns) == ["indicator", "2025-09-30*", "2025-12-31*", "2026-03-31", "2026-06-30"]
    assert t.iloc[0, 0] == "区分能力 AUC（样本外）" and t.iloc[0, -1].endswith("红灯")
    assert mon.light_table(ind, lang="en").iloc[0, 1].endswith("green")
    shown = mon.light_display(ind)  # through the display layer: each cell coloured by its light
    last = ind.loc[(ind["as_of"] == ind["as_of"].max()) & (ind["indicator"] == "auc_oos"), "light"].item()
    assert shown.classes.iloc[0, -1] == {"green": "pass", "amber": "warn", "red": "fail"}[last]
    fig = mon.plot_trends(ind)
    assert len([a for a in fig.axes if a.get_visible()]) == len(mon.INDICATORS)
    g = mon.grade_calibration_table(_history())
    assert set(g["grade"]) == {"AAA", "A"} and len(g) == 8
    assert g.loc[g["grade"] == "A", "pd_too_low_confidence"].tolist() == [0.5, 0.96, 0.9995, 0.99999]


def test_backfill_runs_each_missing_quarter_once(tmp_path):
    recorded = pd.DataFrame([("old", "2025-12-31", "t", "ok", "", CM, "ccc", 0.9)],
                            columns=mon.COLUMNS)
    calls, marks = [], []

    def run(overrides):
        calls.append(overrides)
        return f"run-{overrides['as_of']}"

    ids = mon.backfill(ROOT / "params" / "sample.yaml", quarters=3, out_root=tmp_path,
                       run=run, mark=lambda db, rid, as_of, info: marks.append((rid, info)),
                       history=lambda db: recorded, log=lambda s: None)
    assert ids == ["run-2025-09-30", "run-2026-03-31"]
    assert [c["as_of"] for c in calls] == ["2025-09-30", "2026-03-31"]
    assert calls[0]["notebooks"] == list(mon.DEFAULT_NOTEBOOKS)
    assert marks[0][1]["drift"] > marks[1][1]["drift"] > 0
    folder = pathlib.Path(calls[0]["data_dir"])
    assert folder.is_dir() and (folder / "roster.csv").is_file()
    from calib.io import load_programme

    # the sample's own generator (its deliberate dirt included), not the vectorised one: the
    # history's last point must not measure the difference between two generators
    assert marks[0][1]["generator"] == "reference"
    prog = load_programme(folder, as_of="2025-09-30")
    c = prog.counts
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    dirt = pd.read_csv(folder / "truth" / "dirty_rows.csv")
    assert len(dirt) and c["rows_quarantined"].sum() > 0
    assert pd.to_datetime(prog.model_runs["run_date"]).max() <= pd.Timestamp("2025-09-30")


def test_points_table_says_which_points_are_backfilled_and_headline():
    t = mon.points_table(_history())
    assert list(t["source"]) == ["backfilled_snapshot"] * 2 + ["evaluation_run"] * 2
    from calib.report import table

    shown = table(t, max_rows=None)
    assert "回填：生成的季度快照" in shown._repr_html_() or "backfilled: generated" in shown._repr_html_()
    m = mon.headline(mon.indicators(_history()))
    assert m["points"] == 4 and m["points_backfilled"] == 2 and m["latest_as_of"] == "2026-06-30"
    assert "auc_oos" in m["latest_red_indicators"] and m["latest_red"] >= 1
    assert mon.headline(mon.indicators(pd.DataFrame(columns=mon.COLUMNS)))["points"] == 0


def test_distribution_bins_and_agreement_with_the_scorecard_psi():
    """The same PSI as calib.validation.psi on raw samples when the bins are the same."""
    from calib import validation as V

    rng = np.random.default_rng(1)
    a, b = rng.normal(600, 25, 5000), rng.normal(610, 25, 4000)
    edges = mon.score_edges(600, 20)
    da, db = mon.distribution(a, edges=edges), mon.distribution(b, edges=edges)
    assert list(da)[0] == "<500" and list(da)[-1] == ">=700" and sum(da.values()) == pytest.approx(1)
    want = float(V.psi(a, b, bins=edges)["psi"].iloc[0])
    assert mon.psi(da, db) == pytest.approx(want, rel=1e-9)
    g = mon.distribution(["AAA", "A", "A", None])
    assert g == {"A": 0.5, "AAA": 0.25, "missing": 0.25}
    obs, pds = mon.grade_figures(pd.DataFrame({"grade": ["AAA", "B"], "observed_dr": [0.01, np.nan],
                                               "predicted_pd": [0.012, 0.08]}))
    assert obs == {"AAA": 0.01, "B": None} and pds["B"] == 0.08


def test_psi_falls_back_to_the_grade_distribution():
    h = _history()
    h = h.loc[h["metric"] != "score_distribution"]
    extra = h.drop_duplicates("run_id")[["run_id", "as_of", "started_utc", "status",
                                         "params_sha256"]].assign(notebook=SC,
                                                                  metric="grade_distribution")
    extra["value"] = [{"A": 0.5, "B": 0.5}, {"A": 0.5, "B": 0.5}, {"A": 0.6, "B": 0.4},
                      {"A": 0.6, "B": 0.4}]
    ind = mon.indicators(pd.concat([h, extra], ignore_index=True))
    psi = ind.loc[ind["indicator"] == "psi"].set_index("run_id")
    assert psi.loc["r2", "value"] == 0.0
    assert psi.loc["r3", "value"] == pytest.approx(mon.psi({"A": .5, "B": .5}, {"A": .6, "B": .4}))
    assert "grade_distribution" in psi.loc["r3", "source"]


def test_characteristic_distributions_give_the_csi_across_runs():
    a = pd.DataFrame({"points": [50, 150, 250, 350], "grade_text": ["x", "y", "y", "y"]})
    b = pd.DataFrame({"points": [50, 50, 250, 350], "grade_text": ["x", "y", "y", "y"]})
    da, db = mon.distributions(a), mon.distributions(b)
    assert set(da) == {"points", "grade_text"} and len(da["points"]) == 6
    s = mon.csi(da, db)
    assert s["grade_text"] == 0 and s["points"] > 0


def test_conclusions_state_each_latest_light_with_its_threshold():
    """One finding per indicator at the latest date, verdict = its light; red counted in the summary."""
    from calib.report import labels

    labels.set_lang("zh-CN")
    ind = mon.indicators(_history())
    findings, summary = mon.conclusions(ind, lang="zh-CN")
    last = ind.loc[ind["as_of"] == ind["as_of"].max()]
    assert len(findings) == 1 + len(last)
    assert "2026-06-30" in findings[0].figure
    got = {f.decision: f.verdict for f in findings[1:]}
    want = {mon.INDICATOR_LABELS[i][0]: ("not_recorded" if c == "none" else c)
            for i, c in zip(last["indicator"], last["light"])}
    assert got == want
    red = int((last["light"] == "red").sum())
    assert red >= 1 and f"红灯 {red} 个" in summary and "2026-06-30" in summary
    auc = next(f for f in findings if f.decision.startswith(mon.INDICATOR_LABELS["auc_oos"][0]))
    assert "0.70" in auc.threshold and "0.65" in auc.threshold
    en_findings, en_summary = mon.conclusions(ind, lang="en")
    assert en_summary.startswith("Latest as-of date 2026-06-30") and f"{red} red" in en_summary
    none, s = mon.conclusions(mon.indicators(pd.DataFrame(columns=mon.COLUMNS)), lang="en")
    assert len(none) == 1 and "empty" in s


def test_inside_a_run_report_07_reads_the_history_the_run_records_to(monkeypatch):
    """`calib run --history X` (or --out elsewhere) sets CALIB_HISTORY for its kernels: report 07
    then reads X, not the project's reports/history.sqlite or the parameter's path."""
    from calib.monitoring import history as mh
    from calib.reporting import history as rh

    seen = []
    monkeypatch.setattr(rh, "read_history", lambda db=None: seen.append(db) or pd.DataFrame(columns=mon.COLUMNS))
    monkeypatch.delenv(rh.HISTORY_ENV, raising=False)
    mh.read_history("params-history.sqlite")
    monkeypatch.setenv(rh.HISTORY_ENV, "sqlite:////tmp/run-history.sqlite")
    mh.read_history("params-history.sqlite")
    mh.read_history(None)
    assert seen == ["params-history.sqlite", "sqlite:////tmp/run-history.sqlite", "sqlite:////tmp/run-history.sqlite"]
    assert rh.history_url(None) == "sqlite:////tmp/run-history.sqlite"
    assert rh.history_url(None, default_folder=pathlib.Path("/x")) == "sqlite:////x/history.sqlite"


def test_inside_a_run_report_07_sees_the_run_itself(monkeypatch, tmp_path):
    """The runner runs report 07 after the others and names their figures in CALIB_RUN_FIGURES:
    the history report 07 reads then holds this run too (once, even when a run with the same id
    was recorded), so a run's monitoring report concludes on its own as-of date."""
    import json

    from calib.monitoring import history as mh
    from calib.reporting import history as rh

    past = pd.DataFrame([{"run_id": "r1", "as_of": "2026-03-31", "started_utc": "2026-04-01T00:00:00+00:00",
                          "status": "ok", "params_sha256": "a", "notebook": "04_scorecard_calibration",
                          "metric": "auc_oos", "value": 0.7}], columns=mon.COLUMNS)
    monkeypatch.setattr(rh, "read_history", lambda db=None: past.copy())
    monkeypatch.delenv(rh.RUN_FIGURES_ENV, raising=False)
    assert mh.read_history(None)["run_id"].tolist() == ["r1"]
    manifest = {"run_id": "r2", "started_utc": "2026-07-01T00:00:00+00:00", "parameters": {"as_of": "2026-06-30"},
                "parameters_sha256": "b", "notebooks": [{"notebook": "04_scorecard_calibration", "status": "ok"},
                                                        {"notebook": "06_credit_villages", "status": "ok"}]}
    rows = rh.run_rows(manifest, {"04_scorecard_calibration": {"auc_oos": 0.66}})
    (tmp_path / "f.json").write_text(json.dumps(rows))
    monkeypatch.setenv(rh.RUN_FIGURES_ENV, str(tmp_path / "f.json"))
    h = mh.read_history(None)
    assert h["run_id"].tolist() == ["r1", "r2", "r2"] and list(h.columns) == mon.COLUMNS
    assert h.loc[1, "value"] == 0.66 and h.loc[2, "metric"] is None  # a notebook without figures
    figs = mon.run_figures(h)
    assert figs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-31", "2026-06-30"]
    monkeypatch.setattr(rh, "read_history", lambda db=None: pd.concat([past, pd.DataFrame(rows)], ignore_index=True))
    assert mh.read_history(None)["run_id"].tolist() == ["r1", "r2", "r2"]  # not twice


def test_thresholds_read_the_same_in_the_conclusions_and_the_table():
    """The table of thresholds gave 0.020 and 0.100 where the conclusions read 2% and 10%, and
    0.700 where they read 0.70; a bank's 2.5% is not rounded to 3%."""
    from calib.monitoring.display import _rule_text, threshold_words
    from calib.monitoring.rules import validate_monitoring

    assert threshold_words("consensus_model_gap", 0.02) == "2%"
    assert threshold_words("consensus_model_gap", 0.025) == "2.5%"
    assert threshold_words("grade_backtest", 0.999) == "99.9%"
    assert threshold_words("auc_oos", 0.7) == "0.70" and threshold_words("auc_oos", 0.725) == "0.725"
    assert threshold_words("investigations", 1.25, relative=True) == "1.25"
    r = validate_monitoring(None)
    table = mon.rules_table(None, lang="zh-CN")
    for name in ("grade_backtest", "consensus_model_gap", "auc_oos", "investigations"):
        rule = getattr(r, name)
        row = table.iloc[list(mon.INDICATORS).index(name)]
        text = _rule_text(name, rule, "zh-CN")
        assert row["light_green"] in text and row["light_amber"] in text, (name, text, row.tolist())


def test_psi_is_the_current_cards_when_recorded():
    """Every run refits the calibrated card, so its score distribution moves with the refit;
    the card in use keeps its weights and cutoffs, and its PSI is the one judged."""
    h = _history()
    extra = h.drop_duplicates("run_id")[["run_id", "as_of", "started_utc", "status",
                                         "params_sha256"]].assign(notebook=SC,
                                                                  metric="current_score_distribution")
    extra["value"] = [{"<85": 0.2, ">=85": 0.8}] * 3 + [{"<85": 0.25, ">=85": 0.75}]
    ind = mon.indicators(pd.concat([h, extra], ignore_index=True))
    psi = ind.loc[ind["indicator"] == "psi"].set_index("run_id")
    assert psi.loc["r3", "value"] == 0.0  # the calibrated card's distribution moved; this did not
    want = mon.psi({"<85": 0.2, ">=85": 0.8}, {"<85": 0.25, ">=85": 0.75})
    assert psi.loc["r4", "value"] == pytest.approx(want) and psi.loc["r4", "light"] == "green"
    assert "current_score_distribution" in psi.loc["r4", "source"]
    # a base run recorded before the current card's distribution: the calibrated card's PSI
    late = extra.loc[extra["run_id"] != "r1"]
    ind = mon.indicators(pd.concat([h, late], ignore_index=True))
    psi = ind.loc[ind["indicator"] == "psi"].set_index("run_id")
    assert psi.loc["r4", "source"].startswith(f"{SC}.score_distribution")


def test_current_score_bands_hold_one_grade_each():
    from calib.scorecard import score_current

    cut = {"AAA": 85, "AA": 75, "A": 65}
    e = mon.current_score_edges(cut)
    assert e == sorted(e) and len(set(e)) == len(e) and set(cut.values()) <= set(e)
    assert e[0] == 35 and e[-1] == 115  # six half-bands of 5 points on each side
    x = pd.DataFrame({"model_score": np.linspace(300, 1200, 901)})
    cur = score_current(x, {"intercept": 0, "model_score": 0.1}, cut)
    band = np.searchsorted(e, cur["score"].to_numpy(), side="right")
    assert (cur.groupby(band)["grade"].nunique() == 1).all()  # no band straddles a cutoff
    assert mon.current_score_edges({"AAA": 85, "AA": 79, "A": 65}, steps=1) == [62, 65, 72, 79, 82, 85, 88]
    with pytest.raises(CalibInputError):
        mon.current_score_edges({})


def test_grade_backtest_is_report_04s_traffic_light_and_the_old_gap_rule_is_named():
    """Report 07 lit the sample red for grade B (PD 10.0% against 3.6% observed: conservative,
    55 loans) while report 04's traffic light, on the same out-of-fold figures, showed no red
    grade: 07 now judges report 04's own figure, the binomial confidence that a PD is too low."""
    from calib.validation import calibration_by_grade

    rng = np.random.default_rng(4)
    n = {"AAA": 3000, "B": 55}
    df = pd.DataFrame({"grade": ["AAA"] * n["AAA"] + ["B"] * n["B"],
                       "pd": [0.004] * n["AAA"] + [0.10] * n["B"]})
    df["default"] = (rng.random(len(df)) < np.where(df["grade"] == "AAA", 0.013, 0.036)).astype(int)
    byg = calibration_by_grade(df, grades=["AAA", "B"])
    conf = mon.grade_confidence(byg)
    assert conf == pytest.approx(dict(zip(byg["grade"], 1 - byg["binomial_p"])))
    worst = max(conf.values())
    light = mon.light(worst, mon.validate_monitoring(None).grade_backtest)
    want = {"green": "green", "yellow": "amber", "red": "red"}[byg.set_index("grade").at["AAA", "traffic_light"]]
    assert conf["B"] < 0.5 and light == want == "red"  # AAA's PD is too low; B's is not a failure
    with pytest.raises(CalibParamsError, match="monitoring.grade_calibration: replaced by monitoring.grade_backtest"):
        mon.validate_monitoring({"grade_calibration": {"green": 0.02, "amber": 0.04}})


def test_largest_of_indicators_name_their_characteristic_and_grade():
    """07's CSI read 0.266 red with no word of which characteristic moved (report 04, on the
    data's two periods, found every one stable): the conclusions name it, and the grade of the
    backtest's largest confidence."""
    h = _history()
    extra = h.drop_duplicates("run_id")[["run_id", "as_of", "started_utc", "status",
                                         "params_sha256"]].assign(notebook=SC,
                                                                  metric="characteristic_distributions")
    extra["value"] = [{"points": {"<100": 0.5, ">=100": 0.5}, "head_age": {"<30": 0.5, ">=30": 0.5}}] * 3 + [
        {"points": {"<100": 0.5, ">=100": 0.5}, "head_age": {"<30": 0.9, ">=30": 0.1}}]
    ind = mon.indicators(pd.concat([h, extra], ignore_index=True))
    last = ind.loc[ind["run_id"] == "r4"].set_index("indicator")
    assert last.loc["csi_max", "detail"] == "head_age" and last.loc["grade_backtest", "detail"] == "A"
    findings, _ = mon.conclusions(ind, lang="zh-CN")
    figs = {f.decision: f.figure for f in findings}
    assert figs["CSI（最大特征，相对基期）"].endswith("（户主年龄）")
    assert figs["等级 PD 偏低的最大置信度"] == "100.00%（A 级）"


def test_a_light_against_a_backfilled_base_says_so():
    """The sample's index read "红灯：…特征稳定性指数 CSI（最大），需复核" with nothing saying
    that the CSI compares with a generated, backfilled snapshot. The summary names every figure
    judged against the base (PSI, CSI, the relative rules: green ones rest on it too) and asks for
    the red or amber ones among them to be compared again with an evaluation as the base; nothing
    is added when the base is an evaluation."""
    from calib.report import labels

    labels.set_lang("zh-CN")
    ind = mon.indicators(_history(backfilled=("r1", "r2")))
    assert ind["base_as_of"].astype(str).str[:10].eq("2025-09-30").all() and ind["base_backfilled"].all()
    _, summary = mon.conclusions(ind, lang="zh-CN")
    main, note = summary.split("。", 1)
    name = {i: mon.INDICATOR_LABELS[i][0] for i in mon.INDICATORS}
    assert "以基期 2025-09-30 为参照" in note and "回填的生成快照" in note
    named, lit = note.split("为参照")[0], note.split("其中")[1]
    last = ind.loc[ind["as_of"] == ind["as_of"].max()].set_index("indicator")
    for i in ("psi", "investigations", "credit_villages"):  # recorded and judged against the base
        assert name[i] in named, i
        assert (name[i] in lit) == (last.loc[i, "light"] in ("red", "amber")), i
    assert name["csi_max"] not in named  # not recorded in this history: no light to qualify
    assert name["auc_oos"] not in note and name["auc_oos"] in main  # absolute: the main line only
    _, real = mon.conclusions(mon.indicators(_history(backfilled=())), lang="zh-CN")
    assert "回填" not in real and real == main + "。"
    _, en = mon.conclusions(ind, lang="en")
    assert "backfilled generated snapshot" in en and "compared again with an evaluation" in en



def test_a_single_run_is_not_green_against_itself():
    """A history of one run made its PSI 0.000, CSI 0.000 and the relative counts 1.00 times
    \"green\" against the run itself, counted among the index's green lights. They read "base
    run (no comparison)" and the conclusions say there is nothing to compare yet."""
    from calib.report import labels

    labels.set_lang("zh-CN")
    h = _history(backfilled=())
    h = h.loc[h["run_id"] == "r4"]
    ind = mon.indicators(h)
    lights = ind.set_index("indicator")["light"]
    assert lights["psi"] == "base" and lights["investigations"] == "base" and lights["credit_villages"] == "base"
    assert lights["auc_oos"] == "red"  # 0.62: judged on its own value
    findings, summary = mon.conclusions(ind, lang="zh-CN")
    psi = next(f for f in findings if f.decision == mon.INDICATOR_LABELS["psi"][0])
    assert psi.verdict == "info" and psi.figure == "本次即基期，尚无可比较的评估"
    table = mon.light_table(ind, lang="zh-CN")
    assert (table.iloc[:, 1] == "基期（不比较）").sum() == 3
    assert "回填" not in summary and "以基期" not in summary
