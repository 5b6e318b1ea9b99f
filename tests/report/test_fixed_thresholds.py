"""One number, one value: a fixed threshold (a module constant of the code that applies it) is
stated by the texts of reports 01 to 05 and 07 through a placeholder filled from its home
(:func:`calib.report.methods.fixed_words`), never typed into a text again. Changing the constant
changes what the methods appendix, the conclusions, the glossary and the label catalogue (column
names, the index's metric names, the reasons of a missing value or a caution) say."""
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
    ("calib._stats", "FEW_CLUSTERS", 41, "few_clusters", "41", ["03", "04", "05"]),
    ("calib._stats", "FEW_CLUSTERS", 41, "wild_clusters_max", "40", []),
    ("calib._stats", "WEBB_MAX_CLUSTERS", 11, "webb_max_clusters", "11", ["03", "04"]),
    ("calib.report.findings.compare", "CCC_LOW_MIN", 0.85, "ccc_low_min", "0.85", []),
    ("calib.report.findings.compare", "KAPPA_MIN", 0.7, "kappa_min", "0.70", []),
    ("calib.report.findings.compare", "CUSUM_LEVEL", 0.01, "cusum_level", "1%", ["03"]),
    ("calib.report.findings.compare", "CUSUM_LEVEL", 0.01, "cusum_critical", "1.63", ["03"]),
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


@pytest.mark.parametrize("module, name, value, key, words, reports", HOMES, ids=[f"{h[1]}-{h[3]}" for h in HOMES])
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

def _typed(words: str, text: str) -> int:
    """How often ``words`` stand in ``text`` as a figure of their own (not inside a longer number)."""
    if not re.search(r"\d", words) or len(words) < 2:  # "0", "5": too common to tell apart
        return 0
    return len(re.findall(r"(?<![\d.])" + re.escape(words) + r"(?![\d])", _OTHER_MEANINGS.sub("", text)))


@pytest.mark.parametrize("lang, i", [("zh-CN", 0), ("en", 1)])
def test_no_text_types_a_fixed_threshold(lang, i):
    """Every figure a text of reports 01 to 05 and 07 (catalogue, methods appendix, glossary)
    states for a fixed threshold is a placeholder: its words do not stand in the text itself."""
    found = []
    for report in sorted(FIXED_WORDS):
        words = fixed_words(report, lang)
        texts = [(f"methods {report} {term[0]}", text[i]) for term, text in METHODS[report]]
        texts += [(key, entry[i]) for key, entry in TEXTS.items() if key.startswith(f"nb{report}.")]
        found += [(where, k, w) for where, text in texts for k, w in words.items() if _typed(w, text)]
    glossary = fixed_words("04", lang)
    found += [(zh, k, w) for zh, en, dzh, den in GLOSSARY for k, w in glossary.items()
              if k.startswith(("light_", "psi_")) and _typed(w, (dzh, den)[i])]
    assert not found, found


#: The short catalogue's entries checked against every report's fixed thresholds, and what they
#: type with another meaning: an interval's bounds (95% low, Lower 95% limit), the unit 万元
#: (× 10,000 yuan) and "per 100 points" (calib.pricing.calibration's step of the points, in the
#: metric keys themselves).
_SHORT_OTHER = re.compile(r"95% (?:low|high)|(?:Lower|Upper) 95% limit|× 10,000 yuan|(?:每 |per )100 (?:分|points)")


@pytest.mark.parametrize("lang, i", [("zh-CN", 0), ("en", 1)])
def test_no_short_label_types_a_fixed_threshold(lang, i):
    """The label catalogue's short entries (column and value names, the index's metric names, the
    reasons of a missing value and of a caution) state a fixed threshold by its placeholder too:
    "变动超过 10% 占比" typed SHIFT_THRESHOLD again, the wild bootstrap's reason FEW_CLUSTERS as 29 /
    30, the index's names ICC_GOOD, N_SPLITS and the calibration tests' level."""
    from calib.report._metrics import METRICS
    from calib.report._terms import REASONS, TERMS, VALUES

    words = fixed_words(None, lang)
    entries = {**{f"term {k}": v for k, v in {**TERMS, **VALUES}.items()},
               **{f"metric {k}": v[:2] for k, v in METRICS.items()}, **{f"reason {p}": e for p, e in REASONS}}
    found = [(where, k, w) for where, entry in entries.items() for k, w in words.items()
             if _typed(w, _SHORT_OTHER.sub("", entry[i]))]
    assert not found, found


@pytest.mark.parametrize("lang", LANGS)
def test_the_labels_follow_the_constants(monkeypatch, lang):
    """A label is worded when it is looked up: change the constant, the column name, the index's
    metric name and the reason of a missing value say the new value (the metric keys stay)."""
    from calib import _stats
    from calib.consensus import tables
    from calib.report import labels
    from calib.report.findings import consensus, scorecard
    from calib.scorecard import crossval

    before = {m: labels.metric_label(m, lang) for m in ("households_moved_10pct_vs_median", "villages_icc_ak_below_0_75",
                                                          "auc_calibrated_cv", "grades_jeffreys_rejected")}
    assert "10%" in before["households_moved_10pct_vs_median"] and "0.75" in before["villages_icc_ak_below_0_75"]
    assert "5" in before["auc_calibrated_cv"] and "0.05" in before["grades_jeffreys_rejected"]
    monkeypatch.setattr(tables, "SHIFT_THRESHOLD", 0.15)
    monkeypatch.setattr(consensus, "ICC_GOOD", 0.66)
    monkeypatch.setattr(crossval, "N_SPLITS", 7)
    monkeypatch.setattr(scorecard, "ALPHA", 0.01)
    monkeypatch.setattr(_stats, "FEW_CLUSTERS", 41)
    after = {m: labels.metric_label(m, lang) for m in before}
    assert "15%" in after["households_moved_10pct_vs_median"] and "10%" not in after["households_moved_10pct_vs_median"]
    assert "0.66" in after["villages_icc_ak_below_0_75"] and "0.75" not in after["villages_icc_ak_below_0_75"]
    assert ("7 折" if lang == "zh-CN" else "7-fold") in after["auc_calibrated_cv"]
    assert "0.01" in after["grades_jeffreys_rejected"] and "0.05" not in after["grades_jeffreys_rejected"]
    assert "15%" in labels.column_label("share_moved", lang)
    assert "15%" in labels.column_label("share_moved_threshold", lang)  # a derived column, from its term
    for key in ("missing.p_wild", "missing.p_value_wild", "missing.coef_points_p_wild", "nb05.missing_wild"):
        text = labels.t(key, lang)
        assert "40" in text and "41" in text and "29" not in text and "30" not in text, (key, text)


@pytest.mark.parametrize("lang", LANGS)
def test_the_thin_bootstrap_caution_states_the_count_it_was_raised_at(monkeypatch, lang):
    """The caution of calib.pricing.calibration below FEW_BOOTSTRAP_VILLAGES is worded from the
    warning's own count: the reader's words follow the constant (a pattern that typed "~20" stopped
    matching, and the English code text reached the page, once the constant changed)."""
    import warnings

    from calib.pricing import calibration
    from calib.report import labels

    monkeypatch.setattr(calibration, "FEW_BOOTSTRAP_VILLAGES", 24)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calibration._warn_thin(12, True, 100)
    (message,) = [str(w.message) for w in caught]
    worded = labels.value_label(message, lang)
    assert worded != message or lang == "en"
    assert "12" in worded and "24" in worded and "20" not in worded, worded
    if lang == "en":
        assert worded.startswith("only 12 villages: the village bootstrap"), worded


def test_report_03s_wild_bootstrap_applies_the_villages_its_texts_state():
    """Report 03's gap drivers decide on the wild bootstrap by calib._stats.FEW_CLUSTERS itself,
    which report 03's appendix and the missing p-value's reason state (through one placeholder
    for reports 03 to 05)."""
    import inspect
    import re

    from calib import _stats
    from calib.compare import drivers

    assert drivers.FEW_CLUSTERS == _stats.FEW_CLUSTERS
    assert not re.search(r"^FEW_CLUSTERS\s*=", inspect.getsource(drivers), re.M)  # no second home


def test_every_placeholder_of_an_appendix_is_filled():
    """A placeholder no mapping fills would raise when the page is written: every report's texts
    take only the run's parameters and its fixed words."""
    from calib.report import labels
    from calib.report.words import param_words

    for report in sorted(METHODS):
        for lang, i in (("zh-CN", 0), ("en", 1)):
            known = set(param_words(None, lang)) | set(fixed_words(report, lang))
            fields = {f for _, text in METHODS[report] for f in labels._fields(text[i])}  # plural counts too
            assert fields <= known, (report, fields - known)


def test_the_mapping_names_every_report_that_states_a_fixed_threshold():
    assert set(FIXED_WORDS) == {"01", "02", "03", "04", "05", "07"}
    assert methods.fixed_words("06", "en") == {}


@pytest.mark.parametrize("lang", LANGS)
def test_a_label_reads_the_same_words_as_the_appendices(lang):
    """fixed_words_for (the labels' lookup) gives the words of fixed_words, names it does not know
    left out; it calls no more of the mapping than it needs."""
    every = fixed_words(None, lang)
    assert methods.fixed_words_for(set(every) | {"n", "col"}, lang) == every
    assert methods.fixed_words_for({"shift_threshold", "n"}, lang) == {"shift_threshold": every["shift_threshold"]}
    assert methods.fixed_words_for(set(), lang) == {}
