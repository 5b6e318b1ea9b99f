"""Plural selectors of the English catalogue: ``{n, plural, one {village} other {villages}}``
chooses a word's form by a count (CLDR's rules, through Babel), so that an English page says
"1 village" and "2 villages" (the Chinese texts have no plural and stay as they are)."""
from __future__ import annotations

import re
import string
from decimal import Decimal

import numpy as np
import pytest

from calib.report import labels
from calib.report._metrics import METRICS
from calib.report._terms import REASONS, TERMS, VALUES
from calib.report._texts import TEXTS

SELECTOR = "{n} {n, plural, one {village} other {villages}}"
#: Where a selector is begun, however badly it goes on (the strict pattern must then match it all).
LOOSE = re.compile(r"\{\s*\w+\s*,\s*plural\b")
CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _catalogue() -> dict[str, tuple[str, str]]:
    """Every (zh-CN, en) entry: texts, terms, values, the index's metric names, the reasons and
    the methods appendices' texts (:func:`calib.report.labels.format_text` fills them)."""
    from calib.report.methods import METHODS

    return {**{f"text {k}": v for k, v in TEXTS.items()}, **{f"term {k}": v for k, v in TERMS.items()},
            **{f"value {k}": v for k, v in VALUES.items()}, **{f"metric {k}": v[:2] for k, v in METRICS.items()},
            **{f"reason {p}": e for p, e in REASONS},
            **{f"methods {r} {term[1]}": text for r, rows in METHODS.items() for term, text in rows}}


@pytest.mark.parametrize("count, said", [
    (0, "0 villages"), (1, "1 village"), (2, "2 villages"), ("1", "1 village"), ("0", "0 villages"),
    ("1,000", "1,000 villages"), ("1,001", "1,001 villages"), (1.0, "1.0 village"), (1.5, "1.5 villages"),
    ("1.0", "1.0 villages"),  # CLDR: a written fraction digit is plural ("1.0 villages")
    (Decimal("1"), "1 village"), (np.int64(1), "1 village"), (np.int32(2), "2 villages"),
    (np.uint8(1), "1 village"), (np.float64(2.0), "2.0 villages"), ("−1", "−1 village"),
])
def test_a_selector_takes_the_form_its_count_selects(count, said):
    assert labels._fill(SELECTOR, "en", {"n": count}) == said


def test_the_category_is_babels():
    from babel import Locale

    rule = Locale.parse("en").plural_form
    for n in (0, 1, 2, 11, 21, 101, 1_000_000):
        assert labels.plural_category(n, "en") == rule(n)
        assert labels.plural_category(f"{n:,}", "en") == rule(n)
    assert labels.plural_category(1, "zh-CN") == "other"  # Chinese has no plural
    assert [labels.plural_category(x, "en") for x in (None, float("nan"), "—", "")] == ["other"] * 4


def test_an_exact_value_goes_first_and_other_is_the_fallback():
    text = "{n, plural, =0 {no village} one {one village} other {villages}}"
    assert [labels._fill(text, "en", {"n": x}) for x in (0, "0", 1, 3)] == ["no village", "no village", "one village",
                                                                          "villages"]
    assert labels._fill("{n, plural, other {rows}}", "en", {"n": 1}) == "rows"


def test_the_selector_is_a_field_not_a_bogus_one():
    assert labels._fields(SELECTOR) == {"n"}
    assert labels._fields("{k} of {n, plural, one {village} other {villages}}") == {"k", "n"}
    assert labels._plain(SELECTOR) == "{n} "


def test_a_count_nobody_fills_raises_like_a_placeholder():
    with pytest.raises(KeyError, match="n"):
        labels._fill("{n, plural, one {village} other {villages}}", "en", {"m": 1})
    with pytest.raises(KeyError, match="n"):
        labels._select(SELECTOR, {}, "en")
    with pytest.raises(KeyError):  # a catalogue entry: its count is required like its other fields
        labels.t("nb06.c.villages_fig", "en", cv="1", share="50%")


def test_a_count_that_is_not_a_number_raises():
    for bad in ("many", "1 (50%)", "1.2.3", object()):
        with pytest.raises(ValueError, match="must be a number"):
            labels._fill(SELECTOR, "en", {"n": bad})


def _problems(zh: str, en: str) -> list[tuple]:
    """What is wrong with an entry's selectors: one not parsed whole (stray text between its
    forms), without an ``other`` form, with a category CLDR does not have or twice, naming a count
    the entry does not print in either language (a typo: ``{villagse, plural, ...}``) unless it is
    named as a count that only selects (``n`` or ``n_<what>``: ``noun.profiled``, whose caller
    passes the count of its sentence), or any in Chinese."""
    selectors = labels._selectors(en)
    found = [("chinese",)] if LOOSE.search(zh) else []
    if len(LOOSE.findall(en)) != len(selectors):
        found.append(("malformed",))
    printed = {f for text in (zh, labels._plain(en)) for _, f, _, _ in string.Formatter().parse(text) if f}
    for _, count, forms in selectors:
        categories = [c for c, _ in forms]
        if "other" not in categories or len(set(categories)) != len(categories) or not all(
                c in CATEGORIES or re.fullmatch(r"=\d+", c) for c in categories):
            found.append((count, categories))
        if count not in printed and not re.fullmatch(r"n(?:_[a-z]+)?", count):
            found.append((count, "names no field of the entry"))
    return found


def test_every_selector_of_the_catalogue_is_well_formed():
    bad = {where: p for where, (zh, en) in _catalogue().items() if (p := _problems(zh, en))}
    assert not bad, bad
    n = sum(len(labels._selectors(en)) for _, en in _catalogue().values())
    assert n >= 120  # the catalogue's counts of villages, households, rows, loans ...


@pytest.mark.parametrize("en", [
    "{n} {n, plural, one {village}}", "{n} {n, plural, one {village} othr {villages}}",
    "{n} {n, plural, one {village} x other {villages}}", "{n} {m, plural, one {village} other {villages}}",
    "{n} {n, plural, one {village} one {town} other {villages}}", "{n} {n plural, one {village} other {villages}}",
    "{n} {villagse, plural, one {village} other {villages}}",
])
def test_a_malformed_selector_is_seen(en):
    """The catalogue check above can fail: each of these is one of its problems."""
    try:
        found = _problems("{n} 个村", en)
    except ValueError:  # what Formatter cannot parse fails as loudly
        found = ["not parsed"]
    assert found


@pytest.mark.parametrize("key, fmt, one, two", [
    ("nb06.c.villages_fig", {"cv": "1", "share": "100%"}, "1 of 1 village (100%)", "1 of 2 villages (100%)"),
    ("nb06.c.townships_fig", {"ct": "1"}, "1 of 1 township", "1 of 2 townships"),
    ("index.more", {}, "1 more figure in", "2 more figures in"),
    ("nb06.line.village_fig", {}, "1 criterion not met", "2 criteria not met"),
    ("nb03.summary", {"gap": "3", "ratio": "90%", "change": "-1", "elig": "0", "policy": "0", "prov": "0"},
     "1 household to investigate", "2 households to investigate"),
    ("nb04.sign.text", {"sign_alpha": "0.05"}, "1 characteristic at odds", "2 characteristics at odds"),
    ("note.truncated", {"n": "1"}, "showing the first 1 of 1 row", "showing the first 1 of 2 rows"),
])
def test_real_entries_say_one_and_two(key, fmt, one, two):
    count = "m" if key == "note.truncated" else "n"
    assert one in labels.t(key, "en", **{count: 1, **fmt})
    assert two in labels.t(key, "en", **{count: "2", **fmt})


def test_a_verb_and_a_pronoun_agree_with_their_count():
    said = labels.t("nb06.line.profiled_why", "en", n=1, h=1, tail="")
    assert said.startswith("Of 1 village, 1 is profiled")
    assert labels.t("nb06.line.profiled_why", "en", n="1,200", h=2, tail="").startswith("Of 1,200 villages, 2 are")
    assert "1 household to investigate holds a provisional limit" in labels.t(
        "nb03.reconcile.summary", "en", **{f: "1" for f in labels._fields(TEXTS["nb03.reconcile.summary"][1])})


def test_a_noun_fragment_takes_the_count_of_its_sentence():
    noun = labels.t("noun.profiled", "en", n="1")
    assert labels.t("lack.more", "en", n="1", noun=noun) == "1 more profiled household"
    assert labels.t("lack.more", "en", n="3", noun=labels.t("noun.profiled", "en", n="3")) == "3 more profiled households"
    assert labels.t("noun.profiled", "zh-CN", n="1") == "已建档农户"


def test_a_verb_after_a_list_agrees_with_the_list():
    said = {k: labels.t("nb07.summary_base_backfilled", "en", n_names=k, names="AUC", base="2025-06-30", then="")
            for k in (1, 2)}
    assert said[1].startswith(" AUC is judged") and said[2].startswith(" AUC are judged")


def test_a_reason_says_its_count_in_the_right_form():
    one = labels.value_label("only 1 default: the PD model and its interval are very uncertain", "en")
    assert one == "only 1 default: the PD model and its interval are very uncertain"
    assert labels.value_label("only 1 default: the PD model and its interval are very uncertain",
                              "zh-CN") == "只有 1 户违约：违约概率模型及其区间非常不确定"
    two = labels.value_label("only 2 villages: the cluster bootstrap interval is unreliable below ~20", "en")
    assert two == "only 2 villages: the village bootstrap interval is unreliable below about 20"
    assert labels.value_label("only 1 village: the cluster bootstrap interval is unreliable below ~20",
                              "zh-CN") == "只有 1 个村：村数少于约 20 个时，按村自助法的区间不可靠"


def test_a_fixed_threshold_fills_its_selector_too():
    """``{few_clusters} villages`` is filled from the threshold's home at lookup, the selector with it."""
    said = labels.t("missing.p_wild", "en")
    assert "plural" not in said and re.search(r"from \d+ villages", said)


def test_a_methods_appendix_states_its_fixed_counts_in_the_right_form(monkeypatch):
    """The appendices' thresholds are module constants, read when the page is written: their
    words follow them, in the singular too."""
    from calib import _stats
    from calib.report.methods import methods_appendix

    assert "below 30 villages also" in methods_appendix("03", "en").plain
    monkeypatch.setattr(_stats, "FEW_CLUSTERS", 1)
    said = methods_appendix("03", "en").plain
    assert "below 1 village also" in said and "plural" not in said
    assert "plural" not in methods_appendix("03", "zh-CN").plain


def test_a_schedule_per_point_says_point():
    from calib.pricing import Schedule
    from calib.report.words import schedule_words

    assert "off per 1 point (" in schedule_words(Schedule(base_rate=0.05, step_points=1, step_discount=0.001), "en")
    assert "off per 100 points (" in schedule_words(Schedule(base_rate=0.05, step_points=100, step_discount=0.1), "en")



def test_the_pd_models_cautions_say_their_counts_in_the_right_form():
    """calibrate_points_discount's cautions (the terminal's words, which the pages translate by
    pattern) after a count of 1: 'only 1 default', not 'only 1 defaults'."""
    import warnings

    from calib.pricing.calibration import _warn_thin

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _warn_thin(1, True, 1)
        _warn_thin(2, True, 2)
    said = [str(w.message) for w in seen]
    assert said[0].startswith("only 1 village: ") and said[1].startswith("only 1 default: ")
    assert said[2].startswith("only 2 villages: ") and said[3].startswith("only 2 defaults: ")
    assert [labels.value_label(m, "zh-CN").split("：")[0] for m in said] == ["只有 1 个村", "只有 1 户违约", "只有 2 个村", "只有 2 户违约"]
