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
