"""Report 06's conclusions block (calib.report.findings.villages): each verdict at and either side
of its parameter on a hand-built programme, the block in the catalogue's words in both languages,
and the headline figures in the order the golden metrics (and the index) hold them."""
from __future__ import annotations

import json
import re
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib import params, villages as cv
from calib.programme import Programme
from calib.report import findings, get_lang, set_lang, t, words
from calib.report._texts_06 import TEXTS_06
from calib.report.labels import column_label

ROOT = Path(__file__).resolve().parents[2]
AS_OF = pd.Timestamp("2026-06-30")
V = findings.villages
# each village: 10 households of one eligible member, graded A, with a model limit; the first
# `profiled` reviewed; three loans: 9,000 + 800 repaying and 200 in default (NPL 2.00% exactly)
LOANS = [(0, 9000.0, 0), (1, 800.0, 0), (2, 200.0, 1)]
# the sample's rules, with the county figures fixed (every village can pass them) and no milestones
FIXED = {"credit_village.county_loan_share": 0.05, "credit_village.county_npl_ratio": 0.5,
         "credit_township.county_npl_ratio": 0.5, "page_rows": 10,
         "targets": {"credit_coverage_final": 0.80, "usage_final": 0.30, "milestones": []}}


def _programme(profiled: dict[str, int], loans: list | None = LOANS) -> Programme:
    ro, rv, mr, ln = [], [], [], []
    for name, k in profiled.items():
        for i in range(10):
            h = f"{name}-{i:03d}"
            ro.append(dict(township="T1", village=name, household_id=h, age=40, status="alive", bad_record=False))
            if i < k:
                rv.append(dict(household_id=h, reviewer_id="r1", proposed_limit=10000.0))
            mr.append(dict(household_id=h, run_date=pd.Timestamp("2026-01-15"), model_score=1.0,
                           model_limit=10000.0, grade="A"))
        for j, (i, drawn, d) in enumerate(loans or []):
            ln.append(dict(household_id=f"{name}-{i:03d}", loan_id=f"{name}-L{j}", granted_limit=10000.0,
                           start_date=pd.Timestamp("2026-02-01"), drawn_amount=drawn, default=d))
    frame = pd.DataFrame(ln).astype({"default": "Int64"}) if ln else None
    return Programme(roster=pd.DataFrame(ro), reviews=pd.DataFrame(rv), model_runs=pd.DataFrame(mr),
                     loans=frame, as_of=AS_OF)


def _run(profiled: dict[str, int] | None = None, *, loans: list | None = LOANS, assessed: bool = True,
         lang: str | None = None, **overrides):
    """The notebook's frames for a programme of five villages (E profiled 8 of 10 by default: the
    one village not certified), then its conclusions and metrics."""
    P = params.load(ROOT / "params" / "sample.yaml", {**FIXED, **overrides})
    prog = _programme(profiled or {"A": 10, "B": 10, "C": 10, "D": 10, "E": 8}, loans)
    rules = P.block("credit_village")
    k = cv.programme_kpis(prog, as_of=AS_OF, eligibility=P.block("eligibility"))
    kp = cv.programme_kpis(prog, as_of=AS_OF, eligibility=P.block("eligibility"), unit="person")
    names = sorted(k.loc[k["level"] == "village", "village"])
    ass = pd.DataFrame({"village": names, "collective_finances": True, "governance": True,
                        "no_disputes": [True] * (len(names) - 1) + [True if assessed else pd.NA]})
    v = cv.certify_villages(k, rules=rules, assessments=ass)
    tv = cv.certify_townships(v, k, rules=P.block("credit_township"))
    progress = cv.target_progress(kp, targets=P.block("targets"), as_of=P.as_of, measure="latest")
    before = get_lang()
    set_lang(lang or before)
    try:
        near = cv.nearest_to_certification(v, k, rules=rules, top=None)  # what each lacks: the run's language
        white = pd.DataFrame({"white_list": True}, index=pd.Index(sorted(prog.reviews["household_id"]), name="household_id"))
        hc = cv.household_counts(cv.household_status(prog, as_of=AS_OF), white, programme=prog)
        vc = cv.village_counts(k, kpis_persons=kp, verdicts=v, at=P.targets.village_profiled_at,
                               profiling_rule=rules["profiling_rate"])
        found, summary = V.conclusions(k, v, tv, progress, near, household_counts=hc, village_counts=vc, params=P)
    finally:
        set_lang(before)
    return found, summary, V.metrics(k, v, tv, progress)


def _verdicts(found) -> dict[str, str]:
    """The six lines of the report's own, by catalogue key, in the current language."""
    keys = ["villages", "townships", "lacking", "coverage", "usage", "npl"]
    by = {f.decision: f.verdict for f in found[:6]}
    return {k: by[t(f"nb06.c.{k}")] for k in keys}


# ------------------------------------------------------------------------------------------
# Verdicts, each at and either side of its parameter
# ------------------------------------------------------------------------------------------
def test_credit_villages_pass_only_when_every_village_is_certified():
    assert _verdicts(_run({"A": 10, "B": 10, "C": 10, "D": 10, "E": 10})[0])["villages"] == "pass"
    assert _verdicts(_run()[0])["villages"] == "warn"  # 4 of 5
    assert _verdicts(_run({"A": 10, "B": 9, "C": 9, "D": 9, "E": 8})[0])["villages"] == "warn"  # E: 80% < 90% profiled
    # the rule itself, on the counts: all or not all (an empty programme has none missing)
    assert [V.certified_verdict(a, b) for a, b in [(5, 5), (4, 5), (0, 5), (0, 0)]] == ["pass", "warn", "warn", "pass"]


@pytest.mark.parametrize("share, verdict", [(0.79, "pass"), (0.80, "warn"), (0.81, "warn")])
def test_credit_townships_pass_only_when_every_township_is_certified(share, verdict):
    # T1 has 4 credit villages of 5 (80%): above 79%, not above 80%
    found, _, m = _run(**{"credit_township.credit_village_share": {"op": ">", "value": share}})
    assert _verdicts(found)["townships"] == verdict
    assert m["credit_townships"] == (verdict == "pass")


@pytest.mark.parametrize("target, verdict", [(0.95, "pass"), (0.96, "pass"), (0.97, "fail")])
def test_coverage_against_its_final_target(target, verdict):
    # 48 of 50 eligible persons in credited households: 96.0%, at least 96% but not 97%
    found, _, m = _run(targets={**FIXED["targets"], "credit_coverage_final": target})
    assert m["programme_credit_coverage_persons"] == pytest.approx(0.96)
    assert _verdicts(found)["coverage"] == verdict


@pytest.mark.parametrize("target, verdict", [(0.312, "pass"), (0.3125, "pass"), (0.313, "fail")])
def test_usage_against_its_final_target(target, verdict):
    # 15 of 48 persons in credited households draw: 31.25%
    found, _, m = _run(targets={**FIXED["targets"], "usage_final": target})
    assert m["programme_usage_persons"] == pytest.approx(0.3125)
    assert _verdicts(found)["usage"] == verdict


@pytest.mark.parametrize("limit, verdict", [(0.019, "fail"), (0.02, "pass"), (0.021, "pass")])
def test_npl_against_the_952_rule(limit, verdict):
    found, _, m = _run(**{"credit_village.npl_ratio": {"op": "<=", "value": limit}})
    assert m["programme_npl_ratio"] == pytest.approx(0.02)
    assert _verdicts(found)["npl"] == verdict


def test_npl_without_loans_has_no_data_and_what_others_lack_is_for_review():
    found, _, m = _run(loans=None)
    assert m["programme_npl_ratio"] is None
    assert _verdicts(found)["npl"] == "no data"
    assert _verdicts(_run()[0])["lacking"] == "review"


def test_a_target_without_a_figure_has_no_data():
    assert [V.target_verdict(x) for x in (True, np.bool_(False), pd.NA, None, float("nan"))] == \
        ["pass", "fail", "no data", "no data", "no data"]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_final_target_not_set_is_not_compared(lang):
    """Null final targets in the parameters: the lines say no target is set and compare nothing
    (no "≥ None"), their verdict is "not set" (neither met nor missed, nor a want of data); the
    methods appendix says it in the same word."""
    from calib.report import methods

    found, summary, m = _run(lang=lang, targets={**FIXED["targets"], "credit_coverage_final": None,
                                                  "usage_final": None})
    assert m["programme_credit_coverage_persons"] == pytest.approx(0.96)  # the figure is still given
    assert [f.decision for f in found[3:5]] == [t("nb06.c.coverage", lang), t("nb06.c.usage", lang)]
    assert [f.verdict for f in found[3:5]] == ["not set", "not set"]
    assert [f.threshold for f in found[3:5]] == [t("nb06.c.target_not_set", lang)] * 2
    assert not any("None" in " ".join(map(str, (f.figure, f.threshold, f.verdict))) for f in found)
    assert t("not set", "zh-CN") == "未设定" and words.target_words(None, lang) == t("not set", lang)
    P = params.load(ROOT / "params" / "sample.yaml", {**FIXED, "targets": {"credit_coverage_final": None,
                                                                             "usage_final": 0.3}})
    pw = words.param_words(P, lang)
    assert pw["coverage_target"] == t("not set", lang) and pw["usage_target"] == "≥ 30%"
    appendix = methods.methods_appendix("06", lang, params=P)._repr_html_()
    assert "None" not in appendix and t("not set", lang) in appendix
    # a target set reads as the rule, verdict as before
    found, _, _ = _run(lang=lang)
    assert found[3].threshold == t("nb06.c.target_rule", lang, rule="≥ 80%")


# ------------------------------------------------------------------------------------------
# Words: the catalogue's, in both languages
# ------------------------------------------------------------------------------------------
def test_block_in_the_catalogue_words_zh():
    found, summary, _ = _run(assessed=False)  # E: not profiled enough and no_disputes not assessed
    assert summary == "认定信用村 4 / 5 个、信用乡镇 1 / 1 个；授信面（按人数）96.0%、用信面（按人数）31.2%。"
    assert [f.decision for f in found[:6]] == ["认定的信用村", "认定的信用乡镇", "未认定村还差什么", "授信面（按人数）",
                                                "用信面（按人数）", "全部不良率（余额）"]
    assert [f.figure for f in found[:6]] == [
        "4 / 5 个村（80.0%）", "1 / 1 个乡镇", "未认定的 1 个村中 0 个只差一项（逐村列于下）；1 个村有未评估的定性标准",
        "96.0%", "31.2%", "2.00%"]  # 31.25%: half to even, as fmt writes it
    assert [f.threshold for f in found[3:6]] == ["≥ 80%（最终目标）", "≥ 30%（最终目标）", "≤ 2%（信用村“952”标准）"]
    # then the other lines of calib.villages.conclusions: the township, the two count lines, and
    # E (lacking two criteria) in the line for the villages not listed one by one
    assert [f.decision for f in found[6:]] == ["信用乡镇：T1", "白名单与合格农户", "建档村口径", "其余未认定村（1 个）"]


def test_block_in_the_catalogue_words_en():
    before = get_lang()
    found, summary, _ = _run(lang="en")
    assert get_lang() == before
    assert summary == "4 of 5 villages and 1 of 1 township certified; coverage (persons) 96.0%, usage (persons) 31.2%."
    assert [f.decision for f in found[:6]] == ["Credit villages certified", "Credit townships certified",
                                                "What the other villages lack", "Credit coverage (persons)",
                                                "Usage (persons)", "Programme NPL ratio (balance)"]
    assert found[2].figure == ("1 of the 1 village not certified lacks one criterion only (each listed below); "
                               "0 villages have a criterion not assessed")
    assert [f.decision for f in found[6:]] == ["Credit township T1", "White list and eligible households",
                                                "Profiled villages", "Credit village T1 / E"]
    assert found[-1].verdict == "not certified: 1 more profiled household"  # the page's words for what it lacks


def test_the_villages_listed_are_those_the_lacking_line_counts():
    # one village one criterion away (E), each listed; the text says "one" as MAX_LACKING does
    found, _, _ = _run()
    assert found[2].figure.startswith("未认定的 1 个村中 1 个只差一项（逐村列于下）")
    assert [f.decision for f in found[6:]][-1] == "信用村：T1 E"
    assert V.MAX_LACKING == 1 and "只差一项" in TEXTS_06["nb06.c.lacking_fig"][0] \
        and "one criterion only" in TEXTS_06["nb06.c.lacking_fig"][1]


def test_the_conclusions_list_a_short_list_and_count_the_rest():
    # 30 villages one criterion away (each profiled 8 of 10), tables of 100 rows a page: the
    # conclusions list the first MAX_LISTED, then one line counts the other five
    found, _, _ = _run({f"V{i:02d}": 8 for i in range(30)}, page_rows=100)
    listed = [f.decision for f in found if f.decision.startswith("信用村：")]
    assert V.MAX_LISTED == 25 and len(listed) == 25
    assert found[-1].figure == "5 个" and "未认定村欠缺项" in found[-1].verdict
    assert found[2].figure.startswith("未认定的 30 个村中 30 个只差一项（最接近认定的 25 个列于下）")
    en, _, _ = _run({f"V{i:02d}": 8 for i in range(30)}, page_rows=100, lang="en")
    assert "one criterion only (the 25 nearest listed below)" in en[2].figure
    # a page of fewer rows lists fewer
    found, _, _ = _run({f"V{i:02d}": 8 for i in range(30)}, page_rows=10)
    assert sum(f.decision.startswith("信用村：") for f in found) == 10 and found[-1].figure == "20 个"


def test_village_lines_without_the_page_words_name_criteria_as_the_catalogue():
    # calib.villages.conclusions wording what a village lacks itself (no `near` given): each
    # criterion named as the pages' headers name it
    P = params.load(ROOT / "params" / "sample.yaml", FIXED)
    prog = _programme({"A": 10, "B": 10})
    k = cv.programme_kpis(prog, as_of=AS_OF)
    ass = pd.DataFrame({"village": ["A", "B"], "collective_finances": [True, False],
                        "governance": [True, pd.NA], "no_disputes": True})
    v = cv.certify_villages(k, rules=P.block("credit_village"), assessments=ass)
    tv = cv.certify_townships(v, k, rules=P.block("credit_township"))
    c = cv.conclusions(v, tv, k, rules=P.block("credit_village"), township_rules=P.block("credit_township"))
    said = c.loc[c["topic"] == "village", "verdict"].tolist()
    assert said == [f"未认定：{column_label('collective_finances', 'zh-CN')}：未通过；"
                    f"{column_label('governance', 'zh-CN')}：未评估"]
    assert said == ["未认定：村集体财务健全：未通过；村级治理良好：未评估"]
    # the same words as the page's (calib.report.words.lacks), in the language asked for
    near = cv.nearest_to_certification(v, k, rules=P.block("credit_village"), top=None)
    assert said == ["未认定：" + words.lacks(near, v, cv.QUALITATIVE_CRITERIA, cv.VILLAGE_CRITERIA, lang="zh-CN").iloc[0]]
    en = cv.conclusions(v, tv, k, rules=P.block("credit_village"), township_rules=P.block("credit_township"), lang="en")
    assert en.loc[en["topic"] == "village", "verdict"].tolist() == [
        "not certified: " + words.lacks(near, v, cv.QUALITATIVE_CRITERIA, cv.VILLAGE_CRITERIA, lang="en").iloc[0]]
    mod = import_module("calib.villages.conclusions")
    assert not any(hasattr(mod, n) for n in ("CRITERION_NAMES_ZH", "_TOWNSHIP_TEXT", "_lacks_zh"))  # one catalogue


def test_the_villages_lines_are_worded_by_the_catalogue(monkeypatch):
    """calib.villages.conclusions words every line from the catalogue (nb06.line.*): an entry
    changed there is the line changed; a final target not set reads as the report's own lines
    (未设定, nothing compared)."""
    from calib.report import labels

    P = params.load(ROOT / "params" / "sample.yaml",
                    {**FIXED, "targets": {"credit_coverage_final": None, "usage_final": 0.5, "milestones": []}})
    prog = _programme({"A": 10, "B": 8})
    k = cv.programme_kpis(prog, as_of=AS_OF)
    kp = cv.programme_kpis(prog, as_of=AS_OF, unit="person")
    v = cv.certify_villages(k, rules=P.block("credit_village"))
    tv = cv.certify_townships(v, k, rules=P.block("credit_township"))
    progress = cv.target_progress(kp, targets=P.block("targets"), as_of=AS_OF, measure="latest")
    monkeypatch.setitem(labels.TEXTS, "nb06.line.township", ("乡镇甲：{tw}", "township A {tw}"))
    monkeypatch.setitem(labels.TEXTS, "nb06.line.standard", ("标准甲", "standard A"))
    usage = progress.iloc[-1]["usage"]
    assert 0.3 < usage < 0.5  # 6 of the 18 persons in credited households draw
    for lang, township, rule in (("zh-CN", "乡镇甲：T1", "授信面 未设定，用信面 ≥ 50%"),
                                 ("en", "township A T1", "coverage not set, usage ≥ 50%")):
        c = cv.conclusions(v, tv, k, rules=P.block("credit_village"), township_rules=P.block("credit_township"),
                           progress=progress, lang=lang).set_index("topic")
        assert c.loc["township", "decision"] == township
        assert set(c.loc[["villages", "village"], "threshold"]) == {t("nb06.line.standard", lang)}
        assert c.loc["targets", "threshold"] == rule and "None" not in c.loc["targets"].str.cat()
        assert c.loc["targets", "verdict"] == t("nb06.line.lacks", lang, status=t("not met", lang), lack=t(
            "nb06.line.short", lang, what=t("nb06.line.usage", lang), x=f"{usage:.1%}", target="50%"))


# ------------------------------------------------------------------------------------------
# The county-relative rules: every text states the operator the parameters give
# ------------------------------------------------------------------------------------------
#: The sample's county-relative operators turned round (">" -> ">=", "<" -> "<="), the county NPL
#: fixed below T1's 2% so that its township fails and E's village NPL rule fails too.
TURNED = {"credit_village.loan_share_vs_county": {"op": ">="}, "credit_village.npl_vs_county": {"op": "<="},
          "credit_village.county_npl_ratio": 0.01, "credit_township.npl_vs_county": {"op": "<="},
          "credit_township.county_npl_ratio": 0.01}
#: A comparison with the county typed as a fixed word, not a rule's words.
_TYPED = {"zh-CN": re.compile(r"(?<![不未])[高低]于全县"), "en": re.compile(r"(?<!not )\b(above|below|at least|at most) (the )?county")}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_no_text_types_a_county_comparison(lang):
    """The operators of loan_share_vs_county and npl_vs_county (village and township) are
    parameters: no text of report 06 (nor report 01's methods) states one as a fixed word."""
    from calib.report.methods import METHODS

    i = lang == "en"
    texts = {k: v[i] for k, v in TEXTS_06.items()}
    texts.update({f"methods {r} {term[i]}": text[i] for r in ("01", "06") for term, text in METHODS[r]})
    typed = {k: x for k, x in texts.items() if _TYPED[lang].search(x)}
    assert not typed, typed


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_county_rule_text_follows_the_parameters(lang):
    """Turn the county-relative operators round in the parameters: the conclusions, the township
    lines, the section text, what a village lacks and the methods appendix all state the new
    rules, in the words of calib.report.words.rule_words (the sample's: 高于全县, 低于全县)."""
    from calib.report import methods

    P = params.load(ROOT / "params" / "sample.yaml", {**FIXED, **TURNED})
    loan, npl = words.rule_words(">=", None, lang), words.rule_words("<=", None, lang)
    assert (loan["meets"], npl["meets"], npl["fails"]) == (
        ("不低于全县", "不高于全县", "高于全县") if lang == "zh-CN" else
        ("at least the county's", "at most the county's", "above the county's"))
    pw = words.param_words(P, lang)
    assert (pw["loan_share_vs_county"], pw["npl_vs_county"], pw["township_npl_vs_county"]) == (
        loan["meets"], npl["meets"], npl["meets"])
    sample = words.param_words(params.load(ROOT / "params" / "sample.yaml"), lang)
    assert (sample["loan_share_vs_county"], sample["npl_vs_county"], sample["township_npl_vs_county"]) == (
        ("高于全县", "低于全县", "低于全县") if lang == "zh-CN" else
        ("above the county's", "below the county's", "below the county's"))
    # the conclusions: the township rule, and the township line with its failure
    found, _, _ = _run(lang=lang, **TURNED)
    assert found[1].threshold == t("nb06.c.townships_rule", lang, township_share=pw["township_share"],
                                   township_npl_vs_county=npl["meets"])
    line = next(f for f in found if f.decision == t("nb06.line.township", lang, tw="T1"))
    assert line.threshold == t("nb06.line.township_rule", lang, share_rule=words.rule_words(">", 0.75, lang)["rule"],
                               npl_rule=npl["meets"], county="1.00%")
    assert t("nb06.line.npl_fails", lang, fails=npl["fails"]) in line.verdict  # 2.00% is above the county's 1.00%
    # the section text, as the notebook fills it (**param_words)
    assert npl["meets"] in t("nb06.townships.text", lang, **pw)
    # what a village lacks (E: NPL 2.00% is not at most the county's 1%)
    k = cv.programme_kpis(_programme({"A": 10, "E": 8}), as_of=AS_OF)
    rules = P.block("credit_village")
    v = cv.certify_villages(k, rules=rules)
    near = cv.nearest_to_certification(v, k, rules=rules, top=None, lang=lang).set_index("village")
    assert (("不良率不高于全县：需收回违约余额" if lang == "zh-CN" else "NPL at most the county's: recover")
            in near.loc["E", "lacks"])
    # the methods appendix
    appendix = methods.methods_appendix("06", lang, params=P).plain
    if lang == "zh-CN":
        assert "有贷款农户占比不低于全县、不良率不高于全县（" in appendix and "不良率不高于全县。来源" in appendix
    else:
        assert "loan share at least the county's and NPL at most the county's (" in appendix
        assert "NPL at most the county's. Source" in appendix
    said = [w for w in (sample["loan_share_vs_county"], sample["npl_vs_county"])
            if re.search(("(?<![不未])" if lang == "zh-CN" else r"(?<!not )\b") + re.escape(w), appendix)]
    assert not said, said  # the sample's rules are stated nowhere


# ------------------------------------------------------------------------------------------
# The targets table's notes
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_final_row_is_not_worded_as_a_milestone(lang):
    """A "—" of the targets table: a milestone without the target, or the final row (not a
    milestone) whose target the parameters leave unset (the final targets never count villages)."""
    from calib.report import display

    targets = {"credit_coverage_final": None, "usage_final": 0.3,
               "milestones": [{"date": "2026-03-31", "villages": None, "credit_coverage": 0.5, "usage": None}]}
    P = params.load(ROOT / "params" / "sample.yaml", {**FIXED, "targets": targets})
    kp = cv.programme_kpis(_programme({"A": 10, "B": 8}), as_of=AS_OF, unit="person")
    progress = cv.target_progress(kp, targets=P.block("targets"), as_of=AS_OF, measure="latest")
    before = get_lang()
    set_lang(lang)
    try:
        notes = V.targets_missing(progress)
        semi = "; " if lang == "en" else "；"
        assert notes == {
            "villages_target": t("nb06.missing_village_target") + semi + t("nb06.missing_final_village_target"),
            "credit_coverage_target": t("nb06.missing_final_coverage_target"),
            "usage_target": t("nb06.missing_usage_target")}
        shown = display.table(progress[["milestone", "villages_target", "credit_coverage_target", "usage_target"]],
                              missing=notes, max_rows=None)
        said = " ".join(shown.notes)
        assert t("nb06.missing_final_coverage_target") in said and t("nb06.missing_coverage_target") not in said
        # every target set: no note
        full = cv.target_progress(kp, targets={**targets, "credit_coverage_final": 0.8, "milestones": [
            {"date": "2026-03-31", "villages": 1, "credit_coverage": 0.5, "usage": 0.1}]}, as_of=AS_OF, measure="latest")
        assert V.targets_missing(full) == {"villages_target": t("nb06.missing_final_village_target")}
    finally:
        set_lang(before)


# ------------------------------------------------------------------------------------------
# Headline figures
# ------------------------------------------------------------------------------------------
def test_metrics_keys_in_the_golden_order():
    golden = json.loads((ROOT / "tests" / "report" / "golden" / "sample_metrics.json").read_text(encoding="utf-8"))
    _, _, m = _run(assessed=False)
    assert list(m) == list(golden["06_credit_villages"])
    assert m == {"credit_villages": 4, "villages": 5, "credit_village_share": 0.8, "credit_townships": 1,
                 "programme_credit_coverage_households": pytest.approx(0.96),
                 "programme_usage_households": pytest.approx(0.3125), "programme_npl_ratio": pytest.approx(0.02),
                 "villages_not_assessed": 1, "programme_credit_coverage_persons": pytest.approx(0.96),
                 "programme_usage_persons": pytest.approx(0.3125)}


# ------------------------------------------------------------------------------------------
# The page's words and tables the notebook shows as they come
# ------------------------------------------------------------------------------------------
def test_rules_table_writes_each_rule_as_the_parameters_set_it():
    out = V.rules_table({"profiling_rate": {"op": ">", "value": 0.725}, "county_npl_ratio": 0.03})
    assert list(out.columns) == ["criterion", "op", "threshold_value"]
    assert list(out["criterion"]) == list(cv.VILLAGE_CRITERIA) + list(cv.QUALITATIVE_CRITERIA)
    by = out.set_index("criterion")
    assert by.loc["profiling_rate"].tolist() == [">", "72.5%"]  # the run's operator and threshold
    assert by.loc["npl_ratio"].tolist() == ["≤", "2%"]
    assert by.loc["npl_vs_county"].tolist() == ["<", "3%"]  # the county figure the parameters fix
    assert pd.isna(by.loc["loan_share_vs_county", "threshold_value"])  # the county's figure decides: "—"
    assert by.loc[list(cv.QUALITATIVE_CRITERIA), "op"].eq("=").all()  # an assessment must say yes
    assert by.loc[list(cv.QUALITATIVE_CRITERIA), "threshold_value"].isna().all()
    tw = V.rules_table({"credit_village_share": {"op": ">=", "value": 0.5}}, level="township")
    assert tw.iloc[0].tolist() == ["credit_village_share", "≥", "50%"]
    assert tw.iloc[1, :2].tolist() == ["npl_vs_county", "<"] and pd.isna(tw.iloc[1, 2])


def test_final_words_count_limits_above_zero():
    fl = pd.DataFrame({"final_limit": [0.0, 0.01, 5000.0, 0.0] + [1000.0] * 1996})
    assert V.final_words(fl) == {"positive": "1,998", "n": "2,000"}


@pytest.mark.parametrize("as_of, before", [("2025-12-30", "1"), ("2025-12-31", "1"), ("2026-01-01", "2")])
def test_milestone_words_count_those_strictly_before_the_reference_date(as_of, before):
    progress = pd.DataFrame({"milestone": ["2025-09-30", "2025-12-31", "final"],
                             "date": ["2025-09-30", "2025-12-31", "2025-12-31"]})
    assert V.milestone_words(progress, as_of) == {"n": "2", "first": "2025-09-30", "last": "2025-12-31",
                                                  "as_of": as_of, "before": before}


def test_profiled_words_give_both_counts_and_the_rule_as_the_parameters_set_it():
    progress = pd.DataFrame({"villages": [3, 1077]})
    kpis = pd.DataFrame({"level": ["village"] * 1200 + ["township", "programme"]})
    vc = pd.DataFrame({"figure": ["profiled_by_persons", "profiled_by_households"], "villages": [1077, 1078]})
    set_lang("zh-CN")
    out = V.profiled_words(progress, kpis, vc, at=0.85)
    assert {k: out[k] for k in ("profiled", "villages", "by_households")} == {
        "profiled": "1,077", "villages": "1,200", "by_households": "1,078"}
    assert out["meets"] == words.rule_words(">=", 0.85)["meets"] and "85%" in out["meets"]


def test_check_words_state_the_headline_figures_and_each_milestone():
    m = {"credit_villages": 15, "villages": 1090, "credit_townships": 0, "programme_credit_coverage_persons": 0.9054,
         "programme_usage_persons": 0.281, "programme_credit_coverage_households": 0.903,
         "programme_usage_households": 0.283, "programme_npl_ratio": 0.02784, "villages_not_assessed": 5}
    progress = pd.DataFrame({"milestone": ["2025-09-30", "final"], "status": ["met", "not met"]})
    set_lang("zh-CN")
    out = V.check_words(m, progress)
    assert out == {"cv": "15", "n": "1,090", "ct": "0", "coverage_p": "90.5%", "usage_p": "28.1%",
                   "coverage": "90.3%", "usage": "28.3%", "npl": "2.78%", "na": "5",
                   "targets": f"2025-09-30 {t('met')}、{t('final')} {t('not met')}"}
    assert set(re.findall(r"\{(\w+)\}", TEXTS_06["nb06.check"][0])) == set(out)  # every placeholder, nothing more
