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
    "04": ["StratifiedGroupKFold", "DeLong 1988", "CR1", "t(G", "Cameron & Miller 2015",
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
