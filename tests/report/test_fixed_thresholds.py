"""One number, one value: a fixed threshold (a module constant of the code that applies it) is
stated by the texts of reports 01, 02, 04, 05 and 07 through a placeholder filled from its home
(:func:`calib.report.methods.fixed_words`), never typed into a text again. Changing the constant
changes what the methods appendix, the conclusions and the glossary say."""
from __future__ import annotations

import re

import pytest

from calib.report import methods
from calib.report._texts import TEXTS
from calib.report.methods import FIXED_WORDS, GLOSSARY, METHODS, fixed_words, glossary_page, methods_appendix

LANGS = ("zh-CN", "en")

# (home module, constant, a value no page states, the placeholder, its words then, the reports
# whose methods appendix states it)
HOMES = [
    ("calib.report.findings.quality", "MAX_QUARANTINE_SHARE", 0.0137, "quarantine_max", "1.37%", ["01"]),
    ("calib.report.findings.consensus", "ICC_GOOD", 0.66, "icc_good", "0.66", ["02"]),
    ("calib.consensus.reviewers", "PARTIALITY_FDR", 0.025, "partiality_fdr", "2.5%", ["02"]),
    ("calib.consensus.tables", "SHIFT_THRESHOLD", 0.15, "shift_threshold", "15%", []),
    ("calib.consensus.graph", "MIN_COMPONENT_RATERS", 3, "min_raters", "3", ["02"]),
    ("calib.consensus.graph", "MIN_COMPONENT_DF", 17, "min_component_df", "17", ["02"]),
    ("calib.consensus.agreement", "ALPHA_GRID", 20_000, "alpha_grid", ("2 万元", "20,000 yuan"), []),
    ("calib.scorecard.calibration", "YELLOW_CONFIDENCE", 0.9, "light_yellow", "90%", ["04"]),
    ("calib.scorecard.calibration", "RED_CONFIDENCE", 0.995, "light_red", "99.5%", ["04"]),
    ("calib.scorecard.stability", "PSI_MODERATE", 0.15, "psi_moderate", "0.15", []),
    ("calib.scorecard.stability", "PSI_SIGNIFICANT", 0.35, "psi_significant", "0.35", []),
    ("calib.report.findings.scorecard", "ALPHA", 0.01, "calibration_alpha", "0.01", ["04"]),
    ("calib.scorecard.model", "SIGN_ALPHA", 0.1, "sign_alpha", "0.1", []),
    ("calib.scorecard.comparison", "MIN_AUC_GAIN", 0.015, "min_auc_gain", "0.015", ["04"]),
    ("calib.scorecard.crossval", "N_SPLITS", 7, "n_folds", "7", ["04"]),
    ("calib.scorecard.binning", "IV_WEAK", 0.03, "iv_weak", "0.03", []),
    ("calib._stats", "FEW_CLUSTERS", 41, "few_clusters", "41", ["04", "05"]),
    ("calib._stats", "WEBB_MAX_CLUSTERS", 11, "webb_max_clusters", "11", ["04"]),
    ("calib.pricing.inflation", "Z_THRESHOLD", 3.25, "inflation_z", "3.25", ["05"]),
    ("calib.pricing.conclusions", "MIN_RATES_REPRODUCED", 0.9, "min_reproduced", "90%", ["05"]),
    ("calib.pricing.points", "RATE_TOLERANCE", 1e-5, "rate_tolerance", "0.001", ["05"]),
    ("calib.pricing.calibration", "FEW_BOOTSTRAP_VILLAGES", 24, "few_boot_villages", "24", ["05"]),
    ("calib.pricing.plots", "MIN_AXIS_LOANS", 25, "axis_min_loans", "25", []),
    ("calib.pricing.recommend", "SENSITIVITY_LGD", (0.25, 0.5), "sensitivity_lgd", ("25%、50%", "25%, 50%"), []),
    ("calib.monitoring.figures", "CURRENT_SCORE_STEPS", 4, "score_steps", ("四", "four"), ["07"]),
    ("calib.monitoring.display", "MIN_TREND_POINTS", 3, "min_trend_points", "3", []),
]


def _report_of(placeholder: str) -> str:
    return next(r for r in sorted(FIXED_WORDS) if placeholder in fixed_words(r, "en"))


@pytest.mark.parametrize("module, name, value, key, words, reports", HOMES, ids=[h[1] for h in HOMES])
def test_the_words_follow_the_constant(monkeypatch, module, name, value, key, words, reports):
    """Change a constant at its home: the mapping, and every appendix that states it, follow."""
    import importlib

    monkeypatch.setattr(importlib.import_module(module), name, value)
    for lang, expected in zip(LANGS, words if isinstance(words, tuple) else (words, words)):
        assert fixed_words(_report_of(key), lang)[key] == expected
        assert fixed_words(None, lang)[key] == expected
        for report in reports:
            assert expected in methods_appendix(report, lang).plain, (report, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_monitoring_defaults_the_appendix_states_are_the_blocks(monkeypatch, lang):
    from calib.monitoring import display
    from calib.monitoring.rules import Light, MonitoringRules

    monkeypatch.setattr(display, "MonitoringRules",
                        lambda: MonitoringRules(auc_oos=Light(green=0.8, amber=0.55),
                                                investigations=Light(green=1.3, amber=1.75, higher_is_better=False,
                                                                     relative=True)))
    text = methods_appendix("07", lang).plain
    assert all(x in text for x in ("0.80", "0.55", "1.30", "1.75")), text
    assert "0.70" not in text and "1.25" not in text


def test_report_07s_defaults_are_report_04s_light_and_psi_reading():
    """The monitoring block's grade backtest is report 04's traffic light, its PSI and CSI bands
    report 04's PSI reading: one home each."""
    from calib.monitoring.rules import MonitoringRules
    from calib.scorecard import calibration, stability

    r = MonitoringRules()
    assert (r.grade_backtest.green, r.grade_backtest.amber) == (calibration.YELLOW_CONFIDENCE, calibration.RED_CONFIDENCE)
    assert (r.psi.green, r.psi.amber) == (r.csi_max.green, r.csi_max.amber) == (stability.PSI_MODERATE,
                                                                                stability.PSI_SIGNIFICANT)


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_states_report_04s_light_and_psi_reading(monkeypatch, lang):
    from calib.scorecard import calibration, stability

    monkeypatch.setattr(calibration, "RED_CONFIDENCE", 0.995)
    monkeypatch.setattr(stability, "PSI_SIGNIFICANT", 0.3)
    page = glossary_page(lang)
    assert "99.5%" in page and "0.30" in page
    assert "99.9%" not in page and "0.25" not in page


# The same figure with another meaning, which a text may type: the confidence level of an
# interval or of limits of agreement (95% 区间, 95% CI, Jeffreys 95%, lower 95% bound), the
# programme's step 2, and the selection table's reading of a standardised difference (0.1).
_OTHER_MEANINGS = re.compile(
    r"95% ?(?:置信)?(?:区间|interval|CI|Jeffreys|下限|上限|profile|一致性界限|limits)|(?:lower|upper) 95%|Jeffreys 95%"
    r"|第 2 步|大于 0\.1 表示|above 0\.1 in absolute")

#: Typed outside this change's files: the wild bootstrap's reason (calib.report._terms._WILD_MISSING)
#: states calib._stats.FEW_CLUSTERS as 29 / 30.
_KNOWN = {("nb05.missing_wild", "few_clusters")}


def _typed(words: str, text: str) -> int:
    """How often ``words`` stand in ``text`` as a figure of their own (not inside a longer number)."""
    if not re.search(r"\d", words) or len(words) < 2:  # "0", "5": too common to tell apart
        return 0
    return len(re.findall(r"(?<![\d.])" + re.escape(words) + r"(?![\d])", _OTHER_MEANINGS.sub("", text)))


@pytest.mark.parametrize("lang, i", [("zh-CN", 0), ("en", 1)])
def test_no_text_types_a_fixed_threshold(lang, i):
    """Every figure a text of reports 01, 02, 04, 05 and 07 (catalogue, methods appendix, glossary)
    states for a fixed threshold is a placeholder: its words do not stand in the text itself."""
    found = []
    for report in sorted(FIXED_WORDS):
        words = fixed_words(report, lang)
        texts = [(f"methods {report} {term[0]}", text[i]) for term, text in METHODS[report]]
        texts += [(key, entry[i]) for key, entry in TEXTS.items() if key.startswith(f"nb{report}.")]
        found += [(where, k, w) for where, text in texts for k, w in words.items()
                  if _typed(w, text) and (where, k) not in _KNOWN]
    glossary = fixed_words("04", lang)
    found += [(zh, k, w) for zh, en, dzh, den in GLOSSARY for k, w in glossary.items()
              if k.startswith(("light_", "psi_")) and _typed(w, (dzh, den)[i])]
    assert not found, found


def test_every_placeholder_of_an_appendix_is_filled():
    """A placeholder no mapping fills would raise when the page is written: every report's texts
    take only the run's parameters and its fixed words."""
    import string

    from calib.report.words import param_words

    for report in sorted(METHODS):
        for lang, i in (("zh-CN", 0), ("en", 1)):
            known = set(param_words(None, lang)) | set(fixed_words(report, lang))
            fields = {f for _, text in METHODS[report] for _, f, _, _ in string.Formatter().parse(text[i]) if f}
            assert fields <= known, (report, fields - known)


def test_the_mapping_names_every_report_that_states_a_fixed_threshold():
    assert set(FIXED_WORDS) == {"01", "02", "04", "05", "07"}
    assert methods.fixed_words("03", "en") == {} == methods.fixed_words("06", "en")
