"""Methods appendix and glossary: in the bundle's language, escaped, no reference outside the bundle."""
import re

import pytest

from calib.report.methods import GLOSSARY, METHODS, glossary_page, methods_appendix


@pytest.mark.parametrize("report", sorted(METHODS))
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_report_has_an_appendix_without_outside_references(report, lang):
    block = methods_appendix(report, lang)._repr_html_()
    assert 'id="methods"' in block
    assert not re.search(r"DOMAIN\.md|seeds?/|\.txt|\.md\b", block)
    if lang == "en":
        assert "Methods appendix" in block
    else:
        assert "方法附录" in block


def test_thresholds_name_their_source():
    text = methods_appendix("06", "zh-CN").plain
    assert "55%" in text and "90%" in text and "2%" in text and "干汊河镇" in text
    assert "整村授信" in text and "80%" in methods_appendix("06", "en").plain


def test_glossary_page_is_offline_and_escaped(monkeypatch):
    import calib.report.methods as m
    monkeypatch.setattr(m, "GLOSSARY", [("<b>x</b>", "a", "b", "c"), *GLOSSARY])
    page = m.glossary_page("zh-CN")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert 'lang="zh-CN"' in page and "http" not in page
    assert 'lang="en"' in glossary_page("en")


# Issue 13: every statistic states its method, its correction and its reference, in both languages.
_STATISTICS = {
    "03": ["Lin 1989", "Field & Welsh 2007", "Passing & Bablok 1983", "M1 = round", "Kolmogorov",
           "Linnet 1993", "CR1", "t(G", "Cameron & Miller 2015", "Cameron, Gelbach & Miller 2008",
           "Webb 2023", "HC1"],
    "04": ["DeLong 1988", "CR1", "t(G", "Cameron & Miller 2015",
           "Kline & Santos 2012", "Webb 2023", "Firth 1993", "Heinze & Schemper 2002", "Konis 2007",
           "ECB 2019", "Brown, Cai & DasGupta 2001", "OeNB 2004", "Hosmer & Lemeshow 1980",
           "Spiegelhalter 1986", "BCBS WP 14"],
    "05": ["CR1", "t(G", "Cameron & Miller 2015", "Kline & Santos 2012",
           "Cameron, Gelbach & Miller 2008", "Williams 2012", "Firth 1993", "Heinze & Schemper 2002"],
    "02": ["Huber 1981", "McGraw & Wong 1996", "Benjamini"],
}


@pytest.mark.parametrize("report", sorted(_STATISTICS))
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_statistics_state_method_correction_and_reference(report, lang):
    text = methods_appendix(report, lang).plain
    missing = [ref for ref in _STATISTICS[report] if ref not in text]
    assert not missing, missing


def test_small_sample_and_multiplicity_corrections_are_stated():
    en4, zh4 = methods_appendix("04", "en").plain, methods_appendix("04", "zh-CN").plain
    assert "K counting the intercept" in en4 and "K 含截距" in zh4
    assert "without a multiple-testing correction" in en4 and "不做多重检验校正" in zh4
    en3, zh3 = methods_appendix("03", "en").plain, methods_appendix("03", "zh-CN").plain
    assert "not counted in K" in en3 and "不计入 K" in zh3
    assert "Benjamini-Hochberg" in methods_appendix("02", "en").plain
    for rep in ("04", "05"):
        assert "quasi-complete" in methods_appendix(rep, "en").plain
        assert "准完全" in methods_appendix(rep, "zh-CN").plain


@pytest.mark.parametrize("report, thresholds", [
    ("01", ["1.00%", "90%", "18", "65"]),
    ("04", ["95%", "99.9%", "0.05", "55%"]),
    ("05", ["5%", "0.1", "3.5", "1.4826"]),
    ("07", ["0.10", "0.25", "0.70", "0.65", "1.25", "0.8"]),
])
def test_appendix_states_each_threshold_and_its_source(report, thresholds):
    """The thresholds the report's conclusions apply are in its appendix, with where they come from."""
    for lang, source in (("zh-CN", "来源"), ("en", "Source")):
        text = methods_appendix(report, lang).plain
        assert all(x in text for x in thresholds), (report, lang, [x for x in thresholds if x not in text])
        assert source in text


@pytest.mark.parametrize("nb", ["01_data_quality", "02_peer_consensus", "03_consensus_vs_model",
                                "04_scorecard_calibration", "05_points_discount", "06_credit_villages",
                                "07_monitoring"])
def test_report_ends_with_its_methods_appendix(nb):
    """With the run's parameters (its thresholds, not the defaults)."""
    import nbformat

    from _support import ROOT

    cells = [c for c in nbformat.read(str(ROOT / "notebooks" / f"{nb}.ipynb"), as_version=4).cells
             if c.cell_type == "code"]
    assert cells[-1].source.strip() == f'report.methods_appendix("{nb[:2]}", params=P)'


# A run's texts state the run's thresholds: a report rendered under parameters other than the
# defaults never states a default as if it applied (an auditor reads the appendix against the
# parameter table of the same page).
_ALT = ["eligibility.min_age=20", "eligibility.max_age=60", "eligibility.exclude_status=[deceased]",
        "reconciliation.band_low=0.7", "reconciliation.band_high=1.4",
        "credit_village.a_or_better_share.value=0.6", "credit_village.profiling_rate.value=0.85",
        "credit_village.credit_rate.value=0.45", "credit_village.npl_ratio.value=0.03",
        "credit_township.credit_village_share.value=0.7", "targets.credit_coverage_final=0.85",
        "targets.usage_final=0.35", "points_loan.schedule.base_rate=0.045",
        "points_loan.schedule.step_discount=0.0012"]


def _alt_params():
    from calib import params

    return params.load("params/sample.yaml", _ALT)


def test_param_words_follow_the_parameters():
    from calib.report.words import param_words

    alt = param_words(_alt_params(), "zh-CN")
    assert (alt["min_age"], alt["max_age"], alt["band"]) == ("20", "60", "[0.70, 1.40]")  # as report 03's texts write the band
    assert (alt["a_share"], alt["profiling"], alt["credit_rate"], alt["npl"]) == ("> 60%", "≥ 85%", "≥ 45%", "≤ 3%")
    assert (alt["township_share"], alt["coverage_target"], alt["usage_target"]) == ("> 70%", "≥ 85%", "≥ 35%")
    assert alt["excluded"] == "死亡、不良记录"
    assert alt["schedule"] == "基准利率 4.50%，每 100 分优惠 0.120%（按比例）"  # a discount as report 05 writes it
    en = param_words(_alt_params(), "en")
    assert en["schedule"] == "Base rate 4.50%, 0.120% off per 100 points (proportional)"
    assert en["excluded"] == "deceased, bad credit record"
    # no parameters: the defaults, the same words as the sample's parameter file
    from calib import params

    assert param_words(None, "en") == param_words(params.load("params/sample.yaml"), "en")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_appendices_state_this_runs_thresholds_not_the_defaults(lang):
    from calib.report.words import param_words

    default, alt = param_words(None, lang), param_words(_alt_params(), lang)
    stated = set()
    for report in sorted(METHODS):
        before, after = methods_appendix(report, lang).plain, methods_appendix(report, lang, params=_alt_params()).plain
        for key in ("band", "a_share", "profiling", "credit_rate", "npl", "township_share", "coverage_target",
                    "usage_target", "schedule", "excluded"):
            if default[key] in before:
                stated.add(key)
                assert alt[key] in after, (report, key)
                assert default[key] not in after, (report, key)
        if "18" in before and "65" in before:
            assert "20" in after and "60" in after
            assert not re.search(r"18\D{1,4}65", after), report
    # every rule of the parameters that a page states was checked
    assert stated == {"band", "a_share", "profiling", "credit_rate", "npl", "township_share", "coverage_target",
                      "usage_target", "schedule", "excluded"}


def test_catalogue_writes_no_default_threshold_as_fixed():
    """The report texts take the run's thresholds as placeholders: a default rule written into a
    text (``> 55%``, ``≤ 2%``, ``[0.67, 1.5]``) would be stated whatever the parameters say,
    unless the text says it is the default."""
    from calib.report._texts import TEXTS
    from calib.report.words import param_words

    found = []
    for lang, i in (("zh-CN", 0), ("en", 1)):
        words = param_words(None, lang)
        fixed = [words[k] for k in ("band", "a_share", "profiling", "credit_rate", "npl", "township_share",
                                    "coverage_target", "usage_target", "schedule")]
        fixed += ["超过 75%", "above 75%", "基准 5%", "from 5%", "0.1 个百分点", "0.1 percentage point"]
        for key, entry in TEXTS.items():
            text = entry[i]
            if "默认" in text or "default" in text.lower():
                continue
            found += [(key, w) for w in fixed if w in text]
    assert not found, found


def test_glossary_says_what_the_pages_count_as_final_and_white_listed():
    """The glossary said 最终授信额度 is fixed after each gap is investigated and the white list
    \"可获授信\", while report 03's final total holds the provisional limits of 1,132 households
    still to investigate and 555 white-listed households cannot be granted credit (02, 03)."""
    from calib.report.methods import GLOSSARY

    zh = {term: text for term, _, text, _ in GLOSSARY}
    assert "临时额度" in zh["最终授信额度"] and "核查后可能调整" in zh["最终授信额度"]
    assert "可获授信" not in zh["白名单"] and "资格规则" in zh["白名单"]
    cover = next(text for term, text in zh.items() if term.startswith("授信面"))
    assert "含核查期间执行临时额度的农户" in cover


def test_the_glossary_defines_the_terms_the_index_figures_use():
    """The index's key figures used 敞口差额, AUC, KS, PSI, CSI, PD, ICC, CCC, κ and 需重新评议, none
    of them in the glossary; 不良率 was defined on the NPL balance while report 06 computes it
    from the loans' 是否不良 flag, by balance and by count."""
    from calib.report.methods import GLOSSARY

    zh = " ".join(term for term, *_ in GLOSSARY)
    for term in ("敞口差额", "AUC", "KS", "PSI", "CSI", "PD", "LGD", "ICC", "Krippendorff", "Kendall", "CCC", "Deming",
                 "κ", "需重新评议", "调解区间", "交通灯", "违约", "样本内"):
        assert term in zh, term
    npl = next(text for term, _, text, _ in GLOSSARY if term == "不良率")
    assert "笔数" in npl and "用信金额" in npl
    assert all(zh_text and en_text for _, _, zh_text, en_text in GLOSSARY)  # each in both languages


def test_the_glossary_states_no_direction_of_a_rule_the_parameters_set():
    """The loan share's rule against the county is an operator of the parameters
    (credit_village.loan_share_vs_county.op): the glossary, which takes no parameters, names the
    comparison and sends the reader to report 06's methods appendix, which states this run's."""
    from calib.report.words import op_words

    entry = next(e for e in GLOSSARY if e[0] == "有贷款农户占比（对比全县）")
    for i, lang in ((2, "zh-CN"), (3, "en")):
        text = entry[i]
        rule = text[text.index("；" if lang == "zh-CN" else ";"):]
        stated = [w for op in (">", ">=", "<", "<=") for w in op_words(op, lang) if w in rule.split("(")[0]]
        assert not stated, (lang, stated)
        assert ("报告 06 的方法附录" if lang == "zh-CN" else "report 06's methods appendix") in text


@pytest.mark.parametrize(("width", "zh", "en"), [(37.5, "每 37.5 分一档", "one band every 37.5 points"),
                                                 (1, "每 1 分一档", "one band every 1 point ("),
                                                 (100, "每 100 分一档", "one band every 100 points")])
def test_a_banded_recommendation_states_the_band_width_as_set(width, zh, en):
    """A band width of 37.5 points was stated "38" (a count's rounding) beside tables of bands
    37.5 wide, and a width of 1 as "1 points"; schedules' points read as the parameters set them."""
    from pathlib import Path

    from calib import params
    from calib.report import fmt, words
    from calib.params.schema import Schedule

    root = Path(__file__).resolve().parents[2]
    bands = {"base_rate": 0.05, "bands": [{"points": 200.5, "discount": 0.002}, {"points": 400, "discount": 0.004}]}
    P = params.load(root / "params" / "sample.yaml", {"points_loan.band_width": width, "points_loan.schedule": bands})
    assert zh in methods_appendix("05", "zh-CN", params=P).plain
    assert en in methods_appendix("05", "en", params=P).plain
    said = words.schedule_words(Schedule.model_validate(bands), "zh-CN") + words.schedule_words(Schedule.model_validate(bands), "en")
    assert "200.5 分起" in said and "from 200.5 points" in said and "201" not in said
    assert fmt.points(1250) == "1,250" and fmt.points(0.25) == "0.25"
